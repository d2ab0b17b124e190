/* SPDX-License-Identifier: MIT */
/*
 * The emulated PC/AT pair of Intel 8237A DMA controllers.
 *
 * Two controllers share one state struct: ctrl[0] is DMA1 (channels 0-3,
 * byte units) and ctrl[1] is DMA2 (channels 4-7, word units, channel 4 the
 * cascade input that DMA1's hold request arrives on). The CPU side is
 * sysdma_emu_i8237_inb/outb; the device side is dreq/eop plus one transfer
 * callback per channel; time advances only in sysdma_emu_i8237_run().
 *
 * The service loop arbitrates DMA2 first (its channel 4 standing for "DMA1
 * wants the bus"), then DMA1 when channel 4 wins. A single-mode channel gets
 * one unit per arbitration; demand and block channels get a span: as many
 * units as the count, the address wrap, RAM and the run budget allow in one
 * contiguous piece, handed to the device as one pointer into guest RAM so a
 * span costs one memcpy in the device. Spans that leave RAM go through a
 * scratch buffer and physmem's bounded read/write instead, so guest values
 * can never reach host memory outside RAM.
 *
 * Every field a guest can write is kept in a type that holds exactly the
 * register's bits (uint8_t/uint16_t, masked nibbles), so no index derived
 * from a port value can go out of range.
 */
#include <string.h>

#include "sysdma/emu.h"
#include "i8237_internal.h"

/* Page register port of each channel, indexed by channel 0-7. */
static const uint8_t page_port_of[8] = {0x87, 0x83, 0x81, 0x82,
                                         0x8F, 0x8B, 0x89, 0x8A};

uint16_t sysdma_emu_i8237_page_port(unsigned channel)
{
    return channel < 8 ? page_port_of[channel] : 0;
}

static void emit(sysdma_emu_i8237 *e, sysdma_emu_i8237_event ev, unsigned ch,
                 uint32_t value)
{
    if (e->event)
        e->event(e->event_ctx, ev, ch, value);
}

/* ---- Reset ---------------------------------------------------------------- */

/* Master clear of one controller: command, status, request, temporary and
 * flip-flop cleared, all four channels masked. Address, count and mode
 * registers keep their values (the 8237A does not clear them). */
static void master_clear(sysdma_emu_i8237 *e, unsigned c)
{
    sysdma_emu_i8237_ctrl *k = &e->s.ctrl[c];
    k->command = 0;
    k->tc = 0;
    k->request = 0;
    k->temp = 0;
    k->flipflop = 0;
    k->mask = 0x0F;
    k->lowest = 3;
    k->active = 0;
    e->s.eop &= (uint8_t)~(0x0Fu << (4 * c));
}

static void bios_setup(sysdma_emu_i8237 *e)
{
    /* Channel 4 in cascade mode and unmasked: DMA1 can reach the bus. */
    e->s.ctrl[1].ch[0].mode = SYSDMA_EMU_MODE_CASCADE;
    e->s.ctrl[1].mask &= (uint8_t)~1u;
}

void sysdma_emu_i8237_reset(sysdma_emu_i8237 *e, bool pc_bios)
{
    uint8_t dreq = e->s.dreq;
    memset(&e->s, 0, sizeof e->s);
    e->s.version = SYSDMA_EMU_I8237_STATE_VERSION;
    e->s.dreq = dreq;
    master_clear(e, 0);
    master_clear(e, 1);
    if (pc_bios)
        bios_setup(e);
    e->gen++;
    e->lint.reset_gen = e->gen;
    if (e->lint.fn)
        sysdma__i8237_lint_reset(e);
}

void sysdma_emu_i8237_init(sysdma_emu_i8237 *e, sysdma_emu_physmem *mem,
                           bool pc_bios)
{
    memset(e, 0, sizeof *e);
    e->mem = mem;
    sysdma_emu_i8237_reset(e, pc_bios);
}

bool sysdma_emu_i8237_attach(sysdma_emu_i8237 *e, unsigned channel,
                             const sysdma_emu_dma_device *dev)
{
    if (channel >= 8 || channel == 4)
        return false;
    if (dev)
        e->dev[channel] = *dev;
    else
        memset(&e->dev[channel], 0, sizeof e->dev[channel]);
    return true;
}

