/* SPDX-License-Identifier: MIT */
/*
 * Shared by the SoC scenario tests (tests/scenario/test_soc_*.c): the
 * simulated SoC, the PL080 driver over its MMIO, a sysdma system on both,
 * and the DMAC's interrupt service routine, which calls the core's
 * completion entry (sysdma_controller_interrupt); the core asks the driver's
 * handle_interrupt, through a tap that counts what it reports per channel.
 * Included once per test program.
 *
 * The system has the core's default map registers: their chunks are made
 * below the PL080's reach (4 GiB), in RAM bank 0, and a buffer in bank 1
 * bounces through them.
 */
#ifndef SYSDMA_TEST_SOC_RIG_H
#define SYSDMA_TEST_SOC_RIG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/ctrl_pl080.h"
#include "sysdma/sim_soc.h"
#include "sysdma/sysdma.h"

typedef struct soc_rig {
    sysdma_sim_soc *soc;
    sysdma_platform pf;
    sysdma_pl080_driver drv;
    sysdma_controller ctl;       /* the driver's */
    sysdma_controller_ops tap_ops; /* ...with handle_interrupt tapped */
    sysdma_controller tap;
    sysdma_system *sys;
    uint32_t completed, failed; /* channels the ISR saw, accumulated */
    unsigned completions[SYSDMA_PL080_CHANNELS];
    uint8_t wire[1u << 16];     /* what the UART sent */
    size_t nwire;
    uint8_t played[1u << 18];   /* what the audio device played */
    size_t nplayed;
} soc_rig;

static inline bool soc_rig_tap(void *ctx, uint32_t *done, uint32_t *failed)
{
    /* ctx is the driver's (every member is called with it): its rig is
     * the one that holds it. */
    soc_rig *r = (soc_rig *)(void *)((char *)ctx - offsetof(soc_rig, drv));
    bool any = r->ctl.ops->handle_interrupt(r->ctl.ctx, done, failed);
    r->completed |= *done;
    r->failed |= *failed;
    for (unsigned c = 0; c < SYSDMA_PL080_CHANNELS; c++)
        r->completions[c] += (*done >> c) & 1u;
    return any;
}

static inline void soc_rig_isr(void *ctx)
{
    soc_rig *r = ctx;
    (void)sysdma_controller_interrupt(r->sys, 0);
}

static inline void soc_rig_tx(void *ctx, uint8_t b)
{
    soc_rig *r = ctx;
    if (r->nwire < sizeof r->wire)
        r->wire[r->nwire] = b;
    r->nwire++;
}

static inline void soc_rig_play(void *ctx, const uint8_t *frame, unsigned bytes)
{
    soc_rig *r = ctx;
    for (unsigned k = 0; k < bytes; k++, r->nplayed++)
        if (r->nplayed < sizeof r->played)
            r->played[r->nplayed] = frame[k];
}

/* A rig on a machine configured by `cfg` (NULL: defaults); the UART and
 * audio outputs are always the rig's. */
static inline soc_rig *soc_rig_open(const sysdma_sim_soc_config *cfg)
{
    soc_rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    sysdma_sim_soc_config c = {0};
    if (cfg)
        c = *cfg;
    c.uart_tx = soc_rig_tx;
    c.uart_ctx = r;
    c.audio_play = soc_rig_play;
    c.audio_ctx = r;
    assert_int_equal(sysdma_sim_soc_create(&c, &r->soc), SYSDMA_OK);
    sysdma_sim_soc_platform(r->soc, &r->pf, NULL);
    sysdma_pl080_config pc = {0};
    sysdma_sim_soc_mmio(r->soc, &pc.mmio);
    pc.platform = r->pf;
    assert_int_equal(sysdma_pl080_driver_init(&r->drv, &pc, &r->ctl), SYSDMA_OK);
    /* The same table and context, but handle_interrupt goes through the tap. */
    r->tap_ops = *r->ctl.ops;
    r->tap_ops.handle_interrupt = soc_rig_tap;
    r->tap = (sysdma_controller){&r->tap_ops, r->ctl.ctx};
    assert_int_equal(sysdma_system_create(&r->pf, &r->tap, NULL, &r->sys), SYSDMA_OK);
    sysdma_sim_soc_irq_connect(r->soc, soc_rig_isr, r);
    return r;
}

static inline void soc_rig_close(soc_rig *r)
{
    assert_int_equal(sysdma_system_destroy(r->sys), SYSDMA_OK);
    sysdma_pl080_driver_fini(&r->drv);
    sysdma_sim_soc_destroy(r->soc);
    free(r);
}

/* A version-3 system adapter for `channel` on request line `line`, its
 * device register at `device`. */
static inline sysdma_adapter *soc_rig_adapter(soc_rig *r, unsigned channel, uint32_t line,
                                       uint64_t device, uint32_t max_length, bool loop,
                                       bool scatter_gather)
{
    sysdma_device_description d = {0};
    d.version = 3;
    d.channel = channel;
    d.width = SYSDMA_WIDTH_8;
    d.maximum_length = max_length;
    d.request_line = line;
    d.device_address = device;
    d.auto_initialize = loop;
    d.scatter_gather = scatter_gather;
    sysdma_adapter *a = NULL;
    assert_int_equal(sysdma_adapter_get(r->sys, &d, &a, NULL), SYSDMA_OK);
    return a;
}

/* Set the adapter's transfer shape. */
static inline void soc_rig_shape(sysdma_adapter *a, unsigned mw, unsigned dw, unsigned mb,
                                 unsigned db)
{
    sysdma_transfer_shape s = {0};
    s.memory_width = (uint8_t)mw;
    s.device_width = (uint8_t)dw;
    s.memory_burst = (uint16_t)mb;
    s.device_burst = (uint16_t)db;
    s.flow = SYSDMA_FLOW_CONTROLLER;
    assert_int_equal(sysdma_adapter_configure(a, SYSDMA_CONFIGURE_SHAPE, &s, sizeof s), SYSDMA_OK);
}

static inline sysdma_allocation_action soc_rig_keep(void *device, sysdma_map_registers *regs,
                                                    void *ctx)
{
    (void)device;
    (void)regs;
    *(bool *)ctx = true;
    return SYSDMA_KEEP_OBJECT;
}

/* A scatter/gather job to the device: the list-control routine starts the
 * list it is given (sysdma_sg_start, toward the device) and the done call
 * is counted. */
typedef struct soc_job {
    soc_rig *r;
    sysdma_adapter *a;
    sysdma_sg_list *list;
    sysdma_status start_status;
    unsigned done_calls;
    sysdma_status done_status;
} soc_job;

static inline void soc_job_on_done(sysdma_adapter *a, sysdma_sg_list *list, sysdma_status st,
                                   void *ctx)
{
    soc_job *j = ctx;
    assert_ptr_equal(a, j->a);
    assert_ptr_equal(list, j->list);
    j->done_calls++;
    j->done_status = st;
}

static inline void soc_job_ready(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    soc_job *j = ctx;
    j->list = list;
    j->start_status = sysdma_sg_start(j->a, list, true, soc_job_on_done, j);
}

static inline bool soc_job_done(void *ctx)
{
    return ((soc_job *)ctx)->done_calls > 0;
}

#endif /* SYSDMA_TEST_SOC_RIG_H */
