/* SPDX-License-Identifier: MIT */
/*
 * sysdma: the command-line tool.
 *
 * Subcommands are a table of (name, summary, function); each takes its own
 * argv and returns the process exit status: 0 ok, 1 failure, 2 usage.
 * `emu-demo` drives the emulated 8237A pair the way an operating system's
 * DMA code does, through port writes only, and prints what the controller
 * did; it checks every byte it moved and fails loudly if one is wrong.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sysdma/emu.h"
#include "sysdma/emu_testdev.h"
#include "sysdma/sim.h"
#include "sysdma/sysdma.h"
#include "sysdma/verifier.h"
#include "tool.h"
#include "sysdma/emu_fdc.h"
#include "fdc_probe.h"
#include "i8237_probe.h"


/* ---- emu-demo --------------------------------------------------------------- */

/* A pattern device: gives bytes i*7+seed (device -> memory) or checks and
 * records what it receives (memory -> device). */
typedef struct demo_dev {
    uint8_t seed;
    size_t pos;          /* bytes exchanged so far */
    uint8_t sink[65536 * 2];
    unsigned callbacks;
    unsigned tcs;
    bool lower_each;     /* single-mode pacing: drop DREQ after each unit */
    bool keep_at_tc;     /* a streaming device keeps requesting across TC */
    sysdma_emu_i8237 *e;
} demo_dev;

static size_t demo_xfer(void *ctx, unsigned ch, sysdma_emu_xfer kind,
                        uint8_t *buf, size_t units)
{
    demo_dev *d = ctx;
    size_t bytes = units * (ch >= 4 ? 2u : 1u);
    d->callbacks++;
    if (kind == SYSDMA_EMU_XFER_WRITE) {
        for (size_t k = 0; k < bytes; k++)
            buf[k] = (uint8_t)((d->pos + k) * 7u + d->seed);
    } else if (kind == SYSDMA_EMU_XFER_READ) {
        size_t room = sizeof d->sink - (d->pos % sizeof d->sink);
        memcpy(d->sink + d->pos % sizeof d->sink, buf, bytes < room ? bytes : room);
    }
    d->pos += bytes;
    if (d->lower_each)
        sysdma_emu_i8237_dreq(d->e, ch, false);
    return units;
}

static void demo_tc(void *ctx, unsigned ch)
{
    demo_dev *d = ctx;
    d->tcs++;
    if (!d->keep_at_tc)
        sysdma_emu_i8237_dreq(d->e, ch, false);
}

static bool quiet;

static void out(sysdma_emu_i8237 *e, uint16_t port, uint8_t v)
{
    if (!quiet)
        printf("    out 0x%02X <- 0x%02X\n", port, v);
    sysdma_emu_i8237_outb(e, port, v);
}

/* The sequence an OS uses: mask, clear flip-flop, mode, address, page,
 * count, unmask. */
static void program(sysdma_emu_i8237 *e, unsigned ch, uint8_t mode,
                    uint32_t phys, uint32_t bytes)
{
    bool wide = ch >= 4;
    unsigned k = ch & 3u;
    uint16_t base = wide ? 0xC0 : 0x00;
    unsigned step = wide ? 2u : 1u;
    uint16_t addr = wide ? (uint16_t)(phys >> 1) : (uint16_t)phys;
    uint8_t page = wide ? (uint8_t)((phys >> 16) & 0xFE) : (uint8_t)(phys >> 16);
    uint16_t count = (uint16_t)((wide ? bytes / 2 : bytes) - 1);
    out(e, (uint16_t)(base + 0xA * step), (uint8_t)(4 | k));
    out(e, (uint16_t)(base + 0xC * step), 0);
    out(e, (uint16_t)(base + 0xB * step), (uint8_t)(mode | k));
    out(e, (uint16_t)(base + 2 * k * step), (uint8_t)addr);
    out(e, (uint16_t)(base + 2 * k * step), (uint8_t)(addr >> 8));
    out(e, sysdma_emu_i8237_page_port(ch), page);
    out(e, (uint16_t)(base + (2 * k + 1) * step), (uint8_t)count);
    out(e, (uint16_t)(base + (2 * k + 1) * step), (uint8_t)(count >> 8));
    out(e, (uint16_t)(base + 0xA * step), (uint8_t)k);
}

static uint32_t read_residue(sysdma_emu_i8237 *e, unsigned ch)
{
    bool wide = ch >= 4;
    uint16_t base = wide ? 0xC0 : 0x00;
    unsigned step = wide ? 2u : 1u;
    uint16_t port = (uint16_t)(base + (2 * (ch & 3u) + 1) * step);
    sysdma_emu_i8237_outb(e, (uint16_t)(base + 0xC * step), 0);
    unsigned lo = sysdma_emu_i8237_inb(e, port);
    unsigned hi = sysdma_emu_i8237_inb(e, port);
    return (((hi << 8 | lo) + 1u) & 0xFFFFu) * (wide ? 2u : 1u);
}

static int failures;

