/*
 * paths.c -- weighted call paths from a report's sites (see paths.h).
 */
#include "paths.h"

#include <stdlib.h>
#include <string.h>

#include "msg.h"

const char *frame_name(const Frame *frame) {
    return frame->function[0] != '\0' ? frame->function : "?";
}

static bool frames_same_function(const Frame *a, const Frame *b) {
    return strcmp(a->function, b->function) == 0 && strcmp(a->file, b->file) == 0;
}

static CallPath *path_add(CallPaths *paths, const Site *site, double bytes, double count) {
    paths->paths = mem_grow(paths->paths, paths->count + 1, sizeof(CallPath));
    CallPath *path = &paths->paths[paths->count++];
    memset(path, 0, sizeof *path);
    path->site = site;
    path->bytes = bytes;
    path->count = count;
    return path;
}

/* A path of the site's own function alone. */
static void path_add_site(CallPaths *paths, const Site *site, double bytes, double count) {
    CallPath *path = path_add(paths, site, bytes, count);
    path->frames = mem_calloc(1, sizeof(Frame));
    path->frames[0] = (Frame){site->function, site->file, site->line, 1};
    path->frame_count = 1;
}

/* A path from a stack (innermost first), reversed and with recursion folded. */
static void path_add_stack(CallPaths *paths, const Site *site, const Stack *stack) {
    CallPath *path = path_add(paths, site, stack->bytes.known ? stack->bytes.value : 0,
                              stack->count.known ? stack->count.value : 0);
    path->frames = mem_calloc(stack->frame_count, sizeof(Frame));
    /* Innermost first: a frame repeating the one before it (the inner one,
     * already kept) is part of the same recursive run. */
    size_t kept = 0;
    for (size_t i = 0; i < stack->frame_count; i++) {
        const Frame *frame = &stack->frames[i];
        if (kept > 0 && frames_same_function(&path->frames[kept - 1], frame)) continue;
        path->frames[kept++] = (Frame){frame->function, frame->file, frame->line, 1};
    }
    for (size_t i = 0; i < kept / 2; i++) {
        Frame swap = path->frames[i];
        path->frames[i] = path->frames[kept - 1 - i];
        path->frames[kept - 1 - i] = swap;
    }
    path->frame_count = kept;
}

void paths_collect(const Report *report, CallPaths *paths) {
    memset(paths, 0, sizeof *paths);
    for (size_t s = 0; s < report->site_count; s++) {
        const Site *site = &report->sites[s];
        double bytes = site->figures[SITE_BYTES].known ? site->figures[SITE_BYTES].value : 0;
        double count = site->figures[SITE_COUNT].known ? site->figures[SITE_COUNT].value : 0;
        double stack_bytes = 0, stack_count = 0;
        for (size_t i = 0; i < site->stack_count; i++) {
            const Stack *stack = &site->stacks[i];
            if (stack->frame_count == 0) continue;
            path_add_stack(paths, site, stack);
            stack_bytes += paths->paths[paths->count - 1].bytes;
            stack_count += paths->paths[paths->count - 1].count;
        }
        if (bytes > stack_bytes || count > stack_count || site->stack_count == 0)
            path_add_site(paths, site, bytes > stack_bytes ? bytes - stack_bytes : 0,
                          count > stack_count ? count - stack_count : 0);
    }
}

void paths_free(CallPaths *paths) {
    for (size_t i = 0; i < paths->count; i++) free(paths->paths[i].frames);
    free(paths->paths);
    memset(paths, 0, sizeof *paths);
}
