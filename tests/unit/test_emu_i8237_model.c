/* SPDX-License-Identifier: MIT */
/*
 * Differential test of the emulated 8237A pair against a reference model.
 *
 * The emulator takes shortcuts for speed: spans instead of units, a
 * single-mode burst loop that skips arbitration when nothing changed. The
 * reference model here takes none: it moves one unit at a time, arbitrating
 * before every unit (a demand, block or cascade channel keeping the bus
 * while it still requests). Both run the same randomly generated programs
 * with the same deterministic devices; afterwards RAM, every register, and
 * the stream each device saw must be identical. The seed is printed so a
 * failure can be replayed (SYSDMA_SEED=n, with SYSDMA_TRACE=1 to print
 * every device callback and the priority state after each run slice).
 *
 * The programs include what the data sheet defines byte by byte: single
 * bytes written to an address or count register after a transfer (base and
 * current each take the byte and keep their other one), and software
 * requests on block-mode channels whose device has no data and answers
 * SYSDMA_EMU_XFER_ABSENT (the cycles run anyway: 0xFF into memory, reads
 * discarded), next to devices that answer 0 (not ready: the run stops).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu.h"

#define RAM_SIZE (256u * 1024u + 1000u) /* odd size: some spans leave RAM */

/* ---- deterministic devices -------------------------------------------------- */

/* A device with `ready` bytes to exchange; gives byte f(pos), records what
 * it receives, drops DREQ when it has no more. Span size never changes what
 * it does, so the emulator and the model must see the same stream. */
typedef struct tdev {
    uint32_t pos;          /* bytes exchanged */
    uint32_t ready;        /* bytes it will exchange before dropping DREQ */
    uint32_t seed;
    uint32_t hash;         /* of everything it received, in order */
    uint32_t tcs;
    uint32_t cascade_cycles;
    int absent;            /* with no data left: answer ABSENT, not 0 */
    void (*dreq)(void *sys, unsigned ch, int level);
    void *sys;
} tdev;

static uint8_t gen_byte(const tdev *d, uint32_t k)
{
    return (uint8_t)((k * 2654435761u + d->seed) >> 13);
}

static int trace;

static size_t tdev_xfer(tdev *d, unsigned ch, sysdma_emu_xfer kind, uint8_t *buf, size_t units)
{
    if (trace)
        fprintf(stderr, "  ch%u kind%d units %zu pos %u ready %u\n", ch, (int)kind, units,
                d->pos, d->ready);
    unsigned w = ch >= 4 ? 2u : 1u;
    if (kind == SYSDMA_EMU_XFER_CASCADE) {
        uint32_t left = d->ready > d->cascade_cycles ? d->ready - d->cascade_cycles : 0;
        size_t use = units < 7 ? units : 7;
        if (use > left)
            use = left;
        d->cascade_cycles += (uint32_t)use;
        if (d->cascade_cycles >= d->ready)
            d->dreq(d->sys, ch, 0);
        return use;
    }
    uint32_t avail = (d->ready - d->pos) / w;
    if (!avail && d->absent)
        return SYSDMA_EMU_XFER_ABSENT;
    size_t n = units < avail ? units : avail;
    for (size_t k = 0; k < n * w; k++) {
        if (kind == SYSDMA_EMU_XFER_WRITE)
            buf[k] = gen_byte(d, d->pos + (uint32_t)k);
        else if (kind == SYSDMA_EMU_XFER_READ)
            d->hash = (d->hash ^ buf[k]) * 16777619u;
        else
            d->hash = (d->hash ^ 0x5Au) * 16777619u;
    }
    d->pos += (uint32_t)(n * w);
    if (d->ready - d->pos < w)
        d->dreq(d->sys, ch, 0);
    return n;
}

static void tdev_tc(tdev *d)
{
    d->tcs++;
}

/* ---- the reference model ---------------------------------------------------- */

typedef struct model {
    sysdma_emu_i8237_state s;
    uint8_t *ram;
    tdev dev[8];
    int holder; /* channel holding the bus (demand/block/cascade), or -1 */
} model;

