/* SPDX-License-Identifier: MIT */
/*
 * Fault injection: every platform allocation (core objects and contiguous
 * memory) made to fail in turn — N = 0, 1, 2, ... — through a whole
 * packet-based session: system creation, adapter, MDL, channel allocation
 * with pool growth, a bounced transfer, teardown. Each run must end in
 * success or a documented out-of-memory status, with nothing leaked
 * (LeakSanitizer checks the core objects; the machine's page count checks
 * contiguous memory) and nothing left half-done.
 *
 * Then the same on the fake platform, which counts every allocation, over
 * the packet path, scatter/gather lists (Get, Build, BuildMdl, the chained
 * runner, Put; a bounced single-element list; a bus master's list), common
 * buffers (Allocate, AllocateEx, Free) and the version-3 calls
 * (AllocateAdapterChannelEx synchronous and asynchronous, MapTransferEx and
 * its completion, FlushAdapterBuffersEx, FreeAdapterObject, transfer
 * information, the Ex list routine), with and without the verifier: a call
 * that meets the failure must change nothing (made again without failures
 * it succeeds), every completion runs once, and after each run, with every
 * adapter put and the system destroyed, the platform holds nothing of the
 * core's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/fake_platform.h"
#include "support/rig.h"

static bool documented(sysdma_status st)
{
    return st == SYSDMA_E_NO_MEMORY || st == SYSDMA_E_INSUFFICIENT_RESOURCES;
}

static void fill_pattern(uint8_t *p, size_t n)
{
    for (size_t k = 0; k < n; k++)
        p[k] = (uint8_t)(k * 13 + 5);
}

static sysdma_allocation_action keep(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    *(sysdma_map_registers **)ctx = regs;
    return SYSDMA_KEEP_OBJECT;
}

/* One session with allocations failing from the `n`th on. Returns true when
 * everything succeeded. */
static bool session(rig *r, long n)
{
    uint64_t pages_before = sysdma_sim_free_pages(r->sim);
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 128};
    sysdma_system *sys = NULL;
    r->fail_after = n;
    sysdma_status st = sysdma_system_create(&r->pf, &r->ctrl, &cfg, &sys);
    if (st != SYSDMA_OK) {
        assert_true(documented(st));
        assert_null(sys);
        r->fail_after = -1;
        assert_int_equal(sysdma_sim_free_pages(r->sim), pages_before);
        return false;
    }
    bool ok = true;
    sysdma_adapter *a[3] = {0};
    sysdma_map_registers *regs[3] = {0};
    static const unsigned chans[3] = {1, 3, 6};
    for (int k = 0; k < 3; k++) {
        sysdma_device_description d = {0};
        d.version = 2;
        d.channel = chans[k];
        d.width = chans[k] >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
        d.maximum_length = 65536;
        uint32_t nregs;
        st = sysdma_adapter_get(sys, &d, &a[k], &nregs);
        if (st != SYSDMA_OK) {
            assert_true(documented(st));
            ok = false;
            break;
        }
        /* 16 + 16 + 17 pages: the pool must grow past its first chunk. */
        st = sysdma_channel_allocate(a[k], NULL, nregs, keep, &regs[k]);
        if (st != SYSDMA_OK) {
            assert_true(documented(st) || st == SYSDMA_PENDING);
            if (st != SYSDMA_PENDING) {
                /* refused outright: nothing of it is held */
                assert_int_equal(sysdma_adapter_put(a[k]), SYSDMA_OK);
                a[k] = NULL;
            }
            ok = false;
            break;
        }
    }
    if (ok) {
        uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, 20000, 3, SYSDMA_SIM_SCATTERED);
        sysdma_mdl *m = NULL;
        st = sysdma_mdl_create(sys, buf, 20000, &m);
        if (st == SYSDMA_OK) {
            uint32_t len = 20000;
            assert_int_equal(sysdma_map_transfer(a[1], m, regs[1], buf, &len, true, NULL), SYSDMA_OK);
            assert_int_equal(sysdma_flush_adapter_buffers(a[1], m, regs[1], buf, 20000, true),
                             SYSDMA_OK);
            sysdma_mdl_free(sys, m);
        } else {
            assert_true(documented(st));
            assert_null(m);
            ok = false;
        }
        sysdma_sim_buffer_free(r->sim, buf);
    }
    r->fail_after = -1; /* teardown never allocates, but let it run freely */
    for (int k = 0; k < 3; k++) {
        if (!a[k])
            continue;
        /* A request left waiting for registers is granted by an earlier
         * adapter's free (registers come back, the pool may grow again),
         * so by its turn every channel is owned and can be freed. */
        assert_int_equal(sysdma_channel_free(a[k]), SYSDMA_OK);
        assert_int_equal(sysdma_adapter_put(a[k]), SYSDMA_OK);
    }
    assert_int_equal(sysdma_system_destroy(sys), SYSDMA_OK);
    assert_int_equal(sysdma_sim_free_pages(r->sim), pages_before);
    return ok;
}

