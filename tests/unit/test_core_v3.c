/* SPDX-License-Identifier: MIT */
/*
 * The version-3 operations on the simulated PC: which description version
 * gives which set; adapter and transfer information; AllocateAdapterChannelEx
 * asynchronous and synchronous (never waiting); CancelAdapterChannel on the
 * channel queue and the register queue (the next waiter is served);
 * FreeAdapterObject; MapTransferEx with its completion at terminal count,
 * cancelled transfers, the flush rule; the Ex scatter/gather routine on an
 * MDL chain; AllocateCommonBufferEx below an address; ConfigureAdapterChannel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/rig.h"

#define PAGE SYSDMA_PAGE_SIZE

static sysdma_adapter *get(rig *r, unsigned version, unsigned ch, uint32_t max_len, uint32_t *n)
{
    sysdma_device_description d = {0};
    d.version = version;
    d.channel = ch;
    d.width = ch >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    d.maximum_length = max_len;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(r->sys, &d, &a, n), SYSDMA_OK);
    return a;
}

static int setup(void **state)
{
    rig *r = malloc(sizeof *r);
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 32};
    if (!r || rig_init(r, 64u << 20, 1u << 18, &cfg) != SYSDMA_OK)
        return -1;
    rig_device_interrupts(r, 10); /* the devices' own interrupts, as on a PC */
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    rig_destroy(*state);
    free(*state);
    return 0;
}

static void test_versions_select_the_set(void **state)
{
    rig *r = *state;
    uint32_t n, size;
    uint8_t *va = (uint8_t *)(uintptr_t)0x10000;
    sysdma_adapter_info info;
    sysdma_adapter *refs[3];
    sysdma_adapter *a = refs[0] = get(r, 1, 1, 4096, &n);
    assert_int_equal(sysdma_sg_calculate(a, NULL, va, 100, &size, NULL), SYSDMA_E_NOT_SUPPORTED);
    assert_int_equal(sysdma_adapter_info_get(a, &info), SYSDMA_E_NOT_SUPPORTED);
    a = refs[1] = get(r, 2, 1, 4096, &n); /* the same adapter, now version 2 */
    assert_int_equal(sysdma_sg_calculate(a, NULL, va, 100, &size, NULL), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_info_get(a, &info), SYSDMA_E_NOT_SUPPORTED);
    assert_int_equal(sysdma_sg_calculate(refs[0], NULL, va, 100, &size, NULL), SYSDMA_OK);
    a = refs[2] = get(r, 3, 1, 4096, &n);
    assert_int_equal(sysdma_adapter_info_get(a, &info), SYSDMA_OK);
    assert_int_equal(info.version, 3);
    for (int k = 0; k < 3; k++)
        assert_int_equal(sysdma_adapter_put(refs[k]), SYSDMA_OK);
    sysdma_device_description d = {0};
    d.version = 4;
    d.maximum_length = 1;
    assert_int_equal(sysdma_adapter_get(r->sys, &d, &a, NULL), SYSDMA_E_UNKNOWN_VERSION);
}

static void test_information(void **state)
{
    rig *r = *state;
    uint32_t n;
    sysdma_adapter *a = get(r, 3, 5, 65536, &n);
    sysdma_adapter_info info;
    assert_int_equal(sysdma_adapter_info_get(a, &info), SYSDMA_OK);
    assert_int_equal(info.channel, 5);
    assert_true(info.counter_available);
    assert_int_equal(info.address_width, 24);
    assert_int_equal(info.minimum_transfer_unit, 2);
    assert_int_equal(info.maximum_transfer, 131072);
    assert_int_equal(info.scatter_gather_limit, 1);
    assert_int_equal(info.map_registers, n);
    /* Transfer information agrees with Calculate. */
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, 5 * PAGE, 0, SYSDMA_SIM_HIGH);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, 5 * PAGE, &m), SYSDMA_OK);
    sysdma_transfer_info ti;
    assert_int_equal(sysdma_transfer_info_get(a, m, 100, 3 * PAGE, true, &ti), SYSDMA_OK);
    uint32_t size, regs;
    assert_int_equal(sysdma_sg_calculate(a, m, buf + 100, 3 * PAGE, &size, &regs), SYSDMA_OK);
    assert_int_equal(ti.list_size, size);
    assert_int_equal(ti.map_registers, regs);
    assert_int_equal(ti.elements, 1);
    assert_int_equal(sysdma_transfer_info_get(a, m, 5 * PAGE, 10, true, &ti), SYSDMA_E_OUT_OF_RANGE);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

