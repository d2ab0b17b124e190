/* SPDX-License-Identifier: MIT */
/*
 * sysdma core internals: the objects behind the public handles and the
 * functions the core's files share (sysdma__ prefix). Freestanding: nothing
 * here may need more of libc than memcpy, memset, memmove and memcmp.
 *
 * Locking. One platform lock (sys->lock) guards the pool, the queues and
 * every adapter's channel state. Callbacks are collected under the lock
 * and run after it is released (sysdma__pump), so a driver's AdapterControl
 * may call back into sysdma freely. The platform's allocator is never
 * called with the lock held (it may be a spinlock): records are allocated
 * before the lock is taken or with it dropped, frees are made after it is
 * released, and the map-register pool grows with it dropped
 * (sysdma__pool_grow), the caller looking at everything again afterwards.
 */
#ifndef SYSDMA_INTERNAL_H
#define SYSDMA_INTERNAL_H

#include "freestanding.h"

#include <stdatomic.h>

#include "sysdma/sysdma.h"

#define PAGE SYSDMA_PAGE_SIZE
/* Controllers per system, channels per controller, and channels in all:
 * the system numbers its channels densely, controller 0's first (so on a
 * PC a channel's index is its 8237 channel number), then controller 1's... */
#define SYSDMA_MAX_CONTROLLERS 4
#define SYSDMA_CTRL_CHANNELS 32
#define SYSDMA_MAX_CHANNELS 64
#define SYSDMA_NO_CHANNEL 0xFFFFFFFFu /* a bus master's */
#define SYSDMA_LIMIT_16M (16ull << 20)
#define SG_QUARANTINE 16u

#ifdef SYSDMA_DEBUG_ASSERT
#define SYSDMA_ASSERT(x) ((x) ? (void)0 : __builtin_trap())
#else
#define SYSDMA_ASSERT(x) ((void)0)
#endif

/* One chunk of the map-register pool: 32 pages, physically contiguous and
 * aligned to 128 KiB below 16 MiB, so a run inside it never crosses a 128 KiB
 * window, and a run inside one of its halves never crosses a 64 KiB one. */
#define CHUNK_PAGES 32u
typedef struct pool_chunk {
    struct pool_chunk *next;
    uint8_t *va;
    uint64_t phys;       /* for the platform (free_contig) */
    uint64_t bus;        /* what a device uses (phys_to_bus): reach is judged on it */
    uint32_t used; /* bit k: page k is held */
} pool_chunk;

/* A map register base: a run of pages in one chunk. Allocated with the
 * request, so granting never needs memory. */
struct sysdma_map_registers {
    pool_chunk *chunk;       /* NULL until granted */
    uint32_t first, count;
    sysdma_adapter *adapter;
    bool kept;               /* held after DEALLOCATE_OBJECT_KEEP_REGISTERS */
    bool list;               /* ...by a scatter/gather list: only its put frees them */
    struct sysdma_map_registers *next_kept; /* in the adapter's kept list */
};

/* A queued AllocateAdapterChannel request. */
typedef struct sysdma_request {
    struct sysdma_request *next;     /* in the channel queue or the pool queue */
    sysdma_adapter *adapter;
    void *device;
    void *context;
    sysdma_adapter_control_fn routine;
    uint32_t count;                  /* map registers wanted */
    sysdma_map_registers *regs;      /* pre-allocated when count > 0 */
    uint32_t grant;                  /* the adapter's grant number once granted */
    const void *tag;                 /* a version-3 transfer context, for cancelling */
} sysdma_request;

typedef struct request_queue {
    sysdma_request *head, *tail;
} request_queue;

/* A common buffer handed out by an adapter. */
typedef struct common_buffer {
    struct common_buffer *next;
    void *va;
    uint64_t phys;     /* for the platform (free_contig) */
    uint64_t logical;  /* what the device uses: phys_to_bus(phys) */
    uint32_t length;   /* as asked */
    uint32_t bytes;    /* whole pages taken */
    bool cached;
} common_buffer;

