/* SPDX-License-Identifier: MIT */
/*
 * The PL080 controller driver (src/ctrl/pl080.c) against the emulated
 * PL080, through its ops table directly: initialization, the linked lists
 * it builds (cut at 4095 transfers and at 1 KiB boundaries, loops),
 * interrupts and their clearing, bus errors reported as failures, cancel's
 * three answers, residue, flush, bad input, and plain volatile register
 * access as on bare metal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/ctrl_pl080.h"
#include "sysdma/emu_pl080.h"

#define RAM_BASE 0x80000000u
#define RAM_SIZE (512u * 1024u)
#define POOL_AT (256u * 1024u) /* alloc_contig hands out RAM from here up */
#define FIFO_ADDR 0x10100000u  /* a device data register window */
#define NOWHERE 0xF0000000u

static uint8_t ram[RAM_SIZE];
static sysdma_emu_physmem mem;
static sysdma_emu_pl080 dmac;
static sysdma_pl080_driver drv;
static sysdma_controller ctl;
static size_t bump;
static unsigned contig_calls, contig_frees;

static uint32_t mm_read(void *ctx, uint32_t off)
{
    (void)ctx;
    return sysdma_emu_pl080_read(&dmac, off);
}

static void mm_write(void *ctx, uint32_t off, uint32_t v)
{
    (void)ctx;
    sysdma_emu_pl080_write(&dmac, off, v);
}

static void *pf_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return malloc(n);
}

static void pf_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    free(p);
}

static sysdma_status pf_contig(void *ctx, size_t bytes, uint64_t max_phys, uint64_t boundary,
                               uint64_t align, void **va, uint64_t *phys)
{
    (void)ctx;
    (void)boundary;
    (void)align;
    contig_calls++;
    if (POOL_AT + bump + bytes > RAM_SIZE || (max_phys && RAM_BASE + POOL_AT + bump + bytes > max_phys))
        return SYSDMA_E_NO_MEMORY;
    *va = ram + POOL_AT + bump;
    *phys = RAM_BASE + POOL_AT + bump;
    bump += bytes;
    return SYSDMA_OK;
}

static void pf_free_contig(void *ctx, void *va, uint64_t phys, size_t bytes)
{
    (void)ctx;
    (void)va;
    (void)phys;
    (void)bytes;
    contig_frees++;
}

static bool pf_v2p(void *ctx, const void *va, uint64_t *phys)
{
    (void)ctx;
    *phys = RAM_BASE + (uint64_t)((const uint8_t *)va - ram);
    return true;
}

static const sysdma_platform_ops pf_ops = {
    .size = sizeof(sysdma_platform_ops),
    .alloc = pf_alloc,
    .free = pf_free,
    .alloc_contig = pf_contig,
    .free_contig = pf_free_contig,
    .virt_to_phys = pf_v2p,
};

/* The device window: takes every byte written, produces 0xA0, 0xA1, ...
 * on reads; requests nothing unless told. */
static struct {
    uint8_t got[65536];
    size_t ngot, nread;
} dev;

static bool dev_read(void *ctx, uint32_t off, uint8_t *buf, size_t n)
{
    (void)ctx;
    (void)off;
    for (size_t k = 0; k < n; k++)
        buf[k] = (uint8_t)(0xA0 + dev.nread++);
    return true;
}

static bool dev_write(void *ctx, uint32_t off, const uint8_t *buf, size_t n)
{
    (void)ctx;
    (void)off;
    for (size_t k = 0; k < n && dev.ngot < sizeof dev.got; k++)
        dev.got[dev.ngot++] = buf[k];
    return true;
}

static void rig(uint32_t items)
{
    memset(ram, 0, sizeof ram);
    memset(&dev, 0, sizeof dev);
    bump = 0;
    contig_calls = contig_frees = 0;
    sysdma_emu_physmem_init(&mem, ram, RAM_SIZE);
    sysdma_emu_pl080_init(&dmac, &mem, RAM_BASE);
    sysdma_emu_pl080_window w = {FIFO_ADDR, 4, dev_read, dev_write, NULL};
    assert_true(sysdma_emu_pl080_map_window(&dmac, &w));
    sysdma_pl080_config c = {0};
    c.mmio.read32 = mm_read;
    c.mmio.write32 = mm_write;
    c.platform.ops = &pf_ops;
    c.items_per_channel = items;
    assert_int_equal(sysdma_pl080_driver_init(&drv, &c, &ctl), SYSDMA_OK);
    assert_int_equal(ctl.ops->initialize(ctl.ctx), SYSDMA_OK);
}

static void unrig(void)
{
    sysdma_pl080_driver_fini(&drv);
    assert_int_equal(contig_frees, contig_calls);
}

static uint32_t reg(uint32_t off)
{
    return sysdma_emu_pl080_read(&dmac, off);
}

static uint32_t chreg(unsigned ch, uint32_t r)
{
    return reg(SYSDMA_EMU_PL080_CH(ch, r));
}

