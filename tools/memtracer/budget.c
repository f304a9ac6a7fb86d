/*
 * budget.c -- reading a budget file with libyaml's document loader (see
 * budget.h).  Every node keeps its start mark, so any mistake, in the YAML
 * itself or in the schema, is reported at its line and column.
 */
#include "budget.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "figures.h"
#include "msg.h"
#include "phase.h"
#include "status.h"
#include "units.h"

typedef struct {
    Budget *budget;
    yaml_document_t *document;
} Reader;

/* "PATH:LINE:COLUMN: MESSAGE", exit STATUS_DATA. */
static int mark_verror(const char *path, yaml_mark_t mark, const char *format, va_list args) {
    char *message = str_vprintf(format, args);
    int status = msg_error(STATUS_DATA, "%s:%lu:%lu: %s", path, (unsigned long)mark.line + 1,
                           (unsigned long)mark.column + 1, message);
    free(message);
    return status;
}

static int mark_error(const char *path, yaml_mark_t mark, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int mark_error(const char *path, yaml_mark_t mark, const char *format, ...) {
    va_list args;
    va_start(args, format);
    int status = mark_verror(path, mark, format, args);
    va_end(args);
    return status;
}

static int schema_error(const Reader *reader, const yaml_node_t *node, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int schema_error(const Reader *reader, const yaml_node_t *node, const char *format, ...) {
    va_list args;
    va_start(args, format);
    int status = mark_verror(reader->budget->source, node->start_mark, format, args);
    va_end(args);
    return status;
}

static yaml_node_t *node_at(const Reader *reader, int index) {
    return yaml_document_get_node(reader->document, index);
}

static const char *scalar_text(const yaml_node_t *node) {
    return node != NULL && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value
                                                          : NULL;
}

static int boolean_parse(const Reader *reader, const yaml_node_t *node, bool *out) {
    const char *text = scalar_text(node);
    if (text != NULL && (strcasecmp(text, "true") == 0 || strcasecmp(text, "yes") == 0)) {
        *out = true;
        return STATUS_OK;
    }
    if (text != NULL && (strcasecmp(text, "false") == 0 || strcasecmp(text, "no") == 0)) {
        *out = false;
        return STATUS_OK;
    }
    return schema_error(reader, node, "'exact' takes true or false");
}

static int text_parse(const Reader *reader, const yaml_node_t *node, const char *key, char **out) {
    const char *text = scalar_text(node);
    if (text == NULL) return schema_error(reader, node, "'%s' takes a single value", key);
    free(*out);
    *out = str_dup(text);
    return STATUS_OK;
}

/* A figure's value: "N", "SIZE", "<= SIZE" (a limit) or "== SIZE" (exact).
 * Sizes and counts are whole; an average (`decimal`) keeps one decimal,
 * as the report holds it. */
static int limit_parse(const Reader *reader, const yaml_node_t *node, int figure, bool decimal,
                       bool exact, BudgetLimit *limit) {
    const char *text = scalar_text(node);
    if (text == NULL)
        return schema_error(reader, node, "a figure takes one value such as 1000, 4KB, 4KiB or "
                                          "\"== 100\"");
    while (*text == ' ') text++;
    if (strncmp(text, "==", 2) == 0) {
        exact = true;
        text += 2;
    } else if (strncmp(text, "<=", 2) == 0) {
        exact = false;
        text += 2;
    }
    double value;
    if (decimal ? !decimal_parse(text, &value) : !size_parse(text, &value)) {
        if (!decimal && decimal_parse(text, &value))
            return schema_error(reader, node, "'%s' is not a whole number: sizes and counts are "
                                              "whole (a decimal takes a unit, as in 2.5KB)",
                                scalar_text(node));
        return schema_error(reader, node, "'%s' is not a size or count (such as 1000, 4KB, "
                                          "4KiB, 1.5MiB, \"<= 100\" or \"== 100\")",
                            scalar_text(node));
    }
    *limit = (BudgetLimit){figure, value, exact, (long)node->start_mark.line + 1};
    return STATUS_OK;
}

static void limit_add(BudgetEntry *entry, BudgetLimit limit) {
    entry->limits = mem_grow(entry->limits, entry->limit_count + 1, sizeof(BudgetLimit));
    entry->limits[entry->limit_count++] = limit;
}

static BudgetEntry *entry_add(Reader *reader, BudgetScope scope, const yaml_node_t *node) {
    Budget *budget = reader->budget;
    budget->entries = mem_grow(budget->entries, budget->entry_count + 1, sizeof(BudgetEntry));
    BudgetEntry *entry = &budget->entries[budget->entry_count++];
    memset(entry, 0, sizeof *entry);
    entry->scope = scope;
    entry->line = (long)node->start_mark.line + 1;
    return entry;
}

/* The `exact:` of a mapping, if it has one, else `inherited`. */
static int mapping_exact(const Reader *reader, const yaml_node_t *mapping, bool inherited,
                         bool *exact) {
    *exact = inherited;
    for (yaml_node_pair_t *pair = mapping->data.mapping.pairs.start;
         pair < mapping->data.mapping.pairs.top; pair++) {
        const char *key = scalar_text(node_at(reader, pair->key));
        if (key != NULL && strcmp(key, "exact") == 0)
            return boolean_parse(reader, node_at(reader, pair->value), exact);
    }
    return STATUS_OK;
}

static int phase_parse(const Reader *reader, const yaml_node_t *node, PhaseSet *phases) {
    const char *text = scalar_text(node);
    if (text == NULL || !phase_set_parse(text, phases))
        return schema_error(reader, node, "'phase' takes run, start-up, compile or all (or "
                                          "several joined by commas)");
    return STATUS_OK;
}

/* The `phase:` of a mapping, if it has one, else `inherited`. */
static int mapping_phase(const Reader *reader, const yaml_node_t *mapping, PhaseSet inherited,
                         PhaseSet *phases) {
    *phases = inherited;
    for (yaml_node_pair_t *pair = mapping->data.mapping.pairs.start;
         pair < mapping->data.mapping.pairs.top; pair++) {
        const char *key = scalar_text(node_at(reader, pair->key));
        if (key != NULL && strcmp(key, "phase") == 0)
            return phase_parse(reader, node_at(reader, pair->value), phases);
    }
    return STATUS_OK;
}

/* Whether `key` appears in `mapping` before `pair`. */
static bool key_repeated(const Reader *reader, const yaml_node_t *mapping,
                         const yaml_node_pair_t *pair, const char *key) {
    for (yaml_node_pair_t *earlier = mapping->data.mapping.pairs.start; earlier < pair; earlier++) {
        const char *other = scalar_text(node_at(reader, earlier->key));
        if (other != NULL && strcmp(other, key) == 0) return true;
    }
    return false;
}

/* A site's line, as a report holds it (a C int), not negative. */
static bool line_parse(const char *text, long *line) {
    if (text == NULL || *text == '\0') return false;
    for (const char *c = text; *c != '\0'; c++)
        if (*c < '0' || *c > '9') return false;
    errno = 0;
    long value = strtol(text, NULL, 10);
    if (errno == ERANGE || value > INT_MAX) return false;
    *line = value;
    return true;
}

/* Enough for a summary's or a site's figures, whichever has more. */
#define FIGURE_COUNT_MAX \
    ((int)SUMMARY_FIGURE_COUNT > (int)SITE_FIGURE_COUNT ? (int)SUMMARY_FIGURE_COUNT \
                                                        : (int)SITE_FIGURE_COUNT)

static const char site_figure_names[] =
    "bytes, count, blocks, average, live, live_count, live_blocks, peak, peak_count, unused";
static const char summary_figure_names[] =
    "peak, bytes, allocations, blocks, average, live, live_allocations, live_blocks, frees, "
    "freed_bytes, freed_blocks, unused, or another key of the report's summary";

/* What an entry inherits from the mappings around it. */
typedef struct {
    bool exact;
    PhaseSet phases;
} Inherited;

/* Reads the figures of one entry (a mapping), with `identity` keys (such
 * as "file" or "line") stored by the caller: `identity_keys` lists them.
 * `phase:` is read where `phase_allowed`. */
static int entry_figures_parse(Reader *reader, const yaml_node_t *mapping, BudgetEntry *entry,
                               Inherited inherited, bool phase_allowed,
                               const char *const *identity_keys, char **identity_values[],
                               long *line_value) {
    bool exact;
    int status = mapping_exact(reader, mapping, inherited.exact, &exact);
    if (status) return status;
    entry->phases = inherited.phases;
    if (phase_allowed && (status = mapping_phase(reader, mapping, inherited.phases, &entry->phases)))
        return status;
    const yaml_node_t *given[FIGURE_COUNT_MAX] = {NULL};  /* each figure's key, once read */
    for (yaml_node_pair_t *pair = mapping->data.mapping.pairs.start;
         pair < mapping->data.mapping.pairs.top; pair++) {
        yaml_node_t *key_node = node_at(reader, pair->key);
        yaml_node_t *value_node = node_at(reader, pair->value);
        const char *key = scalar_text(key_node);
        if (key == NULL) return schema_error(reader, key_node, "a key here is a single name");
        if (key_repeated(reader, mapping, pair, key))
            return schema_error(reader, key_node, "'%s' is given twice", key);
        if (strcmp(key, "exact") == 0 || (phase_allowed && strcmp(key, "phase") == 0)) continue;
        bool identity = false;
        for (size_t k = 0; identity_keys != NULL && identity_keys[k] != NULL; k++) {
            if (strcmp(key, identity_keys[k]) != 0) continue;
            identity = true;
            if (strcmp(key, "line") == 0) {
                if (!line_parse(scalar_text(value_node), line_value))
                    return schema_error(reader, value_node, "'line' takes a line number from 0 "
                                                            "to %d", INT_MAX);
            } else if ((status = text_parse(reader, value_node, key, identity_values[k]))) {
                return status;
            }
        }
        if (identity) continue;
        int figure = entry->scope == SCOPE_SUMMARY ? summary_figure_find(key) : site_figure_find(key);
        if (figure < 0)
            return schema_error(reader, key_node, "unknown figure '%s' (%s)", key,
                                entry->scope == SCOPE_SUMMARY ? summary_figure_names
                                                              : site_figure_names);
        /* A figure's key and its alias name one figure: one limit each. */
        if (given[figure] != NULL)
            return schema_error(reader, key_node, "'%s' is given twice: '%s' is the same figure",
                                key, scalar_text(given[figure]));
        given[figure] = key_node;
        const FigureInfo *info = entry->scope == SCOPE_SUMMARY ? &summary_figures[figure]
                                                               : &site_figures[figure];
        BudgetLimit limit;
        if ((status = limit_parse(reader, value_node, figure, info->is_average, exact, &limit)))
            return status;
        limit_add(entry, limit);
    }
    return STATUS_OK;
}

static int summary_parse(Reader *reader, const yaml_node_t *node, Inherited inherited) {
    if (node->type != YAML_MAPPING_NODE)
        return schema_error(reader, node, "'summary' takes a mapping of figures, such as "
                                          "peak: 512KiB");
    BudgetEntry *entry = entry_add(reader, SCOPE_SUMMARY, node);
    return entry_figures_parse(reader, node, entry, inherited, false, NULL, NULL, NULL);
}

/* `phases:`, a mapping from phases (run, start-up, compile, all) to
 * their summary figures. */
static int phases_parse(Reader *reader, const yaml_node_t *node, Inherited inherited) {
    if (node->type != YAML_MAPPING_NODE)
        return schema_error(reader, node, "'phases' takes a mapping from a phase (start-up, "
                                          "compile, all) to its figures");
    for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; pair++) {
        yaml_node_t *key_node = node_at(reader, pair->key);
        yaml_node_t *value_node = node_at(reader, pair->value);
        const char *name = scalar_text(key_node);
        PhaseSet phases;
        int status = phase_parse(reader, key_node, &phases);
        if (status) return status;
        /* Keys are sets of phases: "run,start-up" and "start-up,run" are one. */
        for (yaml_node_pair_t *earlier = node->data.mapping.pairs.start; earlier < pair;
             earlier++) {
            const char *other = scalar_text(node_at(reader, earlier->key));
            PhaseSet other_phases;
            if (!phase_set_parse(other, &other_phases) || other_phases != phases) continue;
            if (strcmp(other, name) == 0)
                return schema_error(reader, key_node, "'%s' is given twice in 'phases'", name);
            return schema_error(reader, key_node, "'%s' is given twice in 'phases' (as '%s')",
                                name, other);
        }
        if (value_node->type != YAML_MAPPING_NODE)
            return schema_error(reader, value_node, "'%s' takes its figures (such as bytes: 1MiB)",
                                name);
        BudgetEntry *entry = entry_add(reader, SCOPE_SUMMARY, key_node);
        Inherited own = {inherited.exact, phases};
        if ((status = entry_figures_parse(reader, value_node, entry, own, false, NULL, NULL, NULL)))
            return status;
    }
    return STATUS_OK;
}

/* `types:` and `functions:`, mappings from a name to its figures, or to
 * one value that limits its bytes. */
static int named_parse(Reader *reader, const yaml_node_t *node, BudgetScope scope,
                       Inherited inherited) {
    const char *section = scope == SCOPE_TYPE ? "types" : "functions";
    if (node->type != YAML_MAPPING_NODE)
        return schema_error(reader, node, "'%s' takes a mapping from a name to its figures",
                            section);
    for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
         pair < node->data.mapping.pairs.top; pair++) {
        yaml_node_t *key_node = node_at(reader, pair->key);
        yaml_node_t *value_node = node_at(reader, pair->value);
        const char *name = scalar_text(key_node);
        if (name == NULL) return schema_error(reader, key_node, "a name in '%s' is a single name", section);
        if (key_repeated(reader, node, pair, name))
            return schema_error(reader, key_node, "'%s' is given twice in '%s'", name, section);
        BudgetEntry *entry = entry_add(reader, scope, key_node);
        entry->name = str_dup(name);
        entry->phases = inherited.phases;
        int status;
        if (value_node->type == YAML_SCALAR_NODE) {
            BudgetLimit limit;
            if ((status = limit_parse(reader, value_node, SITE_BYTES, false, inherited.exact,
                                      &limit)))
                return status;
            limit_add(entry, limit);
            continue;
        }
        if (value_node->type != YAML_MAPPING_NODE)
            return schema_error(reader, value_node, "'%s' takes its figures (such as bytes: 1MiB)", name);
        static const char *const function_keys[] = {"file", NULL};
        char **values[] = {&entry->file};
        if ((status = entry_figures_parse(reader, value_node, entry, inherited, true,
                                          scope == SCOPE_FUNCTION ? function_keys : NULL, values,
                                          NULL)))
            return status;
    }
    return STATUS_OK;
}

