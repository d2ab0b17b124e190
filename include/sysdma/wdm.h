/* SPDX-License-Identifier: MIT */
/*
 * sysdma/wdm.h: the WDK's names for system DMA, so that driver code written
 * from the Windows model's call sequences compiles against sysdma as it is.
 *
 * Everything here is a thin mapping onto the native API (sysdma.h): the
 * structures either are the native ones under their WDK names (MDL,
 * SCATTER_GATHER_LIST) or are converted field by field (DEVICE_DESCRIPTION),
 * and each DMA_OPERATIONS member is a small inline function calling its
 * native counterpart. Freestanding; the little that cannot be inline (the
 * bound system, port access, adapter and MDL memory) is in the core
 * library (src/core/wdm.c). Compiles as C11 and as C++.
 *
 * What differs from the WDK, by design:
 * - A DEVICE_OBJECT carries sysdma's bookkeeping: the system it belongs to
 *   (SysdmaSystem, set by whoever creates the device) and up to
 *   SYSDMA_WDM_LISTS pending scatter/gather list requests. Each
 *   IoGetDmaAdapter call gives an adapter object of its own (allocated from
 *   the system's platform, freed by its PutDmaAdapter), which holds its
 *   pending AdapterControl request (one per adapter at a time).
 * - The calls that name no device (port I/O, IoAllocateMdl, HalGetAdapter)
 *   use the system bound with SysdmaWdmSetSystem.
 * - SCATTER_GATHER_ELEMENT's and SCATTER_GATHER_LIST's Reserved members are
 *   ULONG (the native layout: 16-byte elements).
 * - A transfer context (DMA_TRANSFER_CONTEXT_SIZE_V1 bytes) must be 8-byte
 *   aligned.
 * - Status values are NTSTATUS; sysdma statuses map onto the nearest one
 *   (SysdmaNtStatus).
 */
#ifndef SYSDMA_WDM_H
#define SYSDMA_WDM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/sysdma.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- base types ---------------------------------------------------------------------- */

typedef uint8_t UCHAR, *PUCHAR;
typedef char CHAR, *PCHAR;
typedef uint8_t BOOLEAN, *PBOOLEAN;
typedef uint16_t USHORT, *PUSHORT;
typedef int16_t SHORT, CSHORT;
typedef uint32_t ULONG, *PULONG;
typedef int32_t LONG, *PLONG;
typedef int32_t NTSTATUS;
typedef uint64_t ULONGLONG, ULONG64;
typedef int64_t LONGLONG;
typedef uintptr_t ULONG_PTR, *PULONG_PTR;
typedef intptr_t LONG_PTR;
typedef size_t SIZE_T;
typedef void VOID;
typedef void *PVOID;
typedef const void *PCVOID;
typedef ULONG_PTR PFN_NUMBER, *PPFN_NUMBER; /* a physical page number (address / PAGE_SIZE) */
#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE SYSDMA_PAGE_SIZE
#endif
#define PAGE_SHIFT 12

#ifdef __cplusplus
#define SYSDMA_WDM_STATIC_ASSERT(e, m) static_assert(e, m)
#else
#define SYSDMA_WDM_STATIC_ASSERT(e, m) _Static_assert(e, m)
#endif

typedef union _LARGE_INTEGER {
    struct {
        ULONG LowPart;
        LONG HighPart;
    };
    struct {
        ULONG LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

#define STATUS_SUCCESS ((NTSTATUS)0x00000000)
#define STATUS_PENDING ((NTSTATUS)0x00000103)
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001)
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xC0000002)
#define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000D)
#define STATUS_INVALID_DEVICE_REQUEST ((NTSTATUS)0xC0000010)
#define STATUS_BUFFER_TOO_SMALL ((NTSTATUS)0xC0000023)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009A)
#define STATUS_NOT_SUPPORTED ((NTSTATUS)0xC00000BB)
#define STATUS_CANCELLED ((NTSTATUS)0xC0000120)
#define STATUS_DEVICE_DATA_ERROR ((NTSTATUS)0xC000009C)
#define STATUS_DEVICE_BUSY ((NTSTATUS)0x80000011)
#define STATUS_IO_TIMEOUT ((NTSTATUS)0xC00000B5)
#define STATUS_MEDIA_WRITE_PROTECTED ((NTSTATUS)0xC00000A2)
#define NT_SUCCESS(s) ((NTSTATUS)(s) >= 0)

