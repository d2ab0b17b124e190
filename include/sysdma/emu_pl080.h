/* SPDX-License-Identifier: MIT */
/*
 * sysdma emulated hardware: an ARM PrimeCell PL080 DMA controller (DMAC).
 *
 * The system DMA controller of many ARM SoCs: eight channels, sixteen
 * peripheral request lines, linked-list items (LLIs) fetched from memory, a
 * memory-mapped register block of 4 KiB. Like the 8237 model next to it,
 * this one allocates nothing (the caller owns every struct), keeps no global
 * state, starts no threads, and leaves time to the caller: nothing moves
 * until sysdma_emu_pl080_run() is called with a budget.
 *
 * What the DMAC can reach is the machine's bus as this header describes it:
 * one RAM (a sysdma_emu_physmem placed at a bus address) and up to
 * SYSDMA_EMU_PL080_WINDOWS device windows (a peripheral's data register, a
 * FIFO) with read and write callbacks. An access to any other bus address is
 * a bus error: the channel stops and raises its error interrupt. No guest
 * value ever reaches host memory outside the RAM the embedder gave.
 *
 * A peripheral drives its four request inputs (burst, single, last burst,
 * last single) with sysdma_emu_pl080_request() and is told of the DMAC's
 * answers (DMACCLR after each serviced request, DMACTC with it at the end
 * of an item the DMAC counted) through a callback. The interrupt outputs
 * (DMACINTR, DMACINTTC, DMACINTERR) are reported by level through another.
 *
 * docs/emu-pl080.md says what is modelled, how, and where it deviates.
 */
#ifndef SYSDMA_EMU_PL080_H
#define SYSDMA_EMU_PL080_H

#include "sysdma/emu.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SYSDMA_EMU_PL080_CHANNELS 8
#define SYSDMA_EMU_PL080_LINES 16
#define SYSDMA_EMU_PL080_WINDOWS 8
#define SYSDMA_EMU_PL080_MMIO_SIZE 0x1000u  /* bytes of register space */
#define SYSDMA_EMU_PL080_MAX_TRANSFER 4095u /* TransferSize field maximum */
#define SYSDMA_EMU_PL080_LLI_BYTES 16u      /* {src, dst, next, control} */

/* ---- Register offsets (32-bit registers, word aligned) -------------------- */
enum {
    SYSDMA_EMU_PL080_INT_STATUS = 0x000,
    SYSDMA_EMU_PL080_INT_TC_STATUS = 0x004,
    SYSDMA_EMU_PL080_INT_TC_CLEAR = 0x008, /* write-only: 1 clears */
    SYSDMA_EMU_PL080_INT_ERR_STATUS = 0x00C,
    SYSDMA_EMU_PL080_INT_ERR_CLEAR = 0x010, /* write-only: 1 clears */
    SYSDMA_EMU_PL080_RAW_TC_STATUS = 0x014,
    SYSDMA_EMU_PL080_RAW_ERR_STATUS = 0x018,
    SYSDMA_EMU_PL080_ENABLED_CHANNELS = 0x01C,
    SYSDMA_EMU_PL080_SOFT_BREQ = 0x020,
    SYSDMA_EMU_PL080_SOFT_SREQ = 0x024,
    SYSDMA_EMU_PL080_SOFT_LBREQ = 0x028,
    SYSDMA_EMU_PL080_SOFT_LSREQ = 0x02C,
    SYSDMA_EMU_PL080_CONFIG = 0x030,
    SYSDMA_EMU_PL080_SYNC = 0x034,
    SYSDMA_EMU_PL080_CH_BASE = 0x100,  /* channel n at 0x100 + 0x20 n */
    SYSDMA_EMU_PL080_CH_STRIDE = 0x20,
    SYSDMA_EMU_PL080_CH_SRC = 0x00,    /* within a channel's block */
    SYSDMA_EMU_PL080_CH_DST = 0x04,
    SYSDMA_EMU_PL080_CH_LLI = 0x08,
    SYSDMA_EMU_PL080_CH_CONTROL = 0x0C,
    SYSDMA_EMU_PL080_CH_CONFIG = 0x10,
    SYSDMA_EMU_PL080_PERIPH_ID0 = 0xFE0, /* 0x80 0x10 0x04 0x0A */
    SYSDMA_EMU_PL080_PCELL_ID0 = 0xFF0   /* 0x0D 0xF0 0x05 0xB1 */
};

