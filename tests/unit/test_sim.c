/* SPDX-License-Identifier: MIT */
/* The simulated PC: physical memory, buffer placements, ports, interrupts, time. */
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
    sysdma_sim_config c = {.ram_bytes = ram, .seed = 7};
    sysdma_sim *s = NULL;
    assert_int_equal(sysdma_sim_create(&c, &s), SYSDMA_OK);
    assert_non_null(s);
    return s;
}

static uint64_t phys_of(sysdma_sim *s, const void *va)
{
    uint64_t p = 0;
    assert_true(sysdma_sim_virt_to_phys(s, va, &p));
    return p;
}

static void test_create_rejects_bad_sizes(void **state)
{
    (void)state;
    sysdma_sim *s = (sysdma_sim *)1;
    sysdma_sim_config c = {.ram_bytes = 4096};
    assert_int_equal(sysdma_sim_create(&c, &s), SYSDMA_E_INVALID_ARGUMENT);
    assert_null(s);
    c.ram_bytes = (2u << 20) + 1;
    assert_int_equal(sysdma_sim_create(&c, &s), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sim_create(NULL, NULL), SYSDMA_E_INVALID_ARGUMENT);
    s = make(0);
    assert_int_equal(sysdma_sim_ram_bytes(s), 64ull << 20);
    sysdma_sim_destroy(s);
}

/* Every placement gives pages where it promises, and the CPU's view and the
 * physical view are the same memory. */
static void test_placements(void **state)
{
    (void)state;
    sysdma_sim *s = make(64u << 20);
    uint8_t *ram = sysdma_sim_phys_view(s);
    const size_t len = 40000, off = 123;
    for (int how = SYSDMA_SIM_LOW; how <= SYSDMA_SIM_STRADDLE_128K; how++) {
        uint8_t *b = sysdma_sim_buffer_alloc(s, len, off, (sysdma_sim_placement)how);
        assert_non_null(b);
        assert_int_equal((uintptr_t)b % PG, off);
        size_t pages = (off + len + PG - 1) / PG;
        bool any_high = false, adjacent_all = true, crosses64 = false, crosses128 = false;
        uint64_t prev = 0;
        for (size_t k = 0; k < pages; k++) {
            uint64_t p = phys_of(s, b - off + k * PG);
            assert_int_equal(p % PG, 0);
            any_high |= p >= SYSDMA_SIM_16M;
            if (k && p != prev + PG)
                adjacent_all = false;
            if (k && (p >> 16) != (prev >> 16))
                crosses64 = true;
            if (k && (p >> 17) != (prev >> 17))
                crosses128 = true;
            prev = p;
        }
        /* Coherence: a write through the buffer shows in physical RAM. */
        for (size_t k = 0; k < len; k += 997) {
            b[k] = (uint8_t)(k * 13 + (size_t)how);
            assert_int_equal(ram[phys_of(s, b + k)], (uint8_t)(k * 13 + (size_t)how));
        }
        switch (how) {
        case SYSDMA_SIM_LOW:
            assert_true(adjacent_all);
            assert_false(any_high);
            break;
        case SYSDMA_SIM_HIGH:
            assert_true(adjacent_all);
            assert_true(phys_of(s, b) >= SYSDMA_SIM_16M);
            break;
        case SYSDMA_SIM_SCATTERED:
        case SYSDMA_SIM_SCATTERED_LOW:
            assert_false(adjacent_all);
            if (how == SYSDMA_SIM_SCATTERED_LOW)
                assert_false(any_high);
            break;
        case SYSDMA_SIM_STRADDLE_64K:
            assert_true(adjacent_all);
            assert_false(any_high);
            assert_true(crosses64);
            break;
        case SYSDMA_SIM_STRADDLE_128K:
            assert_true(adjacent_all);
            assert_true(crosses128);
            break;
        }
        assert_true(sysdma_sim_buffer_free(s, b));
    }
    assert_false(sysdma_sim_buffer_free(s, ram + 8192));
    assert_null(sysdma_sim_buffer_alloc(s, 0, 0, SYSDMA_SIM_LOW));
    assert_null(sysdma_sim_buffer_alloc(s, 100, PG, SYSDMA_SIM_LOW));
    sysdma_sim_destroy(s);
}