void sysdma_emu_i8237_set_event_hook(sysdma_emu_i8237 *e,
                                     sysdma_emu_i8237_event_fn fn, void *ctx)
{
    e->event = fn;
    e->event_ctx = ctx;
}

void sysdma_emu_i8237_set_tc_hook(sysdma_emu_i8237 *e,
                                  void (*fn)(void *ctx, unsigned channel), void *ctx)
{
    e->tc_hook = fn;
    e->tc_hook_ctx = ctx;
}

/* ---- Port decoding -------------------------------------------------------- */

bool sysdma_emu_i8237_claims(uint16_t port)
{
    return port <= 0x0F || (port >= 0x80 && port <= 0x8F) ||
           (port >= 0xC0 && port <= 0xDF);
}

static void set_mask(sysdma_emu_i8237 *e, unsigned c, uint8_t newmask)
{
    sysdma_emu_i8237_ctrl *k = &e->s.ctrl[c];
    uint8_t changed = (uint8_t)((k->mask ^ newmask) & 0x0F);
    k->mask = newmask & 0x0F;
    /* A masked channel abandons a block transfer started by its DREQ. */
    k->active &= (uint8_t)~k->mask;
    if (e->event && changed) {
        for (unsigned i = 0; i < 4; i++)
            if (changed & (1u << i))
                emit(e, SYSDMA_EMU_EV_MASK, 4 * c + i, (k->mask >> i) & 1u);
    }
}

static unsigned wanting(const sysdma_emu_i8237 *e, unsigned c);

uint8_t sysdma_emu_i8237_inb(sysdma_emu_i8237 *e, uint16_t port)
{
    unsigned c, reg;
    if (e->lint.fn)
        sysdma__i8237_lint_in(e, port);
    if (port >= 0x80 && port <= 0x8F)
        return e->s.page[port - 0x80];
    if (!sysdma__i8237_decode(port, &c, &reg))
        return 0xFF;
    sysdma_emu_i8237_ctrl *k = &e->s.ctrl[c];
    if (reg < 8) {
        sysdma_emu_i8237_chan *ch = &k->ch[reg >> 1];
        uint16_t v = (reg & 1) ? ch->cur_count : ch->cur_addr;
        uint8_t b = k->flipflop ? (uint8_t)(v >> 8) : (uint8_t)v;
        k->flipflop ^= 1;
        return b;
    }
    switch (reg) {
    case SYSDMA_EMU_I8237_REG_STATUS: {
        uint8_t hw = (uint8_t)((e->s.dreq >> (4 * c)) & 0x0F);
        if (c == 1) /* DREQ4 is DMA1's hold request, as wired on the PC/AT */
            hw = (uint8_t)((hw & 0x0E) | (wanting(e, 0) ? 1u : 0u));
        uint8_t st = (uint8_t)(k->tc | ((hw | k->request) << 4));
        k->tc = 0;
        return st;
    }
    case SYSDMA_EMU_I8237_REG_TEMP:
        return k->temp;
    case SYSDMA_EMU_I8237_REG_ALL_MASK:
        /* Read-back of the mask bits, as later chipsets provide. */
        return (uint8_t)(0xF0 | k->mask);
    default:
        return 0xFF;
    }
}

