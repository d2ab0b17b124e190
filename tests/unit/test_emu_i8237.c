/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the emulated PC/AT 8237A pair, CPU side: the port map, the
 * byte-pointer flip-flop, base/current registers, command, status, request
 * and mask registers, master clear and the cascade gate through channel 4.
 * Transfer modes, priority, memory-to-memory and 16-bit addressing are in
 * test_emu_i8237_modes.c; RAM bounds, save/restore, events and the OS
 * programming sequence in test_emu_i8237_state.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu.h"

#include "emu_i8237_test.h"

/* ---- Port map ----------------------------------------------------------------- */

static void test_claims_and_undecoded_ports(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    for (unsigned p = 0; p <= 0xFFFF; p++) {
        bool want = p <= 0x0F || (p >= 0x80 && p <= 0x8F) || (p >= 0xC0 && p <= 0xDF);
        if (sysdma_emu_i8237_claims((uint16_t)p) != want)
            fail_msg("claims(0x%04X) should be %d", p, want);
    }
    static const uint16_t undecoded[] = {0x10, 0x1F, 0x7F, 0x90, 0xBF, 0xE0,
                                         0xFF, 0x100, 0x4D6, 0xFFFF};
    sysdma_emu_i8237_state before, after;
    sysdma_emu_i8237_save(e, &before);
    for (size_t j = 0; j < sizeof undecoded / sizeof undecoded[0]; j++) {
        assert_int_equal(sysdma_emu_i8237_inb(e, undecoded[j]), 0xFF);
        sysdma_emu_i8237_outb(e, undecoded[j], 0x00);
        sysdma_emu_i8237_outb(e, undecoded[j], 0x5A);
    }
    sysdma_emu_i8237_save(e, &after);
    assert_memory_equal(&before, &after, sizeof before);
    /* Write-only registers read 0xFF on both controllers (and DMA2's odd
     * aliases of them). */
    static const uint16_t wonly[] = {0x09, 0x0A, 0x0B, 0x0C, 0x0E,
                                     0xD2, 0xD3, 0xD4, 0xD6, 0xD8, 0xDC, 0xDD};
    for (size_t j = 0; j < sizeof wonly / sizeof wonly[0]; j++)
        assert_int_equal(sysdma_emu_i8237_inb(e, wonly[j]), 0xFF);
}

static void test_page_registers(void **state)
{
    (void)state;
    static const uint16_t expect[8] = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};
    for (unsigned ch = 0; ch < 8; ch++)
        assert_int_equal(sysdma_emu_i8237_page_port(ch), expect[ch]);
    assert_int_equal(sysdma_emu_i8237_page_port(8), 0);
    assert_int_equal(sysdma_emu_i8237_page_port(1000), 0);

    sysdma_emu_i8237 *e = fresh(true);
    for (unsigned i = 0; i < 16; i++)
        sysdma_emu_i8237_outb(e, (uint16_t)(0x80 + i), (uint8_t)(i * 17 + 3));
    for (unsigned i = 0; i < 16; i++)
        assert_int_equal(sysdma_emu_i8237_inb(e, (uint16_t)(0x80 + i)), (i * 17 + 3) & 0xFF);
    for (unsigned ch = 0; ch < 8; ch++) {
        unsigned i = expect[ch] - 0x80u;
        assert_int_equal(info_of(e, ch).page, (i * 17 + 3) & 0xFF);
    }
    /* A latch that is no channel's page (0x80) does not move any channel. */
    sysdma_emu_i8237_outb(e, 0x80, 0x42);
    for (unsigned ch = 0; ch < 8; ch++)
        assert_int_not_equal(info_of(e, ch).page, 0x42);
}