typedef struct seen {
    int runs;
    sysdma_map_registers *regs;
    sysdma_allocation_action act;
} seen;

static sysdma_allocation_action routine(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    seen *s = ctx;
    s->runs++;
    s->regs = regs;
    return s->act;
}

static void test_allocate_ex_and_cancel(void **state)
{
    rig *r = *state;
    uint32_t n;
    sysdma_adapter *a = get(r, 3, 2, 65536, &n);
    sysdma_transfer_context c1, c2, c3;
    sysdma_transfer_context_init(a, &c1);
    sysdma_transfer_context_init(a, &c2);
    sysdma_transfer_context_init(a, &c3);
    /* Synchronous, no routine: the caller holds the channel. */
    sysdma_map_registers *base = NULL;
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &c1, 4, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL,
                                                NULL, &base),
                     SYSDMA_OK);
    assert_non_null(base);
    /* Another synchronous request fails at once and queues nothing. */
    sysdma_map_registers *b2 = NULL;
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &c2, 1, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL,
                                                NULL, &b2),
                     SYSDMA_E_INSUFFICIENT_RESOURCES);
    sysdma_adapter_state st;
    sysdma_adapter_state_get(a, &st);
    assert_int_equal(st.waiting, 0);
    /* Two asynchronous requests wait; the first is withdrawn. */
    seen s2 = {0, NULL, SYSDMA_DEALLOCATE_OBJECT}, s3 = {0, NULL, SYSDMA_DEALLOCATE_OBJECT};
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &c2, 1, 0, routine, &s2, NULL),
                     SYSDMA_PENDING);
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &c2, 1, 0, routine, &s2, NULL),
                     SYSDMA_E_WRONG_STATE); /* its context is in use */
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &c3, 1, 0, routine, &s3, NULL),
                     SYSDMA_PENDING);
    assert_true(sysdma_channel_cancel(a, &c2));
    assert_false(sysdma_channel_cancel(a, &c2));
    sysdma_adapter_state_get(a, &st);
    assert_int_equal(st.waiting, 1);
    /* FreeAdapterObject releases; the remaining waiter runs. */
    assert_int_equal(sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_OK);
    assert_int_equal(s2.runs, 0);
    assert_int_equal(s3.runs, 1);
    assert_false(sysdma_channel_cancel(a, &c3)); /* already granted */
    assert_int_equal(sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_E_NOT_OWNER);
    /* Bad arguments. */
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &c1, 1, 0, NULL, NULL, NULL),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &c1, n + 1, 0, routine, &s2, NULL),
                     SYSDMA_E_TOO_MANY_MAP_REGISTERS);
    sysdma_transfer_context bogus = {{0}};
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &bogus, 1, 0, routine, &s2, NULL),
                     SYSDMA_E_INVALID_ARGUMENT);
    /* Keep-registers through FreeAdapterObject. */
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &c1, 3, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL,
                                                NULL, &base),
                     SYSDMA_OK);
    assert_int_equal(sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS),
                     SYSDMA_OK);
    assert_int_equal(sysdma_map_registers_free(a, base, 3), SYSDMA_OK);
    sysdma_stats ps;
    sysdma_stats_get(r->sys, NULL, &ps);
    assert_int_equal(ps.pool_in_use, 0);

    /* A request waiting for map registers, withdrawn: its channel is not
     * left reserved. */
    sysdma_adapter *b = get(r, 3, 3, 65536, &n);
    sysdma_transfer_context cb;
    sysdma_transfer_context_init(b, &cb);
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &c1, 16, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL,
                                                NULL, &base),
                     SYSDMA_OK);
    sysdma_map_registers *other;
    sysdma_transfer_context cx;
    sysdma_transfer_context_init(b, &cx);
    seen sb = {0, NULL, SYSDMA_DEALLOCATE_OBJECT};
    /* The pool holds 32 pages in 64 KiB halves: a's 16 took one half; take
     * the other with b, then ask for more on b's channel... */
    assert_int_equal(sysdma_channel_allocate_ex(b, NULL, &cx, 16, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL,
                                                NULL, &other),
                     SYSDMA_OK);
    assert_int_equal(sysdma_adapter_free_object(b, SYSDMA_DEALLOCATE_OBJECT_KEEP_REGISTERS),
                     SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate_ex(b, NULL, &cb, 8, 0, routine, &sb, NULL),
                     SYSDMA_PENDING); /* channel free, registers not */
    sysdma_adapter_state_get(b, &st);
    assert_int_equal(st.waiting, 1);
    assert_true(sysdma_channel_cancel(b, &cb));
    seen now = {0, NULL, SYSDMA_DEALLOCATE_OBJECT};
    assert_int_equal(sysdma_channel_allocate(b, NULL, 0, routine, &now), SYSDMA_OK);
    assert_int_equal(now.runs, 1);
    assert_int_equal(sb.runs, 0);
    assert_int_equal(sysdma_map_registers_free(b, other, 16), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

typedef struct done {
    int calls;
    sysdma_status status;
} done;

static void completed(sysdma_adapter *a, void *ctx, sysdma_status st)
{
    (void)a;
    done *d = ctx;
    d->calls++;
    d->status = st;
}

static bool called(void *ctx) { return ((done *)ctx)->calls > 0; }

static void start_device(rig *r, unsigned ch, uint32_t len, bool to_device)
{
    for (unsigned b = 0; b < 4; b++)
        sysdma_sim_outb(r->sim, (uint16_t)(0x301 + 8 * ch + b), (uint8_t)(len >> (8 * b)));
    sysdma_sim_outb(r->sim, (uint16_t)(0x300 + 8 * ch), to_device ? 2 : 1);
}

static void test_map_transfer_ex(void **state)
{
    rig *r = *state;
    uint32_t n;
    sysdma_adapter *a = get(r, 3, 1, 65536, &n);
    uint32_t total = 100000;
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, total, 0, SYSDMA_SIM_LOW);
    for (uint32_t k = 0; k < total; k++)
        buf[k] = (uint8_t)(k * 5u + 1u);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, total, &m), SYSDMA_OK);
    sysdma_transfer_context c;
    sysdma_transfer_context_init(a, &c);
    sysdma_map_registers *base;
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &c, n, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL,
                                                NULL, &base),
                     SYSDMA_OK);
    /* Whole buffer asked: shortened to one mapping; completion at TC. */
    uint64_t off = 0;
    while (off < total) {
        uint32_t len = total - (uint32_t)off;
        done d = {0, SYSDMA_PENDING};
        assert_int_equal(sysdma_map_transfer_ex(a, m, off, &len, true, base, completed, &d, NULL),
                         SYSDMA_OK);
        assert_true(len > 0 && len <= 65536);
        assert_int_equal(sysdma_flush_adapter_buffers_ex(a, m, base, off, len, true),
                         SYSDMA_E_WRONG_STATE); /* not complete yet */
        r->dev[1].data = r->fifo[1] + off;
        r->dev[1].cap = r->fifo_cap - off;
        start_device(r, 1, len, true);
        assert_true(sysdma_sim_run_until(r->sim, called, &d, 5000000000ull));
        sysdma_sim_run(r->sim, 100000);
        assert_int_equal(d.calls, 1);
        assert_int_equal(d.status, SYSDMA_OK);
        sysdma_sim_outb(r->sim, 0x305 + 8, 0);
        assert_int_equal(sysdma_flush_adapter_buffers_ex(a, m, base, off, len, true), SYSDMA_OK);
        off += len;
    }
    assert_memory_equal(r->fifo[1], buf, total);
    /* Cancelled: the channel stops, the completion says so, once. */
    uint32_t len = 4096;
    done d = {0, SYSDMA_PENDING};
    assert_int_equal(sysdma_map_transfer_ex(a, m, 0, &len, false, base, completed, &d, NULL),
                     SYSDMA_OK);
    assert_int_equal(sysdma_transfer_cancel_mapped(a), SYSDMA_OK);
    assert_int_equal(d.calls, 1);
    assert_int_equal(d.status, SYSDMA_E_CANCELLED);
    assert_int_equal(sysdma_transfer_cancel_mapped(a), SYSDMA_E_WRONG_STATE);
    r->dev[1].data = r->fifo[1];
    r->dev[1].cap = r->fifo_cap;
    r->lint_expected = true; /* a device left requesting on a masked channel, on purpose */
    start_device(r, 1, len, false);
    sysdma_sim_run(r->sim, 10000000);
    assert_int_equal(r->dev[1].moved, 0); /* masked: nothing moved */
    assert_int_equal(r->lint_reports, 1);
    assert_int_equal(r->lint_last, SYSDMA_EMU_LINT_MASKED_REQUEST);
    r->lint_reports = 0;
    r->lint_expected = false;
    assert_int_equal(d.calls, 1);
    sysdma_sim_outb(r->sim, 0x300 + 8, 0);
    assert_int_equal(sysdma_flush_adapter_buffers_ex(a, m, base, 0, len, false), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

static void keep_list(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    *(sysdma_sg_list **)ctx = list;
}

static void test_ex_lists_buffers_configure(void **state)
{
    rig *r = *state;
    uint32_t n;
    sysdma_adapter *a = get(r, 3, 3, 65536, &n);
    /* An MDL chain: the list for an offset in its second MDL. */
    uint8_t *b1 = sysdma_sim_buffer_alloc(r->sim, 3000, 0, SYSDMA_SIM_LOW);
    uint8_t *b2 = sysdma_sim_buffer_alloc(r->sim, 8192, 0, SYSDMA_SIM_LOW);
    for (unsigned i = 0; i < 3000; i++)
        b1[i] = (uint8_t)(i * 3 + 1);
    for (unsigned i = 0; i < 8192; i++)
        b2[i] = (uint8_t)(i * 5 + 2);
    sysdma_mdl *m1, *m2;
    assert_int_equal(sysdma_mdl_create(r->sys, b1, 3000, &m1), SYSDMA_OK);
    assert_int_equal(sysdma_mdl_create(r->sys, b2, 8192, &m2), SYSDMA_OK);
    m1->next = m2;
    sysdma_sg_list *l = NULL;
    assert_int_equal(sysdma_sg_get_ex(a, NULL, m1, 3000 + 100, 2000, keep_list, &l, true, NULL, NULL),
                     SYSDMA_OK);
    assert_non_null(l);
    assert_int_equal(l->count, 1);
    assert_int_equal(l->elements[0].address, m2->pfn[0] + 100);
    assert_int_equal(sysdma_sg_put(a, l, true), SYSDMA_OK);
    /* A range across both MDLs (test_core_sg_chain has the rest). */
    assert_int_equal(sysdma_sg_get_ex(a, NULL, m1, 2900, 200, keep_list, &l, true, NULL, NULL),
                     SYSDMA_OK);
    assert_int_equal(l->count, 1); /* not contiguous: through map registers */
    assert_int_equal(l->elements[0].length, 200);
    const uint8_t *at = sysdma_sim_phys_view(r->sim) + l->elements[0].address;
    assert_memory_equal(at, b1 + 2900, 100);
    assert_memory_equal(at + 100, b2, 100);
    assert_int_equal(sysdma_sg_put(a, l, true), SYSDMA_OK);
    assert_int_equal(sysdma_sg_get_ex(a, NULL, m1, 20000, 2, keep_list, &l, true, NULL, NULL),
                     SYSDMA_E_OUT_OF_RANGE);
    m1->next = NULL;
    sysdma_mdl_free(r->sys, m1);
    sysdma_mdl_free(r->sys, m2);
    /* A common buffer below 8 MiB. */
    void *va;
    uint64_t lg;
    assert_int_equal(sysdma_common_buffer_allocate_ex(a, (8u << 20) - 1, 10000, true, &va, &lg),
                     SYSDMA_OK);
    assert_true(lg + 10000 <= (8u << 20));
    assert_int_equal(sysdma_common_buffer_free(a, 10000, lg, va, true), SYSDMA_OK);
    /* The 8237 driver has no controller-specific functions. */
    assert_int_equal(sysdma_adapter_configure(a, 1, NULL, 0), SYSDMA_E_NOT_IMPLEMENTED);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}


/* ---- A terminal count the moment the programming lock is let go ----
 * The rig's system rebuilt over wrapped tables: the controller's program
 * marks its channel, and the platform's lock release delivers
 * sysdma_terminal_count for it right after the lock hold that programmed
 * the channel (as an interrupt on another CPU would, as soon as it can). */
static struct {
    sysdma_platform_ops pf;
    sysdma_controller_ops ctrl;
    const sysdma_platform_ops *real_pf;
    const sysdma_controller_ops *real_ctrl;
    sysdma_system *sys;
    bool armed;
    uint32_t due;
    uint32_t finished; /* channels the hooked controller reports at terminal count */
} hook;

static sysdma_status hooked_program(void *ctx, unsigned ch, const sysdma_program *p)
{
    sysdma_status st = hook.real_ctrl->program(ctx, ch, p);
    hook.finished &= ~(1u << ch);
    if (st == SYSDMA_OK && hook.armed) {
        hook.due |= 1u << ch;
        hook.finished |= 1u << ch; /* done the moment it starts */
    }
    return st;
}

static uint32_t hooked_terminal_counts(void *ctx, uint32_t channels)
{
    (void)ctx;
    return channels & hook.finished;
}

static void hooked_release(void *ctx, void *lock)
{
    hook.real_pf->lock_release(ctx, lock);
    uint32_t due = hook.due;
    if (due && hook.sys) {
        hook.due = 0;
        sysdma_terminal_count(hook.sys, due);
    }
}

static void rebuild_hooked(rig *r)
{
    assert_int_equal(sysdma_system_destroy(r->sys), SYSDMA_OK);
    memset(&hook, 0, sizeof hook);
    hook.real_pf = r->pf.ops;
    hook.real_ctrl = r->ctrl.ops;
    hook.pf = *r->pf.ops;
    hook.pf.lock_release = hooked_release;
    hook.ctrl = *r->ctrl.ops;
    hook.ctrl.program = hooked_program;
    hook.ctrl.terminal_counts = hooked_terminal_counts;
    sysdma_platform pf = {&hook.pf, r->pf.ctx};
    sysdma_controller ctrl = {&hook.ctrl, r->ctrl.ctx};
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 32};
    assert_int_equal(sysdma_system_create(&pf, &ctrl, &cfg, &r->sys), SYSDMA_OK);
    hook.sys = r->sys;
}