void sysdma_emu_i8237_outb(sysdma_emu_i8237 *e, uint16_t port, uint8_t v)
{
    unsigned c, reg;
    if (e->lint.fn)
        sysdma__i8237_lint_out(e, port, v);
    if (port >= 0x80 && port <= 0x8F) {
        e->s.page[port - 0x80] = v;
        e->gen++;
        return;
    }
    if (!sysdma__i8237_decode(port, &c, &reg))
        return;
    e->gen++;
    sysdma_emu_i8237_ctrl *k = &e->s.ctrl[c];
    if (reg < 8) {
        /* The byte goes into the base and the current register at once;
         * each keeps its other byte (after a transfer, current's other
         * byte is what the transfer left there, not the base's). */
        sysdma_emu_i8237_chan *ch = &k->ch[reg >> 1];
        uint16_t *base = (reg & 1) ? &ch->base_count : &ch->base_addr;
        uint16_t *cur = (reg & 1) ? &ch->cur_count : &ch->cur_addr;
        uint16_t keep = k->flipflop ? 0x00FF : 0xFF00;
        uint16_t byte = k->flipflop ? (uint16_t)(v << 8) : v;
        *base = (uint16_t)((*base & keep) | byte);
        *cur = (uint16_t)((*cur & keep) | byte);
        k->flipflop ^= 1;
        emit(e, SYSDMA_EMU_EV_PROGRAM, 4 * c + (reg >> 1), reg);
        return;
    }
    unsigned i = v & 3u;
    switch (reg) {
    case SYSDMA_EMU_I8237_REG_COMMAND:
        k->command = v;
        break;
    case SYSDMA_EMU_I8237_REG_REQUEST:
        if (v & 4)
            k->request |= (uint8_t)(1u << i);
        else
            k->request &= (uint8_t)~(1u << i);
        break;
    case SYSDMA_EMU_I8237_REG_SINGLE_MASK:
        set_mask(e, c, (v & 4) ? (uint8_t)(k->mask | (1u << i))
                               : (uint8_t)(k->mask & ~(1u << i)));
        break;
    case SYSDMA_EMU_I8237_REG_MODE:
        k->ch[i].mode = v & 0xFC;
        break;
    case SYSDMA_EMU_I8237_REG_CLEAR_FF:
        k->flipflop = 0;
        break;
    case SYSDMA_EMU_I8237_REG_MASTER_CLEAR: {
        uint8_t old = k->mask;
        master_clear(e, c);
        k->mask = old;
        set_mask(e, c, 0x0F);
        break;
    }
    case SYSDMA_EMU_I8237_REG_CLEAR_MASK:
        set_mask(e, c, 0);
        break;
    case SYSDMA_EMU_I8237_REG_ALL_MASK:
        set_mask(e, c, v & 0x0F);
        break;
    default:
        break;
    }
    if (reg != 0xC)
        emit(e, SYSDMA_EMU_EV_PROGRAM, 4 * c + i, reg);
}

void sysdma_emu_i8237_program(sysdma_emu_i8237 *e, unsigned ch, uint8_t mode, uint32_t phys,
                              uint32_t bytes)
{
    if (ch >= 8 || ch == 4 || bytes == 0)
        return;
    if (e->lint.fn)
        sysdma__i8237_lint_program(e, ch, phys, bytes);
    bool wide = ch >= 4;
    unsigned k = ch & 3u, step = wide ? 2u : 1u;
    uint16_t base = wide ? 0xC0 : 0x00;
    uint16_t addr = wide ? (uint16_t)(phys >> 1) : (uint16_t)phys;
    uint8_t page = wide ? (uint8_t)((phys >> 16) & 0xFE) : (uint8_t)(phys >> 16);
    uint16_t count = (uint16_t)((wide ? bytes / 2 : bytes) - 1);
    sysdma_emu_i8237_outb(e, (uint16_t)(base + 0xA * step), (uint8_t)(4 | k));
    sysdma_emu_i8237_outb(e, (uint16_t)(base + 0xC * step), 0);
    sysdma_emu_i8237_outb(e, (uint16_t)(base + 0xB * step), (uint8_t)((mode & 0xFC) | k));
    sysdma_emu_i8237_outb(e, (uint16_t)(base + 2 * k * step), (uint8_t)addr);
    sysdma_emu_i8237_outb(e, (uint16_t)(base + 2 * k * step), (uint8_t)(addr >> 8));
    sysdma_emu_i8237_outb(e, page_port_of[ch], page);
    sysdma_emu_i8237_outb(e, (uint16_t)(base + (2 * k + 1) * step), (uint8_t)count);
    sysdma_emu_i8237_outb(e, (uint16_t)(base + (2 * k + 1) * step), (uint8_t)(count >> 8));
    sysdma_emu_i8237_outb(e, (uint16_t)(base + 0xA * step), (uint8_t)k);
}

/* ---- Request lines -------------------------------------------------------- */

