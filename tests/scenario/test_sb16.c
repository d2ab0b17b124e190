/* SPDX-License-Identifier: MIT */
/*
 * The example SB16 driver (examples/drivers/sb16.c) on the simulated PC:
 * common-buffer DMA with the 8237 in auto-initialize mode feeding the
 * emulated SB16. Several seconds of a known waveform, 8-bit on channel 1
 * and 16-bit on channel 5, mono and stereo, must reach the card's sink
 * exactly (followed only by the silence the driver pads the last block
 * with); a source that stalls is counted as underruns and playback goes on.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../examples/drivers/sb16.h"
#include "sysdma/emu_sb16.h"
#include "sysdma/emu_wav.h"
#include "support/rig.h"
#include "support/sb16_card.h"

typedef struct bench {
    sb16_card card; /* first: the card's callbacks take the bench */
    /* source */
    sb16_format fmt;
    uint64_t pos;
    unsigned stall_every, stall_calls; /* every Nth call gives nothing */
    unsigned calls;
} bench;

static uint8_t sample_byte(const bench *b, uint64_t k)
{
    return (uint8_t)((k * 2654435761u) >> 11) ^ (uint8_t)(k / (b->fmt.bits / 8u));
}

static bench *wav_bench; /* the WAV test's bench: the card's ctx is the WAV */

static void on_irq_wav(void *ctx, unsigned irq, bool level)
{
    (void)ctx;
    card_on_irq(wav_bench, irq, level);
}

static uint32_t source(void *ctx, uint8_t *buf, uint32_t bytes)
{
    bench *b = ctx;
    b->calls++;
    if (b->stall_every && b->calls % b->stall_every == 0) {
        b->stall_calls++;
        return 0; /* late: nothing this time */
    }
    for (uint32_t k = 0; k < bytes; k++)
        buf[k] = sample_byte(b, b->pos + k);
    b->pos += bytes;
    return bytes;
}

/* A controller whose counter goes backwards: every third read of it
 * reports `glitch` bytes more left than there are (when that stays inside
 * the buffer of `glitch_buffer` bytes). */
typedef struct glitchy {
    sysdma_controller inner;
    sysdma_controller_ops ops;
    uint32_t glitch, glitch_buffer;
    unsigned reads, glitched;
} glitchy;

static uint32_t g_residue(void *ctx, unsigned ch, bool *tc)
{
    glitchy *g = ctx;
    uint32_t left = g->inner.ops->read_residue(g->inner.ctx, ch, tc);
    if (++g->reads % 3 == 0 && left + g->glitch < g->glitch_buffer) {
        g->glitched++;
        left += g->glitch;
    }
    return left;
}

static uint32_t g_counter(void *ctx, unsigned ch)
{
    bool tc;
    return g_residue(ctx, ch, &tc);
}

static sysdma_status g_limits(void *ctx, unsigned ch, sysdma_channel_limits *l)
{
    glitchy *g = ctx;
    return g->inner.ops->channel_limits(g->inner.ctx, ch, l);
}
static sysdma_status g_binding(void *ctx, unsigned ch, uint32_t line)
{
    glitchy *g = ctx;
    return g->inner.ops->validate_binding(g->inner.ctx, ch, line);
}
static sysdma_status g_program(void *ctx, unsigned ch, const sysdma_program *p)
{
    glitchy *g = ctx;
    return g->inner.ops->program(g->inner.ctx, ch, p);
}
static sysdma_status g_flush(void *ctx, unsigned ch)
{
    glitchy *g = ctx;
    return g->inner.ops->flush(g->inner.ctx, ch);
}

static bench *make_with(glitchy *g)
{
    bench *b = calloc(1, sizeof *b);
    assert_non_null(b);
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 64};
    assert_int_equal(rig_init(&b->card.r, 32u << 20, 4096, &cfg), SYSDMA_OK);
    if (g) {
        /* The same machine and 8237 driver behind a glitching counter. */
        assert_int_equal(sysdma_system_destroy(b->card.r.sys), SYSDMA_OK);
        g->inner = b->card.r.ctrl;
        g->ops = (sysdma_controller_ops){.size = sizeof g->ops, .channel_limits = g_limits,
                                         .validate_binding = g_binding, .program = g_program,
                                         .flush = g_flush, .read_counter = g_counter,
                                         .read_residue = g_residue};
        sysdma_controller c = {&g->ops, g};
        assert_int_equal(sysdma_system_create(&b->card.r.pf, &c, &cfg, &b->card.r.sys), SYSDMA_OK);
    }
    rig_verify(&b->card.r); /* the driver must not trip the verifier */
    assert_true(sb16_card_attach(&b->card, 8u << 20));
    return b;
}

