/* SPDX-License-Identifier: MIT */
/*
 * The kernel's services besides the dispatcher objects: IRQL, spin locks,
 * DPCs, stalls and time, system threads and their handles, object
 * references, the debugger's print and bug checks, interlocked lists and
 * device queues. One simulated processor: a spin lock is a flag that a
 * second acquisition on the same processor would deadlock on (a bug check
 * here), and raising the IRQL to DISPATCH_LEVEL is what keeps other
 * threads and DPCs off the processor.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "wdk_internal.h"

#define SYSDMA_WDK_EPOCH 125911584000000000LL /* 2000-01-01 in 100 ns since 1601 */
#define SYSDMA_WDK_TICK 156250u               /* 15.625 ms in 100 ns units */

static wdk_thread *me_or_fail(const char *call)
{
    wdk_thread *me = sysdma__wdk_self();
    if (!me || !W) {
        fprintf(stderr, "sysdma-wdk: %s outside a run\n", call);
        abort();
    }
    return me;
}

/* ---- IRQL ------------------------------------------------------------------------------- */

KIRQL KeGetCurrentIrql(VOID)
{
    return me_or_fail("KeGetCurrentIrql")->irql;
}

VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
    wdk_thread *me = me_or_fail("KeRaiseIrql");
    if (NewIrql < me->irql || NewIrql > HIGH_LEVEL)
        sysdma__wdk_fail(true, "KeRaiseIrql to %u from %u", NewIrql, me->irql);
    *OldIrql = me->irql;
    me->irql = NewIrql;
}

VOID KeLowerIrql(KIRQL NewIrql)
{
    wdk_thread *me = me_or_fail("KeLowerIrql");
    if (NewIrql > me->irql)
        sysdma__wdk_fail(true, "KeLowerIrql to %u from %u", NewIrql, me->irql);
    me->irql = NewIrql;
    sysdma__wdk_deliver_pending();
    sysdma__wdk_run_dpcs();
}

KIRQL KeRaiseIrqlToDpcLevel(VOID)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    return old;
}

KIRQL KeRaiseIrqlToSynchLevel(VOID)
{
    KIRQL old;
    KeRaiseIrql(SYNCH_LEVEL, &old);
    return old;
}

/* ---- spin locks ------------------------------------------------------------------------- */

VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    *SpinLock = 0;
}

static void lock_take(PKSPIN_LOCK l, const char *call)
{
    if (*l)
        sysdma__wdk_fail(true, "%s: the spin lock is held already (a deadlock on one processor)",
                         call);
    *l = 1;
}

static void lock_drop(PKSPIN_LOCK l, const char *call)
{
    if (!*l)
        sysdma__wdk_fail(true, "%s: the spin lock is not held", call);
    *l = 0;
}

KIRQL KfAcquireSpinLock(PKSPIN_LOCK SpinLock)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL > KeGetCurrentIrql() ? DISPATCH_LEVEL : KeGetCurrentIrql(), &old);
    lock_take(SpinLock, "KeAcquireSpinLock");
    return old;
}

KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    return KfAcquireSpinLock(SpinLock);
}

VOID KfReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    lock_drop(SpinLock, "KeReleaseSpinLock");
    KeLowerIrql(NewIrql);
}

VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    if (KeGetCurrentIrql() < DISPATCH_LEVEL)
        sysdma__wdk_fail(true, "KeAcquireSpinLockAtDpcLevel below DISPATCH_LEVEL");
    lock_take(SpinLock, "KeAcquireSpinLockAtDpcLevel");
}

VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    lock_drop(SpinLock, "KeReleaseSpinLockFromDpcLevel");
}

BOOLEAN KeTestSpinLock(PKSPIN_LOCK SpinLock)
{
    return *SpinLock == 0;
}

/* ---- DPCs ------------------------------------------------------------------------------- */

VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    memset(Dpc, 0, sizeof *Dpc);
    Dpc->Type = 19; /* DpcObject */
    Dpc->Importance = MediumImportance;
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
}

VOID KeInitializeThreadedDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine,
                             PVOID DeferredContext)
{
    KeInitializeDpc(Dpc, DeferredRoutine, DeferredContext);
}

