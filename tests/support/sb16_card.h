/* SPDX-License-Identifier: MIT */
/*
 * The emulated Sound Blaster 16 on the test rig, as the SB16 scenario
 * tests use it: the card at 0x220 (IRQ 5, DMA 1 and 5) on the rig's
 * simulated PC, its interrupt edges counted, what it plays collected in a
 * sink, and the environment the example driver (examples/drivers/sb16.h)
 * runs in. A test's own state begins with an sb16_card, so the callbacks
 * take that state as their context.
 */
#ifndef SYSDMA_TEST_SB16_CARD_H
#define SYSDMA_TEST_SB16_CARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sysdma/emu_sb16.h"
#include "support/rig.h"

typedef struct sb16_card {
    rig r;
    sysdma_emu_sb16 sb;
    unsigned edges, seen; /* interrupt edges, and those a wait has seen */
    bool level;
    uint8_t *sink;        /* what the card played (sink_len may run past sink_cap) */
    size_t sink_len, sink_cap;
    sysdma_emu_sb16_format last_fmt;
} sb16_card;

static inline void card_on_irq(void *ctx, unsigned irq, bool level)
{
    sb16_card *c = ctx;
    (void)irq;
    if (level && !c->level)
        c->edges++;
    c->level = level;
}

static inline void card_on_play(void *ctx, const uint8_t *pcm, size_t bytes,
                                const sysdma_emu_sb16_format *fmt)
{
    sb16_card *c = ctx;
    c->last_fmt = *fmt;
    if (c->sink_len + bytes <= c->sink_cap)
        memcpy(c->sink + c->sink_len, pcm, bytes);
    c->sink_len += bytes;
}

static inline uint8_t card_p_in(void *ctx, uint16_t port)
{
    return sysdma_emu_sb16_inb(&((sb16_card *)ctx)->sb, port);
}
static inline void card_p_out(void *ctx, uint16_t port, uint8_t v)
{
    sysdma_emu_sb16_outb(&((sb16_card *)ctx)->sb, port, v);
}
static inline void card_tick(void *ctx, uint64_t ns)
{
    sysdma_emu_sb16_advance(&((sb16_card *)ctx)->sb, ns);
}

/* The driver's environment (sb16_env): ports, waits and delays on the rig. */
static inline uint8_t card_e_in(void *ctx, uint16_t port)
{
    return sysdma_sim_inb(((sb16_card *)ctx)->r.sim, port);
}
static inline void card_e_out(void *ctx, uint16_t port, uint8_t v)
{
    sysdma_sim_outb(((sb16_card *)ctx)->r.sim, port, v);
}
static inline bool card_seen(void *ctx)
{
    sb16_card *c = ctx;
    return c->edges != c->seen;
}
static inline bool card_e_wait(void *ctx, uint32_t us)
{
    sb16_card *c = ctx;
    bool ok = sysdma_sim_run_until(c->r.sim, card_seen, c, (uint64_t)us * 1000);
    c->seen = c->edges;
    return ok;
}
static inline void card_e_delay(void *ctx, uint32_t us)
{
    sysdma_sim_run(((sb16_card *)ctx)->r.sim, (uint64_t)us * 1000);
}

/* Put the card on the rig (already made; the verifier on or not) with a
 * sink of `sink_cap` bytes. */
static inline bool sb16_card_attach(sb16_card *c, size_t sink_cap)
{
    sysdma_emu_sb16_config sc = {0x220, 1, 5, 5, card_on_irq, card_on_play, NULL, c};
    if (!sysdma_emu_sb16_init(&c->sb, sysdma_sim_dma(c->r.sim), &sc) ||
        sysdma_sim_add_ports(c->r.sim, 0x220, 0x22F, card_p_in, card_p_out, c) != SYSDMA_OK ||
        !sysdma_sim_add_clock(c->r.sim, card_tick, c))
        return false;
    c->sink_cap = sink_cap;
    c->sink = malloc(sink_cap);
    return c->sink != NULL;
}

/* Take the rig down and free the sink. */
static inline void sb16_card_detach(sb16_card *c)
{
    rig_destroy(&c->r);
    free(c->sink);
}

#endif /* SYSDMA_TEST_SB16_CARD_H */
