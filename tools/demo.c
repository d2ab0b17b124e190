/* SPDX-License-Identifier: MIT */
/*
 * `sysdma demo`: the three forms of system DMA side by side on one
 * simulated PC, with the DMA verifier on.
 *
 *   floppy  (channel 2)  packet-based: the example floppy driver writes
 *                        sectors of a disk image file and reads them back;
 *   sb16    (channel 5, or 1 for 8-bit)  common buffer, auto-initialize:
 *                        the example SB16 driver plays a tone; the card
 *                        writes what it plays to a WAV file;
 *   s/g     (channel 6)  scatter/gather: lists for a buffer of the chosen
 *                        placement run on the channel with the chained
 *                        runner, to a test device and back.
 *
 * The drivers are written as straight-line code that waits for their
 * interrupts. Each runs on its own host thread, but only one runs at a
 * time: a scheduler on the main thread hands the machine to whichever
 * driver's wait is over and otherwise advances simulated time in small
 * steps, so the run is deterministic for a seed and the drivers overlap
 * in simulated time exactly as they would on one CPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fdc.h"
#include "sb16.h"
#include "sysdma/ctrl_i8237.h"
#include "sysdma/emu_fdc.h"
#include "sysdma/emu_sb16.h"
#include "sysdma/emu_testdev.h"
#include "sysdma/emu_wav.h"
#include "sysdma/sysdma.h"
#include "sysdma/verifier.h"
#include "scheduler.h"
#include "timeline.h"
#include "tool.h"
#include "demo.h"

#define SG_PORT 0x330
#define STEP_NS 20000ull /* the scheduler's time step: 20 µs */

/* ---- the machine and the drivers' environments ------------------------------------------ */

static void on_dma_event(void *ctx, sysdma_emu_i8237_event ev, unsigned ch, uint32_t value)
{
    demo *d = ctx;
    if (ch < 8) {
        if (ev == SYSDMA_EMU_EV_DACK) {
            d->units[ch] += value;
            if (d->tl)
                timeline_units(d->tl, ch, value);
        } else if (ev == SYSDMA_EMU_EV_TC) {
            d->tcs[ch]++;
        }
    }
    if (d->trace.f)
        vcd_event(&d->trace, ev, ch, value);
}

/* The chained run's device (a streaming test device) raises no interrupt
 * per element, and a PC's 8237 raises none at terminal count: the run is
 * advanced by the polling fallback, from the machine's timer. */
static void poll_clock(void *ctx, uint64_t ns)
{
    (void)ns;
    demo *d = ctx;
    if (d->sys)
        (void)sysdma_channel_poll(d->sys);
}

static void fdc_irq(void *ctx, bool level)
{
    demo *d = ctx;
    if (level && !d->fdc_level)
        d->fdc_edges++;
    d->fdc_level = level;
}

static void sb_irq(void *ctx, unsigned irq, bool level)
{
    (void)irq;
    demo *d = ctx;
    if (level && !d->sb_level)
        d->sb_edges++;
    d->sb_level = level;
}

/* Each channel's statistics while its adapter exists (the drivers put
 * theirs when done). */
static void snap(demo *d)
{
    for (int k = 0; k < 3; k++) {
        sysdma_adapter *a = sysdma_system_channel_adapter(d->sys, d->channels[k]);
        if (a)
            sysdma_stats_get(d->sys, a, &d->stats[k]);
    }
}


static uint8_t fdc_in(void *ctx, uint16_t port) { return sysdma_emu_fdc_inb(&((demo *)ctx)->fdc, port); }
static void fdc_out(void *ctx, uint16_t port, uint8_t v) { sysdma_emu_fdc_outb(&((demo *)ctx)->fdc, port, v); }
static void fdc_clock(void *ctx, uint64_t ns) { sysdma_emu_fdc_advance(&((demo *)ctx)->fdc, ns); }
static uint8_t sb_in(void *ctx, uint16_t port) { return sysdma_emu_sb16_inb(&((demo *)ctx)->sb, port); }
static void sb_out(void *ctx, uint16_t port, uint8_t v) { sysdma_emu_sb16_outb(&((demo *)ctx)->sb, port, v); }
static void sb_clock(void *ctx, uint64_t ns) { sysdma_emu_sb16_advance(&((demo *)ctx)->sb, ns); }
static uint8_t sg_in(void *ctx, uint16_t port) { return sysdma_emu_testdev_inb(&((demo *)ctx)->sgdev, port); }
static void sg_out(void *ctx, uint16_t port, uint8_t v) { sysdma_emu_testdev_outb(&((demo *)ctx)->sgdev, port, v); }
static void sg_clock(void *ctx, uint64_t ns) { sysdma_emu_testdev_advance(&((demo *)ctx)->sgdev, ns); }

