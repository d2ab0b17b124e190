/* SPDX-License-Identifier: MIT */
/*
 * The emulated PL080's peripheral side against its technical reference
 * manual: burst and single requests, DMACCLR and DMACTC responses, software
 * requests, flow control by the DMAC (types 1-3) and by the peripheral
 * (types 4-7, ended by last requests), source/destination widths, fixed
 * addresses, AHB master endianness, reserved widths, device windows
 * (error responses, missing directions) and the Active bit.
 */
#include "emu_pl080_test.h"

#define B SYSDMA_EMU_PL080_REQ_BURST
#define S SYSDMA_EMU_PL080_REQ_SINGLE
#define LB SYSDMA_EMU_PL080_REQ_LBURST
#define LS SYSDMA_EMU_PL080_REQ_LSINGLE
#define E SYSDMA_EMU_PL080_CCFG_E

/* A second peripheral on line 5 that only counts responses. */
static unsigned clr5, tc5;
static void resp5(void *ctx, unsigned line, bool tc)
{
    (void)ctx;
    assert_int_equal(line, 5);
    clr5++;
    tc5 += tc;
}

static void attach5(void)
{
    clr5 = tc5 = 0;
    sysdma_emu_pl080_periph p = {resp5, NULL};
    assert_true(sysdma_emu_pl080_attach(&dmac, 5, &p));
}

/* Memory to peripheral, DMAC flow control: each burst request gets DBSize
 * transfers, the last burst is cut to the count and answered with DMACTC. */
static void test_m2p_burst_requests(void **state)
{
    (void)state;
    fresh();
    fill(0x1000, 20, 11);
    uint32_t ctl = sysdma_emu_pl080_control(20, 0, 2, BYTE, BYTE,
                                            SYSDMA_EMU_PL080_CTL_SI | SYSDMA_EMU_PL080_CTL_I);
    program(0, 0x1000, FIFO_ADDR, 0, ctl, ccfg(1, 0, 3, ALLINT | E));
    assert_false(sysdma_emu_pl080_pending(&dmac)); /* no request yet */
    assert_int_equal(run(1000), 0);
    dev.after_clr = B; /* the device keeps asking */
    sysdma_emu_pl080_request(&dmac, 3, B);
    assert_int_equal(run(1), 8);
    assert_int_equal(dev.clr, 1);
    assert_int_equal(run(1000), 12);
    assert_int_equal(dev.ngot, 20);
    assert_memory_equal(dev.got, ram + 0x1000, 20);
    assert_int_equal(dev.clr, 3);
    assert_int_equal(dev.tc, 1);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_DST), FIFO_ADDR); /* DI = 0 */
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_TC_STATUS), 1);
    assert_int_equal(R(SYSDMA_EMU_PL080_ENABLED_CHANNELS), 0);
}

static void test_m2p_single_requests(void **state)
{
    (void)state;
    fresh();
    fill(0x1000, 6, 1);
    program(0, 0x1000, FIFO_ADDR, 0,
            sysdma_emu_pl080_control(6, 0, 2, BYTE, BYTE, SYSDMA_EMU_PL080_CTL_SI),
            ccfg(1, 0, 3, E));
    dev.after_clr = 0; /* one request, then quiet */
    sysdma_emu_pl080_request(&dmac, 3, S);
    assert_int_equal(run(1000), 1);
    assert_false(sysdma_emu_pl080_pending(&dmac));
    dev.after_clr = S;
    sysdma_emu_pl080_request(&dmac, 3, S);
    assert_int_equal(run(1000), 5);
    assert_int_equal(dev.clr, 6);
    assert_int_equal(dev.tc, 1);
    assert_memory_equal(dev.got, ram + 0x1000, 6);
}

/* Burst wins over single when both are asserted. */
static void test_burst_preferred_over_single(void **state)
{
    (void)state;
    fresh();
    program(0, 0x1000, FIFO_ADDR, 0,
            sysdma_emu_pl080_control(100, 0, 1, BYTE, BYTE, SYSDMA_EMU_PL080_CTL_SI),
            ccfg(1, 0, 3, E));
    sysdma_emu_pl080_request(&dmac, 3, B | S);
    assert_int_equal(run(1), 4);
}

