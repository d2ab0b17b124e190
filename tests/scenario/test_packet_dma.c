/* SPDX-License-Identifier: MIT */
/*
 * Packet-based system DMA end to end on the simulated PC: a driver moves
 * buffers through sysdma and the 8237 driver to the emulated 8237A pair and
 * a test device, on every usable channel, both directions, from buffers
 * below and above 16 MiB, physically scattered, and straddling 64 KiB and
 * 128 KiB boundaries, with map registers few enough to force splitting.
 * Every byte must arrive, and the source must be unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/rig.h"

static const unsigned channels[] = {1, 2, 3, 5, 6, 7};

static uint64_t rng;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

/* One case: returns 0 on success, else prints why and returns 1. */
static int one(rig *r, unsigned ch, sysdma_sim_placement how, uint32_t len, uint32_t offset,
               bool to_device, uint32_t max_length, bool demand, uint32_t seed)
{
    uint8_t *buf = sysdma_sim_buffer_alloc(r->sim, len + 64, offset, how);
    if (!buf) {
        print_message("no buffer for len %u placement %d\n", len, (int)how);
        return 1;
    }
    uint8_t *want = malloc(len + 64);
    for (uint32_t k = 0; k < len + 64; k++)
        buf[k] = (uint8_t)(k * 131u + seed);
    memcpy(want, buf, len + 64);
    for (uint32_t k = 0; k < len; k++)
        r->fifo[ch][k] = (uint8_t)(k * 29u + seed * 7u + 3u);
    unsigned pieces = 0;
    sysdma_status st = rig_packet_transfer(r, ch, buf, len, to_device, max_length, demand, &pieces);
    int bad = 0;
    if (st != SYSDMA_OK) {
        print_message("status %s\n", sysdma_status_name(st));
        bad = 1;
    } else if (to_device) {
        if (memcmp(r->fifo[ch], buf, len) != 0) {
            print_message("device did not receive the buffer\n");
            bad = 1;
        }
        if (memcmp(buf, want, len + 64) != 0) {
            print_message("source buffer changed by a write to the device\n");
            bad = 1;
        }
    } else {
        if (memcmp(buf, r->fifo[ch], len) != 0) {
            uint32_t k = 0;
            while (buf[k] == r->fifo[ch][k])
                k++;
            print_message("buffer differs from the device's data at byte %u of %u\n", k, len);
            bad = 1;
        }
        if (memcmp(buf + len, want + len, 64) != 0) {
            print_message("bytes after the buffer were written\n");
            bad = 1;
        }
    }
    uint32_t expect_pieces_max = len; /* sanity: at least one piece */
    if (!bad && (pieces == 0 || pieces > expect_pieces_max)) {
        print_message("%u pieces\n", pieces);
        bad = 1;
    }
    if (bad)
        print_message("  case: channel %u placement %d len %u offset %u %s max_length %u %s seed %u\n",
                      ch, (int)how, len, offset, to_device ? "to device" : "from device",
                      max_length, demand ? "demand" : "single", seed);
    free(want);
    sysdma_sim_buffer_free(r->sim, buf);
    return bad;
}

static int setup(void **state)
{
    rig *r = malloc(sizeof *r);
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 512};
    if (!r || rig_init(r, 64u << 20, (1u << 20) + 4096, &cfg) != SYSDMA_OK)
        return -1;
    rig_verify(r); /* correct use: no report */
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    rig_destroy(*state);
    free(*state);
    return 0;
}

/* The matrix: every channel, placement, direction and a spread of sizes. */
static void test_matrix(void **state)
{
    rig *r = *state;
    int failures = 0;
    static const uint32_t sizes[] = {1, 4095, 65536, 1u << 20};
    for (size_t c = 0; c < sizeof channels / sizeof channels[0]; c++) {
        unsigned ch = channels[c];
        bool wide = ch >= 4;
        for (int how = SYSDMA_SIM_LOW; how <= SYSDMA_SIM_STRADDLE_128K; how++) {
            for (size_t s = 0; s < 4; s++) {
                uint32_t len = sizes[s] + (wide && (sizes[s] & 1));
                for (int dir = 0; dir < 2; dir++) {
                    /* Full map registers, and (for the large sizes) few
                     * enough that the transfer must be split finely. */
                    failures += one(r, ch, (sysdma_sim_placement)how, len, wide ? 2 : 1, dir,
                                    len, s % 2 == 0, (uint32_t)(c * 100 + s));
                    if (len >= 65536)
                        failures += one(r, ch, (sysdma_sim_placement)how, len, 0, dir, 3 * 4096,
                                        true, (uint32_t)(c * 100 + s + 50));
                }
            }
        }
    }
    assert_int_equal(failures, 0);
    sysdma_stats st;
    sysdma_stats_get(r->sys, NULL, &st);
    assert_true(st.bounced_transfers > 0);
    assert_true(st.transfers > st.bounced_transfers); /* some went direct */
    assert_int_equal(st.pool_in_use, 0);
    assert_true(st.pool_high_water > 0);
}

/* Seeded random cases (SYSDMA_SEED to pick the start, SYSDMA_CASES the count). */
static void test_randomized(void **state)
{
    rig *r = *state;
    const char *e = getenv("SYSDMA_SEED");
    const char *n = getenv("SYSDMA_CASES");
    uint64_t seed = e ? strtoull(e, NULL, 0) : 20261124;
    unsigned cases = n ? (unsigned)strtoul(n, NULL, 0) : 10000;
    print_message("randomized packet DMA: seed %llu, %u cases\n", (unsigned long long)seed, cases);
    rng = seed * 0x9E3779B97F4A7C15ull + 1;
    int failures = 0;
    for (unsigned k = 0; k < cases && failures < 5; k++) {
        unsigned ch = channels[rnd(6)];
        bool wide = ch >= 4;
        /* Log-uniform length from 1 byte to 1 MiB, most cases small. */
        uint32_t bits = rnd(rnd(4) == 0 ? 21 : 15);
        uint32_t len = (1u << bits) + rnd(1u << bits);
        if (len > (1u << 20))
            len = 1u << 20;
        uint32_t offset = rnd(4096);
        if (wide) {
            len = (len + 1) & ~1u;
            offset &= ~1u;
        }
        sysdma_sim_placement how = (sysdma_sim_placement)rnd(6);
        uint32_t max_length = rnd(3) == 0 ? 1 + rnd(len) : len;
        failures += one(r, ch, how, len, offset, rnd(2), max_length, len > 8192 || rnd(2),
                        (uint32_t)k);
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_randomized, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