static int sites_parse(Reader *reader, const yaml_node_t *node, Inherited inherited) {
    if (node->type != YAML_SEQUENCE_NODE)
        return schema_error(reader, node, "'sites' takes a list of sites, each with file, line, "
                                          "function, type and figures");
    for (yaml_node_item_t *item = node->data.sequence.items.start;
         item < node->data.sequence.items.top; item++) {
        yaml_node_t *site = node_at(reader, *item);
        if (site->type != YAML_MAPPING_NODE)
            return schema_error(reader, site, "a site is a mapping with file, line, function, "
                                              "type and figures");
        BudgetEntry *entry = entry_add(reader, SCOPE_SITE, site);
        entry->site_line = -1;
        static const char *const site_keys[] = {"file", "line", "function", "type", NULL};
        char **values[] = {&entry->file, NULL, &entry->function, &entry->type};
        int status = entry_figures_parse(reader, site, entry, inherited, true, site_keys, values,
                                         &entry->site_line);
        if (status) return status;
        if (entry->file == NULL || entry->site_line < 0 || entry->function == NULL ||
            entry->type == NULL)
            return schema_error(reader, site, "a site needs file, line, function and type");
        if (entry->phases != PHASE_RUN && entry->phases != PHASE_STARTUP &&
            entry->phases != PHASE_COMPILE)
            return schema_error(reader, site, "a site is of one phase: give it 'phase: run', "
                                              "'start-up' or 'compile'");
    }
    return STATUS_OK;
}

