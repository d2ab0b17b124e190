/* SPDX-License-Identifier: MIT */
/*
 * The emulated PL080 against its technical reference manual, one register
 * behaviour per test: identification, reset values, read-back masks, the
 * DMAC and channel enables, halt, memory-to-memory transfers, linked lists
 * (chained and circular), terminal-count and error interrupts (raw, masked,
 * clear, the interrupt outputs), bus errors, priority and the run budget.
 * Request lines, flow control, widths and endianness are in
 * test_emu_pl080_periph.c.
 */
#include "emu_pl080_test.h"

static void test_id_registers(void **state)
{
    (void)state;
    fresh();
    static const uint32_t want[8] = {0x80, 0x10, 0x04, 0x0A, 0x0D, 0xF0, 0x05, 0xB1};
    for (unsigned k = 0; k < 8; k++) {
        assert_int_equal(R(SYSDMA_EMU_PL080_PERIPH_ID0 + 4 * k), want[k]);
        W(SYSDMA_EMU_PL080_PERIPH_ID0 + 4 * k, 0); /* read-only */
        assert_int_equal(R(SYSDMA_EMU_PL080_PERIPH_ID0 + 4 * k), want[k]);
    }
}

static void test_reset_values_are_zero(void **state)
{
    (void)state;
    fresh();
    W(SYSDMA_EMU_PL080_CONFIG, 0);
    for (uint32_t off = 0; off < 0xFE0; off += 4)
        assert_int_equal(R(off), 0);
    /* Reset clears what software wrote, keeps request input levels. */
    W(SYSDMA_EMU_PL080_CONFIG, 7);
    W(SYSDMA_EMU_PL080_SYNC, 0x1234);
    program(2, 1, 2, 4, 5, 6);
    W(SYSDMA_EMU_PL080_SOFT_SREQ, 0x10);
    sysdma_emu_pl080_request(&dmac, 1, SYSDMA_EMU_PL080_REQ_BURST);
    sysdma_emu_pl080_reset(&dmac);
    assert_int_equal(R(SYSDMA_EMU_PL080_CONFIG), 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_SYNC), 0);
    assert_int_equal(RC(2, SYSDMA_EMU_PL080_CH_SRC), 0);
    assert_int_equal(RC(2, SYSDMA_EMU_PL080_CH_CONFIG), 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_SOFT_SREQ), 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_SOFT_BREQ), 0x2);
}

static void test_config_and_sync_masks(void **state)
{
    (void)state;
    fresh();
    W(SYSDMA_EMU_PL080_CONFIG, 0xFFFFFFFF);
    assert_int_equal(R(SYSDMA_EMU_PL080_CONFIG), 7);
    W(SYSDMA_EMU_PL080_SYNC, 0xFFFFFFFF);
    assert_int_equal(R(SYSDMA_EMU_PL080_SYNC), 0xFFFF);
    W(SYSDMA_EMU_PL080_SYNC, 0x00A5);
    assert_int_equal(R(SYSDMA_EMU_PL080_SYNC), 0x00A5);
}

static void test_channel_register_readback(void **state)
{
    (void)state;
    fresh();
    for (unsigned c = 0; c < 8; c++) {
        program(c, 0x11111111u * c, 0xFEDCBA98u - c, 0xFFFFFFFFu, 0x87654321u + c, 0);
        W(SYSDMA_EMU_PL080_CH(c, SYSDMA_EMU_PL080_CH_CONFIG),
          0xFFFFFFFFu & ~SYSDMA_EMU_PL080_CCFG_E);
    }
    for (unsigned c = 0; c < 8; c++) {
        assert_int_equal(RC(c, SYSDMA_EMU_PL080_CH_SRC), 0x11111111u * c);
        assert_int_equal(RC(c, SYSDMA_EMU_PL080_CH_DST), 0xFEDCBA98u - c);
        assert_int_equal(RC(c, SYSDMA_EMU_PL080_CH_LLI), 0xFFFFFFFDu); /* bit 1 reserved */
        assert_int_equal(RC(c, SYSDMA_EMU_PL080_CH_CONTROL), 0x87654321u + c);
        /* Reserved bits 5, 10, 31-19 and the read-only A bit stay 0. */
        assert_int_equal(RC(c, SYSDMA_EMU_PL080_CH_CONFIG), 0x5FBDEu);
        assert_int_equal(RC(c, 0x14), 0); /* reserved words of the block */
        assert_int_equal(RC(c, 0x1C), 0);
    }
}

