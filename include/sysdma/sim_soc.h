/* SPDX-License-Identifier: MIT */
/*
 * The simulated SoC: a user-space ARM-style machine whose system DMA
 * controller is the emulated PL080, for running sysdma's PL080 driver and
 * drivers of SoC devices the way the simulated PC (sysdma/sim.h) runs the
 * 8237 and ISA cards.
 *
 * Memory map:
 *   0x1000_4000  the audio FIFO device's data register (request line 4)
 *   0x1013_0000  the PL080's 4 KiB register block (its interrupt: the
 *                machine's one DMAC interrupt line)
 *   0x101F_1000  the UART-style FIFO device's data register (request lines
 *                12 transmit, 13 receive)
 *   0x8000_0000  RAM bank 0 (default 64 MiB), which the DMAC reaches
 *   0x1_0000_0000 RAM bank 1 (default 16 MiB), above 4 GiB: beyond the
 *                PL080's 32-bit addresses, so a buffer there must bounce
 * There is no RAM below 16 MiB (nor anywhere below 2 GiB). Bus addresses
 * are physical addresses (no DMA offset).
 *
 * As in the simulated PC, RAM is one memfd mapped once as the physical
 * view; a driver buffer is a second, virtually contiguous mapping of pages
 * the caller places (contiguous, scattered, in either bank). The CPU
 * reaches the DMAC through sysdma_sim_soc_read32/write32 (or the accessor
 * sysdma_sim_soc_mmio fills for the PL080 driver). Time is simulated: the
 * devices, the DMAC (a bus budget per step) and the interrupt service
 * routine run from sysdma_sim_soc_run().
 *
 * Coherence. By default the machine is coherent and its platform has no
 * dma_sync. With `cache_model` set, driver buffers are cached and the
 * cache is not coherent with DMA: the CPU reads and writes its own copy of
 * a buffer's bytes (private memory behind the buffer's mapping), the DMAC
 * sees RAM, and only the platform's dma_sync moves bytes between the two —
 * PRE_WRITE and PRE_READ write the CPU's copy of the range back to RAM,
 * POST_READ refreshes the CPU's copy from RAM — so a driver (or core) that
 * skips a sync sends stale bytes or reads stale ones. The model is byte
 * exact (no cache lines). Memory from alloc_contig (common buffers, map
 * registers, the PL080 driver's items) stays uncached, hence coherent, as
 * a SoC maps such memory.
 *
 * For one thread at a time, except the memory functions (thread-safe).
 */
#ifndef SYSDMA_SIM_SOC_H
#define SYSDMA_SIM_SOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/ctrl_pl080.h"
#include "sysdma/emu_pl080_dev.h"
#include "sysdma/platform.h"
#include "sysdma/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SYSDMA_SIM_SOC_BANK0 0x80000000ull
#define SYSDMA_SIM_SOC_BANK1 0x100000000ull
#define SYSDMA_SIM_SOC_DMAC_BASE 0x10130000u
#define SYSDMA_SIM_SOC_UART_DATA 0x101F1000u
#define SYSDMA_SIM_SOC_UART_TX_LINE 12u
#define SYSDMA_SIM_SOC_UART_RX_LINE 13u
#define SYSDMA_SIM_SOC_AUDIO_DATA 0x10004000u
#define SYSDMA_SIM_SOC_AUDIO_LINE 4u

typedef struct sysdma_sim_soc sysdma_sim_soc;

typedef struct sysdma_sim_soc_config {
    uint64_t bank0_bytes;      /* 0 → 64 MiB; a multiple of 4 KiB, 1 MiB .. 2 GiB */
    uint64_t bank1_bytes;      /* 0 → 16 MiB; a multiple of 4 KiB, up to 64 GiB */
    uint64_t seed;             /* scattered placements; 0 → 1 */
    uint32_t bus_bytes_per_us; /* the DMAC's bus budget; 0 → 100 (100 MB/s) */
    bool timing_off;           /* every step runs the DMAC until nothing is pending */
    /* The UART: wire time per byte (0 → 86806 ns, 115200 8N1), FIFO depth
     * and burst watermark (0 → 16 and 4), where its sent bytes go. */
    uint64_t uart_byte_ns;
    unsigned uart_depth, uart_watermark;
    void (*uart_tx)(void *ctx, uint8_t byte);
    void *uart_ctx;
    /* The audio device: frames per second (0 → 48000), frame bytes (0 → 4),
     * FIFO depth and watermark (0 → 64 and 16), where played frames go. */
    uint32_t audio_rate;
    unsigned audio_frame_bytes, audio_depth, audio_watermark;
    void (*audio_play)(void *ctx, const uint8_t *frame, unsigned bytes);
    void *audio_ctx;
    bool cache_model;          /* driver buffers cached, not coherent with DMA (above) */
} sysdma_sim_soc_config;

/* Create the machine: both RAM banks, the PL080 at its base (at reset:
 * disabled, as firmware leaves it), the two devices on their lines.
 * SYSDMA_E_INVALID_ARGUMENT for a bad size or device setting,
 * SYSDMA_E_NO_MEMORY when the host refuses memory. */
sysdma_status sysdma_sim_soc_create(const sysdma_sim_soc_config *cfg, sysdma_sim_soc **out);
void sysdma_sim_soc_destroy(sysdma_sim_soc *soc);

/* ---- the machine's parts -------------------------------------------------------- */

