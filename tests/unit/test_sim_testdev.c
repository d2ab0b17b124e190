/* SPDX-License-Identifier: MIT */
/* The simulated PC's public helpers for outside programs: the test device
 * attached to a channel (ports, IRQ, acknowledge, a FIFO that continues
 * across transfers) and the "scattered, all pages above 16 MiB" placement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/sim.h"

#define PG SYSDMA_SIM_PAGE_SIZE

static sysdma_sim *make(uint64_t ram)
{
    sysdma_sim_config c = {.ram_bytes = ram, .seed = 3, .timing_off = true};
    sysdma_sim *s = NULL;
    assert_int_equal(sysdma_sim_create(&c, &s), SYSDMA_OK);
    return s;
}

/* ---- SYSDMA_SIM_SCATTERED_HIGH ------------------------------------------------ */

static void test_scattered_high(void **state)
{
    (void)state;
    sysdma_sim *s = make(64u << 20);
    const size_t len = 200000, off = 77;
    uint8_t *a = sysdma_sim_buffer_alloc(s, len, off, SYSDMA_SIM_SCATTERED_HIGH);
    uint8_t *b = sysdma_sim_buffer_alloc(s, len, 0, SYSDMA_SIM_SCATTERED_HIGH);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal((uintptr_t)a % PG, off);
    size_t pages = (off + len + PG - 1) / PG;
    uint64_t prev = 0, first = 0;
    bool ascending = true;
    for (size_t k = 0; k < pages; k++) {
        const uint8_t *va = k ? a - off + k * PG : a;
        uint64_t p = 0;
        assert_true(sysdma_sim_virt_to_phys(s, va, &p));
        if (k == 0)
            first = p;
        p &= ~(uint64_t)(PG - 1);
        assert_true(p >= SYSDMA_SIM_16M);
        if (k) {
            assert_true(p != prev + PG && p + PG != prev); /* never physically adjacent */
            ascending = ascending && p > prev;
        }
        prev = p;
    }
    assert_false(ascending); /* random order, not a sorted run */
    /* The CPU's view and the physical view are the same memory. */
    a[0] = 0x5A;
    a[len - 1] = 0xA5;
    assert_int_equal(sysdma_sim_phys_view(s)[first], 0x5A);
    uint64_t last = 0;
    assert_true(sysdma_sim_virt_to_phys(s, a + len - 1, &last));
    assert_int_equal(sysdma_sim_phys_view(s)[last], 0xA5);
    /* The two buffers share no page. */
    for (size_t i = 0; i < len; i += PG) {
        uint64_t pa = 0, pb = 0;
        assert_true(sysdma_sim_virt_to_phys(s, a + i, &pa));
        for (size_t j = 0; j < len; j += PG) {
            assert_true(sysdma_sim_virt_to_phys(s, b + j, &pb));
            assert_true(pa / PG != pb / PG);
        }
    }
    assert_true(sysdma_sim_buffer_free(s, a));
    assert_true(sysdma_sim_buffer_free(s, b));
    sysdma_sim_destroy(s);

    /* No RAM above 16 MiB: no buffer. */
    s = make(16u << 20);
    assert_null(sysdma_sim_buffer_alloc(s, 100, 0, SYSDMA_SIM_SCATTERED_HIGH));
    sysdma_sim_destroy(s);
    /* 1 MiB above 16 MiB: a small buffer fits, one larger than that does not. */
    s = make(17u << 20);
    uint64_t free_before = sysdma_sim_free_pages(s);
    assert_null(sysdma_sim_buffer_alloc(s, 2u << 20, 0, SYSDMA_SIM_SCATTERED_HIGH));
    assert_int_equal(sysdma_sim_free_pages(s), free_before); /* a refusal takes nothing */
    a = sysdma_sim_buffer_alloc(s, 3 * PG, 0, SYSDMA_SIM_SCATTERED_HIGH);
    assert_non_null(a);
    assert_int_equal(sysdma_sim_free_pages(s), free_before - 3);
    sysdma_sim_destroy(s);
}

/* ---- the test device: bad input gets a status and changes nothing ------------- */

static uint8_t dummy_in(void *ctx, uint16_t port)
{
    (void)ctx;
    (void)port;
    return 0;
}

static void dummy_out(void *ctx, uint16_t port, uint8_t v)
{
    (void)ctx;
    (void)port;
    (void)v;
}

static void dummy_clock(void *ctx, uint64_t ns)
{
    (void)ctx;
    (void)ns;
}

