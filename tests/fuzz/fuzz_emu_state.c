/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the save-state loaders of every emulated model (the
 * 8237A pair, the floppy controller, the SB16, the test device).
 *
 * Input: one selector byte, then the state. Selector bits 0-1 choose the
 * model; bit 2 makes the target repair the head for that model (magic,
 * model, version, length) and bit 3 the CRC, so that most inputs get past
 * the checksum to the field checks behind it; bits 4-7 vary the steps run
 * afterwards. Each input starts from a freshly built machine with all
 * four devices wired to one DMA pair.
 *
 * Oracles (abort on failure): a refused load leaves the instance byte for
 * byte as it was; an accepted state saves back to exactly the bytes that
 * were loaded; and the machine then runs DMA, time and port accesses on
 * what was loaded under ASan/UBSan without a fault, with RAM, disk image
 * and device storage inside guard zones that must survive.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sysdma/emu_fdc.h"
#include "sysdma/emu_sb16.h"
#include "sysdma/emu_testdev.h"

#define GUARD 4096
#define RAM_SIZE (256u * 1024u)
#define IMG 1474560u
#define FIFO 8192u
#define PATTERN 0x5C
#define MAXSTATE 1024u

static uint8_t ram_arena[GUARD + RAM_SIZE + GUARD];
static uint8_t img_arena[GUARD + IMG + GUARD];
static uint8_t fifo_arena[GUARD + FIFO + GUARD];
static sysdma_emu_physmem mem;
static sysdma_emu_i8237 dma;
static sysdma_emu_fdc fdc;
static sysdma_emu_sb16 sb;
static sysdma_emu_testdev td;
static uint8_t before[sizeof(sysdma_emu_i8237) + sizeof(sysdma_emu_fdc) +
                      sizeof(sysdma_emu_sb16) + sizeof(sysdma_emu_testdev)];

static void irq_fdc(void *ctx, bool level)
{
    (void)ctx;
    (void)level;
}

static void irq_sb(void *ctx, unsigned irq, bool level)
{
    (void)ctx;
    (void)irq;
    (void)level;
}

static void play(void *ctx, const uint8_t *pcm, size_t n, const sysdma_emu_sb16_format *f)
{
    (void)ctx;
    (void)f;
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < n; i++)
        sink ^= pcm[i]; /* ASan checks every byte handed out */
    (void)sink;
}

static size_t record(void *ctx, uint8_t *pcm, size_t n, const sysdma_emu_sb16_format *f)
{
    (void)ctx;
    (void)f;
    memset(pcm, 0x42, n / 2);
    return n / 2;
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return ~crc;
}

static void check_guards(const uint8_t *arena, size_t inner)
{
    for (size_t i = 0; i < GUARD; i++)
        if (arena[i] != PATTERN || arena[GUARD + inner + i] != PATTERN)
            abort();
}

static void build(void)
{
    memset(ram_arena, PATTERN, sizeof ram_arena);
    memset(fifo_arena, PATTERN, sizeof fifo_arena);
    static bool img_ready;
    if (!img_ready) {
        memset(img_arena, PATTERN, sizeof img_arena);
        img_ready = true;
    }
    sysdma_emu_physmem_init(&mem, ram_arena + GUARD, RAM_SIZE);
    sysdma_emu_i8237_init(&dma, &mem, true);
    sysdma_emu_fdc_init(&fdc, &dma, 2, irq_fdc, NULL);
    sysdma_emu_fdc_insert(&fdc, 0, img_arena + GUARD, IMG, false);
    sysdma_emu_sb16_config c = {0x220, 1, 5, 5, irq_sb, play, record, NULL};
    sysdma_emu_sb16_init(&sb, &dma, &c);
    sysdma_emu_testdev_init(&td, &dma, 3, 0x300, fifo_arena + GUARD, FIFO, 4, NULL, NULL);
    /* Some life in the pair so that a loaded device meets open channels. */
    sysdma_emu_i8237_program(&dma, 2, SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_WRITE, 0x10000,
                             4096);
    sysdma_emu_i8237_program(&dma, 1, SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_READ |
                                           SYSDMA_EMU_MODE_AUTOINIT, 0x20000, 4096);
    sysdma_emu_i8237_program(&dma, 5, SYSDMA_EMU_MODE_DEMAND | SYSDMA_EMU_MODE_READ, 0x30000,
                             8192);
    sysdma_emu_i8237_program(&dma, 3, SYSDMA_EMU_MODE_BLOCK | SYSDMA_EMU_MODE_WRITE, 0x3F000,
                             8192);
}

static void snapshot(void)
{
    uint8_t *p = before;
    memcpy(p, &dma, sizeof dma);
    memcpy(p += sizeof dma, &fdc, sizeof fdc);
    memcpy(p += sizeof fdc, &sb, sizeof sb);
    memcpy(p + sizeof sb, &td, sizeof td);
}

static void unchanged(unsigned model)
{
    const uint8_t *p = before;
    const void *obj[4] = {&dma, &fdc, &sb, &td};
    size_t off[4] = {0, sizeof dma, sizeof dma + sizeof fdc, sizeof dma + sizeof fdc + sizeof sb};
    size_t size[4] = {sizeof dma, sizeof fdc, sizeof sb, sizeof td};
    if (memcmp(p + off[model], obj[model], size[model]) != 0)
        abort();
}

