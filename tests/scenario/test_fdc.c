/* SPDX-License-Identifier: MIT */
/*
 * The example floppy driver (examples/drivers/fdc.c) on the simulated PC:
 * sysdma core → 8237 driver → emulated 8237A pair → emulated floppy
 * controller with a 1.44 MiB image. Whole-disk reads into buffers below and
 * above 16 MiB, scattered and straddling 64 KiB must match the image byte
 * for byte; writes must change the image exactly where written; errors get
 * clear statuses and write nothing; a channel held by another driver past
 * the driver's wait leaves nothing behind that blocks the next request.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../examples/drivers/fdc.h"
#include "sysdma/emu_fdc.h"
#include "support/fdc_drive.h"
#include "support/rig.h"

#define DISK 1474560u
#define SECTORS 2880u

typedef struct bench {
    fdc_drive drive; /* first: the controller's callbacks take the bench */
    fdc_driver drv;
    /* another driver holding channel 2 (test_channel_held_*) */
    sysdma_adapter *holder;
    bool holder_has_channel;
    unsigned delays, free_holder_at; /* env_delay calls; free the holder's channel at this one */
} bench;









static void env_delay(void *ctx, uint32_t us)
{
    bench *b = ctx;
    if (++b->delays == b->free_holder_at) { /* the other driver is done, mid-wait */
        assert_int_equal(sysdma_channel_free(b->holder), SYSDMA_OK);
        b->holder_has_channel = false;
    }
    sysdma_sim_run(b->drive.r.sim, (uint64_t)us * 1000);
}

static uint8_t disk_byte(size_t k)
{
    return (uint8_t)((k / 512) * 7 + (k % 512) * 3 + 1);
}

static bench *make(bool write_protected, bool disk)
{
    bench *b = calloc(1, sizeof *b);
    assert_non_null(b);
    assert_true(fdc_drive_make(&b->drive, 64, disk_byte, disk, write_protected));
    fdc_env env = {drive_env_in, drive_env_out, drive_wait, env_delay, b};
    assert_int_equal(fdc_open(&b->drv, b->drive.r.sys, &env, 0, DISK), SYSDMA_OK);
    return b;
}

static void unmake(bench *b)
{
    fdc_close(&b->drv);
    fdc_drive_unmake(&b->drive);
    free(b);
}

static void test_read_whole_disk_every_placement(void **state)
{
    (void)state;
    bench *b = make(false, true);
    for (int how = SYSDMA_SIM_LOW; how <= SYSDMA_SIM_STRADDLE_64K; how++) {
        if (how == SYSDMA_SIM_SCATTERED_LOW)
            continue;
        uint8_t *buf = sysdma_sim_buffer_alloc(b->drive.r.sim, DISK, 0, (sysdma_sim_placement)how);
        assert_non_null(buf);
        assert_int_equal(fdc_read(&b->drv, 0, SECTORS, buf), SYSDMA_OK);
        if (memcmp(buf, b->drive.image, DISK) != 0) {
            size_t k = 0;
            while (buf[k] == b->drive.image[k])
                k++;
            fail_msg("placement %d: byte %zu (sector %zu) differs", how, k, k / 512);
        }
        sysdma_sim_buffer_free(b->drive.r.sim, buf);
    }
    sysdma_stats st;
    sysdma_stats_get(b->drive.r.sys, NULL, &st);
    assert_true(st.bounced_transfers > 0);
    assert_true(st.transfers > st.bounced_transfers);
    unmake(b);
}

static void test_write_runs_land_exactly(void **state)
{
    (void)state;
    bench *b = make(false, true);
    uint8_t *want = malloc(DISK);
    memcpy(want, b->drive.image, DISK);
    uint64_t rng = 99;
    for (int k = 0; k < 25; k++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t lba = (uint32_t)(rng >> 33) % SECTORS;
        uint32_t n = 1 + (uint32_t)(rng >> 20) % 60;
        if (n > SECTORS - lba)
            n = SECTORS - lba;
        uint8_t *buf = sysdma_sim_buffer_alloc(b->drive.r.sim, n * 512, (size_t)(k % 3) * 100,
                                               (sysdma_sim_placement)(k % 5));
        for (uint32_t i = 0; i < n * 512; i++)
            buf[i] = (uint8_t)(i * 11 + (uint32_t)k);
        memcpy(want + (size_t)lba * 512, buf, n * 512);
        assert_int_equal(fdc_write(&b->drv, lba, n, buf), SYSDMA_OK);
        /* Read it back into another buffer. */
        uint8_t *back = sysdma_sim_buffer_alloc(b->drive.r.sim, n * 512, 0, SYSDMA_SIM_SCATTERED);
        assert_int_equal(fdc_read(&b->drv, lba, n, back), SYSDMA_OK);
        assert_memory_equal(back, buf, n * 512);
        sysdma_sim_buffer_free(b->drive.r.sim, back);
        sysdma_sim_buffer_free(b->drive.r.sim, buf);
    }
    assert_memory_equal(b->drive.image, want, DISK); /* changed exactly where written */
    free(want);
    unmake(b);
}