static int document_parse(Reader *reader) {
    yaml_node_t *root = yaml_document_get_root_node(reader->document);
    if (root == NULL || (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0)) {
        return msg_error(STATUS_DATA, "%s:1:1: the budget is empty (see docs/tools.md for its "
                         "sections)", reader->budget->source);
    }
    if (root->type != YAML_MAPPING_NODE)
        return schema_error(reader, root, "a budget is a mapping of sections: summary, types, "
                                          "functions, sites, phases");
    Inherited inherited;
    int status = mapping_exact(reader, root, false, &inherited.exact);
    if (status == STATUS_OK) status = mapping_phase(reader, root, PHASE_RUN, &inherited.phases);
    reader->budget->phases = inherited.phases;
    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
         status == STATUS_OK && pair < root->data.mapping.pairs.top; pair++) {
        yaml_node_t *key_node = node_at(reader, pair->key);
        yaml_node_t *value_node = node_at(reader, pair->value);
        const char *key = scalar_text(key_node);
        if (key != NULL && key_repeated(reader, root, pair, key))
            status = schema_error(reader, key_node, "'%s' is given twice", key);
        else if (key != NULL && (strcmp(key, "exact") == 0 || strcmp(key, "phase") == 0)) continue;
        else if (key != NULL && strcmp(key, "summary") == 0)
            status = summary_parse(reader, value_node, inherited);
        else if (key != NULL && strcmp(key, "phases") == 0)
            status = phases_parse(reader, value_node, inherited);
        else if (key != NULL && strcmp(key, "types") == 0)
            status = named_parse(reader, value_node, SCOPE_TYPE, inherited);
        else if (key != NULL && strcmp(key, "functions") == 0)
            status = named_parse(reader, value_node, SCOPE_FUNCTION, inherited);
        else if (key != NULL && strcmp(key, "sites") == 0)
            status = sites_parse(reader, value_node, inherited);
        else
            status = schema_error(reader, key_node, "unknown section '%s' (summary, types, "
                                  "functions, sites, phases, exact, phase)", key != NULL ? key : "?");
    }
    return status;
}

