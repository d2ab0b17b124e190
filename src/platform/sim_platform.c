/* SPDX-License-Identifier: MIT */
/*
 * The sysdma platform interface over the simulated PC: core objects from
 * malloc, contiguous memory from the machine's physical page allocator,
 * virtual→physical from its mappings, ports from its bus, the lock a
 * pthread mutex. Optional fault injection makes the Nth allocation fail.
 *
 * The core never calls the allocator with its lock held (sysdma/platform.h):
 * the lock counts, per thread, the sim locks it holds, and an allocator
 * call made while this thread holds one stops the program.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim_internal.h"
#include "sim_pf_common.h"

#define check_unlocked sysdma__sim_check_unlocked

static void *pf_alloc(void *ctx, size_t bytes)
{
    sim_pf *p = ctx;
    check_unlocked("alloc");
    return sysdma__sim_fail_now(p->fail_after) ? NULL : malloc(bytes);
}

static void pf_free(void *ctx, void *ptr, size_t bytes)
{
    (void)ctx;
    (void)bytes;
    check_unlocked("free");
    free(ptr);
}

static sysdma_status pf_alloc_contig(void *ctx, size_t bytes, uint64_t max_phys, uint64_t boundary,
                                     uint64_t align, void **va, uint64_t *phys)
{
    sim_pf *p = ctx;
    check_unlocked("alloc_contig");
    if (sysdma__sim_fail_now(p->fail_after))
        return SYSDMA_E_NO_MEMORY;
    return sysdma_sim_alloc_contig(p->sim, bytes, max_phys, boundary, align, phys, va);
}

static void pf_free_contig(void *ctx, void *va, uint64_t phys, size_t bytes)
{
    sim_pf *p = ctx;
    (void)va;
    check_unlocked("free_contig");
    sysdma_sim_free_contig(p->sim, phys, bytes);
}

static bool pf_v2p(void *ctx, const void *va, uint64_t *phys)
{
    sim_pf *p = ctx;
    return sysdma_sim_virt_to_phys(p->sim, va, phys);
}

static uint8_t pf_inb(void *ctx, uint16_t port)
{
    sim_pf *p = ctx;
    return sysdma_sim_inb(p->sim, port);
}

static void pf_outb(void *ctx, uint16_t port, uint8_t v)
{
    sim_pf *p = ctx;
    sysdma_sim_outb(p->sim, port, v);
}

static const sysdma_platform_ops sim_ops = {
    .size = sizeof(sysdma_platform_ops),
    .alloc = pf_alloc,
    .free = pf_free,
    .alloc_contig = pf_alloc_contig,
    .free_contig = pf_free_contig,
    .virt_to_phys = pf_v2p,
    .inb = pf_inb,
    .outb = pf_outb,
    .lock_create = sysdma__sim_lock_create,
    .lock_acquire = sysdma__sim_lock_acquire,
    .lock_release = sysdma__sim_lock_release,
    .lock_destroy = sysdma__sim_lock_destroy,
    .log = sysdma__sim_log,
    .halt = sysdma__sim_halt,
};

/* One context per machine, freed with it: the machine keeps a pointer. */
void sysdma_sim_platform(sysdma_sim *sim, sysdma_platform *out, long *fail_after)
{
    sim_pf *p = sysdma__sim_platform_ctx(sim);
    p->sim = sim;
    p->fail_after = fail_after;
    out->ops = &sim_ops;
    out->ctx = p;
}
