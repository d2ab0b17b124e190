/* SPDX-License-Identifier: MIT */
/*
 * The controller driver for the ARM PrimeCell PL080 (see
 * include/sysdma/ctrl_pl080.h for what it does and why). Memory-mapped I/O
 * only, through the accessor given at init, so the same code drives the
 * emulated DMAC, QEMU's and real hardware. Freestanding like the core.
 *
 * A program is checked whole before anything is written: the shape, every
 * fragment's alignment and reach, the request line, and the items the list
 * needs against the channel's share of the pool. Then the channel is
 * disabled, its interrupt bits cleared, the items written to the pool, the
 * first one loaded into the channel's registers (its LLI register pointing
 * at the second) and the channel enabled.
 *
 * What the driver knows of a channel after that comes from three places:
 * the raw interrupt registers (a terminal count or an error not yet
 * cleared), its own record of what handle_interrupt cleared (tc/err, kept
 * until the channel is programmed again), and the channel's registers
 * (which item runs — from the LLI register, which holds the next one — and
 * the TransferSize left in it).
 */
#include "../core/freestanding.h"

#include "sysdma/ctrl_pl080.h"

/* Register offsets and fields (ARM DDI 0196). */
#define R_INT_TC_STATUS 0x004u
#define R_INT_TC_CLEAR 0x008u
#define R_INT_ERR_STATUS 0x00Cu
#define R_INT_ERR_CLEAR 0x010u
#define R_RAW_TC 0x014u
#define R_RAW_ERR 0x018u
#define R_CONFIG 0x030u
#define R_PERIPH_ID0 0xFE0u
#define R_PERIPH_ID1 0xFE4u
#define CH(n, r) (0x100u + 0x20u * (unsigned)(n) + (r))
#define C_SRC 0x00u
#define C_DST 0x04u
#define C_LLI 0x08u
#define C_CONTROL 0x0Cu
#define C_CONFIG 0x10u

#define CTL_SI (1u << 26)
#define CTL_DI (1u << 27)
#define CTL_I (1u << 31)
#define CCFG_E 0x1u
#define CCFG_IE (1u << 14)
#define CCFG_ITC (1u << 15)
#define CCFG_A (1u << 17)
#define CCFG_H (1u << 18)

#define STOP_POLLS 100000u /* reads of Active before a halted channel is disabled anyway */
#define MIN_ITEM_BYTES 3072u /* smallest item capacity over every shape */

/* ---- register access ------------------------------------------------------ */

static uint32_t rd(const sysdma_pl080_driver *d, uint32_t off)
{
    if (d->mmio.read32)
        return d->mmio.read32(d->mmio.ctx, off);
    return d->mmio.base[off / 4];
}

static void wr(const sysdma_pl080_driver *d, uint32_t off, uint32_t v)
{
    if (d->mmio.write32)
        d->mmio.write32(d->mmio.ctx, off, v);
    else
        d->mmio.base[off / 4] = v;
}

static uint32_t item_bus(const sysdma_pl080_driver *d, unsigned ch, uint32_t k)
{
    return d->pool_bus + (uint32_t)((ch * d->items_per_channel + k) * SYSDMA_PL080_LLI_BYTES);
}

/* Merge the raw interrupt bits of the programmed channels into the record
 * and move their states on. */
static void sample(sysdma_pl080_driver *d)
{
    uint8_t live = 0;
    for (unsigned c = 0; c < d->nchan; c++)
        if (d->ch[c].state != SYSDMA_PL080_IDLE)
            live |= (uint8_t)(1u << c);
    if (!live)
        return;
    d->tc |= (uint8_t)(rd(d, R_RAW_TC) & live);
    d->err |= (uint8_t)(rd(d, R_RAW_ERR) & live);
    for (unsigned c = 0; c < d->nchan; c++) {
        sysdma_pl080_chan *h = &d->ch[c];
        if (h->state != SYSDMA_PL080_RUNNING && h->state != SYSDMA_PL080_DONE)
            continue;
        if ((d->err >> c) & 1u)
            h->state = SYSDMA_PL080_FAILED;
        else if (!h->loop && ((d->tc >> c) & 1u))
            h->state = SYSDMA_PL080_DONE;
    }
}

