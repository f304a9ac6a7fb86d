/*
 * options.h -- what the rest of the tracer asks of the options module
 * (the parser itself is memtracer.h's mt_options_*).
 */
#ifndef TR_OPTIONS_H
#define TR_OPTIONS_H

#include "memtracer/memtracer.h"
#include "out.h"

/* "table", "json", ... */
const char *tr_output_name(mt_output output);
/* The options as a JSON object, by their command-line names. */
void tr_options_json(tr_out *out, const mt_options *options);

#endif