/* A driver's environment: port I/O and waits, through the scheduler. */
typedef struct env_ctx {
    demo *d;
    task *t;
    unsigned *edges;
    unsigned seen;
} env_ctx;

static uint8_t env_in(void *ctx, uint16_t port) { return sysdma_sim_inb(((env_ctx *)ctx)->d->sim, port); }
static void env_out(void *ctx, uint16_t port, uint8_t v) { sysdma_sim_outb(((env_ctx *)ctx)->d->sim, port, v); }

static bool env_irq_seen(void *ctx)
{
    env_ctx *e = ctx;
    return *e->edges != e->seen;
}

static bool env_wait(void *ctx, uint32_t timeout_us)
{
    env_ctx *e = ctx;
    bool ok = task_wait(e->t, env_irq_seen, e, (uint64_t)timeout_us * 1000);
    e->seen = *e->edges;
    return ok;
}

static void env_delay(void *ctx, uint32_t us)
{
    env_ctx *e = ctx;
    task_wait(e->t, NULL, NULL, (uint64_t)us * 1000);
}

/* ---- the three jobs ----------------------------------------------------------------------- */

static uint8_t sector_byte(uint32_t seed, uint32_t lba, uint32_t k)
{
    return (uint8_t)(lba * 7u + k * 13u + seed * 101u + 1u);
}

static int floppy_job(task *t)
{
    demo *d = t->ctx;
    env_ctx e = {d, t, &d->fdc_edges, d->fdc_edges};
    fdc_env env = {env_in, env_out, env_wait, env_delay, &e};
    fdc_driver drv;
    sysdma_status st = fdc_open(&drv, d->sys, &env, 0, DISK_BYTES);
    if (st != SYSDMA_OK) {
        snprintf(d->fdc_line, sizeof d->fdc_line, "open failed: %s", sysdma_strerror(st));
        return 1;
    }
    uint32_t n = d->fdc_sectors;
    uint32_t lba = 100 + d->seed % 2000;
    if (lba + n > DISK_BYTES / SECTOR)
        lba = DISK_BYTES / SECTOR - n;
    /* Driver buffers in the machine's memory (placed like the s/g one). */
    uint8_t *out = sysdma_sim_buffer_alloc(d->sim, (size_t)n * SECTOR, 0, d->placement);
    uint8_t *in = sysdma_sim_buffer_alloc(d->sim, (size_t)n * SECTOR, 0, d->placement);
    if (!out || !in) {
        snprintf(d->fdc_line, sizeof d->fdc_line, "no memory for the buffers");
        fdc_close(&drv);
        return 1;
    }
    for (uint32_t s = 0; s < n; s++)
        for (uint32_t k = 0; k < SECTOR; k++)
            out[s * SECTOR + k] = sector_byte(d->seed, lba + s, k);
    int bad = 1;
    st = fdc_write(&drv, lba, n, out);
    if (st == SYSDMA_OK)
        st = fdc_read(&drv, lba, n, in);
    if (st == SYSDMA_OK)
        bad = memcmp(in, out, (size_t)n * SECTOR) != 0;
    snprintf(d->fdc_line, sizeof d->fdc_line, "wrote %u sectors at LBA %u, read them back: %s", n,
             lba, st != SYSDMA_OK ? sysdma_strerror(st) : bad ? "MISMATCH" : "match");
    fdc_close(&drv);
    sysdma_sim_buffer_free(d->sim, out);
    sysdma_sim_buffer_free(d->sim, in);
    return bad;
}

