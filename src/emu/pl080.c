/* SPDX-License-Identifier: MIT */
/*
 * The emulated ARM PrimeCell PL080 DMA controller.
 *
 * The register block (sysdma_emu_pl080_read/write) keeps the state exactly
 * as software sees it: each channel's five registers, the raw interrupt
 * bits, the DMAC configuration, sync and software request registers. The
 * only state besides is each channel's FIFO, which holds what a service
 * read but could not write yet (less than one unit of the wider width): the
 * source and destination addresses and the TransferSize field advance as
 * data moves, and the next linked-list item is loaded into the channel's
 * registers when the current one finishes.
 *
 * sysdma_emu_pl080_run() is the bus. It arbitrates by fixed priority before
 * every service — one burst or one single transfer, sized by the request
 * that asked for it (a memory-to-memory channel asks for source bursts all
 * the time) — and carries the service out as one unit: read everything,
 * then write everything (see service()). A service that stays in RAM costs one memcpy; a
 * memory-to-memory channel in RAM takes all the bursts the budget allows in
 * one memcpy, which is what burst-by-burst arbitration would give, since
 * nothing can change between its bursts (no callback runs).
 *
 * Every bus access is checked against the machine's map (the RAM, whose
 * bounds init() takes from the physmem object and cuts at 4 GiB, and the
 * device windows) before anything is read or written: an address outside
 * it is a bus error, never a host access.
 */
#include <string.h>

#include "sysdma/emu_pl080.h"

#define CH_E SYSDMA_EMU_PL080_CCFG_E
#define CTL_SI SYSDMA_EMU_PL080_CTL_SI
#define CTL_DI SYSDMA_EMU_PL080_CTL_DI

static const uint8_t id_regs[8] = {0x80, 0x10, 0x04, 0x0A, 0x0D, 0xF0, 0x05, 0xB1};
static const uint16_t burst_len[8] = {1, 4, 8, 16, 32, 64, 128, 256};

/* Bytes of a width code; 0 for the reserved codes 3-7. */
static unsigned width_bytes(unsigned code)
{
    return code < 3 ? 1u << code : 0;
}

uint32_t sysdma_emu_pl080_burst_bytes(unsigned code, unsigned width)
{
    return (uint32_t)burst_len[code & 7u] * width_bytes(width);
}

uint32_t sysdma_emu_pl080_control(uint32_t count, unsigned sbsize, unsigned dbsize,
                                  unsigned swidth, unsigned dwidth, uint32_t flags)
{
    return (count & SYSDMA_EMU_PL080_CTL_SIZE_MASK) |
           (uint32_t)(sbsize & 7u) << SYSDMA_EMU_PL080_CTL_SBSIZE_SHIFT |
           (uint32_t)(dbsize & 7u) << SYSDMA_EMU_PL080_CTL_DBSIZE_SHIFT |
           (uint32_t)(swidth & 7u) << SYSDMA_EMU_PL080_CTL_SWIDTH_SHIFT |
           (uint32_t)(dwidth & 7u) << SYSDMA_EMU_PL080_CTL_DWIDTH_SHIFT | (flags & 0xFF000000u);
}

static void emit(sysdma_emu_pl080 *e, sysdma_emu_pl080_event ev, unsigned index, uint32_t value)
{
    if (e->event)
        e->event(e->event_ctx, ev, index, value);
}

void sysdma_emu_pl080_set_event_hook(sysdma_emu_pl080 *e, sysdma_emu_pl080_event_fn fn, void *ctx)
{
    e->event = fn;
    e->event_ctx = ctx;
}

/* ---- Flow control types ------------------------------------------------------ */

static unsigned flow_of(uint32_t cfg)
{
    return (cfg >> SYSDMA_EMU_PL080_CCFG_FLOW_SHIFT) & 7u;
}

static bool src_is_periph(unsigned flow)
{
    return flow == 2 || flow == 3 || flow == 4 || flow == 6 || flow == 7;
}

