/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the emulated PC/AT 8237A pair, whole-machine behaviour:
 * RAM bounds (nothing outside the RAM the embedder gave is touched),
 * save/restore, the event hook, and the exact port sequence an operating
 * system writes to program an 8-bit and a 16-bit channel. The port map and
 * registers are in test_emu_i8237.c, transfer modes in
 * test_emu_i8237_modes.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu.h"

#include "emu_i8237_test.h"

static void test_bounds_beyond_ram(void **state)
{
    (void)state;
    /* 128 KiB of RAM; host bytes after it hold 0xEE and must stay so. */
    sysdma_emu_i8237 *e = fresh_sized(true, 128u * 1024u);
    tdev rd1, wr2, rd5, wr6;
    attach(e, 1, &rd1);
    attach(e, 2, &wr2);
    attach(e, 5, &rd5);
    attach(e, 6, &wr6);
    wr2.seed = 0x21;
    wr6.seed = 0x61;
    /* Reads beyond RAM give the device 0xFF (not the host's 0xEE). */
    program(e, 1, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_DEMAND, 0x03, 0x0000, 15);
    program(e, 2, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x02, 0x1000, 15);
    program(e, 5, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_BLOCK, 0xFE, 0x8000, 7);
    program(e, 6, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x04, 0x0000, 7);
    for (unsigned ch = 1; ch < 8; ch++) {
        if (ch == 1 || ch == 2 || ch == 5 || ch == 6) {
            mask_ch(e, ch, false);
            sysdma_emu_i8237_dreq(e, ch, true);
        }
    }
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 16 + 16 + 8 + 8);
    for (unsigned i = 0; i < 16; i++) {
        assert_int_equal(rd1.sink[i], 0xFF);
        assert_int_equal(rd5.sink[i], 0xFF);
    }
    assert_int_equal(rd1.pos, 16);
    assert_int_equal(rd5.pos, 16);
    assert_int_equal(wr2.pos, 16);
    assert_int_equal(wr6.pos, 16);
    /* Writes beyond RAM were dropped: RAM is still zero, the host bytes
     * after it still 0xEE. */
    for (size_t a = 0; a < 128u * 1024u; a++)
        if (ram[a] != 0)
            fail_msg("RAM byte 0x%zx changed to 0x%02x", a, ram[a]);
    for (size_t a = 128u * 1024u; a < RAM_SIZE; a++)
        if (ram[a] != 0xEE)
            fail_msg("host byte 0x%zx past RAM changed to 0x%02x", a, ram[a]);
    /* The channels still counted to TC. */
    for (unsigned ch = 1; ch < 8; ch++)
        if (ch == 1 || ch == 2 || ch == 5 || ch == 6)
            assert_int_equal(info_of(e, ch).cur_count, 0xFFFF);
}

static void test_bounds_straddle_end_of_ram(void **state)
{
    (void)state;
    const size_t size = 0x18000; /* ends in the middle of page 1 */
    sysdma_emu_i8237 *e = fresh_sized(true, size);
    tdev w3, r1, w6;
    attach(e, 3, &w3);
    attach(e, 1, &r1);
    attach(e, 6, &w6);
    w3.seed = 0x30;
    w6.seed = 0x60;
    /* Write 32 bytes at 0x17FF0: 16 land, 16 are dropped. */
    program(e, 3, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x01, 0x7FF0, 31);
    mask_ch(e, 3, false);
    sysdma_emu_i8237_dreq(e, 3, true);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 32);
    for (unsigned i = 0; i < 16; i++)
        assert_int_equal(ram[0x17FF0 + i], pat(0x30, i));
    for (unsigned i = 16; i < 64; i++)
        assert_int_equal(ram[0x17FF0 + i], 0xEE);
    assert_int_equal(info_of(e, 3).cur_addr, 0x8010);
    /* Read the same 32 bytes: 16 of data, then open bus. */
    program(e, 1, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_BLOCK, 0x01, 0x7FF0, 31);
    sysdma_emu_i8237_outb(e, 0x09, 0x04 | 1);
    r1.cap = 5; /* odd pieces, so the RAM edge falls inside a call */
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 32);
    assert_int_equal(r1.pos, 32);
    for (unsigned i = 0; i < 16; i++)
        assert_int_equal(r1.sink[i], pat(0x30, i));
    for (unsigned i = 16; i < 32; i++)
        assert_int_equal(r1.sink[i], 0xFF);
    /* A 16-bit channel: 8 words from 0x17FF8, 4 inside RAM. */
    program(e, 6, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00, 0x17FF8 >> 1, 7);
    mask_ch(e, 6, false);
    sysdma_emu_i8237_dreq(e, 6, true);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 8);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(ram[0x17FF8 + i], pat(0x60, i));
    for (unsigned i = 8; i < 64; i++)
        assert_int_equal(ram[0x17FF8 + i], 0xEE);
}

