/* SPDX-License-Identifier: MIT */
/*
 * sysdma/wdm_ops.h: the second half of sysdma/wdm.h — each DMA_OPERATIONS
 * member as a small inline function calling its native counterpart, the
 * version-1/2/3 operation tables, IoGetDmaAdapter and the other support
 * routines. Include sysdma/wdm.h, not this file.
 */
#ifndef SYSDMA_WDM_OPS_H
#define SYSDMA_WDM_OPS_H

#ifndef SYSDMA_WDM_H
#error "include sysdma/wdm.h, not sysdma/wdm_ops.h"
#endif

/* ---- the operations ------------------------------------------------------------------ */

/* PutDmaAdapter: the native handle is put and the object freed. */
static inline VOID SysdmaWdmPut(PDMA_ADAPTER a)
{
    if (!a)
        return;
    SYSDMA_WDM_ADAPTER *w = SysdmaWdmAdapter(a);
    (void)sysdma_adapter_put(w->Native);
    sysdma_wdm_object_free(w->System, w, sizeof *w);
}

static inline PVOID SysdmaWdmAllocateCommonBuffer(PDMA_ADAPTER a, ULONG Length,
                                                  PPHYSICAL_ADDRESS LogicalAddress,
                                                  BOOLEAN CacheEnabled)
{
    void *va = NULL;
    uint64_t lg = 0;
    if (!LogicalAddress ||
        sysdma_common_buffer_allocate(SysdmaNative(a), Length, CacheEnabled, &va, &lg) != SYSDMA_OK)
        return NULL;
    LogicalAddress->QuadPart = (LONGLONG)lg;
    return va;
}

static inline VOID SysdmaWdmFreeCommonBuffer(PDMA_ADAPTER a, ULONG Length,
                                             PHYSICAL_ADDRESS LogicalAddress, PVOID VirtualAddress,
                                             BOOLEAN CacheEnabled)
{
    (void)sysdma_common_buffer_free(SysdmaNative(a), Length, (uint64_t)LogicalAddress.QuadPart,
                                    VirtualAddress, CacheEnabled);
}

/* AdapterControl: sysdma passes the device as its device pointer and the
 * adapter object, which holds the WDK routine and context, as context. */
static inline sysdma_allocation_action SysdmaWdmControl(void *device, sysdma_map_registers *regs,
                                                        void *context)
{
    PDEVICE_OBJECT d = (PDEVICE_OBJECT)device;
    SYSDMA_WDM_ADAPTER *w = (SYSDMA_WDM_ADAPTER *)context;
    PDRIVER_CONTROL routine = w->Control;
    PVOID ctx = w->ControlContext;
    w->Control = NULL;
    return (sysdma_allocation_action)routine(d, d ? d->CurrentIrp : NULL, regs, ctx);
}

static inline NTSTATUS SysdmaWdmAllocateAdapterChannel(PDMA_ADAPTER a, PDEVICE_OBJECT DeviceObject,
                                                       ULONG NumberOfMapRegisters,
                                                       PDRIVER_CONTROL ExecutionRoutine,
                                                       PVOID Context)
{
    SYSDMA_WDM_ADAPTER *w = SysdmaWdmAdapter(a);
    if (!a || !DeviceObject || !ExecutionRoutine)
        return STATUS_INVALID_PARAMETER;
    if (w->Control)
        return STATUS_INVALID_DEVICE_REQUEST; /* one request per adapter at a time */
    w->Control = ExecutionRoutine;
    w->ControlContext = Context;
    sysdma_status st = sysdma_channel_allocate(w->Native, DeviceObject, NumberOfMapRegisters,
                                               SysdmaWdmControl, w);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING)
        w->Control = NULL;
    return SysdmaNtStatus(st);
}

static inline BOOLEAN SysdmaWdmFlushAdapterBuffers(PDMA_ADAPTER a, PMDL Mdl, PVOID MapRegisterBase,
                                                   PVOID CurrentVa, ULONG Length,
                                                   BOOLEAN WriteToDevice)
{
    return sysdma_flush_adapter_buffers(SysdmaNative(a), Mdl, (sysdma_map_registers *)MapRegisterBase, CurrentVa, Length,
                                        WriteToDevice) == SYSDMA_OK;
}

static inline VOID SysdmaWdmFreeAdapterChannel(PDMA_ADAPTER a)
{
    (void)sysdma_channel_free(SysdmaNative(a));
}

static inline VOID SysdmaWdmFreeMapRegisters(PDMA_ADAPTER a, PVOID MapRegisterBase,
                                             ULONG NumberOfMapRegisters)
{
    (void)sysdma_map_registers_free(SysdmaNative(a), (sysdma_map_registers *)MapRegisterBase, NumberOfMapRegisters);
}

