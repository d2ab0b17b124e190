/* SPDX-License-Identifier: MIT */
/*
 * `sysdma demo --machine soc`: the simulated SoC (include/sysdma/sim_soc.h)
 * with the PL080 driver under the core, the DMA verifier on unless asked
 * off. Three transfers, one after another, each checked:
 *   - a packet (packet-based DMA, channel 1) to the UART-style device from
 *     a buffer above 4 GiB, beyond the PL080's reach, so it bounces through
 *     map registers (which the core makes in RAM the PL080 reaches);
 *   - a common buffer looped (auto-initialize, channel 2) to the audio
 *     device for the asked number of seconds, its position followed with
 *     ReadDmaCounter every millisecond;
 *   - a physically scattered buffer as one scatter/gather list (channel 5)
 *     to the UART.
 * Prints what moved, the DMAC's interrupts and linked-list items, and
 * whether everything arrived.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "sysdma/ctrl_pl080.h"
#include "sysdma/sim_soc.h"
#include "sysdma/sysdma.h"
#include "sysdma/verifier.h"

typedef struct soc_demo {
    sysdma_sim_soc *soc;
    sysdma_platform pf;
    sysdma_pl080_driver drv;
    sysdma_controller ctl;          /* the driver's */
    sysdma_controller_ops tap_ops;  /* ...with handle_interrupt tapped (counts) */
    sysdma_controller tap;
    sysdma_system *sys;
    uint32_t completed, failed;
    unsigned completions[SYSDMA_PL080_CHANNELS];
    uint8_t *wire;
    size_t nwire, wire_cap;
    uint64_t played, played_bad; /* audio bytes played, and those not the buffer's */
    const uint8_t *audio_buf;
    uint32_t audio_len;
    sysdma_sg_list *list;
    unsigned list_done;
    sysdma_status list_status;
} soc_demo;

/* The core asks the driver what the interrupt reports through this tap,
 * which counts it (ctx is the driver's: its demo is the one holding it). */
static bool tap(void *ctx, uint32_t *done, uint32_t *failed)
{
    soc_demo *d = (soc_demo *)(void *)((char *)ctx - offsetof(soc_demo, drv));
    bool any = d->ctl.ops->handle_interrupt(d->ctl.ctx, done, failed);
    d->completed |= *done;
    d->failed |= *failed;
    for (unsigned c = 0; c < SYSDMA_PL080_CHANNELS; c++)
        d->completions[c] += (*done >> c) & 1u;
    return any;
}

/* The DMAC's interrupt: the core's completion entry. */
static void isr(void *ctx)
{
    soc_demo *d = ctx;
    (void)sysdma_controller_interrupt(d->sys, 0);
}

static void on_tx(void *ctx, uint8_t b)
{
    soc_demo *d = ctx;
    if (d->nwire < d->wire_cap)
        d->wire[d->nwire] = b;
    d->nwire++;
}

static void on_play(void *ctx, const uint8_t *frame, unsigned bytes)
{
    soc_demo *d = ctx;
    for (unsigned k = 0; k < bytes; k++, d->played++)
        if (d->audio_buf && frame[k] != d->audio_buf[d->played % d->audio_len])
            d->played_bad++;
}

static sysdma_allocation_action keep(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    if (ctx)
        *(sysdma_map_registers **)ctx = regs;
    return SYSDMA_KEEP_OBJECT;
}

static sysdma_adapter *adapter(soc_demo *d, unsigned ch, uint32_t line, uint64_t dev,
                               uint32_t max, bool loop, bool sg, unsigned width, unsigned burst,
                               uint32_t *map_registers)
{
    sysdma_device_description desc = {0};
    desc.version = 3;
    desc.channel = ch;
    desc.width = SYSDMA_WIDTH_8;
    desc.maximum_length = max;
    desc.request_line = line;
    desc.device_address = dev;
    desc.auto_initialize = loop;
    desc.scatter_gather = sg;
    sysdma_adapter *a = NULL;
    if (sysdma_adapter_get(d->sys, &desc, &a, map_registers) != SYSDMA_OK)
        return NULL;
    sysdma_transfer_shape s = {0};
    s.memory_width = s.device_width = (uint8_t)width;
    s.memory_burst = 4;
    s.device_burst = (uint16_t)burst;
    if (sysdma_adapter_configure(a, SYSDMA_CONFIGURE_SHAPE, &s, sizeof s) != SYSDMA_OK) {
        sysdma_adapter_put(a);
        return NULL;
    }
    return a;
}

