/* SPDX-License-Identifier: MIT */
/*
 * FlushAdapterBuffers and ReadDmaCounter on the emulated 8237 pair: how
 * many bytes a bounced read copies back, and what the counter says, when
 * the channel's count register alone cannot tell (a full-window transfer
 * not started and one that reached terminal count both read 0xFFFF), when
 * another channel's status read has cleared the controller's terminal-count
 * bits, and when the device keeps moving bytes while the flush reads the
 * counter.
 *
 * The machine runs the 8237 at 1 unit per simulated microsecond, and the
 * driver's port reads can be made to let the device run (race_ns): a device
 * racing the CPU, one port access at a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/ctrl_i8237.h"
#include "sysdma/emu_testdev.h"
#include "sysdma/sim.h"
#include "sysdma/sysdma.h"

#define FIFO_CAP (128u * 1024u)

typedef struct fx {
    sysdma_sim *sim;
    sysdma_platform pf;           /* the machine's */
    sysdma_platform_ops race_ops; /* ...with port reads that let the device run */
    sysdma_platform race_pf;      /* the 8237 driver's: {&race_ops, this} */
    sysdma_i8237_driver drv;
    sysdma_controller ctrl;
    sysdma_system *sys;
    sysdma_emu_testdev dev[8];
    uint8_t *fifo[8];
    uint64_t race_ns;             /* simulated time run after each port read of the driver */
} fx;

static uint8_t race_inb(void *ctx, uint16_t port)
{
    fx *f = ctx;
    uint8_t v = f->pf.ops->inb(f->pf.ctx, port);
    if (f->race_ns)
        sysdma_sim_run(f->sim, f->race_ns);
    return v;
}

static void race_outb(void *ctx, uint16_t port, uint8_t v)
{
    fx *f = ctx;
    f->pf.ops->outb(f->pf.ctx, port, v);
}

static uint8_t dev_in(void *ctx, uint16_t port)
{
    fx *f = ctx;
    return sysdma_emu_testdev_inb(&f->dev[(port - 0x300u) / 8u], port);
}

