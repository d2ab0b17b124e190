/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for sysdma's benchmarks: a monotonic clock, medians of
 * repeated measurements, checks that end a failed run, and the output:
 * one JSON object per line and figure (`sysdma bench` reads them),
 *   {"bench":"emu.block_64k","value":31.2,"unit":"GB/s","baseline":"memcpy",
 *    "baseline_value":36.0,"ratio":0.87}
 * baseline: the same work done the simplest way, measured in the same run.
 * ratio is value ÷ baseline for throughputs and baseline ÷ value for times,
 * so higher is better either way. A figure that is itself a same-run ratio
 * (verifier.overhead, core.roundtrip_null_locks) has no baseline. Benchmarks
 * report timings and never assert them. Header-only: each bench_*.c is one
 * program.
 */
#ifndef SYSDMA_BENCH_H
#define SYSDMA_BENCH_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sysdma/status.h"

static inline double bench_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median of n samples (sorts them in place). */
static inline double bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, bench_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Keep a value alive so the optimiser cannot drop the work behind it. */
static inline void bench_keep(const void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

/* A benchmark that measured something other than what it says is worse
 * than none: every status is checked, and a failed call ends the program
 * with a message and exit status 1 (which fails `sysdma bench`). */
#define BENCH_CHECK(call)                                                             \
    do {                                                                              \
        int bench_st_ = (int)(call);                                                  \
        if (bench_st_ != 0)                                                           \
            bench_fail(__FILE__, __LINE__, #call, sysdma_status_name(bench_st_));     \
    } while (0)

/* Report a failure and exit 1 (the message names the call or the check). */
static inline void bench_fail(const char *file, int line, const char *what, const char *why)
{
    fflush(stdout);
    fprintf(stderr, "%s:%d: %s: %s\n", file, line, what, why);
    exit(1);
}

/* A condition that must hold (an allocation, a byte compare). */
#define BENCH_REQUIRE(cond)                                                           \
    do {                                                                              \
        if (!(cond))                                                                  \
            bench_fail(__FILE__, __LINE__, #cond, "false");                           \
    } while (0)

typedef enum { BENCH_HIGHER_IS_BETTER, BENCH_LOWER_IS_BETTER } bench_sense;

/* Print one figure; baseline NULL when the figure has none. */
static inline void bench_report(const char *name, double value, const char *unit,
                                const char *baseline, double baseline_value, bench_sense sense)
{
    printf("{\"bench\":\"%s\",\"value\":%.4g,\"unit\":\"%s\"", name, value, unit);
    if (baseline) {
        double ratio = sense == BENCH_HIGHER_IS_BETTER ? value / baseline_value
                                                       : baseline_value / value;
        printf(",\"baseline\":\"%s\",\"baseline_value\":%.4g,\"ratio\":%.3f", baseline,
               baseline_value, ratio);
    }
    printf("}\n");
    fflush(stdout);
}

/* Common options: --json (the only output format so far) and --quick
 * (fewer repetitions, for CI). Returns the repetition count to use. */
static inline int bench_parse_args(int argc, char **argv, int reps)
{
    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--quick") == 0)
            reps = reps > 5 ? 5 : reps;
        else if (strcmp(argv[k], "--json") != 0) {
            fprintf(stderr, "usage: %s [--json] [--quick]\n", argv[0]);
            exit(2);
        }
    }
    return reps;
}

#endif
