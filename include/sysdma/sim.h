/* SPDX-License-Identifier: MIT */
/*
 * The simulated PC: a user-space machine that sysdma's drivers and tests run
 * on, as if on a real PC/AT with its 8237A pair.
 *
 * RAM is one memfd, mapped once as the "physical view" that the emulated
 * devices reach through a bounded sysdma_emu_physmem. A driver's buffer is a
 * second, virtually contiguous mapping of RAM pages the caller chooses —
 * below or above 16 MiB, scattered, straddling a 64 KiB or 128 KiB boundary —
 * exactly as on a real machine: the CPU writes through the virtual view and
 * DMA sees the physical pages. Ports are routed to the emulated 8237A pair
 * and to any device added with sysdma_sim_add_ports(). Interrupts and
 * deferred work run from sysdma_sim_run(), which advances simulated time.
 *
 * The machine is for one thread at a time, except the functions marked
 * thread-safe (the physical page allocator, buffer mapping, virt→phys).
 */
#ifndef SYSDMA_SIM_H
#define SYSDMA_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/emu.h"
#include "sysdma/emu_testdev.h"
#include "sysdma/platform.h"
#include "sysdma/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SYSDMA_SIM_PAGE_SIZE 4096u
#define SYSDMA_SIM_16M (16ull << 20)

typedef struct sysdma_sim sysdma_sim;

typedef struct sysdma_sim_config {
    uint64_t ram_bytes;      /* RAM size; 0 → 64 MiB; a multiple of 4 KiB, 1 MiB .. 64 GiB
                              * (sparse: only pages used take host memory) */
    uint64_t seed;           /* for scattered placements; 0 → 1 */
    uint32_t dma_units_per_us; /* 8237 transfer units per simulated µs; 0 → 1 (ISA speed) */
    bool timing_off;         /* every run step moves all DMA that is requested */
} sysdma_sim_config;

/* Create a machine: RAM, the 8237A pair (channel 4 cascaded as a BIOS leaves
 * it), an empty port bus. SYSDMA_E_NO_MEMORY when the host refuses memory,
 * SYSDMA_E_INVALID_ARGUMENT for a bad RAM size. */
sysdma_status sysdma_sim_create(const sysdma_sim_config *cfg, sysdma_sim **out);

/* Tear the machine down; buffers still mapped are unmapped. */
void sysdma_sim_destroy(sysdma_sim *sim);

/* ---- memory ----------------------------------------------------------------- */

uint64_t sysdma_sim_ram_bytes(const sysdma_sim *sim);
uint8_t *sysdma_sim_phys_view(sysdma_sim *sim);       /* host view of physical 0 */
sysdma_emu_physmem *sysdma_sim_physmem(sysdma_sim *sim);
sysdma_emu_i8237 *sysdma_sim_dma(sysdma_sim *sim);

/* Allocate `bytes` of physically contiguous RAM (whole pages) with every
 * byte below `max_phys` (exclusive; 0 = no limit), not crossing a multiple
 * of `boundary` (0 = none) and starting at a multiple of `align` (≥ 4096,
 * power of two). Returns the physical address and, in *va, its host view
 * (inside the physical view). Thread-safe. SYSDMA_E_NO_MEMORY when no run
 * fits; SYSDMA_E_INVALID_ARGUMENT for zero bytes or bad alignment. */
sysdma_status sysdma_sim_alloc_contig(sysdma_sim *sim, size_t bytes, uint64_t max_phys,
                                      uint64_t boundary, uint64_t align,
                                      uint64_t *phys, void **va);
void sysdma_sim_free_contig(sysdma_sim *sim, uint64_t phys, size_t bytes);

/* Pages of RAM not allocated. Thread-safe. */
uint64_t sysdma_sim_free_pages(sysdma_sim *sim);

/* Where a driver buffer's physical pages come from. */
typedef enum sysdma_sim_placement {
    SYSDMA_SIM_LOW = 0,         /* contiguous, below 16 MiB */
    SYSDMA_SIM_HIGH = 1,        /* contiguous, above 16 MiB */
    SYSDMA_SIM_SCATTERED = 2,   /* each page anywhere, low or high, in random order */
    SYSDMA_SIM_SCATTERED_LOW = 3, /* each page below 16 MiB, in random order */
    SYSDMA_SIM_STRADDLE_64K = 4,  /* contiguous below 16 MiB, crossing a 64 KiB boundary
                                     in its middle (or right after the first page) */
    SYSDMA_SIM_STRADDLE_128K = 5, /* the same around a 128 KiB boundary */
    SYSDMA_SIM_ABOVE_4G = 6,      /* contiguous, at or above 4 GiB (RAM must reach there) */
    SYSDMA_SIM_SCATTERED_HIGH = 7 /* each page at or above 16 MiB, in random order, no two
                                     neighbours adjacent: every page out of ISA reach */
} sysdma_sim_placement;