typedef struct tone {
    sb16_format fmt;
    uint64_t frame;
} tone;

static uint32_t tone_source(void *ctx, uint8_t *buf, uint32_t bytes)
{
    tone *t = ctx;
    uint32_t fb = (t->fmt.bits / 8u) * t->fmt.channels;
    uint32_t frames = bytes / fb;
    for (uint32_t f = 0; f < frames; f++, t->frame++) {
        double v = sin(2.0 * M_PI * 440.0 * (double)t->frame / (double)t->fmt.rate) * 0.6;
        for (uint32_t c = 0; c < t->fmt.channels; c++) {
            uint8_t *p = buf + f * fb + c * (t->fmt.bits / 8u);
            if (t->fmt.bits == 16) {
                int16_t s = (int16_t)lrint(v * 32767.0);
                p[0] = (uint8_t)s;
                p[1] = (uint8_t)((uint16_t)s >> 8);
            } else {
                p[0] = (uint8_t)lrint(128.0 + v * 127.0);
            }
        }
    }
    return frames * fb;
}

static int sb16_job(task *t)
{
    demo *d = t->ctx;
    env_ctx e = {d, t, &d->sb_edges, d->sb_edges};
    sb16_env env = {env_in, env_out, env_wait, env_delay, &e};
    sb16_driver drv;
    int bad = 1;
    sysdma_status st = sb16_open(&drv, d->sys, &env, 0x220);
    tone src = {{22050, (uint8_t)d->sb16_bits, 2}, 0};
    sb16_stats stats = {0};
    uint32_t fb = (d->sb16_bits / 8u) * 2u;
    uint64_t total = (uint64_t)(d->seconds * 22050.0) * fb;
    if (st == SYSDMA_OK)
        st = sb16_play(&drv, &src.fmt, 8192, total, tone_source, &src, &stats);
    bad = st != SYSDMA_OK || stats.backwards != 0 || stats.position < total;
    snprintf(d->sb_line, sizeof d->sb_line,
             "%.2f s of a 440 Hz tone, %u-bit stereo 22050 Hz: %u half-buffer interrupts, "
             "%llu passes over the buffer, %u underruns: %s",
             d->seconds, d->sb16_bits, stats.blocks, (unsigned long long)stats.wraps,
             stats.underruns, st != SYSDMA_OK ? sysdma_strerror(st) : bad ? "FAILED" : "played");
    d->sb_done = true;
    return bad;
}

typedef struct sg_job {
    task *t;
    demo *d;
    sysdma_adapter *a;
    sysdma_sg_list *list;
    bool to_device, started, done;
    sysdma_status start_status, done_status;
    uint32_t length, fifo_offset;
} sg_job;

static void sg_done(sysdma_adapter *a, sysdma_sg_list *list, sysdma_status st, void *ctx)
{
    (void)a;
    (void)list;
    sg_job *j = ctx;
    j->done_status = st;
    j->done = true;
}

static void sg_start_device(demo *d, uint32_t len, bool to_device, uint32_t fifo_offset)
{
    d->sgdev.data = d->sg_fifo + fifo_offset;
    d->sgdev.cap = d->sg_bytes - fifo_offset;
    for (unsigned b = 0; b < 4; b++)
        sysdma_sim_outb(d->sim, (uint16_t)(SG_PORT + 1 + b), (uint8_t)(len >> (8 * b)));
    sysdma_sim_outb(d->sim, SG_PORT, to_device ? 0x82 : 0x81); /* streaming */
}

static void sg_ready(void *device, sysdma_sg_list *list, void *ctx)
{
    (void)device;
    sg_job *j = ctx;
    j->list = list;
    j->started = true;
    j->d->sg_lists++;
    j->d->sg_elements += list->count;
    j->start_status = sysdma_sg_start(j->a, list, j->to_device, sg_done, j);
    if (j->start_status == SYSDMA_OK)
        sg_start_device(j->d, j->length, j->to_device, j->fifo_offset);
}

