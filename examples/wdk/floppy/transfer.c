/* SPDX-License-Identifier: MIT */
/*
 * The floppy driver's DMA, in the packet-based system-DMA sequence of the
 * legacy calls:
 *
 *   KeFlushIoBuffers                      once per request
 *   IoAllocateAdapterChannel              at DISPATCH_LEVEL; the
 *     -> FloppyAdapterControl             AdapterControl routine keeps the
 *                                         channel (KeepObject) and wakes
 *                                         the worker
 *   per piece: IoMapTransfer              programs channel 2 of the 8237
 *              READ/WRITE DATA or FORMAT  the controller moves the bytes,
 *              the interrupt              terminal count ends the command
 *              IoFlushAdapterBuffers      copies bounced reads back
 *   IoFreeAdapterChannel                  at DISPATCH_LEVEL
 *
 * A piece is at most what the map registers cover from its start address
 * and never crosses a cylinder (the controller's multi-track mode goes from
 * head 0 to head 1 of one cylinder), so a request is split the way the
 * WDK's "splitting transfer requests" describes.
 */
#include "floppy.h"

static IO_ALLOCATION_ACTION FloppyAdapterControl(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                                 PVOID MapRegisterBase, PVOID Context)
{
    PFLOPPY_EXTENSION ext = (PFLOPPY_EXTENSION)Context;
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    ext->MapRegisterBase = MapRegisterBase;
#ifndef BROKEN_NO_SIGNAL
    KeSetEvent(&ext->AdapterEvent, IO_NO_INCREMENT, FALSE);
#endif
    return KeepObject; /* system DMA: the channel stays ours until the request ends */
}

/* Own channel 2 and NumberOfMapRegisters map registers: the AdapterControl
 * routine may run inside the call or later, when another owner frees the
 * channel; either way the worker continues once it has run. */
static NTSTATUS FloppyAcquireChannel(PFLOPPY_EXTENSION Ext, ULONG NumberOfMapRegisters)
{
    KIRQL oldIrql;
    KeClearEvent(&Ext->AdapterEvent);
    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    NTSTATUS status = IoAllocateAdapterChannel(Ext->Adapter, Ext->DeviceObject,
                                               NumberOfMapRegisters, FloppyAdapterControl, Ext);
    KeLowerIrql(oldIrql);
    if (!NT_SUCCESS(status))
        return status;
    return KeWaitForSingleObject(&Ext->AdapterEvent, Executive, KernelMode, FALSE, NULL);
}

static VOID FloppyReleaseChannel(PFLOPPY_EXTENSION Ext)
{
    KIRQL oldIrql;
    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    IoFreeAdapterChannel(Ext->Adapter);
#ifdef BROKEN_DOUBLE_FREE
    IoFreeAdapterChannel(Ext->Adapter);
#endif
    KeLowerIrql(oldIrql);
    Ext->MapRegisterBase = NULL;
}

/* What the seven result bytes of a data command or a format say. */
static NTSTATUS FloppyResultStatus(PFLOPPY_EXTENSION Ext)
{
    if (Ext->ResultCount != FLOPPY_RESULT_BYTES)
        return STATUS_DEVICE_DATA_ERROR;
    if ((Ext->Result[0] & ST0_IC_MASK) == 0)
        return STATUS_SUCCESS;
    if (Ext->Result[1] & ST1_NOT_WRITABLE)
        return STATUS_MEDIA_WRITE_PROTECTED;
    return STATUS_DEVICE_DATA_ERROR;
}

/*
 * One piece: map it (which programs the DMA channel), give the controller
 * its command, wait for the interrupt, flush. The flush comes whatever the
 * outcome: every IoMapTransfer has its IoFlushAdapterBuffers.
 */
static NTSTATUS FloppyPiece(PFLOPPY_EXTENSION Ext, PMDL Mdl, PVOID CurrentVa, ULONG Length,
                            BOOLEAN WriteToDevice, const UCHAR *Command, ULONG CommandBytes)
{
    ULONG length = Length;
    IoMapTransfer(Ext->Adapter, Mdl, Ext->MapRegisterBase, CurrentVa, &length, WriteToDevice);
    NTSTATUS status = FdcCommandWait(Ext, Command, CommandBytes);
    if (NT_SUCCESS(status))
        status = FloppyResultStatus(Ext);
#ifndef BROKEN_NO_FLUSH
    if (!IoFlushAdapterBuffers(Ext->Adapter, Mdl, Ext->MapRegisterBase, CurrentVa, length,
                               WriteToDevice) &&
        NT_SUCCESS(status))
        status = STATUS_DEVICE_DATA_ERROR;
#endif
    if (length != Length && NT_SUCCESS(status))
        status = STATUS_DEVICE_DATA_ERROR; /* a system adapter maps the whole piece */
    if (status == STATUS_IO_TIMEOUT)
        FdcReset(Ext);
    else if (!NT_SUCCESS(status))
        Ext->Cylinder = -1; /* recalibrate before the next command */
    return status;
}

/* IRP_MJ_READ and IRP_MJ_WRITE, checked by the dispatch routine for
 * sector alignment. Irp->IoStatus.Information gets the bytes moved. */
