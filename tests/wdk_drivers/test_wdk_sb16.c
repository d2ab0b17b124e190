/* SPDX-License-Identifier: MIT */
/*
 * The NT-style SB16 driver (examples/wdk/sb16) in the sysdma-wdk harness:
 * a write plays its buffer through the auto-initialize common buffer, and
 * the harness checks that the emulated card played exactly those bytes
 * (then silence). No verifier report, no leak, and the DPC's view of the
 * DMA position (HalReadDmaCounter) agrees with the block count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <ntddk.h>

#include "sb16_ioctl.h"
#include "wdk_case.h"

DRIVER_INITIALIZE DriverEntry;

/* Static: an assertion that fails leaves the test by longjmp, leaking nothing. */
static wdk_case case_a;

#define ENTRY ((sysdma_wdk_entry_fn)DriverEntry)

static void assert_clean(const wdk_case *c, unsigned requests)
{
    if (c->rc != 0 || c->res.failures || c->res.verifier_reports || c->res.leaks ||
        c->res.hang || c->res.requests != requests)
        wdk_case_dump(c);
    assert_int_equal(c->rc, 0);
    assert_int_equal(c->res.entry_status, STATUS_SUCCESS);
    assert_int_equal(c->res.failures, 0);
    assert_int_equal(c->res.verifier_reports, 0);
    assert_int_equal(c->res.leaks, 0);
    assert_false(c->res.hang);
    assert_false(c->res.bugcheck);
    assert_int_equal(c->res.requests, requests);
}

/* Half a second at 22050 Hz: 11025 bytes, three halves of 4 KiB. */
static void plays_a_buffer(void **state)
{
    (void)state;
    wdk_case *c = &case_a;
    wdk_case_run(c, ENTRY, "play 500 22050 8\n", NULL, NULL, 0, NULL);
    assert_clean(c, 1);
    assert_int_equal(wdk_case_count(c, "sb16: 22050 Hz, 8 bits"), 1);
    assert_int_equal(
        wdk_case_count(c, "sb16: played 11025 bytes in 3 blocks, 0 position mismatches"), 1);
}

/* Less than one half (a single-cycle block alone), then a long one (many
 * refills, then the tail), one after the other on the same channel: the
 * card plays the two buffers back to back, nothing between them. Then
 * exactly two halves (no tail). */
static void short_and_long(void **state)
{
    (void)state;
    wdk_case *c = &case_a;
    wdk_case_run(c, ENTRY, "play 50 22050 8\nplay 3000 22050 8\nplay 1000 8192 8\n", NULL, NULL,
                 0, NULL);
    assert_clean(c, 3);
    assert_int_equal(wdk_case_count(c, "sb16: played 1102 bytes in 1 blocks, 0 position"), 1);
    assert_int_equal(wdk_case_count(c, "sb16: played 66150 bytes in 17 blocks, 0 position"), 1);
    assert_int_equal(wdk_case_count(c, "sb16: played 8192 bytes in 2 blocks, 0 position"), 1);
}

/* 16-bit signed audio (the Parameters key's BitsPerSample) through the
 * 16-bit channel: 22050 bytes, five halves and a tail. */
static void plays_16_bit(void **state)
{
    (void)state;
    wdk_case *c = &case_a;
    wdk_case_run(c, ENTRY, "play 500 22050 16\nplay 20 22050 16\n", NULL, NULL, 0,
                 "BitsPerSample=16");
    assert_clean(c, 2);
    assert_int_equal(wdk_case_count(c, "sb16: 22050 Hz, 16 bits"), 1);
    assert_int_equal(wdk_case_count(c, "sb16: played 22050 bytes in 6 blocks, 0 position"), 1);
    assert_int_equal(wdk_case_count(c, "sb16: played 882 bytes in 1 blocks, 0 position"), 1);
}

/* The Parameters key's SampleRate; a BitsPerSample the driver cannot play
 * is ignored (8 bits stay). */
static void rate_from_registry(void **state)
{
    (void)state;
    wdk_case *c = &case_a;
    wdk_case_run(c, ENTRY, "play 1000 11025 8\n", NULL, NULL, 0,
                 "SampleRate=11025,BitsPerSample=12");
    assert_clean(c, 1);
    assert_int_equal(wdk_case_count(c, "sb16: 11025 Hz, 8 bits"), 1);
    assert_int_equal(wdk_case_count(c, "sb16: played 11025 bytes in 3 blocks, 0 position"), 1);
}

/* The private IOCTLs: a zeroed format (rate 0) is refused, the position
 * answers, anything else is not a request the driver knows. */
static void ioctls(void **state)
{
    (void)state;
    char script[256];
    snprintf(script, sizeof script,
             "ioctl 0x%X %u 0\nexpect invalid_parameter\n"
             "ioctl 0x%X %u %u\n"
             "ioctl 0x%X 0 0\nexpect invalid_device_request\n",
             (unsigned)IOCTL_SB16_SET_FORMAT, (unsigned)sizeof(SB16_FORMAT),
             (unsigned)IOCTL_SB16_GET_POSITION, (unsigned)sizeof(SB16_POSITION),
             (unsigned)sizeof(SB16_POSITION),
             (unsigned)CTL_CODE(FILE_DEVICE_SOUND, 0x7FF, METHOD_BUFFERED, FILE_ANY_ACCESS));
    wdk_case *c = &case_a;
    wdk_case_run(c, ENTRY, script, NULL, NULL, 0, NULL);
    assert_clean(c, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plays_a_buffer),
        cmocka_unit_test(short_and_long),
        cmocka_unit_test(plays_16_bit),
        cmocka_unit_test(rate_from_registry),
        cmocka_unit_test(ioctls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
