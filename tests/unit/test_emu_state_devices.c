/* SPDX-License-Identifier: MIT */
/*
 * Save states of the emulated floppy controller and SB16: a transfer saved
 * half way (inside a sector, inside a sound block) and finished on a fresh
 * machine ends byte-identical to an uninterrupted run (guest RAM, disk
 * image, result bytes, played samples, the models' states); save -> load ->
 * save gives the same bytes; and every class of bad state is refused with
 * the instance untouched.
 */
#include "state_test.h"

#include "sysdma/emu_fdc.h"
#include "sysdma/emu_sb16.h"

#define RAM (256u * 1024u)
#define BUF 0x20000u
#define IMG 1474560u
#define SECTORS 4u

/* ---- Floppy ---------------------------------------------------------------- */

typedef struct fmach {
    uint8_t ram[RAM];
    uint8_t img[IMG];
    sysdma_emu_physmem mem;
    sysdma_emu_i8237 dma;
    sysdma_emu_fdc fdc;
    int irq;
    /* the guest's side */
    bool got;
    uint8_t res[7];
} fmach;

static fmach fa, fb, fc;

static void f_irq(void *ctx, bool level)
{
    *(int *)ctx = level;
}

static void f_out(fmach *m, uint8_t v)
{
    sysdma_emu_fdc_outb(&m->fdc, SYSDMA_EMU_FDC_FIFO, v);
}

static uint8_t f_in(fmach *m)
{
    return sysdma_emu_fdc_inb(&m->fdc, SYSDMA_EMU_FDC_FIFO);
}

static void f_power_on(fmach *m, bool timing)
{
    memset(m, 0, sizeof *m);
    for (size_t o = 0; o < IMG; o++)
        m->img[o] = (uint8_t)(o * 31u + (o >> 9) * 7u + 0x5A);
    sysdma_emu_physmem_init(&m->mem, m->ram, RAM);
    sysdma_emu_i8237_init(&m->dma, &m->mem, true);
    assert_true(sysdma_emu_fdc_init(&m->fdc, &m->dma, 2, f_irq, &m->irq));
    assert_true(sysdma_emu_fdc_insert(&m->fdc, 0, m->img, IMG, false));
    sysdma_emu_fdc_set_timing(&m->fdc, timing);
}

/* Out of reset, the four polling interrupts collected, 500 kb/s, SPECIFY;
 * then READ DATA or WRITE DATA of SECTORS sectors from C0 H0 S1 via DMA. */
static void f_guest_start(fmach *m, bool write)
{
    sysdma_emu_fdc_outb(&m->fdc, SYSDMA_EMU_FDC_DOR, 0x00);
    sysdma_emu_fdc_outb(&m->fdc, SYSDMA_EMU_FDC_DOR, 0x1C);
    sysdma_emu_fdc_advance(&m->fdc, 1000);
    for (unsigned d = 0; d < 4; d++) {
        f_out(m, SYSDMA_EMU_FDC_CMD_SENSE_INT);
        assert_int_equal(f_in(m), 0xC0 | d);
        (void)f_in(m);
    }
    sysdma_emu_fdc_outb(&m->fdc, SYSDMA_EMU_FDC_CCR, SYSDMA_EMU_FDC_RATE_500K);
    f_out(m, SYSDMA_EMU_FDC_CMD_SPECIFY);
    f_out(m, 0xDF);
    f_out(m, 0x02);
    for (size_t k = 0; k < SECTORS * 512; k++)
        m->ram[BUF + k] = (uint8_t)(k * 11 + 3);
    sysdma_emu_i8237_program(&m->dma, 2,
                             SYSDMA_EMU_MODE_SINGLE |
                                 (write ? SYSDMA_EMU_MODE_READ : SYSDMA_EMU_MODE_WRITE),
                             BUF, SECTORS * 512);
    static const uint8_t rd[] = {0xE6, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF};
    static const uint8_t wr[] = {0xC5, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF};
    for (size_t k = 0; k < sizeof rd; k++)
        f_out(m, write ? wr[k] : rd[k]);
}

/* One machine step: the guest's interrupt handler reads the result, the
 * DMA runs, 100 µs pass. */