/* Halt the channel, wait (bounded) until its FIFO is empty, disable it. */
static void stop(sysdma_pl080_driver *d, unsigned ch)
{
    uint32_t cfg = rd(d, CH(ch, C_CONFIG));
    if (!(cfg & CCFG_E))
        return;
    wr(d, CH(ch, C_CONFIG), cfg | CCFG_H);
    for (uint32_t k = 0; k < STOP_POLLS; k++) {
        uint32_t now = rd(d, CH(ch, C_CONFIG));
        if (!(now & CCFG_A) || !(now & CCFG_E))
            break;
    }
    wr(d, CH(ch, C_CONFIG), cfg & ~(CCFG_E | CCFG_H));
}

/* ---- the table -------------------------------------------------------------- */

static sysdma_status initialize(void *ctx)
{
    sysdma_pl080_driver *d = ctx;
    uint32_t part = (rd(d, R_PERIPH_ID0) & 0xFFu) | (rd(d, R_PERIPH_ID1) & 0xFu) << 8;
    if (part != 0x080u && part != 0x081u)
        return SYSDMA_E_DEVICE; /* not a PL080 or PL081 at this address */
    d->nchan = part == 0x080u ? 8u : 2u;
    for (unsigned c = 0; c < SYSDMA_PL080_CHANNELS; c++) {
        if (c < d->nchan)
            wr(d, CH(c, C_CONFIG), 0);
        d->ch[c].state = SYSDMA_PL080_IDLE;
    }
    wr(d, R_INT_TC_CLEAR, 0xFFu);
    wr(d, R_INT_ERR_CLEAR, 0xFFu);
    wr(d, R_CONFIG, 1u); /* enabled, both masters little-endian */
    d->tc = d->err = 0;
    return SYSDMA_OK;
}

static unsigned query_fragments(void *ctx, unsigned ch)
{
    const sysdma_pl080_driver *d = ctx;
    if (ch >= d->nchan)
        return 0;
    return d->items_per_channel / sysdma_pl080_items_for(d->max_bytes);
}

static sysdma_status limits(void *ctx, unsigned ch, sysdma_channel_limits *l)
{
    const sysdma_pl080_driver *d = ctx;
    if (ch >= d->nchan)
        return SYSDMA_E_INVALID_CHANNEL;
    memset(l, 0, sizeof *l);
    l->address_bits = 32;
    l->width = 1; /* the shape chooses the beats; see program */
    l->min_unit = 1;
    l->counter_available = true;
    l->interrupts = true;
    l->boundary = 0;
    l->max_bytes = d->max_bytes;
    l->max_fragments = query_fragments(ctx, ch);
    return SYSDMA_OK;
}

static uint16_t lines_of(const sysdma_pl080_driver *d, unsigned ch)
{
    return d->ch[ch].lines;
}

static sysdma_status binding(void *ctx, unsigned ch, uint32_t line)
{
    sysdma_pl080_driver *d = ctx;
    if (ch >= d->nchan || line >= SYSDMA_PL080_LINES)
        return SYSDMA_E_INVALID_CHANNEL;
    uint16_t m = lines_of(d, ch);
    if (m && !((m >> line) & 1u))
        return SYSDMA_E_INVALID_CHANNEL;
    d->ch[ch].line = (uint16_t)line;
    return SYSDMA_OK;
}

/* Width code of 1, 2, 4 bytes; -1 otherwise. */
static int width_code(unsigned w)
{
    return w == 1 ? 0 : w == 2 ? 1 : w == 4 ? 2 : -1;
}

/* Burst code of 1, 4, 8, ..., 256 beats; -1 otherwise. */
static int burst_code(unsigned b)
{
    if (b == 1)
        return 0;
    for (int c = 1; c < 8; c++)
        if (b == 2u << c)
            return c;
    return -1;
}

static bool shape_zero(const sysdma_transfer_shape *s)
{
    return !s->memory_width && !s->device_width && !s->memory_burst && !s->device_burst &&
           s->flow == SYSDMA_FLOW_CONTROLLER && !s->device_increment;
}

/* One program, resolved and checked. */
typedef struct plan {
    uint32_t mw, dw, sw, unit, mburst_bytes, cap;
    unsigned sw_shift;   /* log2(sw) */
    uint32_t control; /* every item's control word without count and I */
    uint32_t config;  /* the channel's configuration word without E */
    bool device_flow;
} plan;

