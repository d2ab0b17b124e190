/* SPDX-License-Identifier: MIT */
/*
 * The machine a driver starts on is the one a PC's firmware hands over:
 * the floppy controller out of reset with its IRQ and DMA outputs on (DOR
 * 0x0C), waiting for a command (MSR 0x80) with no interrupt pending, the
 * disk-change line of drive 0 off. A driver written here reads those
 * registers first thing in DriverEntry, then talks to the controller
 * without resetting it (VERSION, CONFIGURE) and checks that no interrupt
 * arrives while it waits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sysdma-wdk/sysdma_wdk.h"
#include <wdm.h>

#define ENTRY(fn) ((sysdma_wdk_entry_fn)(void (*)(void))(fn))
#define FDC ((PUCHAR)(ULONG_PTR)0x3F0)

static UCHAR dor, msr, dir, version, msr_after;
static ULONG isr_calls;
static BOOLEAN fifo_ok;

static BOOLEAN Isr(PKINTERRUPT Interrupt, PVOID Context)
{
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    isr_calls++;
    return TRUE;
}

/* Wait (polling the MSR, 1 µs a read) for RQM with the given direction. */
static BOOLEAN WaitRqm(UCHAR dio)
{
    for (int i = 0; i < 1000; i++) {
        UCHAR m = READ_PORT_UCHAR(FDC + 4);
        if ((m & 0xC0) == (0x80 | dio))
            return TRUE;
    }
    return FALSE;
}

static BOOLEAN Send(UCHAR b)
{
    if (!WaitRqm(0))
        return FALSE;
    WRITE_PORT_UCHAR(FDC + 5, b);
    return TRUE;
}

static NTSTATUS Entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    dor = READ_PORT_UCHAR(FDC + 2);
    msr = READ_PORT_UCHAR(FDC + 4);
    dir = READ_PORT_UCHAR(FDC + 7);

    KIRQL irql;
    KAFFINITY aff;
    PKINTERRUPT in = NULL;
    ULONG vec = HalGetInterruptVector(Isa, 0, 6, 6, &irql, &aff);
    NTSTATUS st = IoConnectInterrupt(&in, Isr, NULL, NULL, vec, irql, irql, Latched, FALSE,
                                     aff, FALSE);
    if (st != STATUS_SUCCESS)
        return st;
    /* VERSION answers at once; CONFIGURE has no result phase. */
    fifo_ok = Send(0x10) && WaitRqm(0x40);
    if (fifo_ok)
        version = READ_PORT_UCHAR(FDC + 5);
    fifo_ok = fifo_ok && Send(0x13) && Send(0) && Send(0x70) && Send(0);
    LARGE_INTEGER ms = {.QuadPart = -10 * 10000};
    KeDelayExecutionThread(KernelMode, FALSE, &ms); /* an interrupt would come now */
    msr_after = READ_PORT_UCHAR(FDC + 4);
    IoDisconnectInterrupt(in);
    return STATUS_SUCCESS;
}

static void test_firmware_state(void **state)
{
    (void)state;
    sysdma_wdk_config cfg;
    sysdma_wdk_result res;
    memset(&cfg, 0, sizeof cfg);
    cfg.driver_entry = ENTRY(Entry);
    int rc = sysdma_wdk_run(&cfg, &res);
    if (rc)
        fprintf(stderr, "%s\n", res.reason);
    assert_int_equal(rc, 0);
    assert_int_equal(dor, 0x0C);
    assert_int_equal(msr & 0xC0, 0x80);
    assert_int_equal(dir & 0x80, 0);
    assert_true(fifo_ok);
    assert_int_equal(version, 0x90);
    assert_int_equal(msr_after & 0xC0, 0x80);
    assert_int_equal(isr_calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_firmware_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