/* Peripheral to memory from the device's data register, word width. */
static void test_p2m_from_window(void **state)
{
    (void)state;
    fresh();
    program(2, FIFO_ADDR, 0x3000, 0,
            sysdma_emu_pl080_control(4, 1, 1, WORD, WORD, SYSDMA_EMU_PL080_CTL_DI | SYSDMA_EMU_PL080_CTL_I),
            ccfg(2, 3, 0, ALLINT | E));
    dev.after_clr = S;
    sysdma_emu_pl080_request(&dmac, 3, S);
    assert_int_equal(run(1000), 16);
    for (unsigned k = 0; k < 16; k++)
        assert_int_equal(ram[0x3000 + k], 0xA0 + k);
    assert_int_equal(dev.nread, 16);
    assert_int_equal(dev.clr, 4);
    assert_int_equal(dev.tc, 1);
    assert_int_equal(RC(2, SYSDMA_EMU_PL080_CH_SRC), FIFO_ADDR);
    assert_true(irq.tc);
}

/* Software requests: set by writing 1, read back with the hardware
 * levels, cleared when the request is served; writing 0 does nothing. */
static void test_soft_requests(void **state)
{
    (void)state;
    fresh();
    program(0, 0x1000, FIFO_ADDR, 0,
            sysdma_emu_pl080_control(64, 0, 2, BYTE, BYTE, SYSDMA_EMU_PL080_CTL_SI),
            ccfg(1, 0, 3, E));
    W(SYSDMA_EMU_PL080_SOFT_BREQ, 1u << 3);
    W(SYSDMA_EMU_PL080_SOFT_SREQ, 1u << 9);
    assert_int_equal(R(SYSDMA_EMU_PL080_SOFT_BREQ), 1u << 3);
    W(SYSDMA_EMU_PL080_SOFT_BREQ, 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_SOFT_BREQ), 1u << 3);
    assert_int_equal(run(1000), 8); /* one burst, then the request is gone */
    assert_int_equal(R(SYSDMA_EMU_PL080_SOFT_BREQ), 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_SOFT_SREQ), 1u << 9); /* another line's */
    W(SYSDMA_EMU_PL080_SOFT_SREQ, 1u << 3);
    assert_int_equal(run(1000), 1);
    /* Hardware levels show in the same registers. */
    sysdma_emu_pl080_request(&dmac, 12, LB | LS);
    assert_int_equal(R(SYSDMA_EMU_PL080_SOFT_LBREQ), 1u << 12);
    assert_int_equal(R(SYSDMA_EMU_PL080_SOFT_LSREQ), 1u << 12);
    sysdma_emu_pl080_request(&dmac, 12, 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_SOFT_LBREQ), 0);
    sysdma_emu_pl080_request(&dmac, 16, B); /* no such line: ignored */
    assert_int_equal(R(SYSDMA_EMU_PL080_SOFT_BREQ), 0);
}

/* Peripheral to memory with the peripheral as flow controller (type 6):
 * TransferSize is not used; the last single request ends the item, and
 * the response carries no DMACTC. */
static void test_peripheral_flow_control_p2m(void **state)
{
    (void)state;
    fresh();
    uint32_t ctl = sysdma_emu_pl080_control(2, 0, 0, BYTE, BYTE,
                                            SYSDMA_EMU_PL080_CTL_DI | SYSDMA_EMU_PL080_CTL_I);
    program(1, FIFO_ADDR, 0x3000, 0, ctl, ccfg(6, 3, 0, ALLINT | E));
    dev.after_clr = S;
    sysdma_emu_pl080_request(&dmac, 3, S);
    assert_int_equal(run(5), 5); /* beyond TransferSize = 2 */
    assert_int_equal(R(SYSDMA_EMU_PL080_ENABLED_CHANNELS), 2);
    assert_int_equal(RC(1, SYSDMA_EMU_PL080_CH_CONTROL), ctl);
    dev.after_clr = 0;
    sysdma_emu_pl080_request(&dmac, 3, LS);
    assert_int_equal(run(100), 1);
    assert_int_equal(R(SYSDMA_EMU_PL080_ENABLED_CHANNELS), 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_TC_STATUS), 2);
    assert_int_equal(dev.clr, 6);
    assert_int_equal(dev.tc, 0);
    assert_int_equal(RC(1, SYSDMA_EMU_PL080_CH_DST), 0x3006);
}

/* Memory to peripheral, peripheral flow control (type 5): a last burst
 * request moves a burst and ends the item. */