/* Length of the next item of a fragment at memory address `a` with
 * `left` bytes to go. */
static uint32_t next_item(const plan *pl, uint64_t a, uint32_t left)
{
    if (pl->device_flow)
        return left;
    /* (Every divisor here is a power of two ≤ 1024: the low 32 bits of the
     * address decide, and no 64-bit division is needed on a 32-bit CPU.) */
    uint32_t lo = (uint32_t)a;
    if (lo & (pl->mburst_bytes - 1)) {
        /* A burst from here could cross a 1 KiB boundary: end at it. */
        uint32_t to_kib = 1024u - (lo & 1023u);
        if (to_kib < left)
            return to_kib;
    }
    return left < pl->cap ? left : pl->cap;
}

/* Items a fragment at `a` of `len` bytes takes (what the loop of
 * next_item would count). */
static uint32_t fragment_items(const plan *pl, uint64_t a, uint32_t len)
{
    if (pl->device_flow)
        return 1;
    uint32_t lo = (uint32_t)a, first = 0;
    if (lo & (pl->mburst_bytes - 1)) {
        uint32_t to_kib = 1024u - (lo & 1023u);
        if (to_kib < len) {
            len -= to_kib;
            first = 1;
        }
    }
    if (len <= pl->cap)
        return first + 1; /* the common case, without a division */
    return first + len / pl->cap + (len % pl->cap != 0);
}

static sysdma_status make_plan(sysdma_pl080_driver *d, unsigned ch, const sysdma_program *p,
                               plan *pl, uint32_t *items_out, uint32_t *total_out)
{
    const sysdma_pl080_chan *h = &d->ch[ch];
    const sysdma_transfer_shape *s = shape_zero(&p->shape) ? &h->shape : &p->shape;
    memset(pl, 0, sizeof *pl);
    pl->mw = s->memory_width ? s->memory_width : 1;
    pl->dw = s->device_width ? s->device_width : 1;
    unsigned mb = s->memory_burst ? s->memory_burst : 4;
    unsigned db = s->device_burst ? s->device_burst : 1;
    int mwc = width_code(pl->mw), dwc = width_code(pl->dw);
    int mbc = burst_code(mb), dbc = burst_code(db);
    if (mwc < 0 || dwc < 0 || mbc < 0 || dbc < 0 || s->flow > SYSDMA_FLOW_MEMORY)
        return SYSDMA_E_INVALID_ARGUMENT;
    pl->mburst_bytes = mb * pl->mw;
    if (pl->mburst_bytes > 1024u)
        return SYSDMA_E_INVALID_ARGUMENT; /* a burst longer than the boundary itself */
    pl->unit = pl->mw > pl->dw ? pl->mw : pl->dw;
    pl->sw = p->to_device ? pl->mw : pl->dw;
    pl->sw_shift = pl->sw == 4 ? 2u : pl->sw == 2 ? 1u : 0u;
    uint32_t step = pl->mburst_bytes > pl->unit ? pl->mburst_bytes : pl->unit;
    pl->cap = SYSDMA_PL080_MAX_TRANSFERS * pl->sw / step * step;
    pl->device_flow = s->flow == SYSDMA_FLOW_DEVICE;

    uint32_t line = p->request_line;
    if (line == 0)
        line = h->line; /* a core that does not pass the line: the bound one */
    unsigned flow;
    if (s->flow == SYSDMA_FLOW_MEMORY) {
        flow = 0;
        line = 0;
    } else {
        uint16_t m = lines_of(d, ch);
        if (line >= SYSDMA_PL080_LINES || (m && !((m >> line) & 1u)))
            return SYSDMA_E_INVALID_CHANNEL;
        flow = pl->device_flow ? (p->to_device ? 5u : 6u) : (p->to_device ? 1u : 2u);
    }
    bool mem_m2 = (h->masters & SYSDMA_PL080_MASTER_MEMORY) != 0;
    bool dev_m2 = (h->masters & SYSDMA_PL080_MASTER_DEVICE) != 0;
    uint32_t src_inc = p->to_device ? CTL_SI : (s->device_increment ? CTL_SI : 0);
    uint32_t dst_inc = p->to_device ? (s->device_increment ? CTL_DI : 0) : CTL_DI;
    unsigned sbc = (unsigned)(p->to_device ? mbc : dbc), dbc2 = (unsigned)(p->to_device ? dbc : mbc);
    unsigned swc = (unsigned)(p->to_device ? mwc : dwc), dwc2 = (unsigned)(p->to_device ? dwc : mwc);
    bool s_m2 = p->to_device ? mem_m2 : dev_m2, d_m2 = p->to_device ? dev_m2 : mem_m2;
    pl->control = sbc << 12 | dbc2 << 15 | swc << 18 | dwc2 << 21 | (s_m2 ? 1u << 24 : 0) |
                  (d_m2 ? 1u << 25 : 0) | src_inc | dst_inc | (uint32_t)(h->prot & 7u) << 28;
    uint32_t srcper = p->to_device ? 0 : line, dstper = p->to_device ? line : 0;
    pl->config = srcper << 1 | dstper << 6 | flow << 11 | CCFG_IE | CCFG_ITC;

    /* The device's address, then every fragment: aligned, reachable;
     * count the items. */
    if (p->device_address > 0xFFFFFFFFull)
        return SYSDMA_E_OUT_OF_REACH;
    if ((uint32_t)p->device_address & (pl->dw - 1))
        return SYSDMA_E_ALIGNMENT;
    uint64_t items = 0, total = 0;
    for (unsigned f = 0; f < p->count; f++) {
        uint64_t a = p->fragments[f].phys;
        uint32_t len = p->fragments[f].length;
        if (len == 0)
            return SYSDMA_E_LENGTH;
        if (((uint32_t)a | len) & (pl->unit - 1))
            return SYSDMA_E_ALIGNMENT;
        if (a + len > 0x100000000ull)
            return SYSDMA_E_OUT_OF_REACH;
        items += fragment_items(pl, a, len);
        total += len;
    }
    if (s->device_increment && p->device_address + total > 0x100000000ull)
        return SYSDMA_E_OUT_OF_REACH;
    if (total > 0xFFFFFFFFull)
        return SYSDMA_E_LENGTH;
    if (items > d->items_per_channel)
        return SYSDMA_E_TOO_MANY_ELEMENTS;
    *items_out = (uint32_t)items;
    *total_out = (uint32_t)total;
    return SYSDMA_OK;
}