static void test_unaligned_reserved_and_outside(void **state)
{
    (void)state;
    fresh();
    W(SYSDMA_EMU_PL080_SYNC + 1, 0xFF);
    assert_int_equal(R(SYSDMA_EMU_PL080_SYNC), 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_CONFIG + 2), 0);
    W(0x038, 0xFFFFFFFF);
    assert_int_equal(R(0x038), 0);
    W(0x500, 0xFFFFFFFF); /* integration test registers: not modelled */
    assert_int_equal(R(0x500), 0);
    assert_int_equal(R(0x1000), 0);
    assert_int_equal(R(0xFFFFFFFC), 0);
    W(0xFFFFFFFC, 1);
    /* Write-only clear registers read 0. */
    assert_int_equal(R(SYSDMA_EMU_PL080_INT_TC_CLEAR), 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_INT_ERR_CLEAR), 0);
}

/* A whole memory-to-memory item: data, addresses, count, TC, disable. */
static void test_m2m_item_completes(void **state)
{
    (void)state;
    fresh();
    fill(0x1000, 400, 3);
    uint32_t ctl = sysdma_emu_pl080_control(100, 2, 2, WORD, WORD, INCR | SYSDMA_EMU_PL080_CTL_I);
    program(0, 0x1000, 0x8000, 0, ctl, ccfg(0, 0, 0, ALLINT | SYSDMA_EMU_PL080_CCFG_E));
    assert_int_equal(R(SYSDMA_EMU_PL080_ENABLED_CHANNELS), 1);
    assert_int_equal(run(1u << 20), 400);
    assert_memory_equal(ram + 0x8000, ram + 0x1000, 400);
    assert_int_equal(ram[0x8000 + 400], 0);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_SRC), 0x1000 + 400);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_DST), 0x8000 + 400);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_CONTROL), ctl & ~0xFFFu);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_CONFIG) & SYSDMA_EMU_PL080_CCFG_E, 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_ENABLED_CHANNELS), 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_TC_STATUS), 1);
    assert_int_equal(R(SYSDMA_EMU_PL080_INT_TC_STATUS), 1);
    assert_int_equal(R(SYSDMA_EMU_PL080_INT_STATUS), 1);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_ERR_STATUS), 0);
    assert_true(irq.intr && irq.tc && !irq.err);
    assert_int_equal(irq.tc_edges, 1);
    assert_false(sysdma_emu_pl080_pending(&dmac));
    guards_intact();
}

static void test_tc_only_with_i_bit(void **state)
{
    (void)state;
    fresh();
    program(1, 0x1000, 0x2000, 0, sysdma_emu_pl080_control(16, 0, 0, BYTE, BYTE, INCR),
            ccfg(0, 0, 0, ALLINT | SYSDMA_EMU_PL080_CCFG_E));
    assert_int_equal(run(1000), 16);
    assert_int_equal(R(SYSDMA_EMU_PL080_ENABLED_CHANNELS), 0); /* done */
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_TC_STATUS), 0);
    assert_false(irq.intr);
}

static void test_itc_masks_tc_interrupt(void **state)
{
    (void)state;
    fresh();
    program(2, 0x1000, 0x2000, 0,
            sysdma_emu_pl080_control(8, 0, 0, BYTE, BYTE, INCR | SYSDMA_EMU_PL080_CTL_I),
            ccfg(0, 0, 0, SYSDMA_EMU_PL080_CCFG_IE | SYSDMA_EMU_PL080_CCFG_E));
    run(100);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_TC_STATUS), 4);
    assert_int_equal(R(SYSDMA_EMU_PL080_INT_TC_STATUS), 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_INT_STATUS), 0);
    assert_false(irq.tc);
    /* Unmasking shows the pending status and raises the output. */
    W(SYSDMA_EMU_PL080_CH(2, SYSDMA_EMU_PL080_CH_CONFIG), SYSDMA_EMU_PL080_CCFG_ITC);
    assert_int_equal(R(SYSDMA_EMU_PL080_INT_TC_STATUS), 4);
    assert_true(irq.tc && irq.intr);
}

