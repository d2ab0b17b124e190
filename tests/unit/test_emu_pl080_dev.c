/* SPDX-License-Identifier: MIT */
/*
 * The devices with PL080 request lines, driven by the emulated PL080: a
 * UART-style FIFO device sending a packet and a scattered list at the
 * wire's pace and receiving into memory, and an audio FIFO device playing
 * a cyclic buffer through a circular linked list at its sample rate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu_pl080_dev.h"

#define RAM_SIZE (128u * 1024u)
#define UART_ADDR 0x101F1000u
#define AUDIO_ADDR 0x10004000u
#define RAM_BASE 0x80000000u
#define E SYSDMA_EMU_PL080_CCFG_E
#define INTS (SYSDMA_EMU_PL080_CCFG_IE | SYSDMA_EMU_PL080_CCFG_ITC)

static uint8_t ram[RAM_SIZE];
static sysdma_emu_physmem mem;
static sysdma_emu_pl080 dmac;
static uint8_t wire[8192];
static size_t nwire;
static unsigned tc_edges;
static bool tc_level;

static void on_tx(void *ctx, uint8_t b)
{
    (void)ctx;
    if (nwire < sizeof wire)
        wire[nwire] = b;
    nwire++;
}

static void on_irq(void *ctx, bool intr, bool tc, bool err)
{
    (void)ctx;
    (void)intr;
    assert_false(err);
    if (tc && !tc_level)
        tc_edges++;
    tc_level = tc;
}

static void setup(void)
{
    memset(ram, 0, sizeof ram);
    nwire = 0;
    tc_edges = 0;
    tc_level = false;
    sysdma_emu_physmem_init(&mem, ram, RAM_SIZE);
    sysdma_emu_pl080_init(&dmac, &mem, RAM_BASE);
    sysdma_emu_pl080_set_irq(&dmac, on_irq, NULL);
    sysdma_emu_pl080_write(&dmac, SYSDMA_EMU_PL080_CONFIG, SYSDMA_EMU_PL080_CFG_E);
}

static void W(uint32_t off, uint32_t v)
{
    sysdma_emu_pl080_write(&dmac, off, v);
}

static void program(unsigned c, uint32_t src, uint32_t dst, uint32_t lli, uint32_t ctl, uint32_t cfg)
{
    W(SYSDMA_EMU_PL080_CH(c, SYSDMA_EMU_PL080_CH_SRC), src);
    W(SYSDMA_EMU_PL080_CH(c, SYSDMA_EMU_PL080_CH_DST), dst);
    W(SYSDMA_EMU_PL080_CH(c, SYSDMA_EMU_PL080_CH_LLI), lli);
    W(SYSDMA_EMU_PL080_CH(c, SYSDMA_EMU_PL080_CH_CONTROL), ctl);
    W(SYSDMA_EMU_PL080_CH(c, SYSDMA_EMU_PL080_CH_CONFIG), cfg);
}

static void put_lli(uint32_t at, uint32_t src, uint32_t dst, uint32_t next, uint32_t ctl)
{
    uint32_t w[4] = {src, dst, next, ctl};
    memcpy(ram + at, w, sizeof w); /* little-endian host, master 1 little-endian */
}

static const sysdma_emu_uart_config uart_cfg = {UART_ADDR, 4, 5, 16, 4, 1000, on_tx, NULL};

/* Memory to UART, DMAC flow control, bursts of 4 bytes: the wire sets the
 * pace, one byte per microsecond, and the FIFO never runs dry. */
static void test_uart_packet_device_paced(void **state)
{
    (void)state;
    setup();
    sysdma_emu_uart u;
    assert_true(sysdma_emu_uart_init(&u, &dmac, &uart_cfg));
    for (unsigned k = 0; k < 1000; k++)
        ram[0x1000 + k] = (uint8_t)(k * 13 + 1);
    program(0, RAM_BASE + 0x1000, UART_ADDR, 0,
            sysdma_emu_pl080_control(1000, 0, 1, 0, 0, SYSDMA_EMU_PL080_CTL_SI | SYSDMA_EMU_PL080_CTL_I),
            (1u << 11) | (4u << 6) | INTS | E);
    for (unsigned step = 1; step <= 1000; step++) {
        sysdma_emu_pl080_run(&dmac, 1u << 16);
        sysdma_emu_uart_advance(&u, 1000);
        assert_int_equal(u.tx_bytes, step); /* exactly one byte per microsecond */
    }
    assert_int_equal(nwire, 1000);
    assert_memory_equal(wire, ram + 0x1000, 1000);
    assert_int_equal(u.tx_overruns, 0);
    assert_int_equal(u.tx_tcs, 1);
    assert_int_equal(tc_edges, 1);
    assert_int_equal(sysdma_emu_pl080_read(&dmac, SYSDMA_EMU_PL080_ENABLED_CHANNELS), 0);
}

