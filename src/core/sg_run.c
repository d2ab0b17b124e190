/* SPDX-License-Identifier: MIT */
/*
 * The chained runner: sysdma_sg_start programs a list's element 0 on the
 * adapter's channel; sysdma_channel_check, called from the device's
 * interrupt handler (or sysdma_channel_poll, from a timer), programs the
 * next element once the controller confirms the current one reached
 * terminal count and, after the last, stops the channel and calls the
 * driver's done routine (outside the lock). The same check completes a
 * MapTransferEx (v3.c). A check that finds no terminal count (a spurious
 * or shared interrupt, a device that interrupted for something else)
 * changes nothing.
 *
 * A run holds the channel the way an AdapterControl grant does (owned, not
 * granted to a routine): it takes a free channel at once, takes over the
 * channel from the routine that starts it while holding it (a list-control
 * routine), and otherwise waits in the channel queue like any request —
 * its grant routine (run_granted) programs it. When it ends the channel
 * goes to the next waiter. Every run ends with exactly one done call:
 * finished, cancelled, or failed to program.
 *
 * The controller is programmed from the core's copy of the elements, taken
 * at the start and checked against the channel's limits there.
 */
#include "sg_internal.h"

/* Can the channel take this element as it is? */
static bool element_fits(const sysdma_adapter *a, const sysdma_sg_element *e)
{
    if (e->length == 0 || e->length > a->max_transfer)
        return false;
    uint64_t end = e->address + e->length - 1;
    if (end < e->address)
        return false;
    if (a->limits.address_bits < 64 && end >> a->limits.address_bits)
        return false;
    if (a->limits.boundary && ((e->address ^ end) & ~(uint64_t)(a->limits.boundary - 1)))
        return false;
    uint32_t w = a->limits.width;
    return w <= 1 || !((e->address | e->length) & (w - 1u));
}

/* Program the run's current element (lock held). */
static sysdma_status program(sg_header *h)
{
    sysdma_adapter *a = h->adapter;
    sysdma_system *sys = a->sys;
    const sysdma_sg_element *e = &h->run_elements[h->element];
    sysdma_fragment frag = {e->address, e->length};
    sysdma_program prog = {
        .fragments = &frag,
        .count = 1,
        .device_address = a->desc.device_address,
        .to_device = h->to_device,
        .loop = false,
        .mode = a->demand ? SYSDMA_XFER_DEMAND : SYSDMA_XFER_SINGLE,
    };
    sysdma_status st = a->ctrl->ops->program(a->ctrl->ctx, a->hw, &prog);
    if (st == SYSDMA_OK) {
        a->stats.transfers++;
        sys->stats.transfers++;
    }
    return st;
}

/* The run chain (lock held): the run on the channel first, then the runs
 * waiting for it in start order. */
static void unlink_run(sysdma_adapter *a, sg_header *h)
{
    sg_header **link = &a->run_head, *prev = NULL;
    while (*link && *link != h) {
        prev = *link;
        link = &(*link)->next_run;
    }
    if (!*link)
        return;
    *link = h->next_run;
    if (a->run_tail == h)
        a->run_tail = prev;
    h->next_run = NULL;
}

static void append_run(sysdma_adapter *a, sg_header *h)
{
    h->next_run = NULL;
    if (a->run_tail)
        a->run_tail->next_run = h;
    else
        a->run_head = h;
    a->run_tail = h;
}

static void push_run(sysdma_adapter *a, sg_header *h)
{
    h->next_run = a->run_head;
    a->run_head = h;
    if (!a->run_tail)
        a->run_tail = h;
}

/* One done call, made after the lock is dropped; the copy of the
 * elements goes back then too. */
typedef struct done_call {
    sysdma_sg_done_fn fn;
    sysdma_adapter *a;
    sysdma_adapter *caller;        /* the handle the run was started with */
    sysdma_sg_list *list;
    sysdma_status status;
    void *ctx;
    sysdma_sg_element *elements;
    uint32_t count;
} done_call;

/* End the run `h`, which is not on the channel (lock held). */
static done_call end_run(sysdma_adapter *a, sg_header *h, sysdma_status st)
{
    unlink_run(a, h);
    h->running = false;
    h->queued = false;
    h->cancelled = false;
    h->finished = st == SYSDMA_OK;
    done_call c = {h->done, a, h->caller, list_of(h), st, h->done_ctx, h->run_elements,
                   h->run_count};
    h->run_elements = NULL;
    h->run_count = 0;
    return c;
}