static bool sg_is_done(void *ctx) { return ((sg_job *)ctx)->done; }
static bool sg_is_started(void *ctx) { return ((sg_job *)ctx)->started; }
static bool sb_finished(void *ctx) { return ((demo *)ctx)->sb_done; }

static int sg_job_run(task *t)
{
    demo *d = t->ctx;
    sysdma_device_description desc = {0};
    desc.version = 2;
    desc.scatter_gather = true;
    desc.channel = 6;
    desc.width = SYSDMA_WIDTH_16;
    desc.interface_type = SYSDMA_INTERFACE_ISA;
    desc.maximum_length = 65536;
    sysdma_adapter *a;
    sysdma_status st = sysdma_adapter_get(d->sys, &desc, &a, NULL);
    uint8_t *buf = sysdma_sim_buffer_alloc(d->sim, d->sg_bytes, 0, d->placement);
    sysdma_mdl *mdl = NULL;
    if (st != SYSDMA_OK || !buf || sysdma_mdl_create(d->sys, buf, d->sg_bytes, &mdl) != SYSDMA_OK) {
        snprintf(d->sg_line, sizeof d->sg_line, "set-up failed: %s",
                 st != SYSDMA_OK ? sysdma_strerror(st) : "no buffer");
        if (st == SYSDMA_OK)
            sysdma_adapter_put(a);
        return 1;
    }
    int bad = 0;
    const uint32_t piece = 65536;
    /* Passes until the tone is over (at least one): out to the device,
     * then back from it into the cleared buffer. */
    do {
        uint32_t pass = d->sg_passes++;
        for (uint32_t k = 0; k < d->sg_bytes; k++)
            buf[k] = (uint8_t)(k * 31u + pass * 7u + d->seed);
        for (int dir = 1; dir >= 0 && !bad; dir--) {
            if (!dir)
                memset(buf, 0, d->sg_bytes);
            for (uint32_t off = 0; off < d->sg_bytes && !bad; off += piece) {
                uint32_t len = d->sg_bytes - off < piece ? d->sg_bytes - off : piece;
                sg_job j = {t, d, a, NULL, dir == 1, false, false, SYSDMA_OK, SYSDMA_OK, len, off};
                st = sysdma_sg_get(a, d, mdl, buf + off, len, sg_ready, &j, j.to_device);
                if (st == SYSDMA_PENDING)
                    task_wait(t, sg_is_started, &j, 5000000000ull);
                else if (st != SYSDMA_OK)
                    bad = 1;
                if (!bad && (j.start_status != SYSDMA_OK ||
                             !task_wait(t, sg_is_done, &j, 5000000000ull) ||
                             j.done_status != SYSDMA_OK))
                    bad = 1;
                sysdma_sim_outb(d->sim, SG_PORT + 5, 0); /* acknowledge the device */
                if (j.list && sysdma_sg_put(a, j.list, j.to_device) != SYSDMA_OK)
                    bad = 1;
                d->sg_bytes_moved += len;
            }
        }
        for (uint32_t k = 0; k < d->sg_bytes && !bad; k++)
            bad = buf[k] != (uint8_t)(k * 31u + pass * 7u + d->seed) || d->sg_fifo[k] != buf[k];
        if (!bad && !d->sb_done)
            task_wait(t, sb_finished, d, 1000000); /* let time pass between passes: 1 ms */
    } while (!bad && !d->sb_done);
    snprintf(d->sg_line, sizeof d->sg_line,
             "%u passes of %u bytes (%s pages), out and back in 64 KiB lists: %llu lists, "
             "%llu elements: %s",
             d->sg_passes, d->sg_bytes,
             d->placement == SYSDMA_SIM_SCATTERED ? "scattered"
             : d->placement == SYSDMA_SIM_SCATTERED_LOW ? "scattered low"
             : d->placement == SYSDMA_SIM_SCATTERED_HIGH ? "scattered high"
             : d->placement == SYSDMA_SIM_HIGH ? "high" : "low",
             (unsigned long long)d->sg_lists, (unsigned long long)d->sg_elements,
             bad ? "FAILED" : "match");
    sysdma_mdl_free(d->sys, mdl);
    sysdma_sim_buffer_free(d->sim, buf);
    if (sysdma_adapter_put(a) != SYSDMA_OK)
        bad = 1;
    return bad;
}

