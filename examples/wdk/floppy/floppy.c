/* SPDX-License-Identifier: MIT */
/*
 * An NT-style floppy driver: its entry point, configuration, device object,
 * dispatch routines, IRP queue and worker thread (see floppy.h for the
 * whole driver).
 *
 * DriverEntry asks the configuration manager where the floppy controller
 * is (IoQueryDeviceDescription: ports, interrupt, DMA channel of the disk
 * controller that has a floppy peripheral), translates the port and the
 * interrupt for the ISA bus, creates \Device\Floppy0 with direct I/O and
 * its \DosDevices\A: link, gets the adapter of the controller's DMA
 * channel (HalGetAdapter), connects the interrupt, resets the controller
 * and starts the worker thread.
 *
 * The dispatch routines check what they can without the hardware and queue
 * the rest — reads, writes, the geometry and format IOCTLs — on a
 * cancel-safe queue; a semaphore counts the queued IRPs and wakes the
 * worker thread, the only code that programs the controller. The worker
 * switches the motor off after a few idle seconds.
 */
#include "floppy.h"

#define FLOPPY_IDLE_MS 3000

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD FloppyUnload;
static DRIVER_DISPATCH FloppyCreateClose;
static DRIVER_DISPATCH FloppyReadWriteDispatch;
static DRIVER_DISPATCH FloppyDeviceControl;

/* ---- the cancel-safe queue ----------------------------------------------------------- */

static PFLOPPY_EXTENSION FloppyFromCsq(PIO_CSQ Csq)
{
    return CONTAINING_RECORD(Csq, FLOPPY_EXTENSION, Csq);
}

static VOID FloppyCsqInsert(PIO_CSQ Csq, PIRP Irp)
{
    InsertTailList(&FloppyFromCsq(Csq)->Queue, &Irp->Tail.Overlay.ListEntry);
}

static VOID FloppyCsqRemove(PIO_CSQ Csq, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Csq);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
}

/* The IRP after Irp (the first when Irp is NULL); the driver does not use
 * peek contexts. */
static PIRP FloppyCsqPeekNext(PIO_CSQ Csq, PIRP Irp, PVOID PeekContext)
{
    PLIST_ENTRY head = &FloppyFromCsq(Csq)->Queue;
    PLIST_ENTRY next = Irp ? Irp->Tail.Overlay.ListEntry.Flink : head->Flink;
    UNREFERENCED_PARAMETER(PeekContext);
    return next == head ? NULL : CONTAINING_RECORD(next, IRP, Tail.Overlay.ListEntry);
}

static VOID FloppyCsqAcquireLock(PIO_CSQ Csq, PKIRQL Irql)
{
    KeAcquireSpinLock(&FloppyFromCsq(Csq)->QueueLock, Irql);
}

static VOID FloppyCsqReleaseLock(PIO_CSQ Csq, KIRQL Irql)
{
    KeReleaseSpinLock(&FloppyFromCsq(Csq)->QueueLock, Irql);
}

static VOID FloppyCsqCompleteCanceled(PIO_CSQ Csq, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Csq);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static NTSTATUS FloppyQueue(PFLOPPY_EXTENSION Ext, PIRP Irp)
{
    IoMarkIrpPending(Irp);
    IoCsqInsertIrp(&Ext->Csq, Irp, NULL);
    KeReleaseSemaphore(&Ext->QueueSemaphore, IO_NO_INCREMENT, 1, FALSE);
    return STATUS_PENDING;
}

/* ---- the worker thread --------------------------------------------------------------- */

static NTSTATUS FloppyGeometry(PFLOPPY_EXTENSION Ext, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(DISK_GEOMETRY))
        return STATUS_BUFFER_TOO_SMALL;
    NTSTATUS status = FdcDetectMedia(Ext);
    if (!NT_SUCCESS(status))
        return status;
    PDISK_GEOMETRY geometry = (PDISK_GEOMETRY)Irp->AssociatedIrp.SystemBuffer;
    geometry->Cylinders.QuadPart = FLOPPY_CYLINDERS;
    geometry->MediaType = Ext->Media->MediaType;
    geometry->TracksPerCylinder = FLOPPY_HEADS;
    geometry->SectorsPerTrack = Ext->Media->SectorsPerTrack;
    geometry->BytesPerSector = FLOPPY_SECTOR;
    Irp->IoStatus.Information = sizeof(DISK_GEOMETRY);
    return STATUS_SUCCESS;
}