/* The NTSTATUS nearest a sysdma status. */
static inline NTSTATUS SysdmaNtStatus(sysdma_status st)
{
    switch (st) {
    case SYSDMA_OK: return STATUS_SUCCESS;
    case SYSDMA_PENDING: return STATUS_SUCCESS; /* queued: the routine runs later */
    case SYSDMA_E_NO_MEMORY:
    case SYSDMA_E_INSUFFICIENT_RESOURCES:
    case SYSDMA_E_MAP_REGISTERS_EXHAUSTED:
    case SYSDMA_E_TOO_MANY_MAP_REGISTERS: return STATUS_INSUFFICIENT_RESOURCES;
    case SYSDMA_E_BUFFER_TOO_SMALL: return STATUS_BUFFER_TOO_SMALL;
    case SYSDMA_E_NOT_SUPPORTED: return STATUS_NOT_SUPPORTED;
    case SYSDMA_E_NOT_IMPLEMENTED: return STATUS_NOT_IMPLEMENTED;
    case SYSDMA_E_CANCELLED: return STATUS_CANCELLED;
    case SYSDMA_E_DEVICE: return STATUS_DEVICE_DATA_ERROR;
    case SYSDMA_E_WRONG_STATE:
    case SYSDMA_E_NOT_OWNER:
    case SYSDMA_E_BUSY: return STATUS_INVALID_DEVICE_REQUEST;
    default: return STATUS_INVALID_PARAMETER;
    }
}

/* ---- MDLs --------------------------------------------------------------------------- */

typedef sysdma_mdl MDL, *PMDL;

#define MmGetMdlVirtualAddress(m) ((PVOID)sysdma_mdl_virtual_address(m))
#define MmGetMdlByteCount(m) ((ULONG)(m)->byte_count)
#define MmGetMdlByteOffset(m) ((ULONG)(m)->byte_offset)
/* (The page macros, IoAllocateMdl and the rest: sysdma/wdm_support.h.) */

/* ---- device description --------------------------------------------------------------- */

#define DEVICE_DESCRIPTION_VERSION 0
#define DEVICE_DESCRIPTION_VERSION1 1
#define DEVICE_DESCRIPTION_VERSION2 2
#define DEVICE_DESCRIPTION_VERSION3 3

/* The buses of the WDK's enumeration. sysdma serves the ISA DMA
 * controller: IoGetDmaAdapter and HalGetAdapter accept Internal, Isa and
 * PNPISABus (a Plug and Play ISA card takes the same 8237 channels), and
 * for a bus master also PCIBus (its adapter needs no channel); every other
 * bus is refused (NULL), as Windows refuses a bus it has no adapter for. */
typedef enum _INTERFACE_TYPE {
    InterfaceTypeUndefined = -1,
    Internal = 0,
    Isa = 1,
    Eisa = 2,
    MicroChannel = 3,
    TurboChannel = 4,
    PCIBus = 5,
    VMEBus = 6,
    NuBus = 7,
    PCMCIABus = 8,
    CBus = 9,
    MPIBus = 10,
    MPSABus = 11,
    ProcessorInternal = 12,
    InternalPowerBus = 13,
    PNPISABus = 14,
    PNPBus = 15,
    Vmcs = 16,
    ACPIBus = 17,
    MaximumInterfaceType
} INTERFACE_TYPE, *PINTERFACE_TYPE;
typedef enum _DMA_WIDTH { Width8Bits, Width16Bits, Width32Bits, MaximumDmaWidth } DMA_WIDTH;
typedef enum _DMA_SPEED { Compatible, TypeA, TypeB, TypeC, TypeF, MaximumDmaSpeed } DMA_SPEED;