static void test_contig_constraints_and_exhaustion(void **state)
{
    (void)state;
    sysdma_sim *s = make(32u << 20);
    uint64_t before = sysdma_sim_free_pages(s);
    uint64_t phys;
    void *va;
    assert_int_equal(sysdma_sim_alloc_contig(s, 3 * PG, SYSDMA_SIM_16M, 0x10000, 0x4000, &phys, &va),
                     SYSDMA_OK);
    assert_int_equal(phys % 0x4000, 0);
    assert_true(phys + 3 * PG <= SYSDMA_SIM_16M);
    assert_int_equal(phys >> 16, (phys + 3 * PG - 1) >> 16);
    assert_ptr_equal(va, sysdma_sim_phys_view(s) + phys);
    assert_true(phys != 0); /* page 0 is reserved */
    assert_int_equal(sysdma_sim_free_pages(s), before - 3);
    assert_int_equal(sysdma_sim_alloc_contig(s, 0x20000, 0, 0x10000, PG, &phys, NULL),
                     SYSDMA_E_BOUNDARY);
    assert_int_equal(sysdma_sim_alloc_contig(s, 100, 0, 0, 3000, &phys, NULL),
                     SYSDMA_E_INVALID_ARGUMENT);
    /* Exhaust memory below 1 MiB in 64 KiB pieces, then fail cleanly. */
    uint64_t got[32];
    unsigned n = 0;
    while (n < 32 && sysdma_sim_alloc_contig(s, 0x10000, 1u << 20, 0x10000, 0x10000, &got[n], NULL) ==
                         SYSDMA_OK)
        n++;
    assert_true(n >= 14 && n < 32);
    assert_int_equal(sysdma_sim_alloc_contig(s, 0x10000, 1u << 20, 0x10000, 0x10000, &phys, NULL),
                     SYSDMA_E_NO_MEMORY);
    for (unsigned k = 0; k < n; k++)
        sysdma_sim_free_contig(s, got[k], 0x10000);
    assert_int_equal(sysdma_sim_free_pages(s), before - 3);
    sysdma_sim_destroy(s);
}

/* Ports: the 8237A pair and added devices are reached; overlaps refused. */
static uint8_t last_out[2];
static uint8_t dev_in(void *ctx, uint16_t port)
{
    (void)ctx;
    return (uint8_t)(port ^ 0x5A);
}
static void dev_out(void *ctx, uint16_t port, uint8_t v)
{
    (void)ctx;
    last_out[0] = (uint8_t)port;
    last_out[1] = v;
}

static void test_ports(void **state)
{
    (void)state;
    sysdma_sim *s = make(4u << 20);
    assert_int_equal(sysdma_sim_add_ports(s, 0x3F0, 0x3F7, dev_in, dev_out, NULL), SYSDMA_OK);
    assert_int_equal(sysdma_sim_add_ports(s, 0x3F7, 0x3F8, dev_in, dev_out, NULL), SYSDMA_E_BUSY);
    assert_int_equal(sysdma_sim_add_ports(s, 0x08, 0x09, dev_in, dev_out, NULL), SYSDMA_E_BUSY);
    assert_int_equal(sysdma_sim_add_ports(s, 5, 4, dev_in, dev_out, NULL), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_sim_inb(s, 0x3F4), (uint8_t)(0x3F4 ^ 0x5A));
    sysdma_sim_outb(s, 0x3F5, 0x77);
    assert_int_equal(last_out[0], 0xF5);
    assert_int_equal(last_out[1], 0x77);
    sysdma_sim_outb(s, 0x81, 0x42); /* page register of channel 2 */
    assert_int_equal(sysdma_sim_inb(s, 0x81), 0x42);
    assert_int_equal(sysdma_sim_inb(s, 0x300), 0xFF);
    assert_int_equal(sysdma_sim_port_accesses(s), 5);
    sysdma_sim_destroy(s);
}

