/* SPDX-License-Identifier: MIT */
/*
 * The sysdma-wdk scheduler and kernel services, through drivers written
 * here (each a DriverEntry that runs a scenario and records what it saw):
 * a run repeats bit for bit; waits end on signal or on their timeout at
 * the exact simulated time; DPCs run in queue order only below
 * DISPATCH_LEVEL; threads, their objects and handles; a driver that waits
 * for ever ends in the scheduler's report, not a hang of the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sysdma-wdk/sysdma_wdk.h"
#include <wdm.h>

/* ---- the run's log ----------------------------------------------------------------------- */

static char trace_buf[1 << 20];
static size_t trace_len;
static char seen[64][48];
static unsigned nseen;

static void on_trace(void *ctx, const char *line)
{
    (void)ctx;
    size_t n = strlen(line);
    if (trace_len + n + 2 < sizeof trace_buf) {
        memcpy(trace_buf + trace_len, line, n);
        trace_len += n;
        trace_buf[trace_len++] = '\n';
        trace_buf[trace_len] = 0;
    }
}

static void on_log(void *ctx, const char *line)
{
    (void)ctx;
    on_trace(NULL, line);
}

static void note(const char *fmt, ...)
{
    if (nseen >= 64)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(seen[nseen++], sizeof seen[0], fmt, ap);
    va_end(ap);
}

static int run(sysdma_wdk_entry_fn entry, sysdma_wdk_result *res)
{
    trace_len = 0;
    trace_buf[0] = 0;
    nseen = 0;
    sysdma_wdk_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.driver_entry = entry;
    cfg.trace = on_trace;
    cfg.log = on_log;
    cfg.hang_ns = 50000000; /* 50 ms: these drivers use no device */
    return sysdma_wdk_run(&cfg, res);
}

#define ENTRY(fn) ((sysdma_wdk_entry_fn)(void (*)(void))(fn))

/* ---- determinism: three threads, a periodic timer with a DPC, events ---------------------- */

static KEVENT ping, pong, done;
static KTIMER tick;
static KDPC tick_dpc;
static LONG ticks;
static KSEMAPHORE sem;

static VOID tick_routine(PKDPC Dpc, PVOID Ctx, PVOID A1, PVOID A2)
{
    (void)Dpc, (void)Ctx, (void)A1, (void)A2;
    note("dpc %ld irql %u", (long)ticks, KeGetCurrentIrql());
    if (++ticks == 5)
        KeCancelTimer(&tick);
    KeReleaseSemaphore(&sem, 0, 1, FALSE);
}

static VOID pinger(PVOID ctx)
{
    for (int k = 0; k < 4; k++) {
        KeSetEvent(&ping, 0, FALSE);
        KeWaitForSingleObject(&pong, Executive, KernelMode, FALSE, NULL);
        note("pinger %d", k);
    }
    (void)ctx;
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID ponger(PVOID ctx)
{
    for (int k = 0; k < 4; k++) {
        KeWaitForSingleObject(&ping, Executive, KernelMode, FALSE, NULL);
        note("ponger %d", k);
        LARGE_INTEGER d;
        d.QuadPart = -10000 * (k + 1); /* (k+1) ms */
        KeDelayExecutionThread(KernelMode, FALSE, &d);
        KeSetEvent(&pong, 0, FALSE);
    }
    (void)ctx;
}

static VOID counter(PVOID ctx)
{
    for (int k = 0; k < 5; k++) {
        KeWaitForSingleObject(&sem, Executive, KernelMode, FALSE, NULL);
        note("counter %d", k);
    }
    KeSetEvent(&done, 0, FALSE);
    (void)ctx;
}

static NTSTATUS mixed_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    (void)d, (void)r;
    KeInitializeEvent(&ping, SynchronizationEvent, FALSE);
    KeInitializeEvent(&pong, SynchronizationEvent, FALSE);
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    KeInitializeSemaphore(&sem, 0, 100);
    KeInitializeTimerEx(&tick, NotificationTimer);
    KeInitializeDpc(&tick_dpc, tick_routine, NULL);
    ticks = 0;
    LARGE_INTEGER due;
    due.QuadPart = -30000; /* 3 ms, then every 2 ms */
    KeSetTimerEx(&tick, due, 2, &tick_dpc);
    HANDLE h[3];
    PKSTART_ROUTINE fns[3] = {pinger, ponger, counter};
    for (int k = 0; k < 3; k++)
        if (!NT_SUCCESS(PsCreateSystemThread(&h[k], THREAD_ALL_ACCESS, NULL, NULL, NULL, fns[k],
                                             NULL)))
            return STATUS_UNSUCCESSFUL;
    PVOID threads[3];
    for (int k = 0; k < 3; k++) {
        if (!NT_SUCCESS(ObReferenceObjectByHandle(h[k], THREAD_ALL_ACCESS, *PsThreadType,
                                                  KernelMode, &threads[k], NULL)))
            return STATUS_UNSUCCESSFUL;
        ZwClose(h[k]);
    }
    KWAIT_BLOCK blocks[4];
    PVOID all[4] = {threads[0], threads[1], threads[2], &done};
    NTSTATUS st = KeWaitForMultipleObjects(4, all, WaitAll, Executive, KernelMode, FALSE, NULL,
                                           blocks);
    note("all done 0x%x at %llu", (unsigned)st, (unsigned long long)KeQueryInterruptTime());
    for (int k = 0; k < 3; k++)
        ObDereferenceObject(threads[k]);
    return STATUS_SUCCESS;
}

