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
    Node **children;
    size_t child_count;
};

static Node *node_child(Node *parent, const char *name, const char *file, bool is_type) {
    for (size_t i = 0; i < parent->child_count; i++) {
        Node *child = parent->children[i];
        if (child->is_type == is_type && strcmp(child->name, name) == 0 && strcmp(child->file, file) == 0)
            return child;
    }
    Node *child = mem_calloc(1, sizeof(Node));
    child->name = name;
    child->file = file;
    child->is_type = is_type;
    parent->children = mem_grow(parent->children, parent->child_count + 1, sizeof(Node *));
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

static size_t node_depth(Node *node) {
    size_t deepest = 0;
    if (node->child_count > 1) qsort(node->children, node->child_count, sizeof(Node *), node_compare);
    for (size_t i = 0; i < node->child_count; i++) {
        size_t depth = node_depth(node->children[i]);
        if (depth > deepest) deepest = depth;
    }
    return deepest + 1;
}

static void node_free(Node *node) {
    for (size_t i = 0; i < node->child_count; i++) node_free(node->children[i]);
    free(node->children);
    free(node);
}

typedef struct {
    FILE *out;
    double total_bytes;
    double scale;     /* pixels per byte */
    double base_y;    /* top of the bottom row */
    bool estimate;
    const char *parent_name;
} Drawing;

static void box_color(const Node *node, int depth, char *color, size_t size) {
    uint32_t hash = svg_hash(node->name);
    if (depth == 0) snprintf(color, size, "rgb(200,200,200)");
    else if (node->is_type)
        snprintf(color, size, "rgb(%u,%u,%u)", 80 + hash % 60, 150 + (hash >> 8) % 60, 210 + (hash >> 16) % 45);
    else
        snprintf(color, size, "rgb(%u,%u,%u)", 205 + hash % 50, 90 + (hash >> 8) % 130, 40 + (hash >> 16) % 50);
}

static void box_title(const Drawing *drawing, const Node *node, const Node *parent, int depth) {
    FILE *out = drawing->out;
    if (depth == 0) fputs("all", out);
    else if (node->is_type) {
        fputs("type ", out);
        svg_escape(out, node->name);
        fputs(" allocated in ", out);
        svg_escape(out, parent->name);
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

static void node_draw(const Drawing *drawing, const Node *node, const Node *parent, int depth, double x) {
    double width = node->bytes * drawing->scale;
    if (width < BOX_WIDTH_MIN) return;
    double y = drawing->base_y - depth * (BOX_HEIGHT + BOX_GAP);
    char color[32];
    box_color(node, depth, color, sizeof color);
    FILE *out = drawing->out;
    fputs("<g><title>", out);
    box_title(drawing, node, parent, depth);
    fprintf(out, "</title><rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\" rx=\"2\"/>",
            x, y, width, BOX_HEIGHT, color);
    size_t fits = width > 6 ? (size_t)((width - 6) / CHAR_WIDTH) : 0;
    if (fits >= 3) {
        fprintf(out, "<text x=\"%.2f\" y=\"%.1f\">", x + 3, y + BOX_HEIGHT - 4);
        svg_escape_fitted(out, depth == 0 ? "all" : node->name, fits);
        fputs("</text>", out);
    }
    fputs("</g>\n", out);
    for (size_t i = 0; i < node->child_count; i++) {
        node_draw(drawing, node->children[i], node, depth + 1, x);
        x += node->children[i]->bytes * drawing->scale;
    }
}

void view_flamegraph_write(const Report *report, PhaseSet phases, FILE *out) {
    CallPaths paths;
    paths_collect(report, phases, &paths);
    Node *root = mem_calloc(1, sizeof(Node));
    root->name = "all";
    root->file = "";
    for (size_t i = 0; i < paths.count; i++) {
        const CallPath *path = &paths.paths[i];
        if (path->bytes <= 0) continue;
        Node *node = root;
        node_add(root, path);
        for (size_t f = 0; f < path->frame_count; f++) {
            node = node_child(node, frame_name(&path->frames[f]), path->frames[f].file, false);
            node_add(node, path);
        }
        node = node_child(node, path->site->type[0] != '\0' ? path->site->type : "?", "", true);
        node_add(node, path);
    }
    size_t depth = node_depth(root);
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
    if (root->bytes > 0) node_draw(&drawing, root, NULL, 0, SIDE_MARGIN);
    fputs("</svg>\n", out);
    node_free(root);
    paths_free(&paths);
}