VOID KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance)
{
    Dpc->Importance = (UCHAR)Importance;
}

BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    if (!Dpc->DeferredRoutine)
        sysdma__wdk_fail(true, "KeInsertQueueDpc on a DPC never initialised");
    if (Dpc->DpcData)
        return FALSE;
    Dpc->DpcData = Dpc;
    Dpc->SystemArgument1 = SystemArgument1;
    Dpc->SystemArgument2 = SystemArgument2;
    if (Dpc->Importance == HighImportance)
        InsertHeadList(&W->dpcs, &Dpc->DpcListEntry);
    else
        InsertTailList(&W->dpcs, &Dpc->DpcListEntry);
    sysdma__wdk_trace("dpc queued");
    return TRUE;
}

BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc)
{
    if (!Dpc->DpcData)
        return FALSE;
    RemoveEntryList(&Dpc->DpcListEntry);
    Dpc->DpcData = NULL;
    return TRUE;
}

VOID KeFlushQueuedDpcs(VOID)
{
    sysdma__wdk_run_dpcs();
}

/* ---- time -------------------------------------------------------------------------------- */

VOID KeStallExecutionProcessor(ULONG MicroSeconds)
{
    sysdma__wdk_advance((uint64_t)MicroSeconds * 1000u);
}

VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = SYSDMA_WDK_EPOCH + (LONGLONG)(sysdma__wdk_now() / 100u);
}

VOID KeQueryTickCount(PLARGE_INTEGER TickCount)
{
    TickCount->QuadPart = (LONGLONG)(sysdma__wdk_now() / 100u / SYSDMA_WDK_TICK);
}

ULONG KeQueryTimeIncrement(VOID)
{
    return SYSDMA_WDK_TICK;
}

ULONGLONG KeQueryInterruptTime(VOID)
{
    return sysdma__wdk_now() / 100u;
}

LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    LARGE_INTEGER v;
    if (PerformanceFrequency)
        PerformanceFrequency->QuadPart = 10000000; /* 100 ns ticks */
    v.QuadPart = (LONGLONG)(sysdma__wdk_now() / 100u);
    return v;
}

/* ---- threads and handles ----------------------------------------------------------------- */

static POBJECT_TYPE thread_type = (POBJECT_TYPE)&thread_type;
static POBJECT_TYPE event_type = (POBJECT_TYPE)&event_type;
static POBJECT_TYPE file_type = (POBJECT_TYPE)&file_type;
POBJECT_TYPE *PsThreadType = &thread_type;
POBJECT_TYPE *ExEventObjectType = &event_type;
POBJECT_TYPE *IoFileObjectType = &file_type;

NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess,
                              POBJECT_ATTRIBUTES ObjectAttributes, HANDLE ProcessHandle,
                              PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
                              PVOID StartContext)
{
    (void)DesiredAccess, (void)ObjectAttributes, (void)ProcessHandle;
    if (!ThreadHandle || !StartRoutine)
        return STATUS_INVALID_PARAMETER;
    if (me_or_fail("PsCreateSystemThread")->irql > PASSIVE_LEVEL)
        sysdma__wdk_fail(true, "PsCreateSystemThread above PASSIVE_LEVEL");
    wdk_thread *t = calloc(1, sizeof *t);
    if (!t)
        return STATUS_INSUFFICIENT_RESOURCES;
    t->Header.Type = SYSDMA_WDK_OBJECT_THREAD;
    InitializeListHead(&t->Header.WaitListHead);
    t->deadline = UINT64_MAX;
    t->start = StartRoutine;
    t->start_ctx = StartContext;
    t->refs = 1; /* the handle's */
    t->priority = 8;
    int h = sysdma__wdk_handle_new(WDK_H_THREAD, t);
    if (h < 0) {
        free(t);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (sysdma__wdk_thread_start(t) != 0) {
        W->handles[h].kind = WDK_H_FREE;
        free(t);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    *ThreadHandle = (HANDLE)(uintptr_t)(4 * (h + 1));
    if (ClientId) {
        ClientId->UniqueProcess = (HANDLE)(uintptr_t)4;
        ClientId->UniqueThread = (HANDLE)(uintptr_t)(t->id * 4);
    }
    return STATUS_SUCCESS;
}

PKTHREAD KeGetCurrentThread(VOID)
{
    return me_or_fail("KeGetCurrentThread");
}

PETHREAD PsGetCurrentThread(VOID)
{
    return (PETHREAD)me_or_fail("PsGetCurrentThread");
}

HANDLE PsGetCurrentThreadId(VOID)
{
    return (HANDLE)(uintptr_t)(me_or_fail("PsGetCurrentThreadId")->id * 4 + 4);
}

BOOLEAN PsIsSystemThread(PETHREAD Thread)
{
    return Thread != NULL;
}

KPRIORITY KeSetPriorityThread(PKTHREAD Thread, KPRIORITY Priority)
{
    KPRIORITY old = Thread->priority;
    Thread->priority = Priority; /* recorded; the scheduler runs threads in FIFO order */
    return old;
}

KPRIORITY KeQueryPriorityThread(PKTHREAD Thread)
{
    return Thread->priority;
}

ULONG KeGetCurrentProcessorNumber(VOID)
{
    return 0;
}

NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess,
                                   POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                   PVOID *Object, POBJECT_HANDLE_INFORMATION HandleInformation)
{
    (void)DesiredAccess, (void)AccessMode;
    if (!Object)
        return STATUS_INVALID_PARAMETER;
    wdk_thread *t = sysdma__wdk_handle_get(Handle, WDK_H_THREAD);
    if (!t)
        return sysdma__wdk_handle_get(Handle, WDK_H_KEY) ? STATUS_OBJECT_TYPE_MISMATCH
                                                         : STATUS_INVALID_HANDLE;
    if (ObjectType && ObjectType != thread_type)
        return STATUS_OBJECT_TYPE_MISMATCH;
    t->refs++;
    *Object = t;
    if (HandleInformation) {
        HandleInformation->HandleAttributes = 0;
        HandleInformation->GrantedAccess = THREAD_ALL_ACCESS;
    }
    return STATUS_SUCCESS;
}

LONG_PTR ObfReferenceObject(PVOID Object)
{
    wdk_thread *t = Object;
    if (t->Header.Type != SYSDMA_WDK_OBJECT_THREAD)
        return 1; /* device and file objects are not counted */
    return ++t->refs;
}

LONG_PTR ObfDereferenceObject(PVOID Object)
{
    wdk_thread *t = Object;
    if (t->Header.Type != SYSDMA_WDK_OBJECT_THREAD)
        return 1;
    if (t->refs <= 0)
        sysdma__wdk_fail(true, "ObDereferenceObject on a thread with no references left");
    return --t->refs;
}

NTSTATUS ZwClose(HANDLE Handle)
{
    uintptr_t v = (uintptr_t)Handle;
    if (v == 0 || v % 4 || v / 4 > WDK_HANDLES || W->handles[v / 4 - 1].kind == WDK_H_FREE)
        return STATUS_INVALID_HANDLE;
    unsigned h = (unsigned)(v / 4 - 1);
    if (W->handles[h].kind == WDK_H_THREAD)
        ((wdk_thread *)W->handles[h].obj)->refs--;
    else
        sysdma__wdk_free(W->handles[h].obj); /* a key's path */
    W->handles[h].kind = WDK_H_FREE;
    W->handles[h].obj = NULL;
    return STATUS_SUCCESS;
}

/* ---- the debugger ------------------------------------------------------------------------ */

static ULONG print_line(const char *fmt, va_list ap)
{
    char line[1024];
    sysdma__wdk_vformat(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
    sysdma__wdk_log("%s", line);
    return STATUS_SUCCESS;
}

ULONG DbgPrint(PCSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    ULONG r = print_line(Format, ap);
    va_end(ap);
    return r;
}

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    (void)ComponentId, (void)Level;
    va_list ap;
    va_start(ap, Format);
    ULONG r = print_line(Format, ap);
    va_end(ap);
    return r;
}

VOID DbgBreakPoint(VOID)
{
    sysdma__wdk_fail(true, "DbgBreakPoint");
}

VOID KeBugCheck(ULONG BugCheckCode)
{
    sysdma__wdk_fail(true, "KeBugCheck(0x%08X)", (unsigned)BugCheckCode);
}

VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1,
                  ULONG_PTR BugCheckParameter2, ULONG_PTR BugCheckParameter3,
                  ULONG_PTR BugCheckParameter4)
{
    sysdma__wdk_fail(true, "KeBugCheckEx(0x%08X, 0x%llX, 0x%llX, 0x%llX, 0x%llX)",
                     (unsigned)BugCheckCode, (unsigned long long)BugCheckParameter1,
                     (unsigned long long)BugCheckParameter2,
                     (unsigned long long)BugCheckParameter3,
                     (unsigned long long)BugCheckParameter4);
}

