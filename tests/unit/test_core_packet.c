/* SPDX-License-Identifier: MIT */
/*
 * Packet-based DMA against the ideal controller on the fake platform: what
 * MapTransfer asks the controller for (fragment, direction, mode, loop),
 * when a piece is used in place and when it goes through map registers,
 * byte-exact copy-in and copy-back of the bytes the device moved, the
 * controller touched only under the core's lock and AdapterControl never
 * under it, and bad input changing nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/fake_platform.h"

#define PG SYSDMA_PAGE_SIZE
#define MB (1u << 20)

typedef struct fx {
    fake_platform f;
    fake_ctrl c;
    sysdma_system *sys;
    long under_lock; /* AdapterControl calls that found the lock held */
} fx;

static fx *g_fx;

static int setup(void **state)
{
    fx *x = calloc(1, sizeof *x);
    if (!x)
        return -1;
    fake_platform_init(&x->f, true);
    fake_ctrl_init(&x->c, &x->f);
    if (sysdma_system_create(&x->f.pf, &x->c.ctrl, NULL, &x->sys) != SYSDMA_OK)
        return -1;
    g_fx = x;
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    fx *x = *state;
    int rc = sysdma_system_destroy(x->sys) == SYSDMA_OK && fake_platform_clean(&x->f) &&
                     x->c.unlocked == 0 && x->c.bad_programs == 0 && x->under_lock == 0
                 ? 0
                 : -1;
    fake_platform_destroy(&x->f);
    free(x);
    return rc;
}

static sysdma_allocation_action keep(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    if (g_fx->f.lock_depth != 0)
        g_fx->under_lock++;
    *(sysdma_map_registers **)ctx = regs;
    return SYSDMA_KEEP_OBJECT;
}

static sysdma_adapter *get(fx *x, unsigned ch, uint32_t version, bool demand, bool autoinit,
                           bool ignore_count, uint32_t *n)
{
    sysdma_device_description d = {0};
    d.version = version;
    d.demand_mode = demand;
    d.auto_initialize = autoinit;
    d.ignore_count = ignore_count;
    d.channel = ch;
    d.width = ch >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    d.maximum_length = 1u << 20;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(x->sys, &d, &a, n), SYSDMA_OK);
    return a;
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t k = 0; k < n; k++)
        p[k] = (uint8_t)(seed + k * 7 + (k >> 8));
}

/* Where each piece lands and whether it bounces. The buffer is four pages
 * at chosen physical addresses; the piece is [off, off + len). */
typedef struct placement {
    const char *what;
    unsigned ch;
    uint64_t phys[4];
    uint32_t off, len;
    bool bounce;
} placement;

static const placement placements[] = {
    {"contiguous low, 8-bit", 2, {0xD00000, 0xD01000, 0xD02000, 0xD03000}, 100, 3 * PG, false},
    {"above 16 MiB", 2, {0x1000000, 0x1001000, 0x1002000, 0x1003000}, 0, 2 * PG, true},
    {"ends above 16 MiB", 2, {0xFFE000, 0xFFF000, 0x1000000, 0x1001000}, 0, 3 * PG, true},
    {"scattered", 1, {0xD00000, 0xE00000, 0xD02000, 0xD03000}, 10, PG, true},
    {"straddles 64 KiB, 8-bit", 3, {0xD0E000, 0xD0F000, 0xD10000, 0xD11000}, PG + 4000, PG, true},
    {"straddles 64 KiB, 16-bit", 5, {0xD0E000, 0xD0F000, 0xD10000, 0xD11000}, PG + 4000, PG, false},
    {"straddles 128 KiB, 16-bit", 6, {0xD1E000, 0xD1F000, 0xD20000, 0xD21000}, PG + 4000, PG, true},
    {"one byte at a window's end", 0, {0xD0F000, 0xD10000, 0xD11000, 0xD12000}, 4095, 1, false},
    {"whole buffer, 16-bit, scattered", 7, {0xE00000, 0xD00000, 0xD30000, 0x3000000}, 0, 4 * PG, true},
};

