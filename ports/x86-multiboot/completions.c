/* SPDX-License-Identifier: MIT */
/*
 * The bare-metal kernel's completion scenarios: terminal counts learned as
 * a PC delivers them. The 8237 raises no interrupt; the floppy controller
 * (IRQ 6) and the Sound Blaster (IRQ 5) raise theirs, and their handlers
 * ask the core to check the channel (sysdma_channel_check), which reads
 * the 8237's status register and advances only what reached terminal
 * count.
 *
 * Interrupts are polled through the PIC (its poll command says which line
 * is pending and acknowledges it), as in kmain.c, but with both lines
 * unmasked and a dispatcher: while the floppy driver waits for IRQ 6, an
 * IRQ 5 that comes meanwhile runs the SB16's handler — an OS does the same
 * when one driver's thread waits and another device interrupts.
 *
 *   sb16-sg BITS CHANNELS RATE MS   play MS milliseconds of the known
 *       waveform from a buffer in the scattered window (pages alternately
 *       below and above 16 MiB) through the chained runner, one DSP block
 *       per list element
 *   both PLACEMENT   read the whole floppy through the MapTransferEx path
 *       into a buffer placed PLACEMENT, a track per command, while the
 *       SB16 plays the waveform (8-bit mono, 22050 Hz) from the scattered
 *       window on channel 1; both on DMA1, one status register
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../examples/drivers/fdc.h"
#include "../../examples/drivers/sb16.h"
#include "bm.h"
#include "freestanding.h"
#include "kernel.h"

static sb16_sg_play *playing; /* the scattered playback IRQ 5 belongs to */
static bool fdc_seen, sb_seen;
static bool sb_blocking; /* sb_wait is waiting: IRQ 5 is left to its caller */
static uint32_t sb_other; /* IRQ 5 while no playback was running */

/* One pending interrupt line, acknowledged at the PIC, or -1. */
static int pic_poll(void)
{
    bm_outb(0x20, 0x0C); /* OCW3: poll */
    uint8_t v = bm_inb(0x20);
    if (!(v & 0x80))
        return -1;
    bm_outb(0x20, 0x20); /* EOI */
    return v & 7;
}

/* The machine's interrupt dispatch: each line to its handler. */
static void dispatch(void)
{
    int irq;
    while ((irq = pic_poll()) >= 0) {
        if (irq == 6) {
            fdc_seen = true;
        } else if (irq == 5) {
            if (sb_blocking) {
                /* the waiting driver runs its handler */
            } else if (playing && !playing->done) {
                sb16_sg_interrupt(playing);
            } else {
                bm_inb(0x22E); /* acknowledge the card */
                sb_other++;
            }
            sb_seen = true;
        }
    }
}

static bool wait_for(bool *flag, uint32_t timeout_us)
{
    for (uint32_t k = 0; k < timeout_us * 4; k++) {
        dispatch();
        if (*flag) {
            *flag = false;
            return true;
        }
        io_delay(1);
    }
    return false;
}

static bool fdc_wait(void *ctx, uint32_t timeout_us)
{
    (void)ctx;
    return wait_for(&fdc_seen, timeout_us);
}

/* The SB16's blocking playback waits for IRQ 5 and runs its handler
 * itself: the dispatcher must not run it too. */
static bool sb_wait(void *ctx, uint32_t timeout_us)
{
    (void)ctx;
    sb_blocking = true;
    bool ok = wait_for(&sb_seen, timeout_us);
    sb_blocking = false;
    return ok;
}

static void pic_setup(void)
{
    bm_outb(0x21, (uint8_t)~((1u << 5) | (1u << 6) | (1u << 2)));
    bm_outb(0xA1, 0xFF);
    while (pic_poll() >= 0)
        ;
    fdc_seen = sb_seen = false;
}

/* Let QEMU's audio output write what the card has taken before the
 * machine stops (it writes at the audio clock's pace, behind the card). */
static void settle(void)
{
    io_delay(400000);
}

static void fill_wave(uint8_t *buf, uint32_t bytes, const sb16_format *f)
{
    uint32_t bps = f->bits / 8u, frame = bps * f->channels;
    for (uint32_t k = 0; k < bytes; k += bps) {
        uint32_t v = wave(k / frame, k % frame / bps, f->bits);
        buf[k] = (uint8_t)v;
        if (bps == 2)
            buf[k + 1] = (uint8_t)(v >> 8);
    }
}

static bool open_sb16(sb16_driver *d, sysdma_system *sys)
{
    sb16_env env = {env_in, env_out, sb_wait, env_delay, 0};
    sysdma_status st = sb16_open(d, sys, &env, 0x220);
    /* QEMU's i8257 never sets the status register's terminal-count bit for
     * its SB16 (the card hands the controller a position that wraps to 0
     * at the end of the block, so the controller never sees the count run
     * out): the card's own block count stands in when the status register
     * shows none. The report says how often that was needed. */
    d->trust_block_count = true;
    if (st == SYSDMA_OK)
        return true;
    say_error("sb16_open", st);
    return false;
}

