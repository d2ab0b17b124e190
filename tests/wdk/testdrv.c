/* SPDX-License-Identifier: MIT */
/*
 * A small legacy NT driver for sysdma's test device (0x300, IRQ 10, DMA
 * channel 3), written the way such drivers are and built against the
 * sysdma-wdk headers only: a named device with a symbolic link, direct
 * I/O, a cancel-safe IRP queue fed by the dispatch routines and drained
 * by a worker thread, packet-based system DMA with the legacy calls
 * (HalGetAdapter, IoAllocateAdapterChannel, IoMapTransfer,
 * IoFlushAdapterBuffers, IoFreeAdapterChannel), a latched ISR that queues
 * the device's DPC, and an Unload that undoes everything. Its settings
 * come from its Parameters key (RtlQueryRegistryValues).
 */
#include "testdrv.h"

#define TD_PORT ((PUCHAR)0x300)
#define TD_LEN(n) ((PUCHAR)(ULONG_PTR)(0x301 + (n)))
#define TD_ACK ((PUCHAR)0x305)
#define TD_IRQ 10
#define TD_MAX 65536u

ULONG testdrv_bug;

typedef struct _TD_EXT {
    PDEVICE_OBJECT Device;
    PADAPTER_OBJECT Adapter;
    ULONG MapRegisters;
    PKINTERRUPT Interrupt;
    IO_CSQ Csq;
    LIST_ENTRY Queue;
    KSPIN_LOCK QueueLock;
    KSEMAPHORE Pending;
    KEVENT Stop;
    KEVENT Done;
    PVOID Worker;
    PIRP Current;
    PVOID MapRegisterBase;
    UCHAR Status;
    ULONG Transfers;
    UNICODE_STRING Link;
} TD_EXT, *PTD_EXT;

/* ---- the queue ----------------------------------------------------------------------------- */

static VOID TdInsert(PIO_CSQ Csq, PIRP Irp)
{
    PTD_EXT e = CONTAINING_RECORD(Csq, TD_EXT, Csq);
    InsertTailList(&e->Queue, &Irp->Tail.Overlay.ListEntry);
}

static VOID TdRemove(PIO_CSQ Csq, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Csq);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
}

static PIRP TdPeek(PIO_CSQ Csq, PIRP Irp, PVOID PeekContext)
{
    PTD_EXT e = CONTAINING_RECORD(Csq, TD_EXT, Csq);
    UNREFERENCED_PARAMETER(PeekContext);
    PLIST_ENTRY next = Irp ? Irp->Tail.Overlay.ListEntry.Flink : e->Queue.Flink;
    return next == &e->Queue ? NULL : CONTAINING_RECORD(next, IRP, Tail.Overlay.ListEntry);
}

static VOID TdLock(PIO_CSQ Csq, PKIRQL Irql)
{
    KeAcquireSpinLock(&CONTAINING_RECORD(Csq, TD_EXT, Csq)->QueueLock, Irql);
}

static VOID TdUnlock(PIO_CSQ Csq, KIRQL Irql)
{
    KeReleaseSpinLock(&CONTAINING_RECORD(Csq, TD_EXT, Csq)->QueueLock, Irql);
}

static VOID TdCancelled(PIO_CSQ Csq, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Csq);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

/* ---- interrupt and DPC ----------------------------------------------------------------------- */

static BOOLEAN TdIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    PDEVICE_OBJECT d = Context;
    UNREFERENCED_PARAMETER(Interrupt);
    UCHAR status = READ_PORT_UCHAR(TD_PORT);
    if (!(status & 0x80))
        return FALSE;
    WRITE_PORT_UCHAR(TD_ACK, 0);
    if (testdrv_bug != TESTDRV_BUG_NO_DPC)
        IoRequestDpc(d, d->CurrentIrp, (PVOID)(ULONG_PTR)status);
    return TRUE;
}

static VOID TdDpc(PKDPC Dpc, PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PTD_EXT e = DeviceObject->DeviceExtension;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Irp);
    e->Status = (UCHAR)(ULONG_PTR)Context;
    KeSetEvent(&e->Done, IO_NO_INCREMENT, FALSE);
}

/* ---- the transfer ---------------------------------------------------------------------------- */

