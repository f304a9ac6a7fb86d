/*
 * view_speedscope.c -- speedscope's file format (see views.h and
 * https://www.speedscope.app/file-format-schema.json): every distinct
 * frame once in shared.frames (name, file, line), the type allocated as
 * the innermost frame of each sample, and three sampled profiles over the
 * same samples, weighted by bytes, by objects and by blocks.  A sample's
 * stack lists frame indices outermost first, as speedscope expects.
 */
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "json_out.h"
#include "msg.h"
#include "paths.h"
#include "views.h"

typedef struct {
    char *key;  /* name, file and line, or the type, made one string */
    size_t index;
    UT_hash_handle hh;
} FrameIndex;

typedef struct {
    FrameIndex *table;
    json_t *frames;  /* shared.frames */
} FrameTable;

static size_t frame_index(FrameTable *table, char *key, json_t *frame) {
    FrameIndex *found;
    HASH_FIND_STR(table->table, key, found);
    if (found != NULL) {
        free(key);
        json_decref(frame);
        return found->index;
    }
    found = mem_calloc(1, sizeof(FrameIndex));
    found->key = key;
    found->index = json_array_size(table->frames);
    HASH_ADD_KEYPTR(hh, table->table, found->key, strlen(found->key), found);
    json_array_append_new(table->frames, frame);
    return found->index;
}

static size_t call_frame_index(FrameTable *table, const Frame *frame) {
    json_t *json = json_object();
    json_object_set_new(json, "name", json_string(frame_name(frame)));
    if (frame->file[0] != '\0') json_object_set_new(json, "file", json_string(frame->file));
    if (frame->line > 0) json_object_set_new(json, "line", json_integer(frame->line));
    return frame_index(table, str_printf("f\x1f%s\x1f%s\x1f%ld", frame->function, frame->file, frame->line),
                       json);
}

static size_t type_frame_index(FrameTable *table, const Site *site) {
    json_t *json = json_object();
    json_object_set_new(json, "name", json_string(site->type[0] != '\0' ? site->type : "?"));
    return frame_index(table, str_printf("t\x1f%s", site->type), json);
}

static json_t *profile_new(const char *name, const char *unit, json_t *samples, json_t *weights,
                           double total) {
    json_t *profile = json_object();
    json_object_set_new(profile, "type", json_string("sampled"));
    json_object_set_new(profile, "name", json_string(name));
    json_object_set_new(profile, "unit", json_string(unit));
    json_object_set_new(profile, "startValue", json_integer(0));
    json_object_set_new(profile, "endValue", json_from_number(total));
    json_object_set_new(profile, "samples", samples);
    json_object_set_new(profile, "weights", weights);
    return profile;
}

/* One sampled profile being built: a sample per path, weighted by one
 * figure of it. */
typedef struct {
    const char *what;  /* "bytes", "objects", "blocks" */
    const char *unit;
    json_t *samples, *weights;
    double total;
} Profile;

static void profile_add(Profile *profile, json_t *stack, double weight) {
    if (weight <= 0) return;
    json_array_append(profile->samples, stack);
    json_array_append_new(profile->weights, json_from_number(weight));
    profile->total += weight;
}

void view_speedscope_write(const Report *report, PhaseSet phases, FILE *out) {
    CallPaths paths;
    paths_collect(report, phases, &paths);
    FrameTable table = {NULL, json_array()};
    /* Allocated bytes, objects and blocks (storage counts no objects). */
    Profile profiles[] = {
        {"bytes", "bytes", json_array(), json_array(), 0},
        {"objects", "none", json_array(), json_array(), 0},
        {"blocks", "none", json_array(), json_array(), 0},
    };
    for (size_t i = 0; i < paths.count; i++) {
        const CallPath *path = &paths.paths[i];
        if (path->bytes <= 0 && path->count <= 0 && path->blocks <= 0) continue;
        json_t *stack = json_array();
        for (size_t f = 0; f < path->frame_count; f++)
            json_array_append_new(stack, json_integer((json_int_t)call_frame_index(&table, &path->frames[f])));
        json_array_append_new(stack, json_integer((json_int_t)type_frame_index(&table, path->site)));
        profile_add(&profiles[0], stack, path->bytes);
        profile_add(&profiles[1], stack, path->count);
        profile_add(&profiles[2], stack, path->blocks);
        json_decref(stack);
    }
    const char *program = report->program != NULL ? report->program : report->source;
    char *scope = phases != PHASE_ALL ? phase_set_text(phases) : str_dup("");
    json_t *profile_list = json_array();
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        char *name = str_printf("%s: allocated %s%s%s%s%s", program, profiles[i].what,
                                scope[0] ? " (" : "", scope, scope[0] ? ")" : "",
                                report->sampled ? " (estimated)" : "");
        json_array_append_new(profile_list, profile_new(name, profiles[i].unit, profiles[i].samples,
                                                        profiles[i].weights, profiles[i].total));
        free(name);
    }
    free(scope);
    json_t *root = json_object();
    json_object_set_new(root, "$schema", json_string("https://www.speedscope.app/file-format-schema.json"));
    json_t *shared = json_object();
    json_object_set_new(shared, "frames", table.frames);
    json_object_set_new(root, "shared", shared);
    json_object_set_new(root, "profiles", profile_list);
    json_object_set_new(root, "name", json_string(program));
    json_object_set_new(root, "activeProfileIndex", json_integer(0));
    json_object_set_new(root, "exporter", json_string("memtracer view"));
    json_write(root, out, true);
    json_decref(root);
    FrameIndex *entry, *next;
    HASH_ITER(hh, table.table, entry, next) {
        HASH_DEL(table.table, entry);
        free(entry->key);
        free(entry);
    }
    paths_free(&paths);
}