static void test_same_run_twice(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    assert_int_equal(run(ENTRY(mixed_entry), &res), 0);
    static char first[sizeof trace_buf];
    memcpy(first, trace_buf, trace_len + 1);
    char seen1[64][48];
    unsigned n1 = nseen;
    memcpy(seen1, seen, sizeof seen);
    assert_true(strstr(first, "thread 3 runs") != NULL);
    assert_true(strstr(first, "dpc runs") != NULL);
    assert_int_equal(n1, 4 + 4 + 5 + 5 + 1);
    assert_string_equal(seen1[n1 - 1], "all done 0x0 at 110000"); /* 11 ms: the DPC's last tick */
    assert_int_equal(run(ENTRY(mixed_entry), &res), 0);
    assert_string_equal(first, trace_buf);
    assert_int_equal(nseen, n1);
    for (unsigned k = 0; k < n1; k++)
        assert_string_equal(seen1[k], seen[k]);
    /* the DPCs ran at DISPATCH_LEVEL */
    for (unsigned k = 0; k < n1; k++)
        if (!strncmp(seen[k], "dpc", 3))
            assert_non_null(strstr(seen[k], "irql 2"));
}

/* ---- waits and timeouts ------------------------------------------------------------------- */

static NTSTATUS wait_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    (void)d, (void)r;
    KEVENT ev, sync;
    KSEMAPHORE s;
    KMUTEX m;
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    KeInitializeEvent(&sync, SynchronizationEvent, TRUE);
    KeInitializeSemaphore(&s, 2, 2);
    KeInitializeMutex(&m, 0);
    LARGE_INTEGER zero, ten_ms, abs;
    zero.QuadPart = 0;
    ten_ms.QuadPart = -100000;
    ULONGLONG t0 = KeQueryInterruptTime();
    note("poll 0x%x", (unsigned)KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &zero));
    NTSTATUS st = KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &ten_ms);
    note("timed 0x%x after %llu", (unsigned)st, (unsigned long long)(KeQueryInterruptTime() - t0));
    KeSetEvent(&ev, 0, FALSE);
    note("set 0x%x", (unsigned)KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &ten_ms));
    note("still %ld", (long)KeReadStateEvent(&ev));
    st = KeWaitForSingleObject(&sync, Executive, KernelMode, FALSE, &zero);
    note("sync 0x%x then 0x%x", (unsigned)st,
         (unsigned)KeWaitForSingleObject(&sync, Executive, KernelMode, FALSE, &zero));
    PVOID two[2] = {&sync, &s};
    note("any 0x%x", (unsigned)KeWaitForMultipleObjects(2, two, WaitAny, Executive, KernelMode,
                                                       FALSE, &zero, NULL));
    note("sem left %ld", (long)KeReadStateSemaphore(&s));
    note("all 0x%x", (unsigned)KeWaitForMultipleObjects(2, two, WaitAll, Executive, KernelMode,
                                                       FALSE, &zero, NULL));
    st = KeWaitForSingleObject(&m, Executive, KernelMode, FALSE, NULL);
    note("mutex 0x%x 0x%x", (unsigned)st,
         (unsigned)KeWaitForSingleObject(&m, Executive, KernelMode, FALSE, &zero));
    KeReleaseMutex(&m, FALSE);
    KeReleaseMutex(&m, FALSE);
    note("mutex free %ld", (long)KeReadStateMutex(&m));
    /* an absolute timeout: 5 ms after now in system time */
    KeQuerySystemTime(&abs);
    abs.QuadPart += 50000;
    t0 = KeQueryInterruptTime();
    st = KeWaitForSingleObject(&sync, Executive, KernelMode, FALSE, &abs);
    note("absolute 0x%x after %llu", (unsigned)st,
         (unsigned long long)(KeQueryInterruptTime() - t0));
    KeStallExecutionProcessor(250);
    note("stall %llu", (unsigned long long)(KeQueryInterruptTime() - t0));
    return STATUS_SUCCESS;
}

