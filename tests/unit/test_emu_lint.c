/* SPDX-License-Identifier: MIT */
/*
 * The emulated 8237A pair's hardware lint: one test per rule drives the
 * mistake through the ports (or the device side) and checks the report —
 * rule, channel, port, values — and that correct programming of the same
 * thing reports nothing. Also: the lint off reports nothing and changes
 * nothing, rules can be switched off, names are stable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu.h"

#include "emu_i8237_test.h"

static sysdma_emu_lint_report seen[64];
static size_t nseen;

static void on_lint(void *ctx, const sysdma_emu_lint_report *r)
{
    (void)ctx;
    assert_non_null(r->name);
    assert_non_null(r->text);
    assert_string_equal(r->name, sysdma_emu_lint_rule_name(r->rule));
    if (nseen < 64)
        seen[nseen++] = *r;
}

/* A fresh pair with the lint on from reset. */
static sysdma_emu_i8237 *linted(void)
{
    sysdma_emu_i8237 *e = fresh(true);
    nseen = 0;
    sysdma_emu_i8237_set_lint(e, on_lint, NULL);
    return e;
}

/* Exactly one report so far, of `rule` on `channel` through `port`. */
static const sysdma_emu_lint_report *only(sysdma_emu_lint_rule rule, int channel, uint16_t port)
{
    if (nseen != 1)
        fail_msg("%zu reports (first: %s), want one %s", nseen,
                 nseen ? seen[0].name : "-", sysdma_emu_lint_rule_name(rule));
    assert_int_equal(seen[0].rule, rule);
    assert_int_equal(seen[0].channel, channel);
    assert_int_equal(seen[0].port, port);
    return &seen[0];
}

static void none(void)
{
    if (nseen)
        fail_msg("unexpected report %s on channel %d port 0x%02X: %s", seen[0].name,
                 seen[0].channel, seen[0].port, seen[0].text);
}

static void test_correct_programming_is_silent(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = linted();
    tdev d;
    attach(e, 2, &d);
    program(e, 2, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x01, 0x2000, 511);
    go(e, 2);
    assert_int_equal(sysdma_emu_i8237_run(e, 100000), 512);
    /* Reprogrammed after TC, 16-bit channel with the page right, auto-init
     * re-armed, status and residue read back: all as a driver should. */
    program(e, 2, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_SINGLE, 0x01, 0x4000, 99);
    mask_ch(e, 2, false);
    sysdma_emu_i8237_program(e, 5, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND |
                                       SYSDMA_EMU_MODE_AUTOINIT, 0x60000, 4096);
    (void)rd(e, 0, SYSDMA_EMU_I8237_REG_STATUS);
    (void)read16(e, 2, 1);
    (void)rd(e, 0, SYSDMA_EMU_I8237_REG_TEMP);
    none();
    assert_int_equal(e->lint.reports, 0);
}

static void test_wrap(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = linted();
    /* 8-bit: 0x100 bytes from 0xFF80 cross the 64 KiB page end. */
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x03, 0xFF80, 0xFF);
    none();
    mask_ch(e, 1, false);
    const sysdma_emu_lint_report *r = only(SYSDMA_EMU_LINT_WRAP, 1, 0x0A);
    assert_int_equal(r->value, 0x3FF80);
    assert_int_equal(r->detail, 0xFF);
    /* 16-bit: 4 KiB starting 2 KiB below 0x40000 cross the 128 KiB window. */
    nseen = 0;
    sysdma_emu_i8237_program(e, 6, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_BLOCK, 0x3F800, 4096);
    r = only(SYSDMA_EMU_LINT_WRAP, 6, 0xD4);
    assert_int_equal(r->value, 0x3F800);
    /* Ending exactly at the page end is fine; so is decrement within it
     * (decrement is its own rule: switch it off here). */
    nseen = 0;
    sysdma_emu_i8237_lint_config(e, SYSDMA_EMU_LINT_ALL & ~(1u << SYSDMA_EMU_LINT_DECREMENT), 0);
    sysdma_emu_i8237_program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x3FF00, 256);
    sysdma_emu_i8237_program(e, 3, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DECREMENT, 0x300FF, 256);
    none();
    /* Decrementing below the page start wraps too. */
    sysdma_emu_i8237_program(e, 3, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DECREMENT, 0x300FE, 256);
    only(SYSDMA_EMU_LINT_WRAP, 3, 0x0A);
}

