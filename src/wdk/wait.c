/* SPDX-License-Identifier: MIT */
/*
 * Dispatcher objects and waits: events, semaphores, mutexes, fast mutexes,
 * timers and threads as waitable objects, KeWaitForSingleObject and
 * KeWaitForMultipleObjects with their timeouts, and the expiry of timers
 * and wait deadlines in simulated time.
 *
 * Every object starts with a DISPATCHER_HEADER whose SignalState says
 * whether a wait on it is satisfied. A signal walks the waiting threads in
 * creation order and satisfies each whose wait it completes, consuming
 * the object where the WDK says a wait does (a synchronization event
 * resets, a semaphore counts down, a mutex is owned): the order of wake-ups
 * is the threads' order, never the host's.
 */
#include <string.h>

#include "wdk_internal.h"

/* 100 ns units ↔ simulated ns. Positive timeouts are absolute system
 * time, which starts at SYSDMA_WDK_EPOCH when the run starts. */
#define SYSDMA_WDK_EPOCH 125911584000000000LL /* 2000-01-01 in 100 ns since 1601 */

static uint64_t deadline_of(const LARGE_INTEGER *timeout)
{
    uint64_t now = sysdma__wdk_now();
    if (!timeout)
        return UINT64_MAX;
    if (timeout->QuadPart <= 0)
        return now + (uint64_t)(-(timeout->QuadPart)) * 100u;
    LONGLONG since = timeout->QuadPart - SYSDMA_WDK_EPOCH;
    uint64_t at = since <= 0 ? 0 : (uint64_t)since * 100u;
    return at < now ? now : at;
}

/* ---- one object --------------------------------------------------------------------------- */

static bool signalled(PVOID o, wdk_thread *t)
{
    DISPATCHER_HEADER *h = o;
    if (h->Type == SYSDMA_WDK_OBJECT_MUTANT)
        return h->SignalState > 0 || ((PKMUTANT)o)->OwnerThread == t;
    return h->SignalState > 0;
}

static void consume(PVOID o, wdk_thread *t)
{
    DISPATCHER_HEADER *h = o;
    switch (h->Type) {
    case SYSDMA_WDK_OBJECT_EVENT_SYNCHRONIZATION:
    case SYSDMA_WDK_OBJECT_TIMER_SYNCHRONIZATION:
        h->SignalState = 0;
        break;
    case SYSDMA_WDK_OBJECT_SEMAPHORE:
        h->SignalState--;
        break;
    case SYSDMA_WDK_OBJECT_MUTANT:
        h->SignalState--;
        ((PKMUTANT)o)->OwnerThread = t;
        break;
    default:
        break;
    }
}

static void check_object(PVOID o)
{
    if (!o)
        sysdma__wdk_fail(true, "wait on a NULL object");
    UCHAR type = ((DISPATCHER_HEADER *)o)->Type;
    if (type != SYSDMA_WDK_OBJECT_EVENT_NOTIFICATION &&
        type != SYSDMA_WDK_OBJECT_EVENT_SYNCHRONIZATION && type != SYSDMA_WDK_OBJECT_MUTANT &&
        type != SYSDMA_WDK_OBJECT_SEMAPHORE && type != SYSDMA_WDK_OBJECT_THREAD &&
        type != SYSDMA_WDK_OBJECT_TIMER_NOTIFICATION &&
        type != SYSDMA_WDK_OBJECT_TIMER_SYNCHRONIZATION)
        sysdma__wdk_fail(true, "wait on an object that is not a dispatcher object "
                               "(not initialised?)");
}

/* Satisfies t's wait if the objects allow it now: its status, or -1. */
static NTSTATUS try_satisfy(wdk_thread *t)
{
    if (t->wait_type == WaitAny) {
        for (ULONG k = 0; k < t->nobj; k++)
            if (signalled(t->objs[k], t)) {
                consume(t->objs[k], t);
                return STATUS_WAIT_0 + (NTSTATUS)k;
            }
        return -1;
    }
    for (ULONG k = 0; k < t->nobj; k++)
        if (!signalled(t->objs[k], t))
            return -1;
    for (ULONG k = 0; k < t->nobj; k++)
        consume(t->objs[k], t);
    return STATUS_SUCCESS;
}

