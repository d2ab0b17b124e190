/* SPDX-License-Identifier: MIT */
/*
 * sysdma: system DMA for drivers of subordinate devices — the adapter API.
 *
 * The model is the Windows kernel's. A driver describes its device and gets
 * an adapter object for its DMA channel (sysdma_adapter_get), learning how
 * many map registers it may ask for at once. For each transfer it asks for
 * the channel (sysdma_channel_allocate); its AdapterControl routine runs
 * when the channel and the map registers are free — at once, inside the
 * call, or later from the call that frees them, in FIFO order. In that
 * routine (or after it) the driver maps a piece of its buffer
 * (sysdma_map_transfer, which programs the controller), lets the device
 * run, flushes (sysdma_flush_adapter_buffers), repeats for the rest of the
 * buffer, and frees the channel (sysdma_channel_free).
 *
 * Everything hangs off one sysdma_system per machine: a platform (memory,
 * port I/O, a lock), a controller (the 8237 pair on a PC) and a pool of map
 * registers — bounce pages below 16 MiB used when a buffer is out of the
 * controller's reach, not physically contiguous, or crosses a 64 KiB
 * (8-bit channel) or 128 KiB (16-bit channel) boundary.
 *
 * Callbacks never run with a sysdma lock held. Every function that can fail
 * returns a sysdma_status; bad input changes nothing.
 */
#ifndef SYSDMA_H
#define SYSDMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/completion.h"
#include "sysdma/controller.h"
#include "sysdma/platform.h"
#include "sysdma/status.h"
#include "sysdma/version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sysdma_system sysdma_system;
typedef struct sysdma_adapter sysdma_adapter;
typedef struct sysdma_map_registers sysdma_map_registers; /* a map register base */

/* ---- System -------------------------------------------------------------------- */

/* The pool holds map registers in chunks of 32 pages (128 KiB, aligned,
 * below 16 MiB); it makes chunks for `initial` pages at creation and grows
 * a chunk at a time, on demand, while it stays within `cap` pages. A cap
 * below 32 means no map registers at all. */
typedef struct sysdma_config {
    uint32_t map_registers_initial; /* pages made at creation; 0 → 32 */
    uint32_t map_registers_cap;     /* most pages the pool grows to; 0 → 256 (1 MiB) */
} sysdma_config;

/* Create the system over a platform and a controller (both copied; their
 * contexts must outlive the system). Initializes the controller and makes
 * the initial map registers. SYSDMA_E_INVALID_ARGUMENT for missing required
 * members, SYSDMA_E_NO_MEMORY when the platform refuses memory. */
sysdma_status sysdma_system_create(const sysdma_platform *platform,
                                   const sysdma_controller *controller,
                                   const sysdma_config *config, sysdma_system **out);

/* Add a controller (an SoC's second DMAC, say): its table is copied and
 * it is initialized; *index is what a version-3 description's `controller`
 * names it by (the first is 0). SYSDMA_E_INVALID_ARGUMENT (missing required
 * members, over 32 channels, a context already added), SYSDMA_E_INSUFFICIENT_RESOURCES (4
 * controllers or 64 channels in all), SYSDMA_E_BUSY (another add is
 * running), or its initialize's status. Controllers stay until destroy. */
sysdma_status sysdma_system_add_controller(sysdma_system *sys, const sysdma_controller *controller,
                                           uint32_t *index);

/* Destroy the system. SYSDMA_E_BUSY while adapter handles are still held:
 * then nothing changes (a verifier stays on and reports what is held). */
sysdma_status sysdma_system_destroy(sysdma_system *sys);

/* Statistics, per adapter or (adapter NULL) for the whole system. */
typedef struct sysdma_stats {
    uint32_t pool_pages;        /* map registers in the pool */
    uint32_t pool_in_use;       /* map registers held now (by this adapter) */
    uint32_t pool_high_water;   /* most ever held at once (by this adapter) */
    uint64_t bytes_bounced;     /* copied through map registers, both ways */
    uint64_t transfers;         /* MapTransfer calls that programmed the controller */
    uint64_t bounced_transfers; /* of those, through map registers */
    uint64_t deferred;          /* allocation requests that had to wait */
    uint64_t granted;           /* AdapterControl routines run */
    uint32_t common_buffers;    /* common buffers held now */
    uint64_t common_bytes;      /* their bytes (whole pages) */
} sysdma_stats;

/* Fills *out (zeros when `sys` is NULL or `adapter` belongs to another
 * system). Per adapter, pool_in_use/pool_high_water count the registers
 * that adapter holds; pool_pages is always the whole pool's. */
void sysdma_stats_get(sysdma_system *sys, const sysdma_adapter *adapter, sysdma_stats *out);

/* ---- Device description and adapters (IoGetDmaAdapter) ------------------------------- */

enum { SYSDMA_WIDTH_8 = 0, SYSDMA_WIDTH_16 = 1, SYSDMA_WIDTH_32 = 2 };
enum { SYSDMA_INTERFACE_ISA = 1 };
/* DMA_SPEED: cycle timing of an EISA-style controller. The PC/AT 8237 runs
 * compatible timing only; other values are accepted and recorded. */
enum {
    SYSDMA_SPEED_COMPATIBLE = 0,
    SYSDMA_SPEED_TYPE_A = 1,
    SYSDMA_SPEED_TYPE_B = 2,
    SYSDMA_SPEED_TYPE_C = 3,
    SYSDMA_SPEED_TYPE_F = 4
};