static void test_dma1_register_map(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    sysdma_emu_i8237_outb(e, 0x0C, 0);
    for (unsigned k = 0; k < 4; k++) {
        sysdma_emu_i8237_outb(e, (uint16_t)(2 * k), (uint8_t)(0x10 + k));
        sysdma_emu_i8237_outb(e, (uint16_t)(2 * k), (uint8_t)(0xA0 + k));
        sysdma_emu_i8237_outb(e, (uint16_t)(2 * k + 1), (uint8_t)(0x20 + k));
        sysdma_emu_i8237_outb(e, (uint16_t)(2 * k + 1), (uint8_t)(0xB0 + k));
        sysdma_emu_i8237_outb(e, 0x0B, (uint8_t)((k << 6) | 0x10 | k));
    }
    for (unsigned k = 0; k < 4; k++) {
        sysdma_emu_i8237_chan_info in = info_of(e, k);
        assert_int_equal(in.base_addr, ((0xA0 + k) << 8) | (0x10 + k));
        assert_int_equal(in.cur_addr, in.base_addr);
        assert_int_equal(in.base_count, ((0xB0 + k) << 8) | (0x20 + k));
        assert_int_equal(in.cur_count, in.base_count);
        assert_int_equal(in.mode, (k << 6) | 0x10);
        assert_int_equal(in.width, 1);
        assert_int_equal(read16(e, k, 0), in.cur_addr);
        assert_int_equal(read16(e, k, 1), in.cur_count);
        /* DMA2 is untouched. */
        assert_int_equal(info_of(e, 4 + k).base_addr, 0);
    }
}

static void test_dma2_register_map_and_aliases(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    sysdma_emu_i8237_outb(e, 0xD8, 0);
    for (unsigned k = 0; k < 4; k++) {
        /* Low bytes through the odd alias, high bytes through the even port. */
        sysdma_emu_i8237_outb(e, (uint16_t)(0xC1 + 4 * k), (uint8_t)(0x30 + k));
        sysdma_emu_i8237_outb(e, (uint16_t)(0xC0 + 4 * k), (uint8_t)(0xC0 + k));
        sysdma_emu_i8237_outb(e, (uint16_t)(0xC3 + 4 * k), (uint8_t)(0x40 + k));
        sysdma_emu_i8237_outb(e, (uint16_t)(0xC2 + 4 * k), (uint8_t)(0xD0 + k));
    }
    sysdma_emu_i8237_outb(e, 0xD7, 0x48 | 2); /* mode via alias: ch 6 single read */
    for (unsigned k = 0; k < 4; k++) {
        sysdma_emu_i8237_chan_info in = info_of(e, 4 + k);
        assert_int_equal(in.base_addr, ((0xC0 + k) << 8) | (0x30 + k));
        assert_int_equal(in.base_count, ((0xD0 + k) << 8) | (0x40 + k));
        assert_int_equal(in.width, 2);
        assert_int_equal(info_of(e, k).base_addr, 0); /* DMA1 untouched */
        /* Read back through the odd aliases. */
        sysdma_emu_i8237_outb(e, 0xD9, 0);
        assert_int_equal(sysdma_emu_i8237_inb(e, (uint16_t)(0xC1 + 4 * k)), 0x30 + k);
        assert_int_equal(sysdma_emu_i8237_inb(e, (uint16_t)(0xC1 + 4 * k)), 0xC0 + k);
        assert_int_equal(sysdma_emu_i8237_inb(e, (uint16_t)(0xC3 + 4 * k)), 0x40 + k);
        assert_int_equal(sysdma_emu_i8237_inb(e, (uint16_t)(0xC3 + 4 * k)), 0xD0 + k);
    }
    assert_int_equal(info_of(e, 6).mode, 0x48);
    /* Command through 0xD1, all-mask through 0xDF. */
    sysdma_emu_i8237_outb(e, 0xD1, 0xE8);
    sysdma_emu_i8237_outb(e, 0xDF, 0x0A);
    assert_int_equal(e->s.ctrl[1].command, 0xE8);
    assert_int_equal(e->s.ctrl[0].command, 0);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0xDE) & 0x0F, 0x0A);
}

/* ---- Flip-flop, base and current ------------------------------------------------ */

