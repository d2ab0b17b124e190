/* SPDX-License-Identifier: MIT */
/* VCD traces of the emulated 8237A pair (see tool.h). */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "tool.h"

static char vcd_id(unsigned ch, unsigned sig)
{
    return (char)('!' + ch * 5 + sig); /* 5 signals per channel, printable ids */
}

enum { SIG_DREQ, SIG_DACK, SIG_TC, SIG_MASK, SIG_UNITS };

static void put(vcd *v, const char *fmt, ...)
{
    if (v->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(v->f, fmt, ap);
    va_end(ap);
    if (n < 0) {
        v->failed = true;
        v->err = errno;
    }
    else
        v->bytes += (uint64_t)n;
}

static void stamp(vcd *v, uint64_t t)
{
    if (!v->stamped || v->stamped_t != t)
        put(v, "#%llu\n", (unsigned long long)t);
    v->stamped = true;
    v->stamped_t = t;
}

/* A vector value without its leading zeros (VCD extends it with zeros). */
static void put_units(vcd *v, unsigned ch)
{
    char bits[40];
    size_t n = 0;
    int top = 31;
    while (top > 0 && !((v->units[ch] >> top) & 1))
        top--;
    bits[n++] = 'b';
    for (int b = top; b >= 0; b--)
        bits[n++] = (v->units[ch] >> b) & 1 ? '1' : '0';
    bits[n] = 0;
    put(v, "%s %c\n", bits, vcd_id(ch, SIG_UNITS));
}

/* All lines' values now: the start of the trace or of its window. */
static void dump_state(vcd *v, uint64_t t)
{
    stamp(v, t);
    put(v, "$dumpvars\n");
    for (unsigned ch = 0; ch < 8; ch++) {
        if (ch == 4)
            continue;
        put(v, "%u%c\n0%c\n0%c\n%u%c\n", v->dreq[ch] ? 1u : 0u, vcd_id(ch, SIG_DREQ),
            vcd_id(ch, SIG_DACK), vcd_id(ch, SIG_TC), v->mask[ch] ? 1u : 0u, vcd_id(ch, SIG_MASK));
        put_units(v, ch);
        v->units_dirty[ch] = false;
    }
    put(v, "$end\n");
    v->dumped = true;
}

/* The instant v->t is over: its counters' last values, then the pulses
 * end one nanosecond later. */
static void end_instant(vcd *v)
{
    if (!v->on)
        return;
    for (unsigned ch = 0; ch < 8; ch++) {
        if (v->units_dirty[ch]) {
            stamp(v, v->t);
            put_units(v, ch);
            v->units_dirty[ch] = false;
        }
    }
    for (unsigned ch = 0; ch < 8; ch++) {
        if (v->pulse_dack[ch]) {
            stamp(v, v->t + 1);
            put(v, "0%c\n", vcd_id(ch, SIG_DACK));
        }
        if (v->pulse_tc[ch]) {
            stamp(v, v->t + 1);
            put(v, "0%c\n", vcd_id(ch, SIG_TC));
        }
        v->pulse_dack[ch] = v->pulse_tc[ch] = false;
    }
}

/* A new instant: is it traced? */
static void begin_instant(vcd *v, uint64_t t)
{
    v->t = t;
    v->on = false;
    if (v->cut || v->failed || t > v->opt.to_ns || t < v->opt.from_ns)
        return;
    if (v->opt.limit_bytes && v->bytes >= v->opt.limit_bytes) {
        v->cut = true;
        v->cut_ns = t;
        return;
    }
    if (!v->dumped)
        dump_state(v, v->opt.from_ns);
    v->on = true;
}

void vcd_event(void *ctx, sysdma_emu_i8237_event ev, unsigned ch, uint32_t value)
{
    vcd *v = ctx;
    if (ch >= 8 || ev == SYSDMA_EMU_EV_PROGRAM)
        return;
    uint64_t t = sysdma_sim_now_ns(v->sim);
    if (t != v->t) {
        end_instant(v);
        begin_instant(v, t);
    }
    switch (ev) {
    case SYSDMA_EMU_EV_DREQ:
        if (v->dreq[ch] != (value != 0) && v->on) {
            stamp(v, t);
            put(v, "%u%c\n", value ? 1u : 0u, vcd_id(ch, SIG_DREQ));
        }
        v->dreq[ch] = value != 0;
        break;
    case SYSDMA_EMU_EV_DACK:
        v->units[ch] += value;
        if (v->on) {
            v->units_dirty[ch] = true;
            if (!v->pulse_dack[ch]) {
                stamp(v, t);
                put(v, "1%c\n", vcd_id(ch, SIG_DACK));
                v->pulse_dack[ch] = true;
            }
        }
        break;
    case SYSDMA_EMU_EV_TC:
        if (v->on && !v->pulse_tc[ch]) {
            stamp(v, t);
            put(v, "1%c\n", vcd_id(ch, SIG_TC));
            v->pulse_tc[ch] = true;
        }
        break;
    case SYSDMA_EMU_EV_MASK:
        if (v->mask[ch] != (value != 0) && v->on) {
            stamp(v, t);
            put(v, "%u%c\n", value ? 1u : 0u, vcd_id(ch, SIG_MASK));
        }
        v->mask[ch] = value != 0;
        break;
    default:
        break;
    }
}

const char *vcd_parse_window(const char *value, void *dest)
{
    vcd_options *o = dest;
    const char *colon = strchr(value, ':');
    if (!colon)
        return "want FROM:TO in simulated milliseconds (either may be left out)";
    char from[64], to[64];
    size_t nf = (size_t)(colon - value);
    if (nf >= sizeof from || strlen(colon + 1) >= sizeof to)
        return "too long";
    memcpy(from, value, nf);
    from[nf] = 0;
    strcpy(to, colon + 1);
    double f = 0, t = 0;
    if (from[0] && !cli_parse_double(from, 0, 1e9, &f))
        return "FROM is not a number of milliseconds";
    if (to[0] && !cli_parse_double(to, 0, 1e9, &t))
        return "TO is not a number of milliseconds";
    if (to[0] && t <= f)
        return "TO must be after FROM";
    o->from_ns = (uint64_t)(f * 1e6);
    o->to_ns = to[0] ? (uint64_t)(t * 1e6) : UINT64_MAX;
    return NULL;
}

bool vcd_open(vcd *v, const char *command, const char *path, sysdma_sim *sim, bool chain,
              const vcd_options *opt)
{
    memset(v, 0, sizeof *v);
    v->f = tool_open_output(command, path);
    if (!v->f)
        return false;
    v->path = path;
    v->sim = sim;
    v->opt = *opt;
    for (unsigned ch = 0; ch < 8; ch++) { /* the lines as they are now */
        sysdma_emu_i8237_chan_info info;
        if (sysdma_emu_i8237_channel_info(sysdma_sim_dma(sim), ch, &info)) {
            v->mask[ch] = info.masked;
            v->dreq[ch] = info.dreq;
        }
    }
    static const char *names[5] = {"dreq", "dack", "tc", "mask", "units"};
    put(v, "$timescale 1ns $end\n$scope module i8237 $end\n");
    for (unsigned ch = 0; ch < 8; ch++) {
        if (ch == 4)
            continue;
        for (unsigned sig = 0; sig < 5; sig++)
            put(v, "$var wire %u %c ch%u_%s $end\n", sig == SIG_UNITS ? 32u : 1u, vcd_id(ch, sig),
                ch, names[sig]);
    }
    put(v, "$upscope $end\n$enddefinitions $end\n");
    v->t = sysdma_sim_now_ns(sim);
    begin_instant(v, v->t);
    if (v->failed)
        fprintf(stderr, "sysdma %s: writing %s failed: %s\n", command, path, strerror(v->err));
    if (v->failed || !tool_check_output(command, path, v->f)) {
        fclose(v->f);
        v->f = NULL;
        return false;
    }
    v->chained = chain;
    if (!chain)
        sysdma_emu_i8237_set_event_hook(sysdma_sim_dma(sim), vcd_event, v);
    return true;
}

bool vcd_close(vcd *v, const char *command)
{
    if (!v->f)
        return true;
    if (!v->chained)
        sysdma_emu_i8237_set_event_hook(sysdma_sim_dma(v->sim), NULL, NULL);
    end_instant(v); /* the last counters and pulses */
    bool ok = !v->failed;
    if (!ok)
        fprintf(stderr, "sysdma %s: writing %s failed: %s\n", command, v->path, strerror(v->err));
    ok = tool_close_output(command, v->path, v->f) && ok;
    v->f = NULL;
    return ok;
}