/* MapTransfer: the logical address, 0 when the native call refused. */
static inline PHYSICAL_ADDRESS SysdmaWdmMapTransfer(PDMA_ADAPTER a, PMDL Mdl, PVOID MapRegisterBase,
                                                    PVOID CurrentVa, PULONG Length,
                                                    BOOLEAN WriteToDevice)
{
    PHYSICAL_ADDRESS p;
    uint64_t lg = 0;
    p.QuadPart = 0;
    if (!Length)
        return p;
    uint32_t len = *Length;
    if (sysdma_map_transfer(SysdmaNative(a), Mdl, (sysdma_map_registers *)MapRegisterBase, CurrentVa, &len, WriteToDevice,
                            &lg) == SYSDMA_OK) {
        *Length = len;
        p.QuadPart = (LONGLONG)lg;
    }
    return p;
}

static inline ULONG SysdmaWdmGetDmaAlignment(PDMA_ADAPTER a)
{
    return sysdma_get_dma_alignment(SysdmaNative(a));
}

static inline ULONG SysdmaWdmReadDmaCounter(PDMA_ADAPTER a)
{
    return sysdma_read_dma_counter(SysdmaNative(a));
}

/* The controller finished (or cancelled) the run of a list: the slot is
 * let go, and GetScatterGatherListEx's completion routine, if any, told. */
static inline void SysdmaWdmListDone(sysdma_adapter *native, sysdma_sg_list *list,
                                     sysdma_status st, void *context)
{
    (void)native;
    PDEVICE_OBJECT d = (PDEVICE_OBJECT)context;
    for (int k = 0; k < SYSDMA_WDM_LISTS; k++) {
        if (d->SysdmaLists[k].Running && d->SysdmaLists[k].List == list) {
            PDMA_COMPLETION_ROUTINE fn = d->SysdmaLists[k].Completion;
            PVOID ctx = d->SysdmaLists[k].CompletionContext;
            SYSDMA_WDM_ADAPTER *w = d->SysdmaLists[k].Adapter;
            d->SysdmaLists[k].Running = FALSE;
            d->SysdmaLists[k].List = NULL;
            d->SysdmaLists[k].Routine = NULL;
            if (fn)
                fn(&w->Public, d, ctx,
                   st == SYSDMA_OK            ? DmaComplete
                   : st == SYSDMA_E_CANCELLED ? DmaCancelled
                                              : DmaError);
            return;
        }
    }
}

/*
 * The list is built. On a system adapter the controller is set to run it
 * before the driver's routine sees it — the way GetScatterGatherList
 * stands for AllocateAdapterChannel plus MapTransfer, and MapTransfer
 * programs a system DMA controller — so the routine only starts its
 * device. The run (sysdma_sg_start) holds the channel until the last
 * element's terminal count, or until PutScatterGatherList ends it. A bus
 * master's list is only handed over (the device runs it).
 */
static inline void SysdmaWdmList(void *device, sysdma_sg_list *list, void *context)
{
    int k = (int)(intptr_t)context;
    PDEVICE_OBJECT d = (PDEVICE_OBJECT)device;
    PDRIVER_LIST_CONTROL routine = d->SysdmaLists[k].Routine;
    PVOID ctx = d->SysdmaLists[k].Context;
    SYSDMA_WDM_ADAPTER *w = d->SysdmaLists[k].Adapter;
    PDMA_COMPLETION_ROUTINE completion = d->SysdmaLists[k].Completion;
    PVOID completion_ctx = d->SysdmaLists[k].CompletionContext;
    d->SysdmaLists[k].Running = TRUE;
    d->SysdmaLists[k].List = list;
    sysdma_status st =
        sysdma_sg_start(w->Native, list, d->SysdmaLists[k].WriteToDevice, SysdmaWdmListDone, d);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING) {
        /* A bus master (SYSDMA_E_NOT_SUPPORTED), or the controller refused. */
        d->SysdmaLists[k].Running = FALSE;
        d->SysdmaLists[k].List = NULL;
        d->SysdmaLists[k].Routine = NULL;
    }
    routine(d, d->CurrentIrp, (PSCATTER_GATHER_LIST)list, ctx);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING && st != SYSDMA_E_NOT_SUPPORTED && completion)
        completion(&w->Public, d, completion_ctx, DmaError);
}

/* A free list-request slot of the device, or -1. */
static inline int SysdmaWdmListSlot(PDEVICE_OBJECT d, SYSDMA_WDM_ADAPTER *w,
                                    PDRIVER_LIST_CONTROL routine, PVOID context,
                                    BOOLEAN WriteToDevice)
{
    for (int k = 0; k < SYSDMA_WDM_LISTS; k++)
        if (!d->SysdmaLists[k].Routine) {
            d->SysdmaLists[k].Routine = routine;
            d->SysdmaLists[k].Context = context;
            d->SysdmaLists[k].Adapter = w;
            d->SysdmaLists[k].List = NULL;
            d->SysdmaLists[k].Completion = NULL;
            d->SysdmaLists[k].CompletionContext = NULL;
            d->SysdmaLists[k].WriteToDevice = WriteToDevice;
            d->SysdmaLists[k].Running = FALSE;
            return k;
        }
    return -1;
}

