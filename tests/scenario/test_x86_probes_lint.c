/* SPDX-License-Identifier: MIT */
/*
 * The bare-metal x86 port's probe scenarios (probe-fdc, probe-8237; the
 * same code, tests/conformance, that the kernel runs against QEMU) run on
 * the emulated hardware with the 8237 hardware lint on. The floppy probe
 * programs DMA as a driver does and must draw no finding. The register
 * probe pokes at registers on purpose (that is what it compares with
 * QEMU): it reads write-only ports, unmasks channels it never gave a mode,
 * and writes test patterns into every page latch, odd ones included; the
 * lint must report those three kinds and nothing else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu_fdc.h"
#include "sysdma/sim.h"
#include "fdc_probe.h"
#include "i8237_probe.h"

static unsigned counts[SYSDMA_EMU_LINT_RULE_MAX + 1];
static unsigned total;

static void on_lint(void *ctx, const sysdma_emu_lint_report *r)
{
    (void)ctx;
    counts[r->rule]++;
    total++;
    print_message("lint: %s, channel %d, port 0x%02X: %s\n", r->name, r->channel, r->port,
                  r->text);
}

static unsigned lines;
static void print_line(const char *line)
{
    (void)line;
    lines++;
}

/* ---- probe-fdc on the simulated PC ---------------------------------------- */

static sysdma_sim *sim;
static sysdma_emu_fdc fdc;
static unsigned edges, seen;
static bool level;

static void fdc_irq(void *ctx, bool l)
{
    (void)ctx;
    if (l && !level)
        edges++;
    level = l;
}
static uint8_t port_in(void *ctx, uint16_t port) { (void)ctx; return sysdma_emu_fdc_inb(&fdc, port); }
static void port_out(void *ctx, uint16_t port, uint8_t v) { (void)ctx; sysdma_emu_fdc_outb(&fdc, port, v); }
static void clock_fn(void *ctx, uint64_t ns) { (void)ctx; sysdma_emu_fdc_advance(&fdc, ns); }
static uint8_t sim_in(uint16_t port) { return sysdma_sim_inb(sim, port); }
static void sim_out(uint16_t port, uint8_t v) { sysdma_sim_outb(sim, port, v); }
static bool irq_seen(void *ctx) { (void)ctx; return edges != seen; }
static bool wait_irq(uint32_t timeout_us)
{
    bool ok = sysdma_sim_run_until(sim, irq_seen, NULL, (uint64_t)timeout_us * 1000);
    seen = edges;
    return ok;
}

static uint8_t image[1474560];

static void test_probe_fdc_is_clean(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof image; k++)
        image[k] = (uint8_t)(k * 13u + (k >> 9));
    sysdma_sim_config sc = {.ram_bytes = 4u << 20};
    assert_int_equal(sysdma_sim_create(&sc, &sim), SYSDMA_OK);
    sysdma_sim_set_lint(sim, true, on_lint, NULL);
    assert_true(sysdma_emu_fdc_init(&fdc, sysdma_sim_dma(sim), 2, fdc_irq, NULL));
    assert_true(sysdma_emu_fdc_insert(&fdc, 0, image, sizeof image, false));
    assert_int_equal(sysdma_sim_add_ports(sim, 0x3F0, 0x3F5, port_in, port_out, NULL), SYSDMA_OK);
    assert_int_equal(sysdma_sim_add_ports(sim, 0x3F7, 0x3F7, port_in, port_out, NULL), SYSDMA_OK);
    assert_true(sysdma_sim_add_clock(sim, clock_fn, NULL));
    uint8_t *buf = sysdma_sim_phys_view(sim) + 0x90000;
    sysdma_fdc_probe_io io = {sim_in, sim_out, wait_irq, print_line, buf, 0x90000};
    total = lines = 0;
    memset(counts, 0, sizeof counts);
    sysdma_fdc_probe(&io);
    assert_true(lines > 10);
    /* The DMA read of C5 H0 R1 (1.44 MiB: 18 sectors, 2 heads) landed. */
    assert_memory_equal(buf, image + (5u * 2u * 18u) * 512u, 512);
    assert_int_equal(total, 0);
    assert_int_equal(sysdma_sim_lint_reports(sim), 0);
    sysdma_sim_destroy(sim);
}

/* ---- probe-8237 on the emulated pair ---------------------------------------- */

static sysdma_emu_i8237 dma;
static uint8_t in8237(uint16_t port) { return sysdma_emu_i8237_inb(&dma, port); }
static void out8237(uint16_t port, uint8_t v) { sysdma_emu_i8237_outb(&dma, port, v); }

static void test_probe_8237_reports_only_its_undefined_reads(void **state)
{
    (void)state;
    static uint8_t ram[1 << 16];
    sysdma_emu_physmem mem;
    sysdma_emu_physmem_init(&mem, ram, sizeof ram);
    sysdma_emu_i8237_init(&dma, &mem, true);
    sysdma_emu_i8237_set_lint(&dma, on_lint, NULL);
    total = lines = 0;
    memset(counts, 0, sizeof counts);
    sysdma_i8237_probe(in8237, out8237, print_line);
    assert_true(lines > 10);
    for (unsigned r = 1; r <= SYSDMA_EMU_LINT_RULE_MAX; r++) {
        bool allowed = r == SYSDMA_EMU_LINT_WRITE_ONLY_READ || r == SYSDMA_EMU_LINT_NO_MODE ||
                       r == SYSDMA_EMU_LINT_PAGE_BIT0;
        if (!allowed && counts[r])
            fail_msg("probe-8237 drew %u '%s' finding(s)", counts[r],
                     sysdma_emu_lint_rule_name((sysdma_emu_lint_rule)r));
    }
    assert_true(counts[SYSDMA_EMU_LINT_WRITE_ONLY_READ] > 0);
    assert_true(counts[SYSDMA_EMU_LINT_NO_MODE] > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_fdc_is_clean),
        cmocka_unit_test(test_probe_8237_reports_only_its_undefined_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
