/* SPDX-License-Identifier: MIT */
/*
 * The simulated PC (see include/sysdma/sim.h).
 *
 * RAM is a memfd mapped once as the physical view; a page bitmap hands out
 * physical pages; driver buffers are fresh virtual ranges whose pages are
 * MAP_FIXED mappings of chosen memfd offsets, so one buffer can be made of
 * any physical pages in any order while the CPU sees it contiguous. The
 * emulated 8237A pair reaches RAM only through the bounded physmem.
 *
 * The allocator and the buffer table are under one mutex (drivers and
 * stress tests call them from several threads); the port bus, interrupts and
 * the run loop belong to the thread that runs the machine.
 */
#define _GNU_SOURCE
#include "sim_internal.h"
#include "sim_pages.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE SYSDMA_SIM_PAGE_SIZE
#define MAX_RANGES 16
#define MAX_CLOCKS 8
#define WORK_SLOTS 256
#define STEP_NS 10000u /* 10 µs of simulated time per step */

typedef struct port_range {
    uint16_t first, last;
    sysdma_sim_inb_fn in;
    sysdma_sim_outb_fn out;
    void *ctx;
} port_range;

struct sysdma_sim {
    int fd;
    uint8_t *ram;          /* physical view */
    uint64_t ram_bytes;
    sim_pages pg;          /* pages in use, driver buffers */
    pthread_mutex_t lock;  /* allocator and buffers */

    sysdma_emu_physmem mem;
    sysdma_emu_i8237 dma;

    port_range ranges[MAX_RANGES];
    unsigned nranges;
    uint64_t port_accesses;

    sysdma_sim_isr_fn isr[16];
    void *isr_ctx[16];
    uint16_t irq_level;
    int tc_irq;
    uint8_t tc_pending;

    struct {
        sysdma_sim_work_fn fn;
        void *ctx;
    } work[WORK_SLOTS];
    unsigned work_head, work_count;

    struct {
        sysdma_sim_clock_fn fn;
        void *ctx;
    } clocks[MAX_CLOCKS];
    unsigned nclocks;

    uint32_t units_per_us;
    bool timing_off;
    uint64_t now_ns;
    uint64_t budget_frac; /* leftover unit budget, in units × 1000 */

    struct sysdma_sim_testdev *testdevs; /* attached test devices (sim_testdev.c) */
    sim_pf pf;            /* context of sysdma_sim_platform() */
};

sim_pf *sysdma__sim_platform_ctx(sysdma_sim *s)
{
    return &s->pf;
}

struct sysdma_sim_testdev **sysdma__sim_testdevs(sysdma_sim *s)
{
    return &s->testdevs;
}

/* ---- pages (caller holds the lock): the ledger of sim_pages.c ------------- */

#define page_used(s, p) sim_pages_used(&(s)->pg, (p))
#define mark(s, p, n, on) sim_pages_mark(&(s)->pg, (p), (n), (on))
#define run_free(s, p, n) sim_pages_run_free(&(s)->pg, (p), (n))

/* First run of n free pages in [min, max) (bytes) that starts aligned and
 * crosses no `boundary`; from the top when `top`. UINT64_MAX when none. */
static uint64_t find_run(const sysdma_sim *s, uint64_t n, uint64_t min, uint64_t max,
                         uint64_t boundary, uint64_t align, bool top)
{
    if (max == 0 || max > s->ram_bytes)
        max = s->ram_bytes;
    uint64_t a = align / PAGE;
    if (a == 0)
        a = 1;
    uint64_t lo = (min / PAGE + a - 1) / a * a;
    if (max / PAGE < n)
        return UINT64_MAX;
    uint64_t hi = max / PAGE - n; /* last start page allowed */
    if (lo > hi)
        return UINT64_MAX;
    uint64_t count = (hi - lo) / a + 1;
    for (uint64_t k = 0; k < count; k++) {
        uint64_t p = top ? lo + (count - 1 - k) * a : lo + k * a;
        if (boundary) {
            uint64_t first = p * PAGE, last = (p + n) * PAGE - 1;
            if (first / boundary != last / boundary)
                continue;
        }
        if (run_free(s, p, n))
            return p;
    }
    return UINT64_MAX;
}

/* ---- creation ------------------------------------------------------------- */