/* Map a driver buffer: `bytes` starting `offset` (< 4096) bytes into its
 * first page, virtually contiguous, its pages placed as asked. Returns the
 * buffer's start (page start + offset) or NULL (no RAM that fits, or bad
 * arguments). Contents are zero. Thread-safe. */
void *sysdma_sim_buffer_alloc(sysdma_sim *sim, size_t bytes, size_t offset,
                              sysdma_sim_placement placement);

/* Unmap a buffer returned by sysdma_sim_buffer_alloc (its pages return to
 * the allocator). Returns false if `va` is not such a buffer. */
bool sysdma_sim_buffer_free(sysdma_sim *sim, void *va);

/* Physical address of the byte at `va`, which may be inside a buffer or
 * inside the physical view. False for any other address. Thread-safe. */
bool sysdma_sim_virt_to_phys(sysdma_sim *sim, const void *va, uint64_t *phys);

/* ---- ports -------------------------------------------------------------------- */

typedef uint8_t (*sysdma_sim_inb_fn)(void *ctx, uint16_t port);
typedef void (*sysdma_sim_outb_fn)(void *ctx, uint16_t port, uint8_t value);

/* Route ports first..last to a device. Ranges may not overlap each other or
 * the 8237A pair's (SYSDMA_E_BUSY); at most 16 ranges (SYSDMA_E_INSUFFICIENT_RESOURCES). */
sysdma_status sysdma_sim_add_ports(sysdma_sim *sim, uint16_t first, uint16_t last,
                                   sysdma_sim_inb_fn in, sysdma_sim_outb_fn out, void *ctx);

/* Port I/O as the CPU does it; unclaimed ports read 0xFF. */
uint8_t sysdma_sim_inb(sysdma_sim *sim, uint16_t port);
void sysdma_sim_outb(sysdma_sim *sim, uint16_t port, uint8_t value);

/* Count of port accesses so far (reads + writes), for benchmarks. */
uint64_t sysdma_sim_port_accesses(const sysdma_sim *sim);

/* ---- interrupts, deferred work, time -------------------------------------------- */

typedef void (*sysdma_sim_isr_fn)(void *ctx, unsigned irq);
typedef void (*sysdma_sim_work_fn)(void *ctx);
typedef void (*sysdma_sim_clock_fn)(void *ctx, uint64_t ns);

/* Connect an interrupt service routine to IRQ 0-15 (one per line; NULL
 * disconnects). The ISR runs from sysdma_sim_run() while the line is
 * raised (level-triggered: it must quiet its device). */
bool sysdma_sim_irq_connect(sysdma_sim *sim, unsigned irq, sysdma_sim_isr_fn fn, void *ctx);

/* Device side: drive an IRQ line. */
void sysdma_sim_irq_set(sysdma_sim *sim, unsigned irq, bool level);

/* NOT A PC: an IRQ raised on every 8237 terminal count. A PC/AT's 8237
 * has no such line — the device sees TC and raises its own interrupt, and
 * the driver asks the core (sysdma_channel_check) — so the simulated PC
 * leaves it off (-1, the default), and no PC scenario, demo or example
 * driver turns it on. It stays as an explicit option for modelling a
 * machine whose DMA controller does interrupt at terminal count, and for
 * tests of the core that want terminal counts delivered raw. The line is
 * raised at TC and lowered by sysdma_sim_tc_ack(). */
void sysdma_sim_set_tc_irq(sysdma_sim *sim, int irq);
/* Channels that reached TC since the last call (bit k = channel k); clears
 * them. Kept whether or not the line is on; it is the sim's own record, not
 * a register of the machine (the 8237's status register is). */
uint8_t sysdma_sim_tc_ack(sysdma_sim *sim);

/* Queue deferred work (a DPC): runs from sysdma_sim_run() after ISRs, in
 * FIFO order. False when the queue (256 entries) is full. */
bool sysdma_sim_defer(sysdma_sim *sim, sysdma_sim_work_fn fn, void *ctx);

/* A device's clock: called with the simulated time elapsed at each step. At
 * most 8 clocks. */
bool sysdma_sim_add_clock(sysdma_sim *sim, sysdma_sim_clock_fn fn, void *ctx);

/* Advance simulated time by `ns` in steps: clocks, then the 8237 with its
 * unit budget, then ISRs of raised lines, then deferred work. */
void sysdma_sim_run(sysdma_sim *sim, uint64_t ns);

/* Run until `done(ctx)` returns true or `timeout_ns` of simulated time has
 * passed; returns done's last answer. */
bool sysdma_sim_run_until(sysdma_sim *sim, bool (*done)(void *ctx), void *ctx,
                          uint64_t timeout_ns);

/* Simulated nanoseconds since creation. */
uint64_t sysdma_sim_now_ns(const sysdma_sim *sim);

/* ---- hardware lint ------------------------------------------------------------------ */

/* Switch the 8237 pair's hardware lint on (fn non-NULL) or off; see
 * sysdma_emu_i8237_set_lint for the rules. The masked-request threshold is
 * set in this machine's time: 100 ms of simulated time, or 100 steps when
 * timing is off. With `on` and a NULL
 * `fn`, findings are only counted (sysdma_sim_lint_reports). */