static void test_int_tc_clear(void **state)
{
    (void)state;
    fresh();
    for (unsigned c = 0; c < 3; c++)
        program(c, 0x1000, 0x2000 + 0x100 * c, 0,
                sysdma_emu_pl080_control(4, 0, 0, BYTE, BYTE, INCR | SYSDMA_EMU_PL080_CTL_I),
                ccfg(0, 0, 0, ALLINT | SYSDMA_EMU_PL080_CCFG_E));
    run(100);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_TC_STATUS), 7);
    W(SYSDMA_EMU_PL080_INT_TC_CLEAR, 0x102); /* bit 8 means nothing */
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_TC_STATUS), 5);
    assert_true(irq.tc);
    W(SYSDMA_EMU_PL080_INT_TC_CLEAR, 5);
    assert_int_equal(R(SYSDMA_EMU_PL080_INT_STATUS), 0);
    assert_false(irq.tc || irq.intr);
}

static void test_dmac_disabled_moves_nothing(void **state)
{
    (void)state;
    fresh();
    W(SYSDMA_EMU_PL080_CONFIG, 0);
    fill(0x1000, 64, 9);
    program(0, 0x1000, 0x2000, 0, sysdma_emu_pl080_control(64, 1, 1, BYTE, BYTE, INCR),
            ccfg(0, 0, 0, SYSDMA_EMU_PL080_CCFG_E));
    assert_false(sysdma_emu_pl080_pending(&dmac));
    assert_int_equal(run(1000), 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_ENABLED_CHANNELS), 1); /* enabled, waiting */
    W(SYSDMA_EMU_PL080_CONFIG, SYSDMA_EMU_PL080_CFG_E);
    assert_int_equal(run(1000), 64);
    assert_memory_equal(ram + 0x2000, ram + 0x1000, 64);
}

static void test_halt_stops_and_resumes(void **state)
{
    (void)state;
    fresh();
    fill(0x1000, 256, 1);
    uint32_t cfg = ccfg(0, 0, 0, SYSDMA_EMU_PL080_CCFG_E);
    program(0, 0x1000, 0x2000, 0, sysdma_emu_pl080_control(256, 1, 1, BYTE, BYTE, INCR), cfg);
    assert_int_equal(run(16), 16); /* four bursts of 4 bytes */
    W(SYSDMA_EMU_PL080_CH(0, SYSDMA_EMU_PL080_CH_CONFIG), cfg | SYSDMA_EMU_PL080_CCFG_H);
    assert_int_equal(run(1000), 0);
    /* Halted with an empty FIFO: A reads 0, so software may disable now. */
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_CONFIG), cfg | SYSDMA_EMU_PL080_CCFG_H);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_CONTROL) & 0xFFF, 240);
    W(SYSDMA_EMU_PL080_CH(0, SYSDMA_EMU_PL080_CH_CONFIG), cfg);
    assert_int_equal(run(1000), 240);
    assert_memory_equal(ram + 0x2000, ram + 0x1000, 256);
}

static void test_disable_midway_keeps_registers(void **state)
{
    (void)state;
    fresh();
    program(0, 0x1000, 0x2000, 0, sysdma_emu_pl080_control(100, 0, 0, HALF, HALF, INCR),
            ccfg(0, 0, 0, SYSDMA_EMU_PL080_CCFG_E));
    assert_int_equal(run(20), 20); /* single transfers of 2 bytes */
    W(SYSDMA_EMU_PL080_CH(0, SYSDMA_EMU_PL080_CH_CONFIG), 0);
    assert_int_equal(run(1000), 0);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_CONTROL) & 0xFFF, 90);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_SRC), 0x1000 + 20);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_DST), 0x2000 + 20);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_TC_STATUS), 0);
}