static IO_ALLOCATION_ACTION TdControl(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID MapRegisterBase,
                                      PVOID Context)
{
    PTD_EXT e = DeviceObject->DeviceExtension;
    PIRP irp = Context;
    UNREFERENCED_PARAMETER(Irp);
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(irp);
    BOOLEAN write = s->MajorFunction == IRP_MJ_WRITE;
    ULONG len = s->Parameters.Write.Length;
    e->MapRegisterBase = MapRegisterBase;
    IoMapTransfer(e->Adapter, irp->MdlAddress, MapRegisterBase,
                  MmGetMdlVirtualAddress(irp->MdlAddress), &len, write);
    for (int k = 0; k < 4; k++)
        WRITE_PORT_UCHAR(TD_LEN(k), (UCHAR)(len >> (8 * k)));
    WRITE_PORT_UCHAR(TD_PORT, write ? 2 : 1);
    return KeepObject;
}

static NTSTATUS TdTransfer(PTD_EXT e, PIRP irp)
{
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(irp);
    BOOLEAN write = s->MajorFunction == IRP_MJ_WRITE;
    ULONG len = s->Parameters.Write.Length;
    KIRQL old;
    KeFlushIoBuffers(irp->MdlAddress, !write, TRUE);
    KeClearEvent(&e->Done);
    e->Device->CurrentIrp = irp;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NTSTATUS st = IoAllocateAdapterChannel(e->Adapter, e->Device,
                                           ADDRESS_AND_SIZE_TO_SPAN_PAGES(
                                               MmGetMdlVirtualAddress(irp->MdlAddress), len),
                                           TdControl, irp);
    KeLowerIrql(old);
    if (!NT_SUCCESS(st))
        return st;
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10000000; /* 1 s */
    if (testdrv_bug == TESTDRV_BUG_NO_DPC)
        st = KeWaitForSingleObject(&e->Done, Executive, KernelMode, FALSE, NULL);
    else
        st = KeWaitForSingleObject(&e->Done, Executive, KernelMode, FALSE, &timeout);
    if (testdrv_bug != TESTDRV_BUG_NO_FLUSH)
        IoFlushAdapterBuffers(e->Adapter, irp->MdlAddress, e->MapRegisterBase,
                              MmGetMdlVirtualAddress(irp->MdlAddress), len, write);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    IoFreeAdapterChannel(e->Adapter);
    if (testdrv_bug == TESTDRV_BUG_FREE_TWICE)
        IoFreeAdapterChannel(e->Adapter);
    KeLowerIrql(old);
    e->Device->CurrentIrp = NULL;
    e->Transfers++;
    if (st == STATUS_TIMEOUT)
        return STATUS_IO_TIMEOUT;
    irp->IoStatus.Information = len;
    return (e->Status & 0x02) ? STATUS_SUCCESS : STATUS_DEVICE_DATA_ERROR;
}

static VOID TdWorker(PVOID Context)
{
    PTD_EXT e = Context;
    PVOID objects[2] = {&e->Stop, &e->Pending};
    for (;;) {
        NTSTATUS st = KeWaitForMultipleObjects(2, objects, WaitAny, Executive, KernelMode, FALSE,
                                               NULL, NULL);
        if (st == STATUS_WAIT_0)
            PsTerminateSystemThread(STATUS_SUCCESS);
        PIRP irp = IoCsqRemoveNextIrp(&e->Csq, NULL);
        if (!irp)
            continue; /* it was cancelled meanwhile */
        irp->IoStatus.Status = TdTransfer(e, irp);
        if (!NT_SUCCESS(irp->IoStatus.Status))
            irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
}

/* ---- dispatch -------------------------------------------------------------------------------- */

static NTSTATUS TdCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS TdReadWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PTD_EXT e = DeviceObject->DeviceExtension;
    ULONG len = IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Length;
    if (len == 0 || len > TD_MAX || !Irp->MdlAddress) {
        Irp->IoStatus.Status = STATUS_INVALID_PARAMETER;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_INVALID_PARAMETER;
    }
    IoCsqInsertIrp(&e->Csq, Irp, NULL);
    KeReleaseSemaphore(&e->Pending, IO_NO_INCREMENT, 1, FALSE);
    return STATUS_PENDING;
}

static NTSTATUS TdControlRequest(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PTD_EXT e = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS st = STATUS_INVALID_DEVICE_REQUEST;
    Irp->IoStatus.Information = 0;
    if (s->Parameters.DeviceIoControl.IoControlCode == IOCTL_TESTDRV_STATUS) {
        if (s->Parameters.DeviceIoControl.OutputBufferLength < sizeof(ULONG)) {
            st = STATUS_BUFFER_TOO_SMALL;
        } else {
            *(PULONG)Irp->AssociatedIrp.SystemBuffer = e->Transfers;
            Irp->IoStatus.Information = sizeof(ULONG);
            st = STATUS_SUCCESS;
        }
    }
    Irp->IoStatus.Status = st;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return st;
}