/* Zero it, then set what applies. */
typedef struct sysdma_device_description {
    uint32_t version;          /* 0-3 */
    bool master;               /* bus master; false: system (slave) DMA */
    bool scatter_gather;       /* subordinate: tolerates reprogramming between pieces */
    bool demand_mode;          /* honoured from version 2 */
    bool auto_initialize;      /* common-buffer DMA: the controller cycles */
    bool dma32;                /* versions 0-2: 32-bit addresses (version 3 ignores it) */
    bool dma64;                /* versions 0-2: 64-bit addresses (version 3 ignores it) */
    bool ignore_count;         /* version ≥ 1: the controller's count is unreliable */
    uint32_t channel;          /* 0-3, 5-7 on the PC/AT */
    uint32_t interface_type;   /* SYSDMA_INTERFACE_ISA */
    uint32_t width;            /* SYSDMA_WIDTH_8/16/32 */
    uint32_t speed;            /* versions 0-2: SYSDMA_SPEED_*; version 3 ignores it */
    uint32_t maximum_length;   /* longest transfer the driver will ask for, bytes */
    uint32_t address_width;    /* version 3: 0 (unset) or 1-64 */
    uint32_t request_line;     /* version 3 */
    uint64_t device_address;   /* version 3 */
    uint32_t controller;       /* version 3: which controller (0: the first) */
} sysdma_device_description;

/* Get a handle to the adapter for a description's channel (the same
 * adapter for every description naming that channel, a new handle — a
 * reference of its own — for every call; the latest description's settings
 * apply) and the number of map registers the driver may ask for at once.
 * Adapter handles are looked up, never read through: every call given a
 * handle that was put, of a destroyed system, or never was one returns
 * SYSDMA_E_INVALID_ARGUMENT (0, false, or alignment 1 where it returns a figure) and
 * changes nothing. SYSDMA_E_INSUFFICIENT_RESOURCES when the system's handle
 * table is full.
 * Statuses: SYSDMA_E_UNKNOWN_VERSION, SYSDMA_E_INVALID_CHANNEL (>7, or 4),
 * SYSDMA_E_WIDTH_MISMATCH, SYSDMA_E_INVALID_DESCRIPTION (a version-3 field
 * in an older description, ignore-count in version 0, an unknown interface
 * type, width or speed, address width over 64, zero maximum length),
 * SYSDMA_E_INVALID_CHANNEL also for a request line the controller cannot
 * bind to the channel, SYSDMA_E_NO_MEMORY.
 *
 * master = true gives a bus-master adapter: a new one per call, no
 * channel (channel, width and speed are not checked), nothing programmed
 * on the controller. Its device reaches memory up to the version-3
 * address_width (0 → 32), else 64 bits with dma64, 32 with dma32, 24
 * without either; memory beyond goes through map registers. Its map
 * register figure is the pages maximum_length spans plus one, at most 32.
 * MapTransfer on a master with scatter_gather = true maps one physically
 * contiguous run and shortens *length to it. */
sysdma_status sysdma_adapter_get(sysdma_system *sys, const sysdma_device_description *desc,
                                 sysdma_adapter **out, uint32_t *map_registers);

/* Release the caller's reference (PutDmaAdapter); the handle is dead from
 * then on (a second put: SYSDMA_E_INVALID_ARGUMENT, as for the adapter's
 * own handle from sysdma_system_channel_adapter, which is no reference).
 * The last put frees the adapter; while it still holds its channel, map
 * registers, common buffers, queued requests or scatter/gather lists not
 * yet put, the last put is refused with SYSDMA_E_BUSY. */
sysdma_status sysdma_adapter_put(sysdma_adapter *adapter);

/* ---- Allocating the channel (AllocateAdapterChannel) ---------------------------------- */

typedef enum sysdma_allocation_action {
    SYSDMA_KEEP_OBJECT = 1,                       /* hold channel and registers */
    SYSDMA_DEALLOCATE_OBJECT = 2,                 /* release both now */
    SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS = 3   /* release the channel only */
} sysdma_allocation_action;

/* AdapterControl: the channel (and `map_registers`, NULL when none were
 * asked) are the driver's. Runs with no sysdma lock held. */
typedef sysdma_allocation_action (*sysdma_adapter_control_fn)(void *device,
                                                              sysdma_map_registers *map_registers,
                                                              void *context);

/* Ask for the channel and `map_registers` map registers. SYSDMA_OK: the
 * routine already ran, inside this call. SYSDMA_PENDING: it runs later,
 * from the call that frees what it waits for (channel first, then map
 * registers, FIFO each). Fails at once, queuing nothing, with
 * SYSDMA_E_TOO_MANY_MAP_REGISTERS (more than the adapter allows),
 * SYSDMA_E_INVALID_ARGUMENT (no routine), SYSDMA_E_NO_MEMORY. */
sysdma_status sysdma_channel_allocate(sysdma_adapter *adapter, void *device,
                                      uint32_t map_registers,
                                      sysdma_adapter_control_fn routine, void *context);

/* Release the channel and any map registers held with it, then grant the
 * next waiter. SYSDMA_E_NOT_OWNER when the channel is not allocated;
 * SYSDMA_E_WRONG_STATE while a transfer is mapped and not flushed. Called
 * from a scatter/gather list's routine, it releases the channel but the
 * list keeps its map registers until sysdma_sg_put. */
sysdma_status sysdma_channel_free(sysdma_adapter *adapter);

