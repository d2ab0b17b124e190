/* SPDX-License-Identifier: MIT */
/*
 * Common-buffer system DMA on the simulated SoC: an audio driver loops a
 * common buffer to the audio FIFO device (auto-initialize: the PL080
 * driver makes its list circular) and follows the play position with
 * ReadDmaCounter; the DMAC interrupts once per pass. What the device plays
 * must be the buffer, over and over, without underruns, and the position
 * must agree with what was played.
 */
#include "support/soc_rig.h"

#define BUF_BYTES 8192u

static void loop_to_audio_with_position(void **state)
{
    (void)state;
    soc_rig *r = soc_rig_open(NULL); /* 48 kHz, 4-byte frames: 192 kB/s */
    sysdma_adapter *a = soc_rig_adapter(r, 2, SYSDMA_SIM_SOC_AUDIO_LINE,
                                        SYSDMA_SIM_SOC_AUDIO_DATA, BUF_BYTES, true, false);
    soc_rig_shape(a, 4, 4, 4, 4); /* words, bursts of 16 bytes: the FIFO's watermark */
    void *va = NULL;
    uint64_t logical = 0;
    assert_int_equal(sysdma_common_buffer_allocate(a, BUF_BYTES, false, &va, &logical), SYSDMA_OK);
    assert_true(logical >= SYSDMA_SIM_SOC_BANK0 && logical + BUF_BYTES <= 0x100000000ull);
    uint8_t *buf = va;
    for (uint32_t k = 0; k < BUF_BYTES; k++)
        buf[k] = (uint8_t)(k * 7u + (k >> 8));
    sysdma_mdl *m;
    assert_int_equal(sysdma_mdl_create(r->sys, va, BUF_BYTES, &m), SYSDMA_OK);
    bool granted = false;
    assert_int_equal(sysdma_channel_allocate(a, NULL, 0, soc_rig_keep, &granted), SYSDMA_OK);
    uint32_t n = BUF_BYTES;
    uint64_t at = 0;
    assert_int_equal(sysdma_map_transfer(a, m, NULL, va, &n, true, &at), SYSDMA_OK);
    assert_int_equal(at, logical);
    sysdma_position pos;
    sysdma_position_init(&pos, BUF_BYTES);
    uint64_t last = 0;
    for (int ms = 0; ms < 100; ms++) {
        sysdma_sim_soc_run(r->soc, 1000ull * 1000);
        uint32_t left = sysdma_read_dma_counter(a);
        assert_true(left >= 1 && left <= BUF_BYTES);
        uint64_t p = sysdma_position_update(&pos, left);
        assert_true(p >= last);
        last = p;
        /* The DMA stays ahead of the playback by at most the FIFO. */
        assert_true(p >= r->nplayed);
        assert_true(p - r->nplayed <= 64 + 16);
        /* One completion per pass, from the DMAC's interrupt. */
        assert_int_equal(r->completions[2], p / BUF_BYTES);
    }
    /* 100 ms at 192 kB/s, in whole frames. */
    assert_true(r->nplayed >= 19196 && r->nplayed <= 19200);
    assert_true(r->completions[2] >= 2);
    sysdma_emu_audio *au = sysdma_sim_soc_audio(r->soc);
    assert_int_equal(au->underruns, 0);
    assert_int_equal(au->overruns, 0);
    for (size_t k = 0; k < r->nplayed; k++)
        assert_int_equal(r->played[k], buf[k % BUF_BYTES]);
    assert_int_equal(r->failed, 0);
    /* Stop: the loop ends at the flush, nothing more is fetched. */
    assert_int_equal(sysdma_flush_adapter_buffers(a, m, NULL, va, BUF_BYTES, true), SYSDMA_OK);
    uint64_t moved = sysdma_sim_soc_dmac(r->soc)->stats.bytes[2];
    sysdma_sim_soc_run(r->soc, 5ull * 1000 * 1000);
    assert_int_equal(sysdma_sim_soc_dmac(r->soc)->stats.bytes[2], moved);
    assert_true(au->underruns > 0); /* the device ran dry */
    assert_int_equal(sysdma_channel_free(a), SYSDMA_OK);
    sysdma_mdl_free(r->sys, m);
    assert_int_equal(sysdma_common_buffer_free(a, BUF_BYTES, logical, va, false), SYSDMA_OK);
    assert_int_equal(sysdma_adapter_put(a), SYSDMA_OK);
    soc_rig_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loop_to_audio_with_position),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