/* Word j of item k of channel ch in the pool. */
static uint32_t item_word(unsigned ch, uint32_t k, unsigned j)
{
    const uint8_t *p = drv.pool_va + ((size_t)ch * drv.items_per_channel + k) * 16 + 4 * j;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t items_of(unsigned ch)
{
    uint32_t n = 0;
    assert_int_equal(ctl.ops->configure(ctl.ctx, ch, SYSDMA_PL080_FN_ITEMS, &n, sizeof n), SYSDMA_OK);
    return n;
}

/* A memory-to-memory program from RAM offsets. */
static sysdma_program m2m(const sysdma_fragment *f, unsigned n, uint32_t dst_off)
{
    sysdma_program p = {0};
    p.fragments = f;
    p.count = n;
    p.device_address = RAM_BASE + dst_off;
    p.to_device = true;
    p.shape.flow = SYSDMA_FLOW_MEMORY;
    p.shape.device_increment = true;
    return p;
}

static void run_all(void)
{
    for (int k = 0; k < 1000 && sysdma_emu_pl080_pending(&dmac); k++)
        sysdma_emu_pl080_run(&dmac, 1u << 20);
}

/* ---- tests ------------------------------------------------------------------ */

static void initialize_enables_and_identifies(void **state)
{
    (void)state;
    rig(64);
    assert_int_equal(reg(SYSDMA_EMU_PL080_CONFIG) & 1u, 1u);
    assert_int_equal(ctl.ops->channel_count(ctl.ctx), 8);
    sysdma_channel_limits l;
    assert_int_equal(ctl.ops->channel_limits(ctl.ctx, 7, &l), SYSDMA_OK);
    assert_int_equal(l.address_bits, 32);
    assert_true(l.interrupts);
    assert_true(l.counter_available);
    assert_int_equal(l.max_bytes, SYSDMA_PL080_DEFAULT_MAX_BYTES);
    /* 64 items, a 64 KiB fragment may take 1 + 22 of them. */
    assert_int_equal(sysdma_pl080_items_for(65536), 23);
    assert_int_equal(ctl.ops->query_fragments(ctl.ctx, 0), 64 / 23);
    assert_int_equal(l.max_fragments, 64 / 23);
    assert_int_equal(ctl.ops->channel_limits(ctl.ctx, 8, &l), SYSDMA_E_INVALID_CHANNEL);
    assert_int_equal(contig_calls, 1);
    unrig();
}

static uint32_t fake_regs[1024];

static void volatile_access_as_on_bare_metal(void **state)
{
    (void)state;
    memset(fake_regs, 0, sizeof fake_regs);
    sysdma_pl080_config c = {0};
    c.mmio.base = fake_regs;
    c.platform.ops = &pf_ops;
    c.items_per_channel = 16;
    bump = 0;
    contig_calls = contig_frees = 0;
    assert_int_equal(sysdma_pl080_driver_init(&drv, &c, &ctl), SYSDMA_OK);
    /* No PL080 IDs at the address: refused. */
    assert_int_equal(ctl.ops->initialize(ctl.ctx), SYSDMA_E_DEVICE);
    fake_regs[0xFE0 / 4] = 0x80;
    fake_regs[0xFE4 / 4] = 0x10;
    assert_int_equal(ctl.ops->initialize(ctl.ctx), SYSDMA_OK);
    assert_int_equal(fake_regs[0x030 / 4], 1u);     /* DMAC enabled */
    assert_int_equal(fake_regs[0x008 / 4], 0xFFu);  /* TC cleared */
    assert_int_equal(fake_regs[0x010 / 4], 0xFFu);  /* errors cleared */
    /* A PL081 has two channels. */
    fake_regs[0xFE0 / 4] = 0x81;
    assert_int_equal(ctl.ops->initialize(ctl.ctx), SYSDMA_OK);
    assert_int_equal(ctl.ops->channel_count(ctl.ctx), 2);
    sysdma_channel_limits l;
    assert_int_equal(ctl.ops->channel_limits(ctl.ctx, 2, &l), SYSDMA_E_INVALID_CHANNEL);
    sysdma_pl080_driver_fini(&drv);
    assert_int_equal(contig_frees, 1);
}

static void init_refuses_bad_config(void **state)
{
    (void)state;
    sysdma_pl080_config c = {0};
    c.platform.ops = &pf_ops;
    assert_int_equal(sysdma_pl080_driver_init(&drv, &c, &ctl), SYSDMA_E_INVALID_ARGUMENT);
    c.mmio.base = fake_regs;
    c.items_per_channel = 70000;
    assert_int_equal(sysdma_pl080_driver_init(&drv, &c, &ctl), SYSDMA_E_INVALID_ARGUMENT);
    c.items_per_channel = 0;
    c.max_bytes = 100;
    assert_int_equal(sysdma_pl080_driver_init(&drv, &c, &ctl), SYSDMA_E_INVALID_ARGUMENT);
    /* No room for the pool. */
    c.max_bytes = 0;
    bump = RAM_SIZE - POOL_AT;
    assert_int_equal(sysdma_pl080_driver_init(&drv, &c, &ctl), SYSDMA_E_NO_MEMORY);
    assert_int_equal(sysdma_pl080_driver_init(NULL, &c, &ctl), SYSDMA_E_INVALID_ARGUMENT);
}

static void list_moves_fragments_and_interrupts(void **state)
{
    (void)state;
    rig(64);
    for (unsigned k = 0; k < 0x3000; k++)
        ram[k] = (uint8_t)(k * 7 + 1);
    sysdma_fragment f[3] = {{RAM_BASE + 0x2000, 0x800}, {RAM_BASE + 0x0000, 0x1000},
                            {RAM_BASE + 0x1800, 0x400}};
    sysdma_program p = m2m(f, 3, 0x10000);
    assert_int_equal(ctl.ops->program(ctl.ctx, 6, &p), SYSDMA_OK);
    /* Bytes in bursts of 4 (the default): 4096 bytes take two items. */
    assert_int_equal(items_of(6), 4);
    assert_int_equal(item_word(6, 1, 3) & 0xFFFu, 4092);
    assert_int_equal(item_word(6, 2, 3) & 0xFFFu, 4);
    bool tc = true;
    assert_int_equal(ctl.ops->read_residue(ctl.ctx, 6, &tc), 0x1C00);
    assert_false(tc);
    assert_int_equal(ctl.ops->terminal_counts(ctl.ctx, 0xFF), 0);
    run_all();
    assert_memory_equal(ram + 0x10000, ram + 0x2000, 0x800);
    assert_memory_equal(ram + 0x10800, ram + 0x0000, 0x1000);
    assert_memory_equal(ram + 0x11800, ram + 0x1800, 0x400);
    /* Terminal count once, at the end of the last item only. */
    assert_int_equal(dmac.stats.items[6], 4);
    assert_int_equal(reg(SYSDMA_EMU_PL080_INT_TC_STATUS), 1u << 6);
    assert_int_equal(ctl.ops->terminal_counts(ctl.ctx, 1u << 6), 1u << 6);
    uint32_t done = 0, failed = 0;
    assert_true(ctl.ops->handle_interrupt(ctl.ctx, &done, &failed));
    assert_int_equal(done, 1u << 6);
    assert_int_equal(failed, 0);
    assert_int_equal(reg(SYSDMA_EMU_PL080_RAW_TC_STATUS), 0); /* cleared */
    assert_false(ctl.ops->handle_interrupt(ctl.ctx, &done, &failed));
    assert_int_equal(done | failed, 0);
    /* The record keeps the terminal count until the channel is programmed. */
    assert_int_equal(ctl.ops->terminal_counts(ctl.ctx, 0xFF), 1u << 6);
    assert_int_equal(ctl.ops->read_residue(ctl.ctx, 6, &tc), 0);
    assert_true(tc);
    assert_int_equal(ctl.ops->read_counter(ctl.ctx, 6), 0);
    assert_int_equal(ctl.ops->program(ctl.ctx, 6, &p), SYSDMA_OK);
    assert_int_equal(ctl.ops->terminal_counts(ctl.ctx, 0xFF), 0);
    unrig();
}

static void items_split_at_4095_transfers(void **state)
{
    (void)state;
    rig(64);
    for (unsigned k = 0; k < 20000; k++)
        ram[k] = (uint8_t)(k ^ (k >> 8));
    /* Bytes, single-beat bursts: items of 4095, 4095, 1810 bytes. */
    sysdma_fragment f = {RAM_BASE, 10000};
    sysdma_program p = m2m(&f, 1, 0x20000);
    p.shape.memory_width = 1;
    p.shape.memory_burst = 1;
    assert_int_equal(ctl.ops->program(ctl.ctx, 1, &p), SYSDMA_OK);
    assert_int_equal(items_of(1), 3);
    uint32_t expect[3] = {4095, 4095, 1810};
    uint32_t src = RAM_BASE, dst = RAM_BASE + 0x20000;
    for (uint32_t k = 0; k < 3; k++) {
        assert_int_equal(item_word(1, k, 0), src);
        assert_int_equal(item_word(1, k, 1), dst);
        uint32_t next = k < 2 ? drv.pool_bus + (1 * 64 + k + 1) * 16 : 0;
        assert_int_equal(item_word(1, k, 2), next);
        uint32_t ctl_word = item_word(1, k, 3);
        assert_int_equal(ctl_word & 0xFFFu, expect[k]);
        assert_int_equal(ctl_word >> 31, k == 2);   /* I on the last item only */
        assert_int_equal((ctl_word >> 26) & 3u, 3u); /* both sides increment */
        src += expect[k];
        dst += expect[k];
    }
    /* The first item is in the channel's registers, pointing at the second. */
    assert_int_equal(chreg(1, SYSDMA_EMU_PL080_CH_SRC), RAM_BASE);
    assert_int_equal(chreg(1, SYSDMA_EMU_PL080_CH_LLI), drv.pool_bus + (64 + 1) * 16);
    assert_int_equal(chreg(1, SYSDMA_EMU_PL080_CH_CONFIG) & 0x3801u, 1u); /* flow 0, E */
    run_all();
    assert_memory_equal(ram + 0x20000, ram, 10000);
    /* Words: 4095 transfers of 4 bytes per item. */
    f.length = 40000;
    p.shape.memory_width = 4;
    p.shape.device_width = 4;
    assert_int_equal(ctl.ops->program(ctl.ctx, 1, &p), SYSDMA_OK);
    assert_int_equal(items_of(1), 3);
    assert_int_equal(item_word(1, 0, 3) & 0xFFFu, 4095);
    assert_int_equal((item_word(1, 0, 3) >> 18) & 7u, 2u); /* source width: word */
    assert_int_equal(item_word(1, 2, 3) & 0xFFFu, (40000 - 2 * 16380) / 4);
    unrig();
}

static void items_keep_bursts_inside_1k(void **state)
{
    (void)state;
    rig(64);
    for (unsigned k = 0; k < 0x4000; k++)
        ram[k] = (uint8_t)(k * 13);
    /* Bursts of 16 bytes from an address that is not a multiple of 16:
     * the first item ends at the next 1 KiB boundary, every later one
     * starts on a burst multiple and holds whole bursts. */
    sysdma_fragment f = {RAM_BASE + 0x104, 9000};
    sysdma_program p = m2m(&f, 1, 0x30000);
    p.shape.memory_width = 4;
    p.shape.device_width = 4;
    p.shape.memory_burst = 4;
    assert_int_equal(ctl.ops->program(ctl.ctx, 2, &p), SYSDMA_OK);
    uint32_t n = items_of(2);
    assert_int_equal(item_word(2, 0, 3) & 0xFFFu, (0x400 - 0x104) / 4);
    uint32_t sum = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t a = item_word(2, k, 0);
        uint32_t bytes = (item_word(2, k, 3) & 0xFFFu) * 4;
        if (k > 0)
            assert_int_equal(a % 16, 0);
        if (k > 0 && k + 1 < n)
            assert_int_equal(bytes % 16, 0);
        /* No burst of the item crosses a 1 KiB boundary. */
        for (uint32_t b = 0; b < bytes; b += 16) {
            uint32_t end = b + 16 < bytes ? b + 16 : bytes;
            assert_int_equal((a + b) / 1024, (a + end - 1) / 1024);
        }
        sum += bytes;
    }
    assert_int_equal(sum, 9000);
    assert_true(n <= sysdma_pl080_items_for(9000));
    run_all();
    assert_memory_equal(ram + 0x30000, ram + 0x104, 9000);
    /* An aligned start needs no cut. */
    f.phys = RAM_BASE + 0x100;
    assert_int_equal(ctl.ops->program(ctl.ctx, 2, &p), SYSDMA_OK);
    assert_int_equal(items_of(2), 1);
    unrig();
}