/* Offset of register `reg` (SYSDMA_EMU_PL080_CH_*) of channel `n`. */
#define SYSDMA_EMU_PL080_CH(n, reg) \
    (SYSDMA_EMU_PL080_CH_BASE + SYSDMA_EMU_PL080_CH_STRIDE * (n) + (reg))

/* DMACConfiguration. */
#define SYSDMA_EMU_PL080_CFG_E 0x1u     /* DMAC enable */
#define SYSDMA_EMU_PL080_CFG_M1_BE 0x2u /* AHB master 1 big-endian */
#define SYSDMA_EMU_PL080_CFG_M2_BE 0x4u /* AHB master 2 big-endian */

/* DMACCxControl. Widths: 0 byte, 1 halfword, 2 word (3-7 reserved).
 * Burst codes 0-7: 1, 4, 8, 16, 32, 64, 128, 256 transfers. */
#define SYSDMA_EMU_PL080_CTL_SIZE_MASK 0xFFFu /* TransferSize, source units */
#define SYSDMA_EMU_PL080_CTL_SBSIZE_SHIFT 12
#define SYSDMA_EMU_PL080_CTL_DBSIZE_SHIFT 15
#define SYSDMA_EMU_PL080_CTL_SWIDTH_SHIFT 18
#define SYSDMA_EMU_PL080_CTL_DWIDTH_SHIFT 21
#define SYSDMA_EMU_PL080_CTL_S (1u << 24)  /* source on AHB master 2 */
#define SYSDMA_EMU_PL080_CTL_D (1u << 25)  /* destination on AHB master 2 */
#define SYSDMA_EMU_PL080_CTL_SI (1u << 26) /* source increment */
#define SYSDMA_EMU_PL080_CTL_DI (1u << 27) /* destination increment */
#define SYSDMA_EMU_PL080_CTL_PROT_SHIFT 28
#define SYSDMA_EMU_PL080_CTL_I (1u << 31)  /* TC interrupt at the end of this item */

/* DMACCxConfiguration. */
#define SYSDMA_EMU_PL080_CCFG_E 0x1u       /* channel enable */
#define SYSDMA_EMU_PL080_CCFG_SRCPER_SHIFT 1
#define SYSDMA_EMU_PL080_CCFG_DSTPER_SHIFT 6
#define SYSDMA_EMU_PL080_CCFG_FLOW_SHIFT 11
#define SYSDMA_EMU_PL080_CCFG_IE (1u << 14)  /* error interrupt not masked */
#define SYSDMA_EMU_PL080_CCFG_ITC (1u << 15) /* TC interrupt not masked */
#define SYSDMA_EMU_PL080_CCFG_L (1u << 16)   /* locked transfers */
#define SYSDMA_EMU_PL080_CCFG_A (1u << 17)   /* active (read-only) */
#define SYSDMA_EMU_PL080_CCFG_H (1u << 18)   /* halt: ignore further requests */
#define SYSDMA_EMU_PL080_CCFG_WRITABLE 0x5FBDFu

