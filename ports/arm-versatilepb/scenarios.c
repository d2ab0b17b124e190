/* SPDX-License-Identifier: MIT */
/*
 * The ARM kernel's DMA scenarios, through the sysdma adapter API, the core
 * and the PL080 driver, on QEMU's PL080 (flow type 0 only: QEMU moves no
 * data for the peripheral flow types, and aborts on 4-7):
 *
 *   uart-sg PAGES OFFSET   a buffer of PAGES pages scattered over RAM (no
 *                          two physical neighbours), starting OFFSET bytes
 *                          into its first page, sent as one scatter/gather
 *                          list to UART0's data register (destination not
 *                          incremented); the serial line must carry the
 *                          buffer's bytes in order. PAGES "max": as many
 *                          pages as the driver takes in one program; more
 *                          are sent in several programs of at most that.
 *   m2m-packet PAGES       packet-based (MapTransferEx, through map
 *                          registers): a scattered buffer to a contiguous
 *                          one, then that one to a second scattered buffer
 *   m2m-sg PAGES           the same with scatter/gather lists run on the
 *                          channel (sysdma_sg_start), each one program
 * The memory-to-memory scenarios check the CRC-32 of the three buffers and
 * that the guard bytes after each stay untouched. Every completion comes
 * from the PL080's terminal-count interrupt through the VIC.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/ctrl_pl080.h"
#include "bm.h"
#include "dma.h"
#include "freestanding.h"
#include "kernel.h"

#define PAGE 4096u
#define GUARD 64u
#define GUARD_BYTE 0xA5u
#define UART_CHANNEL 1u
#define M2M_CHANNEL 7u /* memory to memory: lowest priority */

/* The bytes the tests know (tests/qemu/arm-dma.sh): printable, and never
 * the same at two positions a page apart. */
uint8_t pattern(uint32_t k)
{
    return (uint8_t)(33u + (k * 7u + k / 251u) % 94u);
}

static sysdma_adapter *get_adapter(sysdma_system *sys, unsigned channel, bool sg, uint32_t bytes,
                                   uint32_t device_address, bool device_increment,
                                   uint32_t *map_registers)
{
    sysdma_device_description d = {0};
    d.version = 3;
    d.scatter_gather = sg;
    d.channel = channel;
    d.interface_type = SYSDMA_INTERFACE_ISA;
    d.width = SYSDMA_WIDTH_8;
    d.maximum_length = bytes;
    d.device_address = device_address;
    d.request_line = 0;
    sysdma_adapter *a = NULL;
    sysdma_status st = sysdma_adapter_get(sys, &d, &a, map_registers);
    if (st != SYSDMA_OK) {
        say_error("adapter", st);
        return NULL;
    }
    /* No request line: flow type 0, bytes (the UART takes bytes), the
     * device side incremented only when it is memory. */
    sysdma_transfer_shape shape = {.memory_width = 1, .device_width = 1,
                                   .flow = SYSDMA_FLOW_MEMORY,
                                   .device_increment = device_increment};
    st = sysdma_adapter_configure(a, SYSDMA_CONFIGURE_SHAPE, &shape, sizeof shape);
    if (st != SYSDMA_OK) {
        say_error("configure shape", st);
        (void)sysdma_adapter_put(a);
        return NULL;
    }
    return a;
}

/* ---- lists: the routine starts the run, the done call ends it ----------------- */

typedef struct list_job {
    sysdma_adapter *adapter;
    bool to_device;
    sysdma_sg_list *list;
    sysdma_status start, done_status;
    uint32_t elements;
    volatile bool done;
    uint32_t done_calls;
} list_job;

static void list_done(sysdma_adapter *adapter, sysdma_sg_list *list, sysdma_status status,
                      void *context)
{
    (void)adapter;
    (void)list;
    list_job *j = context;
    j->done_status = status;
    j->done_calls++;
    j->done = true;
}

static void list_routine(void *device, sysdma_sg_list *list, void *context)
{
    (void)device;
    list_job *j = context;
    j->list = list;
    j->elements = list->count;
    j->start = sysdma_sg_start(j->adapter, list, j->to_device, list_done, j);
    if (j->start != SYSDMA_OK && j->start != SYSDMA_PENDING)
        j->done = true; /* no done call comes */
}

