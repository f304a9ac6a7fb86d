/*
 * logexp.c -- tr_log and tr_expm1 (logexp.h): each argument reduced to a
 * small interval around 0 or 1, and a series summed there by Horner's
 * rule, enough terms that the first one left out is below 1e-20 of the
 * sum.
 */
#include "logexp.h"

#include <stdint.h>
#include <string.h>

/* ln 2 in two parts: LN2_HI has its low 21 bits zero, so that k * LN2_HI
 * is exact for |k| < 2^21; LN2_LO is the rest. */
#define LN2_HI 0x1.62e42feep-1
#define LN2_LO 0x1.a39ef35793c76p-33
#define INV_LN2 0x1.71547652b82fep+0
#define SQRT2 0x1.6a09e667f3bcdp+0

double tr_log(double x) {
    /* x = m * 2^e with sqrt(1/2) < m <= sqrt(2), then
     * ln m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m - 1) / (m + 1),
     * |s| <= 0.1716: eleven terms. */
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int e = (int)(bits >> 52) - 1023;
    bits = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1023) << 52);
    double m;
    memcpy(&m, &bits, sizeof m);
    if (m > SQRT2) {
        m *= 0.5;
        e += 1;
    }
    double s = (m - 1.0) / (m + 1.0);  /* m - 1 is exact */
    double z = s * s, sum = 1.0 / 23;
    for (int k = 21; k >= 1; k -= 2) sum = sum * z + 1.0 / k;
    return e * LN2_HI + (e * LN2_LO + 2.0 * s * sum);
}

double tr_expm1(double y) {
    if (y < -40.0) return -1.0;  /* e^y is below half an ulp of 1 */
    if (y > -0.5) {
        /* y + y^2/2! + ... + y^17/17!, from the last term. */
        double p = 1.0;
        for (int k = 17; k >= 2; k--) p = 1.0 + p * y / k;
        return y * p;
    }
    /* e^y = 2^k e^r, y = k ln 2 + r, |r| <= ln 2 / 2; e^y <= e^-0.5, so
     * subtracting 1 loses nothing. */
    int k = (int)(y * INV_LN2 - 0.5);  /* y < 0: rounded to nearest */
    double r = (y - k * LN2_HI) - k * LN2_LO;
    double q = 1.0;
    for (int i = 17; i >= 1; i--) q = 1.0 + q * r / i;
    uint64_t bits = (uint64_t)(k + 1023) << 52;  /* 2^k, -58 <= k <= -1 */
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return q * scale - 1.0;
}
