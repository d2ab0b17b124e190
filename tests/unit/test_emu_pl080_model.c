/* SPDX-License-Identifier: MIT */
/*
 * Differential test of the emulated PL080 against a reference model.
 *
 * The emulator takes shortcuts for speed: a service in RAM is one memmove,
 * a memory-to-memory channel takes all the bursts its budget allows in one
 * memcpy. The reference model here takes none: it re-arbitrates before
 * every burst or single transfer and moves every byte by itself, unit by
 * unit, through its own decoding of the registers. Both run the same
 * randomly generated programs — scattered and circular linked lists,
 * every flow type, widths, bursts, fixed addresses, endianness, addresses
 * off the bus — interleaved with request-line changes, software requests,
 * halts, disables and interrupt clears; after every step every register
 * must read the same, and at the end RAM and what each device saw must be
 * identical. The seed is printed so a failure can be replayed
 * (SYSDMA_SEED=n).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu_pl080.h"

#define RAM_BASE 0x10000000u
#define RAM_SIZE (64u * 1024u + 12u) /* odd end: some bursts leave RAM */
#define DEV_ADDR 0x20000000u          /* read/write device, 64 bytes */
#define WO_ADDR 0x20001000u           /* write-only device, 16 bytes */

/* ---- deterministic devices --------------------------------------------------- */

typedef struct tdev {
    uint32_t pos;   /* bytes read from it */
    uint32_t hash;  /* of (offset, byte) written, in order */
    uint32_t resp;  /* hash of (line, tc) responses */
} tdev;

static bool tdev_read(void *ctx, uint32_t off, uint8_t *buf, size_t n)
{
    tdev *d = ctx;
    for (size_t k = 0; k < n; k++, d->pos++)
        buf[k] = (uint8_t)((d->pos * 2654435761u + (off + (uint32_t)k) * 40503u) >> 11);
    return true;
}

static bool tdev_write(void *ctx, uint32_t off, const uint8_t *buf, size_t n)
{
    tdev *d = ctx;
    for (size_t k = 0; k < n; k++)
        d->hash = (d->hash ^ (buf[k] + 256u * (off + (uint32_t)k))) * 16777619u;
    return true;
}

static void tdev_resp(tdev *d, unsigned line, bool tc)
{
    d->resp = (d->resp ^ (line * 2u + tc)) * 16777619u;
}

/* ---- the reference model ----------------------------------------------------- */

typedef struct model {
    uint32_t src[8], dst[8], lli[8], ctl[8], cfg[8];
    uint8_t raw_tc, raw_err, conf;
    uint8_t fifo[8][4], fifo_n[8]; /* bytes read, not yet written */
    uint16_t sync, soft[4], hw[4];
    uint8_t *ram;
    tdev dev, wo, lines;
} model;

static unsigned m_width(unsigned code)
{
    return code == 0 ? 1 : code == 1 ? 2 : code == 2 ? 4 : 0;
}

static unsigned m_burst(unsigned code)
{
    return code == 0 ? 1 : 2u << (code + 0);
}

/* Where a bus byte range goes: 1 RAM, 2 device, 3 write-only device, 0 none. */
static int m_where(uint32_t a, uint32_t n)
{
    uint64_t end = (uint64_t)a + n;
    if (a >= RAM_BASE && end <= (uint64_t)RAM_BASE + RAM_SIZE)
        return 1;
    if (a >= DEV_ADDR && end <= DEV_ADDR + 64ull)
        return 2;
    if (a >= WO_ADDR && end <= WO_ADDR + 16ull)
        return 3;
    return 0;
}

static bool m_ok(uint32_t a, uint32_t n, bool write)
{
    int w = m_where(a, n);
    return w == 1 || w == 2 || (w == 3 && write);
}

static void m_read(model *m, uint32_t a, uint8_t *buf, uint32_t n)
{
    int w = m_where(a, n);
    if (w == 1)
        for (uint32_t k = 0; k < n; k++)
            buf[k] = m->ram[a - RAM_BASE + k];
    else
        tdev_read(&m->dev, a - DEV_ADDR, buf, n);
}

