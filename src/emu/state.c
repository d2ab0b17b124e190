/* SPDX-License-Identifier: MIT */
/*
 * The byte format of sysdma-emu's save states (see state.h for the layout
 * and docs/emulator.md for the rules): a little-endian writer and a
 * bounded reader, the 16-byte head with its CRC-32, and the checks every
 * loader makes before it looks at a single field.
 */
#include "state.h"

#include <string.h>

static const uint8_t magic[4] = {'S', 'D', 'S', 'T'};

/* CRC-32 as in IEEE 802.3 / zlib (reflected polynomial 0xEDB88320), bit by
 * bit: states are a few hundred bytes, a table would cost more than it
 * saves. Pass 0 to start; pass the result back to continue. */
uint32_t sysdma__crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (unsigned b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* ---- Writing ----------------------------------------------------------------- */

void sysdma__state_begin(sysdma__state_wr *w, void *buf, size_t cap)
{
    w->p = buf;
    w->cap = cap;
    w->len = cap < SYSDMA__STATE_HEAD ? cap : SYSDMA__STATE_HEAD;
}

static void put(sysdma__state_wr *w, uint64_t v, unsigned n)
{
    if (w->len + n <= w->cap)
        put_le(w->p + w->len, v, n);
    w->len += n;
}

void sysdma__state_u8(sysdma__state_wr *w, uint8_t v) { put(w, v, 1); }
void sysdma__state_u16(sysdma__state_wr *w, uint16_t v) { put(w, v, 2); }
void sysdma__state_u32(sysdma__state_wr *w, uint32_t v) { put(w, v, 4); }
void sysdma__state_u64(sysdma__state_wr *w, uint64_t v) { put(w, v, 8); }

void sysdma__state_bytes(sysdma__state_wr *w, const uint8_t *v, size_t n)
{
    if (w->len + n <= w->cap)
        memcpy(w->p + w->len, v, n);
    w->len += n;
}

size_t sysdma__state_end(sysdma__state_wr *w, uint16_t model, uint16_t version)
{
    if (w->len > w->cap || w->cap < SYSDMA__STATE_HEAD)
        return 0; /* the model checked the capacity: never happens */
    memcpy(w->p, magic, 4);
    put_le(w->p + 4, model, 2);
    put_le(w->p + 6, version, 2);
    put_le(w->p + 8, w->len - SYSDMA__STATE_HEAD, 4);
    uint32_t crc = sysdma__crc32(0, w->p, 12);
    crc = sysdma__crc32(crc, w->p + SYSDMA__STATE_HEAD, w->len - SYSDMA__STATE_HEAD);
    put_le(w->p + 12, crc, 4);
    return w->len;
}

/* ---- Reading ----------------------------------------------------------------- */

sysdma_status sysdma__state_open(sysdma__state_rd *r, const void *buf, size_t len,
                                 uint16_t model, uint16_t version, size_t payload)
{
    const uint8_t *p = buf;
    memset(r, 0, sizeof *r);
    if (!buf)
        return SYSDMA_E_INVALID_ARGUMENT;
    if (len < SYSDMA__STATE_HEAD || memcmp(p, magic, 4) != 0)
        return SYSDMA_E_STATE_CORRUPT;
    if (get_le(p + 4, 2) != model)
        return SYSDMA_E_INVALID_ARGUMENT;
    if (get_le(p + 6, 2) != version)
        return SYSDMA_E_UNKNOWN_VERSION;
    uint64_t n = get_le(p + 8, 4);
    if (n != payload || len - SYSDMA__STATE_HEAD != n)
        return SYSDMA_E_STATE_CORRUPT;
    uint32_t crc = sysdma__crc32(0, p, 12);
    crc = sysdma__crc32(crc, p + SYSDMA__STATE_HEAD, (size_t)n);
    if (crc != (uint32_t)get_le(p + 12, 4))
        return SYSDMA_E_STATE_CORRUPT;
    r->p = p + SYSDMA__STATE_HEAD;
    r->len = (size_t)n;
    return SYSDMA_OK;
}

static uint64_t get(sysdma__state_rd *r, unsigned n)
{
    if (r->len - r->pos < n) {
        r->bad = true;
        r->pos = r->len;
        return 0;
    }
    uint64_t v = get_le(r->p + r->pos, n);
    r->pos += n;
    return v;
}

uint8_t sysdma__state_get8(sysdma__state_rd *r) { return (uint8_t)get(r, 1); }
uint16_t sysdma__state_get16(sysdma__state_rd *r) { return (uint16_t)get(r, 2); }
uint32_t sysdma__state_get32(sysdma__state_rd *r) { return (uint32_t)get(r, 4); }
uint64_t sysdma__state_get64(sysdma__state_rd *r) { return get(r, 8); }

void sysdma__state_getn(sysdma__state_rd *r, uint8_t *v, size_t n)
{
    if (r->len - r->pos < n) {
        r->bad = true;
        r->pos = r->len;
        memset(v, 0, n);
        return;
    }
    memcpy(v, r->p + r->pos, n);
    r->pos += n;
}

bool sysdma__state_getb(sysdma__state_rd *r)
{
    uint8_t v = sysdma__state_get8(r);
    if (v > 1)
        r->bad = true;
    return v != 0;
}

bool sysdma__state_done(const sysdma__state_rd *r)
{
    return !r->bad && r->pos == r->len;
}
