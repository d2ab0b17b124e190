/* SPDX-License-Identifier: MIT */
/*
 * Bare-metal ARM kernel for sysdma, booted by qemu-system-arm -M versatilepb
 * (an ARM926EJ-S with QEMU's PL080 DMAC, PL190 VIC and PL011 UARTs). QEMU
 * gives a non-Linux ELF no command line, so the scenario's name is a file
 * QEMU loads into RAM (-device loader,file=F,addr=0x00100000,force-raw=on):
 * the first line of it, up to a NUL or newline. The kernel reports lines on
 * UART0 and leaves QEMU through semihosting (-semihosting-config
 * enable=on,target=native): SYS_EXIT with ADP_Stopped_ApplicationExit for
 * success, which QEMU turns into exit status 0, and with
 * ADP_Stopped_RunTimeErrorUnknown for failure, status 1.
 *
 * Scenarios:
 *   probe-pl080   the register-level PL080 probe (tests/conformance), every
 *                 value read printed, for comparison with sysdma's emulated
 *                 PL080 (sysdma emu-probe-pl080)
 *   uart-sg, m2m-packet, m2m-sg   transfers through the sysdma core and the
 *                 PL080 driver (scenarios.c)
 *   driver-uart, driver-m2m-max   the driver's hardware lists programmed
 *                 directly (driver_lists.c)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bm.h"
#include "dma.h"
#include "freestanding.h"
#include "kernel.h"
#include "pl080_probe.h"

/* ---- UART0 (PL011): QEMU's needs no setup ------------------------------------ */

static void serial_putc(char c)
{
    while (mmio_rd(BM_UART0 + BM_UART_FR) & (1u << 5))
        ;
    mmio_wr(BM_UART0 + BM_UART_DR, (uint8_t)c);
}

void serial_puts(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            serial_putc('\r');
        serial_putc(*s);
    }
}

/* ---- leaving QEMU: semihosting SYS_EXIT ---------------------------------------- */

#define SEMI_SYS_EXIT 0x18u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUNTIME_ERROR 0x20023u

static void __attribute__((noreturn)) qemu_exit(unsigned code)
{
    register uint32_t r0 __asm__("r0") = SEMI_SYS_EXIT;
    register uint32_t r1 __asm__("r1") = code ? ADP_STOPPED_RUNTIME_ERROR
                                              : ADP_STOPPED_APPLICATION_EXIT;
    __asm__ volatile("svc 0x123456" : : "r"(r0), "r"(r1) : "memory");
    for (;;)
        wait_for_interrupt(); /* semihosting off: stay here */
}

/* ---- exceptions and interrupts ---------------------------------------------------- */

void bm_exception(uint32_t kind, uint32_t addr);

void bm_exception(uint32_t kind, uint32_t addr)
{
    static const char *const names[] = {"?", "undefined instruction", "SWI", "prefetch abort",
                                        "data abort", "reserved vector", "FIQ"};
    serial_puts("error: exception: ");
    serial_puts(names[kind < 7 ? kind : 0]);
    serial_puts(" at 0x");
    put_hex(addr);
    if (kind == 4) {
        uint32_t far;
        __asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(far));
        serial_puts(" address 0x");
        put_hex(far);
    }
    serial_puts("\nfailed\n");
    qemu_exit(1);
}

static void (*dma_isr)(void);
static uint32_t stray_irqs;

void bm_set_dma_isr(void (*fn)(void))
{
    dma_isr = fn;
    if (fn)
        mmio_wr(BM_VIC + BM_VIC_INTENABLE, 1u << BM_PL080_IRQ);
    else
        mmio_wr(BM_VIC + BM_VIC_INTENCLEAR, 1u << BM_PL080_IRQ);
}

void bm_irq(void);

/* Called from irq_entry (boot.S) in IRQ mode, IRQs masked. The VIC is used
 * without vectors: IRQSTATUS says which enabled lines are high; each
 * handler quiets its device, which lowers the line. */
void bm_irq(void)
{
    uint32_t st = mmio_rd(BM_VIC + BM_VIC_IRQSTATUS);
    if ((st & (1u << BM_PL080_IRQ)) && dma_isr)
        dma_isr();
    else {
        stray_irqs++;
        mmio_wr(BM_VIC + BM_VIC_INTENCLEAR, st); /* never again */
    }
}