void sysdma_emu_i8237_dreq(sysdma_emu_i8237 *e, unsigned channel, bool level)
{
    if (channel >= 8)
        return;
    uint8_t bit = (uint8_t)(1u << channel);
    uint8_t old = e->s.dreq;
    e->s.dreq = level ? (uint8_t)(old | bit) : (uint8_t)(old & ~bit);
    if (e->event && old != e->s.dreq)
        emit(e, SYSDMA_EMU_EV_DREQ, channel, level);
}

/* ---- Arbitration ---------------------------------------------------------- */

/* Channels of controller c that want service now, as a nibble. Hardware
 * requests count while unmasked; software requests (block mode only) and
 * block transfers already under way count regardless of DREQ. */
static unsigned wanting(const sysdma_emu_i8237 *e, unsigned c)
{
    const sysdma_emu_i8237_ctrl *k = &e->s.ctrl[c];
    if (k->command & SYSDMA_EMU_CMD_DISABLE)
        return 0;
    unsigned hw = ((unsigned)e->s.dreq >> (4 * c)) & 0x0F;
    unsigned want = (hw | k->active) & ~(unsigned)k->mask;
    unsigned sw = k->request;
    for (unsigned i = 0; i < 4; i++)
        if ((sw & (1u << i)) &&
            (k->ch[i].mode & SYSDMA_EMU_MODE_XFER_MASK) != SYSDMA_EMU_MODE_BLOCK)
            sw &= ~(1u << i);
    want |= sw;
    if (c == 1) {
        /* Channel 4 requests for DMA1; it is served only as a cascade
         * channel, and its own DREQ line (no device) is ignored. */
        want &= ~1u;
        if ((k->ch[0].mode & SYSDMA_EMU_MODE_XFER_MASK) == SYSDMA_EMU_MODE_CASCADE &&
            !(k->mask & 1u) && wanting(e, 0))
            want |= 1u;
    }
    return want & 0x0F;
}

/* Winner among `want` (non-zero) under fixed or rotating priority. */
static unsigned pick(const sysdma_emu_i8237_ctrl *k, unsigned want)
{
    if (!(k->command & SYSDMA_EMU_CMD_ROTATING)) {
        for (unsigned i = 0; i < 4; i++)
            if (want & (1u << i))
                return i;
    }
    for (unsigned n = 1; n <= 4; n++) {
        unsigned i = (k->lowest + n) & 3u;
        if (want & (1u << i))
            return i;
    }
    return 0;
}

/* The channel (0-7) that gets the bus now, or -1. *stable is set when
 * arbitration must choose the same channel again as long as no request,
 * register or count changes: at each controller on the path priority is
 * fixed, or the winner was the only requester (rotation cannot move it). */
static int arbitrate(const sysdma_emu_i8237 *e, bool *stable)
{
    unsigned w2 = wanting(e, 1);
    if (!w2)
        return -1;
    const sysdma_emu_i8237_ctrl *k2 = &e->s.ctrl[1], *k1 = &e->s.ctrl[0];
    unsigned i = pick(k2, w2);
    bool st2 = !(k2->command & SYSDMA_EMU_CMD_ROTATING) || (w2 & (w2 - 1)) == 0;
    if (i != 0) {
        *stable = st2;
        return (int)(4 + i);
    }
    unsigned w1 = wanting(e, 0);
    *stable = st2 && (!(k1->command & SYSDMA_EMU_CMD_ROTATING) || (w1 & (w1 - 1)) == 0);
    return (int)pick(k1, w1);
}

bool sysdma_emu_i8237_pending(const sysdma_emu_i8237 *e)
{
    bool stable;
    return arbitrate(e, &stable) >= 0;
}

/* ---- Service -------------------------------------------------------------- */

static uint64_t phys_of(const sysdma_emu_i8237 *e, unsigned c, unsigned i,
                        uint16_t addr)
{
    uint8_t page = e->s.page[page_port_of[4 * c + i] - 0x80];
    if (c == 0)
        return ((uint64_t)page << 16) | addr;
    return ((uint64_t)(page & 0xFE) << 16) | ((uint64_t)addr << 1);
}

/* End of process on channel (c, i): TC status, software request and block
 * state cleared, then auto-init reload or self-mask. `why`: 1 TC, 2 EOP. */