static void test_every_allocation_fails_in_turn(void **state)
{
    (void)state;
    rig r;
    assert_int_equal(rig_init(&r, 32u << 20, 4096, NULL), SYSDMA_OK);
    assert_int_equal(sysdma_system_destroy(r.sys), SYSDMA_OK);
    r.sys = NULL;
    long n = 0;
    while (!session(&r, n)) {
        n++;
        assert_true(n < 200);
    }
    print_message("fault injection: %ld failing runs before the first clean one\n", n);
    assert_true(n >= 6); /* system, chunk, adapters, requests, registers, MDL */
    rig_destroy(&r);
}

/*
 * The same sweep on the fake platform, where every allocation is counted:
 * allocation N fails (once, or N and every later one), N = 1, 2, ... until
 * a session runs clean. After each run the platform must have got back
 * every object and every contiguous block it gave, with the sizes it gave.
 */
typedef struct fsession {
    sysdma_status create, get[2], alloc[2], mdl, map, flush;
} fsession;

static bool fake_session(fake_platform *f, fake_ctrl *c, long n, bool persist)
{
    f->calls = 0;
    f->fail_at = n;
    f->fail_persist = persist;
    long failed_before = f->failed;
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 96};
    sysdma_system *sys = NULL;
    sysdma_status st = sysdma_system_create(&f->pf, &c->ctrl, &cfg, &sys);
    if (st != SYSDMA_OK) {
        assert_true(documented(st));
        assert_null(sys);
        f->fail_at = 0;
        assert_true(fake_platform_clean(f));
        return false;
    }
    static const uint64_t phys[3] = {0x2000000, 0xD00000, 0x3000000};
    uint8_t *buf = fake_buffer(f, 3, phys);
    assert_non_null(buf);
    sysdma_adapter *a[2] = {0};
    sysdma_map_registers *regs[2] = {0};
    bool granted[2] = {false, false};
    static const unsigned chans[2] = {2, 6};
    for (int k = 0; k < 2; k++) {
        sysdma_device_description d = {0};
        d.version = 1;
        d.channel = chans[k];
        d.width = chans[k] >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
        d.maximum_length = 65536;
        uint32_t nregs;
        st = sysdma_adapter_get(sys, &d, &a[k], &nregs);
        if (st != SYSDMA_OK) {
            assert_true(documented(st));
            assert_null(a[k]);
            continue;
        }
        /* 16 + 17 pages: the second needs the pool to grow. */
        st = sysdma_channel_allocate(a[k], NULL, nregs, keep, &regs[k]);
        if (st == SYSDMA_OK)
            granted[k] = true;
        else if (st == SYSDMA_PENDING)
            granted[k] = false; /* the grow failed: waits for channel 2's registers */
        else
            assert_true(documented(st));
        if (st != SYSDMA_OK && st != SYSDMA_PENDING) {
            assert_int_equal(sysdma_adapter_put(a[k]), SYSDMA_OK);
            a[k] = NULL;
        }
    }
    if (a[0] && granted[0]) {
        sysdma_mdl *m = NULL;
        st = sysdma_mdl_create(sys, buf + 5, 3 * 4096 - 10, &m);
        if (st == SYSDMA_OK) {
            uint32_t len = 3 * 4096 - 10;
            fill_pattern(buf, 3 * 4096);
            assert_int_equal(sysdma_map_transfer(a[0], m, regs[0], buf + 5, &len, true, NULL),
                             SYSDMA_OK);
            uint8_t dev[3 * 4096];
            assert_int_equal(fake_ctrl_run(c, 2, dev, len), len);
            assert_memory_equal(dev, buf + 5, len);
            assert_int_equal(sysdma_flush_adapter_buffers(a[0], m, regs[0], buf + 5, len, true),
                             SYSDMA_OK);
            sysdma_mdl_free(sys, m);
        } else {
            assert_true(documented(st));
            assert_null(m);
        }
    }
    f->fail_at = 0;
    for (int k = 0; k < 2; k++) {
        if (!a[k])
            continue;
        /* Channel 6's request, if it waited, was granted by channel 2's free. */
        assert_int_equal(sysdma_channel_free(a[k]), SYSDMA_OK);
        assert_int_equal(sysdma_adapter_put(a[k]), SYSDMA_OK);
    }
    assert_int_equal(sysdma_system_destroy(sys), SYSDMA_OK);
    fake_buffer_free(f, buf);
    assert_true(fake_platform_clean(f));
    assert_int_equal(c->unlocked, 0);
    return f->failed == failed_before;
}