/* Write one item: four little-endian words (the DMAC's masters are set
 * little-endian), whatever the CPU's byte order. */
static void put_item(uint8_t *p, const uint32_t w[4])
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, w, 4 * sizeof w[0]);
#else
    for (unsigned j = 0; j < 4; j++) {
        p[4 * j] = (uint8_t)w[j];
        p[4 * j + 1] = (uint8_t)(w[j] >> 8);
        p[4 * j + 2] = (uint8_t)(w[j] >> 16);
        p[4 * j + 3] = (uint8_t)(w[j] >> 24);
    }
#endif
}

/* Read one item back (put_item's inverse). */
static void get_item(const uint8_t *p, uint32_t w[4])
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(w, p, 4 * sizeof w[0]);
#else
    for (unsigned j = 0; j < 4; j++)
        w[j] = (uint32_t)p[4 * j] | (uint32_t)p[4 * j + 1] << 8 | (uint32_t)p[4 * j + 2] << 16 |
               (uint32_t)p[4 * j + 3] << 24;
#endif
}

static sysdma_status program(void *ctx, unsigned ch, const sysdma_program *p)
{
    sysdma_pl080_driver *d = ctx;
    if (ch >= d->nchan)
        return SYSDMA_E_INVALID_CHANNEL;
    if (!p || !p->fragments || p->count == 0)
        return SYSDMA_E_INVALID_ARGUMENT;
    plan pl;
    uint32_t nitems, total;
    sysdma_status st = make_plan(d, ch, p, &pl, &nitems, &total);
    if (st != SYSDMA_OK)
        return st;

    sysdma_pl080_chan *h = &d->ch[ch];
    wr(d, CH(ch, C_CONFIG), 0); /* stop whatever ran */
    wr(d, R_INT_TC_CLEAR, 1u << ch);
    wr(d, R_INT_ERR_CLEAR, 1u << ch);
    d->tc &= (uint8_t)~(1u << ch);
    d->err &= (uint8_t)~(1u << ch);

    /* Everything the loop needs, in locals: the item stores go through
     * byte pointers, which could alias any field the loop would reread. */
    const uint32_t lli_master = (h->masters & SYSDMA_PL080_MASTER_LLI) ? 1u : 0u;
    uint8_t *const base = d->pool_va + (size_t)ch * d->items_per_channel * SYSDMA_PL080_LLI_BYTES;
    uint32_t *const lens = d->item_bytes + (size_t)ch * d->items_per_channel;
    const uint32_t bus0 = item_bus(d, ch, 0);
    const bool to_device = p->to_device, loop = p->loop;
    const bool period_irq = loop && h->period_irq;
    const uint32_t control = pl.control;
    const sysdma_fragment *const frags = p->fragments;
    const unsigned nfrags = p->count;
    const bool dev_inc = (to_device ? control & CTL_DI : control & CTL_SI) != 0;
    const uint32_t dev_step = dev_inc ? 1u : 0u;
    const uint32_t last_next = loop ? bus0 | lli_master : 0;
    uint32_t k = 0;
    uint32_t dev = (uint32_t)p->device_address; /* checked: below 4 GiB */
    uint32_t next_bus = bus0 + SYSDMA_PL080_LLI_BYTES;
    /* Every item links to the next and has no interrupt; the last item's
     * link and interrupt bit are set after the loop. */
    for (unsigned f = 0; f < nfrags; f++) {
        uint32_t a = (uint32_t)frags[f].phys; /* checked: below 4 GiB */
        uint32_t len = frags[f].length;
        while (len) {
            uint32_t n = next_item(&pl, a, len);
            uint32_t units = n >> pl.sw_shift;
            uint32_t count = units > SYSDMA_PL080_MAX_TRANSFERS ? SYSDMA_PL080_MAX_TRANSFERS : units;
            uint32_t w[4];
            w[0] = to_device ? a : dev;
            w[1] = to_device ? dev : a;
            w[2] = next_bus | lli_master;
            /* a fragment's last item interrupts when every pass's periods do */
            w[3] = control | count | (period_irq && n == len ? CTL_I : 0);
            put_item(base + (size_t)k * SYSDMA_PL080_LLI_BYTES, w);
            lens[k] = n;
            a += n;
            len -= n;
            dev += n * dev_step;
            next_bus += SYSDMA_PL080_LLI_BYTES;
            k++;
        }
    }
    {
        uint32_t w[4];
        uint8_t *lastp = base + (size_t)(nitems - 1) * SYSDMA_PL080_LLI_BYTES;
        get_item(lastp, w);
        w[2] = last_next;
        w[3] |= CTL_I;
        put_item(lastp, w);
    }
    uint32_t first[4];
    get_item(base, first);
    if (!d->pool_uncached && d->pf_ops.dma_sync)
        d->pf_ops.dma_sync(d->platform.ctx, base, (size_t)nitems * SYSDMA_PL080_LLI_BYTES,
                           SYSDMA_SYNC_PRE_WRITE);
    h->items = nitems;
    h->total = total;
    h->loop = p->loop;
    h->src_width = (uint8_t)pl.sw;
    h->state = SYSDMA_PL080_RUNNING;
    wr(d, CH(ch, C_SRC), first[0]);
    wr(d, CH(ch, C_DST), first[1]);
    wr(d, CH(ch, C_LLI), first[2]);
    wr(d, CH(ch, C_CONTROL), first[3]);
    wr(d, CH(ch, C_CONFIG), pl.config | CCFG_E);
    return SYSDMA_OK;
}

