/* SPDX-License-Identifier: MIT */
/*
 * sysdma emulated hardware: devices with PL080 request lines.
 *
 * Two peripherals of the kind a SoC's system DMA controller serves, each a
 * data register on the DMAC's bus (a device window) plus request lines
 * driven by FIFO levels, paced by simulated time the caller hands them:
 *
 *   - a UART-style FIFO device: a transmit FIFO that the wire drains at one
 *     byte per `byte_ns` (single request while a byte fits, burst request
 *     while `watermark` bytes fit), and a receive FIFO the host fills
 *     (single request while a byte waits, burst request from `watermark`
 *     bytes). It is what packet transfers and hardware scatter/gather lists
 *     are tested with: the device, not the DMAC, sets the pace.
 *   - an audio FIFO device: a playback FIFO that consumes one frame per
 *     sample period (burst request while `watermark` bytes fit, single
 *     request while a frame fits); fed from a cyclic buffer through a
 *     circular linked list, the "loop transfer" of a common buffer. A
 *     frame due when the FIFO holds less than a frame is an underrun.
 *
 * Neither allocates, keeps global state or starts threads. Both answer the
 * DMAC's DMACCLR/DMACTC responses by re-driving their requests from their
 * FIFO levels and counting terminal counts.
 */
#ifndef SYSDMA_EMU_PL080_DEV_H
#define SYSDMA_EMU_PL080_DEV_H

#include "sysdma/emu_pl080.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SYSDMA_EMU_UART_FIFO 64    /* bytes per direction, at most */
#define SYSDMA_EMU_AUDIO_FIFO 256  /* bytes, at most */
#define SYSDMA_EMU_NO_LINE 0xFFu   /* a side without a request line */

/* ---- UART-style FIFO device ------------------------------------------------- */

typedef struct sysdma_emu_uart_config {
    uint32_t data_addr;  /* bus address of the data register (a 4-byte window) */
    unsigned tx_line;    /* request line of the transmit side (0-15) */
    unsigned rx_line;    /* of the receive side, or SYSDMA_EMU_NO_LINE */
    unsigned depth;      /* FIFO bytes per direction, 1..SYSDMA_EMU_UART_FIFO */
    unsigned watermark;  /* burst request threshold in bytes, 1..depth */
    uint64_t byte_ns;    /* wire time per byte; 0 sends at once */
    void (*tx)(void *ctx, uint8_t byte); /* a byte left on the wire (may be NULL) */
    void *ctx;
} sysdma_emu_uart_config;

typedef struct sysdma_emu_uart {
    sysdma_emu_uart_config cfg;
    sysdma_emu_pl080 *dma;
    uint8_t txf[SYSDMA_EMU_UART_FIFO], rxf[SYSDMA_EMU_UART_FIFO];
    unsigned tx_head, tx_count; /* ring: oldest byte, bytes held */
    unsigned rx_head, rx_count;
    uint64_t wire_ns;           /* time spent on the byte being sent */
    uint64_t tx_bytes;          /* bytes sent on the wire */
    uint64_t rx_bytes;          /* bytes the DMAC read from the receive FIFO */
    uint64_t tx_overruns;       /* bytes written to a full transmit FIFO (lost) */
    uint64_t rx_underruns;      /* reads of an empty receive FIFO (gave 0) */
    uint64_t tx_tcs, rx_tcs;    /* DMACTC responses per side */
} sysdma_emu_uart;

/* Set up `u` on `dma`: map its data register window and attach its request
 * lines, then drive them. false (nothing mapped) for a bad configuration,
 * lines equal or out of range, or a window the DMAC refuses. */
bool sysdma_emu_uart_init(sysdma_emu_uart *u, sysdma_emu_pl080 *dma,
                          const sysdma_emu_uart_config *cfg);

/* Let `ns` of time pass: the wire takes bytes out of the transmit FIFO. */
void sysdma_emu_uart_advance(sysdma_emu_uart *u, uint64_t ns);

/* Bytes arrive from the wire into the receive FIFO; returns how many fit. */
size_t sysdma_emu_uart_receive(sysdma_emu_uart *u, const uint8_t *bytes, size_t n);

/* ---- Audio FIFO device -------------------------------------------------------- */

typedef struct sysdma_emu_audio_config {
    uint32_t data_addr;   /* bus address of the data register (a 4-byte window) */
    unsigned line;        /* request line (0-15) */
    unsigned depth;       /* FIFO bytes, 1..SYSDMA_EMU_AUDIO_FIFO */
    unsigned watermark;   /* burst request threshold in free bytes, 1..depth */
    unsigned frame_bytes; /* bytes per sample frame, 1..depth */
    uint32_t rate;        /* frames per second, >= 1 */
    void (*play)(void *ctx, const uint8_t *frame, unsigned bytes); /* may be NULL */
    void *ctx;
} sysdma_emu_audio_config;

typedef struct sysdma_emu_audio {
    sysdma_emu_audio_config cfg;
    sysdma_emu_pl080 *dma;
    uint8_t fifo[SYSDMA_EMU_AUDIO_FIFO];
    unsigned head, count;
    uint64_t phase;      /* ns × rate accumulated toward the next frame */
    uint64_t frames;     /* frames played */
    uint64_t underruns;  /* frames due while the FIFO held less than a frame */
    uint64_t overruns;   /* bytes written to a full FIFO (lost) */
    uint64_t tcs;        /* DMACTC responses */
} sysdma_emu_audio;

/* Set up `a` on `dma` as sysdma_emu_uart_init() does. */
bool sysdma_emu_audio_init(sysdma_emu_audio *a, sysdma_emu_pl080 *dma,
                           const sysdma_emu_audio_config *cfg);

/* Let `ns` of time pass: one frame is consumed per 1/rate second. */
void sysdma_emu_audio_advance(sysdma_emu_audio *a, uint64_t ns);

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_EMU_PL080_DEV_H */
