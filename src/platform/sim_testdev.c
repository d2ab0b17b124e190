/* SPDX-License-Identifier: MIT */
/*
 * The test device wired into the simulated PC (see include/sysdma/sim.h):
 * a sysdma_emu_testdev on a channel of the machine's 8237A pair, its ports on
 * the machine's port bus, its interrupt on an IRQ line, its clock on the
 * machine's clock when it is paced, and a FIFO that continues across
 * transfers.
 *
 * The emulated device moves bytes between memory and data[0..len); the FIFO
 * offset is kept here: on every start command the device's `data` is pointed
 * at the offset where the previous transfer ended (its start plus what it
 * moved), so pieces of one buffer land one after another. The machine owns
 * the devices (a list freed by sysdma_sim_destroy), because its port bus
 * keeps pointing at them for as long as it lives.
 */
#include "sim_internal.h"

#include <stdlib.h>
#include <string.h>

#define TESTDEV_PORTS 8u
#define TESTDEV_MAX_FIFO (1ull << 30)

struct sysdma_sim_testdev {
    sysdma_sim *sim;
    sysdma_emu_testdev dev;
    uint8_t *fifo;                   /* fifo_bytes, owned */
    size_t fifo_bytes;
    size_t start;                    /* FIFO offset of the current (or last) transfer */
    bool rewound;                    /* the next transfer starts at offset 0 */
    int irq;                         /* -1: none */
    struct sysdma_sim_testdev *next; /* the machine's list */
};

static void testdev_irq(void *ctx, bool level)
{
    struct sysdma_sim_testdev *t = ctx;
    if (t->irq >= 0)
        sysdma_sim_irq_set(t->sim, (unsigned)t->irq, level);
}

static uint8_t testdev_in(void *ctx, uint16_t port)
{
    struct sysdma_sim_testdev *t = ctx;
    return sysdma_emu_testdev_inb(&t->dev, port);
}

/* A start command (1, 2, or either with bit 7) continues the FIFO where the
 * previous transfer stopped; everything else goes to the device unchanged. */
static void testdev_out(void *ctx, uint16_t port, uint8_t v)
{
    struct sysdma_sim_testdev *t = ctx;
    uint8_t op = v & 0x7F;
    if (port == t->dev.base_port && (op == 1 || op == 2)) {
        t->start = sysdma_sim_testdev_position(t);
        t->rewound = false;
        t->dev.data = t->fifo + t->start;
        t->dev.cap = t->fifo_bytes - t->start;
    }
    sysdma_emu_testdev_outb(&t->dev, port, v);
}

static void testdev_clock(void *ctx, uint64_t ns)
{
    struct sysdma_sim_testdev *t = ctx;
    sysdma_emu_testdev_advance(&t->dev, ns);
}

sysdma_status sysdma_sim_testdev_attach(sysdma_sim *sim, const sysdma_sim_testdev_config *cfg,
                                        sysdma_sim_testdev **out)
{
    if (!sim || !cfg || !out)
        return SYSDMA_E_INVALID_ARGUMENT;
    if (cfg->channel >= 8 || cfg->channel == 4)
        return SYSDMA_E_INVALID_CHANNEL;
    if (cfg->fifo_bytes == 0 || cfg->fifo_bytes > TESTDEV_MAX_FIFO || cfg->irq < -1 || cfg->irq > 15)
        return SYSDMA_E_INVALID_ARGUMENT;
    uint32_t base = cfg->base_port ? cfg->base_port : 0x300u + TESTDEV_PORTS * cfg->channel;
    if (base + TESTDEV_PORTS - 1 > 0xFFFFu)
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma_emu_i8237 *dma = sysdma_sim_dma(sim);
    if (dma->dev[cfg->channel].transfer)
        return SYSDMA_E_BUSY;
    sysdma_status st = sysdma__sim_ports_free(sim, (uint16_t)base, (uint16_t)(base + TESTDEV_PORTS - 1));
    if (st != SYSDMA_OK)
        return st;
    if (cfg->bytes_per_us && !sysdma__sim_clock_free(sim))
        return SYSDMA_E_INSUFFICIENT_RESOURCES;
    struct sysdma_sim_testdev *t = calloc(1, sizeof *t);
    uint8_t *fifo = calloc(1, cfg->fifo_bytes);
    if (!t || !fifo) {
        free(t);
        free(fifo);
        return SYSDMA_E_NO_MEMORY;
    }
    t->sim = sim;
    t->fifo = fifo;
    t->fifo_bytes = cfg->fifo_bytes;
    t->irq = cfg->irq;
    /* Checked above: the channel is valid, the ports and the clock are free. */
    sysdma_emu_testdev_init(&t->dev, dma, cfg->channel, (uint16_t)base, fifo, cfg->fifo_bytes,
                            cfg->bytes_per_us, testdev_irq, t);
    sysdma_sim_add_ports(sim, (uint16_t)base, (uint16_t)(base + TESTDEV_PORTS - 1), testdev_in,
                         testdev_out, t);
    if (cfg->bytes_per_us)
        sysdma_sim_add_clock(sim, testdev_clock, t);
    struct sysdma_sim_testdev **list = sysdma__sim_testdevs(sim);
    t->next = *list;
    *list = t;
    *out = t;
    return SYSDMA_OK;
}

void sysdma__sim_testdevs_free(sysdma_sim *sim)
{
    struct sysdma_sim_testdev **list = sysdma__sim_testdevs(sim);
    while (*list) {
        struct sysdma_sim_testdev *t = *list;
        *list = t->next;
        sysdma_emu_i8237_attach(sysdma_sim_dma(sim), t->dev.channel, NULL);
        free(t->fifo);
        free(t);
    }
}

uint8_t *sysdma_sim_testdev_fifo(sysdma_sim_testdev *t, size_t *bytes)
{
    if (bytes)
        *bytes = t ? t->fifo_bytes : 0;
    return t ? t->fifo : NULL;
}

size_t sysdma_sim_testdev_position(const sysdma_sim_testdev *t)
{
    if (!t || t->rewound)
        return 0;
    size_t at = t->start + t->dev.moved;
    return at < t->fifo_bytes ? at : t->fifo_bytes;
}

sysdma_status sysdma_sim_testdev_rewind(sysdma_sim_testdev *t)
{
    if (!t)
        return SYSDMA_E_INVALID_ARGUMENT;
    if (t->dev.dir != 0)
        return SYSDMA_E_BUSY;
    t->start = 0;
    t->rewound = true;
    return SYSDMA_OK;
}

sysdma_emu_testdev *sysdma_sim_testdev_emu(sysdma_sim_testdev *t)
{
    return t ? &t->dev : NULL;
}

uint16_t sysdma_sim_testdev_base_port(const sysdma_sim_testdev *t)
{
    return t ? t->dev.base_port : 0;
}