static void end_of_process(sysdma_emu_i8237 *e, unsigned c, unsigned i,
                           uint32_t why)
{
    sysdma_emu_i8237_ctrl *k = &e->s.ctrl[c];
    sysdma_emu_i8237_chan *ch = &k->ch[i];
    unsigned n = 4 * c + i;
    uint8_t bit = (uint8_t)(1u << i);
    k->tc |= bit;
    k->request &= (uint8_t)~bit;
    k->active &= (uint8_t)~bit;
    e->s.eop &= (uint8_t)~(1u << n);
    if (ch->mode & SYSDMA_EMU_MODE_AUTOINIT) {
        ch->cur_addr = ch->base_addr;
        ch->cur_count = ch->base_count;
    } else {
        set_mask(e, c, (uint8_t)(k->mask | bit));
    }
    if (e->lint.fn)
        sysdma__i8237_lint_tc(e, n, why);
    e->stats.tc[n]++;
    emit(e, SYSDMA_EMU_EV_TC, n, why);
    if (e->tc_hook)
        e->tc_hook(e->tc_hook_ctx, n);
    if (e->dev[n].terminal_count)
        e->dev[n].terminal_count(e->dev[n].ctx, n);
}

/* For memory-to-memory (i8237_m2m.c) and the lint. */
uint64_t sysdma__i8237_phys_of(const sysdma_emu_i8237 *e, unsigned c, unsigned i, uint16_t addr)
{
    return phys_of(e, c, i, addr);
}

void sysdma__i8237_end_of_process(sysdma_emu_i8237 *e, unsigned c, unsigned i, uint32_t why)
{
    end_of_process(e, c, i, why);
}

void sysdma_emu_i8237_eop(sysdma_emu_i8237 *e, unsigned channel)
{
    if (channel >= 8 || channel == 4)
        return;
    e->s.eop |= (uint8_t)(1u << channel);
    if (e->in_service != channel + 1)
        end_of_process(e, channel >> 2, channel & 3u, 2);
}

/* Stand-in for a channel with no device attached: nobody takes part. */
static size_t no_device(void *ctx, unsigned channel, sysdma_emu_xfer kind,
                        uint8_t *buf, size_t units)
{
    (void)ctx, (void)channel, (void)kind, (void)buf, (void)units;
    return SYSDMA_EMU_XFER_ABSENT;
}

/* Service channel (c, i) for at most `budget` units; returns units moved
 * (for cascade, bus cycles used). 0 means the device moved nothing. */
