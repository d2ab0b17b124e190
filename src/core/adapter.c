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

static const sysdma_dma_operations system_ops = {
    .size = sizeof(sysdma_dma_operations),
    .put_adapter = sysdma__put_adapter,
    .allocate_channel = sysdma__allocate_channel,
    .free_channel = sysdma__free_channel,
    .free_map_registers = sysdma__free_map_registers,
    .map_transfer = sysdma__map_transfer,
    .flush_adapter_buffers = sysdma__flush,
    .read_dma_counter = sysdma__read_counter,
    .get_dma_alignment = sysdma__alignment,
    .allocate_common_buffer = sysdma__allocate_common,
    .free_common_buffer = sysdma__free_common,
};

/* Check a description; on success fill the limits and derived figures. */
static sysdma_status validate(sysdma_system *sys, const sysdma_device_description *d,
                              sysdma_channel_limits *lim, uint32_t *max_regs,
                              uint32_t *max_transfer)
{
    if (d->version > 3)
        return SYSDMA_E_UNKNOWN_VERSION;
    if (d->master)
        return SYSDMA_E_NOT_SUPPORTED; /* bus-master adapters: a later part */
    if (d->ignore_count && d->version < 1)
        return SYSDMA_E_INVALID_DESCRIPTION;
    if (d->version == 3) {
        if (d->address_width > 64)
            return SYSDMA_E_INVALID_DESCRIPTION;
    } else if (d->address_width || d->request_line || d->device_address) {
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
    if (d->channel >= SYSDMA_MAX_CHANNELS)
        return SYSDMA_E_INVALID_CHANNEL;
    sysdma_status st = sys->ctrl.ops->channel_limits(sys->ctrl.ctx, d->channel, lim);
    if (st != SYSDMA_OK)
        return st;
    static const uint8_t bytes_of_width[] = {1, 2, 4};
    if (bytes_of_width[d->width] != lim->width)
        return SYSDMA_E_WIDTH_MISMATCH;
    if (d->version == 3 && sys->ctrl.ops->validate_binding) {
        st = sys->ctrl.ops->validate_binding(sys->ctrl.ctx, d->channel, d->request_line);
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

sysdma_status sysdma_adapter_get(sysdma_system *sys, const sysdma_device_description *desc,
                                 sysdma_adapter **out, uint32_t *map_registers)
{
    if (!sys || !desc || !out)
        return SYSDMA_E_INVALID_ARGUMENT;
    *out = NULL;
    sysdma_channel_limits lim;
    uint32_t regs, max_transfer;
    sysdma_status st = validate(sys, desc, &lim, &regs, &max_transfer);
    if (st != SYSDMA_OK)
        return st;
    sysdma_adapter *fresh = NULL;
    sysdma__lock(sys);
    bool exists = sys->adapters[desc->channel] != NULL;
    sysdma__unlock(sys);
    if (!exists) {
        fresh = sysdma__alloc(sys, sizeof *fresh);
        if (!fresh)
            return SYSDMA_E_NO_MEMORY;
    }
    sysdma__lock(sys);
    sysdma_adapter *a = sys->adapters[desc->channel];
    if (!a) {
        a = fresh;
        fresh = NULL;
        a->ops = &system_ops;
        a->sys = sys;
        a->channel = desc->channel;
        sys->adapters[desc->channel] = a;
        sys->adapter_count++;
    }
    a->refs++;
    a->desc = *desc;
    a->limits = lim;
    a->max_map_registers = regs;
    a->max_transfer = max_transfer;
    a->demand = desc->demand_mode && desc->version >= 2;
    sysdma__unlock(sys);
    if (fresh) /* another thread made the adapter first */
        sysdma__free(sys, fresh, sizeof *fresh);
    *out = a;
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
    if (a->refs == 1 && (a->owned || a->queued || a->kept_sets || a->map.active || a->commons)) {
        sysdma__unlock(sys);
        return SYSDMA_E_BUSY;
    }
    bool last = --a->refs == 0;
    if (last) {
        sys->adapters[a->channel] = NULL;
        sys->adapter_count--;
    }
    sysdma__unlock(sys);
    if (last)
        sysdma__free(sys, a, sizeof *a);
    return SYSDMA_OK;
}

/* ---- public wrappers: the one place arguments are checked for NULL --------------------- */

#define OPS_OR(a, member, fail)            \
    if (!(a) || !(a)->ops->member)         \
        return (a) ? (fail) : SYSDMA_E_INVALID_ARGUMENT

sysdma_status sysdma_adapter_put(sysdma_adapter *a)
{
    OPS_OR(a, put_adapter, SYSDMA_E_NOT_SUPPORTED);
    return a->ops->put_adapter(a);
}

sysdma_status sysdma_channel_allocate(sysdma_adapter *a, void *device, uint32_t count,
                                      sysdma_adapter_control_fn routine, void *context)
{
    OPS_OR(a, allocate_channel, SYSDMA_E_NOT_SUPPORTED);
    return a->ops->allocate_channel(a, device, count, routine, context);
}

sysdma_status sysdma_channel_free(sysdma_adapter *a)
{
    OPS_OR(a, free_channel, SYSDMA_E_NOT_SUPPORTED);
    return a->ops->free_channel(a);
}

sysdma_status sysdma_map_registers_free(sysdma_adapter *a, sysdma_map_registers *base,
                                        uint32_t count)
{
    OPS_OR(a, free_map_registers, SYSDMA_E_NOT_SUPPORTED);
    return a->ops->free_map_registers(a, base, count);
}

sysdma_status sysdma_map_transfer(sysdma_adapter *a, sysdma_mdl *mdl,
                                  sysdma_map_registers *regs, void *current_va,
                                  uint32_t *length, bool write_to_device, uint64_t *logical)
{
    OPS_OR(a, map_transfer, SYSDMA_E_NOT_SUPPORTED);
    if (!mdl || !length || !current_va)
        return SYSDMA_E_INVALID_ARGUMENT;
    return a->ops->map_transfer(a, mdl, regs, current_va, length, write_to_device, logical);
}

sysdma_status sysdma_flush_adapter_buffers(sysdma_adapter *a, sysdma_mdl *mdl,
                                           sysdma_map_registers *regs, void *current_va,
                                           uint32_t length, bool write_to_device)
{
    OPS_OR(a, flush_adapter_buffers, SYSDMA_E_NOT_SUPPORTED);
    if (!mdl || !current_va)
        return SYSDMA_E_INVALID_ARGUMENT;
    return a->ops->flush_adapter_buffers(a, mdl, regs, current_va, length, write_to_device);
}

sysdma_status sysdma_common_buffer_allocate(sysdma_adapter *a, uint32_t length,
                                            bool cache_enabled, void **va, uint64_t *logical)
{
    OPS_OR(a, allocate_common_buffer, SYSDMA_E_NOT_SUPPORTED);
    if (!va || !logical)
        return SYSDMA_E_INVALID_ARGUMENT;
    return a->ops->allocate_common_buffer(a, length, cache_enabled, va, logical);
}

sysdma_status sysdma_common_buffer_free(sysdma_adapter *a, uint32_t length, uint64_t logical,
                                        void *va, bool cache_enabled)
{
    OPS_OR(a, free_common_buffer, SYSDMA_E_NOT_SUPPORTED);
    return a->ops->free_common_buffer(a, length, logical, va, cache_enabled);
}

uint32_t sysdma_read_dma_counter(sysdma_adapter *a)
{
    return a && a->ops->read_dma_counter ? a->ops->read_dma_counter(a) : 0;
}

uint32_t sysdma_get_dma_alignment(sysdma_adapter *a)
{
    return a && a->ops->get_dma_alignment ? a->ops->get_dma_alignment(a) : 1;
}

uint32_t sysdma_adapter_channel(const sysdma_adapter *a)
{
    return a ? a->channel : 0;
}

uint32_t sysdma_adapter_max_transfer(const sysdma_adapter *a)
{
    return a ? a->max_transfer : 0;
}

const sysdma_dma_operations *sysdma_adapter_operations(const sysdma_adapter *a)
{
    return a ? a->ops : NULL;
}