/* Three items, the source gathered from scattered pieces; TC from the last. */
static void test_lli_chain(void **state)
{
    (void)state;
    fresh();
    fill(0x10000, 0x3000, 5);
    uint32_t mid = sysdma_emu_pl080_control(64, 2, 2, WORD, WORD, INCR);
    uint32_t end = sysdma_emu_pl080_control(10, 2, 2, WORD, WORD, INCR | SYSDMA_EMU_PL080_CTL_I);
    put_lli(0x100, 0x12000, 0x20100, 0x120, mid);
    put_lli(0x120, 0x11000, 0x20200, 0, end);
    program(0, 0x10000, 0x20000, 0x100, mid, ccfg(0, 0, 0, ALLINT | SYSDMA_EMU_PL080_CCFG_E));
    size_t moved = run(1u << 20);
    assert_int_equal(moved, 256 + 256 + 40);
    assert_memory_equal(ram + 0x20000, ram + 0x10000, 256);
    assert_memory_equal(ram + 0x20100, ram + 0x12000, 256);
    assert_memory_equal(ram + 0x20200, ram + 0x11000, 40);
    assert_int_equal(dmac.stats.lli_fetches, 2);
    assert_int_equal(dmac.stats.items[0], 3);
    assert_int_equal(irq.tc_edges, 1);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_LLI), 0);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_SRC), 0x11000 + 40);
}

/* The next item is loaded into the channel registers when one ends; with
 * I on every item, raw TC is set at the end of the first. */
static void test_lli_loads_registers_and_tc_per_item(void **state)
{
    (void)state;
    fresh();
    uint32_t ctl = sysdma_emu_pl080_control(16, 0, 0, BYTE, BYTE, INCR | SYSDMA_EMU_PL080_CTL_I);
    /* Next = 0x1: address 0 (the end of the list) through master 2. */
    put_lli(0x200, 0x3000, 0x4000, 0x1, ctl | 5);
    program(3, 0x1000, 0x2000, 0x200, ctl, ccfg(0, 0, 0, ALLINT | SYSDMA_EMU_PL080_CCFG_E));
    assert_int_equal(run(16), 16);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_TC_STATUS), 8);
    assert_int_equal(RC(3, SYSDMA_EMU_PL080_CH_SRC), 0x3000);
    assert_int_equal(RC(3, SYSDMA_EMU_PL080_CH_DST), 0x4000);
    assert_int_equal(RC(3, SYSDMA_EMU_PL080_CH_LLI), 0x1);
    assert_int_equal(RC(3, SYSDMA_EMU_PL080_CH_CONTROL), ctl | 5);
    W(SYSDMA_EMU_PL080_INT_TC_CLEAR, 8);
    assert_int_equal(run(1000), 21);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_TC_STATUS), 8);
    assert_int_equal(irq.tc_edges, 2);
    assert_int_equal(R(SYSDMA_EMU_PL080_ENABLED_CHANNELS), 0);
}

/* A circular list never ends: the loop transfer; the budget bounds run(). */
static void test_circular_list(void **state)
{
    (void)state;
    fresh();
    fill(0x1000, 128, 2);
    uint32_t ctl = sysdma_emu_pl080_control(16, 1, 1, WORD, WORD, INCR | SYSDMA_EMU_PL080_CTL_I);
    put_lli(0x100, 0x1000, 0x2000, 0x110, ctl);
    put_lli(0x110, 0x1040, 0x2040, 0x100, ctl);
    program(0, 0x1000, 0x2000, 0x110, ctl, ccfg(0, 0, 0, ALLINT | SYSDMA_EMU_PL080_CCFG_E));
    /* Each pass of an item costs 64 data bytes and a 16-byte LLI fetch. */
    size_t moved = run(10000);
    assert_int_equal(moved, 8000);
    assert_memory_equal(ram + 0x2000, ram + 0x1000, 128);
    assert_int_equal(R(SYSDMA_EMU_PL080_ENABLED_CHANNELS), 1);
    assert_int_equal(dmac.stats.items[0], 125);
    assert_int_equal(dmac.stats.lli_fetches, 125);
    assert_true(irq.tc);
}

