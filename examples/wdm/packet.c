/* SPDX-License-Identifier: MIT */
/* Packet-based system DMA, the WDK way (see wdm_examples.h). */
#include "wdm_examples.h"

typedef struct _PACKET_CONTEXT {
    PDMA_ADAPTER Adapter;
    const EXAMPLE_ENV *Env;
    USHORT Port;
    PMDL Mdl;
    BOOLEAN WriteToDevice;
    PVOID MapRegisterBase;
    ULONG MaxPiece;
    PUCHAR CurrentVa;
    ULONG Left, Piece, Pieces;
    NTSTATUS Status;
    BOOLEAN Granted;
} PACKET_CONTEXT;

static VOID StartDevice(PACKET_CONTEXT *c, ULONG Length)
{
    for (ULONG b = 0; b < 4; b++)
        c->Env->Out(c->Env->Ctx, (USHORT)(c->Port + 1 + b), (UCHAR)(Length >> (8 * b)));
    c->Env->Out(c->Env->Ctx, c->Port, c->WriteToDevice ? 2 : 1);
}

/* Map the next piece and start the device on it. */
static VOID MapNextPiece(PACKET_CONTEXT *c)
{
    ULONG length = c->Left < c->MaxPiece ? c->Left : c->MaxPiece;
    PHYSICAL_ADDRESS logical = c->Adapter->DmaOperations->MapTransfer(
        c->Adapter, c->Mdl, c->MapRegisterBase, c->CurrentVa, &length, c->WriteToDevice);
    (void)logical; /* the 8237 was programmed; a system-DMA driver ignores it */
    c->Piece = length;
    c->Pieces++;
    StartDevice(c, length);
}

static DRIVER_CONTROL PacketAdapterControl;

static IO_ALLOCATION_ACTION PacketAdapterControl(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                                 PVOID MapRegisterBase, PVOID Context)
{
    (void)DeviceObject;
    (void)Irp;
    PACKET_CONTEXT *c = Context;
    c->MapRegisterBase = MapRegisterBase;
    c->Granted = TRUE;
    MapNextPiece(c);
    return KeepObject; /* the channel is in use until the transfer ends */
}

NTSTATUS PacketTransfer(PDEVICE_OBJECT Pdo, const EXAMPLE_ENV *Env, USHORT Port, ULONG Channel,
                        PMDL Mdl, BOOLEAN WriteToDevice, PULONG Pieces)
{
    DEVICE_DESCRIPTION dd = {0};
    dd.Version = DEVICE_DESCRIPTION_VERSION2;
    dd.DmaChannel = Channel;
    dd.InterfaceType = Isa;
    dd.DmaWidth = Channel >= 4 ? Width16Bits : Width8Bits;
    dd.DmaSpeed = Compatible;
    dd.MaximumLength = 0x10000;
    ULONG mapRegisters;
    PDMA_ADAPTER adapter = IoGetDmaAdapter(Pdo, &dd, &mapRegisters);
    if (!adapter)
        return STATUS_INSUFFICIENT_RESOURCES;
    PACKET_CONTEXT c = {0};
    c.Adapter = adapter;
    c.Env = Env;
    c.Port = Port;
    c.Mdl = Mdl;
    c.WriteToDevice = WriteToDevice;
    c.CurrentVa = MmGetMdlVirtualAddress(Mdl);
    c.Left = MmGetMdlByteCount(Mdl);
    /* Splitting: at most PAGE_SIZE × the map registers, and one window. */
    c.MaxPiece = mapRegisters * PAGE_SIZE;
    if (c.MaxPiece > (Channel >= 4 ? 0x20000u : 0x10000u))
        c.MaxPiece = Channel >= 4 ? 0x20000u : 0x10000u;
    c.MaxPiece -= (c.MaxPiece % PAGE_SIZE);
    KeFlushIoBuffers(Mdl, !WriteToDevice, TRUE);
    NTSTATUS status = adapter->DmaOperations->AllocateAdapterChannel(
        adapter, Pdo, ADDRESS_AND_SIZE_TO_SPAN_PAGES(c.CurrentVa, c.MaxPiece) < mapRegisters
                          ? ADDRESS_AND_SIZE_TO_SPAN_PAGES(c.CurrentVa, c.MaxPiece)
                          : mapRegisters,
        PacketAdapterControl, &c);
    while (NT_SUCCESS(status) && c.Granted && c.Left) {
        /* The device's interrupt: this piece is done (the DPC's work). */
        if (!Env->WaitInterrupt(Env->Ctx, 10000000)) {
            status = STATUS_UNSUCCESSFUL;
        }
        Env->Out(Env->Ctx, (USHORT)(Port + 5), 0); /* acknowledge */
        if (!adapter->DmaOperations->FlushAdapterBuffers(adapter, Mdl, c.MapRegisterBase,
                                                         c.CurrentVa, c.Piece, WriteToDevice))
            status = STATUS_UNSUCCESSFUL;
        c.CurrentVa += c.Piece;
        c.Left -= c.Piece;
        if (NT_SUCCESS(status) && c.Left)
            MapNextPiece(&c);
        else
            break;
    }
    if (c.Granted)
        adapter->DmaOperations->FreeAdapterChannel(adapter); /* also after errors */
    else if (NT_SUCCESS(status))
        status = STATUS_UNSUCCESSFUL; /* the routine never ran */
    adapter->DmaOperations->PutDmaAdapter(adapter);
    if (Pieces)
        *Pieces = c.Pieces;
    return status;
}
