/*
 * view_flamegraph.c -- a flame graph of allocated bytes as one SVG file
 * (see views.h), drawn in the manner of Brendan Gregg's flamegraph.pl: the
 * whole run at the bottom, each call path's frames stacked above it,
 * outermost lowest, siblings in alphabetical order, each box as wide as
 * the bytes allocated in it and its callees.  The type allocated is the
 * top box of each path, in blue; functions are in warm colours.  Every box
 * carries its figures in a <title>, which viewers show as a tooltip: no
 * script, no font or style sheet from elsewhere.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "msg.h"
#include "paths.h"
#include "svg.h"
#include "units.h"
#include "views.h"

#define IMAGE_WIDTH 1200.0
#define SIDE_MARGIN 10.0
#define TOP_MARGIN 60.0
#define BOTTOM_MARGIN 20.0
#define BOX_HEIGHT 16.0
#define BOX_GAP 1.0
#define FONT_SIZE 12.0
#define CHAR_WIDTH 7.0   /* of the monospace font at FONT_SIZE, near enough */
#define BOX_WIDTH_MIN 0.1 /* narrower boxes are left out; their bytes stay in their parent */

typedef struct Node Node;
struct Node {
    const char *name;  /* borrowed from the report */
    const char *file;  /* "" for a type */
    bool is_type;
    double bytes, blocks, count;
    Node *parent;      /* NULL for the root */
    Node **children;   /* in drawing order, once tree_sort ran */
    size_t child_count, child_capacity;
    char *key;         /* in the tree's index: child_key */
    size_t key_length;
    UT_hash_handle hh;
};

/* A child's key, in a new block: its parent's address, name NUL file
 * NUL, and '1' for a type or '0'. */
static char *child_key(const Node *parent, const char *name, const char *file, bool is_type,
                       size_t *length) {
    size_t name_length = strlen(name), file_length = strlen(file);
    *length = sizeof parent + name_length + file_length + 3;
    char *key = mem_alloc(*length);
    memcpy(key, &parent, sizeof parent);
    memcpy(key + sizeof parent, name, name_length + 1);
    memcpy(key + sizeof parent + name_length + 1, file, file_length + 1);
    key[*length - 1] = is_type ? '1' : '0';
    return key;
}

/* The child of `parent` so named, made (last of its siblings) if new.
 * `index` holds every node but the root, so that finding a child costs
 * the same however many siblings it has. */
static Node *node_child(Node **index, Node *parent, const char *name, const char *file,
                        bool is_type) {
    size_t length;
    char *key = child_key(parent, name, file, is_type, &length);
    Node *child;
    HASH_FIND(hh, *index, key, length, child);
    if (child != NULL) {
        free(key);
        return child;
    }
    child = mem_calloc(1, sizeof(Node));
    child->name = name;
    child->file = file;
    child->is_type = is_type;
    child->parent = parent;
    child->key = key;
    child->key_length = length;
    HASH_ADD_KEYPTR(hh, *index, child->key, child->key_length, child);
    if (parent->child_count == parent->child_capacity) {
        parent->child_capacity = parent->child_capacity != 0 ? parent->child_capacity * 2 : 4;
        parent->children = mem_grow(parent->children, parent->child_capacity, sizeof(Node *));
    }
    parent->children[parent->child_count++] = child;
    return child;
}

static void node_add(Node *node, const CallPath *path) {
    node->bytes += path->bytes;
    node->blocks += path->blocks;
    node->count += path->count;
}

static int node_compare(const void *left, const void *right) {
    const Node *a = *(Node *const *)left, *b = *(Node *const *)right;
    if (a->is_type != b->is_type) return a->is_type ? 1 : -1;
    int order = strcmp(a->name, b->name);
    return order != 0 ? order : strcmp(a->file, b->file);
}

/* The tree's walks keep their own stack, not the C stack: a report's
 * stacks may be a million frames deep. */
typedef struct {
    Node *node;
    size_t depth;  /* the root's is 0 */
    double x;      /* left edge, when drawing */
} Visit;

typedef struct {
    Visit *visits;
    size_t count, capacity;
} Visits;

