/* SPDX-License-Identifier: MIT */
/* Common-buffer system DMA, the WDK way (see wdm_examples.h). */
#include "wdm_examples.h"

typedef struct _STREAM {
    PDMA_ADAPTER Adapter;
    PMDL Mdl;
    PVOID Buffer;
    ULONG Bytes;
    BOOLEAN Mapped;
} STREAM;

static DRIVER_CONTROL StreamAdapterControl;

static IO_ALLOCATION_ACTION StreamAdapterControl(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                                 PVOID MapRegisterBase, PVOID Context)
{
    (void)DeviceObject;
    (void)Irp;
    STREAM *s = Context;
    ULONG length = s->Bytes;
    /* The whole common buffer, once: the controller cycles over it. */
    s->Adapter->DmaOperations->MapTransfer(s->Adapter, s->Mdl, MapRegisterBase,
                                           MmGetMdlVirtualAddress(s->Mdl), &length, FALSE);
    s->Mapped = length == s->Bytes;
    return KeepObject;
}

NTSTATUS CommonBufferStream(PDEVICE_OBJECT Pdo, const EXAMPLE_ENV *Env, USHORT Port, ULONG Channel,
                            ULONG BufferBytes, ULONG Total,
                            VOID (*Consume)(PVOID Ctx, const UCHAR *Data, ULONG Bytes),
                            PVOID ConsumeCtx)
{
    DEVICE_DESCRIPTION dd = {0};
    dd.Version = DEVICE_DESCRIPTION_VERSION2;
    dd.AutoInitialize = TRUE;
    dd.DmaChannel = Channel;
    dd.InterfaceType = Isa;
    dd.DmaWidth = Channel >= 4 ? Width16Bits : Width8Bits;
    dd.MaximumLength = BufferBytes;
    ULONG mapRegisters;
    STREAM s = {0};
    s.Adapter = IoGetDmaAdapter(Pdo, &dd, &mapRegisters);
    if (!s.Adapter)
        return STATUS_INSUFFICIENT_RESOURCES;
    PHYSICAL_ADDRESS logical;
    s.Bytes = BufferBytes;
    s.Buffer = s.Adapter->DmaOperations->AllocateCommonBuffer(s.Adapter, BufferBytes, &logical, FALSE);
    NTSTATUS status = STATUS_INSUFFICIENT_RESOURCES;
    if (s.Buffer && (s.Mdl = SysdmaAllocateMdl(Pdo, s.Buffer, BufferBytes)) != NULL)
        status = s.Adapter->DmaOperations->AllocateAdapterChannel(s.Adapter, Pdo, 0,
                                                                  StreamAdapterControl, &s);
    if (NT_SUCCESS(status) && s.Mapped) {
        /* Start the device streaming Total bytes (command 0x81). */
        for (ULONG b = 0; b < 4; b++)
            Env->Out(Env->Ctx, (USHORT)(Port + 1 + b), (UCHAR)(Total >> (8 * b)));
        Env->Out(Env->Ctx, Port, 0x81);
        ULONG consumed = 0, last = 0;
        BOOLEAN done = FALSE;
        while (consumed < Total) {
            if (!done)
                done = Env->WaitInterrupt(Env->Ctx, 200); /* or 200 µs passed: look */
            ULONG left = s.Adapter->DmaOperations->ReadDmaCounter(s.Adapter);
            ULONG now = (BufferBytes - left) % BufferBytes; /* where the controller is */
            if (done)
                now = Total % BufferBytes;
            ULONG fresh = (now + BufferBytes - last) % BufferBytes;
            if (done && fresh == 0 && consumed < Total)
                fresh = Total - consumed < BufferBytes ? Total - consumed : BufferBytes;
            if (fresh > Total - consumed)
                fresh = Total - consumed;
            while (fresh) {
                ULONG run = BufferBytes - last < fresh ? BufferBytes - last : fresh;
                Consume(ConsumeCtx, (const UCHAR *)s.Buffer + last, run);
                last = (last + run) % BufferBytes;
                consumed += run;
                fresh -= run;
            }
        }
        Env->Out(Env->Ctx, (USHORT)(Port + 5), 0);
        s.Adapter->DmaOperations->FlushAdapterBuffers(s.Adapter, s.Mdl, NULL,
                                                      MmGetMdlVirtualAddress(s.Mdl), BufferBytes,
                                                      FALSE);
        s.Adapter->DmaOperations->FreeAdapterChannel(s.Adapter);
    } else if (NT_SUCCESS(status)) {
        s.Adapter->DmaOperations->FreeAdapterChannel(s.Adapter);
        status = STATUS_UNSUCCESSFUL;
    }
    IoFreeMdl(s.Mdl);
    if (s.Buffer)
        s.Adapter->DmaOperations->FreeCommonBuffer(s.Adapter, BufferBytes, logical, s.Buffer, FALSE);
    s.Adapter->DmaOperations->PutDmaAdapter(s.Adapter);
    return status;
}