VOID sysdma_wdk_assert_failed(const char *expr, const char *file, int line)
{
    sysdma__wdk_fail(true, "ASSERT(%s) failed at %s:%d", expr, file, line);
}

/* ---- interlocked lists and device queues ------------------------------------------------ */

PLIST_ENTRY ExInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry,
                                        PKSPIN_LOCK Lock)
{
    KIRQL old = KfAcquireSpinLock(Lock);
    PLIST_ENTRY first = IsListEmpty(ListHead) ? NULL : ListHead->Flink;
    InsertHeadList(ListHead, ListEntry);
    KfReleaseSpinLock(Lock, old);
    return first;
}

PLIST_ENTRY ExInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry,
                                        PKSPIN_LOCK Lock)
{
    KIRQL old = KfAcquireSpinLock(Lock);
    PLIST_ENTRY first = IsListEmpty(ListHead) ? NULL : ListHead->Flink;
    InsertTailList(ListHead, ListEntry);
    KfReleaseSpinLock(Lock, old);
    return first;
}

PLIST_ENTRY ExInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PKSPIN_LOCK Lock)
{
    KIRQL old = KfAcquireSpinLock(Lock);
    PLIST_ENTRY e = IsListEmpty(ListHead) ? NULL : RemoveHeadList(ListHead);
    KfReleaseSpinLock(Lock, old);
    return e;
}

PSINGLE_LIST_ENTRY ExInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead,
                                              PSINGLE_LIST_ENTRY ListEntry, PKSPIN_LOCK Lock)
{
    KIRQL old = KfAcquireSpinLock(Lock);
    PSINGLE_LIST_ENTRY first = ListHead->Next;
    PushEntryList(ListHead, ListEntry);
    KfReleaseSpinLock(Lock, old);
    return first;
}

PSINGLE_LIST_ENTRY ExInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead, PKSPIN_LOCK Lock)
{
    KIRQL old = KfAcquireSpinLock(Lock);
    PSINGLE_LIST_ENTRY e = PopEntryList(ListHead);
    KfReleaseSpinLock(Lock, old);
    return e;
}

VOID KeInitializeDeviceQueue(PKDEVICE_QUEUE DeviceQueue)
{
    memset(DeviceQueue, 0, sizeof *DeviceQueue);
    DeviceQueue->Type = 20; /* DeviceQueueObject */
    DeviceQueue->Size = (CSHORT)sizeof *DeviceQueue;
    InitializeListHead(&DeviceQueue->DeviceListHead);
}

/* FALSE (and the queue marked busy) when it was idle: the caller starts
 * the entry itself. */
BOOLEAN KeInsertDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry)
{
    if (!DeviceQueue->Busy) {
        DeviceQueue->Busy = TRUE;
        DeviceQueueEntry->Inserted = FALSE;
        return FALSE;
    }
    InsertTailList(&DeviceQueue->DeviceListHead, &DeviceQueueEntry->DeviceListEntry);
    DeviceQueueEntry->Inserted = TRUE;
    return TRUE;
}

/* The next entry, or NULL (and the queue idle). */
PKDEVICE_QUEUE_ENTRY KeRemoveDeviceQueue(PKDEVICE_QUEUE DeviceQueue)
{
    if (IsListEmpty(&DeviceQueue->DeviceListHead)) {
        DeviceQueue->Busy = FALSE;
        return NULL;
    }
    PKDEVICE_QUEUE_ENTRY e = CONTAINING_RECORD(RemoveHeadList(&DeviceQueue->DeviceListHead),
                                               KDEVICE_QUEUE_ENTRY, DeviceListEntry);
    e->Inserted = FALSE;
    return e;
}
