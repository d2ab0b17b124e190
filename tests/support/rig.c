/* SPDX-License-Identifier: MIT */
/* Test rig (see rig.h). */
#include "rig.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t port_in(void *ctx, uint16_t port)
{
    rig *r = ctx;
    unsigned ch = (port - 0x300u) / 8u;
    return sysdma_emu_testdev_inb(&r->dev[ch], port);
}

static void port_out(void *ctx, uint16_t port, uint8_t v)
{
    rig *r = ctx;
    unsigned ch = (port - 0x300u) / 8u;
    sysdma_emu_testdev_outb(&r->dev[ch], port, v);
}

static void on_lint(void *ctx, const sysdma_emu_lint_report *rep)
{
    rig *r = ctx;
    r->lint_reports++;
    r->lint_last = rep->rule;
    if (!r->lint_expected)
        fprintf(stderr, "lint: %s on channel %d, port 0x%02X, 0x%X/0x%X: %s\n", rep->name,
                rep->channel, rep->port, rep->value, rep->detail, rep->text);
}

sysdma_status rig_init(rig *r, uint64_t ram, size_t fifo_cap, const sysdma_config *cfg)
{
    memset(r, 0, sizeof *r);
    r->fail_after = -1;
    r->irq_line = -1;
    sysdma_sim_config sc = {.ram_bytes = ram, .seed = 12345, .timing_off = true};
    if (sysdma_sim_create(&sc, &r->sim) != SYSDMA_OK)
        return SYSDMA_E_NO_MEMORY;
    sysdma_sim_set_lint(r->sim, true, on_lint, r);
    r->fifo_cap = fifo_cap;
    for (unsigned ch = 0; ch < 8; ch++) {
        if (ch == 4)
            continue;
        r->fifo[ch] = calloc(1, fifo_cap);
        sysdma_emu_testdev_init(&r->dev[ch], sysdma_sim_dma(r->sim), ch, (uint16_t)(0x300 + 8 * ch),
                                r->fifo[ch], fifo_cap, 0, NULL, NULL);
    }
    sysdma_sim_add_ports(r->sim, 0x300, 0x33F, port_in, port_out, r);
    sysdma_sim_platform(r->sim, &r->pf, &r->fail_after);
    sysdma_i8237_driver_init(&r->drv, &r->pf, &r->ctrl);
    return sysdma_system_create(&r->pf, &r->ctrl, cfg, &r->sys);
}

static void dev_irq(void *ctx, bool level)
{
    rig_line *l = ctx;
    rig *r = l->r;
    if (level)
        r->irq_pending |= 1u << l->channel;
    else
        r->irq_pending &= ~(1u << l->channel);
    if (r->irq_line >= 0)
        sysdma_sim_irq_set(r->sim, (unsigned)r->irq_line, r->irq_pending != 0);
}

static void rig_isr(void *ctx, unsigned irq)
{
    (void)irq;
    rig *r = ctx;
    uint32_t devices = r->irq_pending;
    for (unsigned ch = 0; ch < 8; ch++)
        if (devices & (1u << ch))
            sysdma_sim_outb(r->sim, (uint16_t)(0x305 + 8 * ch), 0); /* acknowledge */
    r->isr_calls++;
    uint32_t advanced = sysdma_channel_check(r->sys, devices);
    if (!advanced)
        r->isr_spurious++;
    r->isr_advanced |= advanced;
}

void rig_device_interrupts(rig *r, unsigned irq)
{
    r->irq_line = (int)irq;
    for (unsigned ch = 0; ch < 8; ch++) {
        if (ch == 4)
            continue;
        r->lines[ch] = (rig_line){r, ch};
        r->dev[ch].irq = dev_irq;
        r->dev[ch].irq_ctx = &r->lines[ch];
    }
    sysdma_sim_irq_connect(r->sim, irq, rig_isr, r);
}

static void poll_clock(void *ctx, uint64_t ns)
{
    (void)ns;
    rig *r = ctx;
    if (!r->polling || !r->sys)
        return;
    r->polls++;
    (void)sysdma_channel_poll(r->sys);
}

void rig_poll_timer(rig *r)
{
    if (!r->polling)
        sysdma_sim_add_clock(r->sim, poll_clock, r);
    r->polling = true;
}

static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_report(void *ctx, const sysdma_verifier_report *rep)
{
    rig *r = ctx;
    pthread_mutex_lock(&report_lock); /* reports may come from several threads */
    r->reports++;
    r->last = *rep;
    snprintf(r->last_call, sizeof r->last_call, "%s", rep->call ? rep->call : "");
    r->last.call = r->last_call;
    r->last.message = NULL; /* static strings stay valid; others not kept */
    if (!r->reports_expected)
        fprintf(stderr, "verifier: %s in %s%s%s: %s%s%s\n", rep->check_name, rep->call,
                rep->file ? " at " : "", rep->file ? rep->file : "", rep->message,
                rep->what ? " — " : "", rep->what ? rep->what : "");
    pthread_mutex_unlock(&report_lock);
}

