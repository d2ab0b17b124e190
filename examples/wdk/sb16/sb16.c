/* SPDX-License-Identifier: MIT */
/*
 * A small NT-style Sound Blaster 16 playback driver: common-buffer system
 * DMA with auto-initialize.
 *
 * DriverEntry finds the card (IoQueryDeviceDescription: the audio
 * controller on the ISA bus, its port, interrupt and its 8-bit and 16-bit
 * DMA channels), reads the default format from its Parameters key
 * (RtlQueryRegistryValues: SampleRate, BitsPerSample), resets the DSP and
 * checks its version, and for each channel gets the adapter with a
 * DEVICE_DESCRIPTION that asks for AutoInitialize, allocates a common
 * buffer (HalAllocateCommonBuffer) and an MDL for it; then it connects
 * the interrupt. 8-bit audio (unsigned) plays through the 8-bit channel,
 * 16-bit audio (signed) through the 16-bit one.
 *
 * A write plays its buffer, exactly: the two halves of the common buffer
 * are filled, the channel allocated (IoAllocateAdapterChannel; the
 * AdapterControl routine keeps it), the whole common buffer mapped once
 * (IoMapTransfer programs the 8237 in auto-initialize mode), and the DSP
 * started with a block of half the buffer in auto-initialize mode. Each
 * block interrupt means one half has been played: the ISR acknowledges
 * the DSP and queues the DPC, which reads the DMA position
 * (HalReadDmaCounter) to see which half the controller is in and refills
 * the other. When the half now playing is the last full one, the DPC
 * tells the DSP to leave auto-initialize mode after it; the bytes that
 * remain (less than a half, already in the next half) go as one
 * single-cycle block, which the 8237 — still auto-initializing — feeds
 * from where it stands. At the last block's interrupt the DPC flushes,
 * frees the channel and completes the write.
 */
#include <ntddk.h>

#include "sb16_ioctl.h"

#define SB16_TAG ((ULONG)0x36316253) /* "Sb16" in a pool dump */
#define SB16_BUFFER 8192             /* common buffer: two halves of 4 KiB */
#define SB16_HALF (SB16_BUFFER / 2)
#define SB16_SILENCE8 0x80          /* unsigned 8-bit; signed 16-bit silence is 0 */

/* DSP registers, offsets from the base port. */
#define DSP_MIXER_INDEX 0x4
#define DSP_MIXER_DATA 0x5
#define DSP_RESET 0x6
#define DSP_READ 0xA
#define DSP_WRITE 0xC                /* read: bit 7 set while busy */
#define DSP_READ_STATUS 0xE          /* bit 7: data to read; reading acknowledges 8-bit IRQs */
#define DSP_ACK16 0xF

#define MIXER_IRQ_STATUS 0x82        /* bit 0: 8-bit DMA interrupt, bit 1: 16-bit */

#define DSP_SET_OUTPUT_RATE 0x41
#define DSP_PLAY8_AUTO 0xC6          /* 8-bit generic command: output, auto-init, FIFO */
#define DSP_PLAY8_SINGLE 0xC0        /* 8-bit generic command: output, single-cycle */
#define DSP_PLAY16_AUTO 0xB6         /* 16-bit generic command: output, auto-init, FIFO */
#define DSP_PLAY16_SINGLE 0xB0       /* 16-bit generic command: output, single-cycle */
#define DSP_MODE_SIGNED 0x10         /* mode byte: signed samples (mono: bit 5 clear) */
#define DSP_EXIT_AUTO16 0xD9
#define DSP_EXIT_AUTO8 0xDA
#define DSP_SPEAKER_ON 0xD1
#define DSP_SPEAKER_OFF 0xD3
#define DSP_VERSION 0xE1

/* One DMA channel: its adapter and its common buffer. */
typedef struct _SB16_DMA {
    PADAPTER_OBJECT Adapter;
    ULONG MapRegisters;
    PUCHAR Buffer;               /* the common buffer */
    PHYSICAL_ADDRESS BufferLogical;
    PMDL BufferMdl;
} SB16_DMA, *PSB16_DMA;

