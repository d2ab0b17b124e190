/* SPDX-License-Identifier: MIT */
/*
 * sysdma emulated hardware: the PC/AT pair of Intel 8237A DMA controllers.
 *
 * This header is the whole public surface of libsysdma-emu's DMA controller.
 * It is usable on its own by emulator authors: it needs no other sysdma
 * header than status.h (the status codes of the save-state functions),
 * allocates nothing (the caller owns every struct), starts no
 * threads, and reaches guest memory only through the bounded physical-memory
 * interface below.
 *
 * The model is the one an operating system sees on a PC/AT:
 *   - DMA1 (ports 0x00-0x0F) serves channels 0-3, 8-bit, byte addresses, and
 *     a 16-bit address register that wraps inside its 64 KiB page;
 *   - DMA2 (ports 0xC0-0xDF, register n at 0xC0 + 2n, odd ports alias the
 *     even one below) serves channels 4-7, 16-bit, word addresses: physical =
 *     ((page & 0xFE) << 16) | (address << 1), so address bit 15 drives A16
 *     and the address wraps inside a 128 KiB window;
 *   - channel 4 is DMA2's cascade input for DMA1: DMA1 gets the bus only while
 *     channel 4 is unmasked and in cascade mode (a PC BIOS sets that up; see
 *     sysdma_emu_i8237_reset);
 *   - page registers 0x80-0x8F are 16 plain latches; the ones named by
 *     sysdma_emu_i8237_page_port() supply address bits 16-23.
 *
 * Time is the caller's: nothing moves until sysdma_emu_i8237_run() is called
 * with a budget of transfer units (bytes on DMA1, 16-bit words on DMA2).
 * Devices attach to channels, raise and lower their request line (DREQ) with
 * sysdma_emu_i8237_dreq(), and exchange data through one callback that moves
 * one unit (single mode) or a whole contiguous span (demand and block mode)
 * straight into or out of guest RAM.
 *
 * An optional hardware lint (sysdma_emu_i8237_set_lint) reports guest DMA
 * programming that works here but fails or is undefined on real hardware.
 *
 * Electrical details the 8237A also has (DREQ/DACK polarity, compressed
 * timing, extended write) are stored in the command register and read back,
 * but they do not change behaviour: the device API speaks of logical
 * request assertion only.
 */
#ifndef SYSDMA_EMU_H
#define SYSDMA_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Bounded physical memory                                                   */
/* ------------------------------------------------------------------------ */

/*
 * Guest RAM as the DMA engine sees it: `size` bytes at `ram`, physical
 * addresses 0 .. size-1. Reads beyond RAM return 0xFF (open bus) and writes
 * beyond RAM are dropped; no guest-chosen address can reach host memory
 * outside [ram, ram + size).
 */
typedef struct sysdma_emu_physmem {
    uint8_t *ram;  /* host view of guest physical address 0 */
    uint64_t size; /* bytes of RAM; 0 means no RAM at all */
} sysdma_emu_physmem;

/* Describe `size` bytes at `ram` (which the caller keeps alive). */
void sysdma_emu_physmem_init(sysdma_emu_physmem *m, void *ram, uint64_t size);

/* Copy n bytes from guest physical `addr`; bytes beyond RAM read 0xFF. */
void sysdma_emu_physmem_read(const sysdma_emu_physmem *m, uint64_t addr,
                             void *dst, size_t n);

/* Copy n bytes to guest physical `addr`; bytes beyond RAM are dropped. */
void sysdma_emu_physmem_write(sysdma_emu_physmem *m, uint64_t addr,
                              const void *src, size_t n);

/*
 * Host pointer to [addr, addr + n) when that whole range lies in RAM (and n
 * > 0), else NULL. Lets a device copy a span with one memcpy.
 */
uint8_t *sysdma_emu_physmem_span(const sysdma_emu_physmem *m, uint64_t addr,
                                 size_t n);

/* ------------------------------------------------------------------------ */
/* Registers and bit fields                                                  */
/* ------------------------------------------------------------------------ */

#define SYSDMA_EMU_I8237_CHANNELS 8