static bench *make(void)
{
    return make_with(NULL);
}

static void unmake(bench *b)
{
    sb16_card_detach(&b->card);
    free(b);
}

static void test_play_exact_every_format(void **state)
{
    (void)state;
    static const sb16_format fmts[] = {{22050, 8, 1}, {22050, 8, 2}, {22050, 16, 1}, {44100, 16, 2}};
    for (int k = 0; k < 4; k++) {
        bench *b = make();
        sb16_env env = {card_e_in, card_e_out, card_e_wait, card_e_delay, b};
        sb16_driver d;
        assert_int_equal(sb16_open(&d, b->card.r.sys, &env, 0x220), SYSDMA_OK);
        assert_int_equal(d.version[0], 4);
        b->fmt = fmts[k];
        uint64_t total = (uint64_t)fmts[k].rate * 3 * fmts[k].channels * (fmts[k].bits / 8u); /* 3 s */
        sb16_stats st;
        assert_int_equal(sb16_play(&d, &fmts[k], 8192, total, source, b, &st), SYSDMA_OK);
        assert_int_equal(st.underruns, 0);
        assert_int_equal(st.bytes, total);
        assert_int_equal(st.backwards, 0);
        assert_true(st.wraps >= total / 8192 - 1);
        /* The sink got every byte in order; after it only silence. */
        assert_true(b->card.sink_len >= total);
        for (uint64_t i = 0; i < total; i++)
            if (b->card.sink[i] != sample_byte(b, i))
                fail_msg("format %d: played byte %llu is 0x%02x, want 0x%02x", k, (unsigned long long)i,
                         b->card.sink[i], sample_byte(b, i));
        uint8_t silence = fmts[k].bits == 8 ? 0x80 : 0x00;
        for (size_t i = total; i < b->card.sink_len && i < b->card.sink_cap; i++)
            assert_int_equal(b->card.sink[i], silence);
        assert_int_equal(b->card.last_fmt.rate, fmts[k].rate);
        assert_int_equal(b->card.last_fmt.bits, fmts[k].bits);
        assert_int_equal(b->card.last_fmt.channels, fmts[k].channels);
        /* Simulated time matches the audio's length (3 s plus the tail). */
        double secs = (double)sysdma_sim_now_ns(b->card.r.sim) / 1e9;
        assert_true(secs > 2.9 && secs < 3.6);
        unmake(b);
    }
}

static void test_underruns_counted_and_playback_goes_on(void **state)
{
    (void)state;
    bench *b = make();
    sb16_env env = {card_e_in, card_e_out, card_e_wait, card_e_delay, b};
    sb16_driver d;
    assert_int_equal(sb16_open(&d, b->card.r.sys, &env, 0x220), SYSDMA_OK);
    b->fmt = (sb16_format){22050, 16, 1};
    b->stall_every = 5;
    uint64_t total = 22050u * 2 * 2;
    sb16_stats st;
    assert_int_equal(sb16_play(&d, &b->fmt, 4096, total, source, b, &st), SYSDMA_OK);
    assert_true(st.underruns > 0);
    assert_int_equal(st.underruns, b->stall_calls);
    assert_int_equal(st.bytes, total); /* every byte of the source was played... */
    /* ...in order, with silent halves where the source was late. */
    uint64_t want = 0;
    for (size_t i = 0; i < b->card.sink_len && want < total; i++) {
        if (b->card.sink[i] == sample_byte(b, want))
            want++;
        else if (b->card.sink[i] != 0)
            fail_msg("byte %zu: 0x%02x is neither the next sample nor silence", i, b->card.sink[i]);
    }
    assert_int_equal(want, total);
    unmake(b);
}

