/* SPDX-License-Identifier: MIT */
/*
 * The simulated SoC (see include/sysdma/sim_soc.h): two RAM banks, the
 * emulated PL080 with a UART-style and an audio FIFO device on its request
 * lines, one DMAC interrupt line, simulated time.
 *
 * RAM is one memfd: bank 0's pages first, then bank 1's, mapped once as
 * the host's view of both. A page bitmap over that memfd hands out
 * physical pages; runs never span the two banks (they are not adjacent in
 * the physical map). Driver buffers are fresh virtual ranges whose pages
 * are MAP_FIXED mappings of chosen memfd pages, as in the simulated PC.
 * The DMAC's bus sees bank 0 at its physical address (bank 1 lies beyond
 * its 32-bit reach) and the two devices' data registers.
 */
#define _GNU_SOURCE
#include "sysdma/sim_soc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim_pages.h"
#include "sim_soc_internal.h"

#define PAGE 4096u
#define STEP_NS 10000u
#define ISR_ROUNDS 64

struct sysdma_sim_soc {
    int fd;
    uint8_t *ram;         /* host view: bank 0 then bank 1 */
    uint64_t bank0, bank1; /* bytes */
    sim_pages pg;         /* pages in use (bank 0's, then bank 1's), driver buffers */
    pthread_mutex_t lock;

    sysdma_emu_physmem mem;
    sysdma_emu_pl080 dmac;
    sysdma_emu_uart uart;
    sysdma_emu_audio audio;

    void (*isr)(void *ctx);
    void *isr_ctx;
    bool irq;
    uint64_t interrupts;

    uint32_t bytes_per_us;
    bool timing_off;
    bool cached;          /* the cache model: buffers' CPU view is private memory */
    uint64_t now_ns;
    uint64_t budget_frac;

    sysdma__soc_pf pf;
};

sysdma__soc_pf *sysdma__sim_soc_pf(sysdma_sim_soc *s)
{
    return &s->pf;
}

bool sysdma__sim_soc_cached(const sysdma_sim_soc *s)
{
    return s->cached;
}

/* ---- pages (lock held) ------------------------------------------------------- */

static uint64_t page_phys(const sysdma_sim_soc *s, uint64_t p)
{
    uint64_t n0 = s->bank0 / PAGE;
    return p < n0 ? SYSDMA_SIM_SOC_BANK0 + p * PAGE : SYSDMA_SIM_SOC_BANK1 + (p - n0) * PAGE;
}

/* Page index of `phys`, or UINT64_MAX outside RAM. */
static uint64_t page_of(const sysdma_sim_soc *s, uint64_t phys)
{
    if (phys >= SYSDMA_SIM_SOC_BANK0 && phys - SYSDMA_SIM_SOC_BANK0 < s->bank0)
        return (phys - SYSDMA_SIM_SOC_BANK0) / PAGE;
    if (phys >= SYSDMA_SIM_SOC_BANK1 && phys - SYSDMA_SIM_SOC_BANK1 < s->bank1)
        return s->bank0 / PAGE + (phys - SYSDMA_SIM_SOC_BANK1) / PAGE;
    return UINT64_MAX;
}

#define used(s, p) sim_pages_used(&(s)->pg, (p))
#define mark(s, p, n, on) sim_pages_mark(&(s)->pg, (p), (n), (on))
#define run_free(s, p, n) sim_pages_run_free(&(s)->pg, (p), (n))

/* First free run of n pages inside pages [first, last) of one bank whose
 * physical range meets the limits. UINT64_MAX when none. */
static uint64_t find_in_bank(const sysdma_sim_soc *s, uint64_t first, uint64_t last, uint64_t n,
                             uint64_t max_phys, uint64_t boundary, uint64_t align)
{
    for (uint64_t p = first; p + n <= last; p++) {
        uint64_t a = page_phys(s, p), end = a + n * PAGE;
        if (max_phys && end > max_phys)
            return UINT64_MAX; /* later pages of this bank are higher still */
        if (a % align)
            continue;
        if (boundary && a / boundary != (end - 1) / boundary)
            continue;
        if (run_free(s, p, n))
            return p;
    }
    return UINT64_MAX;
}