static void run_placement(fx *x, const placement *p, bool to_device)
{
    uint32_t n;
    sysdma_adapter *a = get(x, p->ch, 1, false, false, false, &n);
    uint8_t *buf = fake_buffer(&x->f, 4, p->phys);
    assert_non_null(buf);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 4 * PG, &m), SYSDMA_OK);
    sysdma_map_registers *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, NULL, n, keep, &regs), SYSDMA_OK);
    assert_non_null(regs);
    static uint8_t dev[4 * PG], want[4 * PG];
    fill(buf, 4 * PG, 1);
    fill(dev, sizeof dev, 99);
    memcpy(want, buf, sizeof want);
    fake_channel *k = &x->c.ch[p->ch];
    long programs = k->programs;
    uint32_t len = p->len;
    uint64_t logical = 0;
    assert_int_equal(sysdma_map_transfer(a, m, regs, buf + p->off, &len, to_device, &logical),
                     SYSDMA_OK);
    assert_int_equal(len, p->len); /* a system adapter never shrinks the piece */
    assert_int_equal(k->programs, programs + 1);
    assert_int_equal(k->frag.length, p->len);
    assert_int_equal(k->frag.phys, logical);
    assert_int_equal(k->to_device, to_device);
    assert_int_equal(k->mode, SYSDMA_XFER_SINGLE);
    assert_false(k->loop);
    uint64_t in_place = p->phys[p->off / PG] + p->off % PG;
    if (p->bounce)
        assert_true(logical != in_place);
    else
        assert_int_equal(logical, in_place);
    /* The device moves all but 5 bytes (1 byte pieces: all of it). */
    uint32_t moved = p->len > 8 ? p->len - 6 : p->len;
    assert_int_equal(fake_ctrl_run(&x->c, p->ch, dev, moved), moved);
    assert_int_equal(sysdma_read_dma_counter(a), p->len - moved);
    if (to_device) {
        /* The device saw the buffer's bytes, bounced or not. */
        assert_memory_equal(dev, buf + p->off, moved);
    }
    long flushes = k->flushes;
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, regs, buf + p->off, p->len, to_device),
                     SYSDMA_OK);
    assert_int_equal(k->flushes, flushes + 1);
    assert_false(k->running);
    if (!to_device)
        memcpy(want + p->off, dev, moved); /* exactly the bytes moved, no more */
    assert_memory_equal(buf, want, 4 * PG);
    sysdma_stats st;
    sysdma_stats_get(x->sys, a, &st);
    assert_int_equal(st.bounced_transfers, p->bounce ? 1 : 0);
    assert_int_equal(st.bytes_bounced, p->bounce ? (to_device ? p->len : moved) : 0);
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_mdl_free(x->sys, m);
    fake_buffer_free(&x->f, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

static void test_placements_both_directions(void **state)
{
    fx *x = *state;
    for (size_t k = 0; k < sizeof placements / sizeof placements[0]; k++) {
        print_message("%s\n", placements[k].what);
        run_placement(x, &placements[k], true);
        run_placement(x, &placements[k], false);
    }
}

/* Mode bits follow the description: demand only from version 2, loop for
 * auto-initialize, the device address passed through (version 3). */
static void test_program_follows_description(void **state)
{
    fx *x = *state;
    static const uint64_t phys[4] = {0xD00000, 0xD01000, 0xD02000, 0xD03000};
    uint8_t *buf = fake_buffer(&x->f, 4, phys);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 4 * PG, &m), SYSDMA_OK);
    static const struct { uint32_t version; bool demand, autoinit; sysdma_xfer_mode mode; } cases[] = {
        {1, true, false, SYSDMA_XFER_SINGLE},
        {2, true, false, SYSDMA_XFER_DEMAND},
        {2, false, true, SYSDMA_XFER_SINGLE},
        {3, true, true, SYSDMA_XFER_DEMAND},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sysdma_adapter *a = get(x, 1, cases[k].version, cases[k].demand, cases[k].autoinit, false, NULL);
        sysdma_map_registers *regs = NULL;
        assert_int_equal(sysdma_channel_allocate(a, NULL, 0, keep, &regs), SYSDMA_OK);
        uint32_t len = 512;
        assert_int_equal(sysdma_map_transfer(a, m, NULL, buf, &len, false, NULL), SYSDMA_OK);
        assert_int_equal(x->c.ch[1].mode, cases[k].mode);
        assert_int_equal(x->c.ch[1].loop, cases[k].autoinit);
        assert_int_equal(sysdma_flush_adapter_buffers(a, m, NULL, buf, 512, false), SYSDMA_OK);
        assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
        assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    }
    sysdma_mdl_free(x->sys, m);
    fake_buffer_free(&x->f, buf);
}