/* The sim's WAV sink: what the card plays is a WAV file equal to the input. */
static void test_wav_file_equals_input(void **state)
{
    (void)state;
    static const sb16_format fmts[] = {{22050, 8, 1}, {22050, 8, 2}, {11025, 16, 1}, {44100, 16, 2}};
    for (int k = 0; k < 4; k++) {
        bench *b = make();
        char path[] = "/tmp/sysdma-sb16-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        sysdma_emu_wav wav;
        sysdma_emu_sb16_format wf = {fmts[k].rate, fmts[k].bits, fmts[k].channels, fmts[k].bits == 16};
        assert_true(sysdma_emu_wav_create(&wav, path, &wf));
        b->card.sb.cfg.play = sysdma_emu_wav_sink;
        b->card.sb.cfg.ctx = &wav;
        b->card.sb.cfg.irq_fn = on_irq_wav;
        wav_bench = b;
        sb16_env env = {card_e_in, card_e_out, card_e_wait, card_e_delay, b};
        sb16_driver d;
        assert_int_equal(sb16_open(&d, b->card.r.sys, &env, 0x220), SYSDMA_OK);
        b->fmt = fmts[k];
        uint64_t total = (uint64_t)fmts[k].rate * 2 * fmts[k].channels * (fmts[k].bits / 8u);
        sb16_stats st;
        assert_int_equal(sb16_play(&d, &fmts[k], 16384, total, source, b, &st), SYSDMA_OK);
        assert_true(sysdma_emu_wav_close(&wav));
        sysdma_emu_sb16_format got;
        uint8_t *data;
        size_t bytes;
        assert_true(sysdma_emu_wav_load(path, &got, &data, &bytes));
        unlink(path);
        assert_int_equal(got.rate, fmts[k].rate);
        assert_int_equal(got.bits, fmts[k].bits);
        assert_int_equal(got.channels, fmts[k].channels);
        assert_true(bytes >= total);
        for (uint64_t i = 0; i < total; i++)
            if (data[i] != sample_byte(b, i))
                fail_msg("WAV byte %llu differs", (unsigned long long)i);
        free(data);
        unmake(b);
    }
}

/* Recording, the same way in reverse: the card's input (a known waveform)
 * reaches the driver's sink exactly, 8-bit and 16-bit, mono and stereo. */
static size_t rec_source(void *ctx, uint8_t *pcm, size_t bytes, const sysdma_emu_sb16_format *fmt)
{
    bench *b = ctx;
    (void)fmt;
    for (size_t k = 0; k < bytes; k++)
        pcm[k] = sample_byte(b, b->pos + k);
    b->pos += bytes;
    return bytes;
}

static void rec_sink(void *ctx, const uint8_t *buf, uint32_t bytes)
{
    bench *b = ctx;
    if (b->card.sink_len + bytes <= b->card.sink_cap)
        memcpy(b->card.sink + b->card.sink_len, buf, bytes);
    b->card.sink_len += bytes;
}

static void test_record_exact_every_format(void **state)
{
    (void)state;
    static const sb16_format fmts[] = {{11025, 8, 1}, {22050, 8, 2}, {22050, 16, 1}, {44100, 16, 2}};
    for (int k = 0; k < 4; k++) {
        bench *b = make();
        b->card.sb.cfg.record = rec_source;
        sb16_env env = {card_e_in, card_e_out, card_e_wait, card_e_delay, b};
        sb16_driver d;
        assert_int_equal(sb16_open(&d, b->card.r.sys, &env, 0x220), SYSDMA_OK);
        b->fmt = fmts[k];
        uint64_t total = (uint64_t)fmts[k].rate * 2 * fmts[k].channels * (fmts[k].bits / 8u);
        sb16_stats st;
        assert_int_equal(sb16_record(&d, &fmts[k], 8192, total, rec_sink, b, &st), SYSDMA_OK);
        assert_int_equal(st.bytes, total);
        assert_int_equal(b->card.sink_len, total);
        for (uint64_t i = 0; i < total; i++)
            if (b->card.sink[i] != sample_byte(b, i))
                fail_msg("format %d: recorded byte %llu differs", k, (unsigned long long)i);
        assert_int_equal(st.backwards, 0);
        unmake(b);
    }
}

/* A counter that goes backwards between two reads is counted (stats
 * backwards), and the sample is not used: playback stays exact. */
static void test_backwards_counter_counted(void **state)
{
    (void)state;
    glitchy g = {.glitch = 64, .glitch_buffer = 8192};
    bench *b = make_with(&g);
    sb16_env env = {card_e_in, card_e_out, card_e_wait, card_e_delay, b};
    sb16_driver d;
    assert_int_equal(sb16_open(&d, b->card.r.sys, &env, 0x220), SYSDMA_OK);
    b->fmt = (sb16_format){22050, 8, 1};
    uint64_t total = 22050u; /* 1 s */
    sb16_stats st;
    assert_int_equal(sb16_play(&d, &b->fmt, 8192, total, source, b, &st), SYSDMA_OK);
    assert_true(g.glitched > 0);
    assert_true(st.backwards > 0);
    assert_true(st.backwards <= g.glitched);
    assert_true(b->card.sink_len >= total);
    for (uint64_t i = 0; i < total; i++)
        if (b->card.sink[i] != sample_byte(b, i))
            fail_msg("played byte %llu differs", (unsigned long long)i);
    unmake(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_play_exact_every_format),
        cmocka_unit_test(test_underruns_counted_and_playback_goes_on),
        cmocka_unit_test(test_wav_file_equals_input),
        cmocka_unit_test(test_record_exact_every_format),
        cmocka_unit_test(test_backwards_counter_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