static void test_program_unmasked(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = linted();
    program(e, 3, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x01, 0x1000, 99);
    mask_ch(e, 3, false);
    none();
    wr(e, 3, SYSDMA_EMU_I8237_REG_CLEAR_FF, 0);
    wr(e, 3, 7, 0x20); /* count low while unmasked */
    const sysdma_emu_lint_report *r = only(SYSDMA_EMU_LINT_PROGRAM_UNMASKED, 3, 0x07);
    assert_int_equal(r->value, 0x20);
    assert_int_equal(r->detail, 1); /* count */
    /* Once per programming: the high byte adds nothing; programmed masked
     * and then again unmasked, it is reported again. */
    wr(e, 3, 7, 0x00);
    assert_int_equal(nseen, 1);
    mask_ch(e, 3, true);
    wr(e, 3, 6, 0x00);
    wr(e, 3, 6, 0x10);
    mask_ch(e, 3, false);
    assert_int_equal(nseen, 1);
    wr(e, 3, 6, 0x00);
    assert_int_equal(nseen, 2);
    assert_int_equal(seen[1].rule, SYSDMA_EMU_LINT_PROGRAM_UNMASKED);
    assert_int_equal(seen[1].detail, 0); /* address */
    /* Channel 4 (cascade, unmasked by the BIOS) is not reported. */
    nseen = 0;
    wr(e, 4, SYSDMA_EMU_I8237_REG_CLEAR_FF, 0);
    wr(e, 4, 0, 0x12);
    none();
}

static void test_flipflop(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = linted();
    mask_ch(e, 2, true);
    wr(e, 2, SYSDMA_EMU_I8237_REG_CLEAR_FF, 0);
    wr(e, 2, 4, 0x00); /* address low, then forgot the high byte */
    none();
    wr(e, 2, 5, 0xFF); /* count "low" lands in the high byte */
    const sysdma_emu_lint_report *r = only(SYSDMA_EMU_LINT_FLIPFLOP, 2, 0x05);
    assert_int_equal(r->value, 0xFF);
    /* After a clear, pairs are fine, on both controllers. */
    nseen = 0;
    wr(e, 2, SYSDMA_EMU_I8237_REG_CLEAR_FF, 0);
    wr(e, 2, 5, 0x10);
    wr(e, 2, 5, 0x00);
    wr(e, 6, SYSDMA_EMU_I8237_REG_CLEAR_FF, 0);
    mask_ch(e, 6, true);
    wr(e, 6, 4, 0x10);
    wr(e, 6, 4, 0x00);
    none();
    /* A read that leaves the pointer odd counts as well. */
    (void)rd(e, 6, 5);
    wr(e, 6, 4, 0x22);
    only(SYSDMA_EMU_LINT_FLIPFLOP, 6, 0xC8);
}

static void test_no_mode(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = linted();
    mask_ch(e, 1, false);
    const sysdma_emu_lint_report *r = only(SYSDMA_EMU_LINT_NO_MODE, 1, 0x0A);
    assert_int_equal(r->value, 0);
    /* After a mode write it is fine; a hardware reset forgets it again. */
    nseen = 0;
    mask_ch(e, 1, true);
    wr(e, 1, SYSDMA_EMU_I8237_REG_MODE, SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_VERIFY | 1);
    mask_ch(e, 1, false);
    none();
    sysdma_emu_i8237_reset(e, true);
    wr(e, 1, SYSDMA_EMU_I8237_REG_CLEAR_MASK, 0); /* unmasks 0-3: none has a mode */
    assert_int_equal(nseen, 4);
    for (unsigned k = 0; k < 4; k++) {
        assert_int_equal(seen[k].rule, SYSDMA_EMU_LINT_NO_MODE);
        assert_int_equal(seen[k].channel, (int)k);
    }
    /* The BIOS's cascade on channel 4 counts as a mode. */
    nseen = 0;
    wr(e, 4, SYSDMA_EMU_I8237_REG_SINGLE_MASK, 4);
    wr(e, 4, SYSDMA_EMU_I8237_REG_SINGLE_MASK, 0);
    none();
}

static void test_stale_after_tc(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = linted();
    tdev d;
    attach(e, 1, &d);
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x01, 0x1000, 15);
    go(e, 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 1000), 16);
    assert_true(info_of(e, 1).masked);
    mask_ch(e, 1, false); /* same registers: count 0xFFFF now */
    const sysdma_emu_lint_report *r = only(SYSDMA_EMU_LINT_STALE_AFTER_TC, 1, 0x0A);
    assert_int_equal(r->value, 0x1010);
    assert_int_equal(r->detail, 0xFFFF);
    /* A new count clears it; auto-init channels never go stale. */
    nseen = 0;
    sysdma_emu_i8237_dreq(e, 1, false);
    mask_ch(e, 1, true);
    wr(e, 1, SYSDMA_EMU_I8237_REG_CLEAR_FF, 0);
    wr(e, 1, 3, 15);
    wr(e, 1, 3, 0);
    mask_ch(e, 1, false);
    none();
    program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND | SYSDMA_EMU_MODE_AUTOINIT,
            0x01, 0x1000, 15);
    go(e, 1);
    assert_int_equal(sysdma_emu_i8237_run(e, 16), 16);
    mask_ch(e, 1, true);
    mask_ch(e, 1, false);
    none();
}