static void check(bool ok, const char *what)
{
    printf("  [%s] %s\n", ok ? " ok " : "FAIL", what);
    if (!ok)
        failures++;
}

/* --lint: each finding of the 8237 hardware lint, as it happens. */
static void emu_demo_lint(void *ctx, const sysdma_emu_lint_report *r)
{
    (void)ctx;
    printf("    lint: %s, channel %d, port 0x%02X, 0x%X/0x%X: %s\n", r->name, r->channel, r->port,
           r->value, r->detail, r->text);
}

static int cmd_emu_demo(int argc, char **argv)
{
    bool lint = false;
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--quiet") == 0 || strcmp(argv[a], "-q") == 0) {
            quiet = true;
        } else if (strcmp(argv[a], "--lint") == 0) {
            lint = true;
        } else if (strcmp(argv[a], "--help") == 0) {
            puts("usage: sysdma emu-demo [--quiet] [--lint]\n"
                 "Drives the emulated 8237A pair through port I/O as an OS would:\n"
                 "an 8-bit single-mode read into memory on channel 2, a 16-bit\n"
                 "block transfer across a 128 KiB window edge on channel 5, an\n"
                 "auto-initialize loop on channel 1 followed by residue reads,\n"
                 "and a memory-to-memory copy on DMA1. Every byte is checked.\n"
                 "--lint switches the hardware lint on and prints what it finds: the\n"
                 "window wrap of step 2 and the memory-to-memory copy of step 4 work\n"
                 "here but not on a real PC.");
            return 0;
        } else {
            fprintf(stderr, "sysdma emu-demo: unknown option '%s'\n", argv[a]);
            return 2;
        }
    }
    const uint64_t ram_size = 1u << 20;
    uint8_t *ram = calloc(1, ram_size);
    demo_dev *dev = calloc(1, sizeof *dev);
    sysdma_emu_i8237 *e = calloc(1, sizeof *e);
    if (!ram || !dev || !e) {
        fprintf(stderr, "sysdma emu-demo: out of memory\n");
        return 1;
    }
    sysdma_emu_physmem mem;
    sysdma_emu_physmem_init(&mem, ram, ram_size);
    sysdma_emu_i8237_init(e, &mem, true);
    if (lint)
        sysdma_emu_i8237_set_lint(e, emu_demo_lint, NULL);
    dev->e = e;
    sysdma_emu_dma_device d = {demo_xfer, demo_tc, dev};

    printf("emulated 8237A pair, %" PRIu64 " KiB RAM, channel 4 cascaded (PC BIOS set-up)\n",
           ram_size >> 10);

    /* 1. Floppy-style: channel 2, single mode, device -> memory, 512 bytes. */
    printf("\n1. channel 2: single mode, device -> memory, 512 bytes at 0x23400\n");
    sysdma_emu_i8237_attach(e, 2, &d);
    program(e, 2, SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_WRITE, 0x23400, 512);
    dev->seed = 0x11;
    dev->lower_each = true;
    size_t moved = 0;
    for (int guard = 0; guard < 100000 && !(e->s.ctrl[0].mask & 4); guard++) {
        sysdma_emu_i8237_dreq(e, 2, true); /* the device has a byte ready */
        moved += sysdma_emu_i8237_run(e, 64);
    }
    bool ok = moved == 512;
    for (size_t k = 0; k < 512 && ok; k++)
        ok = ram[0x23400 + k] == (uint8_t)(k * 7u + 0x11);
    uint8_t st = sysdma_emu_i8237_inb(e, 0x08);
    printf("  moved %zu bytes in %u device callbacks; status 0x%02X; channel masked itself: %s\n",
           moved, dev->callbacks, st, (e->s.ctrl[0].mask & 4) ? "yes" : "no");
    check(ok, "512 bytes in memory, in order");
    check((st & 0x04) != 0 && (sysdma_emu_i8237_inb(e, 0x08) & 0x04) == 0,
          "TC bit 2 set, cleared by the status read");
    check(ram[0x23400 + 512] == 0 && ram[0x233FF] == 0, "nothing written outside the buffer");

    /* 2. 16-bit block transfer across a 128 KiB window edge on channel 5. */
    printf("\n2. channel 5: block mode, memory -> device, 4 KiB starting 2 KiB below 0x40000\n");
    for (size_t k = 0; k < 4096; k++)
        ram[0x3F800 + k] = (uint8_t)(k ^ 0x5A);
    for (size_t k = 0; k < 2048; k++)
        ram[0x20000 + k] = (uint8_t)(k ^ 0xA5); /* where the window wraps to */
    memset(dev, 0, sizeof *dev);
    dev->e = e;
    sysdma_emu_i8237_attach(e, 5, &d);
    program(e, 5, SYSDMA_EMU_MODE_BLOCK | SYSDMA_EMU_MODE_READ, 0x3F800, 4096);
    sysdma_emu_i8237_dreq(e, 5, true);
    moved = sysdma_emu_i8237_run(e, 1u << 20);
    printf("  moved %zu words in %u device callbacks (one per contiguous span)\n", moved,
           dev->callbacks);
    ok = moved == 2048 && dev->pos == 4096;
    for (size_t k = 0; k < 2048 && ok; k++)
        ok = dev->sink[k] == (uint8_t)(k ^ 0x5A);
    check(ok, "first 2 KiB from 0x3F800..0x3FFFF");
    ok = true;
    for (size_t k = 0; k < 2048 && ok; k++)
        ok = dev->sink[2048 + k] == (uint8_t)(k ^ 0xA5);
    check(ok, "then the address wrapped to 0x20000, the start of the same 128 KiB window");

    /* 3. Auto-initialize on channel 1 with residue reads. */
    printf("\n3. channel 1: demand mode, auto-initialize, 1000-byte buffer, residue reads\n");
    memset(dev, 0, sizeof *dev);
    dev->e = e;
    dev->keep_at_tc = true;
    sysdma_emu_i8237_attach(e, 1, &d);
    program(e, 1, SYSDMA_EMU_MODE_DEMAND | SYSDMA_EMU_MODE_READ | SYSDMA_EMU_MODE_AUTOINIT,
            0x50000, 1000);
    sysdma_emu_i8237_dreq(e, 1, true);
    uint32_t samples[4];
    for (int s = 0; s < 4; s++) {
        sysdma_emu_i8237_run(e, 700);
        samples[s] = read_residue(e, 1);
    }
    printf("  residue after 700, 1400, 2100, 2800 bytes: %u %u %u %u; passes completed: %u\n",
           samples[0], samples[1], samples[2], samples[3], dev->tcs);
    check(samples[0] == 300 && samples[1] == 600 && samples[2] == 900 && samples[3] == 200,
          "the counter reloads at each terminal count and keeps cycling");
    check(dev->tcs == 2 && !(e->s.ctrl[0].mask & 2), "two passes, channel still unmasked");

    /* 4. Memory-to-memory on DMA1. */
    printf("\n4. DMA1 memory-to-memory: 256 bytes 0x60000 -> 0x61000 (software request on channel 0)\n");
    for (size_t k = 0; k < 256; k++)
        ram[0x60000 + k] = (uint8_t)(255 - k);
    out(e, 0x0C, 0);
    out(e, 0x0B, SYSDMA_EMU_MODE_BLOCK | SYSDMA_EMU_MODE_READ | 0);
    out(e, 0x0B, SYSDMA_EMU_MODE_BLOCK | SYSDMA_EMU_MODE_WRITE | 1);
    out(e, 0x00, 0x00);
    out(e, 0x00, 0x00);
    out(e, 0x87, 0x06);
    out(e, 0x02, 0x00);
    out(e, 0x02, 0x10);
    out(e, 0x83, 0x06);
    out(e, 0x03, 0xFF);
    out(e, 0x03, 0x00);
    out(e, 0x08, SYSDMA_EMU_CMD_MEM2MEM);
    out(e, 0x09, 0x04); /* software request, channel 0 */
    moved = sysdma_emu_i8237_run(e, 1u << 16);
    ok = moved == 256 && memcmp(ram + 0x60000, ram + 0x61000, 256) == 0;
    printf("  moved %zu bytes; temporary register 0x%02X\n", moved, sysdma_emu_i8237_inb(e, 0x0D));
    check(ok, "destination equals source");
    check(sysdma_emu_i8237_inb(e, 0x0D) == 0x00, "temporary register holds the last byte");
    check((sysdma_emu_i8237_inb(e, 0x08) & 0x02) != 0, "channel 1 reached TC");

    if (lint)
        printf("\nhardware lint: %llu findings\n", (unsigned long long)e->lint.reports);
    printf("\n%s: %d check(s) failed\n", failures ? "FAILED" : "all checks passed", failures);
    free(e);
    free(dev);
    free(ram);
    return failures ? 1 : 0;
}