/* One mapped, not yet flushed transfer. */
typedef struct mapping {
    bool active;
    bool bounced;
    bool to_device;
    sysdma_mdl *mdl;
    uint8_t *current_va;
    uint32_t length;
    uint64_t logical;
    sysdma_map_registers *regs;  /* the registers it bounced through */
    bool holds_regs;             /* ...which the driver let go meanwhile: the
                                  * flush gives them back (sysdma__map_end) */
} mapping;

struct sysdma_adapter {
    const sysdma_dma_operations *ops;
    sysdma_system *sys;
    sysdma_adapter *self;        /* the object's own handle (completions, tools) */
    uint32_t refs;
    uint32_t channel;
    sysdma_device_description desc;
    sysdma_channel_limits limits;
    uint32_t max_map_registers;
    uint32_t max_transfer;       /* bytes one MapTransfer can map */
    bool demand;                 /* demand mode honoured */
    /* channel ownership */
    bool owned;                  /* channel reserved (its request may still wait for registers) */
    bool granted;                /* ...and granted: the AdapterControl routine has it */
    uint32_t grants;             /* grants so far: an allocation action applies only to
                                  * the grant it answers, not to a later owner's */
    sysdma_map_registers *owner_regs; /* registers held with the channel */
    bool in_routine;             /* the granted AdapterControl routine is running */
    bool freed_early;            /* ...and its registers were freed (from another CPU)
                                  * before it returned: they go back on return */
    request_queue waiting;       /* for the channel, FIFO */
    uint32_t queued;             /* requests of this adapter anywhere in queues */
    uint32_t kept_sets;          /* register sets kept after release */
    sysdma_map_registers *kept;  /* those sets, so a freed base is checked by identity */
    mapping map;
    common_buffer *commons;      /* common buffers held */
    sysdma_stats stats;
    /* bus masters: one adapter per sysdma_adapter_get, on sys->masters */
    bool master;
    struct sysdma_adapter *next_master;
    /* a decorator's (the verifier's) record of this adapter; the core
     * never reads it */
    void *decoration;
    /* bytes MapTransfer leaves free at the start of the map registers
     * before bounced data, when they have room (0: none; a decorator sets
     * it to put guard bytes there) */
    uint32_t bounce_lead;
    /* the chained runner: the list on the channel, then those waiting for
     * it in the channel queue (a run holds the channel: owned, not granted) */
    struct sg_header *run_head, *run_tail;
    uint32_t lists;              /* scatter/gather lists handed out, not yet put */
    struct sg_header *live_lists; /* ...their records, newest first */
    uint32_t ops_version;        /* 1, 2 or 3, from the latest description */
    /* version 3: the mapped transfer's completion, due at terminal count
     * (a bus master's: at FlushAdapterBuffersEx). MapTransferEx arms it
     * before mapping; the mapping makes it pending in the lock hold that
     * programs the channel, so no terminal count falls in between. */
    bool v3_armed;
    bool v3_pending;
    sysdma_transfer_complete_fn v3_complete;
    void *v3_context;
    sysdma_adapter *v3_handle;   /* the caller's handle, passed to v3_complete */
    /* the controller the channel is on, and the channel's number there
     * (`channel` is the system's index: the controller's base plus hw) */
    const sysdma_controller *ctrl;
    uint32_t hw;
    /* the transfer shape (SYSDMA_CONFIGURE_SHAPE), passed in every program */
    sysdma_transfer_shape shape;
};

/* Handles (handle.c): bit 0 set, then the registry slot, the entry, the
 * serial it was issued with (as many bits as a pointer has left). */
#define HANDLE_SYSTEMS 32u
/* Entries per system: reference handles plus one per adapter object. A
 * 32-bit kernel gets fewer, so the system stays within one page. */