/* Register index n within one controller; DMA1 port = n, DMA2 port = 0xC0+2n. */
enum {
    SYSDMA_EMU_I8237_REG_ADDR0 = 0x0, /* address of channel k at 2k */
    SYSDMA_EMU_I8237_REG_COUNT0 = 0x1, /* count of channel k at 2k+1 */
    SYSDMA_EMU_I8237_REG_STATUS = 0x8, /* read: status; write: command */
    SYSDMA_EMU_I8237_REG_COMMAND = 0x8,
    SYSDMA_EMU_I8237_REG_REQUEST = 0x9,
    SYSDMA_EMU_I8237_REG_SINGLE_MASK = 0xA,
    SYSDMA_EMU_I8237_REG_MODE = 0xB,
    SYSDMA_EMU_I8237_REG_CLEAR_FF = 0xC,
    SYSDMA_EMU_I8237_REG_TEMP = 0xD, /* read: temporary; write: master clear */
    SYSDMA_EMU_I8237_REG_MASTER_CLEAR = 0xD,
    SYSDMA_EMU_I8237_REG_CLEAR_MASK = 0xE,
    SYSDMA_EMU_I8237_REG_ALL_MASK = 0xF
};

/* Mode register (write 0x0B / 0xD6). */
#define SYSDMA_EMU_MODE_VERIFY 0x00
#define SYSDMA_EMU_MODE_WRITE 0x04 /* device -> memory */
#define SYSDMA_EMU_MODE_READ 0x08  /* memory -> device */
#define SYSDMA_EMU_MODE_TYPE_MASK 0x0C
#define SYSDMA_EMU_MODE_AUTOINIT 0x10
#define SYSDMA_EMU_MODE_DECREMENT 0x20
#define SYSDMA_EMU_MODE_DEMAND 0x00
#define SYSDMA_EMU_MODE_SINGLE 0x40
#define SYSDMA_EMU_MODE_BLOCK 0x80
#define SYSDMA_EMU_MODE_CASCADE 0xC0
#define SYSDMA_EMU_MODE_XFER_MASK 0xC0

/* Command register (write 0x08 / 0xD0). */
#define SYSDMA_EMU_CMD_MEM2MEM 0x01
#define SYSDMA_EMU_CMD_CH0_HOLD 0x02
#define SYSDMA_EMU_CMD_DISABLE 0x04
#define SYSDMA_EMU_CMD_COMPRESSED 0x08
#define SYSDMA_EMU_CMD_ROTATING 0x10
#define SYSDMA_EMU_CMD_EXT_WRITE 0x20
#define SYSDMA_EMU_CMD_DREQ_LOW 0x40
#define SYSDMA_EMU_CMD_DACK_HIGH 0x80

/* ------------------------------------------------------------------------ */
/* Device side                                                               */
/* ------------------------------------------------------------------------ */

/* What a serviced channel asks of its device. */
typedef enum sysdma_emu_xfer {
    SYSDMA_EMU_XFER_VERIFY = 0,  /* handshake only, no memory access; buf NULL */
    SYSDMA_EMU_XFER_WRITE = 1,   /* device -> memory: the device fills buf */
    SYSDMA_EMU_XFER_READ = 2,    /* memory -> device: the device consumes buf */
    SYSDMA_EMU_XFER_CASCADE = 3  /* bus handed to a bus master; buf NULL */
} sysdma_emu_xfer;

/* The transfer callback's "no data for me" answer (see below). */
#define SYSDMA_EMU_XFER_ABSENT ((size_t)-1)