static void wake(wdk_thread *t, NTSTATUS st)
{
    t->waiting = false;
    t->wake_status = st;
    t->deadline = UINT64_MAX;
    sysdma__wdk_trace("thread %d wakes: 0x%X", t->id, (unsigned)st);
    sysdma__wdk_make_ready(t);
}

void sysdma__wdk_signal(PVOID object)
{
    for (wdk_thread *t = W->threads; t; t = t->next_all) {
        if (!t->waiting || !signalled(object, t))
            continue;
        bool mine = false;
        for (ULONG k = 0; k < t->nobj; k++)
            mine |= t->objs[k] == object;
        if (!mine)
            continue;
        NTSTATUS st = try_satisfy(t);
        if (st != -1)
            wake(t, st);
        if (!signalled(object, t) && ((DISPATCHER_HEADER *)object)->SignalState <= 0)
            break;
    }
}

/* ---- waits -------------------------------------------------------------------------------- */

NTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType,
                                  KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                                  BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                  PKWAIT_BLOCK WaitBlockArray)
{
    (void)WaitReason, (void)WaitMode, (void)Alertable, (void)WaitBlockArray;
    wdk_thread *me = sysdma__wdk_self();
    if (!me)
        return STATUS_INVALID_PARAMETER;
    if (Count == 0 || Count > WDK_MAX_WAIT || (WaitType != WaitAny && WaitType != WaitAll))
        sysdma__wdk_fail(true, "KeWaitForMultipleObjects: bad count %u or wait type",
                         (unsigned)Count);
    if (Count > THREAD_WAIT_OBJECTS && !WaitBlockArray)
        sysdma__wdk_fail(true, "KeWaitForMultipleObjects: %u objects and no wait blocks",
                         (unsigned)Count);
    for (ULONG k = 0; k < Count; k++)
        check_object(Object[k]);
    me->nobj = Count;
    memcpy(me->objs, Object, Count * sizeof(PVOID));
    me->wait_type = WaitType;
    NTSTATUS st = try_satisfy(me);
    if (st != -1)
        return st;
    if (Timeout && Timeout->QuadPart == 0)
        return STATUS_TIMEOUT;
    if (me->irql >= DISPATCH_LEVEL)
        sysdma__wdk_fail(true, "a wait with a non-zero timeout at IRQL %u (thread %d)", me->irql,
                         me->id);
    if (W->in_dpc || W->in_sim)
        sysdma__wdk_fail(true, "a wait inside a DPC or an ISR");
    me->deadline = deadline_of(Timeout);
    me->waiting = true;
    me->wait_what = NULL;
    sysdma__wdk_trace("thread %d waits on %u object(s)%s", me->id, (unsigned)Count,
                      me->deadline == UINT64_MAX ? "" : " with a timeout");
    sysdma__wdk_block(false);
    return me->wake_status;
}

NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                               BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    PVOID objs[1] = {Object};
    return KeWaitForMultipleObjects(1, objs, WaitAny, WaitReason, WaitMode, Alertable, Timeout,
                                    NULL);
}

NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable,
                                PLARGE_INTEGER Interval)
{
    (void)WaitMode, (void)Alertable;
    wdk_thread *me = sysdma__wdk_self();
    if (!Interval)
        return STATUS_INVALID_PARAMETER;
    if (me->irql > APC_LEVEL || W->in_dpc || W->in_sim)
        sysdma__wdk_fail(true, "KeDelayExecutionThread at IRQL %u", me->irql);
    me->nobj = 0;
    me->deadline = deadline_of(Interval);
    me->waiting = true;
    me->wait_what = "a delay";
    sysdma__wdk_trace("thread %d delays", me->id);
    sysdma__wdk_block(false);
    return STATUS_SUCCESS;
}

void sysdma__wdk_describe_wait(const wdk_thread *t, char *buf, size_t cap)
{
    if (!t->waiting) {
        snprintf(buf, cap, "nothing (ready)");
        return;
    }
    if (t->wait_what) {
        snprintf(buf, cap, "%s", t->wait_what);
        return;
    }
    size_t n = 0;
    n += (size_t)snprintf(buf + n, cap - n, "%s of", t->wait_type == WaitAll ? "all" : "any");
    for (ULONG k = 0; k < t->nobj && n < cap; k++) {
        static const char *const names[] = {"notification event", "synchronization event",
                                            "mutex", "?", "?", "semaphore", "thread", "?",
                                            "notification timer", "synchronization timer"};
        DISPATCHER_HEADER *h = t->objs[k];
        const char *name = h->Type < 10 ? names[h->Type] : "?";
        n += (size_t)snprintf(buf + n, cap - n, " %s%s", name, k + 1 < t->nobj ? "," : "");
    }
}

