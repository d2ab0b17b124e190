/* SPDX-License-Identifier: MIT */
/*
 * A small floppy driver for the harness's floppy requests: a legacy NT
 * driver shell (named device with direct I/O, latched ISR on IRQ 6 with a
 * DPC that sets an event, synchronous dispatch, Unload) around the
 * controller code of examples/wdm/floppy.c, whose environment it fills
 * with KeWaitForSingleObject and KeStallExecutionProcessor. Data it reads
 * can be corrupted on purpose (fdcdrv_corrupt) to see the harness catch it.
 */
#include "fdcdrv.h"
#include "wdm_examples.h"

#define DISK_BYTES 1474560u

ULONG fdcdrv_corrupt;

typedef struct _FD_EXT {
    FLOPPY_EXTENSION Floppy;
    PKINTERRUPT Interrupt;
    KDPC Dpc;
    KEVENT Irq;
    UNICODE_STRING Link;
} FD_EXT, *PFD_EXT;

static BOOLEAN FdWaitInterrupt(PVOID Ctx, ULONG TimeoutUs)
{
    PFD_EXT e = Ctx;
    LARGE_INTEGER t;
    t.QuadPart = -(LONGLONG)TimeoutUs * 10;
    return KeWaitForSingleObject(&e->Irq, Executive, KernelMode, FALSE, &t) == STATUS_SUCCESS;
}

static VOID FdStall(PVOID Ctx, ULONG Us)
{
    UNREFERENCED_PARAMETER(Ctx);
    KeStallExecutionProcessor(Us);
}

static BOOLEAN FdIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    PFD_EXT e = Context;
    UNREFERENCED_PARAMETER(Interrupt);
    KeInsertQueueDpc(&e->Dpc, NULL, NULL);
    return TRUE;
}

static VOID FdDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    PFD_EXT e = Context;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    KeSetEvent(&e->Irq, IO_NO_INCREMENT, FALSE);
}

static NTSTATUS FdComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = NT_SUCCESS(Status) ? Information : 0;
    IoCompleteRequest(Irp, IO_DISK_INCREMENT);
    return Status;
}

static NTSTATUS FdReadWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFD_EXT e = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(Irp);
    ULONG len = s->Parameters.Read.Length;
    LONGLONG off = s->Parameters.Read.ByteOffset.QuadPart;
    if (!len || len % 512 || off % 512 || off < 0 || off + len > DISK_BYTES || !Irp->MdlAddress)
        return FdComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    PUCHAR buf = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    BOOLEAN write = s->MajorFunction == IRP_MJ_WRITE;
    NTSTATUS st = FloppyTransfer(&e->Floppy, (ULONG)(off / 512), len / 512, buf, write);
    if (NT_SUCCESS(st) && !write && fdcdrv_corrupt)
        buf[len / 2] ^= 0x01;
    return FdComplete(Irp, st, len);
}

static NTSTATUS FdControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(Irp);
    UNREFERENCED_PARAMETER(DeviceObject);
    if (s->Parameters.DeviceIoControl.IoControlCode == IOCTL_DISK_GET_DRIVE_GEOMETRY) {
        if (s->Parameters.DeviceIoControl.OutputBufferLength < sizeof(DISK_GEOMETRY))
            return FdComplete(Irp, STATUS_BUFFER_TOO_SMALL, 0);
        PDISK_GEOMETRY g = Irp->AssociatedIrp.SystemBuffer;
        g->Cylinders.QuadPart = 80;
        g->MediaType = F3_1Pt44_512;
        g->TracksPerCylinder = 2;
        g->SectorsPerTrack = 18;
        g->BytesPerSector = 512;
        return FdComplete(Irp, STATUS_SUCCESS, sizeof(DISK_GEOMETRY));
    }
    return FdComplete(Irp, STATUS_NOT_SUPPORTED, 0); /* formatting among them */
}

static NTSTATUS FdCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    return FdComplete(Irp, STATUS_SUCCESS, FILE_OPENED);
}

static VOID FdUnload(PDRIVER_OBJECT DriverObject)
{
    PDEVICE_OBJECT d = DriverObject->DeviceObject;
    PFD_EXT e = d->DeviceExtension;
    FloppyClose(&e->Floppy);
    IoDisconnectInterrupt(e->Interrupt);
    IoDeleteSymbolicLink(&e->Link);
    IoDeleteDevice(d);
}

NTSTATUS FdcDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name;
    PDEVICE_OBJECT d;
    UNREFERENCED_PARAMETER(RegistryPath);
    RtlInitUnicodeString(&name, L"\\Device\\Floppy0");
    NTSTATUS st = IoCreateDevice(DriverObject, sizeof(FD_EXT), &name, FILE_DEVICE_DISK,
                                 FILE_REMOVABLE_MEDIA | FILE_FLOPPY_DISKETTE, FALSE, &d);
    if (!NT_SUCCESS(st))
        return st;
    PFD_EXT e = d->DeviceExtension;
    d->Flags |= DO_DIRECT_IO;
    RtlInitUnicodeString(&e->Link, L"\\DosDevices\\A:");
    IoCreateSymbolicLink(&e->Link, &name);
    KeInitializeEvent(&e->Irq, SynchronizationEvent, FALSE);
    KeInitializeDpc(&e->Dpc, FdDpc, e);
    KIRQL irql;
    KAFFINITY aff;
    ULONG v = HalGetInterruptVector(Isa, 0, 6, 6, &irql, &aff);
    st = IoConnectInterrupt(&e->Interrupt, FdIsr, e, NULL, v, irql, irql, Latched, FALSE, aff,
                            FALSE);
    if (NT_SUCCESS(st)) {
        FLOPPY_ENV env = {FdWaitInterrupt, FdStall, e};
        st = FloppyOpen(d, &env, 0, DISK_BYTES, &e->Floppy);
        if (!NT_SUCCESS(st))
            IoDisconnectInterrupt(e->Interrupt);
    }
    if (!NT_SUCCESS(st)) {
        IoDeleteSymbolicLink(&e->Link);
        IoDeleteDevice(d);
        return st;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = FdCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = FdCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = FdReadWrite;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = FdReadWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = FdControl;
    DriverObject->DriverUnload = FdUnload;
    d->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}
