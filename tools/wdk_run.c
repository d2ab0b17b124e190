/* SPDX-License-Identifier: MIT */
/*
 * `sysdma wdk-run DRIVER.so`: load a Windows-model driver built against
 * the sysdma-wdk headers, run it on the simulated PC with the DMA verifier
 * on, drive it with a script of requests (sysdma-wdk/sysdma_wdk.h has the
 * language), and fail on any verifier report, scheduler hang, bug check,
 * wrong status or wrong data. --vcd and --svg draw the 8237's lines and a
 * timeline of the DMA channels, as `sysdma demo` does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sysdma-wdk/sysdma_wdk.h"
#include "timeline.h"
#include "tool.h"

static const unsigned channels[4] = {1, 2, 3, 5};

typedef struct wdk_tool {
    vcd trace;
    vcd_options trace_opt;
    const char *vcd_path, *svg_path, *sched_path;
    FILE *sched;
    timeline *tl;
    bool quiet;
} wdk_tool;

static void on_dma_event(void *ctx, sysdma_emu_i8237_event ev, unsigned ch, uint32_t value)
{
    wdk_tool *t = ctx;
    if (t->tl && ev == SYSDMA_EMU_EV_DACK)
        timeline_units(t->tl, ch, value);
    if (t->trace.f)
        vcd_event(&t->trace, ev, ch, value);
}

static void on_machine(void *ctx, sysdma_sim *sim, sysdma_system *sys)
{
    (void)sys;
    wdk_tool *t = ctx;
    if (t->vcd_path && !vcd_open(&t->trace, "wdk-run", t->vcd_path, sim, true, &t->trace_opt))
        t->vcd_path = NULL;
    sysdma_emu_i8237_set_event_hook(sysdma_sim_dma(sim), on_dma_event, t);
}

static void on_tick(void *ctx, sysdma_sim *sim, sysdma_system *sys)
{
    wdk_tool *t = ctx;
    if (!t->tl)
        return;
    bool state[4][TIMELINE_KINDS] = {{false}};
    for (int k = 0; k < 4; k++) {
        sysdma_adapter_state as;
        sysdma_adapter *a = sysdma_system_channel_adapter(sys, channels[k]);
        if (a) {
            sysdma_adapter_state_get(a, &as);
            state[k][TIMELINE_WAITING] = as.waiting || as.lists_waiting;
            state[k][TIMELINE_HELD] = as.channel_held || as.list_running || as.mapped;
        }
    }
    sysdma_stats ps;
    sysdma_stats_get(sys, NULL, &ps);
    timeline_sample(t->tl, sysdma_sim_now_ns(sim), (const bool(*)[TIMELINE_KINDS])state,
                    ps.pool_in_use, ps.pool_pages);
}

static void on_log(void *ctx, const char *line)
{
    wdk_tool *t = ctx;
    if (!t->quiet || !strncmp(line, "sysdma-wdk:", 11))
        fprintf(stderr, "%s\n", line);
}

static void on_sched(void *ctx, const char *line)
{
    wdk_tool *t = ctx;
    if (t->sched)
        fprintf(t->sched, "%s\n", line);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    for (size_t got; s && (got = fread(s + len, 1, cap - len - 1, f)) > 0;) {
        len += got;
        if (len + 1 == cap) {
            char *s2 = realloc(s, cap *= 2);
            if (!s2) {
                free(s);
                s = NULL;
            }
            s = s2;
        }
    }
    fclose(f);
    if (s)
        s[len] = 0;
    return s;
}

int cmd_wdk_run(int argc, char **argv)
{
    wdk_tool t;
    memset(&t, 0, sizeof t);
    t.trace_opt = (vcd_options){0, UINT64_MAX, (uint64_t)VCD_DEFAULT_LIMIT_MB << 20};
    const char *driver = NULL, *script_path = NULL, *inline_script = NULL;
    sysdma_wdk_config cfg;
    memset(&cfg, 0, sizeof cfg);
    uint32_t seed = 1, hang_ms = 5000;
    bool no_verifier = false;
    static const char *const pnp[] = {"floppy", "sb16", "testdev", NULL};
    int pnp_device = 0;
    const cli_option opts[] = {
        CLI_OPT_STRING("--script", &script_path, "FILE", "the requests to send (see below)"),
        CLI_OPT_STRING("--run", &inline_script, "TEXT",
                       "requests on the command line, ';' between them"),
        CLI_OPT_STRING("--image", &cfg.floppy_image, "FILE",
                       "the 1.44 MB disk to start from (default: zeroed)"),
        CLI_OPT_STRING("--out", &cfg.floppy_out, "FILE", "write the disk here after the run"),
        CLI_OPT_STRING("--name", &cfg.service_name, "NAME",
                       "the driver's service name (default wdkdriver)"),
        CLI_OPT_CHOICE("--pnp", &pnp_device, pnp,
                       "the device AddDevice is given (default floppy)"),
        CLI_OPT_U32("--seed", &seed, "N", 1, UINT32_MAX, "patterns and placements (default 1)"),
        CLI_OPT_U32("--hang-ms", &hang_ms, "MS", 1, 3600000,
                    "simulated time all threads may wait before it is a hang (default 5000)"),
        CLI_OPT_STRING("--param", &cfg.parameters, "NAME=N,...",
                       "REG_DWORD values in the driver's Parameters key"),
        CLI_OPT_FLAG("--no-verifier", NULL, &no_verifier, "run without the DMA verifier"),
        CLI_OPT_STRING("--sched-trace", &t.sched_path, "FILE",
                       "write the scheduler's events (the same for every run)"),
        CLI_OPT_STRING("--vcd", &t.vcd_path, "FILE.vcd", "write the 8237's lines as a VCD"),
        CLI_OPT_STRING("--svg", &t.svg_path, "FILE.svg",
                       "draw the DMA channels' waits, ownership and transfers as SVG"),
        CLI_OPT_FLAG("--quiet", "-q", &t.quiet, "print only the run's own reports"),
    };
    const char *args[1] = {NULL};
    const cli_spec spec = {
        "wdk-run", "DRIVER.so", 1, 1, args,
        "Load a Windows-model (WDM or legacy NT) driver built against the sysdma-wdk\n"
        "headers and run it on the simulated PC (floppy controller at 0x3F0, IRQ 6,\n"
        "DMA 2; SB16 at 0x220, IRQ 5, DMA 1/5; test device at 0x300, IRQ 10, DMA 3)\n"
        "with the DMA verifier on, on a deterministic scheduler: DriverEntry,\n"
        "AddDevice and the start request, then the script, then Unload. Script lines:\n"
        "  open NAME | read LBA COUNT | write LBA COUNT | format CYL HEAD |\n"
        "  ioctl CODE [IN [OUT]] | play MS [RATE [BITS]] | expect STATUS | sleep MS |\n"
        "  eject | insert\n"
        "Exit status: 0 the run passed, 1 it failed (a verifier report, a hang, a bug\n"
        "check, a wrong status or wrong data, a leak after Unload), 2 usage.",
        opts, sizeof opts / sizeof opts[0]};
    int rc = cli_parse(&spec, argc, argv);
    if (rc >= 0)
        return rc;
    driver = args[0];
    char *script = NULL;
    if (script_path && inline_script)
        return cli_usage_error("wdk-run", "--run", "give --script or --run, not both");
    if (script_path) {
        script = read_text(script_path);
        if (!script) {
            fprintf(stderr, "sysdma wdk-run: %s: cannot read\n", script_path);
            return 2;
        }
    } else if (inline_script) {
        size_t n = strlen(inline_script) + 1;
        script = malloc(n);
        if (script)
            memcpy(script, inline_script, n);
        for (char *p = script; p && *p; p++)
            if (*p == ';')
                *p = '\n';
    }
    if (t.sched_path && !(t.sched = tool_open_output("wdk-run", t.sched_path))) {
        free(script);
        return 1;
    }
    if (t.svg_path) {
        t.tl = timeline_new();
        static const char *const labels[4] = {"ch 1 sb16", "ch 2 floppy", "ch 3 testdev",
                                              "ch 5 sb16"};
        for (int k = 0; t.tl && k < 4; k++)
            timeline_add_row(t.tl, channels[k], labels[k]);
    }
    cfg.driver_path = driver;
    cfg.script = script;
    cfg.seed = seed;
    cfg.hang_ns = (uint64_t)hang_ms * 1000000u;
    cfg.no_verifier = no_verifier;
    cfg.pnp_device = pnp[pnp_device];
    cfg.trace = on_sched;
    cfg.log = on_log;
    cfg.machine = on_machine;
    cfg.tick = on_tick;
    cfg.ctx = &t;
    sysdma_wdk_result res;
    rc = sysdma_wdk_run(&cfg, &res);
    free(script);
    bool files_ok = tool_close_output("wdk-run", t.sched_path, t.sched);
    if (t.trace.f)
        files_ok &= vcd_close(&t.trace, "wdk-run");
    if (t.tl) {
        FILE *f = tool_open_output("wdk-run", t.svg_path);
        files_ok &= f && timeline_write_svg(t.tl, f, "sysdma wdk-run") &&
                    tool_close_output("wdk-run", t.svg_path, f);
        timeline_free(t.tl);
    }
    if (rc == 2) {
        fprintf(stderr, "sysdma wdk-run: %s\n", res.reason);
        return 2;
    }
    printf("%u request(s), %u failed; %llu verifier report(s); %u leak(s)%s%s; "
           "%.3f ms simulated\n",
           res.requests, res.request_failures, (unsigned long long)res.verifier_reports,
           res.leaks, res.hang ? "; hang" : "", res.bugcheck ? "; bug check" : "",
           (double)res.sim_ns / 1e6);
    if (rc)
        printf("FAILED: %s\n", res.reason);
    else
        printf("passed\n");
    return rc || !files_ok ? 1 : 0;
}
