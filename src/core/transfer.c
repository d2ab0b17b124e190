/* SPDX-License-Identifier: MIT */
/*
 * Packet-based system DMA: MapTransfer, FlushAdapterBuffers, ReadDmaCounter
 * and GetDmaAlignment for system (subordinate) adapters.
 *
 * MapTransfer maps the whole piece it is given (the length comes back
 * unchanged). A piece is used in place when its pages are physically
 * contiguous, it lies below the channel's reach (16 MiB on the PC/AT) and
 * inside one window (64 KiB / 128 KiB); otherwise it goes through the run of
 * map registers the driver holds, which the pool guarantees to satisfy all
 * three. Data is copied into the bounce pages for a write to the device and
 * copied back at flush, for the bytes the controller actually moved.
 *
 * What moved. The flush stops the channel first and only then asks the
 * controller what is left (read_residue, or read_counter): a device that
 * runs on in between would otherwise move bytes that are neither counted
 * nor copied back. A transfer that reached terminal count moved everything
 * (in auto-initialize mode: every byte at least once); otherwise
 * length − left moved, which is nothing for a transfer that never started
 * (so a bounced read flushed early copies no stale bounce data back).
 */
#include "internal.h"

#define phys_at sysdma__phys_at

/* The platform's coherence hook, when it has one (never under the lock). */
static inline void dma_sync(sysdma_system *sys, void *va, size_t bytes, sysdma_dma_sync op)
{
    if (sys->pf.ops->dma_sync && bytes)
        sys->pf.ops->dma_sync(sys->pf.ctx, va, bytes, op);
}

bool sysdma__direct(const sysdma_adapter *a, const sysdma_mdl *mdl, const uint8_t *va,
                    uint32_t len, uint64_t *phys)
{
    uint64_t start = phys_at(mdl, va);
    size_t first = (size_t)(va - mdl->start_va) / PAGE;
    size_t last = (size_t)(va + len - 1 - mdl->start_va) / PAGE;
    for (size_t k = first; k < last; k++)
        if (mdl->pfn[k + 1] != mdl->pfn[k] + PAGE)
            return false;
    uint64_t end = start + len - 1;
    if (a->limits.address_bits < 64 && end >> a->limits.address_bits)
        return false;
    if (a->limits.boundary && ((start ^ end) & ~(uint64_t)(a->limits.boundary - 1)))
        return false;
    *phys = start;
    return true;
}

/* A bus master that can scatter/gather maps one physically contiguous,
 * reachable run at a time: the length shrinks to it. When the first page
 * is beyond reach, the run of unreachable pages (up to the registers held)
 * goes through the map registers instead. */
uint32_t sysdma__master_run(const sysdma_adapter *a, const sysdma_mdl *mdl, const uint8_t *va,
                            uint32_t len, uint32_t regs_bytes)
{
    uint64_t p = phys_at(mdl, va);
    uint32_t first = PAGE - (uint32_t)(p % PAGE);
    if (first >= len)
        return len;
    bool reach = a->limits.address_bits >= 64 || !((p + first - 1) >> a->limits.address_bits);
    uint32_t run = first;
    while (run < len) {
        const uint8_t *next = va + run;
        uint64_t q = phys_at(mdl, next);
        uint32_t seg = len - run < PAGE ? len - run : PAGE;
        bool r = a->limits.address_bits >= 64 || !((q + seg - 1) >> a->limits.address_bits);
        if (reach ? (!r || q != p + run) : (r || run + seg > regs_bytes))
            break;
        run += seg;
    }
    return run;
}

