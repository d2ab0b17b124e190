/* SPDX-License-Identifier: MIT */
/*
 * Benchmarks of the core's packet path:
 *   core.roundtrip_null_ns  allocate → map → flush → free of a direct 4 KiB
 *                           buffer, the 8237 driver's port I/O going to a null
 *                           sink (the cost of sysdma itself)
 *   core.roundtrip_emu_ns   the same with the ports reaching the emulated 8237
 *   core.roundtrip_null_locks  the null round trip ÷ one uncontended
 *                           lock + unlock of the platform's lock (the sim's,
 *                           called through its table as the core calls it),
 *                           both measured in the same run: the round trip's
 *                           cost in units of the one thing every call must pay
 *   verifier.overhead       the null round trip with the DMA verifier on ÷ off
 *   core.bounce_64k         a bounced 64 KiB write then read (copy in, copy
 *                           back), GB/s, against memcpy of the same 128 KiB
 *   core.grants_per_s       channel grants per second under contention: one
 *                           thread keeps 64 requests waiting on the channel
 *                           while another frees it, each free granting the
 *                           next request; against the null round trips per
 *                           second. The bench fails if a grant comes out of
 *                           FIFO order.
 */
#include "bench.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

#include "sysdma/ctrl_i8237.h"
#include "sysdma/sim.h"
#include "sysdma/sysdma.h"
#include "sysdma/verifier.h"

static uint8_t null_in(void *ctx, uint16_t port)
{
    (void)ctx;
    (void)port;
    return 0xFF;
}

static void null_out(void *ctx, uint16_t port, uint8_t v)
{
    (void)ctx;
    (void)port;
    (void)v;
}

static sysdma_allocation_action keep(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    *(sysdma_map_registers **)ctx = regs;
    return SYSDMA_KEEP_OBJECT;
}

typedef struct setup {
    sysdma_sim *sim;
    sysdma_platform_ops ops;
    sysdma_platform pf;
    sysdma_i8237_driver drv;
    sysdma_controller ctrl;
    sysdma_system *sys;
} setup;

static void make(setup *s, bool null_ports)
{
    sysdma_sim_config c = {.ram_bytes = 64u << 20};
    BENCH_CHECK(sysdma_sim_create(&c, &s->sim));
    sysdma_sim_platform(s->sim, &s->pf, NULL);
    s->ops = *s->pf.ops;
    if (null_ports) {
        s->ops.inb = null_in;
        s->ops.outb = null_out;
    }
    s->pf.ops = &s->ops;
    sysdma_i8237_driver_init(&s->drv, &s->pf, &s->ctrl);
    BENCH_CHECK(sysdma_system_create(&s->pf, &s->ctrl, NULL, &s->sys));
}

static void unmake(setup *s)
{
    BENCH_CHECK(sysdma_system_destroy(s->sys));
    sysdma_sim_destroy(s->sim);
}

static sysdma_adapter *adapter(setup *s, unsigned ch, bool ignore_count, uint32_t *n)
{
    sysdma_device_description d = {0};
    d.version = 2;
    d.channel = ch;
    d.ignore_count = ignore_count;
    d.width = SYSDMA_WIDTH_8;
    d.maximum_length = 65536;
    sysdma_adapter *a;
    BENCH_CHECK(sysdma_adapter_get(s->sys, &d, &a, n));
    return a;
}

/* ns of one uncontended lock + unlock of the platform's lock, called
 * through its table the way the core calls it. */
static double lock_pair_ns(const sysdma_platform *pf, void *lock)
{
    enum { N = 200000 };
    double t0 = bench_now_ns();
    for (int k = 0; k < N; k++) {
        pf->ops->lock_acquire(pf->ctx, lock);
        pf->ops->lock_release(pf->ctx, lock);
    }
    return (bench_now_ns() - t0) / N;
}

/* Median ns of one packet round trip (through the DMA verifier when
 * `verify`). With `lock_ns`, each repetition also times the platform's
 * lock (a lock of its own, so the core's is not disturbed) and *lock_ns
 * gets the median of that. */