/* "PATH:LINE:COLUMN: not valid YAML: ..." for what libyaml refused. */
static int yaml_error(const char *path, const yaml_parser_t *parser) {
    return msg_error(STATUS_DATA, "%s:%lu:%lu: not valid YAML: %s%s%s%s", path,
                     (unsigned long)parser->problem_mark.line + 1,
                     (unsigned long)parser->problem_mark.column + 1,
                     parser->problem != NULL ? parser->problem : "unreadable",
                     parser->context != NULL ? " (" : "",
                     parser->context != NULL ? parser->context : "",
                     parser->context != NULL ? ")" : "");
}

/* No budget nests deeper than a site's mapping in `sites` (3 levels);
 * libyaml's time grows with the square of the depth, so reading stops
 * here. */
#define BUDGET_DEPTH_MAX 64

/* Reads the events of `text` before the document is loaded, to refuse
 * what the loader would take silently (a second document, a scalar
 * holding a NUL, which C strings cut short) or slowly (deep nesting),
 * stopping at the first. */
static int stream_check(const char *path, const unsigned char *text, size_t length) {
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return msg_error(STATUS_SOFTWARE, "cannot start the YAML parser");
    yaml_parser_set_input_string(&parser, text, length);
    int status = STATUS_OK, depth = 0, documents = 0;
    for (bool done = false; !done && status == STATUS_OK;) {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event)) {
            status = yaml_error(path, &parser);
            break;
        }
        switch (event.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1)
                status = mark_error(path, event.start_mark,
                                    "a budget is one YAML document: a second one starts here");
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++depth > BUDGET_DEPTH_MAX)
                status = mark_error(path, event.start_mark, "nested deeper than %d levels (a "
                                    "budget needs 3)", BUDGET_DEPTH_MAX);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: depth--; break;
        case YAML_SCALAR_EVENT:
            if (strlen((const char *)event.data.scalar.value) != event.data.scalar.length)
                status = mark_error(path, event.start_mark,
                                    "a key or value holds a NUL character (\\0)");
            break;
        case YAML_STREAM_END_EVENT: done = true; break;
        default: break;
        }
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    return status;
}

