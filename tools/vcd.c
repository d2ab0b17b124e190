/* SPDX-License-Identifier: MIT */
/* VCD traces of the emulated 8237A pair (see tool.h). */
#include <string.h>

#include "tool.h"

/* ---- VCD traces ------------------------------------------------------------------ */


static char vcd_id(unsigned ch, unsigned sig)
{
    return (char)('!' + ch * 5 + sig); /* 5 signals per channel, printable ids */
}

static void vcd_time(vcd *v)
{
    uint64_t t = sysdma_sim_now_ns(v->sim);
    if (!v->started || t != v->last_t) {
        /* Close the pulses of the previous instant first. */
        if (v->started) {
            for (unsigned ch = 0; ch < 8; ch++) {
                if (v->pulse_dack[ch] || v->pulse_tc[ch]) {
                    fprintf(v->f, "#%llu\n", (unsigned long long)(v->last_t + 1));
                    break;
                }
            }
            for (unsigned ch = 0; ch < 8; ch++) {
                if (v->pulse_dack[ch])
                    fprintf(v->f, "0%c\n", vcd_id(ch, 1));
                if (v->pulse_tc[ch])
                    fprintf(v->f, "0%c\n", vcd_id(ch, 2));
                v->pulse_dack[ch] = v->pulse_tc[ch] = false;
            }
        }
        if (t > v->last_t + 1 || !v->started)
            fprintf(v->f, "#%llu\n", (unsigned long long)t);
        v->last_t = t;
        v->started = true;
    }
}

void vcd_event(void *ctx, sysdma_emu_i8237_event ev, unsigned ch, uint32_t value)
{
    vcd *v = ctx;
    if (ch >= 8 || ev == SYSDMA_EMU_EV_PROGRAM)
        return;
    vcd_time(v);
    switch (ev) {
    case SYSDMA_EMU_EV_DREQ:
        fprintf(v->f, "%u%c\n", value ? 1u : 0u, vcd_id(ch, 0));
        break;
    case SYSDMA_EMU_EV_DACK:
        v->units[ch] += value;
        fprintf(v->f, "1%c\n", vcd_id(ch, 1));
        v->pulse_dack[ch] = true;
        fprintf(v->f, "b");
        for (int b = 31; b >= 0; b--)
            fputc((v->units[ch] >> b) & 1 ? '1' : '0', v->f);
        fprintf(v->f, " %c\n", vcd_id(ch, 4));
        break;
    case SYSDMA_EMU_EV_TC:
        fprintf(v->f, "1%c\n", vcd_id(ch, 2));
        v->pulse_tc[ch] = true;
        break;
    case SYSDMA_EMU_EV_MASK:
        fprintf(v->f, "%u%c\n", value ? 1u : 0u, vcd_id(ch, 3));
        break;
    default:
        break;
    }
}

bool vcd_open(vcd *v, const char *path, sysdma_sim *sim, bool chain)
{
    memset(v, 0, sizeof *v);
    v->f = fopen(path, "w");
    if (!v->f)
        return false;
    v->sim = sim;
    static const char *names[5] = {"dreq", "dack", "tc", "mask", "units"};
    fprintf(v->f, "$timescale 1ns $end\n$scope module i8237 $end\n");
    for (unsigned ch = 0; ch < 8; ch++) {
        if (ch == 4)
            continue;
        for (unsigned sig = 0; sig < 5; sig++)
            fprintf(v->f, "$var wire %u %c ch%u_%s $end\n", sig == 4 ? 32u : 1u, vcd_id(ch, sig), ch,
                    names[sig]);
    }
    fprintf(v->f, "$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n");
    for (unsigned ch = 0; ch < 8; ch++) {
        if (ch == 4)
            continue;
        fprintf(v->f, "0%c\n0%c\n0%c\n1%c\nb0 %c\n", vcd_id(ch, 0), vcd_id(ch, 1), vcd_id(ch, 2),
                vcd_id(ch, 3), vcd_id(ch, 4));
    }
    fprintf(v->f, "$end\n");
    v->started = true;
    v->chained = chain;
    if (!chain)
        sysdma_emu_i8237_set_event_hook(sysdma_sim_dma(sim), vcd_event, v);
    return true;
}

void vcd_close(vcd *v)
{
    if (!v->f)
        return;
    if (!v->chained)
        sysdma_emu_i8237_set_event_hook(sysdma_sim_dma(v->sim), NULL, NULL);
    v->last_t++; /* flush pending pulses */
    vcd_time(v);
    fclose(v->f);
    v->f = NULL;
}