static void test_attach_refusals(void **state)
{
    (void)state;
    sysdma_sim *s = make(4u << 20);
    sysdma_sim_testdev *dev = (sysdma_sim_testdev *)&dev;
    sysdma_sim_testdev *untouched = dev;
    sysdma_sim_testdev_config c = {.channel = 1, .irq = 5, .fifo_bytes = 4096};
    assert_int_equal(sysdma_sim_testdev_attach(NULL, &c, &dev), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sim_testdev_attach(s, NULL, &dev), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, NULL), SYSDMA_E_INVALID_ARGUMENT);
    c.channel = 4;
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &dev), SYSDMA_E_INVALID_CHANNEL);
    c.channel = 8;
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &dev), SYSDMA_E_INVALID_CHANNEL);
    c.channel = 1000000;
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &dev), SYSDMA_E_INVALID_CHANNEL);
    c.channel = 1;
    c.fifo_bytes = 0;
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &dev), SYSDMA_E_INVALID_ARGUMENT);
    c.fifo_bytes = (1u << 30) + 1;
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &dev), SYSDMA_E_INVALID_ARGUMENT);
    c.fifo_bytes = 4096;
    c.irq = 16;
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &dev), SYSDMA_E_INVALID_ARGUMENT);
    c.irq = -2;
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &dev), SYSDMA_E_INVALID_ARGUMENT);
    c.irq = 5;
    c.base_port = 0xFFF9; /* 8 ports would run past 0xFFFF */
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &dev), SYSDMA_E_INVALID_ARGUMENT);
    c.base_port = 0x08; /* the 8237's own ports */
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &dev), SYSDMA_E_BUSY);
    assert_ptr_equal(dev, untouched);
    assert_null(sysdma_sim_dma(s)->dev[1].transfer); /* the channel stayed free */

    /* Default ports 0x308-0x30F; the channel and the ports are then taken. */
    c.base_port = 0;
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &dev), SYSDMA_OK);
    assert_int_equal(sysdma_sim_testdev_base_port(dev), 0x308);
    sysdma_sim_testdev *other = untouched;
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &other), SYSDMA_E_BUSY); /* channel */
    c.channel = 2;
    c.base_port = 0x30C; /* overlaps channel 1's ports */
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &other), SYSDMA_E_BUSY);
    assert_ptr_equal(other, untouched);
    assert_null(sysdma_sim_dma(s)->dev[2].transfer);
    c.base_port = 0;
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &other), SYSDMA_OK);
    assert_int_equal(sysdma_sim_testdev_base_port(other), 0x310);

    /* No port range left (16 in all): refused, channel 3 stays free. */
    for (uint16_t k = 0; k < 14; k++)
        assert_int_equal(sysdma_sim_add_ports(s, (uint16_t)(0x1000 + k), (uint16_t)(0x1000 + k),
                                              dummy_in, dummy_out, NULL),
                         SYSDMA_OK);
    c.channel = 3;
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &other), SYSDMA_E_INSUFFICIENT_RESOURCES);
    assert_null(sysdma_sim_dma(s)->dev[3].transfer);
    sysdma_sim_destroy(s);

    /* No clock left: a paced device is refused, an unpaced one is not. */
    s = make(4u << 20);
    for (unsigned k = 0; k < 8; k++)
        assert_true(sysdma_sim_add_clock(s, dummy_clock, NULL));
    c = (sysdma_sim_testdev_config){.channel = 6, .irq = -1, .fifo_bytes = 64, .bytes_per_us = 4};
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &dev), SYSDMA_E_INSUFFICIENT_RESOURCES);
    assert_null(sysdma_sim_dma(s)->dev[6].transfer);
    assert_int_equal(sysdma_sim_add_ports(s, 0x330, 0x337, dummy_in, dummy_out, NULL), SYSDMA_OK);
    c.bytes_per_us = 0;
    c.base_port = 0x338;
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &dev), SYSDMA_OK);
    sysdma_sim_destroy(s);

    /* NULL devices. */
    size_t n = 1;
    assert_null(sysdma_sim_testdev_fifo(NULL, &n));
    assert_int_equal(n, 0);
    assert_int_equal(sysdma_sim_testdev_position(NULL), 0);
    assert_int_equal(sysdma_sim_testdev_rewind(NULL), SYSDMA_E_INVALID_ARGUMENT);
    assert_null(sysdma_sim_testdev_emu(NULL));
    assert_int_equal(sysdma_sim_testdev_base_port(NULL), 0);
}

