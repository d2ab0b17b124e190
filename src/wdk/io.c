/* SPDX-License-Identifier: MIT */
/*
 * The I/O manager: driver and device objects, the object directory's
 * device names and symbolic links, attached device stacks, IRPs and their
 * stack locations, IoCallDriver and IoCompleteRequest with completion
 * routines, cancellation, requests built for lower drivers, and the
 * StartIo packet queue. IRPs and device objects are pool blocks (RAM of
 * the simulated PC), so what a driver leaks is listed with the rest.
 */
#include <string.h>

#include "wdk_internal.h"

#define TAG_IRP 0x20707249 /* 'Irp ' */
#define TAG_DEV 0x6f766544 /* 'Devo' */
#define TAG_BUF 0x66754249 /* 'IBuf' */

/* What the I/O manager keeps per device beside the WDK's members. */
struct _DEVOBJ_EXTENSION {
    CSHORT Type;
    USHORT Size;
    PDEVICE_OBJECT DeviceObject;
    PDEVICE_OBJECT AttachedTo;
};

/* IRPs the I/O manager built (IoBuild...Request): freed at completion. */
#define SYSDMA_IRP_BUILT 0x80000000u

/* ---- names ---------------------------------------------------------------------------------- */

static wdk_name *find_name(const WCHAR *name)
{
    for (int k = 0; k < WDK_NAMES; k++)
        if (W->names[k].name[0] && !sysdma__wdk_wcsicmp(W->names[k].name, name))
            return &W->names[k];
    return NULL;
}

static NTSTATUS add_name(const UNICODE_STRING *name, const UNICODE_STRING *target,
                         PDEVICE_OBJECT device)
{
    WCHAR n[128];
    size_t len = name->Length / sizeof(WCHAR);
    if (len == 0 || len >= 128 || (target && target->Length / sizeof(WCHAR) >= 128))
        return STATUS_OBJECT_NAME_INVALID;
    memcpy(n, name->Buffer, len * sizeof(WCHAR));
    n[len] = 0;
    if (find_name(n))
        return STATUS_OBJECT_NAME_COLLISION;
    for (int k = 0; k < WDK_NAMES; k++)
        if (!W->names[k].name[0]) {
            memcpy(W->names[k].name, n, sizeof n);
            memset(W->names[k].target, 0, sizeof W->names[k].target);
            if (target)
                memcpy(W->names[k].target, target->Buffer, target->Length);
            W->names[k].device = device;
            return STATUS_SUCCESS;
        }
    return STATUS_INSUFFICIENT_RESOURCES;
}

static PDEVICE_OBJECT top_of(PDEVICE_OBJECT d)
{
    while (d && d->AttachedDevice)
        d = d->AttachedDevice;
    return d;
}

PDEVICE_OBJECT sysdma__wdk_device_by_name(const WCHAR *name)
{
    for (int hop = 0; hop < 8; hop++) {
        wdk_name *e = find_name(name);
        if (!e)
            return NULL;
        if (!e->target[0])
            return e->device;
        name = e->target;
    }
    return NULL;
}

NTSTATUS IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
    if (!SymbolicLinkName || !DeviceName || !DeviceName->Length)
        return STATUS_INVALID_PARAMETER;
    return add_name(SymbolicLinkName, DeviceName, NULL);
}

NTSTATUS IoAssignArcName(PUNICODE_STRING ArcName, PUNICODE_STRING DeviceName)
{
    return IoCreateSymbolicLink(ArcName, DeviceName);
}

NTSTATUS IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName)
{
    WCHAR n[128];
    size_t len = SymbolicLinkName ? SymbolicLinkName->Length / sizeof(WCHAR) : 0;
    if (len == 0 || len >= 128)
        return STATUS_OBJECT_NAME_INVALID;
    memcpy(n, SymbolicLinkName->Buffer, len * sizeof(WCHAR));
    n[len] = 0;
    wdk_name *e = find_name(n);
    if (!e || !e->target[0])
        return STATUS_OBJECT_NAME_NOT_FOUND;
    memset(e, 0, sizeof *e);
    return STATUS_SUCCESS;
}

