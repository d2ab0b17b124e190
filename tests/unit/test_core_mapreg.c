/* SPDX-License-Identifier: MIT */
/*
 * The map-register pool on the fake platform: every run handed out lies
 * below 16 MiB, inside one 64 KiB (8-bit channel) or 128 KiB (16-bit) window,
 * and overlaps no other held run; the pool grows only on demand, a chunk at
 * a time, through the platform's contiguous allocator, never past its cap;
 * statistics add up per adapter and in total. White-box: the test reads a
 * base's physical address through the core's internal header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "core/internal.h"
#include "support/fake_platform.h"

#define PG SYSDMA_PAGE_SIZE
#define MAXHELD 64

static const unsigned chans[7] = {0, 1, 2, 3, 5, 6, 7};

typedef struct held {
    sysdma_map_registers *regs;
    unsigned which; /* index into chans */
    uint32_t count;
} held;

typedef struct world {
    fake_platform f;
    fake_ctrl c;
    sysdma_system *sys;
    sysdma_adapter *ad[7];
    uint32_t nregs[7];
    held h[MAXHELD];
    unsigned n_held;
    unsigned pending;
    long grants;
    long bad; /* invariant failures found inside callbacks */
    uint32_t high;
} world;

typedef struct ticket {
    world *w;
    unsigned which;
    uint32_t count;
} ticket;

static bool overlaps(uint64_t a, uint32_t an, uint64_t b, uint32_t bn)
{
    return a < b + (uint64_t)bn * PG && b < a + (uint64_t)an * PG;
}

/* Checks the new run against the rules and every run held. */
static void check_run(world *w, const sysdma_map_registers *r, unsigned which, uint32_t count)
{
    uint64_t lo = sysdma__regs_phys(r), hi = lo + (uint64_t)count * PG - 1;
    uint64_t window = chans[which] >= 4 ? 0x20000u : 0x10000u;
    if (r->count != count || hi >= (16u << 20) || (lo ^ hi) >= window || (lo & (PG - 1)))
        w->bad++;
    if ((lo ^ hi) & ~(window - 1))
        w->bad++;
    for (unsigned k = 0; k < w->n_held; k++)
        if (overlaps(lo, count, sysdma__regs_phys(w->h[k].regs), w->h[k].count))
            w->bad++;
    /* The CPU view of the run is the contiguous memory behind it. */
    if (fake_phys_to_host(&w->f, lo) != sysdma__regs_va(r) ||
        fake_phys_to_host(&w->f, hi) != sysdma__regs_va(r) + (size_t)count * PG - 1)
        w->bad++;
}

static sysdma_allocation_action keep_regs(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    ticket *t = ctx;
    world *w = t->w;
    if (w->f.lock_depth != 0)
        w->bad++; /* callbacks never run under the core's lock */
    check_run(w, regs, t->which, t->count);
    if (w->n_held < MAXHELD)
        w->h[w->n_held++] = (held){regs, t->which, t->count};
    else
        w->bad++;
    w->grants++;
    uint32_t used = 0;
    for (unsigned k = 0; k < w->n_held; k++)
        used += w->h[k].count;
    if (used > w->high)
        w->high = used;
    free(t);
    return SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS;
}

/* A grant with no map registers: nothing to check but the lock. */
static sysdma_allocation_action keep_regs_none(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    ticket *t = ctx;
    if (regs || t->w->f.lock_depth != 0)
        t->w->bad++;
    t->w->grants++;
    free(t);
    return SYSDMA_DEALLOCATE_OBJECT;
}

static void make(world *w, uint32_t initial, uint32_t cap, uint32_t max_length)
{
    memset(w, 0, sizeof *w);
    fake_platform_init(&w->f, true);
    fake_ctrl_init(&w->c, &w->f);
    sysdma_config cfg = {.map_registers_initial = initial, .map_registers_cap = cap};
    assert_int_equal(sysdma_system_create(&w->f.pf, &w->c.ctrl, &cfg, &w->sys), SYSDMA_OK);
    for (unsigned k = 0; k < 7; k++) {
        sysdma_device_description d = {0};
        d.version = 2;
        d.channel = chans[k];
        d.width = chans[k] >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
        d.maximum_length = max_length;
        assert_int_equal(sysdma_adapter_get(w->sys, &d, &w->ad[k], &w->nregs[k]), SYSDMA_OK);
    }
}