typedef struct _SB16_EXTENSION {
    PDEVICE_OBJECT DeviceObject;
    UNICODE_STRING SymbolicLink;
    PUCHAR Port;
    UCHAR DspMajor, DspMinor;
    PKINTERRUPT Interrupt;
    KDPC Dpc;
    KSPIN_LOCK Lock;             /* the playback state below */

    SB16_DMA Dma[2];             /* [0]: the 8-bit channel, [1]: the 16-bit one */
    PSB16_DMA Active;            /* the write's channel */
    PVOID MapRegisterBase;

    ULONG SamplesPerSecond;
    ULONG BitsPerSample;         /* 8 or 16 */
    PIRP CurrentIrp;             /* the write playing; NULL when idle */
    const UCHAR *Source;         /* its data */
    ULONG SourceBytes;
    ULONG SourceTaken;           /* bytes copied into the buffer so far */
    ULONG FullBlocks;            /* whole halves of the write: SourceBytes / half */
    ULONG Tail;                  /* bytes after them: SourceBytes % half */
    BOOLEAN InTail;              /* the single-cycle tail block is playing */
    BOOLEAN StartFailed;         /* the DSP did not take the start commands */
    SB16_POSITION Position;
} SB16_EXTENSION, *PSB16_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD Sb16Unload;
static DRIVER_DISPATCH Sb16CreateClose;
static DRIVER_DISPATCH Sb16Write;
static DRIVER_DISPATCH Sb16DeviceControl;

/* ---- the DSP ------------------------------------------------------------------------- */

static BOOLEAN DspWrite(PSB16_EXTENSION Ext, UCHAR Value)
{
    for (ULONG k = 0; k < 10000; k++) {
        if (!(READ_PORT_UCHAR(Ext->Port + DSP_WRITE) & 0x80)) {
            WRITE_PORT_UCHAR(Ext->Port + DSP_WRITE, Value);
            return TRUE;
        }
        KeStallExecutionProcessor(1);
    }
    return FALSE;
}

static BOOLEAN DspRead(PSB16_EXTENSION Ext, PUCHAR Value)
{
    for (ULONG k = 0; k < 10000; k++) {
        if (READ_PORT_UCHAR(Ext->Port + DSP_READ_STATUS) & 0x80) {
            *Value = READ_PORT_UCHAR(Ext->Port + DSP_READ);
            return TRUE;
        }
        KeStallExecutionProcessor(1);
    }
    return FALSE;
}

/* Reset: 1 then 0 on the reset port, 3 µs apart; the DSP answers 0xAA. */
static NTSTATUS DspReset(PSB16_EXTENSION Ext)
{
    UCHAR value = 0;
    WRITE_PORT_UCHAR(Ext->Port + DSP_RESET, 1);
    KeStallExecutionProcessor(3);
    WRITE_PORT_UCHAR(Ext->Port + DSP_RESET, 0);
    if (!DspRead(Ext, &value) || value != 0xAA)
        return STATUS_DEVICE_NOT_CONNECTED;
    if (!DspWrite(Ext, DSP_VERSION) || !DspRead(Ext, &Ext->DspMajor) ||
        !DspRead(Ext, &Ext->DspMinor))
        return STATUS_DEVICE_NOT_CONNECTED;
    return Ext->DspMajor >= 4 ? STATUS_SUCCESS : STATUS_NOT_SUPPORTED;
}

/* ---- the buffer ---------------------------------------------------------------------- */

/* Fill half Index with the next SB16_HALF bytes of the source, silence
 * where it has run out. */
static VOID Sb16Fill(PSB16_EXTENSION Ext, ULONG Index)
{
    PUCHAR half = Ext->Active->Buffer + Index * SB16_HALF;
    ULONG take = Ext->SourceBytes - Ext->SourceTaken;
    if (take > SB16_HALF)
        take = SB16_HALF;
    RtlCopyMemory(half, Ext->Source + Ext->SourceTaken, take);
    RtlFillMemory(half + take, SB16_HALF - take,
                  Ext->BitsPerSample == 8 ? SB16_SILENCE8 : 0);
    Ext->SourceTaken += take;
}

/* ---- interrupt ----------------------------------------------------------------------- */

static BOOLEAN Sb16Isr(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PSB16_EXTENSION ext = (PSB16_EXTENSION)ServiceContext;
    UNREFERENCED_PARAMETER(Interrupt);
    WRITE_PORT_UCHAR(ext->Port + DSP_MIXER_INDEX, MIXER_IRQ_STATUS);
    UCHAR status = READ_PORT_UCHAR(ext->Port + DSP_MIXER_DATA);
    if (!(status & 3))
        return FALSE; /* not the DSP's */
    if (status & 2)
        READ_PORT_UCHAR(ext->Port + DSP_ACK16);
    if (status & 1)
        READ_PORT_UCHAR(ext->Port + DSP_READ_STATUS);
    KeInsertQueueDpc(&ext->Dpc, NULL, NULL);
    return TRUE;
}

