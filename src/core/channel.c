/* SPDX-License-Identifier: MIT */
/*
 * Channel queues: AllocateAdapterChannel, FreeAdapterChannel and
 * FreeMapRegisters.
 *
 * A request first waits for its adapter's channel (one owner at a time, FIFO
 * per adapter), then for map registers (one FIFO for the whole system: a
 * request at the head that does not fit blocks those behind it, so a large
 * request is never starved by small ones). A request is granted under the
 * lock but its AdapterControl routine runs after the lock is dropped, from
 * the allocating call when everything was free, else from the call that
 * freed what it waited for. The routine's allocation action is applied at
 * once, which may free resources and grant further requests: the pump loops
 * until nothing more can be granted.
 */
#include "internal.h"

static void enqueue(request_queue *q, sysdma_request *r)
{
    /* Queue order: a request is on one queue once, at the tail. */
    SYSDMA_ASSERT(!q->tail || !q->tail->next);
    SYSDMA_ASSERT((q->head == NULL) == (q->tail == NULL));
    r->next = NULL;
    if (q->tail)
        q->tail->next = r;
    else
        q->head = r;
    q->tail = r;
}

static sysdma_request *dequeue(request_queue *q)
{
    sysdma_request *r = q->head;
    SYSDMA_ASSERT((q->head == NULL) == (q->tail == NULL));
    if (r) {
        SYSDMA_ASSERT(r->next || q->tail == r);
        q->head = r->next;
        if (!q->head)
            q->tail = NULL;
        r->next = NULL;
    }
    return r;
}

/* Spare records (lock held): take one, or give one back. Giving never
 * frees: the platform's allocator is not called with the lock held, so the
 * records beyond SPARE_MAX go back to it in unlock(). */
static sysdma_request *take_request(sysdma_system *sys)
{
    sysdma_request *r = sys->spare_requests;
    if (r) {
        sys->spare_requests = r->next;
        sys->n_spare_requests--;
        memset(r, 0, sizeof *r);
    }
    return r;
}

static sysdma_map_registers *take_regs(sysdma_system *sys)
{
    sysdma_map_registers *g = sys->spare_regs;
    if (g) {
        sys->spare_regs = g->next_kept;
        sys->n_spare_regs--;
        memset(g, 0, sizeof *g);
    }
    return g;
}

static void give_request(sysdma_system *sys, sysdma_request *r)
{
    r->next = sys->spare_requests;
    sys->spare_requests = r;
    sys->n_spare_requests++;
}

static void give_regs(sysdma_system *sys, sysdma_map_registers *g)
{
    g->next_kept = sys->spare_regs;
    sys->spare_regs = g;
    sys->n_spare_regs++;
}

/* Release the lock, then free the spare records beyond SPARE_MAX. */
static void unlock_trim(sysdma_system *sys)
{
    sysdma_request *rs = NULL;
    sysdma_map_registers *gs = NULL;
    while (sys->n_spare_requests > SPARE_MAX) {
        sysdma_request *r = take_request(sys);
        r->next = rs;
        rs = r;
    }
    while (sys->n_spare_regs > SPARE_MAX) {
        sysdma_map_registers *g = take_regs(sys);
        g->next_kept = gs;
        gs = g;
    }
    sysdma__unlock(sys);
    while (rs) {
        sysdma_request *r = rs;
        rs = r->next;
        sysdma__free(sys, r, sizeof *r);
    }
    while (gs) {
        sysdma_map_registers *g = gs;
        gs = g->next_kept;
        sysdma__free(sys, g, sizeof *g);
    }
}

static inline void unlock(sysdma_system *sys)
{
    if (sys->n_spare_requests <= SPARE_MAX && sys->n_spare_regs <= SPARE_MAX)
        sysdma__unlock(sys); /* the usual case: nothing to free */
    else
        unlock_trim(sys);
}

void sysdma__spares_destroy(sysdma_system *sys)
{
    sysdma_request *r;
    sysdma_map_registers *g;
    while ((r = take_request(sys)) != NULL)
        sysdma__free(sys, r, sizeof *r);
    while ((g = take_regs(sys)) != NULL)
        sysdma__free(sys, g, sizeof *g);
}

/*
 * Registers the driver lets go, or keeps (lock held; `regs` on no list).
 * Registers something still bounces through never go back to the pool
 * here, or a later copy would read pages that another request may hold by
 * then: a scatter/gather list's registers are kept for the list (its put
 * frees them: a list routine may have freed the channel), and the mapped
 * transfer's registers stay with the mapping until its flush
 * (sysdma__map_end: a bus master may let the channel and its registers go
 * while a transfer is mapped, as may a routine that freed its registers
 * early and then mapped through them).
 */