/* Run the whole of `mdl` as one list; false (error printed) on failure. */
static bool run_list(sysdma_adapter *a, sysdma_mdl *mdl, bool to_device, list_job *j)
{
    *j = (list_job){.adapter = a, .to_device = to_device};
    sysdma_status st = sysdma_sg_get(a, NULL, mdl, sysdma_mdl_virtual_address(mdl),
                                     sysdma_mdl_byte_count(mdl), list_routine, j, to_device);
    if (st != SYSDMA_OK && st != SYSDMA_PENDING) {
        say_error("sg_get", st);
        return false;
    }
    bool ok = dma_wait(&j->done);
    if (!ok)
        serial_puts("error: no done call (no terminal-count interrupt)\n");
    else if (j->start != SYSDMA_OK && j->start != SYSDMA_PENDING) {
        say_error("sg_start", j->start);
        ok = false;
    } else if (j->done_status != SYSDMA_OK) {
        say_error("list done", j->done_status);
        ok = false;
    }
    if (j->list) {
        st = sysdma_sg_put(a, j->list, to_device);
        if (st != SYSDMA_OK) {
            say_error("sg_put", st);
            ok = false;
        }
    }
    return ok;
}

/* ---- uart-sg ---------------------------------------------------------------------- */

int uart_sg_scenario(const char *sc)
{
    sysdma_system *sys = dma_system();
    if (!sys)
        return 1;
    const char *p = arg_after(sc);
    uint32_t pages = word_is(p, "max") ? dma_query_fragments(UART_CHANNEL) : parse_num(&p);
    if (word_is(p, "max"))
        p = arg_after(p);
    uint32_t offset = parse_num(&p);
    if (pages == 0 || pages > 512 || offset >= PAGE / 2) {
        serial_puts("error: uart-sg PAGES OFFSET: 1-512 pages, offset under 2048\n");
        return 1;
    }
    /* The buffer ends as far before its last page's end as it starts into
     * its first: PAGES pages, each its own element. */
    uint32_t bytes = pages * PAGE - 2 * offset;
    if (pages == 1 && bytes > PAGE / 2)
        bytes = PAGE / 2; /* one page: one item (below the item capacity) */
    uint8_t *buf = bm_map_scattered(bytes, offset);
    if (!buf) {
        serial_puts("error: no memory for the buffer\n");
        return 1;
    }
    for (uint32_t k = 0; k < bytes; k++)
        buf[k] = pattern(k);
    sysdma_adapter *a = get_adapter(sys, UART_CHANNEL, true, bytes, BM_UART0 + BM_UART_DR, false,
                                    NULL);
    if (!a)
        return 1;
    sysdma_mdl *mdl;
    sysdma_status st = sysdma_mdl_create(sys, buf, bytes, &mdl);
    if (st != SYSDMA_OK) {
        say_error("mdl", st);
        return 1;
    }
    put_field("uart-sg: pages ", pages);
    put_field(" bytes ", bytes);
    put_field(" offset ", offset);
    put_field(" fragments-per-program ", dma_query_fragments(UART_CHANNEL));
    serial_puts("\nuart-data: ");
    list_job j;
    sysdma_stats before, after;
    sysdma_stats_get(sys, NULL, &before);
    uint32_t irq0 = dma_interrupts(), items0 = dma_items_total();
    bool ok = run_list(a, mdl, true, &j);
    sysdma_stats_get(sys, NULL, &after);
    serial_puts("\nuart-end\n");
    put_field("elements ", j.elements);
    put_field(" programs ", (uint32_t)(after.transfers - before.transfers));
    put_field(" items ", dma_items_total() - items0);
    put_field(" interrupts ", dma_interrupts() - irq0);
    put_field(" done-calls ", j.done_calls);
    put_field(" syncs ", bm_dma_syncs());
    serial_puts("\n");
    sysdma_mdl_free(sys, mdl);
    st = sysdma_adapter_put(a);
    if (st != SYSDMA_OK) {
        say_error("adapter_put", st);
        ok = false;
    }
    return ok ? 0 : 1;
}

/* ---- memory to memory ------------------------------------------------------------- */

typedef struct m2m_buffers {
    uint8_t *src, *dst; /* scattered */
    uint8_t *mid;       /* contiguous: the "device" side */
    uint32_t mid_phys, bytes;
} m2m_buffers;

/* Three buffers of PAGES pages less the guard, each followed by GUARD
 * guard bytes: the source (the pattern), the middle and the destination
 * (zeros). */