static sysdma_status load(unsigned model, const uint8_t *s, size_t n)
{
    switch (model) {
    case 0: return sysdma_emu_i8237_load_state(&dma, s, n);
    case 1: return sysdma_emu_fdc_load_state(&fdc, s, n);
    case 2: return sysdma_emu_sb16_load_state(&sb, s, n);
    default: return sysdma_emu_testdev_load_state(&td, s, n);
    }
}

static sysdma_status save(unsigned model, uint8_t *s, size_t cap, size_t *n)
{
    switch (model) {
    case 0: return sysdma_emu_i8237_save_state(&dma, s, cap, n);
    case 1: return sysdma_emu_fdc_save_state(&fdc, s, cap, n);
    case 2: return sysdma_emu_sb16_save_state(&sb, s, cap, n);
    default: return sysdma_emu_testdev_save_state(&td, s, cap, n);
    }
}

/* The machine goes on from what was loaded. */
static void run_steps(unsigned flavour)
{
    for (unsigned i = 0; i < 4 + flavour; i++) {
        sysdma_emu_fdc_advance(&fdc, (flavour & 1) ? 20000 : 3000000);
        sysdma_emu_sb16_advance(&sb, (flavour & 2) ? 50000 : 5000000);
        sysdma_emu_testdev_advance(&td, 10000);
        sysdma_emu_i8237_run(&dma, (flavour & 4) ? 64 : 65536);
        (void)sysdma_emu_fdc_next_event_ns(&fdc);
        (void)sysdma_emu_fdc_inb(&fdc, SYSDMA_EMU_FDC_MSR);
        (void)sysdma_emu_fdc_inb(&fdc, SYSDMA_EMU_FDC_FIFO);
        (void)sysdma_emu_sb16_inb(&sb, 0x22A);
        (void)sysdma_emu_sb16_inb(&sb, 0x225);
        (void)sysdma_emu_sb16_inb(&sb, 0x22E);
        (void)sysdma_emu_testdev_inb(&td, 0x300);
        if (flavour & 8) {
            sysdma_emu_fdc_outb(&fdc, SYSDMA_EMU_FDC_FIFO, (uint8_t)(0x46 + i));
            sysdma_emu_sb16_outb(&sb, 0x22C, (uint8_t)(0xD0 + i));
            sysdma_emu_i8237_outb(&dma, (uint16_t)(i & 0x0F), (uint8_t)i);
        }
    }
}

static const unsigned model_id[4] = {SYSDMA_EMU_SAVE_MODEL_I8237, SYSDMA_EMU_SAVE_MODEL_FDC,
                                     SYSDMA_EMU_SAVE_MODEL_SB16, SYSDMA_EMU_SAVE_MODEL_TESTDEV};
static const unsigned version_of[4] = {SYSDMA_EMU_I8237_SAVE_VERSION, SYSDMA_EMU_FDC_SAVE_VERSION,
                                       SYSDMA_EMU_SB16_SAVE_VERSION,
                                       SYSDMA_EMU_TESTDEV_SAVE_VERSION};
static const size_t bytes_of[4] = {SYSDMA_EMU_I8237_SAVE_BYTES, SYSDMA_EMU_FDC_SAVE_BYTES,
                                   SYSDMA_EMU_SB16_SAVE_BYTES, SYSDMA_EMU_TESTDEV_SAVE_BYTES};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAXSTATE + 1)
        return 0;
    unsigned sel = data[0], model = sel & 3u;
    uint8_t s[MAXSTATE];
    size_t n = size - 1;
    memcpy(s, data + 1, n);
    if ((sel & 4) && n >= 16) {
        memcpy(s, "SDST", 4);
        s[4] = (uint8_t)model_id[model];
        s[5] = 0;
        s[6] = (uint8_t)version_of[model];
        s[7] = 0;
        uint32_t len = (uint32_t)(n - 16);
        for (int k = 0; k < 4; k++)
            s[8 + k] = (uint8_t)(len >> (8 * k));
    }
    if ((sel & 8) && n >= 16) {
        uint32_t crc = crc32(crc32(0, s, 12), s + 16, n - 16);
        for (int k = 0; k < 4; k++)
            s[12 + k] = (uint8_t)(crc >> (8 * k));
    }
    build();
    snapshot();
    sysdma_status st = load(model, s, n);
    if (st != SYSDMA_OK) {
        unchanged(model);
    } else {
        /* Accepted: it saves back to exactly what was loaded. */
        uint8_t again[MAXSTATE];
        size_t m = 0;
        if (save(model, again, sizeof again, &m) != SYSDMA_OK || m != n || m != bytes_of[model] ||
            memcmp(again, s, n) != 0)
            abort();
        run_steps(sel >> 4);
    }
    check_guards(ram_arena, RAM_SIZE);
    check_guards(fifo_arena, FIFO);
    check_guards(img_arena, IMG);
    return 0;
}
