/* SPDX-License-Identifier: MIT */
/*
 * sysdma controller interface: what a system DMA controller does for the
 * core, shaped after the function table that Windows' HAL uses for
 * pluggable system DMA controllers: initialize, validate a channel binding,
 * say how many fragments the next transfer may have, program a channel,
 * configure it (controller-specific functions by number), flush it, handle
 * its interrupt, read its counter, cancel — plus a limits record per channel.
 *
 * The table starts with its size; optional members may be NULL (default in
 * their comment). The core reaches a controller only through this table, so
 * a controller with hardware scatter/gather can be added without touching it.
 */
#ifndef SYSDMA_CONTROLLER_H
#define SYSDMA_CONTROLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/platform.h"
#include "sysdma/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What one channel can do. */
typedef struct sysdma_channel_limits {
    uint8_t address_bits;     /* highest reachable address = 2^bits - 1 (24 on the PC/AT) */
    uint8_t width;            /* bytes per transfer unit: 1 or 2 (or 4) */
    uint8_t min_unit;         /* smallest transfer, bytes (= width on the 8237) */
    bool counter_available;   /* read_counter works */
    bool interrupts;          /* the controller interrupts at completion */
    uint32_t boundary;        /* a fragment may not cross a multiple of this (0 = none) */
    uint32_t max_bytes;       /* longest fragment */
    uint32_t max_fragments;   /* fragments per programming (1 on the 8237) */
} sysdma_channel_limits;

typedef enum sysdma_xfer_mode {
    SYSDMA_XFER_SINGLE = 0,
    SYSDMA_XFER_DEMAND = 1,
    SYSDMA_XFER_BLOCK = 2
} sysdma_xfer_mode;

typedef struct sysdma_fragment {
    uint64_t phys;
    uint32_t length;
} sysdma_fragment;

/* One programming of a channel. */
typedef struct sysdma_program {
    const sysdma_fragment *fragments;
    unsigned count;           /* ≤ limits.max_fragments */
    uint64_t device_address;  /* for controllers that address the device side; 0 */
    bool to_device;           /* memory → device (the 8237's "read" transfer) */
    bool loop;                /* auto-initialize: cycle over the fragments */
    sysdma_xfer_mode mode;
} sysdma_program;

typedef struct sysdma_controller_ops {
    uint32_t size; /* sizeof(sysdma_controller_ops) as the controller was built */

    /* Bring the controller to a known state. Optional. */
    sysdma_status (*initialize)(void *ctx);

    /* Limits of `channel`, or SYSDMA_E_INVALID_CHANNEL for a channel that
     * cannot serve a device (does not exist, or is a cascade). Required. */
    sysdma_status (*channel_limits)(void *ctx, unsigned channel, sysdma_channel_limits *out);

    /* May `channel` serve `request_line`? Optional (NULL: line 0 or equal
     * to the channel is accepted). */
    sysdma_status (*validate_binding)(void *ctx, unsigned channel, uint32_t request_line);

    /* How many fragments the next transfer on `channel` may have. Optional
     * (NULL: limits.max_fragments). */
    unsigned (*query_fragments)(void *ctx, unsigned channel);

    /* Program and start `channel`. The core has checked every fragment
     * against the limits. Required. */
    sysdma_status (*program)(void *ctx, unsigned channel, const sysdma_program *p);

    /* Controller-specific function `function` on `channel`. Optional (NULL:
     * SYSDMA_E_NOT_IMPLEMENTED). */
    sysdma_status (*configure)(void *ctx, unsigned channel, uint32_t function, void *data,
                               size_t bytes);

    /* Stop `channel` (on the 8237: mask it). Required. */
    sysdma_status (*flush)(void *ctx, unsigned channel);

    /* Called from the completion interrupt: which channel, and whether it
     * completed or failed. Optional (controllers without interrupts). */
    bool (*handle_interrupt)(void *ctx, unsigned *channel, bool *error);

    /* Bytes not yet transferred on `channel` in its current pass; 0 after
     * terminal count. Required when limits.counter_available. */
    uint32_t (*read_counter)(void *ctx, unsigned channel);

    /* Abandon the transfer on `channel`. Optional (NULL: flush). */
    sysdma_status (*cancel)(void *ctx, unsigned channel);

    /* ---- appended members: NULL in a table built against an older header */

    /* Where `channel`'s transfer stands: returns the bytes not yet
     * transferred in its current pass, as read_counter, and sets
     * *terminal_count when the channel has reached terminal count since it
     * was last programmed (in auto-initialize mode: completed a pass). It
     * exists because a counter alone can be ambiguous: the 8237's count
     * register (units − 1) reads 0xFFFF both before a full-window transfer
     * starts and after any transfer ends. The core calls it after `flush`
     * to count what a transfer moved, and for ReadDmaCounter. Optional
     * (NULL: read_counter's bytes, terminal count when they are 0). */
    uint32_t (*read_residue)(void *ctx, unsigned channel, bool *terminal_count);

    /* Which of `channels` (bit k = channel k) have reached terminal count
     * since they were last programmed: the core's confirmation before it
     * advances a chained run or completes a MapTransferEx (see
     * sysdma_channel_check). A controller that learns of terminal counts
     * from a register that clears on read (the 8237's status register)
     * reads it at most once per call and per controller, and keeps every
     * bit it saw — of the channels asked about or not — until that channel
     * is programmed again, so a check for one channel loses no other
     * channel's terminal count. Optional (NULL: read_residue's
     * terminal_count, or read_counter's 0 bytes left, per channel). */
    uint32_t (*terminal_counts)(void *ctx, uint32_t channels);
} sysdma_controller_ops;

typedef struct sysdma_controller {
    const sysdma_controller_ops *ops;
    void *ctx;
} sysdma_controller;

/* ---- The Intel 8237A pair of the PC/AT (src/ctrl/i8237.c) -------------------- */

/* State of the 8237 driver: the platform whose port I/O it uses. */
typedef struct sysdma_i8237_driver {
    sysdma_platform platform;
    uint8_t programmed[8]; /* last mode byte written per channel */
    /* Terminal counts seen in the status registers, bit k = channel k,
     * cleared when channel k is programmed. Reading a controller's status
     * register clears the bits of all four of its channels, so every bit
     * read is kept here until its channel is programmed again. */
    uint8_t tc;
} sysdma_i8237_driver;

/* Set up the driver over `platform` (port I/O only) and fill `out` with
 * its table. Channels 0-3 are 8-bit (64 KiB windows), 5-7 16-bit (128 KiB
 * windows, word counts); channel 4 is the cascade and is refused. The
 * driver reads the status registers (ports 0x08 and 0xD0) to learn of
 * terminal counts; nothing else may read them, or the terminal counts they
 * clear are lost to it (a full-window transfer that ended would then read
 * as not started, a chained run or MapTransferEx would never complete).
 * An interrupt handler that wants to know which channel finished asks the
 * core (sysdma_channel_check), which asks this driver. */
void sysdma_i8237_driver_init(sysdma_i8237_driver *drv, const sysdma_platform *platform,
                              sysdma_controller *out);

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_CONTROLLER_H */
