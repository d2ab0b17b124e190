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

/* Who ends a transfer and who paces it (flow control). */
typedef enum sysdma_flow {
    /* The controller counts the bytes; the device paces them with its
     * request line (the 8237's only way; the PL080's flow types 1 and 2). */
    SYSDMA_FLOW_CONTROLLER = 0,
    /* The device ends the transfer with its last-burst / last-single
     * request (the PL080's flow types 5 and 6). */
    SYSDMA_FLOW_DEVICE = 1,
    /* No request line: the controller moves the bytes as fast as the bus
     * lets it (the PL080's flow type 0), the device side being memory or a
     * register that always takes data. */
    SYSDMA_FLOW_MEMORY = 2
} sysdma_flow;

/* How the beats of a transfer look: set on an adapter with
 * sysdma_adapter_configure(adapter, SYSDMA_CONFIGURE_SHAPE, &shape,
 * sizeof shape), which the core keeps and passes in every program of that
 * adapter; every member 0 (the default) lets the controller choose. */
typedef struct sysdma_transfer_shape {
    uint8_t memory_width;     /* bytes per beat on the memory side: 1, 2, 4 (0: limits.width) */
    uint8_t device_width;     /* bytes per beat on the device side (0: limits.width) */
    uint16_t memory_burst;    /* beats per burst on the memory side (0: the controller's default) */
    uint16_t device_burst;    /* beats per burst on the device side */
    sysdma_flow flow;
    bool device_increment;    /* the device-side address advances (a memory target);
                               * false: every beat goes to one register */
} sysdma_transfer_shape;

/* sysdma_adapter_configure function numbers the core answers itself;
 * every other number goes to the controller's `configure`. */
#define SYSDMA_CONFIGURE_SHAPE 0x53480001u /* data: a sysdma_transfer_shape */

/* One programming of a channel. */
typedef struct sysdma_program {
    const sysdma_fragment *fragments;
    unsigned count;           /* ≤ query_fragments(channel) ≤ limits.max_fragments */
    uint64_t device_address;  /* bus address of the device's data register (the
                               * description's device_address); 0 on the 8237 */
    bool to_device;           /* memory → device (the 8237's "read" transfer) */
    bool loop;                /* auto-initialize / cyclic: after the last fragment
                               * start again at the first, until flushed */
    sysdma_xfer_mode mode;
    uint32_t request_line;    /* the adapter's request line (the description's;
                               * on the 8237 the channel itself) */
    sysdma_transfer_shape shape; /* the adapter's (all 0 unless configured) */
} sysdma_program;

/* What cancel found (the HAL's three answers). */
typedef enum sysdma_cancel_result {
    SYSDMA_CANCEL_DONE = 0,          /* stopped before it completed: no
                                      * completion will be reported for it */
    SYSDMA_CANCEL_TOO_LATE = 1,      /* it had already completed (or failed);
                                      * its interrupt is (or was) on its way */
    SYSDMA_CANCEL_IDLE = 2           /* nothing was programmed on the channel */
} sysdma_cancel_result;

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
     * against the limits. A completion or failure of the channel's previous
     * program not yet reported by handle_interrupt is forgotten (a late
     * report would complete the new program). Required. */
    sysdma_status (*program)(void *ctx, unsigned channel, const sysdma_program *p);

    /* Controller-specific function `function` on `channel`. Optional (NULL:
     * SYSDMA_E_NOT_IMPLEMENTED). */
    sysdma_status (*configure)(void *ctx, unsigned channel, uint32_t function, void *data,
                               size_t bytes);

    /* Stop `channel` (on the 8237: mask it). Required. */
    sysdma_status (*flush)(void *ctx, unsigned channel);

    /* Called (through sysdma_controller_interrupt) from the controller's
     * interrupt, or to poll it: sets *completed to the channels (bit k =
     * channel k) that finished their transfer — or, looping, a pass — and
     * *failed to those that stopped on an error (a bus fault), since the
     * last call, and acknowledges them on the controller. Returns whether
     * any bit was set (false: the interrupt was not this controller's).
     * A channel is in at most one of the two sets. Optional (NULL: the core
     * asks terminal_counts for every channel; nothing ever fails). */
    bool (*handle_interrupt)(void *ctx, uint32_t *completed, uint32_t *failed);

    /* Bytes not yet transferred on `channel` in its current pass; 0 after
     * terminal count. Required when limits.counter_available. */
    uint32_t (*read_counter)(void *ctx, unsigned channel);

    /* Abandon the transfer on `channel` and say what was found (*result).
     * After SYSDMA_CANCEL_DONE the channel is stopped and
     * read_residue/read_counter give what did not move. Optional (NULL:
     * flush, then read_residue's terminal count decides between DONE and
     * TOO_LATE). */
    sysdma_status (*cancel)(void *ctx, unsigned channel, sysdma_cancel_result *result);

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

    /* How many channels the controller has (at most 32; channel numbers
     * are 0 .. count − 1, some of which channel_limits may refuse).
     * Optional (NULL: 8, the PC/AT pair). */
    unsigned (*channel_count)(void *ctx);
} sysdma_controller_ops;

typedef struct sysdma_controller {
    const sysdma_controller_ops *ops;
    void *ctx;
} sysdma_controller;

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_CONTROLLER_H */