static void f_step(fmach *m)
{
    if (m->irq && !m->got) {
        for (unsigned k = 0; k < 7; k++)
            m->res[k] = f_in(m);
        m->got = true;
    }
    sysdma_emu_i8237_run(&m->dma, 300);
    sysdma_emu_fdc_advance(&m->fdc, 100000);
}

typedef struct fsaved {
    uint8_t dma[SYSDMA_EMU_I8237_SAVE_BYTES];
    uint8_t fdc[SYSDMA_EMU_FDC_SAVE_BYTES];
} fsaved;

static void f_save(const fmach *m, fsaved *s)
{
    size_t n;
    assert_int_equal(sysdma_emu_i8237_save_state(&m->dma, s->dma, sizeof s->dma, &n), SYSDMA_OK);
    assert_int_equal(sysdma_emu_fdc_save_state(&m->fdc, s->fdc, sizeof s->fdc, &n), SYSDMA_OK);
    assert_int_equal(n, sizeof s->fdc);
}

#define F_STEPS 20000u

static void fdc_half_way(bool timing, bool write)
{
    f_power_on(&fa, timing);
    f_guest_start(&fa, write);
    for (unsigned i = 0; i < F_STEPS; i++)
        f_step(&fa);
    assert_true(fa.got);
    assert_int_equal(fa.res[0] & 0xC0, 0); /* normal termination */

    /* Save inside the second sector. */
    f_power_on(&fb, timing);
    f_guest_start(&fb, write);
    unsigned k = 0;
    while (!(fb.fdc.phase == 2 && fb.fdc.x.r == 2 && fb.fdc.x.pos > 0 && fb.fdc.x.pos < 512)) {
        f_step(&fb);
        assert_true(++k < F_STEPS);
    }
    fsaved s;
    f_save(&fb, &s);
    check_head(s.fdc, sizeof s.fdc, SYSDMA_EMU_SAVE_MODEL_FDC, SYSDMA_EMU_FDC_SAVE_VERSION);

    /* A fresh machine, set up as the embedder does: pair, controller, the
     * same disk image (its contents as at the save), then the loads. */
    memset(&fc, 0, sizeof fc);
    memcpy(fc.img, fb.img, IMG);
    memcpy(fc.ram, fb.ram, RAM);
    fc.irq = fb.irq;
    fc.got = fb.got;
    sysdma_emu_physmem_init(&fc.mem, fc.ram, RAM);
    sysdma_emu_i8237_init(&fc.dma, &fc.mem, true);
    assert_int_equal(sysdma_emu_i8237_load_state(&fc.dma, s.dma, sizeof s.dma), SYSDMA_OK);
    assert_true(sysdma_emu_fdc_init(&fc.fdc, &fc.dma, 2, f_irq, &fc.irq)); /* lowers DREQ 2 */
    assert_true(sysdma_emu_fdc_insert(&fc.fdc, 0, fc.img, IMG, false));
    assert_int_equal(sysdma_emu_fdc_load_state(&fc.fdc, s.fdc, sizeof s.fdc), SYSDMA_OK);
    fsaved again;
    f_save(&fc, &again);
    assert_memory_equal(&again, &s, sizeof s);

    for (unsigned i = k; i < F_STEPS; i++)
        f_step(&fc);
    assert_true(fc.got);
    assert_memory_equal(fc.res, fa.res, 7);
    assert_memory_equal(fc.ram, fa.ram, RAM);
    assert_memory_equal(fc.img, fa.img, IMG);
    if (!write)
        assert_memory_equal(fa.ram + BUF, fa.img, SECTORS * 512);
    else
        assert_memory_equal(fa.img, fa.ram + BUF, SECTORS * 512);
    fsaved end_a, end_c;
    f_save(&fa, &end_a);
    f_save(&fc, &end_c);
    assert_memory_equal(&end_c, &end_a, sizeof end_a);
    assert_int_equal(fc.irq, fa.irq);
}

static void test_fdc_read_timed(void **state)
{
    (void)state;
    fdc_half_way(true, false);
}

static void test_fdc_write_timed(void **state)
{
    (void)state;
    fdc_half_way(true, true);
}

static void test_fdc_read_untimed(void **state)
{
    (void)state;
    fdc_half_way(false, false);
}

static sysdma_status load_fdc(void *o, const void *b, size_t n)
{
    return sysdma_emu_fdc_load_state(o, b, n);
}