/* A zero TransferSize item ends at once (TC, next item) without data. */
static void test_zero_count_item(void **state)
{
    (void)state;
    fresh();
    program(0, 0x1000, 0x2000, 0,
            sysdma_emu_pl080_control(0, 0, 0, WORD, WORD, INCR | SYSDMA_EMU_PL080_CTL_I),
            ccfg(0, 0, 0, ALLINT | SYSDMA_EMU_PL080_CCFG_E));
    assert_int_equal(run(100), 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_TC_STATUS), 1);
    assert_int_equal(R(SYSDMA_EMU_PL080_ENABLED_CHANNELS), 0);
    /* An empty item that links to itself is bounded by the budget. */
    put_lli(0x100, 0, 0, 0x100, sysdma_emu_pl080_control(0, 0, 0, WORD, WORD, INCR));
    program(0, 0, 0, 0x100, sysdma_emu_pl080_control(0, 0, 0, WORD, WORD, INCR),
            ccfg(0, 0, 0, SYSDMA_EMU_PL080_CCFG_E));
    assert_int_equal(run(1600), 0);
    assert_int_equal(dmac.stats.lli_fetches, 100);
}

static void test_bus_error_source(void **state)
{
    (void)state;
    fresh();
    program(1, NOWHERE, 0x2000, 0,
            sysdma_emu_pl080_control(8, 0, 0, WORD, WORD, INCR | SYSDMA_EMU_PL080_CTL_I),
            ccfg(0, 0, 0, ALLINT | SYSDMA_EMU_PL080_CCFG_E));
    assert_int_equal(run(1000), 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_ERR_STATUS), 2);
    assert_int_equal(R(SYSDMA_EMU_PL080_INT_ERR_STATUS), 2);
    assert_int_equal(R(SYSDMA_EMU_PL080_INT_STATUS), 2);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_TC_STATUS), 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_ENABLED_CHANNELS), 0);
    assert_true(irq.err && irq.intr && !irq.tc);
    assert_int_equal(ram[0x2000], 0);
    guards_intact();
}

/* A destination that runs off the end of RAM: the burst that would leave
 * it errors before writing anything; earlier bursts are in RAM. */
static void test_bus_error_destination_past_ram(void **state)
{
    (void)state;
    fresh();
    fill(0x1000, 64, 4);
    program(0, 0x1000, RAM_SIZE - 32, 0, sysdma_emu_pl080_control(16, 2, 2, WORD, WORD, INCR),
            ccfg(0, 0, 0, ALLINT | SYSDMA_EMU_PL080_CCFG_E));
    assert_int_equal(run(1000), 32);
    assert_memory_equal(ram + RAM_SIZE - 32, ram + 0x1000, 32);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_ERR_STATUS), 1);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_DST), RAM_SIZE);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_CONTROL) & 0xFFF, 8);
    guards_intact();
}

static void test_bus_error_lli_fetch(void **state)
{
    (void)state;
    fresh();
    program(0, 0x1000, 0x2000, NOWHERE,
            sysdma_emu_pl080_control(4, 0, 0, WORD, WORD, INCR | SYSDMA_EMU_PL080_CTL_I),
            ccfg(0, 0, 0, ALLINT | SYSDMA_EMU_PL080_CCFG_E));
    assert_int_equal(run(1000), 16);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_TC_STATUS), 1); /* the item itself ended */
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_ERR_STATUS), 1);
    assert_int_equal(R(SYSDMA_EMU_PL080_ENABLED_CHANNELS), 0);
    assert_int_equal(dmac.stats.errors, 1);
}