static void model_dreq(void *sys, unsigned ch, int level)
{
    model *m = sys;
    if (level)
        m->s.dreq |= (uint8_t)(1u << ch);
    else
        m->s.dreq &= (uint8_t)~(1u << ch);
}

static const uint8_t page_of[8] = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};

static unsigned model_wanting(const model *m, unsigned c)
{
    const sysdma_emu_i8237_ctrl *k = &m->s.ctrl[c];
    if (k->command & SYSDMA_EMU_CMD_DISABLE)
        return 0;
    unsigned hw = (m->s.dreq >> (4 * c)) & 0xF;
    unsigned want = (hw | k->active) & ~(unsigned)k->mask;
    for (unsigned i = 0; i < 4; i++)
        if ((k->request >> i) & 1u &&
            (k->ch[i].mode & SYSDMA_EMU_MODE_XFER_MASK) == SYSDMA_EMU_MODE_BLOCK)
            want |= 1u << i;
    if (c == 1) {
        want &= ~1u;
        if ((k->ch[0].mode & SYSDMA_EMU_MODE_XFER_MASK) == SYSDMA_EMU_MODE_CASCADE &&
            !(k->mask & 1) && model_wanting(m, 0))
            want |= 1;
    }
    return want & 0xF;
}

static unsigned model_pick(const sysdma_emu_i8237_ctrl *k, unsigned want)
{
    unsigned start = (k->command & SYSDMA_EMU_CMD_ROTATING) ? (k->lowest + 1u) & 3u : 0;
    for (unsigned n = 0; n < 4; n++)
        if (want & (1u << ((start + n) & 3u)))
            return (start + n) & 3u;
    return 0;
}

static int model_arbitrate(const model *m)
{
    unsigned w2 = model_wanting(m, 1);
    if (!w2)
        return -1;
    unsigned i = model_pick(&m->s.ctrl[1], w2);
    if (i)
        return (int)(4 + i);
    return (int)model_pick(&m->s.ctrl[0], model_wanting(m, 0));
}

static int model_still(const model *m, unsigned n)
{
    unsigned c = n >> 2, i = n & 3;
    if (!(model_wanting(m, c) & (1u << i)))
        return 0;
    return c == 1 || (model_wanting(m, 1) & 1);
}

static void model_eop(model *m, unsigned n)
{
    unsigned c = n >> 2, i = n & 3;
    sysdma_emu_i8237_ctrl *k = &m->s.ctrl[c];
    k->tc |= (uint8_t)(1u << i);
    k->request &= (uint8_t)~(1u << i);
    k->active &= (uint8_t)~(1u << i);
    if (k->ch[i].mode & SYSDMA_EMU_MODE_AUTOINIT) {
        k->ch[i].cur_addr = k->ch[i].base_addr;
        k->ch[i].cur_count = k->ch[i].base_count;
    } else {
        k->mask |= (uint8_t)(1u << i);
    }
    tdev_tc(&m->dev[n]);
}

