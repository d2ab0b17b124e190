/* SPDX-License-Identifier: MIT */
/*
 * sysdma's driver for the ARM PrimeCell PL080 DMA controller
 * (src/ctrl/pl080.c): a sysdma_controller over memory-mapped I/O, for SoCs.
 *
 * Eight channels, sixteen request lines, hardware scatter/gather through
 * linked-list items (LLIs) the driver builds in a pool of its own, in
 * memory the DMAC reaches (taken once, at init, with the platform's
 * alloc_contig; programming allocates nothing). The driver reaches the
 * DMAC's 4 KiB register block through a small accessor: callbacks (an
 * emulator, a hypervisor trap, a test) or, without them, plain volatile
 * 32-bit loads and stores at a base address (bare metal).
 *
 * How a program becomes a list. Each fragment is cut into items of at
 * most 4095 transfers (the TransferSize field), counted in units of the
 * source width. The AHB rule that a burst never crosses a 1 KiB boundary
 * is kept on the memory side: a fragment whose memory address is not a
 * multiple of the memory burst (beats × width) first gets an item that
 * ends at the next 1 KiB boundary; from there every item starts on a
 * multiple of the burst (items are cut at multiples of it), so no burst
 * can cross one. So a fragment of L bytes takes at most
 * 1 + ceil(L / C) items, C being the item capacity (4095 source units
 * rounded down to a whole memory burst; at least 3072 bytes), and
 * query_fragments answers the pool's items divided by that worst case for
 * a fragment of limits.max_bytes. With flow control by the device
 * (SYSDMA_FLOW_DEVICE) the device ends each item, so each fragment is one
 * item, not cut.
 *
 * The transfer shape (sysdma_transfer_shape) chooses widths (1, 2, 4
 * bytes; 0: 1), bursts (1, 4, 8, ..., 256 beats; 0: 1 on the device side,
 * 4 on the memory side), the device side's increment and the flow type:
 *   SYSDMA_FLOW_MEMORY      flow type 0 (memory to memory, no request line:
 *                           the DMAC moves the bytes as fast as the bus lets
 *                           it; the only type QEMU's PL080 moves data with);
 *   SYSDMA_FLOW_CONTROLLER  flow type 1 (memory → peripheral) or 2
 *                           (peripheral → memory), the DMAC counting;
 *   SYSDMA_FLOW_DEVICE      flow type 5 (memory → peripheral) or 6
 *                           (peripheral → memory), the peripheral ending
 *                           each item with its last-burst/last-single
 *                           request.
 * Flow types 3, 4 and 7 (peripheral to peripheral) are never used.
 *
 * Interrupts. The last item of a list has its terminal-count bit (I); in
 * loop mode the last item points back to the first, so the channel
 * interrupts once per pass (or, with SYSDMA_PL080_FN_PERIOD_IRQ, at the end
 * of every fragment) and runs until flushed. Every programmed channel
 * has its terminal-count and error interrupts unmasked; handle_interrupt
 * reads IntTCStatus and IntErrorStatus, clears what it read, and reports
 * the channels (a bus error — an address the DMAC cannot reach — is a
 * failure). The driver also keeps what it saw per channel until the
 * channel is programmed again (terminal_counts, read_residue, cancel).
 *
 * Request lines. validate_binding accepts any of the 16 lines unless the
 * channel's mask (config.lines, SYSDMA_PL080_FN_LINES) says otherwise, and
 * remembers the line; a program naming line 0 uses the remembered line (a
 * core that does not pass the description's line in the program passes
 * 0). Flow type 0 uses no line.
 *
 * Priority is the PL080's: channel 0 highest. A memory-to-memory channel
 * is always ready and keeps the bus from lower ones until it ends: give
 * such transfers high channel numbers.
 */
