/* SPDX-License-Identifier: MIT */
/*
 * The simulated machines' RAM ledger: pages in use and driver buffers (see
 * sim_pages.h).
 */
#include "sim_pages.h"

#include <stdlib.h>
#include <sys/mman.h>

#define PAGE 4096u

bool sim_pages_init(sim_pages *p, uint64_t pages, uint64_t seed)
{
    *p = (sim_pages){0};
    p->bitmap = calloc((pages + 63) / 64, sizeof *p->bitmap);
    if (!p->bitmap)
        return false;
    p->pages = pages;
    p->free_pages = pages;
    p->rng = seed ? seed : 1;
    return true;
}

void sim_pages_fini(sim_pages *p)
{
    for (size_t k = 0; k < p->nregions; k++) {
        munmap(p->regions[k].base, p->regions[k].pages * PAGE);
        free(p->regions[k].phys);
    }
    free(p->regions);
    free(p->bitmap);
    *p = (sim_pages){0};
}

bool sim_pages_used(const sim_pages *p, uint64_t page)
{
    return (p->bitmap[page >> 6] >> (page & 63)) & 1u;
}

void sim_pages_mark(sim_pages *p, uint64_t page, uint64_t n, bool used)
{
    for (uint64_t k = page; k < page + n; k++) {
        if (used)
            p->bitmap[k >> 6] |= 1ull << (k & 63);
        else
            p->bitmap[k >> 6] &= ~(1ull << (k & 63));
    }
    if (used)
        p->free_pages -= n;
    else
        p->free_pages += n;
}

bool sim_pages_run_free(const sim_pages *p, uint64_t page, uint64_t n)
{
    for (uint64_t k = page; k < page + n; k++)
        if (sim_pages_used(p, k))
            return false;
    return true;
}

uint64_t sim_pages_rnd(sim_pages *p)
{
    p->rng ^= p->rng << 13;
    p->rng ^= p->rng >> 7;
    p->rng ^= p->rng << 17;
    return p->rng;
}

bool sim_pages_scatter(sim_pages *p, uint64_t first, uint64_t limit, uint64_t n, uint64_t *pg)
{
    if (limit <= first)
        return false;
    uint64_t got = 0;
    for (uint64_t tries = 0; got < n && tries < 64 * n + 4096; tries++) {
        uint64_t q = first + sim_pages_rnd(p) % (limit - first);
        if (sim_pages_used(p, q))
            continue;
        /* Never the page right after (or before) the previous one. */
        if (got && (q == pg[got - 1] + 1 || q + 1 == pg[got - 1]))
            continue;
        bool dup = false;
        for (uint64_t k = 0; k < got && !dup; k++)
            dup = pg[k] == q;
        if (!dup)
            pg[got++] = q;
    }
    return got == n;
}

bool sim_pages_reserve(sim_pages *p)
{
    if (p->nregions < p->cap_regions)
        return true;
    size_t cap = p->cap_regions ? 2 * p->cap_regions : 16;
    sim_region *r = realloc(p->regions, cap * sizeof *r);
    if (!r)
        return false;
    p->regions = r;
    p->cap_regions = cap;
    return true;
}

void sim_pages_add(sim_pages *p, sim_region r)
{
    p->regions[p->nregions++] = r;
}

bool sim_pages_take(sim_pages *p, const uint8_t *base, sim_region *out)
{
    for (size_t k = 0; k < p->nregions; k++) {
        if (p->regions[k].base != base)
            continue;
        *out = p->regions[k];
        p->regions[k] = p->regions[--p->nregions];
        return true;
    }
    return false;
}

bool sim_pages_lookup(const sim_pages *p, const uint8_t *va, uint64_t *phys)
{
    for (size_t k = 0; k < p->nregions; k++) {
        const sim_region *r = &p->regions[k];
        if (va >= r->base && va < r->base + r->pages * PAGE) {
            size_t off = (size_t)(va - r->base);
            *phys = r->phys[off / PAGE] + off % PAGE;
            return true;
        }
    }
    return false;
}