/* End the run on the channel (lock held): stop the channel and let it go,
 * unless the routine that started the run still holds it. Returns whether
 * the channel went free (the caller grants the next waiter). */
static bool end_running(sysdma_adapter *a, sg_header *h, sysdma_status st, done_call *out)
{
    a->ctrl->ops->flush(a->ctrl->ctx, a->hw);
    *out = end_run(a, h, st);
    if (a->granted)
        return false;
    a->owned = false;
    return true;
}

/* After the lock: the done call, the copy freed, the next waiter served. */
static void deliver(const done_call *c, bool pump)
{
    sysdma_system *sys = c->a->sys;
    if (c->elements)
        sysdma__free(sys, c->elements, (size_t)c->count * sizeof *c->elements);
    if (c->fn)
        c->fn(c->caller, c->list, c->status, c->ctx);
    if (pump)
        sysdma__pump(sys);
}

/* The grant routine of a run that waited in the channel queue: program it
 * and keep the channel for it, or end it (cancelled meanwhile, or the
 * controller refused) and let the channel go to the next waiter. */
static sysdma_allocation_action run_granted(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    (void)regs;
    sg_header *h = ctx;
    sysdma_adapter *a = h->adapter;
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    SYSDMA_ASSERT(h->queued); /* a queued list cannot be put */
    sysdma_status st = SYSDMA_E_CANCELLED;
    if (!h->cancelled) {
        unlink_run(a, h);
        push_run(a, h);
        h->queued = false;
        h->running = true;
        st = program(h);
        if (st == SYSDMA_OK) {
            /* The run holds the channel now, not a routine. */
            a->granted = false;
            a->in_routine = false;
            sysdma__unlock(sys);
            return SYSDMA_KEEP_OBJECT;
        }
        a->ctrl->ops->flush(a->ctrl->ctx, a->hw);
    }
    done_call c = end_run(a, h, st);
    sysdma__unlock(sys);
    deliver(&c, false); /* the grant's release serves the next waiter */
    return SYSDMA_DEALLOCATE_OBJECT;
}

sysdma_status sysdma__sg_start(sysdma_adapter *a, sysdma_adapter *caller, sysdma_sg_list *list,
                               bool to_device, sysdma_sg_done_fn done, void *context)
{
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    sg_header *h = valid(a, list);
    sysdma_status st = SYSDMA_OK;
    uint32_t count = 0;
    if (!h || h->to_device != to_device)
        st = SYSDMA_E_INVALID_ARGUMENT;
    else if (h->running || h->queued || a->map.active)
        st = SYSDMA_E_WRONG_STATE;
    else if ((count = built_elements(h)) == 0 || list->count != count)
        st = SYSDMA_E_INVALID_ARGUMENT; /* its count was written over */
    sysdma__unlock(sys);
    if (st != SYSDMA_OK)
        return st;
    size_t bytes = (size_t)count * sizeof(sysdma_sg_element);
    sysdma_sg_element *copy = sysdma__alloc(sys, bytes);
    if (!copy)
        return SYSDMA_E_NO_MEMORY;
    sysdma__lock(sys);
    /* Again: the lock was dropped for the allocation. */
    if (valid(a, list) != h || h->to_device != to_device || list->count != count)
        st = SYSDMA_E_INVALID_ARGUMENT;
    else if (h->running || h->queued || a->map.active)
        st = SYSDMA_E_WRONG_STATE;
    if (st == SYSDMA_OK) {
        memcpy(copy, list->elements, bytes);
        for (uint32_t k = 0; k < count && st == SYSDMA_OK; k++)
            if (!element_fits(a, &copy[k]))
                st = SYSDMA_E_INVALID_ARGUMENT; /* not what the list was built with */
    }
    if (st != SYSDMA_OK) {
        sysdma__unlock(sys);
        sysdma__free(sys, copy, bytes);
        return st;
    }
    h->done = done;
    h->done_ctx = context;
    h->caller = caller;
    h->element = 0;
    h->done_bytes = 0;
    h->finished = false;
    h->cancelled = false;
    h->run_elements = copy;
    h->run_count = count;
    /* The channel free, or held by the routine starting the run (a list
     * control routine): the run takes it now. */
    bool take = !a->owned && !a->waiting.head;
    bool handed = a->granted && a->in_routine && !a->run_head;
    if (take || handed) {
        if (take)
            a->owned = true;
        h->running = true;
        push_run(a, h);
        st = program(h);
        if (st != SYSDMA_OK) {
            a->ctrl->ops->flush(a->ctrl->ctx, a->hw);
            end_run(a, h, st);
            if (take)
                a->owned = false;
            sysdma__unlock(sys);
            sysdma__free(sys, copy, bytes);
            return st;
        }
        sysdma__unlock(sys);
        return SYSDMA_OK;
    }
    /* Otherwise it waits in the channel queue, after those already there.
     * Once its request is queued, h is not touched here again: its grant
     * may come, run and end it (and the driver put the list) at once. */
    h->queued = true;
    append_run(a, h);
    sysdma__unlock(sys);
    st = sysdma__allocate(a, NULL, 0, run_granted, h, h, false, NULL);
    if (st == SYSDMA_OK || st == SYSDMA_PENDING)
        return st; /* SYSDMA_OK: the channel came free meanwhile and the run
                    * started (or its refusal went to the done call) */
    /* Never queued: still ours. A cancel that came meanwhile was promised
     * a done call; otherwise the refusal is the answer. */
    sysdma__lock(sys);
    bool cancelled = h->cancelled;
    done_call c = end_run(a, h, SYSDMA_E_CANCELLED);
    sysdma__unlock(sys);
    if (!cancelled) {
        sysdma__free(sys, c.elements, bytes);
        return st;
    }
    deliver(&c, false);
    return SYSDMA_PENDING;
}