/* ---- the test device moving data ------------------------------------------------ */

typedef struct irq_log {
    sysdma_sim *s;
    uint16_t base;
    unsigned calls;
    uint8_t last_status;
} irq_log;

/* The driver's ISR: read the status, acknowledge. */
static void isr(void *ctx, unsigned irq)
{
    irq_log *l = ctx;
    (void)irq;
    l->calls++;
    l->last_status = sysdma_sim_inb(l->s, l->base);
    sysdma_sim_outb(l->s, (uint16_t)(l->base + 5), 0);
}

/* Channel 1, demand mode, `len` bytes at `phys`; to_memory = device→memory. */
static void program_ch1(sysdma_sim *s, uint32_t phys, uint32_t len, bool to_memory)
{
    sysdma_sim_outb(s, 0x0A, 0x05); /* mask */
    sysdma_sim_outb(s, 0x0C, 0);
    sysdma_sim_outb(s, 0x0B, (uint8_t)((to_memory ? 0x04 : 0x08) | 0x01));
    sysdma_sim_outb(s, 0x02, (uint8_t)phys);
    sysdma_sim_outb(s, 0x02, (uint8_t)(phys >> 8));
    sysdma_sim_outb(s, 0x83, (uint8_t)(phys >> 16));
    sysdma_sim_outb(s, 0x03, (uint8_t)(len - 1));
    sysdma_sim_outb(s, 0x03, (uint8_t)((len - 1) >> 8));
    sysdma_sim_outb(s, 0x0A, 0x01); /* unmask */
}

static void device_start(sysdma_sim *s, uint16_t base, uint32_t len, bool to_memory)
{
    for (unsigned b = 0; b < 4; b++)
        sysdma_sim_outb(s, (uint16_t)(base + 1 + b), (uint8_t)(len >> (8 * b)));
    sysdma_sim_outb(s, base, to_memory ? 1 : 2);
}

static bool idle(void *ctx)
{
    return sysdma_sim_testdev_emu(ctx)->dir == 0;
}

static void test_fifo_continues_across_transfers(void **state)
{
    (void)state;
    sysdma_sim *s = make(4u << 20);
    sysdma_sim_testdev *dev;
    sysdma_sim_testdev_config c = {.channel = 1, .irq = 5, .fifo_bytes = 3000};
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &dev), SYSDMA_OK);
    uint16_t base = sysdma_sim_testdev_base_port(dev);
    irq_log log = {s, base, 0, 0};
    assert_true(sysdma_sim_irq_connect(s, 5, isr, &log));
    size_t fifo_bytes = 0;
    uint8_t *fifo = sysdma_sim_testdev_fifo(dev, &fifo_bytes);
    assert_non_null(fifo);
    assert_int_equal(fifo_bytes, 3000);
    uint8_t *ram = sysdma_sim_phys_view(s);
    for (unsigned k = 0; k < 1000; k++) {
        ram[0x10000 + k] = (uint8_t)(k * 7 + 1);
        ram[0x20000 + k] = (uint8_t)(k * 13 + 2);
    }
    /* Two memory→device transfers: the second lands right after the first. */
    program_ch1(s, 0x10000, 1000, false);
    device_start(s, base, 1000, false);
    assert_true(sysdma_sim_run_until(s, idle, dev, 1000000000));
    sysdma_sim_run(s, 10000); /* the ISR */
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.last_status & SYSDMA_EMU_TESTDEV_DONE, SYSDMA_EMU_TESTDEV_DONE);
    assert_int_equal(sysdma_sim_inb(s, base) & SYSDMA_EMU_TESTDEV_IRQ, 0); /* acknowledged */
    assert_int_equal(sysdma_sim_testdev_position(dev), 1000);
    program_ch1(s, 0x20000, 1000, false);
    device_start(s, base, 1000, false);
    assert_true(sysdma_sim_run_until(s, idle, dev, 1000000000));
    sysdma_sim_run(s, 10000);
    assert_int_equal(log.calls, 2);
    assert_int_equal(sysdma_sim_testdev_position(dev), 2000);
    assert_memory_equal(fifo, ram + 0x10000, 1000);
    assert_memory_equal(fifo + 1000, ram + 0x20000, 1000);

    /* Rewind, then device→memory: the FIFO from offset 0. */
    assert_int_equal(sysdma_sim_testdev_rewind(dev), SYSDMA_OK);
    assert_int_equal(sysdma_sim_testdev_position(dev), 0);
    program_ch1(s, 0x30000, 1500, true);
    device_start(s, base, 1500, true);
    assert_true(sysdma_sim_run_until(s, idle, dev, 1000000000));
    sysdma_sim_run(s, 10000);
    assert_int_equal(log.calls, 3);
    assert_memory_equal(ram + 0x30000, fifo, 1500);
    assert_int_equal(sysdma_sim_testdev_position(dev), 1500);

    /* A transfer longer than what is left of the FIFO stops at its end. */
    program_ch1(s, 0x40000, 2000, true);
    device_start(s, base, 2000, true);
    assert_true(sysdma_sim_run_until(s, idle, dev, 1000000000));
    assert_int_equal(sysdma_sim_testdev_emu(dev)->moved, 1500);
    assert_int_equal(sysdma_sim_testdev_position(dev), 3000);
    assert_memory_equal(ram + 0x40000, fifo + 1500, 1500);
    assert_int_equal(ram[0x40000 + 1500], 0);
    sysdma_sim_run(s, 10000);
    assert_int_equal(log.calls, 4);

    /* Rewinding while a transfer runs is refused and keeps the offset. */
    assert_int_equal(sysdma_sim_testdev_rewind(dev), SYSDMA_OK);
    sysdma_sim_outb(s, 0x0A, 0x05); /* channel masked: the device waits */
    device_start(s, base, 10, false);
    sysdma_sim_run(s, 10000);
    assert_int_not_equal(sysdma_sim_testdev_emu(dev)->dir, 0);
    assert_int_equal(sysdma_sim_testdev_rewind(dev), SYSDMA_E_BUSY);
    assert_int_equal(sysdma_sim_testdev_position(dev), 0);
    sysdma_sim_outb(s, base, 0); /* stop */
    assert_int_equal(sysdma_sim_testdev_rewind(dev), SYSDMA_OK);
    sysdma_sim_destroy(s);
}