static sysdma_status configure(void *ctx, unsigned ch, uint32_t function, void *data,
                               size_t bytes)
{
    sysdma_pl080_driver *d = ctx;
    if (ch >= d->nchan)
        return SYSDMA_E_INVALID_CHANNEL;
    sysdma_pl080_chan *h = &d->ch[ch];
    switch (function) {
    case SYSDMA_CONFIGURE_SHAPE: {
        if (!data || bytes != sizeof(sysdma_transfer_shape))
            return SYSDMA_E_INVALID_ARGUMENT;
        sysdma_transfer_shape s;
        memcpy(&s, data, sizeof s);
        unsigned mw = s.memory_width ? s.memory_width : 1, dw = s.device_width ? s.device_width : 1;
        unsigned mb = s.memory_burst ? s.memory_burst : 4, db = s.device_burst ? s.device_burst : 1;
        if (width_code(mw) < 0 || width_code(dw) < 0 || burst_code(mb) < 0 ||
            burst_code(db) < 0 || mb * mw > 1024u || s.flow > SYSDMA_FLOW_MEMORY)
            return SYSDMA_E_INVALID_ARGUMENT;
        h->shape = s;
        return SYSDMA_OK;
    }
    case SYSDMA_PL080_FN_LINES:
        if (!data || bytes != sizeof(uint16_t))
            return SYSDMA_E_INVALID_ARGUMENT;
        memcpy(&h->lines, data, sizeof h->lines);
        return SYSDMA_OK;
    case SYSDMA_PL080_FN_MASTERS: {
        uint8_t m;
        if (!data || bytes != 1 || (memcpy(&m, data, 1), m & ~7u))
            return SYSDMA_E_INVALID_ARGUMENT;
        h->masters = m;
        return SYSDMA_OK;
    }
    case SYSDMA_PL080_FN_PROT: {
        uint8_t v;
        if (!data || bytes != 1 || (memcpy(&v, data, 1), v & ~7u))
            return SYSDMA_E_INVALID_ARGUMENT;
        h->prot = v;
        return SYSDMA_OK;
    }
    case SYSDMA_PL080_FN_PERIOD_IRQ: {
        uint8_t v;
        if (!data || bytes != 1 || (memcpy(&v, data, 1), v > 1))
            return SYSDMA_E_INVALID_ARGUMENT;
        h->period_irq = v != 0;
        return SYSDMA_OK;
    }
    case SYSDMA_PL080_FN_ITEMS:
        if (!data || bytes != sizeof(uint32_t))
            return SYSDMA_E_INVALID_ARGUMENT;
        memcpy(data, &h->items, sizeof h->items);
        return SYSDMA_OK;
    default:
        return SYSDMA_E_NOT_IMPLEMENTED;
    }
}