/* ---- events, semaphores, mutexes -------------------------------------------------------------- */

VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    memset(Event, 0, sizeof *Event);
    Event->Header.Type = Type == SynchronizationEvent ? SYSDMA_WDK_OBJECT_EVENT_SYNCHRONIZATION
                                                      : SYSDMA_WDK_OBJECT_EVENT_NOTIFICATION;
    Event->Header.SignalState = State ? 1 : 0;
    InitializeListHead(&Event->Header.WaitListHead);
}

LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    (void)Increment, (void)Wait;
    check_object(Event);
    LONG old = Event->Header.SignalState;
    Event->Header.SignalState = 1;
    sysdma__wdk_signal(Event);
    return old;
}

LONG KePulseEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    LONG old = KeSetEvent(Event, Increment, Wait);
    Event->Header.SignalState = 0;
    return old;
}

LONG KeResetEvent(PRKEVENT Event)
{
    LONG old = Event->Header.SignalState;
    Event->Header.SignalState = 0;
    return old;
}

VOID KeClearEvent(PRKEVENT Event)
{
    Event->Header.SignalState = 0;
}

LONG KeReadStateEvent(PRKEVENT Event)
{
    return Event->Header.SignalState;
}

VOID KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit)
{
    memset(Semaphore, 0, sizeof *Semaphore);
    Semaphore->Header.Type = SYSDMA_WDK_OBJECT_SEMAPHORE;
    Semaphore->Header.SignalState = Count;
    Semaphore->Limit = Limit;
    InitializeListHead(&Semaphore->Header.WaitListHead);
}

LONG KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment,
                        BOOLEAN Wait)
{
    (void)Increment, (void)Wait;
    check_object(Semaphore);
    LONG old = Semaphore->Header.SignalState;
    if (Adjustment <= 0 || old > Semaphore->Limit - Adjustment)
        sysdma__wdk_fail(true, "KeReleaseSemaphore: count %ld + %ld passes the limit %ld",
                         (long)old, (long)Adjustment, (long)Semaphore->Limit);
    Semaphore->Header.SignalState = old + Adjustment;
    sysdma__wdk_signal(Semaphore);
    return old;
}

LONG KeReadStateSemaphore(PRKSEMAPHORE Semaphore)
{
    return Semaphore->Header.SignalState;
}

VOID KeInitializeMutex(PRKMUTEX Mutex, ULONG Level)
{
    (void)Level;
    memset(Mutex, 0, sizeof *Mutex);
    Mutex->Header.Type = SYSDMA_WDK_OBJECT_MUTANT;
    Mutex->Header.SignalState = 1;
    InitializeListHead(&Mutex->Header.WaitListHead);
}

LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait)
{
    (void)Wait;
    if (Mutex->OwnerThread != sysdma__wdk_self())
        sysdma__wdk_fail(true, "KeReleaseMutex by a thread that does not own it");
    LONG old = Mutex->Header.SignalState;
    if (++Mutex->Header.SignalState > 0) {
        Mutex->OwnerThread = NULL;
        sysdma__wdk_signal(Mutex);
    }
    return old;
}

LONG KeReadStateMutex(PRKMUTEX Mutex)
{
    return Mutex->Header.SignalState;
}

VOID ExInitializeFastMutex(PFAST_MUTEX FastMutex)
{
    FastMutex->Count = 1;
    FastMutex->Owner = NULL;
    FastMutex->Contention = 0;
    KeInitializeEvent(&FastMutex->Event, SynchronizationEvent, FALSE);
}

VOID ExAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    wdk_thread *me = sysdma__wdk_self();
    if (FastMutex->Owner == me)
        sysdma__wdk_fail(true, "ExAcquireFastMutex: thread %d holds it already", me->id);
    while (FastMutex->Count != 1) {
        FastMutex->Contention++;
        KeWaitForSingleObject(&FastMutex->Event, Executive, KernelMode, FALSE, NULL);
    }
    FastMutex->Count = 0;
    FastMutex->Owner = me;
    FastMutex->OldIrql = me->irql;
    if (me->irql < APC_LEVEL)
        me->irql = APC_LEVEL;
}

