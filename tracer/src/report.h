/*
 * report.h -- what the report writers share: the order of sites and
 * stacks, the summary lines, table cells, and a stack's frames.
 *
 * Writers only read the recording.  Ordering relinks records through
 * link fields and link arrays the tracer holds anyway (no scratch memory,
 * so a report can be written from a signal handler or when the tracer has
 * run out of memory), and ties are broken by names and lines, so
 * identical runs give identical reports.
 */
#ifndef TR_REPORT_H
#define TR_REPORT_H

#include <stdbool.h>

#include "out.h"
#include "path.h"
#include "site.h"
#include "summary.h"

/* Writes the report in the chosen format to an open destination and
 * completes it (destination.h); false if it could not.  Signal-safe. */
struct tr_destination;
bool tr_report_write(struct tr_destination *dest);

void tr_report_table(tr_out *out);
void tr_report_leaks(tr_out *out);
void tr_report_peak(tr_out *out);
void tr_report_json(tr_out *out);
void tr_report_histogram(tr_out *out);
void tr_report_typehistogram(tr_out *out);
void tr_report_calltree(tr_out *out);

/* Sorts a list of ids linked through next (0 ends it) so that
 * before(a, b) holds of each pair in order; its new head.  A stable
 * merge sort, in place. */
uint32_t tr_list_sort(uint32_t head, uint32_t *(*next)(uint32_t),
                      bool (*before)(uint32_t a, uint32_t b));

/* The listed sites with blocks in the order's figures, largest first by
 * them, linked through tr_site_links (tr_sites_relink gives the links
 * back to look-ups); the first id, 0 when none.  Each site's stacks (see
 * tr_stack_group_first) and retaining paths are put in report order
 * too. */
typedef enum tr_order {
    TR_ORDER_BYTES,   /* what they obtained */
    TR_ORDER_LIVE,    /* what they hold at the end; none: left out */
    TR_ORDER_PEAK,    /* what they held at the peak; none: left out */
} tr_order;
mt_site tr_report_sites(tr_order order);
static inline mt_site tr_report_next_site(mt_site site) {
    return tr_site_links()[site];
}

/* A site's stacks as the report shows them: paths that StackLimit cuts to
 * the same frames are one stack, a group of records.  Groups come
 * heaviest first (by bytes; at a site StackLimit cut, groups of equal
 * bytes in the order of a hash of their frames). */
typedef struct tr_stack_group {
    uint32_t first;        /* its first record */
    uint32_t end;          /* the record after the group, 0 after the last */
    uint64_t blocks, bytes;
    uint64_t truncated;    /* the most frames any of its paths lost */
} tr_stack_group;

/* The site's first group; false when it has no stacks. */
bool tr_stack_group_first(mt_site site, tr_stack_group *group);
/* The group after group; false after the last. */
bool tr_stack_group_next(tr_stack_group *group);

/* "Memory Tracer. Recorded ..." and the lines for what the report leaves
 * out (filtered, hidden, lost), each only when there is any. */
void tr_report_header(tr_out *out, const tr_summary *sum);
/* "run", "start-up", "compile". */
const char *tr_phase_name(mt_phase phase);
/* Whether the tables list a site of that phase (Phases). */
bool tr_phase_listed(mt_phase phase);
/* A table cell: text padded to width, then the column separator. */
void tr_report_cell(tr_out *out, const char *text, size_t len, size_t width);
/* The same of a guest name of len bytes, escaped (tr_out_name) and padded
 * to width by its width as shown. */
void tr_report_name_cell(tr_out *out, const char *name, size_t len,
                         bool plain, size_t width);
/* "N allocation" / "N allocations". */
void tr_report_count(tr_out *out, uint64_t n, const char *noun);
/* A function's file (the program's for <root>), its length, and whether
 * it is known to be plain (tr_out_name). */
struct tr_func;
const char *tr_report_func_file(const struct tr_func *func, size_t *len,
                                bool *plain);
/* A function's location, file:line, or file alone when the line is 0,
 * the file escaped (tr_out_name); its width as shown. */
void tr_report_func_location(tr_out *out, mt_func func);
size_t tr_report_func_location_width(mt_func func);

/* Sets every node's total_count and total_bytes: its own and its
 * callees'. */
void tr_report_node_totals(void);

/* Visits the trie depth first without recursion (the guest may recurse
 * deeper than the C stack allows): enter before a node's children, leave
 * after.  enter may reorder the node's children. */
typedef void tr_node_visit(mt_path node, void *context);
void tr_path_walk(tr_node_visit *enter, tr_node_visit *leave, void *context);

/* One frame of a stack, as shown: a run of frames of one function folded
 * into one says how many (repeat). */
typedef struct tr_frame {
    const char *function, *file;
    size_t function_len, file_len;  /* their bytes, NUL not counted */
    bool json_plain;    /* function and file need no escaping in JSON */
    int line;
    uint32_t repeat;
} tr_frame;

typedef struct tr_frames {
    mt_site site;
    mt_path node;          /* the frame to give next */
    int line;              /* and its line */
    unsigned left;         /* frames still to give within StackLimit */
    uint64_t truncated;    /* frames StackLimit cut, counted one by one */
} tr_frames;

/* The frames of the path node at site, innermost first: the site's own
 * (function, line), then each caller with the line it made the call from.
 * When nothing encloses the site, its own function is the one frame.
 * O(StackLimit); after tr_report_sites, which counts each path's frames
 * for truncated. */
void tr_frames_start(tr_frames *frames, mt_site site, mt_path node);
bool tr_frames_next(tr_frames *frames, tr_frame *frame);

#endif