static void loop_points_back_and_interrupts_each_pass(void **state)
{
    (void)state;
    rig(64);
    for (unsigned k = 0; k < 0x1000; k++)
        ram[k] = (uint8_t)k;
    /* Memory to the device register (fixed address), every pass
     * 0x300 bytes in two fragments, looping. */
    sysdma_fragment f[2] = {{RAM_BASE + 0x000, 0x100}, {RAM_BASE + 0x800, 0x200}};
    sysdma_program p = {0};
    p.fragments = f;
    p.count = 2;
    p.device_address = FIFO_ADDR;
    p.to_device = true;
    p.loop = true;
    p.shape.flow = SYSDMA_FLOW_MEMORY;
    assert_int_equal(ctl.ops->program(ctl.ctx, 3, &p), SYSDMA_OK);
    assert_int_equal(items_of(3), 2);
    assert_int_equal(item_word(3, 1, 2), drv.pool_bus + 3 * 64 * 16); /* back to the first */
    assert_int_equal(item_word(3, 0, 3) >> 31, 0);
    assert_int_equal(item_word(3, 1, 3) >> 31, 1);
    assert_int_equal((item_word(3, 0, 3) >> 27) & 1u, 0); /* fixed device address */
    /* Two passes and a half (bus budget counts item fetches too). */
    uint32_t done = 0, failed = 0;
    unsigned passes = 0;
    for (int k = 0; k < 2; k++) {
        while (!(reg(SYSDMA_EMU_PL080_RAW_TC_STATUS) & (1u << 3)))
            sysdma_emu_pl080_run(&dmac, 16);
        assert_true(ctl.ops->handle_interrupt(ctl.ctx, &done, &failed));
        assert_int_equal(done, 1u << 3);
        assert_int_equal(failed, 0);
        passes++;
    }
    sysdma_emu_pl080_run(&dmac, 0x80);
    assert_int_equal(passes, 2);
    assert_true(dev.ngot > 0x600 && dev.ngot < 0x900);
    for (size_t k = 0; k < dev.ngot; k++) {
        size_t at = k % 0x300;
        assert_int_equal(dev.got[k], at < 0x100 ? ram[at] : ram[0x800 + at - 0x100]);
    }
    assert_true(reg(SYSDMA_EMU_PL080_ENABLED_CHANNELS) & (1u << 3)); /* still running */
    bool tc = false;
    uint32_t left = ctl.ops->read_residue(ctl.ctx, 3, &tc);
    assert_int_equal(left, 0x300 - (uint32_t)(dev.ngot % 0x300));
    assert_true(tc); /* a pass completed since it was programmed */
    /* Cancel stops a loop: DONE, no completion left pending. */
    sysdma_cancel_result r = SYSDMA_CANCEL_IDLE;
    assert_int_equal(ctl.ops->cancel(ctl.ctx, 3, &r), SYSDMA_OK);
    assert_int_equal(r, SYSDMA_CANCEL_DONE);
    assert_false(reg(SYSDMA_EMU_PL080_ENABLED_CHANNELS) & (1u << 3));
    assert_false(ctl.ops->handle_interrupt(ctl.ctx, &done, &failed));
    assert_int_equal(ctl.ops->read_residue(ctl.ctx, 3, &tc), left);
    unrig();
}