/* Move one unit on channel n; returns 0 if the device gave nothing. */
static size_t model_unit(model *m, unsigned n)
{
    unsigned c = n >> 2, i = n & 3;
    sysdma_emu_i8237_ctrl *k = &m->s.ctrl[c];
    sysdma_emu_i8237_chan *ch = &k->ch[i];
    uint8_t xfer = ch->mode & SYSDMA_EMU_MODE_XFER_MASK;
    if (xfer == SYSDMA_EMU_MODE_CASCADE)
        return tdev_xfer(&m->dev[n], n, SYSDMA_EMU_XFER_CASCADE, NULL, 1);
    if (xfer == SYSDMA_EMU_MODE_BLOCK)
        k->active |= (uint8_t)(1u << i);
    unsigned w = c ? 2u : 1u;
    uint8_t page = m->s.page[page_of[n] - 0x80];
    uint64_t phys = c ? ((uint64_t)(page & 0xFE) << 16) | ((uint64_t)ch->cur_addr << 1)
                      : ((uint64_t)page << 16) | ch->cur_addr;
    uint8_t type = ch->mode & SYSDMA_EMU_MODE_TYPE_MASK;
    sysdma_emu_xfer kind = type == SYSDMA_EMU_MODE_WRITE  ? SYSDMA_EMU_XFER_WRITE
                           : type == SYSDMA_EMU_MODE_READ ? SYSDMA_EMU_XFER_READ
                                                          : SYSDMA_EMU_XFER_VERIFY;
    uint8_t unit[2];
    for (unsigned b = 0; b < w; b++)
        unit[b] = phys + b < RAM_SIZE ? m->ram[phys + b] : 0xFF;
    size_t moved = tdev_xfer(&m->dev[n], n, kind, kind == SYSDMA_EMU_XFER_VERIFY ? NULL : unit, 1);
    if (moved == SYSDMA_EMU_XFER_ABSENT) {
        unit[0] = unit[1] = 0xFF; /* nobody drives the bus */
        moved = 1;
    }
    if (!moved)
        return 0;
    if (kind == SYSDMA_EMU_XFER_WRITE)
        for (unsigned b = 0; b < w; b++)
            if (phys + b < RAM_SIZE)
                m->ram[phys + b] = unit[b];
    ch->cur_addr = (ch->mode & SYSDMA_EMU_MODE_DECREMENT) ? (uint16_t)(ch->cur_addr - 1)
                                                          : (uint16_t)(ch->cur_addr + 1);
    if (ch->cur_count-- == 0)
        model_eop(m, n);
    return 1;
}

static size_t model_run(model *m, size_t budget)
{
    size_t done = 0;
    while (done < budget) {
        int n = m->holder >= 0 && model_still(m, (unsigned)m->holder) ? m->holder
                                                                       : model_arbitrate(m);
        m->holder = -1;
        if (n < 0)
            break;
        unsigned c = (unsigned)n >> 2, i = (unsigned)n & 3;
        uint32_t tcs = m->dev[n].tcs;
        size_t moved = model_unit(m, (unsigned)n);
        m->s.ctrl[c].lowest = (uint8_t)i;
        if (c == 0)
            m->s.ctrl[1].lowest = 0;
        if (!moved)
            break;
        done += moved;
        uint8_t xfer = m->s.ctrl[c].ch[i].mode & SYSDMA_EMU_MODE_XFER_MASK;
        if (xfer != SYSDMA_EMU_MODE_SINGLE && m->dev[n].tcs == tcs)
            m->holder = n;
    }
    return done;
}

/* ---- the emulator side -------------------------------------------------------- */

typedef struct rig {
    sysdma_emu_i8237 e;
    sysdma_emu_physmem mem;
    uint8_t *ram;
    tdev dev[8];
} rig;

static void rig_dreq(void *sys, unsigned ch, int level)
{
    sysdma_emu_i8237_dreq(sys, ch, level != 0);
}

static size_t rig_xfer(void *ctx, unsigned ch, sysdma_emu_xfer kind, uint8_t *buf, size_t units)
{
    return tdev_xfer(ctx, ch, kind, buf, units);
}

static void rig_tc(void *ctx, unsigned ch)
{
    (void)ch;
    tdev_tc(ctx);
}

/* ---- random programs ---------------------------------------------------------- */

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

/* Apply one random port write to both (the model through the emulator's own
 * decode would prove nothing, so the model state is written by hand from
 * the emulator's state only for registers the test treats as inputs). */