static double roundtrip(bool null_ports, int reps, bool verify, double *lock_ns)
{
    setup s;
    make(&s, null_ports);
    if (verify)
        BENCH_CHECK(sysdma_verifier_enable(s.sys, NULL));
    void *lock = NULL;
    if (lock_ns) {
        BENCH_REQUIRE(s.pf.ops->lock_create && s.pf.ops->lock_acquire && s.pf.ops->lock_release);
        lock = s.pf.ops->lock_create(s.pf.ctx);
        BENCH_REQUIRE(lock);
    }
    uint32_t n;
    sysdma_adapter *a = adapter(&s, 2, false, &n);
    uint8_t *buf = sysdma_sim_buffer_alloc(s.sim, 4096, 0, SYSDMA_SIM_LOW);
    sysdma_mdl *m;
    BENCH_REQUIRE(buf);
    BENCH_CHECK(sysdma_mdl_create(s.sys, buf, 4096, &m));
    enum { N = 20000 };
    double t[64], tl[64];
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now_ns();
        for (int k = 0; k < N; k++) {
            sysdma_map_registers *regs = NULL;
            uint32_t len = 4096;
            BENCH_CHECK(sysdma_channel_allocate(a, NULL, 1, keep, &regs));
            BENCH_CHECK(sysdma_map_transfer(a, m, regs, buf, &len, true, NULL));
            BENCH_CHECK(sysdma_flush_adapter_buffers(a, m, regs, buf, 4096, true));
            BENCH_CHECK(sysdma_channel_free(a));
        }
        t[r] = (bench_now_ns() - t0) / N;
        if (lock)
            tl[r] = lock_pair_ns(&s.pf, lock);
    }
    if (lock) {
        *lock_ns = bench_median(tl, (size_t)reps);
        s.pf.ops->lock_destroy(s.pf.ctx, lock);
    }
    sysdma_mdl_free(s.sys, m);
    sysdma_sim_buffer_free(s.sim, buf);
    BENCH_CHECK(sysdma_adapter_put(a));
    unmake(&s);
    return bench_median(t, (size_t)reps);
}

/* ---- grants under contention ---- */

enum { DEPTH = 64 }; /* requests kept waiting */

/* Sequence numbers: request k carries k; grants must come in that order
 * (each adapter's channel queue is FIFO and one thread makes the
 * requests, so their order is known). A routine holds the channel until
 * the freeing thread frees it, so routines never overlap. */
typedef struct contention {
    sysdma_adapter *a;
    uint32_t total;           /* requests of the repetition, 0 .. total-1 */
    _Atomic uint32_t granted; /* routines run */
    atomic_bool held;         /* a routine holds the channel, not yet freed */
    uint32_t next;            /* the number the next grant must carry */
    atomic_bool out_of_order;
    uint32_t want, got;       /* the first grant out of order */
} contention;

static sysdma_allocation_action in_order(void *device, sysdma_map_registers *regs, void *context)
{
    contention *c = device;
    uint32_t seq = (uint32_t)(uintptr_t)context;
    (void)regs;
    if (seq != c->next && !atomic_exchange(&c->out_of_order, true)) {
        c->want = c->next;
        c->got = seq;
    }
    c->next = seq + 1;
    atomic_fetch_add(&c->granted, 1);
    atomic_store(&c->held, true);
    return SYSDMA_KEEP_OBJECT;
}

static void request(contention *c, uint32_t seq)
{
    sysdma_status st = sysdma_channel_allocate(c->a, c, 1, in_order, (void *)(uintptr_t)seq);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING)
        BENCH_CHECK(st);
}

/* The requesting thread: requests DEPTH + 1 .. total - 1, never more than
 * DEPTH waiting behind the holder. */
static void *requester(void *arg)
{
    contention *c = arg;
    for (uint32_t seq = DEPTH + 1; seq < c->total;) {
        if (seq - atomic_load(&c->granted) >= DEPTH) {
            sched_yield();
            continue;
        }
        request(c, seq++);
    }
    return NULL;
}

/* The freeing thread: frees every grant; each free grants the next. */
static void *freer(void *arg)
{
    contention *c = arg;
    for (uint32_t k = 0; k < c->total; k++) {
        while (!atomic_load(&c->held))
            sched_yield();
        atomic_store(&c->held, false);
        BENCH_CHECK(sysdma_channel_free(c->a));
    }
    return NULL;
}