static uint64_t find_run(const sysdma_sim_soc *s, uint64_t n, uint64_t max_phys,
                         uint64_t boundary, uint64_t align)
{
    uint64_t n0 = s->bank0 / PAGE;
    uint64_t p = find_in_bank(s, 0, n0, n, max_phys, boundary, align);
    if (p == UINT64_MAX)
        p = find_in_bank(s, n0, s->pg.pages, n, max_phys, boundary, align);
    return p;
}

/* ---- creation ------------------------------------------------------------------ */

static void on_irq(void *ctx, bool intr, bool tc, bool err)
{
    sysdma_sim_soc *s = ctx;
    (void)tc;
    (void)err;
    s->irq = intr;
}

sysdma_status sysdma_sim_soc_create(const sysdma_sim_soc_config *cfg, sysdma_sim_soc **out)
{
    sysdma_sim_soc_config c = {0};
    if (cfg)
        c = *cfg;
    if (!out)
        return SYSDMA_E_INVALID_ARGUMENT;
    *out = NULL;
    if (!c.bank0_bytes)
        c.bank0_bytes = 64ull << 20;
    if (!c.bank1_bytes)
        c.bank1_bytes = 16ull << 20;
    if (c.bank0_bytes < (1u << 20) || c.bank0_bytes > (2ull << 30) || c.bank0_bytes % PAGE ||
        c.bank1_bytes % PAGE || c.bank1_bytes > (64ull << 30))
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma_emu_uart_config u = {SYSDMA_SIM_SOC_UART_DATA, SYSDMA_SIM_SOC_UART_TX_LINE,
                                SYSDMA_SIM_SOC_UART_RX_LINE,
                                c.uart_depth ? c.uart_depth : 16,
                                c.uart_watermark ? c.uart_watermark : 4,
                                c.uart_byte_ns ? c.uart_byte_ns : 86806, c.uart_tx, c.uart_ctx};
    sysdma_emu_audio_config a = {SYSDMA_SIM_SOC_AUDIO_DATA, SYSDMA_SIM_SOC_AUDIO_LINE,
                                 c.audio_depth ? c.audio_depth : 64,
                                 c.audio_watermark ? c.audio_watermark : 16,
                                 c.audio_frame_bytes ? c.audio_frame_bytes : 4,
                                 c.audio_rate ? c.audio_rate : 48000, c.audio_play, c.audio_ctx};
    sysdma_sim_soc *s = calloc(1, sizeof *s);
    if (!s)
        return SYSDMA_E_NO_MEMORY;
    uint64_t total = c.bank0_bytes + c.bank1_bytes;
    s->fd = memfd_create("sysdma-soc-ram", MFD_CLOEXEC);
    if (s->fd < 0 || ftruncate(s->fd, (off_t)total) != 0)
        goto fail;
    s->ram = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
    if (s->ram == MAP_FAILED) {
        s->ram = NULL;
        goto fail;
    }
    s->bank0 = c.bank0_bytes;
    s->bank1 = c.bank1_bytes;
    if (!sim_pages_init(&s->pg, total / PAGE, c.seed))
        goto fail;
    if (pthread_mutex_init(&s->lock, NULL) != 0)
        goto fail;
    s->bytes_per_us = c.bus_bytes_per_us ? c.bus_bytes_per_us : 100;
    s->timing_off = c.timing_off;
    s->cached = c.cache_model;
    sysdma_emu_physmem_init(&s->mem, s->ram, s->bank0);
    sysdma_emu_pl080_init(&s->dmac, &s->mem, (uint32_t)SYSDMA_SIM_SOC_BANK0);
    sysdma_emu_pl080_set_irq(&s->dmac, on_irq, s);
    if (!sysdma_emu_uart_init(&s->uart, &s->dmac, &u) ||
        !sysdma_emu_audio_init(&s->audio, &s->dmac, &a)) {
        pthread_mutex_destroy(&s->lock);
        munmap(s->ram, total);
        close(s->fd);
        sim_pages_fini(&s->pg);
        free(s);
        return SYSDMA_E_INVALID_ARGUMENT;
    }
    *out = s;
    return SYSDMA_OK;
fail:
    if (s->ram)
        munmap(s->ram, total);
    if (s->fd >= 0)
        close(s->fd);
    sim_pages_fini(&s->pg);
    free(s);
    return SYSDMA_E_NO_MEMORY;
}