static inline NTSTATUS SysdmaWdmBuild(PDMA_ADAPTER a, PDEVICE_OBJECT DeviceObject, PMDL Mdl,
                                      PVOID CurrentVa, ULONG Length,
                                      PDRIVER_LIST_CONTROL ExecutionRoutine, PVOID Context,
                                      BOOLEAN WriteToDevice, PVOID Buffer, ULONG BufferLength)
{
    if (!a || !DeviceObject || !ExecutionRoutine)
        return STATUS_INVALID_PARAMETER;
    int k = SysdmaWdmListSlot(DeviceObject, SysdmaWdmAdapter(a), ExecutionRoutine, Context,
                              WriteToDevice);
    if (k < 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    uint32_t size = BufferLength;
    sysdma_status st =
        Buffer ? sysdma_sg_build(SysdmaNative(a), DeviceObject, Mdl, CurrentVa, Length,
                                 SysdmaWdmList, (void *)(intptr_t)k, WriteToDevice, Buffer, &size)
               : sysdma_sg_get(SysdmaNative(a), DeviceObject, Mdl, CurrentVa, Length,
                               SysdmaWdmList, (void *)(intptr_t)k, WriteToDevice);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING)
        DeviceObject->SysdmaLists[k].Routine = NULL;
    return SysdmaNtStatus(st);
}

static inline NTSTATUS SysdmaWdmGetScatterGatherList(PDMA_ADAPTER a, PDEVICE_OBJECT DeviceObject,
                                                     PMDL Mdl, PVOID CurrentVa, ULONG Length,
                                                     PDRIVER_LIST_CONTROL ExecutionRoutine,
                                                     PVOID Context, BOOLEAN WriteToDevice)
{
    return SysdmaWdmBuild(a, DeviceObject, Mdl, CurrentVa, Length, ExecutionRoutine, Context,
                          WriteToDevice, NULL, 0);
}

/* PutScatterGatherList: a run the controller has not finished is ended
 * first (the channel masked; an Ex completion routine hears DmaCancelled),
 * as FlushAdapterBuffers ends a mapped transfer; then the list is put. */
static inline VOID SysdmaWdmPutScatterGatherList(PDMA_ADAPTER a, PSCATTER_GATHER_LIST List,
                                                 BOOLEAN WriteToDevice)
{
    sysdma_sg_list *list = (sysdma_sg_list *)List;
    if (sysdma_sg_put(SysdmaNative(a), list, WriteToDevice) == SYSDMA_E_WRONG_STATE &&
        sysdma_sg_cancel(SysdmaNative(a), list) == SYSDMA_OK)
        (void)sysdma_sg_put(SysdmaNative(a), list, WriteToDevice);
}

static inline NTSTATUS SysdmaWdmCalculateScatterGatherList(PDMA_ADAPTER a, PMDL Mdl,
                                                           PVOID CurrentVa, ULONG Length,
                                                           PULONG ScatterGatherListSize,
                                                           PULONG NumberOfMapRegisters)
{
    uint32_t size = 0, regs = 0;
    if (!ScatterGatherListSize)
        return STATUS_INVALID_PARAMETER;
    sysdma_status st = sysdma_sg_calculate(SysdmaNative(a), Mdl, CurrentVa, Length, &size, &regs);
    if (st == SYSDMA_OK) {
        *ScatterGatherListSize = size;
        if (NumberOfMapRegisters)
            *NumberOfMapRegisters = regs;
    }
    return SysdmaNtStatus(st);
}

static inline NTSTATUS SysdmaWdmBuildScatterGatherList(
    PDMA_ADAPTER a, PDEVICE_OBJECT DeviceObject, PMDL Mdl, PVOID CurrentVa, ULONG Length,
    PDRIVER_LIST_CONTROL ExecutionRoutine, PVOID Context, BOOLEAN WriteToDevice,
    PVOID ScatterGatherBuffer, ULONG ScatterGatherLength)
{
    if (!ScatterGatherBuffer)
        return STATUS_INVALID_PARAMETER;
    return SysdmaWdmBuild(a, DeviceObject, Mdl, CurrentVa, Length, ExecutionRoutine, Context,
                          WriteToDevice, ScatterGatherBuffer, ScatterGatherLength);
}

