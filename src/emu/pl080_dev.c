/* SPDX-License-Identifier: MIT */
/*
 * Devices with PL080 request lines: a UART-style FIFO device and an audio
 * FIFO device (see include/sysdma/emu_pl080_dev.h).
 *
 * Both are a ring buffer behind a 4-byte data register window on the
 * DMAC's bus. Their request lines are a function of the FIFO level only,
 * recomputed after every change (a DMAC access, time passing, the DMAC's
 * DMACCLR response), so the DMAC always sees what the device would assert.
 */
#include <string.h>

#include "sysdma/emu_pl080_dev.h"

#define DATA_WINDOW 4u

/* ---- UART -------------------------------------------------------------------- */

static void uart_drive(sysdma_emu_uart *u)
{
    unsigned free_tx = u->cfg.depth - u->tx_count;
    sysdma_emu_pl080_request(u->dma, u->cfg.tx_line,
                             (free_tx >= u->cfg.watermark ? SYSDMA_EMU_PL080_REQ_BURST : 0u) |
                                 (free_tx ? SYSDMA_EMU_PL080_REQ_SINGLE : 0u));
    if (u->cfg.rx_line != SYSDMA_EMU_NO_LINE)
        sysdma_emu_pl080_request(u->dma, u->cfg.rx_line,
                                 (u->rx_count >= u->cfg.watermark ? SYSDMA_EMU_PL080_REQ_BURST : 0u) |
                                     (u->rx_count ? SYSDMA_EMU_PL080_REQ_SINGLE : 0u));
}

static bool uart_write(void *ctx, uint32_t off, const uint8_t *buf, size_t n)
{
    sysdma_emu_uart *u = ctx;
    (void)off;
    for (size_t k = 0; k < n; k++) {
        if (u->tx_count == u->cfg.depth) {
            u->tx_overruns++;
            continue;
        }
        u->txf[(u->tx_head + u->tx_count++) % u->cfg.depth] = buf[k];
    }
    if (u->cfg.byte_ns == 0)
        sysdma_emu_uart_advance(u, 0);
    uart_drive(u);
    return true;
}

static bool uart_read(void *ctx, uint32_t off, uint8_t *buf, size_t n)
{
    sysdma_emu_uart *u = ctx;
    (void)off;
    for (size_t k = 0; k < n; k++) {
        if (!u->rx_count) {
            u->rx_underruns++;
            buf[k] = 0;
            continue;
        }
        buf[k] = u->rxf[u->rx_head];
        u->rx_head = (u->rx_head + 1) % u->cfg.depth;
        u->rx_count--;
        u->rx_bytes++;
    }
    uart_drive(u);
    return true;
}

static void uart_response(void *ctx, unsigned line, bool tc)
{
    sysdma_emu_uart *u = ctx;
    if (tc) {
        if (line == u->cfg.tx_line)
            u->tx_tcs++;
        else
            u->rx_tcs++;
    }
    uart_drive(u);
}

bool sysdma_emu_uart_init(sysdma_emu_uart *u, sysdma_emu_pl080 *dma,
                          const sysdma_emu_uart_config *cfg)
{
    if (!u || !dma || !cfg || cfg->depth == 0 || cfg->depth > SYSDMA_EMU_UART_FIFO ||
        cfg->watermark == 0 || cfg->watermark > cfg->depth ||
        cfg->tx_line >= SYSDMA_EMU_PL080_LINES || cfg->tx_line == cfg->rx_line ||
        (cfg->rx_line != SYSDMA_EMU_NO_LINE && cfg->rx_line >= SYSDMA_EMU_PL080_LINES))
        return false;
    memset(u, 0, sizeof *u);
    u->cfg = *cfg;
    u->dma = dma;
    sysdma_emu_pl080_window w = {cfg->data_addr, DATA_WINDOW, uart_read, uart_write, u};
    if (!sysdma_emu_pl080_map_window(dma, &w))
        return false;
    sysdma_emu_pl080_periph p = {uart_response, u};
    sysdma_emu_pl080_attach(dma, cfg->tx_line, &p);
    if (cfg->rx_line != SYSDMA_EMU_NO_LINE)
        sysdma_emu_pl080_attach(dma, cfg->rx_line, &p);
    uart_drive(u);
    return true;
}