/*
 * A device attached to one channel.
 *
 * transfer: called when the controller services the channel. `units` (>= 1)
 *   is how many transfer units the controller can move now: 1 in single mode,
 *   up to the rest of the count (or to the next address wrap, the end of the
 *   run budget) in demand and block mode. `buf` holds units × width bytes
 *   (width 1 on channels 0-3, 2 on 5-7) and usually points straight into
 *   guest RAM. Return how many units were moved (0..units). In demand mode
 *   a device that has fewer units ready moves fewer and lowers its DREQ.
 *   Returning 0 means "not ready yet": the device holds the 8237's READY
 *   line low, so the cycle waits — nothing advances, run() returns, and the
 *   next run() offers the same units again.
 *   Returning SYSDMA_EMU_XFER_ABSENT means "no data for me": the device is
 *   not taking part (it is idle, its DACK is not gated, the transfer is not
 *   its own — a software request on its channel, say). The 8237 does not
 *   wait for a device that does not hold READY, so the controller carries
 *   out all `units` cycles without it: a WRITE transfer (to memory) stores
 *   what the undriven ISA data bus floats, 0xFF in every byte; a READ
 *   transfer reads memory and the bytes are discarded; VERIFY just counts.
 *   The device must not touch `buf` when it answers ABSENT.
 *   For CASCADE, `units` is the remaining budget and the return value the
 *   bus cycles the master used (ABSENT counts as 0).
 *   The callback may call sysdma_emu_i8237_dreq() and _eop() for its own
 *   channel. If it writes controller ports, the controller keeps what was
 *   written and does not advance address or count for that call.
 * terminal_count: optional; told when the channel reaches terminal count or
 *   ends on an external EOP (the 8237's EOP/TC output to the device).
 */
typedef struct sysdma_emu_dma_device {
    size_t (*transfer)(void *ctx, unsigned channel, sysdma_emu_xfer kind,
                       uint8_t *buf, size_t units);
    void (*terminal_count)(void *ctx, unsigned channel);
    void *ctx;
} sysdma_emu_dma_device;

/* Observable events, for tracing (VCD, timelines) and statistics. */
typedef enum sysdma_emu_i8237_event {
    SYSDMA_EMU_EV_DREQ = 0,     /* value: new DREQ level (0/1) */
    SYSDMA_EMU_EV_DACK = 1,     /* value: units moved in one service */
    SYSDMA_EMU_EV_TC = 2,       /* value: 1 terminal count, 2 external EOP */
    SYSDMA_EMU_EV_MASK = 3,     /* value: new mask bit (0/1) */
    SYSDMA_EMU_EV_PROGRAM = 4   /* value: register index written (0..15) */
} sysdma_emu_i8237_event;

typedef void (*sysdma_emu_i8237_event_fn)(void *ctx, sysdma_emu_i8237_event ev,
                                          unsigned channel, uint32_t value);

/* ------------------------------------------------------------------------ */
/* Hardware lint (src/emu/i8237_lint.c)                                      */
/* ------------------------------------------------------------------------ */

/*
 * An optional checker for guest DMA programming that works on a lenient
 * emulator but fails, or is undefined, on real hardware. Each rule has a
 * stable id (never renumbered; new rules are appended) and a stable short
 * name. docs/emulator.md explains each rule and lists the chipsets behind
 * the "PC chipsets do not support it" rules.
 */
typedef enum sysdma_emu_lint_rule {
    SYSDMA_EMU_LINT_WRAP = 1,            /* "wrap": transfer wraps inside its 64 KiB page
                                            (8-bit) or 128 KiB window (16-bit) */
    SYSDMA_EMU_LINT_PROGRAM_UNMASKED = 2, /* "program-unmasked": address/count written
                                            while the channel is unmasked */
    SYSDMA_EMU_LINT_FLIPFLOP = 3,        /* "flipflop": address/count byte written with the
                                            byte pointer left odd by another register */
    SYSDMA_EMU_LINT_NO_MODE = 4,         /* "no-mode": unmasked with no mode written since
                                            reset */
    SYSDMA_EMU_LINT_STALE_AFTER_TC = 5,  /* "stale-after-tc": unmasked after terminal count
                                            (no auto-init) without a new address or count */
    SYSDMA_EMU_LINT_PAGE_BIT0 = 6,       /* "page-bit0": 16-bit channel's page register
                                            written with bit 0 set (hardware ignores it) */
    SYSDMA_EMU_LINT_ODD_ADDRESS = 7,     /* "odd-address": 16-bit channel given an odd byte
                                            address or length (sysdma_emu_i8237_program) */
    SYSDMA_EMU_LINT_MASKED_REQUEST = 8,  /* "masked-request": DREQ held on a masked channel
                                            for longer than the threshold */
    SYSDMA_EMU_LINT_MEM2MEM = 9,         /* "mem2mem": memory-to-memory enabled (no PC/AT-
                                            compatible machine supports it) */
    SYSDMA_EMU_LINT_DECREMENT = 10,      /* "decrement": a channel unmasked in address-
                                            decrement mode (not portable; see the docs) */
    SYSDMA_EMU_LINT_WRITE_ONLY_READ = 11 /* "write-only-read": a read of a register the
                                            8237A does not drive (0x09-0x0C, 0x0E, 0x0F) */
} sysdma_emu_lint_rule;