/* ---- emu-probe ---------------------------------------------------------------- */

static sysdma_emu_i8237 *probe_dma;

static uint8_t probe_inb(uint16_t port)
{
    return sysdma_emu_i8237_inb(probe_dma, port);
}

static void probe_outb(uint16_t port, uint8_t v)
{
    sysdma_emu_i8237_outb(probe_dma, port, v);
}

static void probe_print(const char *line)
{
    fputs(line, stdout);
}

static int cmd_emu_probe(int argc, char **argv)
{
    if (argc > 1) {
        if (strcmp(argv[1], "--help") == 0) {
            puts("usage: sysdma emu-probe\n"
                 "Runs the register-level 8237 probe (tests/conformance) against the\n"
                 "emulated pair and prints one line per value read. The bare-metal\n"
                 "kernel prints the same lines for a real or QEMU's controller.");
            return 0;
        }
        fprintf(stderr, "sysdma emu-probe: unknown option '%s'\n", argv[1]);
        return 2;
    }
    static uint8_t ram[1 << 16];
    static sysdma_emu_physmem mem;
    static sysdma_emu_i8237 dma;
    sysdma_emu_physmem_init(&mem, ram, sizeof ram);
    sysdma_emu_i8237_init(&dma, &mem, true);
    probe_dma = &dma;
    sysdma_i8237_probe(probe_inb, probe_outb, probe_print);
    puts("done");
    return 0;
}

