/* SPDX-License-Identifier: MIT */
/*
 * The chained runner and the completion paths. sysdma_sg_start programs a
 * list's first chunk on the adapter's channel — one element on the 8237,
 * up to query_fragments elements on a controller with hardware linked
 * lists — and each completion of a chunk programs the next; after the last
 * the channel is stopped and the driver's done routine runs (outside the
 * lock). The same completions end a MapTransferEx (v3.c).
 *
 * Completions come three ways. sysdma_channel_check (from the device's
 * interrupt handler) and sysdma_channel_poll (from a timer) ask the
 * controller to confirm terminal counts and advance the confirmed
 * channels. sysdma_controller_interrupt (from the controller's own
 * interrupt) takes handle_interrupt's report of completed and failed
 * channels and applies it in the same lock hold; a failure ends the run or
 * the MapTransferEx with SYSDMA_E_TRANSFER_ERROR. Each decision to advance
 * is made in the lock hold that acts on it, so a completion is delivered
 * once whichever path takes it first. A check or a report that finds
 * nothing due (a spurious or shared interrupt, an idle channel) changes
 * nothing. Cancels go through the controller's cancel (sysdma__ctrl_cancel)
 * and its three answers.
 *
 * A run holds the channel the way an AdapterControl grant does (owned, not
 * granted to a routine): it takes a free channel at once, takes over the
 * channel from the routine that starts it while holding it (a list-control
 * routine), and otherwise waits in the channel queue like any request —
 * its grant routine (run_granted) programs it. When it ends the channel
 * goes to the next waiter. Every run ends with exactly one done call:
 * finished, cancelled, failed, or failed to program.
 *
 * The controller is programmed from the core's copy of the elements (as
 * fragments), taken at the start and checked against the channel's limits
 * there.
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

/* Fragments one program of `a` may carry (lock held): the controller's
 * query_fragments (NULL: limits.max_fragments), at least 1 and at most
 * limits.max_fragments. */
static uint32_t fragments_per_program(const sysdma_adapter *a)
{
    uint32_t max = a->limits.max_fragments ? a->limits.max_fragments : 1;
    uint32_t n = a->ctrl->ops->query_fragments
                     ? a->ctrl->ops->query_fragments(a->ctrl->ctx, a->hw)
                     : max;
    if (n == 0)
        n = 1;
    return n < max ? n : max;
}

/* Bytes of the program on the channel. */
static uint32_t chunk_bytes(const sg_header *h)
{
    uint32_t bytes = 0;
    for (uint32_t k = 0; k < h->chunk && h->element + k < h->run_count; k++)
        bytes += h->run_frags[h->element + k].length;
    return bytes;
}

/* Program the run's next chunk, from its element `element` (lock held):
 * as many elements as the controller takes in one program (one on the
 * 8237; a controller with hardware linked lists gets them all at once, or
 * in chunks chained at each chunk's completion). */