static sysdma_status flush(void *ctx, unsigned ch)
{
    sysdma_pl080_driver *d = ctx;
    if (ch >= d->nchan)
        return SYSDMA_E_INVALID_CHANNEL;
    stop(d, ch);
    sample(d);
    if (d->ch[ch].state == SYSDMA_PL080_RUNNING)
        d->ch[ch].state = SYSDMA_PL080_STOPPED;
    return SYSDMA_OK;
}

static bool handle_interrupt(void *ctx, uint32_t *completed, uint32_t *failed)
{
    sysdma_pl080_driver *d = ctx;
    uint32_t tcs = rd(d, R_INT_TC_STATUS) & 0xFFu;
    uint32_t errs = rd(d, R_INT_ERR_STATUS) & 0xFFu;
    if (tcs)
        wr(d, R_INT_TC_CLEAR, tcs);
    if (errs)
        wr(d, R_INT_ERR_CLEAR, errs);
    d->tc |= (uint8_t)tcs;
    d->err |= (uint8_t)errs;
    for (unsigned c = 0; c < d->nchan; c++) {
        sysdma_pl080_chan *h = &d->ch[c];
        if (h->state != SYSDMA_PL080_RUNNING && h->state != SYSDMA_PL080_DONE)
            continue;
        if ((errs >> c) & 1u)
            h->state = SYSDMA_PL080_FAILED;
        else if (((tcs >> c) & 1u) && !h->loop)
            h->state = SYSDMA_PL080_DONE;
    }
    *completed = tcs & ~errs;
    *failed = errs;
    return (tcs | errs) != 0;
}

/* Bytes left in the channel's pass, from its registers: the TransferSize
 * left in the item it runs plus every item after it. */