/* The end of a write: stop the DMA, give the channel back, complete. */
static PIRP Sb16Finish(PSB16_EXTENSION Ext)
{
    PIRP irp = Ext->CurrentIrp;
    PSB16_DMA dma = Ext->Active;
    IoFlushAdapterBuffers(dma->Adapter, dma->BufferMdl, Ext->MapRegisterBase,
                          MmGetMdlVirtualAddress(dma->BufferMdl), SB16_BUFFER, TRUE);
    IoFreeAdapterChannel(dma->Adapter);
    Ext->MapRegisterBase = NULL;
    DspWrite(Ext, DSP_SPEAKER_OFF);
    Ext->CurrentIrp = NULL;
    DbgPrint("sb16: played %u bytes in %u blocks, %u position mismatches\n",
             (unsigned)Ext->SourceBytes, (unsigned)Ext->Position.Interrupts,
             (unsigned)Ext->Position.HalfMismatches);
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = Ext->SourceBytes;
    return irp;
}

/* Start a single-cycle block of Bytes (the tail of a write). */
static BOOLEAN DspPlaySingle(PSB16_EXTENSION Ext, ULONG Bytes)
{
    BOOLEAN wide = Ext->BitsPerSample == 16;
    USHORT units = (USHORT)(Bytes / (wide ? 2 : 1) - 1); /* samples − 1 */
    return DspWrite(Ext, wide ? DSP_PLAY16_SINGLE : DSP_PLAY8_SINGLE) &&
           DspWrite(Ext, wide ? DSP_MODE_SIGNED : 0x00) && DspWrite(Ext, (UCHAR)units) &&
           DspWrite(Ext, (UCHAR)(units >> 8));
}

/* Start the auto-initialize blocks of half the buffer each. */
static BOOLEAN DspPlayAuto(PSB16_EXTENSION Ext)
{
    BOOLEAN wide = Ext->BitsPerSample == 16;
    USHORT units = (USHORT)(SB16_HALF / (wide ? 2 : 1) - 1);
    return DspWrite(Ext, wide ? DSP_PLAY16_AUTO : DSP_PLAY8_AUTO) &&
           DspWrite(Ext, wide ? DSP_MODE_SIGNED : 0x00) && DspWrite(Ext, (UCHAR)units) &&
           DspWrite(Ext, (UCHAR)(units >> 8));
}

static BOOLEAN DspExitAuto(PSB16_EXTENSION Ext)
{
    return DspWrite(Ext, Ext->BitsPerSample == 16 ? DSP_EXIT_AUTO16 : DSP_EXIT_AUTO8);
}

/*
 * One block played. Full block i (0, 1, 2, ...) plays from half i mod 2;
 * at the interrupt that ends block i - 1 the controller stands in half
 * i mod 2, which HalReadDmaCounter confirms (more than half the buffer
 * left: the first half). The half just played takes block i + 1 — the
 * tail when i + 1 is the last. After the last full block the tail, if
 * any, plays as a single-cycle block; after that the write is done.
 */
static VOID Sb16Dpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1,
                    PVOID SystemArgument2)
{
    PSB16_EXTENSION ext = (PSB16_EXTENSION)DeferredContext;
    PIRP done = NULL;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);

    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    if (ext->CurrentIrp) {
        ULONG counter = HalReadDmaCounter(ext->Active->Adapter);
        ULONG block = ++ext->Position.Interrupts; /* blocks ended; the next one's index */
        ext->Position.DmaCounter = counter;
        if (ext->InTail) {
            ext->Position.BytesPlayed = ext->SourceBytes;
            done = Sb16Finish(ext);
        } else {
            ULONG playing = counter > SB16_HALF ? 0 : 1;
            if (playing != block % 2)
                ext->Position.HalfMismatches++;
            ext->Position.BytesPlayed = block * SB16_HALF;
            if (block < ext->FullBlocks) {
                Sb16Fill(ext, (block + 1) % 2);
                if (block + 1 == ext->FullBlocks) /* the block playing is the last full one */
                    DspExitAuto(ext);
            } else if (ext->Tail) {
                ext->InTail = TRUE; /* the DSP stopped; the tail waits in half `block` mod 2 */
                if (!DspPlaySingle(ext, ext->Tail))
                    done = Sb16Finish(ext);
            } else {
                done = Sb16Finish(ext);
            }
        }
    }
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    if (done)
        IoCompleteRequest(done, IO_SOUND_INCREMENT);
}