static size_t service(sysdma_emu_i8237 *e, unsigned c, unsigned i, size_t budget)
{
    sysdma_emu_i8237_ctrl *k = &e->s.ctrl[c];
    sysdma_emu_i8237_chan *ch = &k->ch[i];
    unsigned n = 4 * c + i;
    uint8_t mode = ch->mode;
    uint8_t xfer = mode & SYSDMA_EMU_MODE_XFER_MASK;
    uint8_t bit = (uint8_t)(1u << i);
    const sysdma_emu_dma_device *dev = &e->dev[n];
    size_t (*fn)(void *, unsigned, sysdma_emu_xfer, uint8_t *, size_t) =
        dev->transfer ? dev->transfer : no_device;

    if ((k->command & SYSDMA_EMU_CMD_MEM2MEM) && i == 0)
        return sysdma__i8237_mem_to_mem(e, c, budget);

    if (xfer == SYSDMA_EMU_MODE_CASCADE) {
        e->in_service = (uint8_t)(n + 1);
        size_t used = dev->transfer
                          ? dev->transfer(dev->ctx, n, SYSDMA_EMU_XFER_CASCADE, NULL, budget)
                          : 0;
        e->in_service = 0;
        if (used == SYSDMA_EMU_XFER_ABSENT)
            used = 0;
        if (used > budget)
            used = budget;
        e->stats.services[n]++;
        e->stats.units[n] += used;
        emit(e, SYSDMA_EMU_EV_DACK, n, (uint32_t)used);
        return used;
    }

    if (xfer == SYSDMA_EMU_MODE_BLOCK)
        k->active |= bit; /* runs to TC from now on, whatever DREQ does */

    unsigned width = c ? 2u : 1u;
    bool down = (mode & SYSDMA_EMU_MODE_DECREMENT) != 0;
    uint32_t left = (uint32_t)ch->cur_count + 1;
    size_t units = 1;
    if (xfer != SYSDMA_EMU_MODE_SINGLE && !down) {
        uint32_t to_wrap = 0x10000u - ch->cur_addr;
        units = left < to_wrap ? left : to_wrap;
        if (units > budget)
            units = budget;
    }
    uint8_t type = mode & SYSDMA_EMU_MODE_TYPE_MASK;
    sysdma_emu_xfer kind = type == SYSDMA_EMU_MODE_WRITE  ? SYSDMA_EMU_XFER_WRITE
                           : type == SYSDMA_EMU_MODE_READ ? SYSDMA_EMU_XFER_READ
                                                          : SYSDMA_EMU_XFER_VERIFY;
    uint64_t phys = phys_of(e, c, i, ch->cur_addr);
    uint8_t *buf = NULL;
    bool bounce = false;
    if (kind != SYSDMA_EMU_XFER_VERIFY) {
        buf = sysdma_emu_physmem_span(e->mem, phys, units * width);
        if (!buf) {
            /* Leaves RAM: go through scratch with bounded copies. */
            size_t cap = sizeof e->scratch / width;
            if (units > cap)
                units = cap;
            buf = e->scratch;
            bounce = true;
            if (kind == SYSDMA_EMU_XFER_READ)
                sysdma_emu_physmem_read(e->mem, phys, buf, units * width);
        }
    }

    uint32_t gen = e->gen;
    e->in_service = (uint8_t)(n + 1);
    size_t moved = fn(dev->ctx, n, kind, buf, units);
    e->in_service = 0;
    if (moved == SYSDMA_EMU_XFER_ABSENT) {
        /* Not the device's transfer: the cycles run without it. */
        moved = units;
        if (kind == SYSDMA_EMU_XFER_WRITE)
            memset(buf, 0xFF, units * width);
    } else if (moved > units) {
        moved = units;
    }
    e->stats.services[n]++;
    if (bounce && kind == SYSDMA_EMU_XFER_WRITE && moved)
        sysdma_emu_physmem_write(e->mem, phys, buf, moved * width);
    if (e->gen != gen) {
        /* The device reprogrammed the controller from inside its callback:
         * what the CPU wrote stands; address and count are not advanced. */
        if (e->s.eop & (1u << n))
            end_of_process(e, c, i, 2);
        e->stats.units[n] += moved;
        return moved ? moved : 1;
    }
    if (moved) {
        uint16_t m = (uint16_t)moved; /* moved <= 65536; 65536 wraps to 0 */
        ch->cur_addr = down ? (uint16_t)(ch->cur_addr - m) : (uint16_t)(ch->cur_addr + m);
        ch->cur_count = (uint16_t)(ch->cur_count - m);
        e->stats.units[n] += moved;
        emit(e, SYSDMA_EMU_EV_DACK, n, (uint32_t)moved);
    }
    if (moved == left)
        end_of_process(e, c, i, 1);
    else if (e->s.eop & (1u << n))
        end_of_process(e, c, i, 2);
    return moved;
}

/*
 * Single-mode units on channel (c, i) for as long as arbitration would keep
 * choosing it: the caller has checked that priority is fixed or the channel
 * is the only requester, so the winner can change only when a DREQ line, a
 * register (gen) or the count (TC) changes, and this loop stops at each of
 * those. It is service() for one unit at a time with the per-unit work cut
 * to what can change between units; every unit is still one callback.
 * Returns units moved; *stalled is set when the device moved nothing.
 */