/* ---- Save / restore ------------------------------------------------------------- */

/* Three channels competing under rotating priority on both controllers:
 * channel 1 single-mode auto-init, channel 3 block mode in pieces of 7,
 * channel 5 single mode. */
static void start_channels(sysdma_emu_i8237 *e, tdev *d1, tdev *d3, tdev *d5)
{
    attach(e, 1, d1);
    attach(e, 3, d3);
    attach(e, 5, d5);
    d1->seed = 0x11;
    d3->seed = 0x33;
    d3->cap = 7;
    d5->seed = 0x55;
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_AUTOINIT,
            0x01, 0x0100, 99);
    program(e, 3, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK, 0x01, 0x0800, 39);
    program(e, 5, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x02, 0x0200, 149);
    sysdma_emu_i8237_outb(e, 0x08, SYSDMA_EMU_CMD_ROTATING);
    sysdma_emu_i8237_outb(e, 0xD0, SYSDMA_EMU_CMD_ROTATING);
    mask_ch(e, 1, false);
    mask_ch(e, 3, false);
    mask_ch(e, 5, false);
    sysdma_emu_i8237_dreq(e, 1, true);
    sysdma_emu_i8237_dreq(e, 3, true);
    sysdma_emu_i8237_dreq(e, 5, true);
}

static uint8_t ram_copy[RAM_SIZE];
static uint8_t ram_after[RAM_SIZE];

static void test_save_restore_roundtrip(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    static tdev d1, d3, d5, d1_saved, d3_saved, d5_saved, d1_end, d3_end, d5_end;
    start_channels(e, &d1, &d3, &d5);
    /* Stop in the middle of channel 3's block transfer. */
    assert_int_equal(sysdma_emu_i8237_run(e, 20), 20);
    assert_int_equal(e->s.ctrl[0].active, 1u << 3);
    sysdma_emu_i8237_outb(e, 0x0C, 0);
    (void)sysdma_emu_i8237_inb(e, 0x02); /* flip-flop mid-pair in the snapshot */
    sysdma_emu_i8237_state snap;
    sysdma_emu_i8237_save(e, &snap);
    assert_int_equal(snap.version, SYSDMA_EMU_I8237_STATE_VERSION);
    assert_memory_equal(&snap, &e->s, sizeof snap);
    d1_saved = d1;
    d3_saved = d3;
    d5_saved = d5;
    memcpy(ram_copy, ram, sizeof ram);

    assert_int_equal(sysdma_emu_i8237_run(e, 400), 400);
    sysdma_emu_i8237_state end_state;
    sysdma_emu_i8237_save(e, &end_state);
    uint8_t end_byte = sysdma_emu_i8237_inb(e, 0x02);
    memcpy(ram_after, ram, sizeof ram);
    d1_end = d1;
    d3_end = d3;
    d5_end = d5;
    /* The second part crossed an auto-init and both other TCs. */
    assert_true(d1_end.tcs > d1_saved.tcs);
    assert_int_equal(d3_saved.tcs, 0);
    assert_int_equal(d3_end.tcs, 1);
    assert_int_equal(d5_saved.tcs, 0);
    assert_int_equal(d5_end.tcs, 1);

    memcpy(ram, ram_copy, sizeof ram);
    d1 = d1_saved;
    d3 = d3_saved;
    d5 = d5_saved;
    assert_true(sysdma_emu_i8237_restore(e, &snap));
    assert_memory_equal(&e->s, &snap, sizeof snap);
    assert_int_equal(sysdma_emu_i8237_run(e, 400), 400);
    sysdma_emu_i8237_state again;
    sysdma_emu_i8237_save(e, &again);
    assert_memory_equal(&again, &end_state, sizeof again);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x02), end_byte);
    assert_memory_equal(ram, ram_after, sizeof ram);
    assert_int_equal(d1.pos, d1_end.pos);
    assert_int_equal(d1.calls, d1_end.calls);
    assert_int_equal(d3.pos, d3_end.pos);
    assert_int_equal(d3.calls, d3_end.calls);
    assert_int_equal(d5.pos, d5_end.pos);
    assert_int_equal(d5.calls, d5_end.calls);
}