/* Release map registers kept after SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS.
 * SYSDMA_E_NOT_OWNER when `base` is not such a set of this adapter, when
 * `count` differs from what was allocated, and for the registers of a
 * scatter/gather list (a stale handle can name them once sysdma reuses the
 * record): those go back with sysdma_sg_put alone. Registers a bus
 * master's mapped transfer still bounces through go back to the pool at
 * its flush, not before (so do those a DEALLOCATE_OBJECT lets go). */
sysdma_status sysdma_map_registers_free(sysdma_adapter *adapter, sysdma_map_registers *base,
                                        uint32_t count);

/* ---- MDLs ------------------------------------------------------------------------ */

/* A memory descriptor list: a virtually contiguous buffer and the physical
 * page under each of its pages. */
typedef struct sysdma_mdl {
    union {                    /* the next MDL of a chain (one request's buffers, in order):
                                * scatter/gather ranges may run on into it */
        struct sysdma_mdl *next;
        struct sysdma_mdl *Next; /* its WDK name, for code written against wdm.h */
    };
    uint8_t *start_va;         /* page-aligned start */
    uint32_t byte_offset;      /* of the buffer in its first page */
    uint32_t byte_count;
    uint32_t pages;
    uint64_t *pfn;             /* physical address of each page */
    uint32_t alloc_bytes;      /* size of this allocation (MDL + pfn array) */
    sysdma_system *system;     /* the system that built it */
} sysdma_mdl;

/* Describe [va, va + bytes). SYSDMA_E_LENGTH for 0 bytes, more than 4 GiB or
 * a NULL `va`, SYSDMA_E_OUT_OF_RANGE when a page has no physical address or
 * the range wraps around the address space,
 * SYSDMA_E_NO_MEMORY. */
sysdma_status sysdma_mdl_create(sysdma_system *sys, void *va, size_t bytes, sysdma_mdl **out);

/* Describe [va, va + bytes), which must lie inside `source`
 * (IoBuildPartialMdl). SYSDMA_E_OUT_OF_RANGE otherwise. */
sysdma_status sysdma_mdl_create_partial(sysdma_system *sys, const sysdma_mdl *source,
                                        void *va, size_t bytes, sysdma_mdl **out);

void sysdma_mdl_free(sysdma_system *sys, sysdma_mdl *mdl);

static inline void *sysdma_mdl_virtual_address(const sysdma_mdl *m)
{
    return m->start_va + m->byte_offset;
}
static inline uint32_t sysdma_mdl_byte_count(const sysdma_mdl *m) { return m->byte_count; }
static inline uint32_t sysdma_mdl_byte_offset(const sysdma_mdl *m) { return m->byte_offset; }

/* Pages spanned by [va, va + bytes) (ADDRESS_AND_SIZE_TO_SPAN_PAGES). */
static inline uint32_t sysdma_pages_spanned(const void *va, size_t bytes)
{
    uint64_t off = (uintptr_t)va & (SYSDMA_PAGE_SIZE - 1);
    return bytes ? (uint32_t)((off + (uint64_t)bytes + SYSDMA_PAGE_SIZE - 1) / SYSDMA_PAGE_SIZE) : 0;
}

/* ---- Packet-based DMA --------------------------------------------------------------- */

/* KeFlushIoBuffers: before a transfer, make caches and memory agree for
 * the MDL's buffer. */
void sysdma_flush_io_buffers(sysdma_system *sys, const sysdma_mdl *mdl, bool read_operation);

/* MapTransfer: map [current_va, current_va + *length) of `mdl` and program
 * the controller (mask, mode, address, page, count, unmask). For a system
 * adapter *length comes back unchanged: the driver sizes pieces to at most
 * PAGE_SIZE × its map registers and the channel's maximum transfer. A piece
 * that is physically contiguous, below 16 MiB and inside one 64 KiB (128 KiB)
 * window is used in place; any other goes through `map_registers`, data
 * copied in for a write to the device. *logical (may be NULL) receives the
 * address the controller was given. Statuses: SYSDMA_E_OUT_OF_RANGE
 * (outside the MDL), SYSDMA_E_LENGTH (zero, over the channel's maximum, or
 * over the map registers when it must bounce — 0 bytes when `map_registers`
 * is not the set held with the channel), SYSDMA_E_ALIGNMENT (odd
 * address or length on a 16-bit channel), SYSDMA_E_NOT_OWNER (channel not
 * allocated), SYSDMA_E_WRONG_STATE (a transfer is already mapped). */
sysdma_status sysdma_map_transfer(sysdma_adapter *adapter, sysdma_mdl *mdl,
                                  sysdma_map_registers *map_registers, void *current_va,
                                  uint32_t *length, bool write_to_device, uint64_t *logical);

/* FlushAdapterBuffers: stop the channel, then read what is left, and for a
 * transfer from the device through map registers copy back the bytes
 * actually moved: all of them once the channel reached terminal count,
 * else length − residue (nothing for a transfer not started, a full window
 * included); all of them with ignore-count. Map registers the driver let
 * go while the transfer was mapped (a bus master's DEALLOCATE_OBJECT or
 * sysdma_map_registers_free) stayed with it and go back to the pool here.
 * Call once per MapTransfer with the same MDL, CurrentVa, length and
 * direction (SYSDMA_E_INVALID_ARGUMENT otherwise; SYSDMA_E_WRONG_STATE
 * when nothing is mapped, or, on a system adapter, while a MapTransferEx
 * completion is still due). A bus master's MapTransferEx completion runs
 * from it. */
