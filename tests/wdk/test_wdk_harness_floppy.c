/* SPDX-License-Identifier: MIT */
/*
 * The harness's floppy requests with a floppy driver (fdcdrv.c over the
 * controller code of examples/wdm/floppy.c): reads checked against the
 * disk, writes checked on the disk at the end, an image file in and out,
 * statuses expected; a driver that returns wrong data fails the run; two
 * runs give the same trace.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fdcdrv.h"
#include "sysdma-wdk/sysdma_wdk.h"

#define ENTRY(fn) ((sysdma_wdk_entry_fn)(void (*)(void))(fn))
#define DISK 1474560u

static char trace_text[1 << 20];
static size_t trace_len;

static void on_trace(void *ctx, const char *line)
{
    (void)ctx;
    size_t n = strlen(line);
    if (trace_len + n + 2 < sizeof trace_text) {
        memcpy(trace_text + trace_len, line, n);
        trace_len += n;
        trace_text[trace_len++] = '\n';
        trace_text[trace_len] = 0;
    }
}

static void quiet(void *ctx, const char *line)
{
    (void)ctx, (void)line;
}

static int run(const char *script, const char *image, const char *out, sysdma_wdk_result *res)
{
    trace_len = 0;
    trace_text[0] = 0;
    sysdma_wdk_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.driver_entry = ENTRY(FdcDriverEntry);
    cfg.service_name = "fdcdrv";
    cfg.script = script;
    cfg.floppy_image = image;
    cfg.floppy_out = out;
    cfg.trace = on_trace;
    cfg.log = quiet;
    cfg.seed = 7;
    return sysdma_wdk_run(&cfg, res);
}

static uint8_t image_byte(size_t k)
{
    return (uint8_t)(k * 131u + (k >> 9) * 7u + 3u);
}

static void test_reads_and_writes(void **state)
{
    (void)state;
    const char *in = "wdk_floppy_in.img", *out = "wdk_floppy_out.img";
    uint8_t *img = malloc(DISK);
    assert_non_null(img);
    for (size_t k = 0; k < DISK; k++)
        img[k] = image_byte(k);
    FILE *f = fopen(in, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(img, 1, DISK, f), DISK);
    fclose(f);
    const char *script = "open \\DosDevices\\A:\n"
                         "read 0 18          # track 0, head 0\n"
                         "read 2862 18       # the last track\n"
                         "write 36 40        # across two cylinders\n"
                         "read 30 50\n"
                         "ioctl 0x70000 0 24 # IOCTL_DISK_GET_DRIVE_GEOMETRY\n"
                         "format 1 0\n"
                         "expect not_supported\n"
                         "ioctl 0x70000 0 4  # too small for a DISK_GEOMETRY\n"
                         "expect buffer_too_small\n";
    sysdma_wdk_result res;
    int rc = run(script, in, out, &res);
    if (rc)
        fprintf(stderr, "%s\n", res.reason);
    assert_int_equal(rc, 0);
    assert_int_equal(res.requests, 7);
    assert_int_equal(res.verifier_reports, 0);
    /* the image written back: the input, with sectors 36..75 replaced */
    f = fopen(out, "rb");
    assert_non_null(f);
    uint8_t *got = malloc(DISK);
    assert_non_null(got);
    assert_int_equal(fread(got, 1, DISK, f), DISK);
    fclose(f);
    size_t changed = 0;
    for (size_t k = 0; k < DISK; k++) {
        bool inside = k >= 36 * 512 && k < 76 * 512;
        if (!inside)
            assert_int_equal(got[k], img[k]);
        changed += inside && got[k] != img[k];
    }
    assert_true(changed > 40 * 512 * 9 / 10); /* the pattern differs from the image almost everywhere */
    remove(in);
    remove(out);
    free(img);
    free(got);
}

static void test_wrong_data_fails(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    fdcdrv_corrupt = 1;
    int rc = run("read 5 3\n", NULL, NULL, &res);
    fdcdrv_corrupt = 0;
    assert_int_equal(rc, 1);
    assert_int_equal(res.request_failures, 1);
    assert_non_null(strstr(res.reason, "data differs at disk byte 3328")); /* 5 × 512 + 768 */
}

static void test_same_trace_twice(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    assert_int_equal(run("write 100 20\nread 90 40\n", NULL, NULL, &res), 0);
    char *first = malloc(trace_len + 1);
    assert_non_null(first);
    memcpy(first, trace_text, trace_len + 1);
    assert_non_null(strstr(first, "isr irq 6"));
    assert_int_equal(run("write 100 20\nread 90 40\n", NULL, NULL, &res), 0);
    assert_string_equal(first, trace_text);
    free(first);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_and_writes),
        cmocka_unit_test(test_wrong_data_fails),
        cmocka_unit_test(test_same_trace_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
