/* SPDX-License-Identifier: MIT */
/*
 * Common-buffer DMA: allocation constraints on every channel width and many
 * sizes, exact frees, exhaustion of low memory, the adapter's refusal to go
 * while it holds one, the position tracker, and a device streaming from a
 * common buffer that the 8237 cycles over in auto-initialize mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/rig.h"

static sysdma_adapter *get(rig *r, unsigned ch, bool autoinit)
{
    sysdma_device_description d = {0};
    d.version = 2;
    d.demand_mode = true;
    d.auto_initialize = autoinit;
    d.channel = ch;
    d.width = ch >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    d.maximum_length = 65536;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(r->sys, &d, &a, NULL), SYSDMA_OK);
    return a;
}

static void test_constraints_every_width_and_size(void **state)
{
    (void)state;
    rig r;
    assert_int_equal(rig_init(&r, 64u << 20, 4096, NULL), SYSDMA_OK);
    static const unsigned chans[] = {1, 5};
    static const uint32_t sizes[] = {1, 2, 100, 4095, 4096, 4097, 30000, 65535, 65536, 65537,
                                     100000, 131072};
    for (int c = 0; c < 2; c++) {
        sysdma_adapter *a = get(&r, chans[c], true);
        uint32_t window = chans[c] >= 4 ? 131072 : 65536;
        void *va[12];
        uint64_t phys[12];
        for (int k = 0; k < 12; k++) {
            sysdma_status st = sysdma_common_buffer_allocate(a, sizes[k], true, &va[k], &phys[k]);
            if (sizes[k] > window) {
                assert_int_equal(st, SYSDMA_E_LENGTH);
                va[k] = NULL;
                continue;
            }
            assert_int_equal(st, SYSDMA_OK);
            uint64_t end = phys[k] + sizes[k] - 1;
            assert_true(end < (16u << 20));                  /* reachable */
            assert_int_equal(phys[k] / window, end / window); /* one window */
            assert_int_equal(phys[k] % 4096, 0);              /* aligned */
            uint64_t p;
            assert_true(sysdma_sim_virt_to_phys(r.sim, va[k], &p));
            assert_int_equal(p, phys[k]);
            /* Physically contiguous: the CPU view is the physical view. */
            assert_ptr_equal(va[k], sysdma_sim_phys_view(r.sim) + phys[k]);
            memset(va[k], 0x5A, sizes[k]);
        }
        sysdma_stats st;
        sysdma_stats_get(r.sys, a, &st);
        assert_true(st.common_buffers >= 8);
        /* The adapter cannot go while it holds them. */
        assert_int_equal(sysdma_adapter_put(a), SYSDMA_E_BUSY);
        for (int k = 0; k < 12; k++) {
            if (!va[k])
                continue;
            /* Partial or mismatched frees are refused and change nothing. */
            assert_int_equal(sysdma_common_buffer_free(a, sizes[k] + 1, phys[k], va[k], true),
                             SYSDMA_E_INVALID_ARGUMENT);
            assert_int_equal(sysdma_common_buffer_free(a, sizes[k], phys[k] + 4096, va[k], true),
                             SYSDMA_E_INVALID_ARGUMENT);
            assert_int_equal(sysdma_common_buffer_free(a, sizes[k], phys[k], va[k], false),
                             SYSDMA_E_INVALID_ARGUMENT);
            assert_int_equal(sysdma_common_buffer_free(a, sizes[k], phys[k], va[k], true), SYSDMA_OK);
            assert_int_equal(sysdma_common_buffer_free(a, sizes[k], phys[k], va[k], true),
                             SYSDMA_E_INVALID_ARGUMENT); /* twice */
        }
        sysdma_stats_get(r.sys, a, &st);
        assert_int_equal(st.common_buffers, 0);
        assert_int_equal(st.common_bytes, 0);
        assert_int_equal(sysdma_common_buffer_allocate(a, 0, true, &va[0], &phys[0]), SYSDMA_E_LENGTH);
        assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    }
    rig_destroy(&r);
}