sysdma_status sysdma_flush_adapter_buffers(sysdma_adapter *adapter, sysdma_mdl *mdl,
                                           sysdma_map_registers *map_registers,
                                           void *current_va, uint32_t length,
                                           bool write_to_device);

/* ReadDmaCounter: bytes not yet transferred on the adapter's channel: the
 * whole length of a transfer not started (a full window included), 0 once
 * it reached terminal count (until the channel is programmed again); in
 * auto-initialize mode, the bytes left in the current pass. 0 for a bus
 * master or a channel without a counter. */
uint32_t sysdma_read_dma_counter(sysdma_adapter *adapter);

/* GetDmaAlignment: the alignment a buffer needs (2 on 16-bit channels). */
uint32_t sysdma_get_dma_alignment(sysdma_adapter *adapter);

/* What an adapter is doing now, for tools that draw it (a snapshot taken
 * under the lock). */
typedef struct sysdma_adapter_state {
    bool channel_held;       /* granted to a routine and not released */
    uint32_t waiting;        /* requests of this adapter waiting (channel or registers) */
    bool mapped;             /* a MapTransfer not yet flushed */
    bool list_running;       /* a scatter/gather list runs on the channel */
    uint32_t lists_waiting;  /* lists started and waiting for the channel */
    uint32_t map_registers;  /* map registers this adapter holds */
    uint32_t kept_sets;      /* register sets kept after DEALLOCATE_OBJECT_KEEP_REGISTERS */
    uint32_t common_buffers;
} sysdma_adapter_state;

/* Zeros for NULL. */
void sysdma_adapter_state_get(sysdma_adapter *adapter, sysdma_adapter_state *out);

/* The system adapter of `channel` if some driver holds one, else NULL —
 * its own handle, for looking, without a reference (a tool's view of a
 * running system); it goes stale when the last reference is put. */
sysdma_adapter *sysdma_system_channel_adapter(sysdma_system *sys, unsigned channel);

/* The adapter's channel and the most bytes one MapTransfer can map. */
uint32_t sysdma_adapter_channel(const sysdma_adapter *adapter);
uint32_t sysdma_adapter_max_transfer(const sysdma_adapter *adapter);

/* ---- Common-buffer DMA ------------------------------------------------------------------ */

/* AllocateCommonBuffer: `length` bytes (1 .. the channel's window) of memory
 * the driver and the device share: physically contiguous, reachable by the
 * adapter's channel (below 16 MiB on the PC/AT), inside one 64 KiB / 128 KiB
 * window and aligned as the channel needs. Whole pages are taken. Returns
 * the CPU's address in *va and the device's in *logical. `cache_enabled`
 * is recorded and passed to the platform (advisory on x86, where DMA is
 * coherent). Statuses: SYSDMA_E_LENGTH (0 or longer than a window),
 * SYSDMA_E_NO_MEMORY (no such memory free), SYSDMA_E_INVALID_ARGUMENT. The
 * buffer lives until freed; the adapter cannot be put while it holds one. */
sysdma_status sysdma_common_buffer_allocate(sysdma_adapter *adapter, uint32_t length,
                                            bool cache_enabled, void **va, uint64_t *logical);

/* FreeCommonBuffer: exactly the length, logical and virtual address (and
 * cache flag) that allocate returned; no partial frees
 * (SYSDMA_E_INVALID_ARGUMENT and nothing freed otherwise). */
sysdma_status sysdma_common_buffer_free(sysdma_adapter *adapter, uint32_t length,
                                        uint64_t logical, void *va, bool cache_enabled);

/* Position tracking for a channel cycling over a common buffer in
 * auto-initialize mode: feed successive ReadDmaCounter samples (bytes left
 * in the pass) and get a byte position that only grows, counting wraps.
 * Sample at least once per pass (the buffer's length of transfer) or a
 * whole pass is missed. Freestanding, no locks: one tracker per stream. */
typedef struct sysdma_position {
    uint32_t buffer_bytes;
    uint32_t last_offset; /* offset in the buffer at the previous sample */
    uint64_t position;    /* bytes moved since the tracker started */
    uint64_t wraps;       /* passes completed */
} sysdma_position;

void sysdma_position_init(sysdma_position *p, uint32_t buffer_bytes);
uint64_t sysdma_position_update(sysdma_position *p, uint32_t residue);

/* ---- Scatter/gather support routines ------------------------------------------------- */

/*
 * A scatter/gather list: a count, a reserved word, then the elements
 * inline (SCATTER_GATHER_LIST). Each element is a logical address — what
 * the device or the controller is given — a length and a reserved word.
 *
 * What a list holds depends on the adapter:
 * - a system adapter whose description says scatter_gather = false, and a
 *   bus master that cannot scatter/gather: exactly one element, physically
 *   contiguous and reachable, through map registers when the buffer is not;
 * - a system adapter with scatter_gather = true (a subordinate device that
 *   tolerates a pause while the controller is reprogrammed): one element
 *   per piece that the controller can take in place — physically
 *   contiguous, below its reach, inside one 64 KiB / 128 KiB window — and
 *   pages beyond reach through map registers; run it on the controller
 *   with sysdma_sg_start (one start, one completion for the whole list);
 * - a bus master that can scatter/gather: one element per physically
 *   contiguous run the device can address (its address width), pages
 *   beyond through map registers.
 * Elements keep each byte's offset inside its page, so a list always
 * describes the buffer page for page (sysdma_sg_build_mdl).
 *
 * Map registers of a list are one run of at most 32 pages (a pool chunk)
 * and at most what the adapter allows: a list that would need more fails
 * with SYSDMA_E_TOO_MANY_MAP_REGISTERS and the driver sends the buffer in
 * smaller parts.
 */
