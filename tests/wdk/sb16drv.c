/* SPDX-License-Identifier: MIT */
/*
 * A small Sound Blaster 16 playback driver for the harness's `play`
 * requests: IRP_MJ_WRITE of 16-bit signed mono PCM at 22050 Hz, played
 * piece by piece with single-cycle DSP transfers (0xB0) on the 16-bit DMA
 * channel 5 — IoAllocateAdapterChannel, IoMapTransfer, the DSP command, its
 * interrupt (IRQ 5, acknowledged at base + 0xF) and DPC,
 * IoFlushAdapterBuffers, IoFreeAdapterChannel. sb16drv_short makes it
 * drop the last piece, for the harness to notice.
 */
#include "sb16drv.h"

#define SB_BASE 0x220
#define SB_PORT(n) ((PUCHAR)(ULONG_PTR)(SB_BASE + (n)))
#define SB_RATE 22050u

ULONG sb16drv_short;

typedef struct _SB_EXT {
    PADAPTER_OBJECT Adapter;
    ULONG MapRegisters;
    PVOID MapRegisterBase;
    PKINTERRUPT Interrupt;
    KDPC Dpc;
    KEVENT Done;
    KEVENT Granted;
} SB_EXT, *PSB_EXT;

static BOOLEAN SbWrite(UCHAR v)
{
    for (int k = 0; k < 1000; k++) {
        if (!(READ_PORT_UCHAR(SB_PORT(0xC)) & 0x80)) {
            WRITE_PORT_UCHAR(SB_PORT(0xC), v);
            return TRUE;
        }
        KeStallExecutionProcessor(1);
    }
    return FALSE;
}

static BOOLEAN SbReset(void)
{
    WRITE_PORT_UCHAR(SB_PORT(6), 1);
    KeStallExecutionProcessor(3);
    WRITE_PORT_UCHAR(SB_PORT(6), 0);
    for (int k = 0; k < 1000; k++) {
        if ((READ_PORT_UCHAR(SB_PORT(0xE)) & 0x80) && READ_PORT_UCHAR(SB_PORT(0xA)) == 0xAA)
            return TRUE;
        KeStallExecutionProcessor(10);
    }
    return FALSE;
}

static BOOLEAN SbIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    PSB_EXT e = Context;
    UNREFERENCED_PARAMETER(Interrupt);
    (void)READ_PORT_UCHAR(SB_PORT(0xF)); /* acknowledge the 16-bit interrupt */
    KeInsertQueueDpc(&e->Dpc, NULL, NULL);
    return TRUE;
}

static VOID SbDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    PSB_EXT e = Context;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    KeSetEvent(&e->Done, IO_NO_INCREMENT, FALSE);
}

static IO_ALLOCATION_ACTION SbGranted(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID MapRegisterBase,
                                      PVOID Context)
{
    PSB_EXT e = DeviceObject->DeviceExtension;
    UNREFERENCED_PARAMETER(Irp);
    UNREFERENCED_PARAMETER(Context);
    e->MapRegisterBase = MapRegisterBase;
    KeSetEvent(&e->Granted, IO_NO_INCREMENT, FALSE);
    return KeepObject;
}

