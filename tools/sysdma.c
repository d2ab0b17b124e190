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
    quiet = false;
    bool lint = false;
    const cli_option opts[] = {
        CLI_OPT_FLAG("--quiet", "-q", &quiet, "leave out the port writes"),
        CLI_OPT_FLAG("--lint", NULL, &lint,
                     "the hardware lint: print what it finds (the window wrap of step 2 and "
                     "the memory-to-memory copy of step 4 work here but not on a real PC)"),
    };
    const cli_spec spec = {
        "emu-demo", NULL, 0, 0, NULL,
        "Drives the emulated 8237A pair through port I/O as an OS would:\n"
        "an 8-bit single-mode read into memory on channel 2, a 16-bit\n"
        "block transfer across a 128 KiB window edge on channel 5, an\n"
        "auto-initialize loop on channel 1 followed by residue reads,\n"
        "and a memory-to-memory copy on DMA1. Every byte is checked.",
        opts, sizeof opts / sizeof opts[0]};
    int rc = cli_parse(&spec, argc, argv);
    if (rc >= 0)
        return rc;
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
    const cli_spec spec = {
        "emu-probe", NULL, 0, 0, NULL,
        "Runs the register-level 8237 probe (tests/conformance) against the\n"
        "emulated pair and prints one line per value read. The bare-metal\n"
        "kernel prints the same lines for a real or QEMU's controller.",
        NULL, 0};
    int rc = cli_parse(&spec, argc, argv);
    if (rc >= 0)
        return rc;
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
    const char *path = NULL;
    const cli_spec spec = {
        "emu-probe-fdc", "IMAGE", 1, 1, &path,
        "Runs the floppy-controller command probe (tests/conformance) against the\n"
        "emulated controller and 8237 pair with IMAGE (1.44 MiB) in drive 0, and prints\n"
        "one line per result; the bare-metal kernel prints the same for QEMU's.",
        NULL, 0};
    int rc = cli_parse(&spec, argc, argv);
    if (rc >= 0)
        return rc;
    FILE *f = fopen(path, "rb");
    static uint8_t image[1474560];
    if (!f || fread(image, 1, sizeof image, f) != sizeof image) {
        fprintf(stderr, "sysdma emu-probe-fdc: cannot read a 1.44 MiB image from %s\n", path);
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

/* ---- dispatch ------------------------------------------------------------- */

typedef struct command {
    const char *name;
    const char *summary;
    int (*fn)(int argc, char **argv);
} command;

const char *tool_argv0 = "sysdma";

static const command commands[] = {
    {"emu-demo", "drive the emulated 8237A pair through port I/O and check the result",
     cmd_emu_demo},
    {"emu-probe", "run the 8237 register probe on the emulated pair", cmd_emu_probe},
    {"emu-probe-fdc", "run the floppy command probe on the emulated controller", cmd_emu_probe_fdc},
    {"emu-probe-pl080", "run the PL080 register probe on the emulated PL080", cmd_emu_probe_pl080},
    {"packet-demo", "a driver's packet-based DMA through the core on the simulated PC",
     cmd_packet_demo},
    {"demo", "floppy, SB16 and scatter/gather at once on the simulated PC, verified",
     cmd_demo},
    {"bench", "run every benchmark: figures, same-run ratios and goals", cmd_bench},
    {"wdk-run", "run a Windows-model driver (sysdma-wdk) on the simulated PC, verified",
     cmd_wdk_run},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: sysdma COMMAND [options]\n       sysdma help [COMMAND]\n\ncommands:\n");
    for (size_t k = 0; k < NCOMMANDS; k++)
        fprintf(f, "  %-14s %s\n", commands[k].name, commands[k].summary);
    fprintf(f, "  %-14s %s\n", "help [COMMAND]", "this text, or a command's options");
    fprintf(f, "\n  --version      print the version\n  --help         this text\n"
               "\nExit status: 0 success, 1 failure (a check or a write), 2 usage error.\n");
}

static const command *find_command(const char *name)
{
    for (size_t k = 0; k < NCOMMANDS; k++)
        if (strcmp(name, commands[k].name) == 0)
            return &commands[k];
    return NULL;
}

static int unknown_command(const char *name)
{
    fprintf(stderr, "sysdma: unknown command '%s' (see 'sysdma help')\n", name);
    return 2;
}

/* `sysdma help [COMMAND]`: the list, or the command's own --help. */
static int cmd_help(int argc, char **argv)
{
    if (argc == 1) {
        usage(stdout);
        return 0;
    }
    if (argc > 2) {
        fprintf(stderr, "sysdma help: unexpected argument '%s' (see 'sysdma help')\n", argv[2]);
        return 2;
    }
    if (strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    const command *c = find_command(argv[1]);
    if (!c) {
        fprintf(stderr, "sysdma help: unknown command '%s' (see 'sysdma help')\n", argv[1]);
        return 2;
    }
    char *args[] = {(char *)c->name, "--help", NULL};
    return c->fn(2, args);
}

/* What went to stdout must have got there too: a report that could not be
 * written (a full disk, a closed pipe) is not a success. */
static int finish(int rc)
{
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "sysdma: writing standard output failed: %s\n",
                errno ? strerror(errno) : "write error");
        return rc == 0 ? 1 : rc;
    }
    return rc;
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--version") == 0) {
        if (argc > 2) {
            fprintf(stderr, "sysdma: --version: takes nothing after it (see 'sysdma help')\n");
            return 2;
        }
        puts("sysdma " SYSDMA_TOOL_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "help") == 0)
        return cmd_help(argc - 1, argv + 1);
    const command *c = find_command(argv[1]);
    if (!c) {
        if (argv[1][0] == '-') {
            fprintf(stderr, "sysdma: unknown option '%s' (see 'sysdma help')\n", argv[1]);
            return 2;
        }
        return unknown_command(argv[1]);
    }
    return c->fn(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
    if (argc > 0 && argv[0])
        tool_argv0 = argv[0];
    return finish(run(argc, argv));
}
