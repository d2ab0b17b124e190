/* SPDX-License-Identifier: MIT */
/*
 * A program outside the sysdma tree, built against an installed sysdma (with
 * pkg-config or with find_package, static or shared) by tests/install/run.sh.
 * It uses only the installed headers and libraries: on the simulated PC, a
 * packet-based driver moves a buffer whose pages all lie above 16 MiB (out of
 * an ISA channel's reach, so every piece goes through map registers) to the
 * test device on channel 1 and back, its ISR acknowledging the device, and
 * checks every byte. Usage: outside [VERSION] — exits 1 if the installed
 * headers are not that version.
 */
#include <stdio.h>
#include <string.h>

#include <sysdma/ctrl_i8237.h>
#include <sysdma/sim.h>
#include <sysdma/sysdma.h>
#include <sysdma/verifier.h>
#include <sysdma/version.h>

#define LEN 150000u
#define CHANNEL 1u
#define IRQ 5u

typedef struct driver {
    sysdma_sim *sim;
    sysdma_sim_testdev *dev;
    uint16_t base;
    bool irq_seen;
    sysdma_map_registers *regs;
    bool granted;
} driver;

static void isr(void *ctx, unsigned irq)
{
    driver *d = ctx;
    (void)irq;
    if (sysdma_sim_inb(d->sim, d->base) & SYSDMA_EMU_TESTDEV_IRQ) {
        d->irq_seen = true;
        sysdma_sim_outb(d->sim, (uint16_t)(d->base + 5), 0); /* acknowledge */
    }
}

static bool irq_seen(void *ctx)
{
    return ((driver *)ctx)->irq_seen;
}

static sysdma_allocation_action on_grant(void *device, sysdma_map_registers *regs, void *ctx)
{
    driver *d = ctx;
    (void)device;
    d->regs = regs;
    d->granted = true;
    return SYSDMA_KEEP_OBJECT;
}

