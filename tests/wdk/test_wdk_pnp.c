/* SPDX-License-Identifier: MIT */
/*
 * The I/O manager's WDM paths, with a function driver written here: its
 * AddDevice attaches to the harness's physical device object; the start
 * request goes down the stack with a completion routine that returns
 * STATUS_MORE_PROCESSING_REQUIRED, and the driver finishes it after
 * reading its resources; a request it does not handle is passed down with
 * IoSkipCurrentIrpStackLocation (the bus refuses it); another is passed
 * down with IoCopyCurrentIrpStackLocationToNext and a completion routine
 * that sees the error; reads go through the StartIo queue (IoStartPacket,
 * a timer's DPC completes each, IoStartNextPacket).
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
#define IOCTL_PASS CTL_CODE(FILE_DEVICE_UNKNOWN, 0x901, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_WATCH CTL_CODE(FILE_DEVICE_UNKNOWN, 0x902, METHOD_BUFFERED, FILE_ANY_ACCESS)

static char got[48][96];
static unsigned ngot;

static void note(const char *fmt, ...)
{
    if (ngot >= 48)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(got[ngot++], sizeof got[0], fmt, ap);
    va_end(ap);
}

typedef struct _FDO_EXT {
    PDEVICE_OBJECT Self, Lower;
    KTIMER Timer;
    KDPC TimerDpc;
    ULONG Served;
} FDO_EXT, *PFDO_EXT;

static NTSTATUS StartDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    note("start completion: device is fdo %d, pending %d", DeviceObject != NULL &&
         ((PFDO_EXT)DeviceObject->DeviceExtension)->Self == DeviceObject, Irp->PendingReturned);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS WatchDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    note("watch completion 0x%x ctx %s", (unsigned)Irp->IoStatus.Status, (const char *)Context);
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    return STATUS_CONTINUE_COMPLETION;
}

static NTSTATUS Pnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFDO_EXT e = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(Irp);
    if (s->MinorFunction != IRP_MN_START_DEVICE) {
        IoSkipCurrentIrpStackLocation(Irp);
        return IoCallDriver(e->Lower, Irp);
    }
    KEVENT ev;
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, StartDone, &ev, TRUE, TRUE, TRUE);
    NTSTATUS st = IoCallDriver(e->Lower, Irp);
    if (st == STATUS_PENDING)
        KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL);
    note("lower said 0x%x", (unsigned)Irp->IoStatus.Status);
    PCM_RESOURCE_LIST raw = s->Parameters.StartDevice.AllocatedResources;
    PCM_PARTIAL_RESOURCE_LIST list = &raw->List[0].PartialResourceList;
    for (ULONG k = 0; k < list->Count; k++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &list->PartialDescriptors[k];
        if (d->Type == CmResourceTypePort)
            note("port 0x%llx", (unsigned long long)d->u.Port.Start.QuadPart);
        else if (d->Type == CmResourceTypeInterrupt)
            note("irq %lu", (unsigned long)d->u.Interrupt.Level);
        else if (d->Type == CmResourceTypeDma)
            note("dma %lu", (unsigned long)d->u.Dma.Channel);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS Control(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFDO_EXT e = DeviceObject->DeviceExtension;
    ULONG code = IoGetCurrentIrpStackLocation(Irp)->Parameters.DeviceIoControl.IoControlCode;
    if (code == IOCTL_WATCH) {
        IoCopyCurrentIrpStackLocationToNext(Irp);
        IoSetCompletionRoutine(Irp, WatchDone, "w", FALSE, TRUE, FALSE);
        return IoCallDriver(e->Lower, Irp);
    }
    IoSkipCurrentIrpStackLocation(Irp); /* IOCTL_PASS and the rest: the bus's business */
    return IoCallDriver(e->Lower, Irp);
}

static VOID TimerDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    PFDO_EXT e = Context;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    PIRP irp = e->Self->CurrentIrp;
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(irp);
    PUCHAR buf = MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority);
    RtlZeroMemory(buf, s->Parameters.Read.Length); /* the disk is zeroes */
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = s->Parameters.Read.Length;
    note("served %lu at %llu", (unsigned long)++e->Served,
         (unsigned long long)KeQueryInterruptTime());
    IoStartNextPacket(e->Self, FALSE);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

static VOID StartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFDO_EXT e = DeviceObject->DeviceExtension;
    LARGE_INTEGER due;
    UNREFERENCED_PARAMETER(Irp);
    due.QuadPart = -20000; /* 2 ms per request */
    KeSetTimer(&e->Timer, due, &e->TimerDpc);
}

static NTSTATUS Read(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    IoMarkIrpPending(Irp);
    IoStartPacket(DeviceObject, Irp, NULL, NULL);
    return STATUS_PENDING;
}

static NTSTATUS AddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    PDEVICE_OBJECT fdo;
    NTSTATUS st = IoCreateDevice(DriverObject, sizeof(FDO_EXT), NULL, FILE_DEVICE_DISK, 0, FALSE,
                                 &fdo);
    if (!NT_SUCCESS(st))
        return st;
    PFDO_EXT e = fdo->DeviceExtension;
    e->Self = fdo;
    e->Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
    KeInitializeTimer(&e->Timer);
    KeInitializeDpc(&e->TimerDpc, TimerDpc, e);
    fdo->Flags |= DO_DIRECT_IO;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    note("attached to the pdo %d, stack %d, vpb %d", e->Lower == Pdo, fdo->StackSize,
         fdo->Vpb != NULL);
    return STATUS_SUCCESS;
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    PDEVICE_OBJECT fdo = DriverObject->DeviceObject;
    PFDO_EXT e = fdo->DeviceExtension;
    IoDetachDevice(e->Lower);
    IoDeleteDevice(fdo);
}

static NTSTATUS Entry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverExtension->AddDevice = AddDevice;
    DriverObject->MajorFunction[IRP_MJ_PNP] = Pnp;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = Control;
    DriverObject->MajorFunction[IRP_MJ_READ] = Read;
    DriverObject->DriverStartIo = StartIo;
    DriverObject->DriverUnload = Unload;
    return STATUS_SUCCESS;
}

static void test_wdm_stack(void **state)
{
    (void)state;
    char script[200];
    snprintf(script, sizeof script,
             "ioctl 0x%X\nexpect invalid_device_request\n"
             "ioctl 0x%X 4 4\nexpect invalid_device_request\n"
             "read 0 4\nread 4 4\nread 8 4\n",
             (unsigned)IOCTL_PASS, (unsigned)IOCTL_WATCH);
    sysdma_wdk_config cfg;
    sysdma_wdk_result res;
    memset(&cfg, 0, sizeof cfg);
    cfg.driver_entry = ENTRY(Entry);
    cfg.pnp_device = "sb16";
    cfg.script = script;
    ngot = 0;
    int rc = sysdma_wdk_run(&cfg, &res);
    if (rc)
        fprintf(stderr, "%s\n", res.reason);
    assert_int_equal(rc, 0);
    assert_int_equal(res.requests, 5);
    const char *want[] = {"attached to the pdo 1, stack 2, vpb 1",
                          "start completion: device is fdo 1, pending 0",
                          "lower said 0x0",
                          "port 0x220",
                          "irq 5",
                          "dma 1",
                          "dma 5",
                          "watch completion 0xc0000010 ctx w",
                          "served 1 at 20000",
                          "served 2 at 40000",
                          "served 3 at 60000"};
    assert_int_equal(ngot, sizeof want / sizeof want[0]);
    for (unsigned k = 0; k < ngot; k++)
        assert_string_equal(got[k], want[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wdm_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
