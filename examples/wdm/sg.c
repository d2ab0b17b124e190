/* SPDX-License-Identifier: MIT */
/* Scatter/gather support routines, the WDK way (see wdm_examples.h). */
#include "wdm_examples.h"

typedef struct _SG_REQUEST {
    PDMA_ADAPTER Adapter;
    SG_DEVICE_RUN *Run;
    PVOID RunCtx;
    BOOLEAN WriteToDevice, Ran;
    ULONG Elements;
} SG_REQUEST;

static DRIVER_LIST_CONTROL ListControl;

static VOID ListControl(PDEVICE_OBJECT DeviceObject, PIRP Irp, PSCATTER_GATHER_LIST List,
                        PVOID Context)
{
    (void)DeviceObject;
    (void)Irp;
    SG_REQUEST *r = Context;
    r->Elements = List->NumberOfElements;
    r->Run(r->RunCtx, List, r->WriteToDevice); /* the device runs the list */
    r->Ran = TRUE;
    r->Adapter->DmaOperations->PutScatterGatherList(r->Adapter, List, r->WriteToDevice);
}

NTSTATUS ScatterGatherTransfer(PDEVICE_OBJECT Pdo, ULONG AddressWidth, PMDL Mdl,
                               BOOLEAN WriteToDevice, SG_DEVICE_RUN *Run, PVOID RunCtx,
                               PULONG Elements)
{
    DEVICE_DESCRIPTION dd = {0};
    dd.Version = DEVICE_DESCRIPTION_VERSION3;
    dd.Master = TRUE;
    dd.ScatterGather = TRUE;
    dd.InterfaceType = Isa;
    dd.DmaAddressWidth = AddressWidth;
    dd.MaximumLength = MmGetMdlByteCount(Mdl);
    ULONG mapRegisters;
    PDMA_ADAPTER adapter = IoGetDmaAdapter(Pdo, &dd, &mapRegisters);
    if (!adapter)
        return STATUS_INSUFFICIENT_RESOURCES;
    ULONG size = 0, needed = 0;
    NTSTATUS status = adapter->DmaOperations->CalculateScatterGatherList(
        adapter, Mdl, MmGetMdlVirtualAddress(Mdl), MmGetMdlByteCount(Mdl), &size, &needed);
    SG_REQUEST r = {adapter, Run, RunCtx, WriteToDevice, FALSE, 0};
    KeFlushIoBuffers(Mdl, !WriteToDevice, TRUE);
    if (NT_SUCCESS(status))
        status = adapter->DmaOperations->GetScatterGatherList(
            adapter, Pdo, Mdl, MmGetMdlVirtualAddress(Mdl), MmGetMdlByteCount(Mdl), ListControl,
            &r, WriteToDevice);
    if (NT_SUCCESS(status) && !r.Ran)
        status = STATUS_UNSUCCESSFUL; /* nothing else runs here: it should have run at once */
    adapter->DmaOperations->PutDmaAdapter(adapter);
    if (Elements)
        *Elements = r.Elements;
    return status;
}
