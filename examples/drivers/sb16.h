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
    /* Scattered playback: also take the card's own block count as the end
     * of an element when the 8237's status register shows no terminal
     * count (sysdma_channel_device_done). Off by default; for emulators
     * whose 8237 never latches the SB16's terminal count (QEMU). */
    bool trust_block_count;
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

/* ---- Scattered single-cycle playback through the chained runner ----------------
 *
 * The buffer may be any memory (physically scattered, pages above 16 MiB):
 * the adapter is described with scatter/gather (the card tolerates a pause
 * between blocks), sysdma builds one list element per physically
 * contiguous piece the channel reaches (bouncing what it cannot), and its
 * chained runner programs the 8237 element after element. The DSP plays
 * one single-cycle block per element; at the block's interrupt the
 * driver's interrupt routine asks the core to check the channel
 * (sysdma_channel_check), which confirms the terminal count in the 8237's
 * status register and programs the next element, and then starts the
 * DSP's next block. The interrupt is the card's: the 8237 raises none.
 * Between two blocks the card is idle for as long as the interrupt takes
 * to be served (an emulator may fill that gap with silence). Pages the
 * channel cannot reach (above 16 MiB) are bounced through map registers,
 * which for one list lie in one 64 KiB (8-bit) or 128 KiB (16-bit)
 * window: at most 16 or 32 such pages per playback. */
typedef struct sb16_sg_play {
    sb16_driver *d;
    sysdma_adapter *adapter;
    sysdma_mdl *mdl;
    sysdma_sg_list *list;
    uint8_t *buf;
    uint32_t bytes;
    bool wide;
    bool stereo;
    uint32_t element;      /* the list element the card plays now */
    uint32_t blocks;       /* block interrupts that advanced the run */
    uint32_t device_counted; /* ...of them, on the card's block count alone
                              * (trust_block_count; the status register had no TC) */
    uint32_t unconfirmed;  /* the card's interrupts without a terminal count */
    uint32_t spurious;     /* interrupts that were not the card's block end */
    bool done;             /* the run's done routine ran */
    sysdma_status status;  /* ...with this status */
} sb16_sg_play;

/* Start playing `bytes` of PCM at `buf` (format `fmt`; 8-bit on channel 1,
 * 16-bit on channel 5): adapter, MDL, scatter/gather list, the chained
 * run, the DSP's first block. Then call sb16_sg_interrupt from the card's
 * interrupt until p->done, and sb16_sg_finish. SYSDMA_E_BUSY when another
 * driver holds the channel. */
sysdma_status sb16_sg_start(sb16_driver *d, sb16_sg_play *p, const sb16_format *fmt, void *buf,
                            uint32_t bytes);

/* The card's interrupt routine for a scattered playback: true when it was
 * the card's block interrupt (acknowledged; the core asked to check the
 * channel, and the next block started when the check confirmed the
 * terminal count), false when the card did not interrupt (a shared or
 * spurious interrupt: nothing is touched). */
bool sb16_sg_interrupt(sb16_sg_play *p);

/* Speaker off, the list put, the MDL freed, the adapter put; the run's
 * status (SYSDMA_E_WRONG_STATE when it has not ended: it is cancelled). */
sysdma_status sb16_sg_finish(sb16_sg_play *p);

/* The whole scattered playback with the environment's wait_irq:
 * sb16_sg_start, then the interrupt routine at each interrupt, then
 * sb16_sg_finish. Statistics stay in *p. */
sysdma_status sb16_play_scattered(sb16_driver *d, const sb16_format *fmt, void *buf,
                                  uint32_t bytes, sb16_sg_play *p);

#endif
