/* SPDX-License-Identifier: MIT */
/*
 * Adapters (IoGetDmaAdapter / PutDmaAdapter) and the public wrappers.
 *
 * One adapter per controller channel, shared by every description that
 * names the channel and reference-counted; the latest description's
 * settings apply. A description is validated whole before anything
 * changes. Public functions are thin calls through the adapter's
 * operations table (system adapters get system_ops); a NULL member gives
 * SYSDMA_E_NOT_SUPPORTED, so a decorating table (the verifier) or another
 * adapter kind only has to fill in what it does.
 */
#include "internal.h"

/*
 * The core's tables. Their members take the caller's handle, as every
 * operations table does (a decorator sees the handle the driver used); each
 * looks it up and calls the core's function for the adapter object.
 */
#define OBJ(h, fail)                                      \
    sysdma_adapter *a = sysdma__resolve(h, NULL);         \
    if (!a)                                               \
    return fail

static sysdma_status h_put(sysdma_adapter *h)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__put_adapter(a);
}
static sysdma_status h_allocate(sysdma_adapter *h, void *d, uint32_t n,
                                sysdma_adapter_control_fn f, void *c)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__allocate_channel(a, d, n, f, c);
}
static sysdma_status h_free(sysdma_adapter *h)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__free_channel(a);
}
static sysdma_status h_free_regs(sysdma_adapter *h, sysdma_map_registers *b, uint32_t n)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__free_map_registers(a, b, n);
}
static sysdma_status h_map(sysdma_adapter *h, sysdma_mdl *m, sysdma_map_registers *r, void *va,
                           uint32_t *len, bool dir, uint64_t *lg)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__map_transfer(a, m, r, va, len, dir, lg);
}
static sysdma_status h_flush(sysdma_adapter *h, sysdma_mdl *m, sysdma_map_registers *r, void *va,
                             uint32_t len, bool dir)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__flush(a, m, r, va, len, dir);
}
static uint32_t h_counter(sysdma_adapter *h)
{
    OBJ(h, 0);
    return sysdma__read_counter(a);
}
static uint32_t h_alignment(sysdma_adapter *h)
{
    OBJ(h, 1);
    return sysdma__alignment(a);
}
static sysdma_status h_common(sysdma_adapter *h, uint32_t len, bool c, void **va, uint64_t *lg)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__allocate_common(a, len, c, va, lg);
}
static sysdma_status h_common_free(sysdma_adapter *h, uint32_t len, uint64_t lg, void *va, bool c)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__free_common(a, len, lg, va, c);
}
static sysdma_status h_sg_get(sysdma_adapter *h, void *d, sysdma_mdl *m, void *va, uint32_t len,
                              sysdma_list_control_fn f, void *c, bool dir)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__sg_get(a, d, m, va, len, f, c, dir);
}
static sysdma_status h_sg_put(sysdma_adapter *h, sysdma_sg_list *l, bool dir)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__sg_put(a, l, dir);
}
static sysdma_status h_sg_calculate(sysdma_adapter *h, sysdma_mdl *m, void *va, uint32_t len,
                                    uint32_t *size, uint32_t *regs)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__sg_calculate(a, m, va, len, size, regs);
}
static sysdma_status h_sg_build(sysdma_adapter *h, void *d, sysdma_mdl *m, void *va, uint32_t len,
                                sysdma_list_control_fn f, void *c, bool dir, void *buf,
                                uint32_t *size)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__sg_build(a, d, m, va, len, f, c, dir, buf, size);
}
static sysdma_status h_sg_build_mdl(sysdma_adapter *h, sysdma_sg_list *l, const sysdma_mdl *o,
                                    sysdma_mdl **out)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__sg_build_mdl(a, l, o, out);
}
static sysdma_status h_sg_start(sysdma_adapter *h, sysdma_sg_list *l, bool dir,
                                sysdma_sg_done_fn done, void *c)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__sg_start(a, h, l, dir, done, c);
}
static sysdma_status h_sg_cancel(sysdma_adapter *h, sysdma_sg_list *l)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__sg_cancel(a, l);
}
static uint64_t h_sg_progress(sysdma_adapter *h, const sysdma_sg_list *l)
{
    OBJ(h, 0);
    return sysdma__sg_progress(a, l);
}
static sysdma_status h_allocate_ex(sysdma_adapter *h, void *d, sysdma_transfer_context *ctx,
                                   uint32_t n, uint32_t flags, sysdma_adapter_control_fn f,
                                   void *c, sysdma_map_registers **base)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    sysdma_status st = sysdma__v3_allocate(a, d, ctx, n, flags, f, c, base);
    return st == SYSDMA_E_INVALID_ARGUMENT ? sysdma__refused(h, "sysdma_channel_allocate_ex", st)
                                           : st;
}
static bool h_cancel(sysdma_adapter *h, sysdma_transfer_context *ctx)
{
    OBJ(h, false);
    return sysdma__v3_cancel(a, ctx);
}
static sysdma_status h_free_object(sysdma_adapter *h, sysdma_allocation_action act)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__free_object(a, act);
}
static sysdma_status h_common_ex(sysdma_adapter *h, uint64_t max, uint32_t len, bool c, void **va,
                                 uint64_t *lg)
{
    OBJ(h, SYSDMA_E_INVALID_ARGUMENT);
    return sysdma__allocate_common_ex(a, max, len, c, va, lg);
}