/* ---- playback ------------------------------------------------------------------------ */

/* The channel is ours: map the whole common buffer once (the controller
 * runs it in auto-initialize mode from now on) and start the DSP. */
static IO_ALLOCATION_ACTION Sb16AdapterControl(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                               PVOID MapRegisterBase, PVOID Context)
{
    PSB16_EXTENSION ext = (PSB16_EXTENSION)Context;
    ULONG length = SB16_BUFFER;
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    PSB16_DMA dma = ext->Active;
    ext->MapRegisterBase = MapRegisterBase;
    IoMapTransfer(dma->Adapter, dma->BufferMdl, MapRegisterBase,
                  MmGetMdlVirtualAddress(dma->BufferMdl), &length, TRUE);
    BOOLEAN ok = DspWrite(ext, DSP_SPEAKER_ON) && DspWrite(ext, DSP_SET_OUTPUT_RATE) &&
                 DspWrite(ext, (UCHAR)(ext->SamplesPerSecond >> 8)) &&
                 DspWrite(ext, (UCHAR)ext->SamplesPerSecond);
    if (ok && ext->FullBlocks == 0) {
        ext->InTail = TRUE; /* less than a half: one single-cycle block */
        ok = DspPlaySingle(ext, ext->Tail);
    } else if (ok) {
        ok = DspPlayAuto(ext);
        if (ok && ext->FullBlocks == 1) /* one full block: leave auto-init after it */
            ok = DspExitAuto(ext);
    }
    ext->StartFailed = !ok; /* Sb16Write gives the channel back */
    return KeepObject;
}

static NTSTATUS Sb16Complete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static NTSTATUS Sb16Write(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSB16_EXTENSION ext = (PSB16_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG length = stack->Parameters.Write.Length;
    if (length == 0)
        return Sb16Complete(Irp, STATUS_SUCCESS, 0);
    if (!Irp->MdlAddress || length % (ext->BitsPerSample / 8))
        return Sb16Complete(Irp, STATUS_INVALID_PARAMETER, 0);
    const UCHAR *source =
        (const UCHAR *)MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    if (!source)
        return Sb16Complete(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);

    KIRQL irql;
    KeAcquireSpinLock(&ext->Lock, &irql);
    if (ext->CurrentIrp) {
        KeReleaseSpinLock(&ext->Lock, irql);
        return Sb16Complete(Irp, STATUS_DEVICE_BUSY, 0);
    }
    ext->CurrentIrp = Irp;
    ext->Active = &ext->Dma[ext->BitsPerSample == 16];
    ext->Source = source;
    ext->SourceBytes = length;
    ext->SourceTaken = 0;
    ext->FullBlocks = length / SB16_HALF;
    ext->Tail = length % SB16_HALF;
    ext->InTail = FALSE;
    ext->StartFailed = FALSE;
    RtlZeroMemory(&ext->Position, sizeof ext->Position);
    Sb16Fill(ext, 0);
    Sb16Fill(ext, 1);
    KeFlushIoBuffers(ext->Active->BufferMdl, FALSE, TRUE);
    IoMarkIrpPending(Irp);
    NTSTATUS status = IoAllocateAdapterChannel(ext->Active->Adapter, DeviceObject,
                                               ext->Active->MapRegisters, Sb16AdapterControl, ext);
    if (!NT_SUCCESS(status) || ext->StartFailed) {
        if (NT_SUCCESS(status))
            Sb16Finish(ext);
        ext->CurrentIrp = NULL;
        KeReleaseSpinLock(&ext->Lock, irql);
        Irp->IoStatus.Information = 0;
        Irp->IoStatus.Status = NT_SUCCESS(status) ? STATUS_DEVICE_NOT_READY : status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_PENDING;
    }
    KeReleaseSpinLock(&ext->Lock, irql);
    return STATUS_PENDING;
}

static NTSTATUS Sb16DeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PSB16_EXTENSION ext = (PSB16_EXTENSION)DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;
    KIRQL irql;
    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_SB16_SET_FORMAT: {
        if (stack->Parameters.DeviceIoControl.InputBufferLength < sizeof(SB16_FORMAT))
            return Sb16Complete(Irp, STATUS_INVALID_PARAMETER, 0);
        ULONG rate = ((PSB16_FORMAT)buffer)->SamplesPerSecond;
        ULONG bits = ((PSB16_FORMAT)buffer)->BitsPerSample;
        if (rate < 5000 || rate > 44100 || (bits != 8 && bits != 16))
            return Sb16Complete(Irp, STATUS_INVALID_PARAMETER, 0);
        NTSTATUS status = STATUS_SUCCESS;
        KeAcquireSpinLock(&ext->Lock, &irql);
        if (ext->CurrentIrp)
            status = STATUS_DEVICE_BUSY;
        else
            ext->SamplesPerSecond = rate, ext->BitsPerSample = bits;
        KeReleaseSpinLock(&ext->Lock, irql);
        return Sb16Complete(Irp, status, 0);
    }
    case IOCTL_SB16_GET_POSITION:
        if (stack->Parameters.DeviceIoControl.OutputBufferLength < sizeof(SB16_POSITION))
            return Sb16Complete(Irp, STATUS_BUFFER_TOO_SMALL, 0);
        KeAcquireSpinLock(&ext->Lock, &irql);
        RtlCopyMemory(buffer, &ext->Position, sizeof ext->Position);
        KeReleaseSpinLock(&ext->Lock, irql);
        return Sb16Complete(Irp, STATUS_SUCCESS, sizeof(SB16_POSITION));
    default:
        return Sb16Complete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

static NTSTATUS Sb16CreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    return Sb16Complete(Irp, STATUS_SUCCESS, 0);
}