static void loop_period_interrupts(void **state)
{
    (void)state;
    rig(64);
    uint8_t on = 1;
    assert_int_equal(ctl.ops->configure(ctl.ctx, 3, SYSDMA_PL080_FN_PERIOD_IRQ, &on, 1), SYSDMA_OK);
    /* Two periods of 0x2000 bytes, each cut in items: I on each period's last. */
    sysdma_fragment f[2] = {{RAM_BASE, 0x2000}, {RAM_BASE + 0x2000, 0x2000}};
    sysdma_program p = m2m(f, 2, 0);
    p.device_address = FIFO_ADDR;
    p.shape.device_increment = false;
    p.loop = true;
    assert_int_equal(ctl.ops->program(ctl.ctx, 3, &p), SYSDMA_OK);
    uint32_t n = items_of(3);
    assert_int_equal(n, 6); /* 4092 + 4092 + 8 per period */
    for (uint32_t k = 0; k < n; k++)
        assert_int_equal(item_word(3, k, 3) >> 31, k == 2 || k == 5);
    /* Not looping: only the last item. */
    p.loop = false;
    assert_int_equal(ctl.ops->program(ctl.ctx, 3, &p), SYSDMA_OK);
    for (uint32_t k = 0; k < n; k++)
        assert_int_equal(item_word(3, k, 3) >> 31, k == 5);
    /* Two completions per pass when looping. */
    p.loop = true;
    assert_int_equal(ctl.ops->program(ctl.ctx, 3, &p), SYSDMA_OK);
    uint32_t done = 0, failed = 0;
    unsigned completions = 0;
    while (dev.ngot < 0x4000) {
        sysdma_emu_pl080_run(&dmac, 64);
        if (ctl.ops->handle_interrupt(ctl.ctx, &done, &failed))
            completions += done == (1u << 3);
    }
    assert_int_equal(completions, 2);
    on = 2;
    assert_int_equal(ctl.ops->configure(ctl.ctx, 3, SYSDMA_PL080_FN_PERIOD_IRQ, &on, 1),
                     SYSDMA_E_INVALID_ARGUMENT);
    unrig();
}

