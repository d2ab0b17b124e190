/* SPDX-License-Identifier: MIT */
/*
 * Adapter handles: how the core knows what a caller hands back.
 *
 * A driver never holds a pointer into the core's memory for an adapter.
 * `sysdma_adapter *` values given out are handles: a number that names a
 * system's slot in a small process-wide registry, an entry in that system's
 * handle table, and the serial the entry was issued with. Looking one up
 * reads only the registry and the table, never memory through the caller's
 * value, so a stale handle (put, or of a destroyed system), a doubled put
 * or a forged value is refused with a status instead of reaching freed or
 * foreign memory. Serials run on across the systems that use a registry
 * slot, so a handle of a destroyed system does not name an entry of the
 * next one.
 *
 * Each sysdma_adapter_get issues a reference handle of its own; the
 * adapter object (one per channel, or per bus-master get) also has its own
 * handle, which the core passes to completion routines and tools. Entries
 * are reused first in, first out, so a freed entry waits as long as it can
 * before it is issued again.
 *
 * The registry is the core's only state outside a sysdma_system: one
 * pointer per slot, written when a system is created or destroyed.
 * Lookups are lock-free (atomic loads); issuing and releasing run under
 * the system's lock.
 */
#include "internal.h"

#include <stdatomic.h>

_Atomic(sysdma_system *) sysdma__registry[HANDLE_SYSTEMS];
/* The last serial each slot issued, carried from one system to the next. */
static uintptr_t registry_serial[HANDLE_SYSTEMS];

sysdma_status sysdma__registry_add(sysdma_system *sys)
{
    for (uint32_t s = 0; s < HANDLE_SYSTEMS; s++) {
        sysdma_system *none = NULL;
        if (atomic_compare_exchange_strong(&sysdma__registry[s], &none, sys)) {
            sys->slot = s;
            sys->serial = registry_serial[s];
            sys->free_head = 0;
            sys->free_tail = HANDLE_ENTRIES - 1;
            for (uint32_t k = 0; k < HANDLE_ENTRIES; k++)
                sys->handles[k].next_free = (uint16_t)(k + 1);
            return SYSDMA_OK;
        }
    }
    return SYSDMA_E_INSUFFICIENT_RESOURCES;
}

void sysdma__registry_remove(sysdma_system *sys)
{
    registry_serial[sys->slot] = sys->serial;
    atomic_store(&sysdma__registry[sys->slot], NULL);
}

sysdma_adapter *sysdma__handle_new(sysdma_system *sys, sysdma_adapter *obj, bool ref)
{
    uint32_t k = sys->free_head;
    if (k >= HANDLE_ENTRIES)
        return NULL;
    handle_entry *e = &sys->handles[k];
    sys->free_head = e->next_free;
    if (sys->free_head >= HANDLE_ENTRIES)
        sys->free_tail = HANDLE_ENTRIES;
    sys->serial = (sys->serial + 1) & HANDLE_SERIAL_MASK;
    if (!sys->serial)
        sys->serial = 1;
    e->obj = obj;
    e->ops = NULL;
    e->decoration = NULL;
    e->ref = ref;
    e->channel = obj->channel < SYSDMA_MAX_CHANNELS ? (uint8_t)obj->channel : 0xFFu;
    atomic_store_explicit(&e->serial, sys->serial, memory_order_release);
    if (ref)
        sys->live_refs++;
    return (sysdma_adapter *)(1u | (uintptr_t)sys->slot << HANDLE_SLOT_SHIFT |
                              (uintptr_t)k << HANDLE_INDEX_SHIFT |
                              sys->serial << HANDLE_SERIAL_SHIFT);
}

/* The entry `h` names in `sys`, live or not (NULL: not of this system). */
static handle_entry *entry_of(const sysdma_system *sys, const sysdma_adapter *h)
{
    uintptr_t v = (uintptr_t)h;
    if (!(v & 1u) || ((v >> HANDLE_SLOT_SHIFT) & (HANDLE_SYSTEMS - 1)) != sys->slot)
        return NULL;
    return (handle_entry *)&sys->handles[(v >> HANDLE_INDEX_SHIFT) & (HANDLE_ENTRIES - 1)];
}

void sysdma__handle_release(sysdma_system *sys, const sysdma_adapter *h)
{
    handle_entry *e = entry_of(sys, h);
    if (!e || !atomic_load_explicit(&e->serial, memory_order_relaxed))
        return;
    SYSDMA_ASSERT(!e->ref || sys->live_refs > 0);
    atomic_store_explicit(&e->serial, 0, memory_order_relaxed);
    e->ops = NULL;
    e->decoration = NULL;
    if (e->ref)
        sys->live_refs--;
    uint32_t k = (uint32_t)(e - sys->handles);
    e->next_free = (uint16_t)HANDLE_ENTRIES;
    if (sys->free_head >= HANDLE_ENTRIES)
        sys->free_head = k;
    else
        sys->handles[sys->free_tail].next_free = (uint16_t)k;
    sys->free_tail = k;
}

void sysdma__handle_decorate(sysdma_system *sys, const sysdma_adapter *h,
                             const sysdma_dma_operations *ops, void *decoration)
{
    handle_entry *e = entry_of(sys, h);
    if (e && atomic_load_explicit(&e->serial, memory_order_relaxed)) {
        e->ops = ops;
        e->decoration = decoration;
    }
}


void sysdma__handle_each_ref(sysdma_system *sys, void (*fn)(void *ctx, sysdma_adapter *h,
                                                            sysdma_adapter *obj), void *ctx)
{
    for (uint32_t k = 0; k < HANDLE_ENTRIES; k++) {
        handle_entry *e = &sys->handles[k];
        uintptr_t serial = atomic_load_explicit(&e->serial, memory_order_relaxed);
        if (serial && e->ref)
            fn(ctx, (sysdma_adapter *)(1u | (uintptr_t)sys->slot << HANDLE_SLOT_SHIFT |
                                       (uintptr_t)k << HANDLE_INDEX_SHIFT |
                                       serial << HANDLE_SERIAL_SHIFT),
               e->obj);
    }
}


sysdma_system *sysdma__stale_system(const sysdma_adapter *h, uint32_t *channel)
{
    uintptr_t v = (uintptr_t)h;
    if (!(v & 1u))
        return NULL;
    sysdma_system *sys = atomic_load_explicit(
        &sysdma__registry[(v >> HANDLE_SLOT_SHIFT) & (HANDLE_SYSTEMS - 1)], memory_order_acquire);
    if (sys && channel) {
        sysdma__lock(sys);
        uint8_t ch = entry_of(sys, h)->channel;
        *channel = ch == 0xFFu ? SYSDMA_NO_CHANNEL : ch;
        sysdma__unlock(sys);
    }
    return sys;
}