static bool packet_done(void *ctx)
{
    soc_demo *d = ctx;
    return (d->completed & (1u << 1)) != 0;
}

/* Packet-based: `len` bytes to the UART, from above 4 GiB. */
static bool run_packet(soc_demo *d, uint32_t len)
{
    uint32_t nregs = 0;
    sysdma_adapter *a = adapter(d, 1, SYSDMA_SIM_SOC_UART_TX_LINE, SYSDMA_SIM_SOC_UART_DATA, len,
                                false, false, 1, 4, &nregs);
    uint8_t *buf = sysdma_sim_soc_buffer_alloc(d->soc, len, 0, SYSDMA_SIM_SOC_HIGH);
    sysdma_mdl *m = NULL;
    bool ok = a && buf && sysdma_mdl_create(d->sys, buf, len, &m) == SYSDMA_OK;
    for (uint32_t k = 0; ok && k < len; k++)
        buf[k] = (uint8_t)("sysdma on a SoC: PL080 to the UART.\n"[k % 36]);
    size_t start = d->nwire;
    uint32_t n = len;
    sysdma_map_registers *regs = NULL;
    uint64_t logical = 0;
    ok = ok && sysdma_channel_allocate(a, NULL, nregs, keep, &regs) == SYSDMA_OK &&
         sysdma_map_transfer(a, m, regs, buf, &n, true, &logical) == SYSDMA_OK;
    ok = ok && sysdma_sim_soc_run_until(d->soc, packet_done, d, 10ull * 1000 * 1000 * 1000);
    sysdma_sim_soc_run(d->soc, 5ull * 1000 * 1000); /* the wire drains */
    if (m && a)
        ok = sysdma_flush_adapter_buffers(a, m, regs, buf, len, true) == SYSDMA_OK && ok;
    if (a)
        ok = sysdma_channel_free(a) == SYSDMA_OK && ok;
    ok = ok && d->nwire - start == len && memcmp(d->wire + start, buf, len) == 0;
    uint64_t phys = 0;
    sysdma_sim_soc_virt_to_phys(d->soc, buf, &phys);
    printf("  packet      channel 1 → UART (line %u): %u bytes from 0x%llx via map registers at\n"
           "              0x%llx, %s\n",
           SYSDMA_SIM_SOC_UART_TX_LINE, len, (unsigned long long)phys,
           (unsigned long long)logical, ok ? "arrived" : "FAILED");
    if (m)
        sysdma_mdl_free(d->sys, m);
    if (buf)
        sysdma_sim_soc_buffer_free(d->soc, buf);
    if (a)
        sysdma_adapter_put(a);
    return ok;
}