/* A DMA transfer paced by simulated time, its TC interrupt, and deferred work. */
typedef struct pace {
    sysdma_sim *s;
    unsigned isr_calls, work_calls;
    uint8_t tc_seen;
    size_t moved;
} pace;

static size_t pace_xfer(void *ctx, unsigned ch, sysdma_emu_xfer kind, uint8_t *buf, size_t units)
{
    pace *p = ctx;
    (void)ch;
    if (kind == SYSDMA_EMU_XFER_WRITE)
        memset(buf, 0xAB, units);
    p->moved += units;
    return units;
}

static void pace_work(void *ctx)
{
    ((pace *)ctx)->work_calls++;
}

static void pace_isr(void *ctx, unsigned irq)
{
    pace *p = ctx;
    assert_int_equal(irq, 9);
    p->isr_calls++;
    p->tc_seen |= sysdma_sim_tc_ack(p->s);
    assert_true(sysdma_sim_defer(p->s, pace_work, p));
}

static bool pace_done(void *ctx)
{
    return ((pace *)ctx)->work_calls > 0;
}

static void test_time_irq_and_work(void **state)
{
    (void)state;
    sysdma_sim_config c = {.ram_bytes = 4u << 20, .dma_units_per_us = 2};
    sysdma_sim *s = NULL;
    assert_int_equal(sysdma_sim_create(&c, &s), SYSDMA_OK);
    pace p = {.s = s};
    sysdma_emu_dma_device d = {pace_xfer, NULL, &p};
    sysdma_emu_i8237_attach(sysdma_sim_dma(s), 3, &d);
    sysdma_sim_set_tc_irq(s, 9);
    assert_true(sysdma_sim_irq_connect(s, 9, pace_isr, &p));
    /* Channel 3: demand, write, 1000 bytes at 0x30000. */
    sysdma_sim_outb(s, 0x0C, 0);
    sysdma_sim_outb(s, 0x0B, 0x07);
    sysdma_sim_outb(s, 0x06, 0x00);
    sysdma_sim_outb(s, 0x06, 0x00);
    sysdma_sim_outb(s, 0x82, 0x03);
    sysdma_sim_outb(s, 0x07, (uint8_t)(999 & 0xFF));
    sysdma_sim_outb(s, 0x07, (uint8_t)(999 >> 8));
    sysdma_sim_outb(s, 0x0A, 0x03);
    sysdma_emu_i8237_dreq(sysdma_sim_dma(s), 3, true);
    sysdma_sim_run(s, 100000); /* 100 µs at 2 units/µs */
    assert_int_equal(p.moved, 200);
    assert_int_equal(p.isr_calls, 0);
    assert_true(sysdma_sim_run_until(s, pace_done, &p, 10000000));
    assert_int_equal(p.moved, 1000);
    assert_int_equal(p.isr_calls, 1);
    assert_int_equal(p.tc_seen, 0x08);
    assert_int_equal(sysdma_sim_phys_view(s)[0x30000 + 999], 0xAB);
    assert_int_equal(sysdma_sim_phys_view(s)[0x30000 + 1000], 0);
    assert_int_equal(sysdma_sim_now_ns(s), 500000);
    assert_true(sysdma_sim_run_until(s, pace_done, &p, 0)); /* already done: no time passes */
    assert_int_equal(sysdma_sim_now_ns(s), 500000);
    sysdma_sim_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_rejects_bad_sizes),
        cmocka_unit_test(test_placements),
        cmocka_unit_test(test_contig_constraints_and_exhaustion),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_time_irq_and_work),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