sysdma_status sysdma__map_transfer(sysdma_adapter *a, sysdma_mdl *mdl,
                                   sysdma_map_registers *regs, void *current_va,
                                   uint32_t *length, bool to_device, uint64_t *logical)
{
    sysdma_system *sys = a->sys;
    uint8_t *va = current_va;
    uint32_t len = *length;
    uint8_t *lo = sysdma_mdl_virtual_address(mdl);
    if (va < lo || va >= lo + mdl->byte_count)
        return SYSDMA_E_OUT_OF_RANGE;
    if (len == 0 || len > a->max_transfer)
        return SYSDMA_E_LENGTH;
    if (len > (size_t)(lo + mdl->byte_count - va))
        return SYSDMA_E_OUT_OF_RANGE;
    uint32_t w = a->limits.width;
    if (w > 1 && ((len | (uint32_t)phys_at(mdl, va)) & (w - 1)))
        return SYSDMA_E_ALIGNMENT;

    uint64_t phys = 0;
    if (a->master && a->desc.scatter_gather) {
        /* The registers' size, once they are known to be the ones held
         * (never read through a pointer the caller may have made up). */
        uint32_t room = 0;
        sysdma__lock(sys);
        const sysdma_map_registers *held = sysdma__held_set(a, regs);
        if (held)
            room = held->count * PAGE;
        sysdma__unlock(sys);
        len = sysdma__master_run(a, mdl, va, len, room);
    }
    bool bounce = !sysdma__direct(a, mdl, va, len, &phys);
    sysdma__lock(sys);
    sysdma_status st = SYSDMA_OK;
    const sysdma_map_registers *held = sysdma__held_set(a, regs);
    if ((!a->granted && !held) || (regs && !held))
        st = SYSDMA_E_NOT_OWNER;
    else if (a->map.active || (a->run_head && sysdma__sg_running(a->run_head)))
        st = SYSDMA_E_WRONG_STATE; /* a mapping, or a list running on the channel */
    else if (bounce && !held)
        st = SYSDMA_E_LENGTH; /* must bounce through registers it does not hold: 0 bytes allowed */
    else if (bounce && len > held->count * PAGE)
        st = SYSDMA_E_LENGTH;
    if (st != SYSDMA_OK) {
        sysdma__unlock(sys);
        return st;
    }
    /* Claimed: nobody else maps meanwhile, and registers the driver lets
     * go meanwhile (a bus master may) stay with the mapping. */
    a->map.active = true;
    a->map.regs = bounce ? regs : NULL;
    a->map.holds_regs = false;
    if (!bounce && sys->pf.ops->dma_sync) {
        /* In place on a non-coherent machine: coherent before the
         * controller may start, synced without the lock (claimed). */
        sysdma__unlock(sys);
        dma_sync(sys, va, len, to_device ? SYSDMA_SYNC_PRE_WRITE : SYSDMA_SYNC_PRE_READ);
        sysdma__lock(sys);
    }
    if (bounce) {
        /* Copy in without the lock (the registers are ours), then come back
         * to program: the controller's registers (the 8237's shared
         * flip-flop) are only ever touched under the lock. */
        uint32_t lead = a->bounce_lead;
        if (lead > regs->count * PAGE - len || lead % (w > 1 ? w : 1))
            lead = 0;
        sysdma__unlock(sys);
        phys = sysdma__regs_phys(regs) + lead;
        if (to_device)
            memcpy(sysdma__regs_va(regs) + lead, va, len);
        dma_sync(sys, sysdma__regs_va(regs) + lead, len,
                 to_device ? SYSDMA_SYNC_PRE_WRITE : SYSDMA_SYNC_PRE_READ);
        sysdma__lock(sys);
    }
    sysdma_fragment frag = {phys, len};
    sysdma_program prog = {
        .fragments = &frag,
        .count = 1,
        .device_address = a->desc.device_address,
        .to_device = to_device,
        .loop = a->desc.auto_initialize,
        .mode = a->demand ? SYSDMA_XFER_DEMAND : SYSDMA_XFER_SINGLE,
        .request_line = sysdma__request_line(a),
        .shape = a->shape,
    };
    /* A bus master's device moves the data itself: nothing to program. */
    st = a->master ? SYSDMA_OK : a->ctrl->ops->program(a->ctrl->ctx, a->hw, &prog);
    if (st != SYSDMA_OK) {
        sysdma__map_end(a); /* unlocks */
        return st;
    }
    bool holds = a->map.holds_regs;
    a->map = (mapping){.active = true, .bounced = bounce, .to_device = to_device, .mdl = mdl,
                       .current_va = va, .length = len, .logical = phys,
                       .regs = bounce ? regs : NULL, .holds_regs = holds};
    if (a->v3_armed) { /* MapTransferEx's completion: due from now on */
        a->v3_armed = false;
        a->v3_pending = true;
    }
    a->stats.transfers++;
    sys->stats.transfers++;
    if (bounce) {
        a->stats.bounced_transfers++;
        sys->stats.bounced_transfers++;
        if (to_device) {
            a->stats.bytes_bounced += len;
            sys->stats.bytes_bounced += len;
        }
    }
    sysdma__unlock(sys);
    *length = len;
    if (logical)
        *logical = phys;
    return SYSDMA_OK;
}