/* FlowCntrl values: transfer type and flow controller. */
enum {
    SYSDMA_EMU_PL080_FLOW_M2M = 0,         /* DMAC */
    SYSDMA_EMU_PL080_FLOW_M2P = 1,         /* DMAC */
    SYSDMA_EMU_PL080_FLOW_P2M = 2,         /* DMAC */
    SYSDMA_EMU_PL080_FLOW_P2P = 3,         /* DMAC */
    SYSDMA_EMU_PL080_FLOW_P2P_DSTCTL = 4,  /* destination peripheral */
    SYSDMA_EMU_PL080_FLOW_M2P_PERCTL = 5,  /* destination peripheral */
    SYSDMA_EMU_PL080_FLOW_P2M_PERCTL = 6,  /* source peripheral */
    SYSDMA_EMU_PL080_FLOW_P2P_SRCCTL = 7   /* source peripheral */
};

/* A peripheral's four request inputs, as a bit set. */
#define SYSDMA_EMU_PL080_REQ_BURST 0x1u   /* DMACBREQ */
#define SYSDMA_EMU_PL080_REQ_SINGLE 0x2u  /* DMACSREQ */
#define SYSDMA_EMU_PL080_REQ_LBURST 0x4u  /* DMACLBREQ */
#define SYSDMA_EMU_PL080_REQ_LSINGLE 0x8u /* DMACLSREQ */

/* ---- The machine's bus as the DMAC sees it ------------------------------- */

/*
 * A device window: `size` bytes of bus address space at `base` that belong
 * to a device (a peripheral's data register, typically). read/write get the
 * offset inside the window and whole transfers (n = the transfer's width, or
 * a longer run when the address increments); they return false for an AHB
 * error response (the DMAC then raises a bus error). Either may be NULL: an
 * access in that direction is a bus error. They run inside
 * sysdma_emu_pl080_run() and must not write the DMAC's registers.
 */
typedef struct sysdma_emu_pl080_window {
    uint32_t base;
    uint32_t size;
    bool (*read)(void *ctx, uint32_t offset, uint8_t *buf, size_t n);
    bool (*write)(void *ctx, uint32_t offset, const uint8_t *buf, size_t n);
    void *ctx;
} sysdma_emu_pl080_window;

/*
 * A peripheral on one request line. `response` is the DMAC's answer after
 * it serviced a request of that line: DMACCLR (always; the peripheral
 * should now lower what it no longer requests) and, when `tc`, DMACTC (the
 * DMAC, as flow controller, finished the item's count). It may call
 * sysdma_emu_pl080_request() and may write the DMAC's registers.
 */
typedef struct sysdma_emu_pl080_periph {
    void (*response)(void *ctx, unsigned line, bool tc);
    void *ctx;
} sysdma_emu_pl080_periph;

/* Observable events, for tracing (VCD, timelines) and statistics. */
typedef enum sysdma_emu_pl080_event {
    SYSDMA_EMU_PL080_EV_REQUEST = 0, /* index: line; value: its new request set */
    SYSDMA_EMU_PL080_EV_SERVICE = 1, /* index: channel; value: bytes written by one service
                                        (or by the bursts taken at once) */
    SYSDMA_EMU_PL080_EV_ITEM = 2,    /* index: channel; an item ended; value: 1 if it set TC */
    SYSDMA_EMU_PL080_EV_ERROR = 3,   /* index: channel; a bus error stopped it */
    SYSDMA_EMU_PL080_EV_WRITE = 4    /* index: 0; value: offset of a register write */
} sysdma_emu_pl080_event;

typedef void (*sysdma_emu_pl080_event_fn)(void *ctx, sysdma_emu_pl080_event ev, unsigned index,
                                          uint32_t value);

/* Interrupt outputs, told by level whenever one of them changes:
 * intr = DMACINTR (tc || err), tc = DMACINTTC, err = DMACINTERR. */
typedef void (*sysdma_emu_pl080_irq_fn)(void *ctx, bool intr, bool tc, bool err);

/* ---- State (a plain struct: save/restore is a copy) ---------------------- */

