/* SPDX-License-Identifier: MIT */
/*
 * `sysdma demo`'s output files: the disk image (mapped shared, so the
 * floppy's writes land in it), the WAV the SB16 plays into, the SVG
 * timeline and the VCD trace. All are opened before the run and every
 * write is checked through to the close.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demo.h"

/* What the card plays goes to the WAV (opened before the run, in the
 * format the driver asks for), up to the length asked for: the card keeps
 * playing its buffer until the driver stops it, and that tail is not part
 * of the tone. */
void demo_sb_play(void *ctx, const uint8_t *pcm, size_t bytes, const sysdma_emu_sb16_format *fmt)
{
    demo *d = ctx;
    if (!d->wav_open || d->wav_failed)
        return;
    if (fmt->rate != d->wav.fmt.rate || fmt->bits != d->wav.fmt.bits ||
        fmt->channels != d->wav.fmt.channels) {
        d->wav_format_differs = true;
        return;
    }
    uint64_t room = d->wav_limit - d->wav.data_bytes;
    if (bytes > room)
        bytes = (size_t)room;
    if (bytes && !sysdma_emu_wav_write(&d->wav, pcm, bytes))
        d->wav_failed = true;
}

static bool open_image(demo *d)
{
    d->image_fd = open(d->image_path, O_RDWR | O_CREAT, 0644);
    if (d->image_fd < 0)
        return false;
    struct stat sb;
    if (fstat(d->image_fd, &sb) != 0)
        return false;
    bool fresh = sb.st_size == 0;
    if (!fresh && sb.st_size != DISK_BYTES) {
        errno = EINVAL;
        return false;
    }
    if (fresh) { /* the blocks reserved now: a full disk fails here, not in the run */
        int err = posix_fallocate(d->image_fd, 0, DISK_BYTES);
        if (err) {
            errno = err;
            return false;
        }
    }
    d->image = mmap(NULL, DISK_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, d->image_fd, 0);
    if (d->image == MAP_FAILED) {
        d->image = NULL;
        return false;
    }
    if (fresh) /* a formatted disk: each sector names itself */
        for (uint32_t k = 0; k < DISK_BYTES; k++)
            d->image[k] = (uint8_t)(k / SECTOR + k % SECTOR);
    return true;
}

/* Bytes of VCD per simulated second of this demo, measured (about; the
 * s/g job's passes dominate): for the warning before a large trace. */
#define TRACE_BYTES_PER_S 8.0e6

/* Every output file is opened (and its header written and flushed) before
 * the run, so a file that cannot be written fails at once, exit status 1. */
bool demo_open_outputs(demo *d)
{
    if (!open_image(d)) {
        fprintf(stderr, "sysdma demo: %s: %s (a 1474560-byte image, or a new file)\n",
                d->image_path, strerror(errno));
        return false;
    }
    sysdma_emu_sb16_format fmt = {22050, (uint8_t)d->sb16_bits, 2, d->sb16_bits == 16};
    if (!sysdma_emu_wav_create(&d->wav, d->wav_path, &fmt)) {
        fprintf(stderr, "sysdma demo: cannot write %s: %s\n", d->wav_path, strerror(errno));
        if (d->wav.f)
            fclose(d->wav.f);
        d->wav.f = NULL;
        return false;
    }
    d->wav_open = true;
    if (!tool_check_output("demo", d->wav_path, d->wav.f))
        return false;
    d->wav_limit = (uint64_t)(d->seconds * 22050.0) * (d->sb16_bits / 8u) * 2u;
    if (d->timeline_path) {
        d->timeline_file = tool_open_output("demo", d->timeline_path);
        if (!d->timeline_file)
            return false;
    }
    if (d->trace_path) {
        d->trace_opt.limit_bytes = (uint64_t)d->trace_mb << 20;
        if (!vcd_open(&d->trace, "demo", d->trace_path, d->sim, true, &d->trace_opt))
            return false;
        double from = (double)d->trace_opt.from_ns / 1e9, to = d->seconds;
        if (d->trace_opt.to_ns != UINT64_MAX && (double)d->trace_opt.to_ns / 1e9 < to)
            to = (double)d->trace_opt.to_ns / 1e9;
        double estimate = to > from ? (to - from) * TRACE_BYTES_PER_S : 0;
        if (d->trace_mb && estimate > (double)d->trace_opt.limit_bytes)
            fprintf(stderr,
                    "sysdma demo: warning: the trace of this run would be about %.0f MiB; it stops "
                    "at %u MiB (--trace-limit; --trace-window FROM:TO keeps a span)\n",
                    estimate / 1048576.0, d->trace_mb);
    }
    return true;
}

/* Finish every output file: false when any write failed (said on stderr). */
bool demo_close_outputs(demo *d)
{
    bool ok = true;
    if (d->trace.f)
        ok = vcd_close(&d->trace, "demo") && ok;
    if (d->wav_open) {
        errno = 0;
        if (d->wav_failed || !sysdma_emu_wav_close(&d->wav)) {
            fprintf(stderr, "sysdma demo: writing %s failed: %s\n", d->wav_path,
                    errno ? strerror(errno) : "write error");
            ok = false;
        }
        d->wav_open = false;
    }
    if (d->timeline_file) {
        ok = tool_close_output("demo", d->timeline_path, d->timeline_file) && ok;
        d->timeline_file = NULL;
    }
    if (d->image) {
        if (msync(d->image, DISK_BYTES, MS_SYNC) != 0) {
            fprintf(stderr, "sysdma demo: writing %s failed: %s\n", d->image_path, strerror(errno));
            ok = false;
        }
        munmap(d->image, DISK_BYTES);
        d->image = NULL;
    }
    if (d->image_fd >= 0) {
        if (close(d->image_fd) != 0) {
            fprintf(stderr, "sysdma demo: closing %s failed: %s\n", d->image_path, strerror(errno));
            ok = false;
        }
        d->image_fd = -1;
    }
    return ok;
}