#ifndef SYSDMA_CTRL_PL080_H
#define SYSDMA_CTRL_PL080_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/controller.h"
#include "sysdma/platform.h"
#include "sysdma/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SYSDMA_PL080_CHANNELS 8
#define SYSDMA_PL080_LINES 16
#define SYSDMA_PL080_MAX_TRANSFERS 4095u /* transfers per item (TransferSize) */
#define SYSDMA_PL080_LLI_BYTES 16u       /* {src, dst, next, control} */
#define SYSDMA_PL080_DEFAULT_ITEMS 512u  /* items per channel when not configured */
#define SYSDMA_PL080_DEFAULT_MAX_BYTES 0x10000u /* longest fragment when not configured */

/* How the driver reaches the register block: `read32`/`write32` with the
 * offset inside the block (0x000-0xFFC) when both are set, else volatile
 * 32-bit accesses at `base` + offset (`base` the block's CPU address). */
typedef struct sysdma_pl080_mmio {
    uint32_t (*read32)(void *ctx, uint32_t offset);
    void (*write32)(void *ctx, uint32_t offset, uint32_t value);
    void *ctx;
    volatile uint32_t *base;
} sysdma_pl080_mmio;

typedef struct sysdma_pl080_config {
    sysdma_pl080_mmio mmio;
    /* The platform whose alloc_contig gives the item pool (below 4 GiB of
     * bus address), whose phys_to_bus (when set) turns its physical
     * address into the one the DMAC fetches from, and whose set_caching
     * (when set) makes it uncached for the CPU — else, when the platform
     * has dma_sync, each program syncs the items it wrote. */
    sysdma_platform platform;
    uint32_t items_per_channel; /* pool items per channel; 0 → SYSDMA_PL080_DEFAULT_ITEMS */
    uint32_t max_bytes;         /* limits.max_bytes; 0 → SYSDMA_PL080_DEFAULT_MAX_BYTES */
    /* Request lines each channel may serve (bit n = line n); a channel
     * whose mask is 0 serves any line. */
    uint16_t lines[SYSDMA_PL080_CHANNELS];
} sysdma_pl080_config;

/* One channel as the driver sees it. */
typedef enum sysdma_pl080_chan_state {
    SYSDMA_PL080_IDLE = 0,      /* never programmed, or flushed after completion */
    SYSDMA_PL080_RUNNING = 1,   /* programmed and enabled */
    SYSDMA_PL080_STOPPED = 2,   /* flushed or cancelled before it completed */
    SYSDMA_PL080_DONE = 3,      /* the list ended (or a loop completed a pass) */
    SYSDMA_PL080_FAILED = 4     /* a bus error stopped it */
} sysdma_pl080_chan_state;

typedef struct sysdma_pl080_chan {
    sysdma_pl080_chan_state state;
    bool loop;
    uint8_t src_width;          /* bytes per source unit of its items */
    uint16_t line;              /* the line validate_binding last accepted */
    uint32_t items;             /* items of the current program */
    uint32_t total;             /* bytes of one pass */
    sysdma_transfer_shape shape; /* set by configure(SYSDMA_CONFIGURE_SHAPE) */
    uint8_t masters;            /* SYSDMA_PL080_MASTER_* bits */
    uint8_t prot;               /* Control Prot bits (0-7) */
    uint16_t lines;             /* lines it may serve (0: any) */
    bool period_irq;            /* loop: interrupt at the end of every fragment */
} sysdma_pl080_chan;

/* State of the driver. The caller owns it; it must outlive the system. */
typedef struct sysdma_pl080_driver {
    sysdma_pl080_mmio mmio;
    sysdma_platform platform;
    uint32_t items_per_channel;
    uint32_t max_bytes;
    uint8_t *pool_va;           /* the item pool (CPU view) */
    uint64_t pool_phys;         /* its physical address */
    uint32_t pool_bus;          /* its bus address (what items and the LLI register hold) */
    size_t pool_bytes;
    bool pool_uncached;         /* set_caching made it uncached */
    uint32_t *item_bytes;       /* bytes of each item (from the platform's alloc) */
    sysdma_platform_ops pf_ops; /* full-size copy of the platform's table */
    unsigned nchan;             /* channels: 8 (PL080) or 2 (PL081), from the ID registers */
    uint8_t tc;                 /* terminal counts seen (bit = channel), kept until programmed */
    uint8_t err;                /* bus errors seen, likewise */
    sysdma_pl080_chan ch[SYSDMA_PL080_CHANNELS];
} sysdma_pl080_driver;