/* MapTransferEx records its completion in the lock hold that programs the
 * channel: a terminal count right after it is delivered, once; a failed
 * MapTransferEx leaves nothing recorded. */
static void test_map_transfer_ex_tc_at_once(void **state)
{
    rig *r = *state;
    rebuild_hooked(r);
    uint32_t n;
    sysdma_adapter *a = get(r, 3, 1, 65536, &n);
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, 3 * PAGE, 0, SYSDMA_SIM_SCATTERED);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, 3 * PAGE, &m), SYSDMA_OK);
    sysdma_transfer_context c;
    assert_int_equal(sysdma_transfer_context_init(a, &c), SYSDMA_OK);
    done d = {0, SYSDMA_PENDING};
    uint32_t len = 3 * PAGE;
    /* Refused (the channel is not held): nothing is left pending. */
    assert_int_equal(sysdma_map_transfer_ex(a, m, 0, &len, true, NULL, completed, &d, NULL),
                     SYSDMA_E_NOT_OWNER);
    sysdma_map_registers *base;
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &c, n, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL,
                                                NULL, &base),
                     SYSDMA_OK);
    hook.armed = true;
    for (int k = 0; k < 2; k++) { /* in place, then through map registers */
        d = (done){0, SYSDMA_PENDING};
        len = k ? 3 * PAGE : 512;
        assert_int_equal(sysdma_map_transfer_ex(a, m, 0, &len, true, base, completed, &d, NULL),
                         SYSDMA_OK);
        assert_int_equal(d.calls, 1);
        assert_int_equal(d.status, SYSDMA_OK);
        assert_int_equal(sysdma_transfer_cancel_mapped(a), SYSDMA_E_WRONG_STATE);
        assert_int_equal(sysdma_flush_adapter_buffers_ex(a, m, base, 0, len, true), SYSDMA_OK);
        assert_int_equal(d.calls, 1);
    }
    hook.armed = false;
    assert_int_equal(sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* A bus master's MapTransferEx completion: the core cannot see its device
 * finish; FlushAdapterBuffersEx (the driver saying it did) runs it, once,
 * with SYSDMA_OK; a cancel before the flush runs it with
 * SYSDMA_E_CANCELLED instead. */
static void test_bus_master_completion(void **state)
{
    rig *r = *state;
    sysdma_device_description dd = {0};
    dd.version = 3;
    dd.master = true;
    dd.maximum_length = 16 * PAGE;
    dd.address_width = 32;
    sysdma_adapter *a;
    uint32_t n;
    assert_int_equal(sysdma_adapter_get(r->sys, &dd, &a, &n), SYSDMA_OK);
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, 4 * PAGE, 0, SYSDMA_SIM_LOW);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, 4 * PAGE, &m), SYSDMA_OK);
    sysdma_transfer_context c;
    assert_int_equal(sysdma_transfer_context_init(a, &c), SYSDMA_OK);
    sysdma_map_registers *base;
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &c, n, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL,
                                                NULL, &base),
                     SYSDMA_OK);
    done d = {0, SYSDMA_PENDING};
    uint32_t len = 4 * PAGE;
    assert_int_equal(sysdma_map_transfer_ex(a, m, 0, &len, true, base, completed, &d, NULL),
                     SYSDMA_OK);
    sysdma_terminal_count(r->sys, 0xFF); /* no channel: nothing */
    assert_int_equal(d.calls, 0);
    assert_int_equal(sysdma_flush_adapter_buffers_ex(a, m, base, 0, len + 1, true),
                     SYSDMA_E_INVALID_ARGUMENT); /* refused: still pending */
    assert_int_equal(d.calls, 0);
    assert_int_equal(sysdma_flush_adapter_buffers_ex(a, m, base, 0, len, true), SYSDMA_OK);
    assert_int_equal(d.calls, 1);
    assert_int_equal(d.status, SYSDMA_OK);
    assert_int_equal(sysdma_flush_adapter_buffers_ex(a, m, base, 0, len, true),
                     SYSDMA_E_WRONG_STATE);
    assert_int_equal(sysdma_transfer_cancel_mapped(a), SYSDMA_E_WRONG_STATE);
    assert_int_equal(d.calls, 1);
    /* Cancelled, then flushed: once, cancelled. */
    d = (done){0, SYSDMA_PENDING};
    assert_int_equal(sysdma_map_transfer_ex(a, m, 0, &len, false, base, completed, &d, NULL),
                     SYSDMA_OK);
    assert_int_equal(sysdma_transfer_cancel_mapped(a), SYSDMA_OK);
    assert_int_equal(d.calls, 1);
    assert_int_equal(d.status, SYSDMA_E_CANCELLED);
    assert_int_equal(sysdma_flush_adapter_buffers_ex(a, m, base, 0, len, false), SYSDMA_OK);
    assert_int_equal(d.calls, 1);
    assert_int_equal(sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* A transfer context is the caller's memory: a misaligned one is refused
 * (never used as a struct), and one is judged by its bytes alone. */
static void test_context_alignment(void **state)
{
    rig *r = *state;
    uint32_t n;
    sysdma_adapter *a = get(r, 3, 2, 65536, &n);
    _Alignas(16) unsigned char raw[sizeof(sysdma_transfer_context) + 16];
    memset(raw, 0x5A, sizeof raw);
    sysdma_transfer_context *odd = (sysdma_transfer_context *)(void *)(raw + 4);
    assert_int_equal(sysdma_transfer_context_init(a, odd), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(raw[4], 0x5A); /* untouched */
    seen s = {0, NULL, SYSDMA_DEALLOCATE_OBJECT};
    sysdma_map_registers *base = NULL;
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, odd, 1, 0, routine, &s, NULL),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, odd, 1, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL,
                                                NULL, &base),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_false(sysdma_channel_cancel(a, odd));
    assert_int_equal(s.runs, 0);
    /* An initialized context copied byte for byte to aligned memory works. */
    sysdma_transfer_context good, copy;
    assert_int_equal(sysdma_transfer_context_init(a, &good), SYSDMA_OK);
    memcpy(&copy, &good, sizeof copy);
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &copy, 1, 0, routine, &s, NULL),
                     SYSDMA_OK);
    assert_int_equal(s.runs, 1);
    /* Another adapter's context is refused. */
    sysdma_adapter *b = get(r, 3, 3, 65536, &n);
    assert_int_equal(sysdma_channel_allocate_ex(b, NULL, &good, 1, 0, routine, &s, NULL),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(s.runs, 1);
    assert_int_equal(sysdma_adapter_put(b), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* The worst-case figures refuse a length no list of the adapter can
 * carry, instead of wrapping around: at the limit and one past it. */
static void test_transfer_info_limits(void **state)
{
    rig *r = *state;
    sysdma_device_description dd = {0};
    dd.version = 3;
    dd.master = true;
    dd.maximum_length = 0xFFFFFFFFu;
    dd.address_width = 24; /* may bounce: every page may need a register */
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(r->sys, &dd, &a, NULL), SYSDMA_OK);
    sysdma_transfer_info ti;
    assert_int_equal(sysdma_transfer_info_get(a, NULL, 0, 0xFFFFF000u, true, &ti), SYSDMA_OK);
    assert_int_equal(ti.map_registers, 0xFFFFF000u / PAGE);
    assert_int_equal(ti.elements, 1);
    assert_int_equal(sysdma_transfer_info_get(a, NULL, 0, 0xFFFFF001u, true, &ti), SYSDMA_E_LENGTH);
    assert_int_equal(sysdma_transfer_info_get(a, NULL, 0, 0xFFFFFFFFu, true, &ti), SYSDMA_E_LENGTH);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    /* A bus master's maximum length. */
    dd.maximum_length = 8 * PAGE;
    assert_int_equal(sysdma_adapter_get(r->sys, &dd, &a, NULL), SYSDMA_OK);
    assert_int_equal(sysdma_transfer_info_get(a, NULL, 0, 8 * PAGE, true, &ti), SYSDMA_OK);
    assert_int_equal(ti.map_registers, 8);
    assert_int_equal(sysdma_transfer_info_get(a, NULL, 0, 8 * PAGE + 1, true, &ti),
                     SYSDMA_E_LENGTH);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    /* A system adapter without scatter/gather: one window, as
     * sysdma_sg_get refuses more. */
    uint32_t n;
    a = get(r, 3, 1, 65536, &n);
    assert_int_equal(sysdma_transfer_info_get(a, NULL, 0, 65536, true, &ti), SYSDMA_OK);
    assert_int_equal(ti.map_registers, 16);
    assert_int_equal(sysdma_transfer_info_get(a, NULL, 0, 65537, true, &ti), SYSDMA_E_LENGTH);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

static void never_list(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device, (void)list, (void)ctx;
    fail_msg("a refused list's routine ran");
}

/* CalculateScatterGatherList's worst case (no MDL) at the adapter's reach
 * and one past it (the figures wrapped to 0 registers before), and the
 * element limit sysdma_adapter_info promises, enforced. */
static void test_sg_limits_hold(void **state)
{
    rig *r = *state;
    sysdma_device_description dd = {0};
    dd.version = 3;
    dd.master = true;
    dd.maximum_length = 0xFFFFFFFFu;
    dd.address_width = 24;
    sysdma_adapter *a;
    assert_int_equal(sysdma_adapter_get(r->sys, &dd, &a, NULL), SYSDMA_OK);
    uint8_t *va = (uint8_t *)(uintptr_t)PAGE;
    uint32_t size = 0, regs = 0;
    assert_int_equal(sysdma_sg_calculate(a, NULL, va, 0xFFFFF000u, &size, &regs), SYSDMA_OK);
    assert_int_equal(regs, 0xFFFFF000u / PAGE);
    assert_int_equal(sysdma_sg_calculate(a, NULL, va, 0xFFFFF001u, &size, &regs), SYSDMA_E_LENGTH);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    /* A system adapter without scatter/gather: one window. */
    uint32_t n;
    a = get(r, 3, 1, 65536, &n);
    assert_int_equal(sysdma_sg_calculate(a, NULL, va, 65536, &size, &regs), SYSDMA_OK);
    assert_int_equal(sysdma_sg_calculate(a, NULL, va, 65537, &size, &regs), SYSDMA_E_LENGTH);
    sysdma_adapter_info info;
    assert_int_equal(sysdma_adapter_info_get(a, &info), SYSDMA_OK);
    assert_int_equal(info.scatter_gather_limit, 1);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    /* A scatter/gather bus master whose longest transfer is one page: at
     * most 2 elements. A chain of three 10-byte pieces in three buffers is
     * short enough but needs 3: refused, not handed out. */
    dd.maximum_length = PAGE;
    dd.scatter_gather = true;
    dd.address_width = 64;
    assert_int_equal(sysdma_adapter_get(r->sys, &dd, &a, NULL), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_info_get(a, &info), SYSDMA_OK);
    assert_int_equal(info.scatter_gather_limit, 2);
    uint8_t *buf[3];
    sysdma_mdl *m[3];
    for (int k = 0; k < 3; k++) {
        buf[k] = sysdma_sim_buffer_alloc(r->sim, PAGE, 0, SYSDMA_SIM_HIGH);
        assert_int_equal(sysdma_mdl_create(r->sys, buf[k] + 100, 10, &m[k]), SYSDMA_OK);
    }
    m[0]->next = m[1];
    m[1]->next = m[2];
    assert_int_equal(sysdma_sg_calculate(a, m[0], buf[0] + 100, 30, &size, &regs),
                     SYSDMA_E_TOO_MANY_ELEMENTS);
    assert_int_equal(sysdma_sg_get(a, NULL, m[0], buf[0] + 100, 30, never_list, NULL, true),
                     SYSDMA_E_TOO_MANY_ELEMENTS);
    sysdma_adapter_state st;
    sysdma_adapter_state_get(a, &st);
    assert_int_equal(st.waiting, 0);
    /* Two pieces fit. */
    assert_int_equal(sysdma_sg_calculate(a, m[0], buf[0] + 100, 20, &size, &regs), SYSDMA_OK);
    m[0]->next = NULL;
    m[1]->next = NULL;
    for (int k = 0; k < 3; k++) {
        sysdma_mdl_free(r->sys, m[k]);
        sysdma_sim_buffer_free(r->sim, buf[k]);
    }
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
}

/* A MapTransferEx mapping flushed with the version-1 flush: refused on a
 * system adapter while its completion is due (it would be lost and the
 * adapter left unable to map again); a bus master's completion runs. */
static void test_v1_flush_of_ex_mapping(void **state)
{
    rig *r = *state;
    uint32_t n;
    sysdma_adapter *a = get(r, 3, 1, 65536, &n);
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, PAGE, 0, SYSDMA_SIM_LOW);
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, buf, PAGE, &m), SYSDMA_OK);
    sysdma_transfer_context c;
    assert_int_equal(sysdma_transfer_context_init(a, &c), SYSDMA_OK);
    sysdma_map_registers *base;
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &c, n, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL,
                                                NULL, &base),
                     SYSDMA_OK);
    done d = {0, SYSDMA_PENDING};
    uint32_t len = 512;
    assert_int_equal(sysdma_map_transfer_ex(a, m, 0, &len, true, base, completed, &d, NULL),
                     SYSDMA_OK);
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, base, buf, len, true), SYSDMA_E_WRONG_STATE);
    assert_int_equal(sysdma_transfer_cancel_mapped(a), SYSDMA_OK);
    assert_int_equal(d.calls, 1);
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, base, buf, len, true), SYSDMA_OK);
    d = (done){0, SYSDMA_PENDING};
    assert_int_equal(sysdma_map_transfer_ex(a, m, 0, &len, true, base, completed, &d, NULL),
                     SYSDMA_OK);
    /* A check before the device has moved anything (no terminal count in
     * the status register) completes nothing. */
    assert_int_equal(sysdma_channel_check(r->sys, 1u << 1), 0);
    assert_int_equal(d.calls, 0);
    start_device(r, 1, len, true);
    assert_true(sysdma_sim_run_until(r->sim, called, &d, 1000000000ull));
    assert_int_equal(d.calls, 1);
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, base, buf, len, true), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    /* A bus master: the version-1 flush completes it too, once. */
    sysdma_device_description dd = {0};
    dd.version = 3;
    dd.master = true;
    dd.maximum_length = 4 * PAGE;
    dd.address_width = 32;
    assert_int_equal(sysdma_adapter_get(r->sys, &dd, &a, &n), SYSDMA_OK);
    assert_int_equal(sysdma_transfer_context_init(a, &c), SYSDMA_OK);
    assert_int_equal(sysdma_channel_allocate_ex(a, NULL, &c, n, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL,
                                                NULL, &base),
                     SYSDMA_OK);
    d = (done){0, SYSDMA_PENDING};
    len = PAGE;
    assert_int_equal(sysdma_map_transfer_ex(a, m, 0, &len, false, base, completed, &d, NULL),
                     SYSDMA_OK);
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, base, buf, len, false), SYSDMA_OK);
    assert_int_equal(d.calls, 1);
    assert_int_equal(d.status, SYSDMA_OK);
    d = (done){0, SYSDMA_PENDING};
    assert_int_equal(sysdma_map_transfer_ex(a, m, 0, &len, false, base, completed, &d, NULL),
                     SYSDMA_OK); /* not left busy */
    assert_int_equal(sysdma_flush_adapter_buffers_ex(a, m, base, 0, len, false), SYSDMA_OK);
    assert_int_equal(d.calls, 1);
    assert_int_equal(sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    sysdma_sim_buffer_free(r->sim, buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_versions_select_the_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_information, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allocate_ex_and_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_transfer_ex, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ex_lists_buffers_configure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_transfer_ex_tc_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bus_master_completion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_context_alignment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_info_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sg_limits_hold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v1_flush_of_ex_mapping, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