#define HANDLE_ENTRIES (UINTPTR_MAX > 0xFFFFFFFFu ? 1024u : 128u)
#define HANDLE_SLOT_SHIFT 1
#define HANDLE_INDEX_SHIFT 6
#define HANDLE_SERIAL_SHIFT 16
#define HANDLE_SERIAL_MASK (UINTPTR_MAX >> HANDLE_SERIAL_SHIFT)
typedef struct handle_entry {
    _Atomic uintptr_t serial;    /* 0: free */
    sysdma_adapter *obj;         /* the adapter it names */
    const sysdma_dma_operations *ops; /* this handle's table (NULL: the adapter's) */
    void *decoration;            /* a decorator's (the verifier's) record of this handle */
    uint16_t next_free;          /* FIFO of free entries */
    uint8_t channel;             /* the adapter's (0xFF: none), for reports on a stale handle */
    bool ref;                    /* a reference from sysdma_adapter_get (put takes only these) */
} handle_entry;

struct sysdma_system {
    sysdma_platform pf;          /* .ops points at pf_ops */
    sysdma_controller ctrl;      /* .ops points at ctrl_ops */
    /* The caller's tables copied at full size: members a table built
     * against an older header lacks read as NULL (absent optional). */
    sysdma_platform_ops pf_ops;
    sysdma_controller_ops ctrl_ops;
    /* Every controller (0 is the one above; more from
     * sysdma_system_add_controller), its table copied at full size, the
     * system index of its channel 0 and how many it has. */
    sysdma_controller ctrls[SYSDMA_MAX_CONTROLLERS];
    sysdma_controller_ops ctrls_ops[SYSDMA_MAX_CONTROLLERS];
    uint32_t ctrl_base[SYSDMA_MAX_CONTROLLERS], ctrl_channels[SYSDMA_MAX_CONTROLLERS];
    _Atomic uint32_t n_ctrls;    /* set after the controller is ready */
    uint32_t n_channels;
    bool ctrl_adding;            /* an add_controller is initializing one */
    sysdma_config cfg;
    void *lock;
    pool_chunk *chunks;
    uint32_t pool_pages, pool_in_use, pool_high_water;
    bool growth_failed;          /* the platform refused a chunk since the last free */
    uint32_t pool_growing;       /* pages of chunks being asked of the platform (lock dropped) */
    uint32_t pool_gives;         /* frees of pages so far (wraps): a refusal counts only
                                  * if none came while the platform was asked */
    request_queue pool_waiting;  /* channel granted, waiting for registers, FIFO */
    /* Spare request records and register bases (lock held to use), so
     * that the packet path does not go to the platform allocator for each
     * request; at most SPARE_MAX of each, freed with the system. */
    sysdma_request *spare_requests;
    sysdma_map_registers *spare_regs;
    uint32_t n_spare_requests, n_spare_regs;
    /* Blocks of put lists (sysdma_sg_get's), held back a while so that a
     * new list does not get the address of one just put: a second put of
     * the old pointer is then refused, not taken for the new list. */
    struct {
        void *block;
        uint32_t size;
    } sg_quarantine[SG_QUARANTINE];
    uint32_t sg_quarantined, sg_quarantine_next;
    sysdma_adapter *adapters[SYSDMA_MAX_CHANNELS];
    sysdma_adapter *masters;     /* bus-master adapters, no channel */
    /* Hooks for a decorator (the verifier): told of every adapter_get and
     * of the system's destruction, before anything is checked. */
    sysdma_status (*hook_adapter_got)(void *ctx, sysdma_adapter *handle,
                                      const sysdma_device_description *d, sysdma_status st);
    void (*hook_destroying)(void *ctx);
    void *hook_ctx;
    /* a decorator's report of a stale handle (call: the public function) */
    sysdma_status (*hook_stale)(void *ctx, uint32_t channel, const char *call);
    /* ...and of a call on a decorated handle the core refused before its
     * table saw it (returns the status to give) */
    sysdma_status (*hook_refused)(void *ctx, sysdma_adapter *h, const char *call,
                                  sysdma_status st);
    /* ...and of a destroy refused while drivers hold adapters (nothing changes) */
    void (*hook_destroy_refused)(void *ctx);
    uint32_t adapter_count;
    sysdma_stats stats;
    /* handles (handle.c) */
    uint32_t slot;               /* in the registry */
    uintptr_t serial;            /* the last one issued */
    uint32_t free_head, free_tail;
    uint32_t live_refs;          /* reference handles not yet put */
    handle_entry handles[HANDLE_ENTRIES];
};

