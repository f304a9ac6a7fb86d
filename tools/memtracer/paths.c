/*
 * paths.c -- weighted call paths from a report's sites (see paths.h).
 */
#include "paths.h"

#include <stdlib.h>
#include <string.h>

#include "msg.h"

/* The function of the tracer's root, outside every guest function. */
static const char root_function[] = "<root>";

const char *frame_name(const Frame *frame) {
    return frame->function[0] != '\0' ? frame->function : "?";
}

static bool frames_same_function(const Frame *a, const Frame *b) {
    return strcmp(a->function, b->function) == 0 && strcmp(a->file, b->file) == 0;
}

/* The first frame of a path of a phase other than run: "[start-up]". */
static Frame phase_frame(const Site *site) {
    static const struct {
        const char *phase, *frame;
    } frames[] = {{"start-up", "[start-up]"}, {"compile", "[compile]"}};
    const char *phase = site_phase(site);
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++)
        if (strcmp(phase, frames[i].phase) == 0) return (Frame){(char *)frames[i].frame, "", 0, 1};
    /* A phase this command does not know is named as the report names it. */
    return (Frame){(char *)phase, "", 0, 1};
}

static CallPath *path_add(CallPaths *paths, const Site *site, double bytes, double blocks,
                          double count) {
    if (paths->count == paths->capacity) {
        paths->capacity = paths->capacity < 16 ? 16 : paths->capacity * 2;
        paths->paths = mem_grow(paths->paths, paths->capacity, sizeof(CallPath));
    }
    CallPath *path = &paths->paths[paths->count++];
    memset(path, 0, sizeof *path);
    path->site = site;
    path->bytes = bytes;
    path->blocks = blocks;
    path->count = count;
    return path;
}

/* Appends `frame` to the path being built (outermost first), unless it
 * repeats the frame before it: a recursive run is one frame, the
 * innermost's. */
static void frame_push(CallPath *path, Frame frame) {
    if (path->frame_count > 0 && frames_same_function(&path->frames[path->frame_count - 1], &frame)) {
        path->frames[path->frame_count - 1] = frame;
        return;
    }
    path->frames[path->frame_count++] = frame;
}

/* A path of `stack`'s frames (NULL: none), or of the site's function
 * alone, started at its phase's frame unless it ran. */
static void path_build(CallPaths *paths, const Site *site, const Stack *stack, double bytes,
                       double blocks, double count) {
    CallPath *path = path_add(paths, site, bytes, blocks, count);
    size_t frames = stack != NULL ? stack->frame_count : 0;
    path->frames = mem_calloc(frames + 2, sizeof(Frame));
    bool ran = site_phase_bit(site) == PHASE_RUN;
    if (!ran) frame_push(path, phase_frame(site));
    /* The stack is innermost first. */
    for (size_t i = frames; i-- > 0;) {
        const Frame *frame = &stack->frames[i];
        /* <root> is no guest function; the phase's frame already names a
         * frame named like it ("[start-up]"). */
        if (!ran && (strcmp(frame->function, root_function) == 0 ||
                     strcmp(frame->function, path->frames[0].function) == 0))
            continue;
        frame_push(path, (Frame){frame->function, frame->file, frame->line, 1});
    }
    /* A path with no frame of its own ends at the site's function, unless
     * the phase's frame already names it or it is no guest function. */
    if ((frames == 0 || path->frame_count == (ran ? 0u : 1u)) &&
        (ran || (strcmp(site->function, path->frames[0].function) != 0 &&
                 strcmp(site->function, root_function) != 0)))
        frame_push(path, (Frame){site->function, site->file, site->line, 1});
}

static double figure_or_zero(Figure figure) {
    return figure.known ? figure.value : 0;
}

void paths_collect(const Report *report, PhaseSet phases, CallPaths *paths) {
    memset(paths, 0, sizeof *paths);
    for (size_t s = 0; s < report->site_count; s++) {
        const Site *site = &report->sites[s];
        if (!phase_set_has(phases, site)) continue;
        double bytes = figure_or_zero(site->figures[SITE_BYTES]);
        double blocks = figure_or_zero(site->figures[SITE_BLOCKS]);
        double count = figure_or_zero(site->figures[SITE_COUNT]);
        double stack_bytes = 0, stack_blocks = 0, stack_count = 0;
        size_t stacks = 0;
        for (size_t i = 0; i < site->stack_count; i++) {
            const Stack *stack = &site->stacks[i];
            if (stack->frame_count == 0) continue;
            double bytes_here = figure_or_zero(stack->bytes);
            double blocks_here = figure_or_zero(stack->blocks);
            double count_here = figure_or_zero(stack->count);
            path_build(paths, site, stack, bytes_here, blocks_here, count_here);
            stack_bytes += bytes_here;
            stack_blocks += blocks_here;
            stack_count += count_here;
            stacks++;
        }
        /* What the stacks leave out is a path of its own. */
        if (bytes > stack_bytes || blocks > stack_blocks || count > stack_count || stacks == 0)
            path_build(paths, site, NULL, bytes > stack_bytes ? bytes - stack_bytes : 0,
                       blocks > stack_blocks ? blocks - stack_blocks : 0,
                       count > stack_count ? count - stack_count : 0);
    }
}

void paths_free(CallPaths *paths) {
    for (size_t i = 0; i < paths->count; i++) free(paths->paths[i].frames);
    free(paths->paths);
    memset(paths, 0, sizeof *paths);
}