static void test_flipflop(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    sysdma_emu_i8237_outb(e, 0x0C, 0);
    sysdma_emu_i8237_outb(e, 0x02, 0x34);
    assert_int_equal(e->s.ctrl[0].flipflop, 1);
    sysdma_emu_i8237_outb(e, 0x02, 0x12);
    assert_int_equal(e->s.ctrl[0].flipflop, 0);
    assert_int_equal(info_of(e, 1).base_addr, 0x1234);
    /* Reads toggle it too: low, then high. */
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x02), 0x34);
    assert_int_equal(e->s.ctrl[0].flipflop, 1);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x02), 0x12);
    assert_int_equal(e->s.ctrl[0].flipflop, 0);
    /* One flip-flop for all registers of a controller: a lone address
     * write makes the next count write go to the count's high byte. */
    sysdma_emu_i8237_outb(e, 0x04, 0x77);
    sysdma_emu_i8237_outb(e, 0x05, 0x99);
    assert_int_equal(info_of(e, 2).base_count, 0x9900);
    assert_int_equal(info_of(e, 2).base_addr, 0x0077);
    /* 0x0C resets it mid-pair. */
    sysdma_emu_i8237_outb(e, 0x06, 0xAB);
    sysdma_emu_i8237_outb(e, 0x0C, 0);
    sysdma_emu_i8237_outb(e, 0x06, 0xCD);
    sysdma_emu_i8237_outb(e, 0x06, 0xEF);
    assert_int_equal(info_of(e, 3).base_addr, 0xEFCD);
    /* Master clear resets it as well. */
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x06), 0xCD);
    assert_int_equal(e->s.ctrl[0].flipflop, 1);
    sysdma_emu_i8237_outb(e, 0x0D, 0);
    assert_int_equal(e->s.ctrl[0].flipflop, 0);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x06), 0xCD);
    /* DMA2 has its own flip-flop. */
    sysdma_emu_i8237_outb(e, 0x0C, 0);
    sysdma_emu_i8237_outb(e, 0xD8, 0);
    sysdma_emu_i8237_outb(e, 0x00, 0x01);
    assert_int_equal(e->s.ctrl[1].flipflop, 0);
    sysdma_emu_i8237_outb(e, 0xC4, 0x55);
    sysdma_emu_i8237_outb(e, 0xC4, 0x66);
    assert_int_equal(info_of(e, 5).base_addr, 0x6655);
    assert_int_equal(e->s.ctrl[0].flipflop, 1);
}

static void test_base_and_current(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d;
    attach(e, 1, &d);
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x00, 0x1000, 9);
    mask_ch(e, 1, false);
    sysdma_emu_i8237_dreq(e, 1, true);
    assert_int_equal(sysdma_emu_i8237_run(e, 4), 4);
    sysdma_emu_i8237_chan_info in = info_of(e, 1);
    assert_int_equal(in.base_addr, 0x1000);
    assert_int_equal(in.base_count, 9);
    assert_int_equal(in.cur_addr, 0x1004);
    assert_int_equal(in.cur_count, 5);
    assert_int_equal(in.units_left, 6);
    assert_int_equal(in.phys, 0x1004);
    assert_int_equal(read16(e, 1, 0), 0x1004);
    assert_int_equal(read16(e, 1, 1), 5);
    /* Writing the address again sets both base and current. */
    sysdma_emu_i8237_outb(e, 0x0C, 0);
    sysdma_emu_i8237_outb(e, 0x02, 0x00);
    sysdma_emu_i8237_outb(e, 0x02, 0x20);
    in = info_of(e, 1);
    assert_int_equal(in.base_addr, 0x2000);
    assert_int_equal(in.cur_addr, 0x2000);
    assert_int_equal(in.cur_count, 5);
}

/* ---- Command, status, request, masks -------------------------------------------- */

static void test_command_and_disable(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    sysdma_emu_i8237_outb(e, 0x08, 0xF8); /* electrical bits + rotating */
    sysdma_emu_i8237_outb(e, 0xD0, 0x28);
    assert_int_equal(e->s.ctrl[0].command, 0xF8);
    assert_int_equal(e->s.ctrl[1].command, 0x28);
    sysdma_emu_i8237_outb(e, 0x08, 0x00);

    tdev d;
    attach(e, 2, &d);
    program(e, 2, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0, 0x100, 15);
    mask_ch(e, 2, false);
    sysdma_emu_i8237_dreq(e, 2, true);
    sysdma_emu_i8237_outb(e, 0x08, SYSDMA_EMU_CMD_DISABLE);
    assert_false(sysdma_emu_i8237_pending(e));
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 0);
    assert_int_equal(d.calls, 0);
    /* Disabling DMA2 closes the cascade path DMA1 requests through. */
    sysdma_emu_i8237_outb(e, 0x08, 0);
    sysdma_emu_i8237_outb(e, 0xD0, SYSDMA_EMU_CMD_DISABLE);
    assert_false(sysdma_emu_i8237_pending(e));
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 0);
    assert_int_equal(d.calls, 0);
    sysdma_emu_i8237_outb(e, 0xD0, 0);
    assert_true(sysdma_emu_i8237_pending(e));
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 16);
    assert_int_equal(ram[0x100], pat(0, 0));
    assert_int_equal(ram[0x10F], pat(0, 15));
}