static void dev_out(void *ctx, uint16_t port, uint8_t v)
{
    fx *f = ctx;
    sysdma_emu_testdev_outb(&f->dev[(port - 0x300u) / 8u], port, v);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    sysdma_sim_config sc = {.ram_bytes = 32u << 20, .seed = 7, .dma_units_per_us = 1};
    if (!f || sysdma_sim_create(&sc, &f->sim) != SYSDMA_OK)
        return -1;
    for (unsigned ch = 0; ch < 8; ch++) {
        if (ch == 4)
            continue;
        f->fifo[ch] = calloc(1, FIFO_CAP);
        for (uint32_t k = 0; k < FIFO_CAP; k++)
            f->fifo[ch][k] = (uint8_t)(k * 7 + ch + 1) | 1; /* never 0, never 0x5A */
        sysdma_emu_testdev_init(&f->dev[ch], sysdma_sim_dma(f->sim), ch, (uint16_t)(0x300 + 8 * ch),
                                f->fifo[ch], FIFO_CAP, 0, NULL, NULL);
    }
    sysdma_sim_add_ports(f->sim, 0x300, 0x33F, dev_in, dev_out, f);
    sysdma_sim_platform(f->sim, &f->pf, NULL);
    f->race_ops = *f->pf.ops;
    f->race_ops.inb = race_inb;
    f->race_ops.outb = race_outb;
    f->race_pf = (sysdma_platform){&f->race_ops, f};
    sysdma_i8237_driver_init(&f->drv, &f->race_pf, &f->ctrl);
    if (sysdma_system_create(&f->pf, &f->ctrl, NULL, &f->sys) != SYSDMA_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    assert_int_equal(sysdma_system_destroy(f->sys), SYSDMA_OK);
    for (unsigned ch = 0; ch < 8; ch++)
        free(f->fifo[ch]);
    sysdma_sim_destroy(f->sim);
    free(f);
    return 0;
}

static sysdma_allocation_action keep(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    *(sysdma_map_registers **)ctx = regs;
    return SYSDMA_KEEP_OBJECT;
}

/* A system adapter on `ch` for pieces of `max_len`, its channel held with
 * every register it may have (*regs). */
static sysdma_adapter *hold(fx *f, unsigned ch, uint32_t max_len, sysdma_map_registers **regs)
{
    sysdma_device_description d = {0};
    d.version = 2;
    d.channel = ch;
    d.width = ch >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    d.interface_type = SYSDMA_INTERFACE_ISA;
    d.maximum_length = max_len;
    sysdma_adapter *a;
    uint32_t n = 0;
    assert_int_equal(sysdma_adapter_get(f->sys, &d, &a, &n), SYSDMA_OK);
    *regs = NULL;
    assert_int_equal(sysdma_channel_allocate(a, NULL, n, keep, regs), SYSDMA_OK);
    assert_non_null(*regs);
    return a;
}

static void release(sysdma_adapter *a)
{
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* Start the test device on `ch`: `len` bytes from its FIFO into memory. */
static void start_device(fx *f, unsigned ch, uint32_t len)
{
    for (unsigned b = 0; b < 4; b++)
        sysdma_sim_outb(f->sim, (uint16_t)(0x301 + 8 * ch + b), (uint8_t)(len >> (8 * b)));
    sysdma_sim_outb(f->sim, (uint16_t)(0x300 + 8 * ch), 1);
}

static bool dev_done(void *ctx)
{
    return ((sysdma_emu_testdev *)ctx)->dir == 0;
}

static void run_device_to_end(fx *f, unsigned ch, uint32_t len)
{
    start_device(f, ch, len);
    assert_true(sysdma_sim_run_until(f->sim, dev_done, &f->dev[ch], 2ull * 1000 * 1000 * 1000));
    assert_int_equal(f->dev[ch].moved, len);
    sysdma_sim_outb(f->sim, (uint16_t)(0x305 + 8 * ch), 0); /* acknowledge */
}

static uint32_t count_not(const uint8_t *p, uint32_t n, uint8_t v)
{
    uint32_t c = 0;
    for (uint32_t k = 0; k < n; k++)
        c += p[k] != v;
    return c;
}

static uint64_t bounced_bytes(fx *f, sysdma_adapter *a)
{
    sysdma_stats st;
    sysdma_stats_get(f->sys, a, &st);
    return st.bytes_bounced;
}

/*
 * A bounced read of a whole window (64 KiB on channel 1, 128 KiB on
 * channel 5): the count register reads 0xFFFF before the device moves a
 * byte and again after terminal count. Flushed before anything moved, the
 * driver's buffer stays as it was and the counter says the whole length is
 * left; after the device filled the window, everything comes back; mapped
 * again, the terminal count of the previous transfer is forgotten.
 */
static void full_window(fx *f, unsigned ch)
{
    uint32_t window = ch >= 4 ? 0x20000u : 0x10000u;
    sysdma_map_registers *regs;
    sysdma_adapter *a = hold(f, ch, window, &regs);
    uint8_t *buf = sysdma_sim_buffer_alloc(f->sim, window, 0, SYSDMA_SIM_HIGH);
    assert_non_null(buf);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(f->sys, buf, window, &m), SYSDMA_OK);

    for (int round = 0; round < 2; round++) {
        /* Not started (round 1: after a transfer that reached terminal count). */
        memset(buf, 0x5A, window);
        uint32_t len = window;
        assert_int_equal(sysdma_map_transfer(a, m, regs, buf, &len, false, NULL), SYSDMA_OK);
        assert_int_equal(len, window);
        assert_int_equal(sysdma_read_dma_counter(a), window);
        uint64_t before = bounced_bytes(f, a);
        assert_int_equal(sysdma_flush_adapter_buffers(a, m, regs, buf, window, false), SYSDMA_OK);
        assert_int_equal(count_not(buf, window, 0x5A), 0); /* nothing stale copied back */
        assert_int_equal(bounced_bytes(f, a), before);

        /* The device fills the whole window: everything comes back. */
        len = window;
        assert_int_equal(sysdma_map_transfer(a, m, regs, buf, &len, false, NULL), SYSDMA_OK);
        run_device_to_end(f, ch, window);
        assert_int_equal(sysdma_read_dma_counter(a), 0);
        assert_int_equal(sysdma_read_dma_counter(a), 0); /* still: terminal count is remembered */
        assert_int_equal(sysdma_flush_adapter_buffers(a, m, regs, buf, window, false), SYSDMA_OK);
        assert_memory_equal(buf, f->fifo[ch], window);
        assert_int_equal(bounced_bytes(f, a), before + window);
    }
    sysdma_mdl_free(f->sys, m);
    sysdma_sim_buffer_free(f->sim, buf);
    release(a);
}

static void test_full_window_8bit(void **state)
{
    full_window(*state, 1);
}

static void test_full_window_16bit(void **state)
{
    full_window(*state, 5);
}

/*
 * Reading an 8237's status register clears the terminal-count bits of all
 * four of its channels. Channel 1 reaches terminal count; ReadDmaCounter on
 * channel 3 (same controller) reads the status; channel 1's flush must
 * still know its transfer ended and copy the whole window back. The same
 * on the second controller (channels 5 and 7).
 */
static void tc_read_by_neighbour(fx *f, unsigned ch, unsigned other)
{
    uint32_t window = ch >= 4 ? 0x20000u : 0x10000u;
    sysdma_map_registers *regs, *oregs;
    sysdma_adapter *a = hold(f, ch, window, &regs);
    sysdma_adapter *b = hold(f, other, 4096, &oregs);
    uint8_t *buf = sysdma_sim_buffer_alloc(f->sim, window, 0, SYSDMA_SIM_HIGH);
    uint8_t *obuf = sysdma_sim_buffer_alloc(f->sim, 4096, 0, SYSDMA_SIM_HIGH);
    assert_non_null(buf);
    assert_non_null(obuf);
    memset(buf, 0x5A, window);
    sysdma_mdl *m, *om;
    assert_int_equal(sysdma_mdl_create(f->sys, buf, window, &m), SYSDMA_OK);
    assert_int_equal(sysdma_mdl_create(f->sys, obuf, 4096, &om), SYSDMA_OK);
    uint32_t len = window, olen = 4096;
    assert_int_equal(sysdma_map_transfer(a, m, regs, buf, &len, false, NULL), SYSDMA_OK);
    assert_int_equal(sysdma_map_transfer(b, om, oregs, obuf, &olen, false, NULL), SYSDMA_OK);
    run_device_to_end(f, ch, window);
    /* The neighbour's counter: its transfer has not started. */
    assert_int_equal(sysdma_read_dma_counter(b), 4096);
    assert_int_equal(sysdma_read_dma_counter(a), 0);
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, regs, buf, window, false), SYSDMA_OK);
    assert_memory_equal(buf, f->fifo[ch], window);
    assert_int_equal(sysdma_flush_adapter_buffers(b, om, oregs, obuf, 4096, false), SYSDMA_OK);
    assert_int_equal(count_not(obuf, 4096, 0), 0); /* nothing moved, nothing copied */
    sysdma_mdl_free(f->sys, m);
    sysdma_mdl_free(f->sys, om);
    sysdma_sim_buffer_free(f->sim, buf);
    sysdma_sim_buffer_free(f->sim, obuf);
    release(a);
    release(b);
}