BOOLEAN ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    if (FastMutex->Count != 1)
        return FALSE;
    ExAcquireFastMutex(FastMutex);
    return TRUE;
}

VOID ExReleaseFastMutex(PFAST_MUTEX FastMutex)
{
    wdk_thread *me = sysdma__wdk_self();
    if (FastMutex->Owner != me)
        sysdma__wdk_fail(true, "ExReleaseFastMutex by a thread that does not hold it");
    FastMutex->Count = 1;
    FastMutex->Owner = NULL;
    me->irql = (KIRQL)FastMutex->OldIrql;
    if (FastMutex->Contention) {
        FastMutex->Contention--;
        KeSetEvent(&FastMutex->Event, 0, FALSE);
    }
}

/* ---- timers ------------------------------------------------------------------------------- */

VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type)
{
    memset(Timer, 0, sizeof *Timer);
    Timer->Header.Type = Type == SynchronizationTimer ? SYSDMA_WDK_OBJECT_TIMER_SYNCHRONIZATION
                                                      : SYSDMA_WDK_OBJECT_TIMER_NOTIFICATION;
    InitializeListHead(&Timer->Header.WaitListHead);
    InitializeListHead(&Timer->TimerListEntry);
}

VOID KeInitializeTimer(PKTIMER Timer)
{
    KeInitializeTimerEx(Timer, NotificationTimer);
}

BOOLEAN KeCancelTimer(PKTIMER Timer)
{
    BOOLEAN was = Timer->Header.Inserted;
    if (was) {
        RemoveEntryList(&Timer->TimerListEntry);
        InitializeListHead(&Timer->TimerListEntry);
        Timer->Header.Inserted = FALSE;
    }
    return was;
}

BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    if (Timer->Header.Type != SYSDMA_WDK_OBJECT_TIMER_NOTIFICATION &&
        Timer->Header.Type != SYSDMA_WDK_OBJECT_TIMER_SYNCHRONIZATION)
        sysdma__wdk_fail(true, "KeSetTimer on a timer never initialised");
    BOOLEAN was = KeCancelTimer(Timer);
    Timer->Header.SignalState = 0;
    Timer->DueTime.QuadPart = deadline_of(&DueTime);
    Timer->Period = Period < 0 ? 0 : Period;
    Timer->Dpc = Dpc;
    /* sorted by due time, FIFO among equals */
    PLIST_ENTRY e = W->timers.Flink;
    while (e != &W->timers &&
           CONTAINING_RECORD(e, KTIMER, TimerListEntry)->DueTime.QuadPart <=
               Timer->DueTime.QuadPart)
        e = e->Flink;
    InsertTailList(e, &Timer->TimerListEntry);
    Timer->Header.Inserted = TRUE;
    return was;
}

BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc)
{
    return KeSetTimerEx(Timer, DueTime, 0, Dpc);
}

BOOLEAN KeReadStateTimer(PKTIMER Timer)
{
    return Timer->Header.SignalState > 0;
}

uint64_t sysdma__wdk_next_deadline(void)
{
    uint64_t due = UINT64_MAX;
    if (!IsListEmpty(&W->timers))
        due = CONTAINING_RECORD(W->timers.Flink, KTIMER, TimerListEntry)->DueTime.QuadPart;
    for (wdk_thread *t = W->threads; t; t = t->next_all)
        if (t->waiting && t->deadline < due)
            due = t->deadline;
    return due;
}

void sysdma__wdk_expire(uint64_t now)
{
    while (!IsListEmpty(&W->timers)) {
        PKTIMER t = CONTAINING_RECORD(W->timers.Flink, KTIMER, TimerListEntry);
        if (t->DueTime.QuadPart > now)
            break;
        KeCancelTimer(t);
        sysdma__wdk_trace("timer expires");
        t->Header.SignalState = 1;
        if (t->Period) {
            LARGE_INTEGER next;
            next.QuadPart = -(LONGLONG)t->Period * 10000;
            PKDPC dpc = t->Dpc;
            KeSetTimerEx(t, next, t->Period, dpc);
            t->Header.SignalState = 1;
        }
        sysdma__wdk_signal(t);
        if (t->Dpc)
            KeInsertQueueDpc(t->Dpc, NULL, NULL);
    }
    for (wdk_thread *t = W->threads; t; t = t->next_all)
        if (t->waiting && t->deadline <= now)
            wake(t, STATUS_TIMEOUT);
}