static void m_write(model *m, uint32_t a, const uint8_t *buf, uint32_t n)
{
    int w = m_where(a, n);
    if (w == 1)
        for (uint32_t k = 0; k < n; k++)
            m->ram[a - RAM_BASE + k] = buf[k];
    else if (w == 2)
        tdev_write(&m->dev, a - DEV_ADDR, buf, n);
    else
        tdev_write(&m->wo, a - WO_ADDR, buf, n);
}

static unsigned m_reqs(const model *m, unsigned line)
{
    unsigned r = 0;
    for (unsigned k = 0; k < 4; k++)
        r |= (((m->soft[k] | m->hw[k]) >> line) & 1u) << k;
    return r;
}

static bool m_src_per(unsigned f) { return f == 2 || f == 3 || f == 4 || f == 6 || f == 7; }
static bool m_dst_per(unsigned f) { return f == 1 || f == 3 || f == 4 || f == 5 || f == 7; }

static bool m_ready(const model *m, unsigned c)
{
    uint32_t cfg = m->cfg[c];
    if (!(m->conf & 1) || !(cfg & 1))
        return false;
    unsigned f = (cfg >> 11) & 7;
    if (cfg & (1u << 18)) {
        unsigned dw = m_width((m->ctl[c] >> 21) & 7);
        return dw && m->fifo_n[c] >= dw && (!m_dst_per(f) || m_reqs(m, (cfg >> 6) & 15));
    }
    if (m_src_per(f) && !m_reqs(m, (cfg >> 1) & 15))
        return false;
    if (m_dst_per(f) && !m_reqs(m, (cfg >> 6) & 15))
        return false;
    return true;
}

static void m_error(model *m, unsigned c)
{
    m->raw_err |= (uint8_t)(1u << c);
    m->cfg[c] &= ~1u;
    m->fifo_n[c] = 0;
}

static uint32_t m_word(const uint8_t *p, bool be)
{
    uint32_t v = 0;
    for (unsigned k = 0; k < 4; k++)
        v |= (uint32_t)p[be ? 3 - k : k] << (8 * k);
    return v;
}

static void m_reverse(uint8_t *b, uint32_t n, unsigned unit)
{
    for (uint32_t k = 0; k + unit <= n; k += unit)
        for (unsigned i = 0; i < unit / 2; i++) {
            uint8_t t = b[k + i];
            b[k + i] = b[k + unit - 1 - i];
            b[k + unit - 1 - i] = t;
        }
}

/* One burst or single transfer of channel c, byte by byte through a FIFO
 * buffer; returns its cost (the larger of bytes read and written, plus 16
 * for an item fetched) and adds the bytes written to *moved. */
