/* SPDX-License-Identifier: MIT */
/*
 * Bare-metal x86 kernel for sysdma, booted by qemu-system-i386 (multiboot).
 * It reads its scenario from the multiboot command line (QEMU -append), runs
 * it against the machine's real devices through port I/O, reports lines on
 * COM1 and leaves through QEMU's isa-debug-exit device (port 0xF4):
 * exit status (code << 1) | 1, so 0 → 1 means success and 1 → 3 failure.
 *
 * Scenarios (the word after the kernel's name on the command line):
 *   probe-8237              run the register-level 8237 probe
 *                           (tests/conformance) and print every value read,
 *                           for comparison with sysdma's emulated pair
 *   probe-fdc               run the floppy-controller command probe
 *                           (tests/conformance) against drive 0
 *   fdc-read PLACEMENT      read the whole 1.44 MiB floppy with the example
 *                           driver through the sysdma core and the 8237
 *                           driver into a buffer placed PLACEMENT (low, high
 *                           = above 16 MiB, straddle64k, scattered = pages
 *                           alternately below and above 16 MiB, mapped
 *                           contiguously by paging), print its CRC-32
 *   fdc-write PLACEMENT     write a known pattern to sectors 100-199 from
 *                           such a buffer, read it back, print both CRC-32s
 *   fdc-ex-read PLACEMENT,  the same through the driver's MapTransferEx path
 *   fdc-ex-write PLACEMENT  (completions at a confirmed terminal count)
 *   sb16-play BITS CHANNELS RATE MS   common-buffer auto-init playback
 *   sb16-sg BITS CHANNELS RATE MS     scattered single-cycle playback
 *                           through the chained runner (completions.c)
 *   both PLACEMENT          the floppy read through MapTransferEx on
 *                           channel 2 while the SB16 plays a scattered
 *                           buffer on channel 1 (completions.c)
 * The floppy's interrupt is polled through the PIC (IRQ 6 unmasked at the
 * PIC, interrupts off at the CPU, the PIC's poll command to see and
 * acknowledge it): no IDT is needed.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../examples/drivers/fdc.h"
#include "../../examples/drivers/sb16.h"
#include "bm.h"
#include "kernel.h"
#include "freestanding.h"
#include "fdc_probe.h"
#include "i8237_probe.h"

static uint8_t inb(uint16_t port)
{
    return bm_inb(port);
}

static void outb(uint16_t port, uint8_t v)
{
    bm_outb(port, v);
}

/* ---- COM1 ---------------------------------------------------------------- */

static void serial_init(void)
{
    outb(0x3F9, 0x00); /* no interrupts */
    outb(0x3FB, 0x80); /* DLAB */
    outb(0x3F8, 0x01); /* 115200 baud */
    outb(0x3F9, 0x00);
    outb(0x3FB, 0x03); /* 8N1 */
    outb(0x3FA, 0xC7); /* FIFO */
    outb(0x3FC, 0x03);
}

static void serial_putc(char c)
{
    while (!(inb(0x3FD) & 0x20))
        ;
    outb(0x3F8, (uint8_t)c);
}

void serial_puts(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            serial_putc('\r');
        serial_putc(*s);
    }
}

static void qemu_exit(unsigned code)
{
    outb(0xF4, (uint8_t)code);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* ---- multiboot command line ------------------------------------------------ */

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;
    uint32_t boot_device;
    uint32_t cmdline;
};

bool word_is(const char *s, const char *w)
{
    while (*w && *s == *w) {
        s++;
        w++;
    }
    return *w == 0 && (*s == 0 || *s == ' ');
}

/* The boot loader puts the kernel's file name first on the command line;
 * the scenario is the word after it. */
static const char *scenario_of(const char *cmdline)
{
    const char *p = cmdline;
    while (*p == ' ')
        p++;
    while (*p && *p != ' ')
        p++;
    while (*p == ' ')
        p++;
    return p;
}

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

