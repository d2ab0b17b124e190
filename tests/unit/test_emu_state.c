/* SPDX-License-Identifier: MIT */
/*
 * Save states of the emulated 8237A pair and the generic test device:
 * a run saved half way and finished on a fresh machine ends byte-identical
 * to an uninterrupted one (RAM, registers, device data); save -> load ->
 * save gives the same bytes; the byte format is the documented one; size
 * queries; and every class of bad state is refused with the instance left
 * untouched. The floppy and SB16 states are in test_emu_state_devices.c.
 */
#include "state_test.h"

#include "sysdma/emu_testdev.h"

#define RAM (256u * 1024u)
#define STEPS 9000u
#define HALF 2500u /* both transfers under way */
#define LEN1 6000u /* channel 1: device -> memory, 2 bytes/µs */
#define LEN5 8000u /* channel 5: memory -> device, 1 byte/µs */

typedef struct machine {
    uint8_t ram[RAM];
    uint8_t fifo1[LEN1], fifo5[LEN5];
    sysdma_emu_physmem mem;
    sysdma_emu_i8237 dma;
    sysdma_emu_testdev d1, d5;
    int irq1, irq5;
} machine;

static machine ma, mb, mc;

static void on_irq(void *ctx, bool level)
{
    *(int *)ctx = level;
}

static void attach_devices(machine *m)
{
    assert_true(sysdma_emu_testdev_init(&m->d1, &m->dma, 1, 0x300, m->fifo1, sizeof m->fifo1, 2,
                                        on_irq, &m->irq1));
    assert_true(sysdma_emu_testdev_init(&m->d5, &m->dma, 5, 0x310, m->fifo5, sizeof m->fifo5, 1,
                                        on_irq, &m->irq5));
}

/* Power on: RAM, the pair as a BIOS leaves it, both devices attached. */
static void power_on(machine *m)
{
    memset(m, 0, sizeof *m);
    sysdma_emu_physmem_init(&m->mem, m->ram, RAM);
    sysdma_emu_i8237_init(&m->dma, &m->mem, true);
    attach_devices(m);
}

static void dev_start(sysdma_emu_testdev *d, uint16_t port, uint8_t cmd, uint32_t len)
{
    for (unsigned b = 0; b < 4; b++)
        sysdma_emu_testdev_outb(d, (uint16_t)(port + 1 + b), (uint8_t)(len >> (8 * b)));
    sysdma_emu_testdev_outb(d, port, cmd);
}

/* The guest: rotating priority on DMA1, channel 1 single mode into RAM,
 * channel 5 demand mode out of RAM, both devices started. */
static void guest_start(machine *m)
{
    for (size_t k = 0; k < LEN1; k++)
        m->fifo1[k] = (uint8_t)(k * 7 + 1);
    for (size_t k = 0; k < LEN5; k++)
        m->ram[0x20000 + k] = (uint8_t)(k * 13 + 5);
    sysdma_emu_i8237_outb(&m->dma, 0x08, SYSDMA_EMU_CMD_ROTATING);
    sysdma_emu_i8237_program(&m->dma, 1, SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_WRITE, 0x10000,
                             LEN1);
    sysdma_emu_i8237_program(&m->dma, 5, SYSDMA_EMU_MODE_DEMAND | SYSDMA_EMU_MODE_READ, 0x20000,
                             LEN5);
    dev_start(&m->d1, 0x300, 1, LEN1);
    dev_start(&m->d5, 0x310, 2, LEN5);
}

/* One machine step: 1 µs passes, then the DMA runs a little. */
static void steps(machine *m, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        sysdma_emu_testdev_advance(&m->d1, 1000);
        sysdma_emu_testdev_advance(&m->d5, 1000);
        sysdma_emu_i8237_run(&m->dma, 64);
    }
}

typedef struct saved {
    uint8_t dma[SYSDMA_EMU_I8237_SAVE_BYTES];
    uint8_t d1[SYSDMA_EMU_TESTDEV_SAVE_BYTES], d5[SYSDMA_EMU_TESTDEV_SAVE_BYTES];
} saved;

static void save_all(const machine *m, saved *s)
{
    size_t n;
    assert_int_equal(sysdma_emu_i8237_save_state(&m->dma, s->dma, sizeof s->dma, &n), SYSDMA_OK);
    assert_int_equal(n, sizeof s->dma);
    assert_int_equal(sysdma_emu_testdev_save_state(&m->d1, s->d1, sizeof s->d1, &n), SYSDMA_OK);
    assert_int_equal(n, sizeof s->d1);
    assert_int_equal(sysdma_emu_testdev_save_state(&m->d5, s->d5, sizeof s->d5, &n), SYSDMA_OK);
    assert_int_equal(n, sizeof s->d5);
}