static void unmake(world *w)
{
    for (unsigned k = 0; k < 7; k++)
        assert_int_equal(sysdma_adapter_put(w->ad[k]), SYSDMA_OK);
    assert_int_equal(sysdma_system_destroy(w->sys), SYSDMA_OK);
    assert_true(fake_platform_clean(&w->f));
    fake_platform_destroy(&w->f);
}

static void request(world *w, unsigned which, uint32_t count)
{
    ticket *t = malloc(sizeof *t);
    *t = (ticket){w, which, count};
    long before = w->grants;
    sysdma_status st = sysdma_channel_allocate(w->ad[which], NULL, count, keep_regs, t);
    if (st == SYSDMA_PENDING) {
        w->pending++;
    } else {
        assert_int_equal(st, SYSDMA_OK);
        assert_int_equal(w->grants, before + 1);
    }
}

static void release(world *w, unsigned k)
{
    held h = w->h[k];
    w->h[k] = w->h[--w->n_held];
    long before = w->grants;
    assert_int_equal(sysdma_map_registers_free(w->ad[h.which], h.regs, h.count), SYSDMA_OK);
    w->pending -= (unsigned)(w->grants - before); /* waiters granted by this free */
}

static void check_stats(world *w, uint32_t cap)
{
    sysdma_stats total, one;
    sysdma_stats_get(w->sys, NULL, &total);
    uint32_t used = 0, sum = 0;
    for (unsigned k = 0; k < w->n_held; k++)
        used += w->h[k].count;
    for (unsigned k = 0; k < 7; k++) {
        sysdma_stats_get(w->sys, w->ad[k], &one);
        sum += one.pool_in_use;
        assert_true(one.pool_high_water >= one.pool_in_use);
        assert_int_equal(one.pool_pages, total.pool_pages);
    }
    assert_int_equal(total.pool_in_use, used);
    assert_int_equal(sum, used);
    assert_true(total.pool_pages <= cap);
    assert_int_equal(total.pool_pages % 32, 0);
    assert_int_equal(total.pool_high_water, w->high);
    /* Every chunk came from the platform: 128 KiB, aligned, below 16 MiB. */
    assert_int_equal((uint32_t)(w->f.contig_allocs - w->f.contig_frees) * 32, total.pool_pages);
    for (size_t k = 0; k < w->f.n_contig; k++) {
        const fake_contig *c = &w->f.contig[k];
        if (!c->va)
            continue;
        assert_int_equal(c->bytes, 0x20000);
        assert_int_equal(c->phys & 0x1FFFF, 0);
        assert_true(c->phys + c->bytes <= (16u << 20));
    }
}

/* Random requests and frees on seven adapters sharing a small pool. */
static void test_random_runs_keep_the_rules(void **state)
{
    (void)state;
    const char *env = getenv("SYSDMA_SEED");
    unsigned long long seed = env ? strtoull(env, NULL, 0) : (unsigned long long)time(NULL);
    print_message("map-register pool: seed %llu (SYSDMA_SEED to repeat)\n", seed);
    uint64_t rng = seed * 0x9E3779B97F4A7C15ull + 1;
    world *w = malloc(sizeof *w);
    make(w, 32, 160, 1u << 20);
    for (int step = 0; step < 4000; step++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        unsigned which = (unsigned)(rng % 7);
        if (w->n_held && (w->n_held >= MAXHELD - 8 || (rng >> 8) % 3 == 0)) {
            release(w, (unsigned)((rng >> 12) % w->n_held));
        } else if (w->pending < 8) {
            uint32_t count = 1 + (uint32_t)((rng >> 16) % w->nregs[which]);
            request(w, which, count);
        }
        assert_int_equal(w->bad, 0);
        if (step % 64 == 0)
            check_stats(w, 160);
    }
    check_stats(w, 160);
    /* Drain: every waiter is granted by some free, then everything goes back. */
    while (w->n_held)
        release(w, 0);
    assert_int_equal(w->pending, 0);
    assert_int_equal(w->bad, 0);
    check_stats(w, 160);
    sysdma_stats st;
    sysdma_stats_get(w->sys, NULL, &st);
    assert_int_equal(st.pool_in_use, 0);
    assert_true(st.deferred > 0);
    assert_int_equal(st.granted, (uint64_t)w->grants);
    unmake(w);
    free(w);
}

