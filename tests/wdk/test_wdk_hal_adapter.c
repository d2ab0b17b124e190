/* SPDX-License-Identifier: MIT */
/*
 * HalGetAdapter's adapter belongs to the HAL: a legacy driver that gets one
 * in DriverEntry and unloads without giving it back (it has no call to do
 * so) leaks nothing; one that gives it back with PutDmaAdapter is not put
 * twice; one that unloads still holding the adapter's channel is reported
 * by the DMA verifier.
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

enum { KEEP, PUT, HOLD_CHANNEL };
static int mode;
static PADAPTER_OBJECT adapter;
static PDEVICE_OBJECT device;
static ULONG map_registers;
static KEVENT granted;

static IO_ALLOCATION_ACTION Granted(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID MapRegisterBase,
                                    PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    UNREFERENCED_PARAMETER(MapRegisterBase);
    UNREFERENCED_PARAMETER(Context);
    KeSetEvent(&granted, IO_NO_INCREMENT, FALSE);
    return KeepObject;
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    if (mode == PUT)
        adapter->DmaOperations->PutDmaAdapter(adapter);
    if (device)
        IoDeleteDevice(device);
}

static NTSTATUS Entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = Unload;
    DEVICE_DESCRIPTION d;
    RtlZeroMemory(&d, sizeof d);
    d.Version = DEVICE_DESCRIPTION_VERSION;
    d.DmaChannel = 2;
    d.InterfaceType = Isa;
    d.DmaWidth = Width8Bits;
    d.MaximumLength = 18432;
    adapter = HalGetAdapter(&d, &map_registers);
    if (!adapter)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (mode == HOLD_CHANNEL) {
        NTSTATUS made = IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
        if (made != STATUS_SUCCESS)
            return made;
        KeInitializeEvent(&granted, NotificationEvent, FALSE);
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        NTSTATUS st = IoAllocateAdapterChannel(adapter, device, 1, Granted, NULL);
        KeLowerIrql(old);
        if (st != STATUS_SUCCESS)
            return st;
        KeWaitForSingleObject(&granted, Executive, KernelMode, FALSE, NULL);
    }
    return STATUS_SUCCESS;
}

static int run(int m, sysdma_wdk_result *res)
{
    mode = m;
    adapter = NULL;
    device = NULL;
    sysdma_wdk_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.driver_entry = ENTRY(Entry);
    cfg.log = NULL;
    return sysdma_wdk_run(&cfg, res);
}

static void test_kept_adapter_is_the_hals(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    int rc = run(KEEP, &res);
    if (rc)
        fprintf(stderr, "%s\n", res.reason);
    assert_int_equal(rc, 0);
    assert_true(map_registers > 0);
    assert_int_equal(res.verifier_reports, 0);
    assert_int_equal(res.leaks, 0);
}

static void test_put_adapter_is_not_put_again(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    int rc = run(PUT, &res);
    if (rc)
        fprintf(stderr, "%s\n", res.reason);
    assert_int_equal(rc, 0);
    assert_int_equal(res.verifier_reports, 0);
}

static void test_held_channel_is_reported(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    int rc = run(HOLD_CHANNEL, &res);
    assert_int_equal(rc, 1);
    assert_true(res.verifier_reports > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kept_adapter_is_the_hals),
        cmocka_unit_test(test_put_adapter_is_not_put_again),
        cmocka_unit_test(test_held_channel_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
