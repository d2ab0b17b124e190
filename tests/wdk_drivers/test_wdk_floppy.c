/* SPDX-License-Identifier: MIT */
/*
 * The NT-style floppy driver (examples/wdk/floppy) in the sysdma-wdk
 * harness: DriverEntry on the simulated PC, then IRPs from a script, with
 * the DMA verifier on. The harness checks every read against the disk and
 * the disk against every write; these tests check that the runs pass with
 * no verifier report, no leak and no hang, and what the driver logged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <ntddk.h>
#include <ntdddisk.h>

#include "wdk_case.h"

DRIVER_INITIALIZE DriverEntry;

/* Static: an assertion that fails leaves the test by longjmp, leaking nothing. */
static wdk_case case_a, case_b;
static uint8_t before[WDK_CASE_DISK], after[WDK_CASE_DISK];

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

/* The whole 1.44 MB disk read (against a random image), written with the
 * harness's pattern, read back: byte-exact both ways, one IRP each. */
static void whole_disk(void **state)
{
    (void)state;
    char in[200], out[256];
    assert_true(wdk_case_image(in, sizeof in, 0x5EED));
    snprintf(out, sizeof out, "%s.out", in);
    wdk_case *c = &case_a;
    wdk_case_run(c, ENTRY, "read 0 2880\nwrite 0 2880\nread 0 2880\n", in, out, 0, NULL);
    assert_clean(c, 3);
    assert_int_equal(wdk_case_count(c, "floppy: media F3_1Pt44_512, 18 sectors per track"), 1);
    /* The writes reached the disk: the image after the run is not the one before. */
    assert_true(wdk_case_load(in, before));
    assert_true(wdk_case_load(out, after));
    for (size_t track = 0; track < 160; track++)
        assert_true(memcmp(before + track * 9216, after + track * 9216, 9216) != 0);
    unlink(in);
    unlink(out);
}

/* Requests that start and end anywhere: inside a track, across a track,
 * across a cylinder, the first and the last sector, lengths that need
 * several pieces — with the harness's buffers placed three ways (their
 * pages scattered low and high, so pieces go through map registers). */
static void pieces(void **state)
{
    (void)state;
    char in[256];
    assert_true(wdk_case_image(in, sizeof in, 42));
    wdk_case *c = &case_a;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        wdk_case_run(c, ENTRY,
                     "read 17 3\n"     /* last sector of head 0, first two of head 1 */
                     "write 35 40\n"   /* across cylinders 1 and 2 */
                     "read 30 50\n"
                     "write 0 1\n"
                     "write 2879 1\n"
                     "read 2870 10\n"
                     "read 0 1\n"
                     "write 100 300\n"
                     "read 99 302\n",
                     in, NULL, seed, NULL);
        assert_clean(c, 9);
    }
    unlink(in);
}

/* IOCTL_DISK_FORMAT_TRACKS on two tracks: the harness then expects their
 * sectors to read as the filler byte; writes after the format land. */
static void format_tracks(void **state)
{
    (void)state;
    char in[256];
    assert_true(wdk_case_image(in, sizeof in, 7));
    wdk_case *c = &case_a;
    wdk_case_run(c, ENTRY,
                 "format 5 1\n"
                 "read 198 18\n"  /* cylinder 5, head 1 */
                 "read 180 54\n"  /* and around it */
                 "format 0 0\n"
                 "read 0 36\n"
                 "write 3 4\n"
                 "read 0 18\n",
                 in, NULL, 0, NULL);
    assert_clean(c, 7);
    unlink(in);
}

/* Media detection: READ ID finds the 1.44 MB medium (the geometry IOCTL
 * asks for it); with the disk out a read ends with no media; with it back
 * the disk-change line makes the driver detect the medium again. */
static void media_detection(void **state)
{
    (void)state;
    char script[512];
    snprintf(script, sizeof script,
             "ioctl 0x%X %u %u\n"
             "ioctl 0x%X 4 4\n"
             "expect 0x%08X\n"
             "eject\n"
             "read 0 1\n"
             "expect no_media_in_device\n"
             "insert\n"
             "read 0 18\n"
             "ioctl 0x%X %u %u\n",
             (unsigned)IOCTL_DISK_GET_DRIVE_GEOMETRY, (unsigned)sizeof(DISK_GEOMETRY),
             (unsigned)sizeof(DISK_GEOMETRY),
             (unsigned)IOCTL_DISK_GET_DRIVE_GEOMETRY, (unsigned)STATUS_BUFFER_TOO_SMALL,
             (unsigned)IOCTL_DISK_GET_DRIVE_GEOMETRY, (unsigned)sizeof(DISK_GEOMETRY),
             (unsigned)sizeof(DISK_GEOMETRY));
    wdk_case *c = &case_a;
    wdk_case_run(c, ENTRY, script, NULL, NULL, 0, NULL);
    assert_clean(c, 5);
    assert_int_equal(wdk_case_count(c, "floppy: media F3_1Pt44_512"), 2);
    assert_int_equal(wdk_case_count(c, "floppy: no disk in drive 0"), 1);
}

/* Requests the driver refuses without touching the drive. */
static void refusals(void **state)
{
    (void)state;
    char script[256];
    snprintf(script, sizeof script, "ioctl 0x%X 0 0\nexpect invalid_device_request\nread 0 1\n",
             (unsigned)CTL_CODE(FILE_DEVICE_DISK, 0x7FF, METHOD_BUFFERED, FILE_ANY_ACCESS));
    wdk_case *c = &case_a;
    wdk_case_run(c, ENTRY, script, NULL, NULL, 0, NULL);
    assert_clean(c, 2);
}

/* A request after five idle seconds (the worker has switched the motor
 * off) spins the motor up again and succeeds; two runs of one script are
 * the same run, event for event. */
static void idle_and_repeatable(void **state)
{
    (void)state;
    const char *script = "read 0 18\nsleep 5000\nread 18 18\nwrite 40 2\n";
    wdk_case *a = &case_a, *b = &case_b;
    wdk_case_run(a, ENTRY, script, NULL, NULL, 0, NULL);
    assert_clean(a, 3);
    wdk_case_run(b, ENTRY, script, NULL, NULL, 0, NULL);
    assert_clean(b, 3);
    assert_true(a->trace_lines > 0);
    assert_int_equal(a->trace_lines, b->trace_lines);
    assert_int_equal(a->trace_hash, b->trace_hash);
    assert_int_equal(a->res.sim_ns, b->res.sim_ns);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_disk),      cmocka_unit_test(pieces),
        cmocka_unit_test(format_tracks),   cmocka_unit_test(media_detection),
        cmocka_unit_test(refusals),        cmocka_unit_test(idle_and_repeatable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