/* Growth goes through the platform only when the pool is short, and stops
 * at the cap: a request that does not fit then waits, and is granted when
 * registers come back. */
static void test_growth_on_demand_to_cap(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    make(w, 1, 64, 65536); /* one chunk at creation, at most two */
    assert_int_equal(w->f.contig_allocs, 1);
    request(w, 0, 16);
    request(w, 1, 16);
    assert_int_equal(w->f.contig_allocs, 1); /* two halves of the first chunk */
    request(w, 4, 17);
    assert_int_equal(w->f.contig_allocs, 2); /* grown */
    assert_int_equal(w->pending, 0);
    request(w, 2, 1); /* 15 pages are free in the second chunk */
    assert_int_equal(w->pending, 0);
    request(w, 3, 16); /* no half with 16 free pages, cap reached: waits */
    assert_int_equal(w->pending, 1);
    assert_int_equal(w->f.contig_allocs, 2);
    sysdma_stats st;
    sysdma_stats_get(w->sys, NULL, &st);
    assert_int_equal(st.pool_pages, 64);
    assert_int_equal(st.pool_in_use, 50);
    assert_int_equal(st.deferred, 1);
    release(w, 0); /* channel 0's 16 pages: the waiter fits */
    assert_int_equal(w->pending, 0);
    assert_int_equal(w->bad, 0);
    check_stats(w, 64);
    while (w->n_held)
        release(w, 0);
    unmake(w);
    free(w);
}

/* The platform refuses to grow the pool: with a chunk in hand requests wait
 * (they can be met later) and growth is tried again after a free; with no
 * chunk at all and none to be had, a request fails at once with a status
 * other than "wait". */
static void test_platform_refuses_growth(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    make(w, 32, 96, 65536);
    request(w, 0, 16);
    request(w, 1, 16);
    w->f.contig_hi = w->f.contig_lo; /* no more contiguous memory */
    request(w, 2, 16);
    assert_int_equal(w->pending, 1);
    assert_int_equal(w->f.contig_allocs, 1);
    w->f.contig_hi = 12u << 20;
    release(w, 0);
    assert_int_equal(w->pending, 0); /* granted from the freed half */
    request(w, 3, 16);               /* growth is tried again: succeeds */
    assert_int_equal(w->pending, 0);
    assert_int_equal(w->f.contig_allocs, 2);
    assert_int_equal(w->bad, 0);
    while (w->n_held)
        release(w, 0);
    unmake(w);
    free(w);

    /* The pool's first chunk is made at creation: without contiguous memory
     * the system is not created, and nothing is left behind. */
    w = malloc(sizeof *w);
    memset(w, 0, sizeof *w);
    fake_platform_init(&w->f, true);
    fake_ctrl_init(&w->c, &w->f);
    w->f.contig_hi = w->f.contig_lo;
    sysdma_config cfg = {.map_registers_initial = 0, .map_registers_cap = 64};
    w->sys = (sysdma_system *)0x1;
    assert_int_equal(sysdma_system_create(&w->f.pf, &w->c.ctrl, &cfg, &w->sys), SYSDMA_E_NO_MEMORY);
    assert_null(w->sys);
    assert_true(fake_platform_clean(&w->f));
    /* A cap below one chunk: no map registers ever, so a request for any
     * fails at once (not "wait"), and one for none is granted. */
    w->f.contig_hi = 12u << 20;
    cfg.map_registers_cap = 31;
    assert_int_equal(sysdma_system_create(&w->f.pf, &w->c.ctrl, &cfg, &w->sys), SYSDMA_OK);
    assert_int_equal(w->f.contig_allocs, 0);
    sysdma_device_description d = {.version = 1, .channel = 1, .maximum_length = 8192};
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(w->sys, &d, &a, NULL), SYSDMA_OK);
    ticket *t = malloc(sizeof *t);
    *t = (ticket){w, 1, 1};
    assert_int_equal(sysdma_channel_allocate(a, NULL, 1, keep_regs, t),
                     SYSDMA_E_INSUFFICIENT_RESOURCES);
    assert_int_equal(w->grants, 0);
    assert_int_equal(w->f.contig_allocs, 0);
    sysdma_stats st;
    sysdma_stats_get(w->sys, a, &st);
    assert_int_equal(st.deferred, 0);
    *t = (ticket){w, 1, 0};
    assert_int_equal(sysdma_channel_allocate(a, NULL, 0, keep_regs_none, t), SYSDMA_OK);
    assert_int_equal(w->grants, 1);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    assert_int_equal(sysdma_system_destroy(w->sys), SYSDMA_OK);
    assert_true(fake_platform_clean(&w->f));
    fake_platform_destroy(&w->f);
    free(w);
}