static uint32_t m_service(model *m, unsigned c, size_t *moved)
{
    uint32_t ctl = m->ctl[c], cfg = m->cfg[c];
    unsigned f = (cfg >> 11) & 7, sl = (cfg >> 1) & 15, dl = (cfg >> 6) & 15;
    unsigned sw = m_width((ctl >> 18) & 7), dw = m_width((ctl >> 21) & 7);
    if (!sw || !dw) {
        m_error(m, c);
        return 0;
    }
    bool halted = cfg >> 18 & 1;
    bool dmac = f < 4, by_dst = f == 1 || f == 4 || f == 5;
    uint32_t want;
    unsigned last = 0;
    if (f == 0) {
        want = m_burst((ctl >> 12) & 7) * sw;
    } else {
        unsigned r = m_reqs(m, by_dst ? dl : sl);
        unsigned w = by_dst ? dw : sw, code = (ctl >> (by_dst ? 15 : 12)) & 7;
        if (r & 5) {
            want = m_burst(code) * w;
            last = r & 4;
        } else {
            want = w;
            last = r & 8;
        }
        if (dmac)
            last = 0;
    }
    uint32_t count = ctl & 0xFFF;
    /* The FIFO: bytes already read, then what this service reads. */
    uint8_t buf[1100];
    uint32_t have = m->fifo_n[c], got = have;
    memcpy(buf, m->fifo[c], have);
    uint32_t reads = 0; /* source units to read */
    bool done;
    uint32_t out;
    if (halted) {
        out = have - have % dw;
        if (by_dst && out > want)
            out = want;
        done = false;
    } else if (by_dst) {
        while (got + reads * sw < want && (!dmac || reads < count))
            reads++;
        out = got + reads * sw < want ? got + reads * sw : want;
        done = dmac ? reads == count && got + reads * sw == out : last != 0;
    } else {
        reads = want / sw;
        if (dmac && reads > count)
            reads = count;
        done = dmac ? reads == count : last != 0;
        out = done ? got + reads * sw : (got + reads * sw) / dw * dw;
    }
    bool si = ctl >> 26 & 1, di = ctl >> 27 & 1;
    bool sbe = m->conf >> ((ctl >> 24 & 1) ? 2 : 1) & 1;
    bool dbe = m->conf >> ((ctl >> 25 & 1) ? 2 : 1) & 1;
    uint32_t n_in = reads * sw;
    if ((n_in && !m_ok(m->src[c], si ? n_in : sw, false)) ||
        (out && !m_ok(m->dst[c], di || out < dw ? out : dw, true))) {
        m_error(m, c);
        return 0;
    }
    for (uint32_t k = 0; k < reads; k++) {
        m_read(m, si ? m->src[c] + k * sw : m->src[c], buf + got, sw);
        if (sbe != dbe && sw >= dw)
            m_reverse(buf + got, sw, sw);
        got += sw;
    }
    if (sbe != dbe && dw > sw)
        m_reverse(buf, out, dw);
    for (uint32_t k = 0; k < out; k += dw)
        m_write(m, di ? m->dst[c] + k : m->dst[c], buf + k, out - k < dw ? out - k : dw);
    m->fifo_n[c] = (uint8_t)(got - out);
    memcpy(m->fifo[c], buf + out, got - out);
    if (si)
        m->src[c] += n_in;
    if (di)
        m->dst[c] += out;
    if (dmac) {
        count -= reads;
        m->ctl[c] = ctl = (ctl & ~0xFFFu) | count;
    }
    uint32_t cost = n_in > out ? n_in : out;
    *moved += out;
    bool sp = m_src_per(f) && !halted, dp = m_dst_per(f);
    uint16_t lines = 0;
    if (sp)
        lines |= (uint16_t)(1u << sl);
    if (dp)
        lines |= (uint16_t)(1u << dl);
    for (unsigned k = 0; k < 4; k++)
        m->soft[k] &= (uint16_t)~lines;
    if (done) {
        if (ctl >> 31)
            m->raw_tc |= (uint8_t)(1u << c);
        uint32_t next = m->lli[c] & ~3u;
        if (!next) {
            m->cfg[c] &= ~1u;
            m->fifo_n[c] = 0;
        } else if (m_where(next, 16) != 1 && m_where(next, 16) != 2) {
            m_error(m, c);
        } else {
            uint8_t b[16];
            bool be = m->conf >> ((m->lli[c] & 1) ? 2 : 1) & 1;
            m_read(m, next, b, 16);
            m->src[c] = m_word(b, be);
            m->dst[c] = m_word(b + 4, be);
            m->lli[c] = m_word(b + 8, be) & ~2u;
            m->ctl[c] = m_word(b + 12, be);
            cost += 16;
        }
    }
    if (sp)
        tdev_resp(&m->lines, sl, done && dmac);
    if (dp && !(sp && dl == sl))
        tdev_resp(&m->lines, dl, done && dmac);
    return cost;
}

static size_t m_run(model *m, size_t budget)
{
    size_t used = 0, moved = 0;
    while (used < budget) {
        unsigned c = 0;
        while (c < 8 && !m_ready(m, c))
            c++;
        if (c == 8)
            break;
        uint32_t cost = m_service(m, c, &moved);
        used += cost ? cost : 1;
    }
    return moved;
}