static void report_play(const sb16_sg_play *p, uint32_t bytes)
{
    put_field("played ", bytes);
    put_field(" bytes, elements ", p->list ? p->list->count : 0);
    put_field(", blocks ", p->blocks);
    put_field(", by the card's count ", p->device_counted);
    put_field(", unconfirmed ", p->unconfirmed);
    put_field(", spurious ", p->spurious);
    serial_puts("\n");
    for (uint32_t k = 0; p->list && k < p->list->count; k++) {
        serial_puts("element 0x");
        put_hex((uint32_t)p->list->elements[k].address);
        put_field(" ", p->list->elements[k].length);
        serial_puts("\n");
    }
}

int sb16_sg_scenario(const char *sc)
{
    const char *p = arg_after(sc);
    sb16_format fmt;
    fmt.bits = (uint8_t)parse_num(&p);
    fmt.channels = (uint8_t)parse_num(&p);
    fmt.rate = parse_num(&p);
    uint32_t ms = parse_num(&p);
    sysdma_system *sys = make_system();
    if (!sys)
        return 1;
    pic_setup();
    sb16_driver d;
    if (!open_sb16(&d, sys))
        return 1;
    uint32_t frame = fmt.channels * (fmt.bits / 8u);
    uint32_t wave_bytes = fmt.rate / 10u * (ms / 100u) * frame;
    /* A tenth of a second of silence after the waveform: when the card
     * stops at the end of its last single-cycle block, QEMU drops what its
     * audio output still holds, which would cut the waveform's end. */
    uint32_t bytes = wave_bytes + fmt.rate / 10u * frame;
    uint32_t window;
    if (!place("scattered", bytes, &window)) {
        serial_puts("error: no memory for the scattered buffer\n");
        return 1;
    }
    uint8_t *buf = (uint8_t *)(uintptr_t)window;
    fill_wave(buf, wave_bytes, &fmt);
    memset(buf + wave_bytes, fmt.bits == 8 ? 0x80 : 0, bytes - wave_bytes);
    sb16_sg_play play;
    sysdma_status st = sb16_play_scattered(&d, &fmt, buf, bytes, &play);
    report_play(&play, bytes);
    settle();
    if (st != SYSDMA_OK) {
        say_error("play", st);
        return 1;
    }
    return 0;
}

int both_scenario(const char *sc)
{
    sysdma_system *sys = make_system();
    if (!sys)
        return 1;
    pic_setup();
    fdc_env fenv = {env_in, env_out, fdc_wait, env_delay, 0};
    fdc_driver fd;
    sysdma_status st = fdc_open(&fd, sys, &fenv, 0, 1474560);
    if (st != SYSDMA_OK) {
        say_error("fdc_open", st);
        return 1;
    }
    sb16_driver sd;
    if (!open_sb16(&sd, sys))
        return 1;
    const char *how = arg_after(sc);
    uint32_t disk_bytes = 1474560, phys, window;
    sb16_format fmt = {22050, 8, 1};
    uint32_t pcm = 22050 + 2205; /* one second, and the silence that sb16_sg_scenario adds */
    if (!place(how, disk_bytes, &phys) || !place("scattered", pcm, &window)) {
        serial_puts("error: no memory for that placement\n");
        return 1;
    }
    uint8_t *disk = (uint8_t *)(uintptr_t)phys;
    uint8_t *audio = (uint8_t *)(uintptr_t)window;
    serial_puts("floppy buffer at 0x");
    put_hex(phys);
    serial_puts("\n");
    fill_wave(audio, 22050, &fmt);
    memset(audio + 22050, 0x80, pcm - 22050);
    sb16_sg_play play;
    st = sb16_sg_start(&sd, &play, &fmt, audio, pcm);
    if (st != SYSDMA_OK) {
        say_error("sb16_sg_start", st);
        return 1;
    }
    playing = &play;
    /* A track per command until the whole disk is read and the playback
     * has ended (re-reading from the start while it plays on). */
    uint32_t tracks = 0, during = 0;
    while (st == SYSDMA_OK && (tracks < 160 || !play.done) && tracks < 2000) {
        uint32_t t = tracks % 160;
        st = fdc_read_ex(&fd, t * 18, 18, disk + t * 18 * 512);
        tracks++;
        if (!play.done)
            during++;
        dispatch();
    }
    for (uint32_t k = 0; !play.done && k < 4000000; k++) {
        dispatch();
        io_delay(1);
    }
    playing = NULL;
    if (st != SYSDMA_OK) {
        say_error("floppy", st);
        return 1;
    }
    serial_puts("disk crc32 ");
    put_hex(crc32(disk, disk_bytes));
    serial_puts("\n");
    put_field("tracks ", tracks);
    put_field(" during playback ", during);
    put_field(" completions ", fd.completions);
    put_field(" cancelled ", fd.cancellations);
    put_field(" unconfirmed ", fd.unconfirmed);
    serial_puts("\n");
    report_play(&play, pcm);
    settle();
    sysdma_status ps = play.done ? sb16_sg_finish(&play) : SYSDMA_E_TIMEOUT;
    fdc_close(&fd);
    if (ps != SYSDMA_OK) {
        say_error("play", ps);
        return 1;
    }
    return 0;
}