static void test_ie_masks_and_errclr(void **state)
{
    (void)state;
    fresh();
    program(4, NOWHERE, 0x2000, 0, sysdma_emu_pl080_control(1, 0, 0, WORD, WORD, INCR),
            ccfg(0, 0, 0, SYSDMA_EMU_PL080_CCFG_ITC | SYSDMA_EMU_PL080_CCFG_E));
    program(5, NOWHERE, 0x2000, 0, sysdma_emu_pl080_control(1, 0, 0, WORD, WORD, INCR),
            ccfg(0, 0, 0, ALLINT | SYSDMA_EMU_PL080_CCFG_E));
    run(100);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_ERR_STATUS), 0x30);
    assert_int_equal(R(SYSDMA_EMU_PL080_INT_ERR_STATUS), 0x20); /* channel 4 masked */
    W(SYSDMA_EMU_PL080_INT_ERR_CLEAR, 0x20);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_ERR_STATUS), 0x10);
    assert_false(irq.err || irq.intr);
    W(SYSDMA_EMU_PL080_INT_ERR_CLEAR, 0xFF);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_ERR_STATUS), 0);
}

/* Channel 0 has the highest priority: channel 1 waits until it is done. */
static void test_fixed_priority(void **state)
{
    (void)state;
    fresh();
    program(1, 0x1000, 0x3000, 0, sysdma_emu_pl080_control(64, 1, 1, WORD, WORD, INCR),
            ccfg(0, 0, 0, SYSDMA_EMU_PL080_CCFG_E));
    program(0, 0x1000, 0x2000, 0, sysdma_emu_pl080_control(64, 1, 1, WORD, WORD, INCR),
            ccfg(0, 0, 0, SYSDMA_EMU_PL080_CCFG_E));
    assert_int_equal(run(200), 208); /* 13 bursts of 16 bytes */
    assert_int_equal(dmac.stats.bytes[0], 208);
    assert_int_equal(dmac.stats.bytes[1], 0);
    run(1000);
    assert_int_equal(dmac.stats.bytes[0], 256);
    assert_int_equal(dmac.stats.bytes[1], 256);
}

/* RAM at another bus address: addresses below it are bus errors. */
static void test_ram_base(void **state)
{
    (void)state;
    fresh_at(0x80000000u);
    ram[0x10] = 0x5A;
    program(0, 0x80000010u, 0x80000100u, 0, sysdma_emu_pl080_control(1, 0, 0, BYTE, BYTE, INCR),
            ccfg(0, 0, 0, ALLINT | SYSDMA_EMU_PL080_CCFG_E));
    run(10);
    assert_int_equal(ram[0x100], 0x5A);
    program(0, 0x10, 0x100, 0, sysdma_emu_pl080_control(1, 0, 0, BYTE, BYTE, INCR),
            ccfg(0, 0, 0, ALLINT | SYSDMA_EMU_PL080_CCFG_E));
    run(10);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_ERR_STATUS), 1);
    guards_intact();
}

/* A transfer running into the top of the 32-bit space is an error, not a wrap. */
static void test_no_wrap_at_4g(void **state)
{
    (void)state;
    fresh_at(0xFFFC0000u); /* RAM_SIZE bytes: exactly to the top */
    program(0, 0xFFFFFFF8u, 0xFFFC0000u, 0, sysdma_emu_pl080_control(4, 0, 0, WORD, WORD, INCR),
            ccfg(0, 0, 0, ALLINT | SYSDMA_EMU_PL080_CCFG_E));
    assert_int_equal(run(100), 8);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_ERR_STATUS), 1);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_SRC), 0);
    guards_intact();
}

/* The budget: a burst is never split, so run() may overshoot by < 1 burst. */
static void test_budget(void **state)
{
    (void)state;
    fresh();
    program(0, 0x1000, 0x9000, 0, sysdma_emu_pl080_control(4000, 7, 7, WORD, WORD, INCR),
            ccfg(0, 0, 0, SYSDMA_EMU_PL080_CCFG_E));
    assert_int_equal(run(1), 1024);
    assert_int_equal(run(1025), 2048);
    assert_int_equal(run(0), 0);
    assert_int_equal(run(1u << 20), 16000 - 3072);
    assert_int_equal(dmac.stats.services[0], 16);
}