static const sysdma_dma_operations system_ops = {
    .size = sizeof(sysdma_dma_operations),
    .put_adapter = h_put,
    .allocate_channel = h_allocate,
    .free_channel = h_free,
    .free_map_registers = h_free_regs,
    .map_transfer = h_map,
    .flush_adapter_buffers = h_flush,
    .read_dma_counter = h_counter,
    .get_dma_alignment = h_alignment,
    .allocate_common_buffer = h_common,
    .free_common_buffer = h_common_free,
    .get_scatter_gather_list = h_sg_get,
    .put_scatter_gather_list = h_sg_put,
    .calculate_scatter_gather_list = h_sg_calculate,
    .build_scatter_gather_list = h_sg_build,
    .build_mdl_from_scatter_gather_list = h_sg_build_mdl,
    .sg_start = h_sg_start,
    .sg_cancel = h_sg_cancel,
    .sg_progress = h_sg_progress,
    .allocate_channel_ex = h_allocate_ex,
    .cancel_channel = h_cancel,
    .free_object = h_free_object,
    .flush_adapter_buffers_ex = sysdma__v3_flush,
    .allocate_common_buffer_ex = h_common_ex,
};

/* Bus masters: no controller, no counter, no chained runner (the device
 * runs its own list). */
static const sysdma_dma_operations master_ops = {
    .size = sizeof(sysdma_dma_operations),
    .put_adapter = h_put,
    .allocate_channel = h_allocate,
    .free_channel = h_free,
    .free_map_registers = h_free_regs,
    .map_transfer = h_map,
    .flush_adapter_buffers = h_flush,
    .get_dma_alignment = h_alignment,
    .allocate_common_buffer = h_common,
    .free_common_buffer = h_common_free,
    .get_scatter_gather_list = h_sg_get,
    .put_scatter_gather_list = h_sg_put,
    .calculate_scatter_gather_list = h_sg_calculate,
    .build_scatter_gather_list = h_sg_build,
    .build_mdl_from_scatter_gather_list = h_sg_build_mdl,
    .allocate_channel_ex = h_allocate_ex,
    .cancel_channel = h_cancel,
    .free_object = h_free_object,
    .flush_adapter_buffers_ex = sysdma__v3_flush,
    .allocate_common_buffer_ex = h_common_ex,
};

/* Address bits a bus master reaches: the version-3 address width (0 → 32),
 * else 64 with dma64, 32 with dma32, 24 for an ISA master without them. */
static uint8_t master_bits(const sysdma_device_description *d)
{
    if (d->version == 3)
        return (uint8_t)(d->address_width ? d->address_width : 32);
    return d->dma64 ? 64 : d->dma32 ? 32 : 24;
}