/* A paced device on a 16-bit channel gets the machine's clock. */
static void test_paced_16bit(void **state)
{
    (void)state;
    sysdma_sim_config sc = {.ram_bytes = 4u << 20, .seed = 3, .dma_units_per_us = 100};
    sysdma_sim *s = NULL;
    assert_int_equal(sysdma_sim_create(&sc, &s), SYSDMA_OK);
    sysdma_sim_testdev *dev;
    sysdma_sim_testdev_config c = {.channel = 5, .irq = -1, .fifo_bytes = 4000,
                                   .bytes_per_us = 4};
    assert_int_equal(sysdma_sim_testdev_attach(s, &c, &dev), SYSDMA_OK);
    uint8_t *fifo = sysdma_sim_testdev_fifo(dev, NULL);
    for (unsigned k = 0; k < 4000; k++)
        fifo[k] = (uint8_t)(k ^ 0x5A);
    /* Channel 5 (word addresses): demand, write (device→memory), 2000 words at 0x50000. */
    sysdma_sim_outb(s, 0xD4, 0x05);
    sysdma_sim_outb(s, 0xD8, 0);
    sysdma_sim_outb(s, 0xD6, 0x05);
    sysdma_sim_outb(s, 0xC4, (uint8_t)(0x50000 >> 1));
    sysdma_sim_outb(s, 0xC4, (uint8_t)(0x50000 >> 9));
    sysdma_sim_outb(s, 0x8B, 0x05);
    sysdma_sim_outb(s, 0xC6, (uint8_t)(1999 & 0xFF));
    sysdma_sim_outb(s, 0xC6, (uint8_t)(1999 >> 8));
    sysdma_sim_outb(s, 0xD4, 0x01);
    device_start(s, sysdma_sim_testdev_base_port(dev), 4000, true);
    sysdma_sim_run(s, 100000); /* 100 µs at 4 bytes/µs: 400 bytes */
    assert_int_equal(sysdma_sim_testdev_position(dev), 400);
    assert_true(sysdma_sim_run_until(s, idle, dev, 10000000));
    assert_int_equal(sysdma_sim_testdev_position(dev), 4000);
    assert_memory_equal(sysdma_sim_phys_view(s) + 0x50000, fifo, 4000);
    sysdma_sim_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scattered_high),
        cmocka_unit_test(test_attach_refusals),
        cmocka_unit_test(test_fifo_continues_across_transfers),
        cmocka_unit_test(test_paced_16bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
