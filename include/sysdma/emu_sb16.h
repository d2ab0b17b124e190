/* SPDX-License-Identifier: MIT */
/*
 * sysdma emulated hardware: a Sound Blaster 16 (DSP 4.05) — the device the
 * common-buffer, auto-initialize path of system DMA is proven on.
 *
 * The card sits at base..base+15 (0x220 on a PC), moves 8-bit audio on one
 * DMA channel of the emulated 8237A pair (1) and 16-bit audio on another
 * (5), and raises one interrupt line (5) after each block. It requests DMA
 * at the sample rate of simulated time: sysdma_emu_sb16_advance() makes the
 * bytes that time allows due, and the card keeps its DREQ up while any are
 * due, taking as many per DMA service as the controller offers. What it
 * plays goes to a sink callback; what it records comes from a source.
 *
 * Like emu.h it stands alone: no allocation, no global state, no threads;
 * every guest-written value (lengths, rates, modes, mixer indexes) is
 * bounded, and nothing indexes outside the struct's fixed buffers.
 */
#ifndef SYSDMA_EMU_SB16_H
#define SYSDMA_EMU_SB16_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/emu.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sysdma_emu_sb16_format {
    uint32_t rate;      /* frames per second */
    uint8_t bits;       /* 8 or 16 */
    uint8_t channels;   /* 1 or 2 */
    bool is_signed;     /* 16-bit audio is normally signed, 8-bit unsigned */
} sysdma_emu_sb16_format;

typedef struct sysdma_emu_sb16_config {
    uint16_t base;      /* 0x220 */
    uint8_t dma8;       /* 1 */
    uint8_t dma16;      /* 5 */
    uint8_t irq;        /* 5 */
    void (*irq_fn)(void *ctx, unsigned irq, bool level);
    /* Output: `bytes` of PCM in format `fmt` were played. */
    void (*play)(void *ctx, const uint8_t *pcm, size_t bytes, const sysdma_emu_sb16_format *fmt);
    /* Input: fill up to `bytes`; return how many (the rest is silence). */
    size_t (*record)(void *ctx, uint8_t *pcm, size_t bytes, const sysdma_emu_sb16_format *fmt);
    void *ctx;
} sysdma_emu_sb16_config;

typedef struct sysdma_emu_sb16 {
    sysdma_emu_sb16_config cfg;
    sysdma_emu_i8237 *dma;
    /* DSP */
    uint8_t reset_latch;      /* last value written to the reset port */
    uint8_t out[16];          /* bytes for the host to read at base+0xA */
    uint8_t out_head, out_count;
    uint8_t last_read;
    uint8_t cmd;              /* command collecting parameters, 0 = none */
    uint8_t params[4];
    uint8_t nparams, need;
    bool speaker;
    uint32_t rate;            /* frames per second for the next transfer */
    uint16_t block8;          /* 0x48 block size (bytes − 1) for 0x1C/0x2C */
    /* the transfer under way */
    bool active, wide, autoinit, input, paused, exit_after_block;
    sysdma_emu_sb16_format fmt;
    uint32_t block_bytes, block_left;
    uint64_t due_milli;       /* bytes due × 1000 (paced by simulated time) */
    uint64_t due_rem;         /* remainder of ns × bytes/s below one milli-byte */
    uint8_t irq_status;       /* bit 0: 8-bit IRQ pending, bit 1: 16-bit */
    /* mixer */
    uint8_t mixer_index;
    uint8_t mixer[256];
    /* counters */
    uint64_t bytes_played, bytes_recorded, irqs;
} sysdma_emu_sb16;

/* Set up with `cfg` (copied) on `dma`, attaching to both DMA channels; as
 * after a DSP reset. False for bad channels or a NULL dma. */
bool sysdma_emu_sb16_init(sysdma_emu_sb16 *sb, sysdma_emu_i8237 *dma,
                          const sysdma_emu_sb16_config *cfg);

/* True for base .. base + 15. */
bool sysdma_emu_sb16_claims(const sysdma_emu_sb16 *sb, uint16_t port);
uint8_t sysdma_emu_sb16_inb(sysdma_emu_sb16 *sb, uint16_t port);
void sysdma_emu_sb16_outb(sysdma_emu_sb16 *sb, uint16_t port, uint8_t value);

/* `ns` of simulated time pass: the bytes the sample rate allows in that
 * time become due and the card requests DMA for them. */
void sysdma_emu_sb16_advance(sysdma_emu_sb16 *sb, uint64_t ns);

/* ---- Save states ---------------------------------------------------------- */

/* Format version and exact size of a saved card (emu.h describes the byte
 * format, the refusals and the versioning rule). */
#define SYSDMA_EMU_SB16_SAVE_VERSION 1u
#define SYSDMA_EMU_SB16_SAVE_BYTES (SYSDMA_EMU_SAVE_HEAD_BYTES + 353u)

/*
 * Save the card into `buf` (`cap` bytes); *written gets the bytes written,
 * or with too small a buffer (buf NULL and cap 0 asks the size) the size
 * needed, and SYSDMA_E_BUFFER_TOO_SMALL. Saved: the DSP, the transfer
 * under way with its pacing (bytes due and the time remainder), interrupt
 * status, mixer and counters. Not saved: the configuration given to
 * sysdma_emu_sb16_init() (ports, channels, IRQ, play/record callbacks and
 * their context) and the 8237. SYSDMA_E_INVALID_ARGUMENT for NULL sb or
 * written, or buf NULL with cap > 0.
 */
sysdma_status sysdma_emu_sb16_save_state(const sysdma_emu_sb16 *sb, void *buf, size_t cap,
                                         size_t *written);

/*
 * Load a saved card into `sb`, which the embedder has set up with
 * sysdma_emu_sb16_init() as the saved one was. Everything saved is
 * replaced; the DMA request lines are driven again as the state has them;
 * the interrupt callback is not called (the level follows from
 * irq_status). Then go on calling advance() with the time that passes.
 * Refusals change nothing: SYSDMA_E_STATE_CORRUPT, SYSDMA_E_UNKNOWN_VERSION,
 * SYSDMA_E_INVALID_ARGUMENT (see emu.h).
 */
sysdma_status sysdma_emu_sb16_load_state(sysdma_emu_sb16 *sb, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