static void bad_address_is_a_failure(void **state)
{
    (void)state;
    rig(64);
    sysdma_fragment f = {RAM_BASE, 0x100};
    sysdma_program p = m2m(&f, 1, 0);
    p.device_address = NOWHERE;
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_OK);
    run_all();
    assert_int_equal(dmac.stats.errors, 1);
    assert_int_equal(ctl.ops->terminal_counts(ctl.ctx, 1u), 0);
    uint32_t done = 0, failed = 0;
    assert_true(ctl.ops->handle_interrupt(ctl.ctx, &done, &failed));
    assert_int_equal(done, 0);
    assert_int_equal(failed, 1u);
    assert_int_equal(reg(SYSDMA_EMU_PL080_RAW_ERR_STATUS), 0);
    bool tc = true;
    assert_int_equal(ctl.ops->read_residue(ctl.ctx, 0, &tc), 0x100); /* nothing moved */
    assert_false(tc);
    /* Cancel after the failure: too late, the interrupt reported it. */
    sysdma_cancel_result r = SYSDMA_CANCEL_IDLE;
    assert_int_equal(ctl.ops->cancel(ctl.ctx, 0, &r), SYSDMA_OK);
    assert_int_equal(r, SYSDMA_CANCEL_TOO_LATE);
    unrig();
}

