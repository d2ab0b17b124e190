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

#include "support/fdc_drive.h"
#include "support/rig.h"
#include "sysdma/emu_fdc.h"
#include "wdm_examples.h"

#define DISK 1474560u
#define SECTORS 2880u

typedef struct bench {
    fdc_drive drive; /* first: the controller's callbacks take the bench */
    DEVICE_OBJECT pdo;
    FLOPPY_EXTENSION ext;
} bench;






static BOOLEAN env_wait(PVOID ctx, ULONG timeout_us)
{
    return drive_wait(ctx, timeout_us);
}

static VOID env_stall(PVOID ctx, ULONG us)
{
    drive_delay(ctx, us);
}

static uint8_t disk_byte(size_t k)
{
    return (uint8_t)((k / 512) * 5 + (k % 512) * 7 + 3);
}

static bench *make(bool write_protected)
{
    bench *b = calloc(1, sizeof *b);
    assert_non_null(b);
    assert_true(fdc_drive_make(&b->drive, 64, disk_byte, true, write_protected));
    b->pdo.SysdmaSystem = b->drive.r.sys;
    SysdmaWdmSetSystem(b->drive.r.sys); /* the ports READ/WRITE_PORT_UCHAR reach */
    FLOPPY_ENV env = {env_wait, env_stall, b};
    assert_int_equal(FloppyOpen(&b->pdo, &env, 0, DISK, &b->ext), STATUS_SUCCESS);
    return b;
}

static void unmake(bench *b)
{
    FloppyClose(&b->ext);
    fdc_drive_unmake(&b->drive);
    free(b);
}

static void test_read_whole_disk(void **state)
{
    (void)state;
    bench *b = make(false);
    static const sysdma_sim_placement hows[] = {SYSDMA_SIM_LOW, SYSDMA_SIM_HIGH,
                                                SYSDMA_SIM_SCATTERED, SYSDMA_SIM_STRADDLE_64K};
    for (int h = 0; h < 4; h++) {
        uint8_t *buf = sysdma_sim_buffer_alloc(b->drive.r.sim, DISK, 0, hows[h]);
        assert_non_null(buf);
        assert_int_equal(FloppyTransfer(&b->ext, 0, SECTORS, buf, FALSE), STATUS_SUCCESS);
        if (memcmp(buf, b->drive.image, DISK) != 0) {
            size_t k = 0;
            while (buf[k] == b->drive.image[k])
                k++;
            fail_msg("placement %d: byte %zu (sector %zu) differs", (int)hows[h], k, k / 512);
        }
        sysdma_sim_buffer_free(b->drive.r.sim, buf);
    }
    /* 80 cylinders, each in at least one piece. */
    assert_true(b->ext.Pieces >= 4 * 80);
    sysdma_stats st;
    sysdma_stats_get(b->drive.r.sys, NULL, &st);
    assert_true(st.bounced_transfers > 0);
    unmake(b);
}

static void test_write_sectors(void **state)
{
    (void)state;
    bench *b = make(false);
    uint8_t *want = malloc(DISK);
    memcpy(want, b->drive.image, DISK);
    uint64_t rng = 7;
    for (int k = 0; k < 12; k++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        ULONG lba = (ULONG)(rng >> 33) % SECTORS;
        ULONG count = 1 + (ULONG)(rng >> 20) % 40;
        if (count > SECTORS - lba)
            count = SECTORS - lba;
        uint8_t *buf = sysdma_sim_buffer_alloc(b->drive.r.sim, count * 512, (size_t)(k * 40) % 4096,
                                               k % 2 ? SYSDMA_SIM_SCATTERED : SYSDMA_SIM_HIGH);
        assert_non_null(buf);
        for (ULONG j = 0; j < count * 512; j++)
            buf[j] = (uint8_t)(j * 3 + (unsigned)k * 17);
        assert_int_equal(FloppyTransfer(&b->ext, lba, count, buf, TRUE), STATUS_SUCCESS);
        memcpy(want + (size_t)lba * 512, buf, count * 512);
        assert_memory_equal(b->drive.image, want, DISK);
        /* And read back through the driver. */
        RtlZeroMemory(buf, count * 512);
        assert_int_equal(FloppyTransfer(&b->ext, lba, count, buf, FALSE), STATUS_SUCCESS);
        assert_memory_equal(buf, want + (size_t)lba * 512, count * 512);
        sysdma_sim_buffer_free(b->drive.r.sim, buf);
    }
    free(want);
    unmake(b);
}

static void test_refusals(void **state)
{
    (void)state;
    bench *b = make(true);
    uint8_t *before = malloc(DISK);
    memcpy(before, b->drive.image, DISK);
    uint8_t *buf = sysdma_sim_buffer_alloc(b->drive.r.sim, 4 * 512, 0, SYSDMA_SIM_LOW);
    RtlFillMemory(buf, 4 * 512, 0xEE);
    assert_int_equal(FloppyTransfer(&b->ext, 10, 4, buf, TRUE), STATUS_MEDIA_WRITE_PROTECTED);
    assert_int_equal(FloppyTransfer(&b->ext, SECTORS - 1, 2, buf, FALSE), STATUS_INVALID_PARAMETER);
    assert_int_equal(FloppyTransfer(&b->ext, SECTORS, 1, buf, FALSE), STATUS_INVALID_PARAMETER);
    assert_int_equal(FloppyTransfer(&b->ext, 0, 0, buf, FALSE), STATUS_INVALID_PARAMETER);
    assert_memory_equal(b->drive.image, before, DISK);
    /* Reads still work on a protected disk. */
    assert_int_equal(FloppyTransfer(&b->ext, 10, 4, buf, FALSE), STATUS_SUCCESS);
    assert_memory_equal(buf, b->drive.image + 10 * 512, 4 * 512);
    sysdma_sim_buffer_free(b->drive.r.sim, buf);
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