static Visit *visits_push(Visits *visits, size_t more) {
    if (visits->count + more > visits->capacity) {
        while (visits->count + more > visits->capacity)
            visits->capacity = visits->capacity != 0 ? visits->capacity * 2 : 64;
        visits->visits = mem_grow(visits->visits, visits->capacity, sizeof(Visit));
    }
    Visit *pushed = &visits->visits[visits->count];
    visits->count += more;
    return pushed;
}

/* Puts every node's children in drawing order; returns the rows the tree
 * takes, its depth. */
static size_t tree_sort(Node *root) {
    Visits visits = {0};
    *visits_push(&visits, 1) = (Visit){.node = root};
    size_t deepest = 0;
    while (visits.count > 0) {
        Visit visit = visits.visits[--visits.count];
        Node *node = visit.node;
        if (visit.depth + 1 > deepest) deepest = visit.depth + 1;
        if (node->child_count > 1) qsort(node->children, node->child_count, sizeof(Node *), node_compare);
        Visit *pushed = visits_push(&visits, node->child_count);
        for (size_t i = 0; i < node->child_count; i++)
            pushed[i] = (Visit){.node = node->children[i], .depth = visit.depth + 1};
    }
    free(visits.visits);
    return deepest;
}

static void tree_free(Node *root, Node **index) {
    Node *node, *next;
    HASH_ITER(hh, *index, node, next) {
        HASH_DEL(*index, node);
        free(node->children);
        free(node->key);
        free(node);
    }
    free(root->children);
    free(root);
}

typedef struct {
    FILE *out;
    double total_bytes;
    double scale;     /* pixels per byte */
    double base_y;    /* top of the bottom row */
    bool estimate;
} Drawing;

static void box_color(const Node *node, size_t depth, char *color, size_t size) {
    uint32_t hash = svg_hash(node->name);
    if (depth == 0) snprintf(color, size, "rgb(200,200,200)");
    else if (node->is_type)
        snprintf(color, size, "rgb(%u,%u,%u)", 80 + hash % 60, 150 + (hash >> 8) % 60, 210 + (hash >> 16) % 45);
    else
        snprintf(color, size, "rgb(%u,%u,%u)", 205 + hash % 50, 90 + (hash >> 8) % 130, 40 + (hash >> 16) % 50);
}

static void box_title(const Drawing *drawing, const Node *node, size_t depth) {
    FILE *out = drawing->out;
    if (depth == 0) fputs("all", out);
    else if (node->is_type) {
        fputs("type ", out);
        svg_escape(out, node->name);
        fputs(" allocated in ", out);
        svg_escape(out, node->parent->name);
    } else {
        svg_escape(out, node->name);
        if (node->file[0] != '\0') {
            fputs(" (", out);
            svg_escape(out, node->file);
            fputs(")", out);
        }
    }
    const char *estimate = drawing->estimate ? "~" : "";
    char *size = size_text(node->bytes);
    fprintf(out, "\n%s%.0f bytes (%s), %.2f%% of all; %s%.0f blocks", estimate, node->bytes, size,
            drawing->total_bytes > 0 ? node->bytes / drawing->total_bytes * 100 : 0, estimate,
            node->blocks);
    free(size);
    if (node->blocks > 0) {
        char *average = size_text(node->bytes / node->blocks);
        fprintf(out, " of %s on average", average);
        free(average);
    }
    /* Storage counts no objects: said only where there are some. */
    if (node->count > 0) fprintf(out, ", %s%.0f objects", estimate, node->count);
    if (drawing->estimate) fputs("\nestimated: the run was sampled", out);
}

static void box_draw(const Drawing *drawing, const Node *node, size_t depth, double x, double width) {
    double y = drawing->base_y - (double)depth * (BOX_HEIGHT + BOX_GAP);
    char color[32];
    box_color(node, depth, color, sizeof color);
    FILE *out = drawing->out;
    fputs("<g><title>", out);
    box_title(drawing, node, depth);
    fprintf(out, "</title><rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\" rx=\"2\"/>",
            x, y, width, BOX_HEIGHT, color);
    size_t fits = width > 6 ? (size_t)((width - 6) / CHAR_WIDTH) : 0;
    if (fits >= 3) {
        fprintf(out, "<text x=\"%.2f\" y=\"%.1f\">", x + 3, y + BOX_HEIGHT - 4);
        svg_escape_fitted(out, depth == 0 ? "all" : node->name, fits);
        fputs("</text>", out);
    }
    fputs("</g>\n", out);
}