static inline NTSTATUS SysdmaWdmBuildMdlFromScatterGatherList(PDMA_ADAPTER a,
                                                              PSCATTER_GATHER_LIST List,
                                                              PMDL OriginalMdl, PMDL *TargetMdl)
{
    return SysdmaNtStatus(
        sysdma_sg_build_mdl(SysdmaNative(a), (sysdma_sg_list *)List, OriginalMdl, TargetMdl));
}

/* -- version 3 -- */

static inline NTSTATUS SysdmaWdmGetDmaAdapterInfo(PDMA_ADAPTER a, PDMA_ADAPTER_INFO Info)
{
    sysdma_adapter_info i;
    if (!Info || Info->Version != DMA_ADAPTER_INFO_VERSION1)
        return STATUS_INVALID_PARAMETER;
    sysdma_status st = sysdma_adapter_info_get(SysdmaNative(a), &i);
    if (st == SYSDMA_OK) {
        Info->V1.ReadDmaCounterAvailable = i.counter_available;
        Info->V1.ScatterGatherLimit = i.scatter_gather_limit;
        Info->V1.DmaAddressWidth = i.address_width;
        Info->V1.Flags = ADAPTER_INFO_SYNCHRONOUS_CALLBACK;
        Info->V1.MinimumTransferUnit = i.minimum_transfer_unit;
    }
    return SysdmaNtStatus(st);
}

static inline NTSTATUS SysdmaWdmGetDmaTransferInfo(PDMA_ADAPTER a, PMDL Mdl, ULONGLONG Offset,
                                                   ULONG Length, BOOLEAN WriteOnly,
                                                   PDMA_TRANSFER_INFO Info)
{
    sysdma_transfer_info t;
    if (!Info || Info->Version != DMA_TRANSFER_INFO_VERSION1)
        return STATUS_INVALID_PARAMETER;
    sysdma_status st = sysdma_transfer_info_get(SysdmaNative(a), Mdl, Offset, Length, WriteOnly, &t);
    if (st == SYSDMA_OK) {
        Info->V1.MapRegisterCount = t.map_registers;
        Info->V1.ScatterGatherElementCount = t.elements;
        Info->V1.ScatterGatherListSize = t.list_size;
    }
    return SysdmaNtStatus(st);
}

static inline NTSTATUS SysdmaWdmInitializeDmaTransferContext(PDMA_ADAPTER a, PVOID Context)
{
    return SysdmaNtStatus(sysdma_transfer_context_init(SysdmaNative(a), (sysdma_transfer_context *)Context));
}

static inline PVOID SysdmaWdmAllocateCommonBufferEx(PDMA_ADAPTER a, PPHYSICAL_ADDRESS MaximumAddress,
                                                    ULONG Length, PPHYSICAL_ADDRESS LogicalAddress,
                                                    BOOLEAN CacheEnabled, ULONG PreferredNode)
{
    (void)PreferredNode;
    void *va = NULL;
    uint64_t lg = 0;
    uint64_t max = MaximumAddress ? (uint64_t)MaximumAddress->QuadPart : 0;
    if (!LogicalAddress)
        return NULL;
    if (sysdma_common_buffer_allocate_ex(SysdmaNative(a), max, Length, CacheEnabled, &va, &lg) !=
        SYSDMA_OK)
        return NULL;
    LogicalAddress->QuadPart = (LONGLONG)lg;
    return va;
}

static inline NTSTATUS SysdmaWdmAllocateAdapterChannelEx(PDMA_ADAPTER a, PDEVICE_OBJECT DeviceObject,
                                                         PVOID DmaTransferContext,
                                                         ULONG NumberOfMapRegisters, ULONG Flags,
                                                         PDRIVER_CONTROL ExecutionRoutine,
                                                         PVOID ExecutionContext,
                                                         PVOID *MapRegisterBase)
{
    SYSDMA_WDM_ADAPTER *w = SysdmaWdmAdapter(a);
    if (!a || !DeviceObject)
        return STATUS_INVALID_PARAMETER;
    if (ExecutionRoutine) {
        if (w->Control)
            return STATUS_INVALID_DEVICE_REQUEST;
        w->Control = ExecutionRoutine;
        w->ControlContext = ExecutionContext;
    }
    sysdma_map_registers *base = NULL;
    sysdma_status st = sysdma_channel_allocate_ex(
        w->Native, DeviceObject, (sysdma_transfer_context *)DmaTransferContext, NumberOfMapRegisters, Flags,
        ExecutionRoutine ? SysdmaWdmControl : NULL, w, MapRegisterBase ? &base : NULL);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING && ExecutionRoutine)
        w->Control = NULL;
    if (st == SYSDMA_OK && MapRegisterBase && !ExecutionRoutine)
        *MapRegisterBase = base;
    return SysdmaNtStatus(st);
}