static void test_counted_sweep(void **state)
{
    (void)state;
    fake_platform *f = malloc(sizeof *f);
    fake_ctrl c;
    for (int persist = 0; persist < 2; persist++) {
        fake_platform_init(f, true);
        fake_ctrl_init(&c, f);
        long n = 1;
        while (!fake_session(f, &c, n, persist)) {
            n++;
            assert_true(n < 200);
        }
        print_message("counted sweep (%s): allocations 1..%ld failed in turn; over all runs %ld objects and "
                      "%ld contiguous blocks, all returned\n",
                      persist ? "from N on" : "N only", n - 1, f->allocs, f->contig_allocs);
        assert_true(n > 6);
        fake_platform_destroy(f);
    }
    free(f);
}

/*
 * Sweeps over the rest of the API on the fake platform. A scenario is a
 * sequence of calls, each made through TRY: allocation N of the run fails
 * (N only, or N and every later one); the call that meets the failure must
 * return a documented status having changed nothing, which is proved by
 * making the same call again with no failure pending: it must now give
 * what a run without failures gives. The run then goes on to the end, and
 * every run ends with all adapters put, the system destroyed, and the
 * platform holding nothing of the core's. N grows until a run meets no
 * failure.
 */
typedef struct frun {
    fake_platform *f;
    fake_ctrl *c;
    sysdma_system *sys;
    long n;               /* the allocation that fails */
    bool persist;         /* ...and every later one */
    bool verify;          /* the verifier is on */
    unsigned known_bugs;  /* VBUG_*: take the paths of these verifier bugs too */
    unsigned reports;     /* verifier reports seen */
    char last_report[96];
} frun;

static void fault_call(frun *fr, sysdma_status st, sysdma_status want, long failed_before,
                       const char *call)
{
    if (!documented(st) || fr->f->failed == failed_before)
        fail_msg("allocation %ld%s failing: %s: %s (want %s; %ld allocations refused in the "
                 "call; %u verifier reports%s%s)",
                 fr->n, fr->persist ? " on" : "", call, sysdma_status_name(st),
                 sysdma_status_name(want), fr->f->failed - failed_before, fr->reports,
                 fr->reports ? ", the last " : "", fr->last_report);
    fr->f->fail_at = 0; /* the retry meets no failure */
}

