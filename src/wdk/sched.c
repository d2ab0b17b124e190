/* SPDX-License-Identifier: MIT */
/*
 * The deterministic scheduler of libsysdma-wdk. Driver threads are
 * pthreads, but exactly one of them — the baton holder, run->current —
 * executes at a time; the rest sleep on their own condition variable. The
 * holder keeps the baton until it waits (KeWait..., KeDelayExecution...,
 * a fast mutex), ends, or has run a quantum of simulated time at
 * PASSIVE_LEVEL with another thread ready. It then hands the baton to the
 * head of the ready queue (FIFO), or, when no thread is ready, advances
 * simulated time itself in steps — devices move, ISRs run, DPCs run,
 * timers and wait deadlines expire — until a thread is ready. Nothing
 * here depends on the host's timing, so a run repeats exactly.
 *
 * When every thread waits with no deadline, no timer is set and no DPC is
 * queued, time still advances for run->cfg->hang_ns (a device may be about
 * to interrupt); if nothing wakes a thread by then the run ends with the
 * hang report: which thread waits on what.
 *
 * Ending a run early (a hang, a bug check, a failed ASSERT) is a longjmp
 * in the harness's thread; a driver thread that fails hands the baton to
 * the harness's thread and leaves. At teardown every thread still asleep
 * is woken to leave and joined.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "wdk_internal.h"

wdk_run *sysdma__wdk;
static _Thread_local wdk_thread *self_tls;

wdk_thread *sysdma__wdk_self(void)
{
    return self_tls;
}

uint64_t sysdma__wdk_now(void)
{
    return W && W->sim ? sysdma_sim_now_ns(W->sim) : 0;
}

void sysdma__wdk_log(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (W && W->cfg && W->cfg->log)
        W->cfg->log(W->cfg->ctx, line);
    else
        fprintf(stderr, "%s\n", line);
}

void sysdma__wdk_trace(const char *fmt, ...)
{
    if (!W || !W->cfg || !W->cfg->trace)
        return;
    char line[512];
    uint64_t t = sysdma__wdk_now();
    int n = snprintf(line, sizeof line, "%llu.%06llu ms ", (unsigned long long)(t / 1000000),
                     (unsigned long long)(t % 1000000));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    W->cfg->trace(W->cfg->ctx, line);
}

/* ---- the baton ------------------------------------------------------------------------- */

static void wait_turn(wdk_thread *me)
{
    pthread_mutex_lock(&W->mu);
    while (W->current != me && !W->teardown)
        pthread_cond_wait(&me->cv, &W->mu);
    bool leave = W->teardown && me != &W->main;
    pthread_mutex_unlock(&W->mu);
    if (leave)
        pthread_exit(NULL);
    if (W->aborting && me == &W->main)
        longjmp(W->abort_to, 1);
}

static void hand_to(wdk_thread *next)
{
    pthread_mutex_lock(&W->mu);
    W->current = next;
    W->slice_start = sysdma__wdk_now();
    pthread_cond_signal(&next->cv);
    pthread_mutex_unlock(&W->mu);
}

void sysdma__wdk_make_ready(wdk_thread *t)
{
    if (t->ready || t->done)
        return;
    t->ready = true;
    t->next_ready = NULL;
    if (W->ready_tail)
        W->ready_tail->next_ready = t;
    else
        W->ready_head = t;
    W->ready_tail = t;
}

static wdk_thread *pop_ready(void)
{
    wdk_thread *t = W->ready_head;
    if (t) {
        W->ready_head = t->next_ready;
        if (!W->ready_head)
            W->ready_tail = NULL;
        t->ready = false;
    }
    return t;
}

void sysdma__wdk_fail(bool bugcheck, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    sysdma__wdk_log("sysdma-wdk: %s", line);
    sysdma_wdk_result *res = W->res;
    res->failures++;
    if (bugcheck)
        res->bugcheck = true;
    if (!res->reason[0])
        snprintf(res->reason, sizeof res->reason, "%s", line);
    W->aborting = true;
    wdk_thread *me = self_tls;
    if (me == &W->main)
        longjmp(W->abort_to, 1);
    me->done = true;
    hand_to(&W->main);
    pthread_exit(NULL);
}