NTSTATUS IoGetDeviceObjectPointer(PUNICODE_STRING ObjectName, ACCESS_MASK DesiredAccess,
                                  PFILE_OBJECT *FileObject, PDEVICE_OBJECT *DeviceObject)
{
    (void)DesiredAccess;
    WCHAR n[128];
    size_t len = ObjectName ? ObjectName->Length / sizeof(WCHAR) : 0;
    if (len == 0 || len >= 128 || !DeviceObject)
        return STATUS_OBJECT_NAME_INVALID;
    memcpy(n, ObjectName->Buffer, len * sizeof(WCHAR));
    n[len] = 0;
    PDEVICE_OBJECT d = sysdma__wdk_device_by_name(n);
    if (!d)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    /* A file object the caller may dereference; it stands for no open file. */
    static struct {
        DISPATCHER_HEADER Header;
    } file = {{0xFF, 0, 0, 0, 0, {NULL, NULL}}};
    *DeviceObject = top_of(d);
    if (FileObject)
        *FileObject = (PFILE_OBJECT)(void *)&file;
    return STATUS_SUCCESS;
}

/* ---- device objects ------------------------------------------------------------------------- */

NTSTATUS IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
                        PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType,
                        ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                        PDEVICE_OBJECT *DeviceObject)
{
    if (!DriverObject || !DeviceObject)
        return STATUS_INVALID_PARAMETER;
    *DeviceObject = NULL;
    size_t ext = (DeviceExtensionSize + 15u) & ~(size_t)15u;
    size_t bytes = sizeof(DEVICE_OBJECT) + sizeof(struct _DEVOBJ_EXTENSION) + ext;
    PDEVICE_OBJECT d = sysdma__wdk_alloc(bytes, TAG_DEV);
    if (!d)
        return STATUS_INSUFFICIENT_RESOURCES;
    memset(d, 0, bytes);
    struct _DEVOBJ_EXTENSION *x = (struct _DEVOBJ_EXTENSION *)(d + 1);
    x->Type = 13;
    x->Size = (USHORT)sizeof *x;
    x->DeviceObject = d;
    if (DeviceName && DeviceName->Length) {
        NTSTATUS st = add_name(DeviceName, NULL, d);
        if (!NT_SUCCESS(st)) {
            sysdma__wdk_free(d);
            return st;
        }
    }
    d->Type = 3; /* IO_TYPE_DEVICE */
    d->Size = (USHORT)(sizeof(DEVICE_OBJECT) + DeviceExtensionSize);
    d->ReferenceCount = 0;
    d->DriverObject = DriverObject;
    d->Flags = DO_DEVICE_INITIALIZING | (Exclusive ? DO_EXCLUSIVE : 0) |
               (DeviceName && DeviceName->Length ? DO_DEVICE_HAS_NAME : 0);
    d->Characteristics = DeviceCharacteristics;
    d->DeviceExtension = ext ? (PVOID)(x + 1) : NULL;
    d->DeviceType = DeviceType;
    d->StackSize = 1;
    d->AlignmentRequirement = FILE_BYTE_ALIGNMENT;
    d->DeviceObjectExtension = x;
    d->SysdmaSystem = W->sys;
    if (DeviceType == FILE_DEVICE_DISK || DeviceType == FILE_DEVICE_CD_ROM ||
        DeviceType == 0x1f /* tape */ || DeviceType == 0x24 /* virtual disk */) {
        PVPB v = sysdma__wdk_alloc(sizeof(VPB), 0x20627056 /* 'Vpb ' */);
        if (!v) {
            IoDeleteDevice(d);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        memset(v, 0, sizeof *v);
        v->Type = 10;
        v->Size = (CSHORT)sizeof *v;
        v->RealDevice = d;
        d->Vpb = v;
        d->SectorSize = 512;
    }
    KeInitializeDeviceQueue(&d->DeviceQueue);
    KeInitializeEvent(&d->DeviceLock, SynchronizationEvent, TRUE);
    d->NextDevice = DriverObject->DeviceObject;
    DriverObject->DeviceObject = d;
    *DeviceObject = d;
    sysdma__wdk_trace("device created");
    return STATUS_SUCCESS;
}

VOID IoDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
    PDEVICE_OBJECT d = DeviceObject;
    if (!d)
        return;
    for (int k = 0; k < WDK_NAMES; k++)
        if (W->names[k].device == d)
            memset(&W->names[k], 0, sizeof W->names[k]);
    PDEVICE_OBJECT *p = &d->DriverObject->DeviceObject;
    while (*p && *p != d)
        p = &(*p)->NextDevice;
    if (*p)
        *p = d->NextDevice;
    if (d->Vpb)
        sysdma__wdk_free(d->Vpb);
    sysdma__wdk_free(d);
}