static void test_page_bit0(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = linted();
    /* The classic mistake: page = phys >> 16 for a buffer at 0x30000. */
    sysdma_emu_i8237_outb(e, 0x8B, 0x03);
    const sysdma_emu_lint_report *r = only(SYSDMA_EMU_LINT_PAGE_BIT0, 5, 0x8B);
    assert_int_equal(r->value, 0x03);
    nseen = 0;
    sysdma_emu_i8237_outb(e, 0x8A, 0x02);  /* channel 7, even: fine */
    sysdma_emu_i8237_outb(e, 0x83, 0x03);  /* channel 1 is 8-bit: fine */
    none();
    sysdma_emu_i8237_outb(e, 0x89, 0x01);
    only(SYSDMA_EMU_LINT_PAGE_BIT0, 6, 0x89);
}

static void test_odd_address(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = linted();
    sysdma_emu_i8237_program(e, 7, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_SINGLE, 0x20001, 64);
    const sysdma_emu_lint_report *r = only(SYSDMA_EMU_LINT_ODD_ADDRESS, 7, 0);
    assert_int_equal(r->value, 0x20001);
    assert_int_equal(r->detail, 64);
    nseen = 0;
    sysdma_emu_i8237_program(e, 7, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_SINGLE, 0x20000, 63);
    only(SYSDMA_EMU_LINT_ODD_ADDRESS, 7, 0);
    nseen = 0;
    sysdma_emu_i8237_program(e, 3, SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_SINGLE, 0x20001, 63);
    none(); /* 8-bit channels move bytes */
}

static void test_masked_request(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = linted();
    sysdma_emu_i8237_lint_config(e, SYSDMA_EMU_LINT_ALL, 1000);
    program(e, 6, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE, 0x02, 0x0000, 99);
    sysdma_emu_i8237_dreq(e, 6, true); /* ... and the driver never unmasks */
    assert_int_equal(sysdma_emu_i8237_run(e, 600), 0);
    none();
    assert_int_equal(sysdma_emu_i8237_run(e, 600), 0);
    const sysdma_emu_lint_report *r = only(SYSDMA_EMU_LINT_MASKED_REQUEST, 6, 0);
    assert_int_equal(r->value, 1200);
    assert_int_equal(r->detail, 1000);
    assert_int_equal(sysdma_emu_i8237_run(e, 5000), 0);
    assert_int_equal(nseen, 1); /* once per wait */
    /* A short wait (DREQ drops, or the channel is unmasked) restarts it. */
    nseen = 0;
    sysdma_emu_i8237_dreq(e, 6, false);
    assert_int_equal(sysdma_emu_i8237_run(e, 10), 0);
    sysdma_emu_i8237_dreq(e, 6, true);
    assert_int_equal(sysdma_emu_i8237_run(e, 900), 0);
    none();
}

static void test_mem2mem(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = linted();
    wr(e, 0, SYSDMA_EMU_I8237_REG_COMMAND, SYSDMA_EMU_CMD_MEM2MEM);
    const sysdma_emu_lint_report *r = only(SYSDMA_EMU_LINT_MEM2MEM, 0, 0x08);
    assert_int_equal(r->value, SYSDMA_EMU_CMD_MEM2MEM);
    nseen = 0;
    wr(e, 5, SYSDMA_EMU_I8237_REG_COMMAND, SYSDMA_EMU_CMD_MEM2MEM | SYSDMA_EMU_CMD_ROTATING);
    only(SYSDMA_EMU_LINT_MEM2MEM, 4, 0xD0);
    nseen = 0;
    wr(e, 0, SYSDMA_EMU_I8237_REG_COMMAND, SYSDMA_EMU_CMD_ROTATING);
    none();
}

static void test_decrement(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = linted();
    program(e, 2, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_DECREMENT,
            0x01, 0x8000, 99);
    none();
    mask_ch(e, 2, false);
    const sysdma_emu_lint_report *r = only(SYSDMA_EMU_LINT_DECREMENT, 2, 0x0A);
    assert_int_equal(r->value & SYSDMA_EMU_MODE_DECREMENT, SYSDMA_EMU_MODE_DECREMENT);
    /* A software request starts a block channel as unmasking does. */
    nseen = 0;
    program(e, 3, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_BLOCK | SYSDMA_EMU_MODE_DECREMENT,
            0x01, 0x8000, 99);
    wr(e, 3, SYSDMA_EMU_I8237_REG_REQUEST, 4 | 3);
    only(SYSDMA_EMU_LINT_DECREMENT, 3, 0x09);
}