/* ---- the emulator side -------------------------------------------------------- */

static sysdma_emu_pl080 emu;
static sysdma_emu_physmem emem;
static tdev edev, ewo, elines;

static bool e_intr, e_inttc, e_interr; /* the interrupt outputs as last reported */

static void e_irq(void *ctx, bool intr, bool tc, bool err)
{
    (void)ctx;
    e_intr = intr;
    e_inttc = tc;
    e_interr = err;
}

static void e_resp(void *ctx, unsigned line, bool tc)
{
    (void)ctx;
    tdev_resp(&elines, line, tc);
}

/* ---- random programs ---------------------------------------------------------- */

static uint64_t rng;
static uint32_t rnd(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 33);
}

static uint32_t rnd_addr(void)
{
    switch (rnd() % 16) {
    case 0:
        return DEV_ADDR + rnd() % 64;
    case 1:
        return WO_ADDR + rnd() % 16;
    case 2:
        return rnd(); /* anywhere: mostly a bus error */
    case 3:
        return RAM_BASE + RAM_SIZE - rnd() % 64;
    default:
        return RAM_BASE + (rnd() % RAM_SIZE & ~(rnd() % 2 ? 3u : 0u));
    }
}

static uint32_t rnd_ctl(void)
{
    uint32_t count = rnd() % 8 == 0 ? rnd() % 4096 : rnd() % 200;
    unsigned wmax = rnd() % 20 == 0 ? 8 : 3;
    return sysdma_emu_pl080_control(count, rnd() % 8, rnd() % 8, rnd() % wmax, rnd() % wmax,
                                    rnd() & 0xFF000000u);
}

static uint32_t rnd_lli(void)
{
    switch (rnd() % 8) {
    case 0:
    case 1:
        return 0;
    case 2:
        return rnd() | 1u; /* nowhere, through master 2 */
    default:
        return RAM_BASE + 16 * (rnd() % 32) + (rnd() & 1u); /* the item area */
    }
}

static void both_write(model *m, uint32_t off, uint32_t v)
{
    sysdma_emu_pl080_write(&emu, off, v);
    if (off >= 0x100 && off < 0x200) {
        unsigned c = (off - 0x100) / 0x20;
        switch (off & 0x1F) {
        case 0: m->src[c] = v; break;
        case 4: m->dst[c] = v; break;
        case 8: m->lli[c] = v & ~2u; break;
        case 12: m->ctl[c] = v; break;
        case 16:
            if ((m->cfg[c] ^ v) & 1u)
                m->fifo_n[c] = 0;
            m->cfg[c] = v & 0x5FBDFu;
            break;
        default: break;
        }
        return;
    }
    switch (off) {
    case 0x08: m->raw_tc &= (uint8_t)~v; break;
    case 0x10: m->raw_err &= (uint8_t)~v; break;
    case 0x20: case 0x24: case 0x28: case 0x2C: m->soft[(off - 0x20) / 4] |= (uint16_t)v; break;
    case 0x30: m->conf = v & 7; break;
    case 0x34: m->sync = (uint16_t)v; break;
    default: break;
    }
}