PDEVICE_OBJECT IoAttachDeviceToDeviceStack(PDEVICE_OBJECT SourceDevice,
                                           PDEVICE_OBJECT TargetDevice)
{
    if (!SourceDevice || !TargetDevice)
        return NULL;
    PDEVICE_OBJECT top = top_of(TargetDevice);
    top->AttachedDevice = SourceDevice;
    SourceDevice->DeviceObjectExtension->AttachedTo = top;
    SourceDevice->StackSize = (CCHAR)(top->StackSize + 1);
    if (top->AlignmentRequirement > SourceDevice->AlignmentRequirement)
        SourceDevice->AlignmentRequirement = top->AlignmentRequirement;
    SourceDevice->SectorSize = top->SectorSize;
    return top;
}

VOID IoDetachDevice(PDEVICE_OBJECT TargetDevice)
{
    if (TargetDevice && TargetDevice->AttachedDevice) {
        TargetDevice->AttachedDevice->DeviceObjectExtension->AttachedTo = NULL;
        TargetDevice->AttachedDevice = NULL;
    }
}

PDEVICE_OBJECT IoGetAttachedDeviceReference(PDEVICE_OBJECT DeviceObject)
{
    return top_of(DeviceObject);
}

VOID IoSetHardErrorOrVerifyDevice(PIRP Irp, PDEVICE_OBJECT DeviceObject)
{
    (void)DeviceObject;
    sysdma__wdk_log("sysdma-wdk: the driver asks the user to check the device (status 0x%08X)",
                    Irp ? (unsigned)Irp->IoStatus.Status : 0u);
}

VOID IoRegisterDriverReinitialization(PDRIVER_OBJECT DriverObject,
                                      PVOID DriverReinitializationRoutine, PVOID Context)
{
    (void)DriverObject, (void)DriverReinitializationRoutine, (void)Context;
}

/* ---- IRPs ------------------------------------------------------------------------------------ */

VOID IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize)
{
    memset(Irp, 0, PacketSize);
    Irp->Type = 6; /* IO_TYPE_IRP */
    Irp->Size = PacketSize;
    Irp->StackCount = StackSize;
    Irp->CurrentLocation = (CHAR)(StackSize + 1);
    Irp->Tail.Overlay.CurrentStackLocation = (PIO_STACK_LOCATION)(Irp + 1) + StackSize;
    InitializeListHead(&Irp->ThreadListEntry);
}

PIRP IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota)
{
    (void)ChargeQuota;
    if (StackSize < 1)
        return NULL;
    USHORT size = IoSizeOfIrp(StackSize);
    PIRP irp = sysdma__wdk_alloc(size, TAG_IRP);
    if (irp)
        IoInitializeIrp(irp, size, StackSize);
    return irp;
}

VOID IoReuseIrp(PIRP Irp, NTSTATUS Iostatus)
{
    USHORT size = Irp->Size;
    CCHAR stack = Irp->StackCount;
    IoInitializeIrp(Irp, size, stack);
    Irp->IoStatus.Status = Iostatus;
}

VOID IoFreeIrp(PIRP Irp)
{
    if (Irp)
        sysdma__wdk_free(Irp);
}

static NTSTATUS invalid_request(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
}

