/* SPDX-License-Identifier: MIT */
/*
 * Save states inside sysdma-emu: the private header of the byte format
 * every model's save/load shares (state.c), used by i8237_state.c,
 * fdc_state.c, sb16_state.c and testdev_state.c.
 *
 * A state is a 16-byte head and a payload, every field little-endian
 * whatever the host is:
 *
 *   0  magic    "SDST"
 *   4  model    u16  SYSDMA_EMU_SAVE_MODEL_*
 *   6  version  u16  the model's format version
 *   8  length   u32  payload bytes that follow the head
 *  12  crc      u32  CRC-32 (IEEE 802.3) of bytes 0-11 and the payload
 *  16  payload  the model's fields, in the order its save function writes
 *
 * A writer never runs past its buffer: the model checks the capacity
 * before it starts. A reader never runs past its input: a read beyond the
 * end yields zeros and sets `bad`, which the loader checks once at the end
 * (the head has already fixed the length, so that is a bug guard).
 */
#ifndef SYSDMA_EMU_STATE_H
#define SYSDMA_EMU_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/emu.h"

#define SYSDMA__STATE_HEAD 16u

typedef struct sysdma__state_wr {
    uint8_t *p;   /* the caller's buffer (capacity checked beforehand) */
    size_t cap;
    size_t len;   /* bytes written so far, head included */
} sysdma__state_wr;

typedef struct sysdma__state_rd {
    const uint8_t *p; /* the payload */
    size_t len;       /* payload bytes */
    size_t pos;
    bool bad;         /* a read ran past the payload */
} sysdma__state_rd;

/* Start a state of `model`/`version` in buf (cap >= SYSDMA__STATE_HEAD). */
void sysdma__state_begin(sysdma__state_wr *w, void *buf, size_t cap);
void sysdma__state_u8(sysdma__state_wr *w, uint8_t v);
void sysdma__state_u16(sysdma__state_wr *w, uint16_t v);
void sysdma__state_u32(sysdma__state_wr *w, uint32_t v);
void sysdma__state_u64(sysdma__state_wr *w, uint64_t v);
void sysdma__state_bytes(sysdma__state_wr *w, const uint8_t *v, size_t n);
/* Fill in the head (model, version, length, CRC); returns the total size. */
size_t sysdma__state_end(sysdma__state_wr *w, uint16_t model, uint16_t version);

/*
 * Check the head of `len` bytes at buf: magic, model, version, that the
 * length is exactly `payload` bytes and that the CRC matches. On success
 * *r reads the payload. Statuses: SYSDMA_E_INVALID_ARGUMENT (NULL buf, or
 * another model's state), SYSDMA_E_STATE_CORRUPT (short, bad magic, wrong
 * length, bad CRC), SYSDMA_E_UNKNOWN_VERSION (another format version).
 */
sysdma_status sysdma__state_open(sysdma__state_rd *r, const void *buf, size_t len,
                                 uint16_t model, uint16_t version, size_t payload);
uint8_t sysdma__state_get8(sysdma__state_rd *r);
uint16_t sysdma__state_get16(sysdma__state_rd *r);
uint32_t sysdma__state_get32(sysdma__state_rd *r);
uint64_t sysdma__state_get64(sysdma__state_rd *r);
void sysdma__state_getn(sysdma__state_rd *r, uint8_t *v, size_t n);
/* A saved bool: 0 or 1; anything else marks the state bad. */
bool sysdma__state_getb(sysdma__state_rd *r);
/* True when every read stayed inside the payload, used all of it, and no
 * bool held another value. */
bool sysdma__state_done(const sysdma__state_rd *r);

uint32_t sysdma__crc32(uint32_t crc, const uint8_t *p, size_t n);

#endif /* SYSDMA_EMU_STATE_H */