/* Each box, then its children's from left to right (depth first, so the
 * file reads in the tree's order); a box too narrow to see is left out
 * with all above it. */
static void tree_draw(const Drawing *drawing, Node *root) {
    Visits visits = {0};
    *visits_push(&visits, 1) = (Visit){.node = root, .x = SIDE_MARGIN};
    while (visits.count > 0) {
        Visit visit = visits.visits[--visits.count];
        const Node *node = visit.node;
        double width = node->bytes * drawing->scale;
        if (width < BOX_WIDTH_MIN) continue;
        box_draw(drawing, node, visit.depth, visit.x, width);
        /* Pushed last first, so the leftmost is drawn next. */
        Visit *pushed = visits_push(&visits, node->child_count);
        double x = visit.x;
        for (size_t i = 0; i < node->child_count; i++) {
            pushed[node->child_count - 1 - i] =
                (Visit){.node = node->children[i], .depth = visit.depth + 1, .x = x};
            x += node->children[i]->bytes * drawing->scale;
        }
    }
    free(visits.visits);
}

void view_flamegraph_write(const Report *report, PhaseSet phases, FILE *out) {
    CallPaths paths;
    paths_collect(report, phases, &paths);
    Node *index = NULL;
    Node *root = mem_calloc(1, sizeof(Node));
    root->name = "all";
    root->file = "";
    for (size_t i = 0; i < paths.count; i++) {
        const CallPath *path = &paths.paths[i];
        if (path->bytes <= 0) continue;
        Node *node = root;
        node_add(root, path);
        for (size_t f = 0; f < path->frame_count; f++) {
            node = node_child(&index, node, frame_name(&path->frames[f]), path->frames[f].file, false);
            node_add(node, path);
        }
        node = node_child(&index, node, path->site->type[0] != '\0' ? path->site->type : "?", "", true);
        node_add(node, path);
    }
    size_t depth = tree_sort(root);
    double height = TOP_MARGIN + (double)depth * (BOX_HEIGHT + BOX_GAP) + BOTTOM_MARGIN;
    Drawing drawing = {
        .out = out,
        .total_bytes = root->bytes,
        .scale = root->bytes > 0 ? (IMAGE_WIDTH - 2 * SIDE_MARGIN) / root->bytes : 0,
        .base_y = height - BOTTOM_MARGIN - BOX_HEIGHT,
        .estimate = report->sampled,
    };
    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"monospace\" font-size=\"%.0f\">\n"
            "<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" fill=\"rgb(250,250,245)\"/>\n",
            IMAGE_WIDTH, height, IMAGE_WIDTH, height, FONT_SIZE);
    const char *program = report->program != NULL ? report->program : report->source;
    fprintf(out, "<text x=\"%.0f\" y=\"24\" text-anchor=\"middle\" font-size=\"17\">Allocated bytes%s: ",
            IMAGE_WIDTH / 2, report->sampled ? " (estimated)" : "");
    svg_escape(out, program);
    if (phases != PHASE_ALL) {
        char *scope = phase_set_text(phases);
        fprintf(out, " (%s)", scope);
        free(scope);
    }
    char *total = size_text(root->bytes);
    fprintf(out, "</text>\n<text x=\"%.0f\" y=\"44\" text-anchor=\"middle\" fill=\"rgb(90,90,90)\">"
                 "%s%.0f bytes (%s) by call path; the top box of each is the type allocated%s; "
                 "hover over a box for its figures</text>\n",
            IMAGE_WIDTH / 2, report->sampled ? "~" : "", root->bytes, total,
            report->sampled ? "; sampled, figures are estimates" : "");
    free(total);
    if (root->bytes > 0) tree_draw(&drawing, root);
    fputs("</svg>\n", out);
    tree_free(root, &index);
    paths_free(&paths);
}