PDRIVER_DISPATCH sysdma__wdk_invalid_request(void);
PDRIVER_DISPATCH sysdma__wdk_invalid_request(void)
{
    return invalid_request;
}

NTSTATUS IoCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    if (!DeviceObject || !Irp)
        sysdma__wdk_fail(true, "IoCallDriver with a NULL %s", Irp ? "device" : "IRP");
    if (Irp->CurrentLocation <= 1)
        sysdma__wdk_fail(true, "IoCallDriver: the IRP has no stack location left "
                               "(NO_MORE_IRP_STACK_LOCATIONS)");
    IoSetNextIrpStackLocation(Irp);
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(Irp);
    s->DeviceObject = DeviceObject;
    if (s->MajorFunction > IRP_MJ_MAXIMUM_FUNCTION)
        sysdma__wdk_fail(true, "IoCallDriver: major function 0x%x", s->MajorFunction);
    PDRIVER_DISPATCH fn = DeviceObject->DriverObject->MajorFunction[s->MajorFunction];
    return (fn ? fn : invalid_request)(DeviceObject, Irp);
}

static void finish(PIRP irp)
{
    if (irp->UserIosb)
        *irp->UserIosb = irp->IoStatus;
    if ((irp->Flags & IRP_BUFFERED_IO) && (irp->Flags & IRP_INPUT_OPERATION) &&
        NT_SUCCESS(irp->IoStatus.Status) && irp->UserBuffer && irp->AssociatedIrp.SystemBuffer)
        memcpy(irp->UserBuffer, irp->AssociatedIrp.SystemBuffer, irp->IoStatus.Information);
    PKEVENT ev = irp->UserEvent;
    if (irp->Flags & SYSDMA_IRP_BUILT) {
        if (irp->Flags & IRP_DEALLOCATE_BUFFER)
            sysdma__wdk_free(irp->AssociatedIrp.SystemBuffer);
        if (irp->MdlAddress)
            IoFreeMdl(irp->MdlAddress);
        IoFreeIrp(irp);
    }
    if (ev)
        KeSetEvent(ev, IO_NO_INCREMENT, FALSE);
}

VOID IoCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    (void)PriorityBoost;
    if (Irp->CurrentLocation > Irp->StackCount + 1)
        sysdma__wdk_fail(true, "IoCompleteRequest: the IRP was completed already");
    if (Irp->IoStatus.Status == STATUS_PENDING)
        sysdma__wdk_fail(true, "IoCompleteRequest with STATUS_PENDING");
    if (Irp->CancelRoutine)
        sysdma__wdk_fail(true, "IoCompleteRequest of an IRP that still has a cancel routine");
    sysdma__wdk_trace("irp completes: 0x%X", (unsigned)Irp->IoStatus.Status);
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    for (; Irp->CurrentLocation <= Irp->StackCount + 1; s++) {
        Irp->PendingReturned = (s->Control & SL_PENDING_RETURNED) != 0;
        NTSTATUS st = Irp->IoStatus.Status;
        bool call = s->CompletionRoutine &&
                    ((NT_SUCCESS(st) && (s->Control & SL_INVOKE_ON_SUCCESS)) ||
                     (!NT_SUCCESS(st) && (s->Control & SL_INVOKE_ON_ERROR)) ||
                     (Irp->Cancel && (s->Control & SL_INVOKE_ON_CANCEL)));
        if (call) {
            PDEVICE_OBJECT d = Irp->CurrentLocation <= Irp->StackCount
                                   ? IoGetCurrentIrpStackLocation(Irp)->DeviceObject
                                   : NULL;
            if (s->CompletionRoutine(d, Irp, s->Context) == STATUS_MORE_PROCESSING_REQUIRED)
                return;
        } else if (Irp->PendingReturned && Irp->CurrentLocation <= Irp->StackCount) {
            IoMarkIrpPending(Irp);
        }
        IoSkipCurrentIrpStackLocation(Irp);
    }
    finish(Irp);
}