static unsigned held_by(const world *w, unsigned which)
{
    for (unsigned k = 0; k < w->n_held; k++)
        if (w->h[k].which == which)
            return k;
    fail_msg("channel %u holds no registers", chans[which]);
    return 0;
}

/* A request waiting at the head of the pool queue for more than any chunk
 * has free is granted by a later free, which grows the pool for it; the
 * platform is asked with the core's lock free (the fake platform aborts
 * the test otherwise). */
static void test_free_grows_the_pool_for_the_head(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    make(w, 32, 64, 1u << 20);
    request(w, 0, 1);
    request(w, 1, 1);
    w->f.contig_hi = w->f.contig_lo; /* no more contiguous memory */
    request(w, 4, 32);               /* a whole chunk for channel 5: waits */
    assert_int_equal(w->pending, 1);
    assert_int_equal(w->f.contig_allocs, 1);
    w->f.contig_hi = 12u << 20;
    release(w, held_by(w, 1)); /* one page back: still short, the pool grows */
    assert_int_equal(w->pending, 0);
    assert_int_equal(w->f.contig_allocs, 2);
    assert_int_equal(w->h[held_by(w, 4)].count, 32);
    assert_int_equal(w->bad, 0);
    check_stats(w, 64);
    while (w->n_held)
        release(w, 0);
    unmake(w);
    free(w);
}

/* What a "second thread" does while the core waits for the platform. */
typedef struct meanwhile {
    world *w;
    int what;        /* 1: a request arrives; 2: registers come back;
                      * 3: registers come back and the platform refuses */
    unsigned which;
    uint32_t count;
    sysdma_status st;
    int calls;
} meanwhile;

static void act_meanwhile(void *arg)
{
    meanwhile *m = arg;
    world *w = m->w;
    w->f.contig_hook = NULL; /* once */
    m->calls++;
    if (w->f.lock_depth != 0)
        w->bad++;
    if (m->what == 1) {
        ticket *t = malloc(sizeof *t);
        *t = (ticket){w, m->which, m->count};
        m->st = sysdma_channel_allocate(w->ad[m->which], NULL, m->count, keep_regs, t);
        return;
    }
    release(w, held_by(w, m->which));
    if (m->what == 3)
        w->f.fail_at = w->f.calls + 1; /* this very call fails */
}

/* Requests that arrive while the pool grows queue behind in order; the
 * grower looks at the queue again once its chunk is in, so nothing is
 * stranded, and each routine runs once, in arrival order. */
static void test_request_arrives_while_the_pool_grows(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    make(w, 32, 64, 1u << 20);
    request(w, 4, 31); /* channel 5: one page of the chunk left */
    meanwhile m = {w, 1, 5, 16, SYSDMA_OK, 0};
    w->f.contig_hook = act_meanwhile;
    w->f.contig_hook_arg = &m;
    ticket *t = malloc(sizeof *t);
    *t = (ticket){w, 6, 16};
    /* Channel 7 needs the pool to grow; meanwhile channel 6 asks too, finds
     * the cap taken by the growth under way and queues. */
    sysdma_status st = sysdma_channel_allocate(w->ad[6], NULL, 16, keep_regs, t);
    assert_int_equal(m.calls, 1);
    assert_int_equal(m.st, SYSDMA_PENDING);
    assert_int_equal(st, SYSDMA_PENDING); /* queued behind channel 6 */
    assert_int_equal(w->grants, 3);     /* ...and both granted by the grower */
    assert_int_equal(w->n_held, 3);
    assert_int_equal(w->h[1].which, 5);
    assert_int_equal(w->h[2].which, 6);
    assert_int_equal(w->f.contig_allocs, 2);
    assert_int_equal(w->bad, 0);
    check_stats(w, 64);
    sysdma_stats s;
    sysdma_stats_get(w->sys, NULL, &s);
    assert_int_equal(s.granted, 3);
    while (w->n_held)
        release(w, 0);
    unmake(w);
    free(w);
}

