/* SPDX-License-Identifier: MIT */
/*
 * The version-3 DMA operations: adapter and transfer information,
 * transfer contexts, AllocateAdapterChannelEx (asynchronous, or synchronous
 * and never waiting), CancelAdapterChannel, FreeAdapterObject,
 * MapTransferEx (maps and starts; completion at terminal count),
 * FlushAdapterBuffersEx, CancelMappedTransfer, the Ex scatter/gather
 * routines by offset into an MDL chain, AllocateCommonBufferEx and
 * ConfigureAdapterChannel.
 *
 * They are built on the same machinery as the version-1/2 calls: the
 * channel queues (a request carries its transfer context as a tag, so it
 * can be found and withdrawn), MapTransfer and its flush, the common-buffer
 * and scatter/gather code. Only adapters got with a version-3 description
 * offer them.
 */
#include "internal.h"

#define CTX_MAGIC 0x56335443u /* "V3TC" */

/* What sysdma_transfer_context_init writes at the start of a context. A
 * context is the caller's memory: it is only ever copied in and out byte
 * by byte (never used as this struct in place), and what it says is only
 * compared, never followed. Which contexts are in use (their request
 * waits) the core knows from its own queues, by the context's address. */
typedef struct v3ctx {
    uint32_t magic;
    const sysdma_adapter *adapter;
} v3ctx;

_Static_assert(sizeof(v3ctx) <= sizeof(sysdma_transfer_context), "transfer context too small");

static bool ctx_aligned(const sysdma_transfer_context *ctx)
{
    return ctx && (uintptr_t)ctx % _Alignof(sysdma_transfer_context) == 0;
}

static bool v3(const sysdma_adapter *a)
{
    return a && a->ops_version >= 3;
}

/* Look the handle `a` up (it becomes the adapter object) and check that
 * it offers version 3; `handle_` keeps the caller's handle. */
#define NEED_V3(a)                                              \
    sysdma_adapter *const handle_ = (a);                        \
    const sysdma_dma_operations *ops_ = NULL;                   \
    (a) = sysdma__resolve_ops(handle_, &ops_);                  \
    if (!(a))                                                   \
        return sysdma__stale(handle_, __func__);                \
    if (!v3(a))                                                 \
    return SYSDMA_E_NOT_SUPPORTED /* version 3 only */

sysdma_status sysdma_adapter_info_get(sysdma_adapter *a, sysdma_adapter_info *out)
{
    NEED_V3(a);
    if (!out)
        return SYSDMA_E_INVALID_ARGUMENT;
    *out = (sysdma_adapter_info){
        .version = a->ops_version,
        .master = a->master,
        .channel = a->channel,
        .counter_available = !a->master && a->limits.counter_available,
        .address_width = a->limits.address_bits,
        .minimum_transfer_unit = a->limits.min_unit ? a->limits.min_unit : 1,
        .maximum_transfer = a->max_transfer,
        .scatter_gather_limit = sysdma__sg_limit(a),
        .map_registers = a->max_map_registers,
    };
    return SYSDMA_OK;
}

/* The MDL of the chain holding byte `offset`, and the offset inside it. */
static sysdma_mdl *locate(sysdma_mdl *m, uint64_t offset, uint32_t *inside)
{
    while (m && offset >= m->byte_count) {
        offset -= m->byte_count;
        m = m->next;
    }
    if (m)
        *inside = (uint32_t)offset;
    return m;
}

