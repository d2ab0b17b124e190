/* SPDX-License-Identifier: MIT */
/*
 * sysdma emu-probe-pl080: the PL080 register probe (tests/conformance) on
 * sysdma's emulated PL080, printing the lines the ARM port's probe-pl080
 * scenario prints for QEMU's. The probe's 4 KiB of RAM sit at the bus
 * address the kernel gives it, so the addresses read back are the same.
 */
#include <stdio.h>

#include "sysdma/emu_pl080.h"
#include "pl080_probe.h"
#include "tool.h"

#define PROBE_BUS 0x00300000u /* ports/arm-versatilepb: BM_PROBE_PAGE */

static sysdma_emu_pl080 probe_dmac;

static uint32_t probe_rd(uint32_t offset)
{
    return sysdma_emu_pl080_read(&probe_dmac, offset);
}

static void probe_wr(uint32_t offset, uint32_t v)
{
    sysdma_emu_pl080_write(&probe_dmac, offset, v);
}

/* Run every started channel until nothing more can move (the probe's
 * transfers are all memory to memory, a few hundred bytes). */
static void probe_settle(void)
{
    for (int k = 0; k < 64 && sysdma_emu_pl080_pending(&probe_dmac); k++)
        sysdma_emu_pl080_run(&probe_dmac, 1u << 16);
}

static void probe_print(const char *line)
{
    fputs(line, stdout);
}

int cmd_emu_probe_pl080(int argc, char **argv)
{
    const cli_spec spec = {
        "emu-probe-pl080", NULL, 0, 0, NULL,
        "Runs the register-level PL080 probe (tests/conformance) against the\n"
        "emulated PL080 and prints one line per value read. The ARM port's kernel\n"
        "prints the same lines for QEMU's PL080 (tests/qemu/probe-pl080.sh).",
        NULL, 0};
    int rc = cli_parse(&spec, argc, argv);
    if (rc >= 0)
        return rc;
    static uint8_t ram[4096];
    static sysdma_emu_physmem mem;
    sysdma_emu_physmem_init(&mem, ram, sizeof ram);
    sysdma_emu_pl080_init(&probe_dmac, &mem, PROBE_BUS);
    sysdma_pl080_probe_io io = {probe_rd, probe_wr, probe_settle, probe_print, ram, PROBE_BUS};
    sysdma_pl080_probe(&io);
    puts("done");
    return 0;
}