/* system.c */
static inline void sysdma__lock(sysdma_system *sys)
{
    if (sys->lock)
        sys->pf.ops->lock_acquire(sys->pf.ctx, sys->lock);
}

static inline void sysdma__unlock(sysdma_system *sys)
{
    if (sys->lock)
        sys->pf.ops->lock_release(sys->pf.ctx, sys->lock);
}
void *sysdma__alloc(sysdma_system *sys, size_t bytes);
void sysdma__free(sysdma_system *sys, void *p, size_t bytes);

/* wdm.c: the system sysdma/wdm.h's device-less calls use is going away. */
void sysdma__wdm_forget(sysdma_system *sys);

/* handle.c */
sysdma_status sysdma__registry_add(sysdma_system *sys);
void sysdma__registry_remove(sysdma_system *sys);
/* Issue a handle for `obj` (lock held); NULL when the table is full. */
sysdma_adapter *sysdma__handle_new(sysdma_system *sys, sysdma_adapter *obj, bool ref);
void sysdma__handle_release(sysdma_system *sys, const sysdma_adapter *h);
/* The registry of systems (handle.c), read lock-free by every lookup. */
extern _Atomic(sysdma_system *) sysdma__registry[HANDLE_SYSTEMS];

/* The live entry `h` names, from any thread (NULL: stale, foreign or
 * forged). Reads the registry and the table only, never through `h`. */
static inline handle_entry *sysdma__live_entry(const sysdma_adapter *h)
{
    uintptr_t v = (uintptr_t)h;
    if (!(v & 1u))
        return NULL;
    sysdma_system *sys = atomic_load_explicit(
        &sysdma__registry[(v >> HANDLE_SLOT_SHIFT) & (HANDLE_SYSTEMS - 1)], memory_order_acquire);
    if (!sys)
        return NULL;
    handle_entry *e = &sys->handles[(v >> HANDLE_INDEX_SHIFT) & (HANDLE_ENTRIES - 1)];
    uintptr_t serial = atomic_load_explicit(&e->serial, memory_order_acquire);
    return serial && serial == v >> HANDLE_SERIAL_SHIFT ? e : NULL;
}

/* The adapter a live handle names (NULL: stale, foreign or forged); *ref:
 * whether it is a reference from sysdma_adapter_get. Lock-free. */
static inline sysdma_adapter *sysdma__resolve(const sysdma_adapter *h, bool *ref)
{
    handle_entry *e = sysdma__live_entry(h);
    if (!e)
        return NULL;
    if (ref)
        *ref = e->ref;
    return e->obj;
}

/* ...and the operations table calls with this handle go through. */
static inline sysdma_adapter *sysdma__resolve_ops(const sysdma_adapter *h,
                                                  const sysdma_dma_operations **ops)
{
    handle_entry *e = sysdma__live_entry(h);
    if (!e)
        return NULL;
    *ops = e->ops ? e->ops : e->obj->ops;
    return e->obj;
}

static inline void *sysdma__handle_decoration(const sysdma_adapter *h)
{
    handle_entry *e = sysdma__live_entry(h);
    return e ? e->decoration : NULL;
}
/* A decorator's table and record for one handle (lock held; ops NULL: undecorated). */
void sysdma__handle_decorate(sysdma_system *sys, const sysdma_adapter *h,
                             const sysdma_dma_operations *ops, void *decoration);
/* Call fn for every live reference handle of `sys` (lock held by the caller). */
void sysdma__handle_each_ref(sysdma_system *sys, void (*fn)(void *ctx, sysdma_adapter *h,
                                                            sysdma_adapter *obj), void *ctx);