/* ---- small helpers ------------------------------------------------------------------ */

void say_error(const char *what, sysdma_status st)
{
    serial_puts("error: ");
    serial_puts(what);
    serial_puts(": ");
    serial_puts(sysdma_strerror(st));
    serial_puts("\n");
}

void put_hex(uint32_t v)
{
    static const char hex[] = "0123456789abcdef";
    char b[9];
    for (int k = 0; k < 8; k++)
        b[k] = hex[(v >> (28 - 4 * k)) & 15];
    b[8] = 0;
    serial_puts(b);
}

void put_dec(uint32_t v)
{
    char b[11];
    int k = 10;
    b[k] = 0;
    do {
        b[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    serial_puts(b + k);
}

void put_field(const char *label, uint32_t v)
{
    serial_puts(label);
    put_dec(v);
}

/* CRC-32 as gzip and zlib compute it. */
uint32_t crc32(const uint8_t *p, uint32_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return ~c;
}

bool word_is(const char *s, const char *w)
{
    while (*w && *s == *w) {
        s++;
        w++;
    }
    return *w == 0 && (*s == 0 || *s == ' ');
}

const char *arg_after(const char *sc)
{
    while (*sc && *sc != ' ')
        sc++;
    while (*sc == ' ')
        sc++;
    return sc;
}

uint32_t parse_num(const char **p)
{
    while (**p == ' ')
        (*p)++;
    uint32_t v = 0;
    while (**p >= '0' && **p <= '9')
        v = v * 10 + (uint32_t)(*(*p)++ - '0');
    return v;
}

/* ---- the scenario's name ------------------------------------------------------------- */

static char scenario[256];

/* The first line of what QEMU loaded at BM_ARG_ADDR (RAM is zero where
 * nothing was loaded: an empty name). */
static const char *read_scenario(void)
{
    const char *src = (const char *)(uintptr_t)BM_ARG_ADDR;
    unsigned k = 0;
    while (k < sizeof scenario - 1 && src[k] && src[k] != '\n' && src[k] != '\r')
        k++;
    memcpy(scenario, src, k);
    scenario[k] = 0;
    const char *s = scenario;
    while (*s == ' ')
        s++;
    return s;
}

/* ---- probe-pl080 ----------------------------------------------------------------------- */

static uint32_t probe_rd(uint32_t offset)
{
    return mmio_rd(BM_PL080 + offset);
}

static void probe_wr(uint32_t offset, uint32_t v)
{
    mmio_wr(BM_PL080 + offset, v);
}

static void probe_settle(void)
{
    /* QEMU's PL080 ran the channel inside the enabling write. */
}

static int probe_scenario(void)
{
    sysdma_pl080_probe_io io = {probe_rd, probe_wr, probe_settle, serial_puts,
                                (uint8_t *)(uintptr_t)BM_PROBE_PAGE, BM_PROBE_PAGE};
    sysdma_pl080_probe(&io);
    return 0;
}

/* ---- entry ---------------------------------------------------------------------------- */

void kmain(void);

void kmain(void)
{
    serial_puts("sysdma arm-versatilepb kernel\n");
    const char *sc = read_scenario();
    bm_memory_init();
    bm_mmu_init();
    int rc;
    if (word_is(sc, "probe-pl080")) {
        rc = probe_scenario();
    } else if (word_is(sc, "uart-sg")) {
        rc = uart_sg_scenario(sc);
    } else if (word_is(sc, "m2m-packet")) {
        rc = m2m_packet_scenario(sc);
    } else if (word_is(sc, "m2m-sg")) {
        rc = m2m_sg_scenario(sc);
    } else if (word_is(sc, "driver-uart")) {
        rc = driver_uart_scenario(sc);
    } else if (word_is(sc, "driver-m2m-max")) {
        rc = driver_m2m_max_scenario(sc);
    } else {
        serial_puts("error: unknown scenario '");
        serial_puts(sc);
        serial_puts("'; known: probe-pl080, uart-sg, m2m-packet, m2m-sg, "
                    "driver-uart, driver-m2m-max\n");
        qemu_exit(1);
    }
    serial_puts(rc ? "failed\n" : "done\n");
    qemu_exit((unsigned)rc);
}
