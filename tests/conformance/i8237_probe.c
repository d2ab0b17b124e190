/* SPDX-License-Identifier: MIT */
/*
 * The 8237A register probe (see i8237_probe.h). Each step programs
 * registers the way an OS would and prints what reads back; nothing here
 * starts a transfer that a device would have to serve, so the probe is safe
 * on any PC.
 */
#include "i8237_probe.h"

static sysdma_probe_inb_fn in_;
static sysdma_probe_outb_fn out_;
static sysdma_probe_print_fn print_;

static void report(const char *name, unsigned value)
{
    static const char hex[] = "0123456789ABCDEF";
    char line[96];
    unsigned k = 0;
    while (*name && k < sizeof line - 8)
        line[k++] = *name++;
    line[k++] = ':';
    line[k++] = ' ';
    line[k++] = hex[(value >> 4) & 0xF];
    line[k++] = hex[value & 0xF];
    line[k++] = '\n';
    line[k] = 0;
    print_(line);
}

static void rd(const char *name, uint16_t port)
{
    report(name, in_(port));
}

void sysdma_i8237_probe(sysdma_probe_inb_fn in, sysdma_probe_outb_fn out,
                        sysdma_probe_print_fn print)
{
    in_ = in;
    out_ = out;
    print_ = print;

    /* Master clear both controllers; status reads 0 afterwards. */
    out(0x0D, 0);
    out(0xDA, 0);
    rd("dma1.status.after-master-clear", 0x08);
    rd("dma2.status.after-master-clear", 0xD0);

    /* Address and count through the flip-flop: low byte, then high. */
    out(0x0C, 0);
    out(0x04, 0x34);
    out(0x04, 0x12);
    out(0x05, 0xFF);
    out(0x05, 0x01);
    out(0x0C, 0);
    rd("ch2.addr.lo", 0x04);
    rd("ch2.addr.hi", 0x04);
    rd("ch2.count.lo", 0x05);
    rd("ch2.count.hi", 0x05);

    /* The flip-flop is shared by reads and writes, and by all channels. */
    out(0x0C, 0);
    out(0x06, 0x78);          /* ch3 address low; flip-flop now high */
    rd("ch3.addr.read-after-one-write", 0x06); /* reads ch3's high byte */
    out(0x0C, 0);
    out(0x02, 0xAB);          /* ch1 address low */
    out(0x02, 0xCD);          /* ch1 address high */
    out(0x0C, 0);
    rd("ch1.addr.lo", 0x02);
    rd("ch1.addr.hi", 0x02);

    /* 16-bit controller: registers at 0xC0 + 2n. */
    out(0xD8, 0);
    out(0xC4, 0x00);
    out(0xC4, 0x80);          /* ch5 word address 0x8000 */
    out(0xC6, 0xFE);
    out(0xC6, 0x7F);          /* ch5 count 0x7FFE */
    out(0xD8, 0);
    rd("ch5.addr.lo", 0xC4);
    rd("ch5.addr.hi", 0xC4);
    rd("ch5.count.lo", 0xC6);
    rd("ch5.count.hi", 0xC6);

    /* Page registers are plain latches. */
    static const uint16_t pages[] = {0x81, 0x82, 0x83, 0x87, 0x89, 0x8A, 0x8B};
    static const char *page_names[] = {"page.81", "page.82", "page.83", "page.87",
                                       "page.89", "page.8A", "page.8B"};
    for (unsigned k = 0; k < 7; k++) {
        out(pages[k], (uint8_t)(0x11 * (k + 1)));
        rd(page_names[k], pages[k]);
    }

    /* Mask register read-back (port 0x0F) after single-mask writes. */
    out(0x0E, 0);             /* clear all masks */
    out(0x0A, 0x04 | 1);      /* mask ch1 */
    out(0x0A, 0x04 | 3);      /* mask ch3 */
    rd("dma1.mask-readback", 0x0F);
    out(0x0F, 0x0F);          /* mask all */
    rd("dma1.mask-readback.all", 0x0F);

    /* Reads of write-only registers and the temporary register. */
    rd("dma1.temp", 0x0D);
    rd("dma1.port09", 0x09);
    rd("dma1.port0B", 0x0B);

    /* Status after master clear again; no TC happened. */
    out(0x0D, 0);
    rd("dma1.status.end", 0x08);
    /* Leave channel 4 cascaded and unmasked, as a BIOS does. */
    out(0xDA, 0);
    out(0xD6, 0xC0);
    out(0xD4, 0x00);
}