static void test_tc_read_by_neighbour(void **state)
{
    tc_read_by_neighbour(*state, 1, 3);
    tc_read_by_neighbour(*state, 5, 7);
}

/*
 * The device keeps moving bytes while the flush talks to the controller:
 * every port read lets it move two more. The flush must stop the channel
 * before it reads the counter, so that every byte the device moved is
 * counted and copied back, and none after.
 */
static void test_flush_stops_before_reading(void **state)
{
    fx *f = *state;
    sysdma_map_registers *regs;
    sysdma_adapter *a = hold(f, 1, 8192, &regs);
    uint8_t *buf = sysdma_sim_buffer_alloc(f->sim, 8192, 0, SYSDMA_SIM_HIGH);
    assert_non_null(buf);
    memset(buf, 0x5A, 8192);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(f->sys, buf, 8192, &m), SYSDMA_OK);
    uint32_t len = 8192;
    assert_int_equal(sysdma_map_transfer(a, m, regs, buf, &len, false, NULL), SYSDMA_OK);
    start_device(f, 1, 8192);
    sysdma_sim_run(f->sim, 1000 * 1000); /* about 1000 bytes */
    f->race_ns = 2000;
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, regs, buf, 8192, false), SYSDMA_OK);
    f->race_ns = 0;
    uint32_t moved = (uint32_t)f->dev[1].moved;
    assert_true(moved > 0 && moved < 8192);
    sysdma_sim_run(f->sim, 1000 * 1000); /* masked: the device cannot go on */
    assert_int_equal(f->dev[1].moved, moved);
    assert_memory_equal(buf, f->fifo[1], moved);
    assert_int_equal(count_not(buf + moved, 8192 - moved, 0x5A), 0);
    assert_int_equal(bounced_bytes(f, a), moved);
    sysdma_sim_outb(f->sim, 0x308, 0); /* stop the device */
    sysdma_mdl_free(f->sys, m);
    sysdma_sim_buffer_free(f->sim, buf);
    release(a);
}