static void test_waits_and_timeouts(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    assert_int_equal(run(ENTRY(wait_entry), &res), 0);
    const char *want[] = {"poll 0x102", "timed 0x102 after 100000", "set 0x0", "still 1",
                          "sync 0x0 then 0x102", "any 0x1", "sem left 1", "all 0x102",
                          "mutex 0x0 0x0", "mutex free 1", "absolute 0x102 after 50000",
                          "stall 52500"};
    assert_int_equal(nseen, sizeof want / sizeof want[0]);
    for (unsigned k = 0; k < nseen; k++)
        assert_string_equal(seen[k], want[k]);
}

/* ---- DPC order and IRQL ------------------------------------------------------------------- */

static KDPC dpc_a, dpc_b, dpc_c;

static VOID record_dpc(PKDPC Dpc, PVOID Ctx, PVOID A1, PVOID A2)
{
    (void)Dpc, (void)A2;
    note("%s %u %s", (const char *)Ctx, KeGetCurrentIrql(), A1 ? (const char *)A1 : "-");
}

static NTSTATUS dpc_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    (void)d, (void)r;
    KeInitializeDpc(&dpc_a, record_dpc, "a");
    KeInitializeDpc(&dpc_b, record_dpc, "b");
    KeInitializeDpc(&dpc_c, record_dpc, "c");
    KeSetImportanceDpc(&dpc_c, HighImportance);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    BOOLEAN first = KeInsertQueueDpc(&dpc_a, "x", NULL);
    note("queued %u %u", first, KeInsertQueueDpc(&dpc_a, "y", NULL));
    KeInsertQueueDpc(&dpc_b, NULL, NULL);
    KeInsertQueueDpc(&dpc_c, NULL, NULL);
    note("still at %u", KeGetCurrentIrql());
    KeLowerIrql(old);
    note("lowered to %u", KeGetCurrentIrql());
    KeInsertQueueDpc(&dpc_a, NULL, NULL);
    note("removed %u", KeRemoveQueueDpc(&dpc_a));
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KeAcquireSpinLock(&lock, &old);
    KeInsertQueueDpc(&dpc_b, "locked", NULL);
    note("under the lock at %u", KeGetCurrentIrql());
    KeReleaseSpinLock(&lock, old);
    return STATUS_SUCCESS;
}

static void test_dpc_order(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    assert_int_equal(run(ENTRY(dpc_entry), &res), 0);
    const char *want[] = {"queued 1 0", "still at 2", "c 2 -", "a 2 x", "b 2 -",
                          "lowered to 0", "removed 1", "under the lock at 2", "b 2 locked"};
    assert_int_equal(nseen, sizeof want / sizeof want[0]);
    for (unsigned k = 0; k < nseen; k++)
        assert_string_equal(seen[k], want[k]);
}