static void test_low_memory_exhaustion(void **state)
{
    (void)state;
    rig r;
    assert_int_equal(rig_init(&r, 64u << 20, 4096, NULL), SYSDMA_OK);
    sysdma_adapter *a = get(&r, 6, true);
    void *va[200];
    uint64_t phys[200];
    int n = 0;
    sysdma_status st = SYSDMA_OK;
    while (n < 200 && (st = sysdma_common_buffer_allocate(a, 131072, false, &va[n], &phys[n])) ==
                          SYSDMA_OK)
        n++;
    /* 16 MiB holds at most 128 windows; some are taken by map registers. */
    assert_int_equal(st, SYSDMA_E_NO_MEMORY);
    assert_true(n > 100 && n < 128);
    for (int k = 0; k < n; k++)
        assert_int_equal(sysdma_common_buffer_free(a, 131072, phys[k], va[k], false), SYSDMA_OK);
    assert_int_equal(sysdma_common_buffer_allocate(a, 131072, false, &va[0], &phys[0]), SYSDMA_OK);
    assert_int_equal(sysdma_common_buffer_free(a, 131072, phys[0], va[0], false), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    rig_destroy(&r);
}

static void test_position_tracker(void **state)
{
    (void)state;
    sysdma_position p;
    sysdma_position_init(&p, 1000);
    assert_int_equal(sysdma_position_update(&p, 1000), 0);  /* not started */
    assert_int_equal(sysdma_position_update(&p, 700), 300);
    assert_int_equal(sysdma_position_update(&p, 700), 300); /* no progress */
    assert_int_equal(sysdma_position_update(&p, 100), 900);
    assert_int_equal(sysdma_position_update(&p, 800), 1200); /* wrapped once */
    assert_int_equal(p.wraps, 1);
    assert_int_equal(sysdma_position_update(&p, 0), 2000);   /* at TC: the start */
    assert_int_equal(sysdma_position_update(&p, 1000), 2000);
    assert_int_equal(sysdma_position_update(&p, 1), 2999);
    assert_int_equal(sysdma_position_update(&p, 5000), 3000); /* garbage residue: start */
    sysdma_position_init(&p, 0);
    assert_int_equal(sysdma_position_update(&p, 5), 0);
}

static sysdma_allocation_action keep(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    (void)regs;
    (void)ctx;
    return SYSDMA_KEEP_OBJECT;
}

/* A device reads a 6000-byte common buffer 10 times over while the 8237
 * cycles on it in auto-initialize mode; the driver samples the counter and
 * the tracked position never goes back and ends equal to what moved. */
static void test_autoinit_streaming(void **state)
{
    (void)state;
    for (int c = 0; c < 2; c++) {
        unsigned ch = c ? 5 : 1;
        rig r;
        assert_int_equal(rig_init(&r, 32u << 20, 60000, NULL), SYSDMA_OK);
        r.dev[ch].bytes_per_us = 3;
        sysdma_sim_add_clock(r.sim, (sysdma_sim_clock_fn)sysdma_emu_testdev_advance, &r.dev[ch]);
        sysdma_adapter *a = get(&r, ch, true);
        const uint32_t len = 6000;
        void *va;
        uint64_t logical;
        assert_int_equal(sysdma_common_buffer_allocate(a, len, true, &va, &logical), SYSDMA_OK);
        for (uint32_t k = 0; k < len; k++)
            ((uint8_t *)va)[k] = (uint8_t)(k * 13u + 5u);
        sysdma_mdl *m;
        assert_int_equal(sysdma_mdl_create(r.sys, va, len, &m), SYSDMA_OK);
        assert_int_equal(sysdma_channel_allocate(a, NULL, 0, keep, NULL), SYSDMA_OK);
        uint32_t l = len;
        uint64_t mapped = 0;
        assert_int_equal(sysdma_map_transfer(a, m, NULL, va, &l, true, &mapped), SYSDMA_OK);
        assert_int_equal(mapped, logical); /* a common buffer never bounces */
        /* The device takes 10 passes' worth. */
        for (unsigned b = 0; b < 4; b++)
            sysdma_sim_outb(r.sim, (uint16_t)(0x301 + 8 * ch + b), (uint8_t)((10 * len) >> (8 * b)));
        sysdma_sim_outb(r.sim, (uint16_t)(0x300 + 8 * ch), 0x82); /* streaming */
        sysdma_position pos;
        sysdma_position_init(&pos, len);
        uint64_t last = 0;
        for (int step = 0; step < 200 && r.dev[ch].dir != 0; step++) {
            sysdma_sim_run(r.sim, 100000); /* 100 µs: 300 bytes, well under a pass */
            uint64_t now = sysdma_position_update(&pos, sysdma_read_dma_counter(a));
            assert_true(now >= last);
            assert_int_equal(now, r.dev[ch].moved);
            last = now;
        }
        assert_int_equal(r.dev[ch].moved, 10 * len);
        assert_int_equal(pos.position, 10 * len);
        assert_int_equal(pos.wraps, 10);
        for (uint32_t k = 0; k < 10 * len; k++)
            if (r.fifo[ch][k] != (uint8_t)((k % len) * 13u + 5u))
                fail_msg("byte %u of the stream is 0x%02x", k, r.fifo[ch][k]);
        assert_int_equal(sysdma_flush_adapter_buffers(a, m, NULL, va, len, true), SYSDMA_OK);
        assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
        sysdma_mdl_free(r.sys, m);
        assert_int_equal(sysdma_common_buffer_free(a, len, logical, va, true), SYSDMA_OK);
        assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
        rig_destroy(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constraints_every_width_and_size),
        cmocka_unit_test(test_low_memory_exhaustion),
        cmocka_unit_test(test_position_tracker),
        cmocka_unit_test(test_autoinit_streaming),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