static inline NTSTATUS SysdmaWdmConfigureAdapterChannel(PDMA_ADAPTER a, ULONG FunctionNumber,
                                                        PVOID Context)
{
    return SysdmaNtStatus(sysdma_adapter_configure(SysdmaNative(a), FunctionNumber, Context, 0));
}

static inline BOOLEAN SysdmaWdmCancelAdapterChannel(PDMA_ADAPTER a, PDEVICE_OBJECT DeviceObject,
                                                    PVOID DmaTransferContext)
{
    (void)DeviceObject;
    bool withdrawn = sysdma_channel_cancel(SysdmaNative(a), (sysdma_transfer_context *)DmaTransferContext);
    if (withdrawn)
        SysdmaWdmAdapter(a)->Control = NULL;
    return withdrawn;
}

static inline void SysdmaWdmCompletion(sysdma_adapter *native, void *context, sysdma_status st)
{
    (void)native;
    SYSDMA_WDM_ADAPTER *w = (SYSDMA_WDM_ADAPTER *)context;
    PDMA_COMPLETION_ROUTINE fn = w->MappedCompletion;
    w->MappedCompletion = NULL;
    if (fn)
        fn(&w->Public, w->MappedDevice, w->MappedContext,
           st == SYSDMA_OK ? DmaComplete : st == SYSDMA_E_CANCELLED ? DmaCancelled : DmaError);
}

static inline NTSTATUS SysdmaWdmMapTransferEx(PDMA_ADAPTER a, PMDL Mdl, PVOID MapRegisterBase,
                                              ULONGLONG Offset, ULONG DeviceOffset, PULONG Length,
                                              BOOLEAN WriteToDevice,
                                              PSCATTER_GATHER_LIST ScatterGatherBuffer,
                                              ULONG ScatterGatherBufferLength,
                                              PDMA_COMPLETION_ROUTINE DmaCompletionRoutine,
                                              PVOID CompletionContext)
{
    (void)DeviceOffset;
    (void)ScatterGatherBuffer;
    (void)ScatterGatherBufferLength;
    SYSDMA_WDM_ADAPTER *w = (SYSDMA_WDM_ADAPTER *)a;
    if (!a || !Length)
        return STATUS_INVALID_PARAMETER;
    w->MappedCompletion = DmaCompletionRoutine;
    w->MappedContext = CompletionContext;
    w->MappedDevice = w->Pdo;
    uint32_t len = *Length;
    sysdma_status st = sysdma_map_transfer_ex(w->Native, Mdl, Offset, &len, WriteToDevice,
                                              (sysdma_map_registers *)MapRegisterBase,
                                              DmaCompletionRoutine ? SysdmaWdmCompletion : NULL, w,
                                              NULL);
    if (st == SYSDMA_OK)
        *Length = len;
    else
        w->MappedCompletion = NULL;
    return SysdmaNtStatus(st);
}

static inline NTSTATUS SysdmaWdmGetScatterGatherListEx(
    PDMA_ADAPTER a, PDEVICE_OBJECT DeviceObject, PVOID DmaTransferContext, PMDL Mdl,
    ULONGLONG Offset, ULONG Length, ULONG Flags, PDRIVER_LIST_CONTROL ExecutionRoutine,
    PVOID Context, BOOLEAN WriteToDevice, PDMA_COMPLETION_ROUTINE DmaCompletionRoutine,
    PVOID CompletionContext, PSCATTER_GATHER_LIST *ScatterGatherList)
{
    (void)DmaTransferContext, (void)Flags;
    (void)ScatterGatherList;
    if (!a || !DeviceObject || !ExecutionRoutine)
        return STATUS_INVALID_PARAMETER;
    int k = SysdmaWdmListSlot(DeviceObject, SysdmaWdmAdapter(a), ExecutionRoutine, Context,
                              WriteToDevice);
    if (k < 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    /* On a system adapter the controller runs the list (see SysdmaWdmList)
     * and the completion routine, if given, hears when it is done. */
    DeviceObject->SysdmaLists[k].Completion = DmaCompletionRoutine;
    DeviceObject->SysdmaLists[k].CompletionContext = CompletionContext;
    sysdma_status st = sysdma_sg_get_ex(SysdmaNative(a), DeviceObject, Mdl, Offset, Length,
                                        SysdmaWdmList, (void *)(intptr_t)k, WriteToDevice, NULL,
                                        NULL);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING)
        DeviceObject->SysdmaLists[k].Routine = NULL;
    return SysdmaNtStatus(st);
}

