/*
 * sample.h -- SampleBytes: Poisson sampling by bytes, as Go's heap profiler
 * samples.
 *
 * The bytes a program obtains are a line on which sample points fall at
 * random, one per SampleBytes on average (the gaps between them drawn from
 * the exponential distribution); a block is sampled when a point falls in
 * it, so a block of s bytes is sampled with probability
 * p(s) = 1 - exp(-s / SampleBytes) whatever came before it.  A sampled
 * block stands for 1 / p(s) blocks of its size, its weight, so a site's
 * counted blocks and bytes are unbiased estimates of its true ones.  The
 * figures are whole blocks: the weight is rounded down or up at random,
 * up with the probability of its fraction (still unbiased), and the tag's
 * low bits keep which, so that a block's release counts out exactly what
 * its birth counted in.  Seed makes the points, and so the run,
 * repeatable.
 */
#ifndef TR_SAMPLE_H
#define TR_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Starts sampling one point per mean_bytes on average (0: every block is
 * counted, no sampling), the points drawn from seed (0: from the clock). */
void tr_sample_begin(size_t mean_bytes, uint64_t seed);
/* The seed of the run, for the report: what repeats it. */
uint64_t tr_sample_seed(void);

/* Whether a block of size bytes is sampled: the countdown to the next
 * point passes it.  If so, its weight and the rounding its tag keeps. */
bool tr_sample_take(size_t size, uint64_t *weight, unsigned *rounded_up);

/* The weight a sampled block of size bytes was counted with. */
uint64_t tr_sample_weight(size_t size, unsigned rounded_up);

#endif