static void test_status_register(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08), 0x00);
    /* Request bits follow DREQ live, masked or not. */
    sysdma_emu_i8237_dreq(e, 2, true);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08), 0x40);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08), 0x40); /* not cleared by read */
    sysdma_emu_i8237_dreq(e, 0, true);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08), 0x50);
    sysdma_emu_i8237_dreq(e, 2, false);
    sysdma_emu_i8237_dreq(e, 0, false);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08), 0x00);
    sysdma_emu_i8237_dreq(e, 6, true);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0xD0), 0x40);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08), 0x00);
    sysdma_emu_i8237_dreq(e, 6, false);
    /* DMA2's request bit 4 is DREQ4, which DMA1's hold request drives: set
     * while an unmasked DMA1 channel requests, not for a masked one. */
    sysdma_emu_i8237_dreq(e, 2, true);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0xD0), 0x00);
    mask_ch(e, 2, false);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0xD0), 0x10);
    mask_ch(e, 2, true);
    sysdma_emu_i8237_dreq(e, 2, false);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0xD0), 0x00);
    /* Software requests show too (nothing is run while it is set). */
    program(e, 3, SYSDMA_EMU_MODE_VERIFY | SYSDMA_EMU_MODE_BLOCK, 0, 0, 3);
    sysdma_emu_i8237_outb(e, 0x09, 0x04 | 3);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08), 0x80);
    sysdma_emu_i8237_outb(e, 0x09, 0x00 | 3);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08), 0x00);

    /* TC bits are set at terminal count and cleared by the read. */
    tdev d;
    attach(e, 1, &d);
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0, 0x300, 3);
    mask_ch(e, 1, false);
    sysdma_emu_i8237_dreq(e, 1, true);
    assert_int_equal(sysdma_emu_i8237_run(e, 2), 2);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08), 0x20);
    assert_int_equal(sysdma_emu_i8237_run(e, 10), 2);
    assert_true(info_of(e, 1).tc);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08), 0x22);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08), 0x20);
    assert_false(info_of(e, 1).tc);
    sysdma_emu_i8237_dreq(e, 1, false);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08), 0x00);
}

static void test_request_register(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    memset(ram + 0x2000, 0x11, 0x40);
    /* A software request in block mode runs with no device attached: a
     * write transfer puts open-bus 0xFF, and it is honoured while masked. */
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK, 0, 0x2000, 15);
    assert_true(info_of(e, 1).masked);
    assert_false(sysdma_emu_i8237_pending(e));
    sysdma_emu_i8237_outb(e, 0x09, 0x04 | 1);
    assert_true(info_of(e, 1).sw_request);
    assert_true(sysdma_emu_i8237_pending(e));
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 16);
    for (unsigned i = 0; i < 16; i++)
        assert_int_equal(ram[0x2000 + i], 0xFF);
    assert_int_equal(ram[0x2010], 0x11);
    sysdma_emu_i8237_chan_info in = info_of(e, 1);
    assert_false(in.sw_request); /* cleared at TC */
    assert_true(in.tc);
    assert_true(in.masked);
    assert_int_equal(in.cur_count, 0xFFFF);
    assert_int_equal(in.cur_addr, 0x2010);
    assert_false(sysdma_emu_i8237_pending(e));

    /* A read transfer with no device discards the bytes: RAM unchanged. */
    program(e, 2, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_BLOCK, 0, 0x2020, 7);
    sysdma_emu_i8237_outb(e, 0x09, 0x04 | 2);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 8);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(ram[0x2020 + i], 0x11);
    assert_int_equal(info_of(e, 2).cur_addr, 0x2028);

    /* Not honoured in single mode; and a cleared request is withdrawn. */
    program(e, 3, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0, 0x2030, 3);
    sysdma_emu_i8237_outb(e, 0x09, 0x04 | 3);
    assert_false(sysdma_emu_i8237_pending(e));
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 0);
    sysdma_emu_i8237_outb(e, 0x0B, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK | 3);
    assert_true(sysdma_emu_i8237_pending(e));
    sysdma_emu_i8237_outb(e, 0x09, 0x00 | 3);
    assert_false(sysdma_emu_i8237_pending(e));
    assert_int_equal(ram[0x2030], 0x11);

    /* DMA2's request register at 0xD2: channel 5, words. */
    program(e, 5, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK, 0, 0x1800, 3);
    sysdma_emu_i8237_outb(e, 0xD2, 0x04 | 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 4);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(ram[0x3000 + i], 0xFF);
    assert_int_equal(ram[0x3008], 0x00);
}