static void release_regs(sysdma_adapter *a, sysdma_map_registers *regs, bool keep)
{
    sysdma_system *sys = a->sys;
    if (keep || regs->list) {
        regs->kept = true;
        regs->next_kept = a->kept;
        a->kept = regs;
        a->kept_sets++;
    } else if (a->map.active && a->map.regs == regs) {
        regs->kept = false;
        a->map.holds_regs = true;
    } else {
        sysdma__pool_give(sys, regs);
        give_regs(sys, regs);
    }
}

/* Release what the channel owner holds (lock held). */
static void release_channel(sysdma_adapter *a, bool keep_registers)
{
    sysdma_map_registers *regs = a->owner_regs;
    if (a->freed_early)
        keep_registers = false; /* already freed by the driver */
    /* A list run the routine started on its channel keeps the channel. */
    a->owned = a->run_head && sysdma__sg_running(a->run_head);
    a->granted = false;
    a->in_routine = false;
    a->freed_early = false;
    a->owner_regs = NULL;
    if (regs)
        release_regs(a, regs, keep_registers);
}

/*
 * Find one request that can be granted now (lock held): the head of the
 * pool queue if its registers fit (growing the pool for it if need be),
 * else the head of some adapter's channel queue whose channel is free
 * (moving it on to the pool queue, or granting it when it needs no
 * registers). Returns the granted request or NULL. The pool grows with the
 * lock dropped: afterwards the search starts again from the top, since
 * another thread may have granted or cancelled the head meanwhile.
 */
static sysdma_request *next_grant(sysdma_system *sys)
{
    for (;;) {
        sysdma_request *r = sys->pool_waiting.head;
        if (r && sysdma__pool_take(sys, r->adapter, r->regs, r->count))
            return dequeue(&sys->pool_waiting);
        if (r && sysdma__pool_grow(sys, r->adapter))
            continue;
        bool moved = false;
        sysdma_adapter *m = sys->masters;
        for (unsigned ch = 0; ch < sys->n_channels || m; ch++) {
            sysdma_adapter *a;
            if (ch < sys->n_channels) {
                a = sys->adapters[ch];
            } else {
                a = m; /* then every bus master */
                m = m->next_master;
            }
            if (!a || a->owned || !a->waiting.head)
                continue;
            sysdma_request *w = dequeue(&a->waiting);
            a->owned = true;
            if (w->count == 0)
                return w;
            if (!sys->pool_waiting.head && sysdma__pool_take(sys, a, w->regs, w->count))
                return w;
            enqueue(&sys->pool_waiting, w);
            moved = true;
        }
        if (!moved)
            return NULL;
    }
}

/* Run granted routines and apply their actions until nothing more can be
 * granted. Called without the lock; `first` is a request already granted
 * by the caller (or NULL); `only_first`: after it, search for more only if
 * its routine released something. */
static void pump(sysdma_system *sys, sysdma_request *first, bool only_first)
{
    sysdma_request *r = first;
    bool from_allocate = first != NULL && only_first;
    for (;;) {
        if (!r) {
            sysdma__lock(sys);
            r = next_grant(sys);
            if (r) {
                r->adapter->owner_regs = r->count ? r->regs : NULL;
                r->adapter->granted = true;
                r->adapter->in_routine = true;
                r->grant = ++r->adapter->grants;
                r->adapter->queued--;
            }
            unlock(sys);
            if (!r)
                return;
        }
        sysdma_adapter *a = r->adapter;
        sysdma_map_registers *regs = r->count ? r->regs : NULL;
        sysdma_adapter_control_fn fn = r->routine;
        void *device = r->device, *context = r->context;
        uint32_t grant = r->grant;
        sysdma_request *done_with = r;
        sysdma_allocation_action act = fn(device, regs, context);
        bool released = false;
        sysdma__lock(sys);
        give_request(sys, done_with);
        a->stats.granted++;
        sys->stats.granted++;
        bool ours = a->granted && a->grants == grant;
        bool early = ours && a->freed_early;
        if (ours)
            a->in_routine = false;
        if (act == SYSDMA_DEALLOCATE_OBJECT || act == SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS) {
            /* Only while this grant still holds the channel: if the routine
             * freed it itself, the channel may already be someone else's. */
            /* A system adapter's channel stays while its transfer is
             * mapped (the controller is still running it); a bus master
             * may let go and flush later. */
            if (ours && (!a->map.active || a->master)) {
                release_channel(a, act == SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS);
                released = true;
            }
        }
        if (early && !released && a->owner_regs) {
            /* The registers were freed while the routine ran and the
             * channel stays: they go back now, the channel keeps none. */
            release_regs(a, a->owner_regs, false);
            a->owner_regs = NULL;
            released = true;
        }
        if (ours)
            a->freed_early = false;
        unlock(sys);
        /* A request granted inside its own AdapterControl call took what
         * was free without freeing anything: unless its routine released
         * something, nothing new can be granted, so skip the search. After
         * a free, keep granting until nothing more fits (one free can
         * satisfy several waiters). */
        if (from_allocate && !released)
            return;
        from_allocate = false;
        r = NULL;
    }
}