/* ---- emu-probe-fdc ------------------------------------------------------------ */

static sysdma_sim *pf_sim;
static sysdma_emu_fdc pf_fdc;
static unsigned pf_edges, pf_seen;
static bool pf_level;

static void pf_irq(void *ctx, bool level)
{
    (void)ctx;
    if (level && !pf_level)
        pf_edges++;
    pf_level = level;
}
static uint8_t pf_port_in(void *ctx, uint16_t port) { (void)ctx; return sysdma_emu_fdc_inb(&pf_fdc, port); }
static void pf_port_out(void *ctx, uint16_t port, uint8_t v) { (void)ctx; sysdma_emu_fdc_outb(&pf_fdc, port, v); }
static void pf_clock(void *ctx, uint64_t ns) { (void)ctx; sysdma_emu_fdc_advance(&pf_fdc, ns); }
static uint8_t pf_inb(uint16_t port) { return sysdma_sim_inb(pf_sim, port); }
static void pf_outb(uint16_t port, uint8_t v) { sysdma_sim_outb(pf_sim, port, v); }
static bool pf_irq_seen(void *ctx) { (void)ctx; return pf_edges != pf_seen; }
static bool pf_wait(uint32_t timeout_us)
{
    bool ok = sysdma_sim_run_until(pf_sim, pf_irq_seen, NULL, (uint64_t)timeout_us * 1000);
    pf_seen = pf_edges;
    return ok;
}

static int cmd_emu_probe_fdc(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "--help") == 0) {
        puts("usage: sysdma emu-probe-fdc IMAGE\n"
             "Runs the floppy-controller command probe (tests/conformance) against the\n"
             "emulated controller and 8237 pair with IMAGE (1.44 MiB) in drive 0, and prints\n"
             "one line per result; the bare-metal kernel prints the same for QEMU's.");
        return argc == 2 ? 0 : 2;
    }
    FILE *f = fopen(argv[1], "rb");
    static uint8_t image[1474560];
    if (!f || fread(image, 1, sizeof image, f) != sizeof image) {
        fprintf(stderr, "sysdma emu-probe-fdc: cannot read a 1.44 MiB image from %s\n", argv[1]);
        if (f)
            fclose(f);
        return 1;
    }
    fclose(f);
    sysdma_sim_config sc = {.ram_bytes = 4u << 20};
    if (sysdma_sim_create(&sc, &pf_sim) != SYSDMA_OK)
        return 1;
    sysdma_emu_fdc_init(&pf_fdc, sysdma_sim_dma(pf_sim), 2, pf_irq, NULL);
    sysdma_emu_fdc_insert(&pf_fdc, 0, image, sizeof image, false);
    sysdma_sim_add_ports(pf_sim, 0x3F0, 0x3F5, pf_port_in, pf_port_out, NULL);
    sysdma_sim_add_ports(pf_sim, 0x3F7, 0x3F7, pf_port_in, pf_port_out, NULL);
    sysdma_sim_add_clock(pf_sim, pf_clock, NULL);
    sysdma_fdc_probe_io io = {pf_inb, pf_outb, pf_wait, probe_print,
                              sysdma_sim_phys_view(pf_sim) + 0x90000, 0x90000};
    sysdma_fdc_probe(&io);
    puts("done");
    sysdma_sim_destroy(pf_sim);
    return 0;
}

/* ---- packet-demo ------------------------------------------------------------ */

/*
 * A driver's packet-based transfer, the seed's sequence, on the simulated
 * PC: adapter from a description, AllocateAdapterChannel, then per piece
 * MapTransfer → the device moves it → FlushAdapterBuffers, then
 * FreeAdapterChannel. A buffer is written to a test device and read back,
 * and every byte is checked.
 */
typedef struct pd_state {
    sysdma_sim *sim;
    sysdma_emu_testdev dev;
    sysdma_map_registers *regs;
    bool granted;
} pd_state;

static uint8_t pd_in(void *ctx, uint16_t port)
{
    return sysdma_emu_testdev_inb(&((pd_state *)ctx)->dev, port);
}

static void pd_out(void *ctx, uint16_t port, uint8_t v)
{
    sysdma_emu_testdev_outb(&((pd_state *)ctx)->dev, port, v);
}

static sysdma_allocation_action pd_grant(void *device, sysdma_map_registers *regs, void *ctx)
{
    (void)device;
    pd_state *p = ctx;
    p->regs = regs;
    p->granted = true;
    return SYSDMA_KEEP_OBJECT;
}

static bool pd_done(void *ctx)
{
    return ((pd_state *)ctx)->dev.dir == 0;
}