static inline NTSTATUS SysdmaWdmBuildScatterGatherListEx(
    PDMA_ADAPTER a, PDEVICE_OBJECT DeviceObject, PVOID DmaTransferContext, PMDL Mdl,
    ULONGLONG Offset, ULONG Length, ULONG Flags, PDRIVER_LIST_CONTROL ExecutionRoutine,
    PVOID Context, BOOLEAN WriteToDevice, PVOID ScatterGatherBuffer, ULONG ScatterGatherLength,
    PDMA_COMPLETION_ROUTINE DmaCompletionRoutine, PVOID CompletionContext,
    PVOID ScatterGatherList)
{
    (void)DmaTransferContext, (void)Flags;
    (void)ScatterGatherList;
    if (!a || !DeviceObject || !ExecutionRoutine || !ScatterGatherBuffer)
        return STATUS_INVALID_PARAMETER;
    int k = SysdmaWdmListSlot(DeviceObject, SysdmaWdmAdapter(a), ExecutionRoutine, Context,
                              WriteToDevice);
    if (k < 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    DeviceObject->SysdmaLists[k].Completion = DmaCompletionRoutine;
    DeviceObject->SysdmaLists[k].CompletionContext = CompletionContext;
    uint32_t size = ScatterGatherLength;
    sysdma_status st = sysdma_sg_get_ex(SysdmaNative(a), DeviceObject, Mdl, Offset, Length,
                                        SysdmaWdmList, (void *)(intptr_t)k, WriteToDevice,
                                        ScatterGatherBuffer, &size);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING)
        DeviceObject->SysdmaLists[k].Routine = NULL;
    return SysdmaNtStatus(st);
}

static inline NTSTATUS SysdmaWdmFlushAdapterBuffersEx(PDMA_ADAPTER a, PMDL Mdl,
                                                      PVOID MapRegisterBase, ULONGLONG Offset,
                                                      ULONG Length, BOOLEAN WriteToDevice)
{
    return SysdmaNtStatus(sysdma_flush_adapter_buffers_ex(SysdmaNative(a), Mdl, (sysdma_map_registers *)MapRegisterBase,
                                                          Offset, Length, WriteToDevice));
}

static inline VOID SysdmaWdmFreeAdapterObject(PDMA_ADAPTER a, IO_ALLOCATION_ACTION Action)
{
    (void)sysdma_adapter_free_object(SysdmaNative(a), (sysdma_allocation_action)Action);
}

static inline NTSTATUS SysdmaWdmCancelMappedTransfer(PDMA_ADAPTER a, PVOID DmaTransferContext)
{
    (void)DmaTransferContext;
    return SysdmaNtStatus(sysdma_transfer_cancel_mapped(SysdmaNative(a)));
}

/* DMA_OPERATIONS, its members in the documented order (version 1, then
 * the members version 2 and version 3 added). */
