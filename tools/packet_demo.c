/* SPDX-License-Identifier: MIT */
/*
 * `sysdma packet-demo`: one driver's packet-based system DMA through the
 * core, the 8237 driver and the emulated 8237A pair on the simulated PC.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "sysdma/ctrl_i8237.h"
#include "sysdma/emu_testdev.h"
#include "sysdma/sim.h"
#include "sysdma/sysdma.h"
#include "sysdma/verifier.h"
#include "tool.h"

/* ---- packet-demo ------------------------------------------------------------ */

/*
 * A driver's packet-based transfer (docs/design.md), on the simulated
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

static bool quiet;

/* Plural-aware "N byte(s)". */
static const char *bytes_word(uint64_t n)
{
    return n == 1 ? "byte" : "bytes";
}

/* One pass over the buffer: AllocateAdapterChannel, then per piece
 * MapTransfer, the device moves it, FlushAdapterBuffers; then
 * FreeAdapterChannel. 0 when every call succeeded. */
static int pd_pass(pd_state *p, sysdma_system *sys, sysdma_adapter *a, uint32_t nregs,
                   uint8_t *buf, uint32_t len, bool to_device, uint8_t *fifo)
{
    const char *title = to_device ? "write: memory -> device" : "read: device -> memory";
    if (!quiet)
        printf("\n%s\n", title);
    sysdma_mdl *mdl;
    if (sysdma_mdl_create(sys, buf, len, &mdl) != SYSDMA_OK) {
        fprintf(stderr, "sysdma packet-demo: no MDL for the buffer\n");
        return 1;
    }
    sysdma_flush_io_buffers(sys, mdl, !to_device);
    p->granted = false;
    sysdma_status st = sysdma_channel_allocate(a, &p->dev, nregs, pd_grant, p);
    if (!quiet)
        printf("  AllocateAdapterChannel(%u map registers): %s, AdapterControl %s\n", nregs,
               sysdma_status_name(st), p->granted ? "ran inside the call" : "pending");
    if (!p->granted) {
        fprintf(stderr, "sysdma packet-demo: AllocateAdapterChannel: %s\n", sysdma_strerror(st));
        sysdma_mdl_free(sys, mdl);
        return 1;
    }
    uint32_t max_piece = nregs * SYSDMA_PAGE_SIZE;
    if (max_piece > sysdma_adapter_max_transfer(a))
        max_piece = sysdma_adapter_max_transfer(a);
    unsigned ch = sysdma_adapter_channel(a);
    uint16_t base = (uint16_t)(0x300 + 8 * ch);
    unsigned pieces = 0, bounced = 0;
    int bad = 0;
    for (uint32_t done = 0; done < len && !bad;) {
        uint32_t piece = len - done < max_piece ? len - done : max_piece;
        uint64_t logical = 0, phys = 0;
        sysdma_sim_virt_to_phys(p->sim, buf + done, &phys);
        st = sysdma_map_transfer(a, mdl, p->regs, buf + done, &piece, to_device, &logical);
        if (st != SYSDMA_OK) {
            fprintf(stderr, "sysdma packet-demo: MapTransfer: %s\n", sysdma_strerror(st));
            bad = 1;
            break;
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
        pieces++;
        bounced += logical != phys;
        if (!quiet)
            printf("  piece of %u %s at phys 0x%08llx: %s, controller at 0x%06llx, %llu us, "
                   "residue %u, flush %s\n",
                   piece, bytes_word(piece), (unsigned long long)phys,
                   logical == phys ? "direct" : "bounced", (unsigned long long)logical,
                   (unsigned long long)((sysdma_sim_now_ns(p->sim) - t0) / 1000), residue,
                   sysdma_status_name(st));
        if (st != SYSDMA_OK) {
            fprintf(stderr, "sysdma packet-demo: FlushAdapterBuffers: %s\n", sysdma_strerror(st));
            bad = 1;
        }
        done += piece;
    }
    st = sysdma_channel_free(a);
    sysdma_mdl_free(sys, mdl);
    if (st != SYSDMA_OK) {
        fprintf(stderr, "sysdma packet-demo: FreeAdapterChannel: %s\n", sysdma_strerror(st));
        bad = 1;
    }
    if (quiet)
        printf("%s: %u %s (%u bounced)%s\n", title, pieces, pieces == 1 ? "piece" : "pieces",
               bounced, bad ? ": FAILED" : "");
    return bad;
}

static const char *const places[] = {"low", "high", "scattered", "scattered-low", "straddle64k",
                                      "straddle128k", "scattered-high", NULL};
static const sysdma_sim_placement place_values[] = {
    SYSDMA_SIM_LOW,         SYSDMA_SIM_HIGH,          SYSDMA_SIM_SCATTERED,
    SYSDMA_SIM_SCATTERED_LOW, SYSDMA_SIM_STRADDLE_64K, SYSDMA_SIM_STRADDLE_128K,
    SYSDMA_SIM_SCATTERED_HIGH};

int cmd_packet_demo(int argc, char **argv)
{
    uint32_t len = 100000, channel = 2, trace_mb = VCD_DEFAULT_LIMIT_MB;
    const char *trace = NULL;
    bool no_verifier = false;
    int how = 2; /* "scattered" */
    vcd_options topt = {0, UINT64_MAX, 0};
    quiet = false;
    const cli_option opts[] = {
        CLI_OPT_U32("--bytes", &len, "N", 1, 16u << 20,
                    "the buffer's size: 1 to 16777216, even on channels 5-7 (default 100000)"),
        CLI_OPT_U32("--channel", &channel, "N", 0, 7, "the DMA channel: 0-3 or 5-7 (default 2)"),
        CLI_OPT_CHOICE("--placement", &how, places, "where the buffer's pages lie (default scattered)"),
        CLI_OPT_STRING("--trace", &trace, "FILE.vcd", "write the 8237's lines as a VCD"),
        CLI_OPT_CUSTOM("--trace-window", &topt, "FROM:TO", vcd_parse_window,
                       "trace only this span of simulated milliseconds"),
        CLI_OPT_U32("--trace-limit", &trace_mb, "MIB", 0, 1u << 20,
                    "stop the trace at this many MiB (default 64; 0: no limit)"),
        CLI_OPT_FLAG("--quiet", "-q", &quiet, "one line per pass instead of one per piece"),
        CLI_OPT_FLAG("--no-verifier", NULL, &no_verifier, "run without the DMA verifier"),
    };
    const cli_spec spec = {
        "packet-demo", NULL, 0, 0, NULL,
        "A driver moves a buffer to a test device and back with packet-based system DMA\n"
        "on the simulated PC: sysdma core -> 8237 driver -> emulated 8237A pair. Each\n"
        "piece is shown direct or bounced through map registers; every byte is checked.\n"
        "--trace writes the 8237's DREQ/DACK/TC/mask lines and unit counters per\n"
        "channel, in simulated time, as a Value Change Dump (GTKWave opens it); the\n"
        "file is opened before the run and every write is checked.\n"
        "The DMA verifier checks every call (reports go to stderr) unless --no-verifier.\n"
        "Exit status: 0 all checks passed, 1 a check or a write failed, 2 usage.",
        opts, sizeof opts / sizeof opts[0]};
    int rc = cli_parse(&spec, argc, argv);
    if (rc >= 0)
        return rc;
    bool verify = !no_verifier;
    bool wide = channel >= 4;
    if (channel == 4)
        return cli_usage_error("packet-demo", "--channel", "4 is the cascade; use 0-3 or 5-7");
    if (wide && len % 2)
        return cli_usage_error("packet-demo", "--bytes", "must be even on channels 5-7");
    topt.limit_bytes = (uint64_t)trace_mb << 20;
    pd_state *p = calloc(1, sizeof *p);
    uint8_t *fifo = malloc(len), *want = malloc(len);
    sysdma_sim_config sc = {.ram_bytes = 64u << 20, .dma_units_per_us = 1};
    int bad = 1;
    sysdma_system *sys = NULL;
    sysdma_adapter *a = NULL;
    uint8_t *buf = NULL;
    vcd trace_vcd = {0};
    if (!p || !fifo || !want || sysdma_sim_create(&sc, &p->sim) != SYSDMA_OK) {
        fprintf(stderr, "sysdma packet-demo: out of memory\n");
        goto out;
    }
    /* The trace first: a file that cannot be written fails before the run. */
    if (trace && !vcd_open(&trace_vcd, "packet-demo", trace, p->sim, false, &topt))
        goto out;
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
    buf = sysdma_sim_buffer_alloc(p->sim, len, wide ? 2 : 1, place_values[how]);
    if (!buf) {
        fprintf(stderr, "sysdma packet-demo: no RAM for that buffer\n");
        goto out;
    }
    for (uint32_t k = 0; k < len; k++)
        buf[k] = want[k] = (uint8_t)(k * 37u + 11u);
    uint32_t piece_max = nregs * SYSDMA_PAGE_SIZE;
    if (piece_max > sysdma_adapter_max_transfer(a))
        piece_max = sysdma_adapter_max_transfer(a);
    printf("simulated PC: 64 MiB RAM, emulated 8237A pair; test device on channel %u (%s),\n"
           "paced at 2 bytes/us, DMA at 1 unit/us; adapter: %u map registers of %u bytes,\n"
           "so at most %u bytes per MapTransfer\n",
           channel, wide ? "16-bit" : "8-bit", nregs, (unsigned)SYSDMA_PAGE_SIZE, piece_max);
    printf("buffer: %u %s, %s placement\n", len, bytes_word(len), places[how]);
    bad = pd_pass(p, sys, a, nregs, buf, len, true, fifo);
    bad |= memcmp(fifo, want, len) != 0;
    memset(buf, 0, len);
    for (uint32_t k = 0; k < len; k++)
        fifo[k] = (uint8_t)(0xFFu ^ want[k]);
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
    if (trace) {
        bool cut = trace_vcd.cut;
        uint64_t cut_ns = trace_vcd.cut_ns;
        if (!vcd_close(&trace_vcd, "packet-demo")) {
            printf("trace: %s: write FAILED\n", trace);
            bad = 1;
        } else if (cut) {
            printf("trace: %s (stopped at %.3f ms: --trace-limit %u MiB reached)\n", trace,
                   (double)cut_ns / 1e6, trace_mb);
            fprintf(stderr, "sysdma packet-demo: warning: the trace stops at %.3f ms of simulated "
                            "time (--trace-limit %u MiB)\n", (double)cut_ns / 1e6, trace_mb);
        } else {
            printf("trace: %s\n", trace);
        }
    }
    printf("%s\n", bad ? "FAILED" : "all checks passed");
out:
    if (trace_vcd.f && !vcd_close(&trace_vcd, "packet-demo"))
        bad = 1;
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