static void test_restore_refuses_bad_state(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    static tdev d1, d3, d5;
    start_channels(e, &d1, &d3, &d5);
    assert_int_equal(sysdma_emu_i8237_run(e, 20), 20);
    sysdma_emu_i8237_state good, before;
    sysdma_emu_i8237_save(e, &good);
    /* Move on so that the current state differs from `good`. */
    assert_int_equal(sysdma_emu_i8237_run(e, 20), 20);
    sysdma_emu_i8237_save(e, &before);
    assert_memory_not_equal(&good, &before, sizeof good);

    for (unsigned what = 0; what < 20; what++) {
        sysdma_emu_i8237_state bad = good;
        unsigned c = what & 1u;
        switch (what >> 1) {
        case 8: bad.eop = 0x10; break;              /* channel 4 has no EOP */
        case 9: bad.ctrl[1].request = 0x01; break;  /* nor a software request */
        case 0: bad.version = what ? SYSDMA_EMU_I8237_STATE_VERSION + 1 : 0; break;
        case 1: bad.ctrl[c].tc = 0x10; break;
        case 2: bad.ctrl[c].request = 0x21; break;
        case 3: bad.ctrl[c].mask = 0x8F; break;
        case 4: bad.ctrl[c].active = 0x40; break;
        case 5: bad.ctrl[c].flipflop = 2; break;
        case 6: bad.ctrl[c].lowest = 4; break;
        case 7: bad.ctrl[c].ch[what & 3u].mode |= (what & 2u) ? 0x02 : 0x01; break;
        }
        if (sysdma_emu_i8237_restore(e, &bad))
            fail_msg("restore accepted bad state variant %u", what);
        assert_memory_equal(&e->s, &before, sizeof before);
    }
    assert_true(sysdma_emu_i8237_restore(e, &good));
    assert_memory_equal(&e->s, &good, sizeof good);
}

/* ---- Events -------------------------------------------------------------------- */

typedef struct evlog {
    size_t n;
    struct {
        sysdma_emu_i8237_event ev;
        unsigned ch;
        uint32_t v;
    } a[512];
} evlog;

static void log_event(void *ctx, sysdma_emu_i8237_event ev, unsigned ch, uint32_t v)
{
    evlog *l = ctx;
    if (l->n < sizeof l->a / sizeof l->a[0]) {
        l->a[l->n].ev = ev;
        l->a[l->n].ch = ch;
        l->a[l->n].v = v;
    }
    l->n++;
}

/* Index of the first matching event at or after `from`, or -1. */
static int ev_find(const evlog *l, size_t from, sysdma_emu_i8237_event ev,
                   unsigned ch, uint32_t v)
{
    for (size_t i = from; i < l->n && i < sizeof l->a / sizeof l->a[0]; i++)
        if (l->a[i].ev == ev && l->a[i].ch == ch && l->a[i].v == v)
            return (int)i;
    return -1;
}

static size_t ev_count(const evlog *l, sysdma_emu_i8237_event ev, unsigned ch)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n && i < sizeof l->a / sizeof l->a[0]; i++)
        if (l->a[i].ev == ev && l->a[i].ch == ch)
            k++;
    return k;
}