VOID IoAcquireCancelSpinLock(PKIRQL Irql)
{
    *Irql = KfAcquireSpinLock(&W->cancel_lock);
}

VOID IoReleaseCancelSpinLock(KIRQL Irql)
{
    KfReleaseSpinLock(&W->cancel_lock, Irql);
}

BOOLEAN IoCancelIrp(PIRP Irp)
{
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    Irp->Cancel = TRUE;
    PDRIVER_CANCEL fn = IoSetCancelRoutine(Irp, NULL);
    if (!fn) {
        IoReleaseCancelSpinLock(irql);
        return FALSE;
    }
    Irp->CancelIrql = irql;
    sysdma__wdk_trace("irp cancelled");
    fn(IoGetCurrentIrpStackLocation(Irp)->DeviceObject, Irp); /* releases the cancel lock */
    return TRUE;
}

static PIRP build(ULONG major, PDEVICE_OBJECT d, PKEVENT ev, PIO_STATUS_BLOCK iosb)
{
    if (!d)
        return NULL;
    PIRP irp = IoAllocateIrp(d->StackSize, FALSE);
    if (!irp)
        return NULL;
    irp->Flags |= SYSDMA_IRP_BUILT;
    irp->UserEvent = ev;
    irp->UserIosb = iosb;
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    IoGetNextIrpStackLocation(irp)->MajorFunction = (UCHAR)major;
    return irp;
}

static bool attach_buffer(PIRP irp, PDEVICE_OBJECT d, PVOID buf, ULONG len, bool in)
{
    if (!buf || !len)
        return true;
    if (d->Flags & DO_BUFFERED_IO) {
        PVOID sb = sysdma__wdk_alloc(len, TAG_BUF);
        if (!sb)
            return false;
        if (!in)
            memcpy(sb, buf, len);
        irp->AssociatedIrp.SystemBuffer = sb;
        irp->UserBuffer = buf;
        irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER | (in ? IRP_INPUT_OPERATION : 0);
    } else if (d->Flags & DO_DIRECT_IO) {
        irp->MdlAddress = IoAllocateMdl(buf, len, FALSE, FALSE, NULL);
        if (!irp->MdlAddress)
            return false;
    } else {
        irp->UserBuffer = buf;
    }
    return true;
}

PIRP IoBuildAsynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject,
                                   PVOID Buffer, ULONG Length, PLARGE_INTEGER StartingOffset,
                                   PIO_STATUS_BLOCK IoStatusBlock)
{
    PIRP irp = build(MajorFunction, DeviceObject, NULL, IoStatusBlock);
    if (!irp)
        return NULL;
    PIO_STACK_LOCATION n = IoGetNextIrpStackLocation(irp);
    if (MajorFunction == IRP_MJ_READ || MajorFunction == IRP_MJ_WRITE) {
        n->Parameters.Read.Length = Length;
        if (StartingOffset)
            n->Parameters.Read.ByteOffset = *StartingOffset;
        if (!attach_buffer(irp, DeviceObject, Buffer, Length, MajorFunction == IRP_MJ_READ)) {
            IoFreeIrp(irp);
            return NULL;
        }
    }
    return irp;
}

PIRP IoBuildSynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer,
                                  ULONG Length, PLARGE_INTEGER StartingOffset, PKEVENT Event,
                                  PIO_STATUS_BLOCK IoStatusBlock)
{
    PIRP irp = IoBuildAsynchronousFsdRequest(MajorFunction, DeviceObject, Buffer, Length,
                                             StartingOffset, IoStatusBlock);
    if (irp)
        irp->UserEvent = Event;
    return irp;
}

