/* SPDX-License-Identifier: MIT */
/* The demo's scheduler (see scheduler.h) and the tool's progress line. */
#define _GNU_SOURCE
#include "scheduler.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"


typedef struct sched {
    pthread_mutex_t m;
    pthread_cond_t cv;
    int current;               /* the task holding the machine, -1: the scheduler */
    sysdma_sim *sim;
} sched;

static sched S = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, -1, NULL};

/* Give the machine back to the scheduler and sleep until handed it again. */
static void task_yield(task *t)
{
    pthread_mutex_lock(&S.m);
    S.current = -1;
    pthread_cond_broadcast(&S.cv);
    while (S.current != t->id)
        pthread_cond_wait(&S.cv, &S.m);
    pthread_mutex_unlock(&S.m);
}

/* Wait (simulated time) until cond(ctx) or `timeout_ns` passes. */
bool task_wait(task *t, bool (*cond)(void *), void *ctx, uint64_t timeout_ns)
{
    if (cond && cond(ctx))
        return true;
    t->cond = cond;
    t->cond_ctx = ctx;
    t->deadline = sysdma_sim_now_ns(S.sim) + timeout_ns;
    t->state = T_WAITING;
    task_yield(t);
    return t->woke_by_cond;
}

static void *task_main(void *arg)
{
    task *t = arg;
    pthread_mutex_lock(&S.m);
    while (S.current != t->id)
        pthread_cond_wait(&S.cv, &S.m);
    pthread_mutex_unlock(&S.m);
    t->result = t->body(t);
    pthread_mutex_lock(&S.m);
    t->state = T_DONE;
    S.current = -1;
    pthread_cond_broadcast(&S.cv);
    pthread_mutex_unlock(&S.m);
    return NULL;
}

/* Hand the machine to `t` until it waits again or ends. */
void task_run(task *t)
{
    pthread_mutex_lock(&S.m);
    t->state = T_RUNNING;
    S.current = t->id;
    pthread_cond_broadcast(&S.cv);
    while (S.current != -1)
        pthread_cond_wait(&S.cv, &S.m);
    pthread_mutex_unlock(&S.m);
}

bool task_runnable(task *t, uint64_t now)
{
    if (t->state == T_NEW)
        return true;
    if (t->state != T_WAITING)
        return false;
    t->woke_by_cond = t->cond && t->cond(t->cond_ctx);
    return t->woke_by_cond || now >= t->deadline;
}


void sched_init(sysdma_sim *sim)
{
    S.sim = sim;
}

int sched_start(task *t)
{
    return pthread_create(&t->thread, NULL, task_main, t);
}

/* ---- the progress line (tool.h) ---- */

double tool_host_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double progress_start = -1, progress_last;
static bool progress_shown;

void tool_progress(const char *what, double fraction)
{
    double now = tool_host_now();
    if (progress_start < 0)
        progress_start = now;
    if (!isatty(2) || now - progress_start < 1.0 || now - progress_last < 0.2)
        return;
    progress_last = now;
    progress_shown = true;
    fprintf(stderr, "\r%s: %3.0f%%", what, fraction > 1 ? 100.0 : fraction * 100.0);
    fflush(stderr);
}

void tool_progress_done(void)
{
    if (progress_shown)
        fprintf(stderr, "\r%*s\r", 40, "");
    progress_shown = false;
    progress_start = -1;
}