typedef struct _DEVICE_DESCRIPTION {
    ULONG Version;
    BOOLEAN Master;
    BOOLEAN ScatterGather;
    BOOLEAN DemandMode;
    BOOLEAN AutoInitialize;
    BOOLEAN Dma32BitAddresses;
    BOOLEAN IgnoreCount;
    BOOLEAN Reserved1;
    BOOLEAN Dma64BitAddresses;
    ULONG BusNumber;
    ULONG DmaChannel;
    INTERFACE_TYPE InterfaceType;
    DMA_WIDTH DmaWidth;
    DMA_SPEED DmaSpeed;
    ULONG MaximumLength;
    ULONG DmaPort;
    ULONG DmaAddressWidth;       /* version 3 */
    ULONG DmaControllerInstance; /* version 3 */
    ULONG DmaRequestLine;        /* version 3 */
    PHYSICAL_ADDRESS DeviceAddress; /* version 3 */
} DEVICE_DESCRIPTION, *PDEVICE_DESCRIPTION;

/* ---- scatter/gather lists (the native layout) ------------------------------------------ */

typedef struct _SCATTER_GATHER_ELEMENT {
    PHYSICAL_ADDRESS Address;
    ULONG Length;
    ULONG Reserved;
} SCATTER_GATHER_ELEMENT, *PSCATTER_GATHER_ELEMENT;

typedef struct _SCATTER_GATHER_LIST {
    ULONG NumberOfElements;
    ULONG Reserved;
    SCATTER_GATHER_ELEMENT Elements[];
} SCATTER_GATHER_LIST, *PSCATTER_GATHER_LIST;

SYSDMA_WDM_STATIC_ASSERT(sizeof(SCATTER_GATHER_ELEMENT) == sizeof(sysdma_sg_element),
                         "element layout");
SYSDMA_WDM_STATIC_ASSERT(offsetof(SCATTER_GATHER_LIST, Elements) ==
                             offsetof(sysdma_sg_list, elements),
                         "list layout");

/* ---- device objects, adapters, routines ------------------------------------------------ */

typedef enum _IO_ALLOCATION_ACTION {
    KeepObject = SYSDMA_KEEP_OBJECT,
    DeallocateObject = SYSDMA_DEALLOCATE_OBJECT,
    DeallocateObjectKeepRegisters = SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS
} IO_ALLOCATION_ACTION;

typedef enum _DMA_COMPLETION_STATUS { DmaComplete, DmaAborted, DmaError, DmaCancelled } DMA_COMPLETION_STATUS;

typedef struct _IRP IRP, *PIRP; /* the driver's own */
struct _DEVICE_OBJECT;
struct _DMA_ADAPTER;

typedef IO_ALLOCATION_ACTION DRIVER_CONTROL(struct _DEVICE_OBJECT *DeviceObject, PIRP Irp,
                                            PVOID MapRegisterBase, PVOID Context);
typedef DRIVER_CONTROL *PDRIVER_CONTROL;
typedef VOID DRIVER_LIST_CONTROL(struct _DEVICE_OBJECT *DeviceObject, PIRP Irp,
                                 PSCATTER_GATHER_LIST ScatterGather, PVOID Context);
typedef DRIVER_LIST_CONTROL *PDRIVER_LIST_CONTROL;
typedef VOID DMA_COMPLETION_ROUTINE(struct _DMA_ADAPTER *DmaAdapter,
                                    struct _DEVICE_OBJECT *DeviceObject, PVOID CompletionContext,
                                    DMA_COMPLETION_STATUS Status);