#define TRY(fr, want, call)                                                                      \
    do {                                                                                         \
        long failed_ = (fr)->f->failed;                                                          \
        sysdma_status st_ = (call);                                                              \
        if (st_ != (want)) {                                                                     \
            fault_call((fr), st_, (want), failed_, #call);                                       \
            st_ = (call);                                                                        \
            if (st_ != (want))                                                                   \
                fail_msg("allocation %ld failing: %s again without failures: %s, not %s",        \
                         (fr)->n, #call, sysdma_status_name(st_), sysdma_status_name(want));     \
        }                                                                                        \
    } while (0)

static void on_report(void *ctx, const sysdma_verifier_report *rep)
{
    frun *fr = ctx;
    fr->reports++;
    snprintf(fr->last_report, sizeof fr->last_report, "%s in %s", rep->check_name,
             rep->call ? rep->call : "?");
}

/*
 * Verifier bugs this sweep finds (src/core/verifier*.c, not this test's to
 * fix). The sweeps that meet them run without those paths; the full sweeps
 * are left out of main() until they are fixed.
 *
 * VBUG_LIST_REC: list_tramp (verifier_sg.c) allocates the list's record
 * inside the list-control trampoline and, when that allocation fails, hands
 * the list to the driver unrecorded: every later use of the list (BuildMdl,
 * start, put) is refused as LIST_PUT_UNKNOWN with SYSDMA_E_VERIFIER, so the
 * list and its map registers can never be given back.
 *
 * VBUG_KEPT_SET: v_free_object and control_tramp (verifier_ops.c) allocate
 * the record of a register set kept after DEALLOCATE_OBJECT_KEEP_REGISTERS
 * only once the core has released the channel, and drop the set when that
 * allocation fails: the driver's sysdma_map_registers_free is then refused
 * as FREE_REGISTERS_NOT_HELD and the registers are lost.
 *
 * VBUG_UNWRAPPED: on_adapter_got (verifier.c) ignores a failed wrap():
 * sysdma_adapter_get succeeds and the adapter is silently not verified.
 */
enum { VBUG_LIST_REC = 1, VBUG_KEPT_SET = 2, VBUG_UNWRAPPED = 4 };

static sysdma_adapter *fget(frun *fr, const sysdma_device_description *d, uint32_t *nregs)
{
    sysdma_adapter *a = NULL;
    TRY(fr, SYSDMA_OK, sysdma_adapter_get(fr->sys, d, &a, nregs));
    if (fr->verify && (fr->known_bugs & VBUG_UNWRAPPED)) {
        /* A verified adapter refuses a free of a channel it does not hold
         * with a report (the core alone says NOT_OWNER). VBUG_UNWRAPPED. */
        unsigned before = fr->reports;
        sysdma_status st = sysdma_channel_free(a);
        if (st != SYSDMA_E_VERIFIER)
            fail_msg("allocation %ld%s failing: sysdma_adapter_get gave an adapter the "
                     "verifier does not watch (channel_free: %s)",
                     fr->n, fr->persist ? " on" : "", sysdma_status_name(st));
        fr->reports = before;
    }
    return a;
}

static sysdma_device_description desc3(unsigned ch, bool sg, uint32_t max_len)
{
    sysdma_device_description d = {0};
    d.version = 3;
    d.channel = ch;
    d.scatter_gather = sg;
    d.interface_type = SYSDMA_INTERFACE_ISA;
    d.width = ch >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    d.maximum_length = max_len;
    return d;
}

typedef struct got_list {
    sysdma_sg_list *list;
    int calls;
} got_list;

static void list_got(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    got_list *g = ctx;
    g->list = list;
    g->calls++;
}

typedef struct run_done {
    int calls;
    sysdma_status status;
} run_done;

static void sg_done(sysdma_adapter *a, sysdma_sg_list *list, sysdma_status st, void *ctx)
{
    (void)a;
    (void)list;
    run_done *d = ctx;
    d->calls++;
    d->status = st;
}

static void v3_done(sysdma_adapter *a, void *ctx, sysdma_status st)
{
    (void)a;
    run_done *d = ctx;
    d->calls++;
    d->status = st;
}

/* Play the device for each programmed element until `d` is called. */
static void run_list(frun *fr, unsigned ch, uint8_t *dev, uint32_t cap, run_done *d)
{
    uint32_t at = 0;
    for (int guard = 0; d->calls == 0 && guard < 64; guard++) {
        at += fake_ctrl_run(fr->c, ch, dev + at, cap - at);
        sysdma_terminal_count(fr->sys, 1u << ch);
    }
    assert_int_equal(d->calls, 1);
    assert_int_equal(d->status, SYSDMA_OK);
}

/* Scatter/gather: Get, BuildMdl, the chained runner, Put; Calculate and
 * Build into the caller's buffer; a single-element (bounced) list on a
 * channel without scatter/gather; a bus master's list. */
static void scenario_sg(frun *fr)
{
    /* Pages: reachable, beyond 16 MiB (bounced), reachable, beyond. */
    static const uint64_t phys[4] = {0xD00000, 0x2000000, 0xE00000, 0x2100000};
    uint8_t *buf = fake_buffer(fr->f, 4, phys);
    assert_non_null(buf);
    fill_pattern(buf, 4 * 4096);
    uint32_t len = 4 * 4096 - 100;
    sysdma_device_description d = desc3(6, true, 65536);
    sysdma_adapter *a = fget(fr, &d, NULL);
    sysdma_mdl *m = NULL;
    TRY(fr, SYSDMA_OK, sysdma_mdl_create(fr->sys, buf + 50, len, &m));

    if (fr->verify && !(fr->known_bugs & VBUG_LIST_REC)) {
        /* Every list call meets VBUG_LIST_REC. */
        sysdma_mdl_free(fr->sys, m);
        TRY(fr, SYSDMA_OK, sysdma_adapter_put(a));
        fake_buffer_free(fr->f, buf);
        return;
    }
    got_list g = {0};
    TRY(fr, SYSDMA_OK, sysdma_sg_get(a, NULL, m, buf + 50, len, list_got, &g, true));
    assert_int_equal(g.calls, 1);
    sysdma_mdl *built = NULL;
    TRY(fr, SYSDMA_OK, sysdma_sg_build_mdl(a, g.list, m, &built));
    sysdma_mdl_free(fr->sys, built);
    run_done rd = {0, SYSDMA_PENDING};
    static uint8_t dev[4 * 4096];
    memset(dev, 0, sizeof dev);
    TRY(fr, SYSDMA_OK, sysdma_sg_start(a, g.list, true, sg_done, &rd));
    run_list(fr, 6, dev, sizeof dev, &rd);
    assert_memory_equal(dev, buf + 50, len);
    TRY(fr, SYSDMA_OK, sysdma_sg_put(a, g.list, true));

    uint32_t size = 0, nregs = 0;
    TRY(fr, SYSDMA_OK, sysdma_sg_calculate(a, m, buf + 50, len, &size, &nregs));
    uint64_t space[512];
    assert_true(size <= sizeof space);
    got_list gb = {0};
    TRY(fr, SYSDMA_OK,
        sysdma_sg_build(a, NULL, m, buf + 50, len, list_got, &gb, false, space, &size));
    assert_int_equal(gb.calls, 1);
    TRY(fr, SYSDMA_OK, sysdma_sg_put(a, gb.list, false));

    /* One element through map registers: 8-bit channel, no scatter/gather. */
    sysdma_device_description d1 = desc3(1, false, 65536);
    sysdma_adapter *b = fget(fr, &d1, NULL);
    got_list g1 = {0};
    TRY(fr, SYSDMA_OK, sysdma_sg_get(b, NULL, m, buf + 50, 8000, list_got, &g1, true));
    assert_int_equal(g1.calls, 1);
    assert_int_equal(g1.list->count, 1);
    TRY(fr, SYSDMA_OK, sysdma_sg_put(b, g1.list, true));

    /* A bus master reaching 24 bits: a new adapter per get. */
    sysdma_device_description dm = {0};
    dm.version = 3;
    dm.master = true;
    dm.scatter_gather = true;
    dm.interface_type = SYSDMA_INTERFACE_ISA;
    dm.maximum_length = 65536;
    dm.address_width = 24;
    sysdma_adapter *bm = fget(fr, &dm, NULL);
    got_list gm = {0};
    TRY(fr, SYSDMA_OK, sysdma_sg_get(bm, NULL, m, buf + 50, len, list_got, &gm, false));
    assert_int_equal(gm.calls, 1);
    TRY(fr, SYSDMA_OK, sysdma_sg_put(bm, gm.list, false));

    sysdma_mdl_free(fr->sys, m);
    TRY(fr, SYSDMA_OK, sysdma_adapter_put(bm));
    TRY(fr, SYSDMA_OK, sysdma_adapter_put(b));
    TRY(fr, SYSDMA_OK, sysdma_adapter_put(a));
    fake_buffer_free(fr->f, buf);
}

/* Common buffers: allocate, allocate_ex below an address, free. */
static void scenario_common(frun *fr)
{
    sysdma_device_description d = desc3(5, false, 65536);
    sysdma_adapter *a = fget(fr, &d, NULL);
    void *va = NULL, *vb = NULL;
    uint64_t la = 0, lb = 0;
    TRY(fr, SYSDMA_OK, sysdma_common_buffer_allocate(a, 10000, true, &va, &la));
    TRY(fr, SYSDMA_OK, sysdma_common_buffer_allocate_ex(a, 0x7FFFFF, 3000, false, &vb, &lb));
    assert_true(lb + 3000 <= 0x800000);
    memset(va, 1, 10000);
    memset(vb, 2, 3000);
    TRY(fr, SYSDMA_OK, sysdma_common_buffer_free(a, 10000, la, va, true));
    TRY(fr, SYSDMA_OK, sysdma_common_buffer_free(a, 3000, lb, vb, false));
    TRY(fr, SYSDMA_OK, sysdma_adapter_put(a));
}

typedef struct control_seen {
    int runs;
    sysdma_map_registers *regs;
} control_seen;

static sysdma_allocation_action control_keep_regs(void *dev, sysdma_map_registers *regs,
                                                  void *ctx)
{
    (void)dev;
    control_seen *c = ctx;
    c->runs++;
    c->regs = regs;
    return SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS;
}

static sysdma_allocation_action control_release(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    control_seen *c = ctx;
    c->runs++;
    c->regs = regs;
    return SYSDMA_DEALLOCATE_OBJECT;
}

/* Version 3: transfer information; AllocateAdapterChannelEx synchronous
 * (no routine) with MapTransferEx, its completion at terminal count and
 * FlushAdapterBuffersEx; asynchronous with a routine that keeps the
 * registers; the Ex list routine. */
static void scenario_v3(frun *fr)
{
    static const uint64_t phys[3] = {0x2000000, 0xD00000, 0x2100000};
    uint8_t *buf = fake_buffer(fr->f, 3, phys);
    assert_non_null(buf);
    fill_pattern(buf, 3 * 4096);
    uint32_t n = 0;
    sysdma_device_description d = desc3(2, false, 3 * 4096);
    sysdma_adapter *a = fget(fr, &d, &n);
    sysdma_mdl *m = NULL;
    TRY(fr, SYSDMA_OK, sysdma_mdl_create(fr->sys, buf, 3 * 4096, &m));
    sysdma_transfer_info info;
    TRY(fr, SYSDMA_OK, sysdma_transfer_info_get(a, m, 100, 8000, true, &info));
    TRY(fr, SYSDMA_OK, sysdma_transfer_info_get(a, NULL, 100, 8000, true, &info));

    sysdma_transfer_context tc;
    TRY(fr, SYSDMA_OK, sysdma_transfer_context_init(a, &tc));
    sysdma_map_registers *base = NULL;
    TRY(fr, SYSDMA_OK,
        sysdma_channel_allocate_ex(a, NULL, &tc, n, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL, NULL, &base));
    uint64_t off = 0;
    static uint8_t dev[3 * 4096];
    memset(dev, 0, sizeof dev);
    while (off < 3 * 4096) {
        uint32_t len = 3 * 4096 - (uint32_t)off;
        run_done rd = {0, SYSDMA_PENDING};
        TRY(fr, SYSDMA_OK, sysdma_map_transfer_ex(a, m, off, &len, true, base, v3_done, &rd, NULL));
        assert_int_equal(fake_ctrl_run(fr->c, 2, dev + off, len), len);
        sysdma_terminal_count(fr->sys, 1u << 2);
        assert_int_equal(rd.calls, 1);
        assert_int_equal(rd.status, SYSDMA_OK);
        TRY(fr, SYSDMA_OK, sysdma_flush_adapter_buffers_ex(a, m, base, off, len, true));
        off += len;
    }
    assert_memory_equal(dev, buf, 3 * 4096);
    TRY(fr, SYSDMA_OK, sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT));

    control_seen cs = {0, NULL};
    TRY(fr, SYSDMA_OK, sysdma_transfer_context_init(a, &tc));
    bool kept = !fr->verify || (fr->known_bugs & VBUG_KEPT_SET);
    if (kept) {
        /* Registers kept through FreeAdapterObject, then freed. */
        TRY(fr, SYSDMA_OK, sysdma_transfer_context_init(a, &tc));
        TRY(fr, SYSDMA_OK, sysdma_channel_allocate_ex(a, NULL, &tc, 3, SYSDMA_ALLOCATE_SYNCHRONOUS,
                                                      NULL, NULL, &base));
        TRY(fr, SYSDMA_OK, sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS));
        TRY(fr, SYSDMA_OK, sysdma_map_registers_free(a, base, 3));
        /* ...and through the routine's action. */
        TRY(fr, SYSDMA_OK, sysdma_transfer_context_init(a, &tc));
        TRY(fr, SYSDMA_OK,
            sysdma_channel_allocate_ex(a, NULL, &tc, 2, 0, control_keep_regs, &cs, NULL));
        assert_int_equal(cs.runs, 1);
        TRY(fr, SYSDMA_OK, sysdma_map_registers_free(a, cs.regs, 2));
        TRY(fr, SYSDMA_OK, sysdma_transfer_context_init(a, &tc));
    }
    /* Asynchronous, granted at once; the routine releases everything. */
    TRY(fr, SYSDMA_OK, sysdma_channel_allocate_ex(a, NULL, &tc, 2, 0, control_release, &cs, NULL));
    assert_int_equal(cs.runs, kept ? 2 : 1);

    if (!fr->verify || (fr->known_bugs & VBUG_LIST_REC)) {
        got_list g = {0};
        TRY(fr, SYSDMA_OK,
            sysdma_sg_get_ex(a, NULL, m, 4096, 4096, list_got, &g, true, NULL, NULL));
        assert_int_equal(g.calls, 1);
        TRY(fr, SYSDMA_OK, sysdma_sg_put(a, g.list, true));
    }

    sysdma_mdl_free(fr->sys, m);
    TRY(fr, SYSDMA_OK, sysdma_adapter_put(a));
    fake_buffer_free(fr->f, buf);
}