sysdma_status sysdma_transfer_info_get(sysdma_adapter *a, sysdma_mdl *mdl, uint64_t offset,
                                       uint32_t length, bool write_to_device,
                                       sysdma_transfer_info *out)
{
    NEED_V3(a);
    (void)write_to_device;
    if (!out)
        return SYSDMA_E_INVALID_ARGUMENT;
    if (!length)
        return SYSDMA_E_LENGTH;
    uint32_t size = 0, regs = 0;
    sysdma_status st;
    if (!mdl) {
        /* The worst case refuses what sysdma_sg_get would for any buffer:
         * more than a bus master's maximum length, more than one element
         * can carry without scatter/gather (so the figures cannot wrap). */
        if ((a->master && length > a->desc.maximum_length) ||
            (!a->desc.scatter_gather && length > (a->master ? 0xFFFFF000u : a->max_transfer)))
            return SYSDMA_E_LENGTH;
        st = ops_->calculate_scatter_gather_list(handle_, NULL, (void *)(uintptr_t)PAGE, length, &size,
                                                   &regs);
    } else {
        uint32_t inside = 0;
        sysdma_mdl *m = locate(mdl, offset, &inside);
        if (!m)
            return SYSDMA_E_OUT_OF_RANGE;
        /* The range may run on into the next MDLs of the chain. */
        uint8_t *va = (uint8_t *)sysdma_mdl_virtual_address(m) + inside;
        st = ops_->calculate_scatter_gather_list(handle_, m, va, length, &size, &regs);
    }
    if (st != SYSDMA_OK)
        return st;
    uint32_t one = 0;
    ops_->calculate_scatter_gather_list(handle_, NULL, (void *)(uintptr_t)PAGE, 1, &one, NULL);
    *out = (sysdma_transfer_info){regs, (size - one) / (uint32_t)sizeof(sysdma_sg_element) + 1,
                                  size};
    return SYSDMA_OK;
}

sysdma_status sysdma_transfer_context_init(sysdma_adapter *a, sysdma_transfer_context *ctx)
{
    NEED_V3(a);
    if (!ctx_aligned(ctx))
        return SYSDMA_E_INVALID_ARGUMENT;
    v3ctx c = {CTX_MAGIC, a};
    memset(ctx, 0, sizeof *ctx);
    memcpy(ctx, &c, sizeof c);
    return SYSDMA_OK;
}

sysdma_status sysdma__v3_allocate(sysdma_adapter *a, void *device, sysdma_transfer_context *ctx,
                                  uint32_t count, uint32_t flags, sysdma_adapter_control_fn routine,
                                  void *context, sysdma_map_registers **base)
{
    bool sync = flags & SYSDMA_ALLOCATE_SYNCHRONOUS;
    if (!ctx_aligned(ctx))
        return SYSDMA_E_INVALID_ARGUMENT;
    v3ctx c;
    memcpy(&c, ctx, sizeof c);
    if (c.magic != CTX_MAGIC || c.adapter != a || (flags & ~1u) || (!routine && (!sync || !base)))
        return SYSDMA_E_INVALID_ARGUMENT;
    if (count > a->max_map_registers)
        return SYSDMA_E_TOO_MANY_MAP_REGISTERS;
    if (sysdma__request_waiting(a, ctx))
        return SYSDMA_E_WRONG_STATE; /* this context's request still waits */
    if (base)
        *base = NULL;
    return sysdma__allocate(a, device, count, routine, context, ctx, sync, base);
}

bool sysdma__v3_cancel(sysdma_adapter *a, sysdma_transfer_context *ctx)
{
    return sysdma__cancel_request(a, ctx);
}

/* ---- the public version-3 calls that go through the operations table (so a
 * decorator — the verifier — sees them) ---- */

sysdma_status sysdma_channel_allocate_ex(sysdma_adapter *a, void *device,
                                         sysdma_transfer_context *ctx, uint32_t count,
                                         uint32_t flags, sysdma_adapter_control_fn routine,
                                         void *context, sysdma_map_registers **base)
{
    NEED_V3(a);
    if (!ops_->allocate_channel_ex)
        return SYSDMA_E_NOT_SUPPORTED;
    return ops_->allocate_channel_ex(handle_, device, ctx, count, flags, routine, context, base);
}

bool sysdma_channel_cancel(sysdma_adapter *a, sysdma_transfer_context *ctx)
{
    sysdma_adapter *h = a;
    const sysdma_dma_operations *ops = NULL;
    a = sysdma__resolve_ops(h, &ops);
    if (!a) {
        (void)sysdma__stale(h, __func__);
        return false;
    }
    if (!v3(a) || !ctx_aligned(ctx) || !ops->cancel_channel)
        return false;
    return ops->cancel_channel(h, ctx);
}

sysdma_status sysdma_adapter_free_object(sysdma_adapter *a, sysdma_allocation_action action)
{
    NEED_V3(a);
    if (!ops_->free_object)
        return SYSDMA_E_NOT_SUPPORTED;
    return ops_->free_object(handle_, action);
}