/* ---- time ------------------------------------------------------------------------------ */

/* One chunk of simulated time, then what came due. */
static void sim_step(uint64_t ns)
{
    W->in_sim++;
    sysdma_sim_run(W->sim, ns);
    W->in_sim--;
    if (W->cfg->tick)
        W->cfg->tick(W->cfg->ctx, W->sim, W->sys);
    sysdma__wdk_deliver_pending();
    sysdma__wdk_expire(sysdma__wdk_now());
}

void sysdma__wdk_run_dpcs(void)
{
    wdk_thread *me = self_tls;
    if (W->in_dpc || W->in_sim || !me || me->irql >= DISPATCH_LEVEL)
        return;
    W->in_dpc++;
    while (!IsListEmpty(&W->dpcs)) {
        PLIST_ENTRY e = RemoveHeadList(&W->dpcs);
        PKDPC d = CONTAINING_RECORD(e, KDPC, DpcListEntry);
        d->DpcData = NULL;
        KIRQL old = me->irql;
        me->irql = DISPATCH_LEVEL;
        sysdma__wdk_trace("dpc runs");
        d->DeferredRoutine(d, d->DeferredContext, d->SystemArgument1, d->SystemArgument2);
        if (me->irql != DISPATCH_LEVEL)
            sysdma__wdk_fail(true, "a DPC returned at IRQL %u, not DISPATCH_LEVEL", me->irql);
        me->irql = old;
    }
    W->in_dpc--;
}

void sysdma__wdk_advance(uint64_t ns)
{
    if (W->in_sim || !W->sim)
        return; /* inside an ISR: the step's own time */
    uint64_t now = sysdma__wdk_now(), end = now + ns;
    while (now < end) {
        uint64_t step = end - now < WDK_STEP_NS ? end - now : WDK_STEP_NS;
        uint64_t due = sysdma__wdk_next_deadline();
        if (due > now && due - now < step)
            step = due - now;
        sim_step(step);
        sysdma__wdk_run_dpcs();
        now = sysdma__wdk_now();
    }
    wdk_thread *me = self_tls;
    if (me && me->irql < DISPATCH_LEVEL && !W->in_dpc && W->ready_head &&
        now - W->slice_start >= WDK_QUANTUM_NS) {
        sysdma__wdk_trace("thread %d preempted", me->id);
        sysdma__wdk_block(true);
    }
}

void sysdma__wdk_charge_port(void)
{
    if (W->in_sim)
        return;
    W->port_debt += WDK_PORT_NS;
    if (W->port_debt >= WDK_STEP_NS) {
        uint64_t d = W->port_debt;
        W->port_debt = 0;
        sysdma__wdk_advance(d);
    }
}

static __attribute__((noreturn)) void hang(void)
{
    sysdma__wdk_log("sysdma-wdk: all threads waiting, no timer pending (%.3f ms simulated):",
                    (double)sysdma__wdk_now() / 1e6);
    for (wdk_thread *t = W->threads; t; t = t->next_all) {
        if (t->done)
            continue;
        char what[256];
        sysdma__wdk_describe_wait(t, what, sizeof what);
        sysdma__wdk_log("  thread %d waits for ever on %s", t->id, what);
    }
    W->res->hang = true;
    sysdma__wdk_fail(false, "all threads waiting, no timer pending");
}

/* No thread is ready: simulated time passes until one is, a DPC is
 * queued, or the hang window closes. */
static void idle(void)
{
    uint64_t now = sysdma__wdk_now();
    uint64_t due = sysdma__wdk_next_deadline();
    uint64_t horizon = due != UINT64_MAX ? due : now + W->cfg->hang_ns;
    while (!W->ready_head && IsListEmpty(&W->dpcs)) {
        if (now >= W->cfg->limit_ns)
            sysdma__wdk_fail(false, "the run reached its limit of %.0f s of simulated time",
                             (double)W->cfg->limit_ns / 1e9);
        if (now >= horizon) {
            if (due == UINT64_MAX)
                hang();
            return; /* expire() ran at `due` */
        }
        uint64_t step = horizon - now < WDK_STEP_NS ? horizon - now : WDK_STEP_NS;
        sim_step(step);
        now = sysdma__wdk_now();
    }
}