static uint32_t left_in_registers(const sysdma_pl080_driver *d, unsigned ch)
{
    const sysdma_pl080_chan *h = &d->ch[ch];
    if (h->items == 0)
        return 0;
    uint32_t lli = 0, control = 0;
    for (int tries = 0; tries < 8; tries++) {
        lli = rd(d, CH(ch, C_LLI)) & ~3u;
        control = rd(d, CH(ch, C_CONTROL));
        if ((rd(d, CH(ch, C_LLI)) & ~3u) == lli)
            break; /* no item was loaded between the two reads */
    }
    uint32_t k = h->items - 1; /* LLI 0: the last item runs */
    uint32_t first = item_bus(d, ch, 0);
    if (lli) {
        uint32_t j = (lli - first) / SYSDMA_PL080_LLI_BYTES;
        if (lli >= first && j < h->items)
            k = (j + h->items - 1) % h->items;
    }
    const uint32_t *lens = d->item_bytes + (size_t)ch * d->items_per_channel;
    uint64_t left = (uint64_t)(control & 0xFFFu) * h->src_width;
    if (left > lens[k])
        left = lens[k];
    for (uint32_t j = k + 1; j < h->items; j++)
        left += lens[j];
    return (uint32_t)left;
}

static uint32_t read_residue(void *ctx, unsigned ch, bool *terminal_count)
{
    sysdma_pl080_driver *d = ctx;
    *terminal_count = false;
    if (ch >= d->nchan || d->ch[ch].state == SYSDMA_PL080_IDLE)
        return 0;
    sample(d);
    const sysdma_pl080_chan *h = &d->ch[ch];
    bool tc = ((d->tc >> ch) & 1u) && !((d->err >> ch) & 1u);
    *terminal_count = tc;
    if (tc && !h->loop)
        return 0;
    return left_in_registers(d, ch);
}

static uint32_t read_counter(void *ctx, unsigned ch)
{
    bool tc;
    return read_residue(ctx, ch, &tc);
}

static uint32_t terminal_counts(void *ctx, uint32_t channels)
{
    sysdma_pl080_driver *d = ctx;
    sample(d);
    return channels & d->tc & ~(uint32_t)d->err & ((1u << d->nchan) - 1u);
}

static sysdma_status cancel(void *ctx, unsigned ch, sysdma_cancel_result *result)
{
    sysdma_pl080_driver *d = ctx;
    if (ch >= d->nchan || !result)
        return ch >= d->nchan ? SYSDMA_E_INVALID_CHANNEL : SYSDMA_E_INVALID_ARGUMENT;
    sysdma_pl080_chan *h = &d->ch[ch];
    if (h->state == SYSDMA_PL080_IDLE || h->state == SYSDMA_PL080_STOPPED) {
        *result = SYSDMA_CANCEL_IDLE;
        return SYSDMA_OK;
    }
    stop(d, ch); /* from here nothing on the channel changes */
    uint32_t bit = 1u << ch;
    bool raw_tc = (rd(d, R_RAW_TC) & bit) != 0;
    sample(d);
    if ((d->err & bit) || (!h->loop && (d->tc & bit))) {
        /* It ended (or failed) before the stop: its interrupt is (or was)
         * on its way and reports it. */
        *result = SYSDMA_CANCEL_TOO_LATE;
        return SYSDMA_OK;
    }
    if (h->loop && raw_tc)
        wr(d, R_INT_TC_CLEAR, bit); /* a pass's interrupt for a loop now cancelled */
    h->state = SYSDMA_PL080_STOPPED;
    *result = SYSDMA_CANCEL_DONE;
    return SYSDMA_OK;
}

static unsigned channel_count(void *ctx)
{
    const sysdma_pl080_driver *d = ctx;
    return d->nchan;
}

static const sysdma_controller_ops pl080_ops = {
    .size = sizeof(sysdma_controller_ops),
    .initialize = initialize,
    .channel_limits = limits,
    .validate_binding = binding,
    .query_fragments = query_fragments,
    .program = program,
    .configure = configure,
    .flush = flush,
    .handle_interrupt = handle_interrupt,
    .read_counter = read_counter,
    .cancel = cancel,
    .read_residue = read_residue,
    .terminal_counts = terminal_counts,
    .channel_count = channel_count,
};

uint32_t sysdma_pl080_items_for(uint32_t bytes)
{
    return 1u + bytes / MIN_ITEM_BYTES + (bytes % MIN_ITEM_BYTES != 0);
}