void sysdma__pump(sysdma_system *sys)
{
    pump(sys, NULL, false);
}

sysdma_status sysdma__allocate_channel(sysdma_adapter *a, void *device, uint32_t count,
                                       sysdma_adapter_control_fn routine, void *context)
{
    if (!routine)
        return SYSDMA_E_INVALID_ARGUMENT;
    return sysdma__allocate(a, device, count, routine, context, NULL, false, NULL);
}

sysdma_status sysdma__allocate(sysdma_adapter *a, void *device, uint32_t count,
                               sysdma_adapter_control_fn routine, void *context, void *tag,
                               bool nowait, sysdma_map_registers **base)
{
    sysdma_system *sys = a->sys;
    if (count > a->max_map_registers)
        return SYSDMA_E_TOO_MANY_MAP_REGISTERS;
    sysdma__lock(sys);
    if (count && sysdma__pool_never(sys, a, count)) {
        unlock(sys);
        return SYSDMA_E_INSUFFICIENT_RESOURCES;
    }
    sysdma_request *r = take_request(sys);
    sysdma_map_registers *g = count ? take_regs(sys) : NULL;
    if (!r || (count && !g)) {
        /* No spare: go to the platform without the lock. */
        unlock(sys);
        if (!r)
            r = sysdma__alloc(sys, sizeof *r);
        if (count && !g) {
            g = sysdma__alloc(sys, sizeof *g);
            if (g)
                memset(g, 0, sizeof *g);
        }
        sysdma__lock(sys);
        if (!r || (count && !g)) {
            if (r)
                give_request(sys, r);
            if (g)
                give_regs(sys, g);
            unlock(sys);
            return SYSDMA_E_NO_MEMORY;
        }
    }
    r->regs = g;
    r->adapter = a;
    r->device = device;
    r->context = context;
    r->routine = routine;
    r->count = count;
    r->tag = tag;
    bool granted = false, grew = false;
    for (;;) {
        if (a->owned || a->waiting.head) {
            if (!nowait)
                enqueue(&a->waiting, r);
            break;
        }
        if (count == 0 || (!sys->pool_waiting.head && sysdma__pool_take(sys, a, r->regs, count))) {
            a->owned = true;
            a->owner_regs = count ? r->regs : NULL;
            a->granted = true;
            a->in_routine = routine != NULL;
            r->grant = ++a->grants;
            granted = true;
            break;
        }
        /* Short of registers with nobody ahead: grow the pool (the lock is
         * dropped meanwhile, so everything is looked at again). */
        if (!sys->pool_waiting.head && sysdma__pool_grow(sys, a)) {
            grew = true;
            continue;
        }
        if (!nowait) {
            a->owned = true; /* reserved: the request waits for registers */
            enqueue(&sys->pool_waiting, r);
        }
        break;
    }
    if (nowait && !granted) {
        /* A synchronous request never waits. */
        give_request(sys, r);
        if (g)
            give_regs(sys, g);
        unlock(sys);
        if (grew)
            pump(sys, NULL, false);
        return SYSDMA_E_INSUFFICIENT_RESOURCES;
    }
    if (granted && !routine) {
        /* Granted to the caller itself (AllocateAdapterChannelEx without a
         * routine): it holds the channel until sysdma_adapter_free_object. */
        a->stats.granted++;
        sys->stats.granted++;
        if (base)
            *base = count ? r->regs : NULL;
        give_request(sys, r);
        unlock(sys);
        if (grew)
            pump(sys, NULL, false);
        return SYSDMA_OK;
    }
    if (!granted) {
        a->queued++;
        a->stats.deferred++;
        sys->stats.deferred++;
    }
    unlock(sys);
    /* A chunk added while the lock was out may serve requests queued
     * meanwhile by other threads: whoever adds one looks for them. */
    if (!granted) {
        if (grew)
            pump(sys, NULL, false);
        return SYSDMA_PENDING;
    }
    pump(sys, r, !grew);
    return SYSDMA_OK;
}