static size_t single_burst(sysdma_emu_i8237 *e, unsigned c, unsigned i,
                           size_t budget, bool *stalled)
{
    sysdma_emu_i8237_ctrl *k = &e->s.ctrl[c];
    sysdma_emu_i8237_chan *ch = &k->ch[i];
    unsigned n = 4 * c + i;
    const sysdma_emu_dma_device *dev = &e->dev[n];
    uint8_t type = ch->mode & SYSDMA_EMU_MODE_TYPE_MASK;
    *stalled = false;
    if (!dev->transfer || (k->command & SYSDMA_EMU_CMD_MEM2MEM) ||
        (ch->mode & SYSDMA_EMU_MODE_DECREMENT) || type == SYSDMA_EMU_MODE_VERIFY ||
        type == (SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_WRITE))
        return 0; /* the general path handles these */
    sysdma_emu_xfer kind = type == SYSDMA_EMU_MODE_WRITE ? SYSDMA_EMU_XFER_WRITE
                                                         : SYSDMA_EMU_XFER_READ;
    unsigned width = c ? 2u : 1u;
    uint64_t page = phys_of(e, c, i, 0);
    uint8_t *ram = e->mem->ram;
    uint64_t size = e->mem->size;
    uint32_t gen = e->gen;
    uint8_t dreq = e->s.dreq;
    size_t done = 0;
    bool stop = false;
    e->in_service = (uint8_t)(n + 1);
    while (!stop && done < budget) {
        /* The units that stay contiguous in RAM before the count ends or
         * the address wraps; the loop below needs no per-unit checks of
         * those. An event hook wants every unit reported: one at a time. */
        uint64_t phys = page | ((uint64_t)ch->cur_addr * width);
        if (phys + width > size)
            break; /* leaves RAM: the general path bounces it */
        size_t span = budget - done;
        uint32_t left = (uint32_t)ch->cur_count + 1u;
        uint32_t to_wrap = 0x10000u - ch->cur_addr;
        uint64_t in_ram = (size - phys) / width;
        if (span > left)
            span = left;
        if (span > to_wrap)
            span = to_wrap;
        if (span > in_ram)
            span = (size_t)in_ram;
        if (e->event) {
            span = 1;
            stop = true;
        }
        uint8_t *p = ram + phys;
        size_t u = 0;
        for (; u < span; u++, p += width) {
            size_t moved = dev->transfer(dev->ctx, n, kind, p, 1);
            if (moved == SYSDMA_EMU_XFER_ABSENT) {
                moved = 1; /* the cycle runs without the device */
                if (kind == SYSDMA_EMU_XFER_WRITE)
                    memset(p, 0xFF, width);
            }
            if (e->gen != gen) {
                /* Reprogrammed from inside the callback: what the CPU
                 * wrote stands; the unit counts but nothing advances. */
                e->in_service = 0;
                done += moved ? 1 : 0;
                e->stats.services[n] += done;
                e->stats.units[n] += done;
                return done;
            }
            if (!moved) {
                *stalled = true;
                stop = true;
                break;
            }
            if ((e->s.dreq != dreq) | (e->s.eop != 0)) {
                u++; /* a request line changed or EOP: re-arbitrate */
                stop = true;
                break;
            }
        }
        ch->cur_addr = (uint16_t)(ch->cur_addr + u);
        ch->cur_count = (uint16_t)(ch->cur_count - u);
        done += u;
        if (u == left)
            stop = true; /* terminal count */
    }
    e->in_service = 0;
    e->stats.services[n] += done;
    e->stats.units[n] += done;
    if (done) {
        emit(e, SYSDMA_EMU_EV_DACK, n, 1);
        if (ch->cur_count == 0xFFFF)
            end_of_process(e, c, i, 1);
        else if (e->s.eop & (1u << n))
            end_of_process(e, c, i, 2);
    }
    return done;
}

/* True while channel (c, i) still wants the bus (own request, unmasked,
 * controller enabled, and for DMA1 the cascade path open). */
static bool still_wanting(const sysdma_emu_i8237 *e, unsigned c, unsigned i)
{
    if (!(wanting(e, c) & (1u << i)))
        return false;
    return c == 1 || (wanting(e, 1) & 1u);
}

/*
 * The service loop. After each service the bus is re-arbitrated, except
 * that the same channel goes on without a new arbitration when nothing that
 * arbitration looks at can have changed: a demand, block or cascade channel
 * keeps the bus while it still requests (the 8237A does not let others in
 * until its request drops or it reaches TC); a single-mode channel is served
 * again when no line, register or TC changed and arbitration is stable
 * (see arbitrate()), which is exactly what arbitration would decide.
 */