/* Bytes left on `a`'s channel, and whether it reached terminal count
 * (lock held; the controller's registers are shared). A controller without
 * read_residue says it by a counter of 0. */
static uint32_t residue(sysdma_adapter *a, bool *terminal_count)
{
    const sysdma_controller_ops *o = a->ctrl->ops;
    if (o->read_residue)
        return o->read_residue(a->ctrl->ctx, a->hw, terminal_count);
    uint32_t left = o->read_counter(a->ctrl->ctx, a->hw);
    *terminal_count = left == 0;
    return left;
}

static bool counter(const sysdma_adapter *a)
{
    if (a->master)
        return false;
    const sysdma_controller_ops *o = a->ctrl->ops;
    return a->limits.counter_available && (o->read_residue || o->read_counter);
}

sysdma_status sysdma__flush(sysdma_adapter *a, sysdma_mdl *mdl, sysdma_map_registers *regs,
                            void *current_va, uint32_t length, bool to_device)
{
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    mapping m = a->map;
    if (!m.active || (a->v3_pending && !a->master)) {
        /* (a MapTransferEx's completion still due: not done yet) */
        sysdma__unlock(sys);
        return SYSDMA_E_WRONG_STATE;
    }
    if (m.mdl != mdl || m.current_va != (uint8_t *)current_va || m.length != length ||
        m.to_device != to_device || (m.bounced && regs != m.regs)) {
        sysdma__unlock(sys);
        return SYSDMA_E_INVALID_ARGUMENT;
    }
    /* Stop the channel, then read what is left (see the file comment). */
    if (!a->master)
        a->ctrl->ops->flush(a->ctrl->ctx, a->hw);
    uint32_t moved = length;
    if (counter(a) && !a->desc.ignore_count) {
        bool tc = false;
        uint32_t left = residue(a, &tc);
        if (!tc && left <= length)
            moved = length - left;
    }
    bool copy_back = m.bounced && !to_device && moved;
    if (copy_back) {
        a->stats.bytes_bounced += moved;
        sys->stats.bytes_bounced += moved;
        /* Still marked mapped while we copy without the lock. */
        sysdma__unlock(sys);
        uint64_t lead = m.logical - sysdma__regs_phys(regs); /* see bounce_lead */
        dma_sync(sys, sysdma__regs_va(regs) + lead, moved, SYSDMA_SYNC_POST_READ);
        memcpy(m.current_va, sysdma__regs_va(regs) + lead, moved);
        sysdma__lock(sys);
    }
    /* A bus master's MapTransferEx: its device moved the data on its own;
     * the driver's flush says it is done, so its completion runs now
     * (unless a cancel ran it already). */
    sysdma_transfer_complete_fn fn = a->v3_pending ? a->v3_complete : NULL;
    void *ctx = a->v3_context;
    sysdma_adapter *h = a->v3_handle;
    a->v3_pending = false;
    sysdma__map_end(a); /* unlocks */
    if (!m.bounced && !to_device && moved) /* in place: the device's bytes, not stale lines */
        dma_sync(sys, m.current_va, moved, SYSDMA_SYNC_POST_READ);
    if (fn)
        fn(h, ctx, SYSDMA_OK);
    return SYSDMA_OK;
}

uint32_t sysdma__read_counter(sysdma_adapter *a)
{
    sysdma_system *sys = a->sys;
    if (!counter(a))
        return 0;
    bool tc = false;
    sysdma__lock(sys);
    uint32_t left = residue(a, &tc);
    sysdma__unlock(sys);
    return left;
}

uint32_t sysdma__alignment(sysdma_adapter *a)
{
    return a->limits.width ? a->limits.width : 1;
}

sysdma_status sysdma__set_shape(sysdma_adapter *a, const void *data, size_t bytes)
{
    if (!data || bytes != sizeof(sysdma_transfer_shape))
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma_transfer_shape s;
    memcpy(&s, data, sizeof s);
    bool width_ok = true;
    for (int k = 0; k < 2; k++) {
        uint8_t w = k ? s.device_width : s.memory_width;
        width_ok = width_ok && (w == 0 || w == 1 || w == 2 || w == 4);
    }
    if (!width_ok || (unsigned)s.flow > SYSDMA_FLOW_MEMORY)
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma_system *sys = a->sys;
    sysdma__lock(sys);
    /* A mapped transfer keeps the shape it was programmed with; the next
     * programming takes the new one. */
    a->shape = s;
    sysdma__unlock(sys);
    return SYSDMA_OK;
}