static void test_peripheral_flow_control_m2p_last_burst(void **state)
{
    (void)state;
    fresh();
    program(0, 0x1000, FIFO_ADDR, 0,
            sysdma_emu_pl080_control(0, 0, 1, BYTE, HALF, SYSDMA_EMU_PL080_CTL_SI),
            ccfg(5, 0, 3, E));
    sysdma_emu_pl080_request(&dmac, 3, B);
    dev.after_clr = B;
    assert_int_equal(run(8), 8);
    dev.after_clr = 0;
    sysdma_emu_pl080_request(&dmac, 3, LB);
    assert_int_equal(run(100), 8);
    assert_int_equal(R(SYSDMA_EMU_PL080_ENABLED_CHANNELS), 0);
    assert_int_equal(dev.ngot, 16);
}

/* Types 3, 4 and 7 connect two peripherals: both must request; both hear
 * DMACCLR; with DMAC flow control both hear DMACTC at the end. */
static void test_p2p_needs_both_peripherals(void **state)
{
    (void)state;
    fresh();
    attach5();
    fill(0x1000, 8, 3);
    program(0, 0x1000, 0x2000, 0, sysdma_emu_pl080_control(8, 0, 0, BYTE, BYTE, INCR),
            ccfg(3, 3, 5, E));
    sysdma_emu_pl080_request(&dmac, 3, B);
    assert_false(sysdma_emu_pl080_pending(&dmac));
    sysdma_emu_pl080_request(&dmac, 5, S);
    dev.after_clr = B;
    assert_int_equal(run(100), 8); /* the source's requests size it: bursts of 1 */
    assert_int_equal(dev.clr, 8);
    assert_int_equal(clr5, 8);
    assert_int_equal(dev.tc, 1);
    assert_int_equal(tc5, 1);
    assert_memory_equal(ram + 0x2000, ram + 0x1000, 8);
}

/* Type 4: the destination peripheral controls the flow and sizes services. */
static void test_p2p_destination_controls(void **state)
{
    (void)state;
    fresh();
    attach5();
    program(0, 0x1000, 0x2000, 0, sysdma_emu_pl080_control(1, 0, 1, BYTE, BYTE, INCR),
            ccfg(4, 3, 5, E));
    dev.after_clr = S;
    sysdma_emu_pl080_request(&dmac, 3, S);
    sysdma_emu_pl080_request(&dmac, 5, LB);
    assert_int_equal(run(100), 4);
    assert_int_equal(R(SYSDMA_EMU_PL080_ENABLED_CHANNELS), 0);
    assert_int_equal(tc5, 0);
}

/* Widths: TransferSize counts source units; the destination is written in
 * its own units. */
static void test_width_conversion(void **state)
{
    (void)state;
    fresh();
    fill(0x1000, 64, 21);
    program(0, 0x1000, 0x2000, 0, sysdma_emu_pl080_control(6, 0, 0, HALF, WORD, INCR),
            ccfg(0, 0, 0, E));
    assert_int_equal(run(1000), 12);
    assert_memory_equal(ram + 0x2000, ram + 0x1000, 12);
    assert_int_equal(ram[0x2000 + 12], 0);
    program(1, 0x1000, 0x3000, 0, sysdma_emu_pl080_control(6, 0, 0, WORD, BYTE, INCR),
            ccfg(0, 0, 0, E));
    assert_int_equal(run(1000), 24);
    assert_memory_equal(ram + 0x3000, ram + 0x1000, 24);
}

/* A fixed source address is read again for each source unit. */
static void test_fixed_source_address(void **state)
{
    (void)state;
    fresh();
    put32(0x1000, 0x44332211);
    program(0, 0x1000, 0x2000, 0,
            sysdma_emu_pl080_control(5, 1, 1, WORD, WORD, SYSDMA_EMU_PL080_CTL_DI),
            ccfg(0, 0, 0, E));
    assert_int_equal(run(1000), 20);
    for (unsigned k = 0; k < 20; k++)
        assert_int_equal(ram[0x2000 + k], 0x11 * (k % 4 + 1));
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_SRC), 0x1000);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_DST), 0x2014);
}

/* A fixed destination gets whole destination units, the last one partial. */
static void test_fixed_destination_units(void **state)
{
    (void)state;
    fresh();
    fill(0x1000, 6, 40);
    program(0, 0x1000, FIFO_ADDR, 0,
            sysdma_emu_pl080_control(3, 0, 0, HALF, WORD, SYSDMA_EMU_PL080_CTL_SI),
            ccfg(0, 0, 0, E));
    assert_int_equal(run(1000), 6);
    assert_int_equal(dev.ngot, 6);
    assert_memory_equal(dev.got, ram + 0x1000, 6);
}

