/* SPDX-License-Identifier: MIT */
/*
 * A Windows-model driver outside the sysdma tree, built against an
 * installed sysdma-wdk (its <wdm.h> found through pkg-config's or the
 * CMake package's flags, L"..." literals 16-bit) by tests/install/run.sh,
 * and run in the harness: DriverEntry makes a named device and a system
 * thread that waits on an event with a timeout and sets another; Unload
 * cleans up. Prints "outside_wdk: ok" when the run passed.
 * Usage: outside_wdk [VERSION].
 */
#include <stdio.h>
#include <string.h>

#include <sysdma-wdk/sysdma_wdk.h>
#include <sysdma/version.h>
#include <wdm.h>

static KEVENT go, back;
static PVOID worker;
static NTSTATUS waited;

static VOID Worker(PVOID Context)
{
    LARGE_INTEGER t;
    UNREFERENCED_PARAMETER(Context);
    t.QuadPart = -20000; /* 2 ms: nobody sets `go` */
    waited = KeWaitForSingleObject(&go, Executive, KernelMode, FALSE, &t);
    KeSetEvent(&back, IO_NO_INCREMENT, FALSE);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    KeWaitForSingleObject(worker, Executive, KernelMode, FALSE, NULL);
    ObDereferenceObject(worker);
    IoDeleteDevice(DriverObject->DeviceObject);
}

static NTSTATUS Entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name;
    PDEVICE_OBJECT d;
    HANDLE h;
    UNREFERENCED_PARAMETER(RegistryPath);
    RtlInitUnicodeString(&name, L"\\Device\\Outside0");
    NTSTATUS st = IoCreateDevice(DriverObject, 16, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &d);
    if (!NT_SUCCESS(st))
        return st;
    KeInitializeEvent(&go, SynchronizationEvent, FALSE);
    KeInitializeEvent(&back, NotificationEvent, FALSE);
    st = PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL, Worker, NULL);
    if (!NT_SUCCESS(st))
        return st;
    ObReferenceObjectByHandle(h, THREAD_ALL_ACCESS, *PsThreadType, KernelMode, &worker, NULL);
    ZwClose(h);
    KeWaitForSingleObject(&back, Executive, KernelMode, FALSE, NULL);
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], SYSDMA_VERSION_STRING) != 0) {
        printf("outside_wdk: headers are %s, not %s\n", SYSDMA_VERSION_STRING, argv[1]);
        return 1;
    }
    sysdma_wdk_config cfg;
    sysdma_wdk_result res;
    memset(&cfg, 0, sizeof cfg);
    cfg.driver_entry = (sysdma_wdk_entry_fn)(void (*)(void))Entry;
    int rc = sysdma_wdk_run(&cfg, &res);
    if (rc || waited != STATUS_TIMEOUT || res.sim_ns < 2000000) {
        printf("outside_wdk: run %d (%s), wait 0x%X, %llu ns\n", rc, res.reason, (unsigned)waited,
               (unsigned long long)res.sim_ns);
        return 1;
    }
    printf("outside_wdk: ok\n");
    return 0;
}
