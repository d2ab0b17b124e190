/*
 * Bare-metal x86 kernel for sysdma, booted by qemu-system-i386 (multiboot).
 * It reads its scenario from the multiboot command line (QEMU -append), runs
 * it against the machine's real devices through port I/O, reports lines on
 * COM1 and leaves through QEMU's isa-debug-exit device (port 0xF4):
 * exit status (code << 1) | 1, so 0 → 1 means success and 1 → 3 failure.
 *
 * Scenarios:
 *   probe-8237   run the register-level 8237 probe (tests/conformance) and
 *                print every value read, for comparison with sysdma's
 *                emulated 8237A pair running the same probe.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "i8237_probe.h"

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
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

static void serial_puts(const char *s)
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

static bool word_is(const char *s, const char *w)
{
    while (*w && *s == *w) {
        s++;
        w++;
    }
    return *w == 0 && (*s == 0 || *s == ' ');
}

/* The scenario is the first word after the kernel path that has no '/'. */
static const char *scenario_of(const char *cmdline)
{
    const char *p = cmdline;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        bool slash = false;
        while (*p && *p != ' ')
            slash |= *p++ == '/';
        if (p > w && !slash)
            return w;
    }
    return "";
}

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
    if (word_is(sc, "probe-8237")) {
        sysdma_i8237_probe(inb, outb, serial_puts);
        serial_puts("done\n");
        qemu_exit(0);
    }
    serial_puts("error: unknown scenario; known: probe-8237\n");
    qemu_exit(1);
}