typedef DMA_COMPLETION_ROUTINE *PDMA_COMPLETION_ROUTINE;

typedef struct _DMA_ADAPTER {
    USHORT Version;
    USHORT Size;
    const struct _DMA_OPERATIONS *DmaOperations;
} DMA_ADAPTER, *PDMA_ADAPTER;

/* The legacy name of an adapter (HalGetAdapter, IoAllocateAdapterChannel). */
typedef struct _DMA_ADAPTER ADAPTER_OBJECT, *PADAPTER_OBJECT;

/* The adapter object IoGetDmaAdapter (or HalGetAdapter) hands out: the WDK
 * object, then sysdma's. One per call, allocated from the system's
 * platform; its PutDmaAdapter puts the native handle and frees it. */
typedef struct _SYSDMA_WDM_ADAPTER {
    DMA_ADAPTER Public;
    sysdma_adapter *Native;
    sysdma_system *System;                 /* whose allocator holds this object */
    struct _DEVICE_OBJECT *Pdo;            /* NULL for HalGetAdapter's */
    PDRIVER_CONTROL Control;               /* the outstanding AdapterControl request */
    PVOID ControlContext;
    struct _DEVICE_OBJECT *MappedDevice;   /* MapTransferEx's completion */
    PDMA_COMPLETION_ROUTINE MappedCompletion;
    PVOID MappedContext;
} SYSDMA_WDM_ADAPTER;

#define SYSDMA_WDM_LISTS 8

/* sysdma's bookkeeping in a DEVICE_OBJECT: the system the device belongs
 * to (set when the device is made) and its pending and running
 * scatter/gather list requests. */
#define SYSDMA_WDM_DEVICE_FIELDS                                                                  \
    sysdma_system *SysdmaSystem;                                                                  \
    struct {                                                                                      \
        PDRIVER_LIST_CONTROL Routine;        /* non-NULL: the slot is taken */                    \
        PVOID Context;                                                                            \
        SYSDMA_WDM_ADAPTER *Adapter;         /* the list's adapter */                             \
        sysdma_sg_list *List;                /* once built, while the controller runs it */       \
        PDMA_COMPLETION_ROUTINE Completion;  /* GetScatterGatherListEx's */                       \
        PVOID CompletionContext;                                                                  \
        BOOLEAN WriteToDevice;                                                                    \
        BOOLEAN Running;                     /* the controller runs List */                       \
    } SysdmaLists[SYSDMA_WDM_LISTS];

/* The DEVICE_OBJECT: closed (only the members DMA code uses) unless a
 * header set that opens it names its own definition in
 * SYSDMA_WDM_OPEN_DEVICE_OBJECT before including this file — the
 * sysdma-wdk shim does (include/sysdma-wdk), giving the WDK's members and
 * the kernel objects they hold; its DEVICE_OBJECT ends with
 * SYSDMA_WDM_DEVICE_FIELDS. */
#ifdef SYSDMA_WDM_OPEN_DEVICE_OBJECT
#include SYSDMA_WDM_OPEN_DEVICE_OBJECT
#else
typedef struct _DEVICE_OBJECT {
    PVOID DeviceExtension;
    PIRP CurrentIrp;
    SYSDMA_WDM_DEVICE_FIELDS /* sysdma's */
} DEVICE_OBJECT, *PDEVICE_OBJECT;
#endif

static inline SYSDMA_WDM_ADAPTER *SysdmaWdmAdapter(PDMA_ADAPTER a)
{
    return (SYSDMA_WDM_ADAPTER *)a;
}

static inline sysdma_adapter *SysdmaNative(PDMA_ADAPTER a)
{
    return a ? SysdmaWdmAdapter(a)->Native : NULL;
}

/* ---- the native half (src/core/wdm.c) ------------------------------------------------ */

