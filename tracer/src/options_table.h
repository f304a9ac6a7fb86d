/*
 * options_table.h -- the option names, looked up through a perfect hash
 * that gperf generates from options.gperf at build time.
 */
#ifndef MT_OPTIONS_TABLE_H
#define MT_OPTIONS_TABLE_H

#include <stddef.h>

typedef enum mt_option_id {
    MT_OPT_OUTPUT,
    MT_OPT_OUTPUT_FILE,
    MT_OPT_TRACE_STACK_TRACES,
    MT_OPT_STACK_LIMIT,
    MT_OPT_TRACE_MEM,
    MT_OPT_FILTER_ROOT_NAME,
    MT_OPT_FILTER_FILE,
    MT_OPT_TRACE_INTERNAL,
} mt_option_id;

struct mt_option_name {
    const char *name;
    mt_option_id id;
};

/* The option called name (len bytes, no NUL needed), or NULL. */
const struct mt_option_name *mt_option_lookup(const char *name, size_t len);

#endif
