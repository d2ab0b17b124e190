/* SPDX-License-Identifier: MIT */
/*
 * The simulated machines' shared platform members (see sim_pf_common.h).
 */
#define _GNU_SOURCE
#include "sim_pf_common.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* Sim locks the calling thread holds. */
static _Thread_local unsigned locks_held;

void sysdma__sim_check_unlocked(const char *call)
{
    if (locks_held == 0)
        return;
    fprintf(stderr, "sim platform: %s called with the core lock held\n", call);
    fflush(stderr);
    abort();
}

bool sysdma__sim_fail_now(long *fail_after)
{
    if (!fail_after || *fail_after < 0)
        return false;
    if (*fail_after == 0)
        return true;
    --*fail_after;
    return false;
}

void *sysdma__sim_lock_create(void *ctx)
{
    (void)ctx;
    pthread_mutex_t *m = malloc(sizeof *m);
    if (m && pthread_mutex_init(m, NULL) != 0) {
        free(m);
        m = NULL;
    }
    return m;
}

void sysdma__sim_lock_acquire(void *ctx, void *lock)
{
    (void)ctx;
    pthread_mutex_lock(lock);
    locks_held++;
}

void sysdma__sim_lock_release(void *ctx, void *lock)
{
    (void)ctx;
    locks_held--;
    pthread_mutex_unlock(lock);
}

void sysdma__sim_lock_destroy(void *ctx, void *lock)
{
    (void)ctx;
    pthread_mutex_destroy(lock);
    free(lock);
}

void sysdma__sim_log(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "%s\n", line);
}

void sysdma__sim_halt(void *ctx)
{
    (void)ctx;
    fflush(stderr);
    abort();
}