/* Big-endian AHB master 1: linked-list words are read big-endian. */
static void test_big_endian_lli(void **state)
{
    (void)state;
    fresh();
    W(SYSDMA_EMU_PL080_CONFIG, SYSDMA_EMU_PL080_CFG_E | SYSDMA_EMU_PL080_CFG_M1_BE);
    uint32_t ctl = sysdma_emu_pl080_control(4, 0, 0, BYTE, BYTE, INCR);
    static const uint8_t item[16] = {0, 0, 0x30, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0x0C, 0, 0, 4};
    memcpy(ram + 0x100, item, sizeof item);
    fill(0x3000, 8, 77);
    program(0, 0x1000, 0x2000, 0x100, ctl, ccfg(0, 0, 0, E));
    assert_int_equal(run(100), 8);
    assert_memory_equal(ram + 0x4000, ram + 0x3000, 4);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_CONTROL), ctl & ~0xFFFu);
}

/* Masters of different endianness: bytes swap inside each word; the same
 * endianness on both sides moves the byte stream unchanged. */
static void test_endianness_between_masters(void **state)
{
    (void)state;
    fresh();
    W(SYSDMA_EMU_PL080_CONFIG, SYSDMA_EMU_PL080_CFG_E | SYSDMA_EMU_PL080_CFG_M2_BE);
    put32(0x1000, 0x44332211);
    put32(0x1004, 0x88776655);
    program(0, 0x1000, 0x2000, 0,
            sysdma_emu_pl080_control(2, 0, 0, WORD, WORD, INCR | SYSDMA_EMU_PL080_CTL_D),
            ccfg(0, 0, 0, E));
    assert_int_equal(run(100), 8);
    static const uint8_t want[8] = {0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55};
    assert_memory_equal(ram + 0x2000, want, 8);
    W(SYSDMA_EMU_PL080_CONFIG, 7); /* both big-endian */
    program(0, 0x1000, 0x3000, 0,
            sysdma_emu_pl080_control(2, 0, 0, WORD, WORD, INCR | SYSDMA_EMU_PL080_CTL_D),
            ccfg(0, 0, 0, E));
    run(100);
    assert_memory_equal(ram + 0x3000, ram + 0x1000, 8);
}

static void test_reserved_width_is_error(void **state)
{
    (void)state;
    fresh();
    program(0, 0x1000, 0x2000, 0, sysdma_emu_pl080_control(4, 0, 0, 3, WORD, INCR),
            ccfg(0, 0, 0, ALLINT | E));
    assert_int_equal(run(100), 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_ERR_STATUS), 1);
    assert_true(irq.err);
    assert_int_equal(sysdma_emu_pl080_burst_bytes(7, 2), 1024);
    assert_int_equal(sysdma_emu_pl080_burst_bytes(1, 5), 0);
}

/* A device that answers with an AHB error makes a bus error. */
static void test_window_error_response(void **state)
{
    (void)state;
    fresh();
    dev.fail_write = true;
    program(0, 0x1000, FIFO_ADDR, 0, sysdma_emu_pl080_control(4, 0, 0, BYTE, BYTE, SYSDMA_EMU_PL080_CTL_SI),
            ccfg(0, 0, 0, ALLINT | E));
    assert_int_equal(run(100), 0);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_ERR_STATUS), 1);
    assert_int_equal(R(SYSDMA_EMU_PL080_ENABLED_CHANNELS), 0);
}

/* A window without a read callback cannot be read; a range that leaves a
 * window is not inside it. */
static void test_window_direction_and_extent(void **state)
{
    (void)state;
    fresh();
    sysdma_emu_pl080_window w = {0xD0000000u, 16, NULL, dev_write, NULL};
    assert_true(sysdma_emu_pl080_map_window(&dmac, &w));
    program(0, 0xD0000000u, 0x2000, 0, sysdma_emu_pl080_control(1, 0, 0, WORD, WORD, INCR),
            ccfg(0, 0, 0, ALLINT | E));
    run(100);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_ERR_STATUS), 1);
    W(SYSDMA_EMU_PL080_INT_ERR_CLEAR, 1);
    program(0, 0x1000, 0xD000000Cu, 0, sysdma_emu_pl080_control(2, 1, 1, WORD, WORD, INCR),
            ccfg(0, 0, 0, ALLINT | E));
    run(100);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_ERR_STATUS), 1);
    assert_int_equal(dev.ngot, 0); /* checked before anything was written */
}