static void test_masks(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(false);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x0F) & 0x0F, 0x0F);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0xDE) & 0x0F, 0x0F);
    for (unsigned ch = 0; ch < 8; ch++)
        assert_true(info_of(e, ch).masked);
    /* Single mask: bit 2 set/clear, bits 1-0 channel. */
    sysdma_emu_i8237_outb(e, 0x0A, 0x02);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x0F) & 0x0F, 0x0B);
    assert_false(info_of(e, 2).masked);
    sysdma_emu_i8237_outb(e, 0x0A, 0x00);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x0F) & 0x0F, 0x0A);
    sysdma_emu_i8237_outb(e, 0x0A, 0x06);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x0F) & 0x0F, 0x0E);
    assert_true(info_of(e, 2).masked);
    /* Clear mask unmasks all four. */
    sysdma_emu_i8237_outb(e, 0x0E, 0);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x0F) & 0x0F, 0x00);
    /* All mask writes bits 0-3 as given. */
    sysdma_emu_i8237_outb(e, 0x0F, 0x05);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x0F) & 0x0F, 0x05);
    assert_true(info_of(e, 0).masked);
    assert_false(info_of(e, 1).masked);
    assert_true(info_of(e, 2).masked);
    assert_false(info_of(e, 3).masked);
    /* DMA2 is separate: 0xD4 single, 0xDC clear, 0xDE all. */
    assert_int_equal(sysdma_emu_i8237_inb(e, 0xDE) & 0x0F, 0x0F);
    sysdma_emu_i8237_outb(e, 0xD4, 0x03);
    assert_false(info_of(e, 7).masked);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0xDE) & 0x0F, 0x07);
    sysdma_emu_i8237_outb(e, 0xDC, 0);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0xDE) & 0x0F, 0x00);
    sysdma_emu_i8237_outb(e, 0xDE, 0x0C);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0xDE) & 0x0F, 0x0C);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x0F) & 0x0F, 0x05);

    /* A masked channel is not served; unmasking lets it in. */
    tdev d;
    attach(e, 1, &d);
    sysdma_emu_i8237_reset(e, true);
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0, 0x400, 3);
    sysdma_emu_i8237_dreq(e, 1, true);
    assert_int_equal(sysdma_emu_i8237_run(e, 10), 0);
    sysdma_emu_i8237_outb(e, 0x0E, 0);
    assert_int_equal(sysdma_emu_i8237_run(e, 10), 4);
}