typedef struct sysdma_sg_element {
    uint64_t address;  /* logical address */
    uint32_t length;   /* bytes */
    uint32_t reserved;
} sysdma_sg_element;

typedef struct sysdma_sg_list {
    uint32_t count;
    uint32_t reserved;
    sysdma_sg_element elements[];
} sysdma_sg_list;

/* The list-control routine (DRIVER_LIST_CONTROL): the list is the
 * driver's until it gives it back with sysdma_sg_put. Runs with no sysdma
 * lock held, at once inside sysdma_sg_get/sysdma_sg_build or later from the
 * call that frees the resources it waited for. */
typedef void (*sysdma_list_control_fn)(void *device, sysdma_sg_list *list, void *context);

/* GetScatterGatherList: build the list for `length` bytes from current_va
 * in `mdl` — running on into the MDLs chained after it (mdl->next) when
 * mdl's bytes end first — and hand it to `routine` — at once (SYSDMA_OK), or
 * later when the adapter and the map registers the list needs are free
 * (SYSDMA_PENDING; several lists may wait per device, FIFO). The adapter is
 * released when the routine returns; the map registers stay with the list
 * until sysdma_sg_put. For a write to the device the data is already in the
 * map registers when the routine runs. Fails at once, calling nothing, with
 * SYSDMA_E_OUT_OF_RANGE (range outside the MDL, or past the chain's end),
 * SYSDMA_E_INVALID_ARGUMENT (an empty MDL in the chain, or one another
 * system built), SYSDMA_E_LENGTH (zero;
 * over the one element's limit — the channel's window — for a
 * single-element list; over the description's maximum length for a bus
 * master), SYSDMA_E_ALIGNMENT (odd address or length on a 16-bit channel,
 * also of each MDL's share of the range), SYSDMA_E_TOO_MANY_MAP_REGISTERS (more map registers than the adapter
 * allows), SYSDMA_E_TOO_MANY_ELEMENTS (more elements than the adapter's
 * scatter/gather limit, see sysdma_adapter_info), SYSDMA_E_INSUFFICIENT_RESOURCES
 * (more than the pool can ever give), SYSDMA_E_NO_MEMORY. */
sysdma_status sysdma_sg_get(sysdma_adapter *adapter, void *device, sysdma_mdl *mdl,
                            void *current_va, uint32_t length, sysdma_list_control_fn routine,
                            void *context, bool write_to_device);

/* PutScatterGatherList: the transfer is over. For a transfer from the
 * device, bytes that went through map registers are copied back into the
 * buffer; the map registers are freed, and the list too unless it lives in
 * the caller's buffer (sysdma_sg_build). `write_to_device` must be the
 * direction the list was built for (SYSDMA_E_INVALID_ARGUMENT; also for a
 * list that is not one of this adapter's, is already put, or never was a
 * list: the pointer is looked up among the adapter's lists, never read
 * through); SYSDMA_E_WRONG_STATE while the list is still running on the
 * controller. A failed put changes nothing. The memory of a got list is
 * held back until 16 more lists are put, so a new list does not take the
 * address of one just put. */
sysdma_status sysdma_sg_put(sysdma_adapter *adapter, sysdma_sg_list *list, bool write_to_device);

/* CalculateScatterGatherList: the bytes a list for this range takes (for
 * sysdma_sg_build's buffer) and the map registers it holds. With `mdl`
 * NULL, the worst case for a buffer at `current_va` of `length` bytes (every
 * page its own element, every page through a map register when the
 * adapter could ever need one). Statuses as sysdma_sg_get, except that a
 * range that would need too many map registers is reported in the figures,
 * not refused. */
sysdma_status sysdma_sg_calculate(sysdma_adapter *adapter, sysdma_mdl *mdl, void *current_va,
                                  uint32_t length, uint32_t *list_size, uint32_t *map_registers);

/* BuildScatterGatherList: sysdma_sg_get into a buffer the caller supplies
 * (*buffer_size bytes, 8-byte aligned); the list is laid out at its start
 * (sysdma keeps its own record of the list in a small allocation of its
 * own: SYSDMA_E_NO_MEMORY when that fails). SYSDMA_E_BUFFER_TOO_SMALL, with the size
 * needed in *buffer_size, when it is short. The buffer must stay valid
 * until sysdma_sg_put. */
sysdma_status sysdma_sg_build(sysdma_adapter *adapter, void *device, sysdma_mdl *mdl,
                              void *current_va, uint32_t length, sysdma_list_control_fn routine,
                              void *context, bool write_to_device, void *buffer,
                              uint32_t *buffer_size);

/* BuildMdlFromScatterGatherList: an MDL for the buffer the list covers,
 * whose pages are the list's logical pages (free it with sysdma_mdl_free).
 * For a range across an MDL chain, a chain of MDLs, one per MDL the range
 * touches, each with that MDL's bytes of the range (free each one).
 * Once per list (SYSDMA_E_WRONG_STATE on a second call);
 * SYSDMA_E_NOT_SUPPORTED for a single bounced element that could not keep
 * the buffer's page offsets (a window-sized buffer not starting on a page,
 * or a range across MDLs packed into one run of map registers). */