PIRP IoBuildDeviceIoControlRequest(ULONG IoControlCode, PDEVICE_OBJECT DeviceObject,
                                   PVOID InputBuffer, ULONG InputBufferLength,
                                   PVOID OutputBuffer, ULONG OutputBufferLength,
                                   BOOLEAN InternalDeviceIoControl, PKEVENT Event,
                                   PIO_STATUS_BLOCK IoStatusBlock)
{
    PIRP irp = build(InternalDeviceIoControl ? IRP_MJ_INTERNAL_DEVICE_CONTROL
                                             : IRP_MJ_DEVICE_CONTROL,
                     DeviceObject, Event, IoStatusBlock);
    if (!irp)
        return NULL;
    PIO_STACK_LOCATION n = IoGetNextIrpStackLocation(irp);
    n->Parameters.DeviceIoControl.IoControlCode = IoControlCode;
    n->Parameters.DeviceIoControl.InputBufferLength = InputBufferLength;
    n->Parameters.DeviceIoControl.OutputBufferLength = OutputBufferLength;
    ULONG method = METHOD_FROM_CTL_CODE(IoControlCode);
    if (method == METHOD_NEITHER) {
        n->Parameters.DeviceIoControl.Type3InputBuffer = InputBuffer;
        irp->UserBuffer = OutputBuffer;
        return irp;
    }
    ULONG len = InputBufferLength > OutputBufferLength ? InputBufferLength : OutputBufferLength;
    if (method == METHOD_BUFFERED) {
        if (len) {
            PVOID sb = sysdma__wdk_alloc(len, TAG_BUF);
            if (!sb) {
                IoFreeIrp(irp);
                return NULL;
            }
            memset(sb, 0, len);
            if (InputBuffer && InputBufferLength)
                memcpy(sb, InputBuffer, InputBufferLength);
            irp->AssociatedIrp.SystemBuffer = sb;
            irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER;
            if (OutputBuffer && OutputBufferLength) {
                irp->UserBuffer = OutputBuffer;
                irp->Flags |= IRP_INPUT_OPERATION;
            }
        }
        return irp;
    }
    /* METHOD_IN_DIRECT / METHOD_OUT_DIRECT: input buffered, output by MDL. */
    if (InputBuffer && InputBufferLength) {
        PVOID sb = sysdma__wdk_alloc(InputBufferLength, TAG_BUF);
        if (!sb) {
            IoFreeIrp(irp);
            return NULL;
        }
        memcpy(sb, InputBuffer, InputBufferLength);
        irp->AssociatedIrp.SystemBuffer = sb;
        irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER;
    }
    if (OutputBuffer && OutputBufferLength) {
        irp->MdlAddress = IoAllocateMdl(OutputBuffer, OutputBufferLength, FALSE, FALSE, NULL);
        if (!irp->MdlAddress) {
            if (irp->Flags & IRP_DEALLOCATE_BUFFER)
                sysdma__wdk_free(irp->AssociatedIrp.SystemBuffer);
            IoFreeIrp(irp);
            return NULL;
        }
    }
    return irp;
}

/* ---- the StartIo queue ------------------------------------------------------------------------ */

VOID IoStartPacket(PDEVICE_OBJECT DeviceObject, PIRP Irp, PULONG Key,
                   PDRIVER_CANCEL CancelFunction)
{
    KIRQL old = KeRaiseIrqlToDpcLevel();
    if (CancelFunction)
        IoSetCancelRoutine(Irp, CancelFunction);
    if (Key)
        Irp->Tail.Overlay.DeviceQueueEntry.SortKey = *Key;
    if (!KeInsertDeviceQueue(&DeviceObject->DeviceQueue, &Irp->Tail.Overlay.DeviceQueueEntry)) {
        DeviceObject->CurrentIrp = Irp;
        DeviceObject->DriverObject->DriverStartIo(DeviceObject, Irp);
    }
    KeLowerIrql(old);
}

VOID IoStartNextPacket(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable)
{
    (void)Cancelable;
    DeviceObject->CurrentIrp = NULL;
    PKDEVICE_QUEUE_ENTRY e = KeRemoveDeviceQueue(&DeviceObject->DeviceQueue);
    if (!e)
        return;
    PIRP irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.DeviceQueueEntry);
    DeviceObject->CurrentIrp = irp;
    DeviceObject->DriverObject->DriverStartIo(DeviceObject, irp);
}

void sysdma__wdk_io_fini(void)
{
    memset(W->names, 0, sizeof W->names);
}
