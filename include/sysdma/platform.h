/* SPDX-License-Identifier: MIT */
/*
 * sysdma platform interface: what the freestanding core needs from the
 * machine it runs on. A kernel fills one table; the simulated PC
 * (sysdma/sim.h) and the bare-metal x86 port each provide one.
 *
 * The table starts with its size so that members can be appended without
 * breaking older platforms; optional members may be NULL and the core then
 * uses the default named in their comment.
 *
 * Calling context of the allocator (alloc, free, alloc_contig,
 * free_contig): the core never calls them with its lock held, so they may
 * sleep or take locks of their own as the kernel's allocator does; a
 * spinlock-based lock below them is never nested inside the core's. They
 * are called from the thread of any sysdma call (including calls a driver
 * makes from inside its own callbacks, and the frees made by a call that
 * releases resources, such as sysdma_channel_free), never from inside a
 * path that holds the core's lock. The core does not serialize them:
 * several threads may be in them at once (two sysdma calls may both grow
 * the map-register pool), so they must be thread-safe on their own.
 */
#ifndef SYSDMA_PLATFORM_H
#define SYSDMA_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SYSDMA_PAGE_SIZE 4096u

/* What dma_sync makes coherent (the cache maintenance a non-coherent
 * machine needs around DMA). */
typedef enum sysdma_dma_sync {
    /* Before a device reads the memory: write the CPU's dirty lines back. */
    SYSDMA_SYNC_PRE_WRITE = 0,
    /* Before a device writes the memory: write back and invalidate, so that
     * no dirty line is evicted over what the device writes. */
    SYSDMA_SYNC_PRE_READ = 1,
    /* After a device wrote the memory: invalidate, so that the CPU reads
     * what the device wrote and not a stale line. */
    SYSDMA_SYNC_POST_READ = 2
} sysdma_dma_sync;

typedef struct sysdma_platform_ops {
    uint32_t size; /* sizeof(sysdma_platform_ops) as the platform was built */

    /* Core objects (adapters, request records, MDLs). Required. May fail.
     * Never called with the core's lock held (see above). */
    void *(*alloc)(void *ctx, size_t bytes);
    void (*free)(void *ctx, void *p, size_t bytes);

    /* Physically contiguous memory of whole pages, every byte below
     * `max_phys` (exclusive; 0 = no limit), not crossing a multiple of
     * `boundary` (0 = none), starting at a multiple of `align` (a power of
     * two ≥ 4096). Returns its virtual and physical address. Required for
     * map registers and common buffers. SYSDMA_E_NO_MEMORY when none fits.
     * Never called with the core's lock held (see above): the map-register
     * pool grows with the lock dropped. */
    sysdma_status (*alloc_contig)(void *ctx, size_t bytes, uint64_t max_phys,
                                  uint64_t boundary, uint64_t align, void **va,
                                  uint64_t *phys);
    void (*free_contig)(void *ctx, void *va, uint64_t phys, size_t bytes);

    /* Physical address of the byte at `va` (for building MDLs). Required. */
    bool (*virt_to_phys)(void *ctx, const void *va, uint64_t *phys);

    /* Port I/O. Required by port-I/O controllers such as the 8237. */
    uint8_t (*inb)(void *ctx, uint16_t port);
    void (*outb)(void *ctx, uint16_t port, uint8_t value);

    /* One lock for the core's shared state. Optional (all four NULL: the
     * platform promises one thread at a time). Never held while a driver
     * callback runs, nor while the allocator above is called, so it may be
     * a spinlock. */
    void *(*lock_create)(void *ctx);
    void (*lock_acquire)(void *ctx, void *lock);
    void (*lock_release)(void *ctx, void *lock);
    void (*lock_destroy)(void *ctx, void *lock);

    /* KeFlushIoBuffers: make CPU caches and memory agree for a buffer
     * about to take part in DMA. Optional (NULL: coherent, as on x86). */
    void (*flush_io_buffers)(void *ctx, const void *va, size_t bytes, bool read_operation);

    /* Make [va, va + bytes) of contiguous memory cached or uncached for the
     * CPU (a common buffer's cache-enabled flag). Optional (NULL: the
     * machine is coherent and the flag is only recorded, as on x86). */
    void (*set_caching)(void *ctx, void *va, size_t bytes, bool cached);

    /* One line of diagnostics (the verifier's reports), no newline.
     * Optional (NULL: dropped). */
    void (*log)(void *ctx, const char *line);

    /* Stop the machine (the verifier's stop mode). Optional (NULL: a trap
     * instruction). Does not return. */
    void (*halt)(void *ctx);

    /* 16- and 32-bit port I/O (the x86 in/out instructions on a word or
     * doubleword port), for sysdma/wdm.h's READ_PORT_USHORT/ULONG and
     * WRITE_PORT_USHORT/ULONG. Optional (NULL: the access is made of byte
     * accesses through inb/outb at port, port + 1, ..., low byte first, as
     * an 8-bit ISA device decodes it). */
    uint16_t (*inw)(void *ctx, uint16_t port);
    void (*outw)(void *ctx, uint16_t port, uint16_t value);
    uint32_t (*inl)(void *ctx, uint16_t port);
    void (*outl)(void *ctx, uint16_t port, uint32_t value);
    /* DMA coherence, for machines whose devices do not see the CPU's
     * caches. The core calls it on the memory it hands to the controller
     * or takes back, never with its lock held: at MapTransfer, before the
     * controller is programmed, on the piece used in place or on the map
     * registers it bounces through (after the copy-in): PRE_WRITE for a
     * transfer to the device, PRE_READ from it; at FlushAdapterBuffers of a
     * transfer from the device, POST_READ on the bytes the device moved
     * (in the map registers before they are copied back, or in place).
     * A scatter/gather list is synced page part by page part, where its
     * device reaches each (in place or in the map registers): PRE_* when it
     * is built (after the copy-in), before its routine sees it; POST_READ
     * at its put, for a list from the device, before the copy-back.
     * `va` and `bytes` need not be cache-line aligned. Optional (NULL: the
     * machine is coherent, as a PC is). Common buffers are not synced
     * through it: their cache-enabled flag and set_caching decide. */
    void (*dma_sync)(void *ctx, void *va, size_t bytes, sysdma_dma_sync op);

    /* The address a device (through its DMA controller) uses for the
     * physical address `phys`: the logical address the core hands to the
     * controller, to drivers (MapTransfer's return, scatter/gather
     * elements, a common buffer's logical address) and compares with an
     * adapter's reach. Machines whose bus sees memory at another offset (a
     * SoC's DMA window) translate here; alloc_contig's max_phys and
     * boundary then apply to the bus addresses of the memory it returns
     * (the core checks them, and gives back memory that misses). The
     * translation must keep page offsets (a page is one run on the bus).
     * Optional (NULL: the same). */
    uint64_t (*phys_to_bus)(void *ctx, uint64_t phys);
} sysdma_platform_ops;

typedef struct sysdma_platform {
    const sysdma_platform_ops *ops;
    void *ctx;
} sysdma_platform;

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_PLATFORM_H */