void sysdma_sim_set_lint(sysdma_sim *sim, bool on, sysdma_emu_lint_fn fn, void *ctx);

/* Lint findings since the lint was switched on. */
uint64_t sysdma_sim_lint_reports(const sysdma_sim *sim);

/* ---- the platform interface over this machine (src/platform/sim_platform.c) ---- */

/* Fill `out` with a sysdma platform whose memory, virtual→physical, port
 * I/O and lock are this machine's (core objects come from malloc, the lock
 * is a pthread mutex). If `fail_after` is non-NULL, every platform
 * allocation decrements it and fails once it reaches 0 (fault injection;
 * a negative value never fails). */
void sysdma_sim_platform(sysdma_sim *sim, sysdma_platform *out, long *fail_after);

/* ---- the test device on a channel (src/platform/sim_testdev.c) ------------------- */

/*
 * The generic test device (include/sysdma/emu_testdev.h) wired into the
 * machine the way a card sits in a PC: on a DMA channel, on 8 ports, on an
 * IRQ line, with a FIFO the host owns. A program that wants to run a driver
 * on the simulated PC needs nothing else:
 *
 *   sysdma_sim_testdev_config c = {.channel = 1, .irq = 5, .fifo_bytes = 65536};
 *   sysdma_sim_testdev *dev;
 *   sysdma_sim_testdev_attach(sim, &c, &dev);
 *
 * The driver then talks to it through sysdma_sim_inb/outb at c.base_port
 * (the register map is in emu_testdev.h: length at +1..+4, command at +0,
 * status at +0, acknowledge at +5). When a transfer ends the device raises
 * its IRQ line until the driver writes +5; an ISR connected with
 * sysdma_sim_irq_connect runs from sysdma_sim_run.
 *
 * The FIFO continues across transfers: each transfer starts at the FIFO
 * offset where the previous one ended (whatever its direction), so a
 * buffer moved in several pieces lands in the FIFO in one piece, as a
 * device's data stream would. sysdma_sim_testdev_rewind() goes back to
 * offset 0. The device and its FIFO belong to the machine and go away with
 * sysdma_sim_destroy (there is no detach: the machine keeps its ports).
 */
typedef struct sysdma_sim_testdev sysdma_sim_testdev;

typedef struct sysdma_sim_testdev_config {
    unsigned channel;       /* 0-3 (8-bit) or 5-7 (16-bit) */
    uint16_t base_port;     /* 8 ports from here; 0 → 0x300 + 8 × channel */
    int irq;                /* IRQ line 0-15 raised when a transfer ends; -1 = none */
    size_t fifo_bytes;      /* the FIFO's size, 1 .. 1 GiB (zeroed at attach) */
    uint32_t bytes_per_us;  /* pace in simulated time; 0 = as fast as the controller takes */
} sysdma_sim_testdev_config;

/* Attach a test device as `cfg` says. On success *out is the device.
 * Statuses (nothing is changed unless SYSDMA_OK):
 *   SYSDMA_E_INVALID_ARGUMENT  NULL argument, fifo_bytes 0 or over 1 GiB, irq outside
 *                              -1..15, ports running past 0xFFFF;
 *   SYSDMA_E_INVALID_CHANNEL   channel 4 (the cascade) or above 7;
 *   SYSDMA_E_BUSY              a device already on that channel, or the ports taken
 *                              (by the 8237A pair or another device);
 *   SYSDMA_E_INSUFFICIENT_RESOURCES  no port range or (paced device) clock left;
 *   SYSDMA_E_NO_MEMORY         the host refused memory for the device or its FIFO. */
sysdma_status sysdma_sim_testdev_attach(sysdma_sim *sim, const sysdma_sim_testdev_config *cfg,
                                        sysdma_sim_testdev **out);

/* The FIFO (host view, `*bytes` long if bytes is non-NULL): fill it before a
 * device→memory transfer, read it after a memory→device one. */
uint8_t *sysdma_sim_testdev_fifo(sysdma_sim_testdev *dev, size_t *bytes);

/* FIFO offset where the next transfer starts (bytes moved since the last
 * rewind). */
size_t sysdma_sim_testdev_position(const sysdma_sim_testdev *dev);

/* Start the next transfer at FIFO offset 0 again. SYSDMA_E_BUSY while a
 * transfer runs (the FIFO offset is kept); SYSDMA_E_INVALID_ARGUMENT for NULL. */
sysdma_status sysdma_sim_testdev_rewind(sysdma_sim_testdev *dev);

/* The emulated device itself, for its state (status, dir, moved). */
sysdma_emu_testdev *sysdma_sim_testdev_emu(sysdma_sim_testdev *dev);

/* Its first port (the configured or default base). */
uint16_t sysdma_sim_testdev_base_port(const sysdma_sim_testdev *dev);

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_SIM_H */
