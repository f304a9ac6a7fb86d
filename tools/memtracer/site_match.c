/*
 * site_match.c -- pairing sites by (file, function, type, phase), then by
 * line (see site_match.h).
 *
 * Both sides are sorted by identity and line, which puts each group of
 * sites with one identity in line order.  A group with as many sites on
 * both sides pairs one by one, in line order; those pairs are anchors,
 * telling how far lines moved in each part of each file.  A group of
 * unequal sizes is aligned keeping order (as in a diff), by dynamic
 * programming: first the most pairs, then the most pairs of sites alike
 * in size (bytes within a factor of two: a site keeps roughly its size
 * from one run to the next), then the least total distance between a head
 * site's line and where the base site's line is expected to have moved
 * (by the nearest anchor at or above it in the file).
 */
#include "site_match.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "phase.h"

/* A group of base x head sites larger than this pairs in plain line
 * order rather than by the alignment, which needs a byte per cell. */
#define ALIGNMENT_CELLS_MAX ((size_t)1 << 24)

typedef struct {
    const Site *site;
    char *function;  /* as identified, see function_identity */
} Entry;

char *function_identity(const char *function) {
    /* "function <PATH:DIGITS>": drop ":DIGITS". */
    size_t length = strlen(function);
    if (length < 3 || function[length - 1] != '>') return str_dup(function);
    const char *open = strrchr(function, '<');
    size_t digits_end = length - 1, digits_start = digits_end;
    while (digits_start > 0 && function[digits_start - 1] >= '0' &&
           function[digits_start - 1] <= '9')
        digits_start--;
    if (open == NULL || digits_start == digits_end || digits_start == 0 ||
        function[digits_start - 1] != ':' || function + digits_start - 1 <= open + 1)
        return str_dup(function);
    char *identity = str_printf("%.*s>", (int)(digits_start - 1), function);
    return identity;
}

static int entry_identity_compare(const Entry *a, const Entry *b) {
    int order = strcmp(a->site->file, b->site->file);
    if (order == 0) order = strcmp(a->function, b->function);
    if (order == 0) order = strcmp(a->site->type, b->site->type);
    if (order == 0) order = strcmp(site_phase(a->site), site_phase(b->site));
    return order;
}

static int entry_compare(const void *left, const void *right) {
    const Entry *a = left, *b = right;
    int order = entry_identity_compare(a, b);
    if (order != 0) return order;
    if (a->site->line != b->site->line) return a->site->line < b->site->line ? -1 : 1;
    /* Same identity and line: two definitions at once (Lua), by name. */
    return strcmp(a->site->function, b->site->function);
}

int site_identity_compare(const Site *a, const Site *b) {
    Entry left = {a, function_identity(a->function)};
    Entry right = {b, function_identity(b->function)};
    int order = entry_identity_compare(&left, &right);
    free(left.function);
    free(right.function);
    return order;
}

static Entry *entries_sorted(const Site *sites, size_t count) {
    Entry *entries = mem_calloc(count, sizeof(Entry));
    for (size_t i = 0; i < count; i++) {
        entries[i].site = &sites[i];
        entries[i].function = function_identity(sites[i].function);
    }
    qsort(entries, count, sizeof(Entry), entry_compare);
    return entries;
}

static void entries_free(Entry *entries, size_t count) {
    for (size_t i = 0; i < count; i++) free(entries[i].function);
    free(entries);
}

typedef struct {
    SitePair *pairs;  /* room for every site of both sides, at most */
    size_t count;
} PairList;

static void pair_add(PairList *list, const Site *base, const Site *head) {
    list->pairs[list->count++] = (SitePair){base, head};
}

/* The best alignment's score from a suffix: more pairs first, then more
 * pairs alike in size, then less distance. */
typedef struct {
    size_t pairs;
    size_t alike;
    uint64_t distance;
} Score;

static int score_better(Score a, Score b) {
    if (a.pairs != b.pairs) return a.pairs > b.pairs;
    if (a.alike != b.alike) return a.alike > b.alike;
    return a.distance < b.distance;
}