static bool m2m_buffers_make(uint32_t pages, m2m_buffers *b)
{
    b->bytes = pages * PAGE - GUARD;
    b->src = bm_map_scattered(b->bytes + GUARD, 0);
    b->dst = bm_map_scattered(b->bytes + GUARD, 0);
    if (!b->src || !b->dst || !bm_pages_alloc(pages * PAGE, 0, 0, 0, PAGE, &b->mid_phys))
        return false;
    b->mid = (uint8_t *)(uintptr_t)b->mid_phys;
    for (uint32_t k = 0; k < b->bytes + GUARD; k++) {
        bool guard = k >= b->bytes;
        b->src[k] = guard ? GUARD_BYTE : pattern(k);
        b->mid[k] = guard ? GUARD_BYTE : 0;
        b->dst[k] = guard ? GUARD_BYTE : 0;
    }
    return true;
}

static bool guard_ok(const uint8_t *buf, uint32_t bytes)
{
    for (uint32_t k = 0; k < GUARD; k++)
        if (buf[bytes + k] != GUARD_BYTE)
            return false;
    return true;
}

/* The CRC-32 of each buffer and its guard's state; true when all agree. */
static bool m2m_report(const m2m_buffers *b)
{
    uint32_t cs = crc32(b->src, b->bytes), cm = crc32(b->mid, b->bytes),
             cd = crc32(b->dst, b->bytes);
    bool gs = guard_ok(b->src, b->bytes), gm = guard_ok(b->mid, b->bytes),
         gd = guard_ok(b->dst, b->bytes);
    serial_puts("crc32 source ");
    put_hex(cs);
    serial_puts(" middle ");
    put_hex(cm);
    serial_puts(" destination ");
    put_hex(cd);
    serial_puts("\nguards source ");
    serial_puts(gs ? "intact" : "overwritten");
    serial_puts(" middle ");
    serial_puts(gm ? "intact" : "overwritten");
    serial_puts(" destination ");
    serial_puts(gd ? "intact" : "overwritten");
    serial_puts("\n");
    return cs == cm && cm == cd && gs && gm && gd;
}

static uint32_t parse_pages(const char *sc)
{
    const char *p = arg_after(sc);
    uint32_t pages = parse_num(&p);
    if (pages == 0 || pages > 15) {
        serial_puts("error: PAGES: 1-15\n");
        return 0;
    }
    return pages;
}

typedef struct packet_job {
    volatile bool done;
    sysdma_status status;
    uint32_t completions;
} packet_job;

static void packet_complete(sysdma_adapter *adapter, void *context, sysdma_status status)
{
    (void)adapter;
    packet_job *j = context;
    j->status = status;
    j->completions++;
    j->done = true;
}

/* One MapTransferEx of the whole MDL through the map registers `regs`,
 * waiting for its completion, then its flush. */
static bool packet_transfer(sysdma_adapter *a, sysdma_mdl *mdl, sysdma_map_registers *regs,
                            bool to_device, uint32_t *completions)
{
    packet_job j = {0};
    uint32_t len = sysdma_mdl_byte_count(mdl);
    uint64_t logical = 0;
    sysdma_status st = sysdma_map_transfer_ex(a, mdl, 0, &len, to_device, regs, packet_complete,
                                              &j, &logical);
    if (st != SYSDMA_OK) {
        say_error("map_transfer_ex", st);
        return false;
    }
    bool ok = len == sysdma_mdl_byte_count(mdl);
    if (!ok)
        serial_puts("error: the mapping took only part of the buffer\n");
    if (!dma_wait(&j.done)) {
        serial_puts("error: no MapTransferEx completion (no terminal-count interrupt)\n");
        (void)sysdma_transfer_cancel_mapped(a);
        ok = false;
    } else if (j.status != SYSDMA_OK) {
        say_error("completion", j.status);
        ok = false;
    }
    st = sysdma_flush_adapter_buffers_ex(a, mdl, regs, 0, len, to_device);
    if (st != SYSDMA_OK) {
        say_error("flush", st);
        ok = false;
    }
    *completions += j.completions;
    return ok;
}