static void test_master_clear(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    /* Get a non-zero temporary register with a one-byte memory-to-memory. */
    ram[0x500] = 0x5C;
    program(e, 0, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_BLOCK, 0, 0x500, 0);
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK, 0, 0x600, 0);
    sysdma_emu_i8237_outb(e, 0x08, SYSDMA_EMU_CMD_MEM2MEM);
    sysdma_emu_i8237_outb(e, 0x09, 0x04);
    assert_int_equal(sysdma_emu_i8237_run(e, 10), 1);
    assert_int_equal(ram[0x600], 0x5C);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x0D), 0x5C);
    /* Now set everything master clear touches. */
    program(e, 3, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_AUTOINIT | SYSDMA_EMU_MODE_SINGLE,
            0x12, 0xBEEF, 0x1234);
    sysdma_emu_i8237_outb(e, 0x08, 0xF0);
    sysdma_emu_i8237_outb(e, 0x0B, SYSDMA_EMU_MODE_VERIFY | SYSDMA_EMU_MODE_BLOCK | 2);
    sysdma_emu_i8237_outb(e, 0x09, 0x04 | 2);
    sysdma_emu_i8237_outb(e, 0x0E, 0);
    sysdma_emu_i8237_outb(e, 0x0C, 0);
    sysdma_emu_i8237_outb(e, 0x00, 0x99); /* flip-flop now 1 */
    const sysdma_emu_i8237_ctrl *k = &e->s.ctrl[0];
    assert_int_not_equal(k->tc, 0);
    assert_int_equal(k->request, 0x04);
    assert_int_equal(k->flipflop, 1);
    assert_int_equal(k->mask, 0);

    sysdma_emu_i8237_outb(e, 0x0D, 0);
    assert_int_equal(k->command, 0);
    assert_int_equal(k->tc, 0);
    assert_int_equal(k->request, 0);
    assert_int_equal(k->temp, 0);
    assert_int_equal(k->flipflop, 0);
    assert_int_equal(k->mask, 0x0F);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x0D), 0);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x08), 0);
    assert_int_equal(sysdma_emu_i8237_inb(e, 0x0F) & 0x0F, 0x0F);
    /* Address, count, mode and page keep their values. */
    sysdma_emu_i8237_chan_info in = info_of(e, 3);
    assert_int_equal(in.base_addr, 0xBEEF);
    assert_int_equal(in.cur_addr, 0xBEEF);
    assert_int_equal(in.base_count, 0x1234);
    assert_int_equal(in.cur_count, 0x1234);
    assert_int_equal(in.mode, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_AUTOINIT |
                                  SYSDMA_EMU_MODE_SINGLE);
    assert_int_equal(in.page, 0x12);
    assert_int_equal(info_of(e, 0).cur_addr, 0x0599); /* low byte written above */
    /* DMA2 untouched by DMA1's master clear; its own one masks channel 4
     * too, which shuts DMA1 off the bus. */
    assert_false(info_of(e, 4).masked);
    tdev d;
    attach(e, 2, &d);
    program(e, 2, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0, 0x700, 3);
    mask_ch(e, 2, false);
    sysdma_emu_i8237_dreq(e, 2, true);
    sysdma_emu_i8237_outb(e, 0xDA, 0);
    assert_true(info_of(e, 4).masked);
    assert_int_equal(info_of(e, 4).mode, SYSDMA_EMU_MODE_CASCADE);
    assert_int_equal(sysdma_emu_i8237_run(e, 10), 0);
    sysdma_emu_i8237_outb(e, 0xD4, 0x00);
    assert_int_equal(sysdma_emu_i8237_run(e, 10), 4);
}

/* ---- Cascade gate through channel 4 ---------------------------------------------- */