/* ---- the floppy driver's environment: polled IRQ 6 ------------------------------ */

void io_delay(uint32_t us)
{
    while (us--)
        bm_outb(0x80, 0);
}

static unsigned irq_wanted = 6;

static bool irq_pending(void)
{
    bm_outb(0x20, 0x0C); /* OCW3: poll */
    uint8_t v = bm_inb(0x20);
    if (!(v & 0x80))
        return false;
    bm_outb(0x20, 0x20); /* EOI for what the poll acknowledged */
    return (v & 7) == irq_wanted;
}

uint8_t env_in(void *ctx, uint16_t port)
{
    (void)ctx;
    return bm_inb(port);
}

void env_out(void *ctx, uint16_t port, uint8_t v)
{
    (void)ctx;
    bm_outb(port, v);
}

static bool env_wait(void *ctx, uint32_t timeout_us)
{
    (void)ctx;
    for (uint32_t k = 0; k < timeout_us * 4; k++) {
        if (irq_pending())
            return true;
        io_delay(1);
    }
    return false;
}

void env_delay(void *ctx, uint32_t us)
{
    (void)ctx;
    io_delay(us / 100 + 1); /* QEMU needs no real waits */
}

static void pic_init(void)
{
    /* Remap nothing, just mask all but IRQ 6 (and the cascade) at the PIC. */
    bm_outb(0x21, (uint8_t)~((1u << irq_wanted) | (1u << 2)));
    bm_outb(0xA1, 0xFF);
    while (irq_pending())
        ;
}

bool place(const char *how, uint32_t bytes, uint32_t *phys)
{
    if (word_is(how, "scattered")) {
        void *va = bm_map_scattered(bytes, 0);
        *phys = (uint32_t)(uintptr_t)va; /* the window's virtual address */
        return va != 0;
    }
    if (word_is(how, "low"))
        return bm_pages_alloc(bytes, 0, 16u << 20, 0, 4096, phys);
    if (word_is(how, "high"))
        return bm_pages_alloc(bytes, 16u << 20, 0, 0, 4096, phys);
    if (word_is(how, "straddle64k")) {
        /* Start 8 KiB below a 64 KiB boundary. */
        for (uint32_t b = 0x200000; b + bytes < (16u << 20); b += 0x10000)
            if (bm_pages_alloc(bytes, b - 0x2000, b - 0x2000 + ((bytes + 4095) & ~4095u), 0, 4096,
                               phys))
                return true;
    }
    return false;
}

const char *arg_after(const char *sc)
{
    while (*sc && *sc != ' ')
        sc++;
    while (*sc == ' ')
        sc++;
    return sc;
}

/* label, then a decimal number */
void put_field(const char *label, uint32_t v)
{
    serial_puts(label);
    put_dec(v);
}

/* The sysdma system over this machine: its platform and the 8237 driver. */
static sysdma_platform the_platform;
static sysdma_i8237_driver the_8237;
static sysdma_controller the_controller;

sysdma_system *make_system(void)
{
    sysdma_system *sys;
    bm_platform(&the_platform);
    sysdma_i8237_driver_init(&the_8237, &the_platform, &the_controller);
    sysdma_status st = sysdma_system_create(&the_platform, &the_controller, NULL, &sys);
    if (st == SYSDMA_OK)
        return sys;
    say_error("system", st);
    return 0;
}