static int pd_pass(pd_state *p, sysdma_system *sys, sysdma_adapter *a, uint32_t nregs,
                   uint8_t *buf, uint32_t len, bool to_device, uint8_t *fifo)
{
    sysdma_mdl *mdl;
    if (sysdma_mdl_create(sys, buf, len, &mdl) != SYSDMA_OK)
        return 1;
    sysdma_flush_io_buffers(sys, mdl, !to_device);
    p->granted = false;
    sysdma_status st = sysdma_channel_allocate(a, &p->dev, nregs, pd_grant, p);
    if (!quiet)
        printf("  AllocateAdapterChannel(%u map registers): %s, AdapterControl %s\n", nregs,
               sysdma_status_name(st), p->granted ? "ran inside the call" : "pending");
    if (!p->granted)
        return 1;
    uint32_t max_piece = nregs * SYSDMA_PAGE_SIZE;
    if (max_piece > sysdma_adapter_max_transfer(a))
        max_piece = sysdma_adapter_max_transfer(a);
    unsigned ch = sysdma_adapter_channel(a);
    uint16_t base = (uint16_t)(0x300 + 8 * ch);
    for (uint32_t done = 0; done < len;) {
        uint32_t piece = len - done < max_piece ? len - done : max_piece;
        uint64_t logical = 0, phys = 0;
        sysdma_sim_virt_to_phys(p->sim, buf + done, &phys);
        st = sysdma_map_transfer(a, mdl, p->regs, buf + done, &piece, to_device, &logical);
        if (st != SYSDMA_OK) {
            printf("  MapTransfer failed: %s\n", sysdma_strerror(st));
            return 1;
        }
        p->dev.data = fifo + done;
        p->dev.cap = len - done;
        for (unsigned b = 0; b < 4; b++)
            sysdma_sim_outb(p->sim, (uint16_t)(base + 1 + b), (uint8_t)(piece >> (8 * b)));
        sysdma_sim_outb(p->sim, base, to_device ? 2 : 1);
        uint64_t t0 = sysdma_sim_now_ns(p->sim);
        sysdma_sim_run_until(p->sim, pd_done, p, 10ull * 1000 * 1000 * 1000);
        uint32_t residue = sysdma_read_dma_counter(a);
        sysdma_sim_outb(p->sim, (uint16_t)(base + 5), 0);
        st = sysdma_flush_adapter_buffers(a, mdl, p->regs, buf + done, piece, to_device);
        if (!quiet)
            printf("  piece %6u bytes at phys 0x%08llx: %s, controller at 0x%06llx, %llu us, "
                   "residue %u, flush %s\n",
                   piece, (unsigned long long)phys, logical == phys ? "direct " : "bounced",
                   (unsigned long long)logical,
                   (unsigned long long)((sysdma_sim_now_ns(p->sim) - t0) / 1000), residue,
                   sysdma_status_name(st));
        if (st != SYSDMA_OK)
            return 1;
        done += piece;
    }
    st = sysdma_channel_free(a);
    sysdma_mdl_free(sys, mdl);
    return st == SYSDMA_OK ? 0 : 1;
}

static vcd trace_vcd;