static void test_fdc_refusals(void **state)
{
    (void)state;
    f_power_on(&fb, true);
    f_guest_start(&fb, false);
    while (!(fb.fdc.phase == 2 && fb.fdc.x.r == 2 && fb.fdc.x.pos > 0 && fb.fdc.x.pos < 512))
        f_step(&fb);
    fsaved s;
    f_save(&fb, &s);
    f_power_on(&fc, false);
    size_t len = sizeof s.fdc, sz = sizeof fc.fdc;
    const uint8_t *g = s.fdc;
    expect_frame_refusals(load_fdc, &fc.fdc, sz, g, len, SYSDMA_EMU_SAVE_MODEL_I8237);
    expect_refused(load_fdc, &fc.fdc, sz, s.dma, sizeof s.dma, SYSDMA_E_INVALID_ARGUMENT,
                   "the 8237's state");
    static const struct {
        size_t off;
        uint8_t v;
        const char *what;
    } bad[] = {
        {0, 2, "timing bool 2"},
        {6, 83, "head behind the stop"},
        {7, 18, "next sector ID past the track"},
        {18, 4, "TDR bit 2"},
        {19, 0x80, "DSR reset bit"},
        {20, 4, "data rate 4"},
        {20, 1, "data rate unlike DSR"},
        {32, 4, "phase 4"},
        {49, 17, "command bytes past the buffer"},
        {50, 10, "command longer than any"},
        {67, 17, "result bytes past the buffer"},
        {68, 1, "result read position outside the result phase"},
        {69, SYSDMA_EMU_FDC_CMD_READ_ID, "READ ID moving data"},
        {69, 0x1F, "no such command executing"},
        {70, 5, "stage 5"},
        {70, 0, "execution phase without a stage"},
        {70, 4, "READ DATA in the tail stage"},
        {71, 1, "executing on the empty drive"},
        {71, 3, "executing on drive 3"},
        {72, 2, "head 2"},
        {80, 1, "READ DATA writing"},
        {83, 3, "byte position past the sector"},
        {99 + 2, 0x01, "byte time past the rate's"},
        {107 + 2, 0x01, "credit past the sector"},
        {111, 0x10, "reset interrupt for drive 4"},
        {112, 0x20, "seek interrupt for drive 5"},
        {166, 1, "interrupt line unlike the state"},
        {167, 0, "request line unlike the state"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_field_refused(load_fdc, &fc.fdc, sz, g, len, bad[i].off, bad[i].v,
                             SYSDMA_E_STATE_CORRUPT, bad[i].what);
    /* Disks: the state's drive 0 holds 1.44 MB; another size, or none. */
    expect_field_refused(load_fdc, &fc.fdc, sz, g, len, 2, 0x00, SYSDMA_E_WRONG_STATE,
                         "disk of another size");
    sysdma_emu_fdc_eject(&fc.fdc, 0);
    expect_refused(load_fdc, &fc.fdc, sz, g, len, SYSDMA_E_WRONG_STATE, "no disk in the drive");
    static uint8_t other[737280];
    assert_true(sysdma_emu_fdc_insert(&fc.fdc, 1, other, sizeof other, false));
    assert_true(sysdma_emu_fdc_insert(&fc.fdc, 0, fc.img, IMG, false));
    expect_refused(load_fdc, &fc.fdc, sz, g, len, SYSDMA_E_WRONG_STATE, "a disk the state lacks");
    sysdma_emu_fdc_eject(&fc.fdc, 1);
    assert_int_equal(sysdma_emu_fdc_load_state(&fc.fdc, g, len), SYSDMA_OK);
}

/* ---- SB16 ------------------------------------------------------------------- */

typedef struct smach {
    uint8_t ram[RAM];
    sysdma_emu_physmem mem;
    sysdma_emu_i8237 dma;
    sysdma_emu_sb16 sb;
    int level;
    unsigned acks;
    uint8_t out[1u << 18];
    size_t nout, rec_pos;
} smach;

static smach sa, sb_, sc;

static void s_irq(void *ctx, unsigned irq, bool level)
{
    (void)irq;
    ((smach *)ctx)->level = level;
}

static void s_play(void *ctx, const uint8_t *pcm, size_t n, const sysdma_emu_sb16_format *f)
{
    smach *m = ctx;
    (void)f;
    assert_true(m->nout + n <= sizeof m->out);
    memcpy(m->out + m->nout, pcm, n);
    m->nout += n;
}

static size_t s_record(void *ctx, uint8_t *pcm, size_t n, const sysdma_emu_sb16_format *f)
{
    smach *m = ctx;
    (void)f;
    for (size_t k = 0; k < n; k++)
        pcm[k] = (uint8_t)((m->rec_pos + k) * 5);
    m->rec_pos += n;
    return n;
}

static void s_power_on(smach *m)
{
    memset(m, 0, sizeof *m);
    sysdma_emu_physmem_init(&m->mem, m->ram, RAM);
    sysdma_emu_i8237_init(&m->dma, &m->mem, true);
    sysdma_emu_sb16_config c = {0x220, 1, 5, 5, s_irq, s_play, s_record, m};
    assert_true(sysdma_emu_sb16_init(&m->sb, &m->dma, &c));
}

static void dsp(smach *m, uint8_t v)
{
    sysdma_emu_sb16_outb(&m->sb, 0x22C, v);
}

/* kind 0: 8-bit mono auto-init output; 1: 16-bit stereo auto-init output;
 * 2: 8-bit auto-init input. Blocks of 2048 units over a 2-block buffer. */
static void s_guest_start(smach *m, unsigned kind)
{
    bool wide = kind == 1, input = kind == 2;
    uint32_t bytes = 4096u * (wide ? 2u : 1u);
    for (size_t k = 0; k < bytes; k++)
        m->ram[BUF + k] = (uint8_t)(k * 3 + 1);
    sysdma_emu_i8237_program(&m->dma, wide ? 5 : 1,
                             SYSDMA_EMU_MODE_SINGLE | SYSDMA_EMU_MODE_AUTOINIT |
                                 (input ? SYSDMA_EMU_MODE_WRITE : SYSDMA_EMU_MODE_READ),
                             BUF, bytes);
    dsp(m, 0x41);
    dsp(m, wide ? 0xAC : 0x56); /* 44100 or 22050 Hz */
    dsp(m, wide ? 0x44 : 0x22);
    dsp(m, wide ? 0xB6 : input ? 0xCE : 0xC6);
    dsp(m, wide ? 0x30 : 0x00);
    dsp(m, 0xFF);
    dsp(m, 0x07);
}

/* One step: 100 µs pass, the DMA runs, the guest acknowledges the IRQ. */
static void s_step(smach *m)
{
    sysdma_emu_sb16_advance(&m->sb, 100000);
    sysdma_emu_i8237_run(&m->dma, 1u << 16);
    if (m->level) {
        sysdma_emu_sb16_inb(&m->sb, m->sb.wide ? 0x22F : 0x22E);
        m->acks++;
    }
}

typedef struct ssaved {
    uint8_t dma[SYSDMA_EMU_I8237_SAVE_BYTES];
    uint8_t sb[SYSDMA_EMU_SB16_SAVE_BYTES];
} ssaved;

static void s_save(const smach *m, ssaved *s)
{
    size_t n;
    assert_int_equal(sysdma_emu_i8237_save_state(&m->dma, s->dma, sizeof s->dma, &n), SYSDMA_OK);
    assert_int_equal(sysdma_emu_sb16_save_state(&m->sb, s->sb, sizeof s->sb, &n), SYSDMA_OK);
    assert_int_equal(n, sizeof s->sb);
}

#define S_STEPS 6000u
#define S_HALF 2345u

static void sb16_half_way(unsigned kind)
{
    s_power_on(&sa);
    s_guest_start(&sa, kind);
    for (unsigned i = 0; i < S_STEPS; i++)
        s_step(&sa);
    assert_true(sa.acks > 4); /* several blocks went by */

    s_power_on(&sb_);
    s_guest_start(&sb_, kind);
    for (unsigned i = 0; i < S_HALF; i++)
        s_step(&sb_);
    assert_true(sb_.sb.active && sb_.sb.block_left != sb_.sb.block_bytes);
    ssaved s;
    s_save(&sb_, &s);
    check_head(s.sb, sizeof s.sb, SYSDMA_EMU_SAVE_MODEL_SB16, SYSDMA_EMU_SB16_SAVE_VERSION);

    /* The embedder's part: RAM, its sink so far, its source position, its
     * interrupt line; then init (which lowers both DREQs) and the loads. */
    s_power_on(&sc);
    memcpy(sc.ram, sb_.ram, RAM);
    memcpy(sc.out, sb_.out, sb_.nout);
    sc.nout = sb_.nout;
    sc.rec_pos = sb_.rec_pos;
    sc.level = sb_.level;
    sc.acks = sb_.acks;
    assert_int_equal(sysdma_emu_i8237_load_state(&sc.dma, s.dma, sizeof s.dma), SYSDMA_OK);
    assert_int_equal(sysdma_emu_sb16_load_state(&sc.sb, s.sb, sizeof s.sb), SYSDMA_OK);
    ssaved again;
    s_save(&sc, &again);
    assert_memory_equal(&again, &s, sizeof s);

    for (unsigned i = S_HALF; i < S_STEPS; i++)
        s_step(&sc);
    assert_int_equal(sc.nout, sa.nout);
    assert_memory_equal(sc.out, sa.out, sa.nout);
    assert_memory_equal(sc.ram, sa.ram, RAM);
    assert_int_equal(sc.acks, sa.acks);
    assert_int_equal(sc.rec_pos, sa.rec_pos);
    ssaved end_a, end_c;
    s_save(&sa, &end_a);
    s_save(&sc, &end_c);
    assert_memory_equal(&end_c, &end_a, sizeof end_a);
}

static void test_sb16_8bit_output(void **state)
{
    (void)state;
    sb16_half_way(0);
    assert_true(sa.nout > 10000);
}

static void test_sb16_16bit_stereo_output(void **state)
{
    (void)state;
    sb16_half_way(1);
    assert_true(sa.nout > 40000);
}

static void test_sb16_8bit_input(void **state)
{
    (void)state;
    sb16_half_way(2);
    assert_true(sa.rec_pos > 10000);
}

static sysdma_status load_sb16(void *o, const void *b, size_t n)
{
    return sysdma_emu_sb16_load_state(o, b, n);
}

static void test_sb16_refusals(void **state)
{
    (void)state;
    s_power_on(&sb_);
    s_guest_start(&sb_, 0);
    for (unsigned i = 0; i < S_HALF; i++)
        s_step(&sb_);
    ssaved s;
    s_save(&sb_, &s);
    s_power_on(&sc);
    size_t len = sizeof s.sb, sz = sizeof sc.sb;
    const uint8_t *g = s.sb;
    expect_frame_refusals(load_sb16, &sc.sb, sz, g, len, SYSDMA_EMU_SAVE_MODEL_TESTDEV);
    static const struct {
        size_t off;
        uint8_t v;
        const char *what;
    } bad[] = {
        {17, 16, "answer queue head past the queue"},
        {18, 17, "answer queue count past the queue"},
        {25, 4, "parameter count past the parameters"},
        {26, 4, "command needing 4 parameters"},
        {27, 2, "speaker bool 2"},
        {31, 0xFF, "rate past 1 MHz"},
        {34, 2, "active bool 2"},
        {35, 1, "16-bit transfer in 8-bit format"},
        {43, 0x80, "format rate past 1 MHz"},
        {44, 12, "12-bit samples"},
        {45, 3, "three channels"},
        {50, 0x10, "block past 128 KiB"},
        {54, 0xFF, "left more than the block"},
        {62, 0xFF, "bytes due past one block ahead"},
        {70, 0xFF, "time remainder past a millisecond's"},
        {71, 4, "interrupt status bit 2"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_field_refused(load_sb16, &sc.sb, sz, g, len, bad[i].off, bad[i].v,
                             SYSDMA_E_STATE_CORRUPT, bad[i].what);
    assert_int_equal(sysdma_emu_sb16_load_state(&sc.sb, g, len), SYSDMA_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fdc_read_timed),
        cmocka_unit_test(test_fdc_write_timed),
        cmocka_unit_test(test_fdc_read_untimed),
        cmocka_unit_test(test_fdc_refusals),
        cmocka_unit_test(test_sb16_8bit_output),
        cmocka_unit_test(test_sb16_16bit_stereo_output),
        cmocka_unit_test(test_sb16_8bit_input),
        cmocka_unit_test(test_sb16_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
