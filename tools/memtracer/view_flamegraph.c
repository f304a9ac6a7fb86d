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
    size_t id;         /* order of making: hashes the same on every run */
    uint64_t hash;     /* of (parent, is_type, name, file): its index slot */
    Node **children;
    size_t child_count, child_capacity;
};

/* Every node but the root, by (parent, is_type, name, file), so that
 * finding a child costs the same however many siblings it has.  Open
 * addressing, linear probing; at most half full, so a probe ends. */
typedef struct {
    Node **slots;     /* NULL: empty */
    size_t capacity;  /* a power of two */
    size_t count;
    size_t made;      /* nodes made, the root included */
} NodeIndex;

static uint64_t hash_bytes(uint64_t hash, const void *bytes, size_t size) {
    for (const unsigned char *c = bytes; size-- > 0; c++) {
        hash ^= *c;
        hash *= 1099511628211u;
    }
    return hash;
}

static uint64_t node_hash(const Node *parent, const char *name, const char *file, bool is_type) {
    unsigned char kind = is_type;
    uint64_t hash = hash_bytes(14695981039346656037u, &parent->id, sizeof parent->id);
    hash = hash_bytes(hash, &kind, 1);
    /* The terminating NULs keep ("ab", "c") apart from ("a", "bc"). */
    hash = hash_bytes(hash, name, strlen(name) + 1);
    return hash_bytes(hash, file, strlen(file) + 1);
}

static void index_grow(NodeIndex *index) {
    size_t capacity = index->capacity != 0 ? index->capacity * 2 : 256;
    Node **slots = mem_calloc(capacity, sizeof(Node *));
    for (size_t i = 0; i < index->capacity; i++) {
        Node *node = index->slots[i];
        if (node == NULL) continue;
        size_t at = node->hash & (capacity - 1);
        while (slots[at] != NULL) at = (at + 1) & (capacity - 1);
        slots[at] = node;
    }
    free(index->slots);
    index->slots = slots;
    index->capacity = capacity;
}

/* The child of `parent` so named, made (last of its siblings) if new. */
static Node *node_child(NodeIndex *index, Node *parent, const char *name, const char *file,
                        bool is_type) {
    uint64_t hash = node_hash(parent, name, file, is_type);
    size_t mask = index->capacity - 1, at = hash & mask;
    for (Node *child; (child = index->slots[at]) != NULL; at = (at + 1) & mask) {
        if (child->hash == hash && child->parent == parent && child->is_type == is_type &&
            strcmp(child->name, name) == 0 && strcmp(child->file, file) == 0)
            return child;
    }
    Node *child = mem_calloc(1, sizeof(Node));
    child->name = name;
    child->file = file;
    child->is_type = is_type;
    child->parent = parent;
    child->id = index->made++;
    child->hash = hash;
    if (parent->child_count == parent->child_capacity) {
        parent->child_capacity = parent->child_capacity != 0 ? parent->child_capacity * 2 : 4;
        parent->children = mem_grow(parent->children, parent->child_capacity, sizeof(Node *));
    }
    parent->children[parent->child_count++] = child;
    if (2 * (index->count + 1) > index->capacity) index_grow(index);
    at = hash & (index->capacity - 1);
    while (index->slots[at] != NULL) at = (at + 1) & (index->capacity - 1);
    index->slots[at] = child;
    index->count++;
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

/* Every node is in the index but the root. */
static void tree_free(Node *root, NodeIndex *index) {
    for (size_t i = 0; i < index->capacity; i++) {
        if (index->slots[i] == NULL) continue;
        free(index->slots[i]->children);
        free(index->slots[i]);
    }
    free(index->slots);
    free(root->children);
    free(root);
}

typedef struct {
    FILE *out;
    double total_bytes;
    double scale;     /* pixels per byte */
    double base_y;    /* top of the bottom row */
    bool estimate;
    const char *parent_name;
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
    NodeIndex index = {.made = 1};
    index_grow(&index);
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