sysdma_status sysdma__free_channel(sysdma_adapter *a)
{
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    /* A reserved channel whose request still waits for registers is not
     * the caller's yet. */
    if (!a->granted) {
        unlock(sys);
        return SYSDMA_E_NOT_OWNER;
    }
    if (a->map.active) {
        unlock(sys);
        return SYSDMA_E_WRONG_STATE;
    }
    release_channel(a, false);
    bool waiters = sys->pool_waiting.head != NULL;
    for (unsigned ch = 0; ch < sys->n_channels && !waiters; ch++)
        waiters = sys->adapters[ch] && sys->adapters[ch]->waiting.head;
    for (sysdma_adapter *m = sys->masters; m && !waiters; m = m->next_master)
        waiters = m->waiting.head != NULL;
    unlock(sys);
    if (waiters)
        pump(sys, NULL, false);
    return SYSDMA_OK;
}

sysdma_status sysdma__free_map_registers(sysdma_adapter *a, sysdma_map_registers *base,
                                         uint32_t count)
{
    sysdma_system *sys = a->sys;
    if (!base)
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma__lock(sys);
    sysdma_map_registers **link = &a->kept;
    while (*link && *link != base)
        link = &(*link)->next_kept;
    /* `base` is only looked at once it is known to be this adapter's (a
     * stale handle may point at freed memory). A list's registers (a stale
     * handle may name them once the record is reused) go back with the
     * list alone, or its data is lost. */
    sysdma_map_registers *known = *link ? *link : base == a->owner_regs ? base : NULL;
    if (known && known->list) {
        unlock(sys);
        return SYSDMA_E_NOT_OWNER;
    }
    if (!*link && a->in_routine && !a->freed_early && base == a->owner_regs &&
        base->count == count && !a->map.active) {
        /* The granted routine has not returned yet (it started the device
         * and its completion ran on another CPU first): the registers go
         * back when it returns, whatever it returns. */
        a->freed_early = true;
        unlock(sys);
        return SYSDMA_OK;
    }
    if (!*link || base->count != count) {
        unlock(sys);
        return SYSDMA_E_NOT_OWNER;
    }
    *link = base->next_kept;
    a->kept_sets--;
    release_regs(a, base, false);
    unlock(sys);
    pump(sys, NULL, false);
    return SYSDMA_OK;
}

void sysdma__map_end(sysdma_adapter *a)
{
    sysdma_system *sys = a->sys;
    sysdma_map_registers *regs = a->map.holds_regs ? a->map.regs : NULL;
    a->map.active = false;
    a->map.holds_regs = false;
    if (regs) {
        sysdma__pool_give(sys, regs);
        give_regs(sys, regs);
        a->map.regs = NULL;
    }
    unlock(sys);
    if (regs)
        pump(sys, NULL, false); /* requests waiting for registers may go now */
}

/* Remove `r` from `q` (lock held); false when it is not there. */
static bool unqueue(request_queue *q, sysdma_request *r)
{
    sysdma_request **link = &q->head, *prev = NULL;
    while (*link && *link != r) {
        prev = *link;
        link = &(*link)->next;
    }
    if (!*link)
        return false;
    *link = r->next;
    if (q->tail == r)
        q->tail = prev;
    r->next = NULL;
    return true;
}

static sysdma_request *find_tag(request_queue *q, const sysdma_adapter *a, const void *tag)
{
    for (sysdma_request *r = q->head; r; r = r->next)
        if (r->adapter == a && r->tag == tag)
            return r;
    return NULL;
}

bool sysdma__request_waiting(sysdma_adapter *a, const void *tag)
{
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    bool found = find_tag(&a->waiting, a, tag) || find_tag(&sys->pool_waiting, a, tag);
    unlock(sys);
    return found;
}

bool sysdma__cancel_request(sysdma_adapter *a, const void *tag)
{
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    sysdma_request *r = find_tag(&a->waiting, a, tag);
    bool found = r && unqueue(&a->waiting, r);
    if (!found) {
        r = find_tag(&sys->pool_waiting, a, tag);
        found = r && unqueue(&sys->pool_waiting, r);
        if (found)
            a->owned = false; /* the channel it had reserved */
    }
    if (found) {
        a->queued--;
        if (r->regs)
            give_regs(sys, r->regs);
        give_request(sys, r);
    }
    unlock(sys);
    if (found)
        pump(sys, NULL, false); /* the next waiter may go now */
    return found;
}

sysdma_status sysdma__free_object(sysdma_adapter *a, sysdma_allocation_action action)
{
    sysdma_system *sys = a->sys;
    if (action < SYSDMA_KEEP_OBJECT || action > SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS)
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma__lock(sys);
    if (!a->granted) {
        unlock(sys);
        return SYSDMA_E_NOT_OWNER;
    }
    if (action == SYSDMA_KEEP_OBJECT) {
        unlock(sys);
        return SYSDMA_OK;
    }
    if (a->map.active && !a->master) {
        unlock(sys);
        return SYSDMA_E_WRONG_STATE;
    }
    release_channel(a, action == SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS);
    unlock(sys);
    pump(sys, NULL, false);
    return SYSDMA_OK;
}