typedef struct _DMA_OPERATIONS {
    ULONG Size;
    VOID (*PutDmaAdapter)(PDMA_ADAPTER);
    PVOID (*AllocateCommonBuffer)(PDMA_ADAPTER, ULONG, PPHYSICAL_ADDRESS, BOOLEAN);
    VOID (*FreeCommonBuffer)(PDMA_ADAPTER, ULONG, PHYSICAL_ADDRESS, PVOID, BOOLEAN);
    NTSTATUS (*AllocateAdapterChannel)(PDMA_ADAPTER, PDEVICE_OBJECT, ULONG, PDRIVER_CONTROL, PVOID);
    BOOLEAN (*FlushAdapterBuffers)(PDMA_ADAPTER, PMDL, PVOID, PVOID, ULONG, BOOLEAN);
    VOID (*FreeAdapterChannel)(PDMA_ADAPTER);
    VOID (*FreeMapRegisters)(PDMA_ADAPTER, PVOID, ULONG);
    PHYSICAL_ADDRESS (*MapTransfer)(PDMA_ADAPTER, PMDL, PVOID, PVOID, PULONG, BOOLEAN);
    ULONG (*GetDmaAlignment)(PDMA_ADAPTER);
    ULONG (*ReadDmaCounter)(PDMA_ADAPTER);
    NTSTATUS (*GetScatterGatherList)(PDMA_ADAPTER, PDEVICE_OBJECT, PMDL, PVOID, ULONG,
                                     PDRIVER_LIST_CONTROL, PVOID, BOOLEAN);
    VOID (*PutScatterGatherList)(PDMA_ADAPTER, PSCATTER_GATHER_LIST, BOOLEAN);
    /* version 2 */
    NTSTATUS (*CalculateScatterGatherList)(PDMA_ADAPTER, PMDL, PVOID, ULONG, PULONG, PULONG);
    NTSTATUS (*BuildScatterGatherList)(PDMA_ADAPTER, PDEVICE_OBJECT, PMDL, PVOID, ULONG,
                                       PDRIVER_LIST_CONTROL, PVOID, BOOLEAN, PVOID, ULONG);
    NTSTATUS (*BuildMdlFromScatterGatherList)(PDMA_ADAPTER, PSCATTER_GATHER_LIST, PMDL, PMDL *);
    /* version 3 */
    NTSTATUS (*GetDmaAdapterInfo)(PDMA_ADAPTER, PDMA_ADAPTER_INFO);
    NTSTATUS (*GetDmaTransferInfo)(PDMA_ADAPTER, PMDL, ULONGLONG, ULONG, BOOLEAN, PDMA_TRANSFER_INFO);
    NTSTATUS (*InitializeDmaTransferContext)(PDMA_ADAPTER, PVOID);
    PVOID (*AllocateCommonBufferEx)(PDMA_ADAPTER, PPHYSICAL_ADDRESS, ULONG, PPHYSICAL_ADDRESS,
                                    BOOLEAN, ULONG);
    NTSTATUS (*AllocateAdapterChannelEx)(PDMA_ADAPTER, PDEVICE_OBJECT, PVOID, ULONG, ULONG,
                                         PDRIVER_CONTROL, PVOID, PVOID *);
    NTSTATUS (*ConfigureAdapterChannel)(PDMA_ADAPTER, ULONG, PVOID);
    BOOLEAN (*CancelAdapterChannel)(PDMA_ADAPTER, PDEVICE_OBJECT, PVOID);
    NTSTATUS (*MapTransferEx)(PDMA_ADAPTER, PMDL, PVOID, ULONGLONG, ULONG, PULONG, BOOLEAN,
                              PSCATTER_GATHER_LIST, ULONG, PDMA_COMPLETION_ROUTINE, PVOID);
    NTSTATUS (*GetScatterGatherListEx)(PDMA_ADAPTER, PDEVICE_OBJECT, PVOID, PMDL, ULONGLONG, ULONG,
                                       ULONG, PDRIVER_LIST_CONTROL, PVOID, BOOLEAN,
                                       PDMA_COMPLETION_ROUTINE, PVOID, PSCATTER_GATHER_LIST *);
    NTSTATUS (*BuildScatterGatherListEx)(PDMA_ADAPTER, PDEVICE_OBJECT, PVOID, PMDL, ULONGLONG,
                                         ULONG, ULONG, PDRIVER_LIST_CONTROL, PVOID, BOOLEAN, PVOID,
                                         ULONG, PDMA_COMPLETION_ROUTINE, PVOID, PVOID);
    NTSTATUS (*FlushAdapterBuffersEx)(PDMA_ADAPTER, PMDL, PVOID, ULONGLONG, ULONG, BOOLEAN);
    VOID (*FreeAdapterObject)(PDMA_ADAPTER, IO_ALLOCATION_ACTION);
    NTSTATUS (*CancelMappedTransfer)(PDMA_ADAPTER, PVOID);
} DMA_OPERATIONS, *PDMA_OPERATIONS;

