/* SPDX-License-Identifier: MIT */
/*
 * Shared by the save-state tests (test_emu_state*.c): an independent
 * CRC-32 and head reader, so the tests check the byte format rather than
 * trust the library's encoder; a helper that patches a state and fixes its
 * CRC (to reach the range checks behind the checksum); and a helper that
 * asserts a refused load left the instance byte for byte as it was.
 * Included once per test program.
 */
#ifndef SYSDMA_TEST_STATE_H
#define SYSDMA_TEST_STATE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sysdma/emu.h"

#define HEAD 16u

/* CRC-32 (IEEE 802.3), written from the polynomial, not from the library. */
static inline uint32_t ref_crc(const uint8_t *p, size_t n, uint32_t crc)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return ~crc;
}

static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void put32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

/* The CRC a state of `len` bytes should carry. */
static inline uint32_t state_crc(const uint8_t *s, size_t len)
{
    return ref_crc(s + HEAD, len - HEAD, ref_crc(s, 12, 0));
}

static inline void fix_crc(uint8_t *s, size_t len)
{
    put32(s + 12, state_crc(s, len));
}

/* Check the head of a state the library wrote. */
static inline void check_head(const uint8_t *s, size_t len, unsigned model, unsigned version)
{
    assert_memory_equal(s, "SDST", 4);
    assert_int_equal(s[4] | s[5] << 8, model);
    assert_int_equal(s[6] | s[7] << 8, version);
    assert_int_equal(le32(s + 8), len - HEAD);
    assert_int_equal(le32(s + 12), state_crc(s, len));
}

/* A loader: (instance, buffer, length) -> status. */
typedef sysdma_status (*load_fn)(void *obj, const void *buf, size_t len);

/*
 * Load `len` bytes of `s` into `obj` (`size` bytes) and require status
 * `want` with `obj` unchanged, byte for byte.
 */
static inline void expect_refused(load_fn load, void *obj, size_t size, const uint8_t *s,
                                  size_t len, sysdma_status want, const char *what)
{
    uint8_t *before = malloc(size);
    assert_non_null(before);
    memcpy(before, obj, size);
    sysdma_status st = load(obj, s, len);
    if (st != want)
        fprintf(stderr, "case %s: status %d, want %d\n", what, (int)st, (int)want);
    assert_int_equal(st, want);
    assert_memory_equal(obj, before, size);
    free(before);
}

/* Patch byte `off` of the payload to `v`, fix the CRC, require a refusal. */
static inline void expect_field_refused(load_fn load, void *obj, size_t size, const uint8_t *good,
                                        size_t len, size_t off, uint8_t v, sysdma_status want,
                                        const char *what)
{
    uint8_t *s = malloc(len);
    assert_non_null(s);
    memcpy(s, good, len);
    assert_true(HEAD + off < len);
    s[HEAD + off] = v;
    fix_crc(s, len);
    expect_refused(load, obj, size, s, len, want, what);
    free(s);
}

/*
 * The corruptions every model's loader must refuse: short and long
 * buffers, no buffer, bad magic, another model, other versions, a length
 * field that disagrees, a flipped bit anywhere with the CRC left alone.
 */
static inline void expect_frame_refusals(load_fn load, void *obj, size_t size, const uint8_t *good,
                                         size_t len, unsigned other_model)
{
    uint8_t *s = malloc(len + 1);
    assert_non_null(s);
    expect_refused(load, obj, size, good, 0, SYSDMA_E_STATE_CORRUPT, "empty");
    expect_refused(load, obj, size, good, HEAD - 1, SYSDMA_E_STATE_CORRUPT, "short head");
    expect_refused(load, obj, size, good, HEAD, SYSDMA_E_STATE_CORRUPT, "head only");
    expect_refused(load, obj, size, good, len - 1, SYSDMA_E_STATE_CORRUPT, "truncated");
    expect_refused(load, obj, size, NULL, len, SYSDMA_E_INVALID_ARGUMENT, "NULL");
    memcpy(s, good, len);
    s[len] = 0;
    expect_refused(load, obj, size, s, len + 1, SYSDMA_E_STATE_CORRUPT, "trailing byte");
    memcpy(s, good, len);
    s[0] = 'X';
    fix_crc(s, len);
    expect_refused(load, obj, size, s, len, SYSDMA_E_STATE_CORRUPT, "magic");
    memcpy(s, good, len);
    s[4] = (uint8_t)other_model;
    fix_crc(s, len);
    expect_refused(load, obj, size, s, len, SYSDMA_E_INVALID_ARGUMENT, "other model");
    static const uint16_t versions[] = {0, 2, 0x100, 0xFFFF};
    for (size_t k = 0; k < sizeof versions / sizeof versions[0]; k++) {
        memcpy(s, good, len);
        s[6] = (uint8_t)versions[k];
        s[7] = (uint8_t)(versions[k] >> 8);
        fix_crc(s, len);
        expect_refused(load, obj, size, s, len, SYSDMA_E_UNKNOWN_VERSION, "version");
    }
    memcpy(s, good, len);
    put32(s + 8, (uint32_t)(len - HEAD - 1));
    fix_crc(s, len);
    expect_refused(load, obj, size, s, len, SYSDMA_E_STATE_CORRUPT, "length field");
    /* Every single-bit flip anywhere is refused (the CRC catches those the
     * head checks do not), and the instance stays as it was. */
    uint8_t *before = malloc(size);
    assert_non_null(before);
    memcpy(before, obj, size);
    for (size_t i = 0; i < len; i++) {
        memcpy(s, good, len);
        s[i] ^= (uint8_t)(1u << (i % 8));
        assert_int_not_equal(load(obj, s, len), SYSDMA_OK);
        assert_memory_equal(obj, before, size);
    }
    free(before);
    memcpy(s, good, len);
    s[12] ^= 1;
    expect_refused(load, obj, size, s, len, SYSDMA_E_STATE_CORRUPT, "crc");
    free(s);
}

#endif /* SYSDMA_TEST_STATE_H */
