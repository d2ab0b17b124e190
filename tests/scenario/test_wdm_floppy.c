/* SPDX-License-Identifier: MIT */
/*
 * The WDK-style floppy driver (examples/wdm/floppy.c) on the simulated PC:
 * its ports through READ/WRITE_PORT_UCHAR onto the emulated floppy
 * controller, its DMA through IoGetDmaAdapter's adapter on channel 2.
 * Whole-disk reads into buffers below and above 16 MiB and scattered must
 * match the image byte for byte; writes must change the image exactly
 * where written; a write-protected disk and requests beyond the disk get
 * their statuses and change nothing. The verifier is on throughout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/rig.h"
#include "sysdma/emu_fdc.h"
#include "wdm_examples.h"

#define DISK 1474560u
#define SECTORS 2880u

typedef struct bench {
    rig r;
    sysdma_emu_fdc fdc;
    uint8_t *image;
    unsigned edges, seen;
    bool level;
    DEVICE_OBJECT pdo;
    FLOPPY_EXTENSION ext;
} bench;

static void fdc_irq(void *ctx, bool level)
{
    bench *b = ctx;
    if (level && !b->level)
        b->edges++;
    b->level = level;
    sysdma_sim_irq_set(b->r.sim, 6, level);
}

static uint8_t port_in(void *ctx, uint16_t port)
{
    return sysdma_emu_fdc_inb(&((bench *)ctx)->fdc, port);
}

static void port_out(void *ctx, uint16_t port, uint8_t v)
{
    sysdma_emu_fdc_outb(&((bench *)ctx)->fdc, port, v);
}

static void clock(void *ctx, uint64_t ns)
{
    sysdma_emu_fdc_advance(&((bench *)ctx)->fdc, ns);
}

static bool irq_seen(void *ctx)
{
    bench *b = ctx;
    return b->edges != b->seen;
}

static BOOLEAN env_wait(PVOID ctx, ULONG timeout_us)
{
    bench *b = ctx;
    bool ok = sysdma_sim_run_until(b->r.sim, irq_seen, b, (uint64_t)timeout_us * 1000);
    b->seen = b->edges;
    return ok;
}

static VOID env_stall(PVOID ctx, ULONG us)
{
    sysdma_sim_run(((bench *)ctx)->r.sim, (uint64_t)us * 1000);
}

static uint8_t disk_byte(size_t k)
{
    return (uint8_t)((k / 512) * 5 + (k % 512) * 7 + 3);
}

static bench *make(bool write_protected)
{
    bench *b = calloc(1, sizeof *b);
    assert_non_null(b);
    sysdma_config cfg = {.map_registers_initial = 32, .map_registers_cap = 64};
    assert_int_equal(rig_init(&b->r, 64u << 20, 4096, &cfg), SYSDMA_OK);
    rig_verify(&b->r);
    b->image = malloc(DISK);
    for (size_t k = 0; k < DISK; k++)
        b->image[k] = disk_byte(k);
    /* The rig put a test device on channel 2; the floppy takes it over. */
    assert_true(sysdma_emu_fdc_init(&b->fdc, sysdma_sim_dma(b->r.sim), 2, fdc_irq, b));
    assert_true(sysdma_emu_fdc_insert(&b->fdc, 0, b->image, DISK, write_protected));
    assert_int_equal(sysdma_sim_add_ports(b->r.sim, 0x3F0, 0x3F5, port_in, port_out, b), SYSDMA_OK);
    assert_int_equal(sysdma_sim_add_ports(b->r.sim, 0x3F7, 0x3F7, port_in, port_out, b), SYSDMA_OK);
    assert_true(sysdma_sim_add_clock(b->r.sim, clock, b));
    b->pdo.SysdmaSystem = b->r.sys;
    SysdmaWdmSetSystem(b->r.sys); /* the ports READ/WRITE_PORT_UCHAR reach */
    FLOPPY_ENV env = {env_wait, env_stall, b};
    assert_int_equal(FloppyOpen(&b->pdo, &env, 0, DISK, &b->ext), STATUS_SUCCESS);
    return b;
}

static void unmake(bench *b)
{
    FloppyClose(&b->ext);
    rig_destroy(&b->r);
    free(b->image);
    free(b);
}

