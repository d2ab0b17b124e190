/* SPDX-License-Identifier: MIT */
/*
 * A floppy driver written the way a Windows driver is (see wdm_examples.h):
 * the controller is reached through READ_PORT_UCHAR / WRITE_PORT_UCHAR,
 * memory through the Rtl routines, the DMA channel through the adapter
 * IoGetDmaAdapter returns. A request is the packet-based sequence:
 * IoAllocateMdl, KeFlushIoBuffers, AllocateAdapterChannel, whose
 * AdapterControl routine keeps the adapter (KeepObject); then per piece
 * MapTransfer (which programs the 8237's channel 2), the controller's READ
 * or WRITE DATA, its interrupt, FlushAdapterBuffers; FreeAdapterChannel and
 * IoFreeMdl at the end. IRP-less: the caller's thread waits for the
 * interrupt through the environment. Freestanding.
 */
#include "wdm_examples.h"

#define FDC_DOR ((PUCHAR)0x3F2)
#define FDC_MSR ((PUCHAR)0x3F4)
#define FDC_DATA ((PUCHAR)0x3F5)
#define FDC_CCR ((PUCHAR)0x3F7)
#define MSR_RQM 0x80
#define MSR_DIO 0x40
#define FDC_TIMEOUT_US 2000000
#define SECTOR 512

/* One byte to the controller's FIFO when it asks for one. */
static BOOLEAN FdcSend(PFLOPPY_EXTENSION Ext, UCHAR Byte)
{
    for (ULONG k = 0; k < 100000; k++) {
        UCHAR msr = READ_PORT_UCHAR(FDC_MSR);
        if ((msr & (MSR_RQM | MSR_DIO)) == MSR_RQM) {
            WRITE_PORT_UCHAR(FDC_DATA, Byte);
            return TRUE;
        }
        if ((k & 255) == 255)
            Ext->Env.Stall(Ext->Env.Ctx, 10);
    }
    return FALSE;
}

/* One result byte from the controller. */
static BOOLEAN FdcReceive(PFLOPPY_EXTENSION Ext, PUCHAR Byte)
{
    for (ULONG k = 0; k < 100000; k++) {
        UCHAR msr = READ_PORT_UCHAR(FDC_MSR);
        if ((msr & (MSR_RQM | MSR_DIO)) == (MSR_RQM | MSR_DIO)) {
            *Byte = READ_PORT_UCHAR(FDC_DATA);
            return TRUE;
        }
        if ((k & 255) == 255)
            Ext->Env.Stall(Ext->Env.Ctx, 10);
    }
    return FALSE;
}

static BOOLEAN FdcCommand(PFLOPPY_EXTENSION Ext, const UCHAR *Bytes, ULONG Count)
{
    for (ULONG k = 0; k < Count; k++)
        if (!FdcSend(Ext, Bytes[k]))
            return FALSE;
    return TRUE;
}

/* SENSE INTERRUPT STATUS after a seek, a recalibrate or a reset. */
static BOOLEAN FdcSense(PFLOPPY_EXTENSION Ext, PUCHAR St0, PUCHAR Cylinder)
{
    static const UCHAR sense[] = {0x08};
    return FdcCommand(Ext, sense, 1) && FdcReceive(Ext, St0) && FdcReceive(Ext, Cylinder);
}

static NTSTATUS FdcSeek(PFLOPPY_EXTENSION Ext, ULONG Cylinder, ULONG Head, BOOLEAN Recalibrate)
{
    UCHAR cmd[3] = {0x0F, (UCHAR)(Head << 2 | Ext->Drive), (UCHAR)Cylinder};
    if (Recalibrate)
        cmd[0] = 0x07;
    if (!FdcCommand(Ext, cmd, Recalibrate ? 2 : 3))
        return STATUS_DEVICE_DATA_ERROR;
    if (!Ext->Env.WaitInterrupt(Ext->Env.Ctx, FDC_TIMEOUT_US))
        return STATUS_IO_TIMEOUT;
    UCHAR st0, cyl;
    if (!FdcSense(Ext, &st0, &cyl) || (st0 & 0xC0) || cyl != Cylinder)
        return STATUS_DEVICE_DATA_ERROR;
    Ext->Cylinder = (LONG)Cylinder;
    return STATUS_SUCCESS;
}

