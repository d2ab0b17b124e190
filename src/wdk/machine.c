/* SPDX-License-Identifier: MIT */
/*
 * The simulated PC a run's driver sees: 64 MiB of RAM, the 8237A pair,
 * the ISA floppy controller (0x3F0-0x3F5 and 0x3F7, IRQ 6, DMA 2) with the
 * run's 1.44 MB disk in drive 0, the Sound Blaster 16 (0x220-0x22F, IRQ 5,
 * DMA 1 and 5) whose output is kept for the checks, and sysdma's generic
 * test device (0x300-0x307, IRQ 10, DMA 3, a 64 KiB FIFO, 4 bytes per µs)
 * for tests. The core system on it has the DMA verifier on (unless the
 * run says otherwise) and is bound for the WDK calls that name no device.
 *
 * The driver's port accesses (READ_PORT_* and WRITE_PORT_*, through the
 * system's platform) each take 1 µs of simulated time, so a driver polling
 * a status register sees its device move; the 8237 driver inside the core
 * gets the machine's plain platform.
 *
 * The machine starts as a PC's firmware leaves it when it loads the
 * operating system, not as it powers on: the floppy controller is out of
 * reset with its IRQ and DMA outputs enabled (DOR 0x0C, drive 0 selected,
 * motors off), and the four "ready changed" interrupts that leaving reset
 * raises have been sensed, so the controller waits for a command (MSR
 * 0x80) with its interrupt line low. Its test of drive 0 (a seek to track
 * 1 and back) has stepped the head with the disk in, so the disk-change
 * line (DIR bit 7) is off and the head is on track 0. A driver that resets the controller
 * first (as most do) sees no difference; one that talks to it straight
 * away (ReactOS's floppy driver sends CONFIGURE before it resets) finds it
 * listening, as on a real PC.
 *
 * HalGetAdapter's adapter objects belong to the HAL: a legacy driver has no
 * call that gives one back (Windows keeps them for the system's life). The
 * machine keeps track of the live blocks its allocator hands out at the
 * size of an adapter object, and when it goes down it puts the ones that
 * are adapter objects without a device object before the DMA verifier
 * counts what was never released. One the driver gave back with
 * PutDmaAdapter is gone by then; one still holding a channel or map
 * registers is reported as such.
 */
#include <stdlib.h>
#include <string.h>

#include "wdk_internal.h"

#define DISK_BYTES 1474560u

static uint8_t w_inb(void *ctx, uint16_t port)
{
    sysdma__wdk_charge_port();
    return W->sim_ops->inb(ctx, port);
}

static void w_outb(void *ctx, uint16_t port, uint8_t v)
{
    sysdma__wdk_charge_port();
    W->sim_ops->outb(ctx, port, v);
}

static void *w_alloc(void *ctx, size_t bytes)
{
    void *p = W->sim_ops->alloc(ctx, bytes);
    if (p && bytes == sizeof(SYSDMA_WDM_ADAPTER)) {
        for (size_t i = 0; i < sizeof W->adapter_blocks / sizeof W->adapter_blocks[0]; i++)
            if (!W->adapter_blocks[i]) {
                W->adapter_blocks[i] = p;
                break;
            }
    }
    return p;
}

static void w_free(void *ctx, void *p, size_t bytes)
{
    if (p && bytes == sizeof(SYSDMA_WDM_ADAPTER)) {
        for (size_t i = 0; i < sizeof W->adapter_blocks / sizeof W->adapter_blocks[0]; i++)
            if (W->adapter_blocks[i] == p)
                W->adapter_blocks[i] = NULL;
    }
    W->sim_ops->free(ctx, p, bytes);
}

/* Put the HAL's adapter objects (HalGetAdapter's: no device object) that
 * are still live. */
static void put_hal_adapters(wdk_run *r)
{
    for (size_t i = 0; i < sizeof r->adapter_blocks / sizeof r->adapter_blocks[0]; i++) {
        SYSDMA_WDM_ADAPTER *w = r->adapter_blocks[i];
        if (!w || w->System != r->sys || w->Pdo || !w->Native ||
            w->Public.Size != sizeof(DMA_ADAPTER) || w->Public.Version < 1 ||
            w->Public.Version > 3 || !w->Public.DmaOperations ||
            !w->Public.DmaOperations->PutDmaAdapter)
            continue;
        w->Public.DmaOperations->PutDmaAdapter(&w->Public);
    }
}

static void fdc_irq(void *ctx, bool level)
{
    (void)ctx;
    sysdma__wdk_irq_line(6, level);
}