typedef void (*scenario_fn)(frun *fr);

/* One run: allocation `n` fails (and every later one with `persist`).
 * Returns true when no allocation was refused. */
static bool fault_run(fake_platform *f, fake_ctrl *c, scenario_fn sc, bool verify,
                      unsigned known_bugs, long n, bool persist)
{
    frun fr = {f, c, NULL, n, persist, verify, known_bugs, 0, ""};
    f->calls = 0;
    f->fail_at = n;
    f->fail_persist = persist;
    long failed_before = f->failed;
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 96};
    TRY(&fr, SYSDMA_OK, sysdma_system_create(&f->pf, &c->ctrl, &cfg, &fr.sys));
    if (verify) {
        sysdma_verifier_config vc = {SYSDMA_VERIFIER_CONTINUE, on_report, &fr, true};
        TRY(&fr, SYSDMA_OK, sysdma_verifier_enable(fr.sys, &vc));
    }
    sc(&fr);
    f->fail_at = 0;
    assert_int_equal(sysdma_system_destroy(fr.sys), SYSDMA_OK);
    if (fr.reports)
        fail_msg("allocation %ld%s refused: %u verifier report(s), the last %s", n,
                 persist ? " on" : "", fr.reports, fr.last_report);
    assert_true(fake_platform_clean(f));
    assert_int_equal(c->unlocked, 0);
    return f->failed == failed_before;
}