/* ---- configuration, driver and device -------------------------------------------------- */

typedef struct _SB16_CONFIG {
    BOOLEAN Found;
    PHYSICAL_ADDRESS PortBase;
    ULONG PortLength;
    ULONG InterruptLevel, InterruptVector;
    ULONG DmaChannel[2];         /* the 8-bit one (0-3), the 16-bit one (5-7) */
} SB16_CONFIG, *PSB16_CONFIG;

static NTSTATUS Sb16ConfigCallout(PVOID Context, PUNICODE_STRING PathName, INTERFACE_TYPE BusType,
                                  ULONG BusNumber, PKEY_VALUE_FULL_INFORMATION *BusInformation,
                                  CONFIGURATION_TYPE ControllerType, ULONG ControllerNumber,
                                  PKEY_VALUE_FULL_INFORMATION *ControllerInformation,
                                  CONFIGURATION_TYPE PeripheralType, ULONG PeripheralNumber,
                                  PKEY_VALUE_FULL_INFORMATION *PeripheralInformation)
{
    PSB16_CONFIG config = (PSB16_CONFIG)Context;
    UNREFERENCED_PARAMETER(PathName);
    UNREFERENCED_PARAMETER(BusType);
    UNREFERENCED_PARAMETER(BusNumber);
    UNREFERENCED_PARAMETER(BusInformation);
    UNREFERENCED_PARAMETER(ControllerType);
    UNREFERENCED_PARAMETER(PeripheralType);
    UNREFERENCED_PARAMETER(PeripheralNumber);
    UNREFERENCED_PARAMETER(PeripheralInformation);
    if (config->Found || ControllerNumber != 0)
        return STATUS_SUCCESS;
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
        if (d->Type == CmResourceTypePort && !(have & 1)) {
            config->PortBase = d->u.Port.Start;
            config->PortLength = d->u.Port.Length;
            have |= 1;
        } else if (d->Type == CmResourceTypeInterrupt && !(have & 2)) {
            config->InterruptLevel = d->u.Interrupt.Level;
            config->InterruptVector = d->u.Interrupt.Vector;
            have |= 2;
        } else if (d->Type == CmResourceTypeDma && d->u.Dma.Channel < 4 && !(have & 4)) {
            config->DmaChannel[0] = d->u.Dma.Channel;
            have |= 4;
        } else if (d->Type == CmResourceTypeDma && d->u.Dma.Channel >= 5 &&
                   d->u.Dma.Channel <= 7 && !(have & 8)) {
            config->DmaChannel[1] = d->u.Dma.Channel;
            have |= 8;
        }
    }
    config->Found = have == 15;
    return STATUS_SUCCESS;
}