static void compare_registers(const model *m, uint64_t seed, int step)
{
    uint8_t tcm = 0, erm = 0, en = 0;
    for (unsigned c = 0; c < 8; c++) {
        tcm |= (uint8_t)(((m->cfg[c] >> 15) & 1u) << c);
        erm |= (uint8_t)(((m->cfg[c] >> 14) & 1u) << c);
        en |= (uint8_t)((m->cfg[c] & 1u) << c);
    }
    uint32_t want[14] = {(uint32_t)((m->raw_tc & tcm) | (m->raw_err & erm)), m->raw_tc & tcm, 0,
                         m->raw_err & erm, 0, m->raw_tc, m->raw_err, en,
                         (uint32_t)(m->soft[0] | m->hw[0]), (uint32_t)(m->soft[1] | m->hw[1]),
                         (uint32_t)(m->soft[2] | m->hw[2]), (uint32_t)(m->soft[3] | m->hw[3]),
                         m->conf, m->sync};
    /* The interrupt outputs follow the masked status at every step. */
    assert_int_equal(e_intr, want[0] != 0);
    assert_int_equal(e_inttc, want[1] != 0);
    assert_int_equal(e_interr, want[3] != 0);
    for (unsigned k = 0; k < 14; k++) {
        uint32_t got = sysdma_emu_pl080_read(&emu, 4 * k);
        if (got != want[k])
            print_error("seed %llu step %d: register 0x%03x\n", (unsigned long long)seed, step, 4 * k);
        assert_int_equal(got, want[k]);
    }
    for (unsigned c = 0; c < 8; c++) {
        uint32_t w5[5] = {m->src[c], m->dst[c], m->lli[c], m->ctl[c],
                          m->cfg[c] | (m->fifo_n[c] ? 1u << 17 : 0u)};
        for (unsigned r = 0; r < 5; r++) {
            uint32_t got = sysdma_emu_pl080_read(&emu, SYSDMA_EMU_PL080_CH(c, 4 * r));
            if (got != w5[r])
                print_error("seed %llu step %d: channel %u register %u\n",
                            (unsigned long long)seed, step, c, r);
            assert_int_equal(got, w5[r]);
        }
    }
}

/* What the random programs exercised, summed over all cases. */
static uint64_t sum_bytes, sum_items, sum_fetches, sum_errors;