void sysdma_sim_soc_destroy(sysdma_sim_soc *s)
{
    if (!s)
        return;
    sim_pages_fini(&s->pg);
    pthread_mutex_destroy(&s->lock);
    munmap(s->ram, s->bank0 + s->bank1);
    close(s->fd);
    free(s);
}

sysdma_emu_pl080 *sysdma_sim_soc_dmac(sysdma_sim_soc *s) { return &s->dmac; }
sysdma_emu_uart *sysdma_sim_soc_uart(sysdma_sim_soc *s) { return &s->uart; }
sysdma_emu_audio *sysdma_sim_soc_audio(sysdma_sim_soc *s) { return &s->audio; }

/* ---- memory ------------------------------------------------------------------------ */

uint8_t *sysdma_sim_soc_phys(sysdma_sim_soc *s, uint64_t phys, size_t bytes)
{
    uint64_t p = page_of(s, phys);
    if (p == UINT64_MAX)
        return NULL;
    if (bytes) {
        uint64_t q = page_of(s, phys + bytes - 1);
        uint64_t n0 = s->bank0 / PAGE;
        if (q == UINT64_MAX || (p < n0) != (q < n0))
            return NULL;
    }
    return s->ram + p * PAGE + phys % PAGE;
}

sysdma_status sysdma_sim_soc_alloc_contig(sysdma_sim_soc *s, size_t bytes, uint64_t max_phys,
                                          uint64_t boundary, uint64_t align, uint64_t *phys,
                                          void **va)
{
    if (bytes == 0 || align < PAGE || (align & (align - 1)) || !phys)
        return SYSDMA_E_INVALID_ARGUMENT;
    uint64_t n = (bytes + PAGE - 1) / PAGE;
    if (boundary && n * PAGE > boundary)
        return SYSDMA_E_BOUNDARY;
    pthread_mutex_lock(&s->lock);
    uint64_t p = find_run(s, n, max_phys, boundary, align);
    if (p != UINT64_MAX)
        mark(s, p, n, true);
    pthread_mutex_unlock(&s->lock);
    if (p == UINT64_MAX)
        return SYSDMA_E_NO_MEMORY;
    memset(s->ram + p * PAGE, 0, n * PAGE);
    *phys = page_phys(s, p);
    if (va)
        *va = s->ram + p * PAGE;
    return SYSDMA_OK;
}

void sysdma_sim_soc_free_contig(sysdma_sim_soc *s, uint64_t phys, size_t bytes)
{
    uint64_t p = page_of(s, phys), n = (bytes + PAGE - 1) / PAGE;
    if (bytes == 0 || phys % PAGE || p == UINT64_MAX || p + n > s->pg.pages)
        return;
    pthread_mutex_lock(&s->lock);
    mark(s, p, n, false);
    pthread_mutex_unlock(&s->lock);
}

uint64_t sysdma_sim_soc_free_pages(sysdma_sim_soc *s)
{
    pthread_mutex_lock(&s->lock);
    uint64_t n = s->pg.free_pages;
    pthread_mutex_unlock(&s->lock);
    return n;
}

/* Choose n pages for a placement (lock held). */
static bool place(sysdma_sim_soc *s, uint64_t n, sysdma_sim_soc_placement how, uint64_t *pg)
{
    uint64_t n0 = s->bank0 / PAGE;
    if (how == SYSDMA_SIM_SOC_LOW || how == SYSDMA_SIM_SOC_HIGH) {
        uint64_t p = how == SYSDMA_SIM_SOC_LOW ? find_in_bank(s, 0, n0, n, 0, 0, PAGE)
                                               : find_in_bank(s, n0, s->pg.pages, n, 0, 0, PAGE);
        if (p == UINT64_MAX)
            return false;
        for (uint64_t k = 0; k < n; k++)
            pg[k] = p + k;
    } else if (how == SYSDMA_SIM_SOC_SCATTERED) {
        if (!sim_pages_scatter(&s->pg, 0, n0, n, pg))
            return false;
    } else {
        return false;
    }
    for (uint64_t k = 0; k < n; k++)
        mark(s, pg[k], 1, true);
    return true;
}

