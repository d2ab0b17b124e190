/*
 * The quarantine table of the verifier: an adapter whose last reference
 * was put keeps this table until it is got again or the system goes, and
 * every call on it is a USE_AFTER_PUT report (see verifier.c).
 */
#include "verifier_internal.h"

/* ---- the quarantine: every use of a put adapter is a report ----------------------------- */

static sysdma_status dead(sysdma_adapter *a, const char *call)
{
    return sysdma__vf_refuse(V_OF(a), SYSDMA_VCHECK_USE_AFTER_PUT, a, call, sysdma__vf_take_site());
}
static sysdma_status d_put(sysdma_adapter *a) { return dead(a, "sysdma_adapter_put"); }
static sysdma_status d_alloc(sysdma_adapter *a, void *d, uint32_t n, sysdma_adapter_control_fn f,
                             void *c)
{
    (void)d, (void)n, (void)f, (void)c;
    return dead(a, "sysdma_channel_allocate");
}
static sysdma_status d_free(sysdma_adapter *a) { return dead(a, "sysdma_channel_free"); }
static sysdma_status d_free_regs(sysdma_adapter *a, sysdma_map_registers *b, uint32_t n)
{
    (void)b, (void)n;
    return dead(a, "sysdma_map_registers_free");
}
static sysdma_status d_map(sysdma_adapter *a, sysdma_mdl *m, sysdma_map_registers *r, void *va,
                           uint32_t *len, bool dir, uint64_t *lg)
{
    (void)m, (void)r, (void)va, (void)len, (void)dir, (void)lg;
    return dead(a, "sysdma_map_transfer");
}
static sysdma_status d_flush(sysdma_adapter *a, sysdma_mdl *m, sysdma_map_registers *r, void *va,
                             uint32_t len, bool dir)
{
    (void)m, (void)r, (void)va, (void)len, (void)dir;
    return dead(a, "sysdma_flush_adapter_buffers");
}
static uint32_t d_counter(sysdma_adapter *a)
{
    (void)dead(a, "sysdma_read_dma_counter");
    return 0;
}
static uint32_t d_alignment(sysdma_adapter *a)
{
    (void)dead(a, "sysdma_get_dma_alignment");
    return 1;
}
static sysdma_status d_common(sysdma_adapter *a, uint32_t len, bool c, void **va, uint64_t *lg)
{
    (void)len, (void)c, (void)va, (void)lg;
    return dead(a, "sysdma_common_buffer_allocate");
}
static sysdma_status d_common_ex(sysdma_adapter *a, uint64_t max, uint32_t len, bool c, void **va,
                                 uint64_t *lg)
{
    (void)max, (void)len, (void)c, (void)va, (void)lg;
    return dead(a, "sysdma_common_buffer_allocate_ex");
}
static sysdma_status d_common_free(sysdma_adapter *a, uint32_t len, uint64_t lg, void *va, bool c)
{
    (void)len, (void)lg, (void)va, (void)c;
    return dead(a, "sysdma_common_buffer_free");
}
static sysdma_status d_sg_get(sysdma_adapter *a, void *d, sysdma_mdl *m, void *va, uint32_t len,
                              sysdma_list_control_fn f, void *c, bool dir)
{
    (void)d, (void)m, (void)va, (void)len, (void)f, (void)c, (void)dir;
    return dead(a, "sysdma_sg_get");
}
static sysdma_status d_sg_put(sysdma_adapter *a, sysdma_sg_list *l, bool dir)
{
    (void)l, (void)dir;
    return dead(a, "sysdma_sg_put");
}
static sysdma_status d_sg_calc(sysdma_adapter *a, sysdma_mdl *m, void *va, uint32_t len,
                               uint32_t *s, uint32_t *n)
{
    (void)m, (void)va, (void)len, (void)s, (void)n;
    return dead(a, "sysdma_sg_calculate");
}
static sysdma_status d_sg_build(sysdma_adapter *a, void *d, sysdma_mdl *m, void *va, uint32_t len,
                                sysdma_list_control_fn f, void *c, bool dir, void *b, uint32_t *s)
{
    (void)d, (void)m, (void)va, (void)len, (void)f, (void)c, (void)dir, (void)b, (void)s;
    return dead(a, "sysdma_sg_build");
}
static sysdma_status d_sg_mdl(sysdma_adapter *a, sysdma_sg_list *l, const sysdma_mdl *m,
                              sysdma_mdl **o)
{
    (void)l, (void)m, (void)o;
    return dead(a, "sysdma_sg_build_mdl");
}
static sysdma_status d_sg_start(sysdma_adapter *a, sysdma_sg_list *l, bool dir, sysdma_sg_done_fn f,
                                void *c)
{
    (void)l, (void)dir, (void)f, (void)c;
    return dead(a, "sysdma_sg_start");
}
static sysdma_status d_sg_cancel(sysdma_adapter *a, sysdma_sg_list *l)
{
    (void)l;
    return dead(a, "sysdma_sg_cancel");
}
static uint64_t d_sg_progress(sysdma_adapter *a, const sysdma_sg_list *l)
{
    (void)l;
    (void)dead(a, "sysdma_sg_progress");
    return 0;
}

static sysdma_status d_alloc_ex(sysdma_adapter *a, void *d, sysdma_transfer_context *c, uint32_t n,
                                uint32_t fl, sysdma_adapter_control_fn f, void *x,
                                sysdma_map_registers **b)
{
    (void)d, (void)c, (void)n, (void)fl, (void)f, (void)x, (void)b;
    return dead(a, "sysdma_channel_allocate_ex");
}
static bool d_cancel(sysdma_adapter *a, sysdma_transfer_context *c)
{
    (void)c;
    (void)dead(a, "sysdma_channel_cancel");
    return false;
}
static sysdma_status d_free_object(sysdma_adapter *a, sysdma_allocation_action act)
{
    (void)act;
    return dead(a, "sysdma_adapter_free_object");
}
static sysdma_status d_flush_ex(sysdma_adapter *a, sysdma_mdl *m, sysdma_map_registers *r,
                                uint64_t off, uint32_t len, bool dir)
{
    (void)m, (void)r, (void)off, (void)len, (void)dir;
    return dead(a, "sysdma_flush_adapter_buffers_ex");
}

const sysdma_dma_operations sysdma__vf_dead_ops = {
    .size = sizeof(sysdma_dma_operations),
    .put_adapter = d_put,
    .allocate_channel = d_alloc,
    .free_channel = d_free,
    .free_map_registers = d_free_regs,
    .map_transfer = d_map,
    .flush_adapter_buffers = d_flush,
    .read_dma_counter = d_counter,
    .get_dma_alignment = d_alignment,
    .allocate_common_buffer = d_common,
    .free_common_buffer = d_common_free,
    .get_scatter_gather_list = d_sg_get,
    .put_scatter_gather_list = d_sg_put,
    .calculate_scatter_gather_list = d_sg_calc,
    .build_scatter_gather_list = d_sg_build,
    .build_mdl_from_scatter_gather_list = d_sg_mdl,
    .sg_start = d_sg_start,
    .sg_cancel = d_sg_cancel,
    .sg_progress = d_sg_progress,
    .allocate_channel_ex = d_alloc_ex,
    .cancel_channel = d_cancel,
    .free_object = d_free_object,
    .flush_adapter_buffers_ex = d_flush_ex,
    .allocate_common_buffer_ex = d_common_ex,
};