/* The table of a version (1, 2 or 3): the members it lacks are NULL. */
static inline const DMA_OPERATIONS *SysdmaWdmOperations(ULONG version)
{
    static const DMA_OPERATIONS v3 = {
        sizeof(DMA_OPERATIONS), SysdmaWdmPut, SysdmaWdmAllocateCommonBuffer,
        SysdmaWdmFreeCommonBuffer, SysdmaWdmAllocateAdapterChannel, SysdmaWdmFlushAdapterBuffers,
        SysdmaWdmFreeAdapterChannel, SysdmaWdmFreeMapRegisters, SysdmaWdmMapTransfer,
        SysdmaWdmGetDmaAlignment, SysdmaWdmReadDmaCounter, SysdmaWdmGetScatterGatherList,
        SysdmaWdmPutScatterGatherList, SysdmaWdmCalculateScatterGatherList,
        SysdmaWdmBuildScatterGatherList, SysdmaWdmBuildMdlFromScatterGatherList,
        SysdmaWdmGetDmaAdapterInfo, SysdmaWdmGetDmaTransferInfo,
        SysdmaWdmInitializeDmaTransferContext, SysdmaWdmAllocateCommonBufferEx,
        SysdmaWdmAllocateAdapterChannelEx, SysdmaWdmConfigureAdapterChannel,
        SysdmaWdmCancelAdapterChannel, SysdmaWdmMapTransferEx, SysdmaWdmGetScatterGatherListEx,
        SysdmaWdmBuildScatterGatherListEx, SysdmaWdmFlushAdapterBuffersEx,
        SysdmaWdmFreeAdapterObject, SysdmaWdmCancelMappedTransfer};
    static const DMA_OPERATIONS v2 = {
        offsetof(DMA_OPERATIONS, GetDmaAdapterInfo), SysdmaWdmPut, SysdmaWdmAllocateCommonBuffer,
        SysdmaWdmFreeCommonBuffer, SysdmaWdmAllocateAdapterChannel, SysdmaWdmFlushAdapterBuffers,
        SysdmaWdmFreeAdapterChannel, SysdmaWdmFreeMapRegisters, SysdmaWdmMapTransfer,
        SysdmaWdmGetDmaAlignment, SysdmaWdmReadDmaCounter, SysdmaWdmGetScatterGatherList,
        SysdmaWdmPutScatterGatherList, SysdmaWdmCalculateScatterGatherList,
        SysdmaWdmBuildScatterGatherList, SysdmaWdmBuildMdlFromScatterGatherList,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    static const DMA_OPERATIONS v1 = {
        offsetof(DMA_OPERATIONS, CalculateScatterGatherList), SysdmaWdmPut,
        SysdmaWdmAllocateCommonBuffer, SysdmaWdmFreeCommonBuffer, SysdmaWdmAllocateAdapterChannel,
        SysdmaWdmFlushAdapterBuffers, SysdmaWdmFreeAdapterChannel, SysdmaWdmFreeMapRegisters,
        SysdmaWdmMapTransfer, SysdmaWdmGetDmaAlignment, SysdmaWdmReadDmaCounter,
        SysdmaWdmGetScatterGatherList, SysdmaWdmPutScatterGatherList,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL};
    return version >= 3 ? &v3 : version == 2 ? &v2 : &v1;
}

/* The buses sysdma serves (see INTERFACE_TYPE). */
static inline BOOLEAN SysdmaWdmBusServed(INTERFACE_TYPE Bus, BOOLEAN Master)
{
    return Bus == Internal || Bus == Isa || Bus == PNPISABus || (Master && Bus == PCIBus);
}

/* An adapter object for a description, from `System`; NULL when refused
 * (an unserved bus, a description sysdma_adapter_get refuses, no memory). */
static inline PDMA_ADAPTER SysdmaWdmGetAdapter(sysdma_system *System, PDEVICE_OBJECT Pdo,
                                               PDEVICE_DESCRIPTION d, PULONG NumberOfMapRegisters)
{
    if (!System || !d || !SysdmaWdmBusServed(d->InterfaceType, d->Master))
        return NULL;
    sysdma_device_description n;
    SysdmaWdmFill(&n, sizeof n, 0);
    n.version = d->Version;
    n.master = d->Master;
    n.scatter_gather = d->ScatterGather;
    n.demand_mode = d->DemandMode;
    n.auto_initialize = d->AutoInitialize;
    n.dma32 = d->Dma32BitAddresses;
    n.dma64 = d->Dma64BitAddresses;
    n.ignore_count = d->IgnoreCount;
    n.channel = d->DmaChannel;
    n.interface_type = d->InterfaceType == Internal ? 0 : SYSDMA_INTERFACE_ISA;
    n.width = (uint32_t)d->DmaWidth;
    n.speed = (uint32_t)d->DmaSpeed;
    n.maximum_length = d->MaximumLength;
    if (d->Version >= 3) {
        n.address_width = d->DmaAddressWidth;
        n.request_line = d->DmaRequestLine;
        n.controller = d->DmaControllerInstance;
        n.device_address = (uint64_t)d->DeviceAddress.QuadPart;
    }
    SYSDMA_WDM_ADAPTER *w =
        (SYSDMA_WDM_ADAPTER *)sysdma_wdm_object_alloc(System, sizeof(SYSDMA_WDM_ADAPTER));
    if (!w)
        return NULL;
    sysdma_adapter *a;
    uint32_t regs = 0;
    if (sysdma_adapter_get(System, &n, &a, &regs) != SYSDMA_OK) {
        sysdma_wdm_object_free(System, w, sizeof *w);
        return NULL;
    }
    w->Public.Version = (USHORT)(d->Version <= 1 ? 1 : d->Version);
    w->Public.Size = (USHORT)sizeof(DMA_ADAPTER);
    w->Public.DmaOperations = SysdmaWdmOperations(w->Public.Version);
    w->Native = a;
    w->System = System;
    w->Pdo = Pdo;
    if (NumberOfMapRegisters)
        *NumberOfMapRegisters = regs;
    return &w->Public;
}

/* IoGetDmaAdapter: a new adapter object for every call, from the physical
 * device object's system — a device with two channels (a Sound Blaster's
 * 8-bit and 16-bit) gets two adapters, each put with its own
 * PutDmaAdapter. NULL when refused. */
static inline PDMA_ADAPTER IoGetDmaAdapter(PDEVICE_OBJECT Pdo, PDEVICE_DESCRIPTION d,
                                           PULONG NumberOfMapRegisters)
{
    if (!Pdo)
        return NULL;
    return SysdmaWdmGetAdapter(Pdo->SysdmaSystem, Pdo, d, NumberOfMapRegisters);
}

#endif /* SYSDMA_WDM_OPS_H */