static void test_events(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    static evlog log;
    memset(&log, 0, sizeof log);
    tdev d1, d6;
    attach(e, 1, &d1);
    attach(e, 6, &d6);
    sysdma_emu_i8237_set_event_hook(e, log_event, &log);

    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0, 0x100, 3);
    assert_true(ev_find(&log, 0, SYSDMA_EMU_EV_PROGRAM, 1, SYSDMA_EMU_I8237_REG_MODE) >= 0);
    assert_true(ev_find(&log, 0, SYSDMA_EMU_EV_PROGRAM, 1, 2) >= 0);
    assert_true(ev_find(&log, 0, SYSDMA_EMU_EV_PROGRAM, 1, 3) >= 0);
    size_t mark = log.n;
    mask_ch(e, 1, false);
    assert_true(ev_find(&log, mark, SYSDMA_EMU_EV_MASK, 1, 0) >= 0);
    mark = log.n;
    sysdma_emu_i8237_dreq(e, 1, true);
    assert_int_equal(log.n, mark + 1);
    assert_int_equal(ev_find(&log, mark, SYSDMA_EMU_EV_DREQ, 1, 1), (int)mark);
    sysdma_emu_i8237_dreq(e, 1, true); /* no change, no event */
    assert_int_equal(log.n, mark + 1);

    mark = log.n;
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 4);
    int dack = ev_find(&log, mark, SYSDMA_EMU_EV_DACK, 1, 4);
    int tc = ev_find(&log, mark, SYSDMA_EMU_EV_TC, 1, 1);
    assert_true(dack >= 0);
    assert_true(tc > dack);
    assert_true(ev_find(&log, mark, SYSDMA_EMU_EV_MASK, 1, 1) >= 0); /* self-mask */
    mark = log.n;
    sysdma_emu_i8237_dreq(e, 1, false);
    assert_true(ev_find(&log, mark, SYSDMA_EMU_EV_DREQ, 1, 0) >= 0);

    /* Single mode on DMA2: one DACK of 1 per word, channel number 6. */
    program(e, 6, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_AUTOINIT,
            0, 0x100, 2);
    mask_ch(e, 6, false);
    sysdma_emu_i8237_dreq(e, 6, true);
    mark = log.n;
    assert_int_equal(sysdma_emu_i8237_run(e, 3), 3);
    assert_int_equal(ev_count(&log, SYSDMA_EMU_EV_DACK, 6), 3);
    for (size_t i = mark; i < log.n; i++)
        if (log.a[i].ev == SYSDMA_EMU_EV_DACK)
            assert_int_equal(log.a[i].v, 1);
    assert_true(ev_find(&log, mark, SYSDMA_EMU_EV_TC, 6, 1) >= 0);
    assert_int_equal(ev_find(&log, mark, SYSDMA_EMU_EV_MASK, 6, 1), -1); /* auto-init */

    /* External EOP on an idle channel: TC event with value 2. */
    sysdma_emu_i8237_dreq(e, 6, false);
    mark = log.n;
    sysdma_emu_i8237_eop(e, 6);
    assert_true(ev_find(&log, mark, SYSDMA_EMU_EV_TC, 6, 2) >= 0);
    assert_int_equal(d6.tcs, 2);

    /* Removing the hook stops the reports. */
    sysdma_emu_i8237_set_event_hook(e, NULL, NULL);
    mark = log.n;
    sysdma_emu_i8237_dreq(e, 6, true);
    mask_ch(e, 6, true);
    assert_int_equal(log.n, mark);
}

/* ---- The sequence an OS driver writes ---------------------------------------------- */