/* Common buffer, looping to the audio device for `seconds`. */
static bool run_audio(soc_demo *d, double seconds)
{
    const uint32_t len = 16384;
    sysdma_adapter *a = adapter(d, 2, SYSDMA_SIM_SOC_AUDIO_LINE, SYSDMA_SIM_SOC_AUDIO_DATA, len,
                                true, false, 4, 4, NULL);
    void *va = NULL;
    uint64_t logical = 0;
    bool ok = a && sysdma_common_buffer_allocate(a, len, false, &va, &logical) == SYSDMA_OK;
    sysdma_mdl *m = NULL;
    ok = ok && sysdma_mdl_create(d->sys, va, len, &m) == SYSDMA_OK;
    if (ok) {
        uint8_t *b = va;
        for (uint32_t k = 0; k < len; k++)
            b[k] = (uint8_t)(k * 3u + (k >> 7));
        d->audio_buf = b;
        d->audio_len = len;
    }
    uint32_t n = len;
    uint64_t idle = sysdma_sim_soc_audio(d->soc)->underruns; /* before it started */
    ok = ok && sysdma_channel_allocate(a, NULL, 0, keep, NULL) == SYSDMA_OK &&
         sysdma_map_transfer(a, m, NULL, va, &n, true, NULL) == SYSDMA_OK;
    sysdma_position pos;
    sysdma_position_init(&pos, len);
    uint64_t ms = (uint64_t)(seconds * 1000 + 0.5), position = 0;
    for (uint64_t t = 0; ok && t < ms; t++) {
        sysdma_sim_soc_run(d->soc, 1000ull * 1000);
        position = sysdma_position_update(&pos, sysdma_read_dma_counter(a));
        ok = position >= d->played && position - d->played <= 128;
    }
    uint64_t underruns = sysdma_sim_soc_audio(d->soc)->underruns - idle; /* while it played */
    if (m && a)
        ok = sysdma_flush_adapter_buffers(a, m, NULL, va, len, true) == SYSDMA_OK && ok;
    if (a)
        ok = sysdma_channel_free(a) == SYSDMA_OK && ok;
    ok = ok && d->played_bad == 0 && underruns == 0 && d->completions[2] == position / len;
    printf("  common buf  channel 2 → audio (line %u): %.2f s, %llu bytes played, position %llu,\n"
           "              %u passes (one interrupt each), %llu underruns, %s\n",
           SYSDMA_SIM_SOC_AUDIO_LINE, seconds, (unsigned long long)d->played,
           (unsigned long long)position, d->completions[2], (unsigned long long)underruns,
           ok ? "played as written" : "FAILED");
    d->audio_buf = NULL;
    if (m)
        sysdma_mdl_free(d->sys, m);
    if (va)
        ok = sysdma_common_buffer_free(a, len, logical, va, false) == SYSDMA_OK && ok;
    if (a)
        sysdma_adapter_put(a);
    return ok;
}

static void sg_done(sysdma_adapter *a, sysdma_sg_list *list, sysdma_status st, void *ctx)
{
    (void)a;
    (void)list;
    soc_demo *d = ctx;
    d->list_done++;
    d->list_status = st;
}

typedef struct sg_job {
    soc_demo *d;
    sysdma_adapter *a;
    sysdma_status start;
} sg_job;

static void sg_ready(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    sg_job *j = ctx;
    j->d->list = list;
    j->start = sysdma_sg_start(j->a, list, true, sg_done, j->d);
}

static bool sg_finished(void *ctx)
{
    return ((soc_demo *)ctx)->list_done > 0;
}

/* A scattered buffer as one scatter/gather list to the UART. */
static bool run_sg(soc_demo *d, uint32_t len)
{
    sysdma_adapter *a = adapter(d, 5, SYSDMA_SIM_SOC_UART_TX_LINE, SYSDMA_SIM_SOC_UART_DATA, len,
                                false, true, 1, 4, NULL);
    uint8_t *buf = sysdma_sim_soc_buffer_alloc(d->soc, len, 200, SYSDMA_SIM_SOC_SCATTERED);
    sysdma_mdl *m = NULL;
    bool ok = a && buf && sysdma_mdl_create(d->sys, buf, len, &m) == SYSDMA_OK;
    for (uint32_t k = 0; ok && k < len; k++)
        buf[k] = (uint8_t)(k * 131u + 7u);
    size_t start = d->nwire;
    sg_job j = {d, a, SYSDMA_E_INVALID_ARGUMENT};
    ok = ok && sysdma_sg_get(a, NULL, m, buf, len, sg_ready, &j, true) == SYSDMA_OK &&
         j.start == SYSDMA_OK;
    uint32_t elements = ok ? d->list->count : 0;
    ok = ok && sysdma_sim_soc_run_until(d->soc, sg_finished, d, 10ull * 1000 * 1000 * 1000) &&
         d->list_status == SYSDMA_OK;
    sysdma_sim_soc_run(d->soc, 5ull * 1000 * 1000);
    if (d->list)
        ok = sysdma_sg_put(a, d->list, true) == SYSDMA_OK && ok;
    ok = ok && d->nwire - start == len && memcmp(d->wire + start, buf, len) == 0;
    printf("  s/g list    channel 5 → UART (line %u): %u bytes in %u elements, one completion, %s\n",
           SYSDMA_SIM_SOC_UART_TX_LINE, len, elements, ok ? "arrived" : "FAILED");
    if (m)
        sysdma_mdl_free(d->sys, m);
    if (buf)
        sysdma_sim_soc_buffer_free(d->soc, buf);
    if (a)
        sysdma_adapter_put(a);
    return ok;
}

