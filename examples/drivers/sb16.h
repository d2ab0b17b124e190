/* SPDX-License-Identifier: MIT */
/*
 * Example driver: Sound Blaster 16 playback through a common buffer with the
 * 8237 in auto-initialize mode — common-buffer system DMA (docs/design.md). The
 * buffer is split in two halves; the DSP interrupts after each half, and
 * the driver refills the half just played from its source. 8-bit audio uses
 * DMA channel 1, 16-bit channel 5. Underruns (the source had nothing) are
 * counted and filled with silence; playback goes on.
 *
 * It reaches the machine only through an environment like the floppy
 * driver's: port I/O, waiting for its interrupt, and a delay.
 */
#ifndef SYSDMA_EXAMPLE_SB16_H
#define SYSDMA_EXAMPLE_SB16_H

#include <stdbool.h>
#include <stdint.h>

#include "sysdma/sysdma.h"

typedef struct sb16_env {
    uint8_t (*inb)(void *ctx, uint16_t port);
    void (*outb)(void *ctx, uint16_t port, uint8_t value);
    bool (*wait_irq)(void *ctx, uint32_t timeout_us); /* the card's IRQ since the last call */
    void (*delay)(void *ctx, uint32_t us);
    void *ctx;
} sb16_env;

/* Fill `buf` with up to `bytes` of PCM; return how many were given (fewer:
 * the source is late or done). */
typedef uint32_t (*sb16_source_fn)(void *ctx, uint8_t *buf, uint32_t bytes);

/* Take `bytes` of recorded PCM. */
typedef void (*sb16_sink_fn)(void *ctx, const uint8_t *buf, uint32_t bytes);

typedef struct sb16_format {
    uint32_t rate;     /* frames per second, 5000-44100 */
    uint8_t bits;      /* 8 (unsigned) or 16 (signed) */
    uint8_t channels;  /* 1 or 2 */
} sb16_format;

typedef struct sb16_stats {
    uint32_t blocks;    /* half-buffer interrupts */
    uint32_t underruns; /* halves the source could not fill completely */
    uint64_t bytes;     /* PCM bytes given by the source */
    uint64_t position;  /* bytes the controller moved, from ReadDmaCounter samples */
    uint64_t wraps;     /* passes over the whole common buffer (auto-init reloads) */
    uint32_t backwards; /* counter samples behind the one read just before (must stay 0) */
} sb16_stats;

typedef struct sb16_driver {
    sb16_env env;
    sysdma_system *sys;
    uint16_t base;
    uint8_t version[2];
} sb16_driver;

/* Reset the DSP at `base` (0x220) and read its version. SYSDMA_E_DEVICE
 * when no DSP answers. */
sysdma_status sb16_open(sb16_driver *d, sysdma_system *sys, const sb16_env *env, uint16_t base);

/* Play `total_bytes` of PCM from `source` in format `fmt` through a common
 * buffer of `buffer_bytes` (two halves; at most 64 KiB for 8-bit, 128 KiB
 * for 16-bit), then stop cleanly: exit auto-init, last interrupt, speaker
 * off, flush, free. Statistics in *stats. */
sysdma_status sb16_play(sb16_driver *d, const sb16_format *fmt, uint32_t buffer_bytes,
                        uint64_t total_bytes, sb16_source_fn source, void *source_ctx,
                        sb16_stats *stats);

/* Record `total_bytes` of PCM in format `fmt` through a two-half common
 * buffer (auto-init input, 0xBE/0xCE): each half is handed to `sink` as the
 * card finishes filling it. */
sysdma_status sb16_record(sb16_driver *d, const sb16_format *fmt, uint32_t buffer_bytes,
                          uint64_t total_bytes, sb16_sink_fn sink, void *sink_ctx,
                          sb16_stats *stats);

#endif