/* Ignore-count: the counter is not trusted, every byte is copied back. */
static void test_ignore_count(void **state)
{
    fx *x = *state;
    static const uint64_t phys[2] = {0x2000000, 0x2001000}; /* above 16 MiB: bounced */
    uint8_t *buf = fake_buffer(&x->f, 2, phys);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(x->sys, buf, 2 * PG, &m), SYSDMA_OK);
    uint32_t n;
    sysdma_adapter *a = get(x, 3, 1, false, false, true, &n);
    sysdma_map_registers *regs;
    assert_int_equal(sysdma_channel_allocate(a, NULL, n, keep, &regs), SYSDMA_OK);
    uint32_t len = 2 * PG;
    assert_int_equal(sysdma_map_transfer(a, m, regs, buf, &len, false, NULL), SYSDMA_OK);
    uint8_t dev[100];
    fill(dev, sizeof dev, 3);
    assert_int_equal(fake_ctrl_run(&x->c, 3, dev, 100), 100);
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, regs, buf, 2 * PG, false), SYSDMA_OK);
    assert_memory_equal(buf, dev, 100);
    sysdma_stats st;
    sysdma_stats_get(x->sys, a, &st);
    assert_int_equal(st.bytes_bounced, 2 * PG); /* all of it */
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(x->sys, m);
    fake_buffer_free(&x->f, buf);
}

/* Bad MapTransfer/Flush input: a clear status, the controller untouched,
 * the mapping state unchanged. */