/* A (the FIFO holds data) reads 1 while the channel is in a transfer. */
static void test_active_bit_during_service(void **state)
{
    (void)state;
    fresh();
    program(0, 0x1000, FIFO_ADDR, 0, sysdma_emu_pl080_control(1, 0, 0, BYTE, BYTE, 0),
            ccfg(0, 0, 0, E));
    run(10);
    assert_int_equal(dev.ngot, 1);
    assert_true(dev.seen_config & SYSDMA_EMU_PL080_CCFG_A);
    assert_false(RC(0, SYSDMA_EMU_PL080_CH_CONFIG) & SYSDMA_EMU_PL080_CCFG_A);
}

/* A response callback may reprogram the DMAC: here it halts the channel. */
static void halt_on_clr(void *ctx, unsigned line, bool tc)
{
    (void)ctx;
    (void)line;
    (void)tc;
    uint32_t off = SYSDMA_EMU_PL080_CH(0, SYSDMA_EMU_PL080_CH_CONFIG);
    W(off, R(off) | SYSDMA_EMU_PL080_CCFG_H);
}

static void test_response_may_reprogram(void **state)
{
    (void)state;
    fresh();
    sysdma_emu_pl080_periph p = {halt_on_clr, NULL};
    sysdma_emu_pl080_attach(&dmac, 3, &p);
    program(0, 0x1000, FIFO_ADDR, 0,
            sysdma_emu_pl080_control(50, 0, 0, BYTE, BYTE, SYSDMA_EMU_PL080_CTL_SI),
            ccfg(1, 0, 3, E));
    sysdma_emu_pl080_request(&dmac, 3, B);
    assert_int_equal(run(100), 1);
    assert_false(sysdma_emu_pl080_pending(&dmac));
}

/* A word source and a byte destination: each single request writes one
 * byte; the rest of the word waits in the channel FIFO (A = 1), and
 * TransferSize counts the words read. */
static void test_fifo_keeps_rest_of_source_unit(void **state)
{
    (void)state;
    fresh();
    put32(0x1000, 0x44332211);
    put32(0x1004, 0x88776655);
    program(0, 0x1000, FIFO_ADDR, 0,
            sysdma_emu_pl080_control(2, 0, 0, WORD, BYTE, SYSDMA_EMU_PL080_CTL_SI | SYSDMA_EMU_PL080_CTL_I),
            ccfg(1, 0, 3, ALLINT | E));
    sysdma_emu_pl080_request(&dmac, 3, S);
    assert_int_equal(run(1), 1); /* the response lowers the request */
    assert_int_equal(dev.ngot, 1);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_CONTROL) & 0xFFF, 1);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_SRC), 0x1004);
    assert_true(RC(0, SYSDMA_EMU_PL080_CH_CONFIG) & SYSDMA_EMU_PL080_CCFG_A);
    dev.after_clr = S;
    sysdma_emu_pl080_request(&dmac, 3, S);
    assert_int_equal(run(100), 7);
    static const uint8_t want[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    assert_memory_equal(dev.got, want, 8);
    assert_int_equal(dev.clr, 8);
    assert_int_equal(dev.tc, 1); /* with the last byte, not the last read */
    assert_false(RC(0, SYSDMA_EMU_PL080_CH_CONFIG) & SYSDMA_EMU_PL080_CCFG_A);
    assert_int_equal(R(SYSDMA_EMU_PL080_RAW_TC_STATUS), 1);
}

/* Halfword reads into word writes: a read that makes no whole word waits
 * in the FIFO. */
static void test_fifo_gathers_destination_unit(void **state)
{
    (void)state;
    fresh();
    fill(0x1000, 8, 60);
    program(0, 0x1000, 0x2000, 0, sysdma_emu_pl080_control(4, 0, 0, HALF, WORD, INCR),
            ccfg(0, 0, 0, E));
    assert_int_equal(run(1), 0); /* one halfword read, nothing written */
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_SRC), 0x1002);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_DST), 0x2000);
    assert_true(RC(0, SYSDMA_EMU_PL080_CH_CONFIG) & SYSDMA_EMU_PL080_CCFG_A);
    assert_int_equal(run(1), 4);
    assert_false(RC(0, SYSDMA_EMU_PL080_CH_CONFIG) & SYSDMA_EMU_PL080_CCFG_A);
    assert_int_equal(run(100), 4);
    assert_memory_equal(ram + 0x2000, ram + 0x1000, 8);
}