static void on_tc(void *ctx, unsigned channel)
{
    sysdma_sim *s = ctx;
    s->tc_pending |= (uint8_t)(1u << channel);
    if (s->tc_irq >= 0)
        s->irq_level |= (uint16_t)(1u << s->tc_irq);
}

sysdma_status sysdma_sim_create(const sysdma_sim_config *cfg, sysdma_sim **out)
{
    sysdma_sim_config c = {0};
    if (cfg)
        c = *cfg;
    if (!out)
        return SYSDMA_E_INVALID_ARGUMENT;
    *out = NULL;
    if (c.ram_bytes == 0)
        c.ram_bytes = 64ull << 20;
    if (c.ram_bytes < (1u << 20) || c.ram_bytes % PAGE || c.ram_bytes > (64ull << 30))
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma_sim *s = calloc(1, sizeof *s);
    if (!s)
        return SYSDMA_E_NO_MEMORY;
    s->fd = memfd_create("sysdma-sim-ram", MFD_CLOEXEC);
    if (s->fd < 0 || ftruncate(s->fd, (off_t)c.ram_bytes) != 0)
        goto fail;
    s->ram = mmap(NULL, c.ram_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
    if (s->ram == MAP_FAILED) {
        s->ram = NULL;
        goto fail;
    }
    s->ram_bytes = c.ram_bytes;
    if (!sim_pages_init(&s->pg, c.ram_bytes / PAGE, c.seed))
        goto fail;
    /* Page 0 stays reserved (real-mode IVT and BDA live there on a PC), so
     * no buffer ever has physical address 0. */
    mark(s, 0, 1, true);
    if (pthread_mutex_init(&s->lock, NULL) != 0)
        goto fail;
    sysdma_emu_physmem_init(&s->mem, s->ram, s->ram_bytes);
    sysdma_emu_i8237_init(&s->dma, &s->mem, true);
    sysdma_emu_i8237_set_tc_hook(&s->dma, on_tc, s);
    s->tc_irq = -1;
    s->units_per_us = c.dma_units_per_us ? c.dma_units_per_us : 1;
    s->timing_off = c.timing_off;
    *out = s;
    return SYSDMA_OK;
fail:
    if (s->ram)
        munmap(s->ram, c.ram_bytes);
    if (s->fd >= 0)
        close(s->fd);
    sim_pages_fini(&s->pg);
    free(s);
    return SYSDMA_E_NO_MEMORY;
}

void sysdma_sim_destroy(sysdma_sim *s)
{
    if (!s)
        return;
    sysdma__sim_testdevs_free(s);
    sim_pages_fini(&s->pg);
    pthread_mutex_destroy(&s->lock);
    munmap(s->ram, s->ram_bytes);
    close(s->fd);
    free(s);
}

uint64_t sysdma_sim_ram_bytes(const sysdma_sim *s) { return s->ram_bytes; }
uint8_t *sysdma_sim_phys_view(sysdma_sim *s) { return s->ram; }
sysdma_emu_physmem *sysdma_sim_physmem(sysdma_sim *s) { return &s->mem; }
sysdma_emu_i8237 *sysdma_sim_dma(sysdma_sim *s) { return &s->dma; }

/* ---- contiguous physical memory ------------------------------------------------- */

sysdma_status sysdma_sim_alloc_contig(sysdma_sim *s, size_t bytes, uint64_t max_phys,
                                      uint64_t boundary, uint64_t align,
                                      uint64_t *phys, void **va)
{
    if (bytes == 0 || align < PAGE || (align & (align - 1)) || !phys)
        return SYSDMA_E_INVALID_ARGUMENT;
    uint64_t n = (bytes + PAGE - 1) / PAGE;
    if (boundary && n * PAGE > boundary)
        return SYSDMA_E_BOUNDARY;
    pthread_mutex_lock(&s->lock);
    uint64_t p = find_run(s, n, 0, max_phys, boundary, align, false);
    if (p != UINT64_MAX)
        mark(s, p, n, true);
    pthread_mutex_unlock(&s->lock);
    if (p == UINT64_MAX)
        return SYSDMA_E_NO_MEMORY;
    memset(s->ram + p * PAGE, 0, n * PAGE);
    *phys = p * PAGE;
    if (va)
        *va = s->ram + p * PAGE;
    return SYSDMA_OK;
}

void sysdma_sim_free_contig(sysdma_sim *s, uint64_t phys, size_t bytes)
{
    uint64_t p = phys / PAGE, n = (bytes + PAGE - 1) / PAGE;
    if (bytes == 0 || phys % PAGE || p + n > s->pg.pages)
        return;
    pthread_mutex_lock(&s->lock);
    mark(s, p, n, false);
    pthread_mutex_unlock(&s->lock);
}

uint64_t sysdma_sim_free_pages(sysdma_sim *s)
{
    pthread_mutex_lock(&s->lock);
    uint64_t n = s->pg.free_pages;
    pthread_mutex_unlock(&s->lock);
    return n;
}

/* ---- driver buffers ---------------------------------------------------------- */

/* Choose n physical pages for a placement (lock held). False if no fit. */
static bool place(sysdma_sim *s, uint64_t n, sysdma_sim_placement how, uint64_t *pg)
{
    uint64_t low = s->ram_bytes < SYSDMA_SIM_16M ? s->ram_bytes : SYSDMA_SIM_16M;
    switch (how) {
    case SYSDMA_SIM_LOW:
    case SYSDMA_SIM_HIGH:
    case SYSDMA_SIM_ABOVE_4G: {
        uint64_t from = how == SYSDMA_SIM_LOW ? 0 : how == SYSDMA_SIM_HIGH ? SYSDMA_SIM_16M : 4ull << 30;
        uint64_t p = find_run(s, n, from, how == SYSDMA_SIM_LOW ? low : 0, 0, PAGE, false);
        if (p == UINT64_MAX)
            return false;
        for (uint64_t k = 0; k < n; k++)
            pg[k] = p + k;
        break;
    }
    case SYSDMA_SIM_STRADDLE_64K:
    case SYSDMA_SIM_STRADDLE_128K: {
        uint64_t b = how == SYSDMA_SIM_STRADDLE_64K ? 16 : 32; /* pages per window */
        uint64_t before = n > 1 ? n / 2 : 1;                  /* pages below the boundary */
        bool found = false;
        for (uint64_t w = b; !found && (w + (n - before)) * PAGE <= low; w += b) {
            if (w < before)
                continue;
            if (run_free(s, w - before, n)) {
                for (uint64_t k = 0; k < n; k++)
                    pg[k] = w - before + k;
                found = true;
            }
        }
        if (!found)
            return false;
        break;
    }
    case SYSDMA_SIM_SCATTERED:
    case SYSDMA_SIM_SCATTERED_LOW:
    case SYSDMA_SIM_SCATTERED_HIGH: {
        uint64_t first = how == SYSDMA_SIM_SCATTERED_HIGH ? SYSDMA_SIM_16M / PAGE : 1;
        uint64_t limit = how == SYSDMA_SIM_SCATTERED_LOW ? low / PAGE : s->pg.pages;
        if (!sim_pages_scatter(&s->pg, first, limit, n, pg))
            return false; /* (none at all: no RAM above 16 MiB) */
        break;
    }
    default:
        return false;
    }
    for (uint64_t k = 0; k < n; k++)
        mark(s, pg[k], 1, true);
    return true;
}

void *sysdma_sim_buffer_alloc(sysdma_sim *s, size_t bytes, size_t offset,
                              sysdma_sim_placement how)
{
    if (bytes == 0 || offset >= PAGE || bytes > s->ram_bytes)
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
    if (ok) {
        for (uint64_t k = 0; k < n && ok; k++) {
            void *m = mmap(base + k * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                           s->fd, (off_t)(pg[k] * PAGE));
            ok = m != MAP_FAILED;
        }
        if (ok) {
            for (uint64_t k = 0; k < n; k++) {
                memset(s->ram + pg[k] * PAGE, 0, PAGE);
                pg[k] *= PAGE;
            }
            sim_pages_add(&s->pg, (sim_region){base, n, pg});
        } else {
            for (uint64_t k = 0; k < n; k++)
                mark(s, pg[k], 1, false);
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (!ok) {
        munmap(base, n * PAGE);
        free(pg);
        return NULL;
    }
    return base + offset;
}

bool sysdma_sim_buffer_free(sysdma_sim *s, void *va)
{
    uint8_t *base = (uint8_t *)((uintptr_t)va & ~(uintptr_t)(PAGE - 1));
    pthread_mutex_lock(&s->lock);
    sim_region r;
    bool found = sim_pages_take(&s->pg, base, &r);
    for (size_t i = 0; found && i < r.pages; i++)
        mark(s, r.phys[i] / PAGE, 1, false);
    pthread_mutex_unlock(&s->lock);
    if (!found)
        return false;
    munmap(r.base, r.pages * PAGE);
    free(r.phys);
    return true;
}

bool sysdma_sim_virt_to_phys(sysdma_sim *s, const void *va, uint64_t *phys)
{
    const uint8_t *p = va;
    if (p >= s->ram && p < s->ram + s->ram_bytes) {
        *phys = (uint64_t)(p - s->ram);
        return true;
    }
    pthread_mutex_lock(&s->lock);
    bool found = sim_pages_lookup(&s->pg, p, phys);
    pthread_mutex_unlock(&s->lock);
    return found;
}

/* ---- ports ---------------------------------------------------------------------- */

sysdma_status sysdma__sim_ports_free(const sysdma_sim *s, uint16_t first, uint16_t last)
{
    for (uint32_t p = first; p <= last; p++)
        if (sysdma_emu_i8237_claims((uint16_t)p))
            return SYSDMA_E_BUSY;
    for (unsigned k = 0; k < s->nranges; k++)
        if (first <= s->ranges[k].last && s->ranges[k].first <= last)
            return SYSDMA_E_BUSY;
    if (s->nranges == MAX_RANGES)
        return SYSDMA_E_INSUFFICIENT_RESOURCES;
    return SYSDMA_OK;
}

sysdma_status sysdma_sim_add_ports(sysdma_sim *s, uint16_t first, uint16_t last,
                                   sysdma_sim_inb_fn in, sysdma_sim_outb_fn out, void *ctx)
{
    if (first > last || !in || !out)
        return SYSDMA_E_INVALID_ARGUMENT;
    sysdma_status st = sysdma__sim_ports_free(s, first, last);
    if (st != SYSDMA_OK)
        return st;
    s->ranges[s->nranges++] = (port_range){first, last, in, out, ctx};
    return SYSDMA_OK;
}

uint8_t sysdma_sim_inb(sysdma_sim *s, uint16_t port)
{
    s->port_accesses++;
    if (sysdma_emu_i8237_claims(port))
        return sysdma_emu_i8237_inb(&s->dma, port);
    for (unsigned k = 0; k < s->nranges; k++)
        if (port >= s->ranges[k].first && port <= s->ranges[k].last)
            return s->ranges[k].in(s->ranges[k].ctx, port);
    return 0xFF;
}

void sysdma_sim_outb(sysdma_sim *s, uint16_t port, uint8_t v)
{
    s->port_accesses++;
    if (sysdma_emu_i8237_claims(port)) {
        sysdma_emu_i8237_outb(&s->dma, port, v);
        return;
    }
    for (unsigned k = 0; k < s->nranges; k++)
        if (port >= s->ranges[k].first && port <= s->ranges[k].last) {
            s->ranges[k].out(s->ranges[k].ctx, port, v);
            return;
        }
}

uint64_t sysdma_sim_port_accesses(const sysdma_sim *s) { return s->port_accesses; }

/* ---- interrupts, work, time --------------------------------------------------------- */

bool sysdma_sim_irq_connect(sysdma_sim *s, unsigned irq, sysdma_sim_isr_fn fn, void *ctx)
{
    if (irq >= 16)
        return false;
    s->isr[irq] = fn;
    s->isr_ctx[irq] = ctx;
    return true;
}

void sysdma_sim_irq_set(sysdma_sim *s, unsigned irq, bool level)
{
    if (irq >= 16)
        return;
    if (level)
        s->irq_level |= (uint16_t)(1u << irq);
    else
        s->irq_level &= (uint16_t)~(1u << irq);
}

void sysdma_sim_set_tc_irq(sysdma_sim *s, int irq)
{
    s->tc_irq = irq >= 0 && irq < 16 ? irq : -1;
}

uint8_t sysdma_sim_tc_ack(sysdma_sim *s)
{
    uint8_t t = s->tc_pending;
    s->tc_pending = 0;
    if (s->tc_irq >= 0)
        s->irq_level &= (uint16_t)~(1u << s->tc_irq);
    return t;
}

bool sysdma_sim_defer(sysdma_sim *s, sysdma_sim_work_fn fn, void *ctx)
{
    if (!fn || s->work_count == WORK_SLOTS)
        return false;
    unsigned slot = (s->work_head + s->work_count++) % WORK_SLOTS;
    s->work[slot].fn = fn;
    s->work[slot].ctx = ctx;
    return true;
}

bool sysdma__sim_clock_free(const sysdma_sim *s)
{
    return s->nclocks < MAX_CLOCKS;
}

bool sysdma_sim_add_clock(sysdma_sim *s, sysdma_sim_clock_fn fn, void *ctx)
{
    if (!fn || s->nclocks == MAX_CLOCKS)
        return false;
    s->clocks[s->nclocks].fn = fn;
    s->clocks[s->nclocks].ctx = ctx;
    s->nclocks++;
    return true;
}

/* Interrupts: each raised line with an ISR is serviced, lowest IRQ first,
 * as a PIC would; a line that stays raised is serviced again, up to a bound
 * so that a device that never quiets cannot hang the machine. */
static void service_interrupts(sysdma_sim *s)
{
    for (unsigned round = 0; round < 64 && s->irq_level; round++) {
        bool any = false;
        for (unsigned irq = 0; irq < 16; irq++) {
            if ((s->irq_level >> irq) & 1u && s->isr[irq]) {
                s->isr[irq](s->isr_ctx[irq], irq);
                any = true;
            }
        }
        if (!any)
            break;
    }
}

static void run_work(sysdma_sim *s)
{
    /* Work queued by work runs too, in the same call, FIFO. */
    for (unsigned budget = 4 * WORK_SLOTS; s->work_count && budget; budget--) {
        unsigned slot = s->work_head;
        sysdma_sim_work_fn fn = s->work[slot].fn;
        void *ctx = s->work[slot].ctx;
        s->work_head = (s->work_head + 1) % WORK_SLOTS;
        s->work_count--;
        fn(ctx);
    }
}

static void step(sysdma_sim *s, uint64_t ns)
{
    s->now_ns += ns;
    for (unsigned k = 0; k < s->nclocks; k++)
        s->clocks[k].fn(s->clocks[k].ctx, ns);
    if (s->timing_off) {
        while (sysdma_emu_i8237_run(&s->dma, (size_t)1 << 24) == (size_t)1 << 24)
            ;
    } else {
        s->budget_frac += ns * s->units_per_us;
        size_t units = (size_t)(s->budget_frac / 1000);
        s->budget_frac %= 1000;
        if (units) {
            size_t moved = sysdma_emu_i8237_run(&s->dma, units);
            (void)moved; /* idle DMA time is not carried over */
        }
    }
    service_interrupts(s);
    run_work(s);
}

void sysdma_sim_run(sysdma_sim *s, uint64_t ns)
{
    while (ns) {
        uint64_t d = ns < STEP_NS ? ns : STEP_NS;
        step(s, d);
        ns -= d;
    }
}

bool sysdma_sim_run_until(sysdma_sim *s, bool (*done)(void *ctx), void *ctx,
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

uint64_t sysdma_sim_now_ns(const sysdma_sim *s) { return s->now_ns; }

/* ---- hardware lint ------------------------------------------------------------------ */

static void lint_count_only(void *ctx, const sysdma_emu_lint_report *r)
{
    (void)ctx;
    (void)r; /* the emulator counts it in dma.lint.reports */
}

void sysdma_sim_set_lint(sysdma_sim *s, bool on, sysdma_emu_lint_fn fn, void *ctx)
{
    if (!on) {
        sysdma_emu_i8237_set_lint(&s->dma, NULL, NULL);
        return;
    }
    sysdma_emu_i8237_set_lint(&s->dma, fn ? fn : lint_count_only, ctx);
    /* run() budgets are this machine's time: units per step when timed;
     * untimed, each step's first run() offers 2^24 units. */
    uint64_t threshold = s->timing_off ? 100ull << 24 : 100000ull * s->units_per_us;
    sysdma_emu_i8237_lint_config(&s->dma, SYSDMA_EMU_LINT_ALL, threshold);
}

uint64_t sysdma_sim_lint_reports(const sysdma_sim *s)
{
    return s->dma.lint.fn ? s->dma.lint.reports : 0;
}