static VOID Sb16Teardown(PDEVICE_OBJECT DeviceObject)
{
    PSB16_EXTENSION ext = (PSB16_EXTENSION)DeviceObject->DeviceExtension;
    if (ext->Interrupt)
        IoDisconnectInterrupt(ext->Interrupt);
    for (ULONG k = 0; k < 2; k++) {
        PSB16_DMA dma = &ext->Dma[k];
        if (dma->BufferMdl)
            IoFreeMdl(dma->BufferMdl);
        if (dma->Buffer)
            HalFreeCommonBuffer(dma->Adapter, SB16_BUFFER, dma->BufferLogical, dma->Buffer,
                                FALSE);
        if (dma->Adapter) {
            PDMA_ADAPTER adapter = (PDMA_ADAPTER)dma->Adapter;
            adapter->DmaOperations->PutDmaAdapter(adapter);
        }
    }
    if (ext->SymbolicLink.Buffer)
        IoDeleteSymbolicLink(&ext->SymbolicLink);
    IoDeleteDevice(DeviceObject);
}

static VOID Sb16Unload(PDRIVER_OBJECT DriverObject)
{
    if (DriverObject->DeviceObject)
        Sb16Teardown(DriverObject->DeviceObject);
}

/* One channel's adapter (system DMA, auto-initialize), common buffer and
 * the MDL IoMapTransfer maps it through. */
static NTSTATUS Sb16StartChannel(PSB16_DMA Dma, ULONG Channel, DMA_WIDTH Width)
{
    DEVICE_DESCRIPTION description;
    RtlZeroMemory(&description, sizeof description);
    description.Version = DEVICE_DESCRIPTION_VERSION;
    description.Master = FALSE;
    description.AutoInitialize = TRUE;
    description.DmaChannel = Channel;
    description.InterfaceType = Isa;
    description.DmaWidth = Width;
    description.DmaSpeed = Compatible;
    description.MaximumLength = SB16_BUFFER;
    Dma->Adapter = HalGetAdapter(&description, &Dma->MapRegisters);
    if (!Dma->Adapter)
        return STATUS_INSUFFICIENT_RESOURCES;
    Dma->Buffer = (PUCHAR)HalAllocateCommonBuffer(Dma->Adapter, SB16_BUFFER, &Dma->BufferLogical,
                                                  FALSE);
    if (!Dma->Buffer)
        return STATUS_INSUFFICIENT_RESOURCES;
    Dma->BufferMdl = IoAllocateMdl(Dma->Buffer, SB16_BUFFER, FALSE, FALSE, NULL);
    if (!Dma->BufferMdl)
        return STATUS_INSUFFICIENT_RESOURCES;
    MmBuildMdlForNonPagedPool(Dma->BufferMdl);
    return STATUS_SUCCESS;
}

static NTSTATUS Sb16StartDevice(PSB16_EXTENSION Ext, const SB16_CONFIG *Config)
{
    ULONG addressSpace = 1;
    PHYSICAL_ADDRESS translated;
    if (!HalTranslateBusAddress(Isa, 0, Config->PortBase, &addressSpace, &translated))
        return STATUS_DEVICE_CONFIGURATION_ERROR;
    Ext->Port = addressSpace ? (PUCHAR)(ULONG_PTR)translated.QuadPart
                             : (PUCHAR)MmMapIoSpace(translated, Config->PortLength, MmNonCached);
    if (!Ext->Port)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = DspReset(Ext);
    if (!NT_SUCCESS(status))
        return status;

    for (ULONG k = 0; k < 2; k++) {
        status = Sb16StartChannel(&Ext->Dma[k], Config->DmaChannel[k], k ? Width16Bits : Width8Bits);
        if (!NT_SUCCESS(status))
            return status;
    }

    KIRQL irql;
    KAFFINITY affinity;
    ULONG vector = HalGetInterruptVector(Isa, 0, Config->InterruptLevel, Config->InterruptVector,
                                         &irql, &affinity);
    status = IoConnectInterrupt(&Ext->Interrupt, Sb16Isr, Ext, NULL, vector, irql, irql, Latched,
                                FALSE, affinity, FALSE);
    if (!NT_SUCCESS(status))
        Ext->Interrupt = NULL;
    return status;
}