static void test_bad_input_changes_nothing(void **state)
{
    fx *x = *state;
    static const uint64_t phys[4] = {0xD00000, 0xD01000, 0xD02000, 0x2000000};
    uint8_t *buf = fake_buffer(&x->f, 4, phys);
    sysdma_mdl *m, *other;
    assert_int_equal(sysdma_mdl_create(x->sys, buf + 1, 3 * PG, &m), SYSDMA_OK);
    assert_int_equal(sysdma_mdl_create(x->sys, buf + 1, 3 * PG, &other), SYSDMA_OK);
    uint32_t n8, n16;
    sysdma_adapter *a8 = get(x, 2, 1, false, false, false, &n8);
    sysdma_adapter *a16 = get(x, 6, 1, false, false, false, &n16);
    sysdma_map_registers *r8, *r16;
    assert_int_equal(sysdma_channel_allocate(a8, NULL, 2, keep, &r8), SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate(a16, NULL, 2, keep, &r16), SYSDMA_OK);
    long programs = x->c.ch[2].programs + x->c.ch[6].programs;
    uint32_t len;
#define MAP(a, mdl, regs, va, l, st)                                                   \
    do {                                                                               \
        len = (l);                                                                     \
        assert_int_equal(sysdma_map_transfer(a, mdl, regs, va, &len, true, NULL), st); \
        assert_int_equal(len, (l));                                                    \
    } while (0)
    MAP(a8, m, r8, buf, 10, SYSDMA_E_OUT_OF_RANGE);             /* before the MDL */
    MAP(a8, m, r8, buf + 1 + 3 * PG, 1, SYSDMA_E_OUT_OF_RANGE); /* just past it */
    MAP(a8, m, r8, buf + 3 * PG, 2, SYSDMA_E_OUT_OF_RANGE);     /* runs past its end */
    MAP(a8, m, r8, buf + 1, 0, SYSDMA_E_LENGTH);
    MAP(a8, m, r8, buf + 1, 65537, SYSDMA_E_LENGTH);            /* over the channel's max */
    MAP(a8, m, r8, buf + 1, 3 * PG, SYSDMA_E_LENGTH);           /* must bounce, over 2 registers */
    MAP(a8, m, NULL, buf + PG + 1, 2 * PG, SYSDMA_E_LENGTH);    /* must bounce, no registers */
    MAP(a16, m, r16, buf + 1, 10, SYSDMA_E_ALIGNMENT);          /* odd address */
    MAP(a16, m, r16, buf + 2, 9, SYSDMA_E_ALIGNMENT);           /* odd length */
    MAP(a16, m, r8, buf + 2, 10, SYSDMA_E_NOT_OWNER);           /* another adapter's registers */
    assert_int_equal(sysdma_map_transfer(a8, NULL, r8, buf + 1, &len, true, NULL),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_map_transfer(a8, m, r8, buf + 1, NULL, true, NULL),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_map_transfer(NULL, m, r8, buf + 1, &len, true, NULL),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(x->c.ch[2].programs + x->c.ch[6].programs, programs);
    /* Flush with nothing mapped. */
    assert_int_equal(sysdma_flush_adapter_buffers(a8, m, r8, buf + 1, 10, true), SYSDMA_E_WRONG_STATE);
    /* Map a bounced piece, then flush it wrongly in every way. */
    uint8_t *va = buf + PG + 1;
    MAP(a8, m, r8, va, 2 * PG, SYSDMA_OK);
    long flushes = x->c.ch[2].flushes;
    assert_int_equal(sysdma_flush_adapter_buffers(a8, other, r8, va, 2 * PG, true),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_flush_adapter_buffers(a8, m, r8, va + 1, 2 * PG, true),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_flush_adapter_buffers(a8, m, r8, va, 2 * PG - 1, true),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_flush_adapter_buffers(a8, m, r8, va, 2 * PG, false),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_flush_adapter_buffers(a8, m, NULL, va, 2 * PG, true),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_flush_adapter_buffers(a8, NULL, r8, va, 2 * PG, true),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(x->c.ch[2].flushes, flushes);
    assert_true(x->c.ch[2].running);
    /* Still mapped: a second map and freeing the channel are refused. */
    MAP(a8, m, r8, buf + 1, 10, SYSDMA_E_WRONG_STATE);
    assert_int_equal(sysdma_channel_free(a8), SYSDMA_E_WRONG_STATE);
    assert_int_equal(sysdma_flush_adapter_buffers(a8, m, r8, va, 2 * PG, true), SYSDMA_OK);
    assert_int_equal(sysdma_flush_adapter_buffers(a8, m, r8, va, 2 * PG, true),
                     SYSDMA_E_WRONG_STATE);
    /* A controller that refuses the programming: its status, nothing mapped. */
    x->c.program_result = SYSDMA_E_DEVICE;
    MAP(a8, m, r8, buf + 1, 10, SYSDMA_E_DEVICE);
    assert_int_equal(sysdma_flush_adapter_buffers(a8, m, r8, buf + 1, 10, true), SYSDMA_E_WRONG_STATE);
    x->c.program_result = SYSDMA_OK;
    assert_int_equal(sysdma_channel_free(a8), SYSDMA_OK);
    assert_int_equal(sysdma_channel_free(a8), SYSDMA_E_NOT_OWNER);
    MAP(a8, m, NULL, buf + 1, 10, SYSDMA_E_NOT_OWNER); /* channel not held */
    assert_int_equal(sysdma_channel_free(a16), SYSDMA_OK);
#undef MAP
    assert_int_equal(sysdma_adapter_put(a8), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a16), SYSDMA_OK);
    sysdma_mdl_free(x->sys, m);
    sysdma_mdl_free(x->sys, other);
    fake_buffer_free(&x->f, buf);
}

/* An AdapterControl routine that frees the channel itself and still returns
 * DEALLOCATE_OBJECT must not take the channel from the request granted by
 * that free. */
typedef struct chain {
    sysdma_adapter *a;
    int runs[2];
} chain;

static sysdma_allocation_action frees_itself(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    (void)regs;
    chain *c = ctx;
    c->runs[0]++;
    if (g_fx->f.lock_depth != 0)
        g_fx->under_lock++;
    assert_int_equal(sysdma_channel_free(c->a), SYSDMA_OK); /* grants the next waiter */
    return SYSDMA_DEALLOCATE_OBJECT;
}

static sysdma_allocation_action second(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    (void)regs;
    chain *c = ctx;
    c->runs[1]++;
    return SYSDMA_KEEP_OBJECT;
}

static void test_action_applies_to_its_own_grant(void **state)
{
    fx *x = *state;
    chain c = {0};
    c.a = get(x, 1, 1, false, false, false, NULL);
    sysdma_map_registers *regs;
    assert_int_equal(sysdma_channel_allocate(c.a, NULL, 0, keep, &regs), SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate(c.a, NULL, 1, frees_itself, &c), SYSDMA_PENDING);
    assert_int_equal(sysdma_channel_allocate(c.a, NULL, 1, second, &c), SYSDMA_PENDING);
    assert_int_equal(sysdma_channel_free(c.a), SYSDMA_OK);
    assert_int_equal(c.runs[0], 1);
    assert_int_equal(c.runs[1], 1);
    /* The second request holds the channel and its register. */
    sysdma_stats st;
    sysdma_stats_get(x->sys, c.a, &st);
    assert_int_equal(st.pool_in_use, 1);
    assert_int_equal(sysdma_channel_free(c.a), SYSDMA_OK);
    sysdma_stats_get(x->sys, c.a, &st);
    assert_int_equal(st.pool_in_use, 0);
    assert_int_equal(st.granted, 3);
    assert_int_equal(sysdma_adapter_put(c.a), SYSDMA_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_placements_both_directions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_program_follows_description, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ignore_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_action_applies_to_its_own_grant, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