static void test_window_rules(void **state)
{
    (void)state;
    fresh();
    sysdma_emu_pl080_window w = {0x100, 4, dev_read, dev_write, NULL};
    assert_false(sysdma_emu_pl080_map_window(&dmac, &w)); /* inside RAM */
    w.base = FIFO_ADDR + 2;
    assert_false(sysdma_emu_pl080_map_window(&dmac, &w)); /* overlaps a window */
    w.base = 0xFFFFFFFEu;
    assert_false(sysdma_emu_pl080_map_window(&dmac, &w)); /* wraps */
    w.base = 0xD0000000u;
    w.size = 0;
    assert_false(sysdma_emu_pl080_map_window(&dmac, &w));
    assert_false(sysdma_emu_pl080_map_window(&dmac, NULL));
    w.size = 4;
    for (unsigned k = 1; k < SYSDMA_EMU_PL080_WINDOWS; k++) {
        w.base = 0xD0000000u + 0x10 * k;
        assert_true(sysdma_emu_pl080_map_window(&dmac, &w));
    }
    w.base = 0xE0000000u;
    assert_false(sysdma_emu_pl080_map_window(&dmac, &w)); /* all used */
    sysdma_emu_pl080_periph p = {dev_response, NULL};
    assert_false(sysdma_emu_pl080_attach(&dmac, 16, &p));
    assert_true(sysdma_emu_pl080_attach(&dmac, 15, NULL));
}

static void test_save_restore(void **state)
{
    (void)state;
    fresh();
    program(6, 0x1000, 0x2000, 0x300, sysdma_emu_pl080_control(9, 1, 2, BYTE, HALF, INCR),
            ccfg(2, 4, 0, ALLINT));
    W(SYSDMA_EMU_PL080_SOFT_LBREQ, 0x8000);
    W(SYSDMA_EMU_PL080_SYNC, 0x0F0F);
    sysdma_emu_pl080_state st, bad;
    sysdma_emu_pl080_save(&dmac, &st);
    sysdma_emu_pl080_reset(&dmac);
    assert_int_equal(R(SYSDMA_EMU_PL080_SYNC), 0);
    bad = st;
    bad.version = 99;
    assert_false(sysdma_emu_pl080_restore(&dmac, &bad));
    bad = st;
    bad.ch[3].config = SYSDMA_EMU_PL080_CCFG_A;
    assert_false(sysdma_emu_pl080_restore(&dmac, &bad));
    bad = st;
    bad.ch[3].lli = 2;
    assert_false(sysdma_emu_pl080_restore(&dmac, &bad));
    bad = st;
    bad.config = 8;
    assert_false(sysdma_emu_pl080_restore(&dmac, &bad));
    bad = st;
    bad.fifo_n[1] = 5; /* more than the FIFO array holds */
    assert_false(sysdma_emu_pl080_restore(&dmac, &bad));
    assert_int_equal(R(SYSDMA_EMU_PL080_SYNC), 0); /* nothing changed */
    st.raw_err = 0x40;
    st.fifo_n[6] = 2; /* a FIFO holding data reads as Active */
    assert_true(sysdma_emu_pl080_restore(&dmac, &st));
    assert_true(RC(6, SYSDMA_EMU_PL080_CH_CONFIG) & SYSDMA_EMU_PL080_CCFG_A);
    assert_int_equal(R(SYSDMA_EMU_PL080_SYNC), 0x0F0F);
    assert_int_equal(R(SYSDMA_EMU_PL080_SOFT_LBREQ), 0x8000);
    assert_int_equal(RC(6, SYSDMA_EMU_PL080_CH_LLI), 0x300);
    assert_int_equal(R(SYSDMA_EMU_PL080_INT_ERR_STATUS), 0x40);
    assert_true(irq.err); /* the hook hears the restored levels */
}

