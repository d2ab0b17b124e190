/* SPDX-License-Identifier: MIT */
/*
 * The demo's scheduler (scheduler.c): driver threads that take turns on one
 * simulated machine. Only the thread holding the machine runs; a driver
 * waiting for its interrupt or a delay gives it back, and the scheduler
 * (the main thread) hands it to whichever driver's wait is over, or else
 * advances simulated time. Runs are deterministic for a given start.
 */
#ifndef SYSDMA_TOOL_SCHEDULER_H
#define SYSDMA_TOOL_SCHEDULER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "sysdma/sim.h"

typedef enum { T_NEW, T_WAITING, T_RUNNING, T_DONE } task_state;

typedef struct task {
    const char *name;
    pthread_t thread;
    int id;
    task_state state;
    bool (*cond)(void *ctx);   /* what it waits for (NULL: time only) */
    void *cond_ctx;
    uint64_t deadline;         /* simulated ns */
    bool woke_by_cond;
    int (*body)(struct task *t);
    int result;
    void *ctx;
} task;

/* The machine the tasks share. */
void sched_init(sysdma_sim *sim);
/* Start a task's thread (it waits for its first turn). */
int sched_start(task *t);
/* From a task: wait (simulated time) until cond(ctx) or `timeout_ns`
 * passes; true when cond came true. */
bool task_wait(task *t, bool (*cond)(void *), void *ctx, uint64_t timeout_ns);
/* From the scheduler: may `t` run now? Then hand it the machine until it
 * waits again or ends. */
bool task_runnable(task *t, uint64_t now);
void task_run(task *t);

#endif