static NTSTATUS SbPlay(PDEVICE_OBJECT d, PMDL Mdl, ULONG Length)
{
    PSB_EXT e = d->DeviceExtension;
    PUCHAR va = MmGetMdlVirtualAddress(Mdl);
    ULONG done = 0;
    ULONG max = (e->MapRegisters - 1) * PAGE_SIZE;
    if (sb16drv_short && Length > max)
        Length -= max;
    while (done < Length) {
        ULONG piece = Length - done < max ? Length - done : max;
        KIRQL old;
        KeClearEvent(&e->Granted);
        KeClearEvent(&e->Done);
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        NTSTATUS st = IoAllocateAdapterChannel(e->Adapter, d, e->MapRegisters, SbGranted, NULL);
        KeLowerIrql(old);
        if (!NT_SUCCESS(st))
            return st;
        KeWaitForSingleObject(&e->Granted, Executive, KernelMode, FALSE, NULL);
        ULONG len = piece;
        IoMapTransfer(e->Adapter, Mdl, e->MapRegisterBase, va + done, &len, TRUE);
        ULONG words = len / 2 - 1;
        BOOLEAN ok = SbWrite(0x41) && SbWrite((UCHAR)(SB_RATE >> 8)) && SbWrite((UCHAR)SB_RATE) &&
                     SbWrite(0xB0) && SbWrite(0x10) && SbWrite((UCHAR)words) &&
                     SbWrite((UCHAR)(words >> 8));
        LARGE_INTEGER timeout;
        timeout.QuadPart = -20000000; /* 2 s */
        if (ok)
            st = KeWaitForSingleObject(&e->Done, Executive, KernelMode, FALSE, &timeout);
        IoFlushAdapterBuffers(e->Adapter, Mdl, e->MapRegisterBase, va + done, len, TRUE);
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        IoFreeAdapterChannel(e->Adapter);
        KeLowerIrql(old);
        if (!ok || st == STATUS_TIMEOUT)
            return STATUS_IO_TIMEOUT;
        done += len;
    }
    return STATUS_SUCCESS;
}

static NTSTATUS SbDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS st = STATUS_SUCCESS;
    ULONG len = 0;
    if (s->MajorFunction == IRP_MJ_WRITE) {
        len = s->Parameters.Write.Length;
        st = !Irp->MdlAddress || len % 2 ? STATUS_INVALID_PARAMETER
                                          : SbPlay(DeviceObject, Irp->MdlAddress, len);
    }
    Irp->IoStatus.Status = st;
    Irp->IoStatus.Information = NT_SUCCESS(st) ? len : 0;
    IoCompleteRequest(Irp, IO_SOUND_INCREMENT);
    return st;
}

static VOID SbUnload(PDRIVER_OBJECT DriverObject)
{
    PDEVICE_OBJECT d = DriverObject->DeviceObject;
    PSB_EXT e = d->DeviceExtension;
    IoDisconnectInterrupt(e->Interrupt);
    e->Adapter->DmaOperations->PutDmaAdapter(e->Adapter);
    IoDeleteDevice(d);
}

NTSTATUS Sb16DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name;
    PDEVICE_OBJECT d;
    UNREFERENCED_PARAMETER(RegistryPath);
    RtlInitUnicodeString(&name, L"\\Device\\Wave0");
    NTSTATUS st = IoCreateDevice(DriverObject, sizeof(SB_EXT), &name, FILE_DEVICE_SOUND, 0, FALSE,
                                 &d);
    if (!NT_SUCCESS(st))
        return st;
    PSB_EXT e = d->DeviceExtension;
    d->Flags |= DO_DIRECT_IO;
    KeInitializeEvent(&e->Done, NotificationEvent, FALSE);
    KeInitializeEvent(&e->Granted, NotificationEvent, FALSE);
    KeInitializeDpc(&e->Dpc, SbDpc, e);
    DEVICE_DESCRIPTION dd;
    RtlZeroMemory(&dd, sizeof dd);
    dd.DmaChannel = 5;
    dd.InterfaceType = Isa;
    dd.DmaWidth = Width16Bits;
    dd.MaximumLength = 0x8000;
    e->Adapter = HalGetAdapter(&dd, &e->MapRegisters);
    KIRQL irql;
    KAFFINITY aff;
    ULONG v = HalGetInterruptVector(Isa, 0, 5, 5, &irql, &aff);
    if (!e->Adapter || !SbReset() ||
        !NT_SUCCESS(IoConnectInterrupt(&e->Interrupt, SbIsr, e, NULL, v, irql, irql, Latched,
                                       FALSE, aff, FALSE))) {
        if (e->Adapter)
            e->Adapter->DmaOperations->PutDmaAdapter(e->Adapter);
        IoDeleteDevice(d);
        return STATUS_NO_SUCH_DEVICE;
    }
    SbWrite(0xD1); /* speaker on */
    DriverObject->MajorFunction[IRP_MJ_WRITE] = SbDispatch;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = SbDispatch;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = SbDispatch;
    DriverObject->DriverUnload = SbUnload;
    d->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}
