/* SPDX-License-Identifier: MIT */
/*
 * Memory-to-memory transfers of the emulated 8237A (command register bit
 * 0): channel 0 reads a unit into the temporary register, channel 1 writes
 * it out. No device takes part; the service loop in i8237.c calls this in
 * place of a device service when channel 0 of a controller in this mode
 * wins arbitration. (No PC/AT-compatible machine wires this up; the model
 * keeps it because the 8237A defines it, and the lint reports its use.)
 */
#include "sysdma/emu.h"
#include "i8237_internal.h"

/* Memory-to-memory on controller c: channel 0 reads into the temporary
 * register, channel 1 writes it out; channel 1's count ends the transfer.
 * Copies unit by unit so that overlapping ranges and the channel 0 address
 * hold behave as the hardware's sequential bus cycles do. */
size_t sysdma__i8237_mem_to_mem(sysdma_emu_i8237 *e, unsigned c, size_t budget)
{
    sysdma_emu_i8237_ctrl *k = &e->s.ctrl[c];
    sysdma_emu_i8237_chan *src = &k->ch[0], *dst = &k->ch[1];
    unsigned width = c ? 2u : 1u;
    bool hold = (k->command & SYSDMA_EMU_CMD_CH0_HOLD) != 0;
    size_t done = 0;
    uint8_t unit[2];
    while (done < budget) {
        sysdma_emu_physmem_read(e->mem, sysdma__i8237_phys_of(e, c, 0, src->cur_addr), unit, width);
        k->temp = unit[0];
        sysdma_emu_physmem_write(e->mem, sysdma__i8237_phys_of(e, c, 1, dst->cur_addr), unit, width);
        if (!hold)
            src->cur_addr = (src->mode & SYSDMA_EMU_MODE_DECREMENT)
                                ? (uint16_t)(src->cur_addr - 1)
                                : (uint16_t)(src->cur_addr + 1);
        dst->cur_addr = (dst->mode & SYSDMA_EMU_MODE_DECREMENT)
                            ? (uint16_t)(dst->cur_addr - 1)
                            : (uint16_t)(dst->cur_addr + 1);
        src->cur_count--;
        done++;
        if (dst->cur_count-- == 0) {
            k->request &= (uint8_t)~1u;
            k->active &= (uint8_t)~1u;
            if (src->mode & SYSDMA_EMU_MODE_AUTOINIT) {
                src->cur_addr = src->base_addr;
                src->cur_count = src->base_count;
            }
            sysdma__i8237_end_of_process(e, c, 1, 1);
            break;
        }
    }
    e->stats.units[4 * c] += done;
    e->stats.units[4 * c + 1] += done;
    sysdma__i8237_emit(e, SYSDMA_EMU_EV_DACK, 4 * c, (uint32_t)done);
    return done;
}