static void sweep(scenario_fn sc, const char *name, bool verify, unsigned known_bugs)
{
    fake_platform *f = malloc(sizeof *f);
    fake_ctrl c;
    for (int persist = 0; persist < 2; persist++) {
        fake_platform_init(f, true);
        fake_ctrl_init(&c, f);
        long n = 1;
        while (!fault_run(f, &c, sc, verify, known_bugs, n, persist)) {
            n++;
            assert_true(n < 500);
        }
        print_message("%s%s (%s): allocations 1..%ld failed in turn, all recovered\n", name,
                      verify ? " verified" : "", persist ? "from N on" : "N only", n - 1);
        assert_true(n > 3);
        fake_platform_destroy(f);
    }
    free(f);
}

static void test_sweep_sg(void **state)
{
    (void)state;
    sweep(scenario_sg, "scatter/gather", false, 0);
}

static void test_sweep_common(void **state)
{
    (void)state;
    sweep(scenario_common, "common buffers", false, 0);
}

static void test_sweep_v3(void **state)
{
    (void)state;
    sweep(scenario_v3, "version 3", false, 0);
}

/* Verified, without the paths of the known verifier bugs. */
static void test_sweep_verified(void **state)
{
    (void)state;
    sweep(scenario_sg, "scatter/gather (no lists)", true, 0);
    sweep(scenario_common, "common buffers", true, 0);
    sweep(scenario_v3, "version 3 (no kept registers, no lists)", true, 0);
}

