/* SPDX-License-Identifier: MIT */
/*
 * The simulated machines' RAM ledger (the PC of sim.c and the SoC of
 * sim_soc.c share it): a bitmap of the pages in use, numbered 0 .. pages-1
 * (each machine maps page numbers to physical addresses its own way), and
 * the table of driver buffers — host mappings whose pages are RAM pages the
 * test chose — that virt_to_phys looks through. The callers hold their own
 * lock around every call.
 */
#ifndef SYSDMA_SIM_PAGES_H
#define SYSDMA_SIM_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_region {
    uint8_t *base;     /* page-aligned start of the host mapping */
    size_t pages;
    uint64_t *phys;    /* physical address of each page (malloc'd) */
} sim_region;

typedef struct sim_pages {
    uint64_t pages;
    uint64_t *bitmap;  /* 1 = page in use */
    uint64_t free_pages;
    uint64_t rng;      /* xorshift state for scattered placements */
    sim_region *regions;
    size_t nregions, cap_regions;
} sim_pages;

/* A ledger of `pages` free pages; seed 0 means 1. False: no memory. */
bool sim_pages_init(sim_pages *p, uint64_t pages, uint64_t seed);
/* Unmap every buffer still in the table and free the ledger. */
void sim_pages_fini(sim_pages *p);

bool sim_pages_used(const sim_pages *p, uint64_t page);
void sim_pages_mark(sim_pages *p, uint64_t page, uint64_t n, bool used);
bool sim_pages_run_free(const sim_pages *p, uint64_t page, uint64_t n);
uint64_t sim_pages_rnd(sim_pages *p);

/* `n` distinct free pages in [first, limit), drawn at random, no two
 * neighbours in the list adjacent (so none is physically contiguous with
 * the one before), written to pg[] (not marked). False when they cannot be
 * found in a bounded number of draws. */
bool sim_pages_scatter(sim_pages *p, uint64_t first, uint64_t limit, uint64_t n, uint64_t *pg);

/* Room for one more buffer in the table (it grows); false: no memory. */
bool sim_pages_reserve(sim_pages *p);
/* Add a buffer (after sim_pages_reserve succeeded). */
void sim_pages_add(sim_pages *p, sim_region r);
/* Take the buffer whose mapping starts at `base` out of the table into
 * *out (its pages are still marked: the caller unmarks them). */
bool sim_pages_take(sim_pages *p, const uint8_t *base, sim_region *out);
/* The physical address of `va` inside a buffer of the table. */
bool sim_pages_lookup(const sim_pages *p, const uint8_t *va, uint64_t *phys);

#endif /* SYSDMA_SIM_PAGES_H */