size_t sysdma_emu_i8237_run(sysdma_emu_i8237 *e, size_t budget)
{
    size_t done = 0;
    if (e->lint.fn)
        sysdma__i8237_lint_run(e, budget);
    while (done < budget) {
        bool stable;
        int n = arbitrate(e, &stable);
        if (n < 0)
            break;
        unsigned c = (unsigned)n >> 2, i = (unsigned)n & 3u;
        sysdma_emu_i8237_ctrl *k = &e->s.ctrl[c];
        for (;;) {
            uint8_t xfer = k->ch[i].mode & SYSDMA_EMU_MODE_XFER_MASK;
            if (xfer == SYSDMA_EMU_MODE_SINGLE && stable) {
                bool stalled;
                size_t burst = single_burst(e, c, i, budget - done, &stalled);
                if (burst || stalled) {
                    k->lowest = (uint8_t)i;
                    if (c == 0)
                        e->s.ctrl[1].lowest = 0;
                    done += burst;
                    if (stalled && !burst) {
                        e->stats.stalls++;
                        return done;
                    }
                    break;
                }
            }
            uint64_t tcs = e->stats.tc[n];
            uint32_t gen = e->gen;
            uint8_t dreq = e->s.dreq;
            size_t moved = service(e, c, i, budget - done);
            /* The served channel drops to lowest priority (rotating mode);
             * on DMA2 a DMA1 service counts as channel 4's. */
            k->lowest = (uint8_t)i;
            if (c == 0)
                e->s.ctrl[1].lowest = 0;
            if (moved == 0) {
                e->stats.stalls++;
                return done;
            }
            done += moved;
            if (done >= budget || e->stats.tc[n] != tcs || e->gen != gen)
                break;
            if (xfer == SYSDMA_EMU_MODE_SINGLE) {
                if (e->s.dreq != dreq || !stable)
                    break;
            } else if ((k->command & SYSDMA_EMU_CMD_MEM2MEM) && i == 0) {
                break;
            } else if (!still_wanting(e, c, i)) {
                break;
            }
        }
    }
    return done;
}

/* ---- Inspection and snapshots ---------------------------------------------- */

bool sysdma_emu_i8237_channel_info(const sysdma_emu_i8237 *e, unsigned channel,
                                   sysdma_emu_i8237_chan_info *info)
{
    if (channel >= 8)
        return false;
    unsigned c = channel >> 2, i = channel & 3u;
    const sysdma_emu_i8237_ctrl *k = &e->s.ctrl[c];
    const sysdma_emu_i8237_chan *ch = &k->ch[i];
    memset(info, 0, sizeof *info);
    info->phys = phys_of(e, c, i, ch->cur_addr);
    info->units_left = (uint32_t)ch->cur_count + 1;
    info->cur_addr = ch->cur_addr;
    info->cur_count = ch->cur_count;
    info->base_addr = ch->base_addr;
    info->base_count = ch->base_count;
    info->mode = ch->mode;
    info->page = e->s.page[page_port_of[channel] - 0x80];
    info->masked = (k->mask >> i) & 1u;
    info->tc = (k->tc >> i) & 1u;
    info->dreq = (e->s.dreq >> channel) & 1u;
    info->sw_request = (k->request >> i) & 1u;
    info->width = c ? 2u : 1u;
    return true;
}

void sysdma_emu_i8237_save(const sysdma_emu_i8237 *e, sysdma_emu_i8237_state *out)
{
    *out = e->s;
}

bool sysdma_emu_i8237_restore(sysdma_emu_i8237 *e, const sysdma_emu_i8237_state *in)
{
    if (in->version != SYSDMA_EMU_I8237_STATE_VERSION)
        return false;
    for (unsigned c = 0; c < 2; c++) {
        const sysdma_emu_i8237_ctrl *k = &in->ctrl[c];
        if ((k->tc | k->request | k->mask | k->active) & 0xF0)
            return false;
        if (k->flipflop > 1 || k->lowest > 3)
            return false;
        if (c == 1 && ((k->tc | k->request | k->active) & 1u))
            return false; /* channel 4 is the cascade: never a transfer of its own */
        for (unsigned i = 0; i < 4; i++)
            if (k->ch[i].mode & 0x03)
                return false;
    }
    if (in->eop & 0x10)
        return false;
    e->s = *in;
    e->gen++;
    return true;
}
