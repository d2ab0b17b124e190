/*
 * The chained runner: sysdma_sg_start programs a list's element 0 on the
 * adapter's channel; sysdma_terminal_count, called from whatever reports
 * the channel's terminal count, programs the next element and, after the
 * last, stops the channel, starts the next waiting list and calls the
 * driver's done routine (outside the lock).
 */
#include "sg_internal.h"

/* Program the run's current element (lock held). */
static sysdma_status program(sg_header *h)
{
    sysdma_adapter *a = h->adapter;
    sysdma_system *sys = a->sys;
    const sysdma_sg_element *e = &list_of(h)->elements[h->element];
    sysdma_fragment frag = {e->address, e->length};
    sysdma_program prog = {
        .fragments = &frag,
        .count = 1,
        .device_address = a->desc.device_address,
        .to_device = h->to_device,
        .loop = false,
        .mode = a->demand ? SYSDMA_XFER_DEMAND : SYSDMA_XFER_SINGLE,
    };
    sysdma_status st = sys->ctrl.ops->program(sys->ctrl.ctx, a->channel, &prog);
    if (st == SYSDMA_OK) {
        a->stats.transfers++;
        sys->stats.transfers++;
    }
    return st;
}

/* Finish the head run (lock held): stop the channel, take it off, start
 * the next waiting list. Returns the finished run. */
static sg_header *finish_head(sysdma_adapter *a)
{
    sysdma_system *sys = a->sys;
    sg_header *h = a->run_head;
    sys->ctrl.ops->flush(sys->ctrl.ctx, a->channel);
    h->running = false;
    a->run_head = h->next_run;
    if (!a->run_head)
        a->run_tail = NULL;
    h->next_run = NULL;
    return h;
}

typedef struct done_call {
    sysdma_sg_done_fn fn;
    sysdma_adapter *a;
    sysdma_sg_list *list;
    sysdma_status status;
    void *ctx;
} done_call;

/* Start waiting runs until one is on the channel (lock held); a run whose
 * programming fails finishes with that status, reported in `failed`. */
static unsigned start_next(sysdma_adapter *a, done_call *failed, unsigned room)
{
    unsigned n = 0;
    while (a->run_head && !a->run_head->running) {
        sg_header *h = a->run_head;
        h->queued = false;
        h->running = true;
        sysdma_status st = program(h);
        if (st == SYSDMA_OK)
            break;
        finish_head(a);
        if (n < room)
            failed[n++] = (done_call){h->done, h->caller, list_of(h), st, h->done_ctx};
    }
    return n;
}

static void call_done(const done_call *c, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        if (c[k].fn)
            c[k].fn(c[k].a, c[k].list, c[k].status, c[k].ctx);
}

sysdma_status sysdma__sg_start(sysdma_adapter *a, sysdma_adapter *caller, sysdma_sg_list *list,
                               bool to_device, sysdma_sg_done_fn done, void *context)
{
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    sg_header *h = valid(a, list);
    sysdma_status st = SYSDMA_OK;
    if (!h || h->to_device != to_device)
        st = SYSDMA_E_INVALID_ARGUMENT;
    else if (h->running || h->queued || a->map.active)
        st = SYSDMA_E_WRONG_STATE;
    if (st != SYSDMA_OK) {
        sysdma__unlock(sys);
        return st;
    }
    h->done = done;
    h->done_ctx = context;
    h->caller = caller;
    h->element = 0;
    h->done_bytes = 0;
    h->finished = false;
    h->next_run = NULL;
    if (a->run_head) {
        a->run_tail->next_run = h;
        a->run_tail = h;
        h->queued = true;
        sysdma__unlock(sys);
        return SYSDMA_PENDING;
    }
    h->running = true;
    st = program(h);
    if (st == SYSDMA_OK) {
        a->run_head = a->run_tail = h;
    } else {
        h->running = false;
    }
    sysdma__unlock(sys);
    return st;
}

void sysdma_terminal_count(sysdma_system *sys, uint32_t channels)
{
    if (!sys)
        return;
    for (unsigned ch = 0; ch < SYSDMA_MAX_CHANNELS; ch++) {
        if (!(channels & (1u << ch)))
            continue;
        done_call calls[4];
        unsigned n = 0;
        sysdma__lock(sys);
        sysdma_adapter *a = sys->adapters[ch];
        sg_header *h = a ? a->run_head : NULL;
        sysdma_transfer_complete_fn v3_fn = NULL;
        void *v3_ctx = NULL;
        sysdma_adapter *v3_handle = NULL;
        if (!h && a)
            (void)sysdma__v3_terminal_count(a, &v3_fn, &v3_ctx, &v3_handle);
        if (h && h->running) {
            sysdma_sg_list *l = list_of(h);
            h->done_bytes += l->elements[h->element].length;
            h->element++;
            sysdma_status st = SYSDMA_OK;
            if (h->element < l->count) {
                st = program(h);
                if (st == SYSDMA_OK)
                    h = NULL; /* still running */
            }
            if (h) {
                finish_head(a);
                h->finished = st == SYSDMA_OK;
                calls[n++] = (done_call){h->done, h->caller, l, st, h->done_ctx};
                n += start_next(a, calls + n, 4 - n);
            }
        }
        sysdma__unlock(sys);
        call_done(calls, n);
        if (v3_fn)
            v3_fn(v3_handle, v3_ctx, SYSDMA_OK);
    }
}

sysdma_status sysdma__sg_cancel(sysdma_adapter *a, sysdma_sg_list *list)
{
    sysdma_system *sys = a->sys;
    done_call calls[4];
    unsigned n = 0;
    sysdma__lock(sys);
    sg_header *h = valid(a, list);
    if (!h || !(h->running || h->queued)) {
        sysdma__unlock(sys);
        return h ? SYSDMA_E_WRONG_STATE : SYSDMA_E_INVALID_ARGUMENT;
    }
    if (h->running) {
        finish_head(a);
        calls[n++] = (done_call){h->done, h->caller, list, SYSDMA_E_CANCELLED, h->done_ctx};
        n += start_next(a, calls + n, 4 - n);
    } else {
        sg_header **link = &a->run_head;
        sg_header *prev = NULL;
        while (*link != h) {
            prev = *link;
            link = &(*link)->next_run;
        }
        *link = h->next_run;
        if (a->run_tail == h)
            a->run_tail = prev;
        h->queued = false;
        h->next_run = NULL;
        calls[n++] = (done_call){h->done, h->caller, list, SYSDMA_E_CANCELLED, h->done_ctx};
    }
    sysdma__unlock(sys);
    call_done(calls, n);
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
        if (h->running && h->element < list->count) {
            uint32_t len = list->elements[h->element].length;
            uint32_t left = a->limits.counter_available && sys->ctrl.ops->read_counter
                                ? sys->ctrl.ops->read_counter(sys->ctrl.ctx, a->channel)
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