static void one_case(uint64_t seed)
{
    rng = seed * 0x9E3779B97F4A7C15ull + 1;
    model *m = calloc(1, sizeof *m);
    uint8_t *eram = malloc(RAM_SIZE);
    assert_non_null(m);
    assert_non_null(eram);
    m->ram = malloc(RAM_SIZE);
    assert_non_null(m->ram);
    for (uint32_t k = 0; k < RAM_SIZE; k++)
        eram[k] = (uint8_t)rnd();
    memcpy(m->ram, eram, RAM_SIZE);
    memset(&edev, 0, sizeof edev);
    memset(&ewo, 0, sizeof ewo);
    memset(&elines, 0, sizeof elines);
    sysdma_emu_physmem_init(&emem, eram, RAM_SIZE);
    sysdma_emu_pl080_init(&emu, &emem, RAM_BASE);
    sysdma_emu_pl080_set_irq(&emu, e_irq, NULL);
    sysdma_emu_pl080_window w1 = {DEV_ADDR, 64, tdev_read, tdev_write, &edev};
    sysdma_emu_pl080_window w2 = {WO_ADDR, 16, NULL, tdev_write, &ewo};
    assert_true(sysdma_emu_pl080_map_window(&emu, &w1));
    assert_true(sysdma_emu_pl080_map_window(&emu, &w2));
    sysdma_emu_pl080_periph p = {e_resp, NULL};
    for (unsigned l = 0; l < 16; l++)
        sysdma_emu_pl080_attach(&emu, l, &p);

    /* Linked-list items: 32 slots at the start of RAM. */
    for (unsigned k = 0; k < 32; k++) {
        uint32_t item[4] = {rnd_addr(), rnd_addr(), rnd_lli(), rnd_ctl()};
        for (unsigned j = 0; j < 4; j++)
            for (unsigned b = 0; b < 4; b++)
                eram[16 * k + 4 * j + b] = m->ram[16 * k + 4 * j + b] = (uint8_t)(item[j] >> (8 * b));
    }
    both_write(m, 0x30, 1 | (rnd() % 4 == 0 ? rnd() & 6 : 0));
    unsigned nch = 1 + rnd() % 8;
    for (unsigned k = 0; k < nch; k++) {
        unsigned c = rnd() % 8;
        unsigned flow = rnd() % 3 ? 0 : rnd() % 8;
        uint32_t cfg = flow << 11 | (rnd() % 4) << 1 | (rnd() % 4) << 6 | (rnd() & (3u << 14)) | 1u;
        both_write(m, SYSDMA_EMU_PL080_CH(c, 0), rnd_addr());
        both_write(m, SYSDMA_EMU_PL080_CH(c, 4), rnd_addr());
        both_write(m, SYSDMA_EMU_PL080_CH(c, 8), rnd_lli());
        both_write(m, SYSDMA_EMU_PL080_CH(c, 12), rnd_ctl());
        both_write(m, SYSDMA_EMU_PL080_CH(c, 16), cfg);
    }
    for (int step = 0; step < 40; step++) {
        switch (rnd() % 8) {
        case 0: { /* a peripheral changes its request levels */
            unsigned line = rnd() % 4, reqs = rnd() % 16;
            sysdma_emu_pl080_request(&emu, line, reqs);
            for (unsigned k = 0; k < 4; k++)
                m->hw[k] = (uint16_t)((m->hw[k] & ~(1u << line)) | (((reqs >> k) & 1u) << line));
            break;
        }
        case 1:
            both_write(m, 0x20 + 4 * (rnd() % 4), 1u << (rnd() % 5));
            break;
        case 2: { /* halt, resume, disable, or change masks */
            unsigned c = rnd() % 8;
            uint32_t v = m->cfg[c];
            v ^= rnd() % 2 ? 1u << 18 : rnd() % 3 ? 3u << 14 : 1u;
            both_write(m, SYSDMA_EMU_PL080_CH(c, 16), v);
            break;
        }
        case 3:
            both_write(m, rnd() % 2 ? 0x08 : 0x10, rnd() & 0xFF);
            break;
        default: {
            size_t budget = rnd() % 4 == 0 ? rnd() % 16 : rnd() % 6000;
            size_t a = sysdma_emu_pl080_run(&emu, budget);
            size_t b = m_run(m, budget);
            if (a != b)
                print_error("seed %llu step %d: run moved %zu, model %zu\n",
                            (unsigned long long)seed, step, a, b);
            assert_int_equal(a, b);
            break;
        }
        }
        compare_registers(m, seed, step);
    }
    assert_int_equal(edev.pos, m->dev.pos);
    assert_int_equal(edev.hash, m->dev.hash);
    assert_int_equal(ewo.hash, m->wo.hash);
    assert_int_equal(elines.resp, m->lines.resp);
    if (memcmp(eram, m->ram, RAM_SIZE) != 0)
        print_error("seed %llu: RAM differs\n", (unsigned long long)seed);
    assert_memory_equal(eram, m->ram, RAM_SIZE);
    for (unsigned c = 0; c < 8; c++) {
        sum_bytes += emu.stats.bytes[c];
        sum_items += emu.stats.items[c];
    }
    sum_fetches += emu.stats.lli_fetches;
    sum_errors += emu.stats.errors;
    free(m->ram);
    free(m);
    free(eram);
}

static void test_emulator_matches_reference_model(void **state)
{
    (void)state;
    const char *env = getenv("SYSDMA_SEED");
    uint64_t first = env ? strtoull(env, NULL, 0) : 1;
    unsigned cases = env ? 1 : 1500;
    print_message("differential PL080 model: seeds %llu..%llu\n", (unsigned long long)first,
                  (unsigned long long)(first + cases - 1));
    for (unsigned k = 0; k < cases; k++)
        one_case(first + k);
    print_message("  %llu bytes, %llu items, %llu items fetched, %llu bus errors\n",
                  (unsigned long long)sum_bytes, (unsigned long long)sum_items,
                  (unsigned long long)sum_fetches, (unsigned long long)sum_errors);
    /* A generator that stopped producing transfers would prove nothing. */
    assert_true(sum_bytes > 1000000 && sum_items > 1000 && sum_fetches > 500 && sum_errors > 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_emulator_matches_reference_model)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