static sysdma_status program(sg_header *h)
{
    sysdma_adapter *a = h->adapter;
    sysdma_system *sys = a->sys;
    uint32_t n = fragments_per_program(a);
    if (n > h->run_count - h->element)
        n = h->run_count - h->element;
    /* A program's bytes are counted in 32 bits (the counter, the
     * progress): a chunk ends before it would pass 4 GiB. */
    uint64_t bytes = h->run_frags[h->element].length;
    for (uint32_t k = 1; k < n; k++) {
        bytes += h->run_frags[h->element + k].length;
        if (bytes > 0xFFFFFFFFu) {
            n = k;
            break;
        }
    }
    h->chunk = n;
    sysdma_program prog = {
        .fragments = &h->run_frags[h->element],
        .count = n,
        .device_address = a->desc.device_address,
        .to_device = h->to_device,
        .loop = false,
        .mode = a->demand ? SYSDMA_XFER_DEMAND : SYSDMA_XFER_SINGLE,
        .request_line = sysdma__request_line(a),
        .shape = a->shape,
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
    sysdma_fragment *frags;
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
    done_call c = {h->done, a, h->caller, list_of(h), st, h->done_ctx, h->run_frags,
                   h->run_count};
    h->run_frags = NULL;
    h->run_count = 0;
    h->chunk = 0;
    return c;
}

/* End the run on the channel (lock held): stop the channel (unless
 * `stopped`: a cancel did) and let it go, unless the routine that started
 * the run still holds it. Returns whether the channel went free (the
 * caller grants the next waiter). */
static bool end_running(sysdma_adapter *a, sg_header *h, sysdma_status st, bool stopped,
                        done_call *out)
{
    if (!stopped)
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
    if (c->frags)
        sysdma__free(sys, c->frags, (size_t)c->count * sizeof *c->frags);
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
    size_t bytes = (size_t)count * sizeof(sysdma_fragment);
    sysdma_fragment *copy = sysdma__alloc(sys, bytes);
    if (!copy)
        return SYSDMA_E_NO_MEMORY;
    sysdma__lock(sys);
    /* Again: the lock was dropped for the allocation. */
    if (valid(a, list) != h || h->to_device != to_device || list->count != count)
        st = SYSDMA_E_INVALID_ARGUMENT;
    else if (h->running || h->queued || a->map.active)
        st = SYSDMA_E_WRONG_STATE;
    for (uint32_t k = 0; k < count && st == SYSDMA_OK; k++) {
        sysdma_sg_element e;
        memcpy(&e, &list->elements[k], sizeof e);
        if (!element_fits(a, &e))
            st = SYSDMA_E_INVALID_ARGUMENT; /* not what the list was built with */
        copy[k] = (sysdma_fragment){e.address, e.length};
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
    h->run_frags = copy;
    h->run_count = count;
    h->chunk = 0;
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
        sysdma__free(sys, c.frags, bytes);
        return st;
    }
    deliver(&c, false);
    return SYSDMA_PENDING;
}

/* Has `a` something due at terminal count (lock held): a run on the
 * channel, or a system adapter's pending MapTransferEx completion? */
static bool is_due(const sysdma_adapter *a)
{
    return a && !a->master &&
           ((a->run_head && a->run_head->running) || (a->v3_pending && a->map.active));
}

/* The adapter on channel `hw` of controller `k` (lock held; NULL: none). */
static sysdma_adapter *adapter_on(sysdma_system *sys, uint32_t k, unsigned hw)
{
    return sys->adapters[sys->ctrl_base[k] + hw];
}

/* Which of controller `k`'s channels in `hw` (bit n = its channel n) have
 * something due (lock held). */
static uint32_t awaiting_on(sysdma_system *sys, uint32_t k, uint32_t hw)
{
    uint32_t due = 0;
    for (unsigned n = 0; n < sys->ctrl_channels[k]; n++)
        if ((hw & (1u << n)) && is_due(adapter_on(sys, k, n)))
            due |= 1u << n;
    return due;
}

/* Which of controller `k`'s channels in `hw` that have something due it
 * confirms have reached terminal count (lock held). A controller that
 * keeps a record of terminal counts is asked once for all of them (the
 * 8237 reads each status register at most once); otherwise each channel's
 * counter speaks — 0 bytes left, or the terminal-count flag of
 * read_residue — and a controller with no counter (or an adapter told to
 * ignore it) is taken at its word. */
static uint32_t confirmed_on(sysdma_system *sys, uint32_t k, uint32_t hw)
{
    const sysdma_controller *c = &sys->ctrls[k];
    const sysdma_controller_ops *o = c->ops;
    uint32_t due = awaiting_on(sys, k, hw);
    if (!due)
        return 0;
    if (o->terminal_counts)
        return o->terminal_counts(c->ctx, due) & due;
    uint32_t yes = 0;
    for (unsigned n = 0; n < sys->ctrl_channels[k]; n++) {
        if (!(due & (1u << n)))
            continue;
        sysdma_adapter *a = adapter_on(sys, k, n);
        bool tc = true;
        if (a->limits.counter_available && !a->desc.ignore_count) {
            if (o->read_residue)
                (void)o->read_residue(c->ctx, n, &tc);
            else if (o->read_counter)
                tc = o->read_counter(c->ctx, n) == 0;
        }
        if (tc)
            yes |= 1u << n;
    }
    return yes;
}

/* What is due on channel `ch` (lock held): the bytes of the run's program
 * on the channel, or of the MapTransferEx mapping; 0 when nothing is due. */
static uint32_t due_bytes(sysdma_system *sys, unsigned ch)
{
    sysdma_adapter *a = sys->adapters[ch];
    if (!is_due(a))
        return 0;
    sg_header *h = a->run_head;
    if (h && h->running)
        return chunk_bytes(h);
    return a->map.length;
}

/* What ending a program calls once the lock is dropped. */
typedef struct finish {
    bool ended, freed;
    done_call call;                   /* a run's done call (ended) */
    sysdma_transfer_complete_fn v3_fn; /* or a MapTransferEx completion */
    void *v3_ctx;
    sysdma_adapter *v3_handle;
    sysdma_status v3_status;
} finish;

/* The program on channel `ch`, which has something due (awaiting), ended
 * (lock held): with `st` SYSDMA_OK it completed — the run goes on with its
 * next chunk, or ends; the MapTransferEx completes — otherwise it stopped
 * on an error, which ends the run or the MapTransferEx with `st`. What is
 * to be called goes to *out, to be made by deliver_finish. */
static void finish_locked(sysdma_system *sys, unsigned ch, sysdma_status st, finish *out)
{
    memset(out, 0, sizeof *out);
    sysdma_adapter *a = sys->adapters[ch];
    sg_header *h = a->run_head;
    if (h && h->running) {
        if (st == SYSDMA_OK) {
            h->done_bytes += chunk_bytes(h);
            h->element += h->chunk;
            if (h->element < h->run_count) {
                st = program(h);
                if (st == SYSDMA_OK)
                    return; /* still running */
            }
        }
        out->freed = end_running(a, h, st, false, &out->call);
        out->ended = true;
    } else if (sysdma__v3_terminal_count(a, &out->v3_fn, &out->v3_ctx, &out->v3_handle)) {
        out->v3_status = st;
    }
}

/* After the lock: the calls finish_locked collected. */
static void deliver_finish(const finish *f)
{
    if (f->ended)
        deliver(&f->call, f->freed);
    if (f->v3_fn)
        f->v3_fn(f->v3_handle, f->v3_ctx, f->v3_status);
}

/* Advance channel `hw` of controller `k`, whose terminal count the
 * controller confirmed — or, with `device_bytes` non-zero, whose device
 * counted exactly the bytes due (sysdma_channel_device_done): the run's
 * next chunk, or its end; or the MapTransferEx completion. */
static bool advance(sysdma_system *sys, uint32_t k, unsigned hw, uint32_t device_bytes)
{
    finish f = {0};
    unsigned ch = sys->ctrl_base[k] + hw;
    sysdma__lock(sys);
    /* Again under this lock hold: the state may have moved since the
     * confirmation (a cancel, a run's end from another thread, an
     * interrupt), and the channel may have been programmed anew (its
     * terminal count is then forgotten by the controller). */
    bool yes = device_bytes ? due_bytes(sys, ch) == device_bytes
                            : confirmed_on(sys, k, 1u << hw) != 0;
    if (yes)
        finish_locked(sys, ch, SYSDMA_OK, &f);
    sysdma__unlock(sys);
    deliver_finish(&f);
    return yes;
}

/* Check controller `k`'s channels in `hw`: those it confirms advance.
 * Returns them. */
static uint32_t check_on(sysdma_system *sys, uint32_t k, uint32_t hw)
{
    sysdma__lock(sys);
    uint32_t yes = confirmed_on(sys, k, hw);
    sysdma__unlock(sys);
    for (unsigned n = 0; n < sys->ctrl_channels[k]; n++)
        if ((yes & (1u << n)) && !advance(sys, k, n, 0))
            yes &= ~(1u << n); /* gone meanwhile */
    return yes;
}

/* Every channel of controller `k`. */
static uint32_t all_of(const sysdma_system *sys, uint32_t k)
{
    uint32_t n = sys->ctrl_channels[k];
    return n >= 32 ? 0xFFFFFFFFu : (1u << n) - 1u;
}

bool sysdma_channel_device_done(sysdma_system *sys, unsigned channel, uint32_t bytes)
{
    if (!sys || channel >= sys->ctrl_channels[0] || bytes == 0)
        return false;
    if (sysdma_channel_check(sys, 1u << channel))
        return true; /* the controller confirms: its word first */
    return advance(sys, 0, channel, bytes);
}

uint32_t sysdma_channel_check(sysdma_system *sys, uint32_t channels)
{
    return sys ? check_on(sys, 0, channels) : 0;
}

uint32_t sysdma_channel_poll(sysdma_system *sys)
{
    return sys ? check_on(sys, 0, all_of(sys, 0)) : 0;
}

void sysdma_terminal_count(sysdma_system *sys, uint32_t channels)
{
    (void)sysdma_channel_check(sys, channels);
}

/*
 * The controller's interrupt. Its handle_interrupt reports (and
 * acknowledges) the channels that completed or failed, and everything that
 * follows — the run's next chunk programmed or its end, the MapTransferEx
 * completion — is decided in the same lock hold, so no check or cancel on
 * another CPU comes between the report and its effect: a completion is
 * delivered once, by whichever of them gets the lock first (a controller
 * forgets a channel's unreported completion when it is programmed anew).
 * Channels reported with nothing due (idle, a packet transfer without a
 * completion routine, a run already cancelled) change nothing.
 */
/* Controller `k`'s report, taken and applied (lock held): what is to be
 * called goes to f[] (*n of them, at most its channel count). Returns
 * the channels reported (bit n = its channel n). */
static uint32_t interrupt_locked(sysdma_system *sys, uint32_t k, finish *f, unsigned *n)
{
    const sysdma_controller *c = &sys->ctrls[k];
    uint32_t completed = 0, failed = 0;
    if (!c->ops->handle_interrupt(c->ctx, &completed, &failed))
        completed = failed = 0;
    completed &= ~failed; /* a channel is in one set at most: failure wins */
    uint32_t due = awaiting_on(sys, k, completed | failed);
    for (unsigned hw = 0; hw < sys->ctrl_channels[k]; hw++)
        if (due & (1u << hw))
            finish_locked(sys, sys->ctrl_base[k] + hw,
                          failed & (1u << hw) ? SYSDMA_E_TRANSFER_ERROR : SYSDMA_OK, &f[(*n)++]);
    return completed | failed;
}

uint32_t sysdma_controller_interrupt(sysdma_system *sys, unsigned controller)
{
    if (!sys || controller >= atomic_load_explicit(&sys->n_ctrls, memory_order_acquire))
        return 0;
    if (!sys->ctrls[controller].ops->handle_interrupt)
        return check_on(sys, controller, all_of(sys, controller)); /* polled */
    finish f[SYSDMA_CTRL_CHANNELS];
    unsigned n = 0;
    sysdma__lock(sys);
    uint32_t reported = interrupt_locked(sys, controller, f, &n);
    sysdma__unlock(sys);
    for (unsigned k = 0; k < n; k++)
        deliver_finish(&f[k]);
    return reported;
}

void sysdma__complete_now(sysdma_adapter *a)
{
    sysdma_system *sys = a->sys;
    finish f[SYSDMA_CTRL_CHANNELS + 1];
    unsigned n = 0;
    uint32_t k = (uint32_t)(a->ctrl - sys->ctrls);
    if (a->ctrl->ops->handle_interrupt)
        (void)interrupt_locked(sys, k, f, &n);
    if (is_due(a))
        finish_locked(sys, a->channel, SYSDMA_OK, &f[n++]);
    sysdma__unlock(sys);
    for (unsigned i = 0; i < n; i++)
        deliver_finish(&f[i]);
}

sysdma_cancel_result sysdma__ctrl_cancel(sysdma_adapter *a)
{
    const sysdma_controller_ops *o = a->ctrl->ops;
    void *ctx = a->ctrl->ctx;
    unsigned hw = a->hw;
    if (o->cancel) {
        sysdma_cancel_result r = SYSDMA_CANCEL_DONE;
        sysdma_status st = o->cancel(ctx, hw, &r);
        if (st == SYSDMA_OK && r == SYSDMA_CANCEL_TOO_LATE)
            return SYSDMA_CANCEL_TOO_LATE;
        /* Refused, or nothing running there that the core knew of:
         * stopped all the same, and ended here. */
        if (st != SYSDMA_OK || r != SYSDMA_CANCEL_DONE)
            o->flush(ctx, hw);
        return SYSDMA_CANCEL_DONE;
    }
    o->flush(ctx, hw);
    bool tc = false;
    if (o->terminal_counts) {
        tc = (o->terminal_counts(ctx, 1u << hw) >> hw) & 1u;
    } else if (a->limits.counter_available && !a->desc.ignore_count) {
        if (o->read_residue)
            (void)o->read_residue(ctx, hw, &tc);
        else if (o->read_counter)
            tc = o->read_counter(ctx, hw) == 0;
    }
    return tc ? SYSDMA_CANCEL_TOO_LATE : SYSDMA_CANCEL_DONE;
}

/* Bytes of the running chunk that moved before the controller stopped it
 * (lock held, channel stopped): so a cancelled list's progress still
 * counts them (a receive cancelled at a timeout must know what came). A
 * channel without a counter, or told to ignore it: none known. */
static uint32_t stopped_part(sysdma_adapter *a, const sg_header *h)
{
    const sysdma_controller_ops *o = a->ctrl->ops;
    if (!a->limits.counter_available || a->desc.ignore_count)
        return 0;
    uint32_t len = chunk_bytes(h), left = len;
    bool tc = false;
    if (o->read_residue)
        left = o->read_residue(a->ctrl->ctx, a->hw, &tc);
    else if (o->read_counter)
        left = o->read_counter(a->ctrl->ctx, a->hw);
    return left <= len ? len - left : 0;
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
        /* The controller says what it found. Too late for the run's last
         * chunk: the run is complete, and its completion is taken now as
         * the interrupt would (the done call hears SYSDMA_OK, or the
         * controller's error). Too late for an earlier chunk: the rest is
         * never programmed, the run ends cancelled. */
        sysdma_cancel_result r = sysdma__ctrl_cancel(a);
        if (r == SYSDMA_CANCEL_TOO_LATE && h->element + h->chunk >= h->run_count) {
            sysdma__complete_now(a); /* unlocks */
            return SYSDMA_OK;
        }
        if (r == SYSDMA_CANCEL_TOO_LATE)
            h->done_bytes += chunk_bytes(h);
        else
            h->done_bytes += stopped_part(a, h);
        freed = end_running(a, h, SYSDMA_E_CANCELLED, true, &call);
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
            uint32_t len = chunk_bytes(h);
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