/* ---- interrupts: latched and level-sensitive, shared, masked by IRQL ----------------------- */

static PKINTERRUPT int_a, int_b, int_c;
static KDPC isr_dpc;
static KEVENT isr_event;
static int claim_b, lower_c;

static BOOLEAN isr_a(PKINTERRUPT Interrupt, PVOID Context)
{
    UNREFERENCED_PARAMETER(Interrupt);
    note("isr a %u %s", KeGetCurrentIrql(), (const char *)Context);
    return FALSE; /* not mine: the line's next ISR runs */
}

static BOOLEAN isr_b(PKINTERRUPT Interrupt, PVOID Context)
{
    UNREFERENCED_PARAMETER(Interrupt);
    note("isr b %u %s", KeGetCurrentIrql(), (const char *)Context);
    KeInsertQueueDpc(&isr_dpc, NULL, NULL);
    return claim_b;
}

static BOOLEAN isr_c(PKINTERRUPT Interrupt, PVOID Context)
{
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    note("isr c %u", KeGetCurrentIrql());
    if (lower_c)
        sysdma_wdk_set_irq(11, false); /* the device is quieted */
    return lower_c;
}

static VOID isr_dpc_routine(PKDPC Dpc, PVOID Ctx, PVOID A1, PVOID A2)
{
    (void)Dpc, (void)Ctx, (void)A1, (void)A2;
    note("dpc %u", KeGetCurrentIrql());
    KeSetEvent(&isr_event, 0, FALSE);
}

static BOOLEAN in_sync(PVOID Context)
{
    note("sync %u", KeGetCurrentIrql());
    sysdma_wdk_set_irq(9, false);
    sysdma_wdk_set_irq(9, true); /* an edge while the ISR cannot run */
    KeStallExecutionProcessor(50);
    note("sync done");
    return Context != NULL;
}

static NTSTATUS intr_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    (void)d, (void)r;
    KIRQL irql;
    KAFFINITY aff;
    KeInitializeDpc(&isr_dpc, isr_dpc_routine, NULL);
    KeInitializeEvent(&isr_event, SynchronizationEvent, FALSE);
    ULONG v9 = HalGetInterruptVector(Isa, 0, 9, 9, &irql, &aff);
    NTSTATUS first =
        IoConnectInterrupt(&int_a, isr_a, "x", NULL, v9, irql, irql, Latched, TRUE, aff, FALSE);
    note("connect 0x%x 0x%x", (unsigned)first,
         (unsigned)IoConnectInterrupt(&int_b, isr_b, "y", NULL, v9, irql, irql, Latched, TRUE, aff,
                                      FALSE));
    PKINTERRUPT extra;
    note("third 0x%x", (unsigned)IoConnectInterrupt(&extra, isr_b, "z", NULL, v9, irql, irql,
                                                    LevelSensitive, TRUE, aff, FALSE));
    claim_b = 1;
    sysdma_wdk_set_irq(9, true);
    KeWaitForSingleObject(&isr_event, Executive, KernelMode, FALSE, NULL);
    note("woke");
    note("sync returned %u", KeSynchronizeExecution(int_b, in_sync, "yes"));
    KeWaitForSingleObject(&isr_event, Executive, KernelMode, FALSE, NULL);
    note("woke again");
    sysdma_wdk_set_irq(9, false);
    IoDisconnectInterrupt(int_a);
    IoDisconnectInterrupt(int_b);
    /* level-sensitive: delivered while high, until the ISR quiets the device */
    ULONG v11 = HalGetInterruptVector(Isa, 0, 11, 11, &irql, &aff);
    IoConnectInterrupt(&int_c, isr_c, NULL, NULL, v11, irql, irql, LevelSensitive, FALSE, aff,
                       FALSE);
    lower_c = 1;
    sysdma_wdk_set_irq(11, true);
    KeStallExecutionProcessor(100);
    note("level quiet");
    lower_c = 0;
    sysdma_wdk_set_irq(11, true); /* and now nobody quiets it */
    KeStallExecutionProcessor(2000000); /* 2 s: the storm is reported after 1 s */
    note("not reached");
    return STATUS_SUCCESS;
}