int demo_soc(uint32_t seed, double seconds, bool verify)
{
    soc_demo *d = calloc(1, sizeof *d);
    if (!d)
        return 1;
    d->wire_cap = 1u << 20;
    d->wire = malloc(d->wire_cap);
    sysdma_sim_soc_config c = {0};
    c.seed = seed ? seed : 1;
    c.uart_byte_ns = 2000; /* 500 kB/s: a fast UART, so the demo stays short */
    c.uart_tx = on_tx;
    c.uart_ctx = d;
    c.audio_play = on_play;
    c.audio_ctx = d;
    int rc = 1;
    if (!d->wire || sysdma_sim_soc_create(&c, &d->soc) != SYSDMA_OK) {
        fprintf(stderr, "sysdma demo: out of memory\n");
        free(d->wire);
        free(d);
        return 1;
    }
    sysdma_sim_soc_platform(d->soc, &d->pf, NULL);
    sysdma_pl080_config pc = {0};
    sysdma_sim_soc_mmio(d->soc, &pc.mmio);
    pc.platform = d->pf;
    sysdma_status dst = sysdma_pl080_driver_init(&d->drv, &pc, &d->ctl);
    if (dst == SYSDMA_OK) {
        d->tap_ops = *d->ctl.ops;
        d->tap_ops.handle_interrupt = tap;
        d->tap = (sysdma_controller){&d->tap_ops, d->ctl.ctx};
    }
    if (dst != SYSDMA_OK || sysdma_system_create(&d->pf, &d->tap, NULL, &d->sys) != SYSDMA_OK ||
        (verify && sysdma_verifier_enable(d->sys, NULL) != SYSDMA_OK)) {
        fprintf(stderr, "sysdma demo: could not set the SoC up\n");
        goto out;
    }
    sysdma_sim_soc_irq_connect(d->soc, isr, d);
    printf("sysdma demo: simulated SoC (PL080 at 0x%08X, RAM at 0x80000000 and 0x100000000), "
           "seed %u, DMA verifier %s\n\n",
           SYSDMA_SIM_SOC_DMAC_BASE, (unsigned)c.seed,
           verify ? "on" : "off");
    bool ok = run_packet(d, 4096);
    ok = run_audio(d, seconds) && ok;
    ok = run_sg(d, 6 * 4096 + 1000) && ok;
    const sysdma_emu_pl080 *e = sysdma_sim_soc_dmac(d->soc);
    uint64_t items = 0, bytes = 0;
    for (unsigned ch = 0; ch < SYSDMA_PL080_CHANNELS; ch++) {
        items += e->stats.items[ch];
        bytes += e->stats.bytes[ch];
    }
    printf("\n  DMAC: %llu bytes, %llu linked-list items, %llu item fetches, %llu interrupts, "
           "%llu bus errors\n",
           (unsigned long long)bytes, (unsigned long long)items,
           (unsigned long long)e->stats.lli_fetches,
           (unsigned long long)sysdma_sim_soc_interrupts(d->soc), (unsigned long long)e->stats.errors);
    if (verify) {
        uint64_t findings = sysdma_verifier_reports(d->sys, SYSDMA_VCHECK_COUNT);
        printf("  verifier: %llu findings\n", (unsigned long long)findings);
        ok = ok && findings == 0;
    }
    ok = ok && d->failed == 0;
    printf("  simulated time: %.3f s\n\n%s\n", sysdma_sim_soc_now_ns(d->soc) / 1e9,
           ok ? "all checks passed" : "FAILED");
    rc = ok ? 0 : 1;
out:
    if (d->sys && sysdma_system_destroy(d->sys) != SYSDMA_OK)
        rc = 1;
    sysdma_pl080_driver_fini(&d->drv);
    sysdma_sim_soc_destroy(d->soc);
    free(d->wire);
    free(d);
    return rc;
}
