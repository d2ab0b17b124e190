/* SPDX-License-Identifier: MIT */
/*
 * The PL080 driver's hardware lists on QEMU's PL080, programmed through
 * the controller table directly, beside the core: one program of many
 * fragments, up to every item a channel has (more than the core hands in
 * one program, which it keeps to what query_fragments promises for
 * fragments of any length).
 *
 *   driver-uart PAGES OFFSET  the uart-sg buffer (scattered pages, each a
 *                             fragment) to UART0's data register in ONE
 *                             program: one list of items, one interrupt
 *   driver-m2m-max            512 scattered pages (one item each: page
 *                             aligned, under the item capacity of word
 *                             transfers) to one contiguous buffer in one
 *                             program of exactly the driver's items per
 *                             channel; one page more is refused
 *                             (SYSDMA_E_TOO_MANY_ELEMENTS) and starts nothing
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/ctrl_pl080.h"
#include "bm.h"
#include "dma.h"
#include "kernel.h"

#define PAGE 4096u
#define CHANNEL 6u
#define MAX_FRAGMENTS 600u

static sysdma_fragment frags[MAX_FRAGMENTS];

/* One fragment per page of [buf, buf + bytes). */
static unsigned fragments_of(const uint8_t *buf, uint32_t bytes)
{
    unsigned n = 0;
    while (bytes && n < MAX_FRAGMENTS) {
        uint32_t phys;
        if (!bm_virt_to_phys(buf, &phys))
            return 0;
        uint32_t len = PAGE - phys % PAGE;
        if (len > bytes)
            len = bytes;
        frags[n].phys = phys;
        frags[n].length = len;
        n++;
        buf += len;
        bytes -= len;
    }
    return bytes ? 0 : n;
}

static bool run(const sysdma_program *p, uint32_t *items, uint32_t *irqs)
{
    uint32_t irq0 = dma_interrupts(), items0 = dma_items_total();
    sysdma_status st = dma_program_direct(CHANNEL, p);
    if (st != SYSDMA_OK) {
        say_error("program", st);
        return false;
    }
    bool ok = dma_wait_channel(CHANNEL);
    if (!ok)
        serial_puts("error: no terminal-count interrupt for the list\n");
    *items = dma_items_total() - items0;
    *irqs = dma_interrupts() - irq0;
    return ok;
}

int driver_uart_scenario(const char *sc)
{
    if (!dma_system())
        return 1;
    const char *p = arg_after(sc);
    uint32_t pages = parse_num(&p), offset = parse_num(&p);
    if (pages == 0 || pages > 512 || offset >= PAGE / 2) {
        serial_puts("error: driver-uart PAGES OFFSET: 1-512 pages, offset under 2048\n");
        return 1;
    }
    uint32_t bytes = pages * PAGE - 2 * offset;
    uint8_t *buf = bm_map_scattered(bytes, offset);
    unsigned n = buf ? fragments_of(buf, bytes) : 0;
    if (!n) {
        serial_puts("error: no memory for the buffer\n");
        return 1;
    }
    for (uint32_t k = 0; k < bytes; k++)
        buf[k] = pattern(k);
    sysdma_program prog = {.fragments = frags, .count = n,
                           .device_address = BM_UART0 + BM_UART_DR, .to_device = true,
                           .shape = {.memory_width = 1, .device_width = 1,
                                     .flow = SYSDMA_FLOW_MEMORY, .device_increment = false}};
    put_field("driver-uart: pages ", pages);
    put_field(" bytes ", bytes);
    put_field(" offset ", offset);
    serial_puts("\nuart-data: ");
    uint32_t items = 0, irqs = 0;
    bool ok = run(&prog, &items, &irqs);
    serial_puts("\nuart-end\n");
    put_field("fragments ", n);
    put_field(" programs 1 items ", items);
    put_field(" interrupts ", irqs);
    serial_puts("\n");
    return ok ? 0 : 1;
}

int driver_m2m_max_scenario(const char *sc)
{
    (void)sc;
    if (!dma_system())
        return 1;
    const uint32_t max = SYSDMA_PL080_DEFAULT_ITEMS, bytes = max * PAGE, guard = 64;
    uint32_t dst_phys;
    uint8_t *src = bm_map_scattered(bytes + PAGE, 0);
    unsigned n = src ? fragments_of(src, bytes + PAGE) : 0;
    if (!n || !bm_pages_alloc(bytes + PAGE, 0, 0, 0, PAGE, &dst_phys)) {
        serial_puts("error: no memory for the buffers\n");
        return 1;
    }
    uint8_t *dst = (uint8_t *)(uintptr_t)dst_phys;
    for (uint32_t k = 0; k < bytes + PAGE; k++) {
        src[k] = pattern(k);
        dst[k] = k < bytes ? 0 : 0xA5; /* the guard: the page after the buffer */
    }
    sysdma_program prog = {.fragments = frags, .count = n, .device_address = dst_phys,
                           .to_device = true,
                           .shape = {.memory_width = 4, .device_width = 4,
                                     .flow = SYSDMA_FLOW_MEMORY, .device_increment = true}};
    /* One fragment (one item) more than the channel has: refused. */
    sysdma_status st = dma_program_direct(CHANNEL, &prog);
    put_field("driver-m2m-max: one more than the items per channel (", n);
    serial_puts("): ");
    serial_puts(sysdma_strerror(st));
    serial_puts(dst[0] == 0 ? ", nothing moved\n" : ", data moved\n");
    bool ok = st == SYSDMA_E_TOO_MANY_ELEMENTS && dst[0] == 0;
    prog.count = n - 1;
    uint32_t items = 0, irqs = 0;
    ok = run(&prog, &items, &irqs) && ok;
    uint32_t cs = crc32(src, bytes), cd = crc32(dst, bytes);
    bool intact = true;
    for (uint32_t k = bytes; k < bytes + guard; k++)
        intact = intact && dst[k] == 0xA5;
    put_field("fragments ", prog.count);
    put_field(" programs 1 items ", items);
    put_field(" items-per-channel ", max);
    put_field(" interrupts ", irqs);
    serial_puts("\ncrc32 source ");
    put_hex(cs);
    serial_puts(" destination ");
    put_hex(cd);
    serial_puts(intact ? "\nguard intact\n" : "\nguard overwritten\n");
    return ok && items == max && cs == cd && intact ? 0 : 1;
}