static NTSTATUS FdcReset(PFLOPPY_EXTENSION Ext)
{
    WRITE_PORT_UCHAR(FDC_DOR, 0x00);
    Ext->Env.Stall(Ext->Env.Ctx, 10);
    /* Out of reset, DMA and interrupt enabled, our drive's motor on. */
    WRITE_PORT_UCHAR(FDC_DOR, (UCHAR)(0x0C | Ext->Drive | (0x10 << Ext->Drive)));
    if (!Ext->Env.WaitInterrupt(Ext->Env.Ctx, FDC_TIMEOUT_US))
        return STATUS_IO_TIMEOUT;
    for (int k = 0; k < 4; k++) {
        UCHAR st0, cyl;
        if (!FdcSense(Ext, &st0, &cyl))
            return STATUS_DEVICE_DATA_ERROR;
    }
    WRITE_PORT_UCHAR(FDC_CCR, (UCHAR)Ext->DataRate);
    static const UCHAR specify[] = {0x03, 0xDF, 0x02}; /* step/unload, load; DMA mode */
    if (!FdcCommand(Ext, specify, sizeof specify))
        return STATUS_DEVICE_DATA_ERROR;
    Ext->Env.Stall(Ext->Env.Ctx, 300000); /* motor spin-up */
    NTSTATUS status = FdcSeek(Ext, 0, 0, TRUE);
    if (!NT_SUCCESS(status)) /* 80 tracks may take two recalibrates */
        status = FdcSeek(Ext, 0, 0, TRUE);
    return status;
}

NTSTATUS FloppyOpen(PDEVICE_OBJECT Pdo, const FLOPPY_ENV *Env, ULONG Drive, ULONG DiskBytes,
                    PFLOPPY_EXTENSION Ext)
{
    ULONG spt = DiskBytes == 737280 ? 9 : DiskBytes == 1474560 ? 18 : DiskBytes == 2949120 ? 36 : 0;
    if (!Pdo || !Env || !Ext || Drive > 1 || !spt)
        return STATUS_INVALID_PARAMETER;
    RtlZeroMemory(Ext, sizeof *Ext);
    RtlCopyMemory(&Ext->Env, Env, sizeof *Env);
    Ext->Pdo = Pdo;
    Ext->Drive = Drive;
    Ext->SectorsPerTrack = spt;
    Ext->Heads = 2;
    Ext->Cylinders = 80;
    Ext->DataRate = spt == 9 ? 2 : spt == 18 ? 0 : 3;
    Ext->Cylinder = -1;
    DEVICE_DESCRIPTION dd;
    RtlZeroMemory(&dd, sizeof dd);
    dd.Version = DEVICE_DESCRIPTION_VERSION2;
    dd.DmaChannel = 2;
    dd.InterfaceType = Isa;
    dd.DmaWidth = Width8Bits;
    dd.DmaSpeed = Compatible;
    dd.MaximumLength = spt * 2 * SECTOR; /* one cylinder, both heads */
    Ext->Adapter = IoGetDmaAdapter(Pdo, &dd, &Ext->MapRegisters);
    if (!Ext->Adapter)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = FdcReset(Ext);
    if (!NT_SUCCESS(status)) {
        Ext->Adapter->DmaOperations->PutDmaAdapter(Ext->Adapter);
        Ext->Adapter = NULL;
    }
    return status;
}

VOID FloppyClose(PFLOPPY_EXTENSION Ext)
{
    if (Ext && Ext->Adapter) {
        WRITE_PORT_UCHAR(FDC_DOR, 0x0C); /* motors off */
        Ext->Adapter->DmaOperations->PutDmaAdapter(Ext->Adapter);
        Ext->Adapter = NULL;
    }
}

static DRIVER_CONTROL FloppyAdapterControl;

/* The channel and map registers are ours: keep them until the request ends. */
static IO_ALLOCATION_ACTION FloppyAdapterControl(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                                 PVOID MapRegisterBase, PVOID Context)
{
    (void)DeviceObject;
    (void)Irp;
    PFLOPPY_EXTENSION ext = (PFLOPPY_EXTENSION)Context;
    ext->MapRegisterBase = MapRegisterBase;
    ext->Granted = TRUE;
    return KeepObject;
}

/* READ or WRITE DATA for the sectors from (Cylinder, Head, Sector) to the
 * end of what the DMA count allows: the terminal count ends the command. */