#define SYSDMA_EMU_LINT_RULE_MAX 11 /* highest rule id */
#define SYSDMA_EMU_LINT_ALL 0x0FFEu /* bit r set for every rule r */

/* One finding. `channel` is 0-7, or -1 when the access names no channel
 * (a read of a write-only register). `port` is the port whose access
 * revealed it (0 when none did: a masked request found while running).
 * `value` and `detail` are the values involved, per rule (see docs). */
typedef struct sysdma_emu_lint_report {
    sysdma_emu_lint_rule rule;
    int channel;
    uint16_t port;
    uint32_t value;
    uint32_t detail;
    const char *name; /* stable short name, e.g. "wrap" */
    const char *text; /* one-line explanation for a human */
} sysdma_emu_lint_report;

typedef void (*sysdma_emu_lint_fn)(void *ctx, const sysdma_emu_lint_report *r);

/* The lint's own bookkeeping (what the guest did, not hardware state). */
typedef struct sysdma_emu_i8237_lint {
    sysdma_emu_lint_fn fn;      /* NULL: lint off */
    void *ctx;
    uint32_t rules;             /* bit r enables rule r; SYSDMA_EMU_LINT_ALL by default */
    uint64_t threshold;         /* masked-request limit, in run() budget units */
    uint64_t waited[SYSDMA_EMU_I8237_CHANNELS]; /* budget offered while masked + DREQ */
    uint64_t reports;           /* findings so far */
    uint32_t reset_gen;         /* gen right after the last reset */
    uint8_t mode_written;       /* bit k: a mode was written to channel k since reset */
    uint8_t stale;              /* bit k: TC without auto-init, not reprogrammed since */
    uint8_t lo_reg[2];          /* per controller: register whose low byte was accessed
                                   last with the flip-flop at 0, or 0xFF */
    uint8_t masked_reported;    /* bit k: masked-request reported for the current wait */
    uint8_t unmasked_reported;  /* bit k: program-unmasked reported since k was last
                                   programmed while masked */
    uint8_t waiting;            /* bit k: waited[k] is counting (DREQ high, masked) */
} sysdma_emu_i8237_lint;

#define SYSDMA_EMU_LINT_DEFAULT_THRESHOLD 100000u /* ~0.1 s at one unit per µs */

/* ------------------------------------------------------------------------ */
/* State (a plain struct: save/restore is a copy)                            */
/* ------------------------------------------------------------------------ */

typedef struct sysdma_emu_i8237_chan {
    uint16_t base_addr;  /* written by the CPU; reloaded on auto-init */
    uint16_t base_count;
    uint16_t cur_addr;   /* what the channel uses and the CPU reads back */
    uint16_t cur_count;  /* units left minus one; 0xFFFF after TC */
    uint8_t mode;        /* mode register bits 7-2 (bits 1-0 always 0) */
} sysdma_emu_i8237_chan;

typedef struct sysdma_emu_i8237_ctrl {
    sysdma_emu_i8237_chan ch[4];
    uint8_t command;  /* command register */
    uint8_t tc;       /* status bits 0-3: TC reached, cleared on status read */
    uint8_t request;  /* software request bits 0-3 */
    uint8_t mask;     /* mask bits 0-3; 1 = masked */
    uint8_t temp;     /* temporary register (last memory-to-memory byte) */
    uint8_t flipflop; /* byte pointer: 0 = low byte next, 1 = high byte next */
    uint8_t lowest;   /* rotating priority: channel that has lowest priority */
    uint8_t active;   /* bits 0-3: block transfer in progress (started) */
} sysdma_emu_i8237_ctrl;

#define SYSDMA_EMU_I8237_STATE_VERSION 1u

typedef struct sysdma_emu_i8237_state {
    uint32_t version;             /* SYSDMA_EMU_I8237_STATE_VERSION */
    sysdma_emu_i8237_ctrl ctrl[2]; /* [0] = DMA1 (ch 0-3), [1] = DMA2 (ch 4-7) */
    uint8_t page[16];             /* latches at ports 0x80-0x8F */
    uint8_t dreq;                 /* DREQ line levels, bit k = channel k */
    uint8_t eop;                  /* external EOP pending, bit k = channel k */
} sysdma_emu_i8237_state;

