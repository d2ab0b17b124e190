/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the emulated 8237A pair's files: the service loop and
 * port decoding (i8237.c), memory-to-memory (i8237_m2m.c) and the hardware
 * lint (i8237_lint.c). Not part of libsysdma-emu's public surface.
 *
 * The lint hooks are called by i8237.c only while e->lint.fn is set, each
 * behind one branch, so a lint that is off costs no more than that branch.
 * They run before the access they report on takes effect (the lint sees the
 * registers as the guest found them), except lint_tc, which runs once the
 * channel has reloaded or masked itself.
 */
#ifndef SYSDMA_EMU_I8237_INTERNAL_H
#define SYSDMA_EMU_I8237_INTERNAL_H

#include "sysdma/emu.h"

static inline void sysdma__i8237_emit(sysdma_emu_i8237 *e, sysdma_emu_i8237_event ev,
                                      unsigned ch, uint32_t value)
{
    if (e->event)
        e->event(e->event_ctx, ev, ch, value);
}

/* Map a port to (controller, register): DMA1 0x00-0x0F, DMA2 0xC0-0xDF
 * (register n at 0xC0 + 2n, odd ports aliasing); false for other ports. */
static inline bool sysdma__i8237_decode(uint16_t port, unsigned *c, unsigned *reg)
{
    if (port <= 0x0F) {
        *c = 0;
        *reg = port;
        return true;
    }
    if (port >= 0xC0 && port <= 0xDF) {
        *c = 1;
        *reg = (unsigned)(port - 0xC0) >> 1;
        return true;
    }
    return false;
}

/* Physical address of `addr` on channel (c, i) through its page register. */
uint64_t sysdma__i8237_phys_of(const sysdma_emu_i8237 *e, unsigned c, unsigned i,
                               uint16_t addr);

/* End of process on channel (c, i): `why` 1 terminal count, 2 external EOP. */
void sysdma__i8237_end_of_process(sysdma_emu_i8237 *e, unsigned c, unsigned i, uint32_t why);

/* Memory-to-memory on controller c for at most `budget` units. */
size_t sysdma__i8237_mem_to_mem(sysdma_emu_i8237 *e, unsigned c, size_t budget);

/* ---- lint hooks (i8237_lint.c) ---- */
void sysdma__i8237_lint_reset(sysdma_emu_i8237 *e);
void sysdma__i8237_lint_in(sysdma_emu_i8237 *e, uint16_t port);
void sysdma__i8237_lint_out(sysdma_emu_i8237 *e, uint16_t port, uint8_t v);
void sysdma__i8237_lint_program(sysdma_emu_i8237 *e, unsigned channel, uint32_t phys,
                                uint32_t bytes);
void sysdma__i8237_lint_tc(sysdma_emu_i8237 *e, unsigned channel, uint32_t why);
void sysdma__i8237_lint_run(sysdma_emu_i8237 *e, size_t budget);

#endif