/* The default format from the driver's Parameters key: REG_DWORD values
 * SampleRate and BitsPerSample; what is missing or out of range keeps the
 * driver's default (22050 Hz, 8 bits). */
static VOID Sb16ReadParameters(PSB16_EXTENSION Ext, PUNICODE_STRING RegistryPath)
{
    static WCHAR suffix[] = L"\\Parameters";
    UNICODE_STRING path;
    path.Length = 0;
    path.MaximumLength = (USHORT)(RegistryPath->Length + sizeof suffix);
    path.Buffer = (PWSTR)ExAllocatePoolWithTag(PagedPool, path.MaximumLength, SB16_TAG);
    if (!path.Buffer)
        return;
    RtlCopyUnicodeString(&path, RegistryPath);
    RtlAppendUnicodeToString(&path, suffix);
    ULONG rate = Ext->SamplesPerSecond, bits = Ext->BitsPerSample;
    ULONG defaultRate = rate, defaultBits = bits;
    RTL_QUERY_REGISTRY_TABLE table[3];
    RtlZeroMemory(table, sizeof table);
    table[0].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[0].Name = L"SampleRate";
    table[0].EntryContext = &rate;
    table[0].DefaultType = REG_DWORD;
    table[0].DefaultData = &defaultRate;
    table[0].DefaultLength = sizeof defaultRate;
    table[1].Flags = RTL_QUERY_REGISTRY_DIRECT;
    table[1].Name = L"BitsPerSample";
    table[1].EntryContext = &bits;
    table[1].DefaultType = REG_DWORD;
    table[1].DefaultData = &defaultBits;
    table[1].DefaultLength = sizeof defaultBits;
    if (NT_SUCCESS(RtlQueryRegistryValues(RTL_REGISTRY_ABSOLUTE | RTL_REGISTRY_OPTIONAL,
                                          path.Buffer, table, NULL, NULL))) {
        if (rate >= 5000 && rate <= 44100)
            Ext->SamplesPerSecond = rate;
        if (bits == 8 || bits == 16)
            Ext->BitsPerSample = bits;
    }
    ExFreePoolWithTag(path.Buffer, SB16_TAG);
    DbgPrint("sb16: %u Hz, %u bits\n", (unsigned)Ext->SamplesPerSecond,
             (unsigned)Ext->BitsPerSample);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    SB16_CONFIG config;
    RtlZeroMemory(&config, sizeof config);
    INTERFACE_TYPE bus = Isa;
    CONFIGURATION_TYPE controller = AudioController;
    NTSTATUS status = IoQueryDeviceDescription(&bus, NULL, &controller, NULL, NULL, NULL,
                                               Sb16ConfigCallout, &config);
    if (!NT_SUCCESS(status) || !config.Found)
        return STATUS_NO_SUCH_DEVICE;

    DriverObject->MajorFunction[IRP_MJ_CREATE] = Sb16CreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = Sb16CreateClose;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = Sb16Write;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = Sb16DeviceControl;
    DriverObject->DriverUnload = Sb16Unload;

    UNICODE_STRING deviceName;
    RtlInitUnicodeString(&deviceName, L"\\Device\\Sb16Wave0");
    PDEVICE_OBJECT device;
    status = IoCreateDevice(DriverObject, sizeof(SB16_EXTENSION), &deviceName, FILE_DEVICE_SOUND,
                            0, FALSE, &device);
    if (!NT_SUCCESS(status))
        return status;
    device->Flags |= DO_DIRECT_IO;
    PSB16_EXTENSION ext = (PSB16_EXTENSION)device->DeviceExtension;
    RtlZeroMemory(ext, sizeof *ext);
    ext->DeviceObject = device;
    ext->SamplesPerSecond = 22050;
    ext->BitsPerSample = 8;
    Sb16ReadParameters(ext, RegistryPath);
    KeInitializeSpinLock(&ext->Lock);
    KeInitializeDpc(&ext->Dpc, Sb16Dpc, ext);

    UNICODE_STRING link;
    RtlInitUnicodeString(&link, L"\\DosDevices\\Sb16Wave0");
    status = IoCreateSymbolicLink(&link, &deviceName);
    if (NT_SUCCESS(status))
        ext->SymbolicLink = link;
    if (NT_SUCCESS(status))
        status = Sb16StartDevice(ext, &config);
    if (!NT_SUCCESS(status)) {
        Sb16Teardown(device);
        return status;
    }
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}