/* Channels with something due at terminal count (lock held): a run on
 * the channel, or a system adapter's pending MapTransferEx completion. */
static uint32_t awaiting(sysdma_system *sys, uint32_t channels)
{
    uint32_t due = 0;
    for (unsigned ch = 0; ch < sys->ctrl_channels[0]; ch++) {
        sysdma_adapter *a = sys->adapters[ch];
        if (!(channels & (1u << ch)) || !a || a->master)
            continue;
        if ((a->run_head && a->run_head->running) || (a->v3_pending && a->map.active))
            due |= 1u << ch;
    }
    return due;
}

/* Which of `due` the controller confirms have reached terminal count
 * (lock held). A controller that keeps a record of terminal counts is
 * asked once for all of them (the 8237 reads each status register at most
 * once); otherwise each channel's counter speaks — 0 bytes left, or the
 * terminal-count flag of read_residue — and a controller with no counter
 * (or an adapter told to ignore it) is taken at its word. */
static uint32_t confirmed(sysdma_system *sys, uint32_t due)
{
    const sysdma_controller_ops *o = sys->ctrl.ops;
    if (o->terminal_counts)
        return o->terminal_counts(sys->ctrl.ctx, due) & due;
    uint32_t yes = 0;
    for (unsigned ch = 0; ch < sys->ctrl_channels[0]; ch++) {
        sysdma_adapter *a = sys->adapters[ch];
        if (!(due & (1u << ch)))
            continue;
        bool tc = true;
        if (a->limits.counter_available && !a->desc.ignore_count) {
            if (o->read_residue)
                (void)o->read_residue(sys->ctrl.ctx, ch, &tc);
            else if (o->read_counter)
                tc = o->read_counter(sys->ctrl.ctx, ch) == 0;
        }
        if (tc)
            yes |= 1u << ch;
    }
    return yes;
}

/* What is due on channel `ch` (lock held): the bytes of the run's current
 * element, or of the MapTransferEx mapping; 0 when nothing is due. */
static uint32_t due_bytes(sysdma_system *sys, unsigned ch)
{
    if (!awaiting(sys, 1u << ch))
        return 0;
    sysdma_adapter *a = sys->adapters[ch];
    sg_header *h = a->run_head;
    if (h && h->running)
        return h->element < h->run_count ? h->run_elements[h->element].length : 0;
    return a->map.length;
}

/* Advance channel `ch`, whose terminal count the controller confirmed —
 * or, with `device_bytes` non-zero, whose device counted exactly the bytes
 * due (sysdma_channel_device_done): the run's next element, or its end;
 * or the MapTransferEx completion. */