/* Per-channel counters (not part of the saved state). */
typedef struct sysdma_emu_i8237_stats {
    uint64_t units[SYSDMA_EMU_I8237_CHANNELS];     /* units moved */
    uint64_t services[SYSDMA_EMU_I8237_CHANNELS];  /* device callbacks made */
    uint64_t tc[SYSDMA_EMU_I8237_CHANNELS];        /* terminal counts + EOPs */
    uint64_t stalls;                               /* services that moved nothing */
} sysdma_emu_i8237_stats;

/*
 * The emulator object. The caller allocates it (statically, on the stack or
 * wherever) and calls sysdma_emu_i8237_init(); fields are public so that an
 * embedding emulator can inspect them, but change them only through the
 * functions below.
 */
typedef struct sysdma_emu_i8237 {
    sysdma_emu_i8237_state s;
    sysdma_emu_physmem *mem;
    sysdma_emu_dma_device dev[SYSDMA_EMU_I8237_CHANNELS];
    sysdma_emu_i8237_event_fn event;
    void *event_ctx;
    sysdma_emu_i8237_stats stats;
    void (*tc_hook)(void *ctx, unsigned channel); /* see set_tc_hook */
    void *tc_hook_ctx;
    sysdma_emu_i8237_lint lint; /* see sysdma_emu_i8237_set_lint; off = fn NULL */
    uint32_t gen;        /* bumped by every port write (detects reprogramming) */
    uint8_t in_service;  /* channel + 1 whose callback runs (its EOP waits), or 0 */
    uint8_t scratch[4096]; /* bounce for spans that leave RAM */
} sysdma_emu_i8237;

/* Bring up a pair attached to `mem` (kept by the caller), as at power-on:
 * every register cleared, all channels masked, no devices. Then, if
 * `pc_bios`, do what a PC BIOS does: channel 4 in cascade mode and unmasked,
 * so that DMA1's channels can get the bus. */
void sysdma_emu_i8237_init(sysdma_emu_i8237 *e, sysdma_emu_physmem *mem,
                           bool pc_bios);

/* Hardware reset (RESET pin) of both controllers, with the same `pc_bios`
 * meaning. Devices, event hook and memory stay attached; DREQ lines stay
 * as the devices drive them; statistics are kept. */
void sysdma_emu_i8237_reset(sysdma_emu_i8237 *e, bool pc_bios);

/* Attach (or with dev == NULL detach) the device on `channel` 0-7; channel
 * 4 takes no device. Returns false for a bad channel. */
bool sysdma_emu_i8237_attach(sysdma_emu_i8237 *e, unsigned channel,
                             const sysdma_emu_dma_device *dev);

/* Install the event hook (NULL to remove). */
void sysdma_emu_i8237_set_event_hook(sysdma_emu_i8237 *e,
                                     sysdma_emu_i8237_event_fn fn, void *ctx);

/* Install a hook told of every terminal count and external EOP (after the
 * channel's reload or self-mask, before the device's terminal_count). It
 * costs nothing per unit, unlike the event hook, which reports every
 * service: a machine uses it to raise a completion interrupt. */
void sysdma_emu_i8237_set_tc_hook(sysdma_emu_i8237 *e,
                                  void (*fn)(void *ctx, unsigned channel), void *ctx);

/* ---- CPU side: port I/O --------------------------------------------------- */

/* True for ports the pair decodes: 0x00-0x0F, 0x80-0x8F, 0xC0-0xDF. */
bool sysdma_emu_i8237_claims(uint16_t port);

/* Port read. Ports the pair does not decode, and write-only registers,
 * read 0xFF. Reading the status register clears its TC bits. */
uint8_t sysdma_emu_i8237_inb(sysdma_emu_i8237 *e, uint16_t port);

/* Port write. Writes to ports the pair does not decode are ignored. */
void sysdma_emu_i8237_outb(sysdma_emu_i8237 *e, uint16_t port, uint8_t value);