NTSTATUS FloppyReadWrite(PFLOPPY_EXTENSION Ext, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    BOOLEAN write = stack->MajorFunction == IRP_MJ_WRITE;
    LONGLONG offset = write ? stack->Parameters.Write.ByteOffset.QuadPart
                            : stack->Parameters.Read.ByteOffset.QuadPart;
    ULONG length = write ? stack->Parameters.Write.Length : stack->Parameters.Read.Length;
    PMDL mdl = Irp->MdlAddress;

    Irp->IoStatus.Information = 0;
    NTSTATUS status = FdcDetectMedia(Ext);
    if (!NT_SUCCESS(status))
        return status;
    const FLOPPY_MEDIA *media = Ext->Media;
    ULONG spt = media->SectorsPerTrack;
    LONGLONG diskBytes = (LONGLONG)FLOPPY_CYLINDERS * FLOPPY_HEADS * spt * FLOPPY_SECTOR;
    if (offset < 0 || offset > diskBytes || length > diskBytes - offset)
        return STATUS_INVALID_PARAMETER;
    if (length == 0)
        return STATUS_SUCCESS;
    if (!mdl)
        return STATUS_INVALID_PARAMETER;

    KeFlushIoBuffers(mdl, !write, TRUE);
    status = FloppyAcquireChannel(Ext, Ext->MapRegisters);
    if (!NT_SUCCESS(status))
        return status;
    PUCHAR base = (PUCHAR)MmGetMdlVirtualAddress(mdl);
    ULONG done = 0;
    while (done < length && NT_SUCCESS(status)) {
        ULONG lba = (ULONG)(offset / FLOPPY_SECTOR) + done / FLOPPY_SECTOR;
        ULONG sector = lba % spt + 1;
        ULONG head = lba / spt % FLOPPY_HEADS;
        ULONG cylinder = lba / (spt * FLOPPY_HEADS);
        PUCHAR va = base + done;
        ULONG sectors = (FLOPPY_HEADS - head) * spt - (sector - 1); /* to the cylinder's end */
        ULONG reach = (Ext->MapRegisters * PAGE_SIZE - BYTE_OFFSET(va)) / FLOPPY_SECTOR;
        if (sectors > (length - done) / FLOPPY_SECTOR)
            sectors = (length - done) / FLOPPY_SECTOR;
        if (sectors > reach)
            sectors = reach;
        status = FdcSeek(Ext, cylinder, head);
        if (!NT_SUCCESS(status))
            break;
        UCHAR cmd[9] = {write ? CMD_WRITE_DATA : CMD_READ_DATA,
                        (UCHAR)(head << 2 | Ext->Drive),
                        (UCHAR)cylinder,
                        (UCHAR)head,
                        (UCHAR)sector,
                        2, /* 512-byte sectors */
                        (UCHAR)spt,
                        media->ReadWriteGap,
                        0xFF};
        status = FloppyPiece(Ext, mdl, va, sectors * FLOPPY_SECTOR, write, cmd, sizeof cmd);
        if (NT_SUCCESS(status))
            done += sectors * FLOPPY_SECTOR;
    }
    FloppyReleaseChannel(Ext);
    Irp->IoStatus.Information = done;
    return status;
}

/*
 * IOCTL_DISK_FORMAT_TRACKS: FORMAT TRACK on each track from
 * (StartCylinderNumber, StartHeadNumber) to (EndCylinderNumber,
 * EndHeadNumber), heads StartHead..EndHead on every cylinder, with
 * sectors 1..n of 512 bytes. The ID bytes (C, H, R, N per sector) go to
 * the controller by DMA from FormatBuffer. The medium formatted becomes
 * the medium the driver reads and writes.
 */
NTSTATUS FloppyFormat(PFLOPPY_EXTENSION Ext, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (stack->Parameters.DeviceIoControl.InputBufferLength < sizeof(FORMAT_PARAMETERS))
        return STATUS_INVALID_PARAMETER;
    PFORMAT_PARAMETERS fp = (PFORMAT_PARAMETERS)Irp->AssociatedIrp.SystemBuffer;
    const FLOPPY_MEDIA *media = FdcMediaFor(fp->MediaType);
    if (!media || fp->StartCylinderNumber > fp->EndCylinderNumber ||
        fp->EndCylinderNumber >= FLOPPY_CYLINDERS || fp->StartHeadNumber > fp->EndHeadNumber ||
        fp->EndHeadNumber >= FLOPPY_HEADS)
        return STATUS_INVALID_PARAMETER;

    FdcMotorOn(Ext);
    if (Ext->Media != media) {
        Ext->Media = media;
        WRITE_PORT_UCHAR(Ext->Port + FDC_CCR, media->DataRate);
    }
    Ext->MediaKnown = TRUE;
    ULONG spt = media->SectorsPerTrack;
    ULONG idBytes = 4 * spt;
    PMDL mdl = Ext->FormatMdl;
    PVOID va = MmGetMdlVirtualAddress(mdl);
    KeFlushIoBuffers(mdl, FALSE, TRUE);
    NTSTATUS status =
        FloppyAcquireChannel(Ext, ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, idBytes));
    if (!NT_SUCCESS(status))
        return status;
    for (ULONG c = fp->StartCylinderNumber; c <= fp->EndCylinderNumber && NT_SUCCESS(status);
         c++) {
        for (ULONG h = fp->StartHeadNumber; h <= fp->EndHeadNumber && NT_SUCCESS(status); h++) {
            for (ULONG s = 0; s < spt; s++) {
                Ext->FormatBuffer[4 * s] = (UCHAR)c;
                Ext->FormatBuffer[4 * s + 1] = (UCHAR)h;
                Ext->FormatBuffer[4 * s + 2] = (UCHAR)(s + 1);
                Ext->FormatBuffer[4 * s + 3] = 2;
            }
            status = FdcSeek(Ext, c, h);
            if (!NT_SUCCESS(status))
                break;
            UCHAR cmd[6] = {CMD_FORMAT_TRACK, (UCHAR)(h << 2 | Ext->Drive), 2, (UCHAR)spt,
                            media->FormatGap, 0xF6};
            status = FloppyPiece(Ext, mdl, va, idBytes, TRUE, cmd, sizeof cmd);
        }
    }
    FloppyReleaseChannel(Ext);
    return status;
}