static void sb_irq(void *ctx, unsigned irq, bool level)
{
    (void)ctx;
    sysdma__wdk_irq_line(irq, level);
}

static void td_irq(void *ctx, bool level)
{
    (void)ctx;
    sysdma__wdk_irq_line(10, level);
}

static void sb_play(void *ctx, const uint8_t *pcm, size_t bytes, const sysdma_emu_sb16_format *f)
{
    (void)ctx, (void)f;
    wdk_run *r = W;
    if (r->played_len + bytes > r->played_cap) {
        size_t cap = r->played_cap ? r->played_cap : 65536;
        while (cap < r->played_len + bytes)
            cap *= 2;
        uint8_t *p = realloc(r->played, cap);
        if (!p)
            return;
        r->played = p;
        r->played_cap = cap;
    }
    memcpy(r->played + r->played_len, pcm, bytes);
    r->played_len += bytes;
}

static uint8_t fdc_in(void *ctx, uint16_t port) { return sysdma_emu_fdc_inb(&((wdk_run *)ctx)->fdc, port); }
static void fdc_out(void *ctx, uint16_t port, uint8_t v) { sysdma_emu_fdc_outb(&((wdk_run *)ctx)->fdc, port, v); }
static void fdc_clock(void *ctx, uint64_t ns) { sysdma_emu_fdc_advance(&((wdk_run *)ctx)->fdc, ns); }
static uint8_t sb_in(void *ctx, uint16_t port) { return sysdma_emu_sb16_inb(&((wdk_run *)ctx)->sb, port); }
static void sb_out(void *ctx, uint16_t port, uint8_t v) { sysdma_emu_sb16_outb(&((wdk_run *)ctx)->sb, port, v); }
static void sb_clock(void *ctx, uint64_t ns) { sysdma_emu_sb16_advance(&((wdk_run *)ctx)->sb, ns); }
static uint8_t td_in(void *ctx, uint16_t port) { return sysdma_emu_testdev_inb(&((wdk_run *)ctx)->testdev, port); }
static void td_out(void *ctx, uint16_t port, uint8_t v) { sysdma_emu_testdev_outb(&((wdk_run *)ctx)->testdev, port, v); }
static void td_clock(void *ctx, uint64_t ns) { sysdma_emu_testdev_advance(&((wdk_run *)ctx)->testdev, ns); }

/* What the firmware did to the floppy controller before the driver runs. */
static bool firmware_fdc(sysdma_emu_fdc *f)
{
    sysdma_emu_fdc_outb(f, SYSDMA_EMU_FDC_DOR,
                        SYSDMA_EMU_FDC_DOR_NRESET | SYSDMA_EMU_FDC_DOR_DMAGATE);
    for (unsigned i = 0; i < 4; i++) {
        if ((sysdma_emu_fdc_inb(f, SYSDMA_EMU_FDC_MSR) & 0xC0) != 0x80)
            return false;
        sysdma_emu_fdc_outb(f, SYSDMA_EMU_FDC_FIFO, SYSDMA_EMU_FDC_CMD_SENSE_INT);
        for (unsigned b = 0; b < 2; b++) {
            if ((sysdma_emu_fdc_inb(f, SYSDMA_EMU_FDC_MSR) & 0xC0) != 0xC0)
                return false;
            (void)sysdma_emu_fdc_inb(f, SYSDMA_EMU_FDC_FIFO);
        }
    }
    return (sysdma_emu_fdc_inb(f, SYSDMA_EMU_FDC_MSR) & 0xC0) == 0x80;
}

static void on_report(void *ctx, const sysdma_verifier_report *rep)
{
    (void)ctx;
    char line[400];
    if (W->ignore_leaks && (rep->check == SYSDMA_VCHECK_LEAK ||
                            rep->check == SYSDMA_VCHECK_PUT_WITH_RESOURCES)) {
        sysdma__wdk_log("sysdma-wdk: (not counted) DMA verifier: %s: %s", rep->check_name,
                        rep->message);
        return;
    }
    W->res->verifier_reports++;
    W->res->failures++;
    snprintf(line, sizeof line, "DMA verifier: %s: %s (%s%s%s)", rep->check_name, rep->message,
             rep->call ? rep->call : "", rep->count ? ", count " : "",
             rep->count ? (rep->what ? rep->what : "") : "");
    sysdma__wdk_log("sysdma-wdk: %s", line);
    if (!W->res->reason[0])
        snprintf(W->res->reason, sizeof W->res->reason, "%s", line);
}