static void program_channel(rig *r, model *m, unsigned n)
{
    static const uint8_t xfers[] = {SYSDMA_EMU_MODE_SINGLE, SYSDMA_EMU_MODE_DEMAND,
                                    SYSDMA_EMU_MODE_BLOCK, SYSDMA_EMU_MODE_SINGLE};
    unsigned c = n >> 2, i = n & 3;
    uint8_t mode = (uint8_t)(xfers[rnd(4)] | (rnd(3) == 0 ? SYSDMA_EMU_MODE_VERIFY
                                             : rnd(2) ? SYSDMA_EMU_MODE_WRITE
                                                      : SYSDMA_EMU_MODE_READ));
    if (rnd(4) == 0)
        mode |= SYSDMA_EMU_MODE_AUTOINIT;
    if (rnd(6) == 0)
        mode |= SYSDMA_EMU_MODE_DECREMENT;
    if (n < 4 && n != 0 && rnd(12) == 0)
        mode = SYSDMA_EMU_MODE_CASCADE;
    uint16_t addr = (uint16_t)(rnd(4) == 0 ? 0xFFFF - rnd(64) : rnd(0x10000));
    uint16_t count = (uint16_t)(rnd(8) == 0 ? rnd(3000) : rnd(300));
    uint8_t page = (uint8_t)rnd(5); /* 0..4 → up to 320 KiB: beyond RAM sometimes */
    uint16_t base = c ? 0xC0 : 0;
    unsigned st = c ? 2 : 1;
    uint16_t ports[] = {(uint16_t)(base + 0xA * st), (uint16_t)(base + 0xC * st),
                        (uint16_t)(base + 0xB * st), (uint16_t)(base + 2 * i * st),
                        (uint16_t)(base + 2 * i * st), sysdma_emu_i8237_page_port(n),
                        (uint16_t)(base + (2 * i + 1) * st), (uint16_t)(base + (2 * i + 1) * st),
                        (uint16_t)(base + 0xA * st)};
    uint8_t vals[] = {(uint8_t)(4 | i), 0, (uint8_t)(mode | i), (uint8_t)addr,
                      (uint8_t)(addr >> 8), page, (uint8_t)count, (uint8_t)(count >> 8),
                      (uint8_t)i};
    for (unsigned k = 0; k < 9; k++)
        sysdma_emu_i8237_outb(&r->e, ports[k], vals[k]);
    /* The model takes the same register values. */
    sysdma_emu_i8237_chan *mc = &m->s.ctrl[c].ch[i];
    mc->mode = mode;
    mc->base_addr = mc->cur_addr = addr;
    mc->base_count = mc->cur_count = count;
    m->s.page[sysdma_emu_i8237_page_port(n) - 0x80] = page;
    /* Masking a channel abandons a block transfer it had under way. */
    m->s.ctrl[c].active &= (uint8_t)~(1u << i);
    m->s.ctrl[c].mask &= (uint8_t)~(1u << i);
    m->s.ctrl[c].flipflop = 0;
}

/* Write one byte (low or high) of channel n's address or count register
 * after whatever transfers happened, masked, then unmask. The high byte is
 * reached by reading the low one first (the read moves the byte pointer).
 * The model applies the data sheet's rule itself: base and current each
 * take the byte and keep their other byte. */
static void partial_write(rig *r, model *m, unsigned n)
{
    unsigned c = n >> 2, i = n & 3;
    unsigned which = rnd(2), high = rnd(2);
    uint8_t v = (uint8_t)rnd(256);
    uint16_t base = c ? 0xC0 : 0;
    unsigned st = c ? 2 : 1;
    uint16_t reg = (uint16_t)(base + (2 * i + which) * st);
    sysdma_emu_i8237_outb(&r->e, (uint16_t)(base + 0xA * st), (uint8_t)(4 | i));
    sysdma_emu_i8237_outb(&r->e, (uint16_t)(base + 0xC * st), 0);
    if (high)
        (void)sysdma_emu_i8237_inb(&r->e, reg);
    sysdma_emu_i8237_outb(&r->e, reg, v);
    sysdma_emu_i8237_outb(&r->e, (uint16_t)(base + 0xA * st), (uint8_t)i);
    sysdma_emu_i8237_chan *mc = &m->s.ctrl[c].ch[i];
    uint16_t *mb = which ? &mc->base_count : &mc->base_addr;
    uint16_t *cur = which ? &mc->cur_count : &mc->cur_addr;
    uint16_t keep = high ? 0x00FF : 0xFF00, byte = high ? (uint16_t)(v << 8) : v;
    *mb = (uint16_t)((*mb & keep) | byte);
    *cur = (uint16_t)((*cur & keep) | byte);
    m->s.ctrl[c].active &= (uint8_t)~(1u << i);
    m->s.ctrl[c].mask &= (uint8_t)~(1u << i);
    m->s.ctrl[c].flipflop = high ? 0 : 1;
}

