/* SPDX-License-Identifier: MIT */
/*
 * The floppy driver built broken on purpose (one of the BROKEN_* macros,
 * given to the driver and to this test alike): the run must end — with the
 * DMA verifier's reports or the scheduler's hang report and a failed run —
 * and never hang the test.
 *   BROKEN_NO_FLUSH     IoFlushAdapterBuffers is never called
 *   BROKEN_DOUBLE_FREE  IoFreeAdapterChannel is called twice per request
 *   BROKEN_NO_SIGNAL    the worker waits for ever for its AdapterControl
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

static void broken_driver_is_reported(void **state)
{
    (void)state;
    wdk_case *c = &case_a;
    wdk_case_run(c, (sysdma_wdk_entry_fn)DriverEntry, "read 0 36\nread 36 36\nwrite 72 18\n",
                 NULL, NULL, 0, NULL);
    wdk_case_dump(c);
    assert_int_equal(c->res.entry_status, STATUS_SUCCESS);
    assert_int_equal(c->rc, 1);
    assert_true(c->res.failures > 0);
#if defined(BROKEN_NO_SIGNAL)
    assert_true(c->res.hang);
#elif defined(BROKEN_NO_FLUSH) || defined(BROKEN_DOUBLE_FREE)
    assert_true(c->res.verifier_reports > 0);
    assert_false(c->res.hang);
#else
#error "build with one of BROKEN_NO_FLUSH, BROKEN_DOUBLE_FREE, BROKEN_NO_SIGNAL"
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(broken_driver_is_reported)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
