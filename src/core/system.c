/* SPDX-License-Identifier: MIT */
/*
 * The sysdma system: one per machine. It ties a platform (memory, ports, a
 * lock) to a controller and owns the map-register pool and the table of
 * adapters (one per controller channel). Everything else in the core hangs
 * off it; there is no global state.
 */
#include "internal.h"


void *sysdma__alloc(sysdma_system *sys, size_t bytes)
{
    void *p = sys->pf.ops->alloc(sys->pf.ctx, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

void sysdma__free(sysdma_system *sys, void *p, size_t bytes)
{
    if (p)
        sys->pf.ops->free(sys->pf.ctx, p, bytes);
}

/* A controller's table copied at full size into *full (members a table
 * built against an older header lacks read as NULL); false when it lacks a
 * required member. */
static bool copy_ctrl(const sysdma_controller *ctrl, sysdma_controller_ops *full)
{
    memset(full, 0, sizeof *full);
    if (!ctrl || !ctrl->ops ||
        ctrl->ops->size < offsetof(sysdma_controller_ops, flush) + sizeof(void *))
        return false;
    memcpy(full, ctrl->ops, ctrl->ops->size < sizeof *full ? ctrl->ops->size : sizeof *full);
    return full->channel_limits && full->program && full->flush;
}

/* Channels a controller has, as the system counts them (0: too many). */
static uint32_t channels_of(const sysdma_controller_ops *co, void *ctx)
{
    unsigned n = co->channel_count ? co->channel_count(ctx) : 8;
    return n <= SYSDMA_CTRL_CHANNELS ? n : 0;
}

sysdma_status sysdma_system_create(const sysdma_platform *pf, const sysdma_controller *ctrl,
                                   const sysdma_config *cfg, sysdma_system **out)
{
    if (!out)
        return SYSDMA_E_INVALID_ARGUMENT;
    *out = NULL;
    if (!pf || !pf->ops || !ctrl || !ctrl->ops)
        return SYSDMA_E_INVALID_ARGUMENT;
    /* Work on full-size copies: a table built against an older header is
     * shorter, and the members it lacks are absent (NULL). */
    sysdma_platform_ops po_full;
    sysdma_controller_ops co_full;
    memset(&po_full, 0, sizeof po_full);
    if (pf->ops->size < offsetof(sysdma_platform_ops, virt_to_phys) + sizeof(void *) ||
        !copy_ctrl(ctrl, &co_full))
        return SYSDMA_E_INVALID_ARGUMENT; /* too short to hold the required members */
    memcpy(&po_full, pf->ops, pf->ops->size < sizeof po_full ? pf->ops->size : sizeof po_full);
    const sysdma_platform_ops *po = &po_full;
    const sysdma_controller_ops *co = &co_full;
    if (!po->alloc || !po->free || !po->alloc_contig || !po->free_contig || !po->virt_to_phys)
        return SYSDMA_E_INVALID_ARGUMENT;
    bool locks = po->lock_create || po->lock_acquire || po->lock_release || po->lock_destroy;
    if (locks && !(po->lock_create && po->lock_acquire && po->lock_release && po->lock_destroy))
        return SYSDMA_E_INVALID_ARGUMENT;
    uint32_t channels = channels_of(co, ctrl->ctx);
    if (!channels)
        return SYSDMA_E_INVALID_ARGUMENT;

    sysdma_system *sys = po->alloc(pf->ctx, sizeof *sys);
    if (!sys)
        return SYSDMA_E_NO_MEMORY;
    memset(sys, 0, sizeof *sys);
    sys->pf_ops = po_full;
    sys->ctrl_ops = co_full;
    sys->pf.ops = &sys->pf_ops;
    sys->pf.ctx = pf->ctx;
    sys->ctrl.ops = &sys->ctrl_ops;
    sys->ctrl.ctx = ctrl->ctx;
    sys->ctrls[0] = sys->ctrl;
    sys->ctrl_channels[0] = channels;
    sys->n_ctrls = 1;
    sys->n_channels = channels;
    if (cfg)
        sys->cfg = *cfg;
    if (!sys->cfg.map_registers_initial)
        sys->cfg.map_registers_initial = 32;
    if (!sys->cfg.map_registers_cap)
        sys->cfg.map_registers_cap = 256;
    if (sys->cfg.map_registers_initial > sys->cfg.map_registers_cap)
        sys->cfg.map_registers_initial = sys->cfg.map_registers_cap;
    if (locks) {
        sys->lock = po->lock_create(pf->ctx);
        if (!sys->lock) {
            po_full.free(pf->ctx, sys, sizeof *sys);
            return SYSDMA_E_NO_MEMORY;
        }
    }
    sysdma_status st = sysdma__registry_add(sys);
    bool registered = st == SYSDMA_OK;
    if (st == SYSDMA_OK)
        st = co->initialize ? co->initialize(ctrl->ctx) : SYSDMA_OK;
    if (st == SYSDMA_OK)
        st = sysdma__pool_init(sys);
    if (st != SYSDMA_OK) {
        if (registered)
            sysdma__registry_remove(sys);
        sysdma__pool_destroy(sys);
        if (sys->lock)
            po->lock_destroy(pf->ctx, sys->lock);
        po->free(pf->ctx, sys, sizeof *sys);
        return st;
    }
    *out = sys;
    return SYSDMA_OK;
}

sysdma_status sysdma_system_destroy(sysdma_system *sys)
{
    if (!sys)
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma__lock(sys);
    bool held = sys->live_refs != 0;
    sysdma__unlock(sys);
    if (held) {
        /* Drivers still hold adapters: nothing changes (a decorator may
         * report what they hold). */
        if (sys->hook_destroy_refused)
            sys->hook_destroy_refused(sys->hook_ctx);
        return SYSDMA_E_BUSY;
    }
    if (sys->hook_destroying) {
        void (*hook)(void *) = sys->hook_destroying;
        sys->hook_destroying = NULL;
        sys->hook_adapter_got = NULL;
        hook(sys->hook_ctx);
    }
    if (sys->adapter_count)
        return SYSDMA_E_BUSY;
    sysdma__wdm_forget(sys);
    sysdma__registry_remove(sys);
    sysdma__sg_quarantine_destroy(sys);
    sysdma__spares_destroy(sys);
    sysdma__pool_destroy(sys);
    if (sys->lock)
        sys->pf.ops->lock_destroy(sys->pf.ctx, sys->lock);
    sys->pf.ops->free(sys->pf.ctx, sys, sizeof *sys);
    return SYSDMA_OK;
}

void sysdma_stats_get(sysdma_system *sys, const sysdma_adapter *adapter, sysdma_stats *out)
{
    if (!out)
        return;
    const sysdma_adapter *a = adapter ? sysdma__resolve(adapter, NULL) : NULL;
    if (!sys || (adapter && !a) || (a && a->sys != sys)) {
        memset(out, 0, sizeof *out);
        return;
    }
    sysdma__lock(sys);
    *out = a ? a->stats : sys->stats;
    out->pool_pages = sys->pool_pages;
    if (!a) {
        out->pool_in_use = sys->pool_in_use;
        out->pool_high_water = sys->pool_high_water;
    } /* an adapter's figures count the registers it holds itself */
    sysdma__unlock(sys);
}

void sysdma_flush_io_buffers(sysdma_system *sys, const sysdma_mdl *mdl, bool read_operation)
{
    if (!sys || !mdl)
        return;
    const sysdma_platform_ops *po = sys->pf.ops;
    if (po->flush_io_buffers)
        po->flush_io_buffers(sys->pf.ctx, sysdma_mdl_virtual_address(mdl), mdl->byte_count,
                             read_operation);
}

sysdma_status sysdma_system_add_controller(sysdma_system *sys, const sysdma_controller *ctrl,
                                           uint32_t *index)
{
    if (!sys || !index)
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma_controller_ops full;
    if (!copy_ctrl(ctrl, &full))
        return SYSDMA_E_INVALID_ARGUMENT;
    uint32_t channels = channels_of(&full, ctrl->ctx);
    if (!channels)
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma__lock(sys);
    uint32_t k = sys->n_ctrls;
    bool busy = sys->ctrl_adding, again = false;
    for (uint32_t i = 0; i < k; i++)
        again = again || sys->ctrls[i].ctx == ctrl->ctx;
    bool room = k < SYSDMA_MAX_CONTROLLERS && sys->n_channels + channels <= SYSDMA_MAX_CHANNELS;
    if (room && !busy && !again) {
        /* Claimed, not yet usable: adapters look only below n_ctrls. */
        sys->ctrl_base[k] = sys->n_channels;
        sys->ctrl_channels[k] = channels;
        sys->n_channels += channels;
        sys->ctrls_ops[k] = full;
        sys->ctrls[k] = (sysdma_controller){&sys->ctrls_ops[k], ctrl->ctx};
        sys->ctrl_adding = true; /* no other add meanwhile */
    }
    sysdma__unlock(sys);
    if (busy)
        return SYSDMA_E_BUSY;
    if (again)
        return SYSDMA_E_INVALID_ARGUMENT; /* the same controller twice */
    if (!room)
        return SYSDMA_E_INSUFFICIENT_RESOURCES;
    sysdma_status st = full.initialize ? full.initialize(ctrl->ctx) : SYSDMA_OK;
    sysdma__lock(sys);
    if (st == SYSDMA_OK)
        sys->n_ctrls = k + 1;
    else
        sys->n_channels -= channels;
    sys->ctrl_adding = false;
    sysdma__unlock(sys);
    if (st == SYSDMA_OK)
        *index = k;
    return st;
}