/* Check a description; on success fill the limits and derived figures. */
static sysdma_status validate(sysdma_system *sys, const sysdma_device_description *d,
                              sysdma_channel_limits *lim, uint32_t *max_regs,
                              uint32_t *max_transfer)
{
    if (d->version > 3)
        return SYSDMA_E_UNKNOWN_VERSION;
    if (d->ignore_count && d->version < 1)
        return SYSDMA_E_INVALID_DESCRIPTION;
    if (d->version == 3) {
        if (d->address_width > 64)
            return SYSDMA_E_INVALID_DESCRIPTION;
    } else if (d->address_width || d->request_line || d->device_address || d->controller) {
        return SYSDMA_E_INVALID_DESCRIPTION; /* version-3 fields in an older description */
    }
    if (d->interface_type != 0 && d->interface_type != SYSDMA_INTERFACE_ISA)
        return SYSDMA_E_INVALID_DESCRIPTION;
    if (d->width > SYSDMA_WIDTH_32)
        return SYSDMA_E_INVALID_DESCRIPTION;
    if (d->version < 3 && d->speed > SYSDMA_SPEED_TYPE_F)
        return SYSDMA_E_INVALID_DESCRIPTION;
    if (d->maximum_length == 0)
        return SYSDMA_E_INVALID_DESCRIPTION;
    if (d->master) {
        /* No channel: the device addresses memory itself. Map registers
         * cover the longest transfer plus a straddled page, at most one
         * pool chunk's run. */
        *lim = (sysdma_channel_limits){.address_bits = master_bits(d), .width = 1,
                                       .min_unit = 1, .max_bytes = 0xFFFFFFFFu,
                                       .max_fragments = 1};
        *max_transfer = d->maximum_length;
        uint64_t regs = ((uint64_t)d->maximum_length + PAGE - 1) / PAGE + 1;
        *max_regs = regs < CHUNK_PAGES ? (uint32_t)regs : CHUNK_PAGES;
        return SYSDMA_OK;
    }
    if (d->controller >= sys->n_ctrls || d->channel >= sys->ctrl_channels[d->controller])
        return SYSDMA_E_INVALID_CHANNEL;
    const sysdma_controller *c = &sys->ctrls[d->controller];
    sysdma_status st = c->ops->channel_limits(c->ctx, d->channel, lim);
    if (st != SYSDMA_OK)
        return st;
    static const uint8_t bytes_of_width[] = {1, 2, 4};
    if (bytes_of_width[d->width] != lim->width)
        return SYSDMA_E_WIDTH_MISMATCH;
    if (d->version == 3 && c->ops->validate_binding) {
        st = c->ops->validate_binding(c->ctx, d->channel, d->request_line);
        if (st != SYSDMA_OK)
            return st;
    }
    uint32_t window = lim->boundary ? lim->boundary : lim->max_bytes;
    *max_transfer = lim->max_bytes < window ? lim->max_bytes : window;
    /* Pages the longest transfer may span, plus one for a buffer that
     * straddles pages; never more than one window's run of registers. */
    uint32_t len = d->maximum_length < *max_transfer ? d->maximum_length : *max_transfer;
    uint32_t regs = (len + PAGE - 1) / PAGE + 1;
    uint32_t cap = window / PAGE;
    *max_regs = regs < cap ? regs : cap;
    return SYSDMA_OK;
}

static sysdma_status adapter_get(sysdma_system *sys, const sysdma_device_description *desc,
                                 sysdma_adapter **obj, sysdma_adapter **out,
                                 uint32_t *map_registers);

sysdma_status sysdma_adapter_get(sysdma_system *sys, const sysdma_device_description *desc,
                                 sysdma_adapter **out, uint32_t *map_registers)
{
    if (!sys || !desc || !out)
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma_adapter *obj = NULL;
    sysdma_status st = adapter_get(sys, desc, &obj, out, map_registers);
    sysdma_status hs = sys->hook_adapter_got
                           ? sys->hook_adapter_got(sys->hook_ctx, *out, desc, st)
                           : SYSDMA_OK;
    if (st == SYSDMA_OK && hs != SYSDMA_OK) {
        /* The decorator could not take the reference on: the get fails. */
        (void)sysdma__put_adapter(obj);
        sysdma__lock(sys);
        sysdma__handle_release(sys, *out);
        sysdma__unlock(sys);
        *out = NULL;
        return hs;
    }
    return st;
}