sysdma_status sysdma_pl080_driver_init(sysdma_pl080_driver *drv, const sysdma_pl080_config *cfg,
                                       sysdma_controller *out)
{
    if (!drv || !cfg || !out || !cfg->platform.ops)
        return SYSDMA_E_INVALID_ARGUMENT;
    bool callbacks = cfg->mmio.read32 && cfg->mmio.write32;
    if (!callbacks && !cfg->mmio.base)
        return SYSDMA_E_INVALID_ARGUMENT;
    uint32_t ipc = cfg->items_per_channel ? cfg->items_per_channel : SYSDMA_PL080_DEFAULT_ITEMS;
    uint32_t maxb = cfg->max_bytes ? cfg->max_bytes : SYSDMA_PL080_DEFAULT_MAX_BYTES;
    if (ipc > 65536u || maxb < SYSDMA_PAGE_SIZE)
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma_platform_ops po;
    memset(&po, 0, sizeof po);
    uint32_t sz = cfg->platform.ops->size;
    memcpy(&po, cfg->platform.ops, sz < sizeof po ? sz : sizeof po);
    if (!po.alloc || !po.free || !po.alloc_contig || !po.free_contig)
        return SYSDMA_E_INVALID_ARGUMENT;
    memset(drv, 0, sizeof *drv);
    drv->mmio = cfg->mmio;
    if (!callbacks)
        drv->mmio.read32 = NULL, drv->mmio.write32 = NULL;
    drv->pf_ops = po;
    drv->platform.ops = &drv->pf_ops;
    drv->platform.ctx = cfg->platform.ctx;
    drv->items_per_channel = ipc;
    drv->max_bytes = maxb;
    drv->nchan = SYSDMA_PL080_CHANNELS;
    for (unsigned c = 0; c < SYSDMA_PL080_CHANNELS; c++)
        drv->ch[c].lines = cfg->lines[c];
    size_t items = (size_t)ipc * SYSDMA_PL080_CHANNELS;
    drv->item_bytes = po.alloc(cfg->platform.ctx, items * sizeof(uint32_t));
    if (!drv->item_bytes)
        return SYSDMA_E_NO_MEMORY;
    memset(drv->item_bytes, 0, items * sizeof(uint32_t));
    size_t bytes = items * SYSDMA_PL080_LLI_BYTES;
    bytes = (bytes + SYSDMA_PAGE_SIZE - 1) / SYSDMA_PAGE_SIZE * SYSDMA_PAGE_SIZE;
    void *va = NULL;
    uint64_t phys = 0;
    sysdma_status st = po.alloc_contig(cfg->platform.ctx, bytes, 0x100000000ull, 0,
                                       SYSDMA_PAGE_SIZE, &va, &phys);
    uint64_t bus = phys;
    if (st == SYSDMA_OK && po.phys_to_bus)
        bus = po.phys_to_bus(cfg->platform.ctx, phys);
    if (st == SYSDMA_OK && bus + bytes > 0x100000000ull) {
        po.free_contig(cfg->platform.ctx, va, phys, bytes);
        st = SYSDMA_E_OUT_OF_REACH;
    }
    if (st != SYSDMA_OK) {
        po.free(cfg->platform.ctx, drv->item_bytes, items * sizeof(uint32_t));
        drv->item_bytes = NULL;
        return st == SYSDMA_E_OUT_OF_REACH ? st : SYSDMA_E_NO_MEMORY;
    }
    drv->pool_va = va;
    drv->pool_phys = phys;
    drv->pool_bus = (uint32_t)bus;
    drv->pool_bytes = bytes;
    if (po.set_caching) {
        po.set_caching(cfg->platform.ctx, va, bytes, false);
        drv->pool_uncached = true;
    }
    out->ops = &pl080_ops;
    out->ctx = drv;
    return SYSDMA_OK;
}

void sysdma_pl080_driver_fini(sysdma_pl080_driver *drv)
{
    if (!drv || !drv->pool_va)
        return;
    if (drv->pool_uncached)
        drv->pf_ops.set_caching(drv->platform.ctx, drv->pool_va, drv->pool_bytes, true);
    drv->pf_ops.free_contig(drv->platform.ctx, drv->pool_va, drv->pool_phys, drv->pool_bytes);
    drv->pf_ops.free(drv->platform.ctx, drv->item_bytes,
                     (size_t)drv->items_per_channel * SYSDMA_PL080_CHANNELS * sizeof(uint32_t));
    drv->pool_va = NULL;
    drv->item_bytes = NULL;
}