/* Set up the driver as `cfg` says and fill `out` with its table: takes the
 * item pool (items_per_channel × 8 items of 16 bytes, plus the driver's
 * record of item lengths, with the platform's alloc_contig below 4 GiB).
 * The DMAC itself is touched only by `initialize` (which the core calls at
 * sysdma_system_create): it reads the part number from PeriphID0/1 (0x080:
 * 8 channels; 0x081, the PL081: 2; anything else SYSDMA_E_DEVICE),
 * disables every channel, clears both interrupt registers and enables the
 * DMAC, little-endian. Statuses:
 * SYSDMA_E_INVALID_ARGUMENT (NULL arguments, no accessor, a platform
 * without alloc_contig, more than 65536 items per channel, max_bytes
 * under 4096), SYSDMA_E_NO_MEMORY (alloc_contig failed). */
sysdma_status sysdma_pl080_driver_init(sysdma_pl080_driver *drv, const sysdma_pl080_config *cfg,
                                       sysdma_controller *out);

/* Give the item pool back (free_contig). Call after the system is
 * destroyed; the driver is unusable afterwards. NULL is ignored. */
void sysdma_pl080_driver_fini(sysdma_pl080_driver *drv);

/* Items one fragment of `bytes` may need, worst case over every shape
 * (what query_fragments assumes): 1 + ceil(bytes / 3072). */
uint32_t sysdma_pl080_items_for(uint32_t bytes);

/* ---- configure: PL080-specific functions (sysdma_adapter_configure) ------------
 *
 * SYSDMA_CONFIGURE_SHAPE        data: a sysdma_transfer_shape. Kept for the
 *                               channel and used by any program whose own
 *                               shape is all 0 (a core that forwards the
 *                               function instead of answering it).
 * SYSDMA_PL080_FN_LINES         data: uint16_t, the lines the channel may
 *                               serve from now on (0: any); validate_binding
 *                               and program refuse the others.
 * SYSDMA_PL080_FN_MASTERS       data: uint8_t, SYSDMA_PL080_MASTER_* bits: the
 *                               AHB master of the memory side, the device
 *                               side and the item fetches (0: master 1 for all).
 * SYSDMA_PL080_FN_PROT          data: uint8_t 0-7, the Control Prot bits
 *                               (privileged, bufferable, cacheable).
 * SYSDMA_PL080_FN_PERIOD_IRQ    data: uint8_t 0 or 1. 1: a looping program
 *                               interrupts at the end of every fragment (a
 *                               period of a cyclic buffer given as several
 *                               fragments), each reported as a completion;
 *                               0 (the default): once per pass.
 * SYSDMA_PL080_FN_ITEMS         data: uint32_t out, the items the channel's
 *                               current program uses (for tests and tools).
 * Bad data (NULL, wrong size, a value out of range): SYSDMA_E_INVALID_ARGUMENT;
 * another function: SYSDMA_E_NOT_IMPLEMENTED. */
#define SYSDMA_PL080_FN_LINES 0x8001u
#define SYSDMA_PL080_FN_MASTERS 0x8002u
#define SYSDMA_PL080_FN_PROT 0x8003u
#define SYSDMA_PL080_FN_ITEMS 0x8004u
#define SYSDMA_PL080_FN_PERIOD_IRQ 0x8005u

#define SYSDMA_PL080_MASTER_MEMORY 0x1u /* memory side on AHB master 2 */
#define SYSDMA_PL080_MASTER_DEVICE 0x2u /* device side on AHB master 2 */
#define SYSDMA_PL080_MASTER_LLI 0x4u    /* items fetched through master 2 */

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_CTRL_PL080_H */