typedef struct sysdma_emu_pl080_chan {
    uint32_t src;     /* DMACCxSrcAddr: advances as the channel reads */
    uint32_t dst;     /* DMACCxDestAddr: advances as the channel writes */
    uint32_t lli;     /* DMACCxLLI: next item (bits 31-2), master (bit 0) */
    uint32_t control; /* DMACCxControl; TransferSize counts down */
    uint32_t config;  /* DMACCxConfiguration without the A bit */
} sysdma_emu_pl080_chan;

#define SYSDMA_EMU_PL080_STATE_VERSION 1u

typedef struct sysdma_emu_pl080_state {
    uint32_t version;                           /* SYSDMA_EMU_PL080_STATE_VERSION */
    sysdma_emu_pl080_chan ch[SYSDMA_EMU_PL080_CHANNELS];
    uint8_t raw_tc;   /* RawIntTCStatus */
    uint8_t raw_err;  /* RawIntErrorStatus */
    uint8_t config;   /* DMACConfiguration bits 2-0 */
    uint8_t pad;
    uint16_t sync;    /* DMACSync (stored; no effect) */
    uint16_t soft[4]; /* software requests: [0] B, [1] S, [2] LB, [3] LS; bit = line */
    uint16_t hw[4];   /* request input levels, same layout */
    uint8_t fifo[SYSDMA_EMU_PL080_CHANNELS][4]; /* channel FIFO: bytes read, not yet written */
    uint8_t fifo_n[SYSDMA_EMU_PL080_CHANNELS];  /* bytes held (0-4; less than a unit between services) */
} sysdma_emu_pl080_state;

typedef struct sysdma_emu_pl080_stats {
    uint64_t bytes[SYSDMA_EMU_PL080_CHANNELS];    /* data bytes moved */
    uint64_t services[SYSDMA_EMU_PL080_CHANNELS]; /* bursts/singles serviced */
    uint64_t items[SYSDMA_EMU_PL080_CHANNELS];    /* linked-list items finished */
    uint64_t lli_fetches;                         /* items loaded from memory */
    uint64_t errors;                              /* bus errors */
} sysdma_emu_pl080_stats;

/*
 * The emulator object. The caller allocates it and calls
 * sysdma_emu_pl080_init(); fields are public for inspection, but change
 * them only through the functions below.
 */
typedef struct sysdma_emu_pl080 {
    sysdma_emu_pl080_state s;
    sysdma_emu_physmem *mem;   /* the RAM */
    uint32_t ram_base;         /* bus address of the RAM's first byte */
    uint64_t ram_len;          /* bytes of RAM on the bus (mem->size cut at 4 GiB) */
    sysdma_emu_pl080_window win[SYSDMA_EMU_PL080_WINDOWS];
    unsigned nwin;
    sysdma_emu_pl080_periph per[SYSDMA_EMU_PL080_LINES];
    sysdma_emu_pl080_irq_fn irq;
    void *irq_ctx;
    uint8_t irq_level;         /* last reported: bit 0 tc, bit 1 err */
    sysdma_emu_pl080_event_fn event;
    void *event_ctx;
    uint8_t in_service;        /* channel + 1 being serviced (reads A = 1), or 0 */
    sysdma_emu_pl080_stats stats;
    uint8_t scratch[1040];     /* one service: FIFO bytes + a burst of 256 × 4 bytes */
} sysdma_emu_pl080;

/* Bring up a DMAC on the bus made of `mem` (kept by the caller; may be NULL
 * for no RAM) placed at bus address `ram_base`, as at reset: every register
 * zero, no windows, no peripherals, no interrupt hook. RAM that would reach
 * past bus address 0xFFFFFFFF is cut there (the PL080 has 32-bit
 * addresses). */
void sysdma_emu_pl080_init(sysdma_emu_pl080 *e, sysdma_emu_physmem *mem, uint32_t ram_base);

/* Reset (HRESETn): registers, interrupts and software requests cleared.
 * RAM, windows, peripherals, the interrupt hook, the request input levels
 * and statistics stay. The interrupt hook hears the outputs fall. */
