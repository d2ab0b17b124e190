/* SPDX-License-Identifier: MIT */
/*
 * The sysdma system of the ARM kernel: the core over this platform and the
 * PL080 driver (src/ctrl/pl080.c) at 0x10130000, its interrupt through the
 * PL190 VIC (line 17), and the waits of the scenarios.
 *
 * QEMU's PL080 runs a channel's whole list inside the register write that
 * enables it, but updates its interrupt outputs only on writes to the
 * DMAC's global registers (a channel register write returns before the
 * update). So the terminal count of a program is latched when the driver's
 * program returns, and the line to the VIC rises only at the next global
 * write. The port's controller table wraps the driver's program with a
 * write of 0 to DMACIntTCClear (which clears nothing, on any PL080) so the
 * interrupt is raised at once, as the hardware raises it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/ctrl_pl080.h"
#include "bm.h"
#include "dma.h"
#include "kernel.h"

#define PL080_INT_TC_CLEAR 0x008u

static sysdma_platform the_platform;
static sysdma_pl080_driver the_pl080;
static sysdma_controller the_driver;   /* the driver's own table */
static sysdma_controller_ops port_ops; /* it, with the nudge and the tap */
static sysdma_controller the_controller;
static sysdma_system *the_sys;
static volatile uint32_t irqs, irq_empty, completed_channels;
static uint32_t items;

static sysdma_status nudged_program(void *ctx, unsigned channel, const sysdma_program *p)
{
    sysdma_status st = the_driver.ops->program(ctx, channel, p);
    mmio_wr(BM_PL080 + PL080_INT_TC_CLEAR, 0);
    if (st == SYSDMA_OK)
        items += dma_items(channel);
    return st;
}

/* What the driver's handle_interrupt reported, tapped for the scenarios
 * that program the driver directly (the core does not know of those
 * programs, so only the tap sees their completions). */
static bool tapped_handle_interrupt(void *ctx, uint32_t *completed, uint32_t *failed)
{
    bool any = the_driver.ops->handle_interrupt(ctx, completed, failed);
    if (any)
        completed_channels |= *completed;
    return any;
}

/* The PL080's interrupt (IRQ mode, IRQs masked): the core's completion
 * entry asks the driver which channels completed or failed (reading and
 * clearing the DMAC's interrupt status, which lowers the line), then ends
 * their MapTransferEx completions and advances or ends their lists; the
 * done calls run from here. */
static void dma_isr(void)
{
    irqs++;
    if (!sysdma_controller_interrupt(the_sys, 0)) {
        /* Not the DMAC's: stop a line nobody lowers from locking up the CPU. */
        if (++irq_empty > 1000)
            bm_set_dma_isr(NULL);
    }
}

sysdma_system *dma_system(void)
{
    if (the_sys)
        return the_sys;
    bm_platform(&the_platform);
    sysdma_pl080_config cfg = {0};
    cfg.mmio.base = (volatile uint32_t *)(uintptr_t)BM_PL080;
    cfg.platform = the_platform;
    sysdma_status st = sysdma_pl080_driver_init(&the_pl080, &cfg, &the_driver);
    if (st != SYSDMA_OK) {
        say_error("pl080 driver", st);
        return NULL;
    }
    if (!the_driver.ops->handle_interrupt) {
        serial_puts("error: the PL080 driver has no handle_interrupt\n");
        return NULL;
    }
    port_ops = *the_driver.ops;
    port_ops.program = nudged_program;
    port_ops.handle_interrupt = tapped_handle_interrupt;
    the_controller.ops = &port_ops;
    the_controller.ctx = the_driver.ctx;
    st = sysdma_system_create(&the_platform, &the_controller, NULL, &the_sys);
    if (st != SYSDMA_OK) {
        say_error("system", st);
        the_sys = NULL;
        return NULL;
    }
    bm_set_dma_isr(dma_isr);
    irq_enable();
    return the_sys;
}

unsigned dma_query_fragments(unsigned channel)
{
    return the_driver.ops->query_fragments ? the_driver.ops->query_fragments(the_driver.ctx, channel)
                                           : 1;
}

uint32_t dma_items(unsigned channel)
{
    uint32_t n = 0;
    if (the_driver.ops->configure(the_driver.ctx, channel, SYSDMA_PL080_FN_ITEMS, &n, sizeof n) !=
        SYSDMA_OK)
        return 0;
    return n;
}

uint32_t dma_interrupts(void)
{
    return irqs;
}

sysdma_status dma_program_direct(unsigned channel, const sysdma_program *p)
{
    completed_channels &= ~(1u << channel);
    /* As the core calls it: with the lock's IRQ mask, so that the
     * interrupt comes after the program returns. */
    uint32_t s = irq_save();
    sysdma_status st = the_controller.ops->program(the_controller.ctx, channel, p);
    irq_restore(s);
    return st;
}

bool dma_wait_channel(unsigned channel)
{
    for (uint32_t k = 0; k < 20000000u; k++)
        if (completed_channels & (1u << channel))
            return true;
    return false;
}

uint32_t dma_items_total(void)
{
    return items;
}

bool dma_wait(volatile bool *flag)
{
    /* Interrupts are on: the flag is set from the PL080's handler. A
     * bounded spin, so that a lost interrupt is reported, not a hang. */
    for (uint32_t k = 0; k < 20000000u; k++)
        if (*flag)
            return true;
    return false;
}