static void test_cascade_through_channel4(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(false);
    tdev d;
    attach(e, 0, &d);
    program(e, 0, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0, 0x800, 7);
    mask_ch(e, 0, false);
    sysdma_emu_i8237_dreq(e, 0, true);
    /* Power-on without BIOS: channel 4 masked and not in cascade mode. */
    assert_true(info_of(e, 4).masked);
    assert_false(sysdma_emu_i8237_pending(e));
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 0);
    /* Unmasked but in single mode: still no bus for DMA1. */
    sysdma_emu_i8237_outb(e, 0xD6, SYSDMA_EMU_MODE_SINGLE | 0);
    sysdma_emu_i8237_outb(e, 0xD4, 0x00);
    assert_false(sysdma_emu_i8237_pending(e));
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 0);
    /* Cascade mode but masked: still none. */
    sysdma_emu_i8237_outb(e, 0xD4, 0x04);
    sysdma_emu_i8237_outb(e, 0xD6, SYSDMA_EMU_MODE_CASCADE | 0);
    assert_false(sysdma_emu_i8237_pending(e));
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 0);
    assert_int_equal(d.calls, 0);
    /* Cascade and unmasked: served. */
    sysdma_emu_i8237_outb(e, 0xD4, 0x00);
    assert_true(sysdma_emu_i8237_pending(e));
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 8);
    assert_int_equal(ram[0x807], pat(0, 7));

    /* With the BIOS setup, DMA1 works at once; masking channel 4 stops it. */
    e = fresh(true);
    attach(e, 0, &d);
    assert_false(info_of(e, 4).masked);
    assert_int_equal(info_of(e, 4).mode, SYSDMA_EMU_MODE_CASCADE);
    program(e, 0, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0, 0x800, 7);
    mask_ch(e, 0, false);
    sysdma_emu_i8237_dreq(e, 0, true);
    sysdma_emu_i8237_outb(e, 0xD4, 0x04);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 0);
    sysdma_emu_i8237_outb(e, 0xD4, 0x00);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 8);
    /* DMA2 channels do not depend on channel 4. */
    tdev d5;
    attach(e, 5, &d5);
    sysdma_emu_i8237_outb(e, 0xD4, 0x04);
    program(e, 5, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0, 0x800, 1);
    mask_ch(e, 5, false);
    sysdma_emu_i8237_dreq(e, 5, true);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 2);
}

/* ---- Init, reset, attach ---------------------------------------------------------- */

static void test_reset_and_attach(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = fresh(true);
    tdev d;
    attach(e, 3, &d);
    assert_false(sysdma_emu_i8237_attach(e, 4, NULL));
    assert_false(sysdma_emu_i8237_attach(e, 8, NULL));
    sysdma_emu_i8237_chan_info in;
    assert_false(sysdma_emu_i8237_channel_info(e, 8, &in));
    program(e, 3, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x01, 0x2000, 3);
    mask_ch(e, 3, false);
    sysdma_emu_i8237_dreq(e, 3, true);
    assert_int_equal(sysdma_emu_i8237_run(e, 2), 2);
    sysdma_emu_i8237_outb(e, 0x08, 0x10);
    /* RESET: registers cleared and masked; DREQ, device and stats kept. */
    sysdma_emu_i8237_reset(e, false);
    in = info_of(e, 3);
    assert_int_equal(in.cur_addr, 0);
    assert_int_equal(in.base_count, 0);
    assert_int_equal(in.mode, 0);
    assert_int_equal(in.page, 0);
    assert_true(in.masked);
    assert_true(in.dreq);
    assert_true(info_of(e, 4).masked);
    assert_int_equal(e->s.ctrl[0].command, 0);
    assert_int_equal(e->s.version, SYSDMA_EMU_I8237_STATE_VERSION);
    assert_int_equal(e->stats.units[3], 2);
    sysdma_emu_i8237_reset(e, true);
    assert_false(info_of(e, 4).masked);
    assert_int_equal(info_of(e, 4).mode, SYSDMA_EMU_MODE_CASCADE);
    program(e, 3, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x01, 0x2000, 3);
    mask_ch(e, 3, false);
    assert_int_equal(sysdma_emu_i8237_run(e, 100), 4);
    assert_int_equal(d.calls, 2);
    /* Detached: a DREQ-driven transfer on the channel finds no device and
     * moves open-bus data (the same stand-in a software request uses). */
    assert_true(sysdma_emu_i8237_attach(e, 3, NULL));
    program(e, 3, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x01, 0x3000, 3);
    mask_ch(e, 3, false);
    sysdma_emu_i8237_run(e, 100);
    assert_int_equal(d.calls, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claims_and_undecoded_ports),
        cmocka_unit_test(test_page_registers),
        cmocka_unit_test(test_dma1_register_map),
        cmocka_unit_test(test_dma2_register_map_and_aliases),
        cmocka_unit_test(test_flipflop),
        cmocka_unit_test(test_base_and_current),
        cmocka_unit_test(test_command_and_disable),
        cmocka_unit_test(test_status_register),
        cmocka_unit_test(test_request_register),
        cmocka_unit_test(test_masks),
        cmocka_unit_test(test_master_clear),
        cmocka_unit_test(test_cascade_through_channel4),
        cmocka_unit_test(test_reset_and_attach),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