static void test_interrupts(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    /* The run ends with the storm report: a level-sensitive line nobody quiets. */
    assert_int_equal(run(ENTRY(intr_entry), &res), 1);
    assert_non_null(strstr(res.reason, "level-sensitive IRQ 11 stays raised"));
    const char *want[] = {"connect 0x0 0x0", "third 0xc000000d",
                          "isr a 18 x", "isr b 18 y", "dpc 2", "woke",
                          /* the edge waits for the IRQL to drop; the DPC runs before
                           * KeSynchronizeExecution returns to PASSIVE_LEVEL */
                          "sync 18", "sync done", "isr a 18 x", "isr b 18 y", "dpc 2",
                          "sync returned 1", "woke again", "isr c 16", "level quiet", "isr c 16"};
    assert_true(nseen >= sizeof want / sizeof want[0]);
    for (unsigned k = 0; k < sizeof want / sizeof want[0]; k++)
        assert_string_equal(seen[k], want[k]);
    for (unsigned k = sizeof want / sizeof want[0]; k < nseen; k++)
        assert_string_equal(seen[k], "isr c 16");
}

/* ---- broken drivers: waits for ever, bug checks ------------------------------------------ */

static KEVENT never;

static VOID waits_for_ever(PVOID ctx)
{
    (void)ctx;
    KeWaitForSingleObject(&never, Executive, KernelMode, FALSE, NULL);
}

static NTSTATUS hang_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    (void)d, (void)r;
    KeInitializeEvent(&never, NotificationEvent, FALSE);
    HANDLE h;
    PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL, waits_for_ever, NULL);
    ZwClose(h);
    KeWaitForSingleObject(&never, Executive, KernelMode, FALSE, NULL);
    note("not reached");
    return STATUS_SUCCESS;
}

static void test_hang_is_reported(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    assert_int_equal(run(ENTRY(hang_entry), &res), 1);
    assert_true(res.hang);
    assert_int_equal(nseen, 0);
    assert_string_equal(res.reason, "all threads waiting, no timer pending");
    assert_non_null(strstr(trace_buf, "thread 0 waits for ever on any of notification event"));
    assert_non_null(strstr(trace_buf, "thread 1 waits for ever on any of notification event"));
}

static NTSTATUS double_lock_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    (void)d, (void)r;
    KSPIN_LOCK lock;
    KIRQL a, b;
    KeInitializeSpinLock(&lock);
    KeAcquireSpinLock(&lock, &a);
    KeAcquireSpinLock(&lock, &b);
    return STATUS_SUCCESS;
}

static NTSTATUS wait_at_dispatch_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    (void)d, (void)r;
    KEVENT ev;
    KIRQL old;
    LARGE_INTEGER t;
    t.QuadPart = -10000;
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &t);
    return STATUS_SUCCESS;
}

static NTSTATUS double_free_entry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    (void)d, (void)r;
    PVOID p = ExAllocatePoolWithTag(NonPagedPool, 64, 'tseT');
    ExFreePoolWithTag(p, 'tseT');
    ExFreePoolWithTag(p, 'tseT');
    return STATUS_SUCCESS;
}

static void test_bug_checks(void **state)
{
    (void)state;
    sysdma_wdk_result res;
    assert_int_equal(run(ENTRY(double_lock_entry), &res), 1);
    assert_true(res.bugcheck);
    assert_non_null(strstr(res.reason, "held already"));
    assert_int_equal(run(ENTRY(wait_at_dispatch_entry), &res), 1);
    assert_true(res.bugcheck);
    assert_non_null(strstr(res.reason, "IRQL 2"));
    assert_int_equal(run(ENTRY(double_free_entry), &res), 1);
    assert_true(res.bugcheck);
    assert_non_null(strstr(res.reason, "freed twice"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_run_twice),
        cmocka_unit_test(test_waits_and_timeouts),
        cmocka_unit_test(test_dpc_order),
        cmocka_unit_test(test_interrupts),
        cmocka_unit_test(test_hang_is_reported),
        cmocka_unit_test(test_bug_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
