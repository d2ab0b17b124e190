/* SPDX-License-Identifier: MIT */
/* The generic subordinate test device, driven through the emulated 8237A pair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu_testdev.h"

#define RAM (1u << 20)
static uint8_t ram[RAM];
static uint8_t fifo[70000];
static sysdma_emu_physmem mem;
static sysdma_emu_i8237 dma;
static sysdma_emu_testdev dev;
static int irq_level, irq_edges;

static void irq(void *ctx, bool level)
{
    (void)ctx;
    if (level && !irq_level)
        irq_edges++;
    irq_level = level;
}

static void setup(unsigned ch, uint32_t pace)
{
    memset(ram, 0, sizeof ram);
    sysdma_emu_physmem_init(&mem, ram, RAM);
    sysdma_emu_i8237_init(&dma, &mem, true);
    irq_level = irq_edges = 0;
    assert_true(sysdma_emu_testdev_init(&dev, &dma, ch, 0x300, fifo, sizeof fifo, pace, irq, NULL));
}


static void start(uint8_t cmd, uint32_t len)
{
    for (unsigned b = 0; b < 4; b++)
        sysdma_emu_testdev_outb(&dev, (uint16_t)(0x301 + b), (uint8_t)(len >> (8 * b)));
    sysdma_emu_testdev_outb(&dev, 0x300, cmd);
}

static void test_to_memory_unpaced(void **state)
{
    (void)state;
    setup(3, 0);
    for (size_t k = 0; k < 3000; k++)
        fifo[k] = (uint8_t)(k * 7 + 1);
    sysdma_emu_i8237_program(&dma, 3, SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_WRITE, 0x12345, 3000);
    start(1, 3000);
    assert_int_equal(sysdma_emu_testdev_inb(&dev, 0x300), SYSDMA_EMU_TESTDEV_BUSY);
    assert_int_equal(sysdma_emu_i8237_run(&dma, 100000), 3000);
    assert_memory_equal(ram + 0x12345, fifo, 3000);
    /* Length and count agree: done, TC seen, not short; IRQ until acked. */
    assert_int_equal(sysdma_emu_testdev_inb(&dev, 0x300),
                     SYSDMA_EMU_TESTDEV_DONE | SYSDMA_EMU_TESTDEV_TC | SYSDMA_EMU_TESTDEV_IRQ);
    assert_int_equal(irq_level, 1);
    assert_int_equal(irq_edges, 1);
    sysdma_emu_testdev_outb(&dev, 0x305, 0);
    assert_int_equal(irq_level, 0);
    assert_int_equal(sysdma_emu_testdev_inb(&dev, 0x306), 3000 & 0xFF);
    assert_int_equal(sysdma_emu_testdev_inb(&dev, 0x307), 3000 >> 8);
}

static void test_tc_before_length_is_short(void **state)
{
    (void)state;
    setup(1, 0);
    sysdma_emu_i8237_program(&dma, 1, SYSDMA_EMU_MODE_DEMAND | SYSDMA_EMU_MODE_WRITE, 0x40000, 100);
    start(1, 500);
    assert_int_equal(sysdma_emu_i8237_run(&dma, 100000), 100);
    assert_int_equal(dev.moved, 100);
    assert_true(sysdma_emu_testdev_inb(&dev, 0x300) & SYSDMA_EMU_TESTDEV_SHORT);
    assert_int_equal(irq_edges, 1);
}

static void test_streaming_ignores_tc(void **state)
{
    (void)state;
    setup(1, 0);
    for (size_t k = 0; k < 100; k++)
        ram[0x40000 + k] = (uint8_t)(k + 1);
    sysdma_emu_i8237_program(&dma, 1, SYSDMA_EMU_MODE_DEMAND | SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_AUTOINIT, 0x40000, 100);
    start(0x82, 350);
    assert_int_equal(sysdma_emu_i8237_run(&dma, 100000), 350);
    for (size_t k = 0; k < 350; k++)
        assert_int_equal(fifo[k], (uint8_t)(k % 100 + 1));
    uint8_t st = sysdma_emu_testdev_inb(&dev, 0x300);
    assert_true(st & SYSDMA_EMU_TESTDEV_TC);
    assert_int_equal(st & SYSDMA_EMU_TESTDEV_SHORT, 0);
    assert_true(st & SYSDMA_EMU_TESTDEV_DONE);
}

static void test_paced_from_memory_16bit(void **state)
{
    (void)state;
    setup(6, 2); /* 2 bytes per µs */
    for (size_t k = 0; k < 4096; k++)
        ram[0x60000 + k] = (uint8_t)(k ^ 0x3C);
    sysdma_emu_i8237_program(&dma, 6, SYSDMA_EMU_MODE_DEMAND | SYSDMA_EMU_MODE_READ, 0x60000, 4096);
    start(2, 4096);
    assert_int_equal(sysdma_emu_i8237_run(&dma, 100000), 0); /* no credit yet */
    sysdma_emu_testdev_advance(&dev, 500000);                /* 500 µs → 1000 bytes */
    assert_int_equal(sysdma_emu_i8237_run(&dma, 100000), 500); /* words */
    assert_int_equal(dev.moved, 1000);
    sysdma_emu_testdev_advance(&dev, 10000000);
    assert_int_equal(sysdma_emu_i8237_run(&dma, 100000), 1548);
    assert_memory_equal(fifo, ram + 0x60000, 4096);
    assert_int_equal(sysdma_emu_testdev_inb(&dev, 0x300) & SYSDMA_EMU_TESTDEV_SHORT, 0);
}

static void test_stop_and_bad_commands(void **state)
{
    (void)state;
    setup(2, 0);
    sysdma_emu_i8237_program(&dma, 2, SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_WRITE, 0x20000, 1000);
    start(1, 1000);
    assert_int_equal(sysdma_emu_i8237_run(&dma, 10), 10);
    sysdma_emu_testdev_outb(&dev, 0x300, 0); /* stop */
    assert_int_equal(sysdma_emu_i8237_run(&dma, 100), 0);
    sysdma_emu_testdev_outb(&dev, 0x300, 9); /* unknown: ignored */
    assert_int_equal(sysdma_emu_testdev_inb(&dev, 0x300), 0);
    start(1, 1u << 30);                      /* clamped to the FIFO's size */
    assert_int_equal(dev.len, sizeof fifo);
    assert_false(sysdma_emu_testdev_init(&dev, &dma, 4, 0x300, fifo, 1, 0, NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_to_memory_unpaced),
        cmocka_unit_test(test_tc_before_length_is_short),
        cmocka_unit_test(test_paced_from_memory_16bit),
        cmocka_unit_test(test_streaming_ignores_tc),
        cmocka_unit_test(test_stop_and_bad_commands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