/* A software request (request register) for channel n, in both. */
static void sw_request(rig *r, model *m, unsigned n)
{
    unsigned c = n >> 2, i = n & 3;
    sysdma_emu_i8237_outb(&r->e, c ? 0xD2 : 0x09, (uint8_t)(4 | i));
    m->s.ctrl[c].request |= (uint8_t)(1u << i);
}

static void lint_ignore(void *ctx, const sysdma_emu_lint_report *r)
{
    (void)ctx;
    (void)r;
}

static void one_case(uint64_t seed)
{
    rig *r = calloc(1, sizeof *r);
    model *m = calloc(1, sizeof *m);
    assert_non_null(r);
    assert_non_null(m);
    r->ram = malloc(RAM_SIZE);
    m->ram = malloc(RAM_SIZE);
    assert_non_null(r->ram);
    assert_non_null(m->ram);
    rng = seed * 0x9E3779B97F4A7C15ull + 1;
    for (uint32_t k = 0; k < RAM_SIZE; k++)
        r->ram[k] = m->ram[k] = (uint8_t)(k * 31u + (uint32_t)seed);
    sysdma_emu_physmem_init(&r->mem, r->ram, RAM_SIZE);
    sysdma_emu_i8237_init(&r->e, &r->mem, true);
    sysdma_emu_i8237_save(&r->e, &m->s);
    m->holder = -1;
    if (seed & 1) /* the hardware lint only looks: odd seeds run with it on */
        sysdma_emu_i8237_set_lint(&r->e, lint_ignore, NULL);

    uint8_t cmd1 = rnd(2) ? SYSDMA_EMU_CMD_ROTATING : 0;
    uint8_t cmd2 = rnd(2) ? SYSDMA_EMU_CMD_ROTATING : 0;
    sysdma_emu_i8237_outb(&r->e, 0x08, cmd1);
    sysdma_emu_i8237_outb(&r->e, 0xD0, cmd2);
    m->s.ctrl[0].command = cmd1;
    m->s.ctrl[1].command = cmd2;

    for (unsigned n = 0; n < 8; n++) {
        if (n == 4)
            continue;
        uint32_t s = (uint32_t)rnd(1u << 30);
        r->dev[n].seed = m->dev[n].seed = s;
        r->dev[n].dreq = rig_dreq;
        r->dev[n].sys = &r->e;
        m->dev[n].dreq = model_dreq;
        m->dev[n].sys = m;
        r->dev[n].absent = m->dev[n].absent = (int)rnd(2);
        sysdma_emu_dma_device d = {rig_xfer, rig_tc, &r->dev[n]};
        sysdma_emu_i8237_attach(&r->e, n, &d);
    }

    unsigned rounds = 3 + rnd(6);
    uint8_t programmed = 0;
    for (unsigned round = 0; round < rounds; round++) {
        unsigned chans = 1 + rnd(4);
        for (unsigned k = 0; k < chans; k++) {
            static const unsigned pool[] = {0, 1, 2, 3, 5, 6, 7};
            unsigned n = pool[rnd(7)];
            if ((programmed >> n) & 1u && rnd(4) == 0)
                partial_write(r, m, n);
            else
                program_channel(r, m, n);
            programmed |= (uint8_t)(1u << n);
            if ((m->s.ctrl[n >> 2].ch[n & 3].mode & SYSDMA_EMU_MODE_XFER_MASK) ==
                    SYSDMA_EMU_MODE_BLOCK && rnd(3) == 0)
                sw_request(r, m, n);
            if (trace)
                fprintf(stderr, "program ch%u mode %02X addr %04X count %04X page %02X\n", n,
                        m->s.ctrl[n >> 2].ch[n & 3].mode, m->s.ctrl[n >> 2].ch[n & 3].cur_addr,
                        m->s.ctrl[n >> 2].ch[n & 3].cur_count,
                        m->s.page[sysdma_emu_i8237_page_port(n) - 0x80]);
            uint32_t ready = rnd(4) == 0 ? 1 + rnd(20) : rnd(5000);
            r->dev[n].ready = r->dev[n].pos + ready;
            m->dev[n].ready = m->dev[n].pos + ready;
            r->dev[n].cascade_cycles = m->dev[n].cascade_cycles = 0;
            sysdma_emu_i8237_dreq(&r->e, n, ready >= (n >= 4 ? 2u : 1u));
            model_dreq(m, n, ready >= (n >= 4 ? 2u : 1u));
        }
        /* Run both with the same budgets, in several slices. */
        for (unsigned slice = 0; slice < 4; slice++) {
            size_t budget = rnd(3) == 0 ? 1 + rnd(8) : rnd(20000);
            if (trace)
                fprintf(stderr, "round %u slice %u budget %zu: emulator\n", round, slice, budget);
            size_t a = sysdma_emu_i8237_run(&r->e, budget);
            if (trace)
                fprintf(stderr, "model\n");
            size_t b = model_run(m, budget);
            if (a != b)
                print_message("seed %llu round %u slice %u: emulator moved %zu, model %zu\n",
                              (unsigned long long)seed, round, slice, a, b);
            if (trace)
                fprintf(stderr, "lowest emu %u/%u model %u/%u cmd %02X/%02X\n", r->e.s.ctrl[0].lowest,
                        r->e.s.ctrl[1].lowest, m->s.ctrl[0].lowest, m->s.ctrl[1].lowest,
                        m->s.ctrl[0].command, m->s.ctrl[1].command);
            assert_int_equal(a, b);
            m->holder = -1; /* a run() call ends any hold */
        }
    }

    sysdma_emu_i8237_state es;
    sysdma_emu_i8237_save(&r->e, &es);
    for (unsigned c = 0; c < 2; c++) {
        for (unsigned i = 0; i < 4; i++) {
            assert_int_equal(es.ctrl[c].ch[i].cur_addr, m->s.ctrl[c].ch[i].cur_addr);
            assert_int_equal(es.ctrl[c].ch[i].cur_count, m->s.ctrl[c].ch[i].cur_count);
            assert_int_equal(es.ctrl[c].ch[i].base_addr, m->s.ctrl[c].ch[i].base_addr);
            assert_int_equal(es.ctrl[c].ch[i].base_count, m->s.ctrl[c].ch[i].base_count);
        }
        assert_int_equal(es.ctrl[c].mask, m->s.ctrl[c].mask);
        assert_int_equal(es.ctrl[c].tc, m->s.ctrl[c].tc);
        assert_int_equal(es.ctrl[c].active, m->s.ctrl[c].active);
        assert_int_equal(es.ctrl[c].request, m->s.ctrl[c].request);
    }
    assert_int_equal(es.dreq, m->s.dreq);
    for (unsigned n = 0; n < 8; n++) {
        assert_int_equal(r->dev[n].pos, m->dev[n].pos);
        assert_int_equal(r->dev[n].hash, m->dev[n].hash);
        assert_int_equal(r->dev[n].tcs, m->dev[n].tcs);
    }
    assert_memory_equal(r->ram, m->ram, RAM_SIZE);
    free(r->ram);
    free(m->ram);
    free(r);
    free(m);
}

static void test_emulator_matches_unit_model(void **state)
{
    (void)state;
    const char *env = getenv("SYSDMA_SEED");
    uint64_t first = env ? strtoull(env, NULL, 0) : 1;
    unsigned cases = env ? 1 : 1000;
    trace = getenv("SYSDMA_TRACE") != NULL;
    print_message("differential 8237 model: seeds %llu..%llu\n", (unsigned long long)first,
                  (unsigned long long)(first + cases - 1));
    for (unsigned k = 0; k < cases; k++)
        one_case(first + k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_emulator_matches_unit_model)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