sysdma_status sysdma_sg_build_mdl(sysdma_adapter *adapter, sysdma_sg_list *list,
                                  const sysdma_mdl *original, sysdma_mdl **out);

/*
 * The chained runner (sysdma's own, for system adapters): program the
 * list's first element on the adapter's channel and, at each terminal
 * count the controller confirms, the next, so the driver starts its device
 * once for the whole list (the device must tolerate the pause while the
 * channel is masked and reprogrammed). A controller with hardware linked
 * lists (limits.max_fragments, query_fragments > 1) gets up to that many
 * elements per program, the whole list when it fits. `done` runs exactly
 * once per start that returned SYSDMA_OK or SYSDMA_PENDING, with no lock
 * held: SYSDMA_OK after the last element's terminal count,
 * SYSDMA_E_CANCELLED when the run is cancelled, SYSDMA_E_TRANSFER_ERROR
 * when the controller reports the channel failed (a bus fault), the
 * controller's status when programming an element fails.
 *
 * A run holds the channel like an AdapterControl grant, from its start to
 * its done call. SYSDMA_OK: it took the channel and runs — the channel was
 * free, or the caller is the routine holding it (a list-control routine),
 * which hands it to the run. SYSDMA_PENDING: it waits in the channel queue
 * (behind other runs, grants and requests) and starts when its turn comes;
 * start the device after the previous holder is done. Requests for the
 * channel wait while it runs; when it ends the channel goes to the next
 * waiter. The elements are copied at the start (later writes to the list
 * change nothing) and checked against the channel.
 *
 * SYSDMA_E_NOT_SUPPORTED for a bus master; SYSDMA_E_WRONG_STATE while a
 * packet transfer is mapped on the channel or the list is already running
 * or waiting; SYSDMA_E_INVALID_ARGUMENT for a list that is not this
 * adapter's, a direction it was not built for, or elements or a count
 * that are not what it was built with (outside the channel's reach or
 * window, misaligned, empty); SYSDMA_E_NO_MEMORY; a controller's status
 * when programming the first element fails (no done call then).
 */
typedef void (*sysdma_sg_done_fn)(sysdma_adapter *adapter, sysdma_sg_list *list,
                                  sysdma_status status, void *context);
sysdma_status sysdma_sg_start(sysdma_adapter *adapter, sysdma_sg_list *list,
                              bool write_to_device, sysdma_sg_done_fn done, void *context);

/* Completions — how the core learns that a channel finished (a device's
 * interrupt, a controller's, or a poll) — are in sysdma/completion.h,
 * included above. */

/* Stop the run of `list` (running or waiting): the controller's cancel
 * stops the channel (a waiting run is withdrawn from the channel queue) and
 * `done` runs once with SYSDMA_E_CANCELLED — at once, or, when the run's
 * turn has just come on another thread, from there. When the controller
 * answers that the run's last chunk had already completed (too late), the
 * completion is taken at once instead: `done` hears SYSDMA_OK (or
 * SYSDMA_E_TRANSFER_ERROR if the controller reports a failure). SYSDMA_OK:
 * the run is ended; SYSDMA_E_WRONG_STATE when the list is not running or
 * waiting, or is already cancelled. */
sysdma_status sysdma_sg_cancel(sysdma_adapter *adapter, sysdma_sg_list *list);

/* Bytes of the list moved so far by its run (whole elements done plus the
 * current element's progress from the counter); the list's total once done;
 * after a cancel, what moved before the channel stopped. */
uint64_t sysdma_sg_progress(sysdma_adapter *adapter, const sysdma_sg_list *list);

/* ---- Version 3 (DMA_OPERATIONS version 3) ------------------------------------------------ */

/*
 * An adapter got with a version-3 description offers these as well; one
 * got with version 0/1 offers the version-1 set (no Calculate/Build/
 * BuildMdl of scatter/gather lists), version 2 the version-2 set. A call
 * outside the adapter's set returns SYSDMA_E_NOT_SUPPORTED.
 */

/* GetDmaAdapterInfo. */
typedef struct sysdma_adapter_info {
    uint32_t version;               /* operations version: 1, 2 or 3 */
    bool master;
    uint32_t channel;               /* system adapters */
    bool counter_available;         /* ReadDmaCounter reports progress */
    uint32_t address_width;         /* bits the device or channel reaches */
    uint32_t minimum_transfer_unit; /* bytes (2 on 16-bit channels) */
    uint32_t maximum_transfer;      /* bytes one mapping can take */
    uint32_t scatter_gather_limit;  /* elements one list may have (enforced:
                                     * SYSDMA_E_TOO_MANY_ELEMENTS): 1 without
                                     * scatter/gather, no limit (0xFFFFFFFF) for a
                                     * system adapter's chained runner, the pages
                                     * maximum_length spans plus one for a bus master */
    uint32_t map_registers;         /* the adapter's figure */
} sysdma_adapter_info;

sysdma_status sysdma_adapter_info_get(sysdma_adapter *adapter, sysdma_adapter_info *out);

/* GetDmaTransferInfo: map registers, elements and list bytes a transfer of
 * `length` bytes from `offset` into the MDL chain needs (worst case with
 * mdl NULL). SYSDMA_E_OUT_OF_RANGE beyond the chain; SYSDMA_E_LENGTH for a
 * length of 0 or one no list of the adapter can carry (as sysdma_sg_get
 * refuses): over a bus master's maximum length, or, without
 * scatter/gather, over one element (the channel's maximum transfer; 4 GiB
 * − 4 KiB for a bus master). */