/* Half way, saved, restored into a fresh machine (devices attached before
 * or after the pair's load), finished: identical to the uninterrupted run. */
static void half_way(bool devices_after)
{
    power_on(&ma);
    guest_start(&ma);
    steps(&ma, STEPS);

    power_on(&mb);
    guest_start(&mb);
    steps(&mb, HALF);
    /* Really half way: both transfers under way, neither done. */
    assert_true(mb.d1.moved > 0 && mb.d1.moved < LEN1);
    assert_true(mb.d5.moved > 0 && mb.d5.moved < LEN5);
    saved s;
    save_all(&mb, &s);
    check_head(s.dma, sizeof s.dma, SYSDMA_EMU_SAVE_MODEL_I8237, SYSDMA_EMU_I8237_SAVE_VERSION);
    check_head(s.d1, sizeof s.d1, SYSDMA_EMU_SAVE_MODEL_TESTDEV, SYSDMA_EMU_TESTDEV_SAVE_VERSION);

    /* The embedder's part: RAM, the devices' storage, its interrupt lines. */
    memset(&mc, 0, sizeof mc);
    sysdma_emu_physmem_init(&mc.mem, mc.ram, RAM);
    sysdma_emu_i8237_init(&mc.dma, &mc.mem, false);
    memcpy(mc.ram, mb.ram, RAM);
    memcpy(mc.fifo1, mb.fifo1, sizeof mc.fifo1);
    memcpy(mc.fifo5, mb.fifo5, sizeof mc.fifo5);
    mc.irq1 = mb.irq1;
    mc.irq5 = mb.irq5;
    if (!devices_after)
        attach_devices(&mc);
    assert_int_equal(sysdma_emu_i8237_load_state(&mc.dma, s.dma, sizeof s.dma), SYSDMA_OK);
    if (devices_after)
        attach_devices(&mc); /* init lowers nothing the loads below do not raise again */
    assert_int_equal(sysdma_emu_testdev_load_state(&mc.d1, s.d1, sizeof s.d1), SYSDMA_OK);
    assert_int_equal(sysdma_emu_testdev_load_state(&mc.d5, s.d5, sizeof s.d5), SYSDMA_OK);

    /* Round trip: what was loaded saves to the same bytes. */
    saved again;
    save_all(&mc, &again);
    assert_memory_equal(&again, &s, sizeof s);

    steps(&mc, STEPS - HALF);
    assert_int_equal(ma.d1.moved, LEN1); /* the run did finish */
    assert_int_equal(ma.d5.moved, LEN5);
    assert_memory_equal(mc.ram, ma.ram, RAM);
    assert_memory_equal(mc.fifo5, ma.fifo5, LEN5);
    assert_memory_equal(&mc.dma.s, &ma.dma.s, sizeof ma.dma.s);
    saved end_a, end_c;
    save_all(&ma, &end_a);
    save_all(&mc, &end_c);
    assert_memory_equal(&end_c, &end_a, sizeof end_a);
    assert_int_equal(mc.irq1, ma.irq1);
    assert_int_equal(mc.irq5, ma.irq5);
}

static void test_half_way_devices_before(void **state)
{
    (void)state;
    half_way(false);
}

static void test_half_way_devices_after(void **state)
{
    (void)state;
    half_way(true);
}

/* The documented layout: little-endian fields at fixed offsets. */
static void test_format_is_little_endian_and_pinned(void **state)
{
    (void)state;
    power_on(&ma);
    sysdma_emu_i8237_program(&ma.dma, 2, SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_WRITE, 0x341234,
                             0x5679);
    sysdma_emu_i8237_dreq(&ma.dma, 2, true);
    uint8_t s[SYSDMA_EMU_I8237_SAVE_BYTES];
    size_t n;
    assert_int_equal(sysdma_emu_i8237_save_state(&ma.dma, s, sizeof s, &n), SYSDMA_OK);
    assert_int_equal(n, 16 + 106);
    check_head(s, n, 1, 1);
    const uint8_t *p = s + HEAD;
    /* DMA1 channel 2: base address, base count, current address, current
     * count, mode (9 bytes per channel). */
    static const uint8_t ch2[9] = {0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0x78, 0x56,
                                   SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_WRITE};
    assert_memory_equal(p + 2 * 9, ch2, 9);
    assert_int_equal(p[36 + 3], 0x0B);   /* DMA1 mask: channels 0, 1, 3 masked */
    assert_int_equal(p[44 + 8], 0xC0);   /* channel 4: cascade mode */
    assert_int_equal(p[44 + 36 + 3], 0x0E); /* DMA2 mask: channel 4 open */
    assert_int_equal(p[88 + 1], 0x34);   /* page latch 0x81 */
    assert_int_equal(p[104], 0x04);      /* DREQ lines */
    assert_int_equal(p[105], 0x00);      /* pending EOPs */
}