sysdma_status sysdma_map_transfer_ex(sysdma_adapter *a, sysdma_mdl *mdl, uint64_t offset,
                                     uint32_t *length, bool to_device, sysdma_map_registers *regs,
                                     sysdma_transfer_complete_fn complete, void *context,
                                     uint64_t *logical)
{
    NEED_V3(a);
    if (!mdl || !length)
        return SYSDMA_E_INVALID_ARGUMENT;
    uint32_t inside = 0;
    sysdma_mdl *m = locate(mdl, offset, &inside);
    if (!m)
        return sysdma__refused(handle_, __func__, SYSDMA_E_OUT_OF_RANGE);
    if (*length == 0)
        return sysdma__refused(handle_, __func__, SYSDMA_E_LENGTH);
    uint8_t *va = (uint8_t *)sysdma_mdl_virtual_address(m) + inside;
    /* Shorten to what one mapping can take. */
    uint32_t len = *length;
    if (len > m->byte_count - inside)
        len = m->byte_count - inside;
    if (len > a->max_transfer)
        len = a->max_transfer;
    uint64_t phys;
    uint32_t room = 0; /* the registers', once known to be the ones held */
    sysdma__lock(a->sys);
    if (regs && regs == a->owner_regs)
        room = regs->count * PAGE;
    sysdma__unlock(a->sys);
    if (!(a->master && a->desc.scatter_gather) && !sysdma__direct(a, m, va, len, &phys) && room &&
        len > room)
        len = room;
    if (a->limits.width > 1 && len > 1)
        len &= ~(a->limits.width - 1u);
    /* Armed now, pending from the lock hold that programs the channel
     * (sysdma__map_transfer): a terminal count right after it finds the
     * completion recorded. It may run before this call returns. */
    sysdma__lock(a->sys);
    bool busy = a->v3_pending || a->v3_armed;
    if (!busy && complete) {
        a->v3_armed = true;
        a->v3_complete = complete;
        a->v3_context = context;
        a->v3_handle = handle_;
    }
    sysdma__unlock(a->sys);
    if (busy)
        return sysdma__refused(handle_, __func__, SYSDMA_E_WRONG_STATE);
    sysdma_status st = ops_->map_transfer(handle_, m, regs, va, &len, to_device, logical);
    if (st != SYSDMA_OK) {
        sysdma__lock(a->sys);
        a->v3_armed = false; /* nothing was programmed: nothing to complete */
        sysdma__unlock(a->sys);
        return st;
    }
    *length = len;
    return SYSDMA_OK;
}

sysdma_status sysdma_flush_adapter_buffers_ex(sysdma_adapter *a, sysdma_mdl *mdl,
                                              sysdma_map_registers *regs, uint64_t offset,
                                              uint32_t length, bool to_device)
{
    NEED_V3(a);
    if (!mdl)
        return SYSDMA_E_INVALID_ARGUMENT;
    if (!ops_->flush_adapter_buffers_ex)
        return SYSDMA_E_NOT_SUPPORTED;
    return ops_->flush_adapter_buffers_ex(handle_, mdl, regs, offset, length, to_device);
}

sysdma_status sysdma__v3_flush(sysdma_adapter *h, sysdma_mdl *mdl, sysdma_map_registers *regs,
                               uint64_t offset, uint32_t length, bool to_device)
{
    /* A table member: `h` is the caller's handle, and the flush goes
     * through its table (so a decorator sees it as a flush too). */
    const sysdma_dma_operations *ops = NULL;
    sysdma_adapter *a = sysdma__resolve_ops(h, &ops);
    if (!a)
        return SYSDMA_E_INVALID_ARGUMENT;
    uint32_t inside = 0;
    sysdma_mdl *m = locate(mdl, offset, &inside);
    if (!m)
        return sysdma__refused(h, "sysdma_flush_adapter_buffers_ex", SYSDMA_E_OUT_OF_RANGE);
    sysdma__lock(a->sys);
    bool pending = a->v3_pending;
    sysdma__unlock(a->sys);
    if (pending && !a->master)
        return SYSDMA_E_WRONG_STATE; /* neither complete nor cancelled yet */
    /* A bus master's completion runs from the flush (sysdma__flush). */
    return ops->flush_adapter_buffers(h, m, regs, (uint8_t *)sysdma_mdl_virtual_address(m) + inside,
                                      length, to_device);
}