typedef struct sysdma_transfer_info {
    uint32_t map_registers;
    uint32_t elements;
    uint32_t list_size;
} sysdma_transfer_info;

sysdma_status sysdma_transfer_info_get(sysdma_adapter *adapter, sysdma_mdl *mdl, uint64_t offset,
                                       uint32_t length, bool write_to_device,
                                       sysdma_transfer_info *out);

/* InitializeDmaTransferContext: one context per allocation request (the
 * caller's memory, initialized before each request, kept until the
 * request is granted or cancelled). It must be aligned as the type (8
 * bytes): a misaligned one is SYSDMA_E_INVALID_ARGUMENT here and in the
 * calls that take it, and nothing is written. sysdma only copies its bytes
 * and compares them; which contexts are in use it knows by address. */
typedef struct sysdma_transfer_context {
    uint64_t opaque[8];
} sysdma_transfer_context;

sysdma_status sysdma_transfer_context_init(sysdma_adapter *adapter, sysdma_transfer_context *ctx);

/* AllocateAdapterChannelEx. Asynchronous (flags 0): like
 * sysdma_channel_allocate, `routine` required. With
 * SYSDMA_ALLOCATE_SYNCHRONOUS it never waits: the channel and registers
 * are granted now or the call fails with SYSDMA_E_INSUFFICIENT_RESOURCES,
 * queuing nothing; then `routine` may be NULL — the caller gets the
 * register base in *base and later releases with sysdma_adapter_free_object.
 * SYSDMA_E_WRONG_STATE when the context is already in use. */
enum { SYSDMA_ALLOCATE_SYNCHRONOUS = 1 };
sysdma_status sysdma_channel_allocate_ex(sysdma_adapter *adapter, void *device,
                                         sysdma_transfer_context *ctx, uint32_t map_registers,
                                         uint32_t flags, sysdma_adapter_control_fn routine,
                                         void *context, sysdma_map_registers **base);

/* CancelAdapterChannel: withdraw the request of `ctx` if it still waits
 * (true: its routine will never run, and the next waiter is served), false
 * when it was already granted or never queued. */
bool sysdma_channel_cancel(sysdma_adapter *adapter, sysdma_transfer_context *ctx);

/* FreeAdapterObject: after a synchronous grant without a routine, apply
 * `action` (DEALLOCATE_OBJECT: release channel and registers;
 * DEALLOCATE_OBJECT_KEEP_REGISTERS: the channel only; KEEP_OBJECT:
 * nothing). SYSDMA_E_NOT_OWNER when the channel is not held. */
sysdma_status sysdma_adapter_free_object(sysdma_adapter *adapter, sysdma_allocation_action action);

/* Completion of a MapTransferEx: runs exactly once, with no lock held.
 * SYSDMA_OK at terminal count (from the sysdma_channel_check,
 * sysdma_channel_poll or sysdma_controller_interrupt that confirms it);
 * SYSDMA_E_TRANSFER_ERROR when the controller's interrupt reports the
 * channel failed (a bus fault) — for
 * a bus master, whose device's end the core cannot see, from
 * sysdma_flush_adapter_buffers_ex (or _buffers) after its flush; SYSDMA_E_CANCELLED from
 * sysdma_transfer_cancel_mapped when that comes first. */
typedef void (*sysdma_transfer_complete_fn)(sysdma_adapter *adapter, void *context,
                                            sysdma_status status);

/* MapTransferEx: map up to *length bytes from `offset` into the MDL chain
 * and start the transfer (a system adapter programs its channel; the
 * length is shortened to what one mapping can take: the channel's window,
 * the registers held when it must bounce, the end of the MDL). `complete`
 * (may be NULL) runs when the transfer is done (see its type): recorded in
 * the lock hold that programs the channel, so a terminal count at once is
 * not lost — it may run before this call returns. Every MapTransferEx must
 * be followed by sysdma_flush_adapter_buffers_ex, cancelled or not.
 * Statuses as sysdma_map_transfer (SYSDMA_E_WRONG_STATE also while the
 * previous one's completion is due); a refused call records nothing. */
sysdma_status sysdma_map_transfer_ex(sysdma_adapter *adapter, sysdma_mdl *mdl, uint64_t offset,
                                     uint32_t *length, bool write_to_device,
                                     sysdma_map_registers *map_registers,
                                     sysdma_transfer_complete_fn complete, void *context,
                                     uint64_t *logical);

/* FlushAdapterBuffersEx: as sysdma_flush_adapter_buffers, by offset. A
 * system adapter's is SYSDMA_E_WRONG_STATE while its MapTransferEx
 * completion is due (neither terminal count nor cancel yet); a bus
 * master's runs that completion (SYSDMA_OK) once the flush succeeded (so
 * does sysdma_flush_adapter_buffers). */
sysdma_status sysdma_flush_adapter_buffers_ex(sysdma_adapter *adapter, sysdma_mdl *mdl,
                                              sysdma_map_registers *map_registers,
                                              uint64_t offset, uint32_t length,
                                              bool write_to_device);

/* CancelMappedTransfer: stop the mapped transfer through the controller's
 * cancel; its completion runs once, from this call, with
 * SYSDMA_E_CANCELLED — or, when the controller answers that the transfer
 * had already completed (too late), with SYSDMA_OK (or
 * SYSDMA_E_TRANSFER_ERROR for a failure it reports). SYSDMA_OK: the
 * transfer is ended; SYSDMA_E_WRONG_STATE when nothing is mapped or its
 * completion already ran. */