/* Program `channel` through the ports the way PC operating systems do —
 * mask, clear the flip-flop, mode (`mode` bits 7-2; the channel bits are
 * added), address low/high, page, count − 1 low/high, unmask — for the
 * transfer of `bytes` at physical `phys` (16-bit channels: word address
 * and count, so `phys` and `bytes` should be even; with the lint on, odd
 * ones are reported as odd-address). A convenience for embedders' tests;
 * the emulator sees only the port writes. */
void sysdma_emu_i8237_program(sysdma_emu_i8237 *e, unsigned channel, uint8_t mode,
                              uint32_t phys, uint32_t bytes);

/* The page register port of `channel` (0x87 0x83 0x81 0x82 0x8F 0x8B 0x89
 * 0x8A for channels 0-7), or 0 for a bad channel. */
uint16_t sysdma_emu_i8237_page_port(unsigned channel);

/* ---- Device side ---------------------------------------------------------- */

/* Raise (true) or lower (false) the DREQ line of `channel`. */
void sysdma_emu_i8237_dreq(sysdma_emu_i8237 *e, unsigned channel, bool level);

/* External end of process on `channel`: the current service ends as at
 * terminal count (TC status bit, auto-init reload or mask), without the
 * count having run out. Takes effect at once when the channel is idle, or
 * when the device's transfer callback returns if called from inside it. */
void sysdma_emu_i8237_eop(sysdma_emu_i8237 *e, unsigned channel);

/* ---- Running -------------------------------------------------------------- */

/*
 * Service requests for at most `budget` transfer units (bytes on DMA1 and in
 * cascade cycles, words on DMA2), arbitrating by priority after every
 * single-mode unit and every demand/block span. Returns the units moved;
 * less than `budget` when no channel is requesting, or a device stalled.
 */
size_t sysdma_emu_i8237_run(sysdma_emu_i8237 *e, size_t budget);

/* True when run() would service some channel now. */
bool sysdma_emu_i8237_pending(const sysdma_emu_i8237 *e);

/* ---- Hardware lint --------------------------------------------------------- */

/*
 * Switch the lint on (fn non-NULL) or off (NULL). While on, every finding
 * is passed to fn(ctx, report) as it happens, from inside the port access,
 * reset, or run() call that revealed it. Off, the lint costs one
 * predictable branch per port access and per run() call. Turning it on
 * resets its bookkeeping and enables every rule; if no port was written
 * since init or reset, channels without a mode count as never programmed,
 * otherwise every channel counts as having been given a mode.
 */
void sysdma_emu_i8237_set_lint(sysdma_emu_i8237 *e, sysdma_emu_lint_fn fn, void *ctx);

/* Choose the rules (bit r for rule r; SYSDMA_EMU_LINT_ALL for all) and the
 * masked-request threshold in run() budget units (0 keeps the current
 * one). Takes effect at once. */
void sysdma_emu_i8237_lint_config(sysdma_emu_i8237 *e, uint32_t rules, uint64_t threshold);

/* Stable short name of a rule ("wrap", ...), or "?" for an unknown id. */
const char *sysdma_emu_lint_rule_name(sysdma_emu_lint_rule rule);

/* ---- Inspection ----------------------------------------------------------- */

typedef struct sysdma_emu_i8237_chan_info {
    uint64_t phys;     /* physical address of the next unit */
    uint32_t units_left; /* cur_count + 1 (0 never: 65536 after a full TC) */
    uint16_t cur_addr, cur_count, base_addr, base_count;
    uint8_t mode;      /* mode register bits 7-2 */
    uint8_t page;      /* page register value */
    bool masked, tc, dreq, sw_request;
    unsigned width;    /* 1 or 2 bytes per unit */
} sysdma_emu_i8237_chan_info;

/* Fill `info` for channel 0-7 without side effects; false for a bad channel. */
bool sysdma_emu_i8237_channel_info(const sysdma_emu_i8237 *e, unsigned channel,
                                   sysdma_emu_i8237_chan_info *info);

/* ---- Snapshot ------------------------------------------------------------- */

/* Copy the register state out. */
void sysdma_emu_i8237_save(const sysdma_emu_i8237 *e,
                           sysdma_emu_i8237_state *out);