sysdma_emu_pl080 *sysdma_sim_soc_dmac(sysdma_sim_soc *soc);
sysdma_emu_uart *sysdma_sim_soc_uart(sysdma_sim_soc *soc);
sysdma_emu_audio *sysdma_sim_soc_audio(sysdma_sim_soc *soc);

/* ---- memory (thread-safe) --------------------------------------------------------- */

/* Host view of physical address `phys` when [phys, phys + bytes) is RAM of
 * one bank, else NULL. */
uint8_t *sysdma_sim_soc_phys(sysdma_sim_soc *soc, uint64_t phys, size_t bytes);

/* Physically contiguous RAM of whole pages, in one bank, every byte below
 * `max_phys` (exclusive; 0 = no limit), not crossing a multiple of
 * `boundary` (0 = none), starting at a multiple of `align` (a power of two
 * ≥ 4096); bank 0 is tried first. SYSDMA_E_NO_MEMORY when no run fits,
 * SYSDMA_E_INVALID_ARGUMENT for 0 bytes or a bad alignment. */
sysdma_status sysdma_sim_soc_alloc_contig(sysdma_sim_soc *soc, size_t bytes, uint64_t max_phys,
                                          uint64_t boundary, uint64_t align, uint64_t *phys,
                                          void **va);
void sysdma_sim_soc_free_contig(sysdma_sim_soc *soc, uint64_t phys, size_t bytes);
uint64_t sysdma_sim_soc_free_pages(sysdma_sim_soc *soc);

typedef enum sysdma_sim_soc_placement {
    SYSDMA_SIM_SOC_LOW = 0,        /* contiguous, in bank 0 (the DMAC reaches it) */
    SYSDMA_SIM_SOC_HIGH = 1,       /* contiguous, in bank 1 (above 4 GiB) */
    SYSDMA_SIM_SOC_SCATTERED = 2   /* each page in bank 0, random order, no two
                                    * neighbours physically adjacent */
} sysdma_sim_soc_placement;

/* A driver buffer of `bytes` starting `offset` (< 4096) into its first
 * page, virtually contiguous, pages placed as asked; zeroed. NULL when no
 * RAM fits or the arguments are bad. */
void *sysdma_sim_soc_buffer_alloc(sysdma_sim_soc *soc, size_t bytes, size_t offset,
                                  sysdma_sim_soc_placement placement);
bool sysdma_sim_soc_buffer_free(sysdma_sim_soc *soc, void *va);

/* Physical address of the byte at `va` (a buffer or the physical view). */
bool sysdma_sim_soc_virt_to_phys(sysdma_sim_soc *soc, const void *va, uint64_t *phys);

/* The cache model's maintenance on [va, va + bytes) of a driver buffer
 * (what the platform's dma_sync does): PRE_WRITE/PRE_READ copy the CPU's
 * bytes to RAM, POST_READ RAM's bytes to the CPU. Bytes outside driver
 * buffers, and every byte on a machine without the cache model, are left
 * alone (they are coherent). */
void sysdma_sim_soc_dma_sync(sysdma_sim_soc *soc, void *va, size_t bytes, sysdma_dma_sync op);

/* ---- the CPU's MMIO ----------------------------------------------------------------- */

/* 32-bit accesses at a CPU (physical) address: the DMAC's block answers;
 * anything else reads 0 and ignores writes. */
uint32_t sysdma_sim_soc_read32(sysdma_sim_soc *soc, uint32_t addr);
void sysdma_sim_soc_write32(sysdma_sim_soc *soc, uint32_t addr, uint32_t value);

/* The accessor for sysdma_pl080_driver_init: callbacks into this
 * machine's DMAC block. */
void sysdma_sim_soc_mmio(sysdma_sim_soc *soc, sysdma_pl080_mmio *out);

/* ---- interrupt, time ----------------------------------------------------------------- */

/* The DMAC's interrupt service routine (NULL disconnects): runs from
 * sysdma_sim_soc_run while the DMAC's combined interrupt (DMACINTR) is
 * raised — level-triggered, so it must clear it (the driver's
 * handle_interrupt does) — at most 64 times in a row per step. */
void sysdma_sim_soc_irq_connect(sysdma_sim_soc *soc, void (*isr)(void *ctx), void *ctx);
bool sysdma_sim_soc_irq_level(const sysdma_sim_soc *soc);
uint64_t sysdma_sim_soc_interrupts(const sysdma_sim_soc *soc); /* ISR calls so far */

/* Advance time by `ns` in steps of 10 µs: the devices, then the DMAC with
 * its bus budget, then the ISR while the line is raised. */
void sysdma_sim_soc_run(sysdma_sim_soc *soc, uint64_t ns);
bool sysdma_sim_soc_run_until(sysdma_sim_soc *soc, bool (*done)(void *ctx), void *ctx,
                              uint64_t timeout_ns);
uint64_t sysdma_sim_soc_now_ns(const sysdma_sim_soc *soc);

/* ---- the platform interface over this machine ----------------------------------------- */

/* Fill `out` with a sysdma platform over this machine: core objects from
 * malloc, contiguous memory from its banks, virtual→physical from its
 * mappings, a pthread mutex as the lock, log lines to stderr. No port I/O
 * (a SoC has none); dma_sync only with the cache model. With
 * `fail_after` non-NULL, every allocation decrements it and fails once it
 * reaches 0 (a negative value never fails). */
void sysdma_sim_soc_platform(sysdma_sim_soc *soc, sysdma_platform *out, long *fail_after);

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_SIM_SOC_H */