void rig_verify(rig *r)
{
    sysdma_verifier_config c = {SYSDMA_VERIFIER_CONTINUE, on_report, r, true};
    if (sysdma_verifier_enable(r->sys, &c) != SYSDMA_OK)
        abort();
    r->verifying = true;
}

void rig_destroy(rig *r)
{
    if (r->sys && r->verifying) {
        sysdma_system_destroy(r->sys); /* lists leaks through the verifier */
        r->sys = NULL;
        if (r->reports && !r->reports_expected) {
            fprintf(stderr, "rig: %u verifier report(s) in a run that expected none\n", r->reports);
            abort();
        }
    }
    if (r->sys)
        sysdma_system_destroy(r->sys);
    if (r->lint_reports && !r->lint_expected) {
        fprintf(stderr, "rig: %u hardware lint report(s) in a run that expected none\n",
                r->lint_reports);
        abort();
    }
    for (unsigned ch = 0; ch < 8; ch++)
        free(r->fifo[ch]);
    sysdma_sim_destroy(r->sim);
}

typedef struct grant {
    bool granted;
    sysdma_map_registers *regs;
} grant;

static sysdma_allocation_action on_grant(void *device, sysdma_map_registers *regs, void *context)
{
    (void)device;
    grant *g = context;
    g->granted = true;
    g->regs = regs;
    return SYSDMA_KEEP_OBJECT;
}

static bool dev_done(void *ctx)
{
    sysdma_emu_testdev *d = ctx;
    return d->dir == 0;
}

sysdma_status rig_packet_transfer(rig *r, unsigned channel, uint8_t *buf, uint32_t len,
                                  bool to_device, uint32_t max_length, bool demand,
                                  unsigned *pieces)
{
    sysdma_device_description d = {0};
    d.version = demand ? 2 : 1;
    d.demand_mode = demand;
    d.channel = channel;
    d.interface_type = SYSDMA_INTERFACE_ISA;
    d.width = channel >= 4 ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    d.maximum_length = max_length;
    sysdma_adapter *a;
    uint32_t nregs;
    sysdma_status st = sysdma_adapter_get(r->sys, &d, &a, &nregs);
    if (st != SYSDMA_OK)
        return st;
    sysdma_mdl *mdl;
    st = sysdma_mdl_create(r->sys, buf, len, &mdl);
    if (st != SYSDMA_OK) {
        sysdma_adapter_put(a);
        return st;
    }
    sysdma_flush_io_buffers(r->sys, mdl, !to_device);
    grant g = {0};
    st = sysdma_channel_allocate(a, &r->dev[channel], nregs, on_grant, &g);
    if (st != SYSDMA_OK || !g.granted) {
        sysdma_mdl_free(r->sys, mdl);
        sysdma_adapter_put(a);
        return st == SYSDMA_OK ? SYSDMA_E_WRONG_STATE : st;
    }
    uint32_t max_piece = nregs * SYSDMA_PAGE_SIZE;
    if (max_piece > sysdma_adapter_max_transfer(a))
        max_piece = sysdma_adapter_max_transfer(a);
    uint32_t done = 0;
    unsigned n = 0;
    sysdma_emu_testdev *dev = &r->dev[channel];
    while (done < len && st == SYSDMA_OK) {
        uint32_t piece = len - done < max_piece ? len - done : max_piece;
        uint32_t asked = piece;
        st = sysdma_map_transfer(a, mdl, g.regs, buf + done, &piece, to_device, NULL);
        if (st != SYSDMA_OK)
            break;
        if (piece != asked) {
            st = SYSDMA_E_LENGTH; /* a system adapter must not shrink it */
            break;
        }
        n++;
        /* The device side of this piece starts at FIFO offset `done`. */
        dev->data = r->fifo[channel] + done;
        dev->cap = r->fifo_cap - done;
        for (unsigned b = 0; b < 4; b++)
            sysdma_sim_outb(r->sim, (uint16_t)(0x301 + 8 * channel + b), (uint8_t)(piece >> (8 * b)));
        sysdma_sim_outb(r->sim, (uint16_t)(0x300 + 8 * channel), to_device ? 2 : 1);
        if (!sysdma_sim_run_until(r->sim, dev_done, dev, 10ull * 1000 * 1000 * 1000))
            st = SYSDMA_E_TIMEOUT;
        sysdma_sim_outb(r->sim, (uint16_t)(0x305 + 8 * channel), 0);
        sysdma_status fs = sysdma_flush_adapter_buffers(a, mdl, g.regs, buf + done, piece, to_device);
        if (st == SYSDMA_OK)
            st = fs;
        done += piece;
    }
    sysdma_status fr = sysdma_channel_free(a);
    if (st == SYSDMA_OK)
        st = fr;
    sysdma_mdl_free(r->sys, mdl);
    sysdma_status pr = sysdma_adapter_put(a);
    if (st == SYSDMA_OK)
        st = pr;
    if (pieces)
        *pieces = n;
    return st;
}