/* Whether two sites' bytes are within a factor of two of each other. */
static bool sites_alike(const Site *a, const Site *b) {
    double x = a->figures[SITE_BYTES].known ? a->figures[SITE_BYTES].value : 0;
    double y = b->figures[SITE_BYTES].known ? b->figures[SITE_BYTES].value : 0;
    double low = x < y ? x : y, high = x < y ? y : x;
    return high <= 2 * low;
}

/* Lines come from reports (C ints) and from budgets (anything a long
 * holds): their sums and differences saturate rather than overflow, which
 * keeps far lines far, all an alignment needs. */
static long line_add(long a, long b) {
    if (b > 0 && a > LONG_MAX - b) return LONG_MAX;
    if (b < 0 && a < LONG_MIN - b) return LONG_MIN;
    return a + b;
}

static long line_sub(long a, long b) {
    if (b < 0 && a > LONG_MAX + b) return LONG_MAX;
    if (b > 0 && a < LONG_MIN + b) return LONG_MIN;
    return a - b;
}

/* |a - b|, exactly: it fits in 64 unsigned bits. */
static uint64_t line_gap(long a, long b) {
    return a >= b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
}

static uint64_t distance_add(uint64_t a, uint64_t b) {
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Where lines moved: a base line and how far its site's line moved. */
typedef struct {
    const char *file;
    long line;
    long shift;
} Anchor;

typedef struct {
    Anchor *anchors;  /* sorted by file, line, then shift */
    size_t count;
} Anchors;

static int anchor_compare(const void *left, const void *right) {
    const Anchor *a = left, *b = right;
    int order = strcmp(a->file, b->file);
    if (order != 0) return order;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    /* Two anchors at one line (two functions there): in a fixed order. */
    return a->shift < b->shift ? -1 : a->shift > b->shift;
}

/* How far `line` of `file` is expected to have moved: the shift of the
 * nearest anchor at or above it, else of the first below it, else 0.  Two
 * binary searches: a group of n sites asks n times. */
static long anchors_shift(const Anchors *anchors, const char *file, long line) {
    const Anchor *all = anchors->anchors;
    size_t low = 0, high = anchors->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (strcmp(all[middle].file, file) < 0) low = middle + 1;
        else high = middle;
    }
    size_t first = low;  /* the file's first anchor, if it has any */
    if (first == anchors->count || strcmp(all[first].file, file) != 0) return 0;
    high = anchors->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        int order = strcmp(all[middle].file, file);
        if (order < 0 || (order == 0 && all[middle].line <= line)) low = middle + 1;
        else high = middle;
    }
    /* all[low - 1] is the last anchor of the file at or above `line`. */
    return low > first ? all[low - 1].shift : all[first].shift;
}

enum { STEP_PAIR, STEP_SKIP_BASE, STEP_SKIP_HEAD };

/* Pairs base[0..n) with head[0..m), one group of one identity. */
static void group_align(PairList *list, const Anchors *anchors, const Entry *base, size_t n,
                        const Entry *head, size_t m) {
    if (n == m || n == 0 || m == 0 || (n + 1) * (m + 1) > ALIGNMENT_CELLS_MAX) {
        size_t paired = n < m ? n : m;
        for (size_t i = 0; i < paired; i++) pair_add(list, base[i].site, head[i].site);
        for (size_t i = paired; i < n; i++) pair_add(list, base[i].site, NULL);
        for (size_t j = paired; j < m; j++) pair_add(list, NULL, head[j].site);
        return;
    }
    /* Where each base site's line is expected now, found once: the cells
     * ask it n * m times. */
    long *expected = mem_calloc(n, sizeof(long));
    for (size_t i = 0; i < n; i++) {
        const Site *site = base[i].site;
        expected[i] = line_add(site->line, anchors_shift(anchors, site->file, site->line));
    }
    /* step[i][j]: the best first step from (i, j); scores kept a row at a
     * time, filled from the ends backwards. */
    unsigned char *step = mem_alloc((n + 1) * (m + 1));
    Score *below = mem_calloc(m + 1, sizeof(Score)), *row = mem_calloc(m + 1, sizeof(Score));
    for (size_t i = n + 1; i-- > 0;) {
        for (size_t j = m + 1; j-- > 0;) {
            Score best = {0, 0, 0};
            bool found = false;
            unsigned char choice = STEP_SKIP_BASE;
            if (i < n && j < m) {
                best = below[j + 1];
                best.pairs++;
                best.alike += sites_alike(base[i].site, head[j].site);
                uint64_t gap = line_gap(head[j].site->line, expected[i]);
                best.distance = distance_add(best.distance, gap);
                choice = STEP_PAIR;
                found = true;
            }
            if (i < n && (!found || score_better(below[j], best))) {
                best = below[j];
                choice = STEP_SKIP_BASE;
                found = true;
            }
            if (j < m && (!found || score_better(row[j + 1], best))) {
                best = row[j + 1];
                choice = STEP_SKIP_HEAD;
            }
            row[j] = best;
            step[i * (m + 1) + j] = choice;
        }
        Score *swap = below;
        below = row;
        row = swap;
    }
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        unsigned char choice = step[i * (m + 1) + j];
        if (i == n) choice = STEP_SKIP_HEAD;
        if (j == m) choice = STEP_SKIP_BASE;
        if (choice == STEP_PAIR) {
            pair_add(list, base[i++].site, head[j++].site);
        } else if (choice == STEP_SKIP_BASE) {
            pair_add(list, base[i++].site, NULL);
        } else {
            pair_add(list, NULL, head[j++].site);
        }
    }
    free(expected);
    free(step);
    free(below);
    free(row);
}