/* Issue the caller's reference handle for `a` and, for a new object, its
 * own (lock held). False when the table is full (nothing issued). */
static bool issue(sysdma_system *sys, sysdma_adapter *a, bool fresh, sysdma_adapter **out)
{
    if (fresh) {
        a->self = sysdma__handle_new(sys, a, false);
        if (!a->self)
            return false;
    }
    *out = sysdma__handle_new(sys, a, true);
    if (!*out && fresh)
        sysdma__handle_release(sys, a->self);
    return *out != NULL;
}

static sysdma_status adapter_get(sysdma_system *sys, const sysdma_device_description *desc,
                                 sysdma_adapter **obj, sysdma_adapter **out,
                                 uint32_t *map_registers)
{
    *out = NULL;
    sysdma_channel_limits lim;
    uint32_t regs, max_transfer;
    sysdma_status st = validate(sys, desc, &lim, &regs, &max_transfer);
    if (st != SYSDMA_OK)
        return st;
    if (desc->master) {
        sysdma_adapter *m = sysdma__alloc(sys, sizeof *m);
        if (!m)
            return SYSDMA_E_NO_MEMORY;
        m->ops = &master_ops;
        m->sys = sys;
        m->channel = SYSDMA_NO_CHANNEL;
        m->master = true;
        m->refs = 1;
        m->desc = *desc;
        m->limits = lim;
        m->max_map_registers = regs;
        m->max_transfer = max_transfer;
        m->ops_version = desc->version <= 1 ? 1 : desc->version;
        sysdma__lock(sys);
        if (!issue(sys, m, true, out)) {
            sysdma__unlock(sys);
            sysdma__free(sys, m, sizeof *m);
            return SYSDMA_E_INSUFFICIENT_RESOURCES;
        }
        m->next_master = sys->masters;
        sys->masters = m;
        sys->adapter_count++;
        sysdma__unlock(sys);
        *obj = m;
        if (map_registers)
            *map_registers = regs;
        return SYSDMA_OK;
    }
    /* The system's index of the channel (controllers' channels are
     * numbered densely, controller 0's first). */
    uint32_t index = sys->ctrl_base[desc->controller] + desc->channel;
    /* The object is allocated outside the lock; if the channel's adapter
     * went away meanwhile, allocate and look again. */
    sysdma_adapter *fresh = NULL;
    sysdma__lock(sys);
    while (!sys->adapters[index] && !fresh) {
        sysdma__unlock(sys);
        fresh = sysdma__alloc(sys, sizeof *fresh);
        if (!fresh)
            return SYSDMA_E_NO_MEMORY;
        sysdma__lock(sys);
    }
    sysdma_adapter *a = sys->adapters[index];
    bool made = !a;
    if (made) {
        a = fresh;
        a->ops = &system_ops;
        a->sys = sys;
        a->channel = index;
        a->ctrl = &sys->ctrls[desc->controller];
        a->hw = desc->channel;
    }
    if (!issue(sys, a, made, out)) {
        sysdma__unlock(sys);
        sysdma__free(sys, fresh, sizeof *fresh);
        return SYSDMA_E_INSUFFICIENT_RESOURCES;
    }
    if (made) {
        fresh = NULL;
        sys->adapters[index] = a;
        sys->adapter_count++;
    }
    a->refs++;
    a->desc = *desc;
    a->limits = lim;
    a->max_map_registers = regs;
    a->max_transfer = max_transfer;
    a->demand = desc->demand_mode && desc->version >= 2;
    a->ops_version = desc->version <= 1 ? 1 : desc->version;
    sysdma__unlock(sys);
    if (fresh) /* another thread made the adapter first */
        sysdma__free(sys, fresh, sizeof *fresh);
    *obj = a;
    if (map_registers)
        *map_registers = regs;
    return SYSDMA_OK;
}