static void test_size_query_and_small_buffer(void **state)
{
    (void)state;
    power_on(&ma);
    size_t n = 0;
    assert_int_equal(sysdma_emu_i8237_save_state(&ma.dma, NULL, 0, &n),
                     SYSDMA_E_BUFFER_TOO_SMALL);
    assert_int_equal(n, SYSDMA_EMU_I8237_SAVE_BYTES);
    uint8_t s[SYSDMA_EMU_I8237_SAVE_BYTES + 8];
    memset(s, 0xAA, sizeof s);
    n = 0;
    assert_int_equal(sysdma_emu_i8237_save_state(&ma.dma, s, SYSDMA_EMU_I8237_SAVE_BYTES - 1, &n),
                     SYSDMA_E_BUFFER_TOO_SMALL);
    assert_int_equal(n, SYSDMA_EMU_I8237_SAVE_BYTES);
    for (size_t i = 0; i < sizeof s; i++)
        assert_int_equal(s[i], 0xAA); /* nothing written */
    assert_int_equal(sysdma_emu_i8237_save_state(&ma.dma, s, sizeof s, &n), SYSDMA_OK);
    assert_int_equal(n, SYSDMA_EMU_I8237_SAVE_BYTES);
    assert_int_equal(s[n], 0xAA); /* nothing past the state */
    assert_int_equal(sysdma_emu_i8237_save_state(&ma.dma, NULL, 4, &n), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_emu_i8237_save_state(&ma.dma, s, sizeof s, NULL),
                     SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_emu_i8237_save_state(NULL, s, sizeof s, &n), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_emu_i8237_load_state(NULL, s, n), SYSDMA_E_INVALID_ARGUMENT);
    assert_int_equal(sysdma_emu_testdev_save_state(&ma.d1, NULL, 0, &n), SYSDMA_E_BUFFER_TOO_SMALL);
    assert_int_equal(n, SYSDMA_EMU_TESTDEV_SAVE_BYTES);
}

/* Saving or loading from inside a device callback is refused. */
static sysdma_status inner_save, inner_load;
static uint8_t outer[SYSDMA_EMU_I8237_SAVE_BYTES];
static size_t saving_device(void *ctx, unsigned ch, sysdma_emu_xfer kind, uint8_t *buf,
                            size_t units)
{
    (void)ch;
    (void)kind;
    (void)buf;
    sysdma_emu_i8237 *e = ctx;
    uint8_t s[SYSDMA_EMU_I8237_SAVE_BYTES];
    size_t n;
    inner_save = sysdma_emu_i8237_save_state(e, s, sizeof s, &n);
    inner_load = sysdma_emu_i8237_load_state(e, outer, sizeof outer);
    return units;
}

static void test_refused_inside_callback(void **state)
{
    (void)state;
    power_on(&ma);
    sysdma_emu_dma_device dev = {saving_device, NULL, &ma.dma};
    assert_true(sysdma_emu_i8237_attach(&ma.dma, 3, &dev));
    sysdma_emu_i8237_program(&ma.dma, 3, SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_READ, 0x1000, 4);
    sysdma_emu_i8237_dreq(&ma.dma, 3, true);
    size_t n;
    assert_int_equal(sysdma_emu_i8237_save_state(&ma.dma, outer, sizeof outer, &n), SYSDMA_OK);
    inner_save = inner_load = SYSDMA_OK;
    assert_int_equal(sysdma_emu_i8237_run(&ma.dma, 1), 1);
    assert_int_equal(inner_save, SYSDMA_E_WRONG_STATE);
    assert_int_equal(inner_load, SYSDMA_E_WRONG_STATE);
}

static sysdma_status load_dma(void *o, const void *b, size_t n)
{
    return sysdma_emu_i8237_load_state(o, b, n);
}

static sysdma_status load_testdev(void *o, const void *b, size_t n)
{
    return sysdma_emu_testdev_load_state(o, b, n);
}

