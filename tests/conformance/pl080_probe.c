/* SPDX-License-Identifier: MIT */
/*
 * The PL080 register probe (see pl080_probe.h): what every register reads
 * after reset, which bits each keeps when written with all ones, and the
 * state left by small memory-to-memory transfers (a single item, a linked
 * list, a masked terminal-count interrupt, a fixed byte-wide destination, a
 * halted channel, a channel enabled while the DMAC is disabled).
 */
#include "pl080_probe.h"

static const sysdma_pl080_probe_io *io_;

#define CH(n, r) (0x100u + 0x20u * (n) + (r))
#define SRC 0x00u
#define DST 0x04u
#define LLI 0x08u
#define CTL 0x0Cu
#define CFG 0x10u

/* Control: TransferSize, burst 1, widths, increments, I. */
#define W_BYTE 0u
#define W_WORD 2u
#define CTL_SI (1u << 26)
#define CTL_DI (1u << 27)
#define CTL_I (1u << 31)
#define CTL_SIZE(n, w) ((n) | ((w) << 18) | ((w) << 21))
/* Channel configuration: enable, IE, ITC, H; flow type 0 always. */
#define CCFG_E 1u
#define CCFG_IE (1u << 14)
#define CCFG_ITC (1u << 15)
#define CCFG_H (1u << 18)

static void line(const char *a, const char *b, uint32_t value)
{
    static const char hex[] = "0123456789ABCDEF";
    char out[112];
    unsigned k = 0;
    while (*a && k < 80)
        out[k++] = *a++;
    while (b && *b && k < 96)
        out[k++] = *b++;
    out[k++] = ':';
    out[k++] = ' ';
    for (int d = 7; d >= 0; d--)
        out[k++] = hex[(value >> (4 * d)) & 0xF];
    out[k++] = '\n';
    out[k] = 0;
    io_->print(out);
}

static void rd(const char *prefix, const char *name, uint32_t offset)
{
    line(prefix, name, io_->rd(offset));
}

static const char *const global_names[] = {
    ".int-status",   ".int-tc-status", ".int-tc-clear", ".int-err-status",
    ".int-err-clear", ".raw-tc",       ".raw-err",      ".enabled",
    ".soft-breq",    ".soft-sreq",     ".soft-lbreq",   ".soft-lsreq",
    ".config",       ".sync"};

static void globals(const char *prefix)
{
    for (uint32_t k = 0; k < 14; k++)
        rd(prefix, global_names[k], 4 * k);
}

static const char *const ch_names[] = {".src", ".dst", ".lli", ".ctl", ".cfg"};

static void channel(const char *prefix, unsigned n)
{
    for (uint32_t k = 0; k < 5; k++)
        rd(prefix, ch_names[k], CH(n, 4 * k));
}

/* The interrupt registers that change with a transfer. */
static void ints(const char *prefix)
{
    rd(prefix, ".int-status", 0x000);
    rd(prefix, ".int-tc-status", 0x004);
    rd(prefix, ".raw-tc", 0x014);
    rd(prefix, ".enabled", 0x01C);
}

static void fill(uint32_t at, uint32_t n, uint8_t seed)
{
    for (uint32_t k = 0; k < n; k++)
        io_->mem[at + k] = (uint8_t)(seed + 7 * k);
}

/* The 32-bit sum of bytes [at, at + n) with their positions: enough to
 * tell moved, partly moved, shifted and untouched apart. */
static uint32_t digest(uint32_t at, uint32_t n)
{
    uint32_t d = 0;
    for (uint32_t k = 0; k < n; k++)
        d = d * 31u + io_->mem[at + k];
    return d;
}

static void put_word(uint32_t at, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        io_->mem[at + (uint32_t)k] = (uint8_t)(v >> (8 * k));
}

static void clear_all(void)
{
    for (unsigned n = 0; n < 8; n++)
        io_->wr(CH(n, CFG), 0);
    io_->wr(0x008, 0xFF);
    io_->wr(0x010, 0xFF);
}