/* The system the calls that name no device use — port I/O
 * (READ_PORT_*), IoAllocateMdl, HalGetAdapter. Bind it once, before the
 * drivers run; destroying that system unbinds it. With none bound, port
 * reads give all ones (as an unclaimed ISA port does), writes go nowhere,
 * IoAllocateMdl and HalGetAdapter return NULL. */
void sysdma_wdm_system_set(sysdma_system *sys);
sysdma_system *sysdma_wdm_system(void);
/* A 1-, 2- or 4-byte port access through the bound system's platform. */
uint32_t sysdma_wdm_port_read(uint16_t port, unsigned bytes);
void sysdma_wdm_port_write(uint16_t port, unsigned bytes, uint32_t value);
/* Zeroed memory for a WDK object, from the system's platform; NULL when
 * refused. */
void *sysdma_wdm_object_alloc(sysdma_system *sys, size_t bytes);
void sysdma_wdm_object_free(sysdma_system *sys, void *p, size_t bytes);
/* sysdma_mdl_create, with the WDK's page-frame array after the page
 * array (sysdma_wdm_mdl_frames; NULL for an MDL made otherwise). */
sysdma_status sysdma_wdm_mdl_create(sysdma_system *sys, void *va, size_t bytes, sysdma_mdl **out);
uintptr_t *sysdma_wdm_mdl_frames(sysdma_mdl *mdl);

#define SysdmaWdmSetSystem(System) sysdma_wdm_system_set(System)

/* ---- version 3 records --------------------------------------------------------------- */

#define DMA_TRANSFER_CONTEXT_SIZE_V1 ((ULONG)sizeof(sysdma_transfer_context))
#define DMA_SYNCHRONOUS_CALLBACK SYSDMA_ALLOCATE_SYNCHRONOUS
#define ADAPTER_INFO_SYNCHRONOUS_CALLBACK 0x0001
#define ADAPTER_INFO_API_BYPASS 0x0002

typedef struct _DMA_ADAPTER_INFO_V1 {
    ULONG ReadDmaCounterAvailable;
    ULONG ScatterGatherLimit;
    ULONG DmaAddressWidth;
    ULONG Flags;
    ULONG MinimumTransferUnit;
} DMA_ADAPTER_INFO_V1;

typedef struct _DMA_ADAPTER_INFO {
    ULONG Version;
    union {
        DMA_ADAPTER_INFO_V1 V1;
    };
} DMA_ADAPTER_INFO, *PDMA_ADAPTER_INFO;

typedef struct _DMA_TRANSFER_INFO_V1 {
    ULONG MapRegisterCount;
    ULONG ScatterGatherElementCount;
    ULONG ScatterGatherListSize;
} DMA_TRANSFER_INFO_V1;

typedef struct _DMA_TRANSFER_INFO {
    ULONG Version;
    union {
        DMA_TRANSFER_INFO_V1 V1;
    };
} DMA_TRANSFER_INFO, *PDMA_TRANSFER_INFO;

#define DMA_ADAPTER_INFO_VERSION1 1
#define DMA_TRANSFER_INFO_VERSION1 1
#define DMA_TRANSFER_CONTEXT_VERSION1 1
/* AllocateCommonBufferEx's PreferredNode: any NUMA node (sysdma has one). */
#define MM_ANY_NODE_OK 0x80000000u
/* GetDmaTransferInfo's WriteOnly and the Ex calls' WriteToDevice. */
#define DMA_WRITE_TO_DEVICE TRUE
#define DMA_READ_FROM_DEVICE FALSE

/* Memory, port and register access, pages and MDLs. */
#include "sysdma/wdm_support.h"
/* The operations: DMA_OPERATIONS' members as inline functions over the
 * native API, the tables, IoGetDmaAdapter and the other support routines. */
#include "sysdma/wdm_ops.h"
/* The names older drivers call (HalGetAdapter, IoMapTransfer, ...). */
#include "sysdma/wdm_legacy.h"

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_WDM_H */
