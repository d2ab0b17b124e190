/*
 * Fault injection: every platform allocation (core objects and contiguous
 * memory) made to fail in turn — N = 0, 1, 2, ... — through a whole
 * packet-based session: system creation, adapter, MDL, channel allocation
 * with pool growth, a bounced transfer, teardown. Each run must end in
 * success or a documented out-of-memory status, with nothing leaked
 * (LeakSanitizer checks the core objects; the machine's page count checks
 * contiguous memory) and nothing left half-done.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_allocation_fails_in_turn),
                                       cmocka_unit_test(test_counted_sweep)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