/* Median grants per second of `reps` repetitions. */
static double grants_per_s(int reps)
{
    setup s;
    make(&s, true);
    uint32_t n;
    sysdma_adapter *a = adapter(&s, 2, false, &n);
    enum { N = 20000 };
    double g[64];
    for (int r = 0; r < reps; r++) {
        contention c = {.a = a, .total = N + DEPTH + 1};
        /* Request 0 takes the channel; 1 .. DEPTH wait behind it. */
        request(&c, 0);
        BENCH_REQUIRE(atomic_load(&c.held));
        for (uint32_t seq = 1; seq <= DEPTH; seq++)
            request(&c, seq);
        sysdma_adapter_state st;
        sysdma_adapter_state_get(a, &st);
        BENCH_REQUIRE(st.waiting == DEPTH);
        pthread_t t1, t2;
        double t0 = bench_now_ns();
        BENCH_REQUIRE(pthread_create(&t1, NULL, requester, &c) == 0);
        BENCH_REQUIRE(pthread_create(&t2, NULL, freer, &c) == 0);
        BENCH_REQUIRE(pthread_join(t1, NULL) == 0);
        BENCH_REQUIRE(pthread_join(t2, NULL) == 0);
        g[r] = (double)(c.total - 1) / ((bench_now_ns() - t0) / 1e9);
        if (atomic_load(&c.out_of_order)) {
            fprintf(stderr, "bench_core: grant %u came where %u was due (not FIFO)\n", c.got,
                    c.want);
            exit(1);
        }
        BENCH_REQUIRE(atomic_load(&c.granted) == c.total);
        sysdma_adapter_state_get(a, &st);
        BENCH_REQUIRE(st.waiting == 0 && !st.channel_held);
    }
    BENCH_CHECK(sysdma_adapter_put(a));
    unmake(&s);
    return bench_median(g, (size_t)reps);
}

int main(int argc, char **argv)
{
    int reps = bench_parse_args(argc, argv, 15);
    double lock = 0;
    double plain = roundtrip(true, reps, false, &lock);
    bench_report("core.roundtrip_null_ns", plain, "ns", NULL, 0, BENCH_LOWER_IS_BETTER);
    /* Itself a same-run ratio (like verifier.overhead): no baseline field. */
    bench_report("core.roundtrip_null_locks", plain / lock, "locks", NULL, 0,
                 BENCH_LOWER_IS_BETTER);
    bench_report("core.roundtrip_emu_ns", roundtrip(false, reps, false, NULL), "ns", NULL, 0,
                 BENCH_LOWER_IS_BETTER);
    /* The same round trip with every call checked, ÷ without. */
    double verified = roundtrip(true, reps, true, NULL);
    bench_report("verifier.overhead", verified / plain, "x", NULL, 0, BENCH_LOWER_IS_BETTER);

    /* Bounced 64 KiB: a buffer above 16 MiB on an ignore-count adapter, so
     * the flush of the read copies all 64 KiB back. */
    setup s;
    make(&s, true);
    uint32_t n;
    sysdma_adapter *a = adapter(&s, 1, true, &n);
    sysdma_map_registers *regs = NULL;
    uint8_t *buf = sysdma_sim_buffer_alloc(s.sim, 65536, 0, SYSDMA_SIM_HIGH);
    uint8_t *src = malloc(65536), *dst = malloc(65536);
    sysdma_mdl *m;
    BENCH_REQUIRE(buf && src && dst);
    BENCH_CHECK(sysdma_mdl_create(s.sys, buf, 65536, &m));
    BENCH_CHECK(sysdma_channel_allocate(a, NULL, n, keep, &regs));
    memset(buf, 1, 65536);
    memset(src, 2, 65536);
    double tb[64], tm[64];
    for (int r = 0; r < reps; r++) {
        enum { N = 200 };
        double t0 = bench_now_ns();
        for (int k = 0; k < N; k++) {
            uint32_t len = 65536;
            BENCH_CHECK(sysdma_map_transfer(a, m, regs, buf, &len, true, NULL));
            BENCH_CHECK(sysdma_flush_adapter_buffers(a, m, regs, buf, 65536, true));
            BENCH_CHECK(sysdma_map_transfer(a, m, regs, buf, &len, false, NULL));
            BENCH_CHECK(sysdma_flush_adapter_buffers(a, m, regs, buf, 65536, false));
        }
        tb[r] = (bench_now_ns() - t0) / N;
        t0 = bench_now_ns();
        for (int k = 0; k < N; k++) {
            memcpy(dst, src, 65536);
            bench_keep(dst);
            memcpy(src, dst, 65536);
            bench_keep(src);
        }
        tm[r] = (bench_now_ns() - t0) / N;
    }
    double b = bench_median(tb, (size_t)reps), mc = bench_median(tm, (size_t)reps);
    bench_report("core.bounce_64k", 131072.0 / b, "GB/s", "memcpy", 131072.0 / mc,
                 BENCH_HIGHER_IS_BETTER);
    BENCH_CHECK(sysdma_channel_free(a));
    sysdma_mdl_free(s.sys, m);
    BENCH_CHECK(sysdma_adapter_put(a));
    free(src);
    free(dst);
    unmake(&s);

    /* Grants under contention, against null round trips per second. */
    bench_report("core.grants_per_s", grants_per_s(reps), "grants/s", "roundtrip_null", 1e9 / plain,
                 BENCH_HIGHER_IS_BETTER);
    return 0;
}
