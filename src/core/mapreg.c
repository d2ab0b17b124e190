/*
 * Map registers: the pool of bounce pages that makes any buffer reachable
 * by a system DMA channel.
 *
 * The pool is a list of chunks of 32 pages (128 KiB), each physically
 * contiguous, aligned to 128 KiB and below 16 MiB. A map register base is a
 * run of pages inside one chunk: inside one 128 KiB window by construction,
 * and for 8-bit channels inside one half of the chunk, so inside one 64 KiB
 * window too. The pool starts with the configured number of pages and grows
 * a chunk at a time, through the platform, up to the cap; when the platform
 * refuses a chunk the pool stops trying until pages are freed again.
 */
#include "internal.h"

#define CHUNK_BYTES (CHUNK_PAGES * PAGE)

static bool grow(sysdma_system *sys)
{
    if (sys->growth_failed || sys->pool_pages + CHUNK_PAGES > sys->cfg.map_registers_cap)
        return false;
    pool_chunk *c = sysdma__alloc(sys, sizeof *c);
    if (!c) {
        sys->growth_failed = true;
        return false;
    }
    void *va = NULL;
    uint64_t phys = 0;
    sysdma_status st = sys->pf.ops->alloc_contig(sys->pf.ctx, CHUNK_BYTES, SYSDMA_LIMIT_16M,
                                                 CHUNK_BYTES, CHUNK_BYTES, &va, &phys);
    if (st != SYSDMA_OK || (phys & (CHUNK_BYTES - 1)) || phys + CHUNK_BYTES > SYSDMA_LIMIT_16M) {
        if (st == SYSDMA_OK)
            sys->pf.ops->free_contig(sys->pf.ctx, va, phys, CHUNK_BYTES);
        sysdma__free(sys, c, sizeof *c);
        sys->growth_failed = true;
        return false;
    }
    c->va = va;
    c->phys = phys;
    c->next = sys->chunks;
    sys->chunks = c;
    sys->pool_pages += CHUNK_PAGES;
    return true;
}

sysdma_status sysdma__pool_init(sysdma_system *sys)
{
    while (sys->pool_pages < sys->cfg.map_registers_initial &&
           sys->pool_pages + CHUNK_PAGES <= sys->cfg.map_registers_cap)
        if (!grow(sys))
            return SYSDMA_E_NO_MEMORY;
    return SYSDMA_OK;
}

void sysdma__pool_destroy(sysdma_system *sys)
{
    pool_chunk *c = sys->chunks;
    while (c) {
        pool_chunk *next = c->next;
        sys->pf.ops->free_contig(sys->pf.ctx, c->va, c->phys, CHUNK_BYTES);
        sysdma__free(sys, c, sizeof *c);
        c = next;
    }
    sys->chunks = NULL;
    sys->pool_pages = 0;
}

/* Pages in a chunk a run for this adapter may use: a 16-page half for
 * windows of 64 KiB, the whole chunk for 128 KiB. */
static uint32_t span_for(const sysdma_adapter *a)
{
    uint32_t w = a->limits.boundary ? a->limits.boundary / PAGE : CHUNK_PAGES;
    return w < CHUNK_PAGES ? w : CHUNK_PAGES;
}

uint32_t sysdma__regs_limit(const sysdma_adapter *a)
{
    uint32_t span = span_for(a);
    return a->max_map_registers < span ? a->max_map_registers : span;
}

static bool take_from(pool_chunk *c, uint32_t count, uint32_t span, uint32_t *first)
{
    for (uint32_t base = 0; base + span <= CHUNK_PAGES; base += span) {
        for (uint32_t f = base; f + count <= base + span; f++) {
            uint32_t mask = (count == 32 ? 0xFFFFFFFFu : ((1u << count) - 1u)) << f;
            if (!(c->used & mask)) {
                c->used |= mask;
                *first = f;
                return true;
            }
        }
    }
    return false;
}

bool sysdma__pool_never(sysdma_system *sys, const sysdma_adapter *a, uint32_t count)
{
    if (count > span_for(a))
        return true;
    /* Any run that fits a chunk is had once the chunk's pages are free; so
     * only a pool with no chunk, that cannot get one, can never serve. With
     * no chunk no free will ever come to clear an earlier refusal, so the
     * platform is asked again each time. */
    if (sys->chunks)
        return false;
    sys->growth_failed = false;
    return !grow(sys);
}

bool sysdma__pool_take(sysdma_system *sys, sysdma_adapter *a, sysdma_map_registers *regs,
                       uint32_t count)
{
    uint32_t span = span_for(a);
    if (count == 0 || count > span)
        return false;
    for (;;) {
        for (pool_chunk *c = sys->chunks; c; c = c->next) {
            uint32_t first;
            if (take_from(c, count, span, &first)) {
                regs->chunk = c;
                regs->first = first;
                regs->count = count;
                regs->adapter = a;
                sys->pool_in_use += count;
                a->stats.pool_in_use += count;
                if (a->stats.pool_in_use > a->stats.pool_high_water)
                    a->stats.pool_high_water = a->stats.pool_in_use;
                if (sys->pool_in_use > sys->pool_high_water)
                    sys->pool_high_water = sys->pool_in_use;
                return true;
            }
        }
        if (!grow(sys))
            return false;
    }
}

void sysdma__pool_give(sysdma_system *sys, sysdma_map_registers *regs)
{
    if (!regs->chunk)
        return;
    uint32_t mask = (regs->count == 32 ? 0xFFFFFFFFu : ((1u << regs->count) - 1u)) << regs->first;
    regs->chunk->used &= ~mask;
    sys->pool_in_use -= regs->count;
    regs->adapter->stats.pool_in_use -= regs->count;
    sys->growth_failed = false;
    regs->chunk = NULL;
}