/* A physically scattered buffer sent by the hardware's own list. */
static void test_uart_scatter_gather(void **state)
{
    (void)state;
    setup();
    sysdma_emu_uart u;
    assert_true(sysdma_emu_uart_init(&u, &dmac, &uart_cfg));
    static const uint32_t piece[3] = {0x9000, 0x2000, 0x5800};
    static const uint32_t len[3] = {300, 1000, 77};
    uint8_t want[1377];
    size_t n = 0;
    for (unsigned p = 0; p < 3; p++)
        for (uint32_t k = 0; k < len[p]; k++)
            want[n++] = ram[piece[p] + k] = (uint8_t)(p * 50 + k);
    uint32_t flags = SYSDMA_EMU_PL080_CTL_SI;
    put_lli(0x100, RAM_BASE + piece[1], UART_ADDR, RAM_BASE + 0x110,
            sysdma_emu_pl080_control(len[1], 0, 1, 0, 0, flags));
    put_lli(0x110, RAM_BASE + piece[2], UART_ADDR, 0,
            sysdma_emu_pl080_control(len[2], 0, 1, 0, 0, flags | SYSDMA_EMU_PL080_CTL_I));
    program(2, RAM_BASE + piece[0], UART_ADDR, RAM_BASE + 0x100,
            sysdma_emu_pl080_control(len[0], 0, 1, 0, 0, flags), (1u << 11) | (4u << 6) | INTS | E);
    for (unsigned step = 0; step < 2000 && nwire < n; step++) {
        sysdma_emu_pl080_run(&dmac, 1u << 16);
        sysdma_emu_uart_advance(&u, 1000);
    }
    assert_int_equal(nwire, n);
    assert_memory_equal(wire, want, n);
    assert_int_equal(u.tx_tcs, 3); /* DMACTC at the end of each item */
    assert_int_equal(tc_edges, 1); /* one interrupt: only the last item has I */
}

/* UART to memory: bursts while 4 bytes wait, singles for the tail. */
static void test_uart_receive(void **state)
{
    (void)state;
    setup();
    sysdma_emu_uart u;
    assert_true(sysdma_emu_uart_init(&u, &dmac, &uart_cfg));
    program(1, UART_ADDR, RAM_BASE + 0x3000, 0,
            sysdma_emu_pl080_control(23, 1, 0, 0, 0, SYSDMA_EMU_PL080_CTL_DI | SYSDMA_EMU_PL080_CTL_I),
            (2u << 11) | (5u << 1) | INTS | E);
    uint8_t in[23];
    for (unsigned k = 0; k < sizeof in; k++)
        in[k] = (uint8_t)(0x40 + k);
    assert_int_equal(sysdma_emu_uart_receive(&u, in, 10), 10);
    assert_int_equal(sysdma_emu_pl080_run(&dmac, 1000), 10);
    assert_int_equal(sysdma_emu_uart_receive(&u, in + 10, 13), 13);
    assert_int_equal(sysdma_emu_pl080_run(&dmac, 1000), 13);
    assert_memory_equal(ram + 0x3000, in, sizeof in);
    assert_int_equal(u.rx_underruns, 0);
    assert_int_equal(u.rx_tcs, 1);
    assert_true(tc_level);
    /* A full FIFO refuses more bytes. */
    uint8_t many[40] = {0};
    assert_int_equal(sysdma_emu_uart_receive(&u, many, sizeof many), 16);
}

static unsigned played;
static uint8_t play_log[4096];
static void on_play(void *ctx, const uint8_t *frame, unsigned bytes)
{
    (void)ctx;
    for (unsigned k = 0; k < bytes; k++, played++)
        if (played < sizeof play_log)
            play_log[played] = frame[k];
}

/* A cyclic buffer of two halves, a circular list with I on both items:
 * one TC interrupt per half, samples played in order at the rate. */
