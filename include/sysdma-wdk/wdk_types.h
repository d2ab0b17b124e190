/* SPDX-License-Identifier: MIT */
/*
 * sysdma-wdk/wdk_types.h: part of the sysdma-wdk headers (include <wdm.h>).
 * The WDK types a driver's own declarations hold by value — strings,
 * lists, the dispatcher objects (events, semaphores, mutexes, timers),
 * DPCs, device queues, the volume parameter block, the I/O status block —
 * and the open DEVICE_OBJECT with the WDK's members. sysdma/wdm.h
 * includes this file where it would define its closed DEVICE_OBJECT (the
 * shim names it in SYSDMA_WDM_OPEN_DEVICE_OBJECT), so the base types of
 * sysdma/wdm.h are known here and the DMA half sees the open object.
 *
 * The members of the kernel objects are the WDK's names; the scheduler
 * (src/wdk) owns their contents. A driver allocates them (in its device
 * extension, its globals, from pool) and initialises them with the Ke
 * calls; it does not read or write their members, as with the WDK.
 */
#ifndef SYSDMA_WDK_TYPES_H
#define SYSDMA_WDK_TYPES_H

#ifndef SYSDMA_WDK_H
#error "include <wdm.h> (sysdma-wdk), not sysdma-wdk/wdk_types.h"
#endif

/* ---- more base types ------------------------------------------------------------------- */

/* 16-bit wide characters, as on Windows. A driver's L"..." literals are
 * WCHAR strings only when compiled with -fshort-wchar (GCC and Clang);
 * pkg-config's sysdma-wdk cflags carry it. */
typedef uint16_t WCHAR, *PWCHAR, *PWCH, *PWSTR, *LPWSTR;
typedef const uint16_t *PCWSTR, *PCWCH, *LPCWSTR;
typedef char *PSTR, *LPSTR, *PSZ;
typedef const char *PCSTR, *LPCSTR, *PCSZ, *PCCH;
typedef char CCHAR, *PCCHAR;
typedef int16_t *PSHORT;
typedef int32_t INT, *PINT;
typedef uint32_t UINT, *PUINT;
typedef uint8_t BYTE, *PBYTE;
typedef uint16_t WORD, *PWORD;
typedef uint32_t DWORD, *PDWORD;
typedef int64_t *PLONGLONG;
typedef uint64_t *PULONGLONG, *PULONG64;
typedef uint64_t DWORD64, *PDWORD64;
typedef int64_t LONG64, *PLONG64;
typedef size_t *PSIZE_T;
typedef intptr_t SSIZE_T, *PSSIZE_T;
typedef intptr_t *PLONG_PTR;
typedef uint32_t ULONG32, *PULONG32, DWORD32;
typedef int32_t LONG32, INT32;
typedef uint32_t UINT32;
typedef uint16_t UINT16;
typedef uint8_t UINT8;
typedef int8_t INT8;
typedef int16_t INT16;
typedef uint64_t UINT64;
typedef int64_t INT64;
typedef void *HANDLE, **PHANDLE;
typedef PVOID *PPVOID;
typedef ULONG LOGICAL, *PLOGICAL;
typedef LONG KPRIORITY;
typedef UCHAR KIRQL, *PKIRQL;
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
typedef ULONG_PTR KAFFINITY, *PKAFFINITY;
typedef CCHAR KPROCESSOR_MODE;
typedef ULONG ACCESS_MASK, *PACCESS_MASK;
typedef ULONG DEVICE_TYPE;
typedef ULONG EXECUTION_STATE;
typedef PVOID PSECURITY_DESCRIPTOR;
typedef LARGE_INTEGER *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
    struct {
        ULONG LowPart;
        ULONG HighPart;
    };
    struct {
        ULONG LowPart;
        ULONG HighPart;
    } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

#ifndef NULL
#define NULL ((void *)0)
#endif
#define UNICODE_NULL ((WCHAR)0)
#define ANSI_NULL ((CHAR)0)
#define MAXUCHAR 0xff
#define MAXUSHORT 0xffff
#define MAXULONG 0xffffffffu
#define MAXLONG 0x7fffffff
#define MAXLONGLONG ((LONGLONG)0x7fffffffffffffffLL)
#define MAXULONG_PTR (~(ULONG_PTR)0)

#define FIELD_OFFSET(Type, Field) ((LONG)offsetof(Type, Field))
#define RTL_FIELD_SIZE(Type, Field) (sizeof(((Type *)0)->Field))
#define RTL_SIZEOF_THROUGH_FIELD(Type, Field)                                                     \
    (FIELD_OFFSET(Type, Field) + RTL_FIELD_SIZE(Type, Field))
#define RTL_NUMBER_OF(A) (sizeof(A) / sizeof((A)[0]))
#define ARRAYSIZE(A) RTL_NUMBER_OF(A)
#define CONTAINING_RECORD(Address, Type, Field)                                                   \
    ((Type *)((PCHAR)(Address) - offsetof(Type, Field)))