static int fdc_scenario(const char *sc, bool write, bool ex)
{
    sysdma_system *sys = make_system();
    if (!sys)
        return 1;
    pic_init();
    fdc_env env = {env_in, env_out, env_wait, env_delay, 0};
    fdc_driver d;
    sysdma_status st = fdc_open(&d, sys, &env, 0, 1474560);
    if (st != SYSDMA_OK) {
        say_error("fdc_open", st);
        return 1;
    }
    const char *how = arg_after(sc);
    uint32_t bytes = write ? 100 * 512 : 1474560, phys;
    if (!place(how, bytes, &phys)) {
        serial_puts("error: no memory for that placement\n");
        return 1;
    }
    uint8_t *buf = (uint8_t *)(uintptr_t)phys;
    serial_puts(word_is(how, "scattered") ? "buffer (virtual, pages scattered) at 0x" : "buffer at 0x");
    put_hex(phys);
    serial_puts("\n");
    if (write) {
        for (uint32_t k = 0; k < bytes; k++)
            buf[k] = (uint8_t)(k * 7 + 3);
        serial_puts("pattern crc32 ");
        put_hex(crc32(buf, bytes));
        serial_puts("\n");
        st = ex ? fdc_write_ex(&d, 100, 100, buf) : fdc_write(&d, 100, 100, buf);
        if (st == SYSDMA_OK) {
            memset(buf, 0, bytes);
            st = ex ? fdc_read_ex(&d, 100, 100, buf) : fdc_read(&d, 100, 100, buf);
        }
    } else {
        st = ex ? fdc_read_ex(&d, 0, 2880, buf) : fdc_read(&d, 0, 2880, buf);
    }
    if (st != SYSDMA_OK) {
        say_error("transfer", st);
        return 1;
    }
    serial_puts(write ? "readback crc32 " : "disk crc32 ");
    put_hex(crc32(buf, bytes));
    serial_puts("\n");
    sysdma_stats s;
    sysdma_stats_get(sys, NULL, &s);
    put_field("transfers ", (uint32_t)s.transfers);
    put_field(" bounced ", (uint32_t)s.bounced_transfers);
    put_field(" retries ", d.retries);
    serial_puts("\n");
    if (ex) {
        /* MapTransferEx: pieces completed at a confirmed terminal count,
         * cancelled, and floppy interrupts whose check found none. */
        put_field("completions ", d.completions);
        put_field(" cancelled ", d.cancellations);
        put_field(" unconfirmed ", d.unconfirmed);
        serial_puts("\n");
    }
    fdc_close(&d);
    return 0;
}

/* ---- SB16 playback -------------------------------------------------------------- */

static sb16_format play_fmt;

/* The waveform both the kernel and tests/qemu/wavcheck.c know: frame f,
 * channel c. */
uint32_t wave(uint32_t f, uint32_t c, uint8_t bits)
{
    uint32_t v = f * 97u + c * 5000u;
    return bits == 16 ? (uint16_t)(v * 13u) : (uint8_t)(v >> 1);
}

static uint32_t source_pos; /* bytes given so far */