static void cancel_gives_three_answers(void **state)
{
    (void)state;
    rig(64);
    sysdma_cancel_result r = SYSDMA_CANCEL_DONE;
    /* Nothing programmed. */
    assert_int_equal(ctl.ops->cancel(ctl.ctx, 4, &r), SYSDMA_OK);
    assert_int_equal(r, SYSDMA_CANCEL_IDLE);
    /* Waiting for a request that never comes: stopped before completing. */
    sysdma_fragment f = {RAM_BASE, 0x400};
    sysdma_program p = {0};
    p.fragments = &f;
    p.count = 1;
    p.device_address = FIFO_ADDR;
    p.to_device = true;
    p.request_line = 9;
    assert_int_equal(ctl.ops->program(ctl.ctx, 4, &p), SYSDMA_OK);
    uint32_t cfg = chreg(4, SYSDMA_EMU_PL080_CH_CONFIG);
    assert_int_equal((cfg >> 11) & 7u, 1u); /* memory to peripheral, DMAC counts */
    assert_int_equal((cfg >> 6) & 15u, 9u); /* destination peripheral: line 9 */
    assert_int_equal(cfg & 0xC001u, 0xC001u); /* E, IE, ITC */
    run_all();
    assert_int_equal(ctl.ops->cancel(ctl.ctx, 4, &r), SYSDMA_OK);
    assert_int_equal(r, SYSDMA_CANCEL_DONE);
    assert_false(chreg(4, SYSDMA_EMU_PL080_CH_CONFIG) & 1u);
    bool tc = true;
    assert_int_equal(ctl.ops->read_residue(ctl.ctx, 4, &tc), 0x400);
    assert_false(tc);
    /* Again: the channel is idle now. */
    assert_int_equal(ctl.ops->cancel(ctl.ctx, 4, &r), SYSDMA_OK);
    assert_int_equal(r, SYSDMA_CANCEL_IDLE);
    /* Completed, interrupt not yet handled: too late, and the interrupt
     * still reports it. */
    sysdma_program q = m2m(&f, 1, 0x8000);
    assert_int_equal(ctl.ops->program(ctl.ctx, 5, &q), SYSDMA_OK);
    run_all();
    assert_int_equal(ctl.ops->cancel(ctl.ctx, 5, &r), SYSDMA_OK);
    assert_int_equal(r, SYSDMA_CANCEL_TOO_LATE);
    uint32_t done = 0, failed = 0;
    assert_true(ctl.ops->handle_interrupt(ctl.ctx, &done, &failed));
    assert_int_equal(done, 1u << 5);
    /* Completed and handled: still too late. */
    assert_int_equal(ctl.ops->cancel(ctl.ctx, 5, &r), SYSDMA_OK);
    assert_int_equal(r, SYSDMA_CANCEL_TOO_LATE);
    assert_int_equal(ctl.ops->cancel(ctl.ctx, 8, &r), SYSDMA_E_INVALID_CHANNEL);
    unrig();
}

static void residue_follows_progress_and_flush(void **state)
{
    (void)state;
    rig(64);
    sysdma_fragment f[2] = {{RAM_BASE, 5000}, {RAM_BASE + 0x4000, 3000}};
    sysdma_program p = m2m(f, 2, 0x10000);
    p.shape.memory_burst = 1;
    assert_int_equal(ctl.ops->program(ctl.ctx, 7, &p), SYSDMA_OK);
    assert_int_equal(items_of(7), 3);
    size_t moved = 0;
    for (int k = 0; k < 40; k++) {
        moved += sysdma_emu_pl080_run(&dmac, 150);
        bool tc = true;
        uint32_t left = ctl.ops->read_residue(ctl.ctx, 7, &tc);
        assert_int_equal(left, 8000 - moved);
        assert_false(tc);
    }
    /* Flush stops it where it is; the residue stays what did not move. */
    assert_int_equal(ctl.ops->flush(ctl.ctx, 7), SYSDMA_OK);
    assert_false(chreg(7, SYSDMA_EMU_PL080_CH_CONFIG) & 1u);
    assert_false(chreg(7, SYSDMA_EMU_PL080_CH_CONFIG) & SYSDMA_EMU_PL080_CCFG_H);
    run_all();
    bool tc = true;
    assert_int_equal(ctl.ops->read_residue(ctl.ctx, 7, &tc), 8000 - moved);
    assert_false(tc);
    sysdma_cancel_result r;
    assert_int_equal(ctl.ops->cancel(ctl.ctx, 7, &r), SYSDMA_OK);
    assert_int_equal(r, SYSDMA_CANCEL_IDLE);
    assert_int_equal(ctl.ops->flush(ctl.ctx, 9), SYSDMA_E_INVALID_CHANNEL);
    unrig();
}