/* ---- load and unload ------------------------------------------------------------------------- */

static VOID TdUnload(PDRIVER_OBJECT DriverObject)
{
    PDEVICE_OBJECT d = DriverObject->DeviceObject;
    PTD_EXT e = d->DeviceExtension;
    KeSetEvent(&e->Stop, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(e->Worker, Executive, KernelMode, FALSE, NULL);
    ObDereferenceObject(e->Worker);
    IoDisconnectInterrupt(e->Interrupt);
    e->Adapter->DmaOperations->PutDmaAdapter(e->Adapter);
    IoDeleteSymbolicLink(&e->Link);
    IoDeleteDevice(d);
}

static void TdReadParameters(PUNICODE_STRING RegistryPath)
{
    WCHAR buf[200];
    UNICODE_STRING path;
    RtlInitEmptyUnicodeString(&path, buf, sizeof buf);
    RtlCopyUnicodeString(&path, RegistryPath);
    RtlAppendUnicodeToString(&path, L"\\Parameters");
    ULONG bug = 0, zero = 0;
    RTL_QUERY_REGISTRY_TABLE table[2];
    RtlZeroMemory(table, sizeof table);
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[0].Name = L"Bug";
    table[0].EntryContext = &bug;
    table[0].DefaultType = REG_DWORD;
    table[0].DefaultData = &zero;
    table[0].DefaultLength = sizeof zero;
    if (NT_SUCCESS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE | RTL_REGISTRY_OPTIONAL,
                                          path.Buffer, table, NULL, NULL)) && bug)
        testdrv_bug = bug;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name;
    PDEVICE_OBJECT d;
    TdReadParameters(RegistryPath);
    RtlInitUnicodeString(&name, L"\\Device\\SysdmaTest0");
    NTSTATUS st = IoCreateDevice(DriverObject, sizeof(TD_EXT), &name, FILE_DEVICE_UNKNOWN, 0,
                                 FALSE, &d);
    if (!NT_SUCCESS(st))
        return st;
    PTD_EXT e = d->DeviceExtension;
    e->Device = d;
    RtlInitUnicodeString(&e->Link, L"\\DosDevices\\SysdmaTest");
    IoCreateSymbolicLink(&e->Link, &name);
    d->Flags |= DO_DIRECT_IO;

    DEVICE_DESCRIPTION dd;
    RtlZeroMemory(&dd, sizeof dd);
    dd.Version = DEVICE_DESCRIPTION_VERSION;
    dd.DmaChannel = 3;
    dd.InterfaceType = Isa;
    dd.DmaWidth = Width8Bits;
    dd.DmaSpeed = Compatible;
    dd.MaximumLength = TD_MAX;
    e->Adapter = HalGetAdapter(&dd, &e->MapRegisters);
    if (!e->Adapter)
        goto fail;

    InitializeListHead(&e->Queue);
    KeInitializeSpinLock(&e->QueueLock);
    IoCsqInitialize(&e->Csq, TdInsert, TdRemove, TdPeek, TdLock, TdUnlock, TdCancelled);
    KeInitializeSemaphore(&e->Pending, 0, MAXLONG);
    KeInitializeEvent(&e->Stop, NotificationEvent, FALSE);
    KeInitializeEvent(&e->Done, NotificationEvent, FALSE);
    IoInitializeDpcRequest(d, TdDpc);

    KIRQL irql;
    KAFFINITY affinity;
    ULONG vector = HalGetInterruptVector(Isa, 0, TD_IRQ, TD_IRQ, &irql, &affinity);
    st = IoConnectInterrupt(&e->Interrupt, TdIsr, d, NULL, vector, irql, irql, Latched, FALSE,
                            affinity, FALSE);
    if (!NT_SUCCESS(st))
        goto fail;

    HANDLE h;
    st = PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL, TdWorker, e);
    if (!NT_SUCCESS(st))
        goto fail;
    ObReferenceObjectByHandle(h, THREAD_ALL_ACCESS, *PsThreadType, KernelMode, &e->Worker, NULL);
    ZwClose(h);

    DriverObject->MajorFunction[IRP_MJ_CREATE] = TdCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = TdCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = TdReadWrite;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = TdReadWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = TdControlRequest;
    DriverObject->DriverUnload = TdUnload;
    d->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
fail:
    if (e->Interrupt)
        IoDisconnectInterrupt(e->Interrupt);
    if (e->Adapter)
        e->Adapter->DmaOperations->PutDmaAdapter(e->Adapter);
    IoDeleteSymbolicLink(&e->Link);
    IoDeleteDevice(d);
    return STATUS_UNSUCCESSFUL;
}