/* The live system a dead handle's registry slot names (NULL: none). */
sysdma_system *sysdma__stale_system(const sysdma_adapter *h, uint32_t *channel);

/* adapter.c: a call with a handle that names nothing live: the status to
 * return (a decorator may report it). */
sysdma_status sysdma__stale(const sysdma_adapter *h, const char *call);
/* A call on handle `h` refused with `st` before its table saw it: a
 * decorator wrapping `h` may report it; the status to return. */
sysdma_status sysdma__refused(sysdma_adapter *h, const char *call, sysdma_status st);

/* mapreg.c */
sysdma_status sysdma__pool_init(sysdma_system *sys);
void sysdma__pool_destroy(sysdma_system *sys);
/* Take `count` pages for `a` into `regs` from the chunks there are (lock
 * held); never grows the pool. */
bool sysdma__pool_take(sysdma_system *sys, sysdma_adapter *a, sysdma_map_registers *regs,
                       uint32_t count);
/* Grow the pool by a chunk if its cap and the last refusal allow (lock held
 * on entry and on return). True: the lock was dropped while the platform
 * was asked, so everything the caller saw may have changed (whether or not
 * a chunk came) and it must look again. False: growth is not allowed now
 * and the lock was held throughout. */
bool sysdma__pool_grow(sysdma_system *sys, const sysdma_adapter *a);
void sysdma__pool_give(sysdma_system *sys, sysdma_map_registers *regs);
/* Can `count` pages for `a` never be had, given the pool's cap and state?
 * When no chunk lies in `a`'s reach zone it asks the platform for one
 * (lock held on entry and on return, dropped meanwhile): the caller must
 * not have looked at anything else yet. */
bool sysdma__pool_never(sysdma_system *sys, sysdma_adapter *a, uint32_t count);
/* Where a register base's pages are. Only for registers someone holds:
 * registers back in the pool have no chunk. Registers a scatter/gather list
 * or a mapped transfer bounces through stay held until its put or flush,
 * whatever the driver frees meanwhile (channel.c's release_regs). */
static inline uint8_t *sysdma__regs_va(const sysdma_map_registers *r)
{
    SYSDMA_ASSERT(r->chunk);
    return r->chunk->va + (size_t)r->first * PAGE;
}
static inline uint64_t sysdma__regs_phys(const sysdma_map_registers *r)
{
    SYSDMA_ASSERT(r->chunk);
    return r->chunk->bus + (uint64_t)r->first * PAGE;
}

/* The exclusive upper end of the bus addresses `a`'s device reaches (0:
 * all of them). Map registers and common buffers for it are made below
 * it; only memory beyond it (or not contiguous, or across its boundary)
 * is bounced. */
static inline uint64_t sysdma__reach(const sysdma_adapter *a)
{
    return a->limits.address_bits >= 64 ? 0 : 1ull << a->limits.address_bits;
}

/* The bus (logical) address of physical address `phys` (platform.h's
 * phys_to_bus; the same when the platform has none). */
static inline uint64_t sysdma__bus(const sysdma_system *sys, uint64_t phys)
{
    return sys->pf.ops->phys_to_bus ? sys->pf.ops->phys_to_bus(sys->pf.ctx, phys) : phys;
}

/* transfer.c: SYSDMA_CONFIGURE_SHAPE (checks the shape, keeps it). */
sysdma_status sysdma__set_shape(sysdma_adapter *a, const void *data, size_t bytes);
/* The request line programs of `a` carry: the version-3 description's,
 * else the channel (the 8237's lines are its channels). */
static inline uint32_t sysdma__request_line(const sysdma_adapter *a)
{
    return a->desc.version == 3 ? a->desc.request_line : a->hw;
}

/* channel.c */
#define SPARE_MAX 32
void sysdma__spares_destroy(sysdma_system *sys);
sysdma_status sysdma__allocate_channel(sysdma_adapter *a, void *device, uint32_t count,
                                       sysdma_adapter_control_fn routine, void *context);
