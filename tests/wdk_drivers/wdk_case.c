/* SPDX-License-Identifier: MIT */
/* Helpers of the example-driver tests (see wdk_case.h). */
#define _POSIX_C_SOURCE 200809L
#include "wdk_case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void keep_line(void *ctx, const char *line)
{
    wdk_case *c = ctx;
    if (c->lines < WDK_CASE_LINES)
        snprintf(c->log[c->lines++], WDK_CASE_LINE, "%s", line);
}

static void hash_trace(void *ctx, const char *line)
{
    wdk_case *c = ctx;
    for (const unsigned char *p = (const unsigned char *)line; *p; p++) {
        c->trace_hash ^= *p;
        c->trace_hash *= 0x100000001B3ull;
    }
    c->trace_lines++;
}

void wdk_case_run(wdk_case *c, sysdma_wdk_entry_fn entry, const char *script, const char *image,
                  const char *out, uint64_t seed, const char *parameters)
{
    memset(c, 0, sizeof *c);
    c->trace_hash = 0xCBF29CE484222325ull;
    sysdma_wdk_config cfg = {0};
    cfg.driver_entry = entry;
    cfg.script = script;
    cfg.floppy_image = image;
    cfg.floppy_out = out;
    cfg.seed = seed;
    cfg.parameters = parameters;
    cfg.log = keep_line;
    cfg.trace = hash_trace;
    cfg.ctx = c;
    c->rc = sysdma_wdk_run(&cfg, &c->res);
}

unsigned wdk_case_count(const wdk_case *c, const char *needle)
{
    unsigned n = 0;
    for (unsigned k = 0; k < c->lines; k++)
        if (strstr(c->log[k], needle))
            n++;
    return n;
}

void wdk_case_dump(const wdk_case *c)
{
    fprintf(stderr,
            "run: rc %d, failures %u, requests %u, request failures %u, verifier reports %llu, "
            "leaks %u, hang %d, bugcheck %d, DriverEntry 0x%08X, %.3f ms\nreason: %s\n",
            c->rc, c->res.failures, c->res.requests, c->res.request_failures,
            (unsigned long long)c->res.verifier_reports, c->res.leaks, c->res.hang,
            c->res.bugcheck, (unsigned)c->res.entry_status, (double)c->res.sim_ns / 1e6,
            c->res.reason);
    for (unsigned k = 0; k < c->lines; k++)
        fprintf(stderr, "  log: %s\n", c->log[k]);
}

bool wdk_case_image(char *path, size_t cap, uint32_t seed)
{
    const char *dir = getenv("TMPDIR");
    if (snprintf(path, cap, "%s/wdk-floppy-XXXXXX", dir && *dir ? dir : "/tmp") >= (int)cap)
        return false;
    int fd = mkstemp(path);
    if (fd < 0)
        return false;
    uint8_t *img = malloc(WDK_CASE_DISK);
    bool ok = img != NULL;
    uint32_t x = seed ? seed : 1;
    for (size_t i = 0; ok && i < WDK_CASE_DISK; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* xorshift32 */
        img[i] = (uint8_t)(x >> 24);
    }
    ok = ok && write(fd, img, WDK_CASE_DISK) == (ssize_t)WDK_CASE_DISK;
    free(img);
    close(fd);
    return ok;
}

bool wdk_case_load(const char *path, uint8_t *buf)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t got = fread(buf, 1, WDK_CASE_DISK, f);
    fclose(f);
    return got == WDK_CASE_DISK;
}