void sysdma_emu_pl080_reset(sysdma_emu_pl080 *e);

/* Add a device window. false (and nothing changes) when all windows are
 * used, `w` is NULL, its size is 0, it wraps past 0xFFFFFFFF, or it
 * overlaps the RAM or another window. */
bool sysdma_emu_pl080_map_window(sysdma_emu_pl080 *e, const sysdma_emu_pl080_window *w);

/* Attach (or with p == NULL detach) the peripheral on request line 0-15.
 * false for a bad line. */
bool sysdma_emu_pl080_attach(sysdma_emu_pl080 *e, unsigned line,
                             const sysdma_emu_pl080_periph *p);

/* Install the interrupt output hook (NULL to remove). It is called at once
 * with the current levels. */
void sysdma_emu_pl080_set_irq(sysdma_emu_pl080 *e, sysdma_emu_pl080_irq_fn fn, void *ctx);

/* Install the event hook (NULL to remove). It is called from inside the
 * functions below and must not call them. */
void sysdma_emu_pl080_set_event_hook(sysdma_emu_pl080 *e, sysdma_emu_pl080_event_fn fn, void *ctx);

/* ---- CPU side: the register block ----------------------------------------- */

/* 32-bit read at `offset` in the 4 KiB block. Write-only, reserved and
 * unaligned offsets (and offsets beyond the block) read 0. */
uint32_t sysdma_emu_pl080_read(sysdma_emu_pl080 *e, uint32_t offset);

/* 32-bit write at `offset`. Writes to read-only, reserved or unaligned
 * offsets are ignored. Bits a register does not have are dropped. */
void sysdma_emu_pl080_write(sysdma_emu_pl080 *e, uint32_t offset, uint32_t value);

/* ---- Peripheral side ------------------------------------------------------ */

/* Set the levels of line 0-15's request inputs to `reqs` (a set of
 * SYSDMA_EMU_PL080_REQ_*); bad lines are ignored. */
void sysdma_emu_pl080_request(sysdma_emu_pl080 *e, unsigned line, unsigned reqs);

/* ---- Running -------------------------------------------------------------- */

/*
 * Service requests until `budget` bytes of bus traffic are used — per
 * service the larger of the bytes read and written, plus 16 per linked-list
 * item fetched (a service that moves nothing costs 1) — or no channel can
 * be served. Arbitration is by fixed priority (channel 0 highest) before
 * every burst or single transfer; a burst is never split, so the last one
 * may overrun the budget by less than 1 KiB. Returns the bytes written to
 * destinations.
 */
size_t sysdma_emu_pl080_run(sysdma_emu_pl080 *e, size_t budget);

/* True when run() would service some channel now. */
bool sysdma_emu_pl080_pending(const sysdma_emu_pl080 *e);

/* ---- Helpers for embedders and tests ---------------------------------------- */

/* A DMACCxControl value: `count` source transfers (bits above 12 dropped),
 * burst codes, width codes, increments and flags (CTL_S/D/I, Prot). */
uint32_t sysdma_emu_pl080_control(uint32_t count, unsigned sbsize, unsigned dbsize,
                                  unsigned swidth, unsigned dwidth, uint32_t flags);

/* Bytes of one burst of burst code 0-7 (1, 4, ... 256) × width code 0-2;
 * 0 for a reserved width. */
uint32_t sysdma_emu_pl080_burst_bytes(unsigned code, unsigned width);

/* ---- Snapshot --------------------------------------------------------------- */

void sysdma_emu_pl080_save(const sysdma_emu_pl080 *e, sysdma_emu_pl080_state *out);

/* Load a saved state. A state of another version, or with bits no register
 * holds, is refused (false) and nothing changes. The interrupt hook hears
 * the new levels. */
bool sysdma_emu_pl080_restore(sysdma_emu_pl080 *e, const sysdma_emu_pl080_state *in);

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_EMU_PL080_H */