/* One packet-based pass over buf; returns the number of pieces, 0 on failure. */
static unsigned pass(driver *d, sysdma_system *sys, sysdma_adapter *a, uint32_t nregs, uint8_t *buf,
                     bool to_device)
{
    sysdma_mdl *mdl;
    if (sysdma_mdl_create(sys, buf, LEN, &mdl) != SYSDMA_OK)
        return 0;
    sysdma_flush_io_buffers(sys, mdl, !to_device);
    d->granted = false;
    if (sysdma_channel_allocate(a, d, nregs, on_grant, d) != SYSDMA_OK || !d->granted) {
        sysdma_mdl_free(sys, mdl);
        return 0;
    }
    uint32_t max_piece = nregs * SYSDMA_PAGE_SIZE;
    if (max_piece > sysdma_adapter_max_transfer(a))
        max_piece = sysdma_adapter_max_transfer(a);
    unsigned pieces = 0;
    bool ok = true;
    for (uint32_t done = 0; done < LEN && ok;) {
        uint32_t piece = LEN - done < max_piece ? LEN - done : max_piece;
        ok = sysdma_map_transfer(a, mdl, d->regs, buf + done, &piece, to_device, NULL) == SYSDMA_OK;
        if (!ok)
            break;
        d->irq_seen = false;
        for (unsigned b = 0; b < 4; b++)
            sysdma_sim_outb(d->sim, (uint16_t)(d->base + 1 + b), (uint8_t)(piece >> (8 * b)));
        sysdma_sim_outb(d->sim, d->base, to_device ? 2 : 1);
        ok = sysdma_sim_run_until(d->sim, irq_seen, d, 10ull * 1000 * 1000 * 1000);
        ok = sysdma_flush_adapter_buffers(a, mdl, d->regs, buf + done, piece, to_device) == SYSDMA_OK &&
             ok;
        done += piece;
        pieces++;
    }
    ok = sysdma_channel_free(a) == SYSDMA_OK && ok;
    sysdma_mdl_free(sys, mdl);
    return ok ? pieces : 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], SYSDMA_VERSION_STRING) != 0) {
        fprintf(stderr, "outside: headers say %s, want %s\n", SYSDMA_VERSION_STRING, argv[1]);
        return 1;
    }
    driver d = {0};
    sysdma_sim_config sc = {.ram_bytes = 64u << 20, .seed = 2026, .timing_off = true};
    if (sysdma_sim_create(&sc, &d.sim) != SYSDMA_OK)
        return 1;
    sysdma_sim_testdev_config tc = {.channel = CHANNEL, .irq = IRQ, .fifo_bytes = LEN};
    sysdma_status st = sysdma_sim_testdev_attach(d.sim, &tc, &d.dev);
    if (st != SYSDMA_OK) {
        fprintf(stderr, "outside: test device: %s\n", sysdma_strerror(st));
        return 1;
    }
    d.base = sysdma_sim_testdev_base_port(d.dev);
    sysdma_sim_irq_connect(d.sim, IRQ, isr, &d);

    sysdma_platform pf;
    sysdma_i8237_driver drv;
    sysdma_controller ctrl;
    sysdma_system *sys = NULL;
    sysdma_sim_platform(d.sim, &pf, NULL);
    sysdma_i8237_driver_init(&drv, &pf, &ctrl);
    if (sysdma_system_create(&pf, &ctrl, NULL, &sys) != SYSDMA_OK ||
        sysdma_verifier_enable(sys, NULL) != SYSDMA_OK)
        return 1;
    sysdma_device_description desc = {0};
    desc.version = 1;
    desc.channel = CHANNEL;
    desc.interface_type = SYSDMA_INTERFACE_ISA;
    desc.width = SYSDMA_WIDTH_8;
    desc.maximum_length = 65536;
    sysdma_adapter *a;
    uint32_t nregs;
    if (sysdma_adapter_get(sys, &desc, &a, &nregs) != SYSDMA_OK)
        return 1;

    uint8_t *buf = sysdma_sim_buffer_alloc(d.sim, LEN, 0, SYSDMA_SIM_SCATTERED_HIGH);
    uint8_t *fifo = sysdma_sim_testdev_fifo(d.dev, NULL);
    if (!buf || !fifo)
        return 1;
    int bad = 0;
    for (uint32_t k = 0; k < LEN; k++)
        buf[k] = (uint8_t)(k * 29u + 3u);
    unsigned out_pieces = pass(&d, sys, a, nregs, buf, true);
    for (uint32_t k = 0; k < LEN; k++)
        bad |= fifo[k] != (uint8_t)(k * 29u + 3u);
    if (sysdma_sim_testdev_rewind(d.dev) != SYSDMA_OK)
        return 1;
    for (uint32_t k = 0; k < LEN; k++)
        fifo[k] = (uint8_t)~(k * 29u + 3u);
    memset(buf, 0, LEN);
    unsigned in_pieces = pass(&d, sys, a, nregs, buf, false);
    for (uint32_t k = 0; k < LEN; k++)
        bad |= buf[k] != (uint8_t)~(k * 29u + 3u);

    sysdma_stats s;
    sysdma_stats_get(sys, NULL, &s);
    uint64_t reports = sysdma_verifier_reports(sys, SYSDMA_VCHECK_COUNT);
    bad |= !out_pieces || !in_pieces || s.bytes_bounced != 2ull * LEN ||
           s.bounced_transfers != out_pieces + in_pieces || reports != 0;
    printf("outside: sysdma %s, %u bytes to the device and back in %u + %u pieces, "
           "%llu bytes bounced, %llu verifier reports: %s\n",
           SYSDMA_VERSION_STRING, LEN, out_pieces, in_pieces, (unsigned long long)s.bytes_bounced,
           (unsigned long long)reports, bad ? "FAILED" : "ok");
    sysdma_sim_buffer_free(d.sim, buf);
    if (sysdma_adapter_put(a) != SYSDMA_OK || sysdma_system_destroy(sys) != SYSDMA_OK)
        bad = 1;
    sysdma_sim_destroy(d.sim);
    return bad;
}