/* ---- registers let go while something still bounces through them ---------------- */

typedef struct master_run {
    fx *f;
    sysdma_adapter *a;
    sysdma_mdl *mdl;
    uint8_t *buf;
    uint32_t len;
    sysdma_map_registers *regs;
    uint64_t logical;
    sysdma_allocation_action action;
    sysdma_status map_status;
} master_run;

/* AdapterControl of a bus master: map a read through the registers just
 * granted (the buffer is beyond its 24-bit reach), then answer `action`. */
static sysdma_allocation_action map_then(void *dev, sysdma_map_registers *regs, void *ctx)
{
    (void)dev;
    master_run *m = ctx;
    m->regs = regs;
    uint32_t len = m->len;
    m->map_status = sysdma_map_transfer(m->a, m->mdl, regs, m->buf, &len, false, &m->logical);
    return m->action;
}

static uint32_t held(fx *f, sysdma_adapter *a)
{
    sysdma_stats st;
    sysdma_stats_get(f->sys, a, &st);
    return st.pool_in_use;
}

/*
 * A bus master's read bounces through its map registers; then the driver
 * lets them go before the flush: (0) the routine maps and returns
 * DEALLOCATE_OBJECT, (1) FreeAdapterObject(DEALLOCATE_OBJECT) after the
 * map, (2) the routine keeps the registers and frees them while mapped.
 * The registers stay with the mapping (the device may still write them)
 * and go back to the pool at the flush, which copies the device's bytes
 * back — never bytes from pool pages another request may hold.
 */