/* Verified, through the paths where the verifier once lost what it could
 * not record (a list's record, a kept register set's) or let an adapter go
 * unverified when it could not wrap it: it now allocates its records with
 * the request, and a failed wrap fails the get. */
static void test_sweep_verified_lists(void **state)
{
    (void)state;
    sweep(scenario_sg, "scatter/gather", true, VBUG_LIST_REC); /* failed at N = 13 */
}

static void test_sweep_verified_kept_registers(void **state)
{
    (void)state;
    sweep(scenario_v3, "version 3", true, VBUG_KEPT_SET); /* failed at N = 11 */
}

static void test_sweep_verified_adapters_wrapped(void **state)
{
    (void)state;
    sweep(scenario_common, "common buffers", true, VBUG_UNWRAPPED); /* failed at N = 7 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_fails_in_turn),
        cmocka_unit_test(test_counted_sweep),
        cmocka_unit_test(test_sweep_sg),
        cmocka_unit_test(test_sweep_common),
        cmocka_unit_test(test_sweep_v3),
        cmocka_unit_test(test_sweep_verified),
        cmocka_unit_test(test_sweep_verified_lists),
        cmocka_unit_test(test_sweep_verified_kept_registers),
        cmocka_unit_test(test_sweep_verified_adapters_wrapped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