void *sysdma_sim_soc_buffer_alloc(sysdma_sim_soc *s, size_t bytes, size_t offset,
                                  sysdma_sim_soc_placement how)
{
    if (!s || bytes == 0 || offset >= PAGE || bytes > s->bank0 + s->bank1)
        return NULL;
    uint64_t n = (offset + bytes + PAGE - 1) / PAGE;
    uint64_t *pg = malloc(n * sizeof *pg);
    if (!pg)
        return NULL;
    uint8_t *base = mmap(NULL, n * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        free(pg);
        return NULL;
    }
    pthread_mutex_lock(&s->lock);
    bool ok = place(s, n, how, pg);
    if (ok && !sim_pages_reserve(&s->pg)) {
        for (uint64_t k = 0; k < n; k++)
            mark(s, pg[k], 1, false);
        ok = false;
    }
    for (uint64_t k = 0; ok && k < n; k++) {
        /* Cached: the CPU's own copy, private memory that only the cache
         * model's syncs connect with the RAM page. */
        void *m = s->cached ? mmap(base + k * PAGE, PAGE, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
                            : mmap(base + k * PAGE, PAGE, PROT_READ | PROT_WRITE,
                                   MAP_SHARED | MAP_FIXED, s->fd, (off_t)(pg[k] * PAGE));
        if (m == MAP_FAILED) {
            for (uint64_t j = 0; j < n; j++)
                mark(s, pg[j], 1, false);
            ok = false;
        }
    }
    if (ok) {
        for (uint64_t k = 0; k < n; k++) {
            memset(s->ram + pg[k] * PAGE, 0, PAGE);
            pg[k] = page_phys(s, pg[k]);
        }
        sim_pages_add(&s->pg, (sim_region){base, n, pg});
    }
    pthread_mutex_unlock(&s->lock);
    if (!ok) {
        munmap(base, n * PAGE);
        free(pg);
        return NULL;
    }
    return base + offset;
}

bool sysdma_sim_soc_buffer_free(sysdma_sim_soc *s, void *va)
{
    uint8_t *base = (uint8_t *)((uintptr_t)va & ~(uintptr_t)(PAGE - 1));
    pthread_mutex_lock(&s->lock);
    sim_region r;
    bool found = sim_pages_take(&s->pg, base, &r);
    for (size_t i = 0; found && i < r.pages; i++)
        mark(s, page_of(s, r.phys[i]), 1, false);
    pthread_mutex_unlock(&s->lock);
    if (!found)
        return false;
    munmap(r.base, r.pages * PAGE);
    free(r.phys);
    return true;
}

bool sysdma_sim_soc_virt_to_phys(sysdma_sim_soc *s, const void *va, uint64_t *phys)
{
    const uint8_t *p = va;
    if (p >= s->ram && p < s->ram + s->bank0 + s->bank1) {
        uint64_t off = (uint64_t)(p - s->ram);
        *phys = page_phys(s, off / PAGE) + off % PAGE;
        return true;
    }
    pthread_mutex_lock(&s->lock);
    bool found = sim_pages_lookup(&s->pg, p, phys);
    pthread_mutex_unlock(&s->lock);
    return found;
}

void sysdma_sim_soc_dma_sync(sysdma_sim_soc *s, void *va, size_t bytes, sysdma_dma_sync op)
{
    if (!s->cached || !va || !bytes)
        return;
    uint8_t *p = va;
    pthread_mutex_lock(&s->lock);
    for (size_t k = 0; k < s->pg.nregions; k++) {
        const sim_region *r = &s->pg.regions[k];
        uint8_t *end = r->base + r->pages * PAGE;
        if (p < r->base || p >= end)
            continue;
        if (bytes > (size_t)(end - p))
            bytes = (size_t)(end - p);
        while (bytes) {
            size_t off = (size_t)(p - r->base);
            size_t n = PAGE - off % PAGE < bytes ? PAGE - off % PAGE : bytes;
            uint8_t *ram = s->ram + page_of(s, r->phys[off / PAGE]) * PAGE + off % PAGE;
            if (op == SYSDMA_SYNC_POST_READ)
                memcpy(p, ram, n);
            else
                memcpy(ram, p, n);
            p += n;
            bytes -= n;
        }
        break;
    }
    pthread_mutex_unlock(&s->lock);
}

/* ---- MMIO ------------------------------------------------------------------------------ */

uint32_t sysdma_sim_soc_read32(sysdma_sim_soc *s, uint32_t addr)
{
    if (addr - SYSDMA_SIM_SOC_DMAC_BASE < SYSDMA_EMU_PL080_MMIO_SIZE)
        return sysdma_emu_pl080_read(&s->dmac, addr - SYSDMA_SIM_SOC_DMAC_BASE);
    return 0;
}

void sysdma_sim_soc_write32(sysdma_sim_soc *s, uint32_t addr, uint32_t value)
{
    if (addr - SYSDMA_SIM_SOC_DMAC_BASE < SYSDMA_EMU_PL080_MMIO_SIZE)
        sysdma_emu_pl080_write(&s->dmac, addr - SYSDMA_SIM_SOC_DMAC_BASE, value);
}

static uint32_t mmio_read(void *ctx, uint32_t off)
{
    return sysdma_sim_soc_read32(ctx, SYSDMA_SIM_SOC_DMAC_BASE + off);
}

static void mmio_write(void *ctx, uint32_t off, uint32_t v)
{
    sysdma_sim_soc_write32(ctx, SYSDMA_SIM_SOC_DMAC_BASE + off, v);
}

void sysdma_sim_soc_mmio(sysdma_sim_soc *s, sysdma_pl080_mmio *out)
{
    memset(out, 0, sizeof *out);
    out->read32 = mmio_read;
    out->write32 = mmio_write;
    out->ctx = s;
}

/* ---- interrupt, time -------------------------------------------------------------------- */

void sysdma_sim_soc_irq_connect(sysdma_sim_soc *s, void (*isr)(void *ctx), void *ctx)
{
    s->isr = isr;
    s->isr_ctx = ctx;
}

bool sysdma_sim_soc_irq_level(const sysdma_sim_soc *s) { return s->irq; }
uint64_t sysdma_sim_soc_interrupts(const sysdma_sim_soc *s) { return s->interrupts; }

static void step(sysdma_sim_soc *s, uint64_t ns)
{
    s->now_ns += ns;
    sysdma_emu_uart_advance(&s->uart, ns);
    sysdma_emu_audio_advance(&s->audio, ns);
    if (s->timing_off) {
        for (int k = 0; k < 4096 && sysdma_emu_pl080_pending(&s->dmac); k++)
            sysdma_emu_pl080_run(&s->dmac, (size_t)1 << 20);
    } else {
        s->budget_frac += ns * s->bytes_per_us;
        size_t bytes = (size_t)(s->budget_frac / 1000);
        s->budget_frac %= 1000;
        if (bytes)
            (void)sysdma_emu_pl080_run(&s->dmac, bytes); /* idle bus time is not carried over */
    }
    for (int round = 0; round < ISR_ROUNDS && s->irq && s->isr; round++) {
        s->interrupts++;
        s->isr(s->isr_ctx);
    }
}

void sysdma_sim_soc_run(sysdma_sim_soc *s, uint64_t ns)
{
    while (ns) {
        uint64_t d = ns < STEP_NS ? ns : STEP_NS;
        step(s, d);
        ns -= d;
    }
}

bool sysdma_sim_soc_run_until(sysdma_sim_soc *s, bool (*done)(void *ctx), void *ctx,
                              uint64_t timeout_ns)
{
    uint64_t end = s->now_ns + timeout_ns;
    while (!done(ctx)) {
        if (s->now_ns >= end)
            return false;
        step(s, STEP_NS);
    }
    return true;
}

uint64_t sysdma_sim_soc_now_ns(const sysdma_sim_soc *s) { return s->now_ns; }