sysdma_status sysdma__put_adapter(sysdma_adapter *a)
{
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    if (a->refs == 0) {
        sysdma__unlock(sys);
        return SYSDMA_E_WRONG_STATE;
    }
    if (a->refs == 1 && (a->owned || a->queued || a->kept_sets || a->map.active || a->commons ||
                         a->run_head || a->lists)) {
        sysdma__unlock(sys);
        return SYSDMA_E_BUSY;
    }
    bool last = --a->refs == 0;
    if (last) {
        if (a->master) {
            sysdma_adapter **link = &sys->masters;
            while (*link != a)
                link = &(*link)->next_master;
            *link = a->next_master;
        } else {
            sys->adapters[a->channel] = NULL;
        }
        sysdma__handle_release(sys, a->self);
        sys->adapter_count--;
    }
    sysdma__unlock(sys);
    if (last)
        sysdma__free(sys, a, sizeof *a);
    return SYSDMA_OK;
}

/* ---- public wrappers: the one place arguments are checked for NULL --------------------- */

sysdma_status sysdma__stale(const sysdma_adapter *h, const char *call)
{
    uint32_t channel = SYSDMA_NO_CHANNEL;
    sysdma_system *sys = sysdma__stale_system(h, &channel);
    if (sys && sys->hook_stale)
        return sys->hook_stale(sys->hook_ctx, channel, call);
    return SYSDMA_E_INVALID_ARGUMENT;
}

sysdma_status sysdma__refused(sysdma_adapter *h, const char *call, sysdma_status st)
{
    handle_entry *e = sysdma__live_entry(h);
    if (!e || !e->decoration || !e->obj->sys->hook_refused)
        return st;
    sysdma_system *sys = e->obj->sys;
    return sys->hook_refused(sys->hook_ctx, h, call, st);
}

/* Look the handle `a` up (it becomes the adapter object, `ops_` the table
 * its calls go through, `handle_` keeps the handle), or return. */
#define RESOLVE(a, stale)                                       \
    sysdma_adapter *const handle_ = (a);                        \
    const sysdma_dma_operations *ops_ = NULL;                   \
    (a) = sysdma__resolve_ops(handle_, &ops_);                  \
    if (!(a))                                                   \
    return stale

#define OPS_OR(a, member, fail)                                 \
    RESOLVE(a, sysdma__stale(handle_, __func__));               \
    if (!ops_->member)                                          \
    return (fail)

/* A handle no decorator wraps goes through the adapter's own table: call
 * the core's function for it at once (the table's member would look the
 * handle up again to do just that). */
#define PLAIN (ops_ == a->ops)

sysdma_status sysdma_adapter_put(sysdma_adapter *h)
{
    handle_entry *e = sysdma__live_entry(h);
    if (!e)
        return sysdma__stale(h, __func__);
    if (!e->ref)
        return SYSDMA_E_INVALID_ARGUMENT; /* the adapter's own handle, not a reference */
    sysdma_adapter *a = e->obj;
    const sysdma_dma_operations *ops = e->ops ? e->ops : a->ops;
    if (!ops->put_adapter)
        return SYSDMA_E_NOT_SUPPORTED;
    sysdma_system *sys = a->sys;
    sysdma_status st = ops->put_adapter(h);
    if (st == SYSDMA_OK) {
        sysdma__lock(sys);
        sysdma__handle_release(sys, h);
        sysdma__unlock(sys);
    }
    return st;
}

sysdma_status sysdma_channel_allocate(sysdma_adapter *a, void *device, uint32_t count,
                                      sysdma_adapter_control_fn routine, void *context)
{
    OPS_OR(a, allocate_channel, SYSDMA_E_NOT_SUPPORTED);
    if (PLAIN)
        return sysdma__allocate_channel(a, device, count, routine, context);
    return ops_->allocate_channel(handle_, device, count, routine, context);
}

sysdma_status sysdma_channel_free(sysdma_adapter *a)
{
    OPS_OR(a, free_channel, SYSDMA_E_NOT_SUPPORTED);
    if (PLAIN)
        return sysdma__free_channel(a);
    return ops_->free_channel(handle_);
}

sysdma_status sysdma_map_registers_free(sysdma_adapter *a, sysdma_map_registers *base,
                                        uint32_t count)
{
    OPS_OR(a, free_map_registers, SYSDMA_E_NOT_SUPPORTED);
    return ops_->free_map_registers(handle_, base, count);
}