int sysdma__wdk_machine_up(wdk_run *r, char *why, size_t cap)
{
    sysdma_sim_config sc = {.ram_bytes = 64u << 20, .seed = r->cfg->seed, .dma_units_per_us = 2};
    if (sysdma_sim_create(&sc, &r->sim) != SYSDMA_OK) {
        snprintf(why, cap, "no memory for the simulated PC");
        return -1;
    }
    r->disk = calloc(1, DISK_BYTES);
    if (!r->disk) {
        snprintf(why, cap, "no memory for the disk");
        return -1;
    }
    if (r->cfg->floppy_image) {
        FILE *f = fopen(r->cfg->floppy_image, "rb");
        size_t got = f ? fread(r->disk, 1, DISK_BYTES, f) : 0;
        if (f)
            fclose(f);
        if (got != DISK_BYTES) {
            snprintf(why, cap, "%s: not a readable 1.44 MB image", r->cfg->floppy_image);
            return -1;
        }
    }
    sysdma_sim_platform(r->sim, &r->pf, NULL);
    sysdma_i8237_driver_init(&r->i8237, &r->pf, &r->ctrl); /* the plain platform */
    r->sim_ops = r->pf.ops;
    r->ops = *r->pf.ops;
    r->ops.inb = w_inb;
    r->ops.outb = w_outb;
    r->ops.alloc = w_alloc;
    r->ops.free = w_free;
    r->ops.inw = NULL, r->ops.outw = NULL, r->ops.inl = NULL, r->ops.outl = NULL;
    r->pf.ops = &r->ops;
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 64};
    if (sysdma_system_create(&r->pf, &r->ctrl, &cfg, &r->sys) != SYSDMA_OK) {
        snprintf(why, cap, "the core refused the system");
        return -1;
    }
    if (!r->cfg->no_verifier) {
        sysdma_verifier_config vc = {SYSDMA_VERIFIER_CONTINUE, on_report, r, true};
        if (sysdma_verifier_enable(r->sys, &vc) != SYSDMA_OK) {
            snprintf(why, cap, "the verifier would not start");
            return -1;
        }
    }
    sysdma_wdm_system_set(r->sys);
    sysdma_emu_i8237 *dma = sysdma_sim_dma(r->sim);
    sysdma_emu_sb16_config sbc = {0x220, 1, 5, 5, sb_irq, sb_play, NULL, r};
    if (!sysdma_emu_fdc_init(&r->fdc, dma, 2, fdc_irq, r) ||
        !sysdma_emu_fdc_insert(&r->fdc, 0, r->disk, DISK_BYTES, false) ||
        !sysdma_emu_sb16_init(&r->sb, dma, &sbc) ||
        !sysdma_emu_testdev_init(&r->testdev, dma, 3, 0x300, r->testdev_fifo,
                                 sizeof r->testdev_fifo, 4, td_irq, r)) {
        snprintf(why, cap, "the devices would not start");
        return -1;
    }
    if (!firmware_fdc(&r->fdc) || r->level[6]) {
        snprintf(why, cap, "the floppy controller did not come out of reset");
        return -1;
    }
    r->edges[6] = 0; /* the firmware took the reset's interrupts */
    r->fdc.drive[0].changed = false; /* its drive test stepped the head */
    if (sysdma_sim_add_ports(r->sim, 0x3F0, 0x3F5, fdc_in, fdc_out, r) != SYSDMA_OK ||
        sysdma_sim_add_ports(r->sim, 0x3F7, 0x3F7, fdc_in, fdc_out, r) != SYSDMA_OK ||
        sysdma_sim_add_ports(r->sim, 0x220, 0x22F, sb_in, sb_out, r) != SYSDMA_OK ||
        sysdma_sim_add_ports(r->sim, 0x300, 0x307, td_in, td_out, r) != SYSDMA_OK ||
        !sysdma_sim_add_clock(r->sim, fdc_clock, r) || !sysdma_sim_add_clock(r->sim, sb_clock, r) ||
        !sysdma_sim_add_clock(r->sim, td_clock, r)) {
        snprintf(why, cap, "the machine's ports or clocks are taken");
        return -1;
    }
    return 0;
}

void sysdma__wdk_machine_down(wdk_run *r)
{
    if (r->sys) {
        put_hal_adapters(r);
        sysdma_system_destroy(r->sys); /* the verifier lists what was never released */
        r->sys = NULL;
    }
    if (r->sim) {
        sysdma_sim_destroy(r->sim);
        r->sim = NULL;
    }
    free(r->disk);
    r->disk = NULL;
    free(r->played);
    r->played = NULL;
    r->played_len = r->played_cap = 0;
}