static void device_paced_transfer_from_peripheral(void **state)
{
    (void)state;
    rig(64);
    /* Peripheral to memory on line 3, words from the device register. */
    sysdma_fragment f = {RAM_BASE + 0x100, 64};
    sysdma_program p = {0};
    p.fragments = &f;
    p.count = 1;
    p.device_address = FIFO_ADDR;
    p.request_line = 3;
    p.shape.device_width = 4;
    p.shape.memory_width = 4;
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_OK);
    uint32_t cfg = chreg(0, SYSDMA_EMU_PL080_CH_CONFIG);
    assert_int_equal((cfg >> 11) & 7u, 2u);
    assert_int_equal((cfg >> 1) & 15u, 3u);
    assert_int_equal(item_word(0, 0, 3) & 0xFFFu, 16); /* 16 source words */
    sysdma_emu_pl080_request(&dmac, 3, SYSDMA_EMU_PL080_REQ_SINGLE);
    run_all();
    for (unsigned k = 0; k < 64; k++)
        assert_int_equal(ram[0x100 + k], (uint8_t)(0xA0 + k));
    uint32_t done = 0, failed = 0;
    assert_true(ctl.ops->handle_interrupt(ctl.ctx, &done, &failed));
    assert_int_equal(done, 1u);
    /* Flow control by the device: flow type 6, one item per fragment. */
    p.shape.flow = SYSDMA_FLOW_DEVICE;
    f.length = 20000;
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_OK);
    assert_int_equal((chreg(0, SYSDMA_EMU_PL080_CH_CONFIG) >> 11) & 7u, 6u);
    assert_int_equal(items_of(0), 1);
    p.to_device = true;
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_OK);
    assert_int_equal((chreg(0, SYSDMA_EMU_PL080_CH_CONFIG) >> 11) & 7u, 5u);
    unrig();
}

static void binding_and_line_fallback(void **state)
{
    (void)state;
    rig(64);
    assert_int_equal(ctl.ops->validate_binding(ctl.ctx, 2, 15), SYSDMA_OK);
    assert_int_equal(ctl.ops->validate_binding(ctl.ctx, 2, 16), SYSDMA_E_INVALID_CHANNEL);
    assert_int_equal(ctl.ops->validate_binding(ctl.ctx, 8, 1), SYSDMA_E_INVALID_CHANNEL);
    /* Restricted lines. */
    uint16_t lines = 0x0030;
    assert_int_equal(ctl.ops->configure(ctl.ctx, 2, SYSDMA_PL080_FN_LINES, &lines, sizeof lines),
                     SYSDMA_OK);
    assert_int_equal(ctl.ops->validate_binding(ctl.ctx, 2, 3), SYSDMA_E_INVALID_CHANNEL);
    assert_int_equal(ctl.ops->validate_binding(ctl.ctx, 2, 5), SYSDMA_OK);
    /* A program that names line 0 uses the bound line. */
    sysdma_fragment f = {RAM_BASE, 0x40};
    sysdma_program p = {0};
    p.fragments = &f;
    p.count = 1;
    p.device_address = FIFO_ADDR;
    p.to_device = true;
    assert_int_equal(ctl.ops->program(ctl.ctx, 2, &p), SYSDMA_OK);
    assert_int_equal((chreg(2, SYSDMA_EMU_PL080_CH_CONFIG) >> 6) & 15u, 5u);
    /* A line the channel may not serve is refused, nothing changes. */
    p.request_line = 7;
    uint32_t before = chreg(2, SYSDMA_EMU_PL080_CH_CONFIG);
    assert_int_equal(ctl.ops->program(ctl.ctx, 2, &p), SYSDMA_E_INVALID_CHANNEL);
    assert_int_equal(chreg(2, SYSDMA_EMU_PL080_CH_CONFIG), before);
    unrig();
}