sysdma_status sysdma__free_channel(sysdma_adapter *a);
/* The general request: `tag` identifies it for sysdma__cancel_request;
 * `nowait`: granted now or SYSDMA_E_INSUFFICIENT_RESOURCES; `routine` NULL
 * (only with nowait): the caller holds the channel, *base its registers. */
sysdma_status sysdma__allocate(sysdma_adapter *a, void *device, uint32_t count,
                               sysdma_adapter_control_fn routine, void *context, void *tag,
                               bool nowait, sysdma_map_registers **base);
bool sysdma__cancel_request(sysdma_adapter *a, const void *tag);
/* Grant what can be granted now (no lock held): after a holder that is no
 * routine (a list run) lets the channel go. */
void sysdma__pump(sysdma_system *sys);
bool sysdma__request_waiting(sysdma_adapter *a, const void *tag);
sysdma_status sysdma__free_object(sysdma_adapter *a, sysdma_allocation_action action);
sysdma_status sysdma__free_map_registers(sysdma_adapter *a, sysdma_map_registers *base,
                                         uint32_t count);
/* End `a`'s mapped transfer: called with the lock held, returns with it
 * released. Registers the mapping held after the driver let them go
 * return to the pool, and waiting requests are granted. */
void sysdma__map_end(sysdma_adapter *a);

/* transfer.c */
/* The register set `regs` names when the caller holds it (lock held), else
 * NULL: the set granted with the channel, or — a bus master only — a set it
 * kept past its routine (DEALLOCATE_OBJECT_KEEP_REGISTERS), through which it
 * maps the later pieces of a transfer. Found by identity on the adapter's
 * own lists, never by reading through the caller's pointer. */
static inline const sysdma_map_registers *sysdma__held_set(const sysdma_adapter *a,
                                                           const sysdma_map_registers *regs)
{
    if (!regs)
        return NULL;
    if (a->granted && regs == a->owner_regs)
        return a->owner_regs;
    if (!a->master)
        return NULL; /* a subordinate device maps only while it holds its channel */
    for (const sysdma_map_registers *k = a->kept; k; k = k->next_kept)
        if (k == regs && !k->list)
            return k;
    return NULL;
}

sysdma_status sysdma__map_transfer(sysdma_adapter *a, sysdma_mdl *mdl,
                                   sysdma_map_registers *regs, void *current_va,
                                   uint32_t *length, bool to_device, uint64_t *logical);
sysdma_status sysdma__flush(sysdma_adapter *a, sysdma_mdl *mdl, sysdma_map_registers *regs,
                            void *current_va, uint32_t length, bool to_device);
uint32_t sysdma__read_counter(sysdma_adapter *a);
/* Is [va, va + len) of `mdl` usable in place by the adapter (physically
 * contiguous, reachable, inside one window)? *phys gets its start. */
bool sysdma__direct(const sysdma_adapter *a, const sysdma_mdl *mdl, const uint8_t *va,
                    uint32_t len, uint64_t *phys);
static inline uint64_t sysdma__phys_at(const sysdma_mdl *mdl, const uint8_t *va)
{
    size_t off = (size_t)(va - mdl->start_va);
    return mdl->pfn[off / PAGE] + off % PAGE;
}
/* The run a scatter/gather bus master's MapTransfer maps from `va`. */
uint32_t sysdma__master_run(const sysdma_adapter *a, const sysdma_mdl *mdl, const uint8_t *va,
                            uint32_t len, uint32_t regs_bytes);
/* Most map registers one request of `a` can hold (a run inside one chunk,
 * within the adapter's figure). */
uint32_t sysdma__regs_limit(const sysdma_adapter *a);
uint32_t sysdma__alignment(sysdma_adapter *a);

/* common.c */
sysdma_status sysdma__allocate_common(sysdma_adapter *a, uint32_t length, bool cached, void **va,
                                      uint64_t *logical);
/* ...below `max_phys` too (0: only the adapter's reach). */
sysdma_status sysdma__allocate_common_below(sysdma_adapter *a, uint32_t length, bool cached,
                                            uint64_t max_phys, void **va, uint64_t *logical);
