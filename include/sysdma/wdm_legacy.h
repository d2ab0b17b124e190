/* SPDX-License-Identifier: MIT */
/*
 * sysdma/wdm_legacy.h: part of sysdma/wdm.h — the names drivers written
 * before DMA_OPERATIONS still call, with the WDK's signatures, each mapped
 * onto the adapter's operation of the same meaning. An ADAPTER_OBJECT is a
 * DMA_ADAPTER, so adapters from IoGetDmaAdapter and HalGetAdapter serve
 * both sets of names. Include sysdma/wdm.h, not this file.
 */
#ifndef SYSDMA_WDM_LEGACY_H
#define SYSDMA_WDM_LEGACY_H

#ifndef SYSDMA_WDM_H
#error "include sysdma/wdm.h, not sysdma/wdm_legacy.h"
#endif

/* HalGetAdapter: IoGetDmaAdapter without a device object, from the system
 * bound with SysdmaWdmSetSystem. PutDmaAdapter gives it back. NULL when
 * refused or when no system is bound. (Completion routines of MapTransferEx
 * on it are told a NULL device object.) */
static inline PADAPTER_OBJECT HalGetAdapter(PDEVICE_DESCRIPTION DeviceDescription,
                                            PULONG NumberOfMapRegisters)
{
    return SysdmaWdmGetAdapter(sysdma_wdm_system(), NULL, DeviceDescription,
                               NumberOfMapRegisters);
}

static inline NTSTATUS IoAllocateAdapterChannel(PADAPTER_OBJECT AdapterObject,
                                                PDEVICE_OBJECT DeviceObject,
                                                ULONG NumberOfMapRegisters,
                                                PDRIVER_CONTROL ExecutionRoutine, PVOID Context)
{
    return SysdmaWdmAllocateAdapterChannel(AdapterObject, DeviceObject, NumberOfMapRegisters,
                                           ExecutionRoutine, Context);
}

static inline PHYSICAL_ADDRESS IoMapTransfer(PADAPTER_OBJECT AdapterObject, PMDL Mdl,
                                             PVOID MapRegisterBase, PVOID CurrentVa,
                                             PULONG Length, BOOLEAN WriteToDevice)
{
    return SysdmaWdmMapTransfer(AdapterObject, Mdl, MapRegisterBase, CurrentVa, Length,
                                WriteToDevice);
}

static inline BOOLEAN IoFlushAdapterBuffers(PADAPTER_OBJECT AdapterObject, PMDL Mdl,
                                            PVOID MapRegisterBase, PVOID CurrentVa, ULONG Length,
                                            BOOLEAN WriteToDevice)
{
    return SysdmaWdmFlushAdapterBuffers(AdapterObject, Mdl, MapRegisterBase, CurrentVa, Length,
                                        WriteToDevice);
}

static inline VOID IoFreeMapRegisters(PADAPTER_OBJECT AdapterObject, PVOID MapRegisterBase,
                                      ULONG NumberOfMapRegisters)
{
    SysdmaWdmFreeMapRegisters(AdapterObject, MapRegisterBase, NumberOfMapRegisters);
}

static inline VOID IoFreeAdapterChannel(PADAPTER_OBJECT AdapterObject)
{
    SysdmaWdmFreeAdapterChannel(AdapterObject);
}

static inline PVOID HalAllocateCommonBuffer(PADAPTER_OBJECT AdapterObject, ULONG Length,
                                            PPHYSICAL_ADDRESS LogicalAddress, BOOLEAN CacheEnabled)
{
    return SysdmaWdmAllocateCommonBuffer(AdapterObject, Length, LogicalAddress, CacheEnabled);
}

static inline VOID HalFreeCommonBuffer(PADAPTER_OBJECT AdapterObject, ULONG Length,
                                       PHYSICAL_ADDRESS LogicalAddress, PVOID VirtualAddress,
                                       BOOLEAN CacheEnabled)
{
    SysdmaWdmFreeCommonBuffer(AdapterObject, Length, LogicalAddress, VirtualAddress, CacheEnabled);
}

static inline ULONG HalReadDmaCounter(PADAPTER_OBJECT AdapterObject)
{
    return SysdmaWdmReadDmaCounter(AdapterObject);
}

#endif /* SYSDMA_WDM_LEGACY_H */