static void test_read_whole_disk(void **state)
{
    (void)state;
    bench *b = make(false);
    static const sysdma_sim_placement hows[] = {SYSDMA_SIM_LOW, SYSDMA_SIM_HIGH,
                                                SYSDMA_SIM_SCATTERED, SYSDMA_SIM_STRADDLE_64K};
    for (int h = 0; h < 4; h++) {
        uint8_t *buf = sysdma_sim_buffer_alloc(b->r.sim, DISK, 0, hows[h]);
        assert_non_null(buf);
        assert_int_equal(FloppyTransfer(&b->ext, 0, SECTORS, buf, FALSE), STATUS_SUCCESS);
        if (memcmp(buf, b->image, DISK) != 0) {
            size_t k = 0;
            while (buf[k] == b->image[k])
                k++;
            fail_msg("placement %d: byte %zu (sector %zu) differs", (int)hows[h], k, k / 512);
        }
        sysdma_sim_buffer_free(b->r.sim, buf);
    }
    /* 80 cylinders, each in at least one piece. */
    assert_true(b->ext.Pieces >= 4 * 80);
    sysdma_stats st;
    sysdma_stats_get(b->r.sys, NULL, &st);
    assert_true(st.bounced_transfers > 0);
    unmake(b);
}

static void test_write_sectors(void **state)
{
    (void)state;
    bench *b = make(false);
    uint8_t *want = malloc(DISK);
    memcpy(want, b->image, DISK);
    uint64_t rng = 7;
    for (int k = 0; k < 12; k++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        ULONG lba = (ULONG)(rng >> 33) % SECTORS;
        ULONG count = 1 + (ULONG)(rng >> 20) % 40;
        if (count > SECTORS - lba)
            count = SECTORS - lba;
        uint8_t *buf = sysdma_sim_buffer_alloc(b->r.sim, count * 512, (size_t)(k * 40) % 4096,
                                               k % 2 ? SYSDMA_SIM_SCATTERED : SYSDMA_SIM_HIGH);
        assert_non_null(buf);
        for (ULONG j = 0; j < count * 512; j++)
            buf[j] = (uint8_t)(j * 3 + (unsigned)k * 17);
        assert_int_equal(FloppyTransfer(&b->ext, lba, count, buf, TRUE), STATUS_SUCCESS);
        memcpy(want + (size_t)lba * 512, buf, count * 512);
        assert_memory_equal(b->image, want, DISK);
        /* And read back through the driver. */
        RtlZeroMemory(buf, count * 512);
        assert_int_equal(FloppyTransfer(&b->ext, lba, count, buf, FALSE), STATUS_SUCCESS);
        assert_memory_equal(buf, want + (size_t)lba * 512, count * 512);
        sysdma_sim_buffer_free(b->r.sim, buf);
    }
    free(want);
    unmake(b);
}

static void test_refusals(void **state)
{
    (void)state;
    bench *b = make(true);
    uint8_t *before = malloc(DISK);
    memcpy(before, b->image, DISK);
    uint8_t *buf = sysdma_sim_buffer_alloc(b->r.sim, 4 * 512, 0, SYSDMA_SIM_LOW);
    RtlFillMemory(buf, 4 * 512, 0xEE);
    assert_int_equal(FloppyTransfer(&b->ext, 10, 4, buf, TRUE), STATUS_MEDIA_WRITE_PROTECTED);
    assert_int_equal(FloppyTransfer(&b->ext, SECTORS - 1, 2, buf, FALSE), STATUS_INVALID_PARAMETER);
    assert_int_equal(FloppyTransfer(&b->ext, SECTORS, 1, buf, FALSE), STATUS_INVALID_PARAMETER);
    assert_int_equal(FloppyTransfer(&b->ext, 0, 0, buf, FALSE), STATUS_INVALID_PARAMETER);
    assert_memory_equal(b->image, before, DISK);
    /* Reads still work on a protected disk. */
    assert_int_equal(FloppyTransfer(&b->ext, 10, 4, buf, FALSE), STATUS_SUCCESS);
    assert_memory_equal(buf, b->image + 10 * 512, 4 * 512);
    sysdma_sim_buffer_free(b->r.sim, buf);
    free(before);
    unmake(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_whole_disk),
        cmocka_unit_test(test_write_sectors),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