/* The image is a file mapped MAP_SHARED, as the simulated PC uses one:
 * what the driver writes by DMA is in the file, at exactly those bytes. */
static void test_file_backed_image(void **state)
{
    (void)state;
    bench *b = make(false, true);
    char path[] = "/tmp/sysdma-fdc-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(ftruncate(fd, DISK), 0);
    uint8_t *img = mmap(NULL, DISK, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_true(img != MAP_FAILED);
    for (size_t k = 0; k < DISK; k++)
        img[k] = disk_byte(k);
    sysdma_emu_fdc_eject(&b->drive.fdc, 0);
    assert_true(sysdma_emu_fdc_insert(&b->drive.fdc, 0, img, DISK, false));
    uint8_t *buf = sysdma_sim_buffer_alloc(b->drive.r.sim, 7 * 512, 0, SYSDMA_SIM_HIGH);
    for (size_t k = 0; k < 7 * 512; k++)
        buf[k] = (uint8_t)(k ^ 0x77);
    assert_int_equal(fdc_write(&b->drv, 1000, 7, buf), SYSDMA_OK);
    uint8_t *file = malloc(DISK);
    assert_int_equal(pread(fd, file, DISK, 0), (ssize_t)DISK);
    for (size_t k = 0; k < DISK; k++) {
        uint8_t want = k >= 1000 * 512 && k < 1007 * 512 ? (uint8_t)((k - 1000 * 512) ^ 0x77)
                                                         : disk_byte(k);
        if (file[k] != want)
            fail_msg("file byte %zu is 0x%02x, want 0x%02x", k, file[k], want);
    }
    free(file);
    sysdma_emu_fdc_eject(&b->drive.fdc, 0);
    munmap(img, DISK);
    close(fd);
    sysdma_sim_buffer_free(b->drive.r.sim, buf);
    unmake(b);
}

static void test_errors(void **state)
{
    (void)state;
    bench *b = make(true, true);
    uint8_t *buf = sysdma_sim_buffer_alloc(b->drive.r.sim, 4 * 512, 0, SYSDMA_SIM_HIGH);
    memset(buf, 0xAA, 4 * 512);
    uint8_t *before = malloc(DISK);
    memcpy(before, b->drive.image, DISK);
    assert_int_equal(fdc_read(&b->drv, SECTORS, 1, buf), SYSDMA_E_OUT_OF_RANGE);
    assert_int_equal(fdc_read(&b->drv, SECTORS - 1, 2, buf), SYSDMA_E_OUT_OF_RANGE);
    assert_int_equal(fdc_read(&b->drv, 0, 0, buf), SYSDMA_E_LENGTH);
    assert_int_equal(fdc_write(&b->drv, 100, 4, buf), SYSDMA_E_DEVICE);
    assert_true(b->drv.st[1] & 0x02); /* NW: not writable */
    assert_memory_equal(b->drive.image, before, DISK);
    /* The channel was freed after the error: the next request works. */
    assert_int_equal(fdc_read(&b->drv, 100, 4, buf), SYSDMA_OK);
    assert_memory_equal(buf, b->drive.image + 100 * 512, 4 * 512);
    free(before);
    sysdma_sim_buffer_free(b->drive.r.sim, buf);
    unmake(b);

    b = make(false, false); /* no disk */
    buf = sysdma_sim_buffer_alloc(b->drive.r.sim, 512, 0, SYSDMA_SIM_LOW);
    sysdma_status st = fdc_read(&b->drv, 0, 1, buf);
    assert_true(st == SYSDMA_E_DEVICE || st == SYSDMA_E_TIMEOUT);
    sysdma_sim_buffer_free(b->drive.r.sim, buf);
    unmake(b);
}

static sysdma_allocation_action holder_granted(void *device, sysdma_map_registers *regs,
                                               void *context)
{
    (void)regs;
    (void)context;
    ((bench *)device)->holder_has_channel = true;
    return SYSDMA_KEEP_OBJECT;
}

/* Another driver gets channel 2's adapter (the same adapter as the floppy's:
 * one per channel) with a description of `version` — the latest
 * description's version is the adapter's — and takes the channel. */
static void holder_take(bench *b, uint32_t version)
{
    sysdma_device_description d = {0};
    d.version = version;
    d.channel = 2;
    d.width = SYSDMA_WIDTH_8;
    d.interface_type = SYSDMA_INTERFACE_ISA;
    d.maximum_length = 18 * 1024; /* the floppy's, so its map registers still fit */
    uint32_t n;
    assert_int_equal(sysdma_adapter_get(b->drive.r.sys, &d, &b->holder, &n), SYSDMA_OK);
    /* Its own reference to the same adapter. */
    assert_ptr_not_equal(b->holder, b->drv.adapter);
    assert_int_equal(sysdma_adapter_channel(b->holder), sysdma_adapter_channel(b->drv.adapter));
    assert_int_equal(sysdma_channel_allocate(b->holder, b, 0, holder_granted, NULL), SYSDMA_OK);
    assert_true(b->holder_has_channel);
}

static uint32_t waiting(bench *b)
{
    sysdma_adapter_state s;
    sysdma_adapter_state_get(b->drv.adapter, &s);
    return s.waiting;
}

static bool channel_held(bench *b)
{
    sysdma_adapter_state s;
    sysdma_adapter_state_get(b->drv.adapter, &s);
    return s.channel_held;
}

/*
 * Another driver keeps channel 2 past the floppy driver's wait: the read
 * gives up with SYSDMA_E_BUSY and reads nothing. Once the other driver frees
 * the channel, the floppy's next read must work: a request left queued
 * behind would have been granted to nobody and kept the channel forever.
 * `version` 3: the driver withdraws its request (nothing stays queued);
 * version 1 (no CancelAdapterChannel): the abandoned request stays queued
 * until granted, and its AdapterControl then releases the channel at once.
 * The rig's verifier must report nothing (one request per device).
 */
static void channel_held_past_timeout(uint32_t version)
{
    bench *b = make(false, true);
    uint8_t *buf = sysdma_sim_buffer_alloc(b->drive.r.sim, 4 * 512, 0, SYSDMA_SIM_HIGH);
    memset(buf, 0xAA, 4 * 512);
    holder_take(b, version);
    assert_int_equal(fdc_read(&b->drv, 100, 4, buf), SYSDMA_E_BUSY);
    for (size_t k = 0; k < 4 * 512; k++)
        assert_int_equal(buf[k], 0xAA);
    assert_int_equal(waiting(b), version == 3 ? 0 : 1);
    if (version < 3) {
        /* A second give-up while the first request still waits: the
         * driver waits on that one again (one request per device; the
         * verifier would report a second). */
        assert_int_equal(fdc_read(&b->drv, 100, 4, buf), SYSDMA_E_BUSY);
        assert_int_equal(waiting(b), 1);
        assert_int_equal(b->drv.abandoned, 2);
    }
    assert_int_equal(sysdma_channel_free(b->holder), SYSDMA_OK);
    b->holder_has_channel = false;
    assert_int_equal(sysdma_adapter_put(b->holder), SYSDMA_OK);
    assert_int_equal(waiting(b), 0);
    assert_false(channel_held(b));
    assert_int_equal(fdc_read(&b->drv, 100, 4, buf), SYSDMA_OK);
    assert_memory_equal(buf, b->drive.image + 100 * 512, 4 * 512);
    assert_int_equal(waiting(b), 0);
    assert_false(channel_held(b));

    /* The other driver frees the channel while the floppy waits for it: the
     * read goes ahead; with version 1, on the request it had abandoned and
     * now waits on again. */
    holder_take(b, version);
    if (version < 3) {
        assert_int_equal(fdc_read(&b->drv, 200, 4, buf), SYSDMA_E_BUSY);
        assert_int_equal(waiting(b), 1);
    }
    b->free_holder_at = b->delays + 5;
    assert_int_equal(fdc_read(&b->drv, 300, 4, buf), SYSDMA_OK);
    assert_false(b->holder_has_channel);
    assert_memory_equal(buf, b->drive.image + 300 * 512, 4 * 512);
    assert_int_equal(waiting(b), 0);
    assert_false(channel_held(b));
    assert_int_equal(sysdma_adapter_put(b->holder), SYSDMA_OK);
    sysdma_sim_buffer_free(b->drive.r.sim, buf);
    unmake(b);
}

static void test_channel_held_past_timeout_v3(void **state)
{
    (void)state;
    channel_held_past_timeout(3);
}

static void test_channel_held_past_timeout_v1(void **state)
{
    (void)state;
    channel_held_past_timeout(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_whole_disk_every_placement),
        cmocka_unit_test(test_write_runs_land_exactly),
        cmocka_unit_test(test_file_backed_image),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_channel_held_past_timeout_v3),
        cmocka_unit_test(test_channel_held_past_timeout_v1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