static void test_i8237_refusals(void **state)
{
    (void)state;
    power_on(&mb);
    guest_start(&mb);
    steps(&mb, HALF);
    saved s;
    save_all(&mb, &s);
    /* The target: another machine in another state. */
    power_on(&mc);
    sysdma_emu_i8237_program(&mc.dma, 2, SYSDMA_EMU_MODE_BLOCK | SYSDMA_EMU_MODE_READ, 0x5000, 77);
    size_t len = sizeof s.dma, sz = sizeof mc.dma;
    expect_frame_refusals(load_dma, &mc.dma, sz, s.dma, len, SYSDMA_EMU_SAVE_MODEL_FDC);
    expect_refused(load_dma, &mc.dma, sz, s.d1, sizeof s.d1, SYSDMA_E_INVALID_ARGUMENT,
                   "a test device's state");
    /* Values no register can hold (payload offsets as in the format test). */
    expect_field_refused(load_dma, &mc.dma, sz, s.dma, len, 8, 0x41, SYSDMA_E_STATE_CORRUPT,
                         "mode bits 1-0");
    expect_field_refused(load_dma, &mc.dma, sz, s.dma, len, 36 + 1, 0x10, SYSDMA_E_STATE_CORRUPT,
                         "TC bit 4");
    expect_field_refused(load_dma, &mc.dma, sz, s.dma, len, 36 + 2, 0x20, SYSDMA_E_STATE_CORRUPT,
                         "request bit 5");
    expect_field_refused(load_dma, &mc.dma, sz, s.dma, len, 36 + 3, 0x1F, SYSDMA_E_STATE_CORRUPT,
                         "mask bit 4");
    expect_field_refused(load_dma, &mc.dma, sz, s.dma, len, 36 + 5, 2, SYSDMA_E_STATE_CORRUPT,
                         "flip-flop 2");
    expect_field_refused(load_dma, &mc.dma, sz, s.dma, len, 36 + 6, 4, SYSDMA_E_STATE_CORRUPT,
                         "lowest priority 4");
    expect_field_refused(load_dma, &mc.dma, sz, s.dma, len, 36 + 7, 0x80, SYSDMA_E_STATE_CORRUPT,
                         "active bit 7");
    expect_field_refused(load_dma, &mc.dma, sz, s.dma, len, 44 + 36 + 2, 0x01,
                         SYSDMA_E_STATE_CORRUPT, "software request on channel 4");
    expect_field_refused(load_dma, &mc.dma, sz, s.dma, len, 105, 0x10, SYSDMA_E_STATE_CORRUPT,
                         "EOP on channel 4");
    /* And the good state still loads after all that. */
    assert_int_equal(sysdma_emu_i8237_load_state(&mc.dma, s.dma, len), SYSDMA_OK);
    assert_memory_equal(&mc.dma.s, &mb.dma.s, sizeof mb.dma.s);
}

static void test_testdev_refusals(void **state)
{
    (void)state;
    power_on(&mb);
    guest_start(&mb);
    steps(&mb, HALF);
    saved s;
    save_all(&mb, &s);
    power_on(&mc);
    size_t len = sizeof s.d1, sz = sizeof mc.d1;
    expect_frame_refusals(load_testdev, &mc.d1, sz, s.d1, len, SYSDMA_EMU_SAVE_MODEL_SB16);
    /* Payload: len_reg 0-3, len 4-11, moved 12-19, status 20, dir 21,
     * stream 22, credit 23-30. */
    expect_field_refused(load_testdev, &mc.d1, sz, s.d1, len, 4 + 3, 1, SYSDMA_E_STATE_CORRUPT,
                         "length past the storage");
    expect_field_refused(load_testdev, &mc.d1, sz, s.d1, len, 12 + 3, 1, SYSDMA_E_STATE_CORRUPT,
                         "moved past the length");
    expect_field_refused(load_testdev, &mc.d1, sz, s.d1, len, 20, 0x11, SYSDMA_E_STATE_CORRUPT,
                         "reserved status bit");
    expect_field_refused(load_testdev, &mc.d1, sz, s.d1, len, 20, 0x00, SYSDMA_E_STATE_CORRUPT,
                         "idle status while transferring");
    expect_field_refused(load_testdev, &mc.d1, sz, s.d1, len, 21, 3, SYSDMA_E_STATE_CORRUPT,
                         "direction 3");
    expect_field_refused(load_testdev, &mc.d1, sz, s.d1, len, 22, 2, SYSDMA_E_STATE_CORRUPT,
                         "bool 2");
    expect_field_refused(load_testdev, &mc.d1, sz, s.d1, len, 23 + 7, 0x7F,
                         SYSDMA_E_STATE_CORRUPT, "credit past the length");
    /* A smaller instance cannot take a length it could not have accepted. */
    sysdma_emu_testdev small;
    uint8_t tiny[16];
    assert_true(sysdma_emu_testdev_init(&small, &mc.dma, 1, 0x300, tiny, sizeof tiny, 3, NULL,
                                        NULL));
    expect_refused(load_testdev, &small, sizeof small, s.d1, len, SYSDMA_E_STATE_CORRUPT,
                   "length past this instance's storage");
    assert_int_equal(sysdma_emu_testdev_load_state(&mc.d1, s.d1, len), SYSDMA_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_way_devices_before),
        cmocka_unit_test(test_half_way_devices_after),
        cmocka_unit_test(test_format_is_little_endian_and_pinned),
        cmocka_unit_test(test_size_query_and_small_buffer),
        cmocka_unit_test(test_refused_inside_callback),
        cmocka_unit_test(test_i8237_refusals),
        cmocka_unit_test(test_testdev_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
