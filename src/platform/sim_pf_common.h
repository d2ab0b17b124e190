/* SPDX-License-Identifier: MIT */
/*
 * What the platform tables of the simulated PC (sim_platform.c) and SoC
 * (sim_soc_platform.c) share: the lock (a pthread mutex that counts, per
 * thread, the sim locks held, so an allocator call made with one held
 * stops the program, as sysdma/platform.h forbids it), fault injection,
 * diagnostics and halt.
 */
#ifndef SYSDMA_SIM_PF_COMMON_H
#define SYSDMA_SIM_PF_COMMON_H

#include <stdbool.h>

/* Stop the program when the calling thread holds a sim lock (`call` names
 * the allocator member). */
void sysdma__sim_check_unlocked(const char *call);
/* Fault injection: *fail_after ≥ 0 counts down the allocations that still
 * succeed; at 0 they fail. NULL or negative: none fails. */
bool sysdma__sim_fail_now(long *fail_after);

void *sysdma__sim_lock_create(void *ctx);
void sysdma__sim_lock_acquire(void *ctx, void *lock);
void sysdma__sim_lock_release(void *ctx, void *lock);
void sysdma__sim_lock_destroy(void *ctx, void *lock);
void sysdma__sim_log(void *ctx, const char *line);
void sysdma__sim_halt(void *ctx);

#endif /* SYSDMA_SIM_PF_COMMON_H */