static unsigned ev_count[5];
static uint32_t ev_last[5];
static void on_event(void *ctx, sysdma_emu_pl080_event ev, unsigned index, uint32_t value)
{
    (void)ctx;
    (void)index;
    assert_true(ev <= SYSDMA_EMU_PL080_EV_WRITE);
    ev_count[ev]++;
    ev_last[ev] = value;
}

/* The event hook sees register writes, request changes, services, item
 * ends and bus errors. */
static void test_event_hook(void **state)
{
    (void)state;
    fresh();
    memset(ev_count, 0, sizeof ev_count);
    sysdma_emu_pl080_set_event_hook(&dmac, on_event, NULL);
    put_lli(0x100, 0x1000, NOWHERE, 0, sysdma_emu_pl080_control(4, 0, 0, BYTE, BYTE, INCR));
    program(0, 0x1000, 0x2000, 0x100,
            sysdma_emu_pl080_control(8, 1, 1, BYTE, BYTE, INCR | SYSDMA_EMU_PL080_CTL_I),
            ccfg(0, 0, 0, ALLINT | SYSDMA_EMU_PL080_CCFG_E));
    assert_int_equal(ev_count[SYSDMA_EMU_PL080_EV_WRITE], 5);
    assert_int_equal(ev_last[SYSDMA_EMU_PL080_EV_WRITE], SYSDMA_EMU_PL080_CH(0, SYSDMA_EMU_PL080_CH_CONFIG));
    sysdma_emu_pl080_request(&dmac, 9, SYSDMA_EMU_PL080_REQ_SINGLE);
    sysdma_emu_pl080_request(&dmac, 9, SYSDMA_EMU_PL080_REQ_SINGLE); /* no change, no event */
    assert_int_equal(ev_count[SYSDMA_EMU_PL080_EV_REQUEST], 1);
    assert_int_equal(run(100), 8);
    assert_int_equal(ev_count[SYSDMA_EMU_PL080_EV_SERVICE], 1); /* two bursts at once */
    assert_int_equal(ev_last[SYSDMA_EMU_PL080_EV_SERVICE], 8);
    assert_int_equal(ev_count[SYSDMA_EMU_PL080_EV_ITEM], 1);
    assert_int_equal(ev_last[SYSDMA_EMU_PL080_EV_ITEM], 1);
    assert_int_equal(ev_count[SYSDMA_EMU_PL080_EV_ERROR], 1); /* the second item's destination */
    sysdma_emu_pl080_set_event_hook(&dmac, NULL, NULL);
    W(SYSDMA_EMU_PL080_SYNC, 1);
    assert_int_equal(ev_count[SYSDMA_EMU_PL080_EV_WRITE], 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_registers),
        cmocka_unit_test(test_reset_values_are_zero),
        cmocka_unit_test(test_config_and_sync_masks),
        cmocka_unit_test(test_channel_register_readback),
        cmocka_unit_test(test_unaligned_reserved_and_outside),
        cmocka_unit_test(test_m2m_item_completes),
        cmocka_unit_test(test_tc_only_with_i_bit),
        cmocka_unit_test(test_itc_masks_tc_interrupt),
        cmocka_unit_test(test_int_tc_clear),
        cmocka_unit_test(test_dmac_disabled_moves_nothing),
        cmocka_unit_test(test_halt_stops_and_resumes),
        cmocka_unit_test(test_disable_midway_keeps_registers),
        cmocka_unit_test(test_lli_chain),
        cmocka_unit_test(test_lli_loads_registers_and_tc_per_item),
        cmocka_unit_test(test_circular_list),
        cmocka_unit_test(test_zero_count_item),
        cmocka_unit_test(test_bus_error_source),
        cmocka_unit_test(test_bus_error_destination_past_ram),
        cmocka_unit_test(test_bus_error_lli_fetch),
        cmocka_unit_test(test_ie_masks_and_errclr),
        cmocka_unit_test(test_fixed_priority),
        cmocka_unit_test(test_ram_base),
        cmocka_unit_test(test_no_wrap_at_4g),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_window_rules),
        cmocka_unit_test(test_save_restore),
        cmocka_unit_test(test_event_hook),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