static NTSTATUS FloppyStartIrp(PFLOPPY_EXTENSION Ext, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    switch (stack->MajorFunction) {
    case IRP_MJ_READ:
    case IRP_MJ_WRITE:
        return FloppyReadWrite(Ext, Irp);
    case IRP_MJ_DEVICE_CONTROL:
        switch (stack->Parameters.DeviceIoControl.IoControlCode) {
        case IOCTL_DISK_GET_DRIVE_GEOMETRY:
            return FloppyGeometry(Ext, Irp);
        case IOCTL_DISK_FORMAT_TRACKS:
            return FloppyFormat(Ext, Irp);
        default:
            break;
        }
        break;
    default:
        break;
    }
    return STATUS_INVALID_DEVICE_REQUEST;
}

static VOID FloppyThread(PVOID StartContext)
{
    PFLOPPY_EXTENSION ext = (PFLOPPY_EXTENSION)StartContext;
    for (;;) {
        LARGE_INTEGER idle;
        idle.QuadPart = -10000LL * FLOPPY_IDLE_MS;
        NTSTATUS status = KeWaitForSingleObject(&ext->QueueSemaphore, Executive, KernelMode,
                                                FALSE, ext->MotorOn ? &idle : NULL);
        if (status == STATUS_TIMEOUT) {
            FdcMotorOff(ext);
            continue;
        }
        PIRP irp = IoCsqRemoveNextIrp(&ext->Csq, NULL);
        if (ext->Terminate) {
            while (irp) { /* the driver is going: nothing more runs */
                irp->IoStatus.Status = STATUS_DEVICE_NOT_READY;
                irp->IoStatus.Information = 0;
                IoCompleteRequest(irp, IO_NO_INCREMENT);
                irp = IoCsqRemoveNextIrp(&ext->Csq, NULL);
            }
            break;
        }
        if (!irp)
            continue; /* cancelled while queued */
        irp->IoStatus.Status = FloppyStartIrp(ext, irp);
        IoCompleteRequest(irp, IO_DISK_INCREMENT);
    }
    FdcMotorOff(ext);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

/* ---- dispatch ------------------------------------------------------------------------ */

static NTSTATUS FloppyComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS FloppyCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    return FloppyComplete(Irp, STATUS_SUCCESS, 0);
}

static NTSTATUS FloppyReadWriteDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFLOPPY_EXTENSION ext = (PFLOPPY_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    BOOLEAN write = stack->MajorFunction == IRP_MJ_WRITE;
    LONGLONG offset = write ? stack->Parameters.Write.ByteOffset.QuadPart
                            : stack->Parameters.Read.ByteOffset.QuadPart;
    ULONG length = write ? stack->Parameters.Write.Length : stack->Parameters.Read.Length;
    if (offset < 0 || offset % FLOPPY_SECTOR || length % FLOPPY_SECTOR)
        return FloppyComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    if (length == 0)
        return FloppyComplete(Irp, STATUS_SUCCESS, 0);
    return FloppyQueue(ext, Irp);
}

static NTSTATUS FloppyDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFLOPPY_EXTENSION ext = (PFLOPPY_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_DISK_GET_DRIVE_GEOMETRY:
    case IOCTL_DISK_FORMAT_TRACKS:
        return FloppyQueue(ext, Irp);
    default:
        return FloppyComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

/* ---- configuration ------------------------------------------------------------------- */

/* IoQueryDeviceDescription's callout: once per floppy peripheral of a disk
 * controller on the ISA bus. The controller's configuration data is a
 * CM_FULL_RESOURCE_DESCRIPTOR with its port, interrupt and DMA channel. */
static NTSTATUS FloppyConfigCallout(PVOID Context, PUNICODE_STRING PathName,
                                    INTERFACE_TYPE BusType, ULONG BusNumber,
                                    PKEY_VALUE_FULL_INFORMATION *BusInformation,
                                    CONFIGURATION_TYPE ControllerType, ULONG ControllerNumber,
                                    PKEY_VALUE_FULL_INFORMATION *ControllerInformation,
                                    CONFIGURATION_TYPE PeripheralType, ULONG PeripheralNumber,
                                    PKEY_VALUE_FULL_INFORMATION *PeripheralInformation)
{
    PFLOPPY_CONFIG config = (PFLOPPY_CONFIG)Context;
    UNREFERENCED_PARAMETER(PathName);
    UNREFERENCED_PARAMETER(BusType);
    UNREFERENCED_PARAMETER(BusNumber);
    UNREFERENCED_PARAMETER(BusInformation);
    UNREFERENCED_PARAMETER(ControllerType);
    UNREFERENCED_PARAMETER(PeripheralType);
    UNREFERENCED_PARAMETER(PeripheralNumber);
    UNREFERENCED_PARAMETER(PeripheralInformation);

    config->Drives++;
    if (config->Found || ControllerNumber != 0)
        return STATUS_SUCCESS; /* the first controller's resources */
    PKEY_VALUE_FULL_INFORMATION info = ControllerInformation[IoQueryDeviceConfigurationData];
    ULONG header =
        FIELD_OFFSET(CM_FULL_RESOURCE_DESCRIPTOR, PartialResourceList.PartialDescriptors);
    if (!info || info->DataLength < header)
        return STATUS_SUCCESS;
    PCM_FULL_RESOURCE_DESCRIPTOR full =
        (PCM_FULL_RESOURCE_DESCRIPTOR)((PUCHAR)info + info->DataOffset);
    ULONG count = full->PartialResourceList.Count;
    if (count > (info->DataLength - header) / sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR))
        return STATUS_SUCCESS;
    ULONG have = 0;
    for (ULONG k = 0; k < count; k++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &full->PartialResourceList.PartialDescriptors[k];
        switch (d->Type) {
        case CmResourceTypePort:
            config->PortBase = d->u.Port.Start;
            config->PortLength = d->u.Port.Length;
            have |= 1;
            break;
        case CmResourceTypeInterrupt:
            config->InterruptLevel = d->u.Interrupt.Level;
            config->InterruptVector = d->u.Interrupt.Vector;
            have |= 2;
            break;
        case CmResourceTypeDma:
            config->DmaChannel = d->u.Dma.Channel;
            have |= 4;
            break;
        default:
            break;
        }
    }
    config->Found = have == 7;
    return STATUS_SUCCESS;
}