static void test_write_only_read(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = linted();
    static const uint16_t wonly[] = {0x09, 0x0A, 0x0B, 0x0C, 0x0E, 0x0F,
                                     0xD2, 0xD4, 0xD6, 0xD8, 0xDC, 0xDE, 0xDF};
    for (size_t k = 0; k < sizeof wonly / sizeof wonly[0]; k++) {
        nseen = 0;
        (void)sysdma_emu_i8237_inb(e, wonly[k]);
        const sysdma_emu_lint_report *r = only(SYSDMA_EMU_LINT_WRITE_ONLY_READ, -1, wonly[k]);
        assert_int_equal(r->detail, wonly[k] >= 0xC0 ? 1 : 0);
    }
    nseen = 0;
    static const uint16_t readable[] = {0x00, 0x07, 0x08, 0x0D, 0xC0, 0xD0, 0xDA, 0x81, 0x8F};
    for (size_t k = 0; k < sizeof readable / sizeof readable[0]; k++)
        (void)sysdma_emu_i8237_inb(e, readable[k]);
    none();
}

/* The lint only looks: a run with it on ends in the same state as without,
 * and with it off nothing is reported and no count moves. */
static void test_off_and_rules(void **state)
{
    (void)state;
    sysdma_emu_i8237 *e = linted();
    sysdma_emu_i8237_set_lint(e, NULL, NULL);
    wr(e, 0, SYSDMA_EMU_I8237_REG_COMMAND, SYSDMA_EMU_CMD_MEM2MEM);
    (void)sysdma_emu_i8237_inb(e, 0x0B);
    mask_ch(e, 1, false);
    none();
    assert_int_equal(e->lint.reports, 0);
    /* On again after port writes: channels count as having a mode. */
    sysdma_emu_i8237_set_lint(e, on_lint, NULL);
    mask_ch(e, 2, false);
    none();
    /* A rule switched off stays quiet; the others still speak. */
    sysdma_emu_i8237_lint_config(e, SYSDMA_EMU_LINT_ALL & ~(1u << SYSDMA_EMU_LINT_WRITE_ONLY_READ), 0);
    (void)sysdma_emu_i8237_inb(e, 0x0B);
    none();
    sysdma_emu_i8237_outb(e, 0x8B, 1);
    only(SYSDMA_EMU_LINT_PAGE_BIT0, 5, 0x8B);
    assert_string_equal(sysdma_emu_lint_rule_name(SYSDMA_EMU_LINT_WRAP), "wrap");
    assert_string_equal(sysdma_emu_lint_rule_name(SYSDMA_EMU_LINT_WRITE_ONLY_READ),
                        "write-only-read");
    assert_string_equal(sysdma_emu_lint_rule_name((sysdma_emu_lint_rule)0), "?");
    assert_string_equal(sysdma_emu_lint_rule_name((sysdma_emu_lint_rule)99), "?");
}

static void test_lint_does_not_change_behaviour(void **state)
{
    (void)state;
    static uint8_t ram2[RAM_SIZE];
    sysdma_emu_i8237_state a, b;
    for (int pass = 0; pass < 2; pass++) {
        sysdma_emu_i8237 *e = pass ? linted() : fresh(true);
        tdev d;
        attach(e, 1, &d);
        d.seed = 9;
        /* Plenty of mistakes: wrap, unmasked writes, no reprogramming. */
        program(e, 1, SYSDMA_EMU_MODE_WRITE | SYSDMA_EMU_MODE_DEMAND, 0x00, 0xFFF0, 63);
        go(e, 1);
        wr(e, 1, 3, 0x10);
        (void)sysdma_emu_i8237_run(e, 100);
        mask_ch(e, 1, false);
        (void)sysdma_emu_i8237_run(e, 100);
        sysdma_emu_i8237_save(e, pass ? &b : &a);
        if (!pass)
            memcpy(ram2, ram, sizeof ram);
    }
    assert_true(nseen > 0);
    assert_memory_equal(&a, &b, sizeof a);
    assert_memory_equal(ram, ram2, sizeof ram);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_correct_programming_is_silent),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_program_unmasked),
        cmocka_unit_test(test_flipflop),
        cmocka_unit_test(test_no_mode),
        cmocka_unit_test(test_stale_after_tc),
        cmocka_unit_test(test_page_bit0),
        cmocka_unit_test(test_odd_address),
        cmocka_unit_test(test_masked_request),
        cmocka_unit_test(test_mem2mem),
        cmocka_unit_test(test_decrement),
        cmocka_unit_test(test_write_only_read),
        cmocka_unit_test(test_off_and_rules),
        cmocka_unit_test(test_lint_does_not_change_behaviour),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
