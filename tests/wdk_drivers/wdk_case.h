/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the example-driver tests: run one driver linked into the test
 * program through the sysdma-wdk harness with a script, keep the run's log
 * lines, and make disk images.
 */
#ifndef SYSDMA_TEST_WDK_CASE_H
#define SYSDMA_TEST_WDK_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma-wdk/sysdma_wdk.h"

#define WDK_CASE_LINES 512
#define WDK_CASE_LINE 200
#define WDK_CASE_DISK 1474560u

typedef struct wdk_case {
    sysdma_wdk_result res;
    int rc;                                  /* sysdma_wdk_run's */
    unsigned lines;                          /* log lines kept */
    char log[WDK_CASE_LINES][WDK_CASE_LINE];
    uint64_t trace_hash;                     /* FNV-1a over the scheduler trace */
    uint64_t trace_lines;
} wdk_case;

/* Run `entry` with `script` from the disk image `image` (NULL: a zeroed
 * disk); the disk after the run goes to `out` when not NULL. `seed` (0:
 * 1) chooses the harness's write patterns and where its buffers' pages
 * lie in physical memory; `parameters` (NULL: none) are the REG_DWORD
 * values of the driver's Parameters key, "Name=N,...". */
void wdk_case_run(wdk_case *c, sysdma_wdk_entry_fn entry, const char *script, const char *image,
                  const char *out, uint64_t seed, const char *parameters);

/* How many kept log lines contain `needle`. */
unsigned wdk_case_count(const wdk_case *c, const char *needle);

/* Print the run's outcome and log (for a failing assertion's context). */
void wdk_case_dump(const wdk_case *c);

/* A 1.44 MB image of pseudo-random bytes from `seed`, written to a new
 * temporary file whose name goes to `path` (`cap` bytes); false on error. */
bool wdk_case_image(char *path, size_t cap, uint32_t seed);

/* Read a whole image file into `buf` (WDK_CASE_DISK bytes). */
bool wdk_case_load(const char *path, uint8_t *buf);

#endif
