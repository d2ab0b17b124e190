/* SPDX-License-Identifier: MIT */
/*
 * The harness's `play` requests with an SB16 playback driver (sb16drv.c:
 * single-cycle 16-bit transfers on channel 5): the card must play exactly
 * the bytes each request carried, and the simulated time must be what the
 * sample rate asks; a driver that drops bytes fails the run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sb16drv.h"
#include "sysdma-wdk/sysdma_wdk.h"

#define ENTRY(fn) ((sysdma_wdk_entry_fn)(void (*)(void))(fn))

static void quiet(void *ctx, const char *line)
{
    (void)ctx, (void)line;
}

static int run(const char *script, sysdma_wdk_result *res)
{
    sysdma_wdk_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.driver_entry = ENTRY(Sb16DriverEntry);
    cfg.service_name = "sb16drv";
    cfg.script = script;
    cfg.log = quiet;
    return sysdma_wdk_run(&cfg, res);
}

static void test_plays_what_it_is_given(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    /* 300 ms + 700 ms of 22050 Hz mono 16-bit: 13230 + 30870 bytes, in pieces */
    int rc = run("open \\Device\\Wave0\nplay 300\nplay 700\n", &res);
    if (rc)
        fprintf(stderr, "%s\n", res.reason);
    assert_int_equal(rc, 0);
    assert_int_equal(res.requests, 2);
    assert_int_equal(res.verifier_reports, 0);
    assert_true(res.sim_ns >= 1000000000ull); /* a second of sound takes a second */
    assert_true(res.sim_ns < 1100000000ull);
}

static void test_dropped_bytes_fail(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    sb16drv_short = 1;
    int rc = run("play 1000\n", &res);
    sb16drv_short = 0;
    assert_int_equal(rc, 1);
    assert_non_null(strstr(res.reason, "fewer than it was given"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plays_what_it_is_given),
        cmocka_unit_test(test_dropped_bytes_fail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