sysdma_status sysdma_transfer_cancel_mapped(sysdma_adapter *a)
{
    NEED_V3(a);
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    if (!a->v3_pending || !a->map.active) {
        sysdma__unlock(sys);
        return SYSDMA_E_WRONG_STATE;
    }
    /* The controller stops the channel and says what it found: too late
     * (the transfer completed: its completion is taken now, as the
     * interrupt would, and runs once with SYSDMA_OK or the controller's
     * error), or stopped in time (or nothing running there: nothing else
     * would end it). */
    if (!a->master && sysdma__ctrl_cancel(a) == SYSDMA_CANCEL_TOO_LATE) {
        sysdma__complete_now(a); /* unlocks */
        return SYSDMA_OK;
    }
    a->v3_pending = false;
    sysdma_transfer_complete_fn fn = a->v3_complete;
    void *ctx = a->v3_context;
    sysdma_adapter *h = a->v3_handle;
    sysdma__unlock(sys);
    fn(h, ctx, SYSDMA_E_CANCELLED);
    return SYSDMA_OK;
}

/* At terminal count (sg.c's sysdma_terminal_count, lock held): a pending
 * version-3 completion is due; returns it to run after the lock. */
bool sysdma__v3_terminal_count(sysdma_adapter *a, sysdma_transfer_complete_fn *fn, void **ctx,
                               sysdma_adapter **handle)
{
    if (!a->v3_pending || !a->map.active)
        return false;
    a->v3_pending = false;
    *fn = a->v3_complete;
    *ctx = a->v3_context;
    *handle = a->v3_handle;
    return true;
}

sysdma_status sysdma_sg_get_ex(sysdma_adapter *a, void *device, sysdma_mdl *mdl, uint64_t offset,
                               uint32_t length, sysdma_list_control_fn routine, void *context,
                               bool to_device, void *buffer, uint32_t *buffer_size)
{
    NEED_V3(a);
    if (!mdl)
        return SYSDMA_E_INVALID_ARGUMENT;
    uint32_t inside = 0;
    sysdma_mdl *m = locate(mdl, offset, &inside);
    if (!m)
        return SYSDMA_E_OUT_OF_RANGE;
    uint8_t *va = (uint8_t *)sysdma_mdl_virtual_address(m) + inside; /* may run on into the chain */
    if (buffer)
        return sysdma_sg_build(handle_, device, m, va, length, routine, context, to_device, buffer,
                               buffer_size);
    return sysdma_sg_get(handle_, device, m, va, length, routine, context, to_device);
}

sysdma_status sysdma__allocate_common_ex(sysdma_adapter *a, uint64_t max_address, uint32_t length,
                                         bool cache_enabled, void **va, uint64_t *logical)
{
    if (max_address && max_address < PAGE)
        return SYSDMA_E_NO_MEMORY;
    uint64_t below = max_address && max_address != ~(uint64_t)0 ? max_address + 1 : 0;
    return sysdma__allocate_common_below(a, length, cache_enabled, below, va, logical);
}

sysdma_status sysdma_common_buffer_allocate_ex(sysdma_adapter *a, uint64_t max_address,
                                               uint32_t length, bool cache_enabled, void **va,
                                               uint64_t *logical)
{
    NEED_V3(a);
    if (!va || !logical)
        return SYSDMA_E_INVALID_ARGUMENT;
    if (!ops_->allocate_common_buffer_ex)
        return SYSDMA_E_NOT_SUPPORTED;
    return ops_->allocate_common_buffer_ex(handle_, max_address, length, cache_enabled, va, logical);
}

sysdma_status sysdma_adapter_configure(sysdma_adapter *a, uint32_t function, void *data,
                                       size_t bytes)
{
    NEED_V3(a);
    if (a->master)
        return SYSDMA_E_NOT_SUPPORTED;
    sysdma_system *sys = a->sys;
    if (function == SYSDMA_CONFIGURE_SHAPE)
        return sysdma__set_shape(a, data, bytes);
    if (!a->ctrl->ops->configure)
        return SYSDMA_E_NOT_IMPLEMENTED;
    sysdma__lock(sys);
    sysdma_status st = a->ctrl->ops->configure(a->ctrl->ctx, a->hw, function, data, bytes);
    sysdma__unlock(sys);
    return st;
}