int budget_load(const char *path, Budget *budget) {
    memset(budget, 0, sizeof *budget);
    budget->source = str_dup(path);
    FILE *file = fopen(path, "rb");
    if (file == NULL) return msg_error(STATUS_NO_INPUT, "cannot open %s: %s", path, strerror(errno));
    struct stat info;
    if (fstat(fileno(file), &info) == 0 && S_ISDIR(info.st_mode)) {
        fclose(file);
        return msg_error(STATUS_NO_INPUT, "cannot open %s: %s", path, strerror(EISDIR));
    }
    /* Read whole, as it is parsed twice (a FIFO can be read only once). */
    size_t length = 0, capacity = 4096;
    unsigned char *text = mem_alloc(capacity);
    for (size_t got; (got = fread(text + length, 1, capacity - length, file)) > 0;) {
        length += got;
        if (length == capacity) text = mem_grow(text, capacity *= 2, 1);
    }
    int read_failed = ferror(file);
    fclose(file);
    if (read_failed) {
        free(text);
        return msg_error(STATUS_NO_INPUT, "cannot read %s", path);
    }
    int status = stream_check(path, text, length);
    yaml_parser_t parser;
    if (status == STATUS_OK && !yaml_parser_initialize(&parser))
        status = msg_error(STATUS_SOFTWARE, "cannot start the YAML parser");
    if (status == STATUS_OK) {
        yaml_document_t document;
        yaml_parser_set_input_string(&parser, text, length);
        if (!yaml_parser_load(&parser, &document)) {
            status = yaml_error(path, &parser);
        } else {
            Reader reader = {budget, &document};
            status = document_parse(&reader);
            yaml_document_delete(&document);
        }
        yaml_parser_delete(&parser);
    }
    free(text);
    return status;
}

void budget_free(Budget *budget) {
    for (size_t i = 0; i < budget->entry_count; i++) {
        BudgetEntry *entry = &budget->entries[i];
        free(entry->name);
        free(entry->file);
        free(entry->function);
        free(entry->type);
        free(entry->limits);
    }
    free(budget->entries);
    free(budget->source);
    memset(budget, 0, sizeof *budget);
}
