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

#include "support/rig.h"

static bool documented(sysdma_status st)
{
    return st == SYSDMA_E_NO_MEMORY || st == SYSDMA_E_INSUFFICIENT_RESOURCES;
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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_allocation_fails_in_turn)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