static int cmd_packet_demo(int argc, char **argv)
{
    uint32_t len = 100000, channel = 2;
    const char *trace = NULL;
    bool verify = true;
    sysdma_sim_placement how = SYSDMA_SIM_SCATTERED;
    static const char *places[] = {"low", "high", "scattered", "scattered-low", "straddle64k",
                                   "straddle128k"};
    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--quiet") == 0 || strcmp(argv[k], "-q") == 0) {
            quiet = true;
        } else if (strcmp(argv[k], "--bytes") == 0 && k + 1 < argc) {
            len = (uint32_t)strtoul(argv[++k], NULL, 0);
        } else if (strcmp(argv[k], "--channel") == 0 && k + 1 < argc) {
            channel = (uint32_t)strtoul(argv[++k], NULL, 0);
        } else if (strcmp(argv[k], "--trace") == 0 && k + 1 < argc) {
            trace = argv[++k];
        } else if (strcmp(argv[k], "--placement") == 0 && k + 1 < argc) {
            const char *v = argv[++k];
            int found = -1;
            for (int i = 0; i < 6; i++)
                if (strcmp(v, places[i]) == 0)
                    found = i;
            if (found < 0) {
                fprintf(stderr, "sysdma packet-demo: unknown placement '%s'\n", v);
                return 2;
            }
            how = (sysdma_sim_placement)found;
        } else if (strcmp(argv[k], "--no-verifier") == 0) {
            verify = false;
        } else if (strcmp(argv[k], "--help") == 0) {
            puts("usage: sysdma packet-demo [--bytes N] [--channel 0-3|5-7]\n"
                 "                          [--placement low|high|scattered|scattered-low|straddle64k|straddle128k]\n"
                 "                          [--trace FILE.vcd] [--quiet] [--no-verifier]\n"
                 "A driver moves a buffer to a test device and back with packet-based system DMA\n"
                 "on the simulated PC: sysdma core → 8237 driver → emulated 8237A pair. Each\n"
                 "piece is shown direct or bounced through map registers; every byte is checked.\n"
                 "--trace writes the 8237's DREQ/DACK/TC/mask lines and unit counters per\n"
                 "channel, in simulated time, as a Value Change Dump (GTKWave opens it).\n"
                 "The DMA verifier checks every call (reports go to stderr) unless --no-verifier.");
            return 0;
        } else {
            fprintf(stderr, "sysdma packet-demo: unknown option '%s' (try --help)\n", argv[k]);
            return 2;
        }
    }
    bool wide = channel >= 4;
    if (channel > 7 || channel == 4) {
        fprintf(stderr, "sysdma packet-demo: --channel must be 0-3 or 5-7 (4 is the cascade)\n");
        return 2;
    }
    if (len == 0 || len > (16u << 20) || (wide && len % 2)) {
        fprintf(stderr, "sysdma packet-demo: --bytes must be 1..16777216 (even on channels 5-7)\n");
        return 2;
    }
    pd_state *p = calloc(1, sizeof *p);
    uint8_t *fifo = malloc(len), *want = malloc(len);
    sysdma_sim_config sc = {.ram_bytes = 64u << 20, .dma_units_per_us = 1};
    int bad = 1;
    sysdma_system *sys = NULL;
    sysdma_adapter *a = NULL;
    uint8_t *buf = NULL;
    if (!p || !fifo || !want || sysdma_sim_create(&sc, &p->sim) != SYSDMA_OK) {
        fprintf(stderr, "sysdma packet-demo: out of memory\n");
        goto out;
    }
    sysdma_platform pf;
    sysdma_i8237_driver drv;
    sysdma_controller ctrl;
    sysdma_sim_platform(p->sim, &pf, NULL);
    sysdma_i8237_driver_init(&drv, &pf, &ctrl);
    if (sysdma_system_create(&pf, &ctrl, NULL, &sys) != SYSDMA_OK)
        goto out;
    /* On the simulator the DMA verifier is on unless asked otherwise. */
    if (verify && sysdma_verifier_enable(sys, NULL) != SYSDMA_OK)
        goto out;
    sysdma_device_description d = {0};
    d.version = 2;
    d.demand_mode = true;
    d.channel = channel;
    d.interface_type = SYSDMA_INTERFACE_ISA;
    d.width = wide ? SYSDMA_WIDTH_16 : SYSDMA_WIDTH_8;
    d.maximum_length = 65536;
    uint32_t nregs;
    sysdma_status st = sysdma_adapter_get(sys, &d, &a, &nregs);
    if (st != SYSDMA_OK) {
        fprintf(stderr, "sysdma packet-demo: channel %u: %s\n", channel, sysdma_strerror(st));
        goto out;
    }
    if (!sysdma_emu_testdev_init(&p->dev, sysdma_sim_dma(p->sim), channel, (uint16_t)(0x300 + 8 * channel),
                                 fifo, len, 2000, NULL, NULL) ||
        sysdma_sim_add_ports(p->sim, (uint16_t)(0x300 + 8 * channel), (uint16_t)(0x307 + 8 * channel),
                             pd_in, pd_out, p) != SYSDMA_OK)
        goto out;
    sysdma_sim_add_clock(p->sim, (sysdma_sim_clock_fn)sysdma_emu_testdev_advance, &p->dev);
    buf = sysdma_sim_buffer_alloc(p->sim, len, wide ? 2 : 1, how);
    if (!buf) {
        fprintf(stderr, "sysdma packet-demo: no RAM for that buffer\n");
        goto out;
    }
    for (uint32_t k = 0; k < len; k++)
        buf[k] = want[k] = (uint8_t)(k * 37u + 11u);
    if (trace && !vcd_open(&trace_vcd, trace, p->sim, false)) {
        fprintf(stderr, "sysdma packet-demo: cannot write %s\n", trace);
        goto out;
    }
    printf("simulated PC: 64 MiB RAM, emulated 8237A pair; test device on channel %u (%s),\n"
           "paced at 2 bytes/us, DMA at 1 unit/us; adapter: %u map registers, %u bytes per map\n",
           channel, wide ? "16-bit" : "8-bit", nregs, sysdma_adapter_max_transfer(a));
    printf("buffer: %u bytes, %s placement\n", len, places[how]);
    printf("\nwrite: memory -> device\n");
    bad = pd_pass(p, sys, a, nregs, buf, len, true, fifo);
    bad |= memcmp(fifo, want, len) != 0;
    memset(buf, 0, len);
    for (uint32_t k = 0; k < len; k++)
        fifo[k] = (uint8_t)(0xFFu ^ want[k]);
    printf("\nread: device -> memory\n");
    bad |= pd_pass(p, sys, a, nregs, buf, len, false, fifo);
    for (uint32_t k = 0; k < len && !bad; k++) {
        uint8_t expect = (uint8_t)(0xFFu ^ want[k]);
        bad = buf[k] != expect;
    }
    sysdma_stats s;
    sysdma_stats_get(sys, NULL, &s);
    printf("\ntransfers %llu (bounced %llu), bytes bounced %llu, map registers: pool %u, high-water %u\n",
           (unsigned long long)s.transfers, (unsigned long long)s.bounced_transfers,
           (unsigned long long)s.bytes_bounced, s.pool_pages, s.pool_high_water);
    printf("simulated time %.3f ms; every byte %s\n", (double)sysdma_sim_now_ns(p->sim) / 1e6,
           bad ? "NOT as expected: FAILED" : "arrived intact");
    if (verify) {
        uint64_t reports = sysdma_verifier_reports(sys, SYSDMA_VCHECK_COUNT);
        printf("DMA verifier: on, %llu report(s)\n", (unsigned long long)reports);
        bad |= reports != 0;
    }
    if (trace)
        printf("trace: %s\n", trace);