#define ARGUMENT_PRESENT(P) ((P) != NULL)
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))
#define C_ASSERT(e) SYSDMA_WDM_STATIC_ASSERT(e, #e)
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#define ALIGN_DOWN_BY(Length, Alignment) ((ULONG_PTR)(Length) & ~((ULONG_PTR)(Alignment) - 1))
#define ALIGN_UP_BY(Length, Alignment) ALIGN_DOWN_BY(((ULONG_PTR)(Length) + (Alignment) - 1), (Alignment))
#define ANYSIZE_ARRAY 1

/* ---- lists ----------------------------------------------------------------------------- */

typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY, *PRLIST_ENTRY;

typedef struct _SINGLE_LIST_ENTRY {
    struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

/* ---- counted strings ------------------------------------------------------------------- */

typedef struct _UNICODE_STRING {
    USHORT Length;        /* bytes, without a terminating null */
    USHORT MaximumLength; /* bytes of Buffer */
    PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

typedef struct _STRING {
    USHORT Length;
    USHORT MaximumLength;
    PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING, OEM_STRING, *POEM_STRING;
typedef const STRING *PCANSI_STRING;

/* ---- dispatcher objects ---------------------------------------------------------------- */

/* The header every waitable object starts with. Type is one of
 * SYSDMA_WDK_OBJECT_*; SignalState > 0 is signalled. */
typedef struct _DISPATCHER_HEADER {
    UCHAR Type;
    UCHAR Absolute;
    UCHAR Size;
    UCHAR Inserted;
    LONG SignalState;
    LIST_ENTRY WaitListHead;
} DISPATCHER_HEADER, *PDISPATCHER_HEADER;

#define SYSDMA_WDK_OBJECT_EVENT_NOTIFICATION 0
#define SYSDMA_WDK_OBJECT_EVENT_SYNCHRONIZATION 1
#define SYSDMA_WDK_OBJECT_MUTANT 2
#define SYSDMA_WDK_OBJECT_SEMAPHORE 5
#define SYSDMA_WDK_OBJECT_THREAD 6
#define SYSDMA_WDK_OBJECT_TIMER_NOTIFICATION 8
#define SYSDMA_WDK_OBJECT_TIMER_SYNCHRONIZATION 9

typedef enum _EVENT_TYPE { NotificationEvent, SynchronizationEvent } EVENT_TYPE;
typedef enum _TIMER_TYPE { NotificationTimer, SynchronizationTimer } TIMER_TYPE;
typedef enum _WAIT_TYPE { WaitAll, WaitAny, WaitNotification, WaitDequeue } WAIT_TYPE;

typedef struct _KEVENT {
    DISPATCHER_HEADER Header;
} KEVENT, *PKEVENT, *PRKEVENT;

typedef struct _KSEMAPHORE {
    DISPATCHER_HEADER Header;
    LONG Limit;
} KSEMAPHORE, *PKSEMAPHORE, *PRKSEMAPHORE;

struct _KTHREAD;
struct _ETHREAD;
typedef struct _KTHREAD *PKTHREAD, *PRKTHREAD;
typedef struct _ETHREAD *PETHREAD;
typedef struct _KPROCESS *PKPROCESS, *PRKPROCESS;
typedef struct _EPROCESS *PEPROCESS;

typedef struct _KMUTANT {
    DISPATCHER_HEADER Header;
    LIST_ENTRY MutantListEntry;
    struct _KTHREAD *OwnerThread;
    BOOLEAN Abandoned;
    UCHAR ApcDisable;
} KMUTANT, *PKMUTANT, *PRKMUTANT, KMUTEX, *PKMUTEX, *PRKMUTEX;

typedef struct _FAST_MUTEX {
    LONG Count;
    PVOID Owner;
    ULONG Contention;
    KEVENT Event;
    ULONG OldIrql;
} FAST_MUTEX, *PFAST_MUTEX, KGUARDED_MUTEX, *PKGUARDED_MUTEX;

struct _KDPC;
typedef VOID KDEFERRED_ROUTINE(struct _KDPC *Dpc, PVOID DeferredContext, PVOID SystemArgument1,
                               PVOID SystemArgument2);
typedef KDEFERRED_ROUTINE *PKDEFERRED_ROUTINE;

typedef enum _KDPC_IMPORTANCE { LowImportance, MediumImportance, HighImportance, MediumHighImportance } KDPC_IMPORTANCE;

/* A deferred procedure call. DpcData is non-NULL while it is queued. */
typedef struct _KDPC {
    UCHAR Type;
    UCHAR Importance;
    volatile USHORT Number;
    LIST_ENTRY DpcListEntry;
    PKDEFERRED_ROUTINE DeferredRoutine;
    PVOID DeferredContext;
    PVOID SystemArgument1;
    PVOID SystemArgument2;
    volatile PVOID DpcData;
} KDPC, *PKDPC, *PRKDPC;

/* A timer: DueTime is the absolute virtual time (100 ns units) it expires
 * at; TimerListEntry links it into the scheduler's list while set. */
typedef struct _KTIMER {
    DISPATCHER_HEADER Header;
    ULARGE_INTEGER DueTime;
    LIST_ENTRY TimerListEntry;
    struct _KDPC *Dpc;
    LONG Period;
} KTIMER, *PKTIMER, *PRKTIMER;

typedef struct _KDEVICE_QUEUE_ENTRY {
    LIST_ENTRY DeviceListEntry;
    ULONG SortKey;
    BOOLEAN Inserted;
} KDEVICE_QUEUE_ENTRY, *PKDEVICE_QUEUE_ENTRY, *PRKDEVICE_QUEUE_ENTRY;

typedef struct _KDEVICE_QUEUE {
    CSHORT Type;
    CSHORT Size;
    LIST_ENTRY DeviceListHead;
    KSPIN_LOCK Lock;
    BOOLEAN Busy;
} KDEVICE_QUEUE, *PKDEVICE_QUEUE, *PRKDEVICE_QUEUE;

typedef struct _KWAIT_BLOCK {
    LIST_ENTRY WaitListEntry;
    struct _KTHREAD *Thread;
    PVOID Object;
    struct _KWAIT_BLOCK *NextWaitBlock;
    USHORT WaitKey;
    UCHAR WaitType;
    UCHAR BlockState;
} KWAIT_BLOCK, *PKWAIT_BLOCK, *PRKWAIT_BLOCK;

#define THREAD_WAIT_OBJECTS 3
#define MAXIMUM_WAIT_OBJECTS 64

/* ---- I/O status, the VPB, the open device object --------------------------------------- */

typedef struct _IO_STATUS_BLOCK {
    union {
        NTSTATUS Status;
        PVOID Pointer;
    };
    ULONG_PTR Information;
} IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;

struct _DRIVER_OBJECT;
struct _FILE_OBJECT;
typedef struct _FILE_OBJECT *PFILE_OBJECT;

#define MAXIMUM_VOLUME_LABEL_LENGTH (32 * sizeof(WCHAR))

typedef struct _VPB {
    CSHORT Type;
    CSHORT Size;
    USHORT Flags;
    USHORT VolumeLabelLength;
    struct _DEVICE_OBJECT *DeviceObject;
    struct _DEVICE_OBJECT *RealDevice;
    ULONG SerialNumber;
    ULONG ReferenceCount;
    WCHAR VolumeLabel[MAXIMUM_VOLUME_LABEL_LENGTH / sizeof(WCHAR)];
} VPB, *PVPB;

#define VPB_MOUNTED 0x0001
#define VPB_LOCKED 0x0002
#define VPB_PERSISTENT 0x0004
#define VPB_REMOVE_PENDING 0x0008
#define VPB_RAW_MOUNT 0x0010

typedef struct _WAIT_CONTEXT_BLOCK {
    KDEVICE_QUEUE_ENTRY WaitQueueEntry;
    PDRIVER_CONTROL DeviceRoutine;
    PVOID DeviceContext;
    ULONG NumberOfMapRegisters;
    PVOID DeviceObject;
    PVOID CurrentIrp;
    PVOID BufferChainingDpc;
} WAIT_CONTEXT_BLOCK, *PWAIT_CONTEXT_BLOCK;

typedef struct _IO_TIMER *PIO_TIMER;

/* The device object with the WDK's members, in the WDK's order, then
 * sysdma's (SYSDMA_WDM_DEVICE_FIELDS). IoCreateDevice makes it. */
typedef struct _DEVICE_OBJECT {
    CSHORT Type;
    USHORT Size;
    LONG ReferenceCount;
    struct _DRIVER_OBJECT *DriverObject;
    struct _DEVICE_OBJECT *NextDevice;    /* the driver's next device */
    struct _DEVICE_OBJECT *AttachedDevice; /* the device attached on top */
    PIRP CurrentIrp;                      /* IoStartPacket's */
    PIO_TIMER Timer;
    ULONG Flags;                          /* DO_* */
    ULONG Characteristics;                /* FILE_* device characteristics */
    volatile PVPB Vpb;                    /* disks, tapes, CD-ROMs: made by IoCreateDevice */
    PVOID DeviceExtension;                /* zeroed, DeviceExtensionSize bytes */
    DEVICE_TYPE DeviceType;
    CCHAR StackSize;                      /* stack locations an IRP for it needs */
    union {
        LIST_ENTRY ListEntry;
        WAIT_CONTEXT_BLOCK Wcb;
    } Queue;
    ULONG AlignmentRequirement;           /* FILE_*_ALIGNMENT: a mask */
    KDEVICE_QUEUE DeviceQueue;            /* IoStartPacket's queue */
    KDPC Dpc;                             /* IoInitializeDpcRequest / IoRequestDpc */
    ULONG ActiveThreadCount;
    PSECURITY_DESCRIPTOR SecurityDescriptor;
    KEVENT DeviceLock;
    USHORT SectorSize;
    USHORT Spare1;
    struct _DEVOBJ_EXTENSION *DeviceObjectExtension;
    PVOID Reserved;
    SYSDMA_WDM_DEVICE_FIELDS /* sysdma's */
} DEVICE_OBJECT, *PDEVICE_OBJECT;

#endif /* SYSDMA_WDK_TYPES_H */