/* Load a saved state. A state from another version, or with values no
 * register can hold, is refused (false) and nothing changes. */
bool sysdma_emu_i8237_restore(sysdma_emu_i8237 *e,
                              const sysdma_emu_i8237_state *in);

/* ---- Save states (endian-stable byte buffers) ----------------------------- */

/*
 * Every model of libsysdma-emu (this pair, the floppy controller, the SB16,
 * the test device) saves its state to a byte buffer that any host reads
 * back the same way, whatever its endianness or word size:
 *
 *   bytes 0-3    magic "SDST"
 *   bytes 4-5    model, little-endian (SYSDMA_EMU_SAVE_MODEL_*)
 *   bytes 6-7    format version of that model, little-endian
 *   bytes 8-11   payload length, little-endian
 *   bytes 12-15  CRC-32 (IEEE 802.3, as zlib's crc32) of bytes 0-11 and the
 *                payload, little-endian
 *   bytes 16-    payload: the model's fields, each little-endian
 *
 * A model's format version changes whenever its payload changes in layout
 * or meaning; a loader reads its own version only and refuses every other
 * one with SYSDMA_E_UNKNOWN_VERSION (docs/emulator.md, "Save states").
 *
 * A load never trusts the buffer: it is refused, and the instance left
 * exactly as it was, when the buffer is short or longer than the state,
 * the magic, length or CRC is wrong, or any field holds a value the model
 * cannot have (SYSDMA_E_STATE_CORRUPT); when it is another model's state
 * (SYSDMA_E_INVALID_ARGUMENT); or another format version
 * (SYSDMA_E_UNKNOWN_VERSION). Only a fully checked state replaces the old.
 *
 * Nothing a pointer leads to is saved: guest memory, attached devices and
 * hooks are the instance's own. Load into an instance that the embedder has
 * set up and wired as the saved one was (init, devices attached), and save
 * and load the DMA pair and its devices together. Time is the caller's: the
 * states hold the models' own counters of time passed, not the embedder's
 * clock.
 */
enum {
    SYSDMA_EMU_SAVE_MODEL_I8237 = 1,   /* sysdma_emu_i8237 (this header) */
    SYSDMA_EMU_SAVE_MODEL_FDC = 2,     /* sysdma_emu_fdc (emu_fdc.h) */
    SYSDMA_EMU_SAVE_MODEL_SB16 = 3,    /* sysdma_emu_sb16 (emu_sb16.h) */
    SYSDMA_EMU_SAVE_MODEL_TESTDEV = 4  /* sysdma_emu_testdev (emu_testdev.h) */
};

#define SYSDMA_EMU_SAVE_HEAD_BYTES 16u

/* Format version written and read by this library, and the exact size of
 * a state in it (head included). */
#define SYSDMA_EMU_I8237_SAVE_VERSION 1u
#define SYSDMA_EMU_I8237_SAVE_BYTES (SYSDMA_EMU_SAVE_HEAD_BYTES + 106u)

/*
 * Save the pair's registers, page latches, DREQ lines and pending external
 * EOPs into `buf` (`cap` bytes); *written gets the bytes written. With too
 * small a buffer (or buf NULL and cap 0, to ask the size) nothing is
 * written, *written gets the size needed and the status is
 * SYSDMA_E_BUFFER_TOO_SMALL. Not saved: memory, devices, event and TC hooks
 * (attachments), statistics, the scratch buffer. Call it between run()
 * calls: from inside a device callback it returns SYSDMA_E_WRONG_STATE.
 * SYSDMA_E_INVALID_ARGUMENT for NULL e or written, or buf NULL with cap > 0.
 */
sysdma_status sysdma_emu_i8237_save_state(const sysdma_emu_i8237 *e, void *buf, size_t cap,
                                          size_t *written);

/*
 * Load a state written by sysdma_emu_i8237_save_state() (`len` bytes, the
 * exact size written). The instance keeps its memory, devices, hooks and
 * statistics; everything saved is replaced, DREQ lines included (devices
 * loaded afterwards drive theirs again). Refusals, which change nothing:
 * see above; SYSDMA_E_WRONG_STATE from inside a device callback.
 */
sysdma_status sysdma_emu_i8237_load_state(sysdma_emu_i8237 *e, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_EMU_H */
