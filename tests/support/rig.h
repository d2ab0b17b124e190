/* SPDX-License-Identifier: MIT */
/*
 * Test rig: a simulated PC with the sysdma core on top (sim platform, 8237
 * driver, system) and a generic test device on one channel, plus a
 * packet-based "driver" that moves a buffer through sysdma the way the
 * packet-based sequence (docs/design.md) does: AllocateAdapterChannel → MapTransfer → device runs
 * → FlushAdapterBuffers → repeat per piece → FreeAdapterChannel.
 */
#ifndef SYSDMA_TEST_RIG_H
#define SYSDMA_TEST_RIG_H

#include "sysdma/ctrl_i8237.h"
#include "sysdma/emu_testdev.h"
#include "sysdma/sim.h"
#include "sysdma/sysdma.h"
#include "sysdma/verifier.h"

struct rig;
typedef struct rig_line {
    struct rig *r;
    unsigned channel;
} rig_line;

typedef struct rig {
    sysdma_sim *sim;
    sysdma_platform pf;
    sysdma_i8237_driver drv;
    sysdma_controller ctrl;
    sysdma_system *sys;
    sysdma_emu_testdev dev[8];
    uint8_t *fifo[8];
    size_t fifo_cap;
    bool irq[8];
    long fail_after;
    /* the verifier (rig_verify): reports seen, and whether they are expected */
    bool verifying;
    bool reports_expected;
    unsigned reports;
    sysdma_verifier_report last;
    char last_call[48];
    /* the 8237 hardware lint, on for every rig from creation: findings are
     * printed and counted; rig_destroy fails the test (abort) if any came
     * while lint_expected is false */
    unsigned lint_reports;
    bool lint_expected;
    sysdma_emu_lint_rule lint_last; /* rule of the latest finding */
    /* device interrupts (rig_device_interrupts): the test devices share
     * one IRQ line, as ISA cards may */
    rig_line lines[8];
    uint32_t irq_pending;        /* devices asserting their interrupt */
    int irq_line;                /* -1: not wired */
    unsigned isr_calls;          /* ISR runs */
    unsigned isr_spurious;       /* ...whose check advanced nothing */
    uint32_t isr_advanced;       /* channels advanced by the ISR, all runs */
    bool polling;                /* rig_poll_timer installed */
    unsigned polls;
} rig;

/* Wire every test device's interrupt to IRQ `irq` (shared, level) and
 * connect the rig's ISR there, which does what a PC driver's handler
 * does: acknowledge each device that interrupts, then ask the core to
 * check those devices' channels (sysdma_channel_check). */
void rig_device_interrupts(rig *r, unsigned irq);

/* The polling fallback: a simulated timer that calls sysdma_channel_poll
 * at every step of sysdma_sim_run (for devices that do not interrupt per
 * terminal count, such as a test device streaming through a chained run). */
void rig_poll_timer(rig *r);

/* Switch the DMA verifier on for the rig's system (continue mode): every
 * report is printed and counted; rig_destroy fails the test (abort) if any
 * came while reports_expected is false. */
void rig_verify(rig *r);

/* Make a machine (`ram` bytes, 0 → 64 MiB) with a test device on every
 * usable channel (FIFOs of `fifo_cap` bytes) and the sysdma system on it.
 * Returns the status of sysdma_system_create. */
sysdma_status rig_init(rig *r, uint64_t ram, size_t fifo_cap, const sysdma_config *cfg);
void rig_destroy(rig *r);

/* One packet-based transfer of [buf, buf + len) on `channel`, in pieces of
 * at most the map registers the adapter grants (`max_length` in the
 * description controls how many), `to_device` choosing the direction;
 * demand mode when `demand`. Device-side data is the device's FIFO from
 * offset 0. Returns SYSDMA_OK or the first failing status; *pieces gets the
 * number of MapTransfer calls. */
sysdma_status rig_packet_transfer(rig *r, unsigned channel, uint8_t *buf, uint32_t len,
                                  bool to_device, uint32_t max_length, bool demand,
                                  unsigned *pieces);

#endif
