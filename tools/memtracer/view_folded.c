/*
 * view_folded.c -- folded stacks (see views.h): one line per distinct
 * call path, frames joined by ';' outermost first, then a space and the
 * bytes.  A ';' inside a name would split it, so it is written as ':'.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "paths.h"
#include "views.h"

typedef struct {
    char *stack;
    double bytes;
} FoldedLine;

static int line_compare(const void *left, const void *right) {
    return strcmp(((const FoldedLine *)left)->stack, ((const FoldedLine *)right)->stack);
}

/* The path's frames joined by ';', each name made safe for the format. */
static char *path_join(const CallPath *path) {
    size_t length = 0;
    for (size_t f = 0; f < path->frame_count; f++) length += strlen(frame_name(&path->frames[f])) + 1;
    char *joined = mem_alloc(length + 1), *at = joined;
    for (size_t f = 0; f < path->frame_count; f++) {
        if (f > 0) *at++ = ';';
        for (const char *c = frame_name(&path->frames[f]); *c != '\0'; c++)
            *at++ = *c == ';' ? ':' : (*c == '\n' || *c == '\r') ? ' ' : *c;
    }
    *at = '\0';
    return joined;
}

void view_folded_write(const Report *report, PhaseSet phases, FILE *out) {
    CallPaths paths;
    paths_collect(report, phases, &paths);
    FoldedLine *lines = mem_calloc(paths.count, sizeof(FoldedLine));
    size_t count = 0;
    for (size_t i = 0; i < paths.count; i++) {
        if (paths.paths[i].bytes <= 0) continue;
        lines[count].stack = path_join(&paths.paths[i]);
        lines[count++].bytes = paths.paths[i].bytes;
    }
    qsort(lines, count, sizeof(FoldedLine), line_compare);
    for (size_t i = 0; i < count; i++) {
        double bytes = lines[i].bytes;
        while (i + 1 < count && strcmp(lines[i].stack, lines[i + 1].stack) == 0) {
            free(lines[i].stack);
            bytes += lines[++i].bytes;
        }
        fprintf(out, "%s %.0f\n", lines[i].stack, round(bytes));
        free(lines[i].stack);
    }
    free(lines);
    paths_free(&paths);
}