static void test_audio_loop_transfer(void **state)
{
    (void)state;
    setup();
    played = 0;
    sysdma_emu_audio a;
    sysdma_emu_audio_config c = {AUDIO_ADDR, 7, 32, 16, 4, 8000, on_play, NULL};
    assert_true(sysdma_emu_audio_init(&a, &dmac, &c));
    const uint32_t buf = 0x4000, half = 512;
    for (unsigned k = 0; k < 2 * half; k++)
        ram[buf + k] = (uint8_t)(k * 7 + 3);
    uint32_t ctl = sysdma_emu_pl080_control(half / 4, 2, 2, 2, 2,
                                            SYSDMA_EMU_PL080_CTL_SI | SYSDMA_EMU_PL080_CTL_I);
    put_lli(0x200, RAM_BASE + buf, AUDIO_ADDR, RAM_BASE + 0x210, ctl);
    put_lli(0x210, RAM_BASE + buf + half, AUDIO_ADDR, RAM_BASE + 0x200, ctl);
    program(0, RAM_BASE + buf, AUDIO_ADDR, RAM_BASE + 0x210, ctl, (1u << 11) | (7u << 6) | INTS | E);
    unsigned irqs = 0;
    /* 0.5 s of 8 kHz 32-bit frames = 4000 frames = 16000 bytes = 15.6 passes. */
    for (unsigned step = 0; step < 4000; step++) {
        sysdma_emu_pl080_run(&dmac, 1u << 12);
        sysdma_emu_audio_advance(&a, 125000);
        if (tc_level) {
            irqs++;
            W(SYSDMA_EMU_PL080_INT_TC_CLEAR, 1);
        }
    }
    assert_int_equal(a.frames, 4000);
    assert_int_equal(a.underruns, 0);
    assert_int_equal(a.overruns, 0);
    for (unsigned k = 0; k < sizeof play_log; k++)
        assert_int_equal(play_log[k], ram[buf + k % (2 * half)]);
    /* Bytes fetched = played + what sits in the FIFO; one TC per half. */
    unsigned halves = (unsigned)((16000u + a.count) / half);
    assert_int_equal(a.tcs, halves);
    assert_int_equal(irqs, halves);
    assert_int_equal(sysdma_emu_pl080_read(&dmac, SYSDMA_EMU_PL080_ENABLED_CHANNELS), 1);
}

/* Without DMA the device runs dry: every frame due is an underrun. */
static void test_audio_underrun(void **state)
{
    (void)state;
    setup();
    sysdma_emu_audio a;
    sysdma_emu_audio_config c = {AUDIO_ADDR, 7, 32, 16, 4, 44100, NULL, NULL};
    assert_true(sysdma_emu_audio_init(&a, &dmac, &c));
    sysdma_emu_audio_advance(&a, 2000000000ull);
    assert_int_equal(a.underruns, 88200);
    assert_int_equal(a.frames, 0);
    /* Its requests: burst (16 free) and single (a frame fits). */
    assert_int_equal(sysdma_emu_pl080_read(&dmac, SYSDMA_EMU_PL080_SOFT_BREQ), 1u << 7);
    assert_int_equal(sysdma_emu_pl080_read(&dmac, SYSDMA_EMU_PL080_SOFT_SREQ), 1u << 7);
}

static void test_bad_configs_refused(void **state)
{
    (void)state;
    setup();
    sysdma_emu_uart u;
    sysdma_emu_uart_config uc = uart_cfg;
    uc.depth = 65;
    assert_false(sysdma_emu_uart_init(&u, &dmac, &uc));
    uc = uart_cfg;
    uc.watermark = 17;
    assert_false(sysdma_emu_uart_init(&u, &dmac, &uc));
    uc = uart_cfg;
    uc.rx_line = uc.tx_line;
    assert_false(sysdma_emu_uart_init(&u, &dmac, &uc));
    uc = uart_cfg;
    uc.tx_line = 16;
    assert_false(sysdma_emu_uart_init(&u, &dmac, &uc));
    uc = uart_cfg;
    uc.data_addr = RAM_BASE; /* inside RAM: the DMAC refuses the window */
    assert_false(sysdma_emu_uart_init(&u, &dmac, &uc));
    uc.data_addr = UART_ADDR;
    uc.rx_line = SYSDMA_EMU_NO_LINE;
    assert_true(sysdma_emu_uart_init(&u, &dmac, &uc));
    sysdma_emu_audio a;
    sysdma_emu_audio_config ac = {AUDIO_ADDR, 7, 32, 16, 4, 0, NULL, NULL};
    assert_false(sysdma_emu_audio_init(&a, &dmac, &ac));
    ac.rate = 8000;
    ac.frame_bytes = 33;
    assert_false(sysdma_emu_audio_init(&a, &dmac, &ac));
    ac.frame_bytes = 4;
    ac.line = 16;
    assert_false(sysdma_emu_audio_init(&a, &dmac, &ac));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uart_packet_device_paced),
        cmocka_unit_test(test_uart_scatter_gather),
        cmocka_unit_test(test_uart_receive),
        cmocka_unit_test(test_audio_loop_transfer),
        cmocka_unit_test(test_audio_underrun),
        cmocka_unit_test(test_bad_configs_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