out:
    if (trace_vcd.f)
        vcd_close(&trace_vcd);
    if (buf)
        sysdma_sim_buffer_free(p->sim, buf);
    if (a && sysdma_adapter_put(a) != SYSDMA_OK) {
        sysdma_channel_free(a); /* a pass that failed midway still holds it */
        sysdma_adapter_put(a);
    }
    if (sys)
        sysdma_system_destroy(sys);
    if (p && p->sim)
        sysdma_sim_destroy(p->sim);
    free(p);
    free(fifo);
    free(want);
    return bad ? 1 : 0;
}

/* ---- bench ------------------------------------------------------------------ */

/* Goals from the issues, by figure: kind 'r' = ratio at least, 'v' = value
 * at most, 'V' = value at least. */
static const struct goal {
    const char *bench;
    char kind;
    double target;
} goals[] = {
    {"emu.block_64k", 'r', 0.8},          {"emu.single_ns_per_byte", 'v', 5.0},
    {"core.roundtrip_null_ns", 'v', 100}, {"core.bounce_64k", 'r', 0.9},
    {"sb16.playback_x_realtime", 'V', 1000}, {"sg.build_1g_ns_per_page", 'v', 5.0},
    {"sg.build_1g_vs_1m", 'v', 1.2},
    {"verifier.overhead", 'v', 3.0},      {"core.roundtrip_null_locks", 'v', 15},
    {"emu.lint_overhead", 'v', 1.5},
};

/* The number after "key": in one JSON line; false when the key is absent. */
static bool json_num(const char *line, const char *key, double *out)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(line, pat);
    if (!p)
        return false;
    *out = strtod(p + strlen(pat), NULL);
    return true;
}

static bool json_str(const char *line, const char *key, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = strstr(line, pat);
    if (!p)
        return false;
    p += strlen(pat);
    size_t n = 0;
    while (p[n] && p[n] != '"' && n + 1 < cap) {
        out[n] = p[n];
        n++;
    }
    out[n] = 0;
    return true;
}

/* Start `path` --json [--quick] with its stdout on a pipe (its stderr is
 * ours, so a failing benchmark's message shows). NULL when it cannot run. */