static bool dst_is_periph(unsigned flow)
{
    return flow == 1 || flow == 3 || flow == 4 || flow == 5 || flow == 7;
}

/* The side whose request sizes a service (and, for types 4-7, ends the
 * item with a "last" request): the destination for 1, 4, 5. */
static bool sized_by_dst(unsigned flow)
{
    return flow == 1 || flow == 4 || flow == 5;
}

static unsigned src_line(uint32_t cfg)
{
    return (cfg >> SYSDMA_EMU_PL080_CCFG_SRCPER_SHIFT) & 15u;
}

static unsigned dst_line(uint32_t cfg)
{
    return (cfg >> SYSDMA_EMU_PL080_CCFG_DSTPER_SHIFT) & 15u;
}

/* The request inputs of `line` (hardware levels or software requests). */
static unsigned line_reqs(const sysdma_emu_pl080 *e, unsigned line)
{
    unsigned r = 0;
    for (unsigned k = 0; k < 4; k++)
        if ((e->s.soft[k] | e->s.hw[k]) & (1u << line))
            r |= 1u << k;
    return r;
}

/* ---- Interrupts -------------------------------------------------------------- */

static uint8_t chan_mask(const sysdma_emu_pl080 *e, uint32_t bit)
{
    uint8_t m = 0;
    for (unsigned c = 0; c < SYSDMA_EMU_PL080_CHANNELS; c++)
        if (e->s.ch[c].config & bit)
            m |= (uint8_t)(1u << c);
    return m;
}

static uint8_t int_tc(const sysdma_emu_pl080 *e)
{
    return e->s.raw_tc & chan_mask(e, SYSDMA_EMU_PL080_CCFG_ITC);
}

static uint8_t int_err(const sysdma_emu_pl080 *e)
{
    return e->s.raw_err & chan_mask(e, SYSDMA_EMU_PL080_CCFG_IE);
}

static void update_irq(sysdma_emu_pl080 *e)
{
    uint8_t lv = (uint8_t)((int_tc(e) ? 1u : 0u) | (int_err(e) ? 2u : 0u));
    if (lv == e->irq_level)
        return;
    e->irq_level = lv;
    if (e->irq)
        e->irq(e->irq_ctx, lv != 0, (lv & 1u) != 0, (lv & 2u) != 0);
}

/* ---- Set-up ------------------------------------------------------------------ */

/* Bytes of RAM the bus reaches (cut at the 4 GiB the PL080 can address). */
static uint64_t ram_len(const sysdma_emu_pl080 *e)
{
    if (!e->mem)
        return 0;
    uint64_t room = 0x100000000ull - e->ram_base;
    return e->mem->size < room ? e->mem->size : room;
}

void sysdma_emu_pl080_reset(sysdma_emu_pl080 *e)
{
    uint16_t hw[4];
    memcpy(hw, e->s.hw, sizeof hw);
    memset(&e->s, 0, sizeof e->s);
    e->s.version = SYSDMA_EMU_PL080_STATE_VERSION;
    memcpy(e->s.hw, hw, sizeof hw);
    e->in_service = 0;
    update_irq(e);
}

