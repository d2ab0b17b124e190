/* SPDX-License-Identifier: MIT */
/*
 * The sysdma platform interface over the simulated SoC: core objects from
 * malloc, contiguous memory from the machine's RAM banks, virtual→physical
 * from its mappings, a pthread mutex as the lock (sim_pf_common.c: an
 * allocator call with it held stops the program). No port I/O; dma_sync
 * only on a machine with the cache model (else DMA is coherent). Optional
 * fault injection makes the Nth allocation fail, as on the simulated PC.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim_pf_common.h"
#include "sim_soc_internal.h"

static bool fail_now(sysdma__soc_pf *p)
{
    return sysdma__sim_fail_now(p->fail_after);
}

static void *pf_alloc(void *ctx, size_t bytes)
{
    sysdma__sim_check_unlocked("alloc");
    return fail_now(ctx) ? NULL : malloc(bytes);
}

static void pf_free(void *ctx, void *ptr, size_t bytes)
{
    (void)ctx;
    (void)bytes;
    sysdma__sim_check_unlocked("free");
    free(ptr);
}

static sysdma_status pf_alloc_contig(void *ctx, size_t bytes, uint64_t max_phys, uint64_t boundary,
                                     uint64_t align, void **va, uint64_t *phys)
{
    sysdma__soc_pf *p = ctx;
    sysdma__sim_check_unlocked("alloc_contig");
    if (fail_now(p))
        return SYSDMA_E_NO_MEMORY;
    return sysdma_sim_soc_alloc_contig(p->soc, bytes, max_phys, boundary, align, phys, va);
}

static void pf_free_contig(void *ctx, void *va, uint64_t phys, size_t bytes)
{
    sysdma__soc_pf *p = ctx;
    (void)va;
    sysdma__sim_check_unlocked("free_contig");
    sysdma_sim_soc_free_contig(p->soc, phys, bytes);
}

static bool pf_v2p(void *ctx, const void *va, uint64_t *phys)
{
    sysdma__soc_pf *p = ctx;
    return sysdma_sim_soc_virt_to_phys(p->soc, va, phys);
}

static void pf_dma_sync(void *ctx, void *va, size_t bytes, sysdma_dma_sync op)
{
    sysdma__soc_pf *p = ctx;
    sysdma_sim_soc_dma_sync(p->soc, va, bytes, op);
}

static const sysdma_platform_ops soc_ops = {
    .size = sizeof(sysdma_platform_ops),
    .alloc = pf_alloc,
    .free = pf_free,
    .alloc_contig = pf_alloc_contig,
    .free_contig = pf_free_contig,
    .virt_to_phys = pf_v2p,
    .lock_create = sysdma__sim_lock_create,
    .lock_acquire = sysdma__sim_lock_acquire,
    .lock_release = sysdma__sim_lock_release,
    .lock_destroy = sysdma__sim_lock_destroy,
    .log = sysdma__sim_log,
    .halt = sysdma__sim_halt,
};

/* The same with the cache model's maintenance. */
static const sysdma_platform_ops soc_cached_ops = {
    .size = sizeof(sysdma_platform_ops),
    .alloc = pf_alloc,
    .free = pf_free,
    .alloc_contig = pf_alloc_contig,
    .free_contig = pf_free_contig,
    .virt_to_phys = pf_v2p,
    .lock_create = sysdma__sim_lock_create,
    .lock_acquire = sysdma__sim_lock_acquire,
    .lock_release = sysdma__sim_lock_release,
    .lock_destroy = sysdma__sim_lock_destroy,
    .log = sysdma__sim_log,
    .halt = sysdma__sim_halt,
    .dma_sync = pf_dma_sync,
};

void sysdma_sim_soc_platform(sysdma_sim_soc *soc, sysdma_platform *out, long *fail_after)
{
    sysdma__soc_pf *p = sysdma__sim_soc_pf(soc);
    p->soc = soc;
    p->fail_after = fail_after;
    out->ops = sysdma__sim_soc_cached(soc) ? &soc_cached_ops : &soc_ops;
    out->ctx = p;
}