int m2m_packet_scenario(const char *sc)
{
    uint32_t pages = parse_pages(sc);
    sysdma_system *sys = pages ? dma_system() : NULL;
    if (!sys)
        return 1;
    m2m_buffers b;
    if (!m2m_buffers_make(pages, &b)) {
        serial_puts("error: no memory for the buffers\n");
        return 1;
    }
    uint32_t nregs = 0;
    sysdma_adapter *a = get_adapter(sys, M2M_CHANNEL, false, b.bytes, b.mid_phys, true, &nregs);
    if (!a)
        return 1;
    sysdma_mdl *ms, *md;
    sysdma_status st = sysdma_mdl_create(sys, b.src, b.bytes, &ms);
    if (st == SYSDMA_OK)
        st = sysdma_mdl_create(sys, b.dst, b.bytes, &md);
    if (st != SYSDMA_OK) {
        say_error("mdl", st);
        return 1;
    }
    sysdma_transfer_context ctx;
    sysdma_map_registers *regs = NULL;
    st = sysdma_transfer_context_init(a, &ctx);
    if (st == SYSDMA_OK)
        st = sysdma_channel_allocate_ex(a, NULL, &ctx, nregs, SYSDMA_ALLOCATE_SYNCHRONOUS, NULL,
                                        NULL, &regs);
    if (st != SYSDMA_OK) {
        say_error("channel_allocate_ex", st);
        return 1;
    }
    uint32_t completions = 0, irq0 = dma_interrupts();
    sysdma_stats before, after;
    sysdma_stats_get(sys, NULL, &before);
    /* Scattered source → contiguous middle (to the "device"), then middle
     * → scattered destination (from it). */
    bool ok = packet_transfer(a, ms, regs, true, &completions) &&
              packet_transfer(a, md, regs, false, &completions);
    sysdma_stats_get(sys, NULL, &after);
    st = sysdma_adapter_free_object(a, SYSDMA_DEALLOCATE_OBJECT);
    if (st != SYSDMA_OK) {
        say_error("free_object", st);
        ok = false;
    }
    put_field("m2m-packet: pages ", pages);
    put_field(" bytes ", b.bytes);
    put_field(" map-registers ", nregs);
    put_field(" programs ", (uint32_t)(after.transfers - before.transfers));
    put_field(" bounced ", (uint32_t)(after.bounced_transfers - before.bounced_transfers));
    put_field(" interrupts ", dma_interrupts() - irq0);
    put_field(" completions ", completions);
    serial_puts("\n");
    ok = m2m_report(&b) && ok;
    sysdma_mdl_free(sys, ms);
    sysdma_mdl_free(sys, md);
    if (sysdma_adapter_put(a) != SYSDMA_OK)
        ok = false;
    return ok ? 0 : 1;
}

int m2m_sg_scenario(const char *sc)
{
    uint32_t pages = parse_pages(sc);
    sysdma_system *sys = pages ? dma_system() : NULL;
    if (!sys)
        return 1;
    m2m_buffers b;
    if (!m2m_buffers_make(pages, &b)) {
        serial_puts("error: no memory for the buffers\n");
        return 1;
    }
    sysdma_adapter *a = get_adapter(sys, M2M_CHANNEL, true, b.bytes, b.mid_phys, true, NULL);
    if (!a)
        return 1;
    sysdma_mdl *ms, *md;
    sysdma_status st = sysdma_mdl_create(sys, b.src, b.bytes, &ms);
    if (st == SYSDMA_OK)
        st = sysdma_mdl_create(sys, b.dst, b.bytes, &md);
    if (st != SYSDMA_OK) {
        say_error("mdl", st);
        return 1;
    }
    uint32_t irq0 = dma_interrupts(), items0 = dma_items_total();
    sysdma_stats before, after;
    sysdma_stats_get(sys, NULL, &before);
    list_job out, in = {0};
    bool ok = run_list(a, ms, true, &out);
    uint32_t items_out = dma_items_total() - items0;
    sysdma_stats_get(sys, NULL, &after);
    ok = ok && run_list(a, md, false, &in);
    sysdma_stats_get(sys, NULL, &after);
    put_field("m2m-sg: pages ", pages);
    put_field(" bytes ", b.bytes);
    put_field(" elements ", out.elements);
    put_field("+", in.elements);
    put_field(" programs ", (uint32_t)(after.transfers - before.transfers));
    put_field(" items ", items_out);
    put_field("+", dma_items_total() - items0 - items_out);
    put_field(" interrupts ", dma_interrupts() - irq0);
    put_field(" done-calls ", out.done_calls + in.done_calls);
    serial_puts("\n");
    ok = m2m_report(&b) && ok;
    sysdma_mdl_free(sys, ms);
    sysdma_mdl_free(sys, md);
    if (sysdma_adapter_put(a) != SYSDMA_OK)
        ok = false;
    return ok ? 0 : 1;
}