void sysdma_pl080_probe(const sysdma_pl080_probe_io *io)
{
    io_ = io;
    uint32_t b = io->bus;

    /* After reset: every register of the block, a channel's reserved
     * words, reserved offsets and the identification registers. */
    globals("reset");
    for (unsigned n = 0; n < 8; n++) {
        char p[] = "reset.chN";
        p[8] = (char)('0' + n);
        channel(p, n);
    }
    rd("reset.ch0.reserved14", "", CH(0, 0x14));
    rd("reset.ch0.reserved1C", "", CH(0, 0x1C));
    rd("reset.reserved038", "", 0x038);
    rd("reset.reserved200", "", 0x200);
    rd("reset.reserved500", "", 0x500);
    for (uint32_t k = 0; k < 8; k++) {
        char p[] = "reset.id-FEx";
        p[11] = "0123456789ABCDEF"[4 * k & 0xF];
        if (k >= 4)
            p[10] = 'F';
        rd(p, "", 0xFE0 + 4 * k);
    }

    /* Which bits each register keeps: all ones written with the DMAC
     * disabled; the channel's flow type field left 0 and E clear. */
    io->wr(CH(2, SRC), 0xFFFFFFFFu);
    io->wr(CH(2, DST), 0xFFFFFFFFu);
    io->wr(CH(2, LLI), 0xFFFFFFFFu);
    io->wr(CH(2, CTL), 0xFFFFFFFFu);
    io->wr(CH(2, CFG), 0xFFFFC7FEu);
    channel("ones.ch2", 2);
    io->wr(0x034, 0xFFFFFFFFu);
    rd("ones.sync", "", 0x034);
    io->wr(0x030, 0xFFFFFFFFu);
    rd("ones.config", "", 0x030);
    io->wr(0x030, 0);
    io->wr(0x034, 0);
    for (unsigned r = 0; r < 4; r++)
        io->wr(CH(2, 4 * r), 0);
    io->wr(CH(2, CFG), 0);
    /* Read-only registers ignore writes. */
    io->wr(0x000, 0xFF);
    io->wr(0x014, 0xFF);
    io->wr(0x01C, 0xFF);
    io->wr(0xFE0, 0xFF);
    globals("ro-writes");
    rd("ro-writes.id-FE0", "", 0xFE0);

    /* A channel enabled while the DMAC is disabled: nothing moves until the
     * DMAC is enabled. */
    fill(0x000, 16, 0x11);
    fill(0x100, 16, 0xA0);
    io->wr(CH(7, SRC), b + 0x000);
    io->wr(CH(7, DST), b + 0x100);
    io->wr(CH(7, LLI), 0);
    io->wr(CH(7, CTL), CTL_SIZE(4, W_WORD) | CTL_SI | CTL_DI | CTL_I);
    io->wr(CH(7, CFG), CCFG_E | CCFG_ITC | CCFG_IE);
    io->settle();
    channel("dmac-off.ch7", 7);
    ints("dmac-off");
    line("dmac-off.dst-digest", "", digest(0x100, 16));
    io->wr(0x030, 1);
    io->settle();
    channel("dmac-on.ch7", 7);
    ints("dmac-on");
    line("dmac-on.dst-digest", "", digest(0x100, 16));
    io->wr(0x008, 0x80);
    ints("tc-cleared");

    /* One item, words, both sides incrementing, I set. */
    fill(0x000, 64, 0x21);
    fill(0x100, 72, 0x00);
    io->wr(CH(0, SRC), b + 0x000);
    io->wr(CH(0, DST), b + 0x100);
    io->wr(CH(0, LLI), 0);
    io->wr(CH(0, CTL), CTL_SIZE(16, W_WORD) | CTL_SI | CTL_DI | CTL_I);
    io->wr(CH(0, CFG), CCFG_E | CCFG_ITC | CCFG_IE);
    io->settle();
    channel("single.ch0", 0);
    ints("single");
    line("single.dst-digest", "", digest(0x100, 64));
    line("single.src-digest", "", digest(0x000, 64));
    line("single.after-digest", "", digest(0x140, 8));
    io->wr(0x008, 0x01);
    ints("single-cleared");

    /* A list of three items: registers, then two items in memory; I on
     * the last item only. */
    fill(0x000, 96, 0x31);
    fill(0x200, 96, 0x00);
    uint32_t ctl = CTL_SIZE(8, W_WORD) | CTL_SI | CTL_DI;
    put_word(0x400, b + 0x020); /* item 2 */
    put_word(0x404, b + 0x220);
    put_word(0x408, b + 0x410);
    put_word(0x40C, ctl);
    put_word(0x410, b + 0x040); /* item 3 */
    put_word(0x414, b + 0x240);
    put_word(0x418, 0);
    put_word(0x41C, ctl | CTL_I);
    io->wr(CH(1, SRC), b + 0x000);
    io->wr(CH(1, DST), b + 0x200);
    io->wr(CH(1, LLI), b + 0x400);
    io->wr(CH(1, CTL), ctl);
    io->wr(CH(1, CFG), CCFG_E | CCFG_ITC | CCFG_IE);
    io->settle();
    channel("list.ch1", 1);
    ints("list");
    line("list.dst-digest", "", digest(0x200, 96));
    io->wr(0x008, 0xFF);

    /* The same list with I on the first item only: which item's end sets
     * terminal count. */
    fill(0x200, 96, 0x00);
    put_word(0x40C, ctl);
    put_word(0x41C, ctl);
    io->wr(CH(1, SRC), b + 0x000);
    io->wr(CH(1, DST), b + 0x200);
    io->wr(CH(1, LLI), b + 0x400);
    io->wr(CH(1, CTL), ctl | CTL_I);
    io->wr(CH(1, CFG), CCFG_E | CCFG_ITC | CCFG_IE);
    io->settle();
    channel("list-first-i.ch1", 1);
    ints("list-first-i");
    line("list-first-i.dst-digest", "", digest(0x200, 96));
    io->wr(0x008, 0xFF);

    /* Terminal count masked (ITC clear): raw status only. */
    io->wr(CH(3, SRC), b + 0x000);
    io->wr(CH(3, DST), b + 0x100);
    io->wr(CH(3, LLI), 0);
    io->wr(CH(3, CTL), CTL_SIZE(4, W_WORD) | CTL_SI | CTL_DI | CTL_I);
    io->wr(CH(3, CFG), CCFG_E | CCFG_IE);
    io->settle();
    channel("masked.ch3", 3);
    ints("masked");
    io->wr(0x008, 0xFF);

    /* Bytes to one fixed address (a peripheral's data register, as the
     * port sends to the UART): the destination does not advance and keeps
     * the last byte. */
    fill(0x000, 8, 0x41);
    fill(0x300, 8, 0x00);
    io->wr(CH(4, SRC), b + 0x000);
    io->wr(CH(4, DST), b + 0x300);
    io->wr(CH(4, LLI), 0);
    io->wr(CH(4, CTL), CTL_SIZE(8, W_BYTE) | CTL_SI | CTL_I);
    io->wr(CH(4, CFG), CCFG_E | CCFG_ITC | CCFG_IE);
    io->settle();
    channel("fixed-dst.ch4", 4);
    ints("fixed-dst");
    line("fixed-dst.dst-digest", "", digest(0x300, 8));
    io->wr(0x008, 0xFF);

    /* Halted (H): nothing moves; releasing H lets it finish. */
    fill(0x000, 16, 0x51);
    fill(0x100, 16, 0x00);
    io->wr(CH(5, SRC), b + 0x000);
    io->wr(CH(5, DST), b + 0x100);
    io->wr(CH(5, LLI), 0);
    io->wr(CH(5, CTL), CTL_SIZE(4, W_WORD) | CTL_SI | CTL_DI | CTL_I);
    io->wr(CH(5, CFG), CCFG_E | CCFG_ITC | CCFG_IE | CCFG_H);
    io->settle();
    channel("halted.ch5", 5);
    ints("halted");
    line("halted.dst-digest", "", digest(0x100, 16));
    io->wr(CH(5, CFG), CCFG_E | CCFG_ITC | CCFG_IE);
    io->settle();
    channel("resumed.ch5", 5);
    ints("resumed");
    line("resumed.dst-digest", "", digest(0x100, 16));

    /* Everything off again. */
    clear_all();
    io->wr(0x030, 0);
    globals("end");
}