/* ---- the command -------------------------------------------------------------------------- */

/* --lint: print each finding of the 8237 hardware lint as it happens. */
static void demo_lint(void *ctx, const sysdma_emu_lint_report *r)
{
    (void)ctx;
    printf("  lint: %s, channel %d, port 0x%02X, 0x%X/0x%X: %s\n", r->name, r->channel, r->port,
           r->value, r->detail, r->text);
}


int cmd_demo(int argc, char **argv)
{
    demo *d = calloc(1, sizeof *d);
    if (!d)
        return 1;
    d->image_path = "sysdma-demo.img";
    d->wav_path = "sysdma-demo.wav";
    d->seconds = 1.0;
    d->placement = SYSDMA_SIM_SCATTERED;
    d->seed = 1;
    d->sb16_bits = 16;
    d->verify = true;
    d->fdc_sectors = 36;
    d->sg_bytes = 256u << 10;
    d->image_fd = -1;
    static const char *const places[] = {"low", "high", "scattered", "scattered-low",
                                         "scattered-high", NULL};
    static const sysdma_sim_placement place_values[] = {
        SYSDMA_SIM_LOW, SYSDMA_SIM_HIGH, SYSDMA_SIM_SCATTERED, SYSDMA_SIM_SCATTERED_LOW,
        SYSDMA_SIM_SCATTERED_HIGH};
    int placement = 2; /* "scattered" */
    bool no_verifier = false;
    static const char *const widths[] = {"8", "16", NULL};
    int bits = 1;
    static const char *const machines[] = {"pc", "soc", NULL};
    int machine = 0;
    d->trace_mb = VCD_DEFAULT_LIMIT_MB;
    d->trace_opt = (vcd_options){0, UINT64_MAX, 0};
    const cli_option opts[] = {
        CLI_OPT_STRING("--image", &d->image_path, "FILE",
                       "the 1.44 MB disk image (default sysdma-demo.img)"),
        CLI_OPT_STRING("--wav", &d->wav_path, "FILE", "the WAV (default sysdma-demo.wav)"),
        CLI_OPT_DOUBLE("--seconds", &d->seconds, "S", 0.05, 60,
                       "the tone's length: 0.05 to 60 (default 1)"),
        CLI_OPT_U32("--seed", &d->seed, "N", 0, UINT32_MAX,
                    "the run's seed: 0 to 4294967295 (default 1)"),
        CLI_OPT_CHOICE("--placement", &placement, places,
                       "where the buffers' pages lie (default scattered)"),
        CLI_OPT_CHOICE("--sb16-bits", &bits, widths, "the sound's sample size (default 16)"),
        CLI_OPT_U32("--sectors", &d->fdc_sectors, "N", 1, 720,
                    "floppy sectors: 1 to 720 (default 36)"),
        CLI_OPT_STRING("--trace", &d->trace_path, "FILE.vcd", "write the 8237's lines as a VCD"),
        CLI_OPT_CUSTOM("--trace-window", &d->trace_opt, "FROM:TO", vcd_parse_window,
                       "trace only this span of simulated milliseconds"),
        CLI_OPT_U32("--trace-limit", &d->trace_mb, "MIB", 0, 1u << 20,
                    "stop the trace at this many MiB (default 64; 0: no limit)"),
        CLI_OPT_STRING("--timeline", &d->timeline_path, "FILE.svg",
                       "draw waits, ownership, transfers and pool use as SVG"),
        CLI_OPT_FLAG("--no-verifier", NULL, &no_verifier, "run without the DMA verifier"),
        CLI_OPT_CHOICE("--machine", &machine, machines,
                       "pc (default), or soc: the PL080 SoC (--seed, --seconds, --no-verifier)"),
        CLI_OPT_FLAG("--lint", NULL, &d->lint,
                     "the 8237's hardware lint: print each finding; any fails the run"),
    };
    const cli_spec spec = {
        "demo", NULL, 0, 0, NULL,
        "A simulated PC runs three drivers at once, with the DMA verifier on:\n"
        "  floppy (channel 2, packet-based) writes sectors of a 1.44 MB disk image\n"
        "    file and reads them back (the file is made, formatted, if missing);\n"
        "  sb16 (channel 5, or 1 with --sb16-bits 8; common buffer, auto-initialize)\n"
        "    plays a 440 Hz tone that the card writes to a WAV file, exactly as long\n"
        "    as asked;\n"
        "  s/g (channel 6, scatter/gather) sends a 256 KiB buffer of the chosen\n"
        "    placement to a test device and back in 64 KiB lists, chained at TC.\n"
        "Prints per-channel bytes, transfers, terminal counts and waits, map-register\n"
        "use, bytes bounced and verifier findings. --trace writes the 8237's lines as\n"
        "a VCD (GTKWave), only their changes, about 8 MB per simulated second; it\n"
        "stops at --trace-limit, and --trace-window keeps a span of the run. --timeline\n"
        "draws waits, channel ownership, transfers and pool use over simulated time\n"
        "as SVG. Every file is opened before the run and every write is checked.\n"
        "Exit status: 0 all checks passed and every file written, 1 a check or a\n"
        "write failed, 2 usage.",
        opts, sizeof opts / sizeof opts[0]};
    int rc = cli_parse(&spec, argc, argv);
    if (rc >= 0) {
        free(d);
        return rc;
    }
    if (machine == 1) {
        uint32_t seed = d->seed;
        double seconds = d->seconds;
        free(d);
        return demo_soc(seed, seconds, !no_verifier);
    }
    d->sb16_bits = bits == 0 ? 8 : 16;
    d->placement = place_values[placement];
    d->verify = !no_verifier;

    int bad = 1;
    double host0 = tool_host_now();
    sysdma_sim_config sc = {.ram_bytes = 64u << 20, .seed = d->seed, .dma_units_per_us = 2};
    if (sysdma_sim_create(&sc, &d->sim) != SYSDMA_OK) {
        fprintf(stderr, "sysdma demo: out of memory\n");
        free(d);
        return 1;
    }
    sched_init(d->sim);
    if (d->lint)
        sysdma_sim_set_lint(d->sim, true, demo_lint, d);
    if (!demo_open_outputs(d))
        goto out;
    sysdma_sim_platform(d->sim, &d->pf, NULL);
    sysdma_i8237_driver_init(&d->drv, &d->pf, &d->ctrl);
    /* One pool chunk: the drivers contend for map registers now and then. */
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 32};
    if (sysdma_system_create(&d->pf, &d->ctrl, &cfg, &d->sys) != SYSDMA_OK)
        goto out;
    if (d->verify && sysdma_verifier_enable(d->sys, NULL) != SYSDMA_OK)
        goto out;
    /* devices */
    sysdma_emu_i8237 *dma = sysdma_sim_dma(d->sim);
    d->sg_fifo = calloc(1, d->sg_bytes);
    sysdma_emu_sb16_config sbc = {0x220, 1, 5, 5, sb_irq, demo_sb_play, NULL, d};
    if (!d->sg_fifo || !sysdma_emu_fdc_init(&d->fdc, dma, 2, fdc_irq, d) ||
        !sysdma_emu_fdc_insert(&d->fdc, 0, d->image, DISK_BYTES, false) ||
        !sysdma_emu_sb16_init(&d->sb, dma, &sbc) ||
        !sysdma_emu_testdev_init(&d->sgdev, dma, 6, SG_PORT, d->sg_fifo, d->sg_bytes, 400, NULL,
                                 NULL))
        goto out;
    sysdma_sim_add_ports(d->sim, 0x3F0, 0x3F5, fdc_in, fdc_out, d);
    sysdma_sim_add_ports(d->sim, 0x3F7, 0x3F7, fdc_in, fdc_out, d);
    sysdma_sim_add_ports(d->sim, 0x220, 0x22F, sb_in, sb_out, d);
    sysdma_sim_add_ports(d->sim, SG_PORT, SG_PORT + 7, sg_in, sg_out, d);
    sysdma_sim_add_clock(d->sim, fdc_clock, d);
    sysdma_sim_add_clock(d->sim, sb_clock, d);
    sysdma_sim_add_clock(d->sim, sg_clock, d);
    sysdma_sim_add_clock(d->sim, poll_clock, d);
    unsigned sb_channel = d->sb16_bits == 16 ? 5 : 1;
    d->channels[0] = 2;
    d->channels[1] = sb_channel;
    d->channels[2] = 6;
    static const char *labels[3] = {"ch 2 floppy", "ch %u sb16", "ch 6 s/g"};
    if (d->timeline_path) {
        d->tl = timeline_new();
        char label[32];
        for (int k = 0; k < 3; k++) {
            snprintf(label, sizeof label, labels[k], sb_channel);
            timeline_add_row(d->tl, d->channels[k], label);
        }
    }
    sysdma_emu_i8237_set_event_hook(dma, on_dma_event, d);

    /* the three drivers */
    task tasks[3] = {
        {.name = "floppy", .id = 0, .body = floppy_job, .ctx = d},
        {.name = "sb16", .id = 1, .body = sb16_job, .ctx = d},
        {.name = "s/g", .id = 2, .body = sg_job_run, .ctx = d},
    };
    for (int k = 0; k < 3; k++)
        sched_start(&tasks[k]);
    uint64_t limit = (uint64_t)((d->seconds + 30.0) * 1e9);
    bool timed_out = false;
    for (;;) {
        uint64_t now = sysdma_sim_now_ns(d->sim);
        bool all_done = true, ran = false;
        uint64_t next = now + STEP_NS;
        for (int k = 0; k < 3; k++) {
            if (tasks[k].state == T_DONE)
                continue;
            all_done = false;
            if (task_runnable(&tasks[k], now)) {
                task_run(&tasks[k]);
                snap(d);
                ran = true;
            } else if (tasks[k].state == T_WAITING && tasks[k].deadline < next) {
                next = tasks[k].deadline;
            }
        }
        if (all_done)
            break;
        if (ran)
            continue;
        if (now > limit) {
            timed_out = true; /* a driver waits for ever: stop it here */
            break;
        }
        sysdma_sim_run(d->sim, next > now ? next - now : 1);
        snap(d);
        if (d->tl) {
            bool state[3][TIMELINE_KINDS] = {{false}};
            for (int k = 0; k < 3; k++) {
                sysdma_adapter_state as;
                sysdma_adapter_state_get(sysdma_system_channel_adapter(d->sys, d->channels[k]), &as);
                state[k][TIMELINE_WAITING] = as.waiting || as.lists_waiting;
                state[k][TIMELINE_HELD] = as.channel_held || as.list_running || as.mapped;
            }
            sysdma_stats ps;
            sysdma_stats_get(d->sys, NULL, &ps);
            timeline_sample(d->tl, sysdma_sim_now_ns(d->sim), (const bool(*)[TIMELINE_KINDS])state,
                            ps.pool_in_use, ps.pool_pages);
        }
        tool_progress("sysdma demo", (double)now / (d->seconds * 1e9));
    }
    tool_progress_done();
    if (timed_out) {
        fprintf(stderr, "sysdma demo: a driver did not finish in %.0f s of simulated time\n",
                (double)limit / 1e9);
        _exit(1); /* its thread still waits for the machine */
    }
    bad = 0;
    for (int k = 0; k < 3; k++) {
        pthread_join(tasks[k].thread, NULL);
        bad |= tasks[k].result;
    }
    sysdma_emu_i8237_set_event_hook(dma, NULL, NULL);

    /* the report */
    uint64_t sim_ns = sysdma_sim_now_ns(d->sim);
    printf("sysdma demo: simulated PC (64 MiB RAM, emulated 8237A pair), seed %u, DMA verifier %s\n\n",
           d->seed, d->verify ? "on" : "off");
    printf("  floppy  ch 2  packet-based         %s\n", d->fdc_line);
    printf("  sb16    ch %u  common buffer, auto  %s\n", sb_channel, d->sb_line);
    printf("  s/g     ch 6  scatter/gather       %s\n\n", d->sg_line);
    printf("  channel  bytes       transfers  terminal-counts  waits\n");
    for (int k = 0; k < 3; k++) {
        unsigned ch = d->channels[k];
        const sysdma_stats st = d->stats[k];
        printf("  %-7u  %-10llu  %-9llu  %-15llu  %llu\n", ch,
               (unsigned long long)(d->units[ch] * (ch >= 4 ? 2u : 1u)),
               (unsigned long long)st.transfers, (unsigned long long)d->tcs[ch],
               (unsigned long long)st.deferred);
    }
    sysdma_stats all;
    sysdma_stats_get(d->sys, NULL, &all);
    printf("\n  map registers: pool %u pages, high-water %u, bytes bounced %llu (%llu bounced "
           "transfers)\n",
           all.pool_pages, all.pool_high_water, (unsigned long long)all.bytes_bounced,
           (unsigned long long)all.bounced_transfers);
    if (d->verify) {
        uint64_t findings = sysdma_verifier_reports(d->sys, SYSDMA_VCHECK_COUNT);
        printf("  verifier: %llu findings\n", (unsigned long long)findings);
        bad |= findings != 0;
    }
    if (d->lint) {
        uint64_t findings = sysdma_sim_lint_reports(d->sim);
        printf("  hardware lint: %llu findings\n", (unsigned long long)findings);
        bad |= findings != 0;
    }
    printf("  simulated time %.3f s, host time %.2f s\n", (double)sim_ns / 1e9,
           tool_host_now() - host0);
    /* The files: written and closed, and every write checked, before the verdict. */
    if (d->tl) {
        char title[96];
        snprintf(title, sizeof title, "sysdma demo, seed %u: three drivers on one 8237A pair",
                 d->seed);
        timeline_write_svg(d->tl, d->timeline_file, title);
    }
    bool trace_cut = d->trace.cut;
    uint64_t trace_cut_ns = d->trace.cut_ns, wav_bytes = d->wav.data_bytes;
    bool written = demo_close_outputs(d);
    if (d->wav_format_differs) {
        fprintf(stderr, "sysdma demo: the card played another format than the WAV's\n");
        written = false;
    } else if (wav_bytes != d->wav_limit) {
        fprintf(stderr, "sysdma demo: %s holds %llu bytes of sound, not the %llu asked for\n",
                d->wav_path, (unsigned long long)wav_bytes, (unsigned long long)d->wav_limit);
        written = false;
    }
    uint32_t fb = (d->sb16_bits / 8u) * 2u;
    printf("  disk image: %s\n  wav: %s (%.3f s)\n", d->image_path, d->wav_path,
           (double)wav_bytes / fb / 22050.0);
    if (d->trace_path) {
        if (trace_cut) {
            printf("  trace: %s (stopped at %.3f ms: --trace-limit %u MiB reached)\n",
                   d->trace_path, (double)trace_cut_ns / 1e6, d->trace_mb);
            fprintf(stderr, "sysdma demo: warning: the trace stops at %.3f ms of simulated time "
                            "(--trace-limit %u MiB)\n", (double)trace_cut_ns / 1e6, d->trace_mb);
        } else {
            printf("  trace: %s\n", d->trace_path);
        }
    }
    if (d->timeline_path)
        printf("  timeline: %s\n", d->timeline_path);
    if (!written) {
        printf("  files: a write FAILED (see above)\n");
        bad = 1;
    }
    if (sysdma_system_destroy(d->sys) != SYSDMA_OK)
        bad = 1;
    d->sys = NULL;
    printf("\n%s\n", bad ? "FAILED" : "all checks passed");
out:
    if (!demo_close_outputs(d))
        bad = 1;
    timeline_free(d->tl);
    if (d->sys && sysdma_system_destroy(d->sys) != SYSDMA_OK)
        bad = 1;
    sysdma_sim_destroy(d->sim);
    free(d->sg_fifo);
    free(d);
    return bad ? 1 : 0;
}