static bool advance(sysdma_system *sys, unsigned ch, uint32_t device_bytes)
{
    done_call call;
    bool ended = false, freed = false, moved = false;
    sysdma_transfer_complete_fn v3_fn = NULL;
    void *v3_ctx = NULL;
    sysdma_adapter *v3_handle = NULL;
    sysdma__lock(sys);
    /* Again under this lock hold: the state may have moved since the
     * confirmation (a cancel, a run's end from another thread), and the
     * channel may have been programmed anew (its terminal count is then
     * forgotten by the controller). */
    bool yes = device_bytes ? due_bytes(sys, ch) == device_bytes
                            : confirmed(sys, awaiting(sys, 1u << ch)) != 0;
    if (yes) {
        moved = true;
        sysdma_adapter *a = sys->adapters[ch];
        sg_header *h = a->run_head;
        if (h && h->running) {
            h->done_bytes += h->run_elements[h->element].length;
            h->element++;
            sysdma_status st = SYSDMA_OK;
            if (h->element < h->run_count) {
                st = program(h);
                if (st == SYSDMA_OK)
                    h = NULL; /* still running */
            }
            if (h) {
                freed = end_running(a, h, st, &call);
                ended = true;
            }
        } else {
            (void)sysdma__v3_terminal_count(a, &v3_fn, &v3_ctx, &v3_handle);
        }
    }
    sysdma__unlock(sys);
    if (ended)
        deliver(&call, freed);
    if (v3_fn)
        v3_fn(v3_handle, v3_ctx, SYSDMA_OK);
    return moved;
}

bool sysdma_channel_device_done(sysdma_system *sys, unsigned channel, uint32_t bytes)
{
    if (!sys || channel >= sys->ctrl_channels[0] || bytes == 0)
        return false;
    if (sysdma_channel_check(sys, 1u << channel))
        return true; /* the controller confirms: its word first */
    return advance(sys, channel, bytes);
}

uint32_t sysdma_channel_check(sysdma_system *sys, uint32_t channels)
{
    if (!sys)
        return 0;
    sysdma__lock(sys);
    uint32_t yes = confirmed(sys, awaiting(sys, channels));
    sysdma__unlock(sys);
    for (unsigned ch = 0; ch < sys->ctrl_channels[0]; ch++)
        if ((yes & (1u << ch)) && !advance(sys, ch, 0))
            yes &= ~(1u << ch); /* gone meanwhile */
    return yes;
}

uint32_t sysdma_channel_poll(sysdma_system *sys)
{
    if (!sys)
        return 0;
    uint32_t n = sys->ctrl_channels[0];
    return sysdma_channel_check(sys, n >= 32 ? 0xFFFFFFFFu : (1u << n) - 1u);
}

void sysdma_terminal_count(sysdma_system *sys, uint32_t channels)
{
    (void)sysdma_channel_check(sys, channels);
}

sysdma_status sysdma__sg_cancel(sysdma_adapter *a, sysdma_sg_list *list)
{
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    sg_header *h = valid(a, list);
    if (!h || !(h->running || h->queued) || h->cancelled) {
        sysdma__unlock(sys);
        return h ? SYSDMA_E_WRONG_STATE : SYSDMA_E_INVALID_ARGUMENT;
    }
    bool withdrawn = false;
    if (h->queued) {
        /* Withdraw its request from the channel queue (which takes the
         * lock); a queued list cannot be put, so h stays valid. */
        sysdma__unlock(sys);
        withdrawn = sysdma__cancel_request(a, h);
        sysdma__lock(sys);
    }
    done_call call;
    bool freed = false;
    if (withdrawn) {
        SYSDMA_ASSERT(h->queued);
        call = end_run(a, h, SYSDMA_E_CANCELLED);
    } else if (h->running) {
        freed = end_running(a, h, SYSDMA_E_CANCELLED, &call);
    } else if (h->queued && !h->cancelled) {
        /* Granted and its routine not run yet, or its start has not
         * queued the request yet: the grant routine ends it. */
        h->cancelled = true;
        sysdma__unlock(sys);
        return SYSDMA_OK;
    } else {
        sysdma__unlock(sys); /* another cancel or the run's end came first */
        return SYSDMA_E_WRONG_STATE;
    }
    sysdma__unlock(sys);
    deliver(&call, freed);
    return SYSDMA_OK;
}

uint64_t sysdma__sg_progress(sysdma_adapter *a, const sysdma_sg_list *list)
{
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    sg_header *h = valid(a, list);
    uint64_t moved = 0;
    if (h) {
        moved = h->done_bytes;
        if (h->running && h->element < h->run_count) {
            uint32_t len = h->run_elements[h->element].length;
            uint32_t left = a->limits.counter_available && a->ctrl->ops->read_counter
                                ? a->ctrl->ops->read_counter(a->ctrl->ctx, a->hw)
                                : len;
            moved += left <= len ? len - left : 0;
        }
    }
    sysdma__unlock(sys);
    return moved;
}

bool sysdma__sg_running(const sg_header *h)
{
    return h->running;
}

const sg_header *sysdma__sg_next_run(const sg_header *h)
{
    return h->next_run;
}
