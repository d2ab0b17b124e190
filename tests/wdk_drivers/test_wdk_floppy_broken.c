/* SPDX-License-Identifier: MIT */
/*
 * The floppy driver built with -DBROKEN_NO_FLUSH: it never calls
 * IoFlushAdapterBuffers. The run must end — with the DMA verifier's
 * reports and a failed run — not hang.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include <ntddk.h>

#include "wdk_case.h"

DRIVER_INITIALIZE DriverEntry;

/* Static: an assertion that fails leaves the test by longjmp, leaking nothing. */
static wdk_case case_a;

static void forgotten_flush_is_reported(void **state)
{
    (void)state;
    wdk_case *c = &case_a;
    wdk_case_run(c, (sysdma_wdk_entry_fn)DriverEntry, "read 0 36\nread 36 36\nwrite 72 18\n",
                 NULL, NULL);
    wdk_case_dump(c);
    assert_int_equal(c->res.entry_status, STATUS_SUCCESS);
    assert_int_equal(c->rc, 1);
    assert_true(c->res.verifier_reports > 0);
    assert_true(c->res.failures > 0);
    assert_false(c->res.hang);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(forgotten_flush_is_reported)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