sysdma_status sysdma__allocate_common_ex(sysdma_adapter *a, uint64_t max_address, uint32_t length,
                                         bool cached, void **va, uint64_t *logical);
sysdma_status sysdma__free_common(sysdma_adapter *a, uint32_t length, uint64_t logical, void *va,
                                  bool cached);

/* adapter.c */
sysdma_status sysdma__put_adapter(sysdma_adapter *a);

/* v3.c: the table's version-3 members */
sysdma_status sysdma__v3_allocate(sysdma_adapter *a, void *device, sysdma_transfer_context *ctx,
                                  uint32_t count, uint32_t flags, sysdma_adapter_control_fn routine,
                                  void *context, sysdma_map_registers **base);
bool sysdma__v3_cancel(sysdma_adapter *a, sysdma_transfer_context *ctx);
sysdma_status sysdma__v3_flush(sysdma_adapter *a, sysdma_mdl *mdl, sysdma_map_registers *regs,
                               uint64_t offset, uint32_t length, bool to_device);
/* v3.c: a version-3 completion due at terminal count (lock held). */
bool sysdma__v3_terminal_count(sysdma_adapter *a, sysdma_transfer_complete_fn *fn, void **ctx,
                               sysdma_adapter **handle);

/* sg_run.c: ask the controller to abandon `a`'s transfer (lock held): its
 * cancel, or (NULL) flush and the terminal count (read_residue's, or a
 * counter of 0) to tell DONE from TOO_LATE. The channel is stopped either
 * way. A controller's IDLE or a refused cancel reads as DONE when the core
 * still has something due on the channel: nothing else would end it. */
sysdma_cancel_result sysdma__ctrl_cancel(sysdma_adapter *a);
/* ...after its TOO_LATE (lock held): the completion is taken now, as the
 * controller's interrupt would take it — handle_interrupt's report for
 * every channel, then `a`'s, if still due, as completed — and delivered;
 * returns with the lock released. */
void sysdma__complete_now(sysdma_adapter *a);

/* sg.c */
sysdma_status sysdma__sg_get(sysdma_adapter *a, void *device, sysdma_mdl *mdl, void *va,
                             uint32_t length, sysdma_list_control_fn routine, void *context,
                             bool to_device);
sysdma_status sysdma__sg_put(sysdma_adapter *a, sysdma_sg_list *list, bool to_device);
sysdma_status sysdma__sg_calculate(sysdma_adapter *a, sysdma_mdl *mdl, void *va, uint32_t length,
                                   uint32_t *list_size, uint32_t *map_registers);
sysdma_status sysdma__sg_build(sysdma_adapter *a, void *device, sysdma_mdl *mdl, void *va,
                               uint32_t length, sysdma_list_control_fn routine, void *context,
                               bool to_device, void *buffer, uint32_t *buffer_size);
sysdma_status sysdma__sg_build_mdl(sysdma_adapter *a, sysdma_sg_list *list,
                                   const sysdma_mdl *original, sysdma_mdl **out);
/* `caller`: the handle the run was started with, passed to `done`. */
sysdma_status sysdma__sg_start(sysdma_adapter *a, sysdma_adapter *caller, sysdma_sg_list *list,
                               bool to_device, sysdma_sg_done_fn done, void *context);
sysdma_status sysdma__sg_cancel(sysdma_adapter *a, sysdma_sg_list *list);
uint64_t sysdma__sg_progress(sysdma_adapter *a, const sysdma_sg_list *list);
void sysdma__sg_quarantine_destroy(sysdma_system *sys);
/* Elements one list of `a` may have (sysdma_adapter_info's figure, enforced). */
uint32_t sysdma__sg_limit(const sysdma_adapter *a);

/* A run on the adapter's queue: is it on the channel, and the next (lock held). */
bool sysdma__sg_running(const struct sg_header *h);
const struct sg_header *sysdma__sg_next_run(const struct sg_header *h);

#endif /* SYSDMA_INTERNAL_H */