/* ---- driver and device --------------------------------------------------------------- */

/* Undo whatever DriverEntry got done, in reverse. */
static VOID FloppyTeardown(PDEVICE_OBJECT DeviceObject)
{
    PFLOPPY_EXTENSION ext = (PFLOPPY_EXTENSION)DeviceObject->DeviceExtension;
    if (ext->Thread) {
        ext->Terminate = TRUE;
        KeReleaseSemaphore(&ext->QueueSemaphore, IO_NO_INCREMENT, 1, FALSE);
        KeWaitForSingleObject(ext->Thread, Executive, KernelMode, FALSE, NULL);
        ObDereferenceObject(ext->Thread);
        ext->Thread = NULL;
    }
    if (ext->Interrupt)
        IoDisconnectInterrupt(ext->Interrupt);
    if (ext->FormatMdl)
        IoFreeMdl(ext->FormatMdl);
    if (ext->FormatBuffer)
        ExFreePoolWithTag(ext->FormatBuffer, FLOPPY_TAG);
    if (ext->Adapter) {
        PDMA_ADAPTER adapter = (PDMA_ADAPTER)ext->Adapter;
        adapter->DmaOperations->PutDmaAdapter(adapter);
    }
    if (ext->SymbolicLink.Buffer)
        IoDeleteSymbolicLink(&ext->SymbolicLink);
    IoDeleteDevice(DeviceObject);
}

static VOID FloppyUnload(PDRIVER_OBJECT DriverObject)
{
    if (DriverObject->DeviceObject)
        FloppyTeardown(DriverObject->DeviceObject);
}