void sysdma__wdk_block(bool requeue)
{
    wdk_thread *me = self_tls;
    if (requeue)
        sysdma__wdk_make_ready(me);
    for (;;) {
        sysdma__wdk_run_dpcs();
        wdk_thread *next = pop_ready();
        if (next == me) {
            W->slice_start = sysdma__wdk_now();
            return;
        }
        if (next) {
            sysdma__wdk_trace("thread %d runs", next->id);
            hand_to(next);
            wait_turn(me);
            return;
        }
        idle();
    }
}

/* The calling driver thread has ended: the baton goes on, the pthread
 * returns. */
static void thread_end(wdk_thread *me)
{
    me->done = true;
    me->Header.SignalState = 1;
    sysdma__wdk_trace("thread %d ends", me->id);
    sysdma__wdk_signal(me);
    for (;;) {
        sysdma__wdk_run_dpcs();
        wdk_thread *next = pop_ready();
        if (next) {
            sysdma__wdk_trace("thread %d runs", next->id);
            hand_to(next);
            return;
        }
        idle();
    }
}

static void *trampoline(void *arg)
{
    wdk_thread *me = arg;
    self_tls = me;
    wait_turn(me);
    me->start(me->start_ctx);
    if (me->irql != PASSIVE_LEVEL)
        sysdma__wdk_fail(true, "thread %d returned at IRQL %u", me->id, me->irql);
    thread_end(me);
    return NULL;
}

__attribute__((noreturn)) NTSTATUS PsTerminateSystemThread(NTSTATUS ExitStatus)
{
    (void)ExitStatus;
    wdk_thread *me = self_tls;
    if (me == &W->main)
        sysdma__wdk_fail(true, "PsTerminateSystemThread outside a system thread");
    thread_end(me);
    pthread_exit(NULL);
}

int sysdma__wdk_thread_start(wdk_thread *t)
{
    if (pthread_cond_init(&t->cv, NULL) != 0)
        return -1;
    if (pthread_create(&t->pt, NULL, trampoline, t) != 0) {
        pthread_cond_destroy(&t->cv);
        return -1;
    }
    t->started = true;
    t->id = ++W->next_id;
    wdk_thread **p = &W->threads;
    while (*p)
        p = &(*p)->next_all;
    *p = t;
    sysdma__wdk_make_ready(t);
    sysdma__wdk_trace("thread %d created", t->id);
    return 0;
}

void sysdma__wdk_sched_init(wdk_run *r)
{
    pthread_mutex_init(&r->mu, NULL);
    memset(&r->main, 0, sizeof r->main);
    pthread_cond_init(&r->main.cv, NULL);
    r->main.Header.Type = SYSDMA_WDK_OBJECT_THREAD;
    r->main.deadline = UINT64_MAX;
    r->main.refs = 1;
    r->current = &r->main;
    r->threads = &r->main;
    InitializeListHead(&r->dpcs);
    InitializeListHead(&r->timers);
    self_tls = &r->main;
}

void sysdma__wdk_sched_fini(wdk_run *r)
{
    pthread_mutex_lock(&r->mu);
    r->teardown = true;
    for (wdk_thread *t = r->threads; t; t = t->next_all)
        pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&r->mu);
    wdk_thread *t = r->threads->next_all;
    while (t) {
        wdk_thread *next = t->next_all;
        pthread_join(t->pt, NULL);
        pthread_cond_destroy(&t->cv);
        free(t);
        t = next;
    }
    r->threads->next_all = NULL;
    pthread_cond_destroy(&r->main.cv);
    pthread_mutex_destroy(&r->mu);
    self_tls = NULL;
}