/* Halt: no more reads, but what the FIFO holds still drains on the
 * destination's requests; then A = 0 and the channel may be disabled. */
static void test_halt_drains_fifo(void **state)
{
    (void)state;
    fresh();
    put32(0x1000, 0x44332211);
    uint32_t cfg = ccfg(1, 0, 3, E);
    program(0, 0x1000, FIFO_ADDR, 0,
            sysdma_emu_pl080_control(8, 0, 0, WORD, BYTE, SYSDMA_EMU_PL080_CTL_SI), cfg);
    sysdma_emu_pl080_request(&dmac, 3, S);
    assert_int_equal(run(1), 1);
    W(SYSDMA_EMU_PL080_CH(0, SYSDMA_EMU_PL080_CH_CONFIG), cfg | SYSDMA_EMU_PL080_CCFG_H);
    dev.after_clr = S;
    sysdma_emu_pl080_request(&dmac, 3, S);
    assert_int_equal(run(100), 3);
    assert_int_equal(dev.ngot, 4);
    assert_int_equal(RC(0, SYSDMA_EMU_PL080_CH_CONTROL) & 0xFFF, 7); /* no new reads */
    assert_false(RC(0, SYSDMA_EMU_PL080_CH_CONFIG) & SYSDMA_EMU_PL080_CCFG_A);
    assert_false(sysdma_emu_pl080_pending(&dmac));
    W(SYSDMA_EMU_PL080_CH(0, SYSDMA_EMU_PL080_CH_CONFIG), cfg);
    assert_int_equal(run(1), 1); /* resumed: the next word */
}

/* Disabling a channel loses what its FIFO held. */
static void test_disable_empties_fifo(void **state)
{
    (void)state;
    fresh();
    put32(0x1000, 0x44332211);
    uint32_t cfg = ccfg(1, 0, 3, E);
    program(0, 0x1000, FIFO_ADDR, 0,
            sysdma_emu_pl080_control(8, 0, 0, WORD, BYTE, SYSDMA_EMU_PL080_CTL_SI), cfg);
    sysdma_emu_pl080_request(&dmac, 3, S);
    run(1);
    assert_true(RC(0, SYSDMA_EMU_PL080_CH_CONFIG) & SYSDMA_EMU_PL080_CCFG_A);
    W(SYSDMA_EMU_PL080_CH(0, SYSDMA_EMU_PL080_CH_CONFIG), cfg & ~E);
    assert_false(RC(0, SYSDMA_EMU_PL080_CH_CONFIG) & SYSDMA_EMU_PL080_CCFG_A);
    W(SYSDMA_EMU_PL080_CH(0, SYSDMA_EMU_PL080_CH_CONFIG), cfg);
    sysdma_emu_pl080_request(&dmac, 3, S);
    run(1);
    assert_int_equal(dev.got[1], 0x00); /* the next word (0x1004), not 0x22 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_m2p_burst_requests),
        cmocka_unit_test(test_m2p_single_requests),
        cmocka_unit_test(test_burst_preferred_over_single),
        cmocka_unit_test(test_p2m_from_window),
        cmocka_unit_test(test_soft_requests),
        cmocka_unit_test(test_peripheral_flow_control_p2m),
        cmocka_unit_test(test_peripheral_flow_control_m2p_last_burst),
        cmocka_unit_test(test_p2p_needs_both_peripherals),
        cmocka_unit_test(test_p2p_destination_controls),
        cmocka_unit_test(test_width_conversion),
        cmocka_unit_test(test_fixed_source_address),
        cmocka_unit_test(test_fixed_destination_units),
        cmocka_unit_test(test_big_endian_lli),
        cmocka_unit_test(test_endianness_between_masters),
        cmocka_unit_test(test_reserved_width_is_error),
        cmocka_unit_test(test_window_error_response),
        cmocka_unit_test(test_window_direction_and_extent),
        cmocka_unit_test(test_active_bit_during_service),
        cmocka_unit_test(test_response_may_reprogram),
        cmocka_unit_test(test_fifo_keeps_rest_of_source_unit),
        cmocka_unit_test(test_fifo_gathers_destination_unit),
        cmocka_unit_test(test_halt_drains_fifo),
        cmocka_unit_test(test_disable_empties_fifo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