static FILE *bench_start(const char *path, bool quick, pid_t *pid)
{
    int fd[2];
    if (pipe(fd) != 0)
        return NULL;
    fflush(stdout);
    *pid = fork();
    if (*pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return NULL;
    }
    if (*pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        char *args[] = {(char *)path, "--json", quick ? "--quick" : NULL, NULL};
        execv(path, args);
        fprintf(stderr, "sysdma bench: cannot run %s\n", path);
        _exit(127);
    }
    close(fd[1]);
    FILE *f = fdopen(fd[0], "r");
    if (!f) {
        close(fd[0]);
        while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    return f;
}

/* Wait for a benchmark program: true when it exited with status 0; else
 * says why on stderr. */
static bool bench_finish(const char *name, pid_t pid)
{
    int status = 0;
    pid_t got;
    while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        ;
    if (got < 0) {
        fprintf(stderr, "sysdma bench: %s: lost track of it\n", name);
        return false;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    if (WIFEXITED(status))
        fprintf(stderr, "sysdma bench: %s failed (exit status %d)\n", name, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        fprintf(stderr, "sysdma bench: %s failed (killed by signal %d)\n", name, WTERMSIG(status));
    else
        fprintf(stderr, "sysdma bench: %s failed\n", name);
    return false;
}

static int cmd_bench(int argc, char **argv, const char *self)
{
    bool json = false, quick = false;
    const char *from = NULL;
    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--json") == 0)
            json = true;
        else if (strcmp(argv[k], "--quick") == 0)
            quick = true;
        else if (strcmp(argv[k], "--dir") == 0 && k + 1 < argc)
            from = argv[++k];
        else if (strcmp(argv[k], "--help") == 0) {
            puts("usage: sysdma bench [--json] [--quick] [--dir DIR]\n"
                 "Runs every benchmark program (bench/bench_* next to this tool, or in DIR) and\n"
                 "prints a table of figures, ratios against their same-run baselines, and goals;\n"
                 "--json prints the benchmarks' JSON lines exactly; --quick repeats less.\n"
                 "A program that fails (non-zero exit, or killed) fails the run: exit status 1,\n"
                 "its name on stderr and no summary line; the other programs still run.\n"
                 "Goals are reported, never enforced.");
            return 0;
        } else {
            fprintf(stderr, "sysdma bench: unknown option '%s'\n", argv[k]);
            return 2;
        }
    }
    /* The benchmarks live in bench/ beside the tool's own file. */
    char dir[PATH_MAX];
    if (from) {
        snprintf(dir, sizeof dir, "%s/", from);
    } else {
        snprintf(dir, sizeof dir, "%s", self);
        char *slash = strrchr(dir, '/');
        if (slash)
            slash[1] = 0;
        else
            snprintf(dir, sizeof dir, "./");
        strncat(dir, "bench/", sizeof dir - strlen(dir) - 1);
    }
    static const char *programs[] = {"bench_emu", "bench_core", "bench_sg", "bench_fdc",
                                     "bench_sb16"};
    int ran = 0, missed = 0, failed = 0;
    if (!json)
        printf("%-26s %12s %-10s %8s  %s\n", "figure", "value", "unit", "ratio", "goal");
    for (size_t k = 0; k < sizeof programs / sizeof programs[0]; k++) {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s%s", dir, programs[k]);
        if (access(path, X_OK) != 0)
            continue; /* not built */
        pid_t pid;
        FILE *f = bench_start(path, quick, &pid);
        if (!f) {
            fprintf(stderr, "sysdma bench: cannot start %s\n", path);
            failed++;
            continue;
        }
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (line[0] != '{')
                continue;
            ran++;
            if (json) {
                fputs(line, stdout);
                continue;
            }
            char name[64] = "?", unit[32] = "";
            double value = 0, ratio = 0;
            json_str(line, "bench", name, sizeof name);
            json_str(line, "unit", unit, sizeof unit);
            json_num(line, "value", &value);
            bool has_ratio = json_num(line, "ratio", &ratio);
            char goal[48] = "";
            for (size_t g = 0; g < sizeof goals / sizeof goals[0]; g++) {
                if (strcmp(goals[g].bench, name) != 0)
                    continue;
                bool ok = goals[g].kind == 'r'   ? has_ratio && ratio >= goals[g].target
                          : goals[g].kind == 'v' ? value <= goals[g].target
                                                 : value >= goals[g].target;
                snprintf(goal, sizeof goal, "%s %s %g: %s", goals[g].kind == 'r' ? "ratio" : "value",
                         goals[g].kind == 'v' ? "<=" : ">=", goals[g].target, ok ? "met" : "MISSED");
                missed += !ok;
            }
            char r[16] = "";
            if (has_ratio)
                snprintf(r, sizeof r, "%.3f", ratio);
            printf("%-26s %12.4g %-10s %8s  %s\n", name, value, unit, r, goal);
            fflush(stdout);
        }
        fclose(f);
        failed += !bench_finish(programs[k], pid);
    }
    if (failed) {
        fprintf(stderr, "sysdma bench: %d benchmark program(s) failed\n", failed);
        return 1;
    }
    if (!ran) {
        fprintf(stderr, "sysdma bench: no benchmark programs found in %s\n", dir);
        return 1;
    }
    if (!json)
        printf("\n%d figures, %d goal(s) missed\n", ran, missed);
    return 0;
}

/* ---- dispatch ------------------------------------------------------------- */

typedef struct command {
    const char *name;
    const char *summary;
    int (*fn)(int argc, char **argv);
} command;

static const char *self_path = "sysdma";

static int cmd_bench_entry(int argc, char **argv)
{
    return cmd_bench(argc, argv, self_path);
}

static const command commands[] = {
    {"emu-demo", "drive the emulated 8237A pair through port I/O and check the result",
     cmd_emu_demo},
    {"emu-probe", "run the 8237 register probe on the emulated pair", cmd_emu_probe},
    {"emu-probe-fdc", "run the floppy command probe on the emulated controller", cmd_emu_probe_fdc},
    {"packet-demo", "a driver's packet-based DMA through the core on the simulated PC",
     cmd_packet_demo},
    {"demo", "floppy, SB16 and scatter/gather at once on the simulated PC, verified",
     cmd_demo},
    {"bench", "run every benchmark: figures, same-run ratios and goals", cmd_bench_entry},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: sysdma <command> [options]\n\ncommands:\n");
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        fprintf(f, "  %-12s %s\n", commands[k].name, commands[k].summary);
    fprintf(f, "\n  --version  print the version\n  --help     this text\n"
               "'sysdma <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    self_path = argv[0];
    if (strcmp(argv[1], "--version") == 0) {
        puts("sysdma " SYSDMA_TOOL_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (strcmp(argv[1], commands[k].name) == 0)
            return commands[k].fn(argc - 1, argv + 1);
    fprintf(stderr, "sysdma: unknown command '%s' (try 'sysdma --help')\n", argv[1]);
    return 2;
}