static uint32_t source(void *ctx, uint8_t *buf, uint32_t bytes)
{
    (void)ctx;
    uint32_t bps = play_fmt.bits / 8u, frame = bps * play_fmt.channels;
    for (uint32_t k = 0; k < bytes; k += bps) {
        uint32_t at = source_pos + k;
        uint32_t v = wave(at / frame, at % frame / bps, play_fmt.bits);
        buf[k] = (uint8_t)v;
        if (bps == 2)
            buf[k + 1] = (uint8_t)(v >> 8);
    }
    source_pos += bytes;
    return bytes;
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

static int sb16_scenario(const char *sc)
{
    const char *p = arg_after(sc);
    play_fmt.bits = (uint8_t)parse_num(&p);
    play_fmt.channels = (uint8_t)parse_num(&p);
    play_fmt.rate = parse_num(&p);
    uint32_t ms = parse_num(&p);
    sysdma_system *sys = make_system();
    if (!sys)
        return 1;
    irq_wanted = 5;
    pic_init();
    sb16_env env = {env_in, env_out, env_wait, env_delay, 0};
    sb16_driver d;
    sysdma_status st = sb16_open(&d, sys, &env, 0x220);
    if (st != SYSDMA_OK) {
        say_error("sb16_open", st);
        return 1;
    }
    put_field("dsp version ", d.version[0]);
    put_field(".", d.version[1]);
    serial_puts("\n");
    uint32_t total = play_fmt.rate / 10u * (ms / 100u) * play_fmt.channels * (play_fmt.bits / 8u);
    sb16_stats stats;
    st = sb16_play(&d, &play_fmt, 8192, total, source, 0, &stats);
    put_field("played ", (uint32_t)stats.bytes);
    put_field(" bytes, blocks ", stats.blocks);
    put_field(", underruns ", stats.underruns);
    put_field("\ncounter position ", (uint32_t)stats.position);
    put_field(" wraps ", (uint32_t)stats.wraps);
    put_field(" backwards ", stats.backwards);
    serial_puts("\n");
    if (st != SYSDMA_OK) {
        say_error("play", st);
        return 1;
    }
    return 0;
}

static bool probe_wait(uint32_t timeout_us)
{
    return env_wait(0, timeout_us);
}

static int fdc_probe_scenario(void)
{
    irq_wanted = 6;
    pic_init();
    uint32_t phys;
    if (!bm_pages_alloc(4096, 0, 16u << 20, 0x10000, 4096, &phys))
        return 1;
    sysdma_fdc_probe_io io = {inb, outb, probe_wait, serial_puts, (uint8_t *)(uintptr_t)phys, phys};
    sysdma_fdc_probe(&io);
    return 0;
}

extern char __kernel_end[];

void kmain(uint32_t magic, const struct multiboot_info *mb);

void kmain(uint32_t magic, const struct multiboot_info *mb)
{
    serial_init();
    serial_puts("sysdma x86-multiboot kernel\n");
    if (magic != 0x2BADB002) {
        serial_puts("error: not booted by a multiboot loader\n");
        qemu_exit(1);
    }
    const char *cmd = (mb->flags & 4) ? (const char *)(uintptr_t)mb->cmdline : "";
    const char *sc = scenario_of(cmd);
    uint32_t ram = (mb->flags & 1) ? (mb->mem_upper + 1024) * 1024 : 16u << 20;
    bm_memory_init(ram, (uint32_t)(uintptr_t)__kernel_end);
    bm_paging_init();
    if (word_is(sc, "probe-8237")) {
        sysdma_i8237_probe(inb, outb, serial_puts);
        serial_puts("done\n");
        qemu_exit(0);
    }
    if (word_is(sc, "fdc-read") || word_is(sc, "fdc-write") || word_is(sc, "fdc-ex-read") ||
        word_is(sc, "fdc-ex-write")) {
        bool ex = word_is(sc, "fdc-ex-read") || word_is(sc, "fdc-ex-write");
        int rc = fdc_scenario(sc, word_is(sc, "fdc-write") || word_is(sc, "fdc-ex-write"), ex);
        serial_puts(rc ? "failed\n" : "done\n");
        qemu_exit((unsigned)rc);
    }
    if (word_is(sc, "probe-fdc")) {
        int rc = fdc_probe_scenario();
        serial_puts(rc ? "failed\n" : "done\n");
        qemu_exit((unsigned)rc);
    }
    if (word_is(sc, "sb16-sg") || word_is(sc, "both")) {
        int rc = word_is(sc, "both") ? both_scenario(sc) : sb16_sg_scenario(sc);
        serial_puts(rc ? "failed\n" : "done\n");
        qemu_exit((unsigned)rc);
    }
    if (word_is(sc, "sb16-play")) {
        int rc = sb16_scenario(sc);
        serial_puts(rc ? "failed\n" : "done\n");
        qemu_exit((unsigned)rc);
    }
    serial_puts("error: unknown scenario; known: probe-8237, probe-fdc, fdc-read, fdc-write, "
                "fdc-ex-read, fdc-ex-write, sb16-play, sb16-sg, both\n");
    qemu_exit(1);
}