sysdma_status sysdma_transfer_cancel_mapped(sysdma_adapter *adapter);

/* GetScatterGatherListEx / BuildScatterGatherListEx: by offset into the
 * MDL chain; the range may run across its MDLs. `buffer` NULL: allocated
 * (Get). */
sysdma_status sysdma_sg_get_ex(sysdma_adapter *adapter, void *device, sysdma_mdl *mdl,
                               uint64_t offset, uint32_t length, sysdma_list_control_fn routine,
                               void *context, bool write_to_device, void *buffer,
                               uint32_t *buffer_size);

/* AllocateCommonBufferEx: with a highest address (0: the adapter's reach)
 * and the cache flag. */
sysdma_status sysdma_common_buffer_allocate_ex(sysdma_adapter *adapter, uint64_t max_address,
                                               uint32_t length, bool cache_enabled, void **va,
                                               uint64_t *logical);

/* ConfigureAdapterChannel: controller-specific function `function`
 * (SYSDMA_E_NOT_IMPLEMENTED when the controller has none;
 * SYSDMA_E_NOT_SUPPORTED for a bus master). */
sysdma_status sysdma_adapter_configure(sysdma_adapter *adapter, uint32_t function, void *data,
                                       size_t bytes);

/* ---- The operations table ------------------------------------------------------------ */

/*
 * Every adapter carries one (DMA_OPERATIONS). The public functions above are
 * thin calls through it, so bus-master adapters and the verifier (which
 * wraps a table) plug in without touching callers. Members only ever get
 * appended; a NULL member makes its public function return
 * SYSDMA_E_NOT_SUPPORTED (0 for the counters).
 */
typedef struct sysdma_dma_operations {
    uint32_t size;
    sysdma_status (*put_adapter)(sysdma_adapter *);
    sysdma_status (*allocate_channel)(sysdma_adapter *, void *, uint32_t,
                                      sysdma_adapter_control_fn, void *);
    sysdma_status (*free_channel)(sysdma_adapter *);
    sysdma_status (*free_map_registers)(sysdma_adapter *, sysdma_map_registers *, uint32_t);
    sysdma_status (*map_transfer)(sysdma_adapter *, sysdma_mdl *, sysdma_map_registers *,
                                  void *, uint32_t *, bool, uint64_t *);
    sysdma_status (*flush_adapter_buffers)(sysdma_adapter *, sysdma_mdl *,
                                           sysdma_map_registers *, void *, uint32_t, bool);
    uint32_t (*read_dma_counter)(sysdma_adapter *);
    uint32_t (*get_dma_alignment)(sysdma_adapter *);
    sysdma_status (*allocate_common_buffer)(sysdma_adapter *, uint32_t, bool, void **, uint64_t *);
    sysdma_status (*free_common_buffer)(sysdma_adapter *, uint32_t, uint64_t, void *, bool);
    sysdma_status (*get_scatter_gather_list)(sysdma_adapter *, void *, sysdma_mdl *, void *,
                                             uint32_t, sysdma_list_control_fn, void *, bool);
    sysdma_status (*put_scatter_gather_list)(sysdma_adapter *, sysdma_sg_list *, bool);
    sysdma_status (*calculate_scatter_gather_list)(sysdma_adapter *, sysdma_mdl *, void *,
                                                   uint32_t, uint32_t *, uint32_t *);
    sysdma_status (*build_scatter_gather_list)(sysdma_adapter *, void *, sysdma_mdl *, void *,
                                               uint32_t, sysdma_list_control_fn, void *, bool,
                                               void *, uint32_t *);
    sysdma_status (*build_mdl_from_scatter_gather_list)(sysdma_adapter *, sysdma_sg_list *,
                                                        const sysdma_mdl *, sysdma_mdl **);
    /* sysdma's chained runner */
    sysdma_status (*sg_start)(sysdma_adapter *, sysdma_sg_list *, bool, sysdma_sg_done_fn,
                              void *);
    sysdma_status (*sg_cancel)(sysdma_adapter *, sysdma_sg_list *);
    uint64_t (*sg_progress)(sysdma_adapter *, const sysdma_sg_list *);
    /* version 3: the calls that change what the driver holds */
    sysdma_status (*allocate_channel_ex)(sysdma_adapter *, void *, sysdma_transfer_context *,
                                         uint32_t, uint32_t, sysdma_adapter_control_fn, void *,
                                         sysdma_map_registers **);
    bool (*cancel_channel)(sysdma_adapter *, sysdma_transfer_context *);
    sysdma_status (*free_object)(sysdma_adapter *, sysdma_allocation_action);
    sysdma_status (*flush_adapter_buffers_ex)(sysdma_adapter *, sysdma_mdl *,
                                              sysdma_map_registers *, uint64_t, uint32_t, bool);
    /* AllocateCommonBufferEx (highest address inclusive, 0: the adapter's
     * reach); freed through free_common_buffer like any common buffer */
    sysdma_status (*allocate_common_buffer_ex)(sysdma_adapter *, uint64_t, uint32_t, bool, void **,
                                               uint64_t *);
} sysdma_dma_operations;

/* The adapter's table (e.g. for a verifier to wrap). */
const sysdma_dma_operations *sysdma_adapter_operations(const sysdma_adapter *adapter);

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_H */