/* Registers come back while the pool grows: the new chunk joins the pool
 * anyway and the request is granted; and when the platform then refuses,
 * the refusal does not stop later growth (pages were freed after it was
 * asked). */
static void test_registers_return_while_the_pool_grows(void **state)
{
    (void)state;
    for (int what = 2; what <= 3; what++) {
        world *w = malloc(sizeof *w);
        make(w, 32, 128, 1u << 20);
        request(w, 0, 16);
        request(w, 1, 16); /* the first chunk is full */
        meanwhile m = {w, what, 0, 0, SYSDMA_OK, 0};
        w->f.contig_hook = act_meanwhile;
        w->f.contig_hook_arg = &m;
        request(w, 2, 16);
        assert_int_equal(m.calls, 1);
        assert_int_equal(w->pending, 0); /* granted in the call */
        assert_int_equal(w->f.contig_allocs, what == 2 ? 2 : 1);
        w->f.fail_at = 0;
        request(w, 3, 16); /* needs a chunk: the platform is asked again */
        assert_int_equal(w->pending, 0);
        assert_int_equal(w->f.contig_allocs, 2);
        request(w, 4, 32); /* and once more for a whole chunk */
        assert_int_equal(w->pending, 0);
        assert_int_equal(w->f.contig_allocs, 3);
        assert_int_equal(w->bad, 0);
        check_stats(w, 128);
        while (w->n_held)
            release(w, 0);
        unmake(w);
        free(w);
    }
}

/* Freeing what is not held: a clear status and nothing changed. */
static void test_free_what_is_not_held(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    make(w, 32, 64, 65536);
    request(w, 0, 3);
    request(w, 4, 5);
    sysdma_stats before, after;
    sysdma_stats_get(w->sys, NULL, &before);
    /* Wrong adapter, wrong count, NULL base, a base never handed out. */
    assert_int_equal(sysdma_map_registers_free(w->ad[1], w->h[0].regs, 3), SYSDMA_E_NOT_OWNER);
    assert_int_equal(sysdma_map_registers_free(w->ad[0], w->h[0].regs, 2), SYSDMA_E_NOT_OWNER);
    assert_int_equal(sysdma_map_registers_free(w->ad[0], NULL, 3), SYSDMA_E_INVALID_ARGUMENT);
    sysdma_map_registers fake;
    memset(&fake, 0, sizeof fake);
    assert_int_equal(sysdma_map_registers_free(w->ad[0], &fake, 0), SYSDMA_E_NOT_OWNER);
    assert_int_equal(sysdma_map_registers_free(NULL, w->h[0].regs, 3), SYSDMA_E_INVALID_ARGUMENT);
    sysdma_stats_get(w->sys, NULL, &after);
    assert_memory_equal(&before, &after, sizeof before);
    /* Freed once: fine; twice: refused. */
    sysdma_map_registers *r0 = w->h[0].regs;
    release(w, 0);
    assert_int_equal(sysdma_map_registers_free(w->ad[0], r0, 3), SYSDMA_E_NOT_OWNER);
    sysdma_stats_get(w->sys, NULL, &after);
    assert_int_equal(after.pool_in_use, 5);
    while (w->n_held)
        release(w, 0);
    unmake(w);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_runs_keep_the_rules),
        cmocka_unit_test(test_growth_on_demand_to_cap),
        cmocka_unit_test(test_platform_refuses_growth),
        cmocka_unit_test(test_free_what_is_not_held),
        cmocka_unit_test(test_free_grows_the_pool_for_the_head),
        cmocka_unit_test(test_request_arrives_while_the_pool_grows),
        cmocka_unit_test(test_registers_return_while_the_pool_grows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