static void test_master_lets_registers_go_mapped(void **state)
{
    fx *f = *state;
    for (int how = 0; how < 3; how++) {
        sysdma_device_description d = {0};
        d.version = 3;
        d.master = true;
        d.address_width = 24;
        d.maximum_length = 8192;
        master_run m = {.f = f, .len = 8192};
        uint32_t n = 0;
        assert_int_equal(sysdma_adapter_get(f->sys, &d, &m.a, &n), SYSDMA_OK);
        m.buf = sysdma_sim_buffer_alloc(f->sim, 8192, 0, SYSDMA_SIM_HIGH);
        assert_non_null(m.buf);
        memset(m.buf, 0x5A, 8192);
        assert_int_equal(sysdma_mdl_create(f->sys, m.buf, 8192, &m.mdl), SYSDMA_OK);
        m.action = how == 0 ? SYSDMA_DEALLOCATE_OBJECT
                   : how == 1 ? SYSDMA_KEEP_OBJECT
                              : SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS;
        assert_int_equal(sysdma_channel_allocate(m.a, NULL, n, map_then, &m), SYSDMA_OK);
        assert_int_equal(m.map_status, SYSDMA_OK);
        assert_true(m.logical < (16u << 20)); /* bounced */
        if (how == 1)
            assert_int_equal(sysdma_adapter_free_object(m.a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_OK);
        if (how == 2)
            assert_int_equal(sysdma_map_registers_free(m.a, m.regs, n), SYSDMA_OK);
        assert_int_equal(held(f, m.a), n); /* still the mapping's */
        /* The device writes its data into the bounce pages. */
        memcpy(sysdma_sim_phys_view(f->sim) + m.logical, f->fifo[0], 8192);
        assert_int_equal(sysdma_flush_adapter_buffers(m.a, m.mdl, m.regs, m.buf, 8192, false),
                         SYSDMA_OK);
        assert_memory_equal(m.buf, f->fifo[0], 8192);
        assert_int_equal(held(f, m.a), 0);
        assert_int_equal(sysdma_flush_adapter_buffers(m.a, m.mdl, m.regs, m.buf, 8192, false),
                         SYSDMA_E_WRONG_STATE);
        sysdma_mdl_free(f->sys, m.mdl);
        sysdma_sim_buffer_free(f->sim, m.buf);
        assert_int_equal(sysdma_adapter_put(m.a), SYSDMA_OK);
    }
}

/* Registers the mapping held past the release go back at the flush, and a
 * request that waits for them is granted then. */
static void test_held_registers_grant_a_waiter(void **state)
{
    fx *f = *state;
    assert_int_equal(sysdma_system_destroy(f->sys), SYSDMA_OK);
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 32};
    assert_int_equal(sysdma_system_create(&f->pf, &f->ctrl, &cfg, &f->sys), SYSDMA_OK);
    sysdma_device_description d = {0};
    d.version = 2;
    d.master = true;
    d.maximum_length = 32 * 4096 - 4096; /* 32 registers with the spare page */
    master_run m = {.f = f, .len = 8192, .action = SYSDMA_DEALLOCATE_OBJECT};
    uint32_t n = 0;
    assert_int_equal(sysdma_adapter_get(f->sys, &d, &m.a, &n), SYSDMA_OK);
    assert_int_equal(n, 32);
    m.buf = sysdma_sim_buffer_alloc(f->sim, 8192, 0, SYSDMA_SIM_HIGH);
    assert_int_equal(sysdma_mdl_create(f->sys, m.buf, 8192, &m.mdl), SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate(m.a, NULL, n, map_then, &m), SYSDMA_OK);
    assert_int_equal(m.map_status, SYSDMA_OK);
    /* The whole pool is the mapping's: a second master waits. */
    sysdma_adapter *b;
    assert_int_equal(sysdma_adapter_get(f->sys, &d, &b, NULL), SYSDMA_OK);
    sysdma_map_registers *bregs = NULL;
    assert_int_equal(sysdma_channel_allocate(b, NULL, 32, keep, &bregs), SYSDMA_PENDING);
    assert_null(bregs);
    assert_int_equal(sysdma_flush_adapter_buffers(m.a, m.mdl, m.regs, m.buf, 8192, false), SYSDMA_OK);
    assert_non_null(bregs);
    assert_int_equal(held(f, b), 32);
    assert_int_equal(sysdma_channel_free(b), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    sysdma_mdl_free(f->sys, m.mdl);
    sysdma_sim_buffer_free(f->sim, m.buf);
    assert_int_equal(sysdma_adapter_put(m.a), SYSDMA_OK);
}

typedef struct list_run {
    sysdma_adapter *a;
    sysdma_sg_list *list;
    sysdma_status free_status;
} list_run;

/* A list routine that frees the channel itself before returning. */
static void list_frees_channel(void *dev, sysdma_sg_list *list, void *ctx)
{
    (void)dev;
    list_run *l = ctx;
    l->list = list;
    l->free_status = sysdma_channel_free(l->a);
}

/*
 * A read list bounced through map registers whose routine freed the
 * channel: the registers stay the list's, the put copies the device's
 * bytes back and frees them.
 */
static void test_list_routine_frees_channel(void **state)
{
    fx *f = *state;
    sysdma_device_description d = {0};
    d.version = 2;
    d.channel = 1;
    d.width = SYSDMA_WIDTH_8;
    d.interface_type = SYSDMA_INTERFACE_ISA;
    d.maximum_length = 8192;
    list_run l = {0};
    assert_int_equal(sysdma_adapter_get(f->sys, &d, &l.a, NULL), SYSDMA_OK);
    uint8_t *buf = sysdma_sim_buffer_alloc(f->sim, 8192, 0, SYSDMA_SIM_HIGH);
    assert_non_null(buf);
    memset(buf, 0x5A, 8192);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(f->sys, buf, 8192, &m), SYSDMA_OK);
    assert_int_equal(sysdma_sg_get(l.a, NULL, m, buf, 8192, list_frees_channel, &l, false),
                     SYSDMA_OK);
    assert_non_null(l.list);
    assert_int_equal(l.free_status, SYSDMA_OK);
    assert_int_equal(l.list->count, 1);
    assert_int_equal(held(f, l.a), 2); /* still the list's */
    memcpy(sysdma_sim_phys_view(f->sim) + l.list->elements[0].address, f->fifo[1], 8192);
    assert_int_equal(sysdma_sg_put(l.a, l.list, false), SYSDMA_OK);
    assert_memory_equal(buf, f->fifo[1], 8192);
    assert_int_equal(held(f, l.a), 0);
    sysdma_mdl_free(f->sys, m);
    sysdma_sim_buffer_free(f->sim, buf);
    assert_int_equal(sysdma_adapter_put(l.a), SYSDMA_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_window_8bit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_window_16bit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tc_read_by_neighbour, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_stops_before_reading, setup, teardown),
        cmocka_unit_test_setup_teardown(test_master_lets_registers_go_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_held_registers_grant_a_waiter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_routine_frees_channel, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