sysdma_status sysdma_map_transfer(sysdma_adapter *a, sysdma_mdl *mdl,
                                  sysdma_map_registers *regs, void *current_va,
                                  uint32_t *length, bool write_to_device, uint64_t *logical)
{
    OPS_OR(a, map_transfer, SYSDMA_E_NOT_SUPPORTED);
    if (!mdl || !length || !current_va)
        return SYSDMA_E_INVALID_ARGUMENT;
    if (PLAIN)
        return sysdma__map_transfer(a, mdl, regs, current_va, length, write_to_device, logical);
    return ops_->map_transfer(handle_, mdl, regs, current_va, length, write_to_device, logical);
}

sysdma_status sysdma_flush_adapter_buffers(sysdma_adapter *a, sysdma_mdl *mdl,
                                           sysdma_map_registers *regs, void *current_va,
                                           uint32_t length, bool write_to_device)
{
    OPS_OR(a, flush_adapter_buffers, SYSDMA_E_NOT_SUPPORTED);
    if (!mdl || !current_va)
        return SYSDMA_E_INVALID_ARGUMENT;
    if (PLAIN)
        return sysdma__flush(a, mdl, regs, current_va, length, write_to_device);
    return ops_->flush_adapter_buffers(handle_, mdl, regs, current_va, length, write_to_device);
}

sysdma_status sysdma_common_buffer_allocate(sysdma_adapter *a, uint32_t length,
                                            bool cache_enabled, void **va, uint64_t *logical)
{
    OPS_OR(a, allocate_common_buffer, SYSDMA_E_NOT_SUPPORTED);
    if (!va || !logical)
        return SYSDMA_E_INVALID_ARGUMENT;
    return ops_->allocate_common_buffer(handle_, length, cache_enabled, va, logical);
}

sysdma_status sysdma_common_buffer_free(sysdma_adapter *a, uint32_t length, uint64_t logical,
                                        void *va, bool cache_enabled)
{
    OPS_OR(a, free_common_buffer, SYSDMA_E_NOT_SUPPORTED);
    return ops_->free_common_buffer(handle_, length, logical, va, cache_enabled);
}

sysdma_status sysdma_sg_get(sysdma_adapter *a, void *device, sysdma_mdl *mdl, void *current_va,
                            uint32_t length, sysdma_list_control_fn routine, void *context,
                            bool write_to_device)
{
    OPS_OR(a, get_scatter_gather_list, SYSDMA_E_NOT_SUPPORTED);
    if (!mdl || !current_va || !routine)
        return SYSDMA_E_INVALID_ARGUMENT;
    return ops_->get_scatter_gather_list(handle_, device, mdl, current_va, length, routine, context,
                                           write_to_device);
}

sysdma_status sysdma_sg_put(sysdma_adapter *a, sysdma_sg_list *list, bool write_to_device)
{
    OPS_OR(a, put_scatter_gather_list, SYSDMA_E_NOT_SUPPORTED);
    if (!list)
        return SYSDMA_E_INVALID_ARGUMENT;
    return ops_->put_scatter_gather_list(handle_, list, write_to_device);
}

sysdma_status sysdma_sg_calculate(sysdma_adapter *a, sysdma_mdl *mdl, void *current_va,
                                  uint32_t length, uint32_t *list_size, uint32_t *map_registers)
{
    OPS_OR(a, calculate_scatter_gather_list, SYSDMA_E_NOT_SUPPORTED);
    if (a->ops_version < 2)
        return SYSDMA_E_NOT_SUPPORTED; /* a version-2 operation */
    if (!current_va || !list_size)
        return SYSDMA_E_INVALID_ARGUMENT;
    return ops_->calculate_scatter_gather_list(handle_, mdl, current_va, length, list_size,
                                                 map_registers);
}

sysdma_status sysdma_sg_build(sysdma_adapter *a, void *device, sysdma_mdl *mdl, void *current_va,
                              uint32_t length, sysdma_list_control_fn routine, void *context,
                              bool write_to_device, void *buffer, uint32_t *buffer_size)
{
    OPS_OR(a, build_scatter_gather_list, SYSDMA_E_NOT_SUPPORTED);
    if (a->ops_version < 2)
        return SYSDMA_E_NOT_SUPPORTED; /* a version-2 operation */
    if (!mdl || !current_va || !routine || !buffer || !buffer_size)
        return SYSDMA_E_INVALID_ARGUMENT;
    return ops_->build_scatter_gather_list(handle_, device, mdl, current_va, length, routine, context,
                                             write_to_device, buffer, buffer_size);
}