void sysdma_emu_pl080_init(sysdma_emu_pl080 *e, sysdma_emu_physmem *mem, uint32_t ram_base)
{
    memset(e, 0, sizeof *e);
    e->mem = mem;
    e->ram_base = ram_base;
    e->ram_len = ram_len(e);
    sysdma_emu_pl080_reset(e);
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

bool sysdma_emu_pl080_map_window(sysdma_emu_pl080 *e, const sysdma_emu_pl080_window *w)
{
    if (!w || e->nwin >= SYSDMA_EMU_PL080_WINDOWS || w->size == 0 ||
        (uint64_t)w->base + w->size > 0x100000000ull)
        return false;
    if (overlaps(w->base, w->size, e->ram_base, e->ram_len))
        return false;
    for (unsigned k = 0; k < e->nwin; k++)
        if (overlaps(w->base, w->size, e->win[k].base, e->win[k].size))
            return false;
    e->win[e->nwin++] = *w;
    return true;
}

bool sysdma_emu_pl080_attach(sysdma_emu_pl080 *e, unsigned line,
                             const sysdma_emu_pl080_periph *p)
{
    if (line >= SYSDMA_EMU_PL080_LINES)
        return false;
    if (p)
        e->per[line] = *p;
    else
        memset(&e->per[line], 0, sizeof e->per[line]);
    return true;
}

void sysdma_emu_pl080_set_irq(sysdma_emu_pl080 *e, sysdma_emu_pl080_irq_fn fn, void *ctx)
{
    e->irq = fn;
    e->irq_ctx = ctx;
    uint8_t lv = e->irq_level;
    if (fn)
        fn(ctx, lv != 0, (lv & 1u) != 0, (lv & 2u) != 0);
}

void sysdma_emu_pl080_request(sysdma_emu_pl080 *e, unsigned line, unsigned reqs)
{
    if (line >= SYSDMA_EMU_PL080_LINES)
        return;
    unsigned old = 0;
    for (unsigned k = 0; k < 4; k++) {
        old |= ((e->s.hw[k] >> line) & 1u) << k;
        if (reqs & (1u << k))
            e->s.hw[k] |= (uint16_t)(1u << line);
        else
            e->s.hw[k] &= (uint16_t)~(1u << line);
    }
    if (e->event && old != (reqs & 15u))
        emit(e, SYSDMA_EMU_PL080_EV_REQUEST, line, reqs & 15u);
}

/* ---- Registers --------------------------------------------------------------- */

uint32_t sysdma_emu_pl080_read(sysdma_emu_pl080 *e, uint32_t off)
{
    if (off & 3u || off >= SYSDMA_EMU_PL080_MMIO_SIZE)
        return 0;
    if (off >= SYSDMA_EMU_PL080_CH_BASE &&
        off < SYSDMA_EMU_PL080_CH(SYSDMA_EMU_PL080_CHANNELS, 0)) {
        unsigned n = (off - SYSDMA_EMU_PL080_CH_BASE) / SYSDMA_EMU_PL080_CH_STRIDE;
        const sysdma_emu_pl080_chan *ch = &e->s.ch[n];
        switch (off & (SYSDMA_EMU_PL080_CH_STRIDE - 1u)) {
        case SYSDMA_EMU_PL080_CH_SRC:
            return ch->src;
        case SYSDMA_EMU_PL080_CH_DST:
            return ch->dst;
        case SYSDMA_EMU_PL080_CH_LLI:
            return ch->lli;
        case SYSDMA_EMU_PL080_CH_CONTROL:
            return ch->control;
        case SYSDMA_EMU_PL080_CH_CONFIG:
            return ch->config |
                   (e->in_service == n + 1 || e->s.fifo_n[n] ? SYSDMA_EMU_PL080_CCFG_A : 0u);
        default:
            return 0;
        }
    }
    if (off >= SYSDMA_EMU_PL080_PERIPH_ID0)
        return id_regs[(off - SYSDMA_EMU_PL080_PERIPH_ID0) >> 2];
    switch (off) {
    case SYSDMA_EMU_PL080_INT_STATUS:
        return (uint32_t)(int_tc(e) | int_err(e));
    case SYSDMA_EMU_PL080_INT_TC_STATUS:
        return int_tc(e);
    case SYSDMA_EMU_PL080_INT_ERR_STATUS:
        return int_err(e);
    case SYSDMA_EMU_PL080_RAW_TC_STATUS:
        return e->s.raw_tc;
    case SYSDMA_EMU_PL080_RAW_ERR_STATUS:
        return e->s.raw_err;
    case SYSDMA_EMU_PL080_ENABLED_CHANNELS:
        return chan_mask(e, CH_E);
    case SYSDMA_EMU_PL080_SOFT_BREQ:
    case SYSDMA_EMU_PL080_SOFT_SREQ:
    case SYSDMA_EMU_PL080_SOFT_LBREQ:
    case SYSDMA_EMU_PL080_SOFT_LSREQ: {
        unsigned k = (off - SYSDMA_EMU_PL080_SOFT_BREQ) >> 2;
        return (uint32_t)(e->s.soft[k] | e->s.hw[k]);
    }
    case SYSDMA_EMU_PL080_CONFIG:
        return e->s.config;
    case SYSDMA_EMU_PL080_SYNC:
        return e->s.sync;
    default:
        return 0;
    }
}

void sysdma_emu_pl080_write(sysdma_emu_pl080 *e, uint32_t off, uint32_t v)
{
    if (off & 3u || off >= SYSDMA_EMU_PL080_MMIO_SIZE)
        return;
    emit(e, SYSDMA_EMU_PL080_EV_WRITE, 0, off);
    if (off >= SYSDMA_EMU_PL080_CH_BASE &&
        off < SYSDMA_EMU_PL080_CH(SYSDMA_EMU_PL080_CHANNELS, 0)) {
        unsigned n = (off - SYSDMA_EMU_PL080_CH_BASE) / SYSDMA_EMU_PL080_CH_STRIDE;
        sysdma_emu_pl080_chan *ch = &e->s.ch[n];
        switch (off & (SYSDMA_EMU_PL080_CH_STRIDE - 1u)) {
        case SYSDMA_EMU_PL080_CH_SRC:
            ch->src = v;
            break;
        case SYSDMA_EMU_PL080_CH_DST:
            ch->dst = v;
            break;
        case SYSDMA_EMU_PL080_CH_LLI:
            ch->lli = v & ~2u; /* bit 1 is reserved */
            break;
        case SYSDMA_EMU_PL080_CH_CONTROL:
            ch->control = v;
            break;
        case SYSDMA_EMU_PL080_CH_CONFIG:
            /* Enabling starts with an empty FIFO; disabling loses its data. */
            if ((ch->config ^ v) & CH_E)
                e->s.fifo_n[n] = 0;
            ch->config = v & SYSDMA_EMU_PL080_CCFG_WRITABLE;
            update_irq(e); /* ITC and IE mask this channel's interrupts */
            break;
        default:
            break;
        }
        return;
    }
    switch (off) {
    case SYSDMA_EMU_PL080_INT_TC_CLEAR:
        e->s.raw_tc &= (uint8_t)~v;
        update_irq(e);
        break;
    case SYSDMA_EMU_PL080_INT_ERR_CLEAR:
        e->s.raw_err &= (uint8_t)~v;
        update_irq(e);
        break;
    case SYSDMA_EMU_PL080_SOFT_BREQ:
    case SYSDMA_EMU_PL080_SOFT_SREQ:
    case SYSDMA_EMU_PL080_SOFT_LBREQ:
    case SYSDMA_EMU_PL080_SOFT_LSREQ:
        /* Writing 1 requests; 0 has no effect. The bit clears when served. */
        e->s.soft[(off - SYSDMA_EMU_PL080_SOFT_BREQ) >> 2] |= (uint16_t)v;
        break;
    case SYSDMA_EMU_PL080_CONFIG:
        e->s.config = (uint8_t)(v & 7u);
        break;
    case SYSDMA_EMU_PL080_SYNC:
        e->s.sync = (uint16_t)v;
        break;
    default:
        break;
    }
}

/* ---- The bus ----------------------------------------------------------------- */

/* Host pointer to bus range [a, a + n) when it lies wholly in RAM (whose
 * length init() took from physmem and cut at 4 GiB). */
static uint8_t *ram_ptr(const sysdma_emu_pl080 *e, uint32_t a, size_t n)
{
    if (n == 0 || a < e->ram_base || (uint64_t)a - e->ram_base + n > e->ram_len)
        return NULL;
    return e->mem->ram + ((uint64_t)a - e->ram_base);
}

static const sysdma_emu_pl080_window *window_of(const sysdma_emu_pl080 *e, uint32_t a, size_t n)
{
    for (unsigned k = 0; k < e->nwin; k++) {
        const sysdma_emu_pl080_window *w = &e->win[k];
        if (a >= w->base && (uint64_t)a - w->base + n <= w->size)
            return w;
    }
    return NULL;
}

static bool mapped(const sysdma_emu_pl080 *e, uint32_t a, size_t n, bool write)
{
    if (ram_ptr(e, a, n))
        return true;
    const sysdma_emu_pl080_window *w = window_of(e, a, n);
    return w && (write ? w->write != NULL : w->read != NULL);
}

static bool bus_read(sysdma_emu_pl080 *e, uint32_t a, uint8_t *buf, size_t n)
{
    uint8_t *p = ram_ptr(e, a, n);
    if (p) {
        memcpy(buf, p, n);
        return true;
    }
    const sysdma_emu_pl080_window *w = window_of(e, a, n);
    return w && w->read && w->read(w->ctx, a - w->base, buf, n);
}

static bool bus_write(sysdma_emu_pl080 *e, uint32_t a, const uint8_t *buf, size_t n)
{
    uint8_t *p = ram_ptr(e, a, n);
    if (p) {
        memcpy(p, buf, n);
        return true;
    }
    const sysdma_emu_pl080_window *w = window_of(e, a, n);
    return w && w->write && w->write(w->ctx, a - w->base, buf, n);
}

/* ---- Servicing a channel ------------------------------------------------------- */

static void bus_error(sysdma_emu_pl080 *e, unsigned c)
{
    e->s.raw_err |= (uint8_t)(1u << c);
    e->s.ch[c].config &= ~CH_E;
    e->s.fifo_n[c] = 0; /* what the channel FIFO held is lost */
    e->stats.errors++;
    emit(e, SYSDMA_EMU_PL080_EV_ERROR, c, 0);
}

static bool master_be(const sysdma_emu_pl080 *e, bool master2)
{
    return (e->s.config & (master2 ? SYSDMA_EMU_PL080_CFG_M2_BE : SYSDMA_EMU_PL080_CFG_M1_BE)) != 0;
}

/* The end of an item: TC status if its I bit asks, then the next item from
 * memory, or the channel disables itself. Returns the bus bytes used. */
static size_t finish_item(sysdma_emu_pl080 *e, unsigned c, uint32_t ctl)
{
    sysdma_emu_pl080_chan *ch = &e->s.ch[c];
    e->stats.items[c]++;
    if (ctl & SYSDMA_EMU_PL080_CTL_I)
        e->s.raw_tc |= (uint8_t)(1u << c);
    emit(e, SYSDMA_EMU_PL080_EV_ITEM, c, (ctl & SYSDMA_EMU_PL080_CTL_I) ? 1u : 0u);
    uint32_t next = ch->lli & ~3u;
    if (next == 0) {
        ch->config &= ~CH_E;
        e->s.fifo_n[c] = 0;
        return 0;
    }
    uint8_t b[SYSDMA_EMU_PL080_LLI_BYTES];
    if (!mapped(e, next, sizeof b, false) || !bus_read(e, next, b, sizeof b)) {
        bus_error(e, c);
        return 0;
    }
    bool be = master_be(e, (ch->lli & 1u) != 0);
    uint32_t w[4];
    for (unsigned k = 0; k < 4; k++) {
        const uint8_t *p = b + 4 * k;
        w[k] = be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
    }
    ch->src = w[0];
    ch->dst = w[1];
    ch->lli = w[2] & ~2u;
    ch->control = w[3];
    e->stats.lli_fetches++;
    return SYSDMA_EMU_PL080_LLI_BYTES;
}

/* Reverse the bytes of each whole `unit` in b[0, n). */
static void reverse_units(uint8_t *b, uint32_t n, unsigned unit)
{
    for (uint32_t k = 0; unit > 1 && k + unit <= n; k += unit)
        for (unsigned i = 0; i < unit / 2; i++) {
            uint8_t t = b[k + i];
            b[k + i] = b[k + unit - 1 - i];
            b[k + unit - 1 - i] = t;
        }
}

/* Read n bytes (whole source units) at `a`: one run when the address
 * increments, else one unit at a time from the same address. */
static bool read_src(sysdma_emu_pl080 *e, uint32_t a, bool si, unsigned sw, uint8_t *b, uint32_t n)
{
    if (si)
        return bus_read(e, a, b, n);
    for (uint32_t k = 0; k < n; k += sw)
        if (!bus_read(e, a, b + k, sw))
            return false;
    return true;
}

/* Write n bytes at `a` in destination units (the last one may be partial). */
static bool write_dst(sysdma_emu_pl080 *e, uint32_t a, bool di, unsigned dw, const uint8_t *b,
                      uint32_t n)
{
    if (di)
        return bus_write(e, a, b, n);
    for (uint32_t k = 0; k < n; k += dw)
        if (!bus_write(e, a, b + k, n - k < dw ? n - k : dw))
            return false;
    return true;
}

static bool ready(const sysdma_emu_pl080 *e, unsigned c)
{
    uint32_t cfg = e->s.ch[c].config;
    if (!(e->s.config & SYSDMA_EMU_PL080_CFG_E) || !(cfg & CH_E))
        return false;
    unsigned flow = flow_of(cfg);
    if (cfg & SYSDMA_EMU_PL080_CCFG_H) {
        /* Halted: no new source data; what the FIFO holds may still drain. */
        unsigned dw = width_bytes((e->s.ch[c].control >> SYSDMA_EMU_PL080_CTL_DWIDTH_SHIFT) & 7u);
        if (!dw || e->s.fifo_n[c] < dw)
            return false;
        return !dst_is_periph(flow) || line_reqs(e, dst_line(cfg));
    }
    if (src_is_periph(flow) && !line_reqs(e, src_line(cfg)))
        return false;
    if (dst_is_periph(flow) && !line_reqs(e, dst_line(cfg)))
        return false;
    return true;
}

static int pick(const sysdma_emu_pl080 *e)
{
    for (unsigned c = 0; c < SYSDMA_EMU_PL080_CHANNELS; c++)
        if (ready(e, c))
            return (int)c;
    return -1;
}

bool sysdma_emu_pl080_pending(const sysdma_emu_pl080 *e)
{
    return pick(e) >= 0;
}

static void respond(sysdma_emu_pl080 *e, unsigned line, bool tc)
{
    if (e->per[line].response)
        e->per[line].response(e->per[line].ctx, line, tc);
}

/* One service of channel c (ready), with `room` (> 0) budget left. Returns
 * the bus bytes used; adds the bytes written to the destination to *moved.
 *
 * The request that asked sizes the service: `want` bytes of the source
 * (memory-to-memory and types 2, 3, 6, 7) or of the destination (types 1,
 * 4, 5). A source-sized service reads `want` and writes every whole
 * destination unit it has; a destination-sized one reads whole source
 * units until it can write `want`. What is left over (less than one unit of
 * the wider side) stays in the channel FIFO for the next service; at the
 * end of an item with DMAC flow control everything is written. */
static size_t service(sysdma_emu_pl080 *e, unsigned c, size_t room, size_t *moved)
{
    sysdma_emu_pl080_chan *ch = &e->s.ch[c];
    uint32_t ctl = ch->control, cfg = ch->config;
    unsigned flow = flow_of(cfg);
    unsigned sw = width_bytes((ctl >> SYSDMA_EMU_PL080_CTL_SWIDTH_SHIFT) & 7u);
    unsigned dw = width_bytes((ctl >> SYSDMA_EMU_PL080_CTL_DWIDTH_SHIFT) & 7u);
    if (!sw || !dw) { /* a reserved width: the model's choice is a bus error */
        bus_error(e, c);
        update_irq(e);
        return 0;
    }
    bool dmac = flow <= SYSDMA_EMU_PL080_FLOW_P2P;
    bool halted = (cfg & SYSDMA_EMU_PL080_CCFG_H) != 0;
    bool sper = src_is_periph(flow) && !halted, dper = dst_is_periph(flow);
    bool by_dst = flow != SYSDMA_EMU_PL080_FLOW_M2M && sized_by_dst(flow);
    unsigned sline = src_line(cfg), dline = dst_line(cfg);

    bool burst = true, last = false;
    if (flow != SYSDMA_EMU_PL080_FLOW_M2M) {
        unsigned reqs = line_reqs(e, by_dst ? dline : sline);
        burst = (reqs & (SYSDMA_EMU_PL080_REQ_BURST | SYSDMA_EMU_PL080_REQ_LBURST)) != 0;
        last = !dmac && (reqs & (burst ? SYSDMA_EMU_PL080_REQ_LBURST : SYSDMA_EMU_PL080_REQ_LSINGLE));
    }
    unsigned code = (ctl >> (by_dst ? SYSDMA_EMU_PL080_CTL_DBSIZE_SHIFT
                                    : SYSDMA_EMU_PL080_CTL_SBSIZE_SHIFT)) & 7u;
    uint32_t want = (burst ? burst_len[code] : 1u) * (by_dst ? dw : sw);
    uint32_t count = ctl & SYSDMA_EMU_PL080_CTL_SIZE_MASK, cap = count * sw;
    uint32_t have = e->s.fifo_n[c], n_in, n_out;
    bool done;
    if (halted) { /* drain whole destination units, read nothing */
        n_in = 0;
        n_out = have / dw * dw;
        if (by_dst && n_out > want)
            n_out = want;
        done = false;
    } else if (by_dst) {
        n_in = want > have ? (want - have + sw - 1) / sw * sw : 0;
        if (dmac && n_in > cap)
            n_in = cap;
        n_out = have + n_in < want ? have + n_in : want;
        done = dmac ? n_in == cap && have + n_in == n_out : last;
    } else {
        n_in = dmac && want > cap ? cap : want;
        done = dmac ? n_in == cap : last;
        n_out = done ? have + n_in : (have + n_in) / dw * dw;
    }

    bool si = (ctl & CTL_SI) != 0, di = (ctl & CTL_DI) != 0;
    bool swap = master_be(e, (ctl & SYSDMA_EMU_PL080_CTL_S) != 0) !=
                master_be(e, (ctl & SYSDMA_EMU_PL080_CTL_D) != 0);
    uint64_t bursts = 1;
    bool fast = false;
    if (have == 0 && n_in == n_out && n_in && si && di && (!swap || (sw == 1 && dw == 1))) {
        /* RAM to RAM with nothing left over: one memmove. A memory-to-memory
         * channel takes every burst the budget allows at once when each
         * burst leaves nothing over (ranges that overlap go burst by burst). */
        uint32_t total = n_in;
        if (flow == SYSDMA_EMU_PL080_FLOW_M2M && !halted && !done && want % dw == 0) {
            uint64_t w = ((uint64_t)room + want - 1) / want * want;
            total = w < cap ? (uint32_t)w : cap;
        }
        uint8_t *ps = ram_ptr(e, ch->src, total), *pd = ram_ptr(e, ch->dst, total);
        if (ps && pd && total != n_in && (ps + total <= pd || pd + total <= ps)) {
            memcpy(pd, ps, total);
            bursts = (total + want - 1) / want;
            n_in = n_out = total;
            done = total == cap;
            fast = true;
        } else if ((ps = ram_ptr(e, ch->src, n_in)) != NULL && (pd = ram_ptr(e, ch->dst, n_in)) != NULL) {
            memmove(pd, ps, n_in);
            fast = true;
        }
    }
    if (!fast && (n_in || n_out)) {
        uint8_t *b = e->scratch;
        memcpy(b, e->s.fifo[c], have);
        if ((n_in && !mapped(e, ch->src, si ? n_in : sw, false)) ||
            (n_out && !mapped(e, ch->dst, di || n_out < dw ? n_out : dw, true))) {
            bus_error(e, c);
            update_irq(e);
            return 0;
        }
        e->in_service = (uint8_t)(c + 1);
        bool ok = !n_in || read_src(e, ch->src, si, sw, b + have, n_in);
        if (ok && swap) { /* bytes reverse inside units of the wider side */
            if (sw >= dw)
                reverse_units(b + have, n_in, sw);
            else
                reverse_units(b, n_out, dw);
        }
        ok = ok && (!n_out || write_dst(e, ch->dst, di, dw, b, n_out));
        e->in_service = 0;
        if (!ok) {
            bus_error(e, c);
            update_irq(e);
            return 0;
        }
        uint32_t left = have + n_in - n_out; /* < 4: less than one unit */
        if (left > sizeof e->s.fifo[c])
            left = sizeof e->s.fifo[c];
        memmove(e->s.fifo[c], b + n_out, left);
        e->s.fifo_n[c] = (uint8_t)left;
    }
    if (si)
        ch->src += n_in;
    if (di)
        ch->dst += n_out;
    if (dmac) {
        ctl = (ctl & ~SYSDMA_EMU_PL080_CTL_SIZE_MASK) | (count - n_in / sw);
        ch->control = ctl;
    }
    e->stats.bytes[c] += n_out;
    e->stats.services[c] += bursts;
    *moved += n_out;
    emit(e, SYSDMA_EMU_PL080_EV_SERVICE, c, n_out);

    size_t used = n_in > n_out ? n_in : n_out;
    uint16_t lines = (uint16_t)((sper ? 1u << sline : 0u) | (dper ? 1u << dline : 0u));
    if (lines)
        for (unsigned k = 0; k < 4; k++)
            e->s.soft[k] &= (uint16_t)~lines;
    if (done) {
        uint16_t raw = (uint16_t)(e->s.raw_tc | e->s.raw_err << 8);
        used += finish_item(e, c, ctl);
        if (raw != (uint16_t)(e->s.raw_tc | e->s.raw_err << 8))
            update_irq(e);
    }
    if (sper)
        respond(e, sline, done && dmac);
    if (dper && !(sper && dline == sline))
        respond(e, dline, done && dmac);
    return used;
}

size_t sysdma_emu_pl080_run(sysdma_emu_pl080 *e, size_t budget)
{
    size_t used = 0, moved = 0;
    while (used < budget) {
        int c = pick(e);
        if (c < 0)
            break;
        size_t u = service(e, (unsigned)c, budget - used, &moved);
        /* A service that moves nothing (an empty item, an error) still
         * costs one, so callbacks that re-enable channels cannot spin. */
        used += u ? u : 1;
    }
    return moved;
}

/* ---- Snapshot ------------------------------------------------------------------ */

void sysdma_emu_pl080_save(const sysdma_emu_pl080 *e, sysdma_emu_pl080_state *out)
{
    *out = e->s;
}

bool sysdma_emu_pl080_restore(sysdma_emu_pl080 *e, const sysdma_emu_pl080_state *in)
{
    if (in->version != SYSDMA_EMU_PL080_STATE_VERSION || in->config > 7u || in->pad)
        return false;
    for (unsigned c = 0; c < SYSDMA_EMU_PL080_CHANNELS; c++)
        if ((in->ch[c].config & ~SYSDMA_EMU_PL080_CCFG_WRITABLE) || (in->ch[c].lli & 2u) ||
            in->fifo_n[c] > sizeof in->fifo[c])
            return false;
    e->s = *in;
    e->in_service = 0;
    update_irq(e);
    return true;
}
