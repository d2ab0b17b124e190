/* SPDX-License-Identifier: MIT */
/* The floppy controller probe (see fdc_probe.h). */
#include "fdc_probe.h"

static const sysdma_fdc_probe_io *io_;

static void line(const char *name, const uint8_t *v, unsigned n)
{
    static const char hex[] = "0123456789ABCDEF";
    char b[128];
    unsigned k = 0;
    while (*name && k < 60)
        b[k++] = *name++;
    b[k++] = ':';
    for (unsigned i = 0; i < n && k + 4 < sizeof b; i++) {
        b[k++] = ' ';
        b[k++] = hex[v[i] >> 4];
        b[k++] = hex[v[i] & 15];
    }
    b[k++] = '\n';
    b[k] = 0;
    io_->print(b);
}

static bool put(uint8_t v)
{
    for (int k = 0; k < 100000; k++)
        if ((io_->inb(0x3F4) & 0xC0) == 0x80) {
            io_->outb(0x3F5, v);
            return true;
        }
    return false;
}

/* Read result bytes until the controller stops offering them. */
static unsigned results(uint8_t *r, unsigned max)
{
    unsigned n = 0;
    for (int k = 0; k < 100000 && n < max; k++) {
        uint8_t msr = io_->inb(0x3F4);
        if ((msr & 0xC0) == 0xC0) {
            r[n++] = io_->inb(0x3F5);
            k = 0;
        } else if ((msr & 0xD0) == 0x80) {
            break; /* ready for a command: no more results */
        }
    }
    return n;
}

static void command(const char *name, const uint8_t *bytes, unsigned n, bool irq)
{
    for (unsigned k = 0; k < n; k++)
        if (!put(bytes[k])) {
            uint8_t msr = io_->inb(0x3F4);
            line("  (controller not ready; MSR)", &msr, 1);
            return;
        }
    if (irq && !io_->wait_irq(3000000)) {
        io_->print("  (no interrupt)\n");
    }
    uint8_t r[16];
    unsigned got = results(r, sizeof r);
    line(name, r, got);
}

static void sense(const char *name)
{
    static const uint8_t c[] = {0x08};
    command(name, c, 1, false);
}

void sysdma_fdc_probe(const sysdma_fdc_probe_io *io)
{
    io_ = io;
    io->outb(0x3F2, 0x00);
    io->outb(0x3F2, 0x1C); /* drive 0, motor on, DMA/IRQ enabled, out of reset */
    if (!io->wait_irq(3000000))
        io->print("reset: no interrupt\n");
    for (int k = 0; k < 4; k++)
        sense("reset sense interrupt");
    uint8_t msr = io->inb(0x3F4);
    line("msr idle", &msr, 1);
    io->outb(0x3F7, 0x00); /* 500 kb/s */
    static const uint8_t version[] = {0x10}, dumpreg[] = {0x0E};
    static const uint8_t specify[] = {0x03, 0xDF, 0x02}, status[] = {0x04, 0x00};
    static const uint8_t recal[] = {0x07, 0x00}, seek[] = {0x0F, 0x00, 0x05};
    static const uint8_t readid[] = {0x4A, 0x00}, invalid[] = {0x1F};
    command("version", version, 1, false);
    command("specify", specify, 3, false);
    command("dumpreg", dumpreg, 1, false);
    command("sense drive status", status, 2, false);
    command("recalibrate", recal, 2, true);
    sense("recalibrate sense interrupt");
    command("seek 5", seek, 3, true);
    sense("seek sense interrupt");
    command("read id", readid, 2, true);

    /* DMA READ DATA of C5 H0 R1: channel 2, single mode, device to memory. */
    uint32_t p = io->dma_phys;
    io->outb(0x0A, 0x06);
    io->outb(0x0C, 0x00);
    io->outb(0x0B, 0x46);
    io->outb(0x04, (uint8_t)p);
    io->outb(0x04, (uint8_t)(p >> 8));
    io->outb(0x81, (uint8_t)(p >> 16));
    io->outb(0x05, 0xFF);
    io->outb(0x05, 0x01);
    io->outb(0x0A, 0x02);
    static const uint8_t read1[] = {0xE6, 0x00, 0x05, 0x00, 0x01, 0x02, 18, 0x1B, 0xFF};
    command("read data C5 H0 R1", read1, 9, true);
    line("  first bytes read", io->dma_buf, 8);
    /* Sector 19 does not exist on an 18-sector track. */
    io->outb(0x0A, 0x06);
    io->outb(0x0C, 0x00);
    io->outb(0x05, 0xFF);
    io->outb(0x05, 0x01);
    io->outb(0x0A, 0x02);
    static const uint8_t read19[] = {0xE6, 0x00, 0x05, 0x00, 19, 0x02, 19, 0x1B, 0xFF};
    command("read data C5 H0 R19", read19, 9, true);
    command("invalid 0x1F", invalid, 1, false);
    msr = io->inb(0x3F4);
    line("msr end", &msr, 1);
    io->outb(0x0A, 0x06);
    io->outb(0x3F2, 0x0C); /* motor off */
}