/* The hardware side of DriverEntry, on a device object already made. */
static NTSTATUS FloppyStartDevice(PFLOPPY_EXTENSION Ext, const FLOPPY_CONFIG *Config)
{
    ULONG addressSpace = 1; /* I/O space */
    PHYSICAL_ADDRESS translated;
    if (!HalTranslateBusAddress(Isa, 0, Config->PortBase, &addressSpace, &translated))
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    if (addressSpace == 0) {
        Ext->Port = (PUCHAR)MmMapIoSpace(translated, Config->PortLength, MmNonCached);
        if (!Ext->Port)
            return STATUS_INSUFFICIENT_RESOURCES;
    } else {
        Ext->Port = (PUCHAR)(ULONG_PTR)translated.QuadPart;
    }

    DEVICE_DESCRIPTION description;
    RtlZeroMemory(&description, sizeof description);
    description.Version = DEVICE_DESCRIPTION_VERSION;
    description.Master = FALSE;
    description.DmaChannel = Config->DmaChannel;
    description.InterfaceType = Isa;
    description.DmaWidth = Width8Bits;
    description.DmaSpeed = Compatible;
    description.MaximumLength = FLOPPY_MAX_SPT * FLOPPY_SECTOR; /* one 2.88 MB track */
    Ext->Adapter = HalGetAdapter(&description, &Ext->MapRegisters);
    if (!Ext->Adapter || Ext->MapRegisters < 2)
        return STATUS_INSUFFICIENT_RESOURCES;

    Ext->FormatBuffer = (PUCHAR)ExAllocatePoolWithTag(NonPagedPool, PAGE_SIZE, FLOPPY_TAG);
    if (!Ext->FormatBuffer)
        return STATUS_INSUFFICIENT_RESOURCES;
    Ext->FormatMdl = IoAllocateMdl(Ext->FormatBuffer, 4 * FLOPPY_MAX_SPT, FALSE, FALSE, NULL);
    if (!Ext->FormatMdl)
        return STATUS_INSUFFICIENT_RESOURCES;
    MmBuildMdlForNonPagedPool(Ext->FormatMdl);

    KIRQL irql;
    KAFFINITY affinity;
    ULONG vector = HalGetInterruptVector(Isa, 0, Config->InterruptLevel, Config->InterruptVector,
                                         &irql, &affinity);
    NTSTATUS status = IoConnectInterrupt(&Ext->Interrupt, FloppyInterruptService, Ext, NULL,
                                         vector, irql, irql, Latched, FALSE, affinity, FALSE);
    if (!NT_SUCCESS(status)) {
        Ext->Interrupt = NULL;
        return status;
    }

    status = FdcReset(Ext);
    if (!NT_SUCCESS(status))
        return status;

    HANDLE thread;
    status = PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, FloppyThread, Ext);
    if (!NT_SUCCESS(status))
        return status;
    status = ObReferenceObjectByHandle(thread, THREAD_ALL_ACCESS, NULL, KernelMode, &Ext->Thread,
                                       NULL);
    ZwClose(thread);
    if (!NT_SUCCESS(status)) {
        Ext->Thread = NULL;
        return status;
    }
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);

    FLOPPY_CONFIG config;
    RtlZeroMemory(&config, sizeof config);
    INTERFACE_TYPE bus = Isa;
    CONFIGURATION_TYPE controller = DiskController;
    CONFIGURATION_TYPE peripheral = FloppyDiskPeripheral;
    NTSTATUS status = IoQueryDeviceDescription(&bus, NULL, &controller, NULL, &peripheral, NULL,
                                               FloppyConfigCallout, &config);
    if (!NT_SUCCESS(status) || !config.Found)
        return STATUS_NO_SUCH_DEVICE;

    DriverObject->MajorFunction[IRP_MJ_CREATE] = FloppyCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = FloppyCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = FloppyReadWriteDispatch;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = FloppyReadWriteDispatch;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = FloppyDeviceControl;
    DriverObject->DriverUnload = FloppyUnload;

    UNICODE_STRING deviceName;
    RtlInitUnicodeString(&deviceName, L"\\Device\\Floppy0");
    PDEVICE_OBJECT device;
    status = IoCreateDevice(DriverObject, sizeof(FLOPPY_EXTENSION), &deviceName, FILE_DEVICE_DISK,
                            FILE_REMOVABLE_MEDIA | FILE_FLOPPY_DISKETTE, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    device->Flags |= DO_DIRECT_IO;
    device->AlignmentRequirement = FILE_WORD_ALIGNMENT;

    PFLOPPY_EXTENSION ext = (PFLOPPY_EXTENSION)device->DeviceExtension;
    RtlZeroMemory(ext, sizeof *ext);
    ext->DeviceObject = device;
    ext->Drive = 0;
    ext->Cylinder = -1;
    KeInitializeDpc(&ext->Dpc, FloppyDeferred, ext);
    KeInitializeEvent(&ext->InterruptEvent, NotificationEvent, FALSE);
    KeInitializeEvent(&ext->AdapterEvent, NotificationEvent, FALSE);
    InitializeListHead(&ext->Queue);
    KeInitializeSpinLock(&ext->QueueLock);
    KeInitializeSemaphore(&ext->QueueSemaphore, 0, MAXLONG);
    IoCsqInitialize(&ext->Csq, FloppyCsqInsert, FloppyCsqRemove, FloppyCsqPeekNext,
                    FloppyCsqAcquireLock, FloppyCsqReleaseLock, FloppyCsqCompleteCanceled);

    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\DosDevices\\A:");
    status = IoCreateSymbolicLink(&link, &deviceName);
    if (NT_SUCCESS(status))
        ext->SymbolicLink = link;
    if (NT_SUCCESS(status))
        status = FloppyStartDevice(ext, &config);
    if (!NT_SUCCESS(status)) {
        FloppyTeardown(device);
        return status;
    }
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}