void sysdma_emu_uart_advance(sysdma_emu_uart *u, uint64_t ns)
{
    if (!u->tx_count) {
        u->wire_ns = 0; /* an idle wire saves no time up */
        return;
    }
    u->wire_ns += ns;
    while (u->tx_count && (u->cfg.byte_ns == 0 || u->wire_ns >= u->cfg.byte_ns)) {
        uint8_t b = u->txf[u->tx_head];
        u->tx_head = (u->tx_head + 1) % u->cfg.depth;
        u->tx_count--;
        u->tx_bytes++;
        u->wire_ns -= u->cfg.byte_ns;
        if (u->cfg.tx)
            u->cfg.tx(u->cfg.ctx, b);
    }
    if (!u->tx_count)
        u->wire_ns = 0;
    uart_drive(u);
}

size_t sysdma_emu_uart_receive(sysdma_emu_uart *u, const uint8_t *bytes, size_t n)
{
    size_t k = 0;
    for (; k < n && u->rx_count < u->cfg.depth; k++)
        u->rxf[(u->rx_head + u->rx_count++) % u->cfg.depth] = bytes[k];
    uart_drive(u);
    return k;
}

/* ---- Audio ------------------------------------------------------------------- */

static void audio_drive(sysdma_emu_audio *a)
{
    unsigned room = a->cfg.depth - a->count;
    sysdma_emu_pl080_request(a->dma, a->cfg.line,
                             (room >= a->cfg.watermark ? SYSDMA_EMU_PL080_REQ_BURST : 0u) |
                                 (room >= a->cfg.frame_bytes ? SYSDMA_EMU_PL080_REQ_SINGLE : 0u));
}

static bool audio_write(void *ctx, uint32_t off, const uint8_t *buf, size_t n)
{
    sysdma_emu_audio *a = ctx;
    (void)off;
    for (size_t k = 0; k < n; k++) {
        if (a->count == a->cfg.depth) {
            a->overruns++;
            continue;
        }
        a->fifo[(a->head + a->count++) % a->cfg.depth] = buf[k];
    }
    audio_drive(a);
    return true;
}

static void audio_response(void *ctx, unsigned line, bool tc)
{
    sysdma_emu_audio *a = ctx;
    (void)line;
    if (tc)
        a->tcs++;
    audio_drive(a);
}

bool sysdma_emu_audio_init(sysdma_emu_audio *a, sysdma_emu_pl080 *dma,
                           const sysdma_emu_audio_config *cfg)
{
    if (!a || !dma || !cfg || cfg->depth == 0 || cfg->depth > SYSDMA_EMU_AUDIO_FIFO ||
        cfg->watermark == 0 || cfg->watermark > cfg->depth || cfg->frame_bytes == 0 ||
        cfg->frame_bytes > cfg->depth || cfg->rate == 0 || cfg->line >= SYSDMA_EMU_PL080_LINES)
        return false;
    memset(a, 0, sizeof *a);
    a->cfg = *cfg;
    a->dma = dma;
    sysdma_emu_pl080_window w = {cfg->data_addr, DATA_WINDOW, NULL, audio_write, a};
    if (!sysdma_emu_pl080_map_window(dma, &w))
        return false;
    sysdma_emu_pl080_periph p = {audio_response, a};
    sysdma_emu_pl080_attach(dma, cfg->line, &p);
    audio_drive(a);
    return true;
}

void sysdma_emu_audio_advance(sysdma_emu_audio *a, uint64_t ns)
{
    const uint64_t second = 1000000000u;
    while (ns) {
        /* In steps of at most a second, so ns × rate cannot overflow. */
        uint64_t step = ns < second ? ns : second;
        ns -= step;
        a->phase += step * a->cfg.rate;
        while (a->phase >= second) {
            a->phase -= second;
            if (a->count < a->cfg.frame_bytes) {
                a->underruns++;
                continue;
            }
            uint8_t frame[SYSDMA_EMU_AUDIO_FIFO];
            for (unsigned k = 0; k < a->cfg.frame_bytes; k++) {
                frame[k] = a->fifo[a->head];
                a->head = (a->head + 1) % a->cfg.depth;
            }
            a->count -= a->cfg.frame_bytes;
            a->frames++;
            if (a->cfg.play)
                a->cfg.play(a->cfg.ctx, frame, a->cfg.frame_bytes);
        }
    }
    audio_drive(a);
}