static void test_os_sequence_8bit(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d;
    attach(e, 2, &d);
    d.seed = 0x9D;
    /* Floppy-style: channel 2, write to memory at 0x3_4560, 512 bytes. */
    memset(ram + 0x34500, 0xA5, 0x400);
    sysdma_emu_i8237_outb(e, 0x0A, 0x06); /* mask channel 2 */
    sysdma_emu_i8237_outb(e, 0x0C, 0x00); /* clear flip-flop */
    sysdma_emu_i8237_outb(e, 0x0B, 0x46); /* single, write, channel 2 */
    sysdma_emu_i8237_outb(e, 0x04, 0x60); /* address low */
    sysdma_emu_i8237_outb(e, 0x04, 0x45); /* address high */
    sysdma_emu_i8237_outb(e, 0x81, 0x03); /* page */
    sysdma_emu_i8237_outb(e, 0x05, 0xFF); /* count low (511) */
    sysdma_emu_i8237_outb(e, 0x05, 0x01); /* count high */
    sysdma_emu_i8237_outb(e, 0x0A, 0x02); /* unmask channel 2 */
    sysdma_emu_i8237_chan_info in = info_of(e, 2);
    assert_int_equal(in.phys, 0x34560);
    assert_int_equal(in.units_left, 512);
    assert_false(in.masked);
    sysdma_emu_i8237_dreq(e, 2, true);
    assert_int_equal(sysdma_emu_i8237_run(e, 10000), 512);
    for (unsigned i = 0; i < 512; i++)
        if (ram[0x34560 + i] != pat(0x9D, i))
            fail_msg("byte %u: 0x%02x, want 0x%02x", i, ram[0x34560 + i], pat(0x9D, i));
    assert_int_equal(ram[0x3455F], 0xA5);
    assert_int_equal(ram[0x34760], 0xA5);
    assert_int_equal(d.calls, 512);
    assert_int_equal(d.tcs, 1);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08) & 0x0F, 0x04);
    assert_int_equal(read16(e, 2, 1), 0xFFFF);
    assert_int_equal(read16(e, 2, 0), 0x4760);
    assert_true(info_of(e, 2).masked);
}

static void test_os_sequence_16bit(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d;
    attach(e, 5, &d);
    /* Sound-card style: channel 5 reads 1024 bytes from memory at 0x2_1000
     * (word address 0x0800 in the 128 KiB window at page 2). */
    for (unsigned i = 0; i < 0x800; i++)
        ram[0x21000 + i] = pat(0x5E, i);
    sysdma_emu_i8237_outb(e, 0xD4, 0x05); /* mask channel 5 */
    sysdma_emu_i8237_outb(e, 0xD8, 0x00); /* clear flip-flop */
    sysdma_emu_i8237_outb(e, 0xD6, 0x49); /* single, read, channel 5 */
    sysdma_emu_i8237_outb(e, 0xC4, 0x00); /* word address low */
    sysdma_emu_i8237_outb(e, 0xC4, 0x08); /* word address high */
    sysdma_emu_i8237_outb(e, 0x8B, 0x02); /* page */
    sysdma_emu_i8237_outb(e, 0xC6, 0xFF); /* count low (511 words) */
    sysdma_emu_i8237_outb(e, 0xC6, 0x01); /* count high */
    sysdma_emu_i8237_outb(e, 0xD4, 0x01); /* unmask channel 5 */
    sysdma_emu_i8237_chan_info in = info_of(e, 5);
    assert_int_equal(in.phys, 0x21000);
    assert_int_equal(in.units_left, 512);
    assert_int_equal(in.width, 2);
    sysdma_emu_i8237_dreq(e, 5, true);
    assert_int_equal(sysdma_emu_i8237_run(e, 10000), 512);
    assert_int_equal(d.pos, 1024);
    for (unsigned i = 0; i < 1024; i++)
        if (d.sink[i] != pat(0x5E, i))
            fail_msg("byte %u: 0x%02x, want 0x%02x", i, d.sink[i], pat(0x5E, i));
    assert_int_equal(d.calls, 512);
    assert_int_equal(d.tcs, 1);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0xD0) & 0x0F, 0x02);
    assert_int_equal(read16(e, 5, 0), 0x0A00);
    assert_int_equal(read16(e, 5, 1), 0xFFFF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds_beyond_ram),
        cmocka_unit_test(test_bounds_straddle_end_of_ram),
        cmocka_unit_test(test_save_restore_roundtrip),
        cmocka_unit_test(test_restore_refuses_bad_state),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_os_sequence_8bit),
        cmocka_unit_test(test_os_sequence_16bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