sysdma_status sysdma_sg_build_mdl(sysdma_adapter *a, sysdma_sg_list *list,
                                  const sysdma_mdl *original, sysdma_mdl **out)
{
    OPS_OR(a, build_mdl_from_scatter_gather_list, SYSDMA_E_NOT_SUPPORTED);
    if (a->ops_version < 2)
        return SYSDMA_E_NOT_SUPPORTED; /* a version-2 operation */
    if (!list || !original || !out)
        return SYSDMA_E_INVALID_ARGUMENT;
    return ops_->build_mdl_from_scatter_gather_list(handle_, list, original, out);
}

sysdma_status sysdma_sg_start(sysdma_adapter *a, sysdma_sg_list *list, bool write_to_device,
                              sysdma_sg_done_fn done, void *context)
{
    OPS_OR(a, sg_start, SYSDMA_E_NOT_SUPPORTED);
    if (!list)
        return SYSDMA_E_INVALID_ARGUMENT;
    return ops_->sg_start(handle_, list, write_to_device, done, context);
}

sysdma_status sysdma_sg_cancel(sysdma_adapter *a, sysdma_sg_list *list)
{
    OPS_OR(a, sg_cancel, SYSDMA_E_NOT_SUPPORTED);
    if (!list)
        return SYSDMA_E_INVALID_ARGUMENT;
    return ops_->sg_cancel(handle_, list);
}

uint64_t sysdma_sg_progress(sysdma_adapter *a, const sysdma_sg_list *list)
{
    RESOLVE(a, ((void)sysdma__stale(handle_, __func__), 0));
    return list && ops_->sg_progress ? ops_->sg_progress(handle_, list) : 0;
}

uint32_t sysdma_read_dma_counter(sysdma_adapter *a)
{
    RESOLVE(a, ((void)sysdma__stale(handle_, __func__), 0));
    return ops_->read_dma_counter ? ops_->read_dma_counter(handle_) : 0;
}

uint32_t sysdma_get_dma_alignment(sysdma_adapter *a)
{
    RESOLVE(a, ((void)sysdma__stale(handle_, __func__), 1));
    return ops_->get_dma_alignment ? ops_->get_dma_alignment(handle_) : 1;
}

void sysdma_adapter_state_get(sysdma_adapter *a, sysdma_adapter_state *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    a = sysdma__resolve(a, NULL);
    if (!a)
        return;
    sysdma__lock(a->sys);
    out->channel_held = a->granted;
    out->waiting = a->queued;
    out->mapped = a->map.active;
    out->list_running = a->run_head && sysdma__sg_running(a->run_head);
    for (const struct sg_header *h = a->run_head; h; h = sysdma__sg_next_run(h))
        out->lists_waiting += !sysdma__sg_running(h);
    out->map_registers = a->stats.pool_in_use;
    out->kept_sets = a->kept_sets;
    out->common_buffers = a->stats.common_buffers;
    sysdma__unlock(a->sys);
}

sysdma_adapter *sysdma_system_channel_adapter(sysdma_system *sys, unsigned channel)
{
    if (!sys || channel >= sys->ctrl_channels[0])
        return NULL;
    sysdma__lock(sys);
    sysdma_adapter *a = sys->adapters[channel];
    sysdma_adapter *h = a ? a->self : NULL;
    sysdma__unlock(sys);
    return h;
}

uint32_t sysdma_adapter_channel(const sysdma_adapter *h)
{
    const sysdma_adapter *a = sysdma__resolve(h, NULL);
    return a && !a->master ? a->hw : a ? a->channel : 0;
}

uint32_t sysdma_adapter_max_transfer(const sysdma_adapter *h)
{
    const sysdma_adapter *a = sysdma__resolve(h, NULL);
    return a ? a->max_transfer : 0;
}

const sysdma_dma_operations *sysdma_adapter_operations(const sysdma_adapter *h)
{
    const sysdma_dma_operations *ops = NULL;
    return sysdma__resolve_ops(h, &ops) ? ops : NULL;
}
