/* SPDX-License-Identifier: MIT */
/*
 * The emulated floppy controller on the test rig, as the floppy scenario
 * tests use it: a simulated PC (the rig, verifier on) with the controller
 * at 0x3F0 on IRQ 6 and DMA channel 2, a 1.44 MB image in drive 0, the
 * interrupt's edges counted, and the waits and delays a driver's
 * environment needs. A test's own state begins with an fdc_drive, so the
 * callbacks take that state as their context.
 */
#ifndef SYSDMA_TEST_FDC_DRIVE_H
#define SYSDMA_TEST_FDC_DRIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sysdma/emu_fdc.h"
#include "support/rig.h"

#define FDC_DRIVE_DISK 1474560u

typedef struct fdc_drive {
    rig r;
    sysdma_emu_fdc fdc;
    uint8_t *image;       /* drive 0's disk, FDC_DRIVE_DISK bytes */
    unsigned edges, seen; /* interrupt edges, and those a wait has seen */
    bool level;
} fdc_drive;

static inline void drive_irq(void *ctx, bool level)
{
    fdc_drive *d = ctx;
    if (level && !d->level)
        d->edges++;
    d->level = level;
    sysdma_sim_irq_set(d->r.sim, 6, level);
}

static inline uint8_t drive_in(void *ctx, uint16_t port)
{
    return sysdma_emu_fdc_inb(&((fdc_drive *)ctx)->fdc, port);
}
static inline void drive_out(void *ctx, uint16_t port, uint8_t v)
{
    sysdma_emu_fdc_outb(&((fdc_drive *)ctx)->fdc, port, v);
}
static inline void drive_clock(void *ctx, uint64_t ns)
{
    sysdma_emu_fdc_advance(&((fdc_drive *)ctx)->fdc, ns);
}

/* A driver's environment on the rig: the machine's ports, a wait for the
 * controller's interrupt (false on timeout) and a delay. */
static inline uint8_t drive_env_in(void *ctx, uint16_t port)
{
    return sysdma_sim_inb(((fdc_drive *)ctx)->r.sim, port);
}
static inline void drive_env_out(void *ctx, uint16_t port, uint8_t v)
{
    sysdma_sim_outb(((fdc_drive *)ctx)->r.sim, port, v);
}
static inline bool drive_seen(void *ctx)
{
    fdc_drive *d = ctx;
    return d->edges != d->seen;
}
static inline bool drive_wait(void *ctx, uint32_t timeout_us)
{
    fdc_drive *d = ctx;
    bool ok = sysdma_sim_run_until(d->r.sim, drive_seen, d, (uint64_t)timeout_us * 1000);
    d->seen = d->edges;
    return ok;
}
static inline void drive_delay(void *ctx, uint32_t us)
{
    sysdma_sim_run(((fdc_drive *)ctx)->r.sim, (uint64_t)us * 1000);
}

/* The machine (up to `map_cap` map registers), the verifier on, and the
 * controller with an image filled by `byte` in drive 0 (none when !disk).
 * The rig put a test device on channel 2; the floppy takes it over. */
static inline bool fdc_drive_make(fdc_drive *d, uint32_t map_cap, uint8_t (*byte)(size_t),
                                  bool disk, bool write_protected)
{
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = map_cap};
    if (rig_init(&d->r, 64u << 20, 4096, &cfg) != SYSDMA_OK)
        return false;
    rig_verify(&d->r); /* the drivers must not trip the verifier */
    d->image = malloc(FDC_DRIVE_DISK);
    if (!d->image)
        return false;
    for (size_t k = 0; k < FDC_DRIVE_DISK; k++)
        d->image[k] = byte(k);
    return sysdma_emu_fdc_init(&d->fdc, sysdma_sim_dma(d->r.sim), 2, drive_irq, d) &&
           (!disk || sysdma_emu_fdc_insert(&d->fdc, 0, d->image, FDC_DRIVE_DISK, write_protected)) &&
           sysdma_sim_add_ports(d->r.sim, 0x3F0, 0x3F5, drive_in, drive_out, d) == SYSDMA_OK &&
           sysdma_sim_add_ports(d->r.sim, 0x3F7, 0x3F7, drive_in, drive_out, d) == SYSDMA_OK &&
           sysdma_sim_add_clock(d->r.sim, drive_clock, d);
}

static inline void fdc_drive_unmake(fdc_drive *d)
{
    rig_destroy(&d->r);
    free(d->image);
}

#endif /* SYSDMA_TEST_FDC_DRIVE_H */