static NTSTATUS FdcData(PFLOPPY_EXTENSION Ext, BOOLEAN Write, ULONG Cylinder, ULONG Head,
                        ULONG Sector)
{
    NTSTATUS status = STATUS_SUCCESS;
    if (Ext->Cylinder != (LONG)Cylinder)
        status = FdcSeek(Ext, Cylinder, Head, FALSE);
    if (!NT_SUCCESS(status))
        return status;
    UCHAR cmd[9] = {Write ? 0xC5 : 0xE6, (UCHAR)(Head << 2 | Ext->Drive), (UCHAR)Cylinder,
                    (UCHAR)Head, (UCHAR)Sector, 2, (UCHAR)Ext->SectorsPerTrack, 0x1B, 0xFF};
    if (!FdcCommand(Ext, cmd, sizeof cmd))
        return STATUS_DEVICE_DATA_ERROR;
    if (!Ext->Env.WaitInterrupt(Ext->Env.Ctx, FDC_TIMEOUT_US))
        return STATUS_IO_TIMEOUT;
    for (int k = 0; k < 7; k++)
        if (!FdcReceive(Ext, &Ext->Result[k]))
            return STATUS_DEVICE_DATA_ERROR;
    if ((Ext->Result[0] & 0xC0) == 0)
        return STATUS_SUCCESS;
    return (Ext->Result[1] & 0x02) ? STATUS_MEDIA_WRITE_PROTECTED : STATUS_DEVICE_DATA_ERROR;
}

NTSTATUS FloppyTransfer(PFLOPPY_EXTENSION Ext, ULONG Lba, ULONG Count, PVOID Buffer,
                        BOOLEAN Write)
{
    if (!Ext || !Ext->Adapter || !Buffer || Count == 0)
        return STATUS_INVALID_PARAMETER;
    ULONG total = Ext->Cylinders * Ext->Heads * Ext->SectorsPerTrack;
    if (Lba >= total || Count > total - Lba)
        return STATUS_INVALID_PARAMETER;
    const DMA_OPERATIONS *ops = Ext->Adapter->DmaOperations;
    PMDL mdl = IoAllocateMdl(Buffer, Count * SECTOR, FALSE, FALSE, NULL);
    if (!mdl)
        return STATUS_INSUFFICIENT_RESOURCES;
    MmBuildMdlForNonPagedPool(mdl);
    KeFlushIoBuffers(mdl, !Write, TRUE);
    Ext->Granted = FALSE;
    NTSTATUS status = ops->AllocateAdapterChannel(Ext->Adapter, Ext->Pdo, Ext->MapRegisters,
                                                  FloppyAdapterControl, Ext);
    for (ULONG k = 0; NT_SUCCESS(status) && !Ext->Granted && k < 1000; k++)
        Ext->Env.Stall(Ext->Env.Ctx, 1000); /* another driver holds channel 2 */
    if (NT_SUCCESS(status) && !Ext->Granted)
        status = STATUS_DEVICE_BUSY; /* (its routine still runs, later, and keeps it) */
    if (!NT_SUCCESS(status)) {
        IoFreeMdl(mdl);
        return status;
    }
    PUCHAR base = (PUCHAR)MmGetMdlVirtualAddress(mdl);
    ULONG maxSectors = Ext->MapRegisters * PAGE_SIZE / SECTOR;
    ULONG done = 0;
    while (done < Count && NT_SUCCESS(status)) {
        ULONG at = Lba + done;
        ULONG sector = at % Ext->SectorsPerTrack + 1;
        ULONG head = at / Ext->SectorsPerTrack % Ext->Heads;
        ULONG cylinder = at / (Ext->SectorsPerTrack * Ext->Heads);
        /* To the end of the cylinder (multi-track), within the map registers. */
        ULONG n = (Ext->Heads - head) * Ext->SectorsPerTrack - (sector - 1);
        if (n > Count - done)
            n = Count - done;
        if (n > maxSectors)
            n = maxSectors;
        ULONG length = n * SECTOR;
        PVOID va = base + (SIZE_T)done * SECTOR;
        PHYSICAL_ADDRESS logical =
            ops->MapTransfer(Ext->Adapter, mdl, Ext->MapRegisterBase, va, &length, Write);
        if (logical.QuadPart == 0 || length != n * SECTOR) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        status = FdcData(Ext, Write, cylinder, head, sector);
        if (!ops->FlushAdapterBuffers(Ext->Adapter, mdl, Ext->MapRegisterBase, va, length, Write) &&
            NT_SUCCESS(status))
            status = STATUS_DEVICE_DATA_ERROR;
        if (!NT_SUCCESS(status))
            Ext->Cylinder = -1; /* seek afresh next time */
        done += n;
        Ext->Pieces++;
    }
    ops->FreeAdapterChannel(Ext->Adapter);
    IoFreeMdl(mdl);
    return status;
}
