/*
 * sample.c -- Poisson sampling by bytes (sample.h).  The generator is
 * xorshift64*: fast, and good enough for choosing points.
 */
#include "sample.h"

#include <time.h>
#include <unistd.h>

#include "logexp.h"
#include "memtracer/inline.h"

static struct {
    double mean;          /* SampleBytes */
    uint64_t seed, state;
} sample;

static uint64_t random_next(void) {
    uint64_t x = sample.state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    sample.state = x;
    return x * 0x2545F4914F6CDD1Du;
}

/* Uniform in [0, 1). */
static double random_unit(void) {
    return (double)(random_next() >> 11) * 0x1.0p-53;
}

/* Bytes to the next point: exponential, of mean SampleBytes, at least 1. */
static int64_t gap_draw(void) {
    double gap = -tr_log(1.0 - random_unit()) * sample.mean;  /* exact */
    return gap < 1.0 ? 1 : gap > 0x1.0p62 ? INT64_C(1) << 62 : (int64_t)gap;
}

void tr_sample_begin(size_t mean_bytes, uint64_t seed) {
    mt_inline.sampled = mean_bytes > 0;
    if (!mt_inline.sampled) return;
    if (seed == 0) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        seed = (uint64_t)now.tv_nsec * 0x9E3779B97F4A7C15u ^
               (uint64_t)now.tv_sec ^ (uint64_t)getpid() << 32;
        /* Below 2^53, so that any JSON reader holds the report's seed
         * exactly. */
        seed &= (UINT64_C(1) << 53) - 1;
        if (seed == 0) seed = 1;
    }
    sample.mean = (double)mean_bytes;
    sample.seed = seed;
    sample.state = seed;
    mt_inline.sample_left = gap_draw();
}

uint64_t tr_sample_seed(void) { return sample.seed; }

/* 1 / p(size): how many blocks of that size a sampled one stands for. */
static double weight_exact(size_t size) {
    return -1.0 / tr_expm1(-(double)size / sample.mean);
}

bool tr_sample_take(size_t size, uint64_t *weight, unsigned *rounded_up) {
    mt_inline.sample_left -= (int64_t)size;
    if (mt_inline.sample_left > 0) return false;
    mt_inline.sample_left = gap_draw();
    double exact = weight_exact(size);  /* at least 1 */
    double whole = (double)(uint64_t)exact;
    *rounded_up = random_unit() < exact - whole;
    *weight = (uint64_t)whole + *rounded_up;
    return true;
}

uint64_t tr_sample_weight(size_t size, unsigned rounded_up) {
    return (uint64_t)weight_exact(size) + (rounded_up & 1u);
}