static void configure_functions(void **state)
{
    (void)state;
    rig(64);
    sysdma_transfer_shape s = {0};
    s.memory_width = 4;
    s.device_width = 2;
    s.memory_burst = 8;
    s.device_burst = 4;
    s.flow = SYSDMA_FLOW_CONTROLLER;
    assert_int_equal(ctl.ops->configure(ctl.ctx, 1, SYSDMA_CONFIGURE_SHAPE, &s, sizeof s), SYSDMA_OK);
    uint8_t m = SYSDMA_PL080_MASTER_DEVICE | SYSDMA_PL080_MASTER_LLI;
    assert_int_equal(ctl.ops->configure(ctl.ctx, 1, SYSDMA_PL080_FN_MASTERS, &m, 1), SYSDMA_OK);
    uint8_t prot = 5;
    assert_int_equal(ctl.ops->configure(ctl.ctx, 1, SYSDMA_PL080_FN_PROT, &prot, 1), SYSDMA_OK);
    sysdma_fragment f[2] = {{RAM_BASE, 64}, {RAM_BASE + 0x1000, 64}};
    sysdma_program p = {0};
    p.fragments = f;
    p.count = 2;
    p.device_address = FIFO_ADDR;
    p.to_device = true;
    p.request_line = 1;
    assert_int_equal(ctl.ops->program(ctl.ctx, 1, &p), SYSDMA_OK); /* the kept shape */
    uint32_t c = item_word(1, 0, 3);
    assert_int_equal((c >> 12) & 7u, 2u); /* SBSize 8 (memory) */
    assert_int_equal((c >> 15) & 7u, 1u); /* DBSize 4 (device) */
    assert_int_equal((c >> 18) & 7u, 2u); /* SWidth word */
    assert_int_equal((c >> 21) & 7u, 1u); /* DWidth halfword */
    assert_int_equal((c >> 24) & 3u, 2u); /* D on master 2 */
    assert_int_equal((c >> 28) & 7u, 5u);
    assert_int_equal(c & 0xFFFu, 16);
    assert_int_equal(item_word(1, 0, 2) & 1u, 1u); /* fetch through master 2 */
    /* Bad data. */
    s.memory_width = 3;
    assert_int_equal(ctl.ops->configure(ctl.ctx, 1, SYSDMA_CONFIGURE_SHAPE, &s, sizeof s),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(ctl.ops->configure(ctl.ctx, 1, SYSDMA_CONFIGURE_SHAPE, &s, 3),
                     SYSDMA_E_INVALID_ARGUMENT);
    prot = 8;
    assert_int_equal(ctl.ops->configure(ctl.ctx, 1, SYSDMA_PL080_FN_PROT, &prot, 1),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(ctl.ops->configure(ctl.ctx, 1, SYSDMA_PL080_FN_MASTERS, NULL, 1),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(ctl.ops->configure(ctl.ctx, 1, 0x8999, &prot, 1), SYSDMA_E_NOT_IMPLEMENTED);
    assert_int_equal(ctl.ops->configure(ctl.ctx, 8, SYSDMA_PL080_FN_PROT, &prot, 1),
                     SYSDMA_E_INVALID_CHANNEL);
    unrig();
}

static void bad_programs_change_nothing(void **state)
{
    (void)state;
    rig(8);
    sysdma_fragment f = {RAM_BASE, 0x100};
    sysdma_program good = m2m(&f, 1, 0x8000);
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &good), SYSDMA_OK);
    uint32_t before = chreg(0, SYSDMA_EMU_PL080_CH_CONFIG);
    sysdma_program p = good;
    p.shape.memory_width = 3;
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_E_INVALID_ARGUMENT);
    p = good;
    p.shape.device_burst = 5;
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_E_INVALID_ARGUMENT);
    p = good;
    p.shape.memory_width = 4;
    p.shape.memory_burst = 256; /* 1 KiB bursts are the longest */
    p.shape.device_width = 4;
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_OK);
    p.shape.memory_burst = 0;
    sysdma_fragment odd = {RAM_BASE + 2, 0x100};
    p.fragments = &odd;
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_E_ALIGNMENT);
    p = good;
    sysdma_fragment high = {0xFFFFFF00ull, 0x200};
    p.fragments = &high;
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_E_OUT_OF_REACH);
    p = good;
    p.shape.device_increment = false;
    p.device_address = 0x100000000ull; /* a device register beyond 32 bits */
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_E_OUT_OF_REACH);
    p = good;
    p.shape.device_width = 4;
    p.shape.memory_width = 4;
    p.device_address = FIFO_ADDR + 2; /* a device register not aligned to its width */
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_E_ALIGNMENT);
    p = good;
    sysdma_fragment above = {0x100000000ull, 0x100};
    p.fragments = &above;
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_E_OUT_OF_REACH);
    p = good;
    sysdma_fragment empty = {RAM_BASE, 0};
    p.fragments = &empty;
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_E_LENGTH);
    /* 8 items per channel: 40000 bytes of single bytes need 10. */
    p = good;
    sysdma_fragment big = {RAM_BASE, 40000};
    p.fragments = &big;
    p.shape.memory_burst = 1;
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_E_TOO_MANY_ELEMENTS);
    p = good;
    p.count = 0;
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, NULL), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(ctl.ops->program(ctl.ctx, 8, &good), SYSDMA_E_INVALID_CHANNEL);
    p = good;
    p.shape.flow = SYSDMA_FLOW_CONTROLLER;
    p.request_line = 16;
    assert_int_equal(ctl.ops->program(ctl.ctx, 0, &p), SYSDMA_E_INVALID_CHANNEL);
    assert_int_equal(chreg(0, SYSDMA_EMU_PL080_CH_CONFIG), before);
    unrig();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(initialize_enables_and_identifies),
        cmocka_unit_test(volatile_access_as_on_bare_metal),
        cmocka_unit_test(init_refuses_bad_config),
        cmocka_unit_test(list_moves_fragments_and_interrupts),
        cmocka_unit_test(items_split_at_4095_transfers),
        cmocka_unit_test(items_keep_bursts_inside_1k),
        cmocka_unit_test(loop_points_back_and_interrupts_each_pass),
        cmocka_unit_test(loop_period_interrupts),
        cmocka_unit_test(bad_address_is_a_failure),
        cmocka_unit_test(cancel_gives_three_answers),
        cmocka_unit_test(residue_follows_progress_and_flush),
        cmocka_unit_test(device_paced_transfer_from_peripheral),
        cmocka_unit_test(binding_and_line_fallback),
        cmocka_unit_test(configure_functions),
        cmocka_unit_test(bad_programs_change_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