/* A run of sites with one identity: base[base_start..base_end) and
 * head[head_start..head_end), either possibly empty. */
typedef struct {
    size_t base_start, base_end, head_start, head_end;
} Group;

static Group *groups_find(const Entry *base, size_t base_count, const Entry *head,
                          size_t head_count, size_t *group_count) {
    /* A group takes at least one site: at most as many as there are. */
    Group *groups = mem_calloc(base_count + head_count, sizeof(Group));
    size_t count = 0, i = 0, j = 0;
    while (i < base_count || j < head_count) {
        int order = i == base_count   ? 1
                    : j == head_count ? -1
                                      : entry_identity_compare(&base[i], &head[j]);
        size_t base_end = i, head_end = j;
        if (order <= 0)
            while (base_end < base_count && entry_identity_compare(&base[i], &base[base_end]) == 0)
                base_end++;
        if (order >= 0)
            while (head_end < head_count && entry_identity_compare(&head[j], &head[head_end]) == 0)
                head_end++;
        groups[count++] = (Group){i, base_end, j, head_end};
        i = base_end;
        j = head_end;
    }
    *group_count = count;
    return groups;
}

SitePair *sites_match(const Site *base_sites, size_t base_count, const Site *head_sites,
                      size_t head_count, size_t *pair_count) {
    Entry *base = entries_sorted(base_sites, base_count);
    Entry *head = entries_sorted(head_sites, head_count);
    size_t group_count;
    Group *groups = groups_find(base, base_count, head, head_count, &group_count);

    /* The anchors: every pair of a group with as many sites on both sides. */
    Anchors anchors = {mem_calloc(base_count < head_count ? base_count : head_count,
                                  sizeof(Anchor)), 0};
    for (size_t g = 0; g < group_count; g++) {
        const Group *group = &groups[g];
        size_t n = group->base_end - group->base_start;
        if (n == 0 || n != group->head_end - group->head_start) continue;
        for (size_t k = 0; k < n; k++) {
            const Site *from = base[group->base_start + k].site;
            const Site *to = head[group->head_start + k].site;
            anchors.anchors[anchors.count++] =
                (Anchor){from->file, from->line, line_sub(to->line, from->line)};
        }
    }
    if (anchors.count > 1) qsort(anchors.anchors, anchors.count, sizeof(Anchor), anchor_compare);

    PairList list = {mem_calloc(base_count + head_count, sizeof(SitePair)), 0};
    for (size_t g = 0; g < group_count; g++) {
        const Group *group = &groups[g];
        group_align(&list, &anchors, base + group->base_start, group->base_end - group->base_start,
                    head + group->head_start, group->head_end - group->head_start);
    }
    free(anchors.anchors);
    free(groups);
    entries_free(base, base_count);
    entries_free(head, head_count);
    *pair_count = list.count;
    return list.pairs;
}
