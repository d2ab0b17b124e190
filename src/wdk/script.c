/* SPDX-License-Identifier: MIT */
/*
 * The harness's script (its language is in sysdma-wdk/sysdma_wdk.h): the
 * parser, and the requests it sends from the harness's thread — IRPs
 * built the way the I/O manager builds them for a caller (buffered,
 * direct or neither I/O as the device asks), with buffers in the
 * simulated PC's RAM, their pages scattered (so the driver's DMA goes
 * through map registers where the 8237 cannot reach), completed into an
 * event the harness waits on. Data read must equal what the disk holds;
 * data written is remembered and checked against the disk at the end.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wdk_script.h"

#define SECTOR 512u
#define DISK_BYTES 1474560u

static const struct {
    const char *name;
    NTSTATUS status;
} names[] = {
    {"success", STATUS_SUCCESS},
    {"pending", STATUS_PENDING},
    {"timeout", STATUS_TIMEOUT},
    {"cancelled", STATUS_CANCELLED},
    {"unsuccessful", STATUS_UNSUCCESSFUL},
    {"invalid_parameter", STATUS_INVALID_PARAMETER},
    {"invalid_device_request", STATUS_INVALID_DEVICE_REQUEST},
    {"not_supported", STATUS_NOT_SUPPORTED},
    {"not_implemented", STATUS_NOT_IMPLEMENTED},
    {"no_media_in_device", STATUS_NO_MEDIA_IN_DEVICE},
    {"media_write_protected", STATUS_MEDIA_WRITE_PROTECTED},
    {"device_not_ready", STATUS_DEVICE_NOT_READY},
    {"io_timeout", STATUS_IO_TIMEOUT},
    {"device_data_error", STATUS_DEVICE_DATA_ERROR},
    {"buffer_too_small", STATUS_BUFFER_TOO_SMALL},
    {"insufficient_resources", STATUS_INSUFFICIENT_RESOURCES},
    {"verify_required", STATUS_VERIFY_REQUIRED},
    {"nonexistent_sector", STATUS_NONEXISTENT_SECTOR},
};

static bool number(const char *s, uint64_t *v)
{
    char *end;
    if (!s || !*s)
        return false;
    *v = strtoull(s, &end, 0);
    return *end == 0;
}

static bool status_of(const char *s, NTSTATUS *st)
{
    uint64_t v;
    if (number(s, &v) && v <= 0xFFFFFFFFu) {
        *st = (NTSTATUS)(uint32_t)v;
        return true;
    }
    const char *n = strncasecmp(s, "STATUS_", 7) ? s : s + 7;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (!strcasecmp(n, names[k].name)) {
            *st = names[k].status;
            return true;
        }
    return false;
}

int sysdma__wdk_script_parse(const char *text, wdk_cmd **out, unsigned *count, char *why,
                             size_t cap)
{
    *out = NULL;
    *count = 0;
    if (!text)
        return 0;
    unsigned n = 0, room = 0, line_no = 0;
    wdk_cmd *cmds = NULL;
    const char *p = text;
    while (*p) {
        char line[512];
        size_t len = strcspn(p, "\n");
        line_no++;
        if (len >= sizeof line) {
            snprintf(why, cap, "script line %u: too long", line_no);
            free(cmds);
            return -1;
        }
        memcpy(line, p, len);
        line[len] = 0;
        p += len + (p[len] == '\n');
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *words[6] = {0};
        int nw = 0;
        for (char *tok = strtok(line, " \t\r"); tok && nw < 6; tok = strtok(NULL, " \t\r"))
            words[nw++] = tok;
        if (!nw)
            continue;
        if (n == room) {
            room = room ? 2 * room : 16;
            wdk_cmd *c2 = realloc(cmds, room * sizeof *c2);
            if (!c2) {
                free(cmds);
                snprintf(why, cap, "no memory for the script");
                return -1;
            }
            cmds = c2;
        }
        wdk_cmd *c = &cmds[n];
        memset(c, 0, sizeof *c);
        c->line = line_no;
        c->expect = STATUS_SUCCESS;
        bool ok = true;
        uint64_t a = 0, b = 0, d = 0;
        if (!strcmp(words[0], "open") && nw == 2) {
            c->op = WDK_OPEN;
            snprintf(c->name, sizeof c->name, "%s", words[1]);
        } else if ((!strcmp(words[0], "read") || !strcmp(words[0], "write")) && nw == 3) {
            c->op = words[0][0] == 'r' ? WDK_READ : WDK_WRITE;
            ok = number(words[1], &a) && number(words[2], &b) && b > 0 &&
                 (a + b) * SECTOR <= DISK_BYTES;
            c->a = a, c->b = b;
        } else if (!strcmp(words[0], "format") && nw == 3) {
            c->op = WDK_FORMAT;
            ok = number(words[1], &a) && number(words[2], &b) && a < 80 && b < 2;
            c->a = a, c->b = b;
        } else if (!strcmp(words[0], "ioctl") && nw >= 2 && nw <= 4) {
            c->op = WDK_IOCTL;
            ok = number(words[1], &a) && a <= 0xFFFFFFFFu && (nw < 3 || number(words[2], &b)) &&
                 (nw < 4 || number(words[3], &d)) && b <= 65536 && d <= 65536;
            c->a = a, c->b = b, c->c = d;
        } else if (!strcmp(words[0], "play") && nw >= 2 && nw <= 4) {
            c->op = WDK_PLAY;
            b = 22050, d = 16;
            ok = number(words[1], &a) && a > 0 && a <= 60000 && (nw < 3 || number(words[2], &b)) &&
                 (nw < 4 || number(words[3], &d)) && b >= 4000 && b <= 48000 && (d == 8 || d == 16);
            c->a = a, c->b = b, c->c = d;
        } else if (!strcmp(words[0], "expect") && nw == 2) {
            if (!n || cmds[n - 1].op == WDK_OPEN || cmds[n - 1].op == WDK_SLEEP ||
                cmds[n - 1].op == WDK_EJECT || cmds[n - 1].op == WDK_INSERT) {
                snprintf(why, cap, "script line %u: expect follows no request", line_no);
                free(cmds);
                return -1;
            }
            if (!status_of(words[1], &cmds[n - 1].expect)) {
                snprintf(why, cap, "script line %u: unknown status %s", line_no, words[1]);
                free(cmds);
                return -1;
            }
            continue;
        } else if (!strcmp(words[0], "sleep") && nw == 2) {
            c->op = WDK_SLEEP;
            ok = number(words[1], &a) && a <= 600000;
            c->a = a;
        } else if (!strcmp(words[0], "eject") && nw == 1) {
            c->op = WDK_EJECT;
        } else if (!strcmp(words[0], "insert") && nw == 1) {
            c->op = WDK_INSERT;
        } else {
            ok = false;
        }
        if (!ok) {
            snprintf(why, cap, "script line %u: cannot read \"%s\"", line_no, words[0]);
            free(cmds);
            return -1;
        }
        n++;
    }
    *out = cmds;
    *count = n;
    return 0;
}

/* ---- requests --------------------------------------------------------------------------- */

static void request_failed(unsigned line, const char *fmt, const char *what, uint64_t x)
{
    char msg[300];
    snprintf(msg, sizeof msg, fmt, what, (unsigned long long)x);
    sysdma__wdk_log("sysdma-wdk: script line %u: %s", line, msg);
    W->res->request_failures++;
    W->res->failures++;
    if (!W->res->reason[0])
        snprintf(W->res->reason, sizeof W->res->reason, "script line %u: %s", line, msg);
}

/* One IRP to `d` and its wait; the final status, *info the bytes moved. */
static NTSTATUS send(PDEVICE_OBJECT d, UCHAR major, ULONG code, void *in, ULONG in_len,
                     void *out, ULONG out_len, LONGLONG offset, ULONG_PTR *info, unsigned line)
{
    PIRP irp = IoAllocateIrp(d->StackSize, FALSE);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    KEVENT ev;
    IO_STATUS_BLOCK iosb = {{0}, 0};
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    irp->UserEvent = &ev;
    irp->UserIosb = &iosb;
    irp->Tail.Overlay.Thread = PsGetCurrentThread();
    irp->IoStatus.Status = STATUS_PENDING; /* until the driver says */
    PIO_STACK_LOCATION s = IoGetNextIrpStackLocation(irp);
    s->MajorFunction = major;
    PMDL mdl = NULL;
    void *data = major == IRP_MJ_WRITE ? in : out;
    ULONG len = major == IRP_MJ_WRITE ? in_len : out_len;
    if (major == IRP_MJ_READ || major == IRP_MJ_WRITE) {
        s->Parameters.Read.Length = len;
        s->Parameters.Read.ByteOffset.QuadPart = offset;
        if (d->Flags & DO_DIRECT_IO) {
            if (sysdma_wdm_mdl_create(W->sys, data, len, &mdl) != SYSDMA_OK)
                return STATUS_INSUFFICIENT_RESOURCES;
            irp->MdlAddress = mdl;
        } else if (d->Flags & DO_BUFFERED_IO) {
            irp->AssociatedIrp.SystemBuffer = data;
        } else {
            irp->UserBuffer = data;
        }
    } else {
        s->Parameters.DeviceIoControl.IoControlCode = code;
        s->Parameters.DeviceIoControl.InputBufferLength = in_len;
        s->Parameters.DeviceIoControl.OutputBufferLength = out_len;
        ULONG method = METHOD_FROM_CTL_CODE(code);
        if (method == METHOD_BUFFERED) {
            /* one buffer for both ways: the input, then room for the output */
            irp->AssociatedIrp.SystemBuffer = in ? in : out;
        } else if (method == METHOD_NEITHER) {
            s->Parameters.DeviceIoControl.Type3InputBuffer = in;
            irp->UserBuffer = out;
        } else {
            irp->AssociatedIrp.SystemBuffer = in;
            if (out_len) {
                if (sysdma_wdm_mdl_create(W->sys, out, out_len, &mdl) != SYSDMA_OK)
                    return STATUS_INSUFFICIENT_RESOURCES;
                irp->MdlAddress = mdl;
            }
        }
    }
    W->res->requests++;
    sysdma__wdk_trace("request (line %u)", line);
    NTSTATUS st = IoCallDriver(d, irp);
    if (st == STATUS_PENDING) {
        KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL);
    } else if (!KeReadStateEvent(&ev)) {
        sysdma__wdk_fail(true, "script line %u: the dispatch routine returned 0x%08X without "
                               "completing the IRP",
                         line, (unsigned)st);
    } else if (st != iosb.Status) {
        sysdma__wdk_fail(true, "script line %u: the dispatch routine returned 0x%08X but "
                               "completed the IRP with 0x%08X",
                         line, (unsigned)st, (unsigned)iosb.Status);
    }
    *info = iosb.Information;
    if (mdl)
        IoFreeMdl(mdl);
    IoFreeIrp(irp);
    return iosb.Status;
}

static uint8_t pattern(uint64_t seed, uint64_t off, unsigned pass)
{
    uint64_t x = off * 0x9E3779B97F4A7C15ull + seed * 0xBF58476D1CE4E5B9ull + pass * 0x94D049BBu;
    x ^= x >> 29;
    return (uint8_t)(x ^ (x >> 17));
}

static uint8_t *buffer(size_t bytes)
{
    return sysdma_sim_buffer_alloc(W->sim, bytes ? bytes : 1, 0, SYSDMA_SIM_SCATTERED);
}

void sysdma__wdk_script_run(wdk_script *sc)
{
    for (unsigned k = 0; k < sc->n; k++) {
        wdk_cmd *c = &sc->cmds[k];
        NTSTATUS st = STATUS_SUCCESS;
        ULONG_PTR info = 0;
        if (c->op == WDK_OPEN) {
            WCHAR w[128];
            sysdma__wdk_wcs_from_ascii(w, 128, c->name);
            PDEVICE_OBJECT d = sysdma__wdk_device_by_name(w);
            if (!d) {
                request_failed(c->line, "no device named %s%.0llu", c->name, 0);
                continue;
            }
            while (d->AttachedDevice)
                d = d->AttachedDevice;
            sc->target = d;
            continue;
        }
        if (c->op == WDK_SLEEP) {
            LARGE_INTEGER t;
            t.QuadPart = -(LONGLONG)c->a * 10000;
            KeDelayExecutionThread(KernelMode, FALSE, &t);
            continue;
        }
        if (c->op == WDK_EJECT || c->op == WDK_INSERT) {
            if (c->op == WDK_EJECT)
                sysdma_emu_fdc_eject(&W->fdc, 0);
            else
                sysdma_emu_fdc_insert(&W->fdc, 0, W->disk, DISK_BYTES, false);
            continue;
        }
        if (!sc->target) {
            request_failed(c->line, "%s: no device to send it to%.0llu", "request", 0);
            continue;
        }
        if (c->op == WDK_READ || c->op == WDK_WRITE) {
            size_t bytes = (size_t)c->b * SECTOR, off = (size_t)c->a * SECTOR;
            uint8_t *buf = buffer(bytes);
            if (!buf) {
                request_failed(c->line, "%s: no memory for the buffer%.0llu", "request", 0);
                continue;
            }
            if (c->op == WDK_WRITE)
                for (size_t i = 0; i < bytes; i++)
                    buf[i] = pattern(W->cfg->seed, off + i, sc->pass);
            st = c->op == WDK_READ
                     ? send(sc->target, IRP_MJ_READ, 0, NULL, 0, buf, (ULONG)bytes, (LONGLONG)off,
                            &info, c->line)
                     : send(sc->target, IRP_MJ_WRITE, 0, buf, (ULONG)bytes, NULL, 0,
                            (LONGLONG)off, &info, c->line);
            if (st == c->expect && NT_SUCCESS(st)) {
                if (info != bytes)
                    request_failed(c->line, "%s moved %llu bytes", c->op == WDK_READ ? "read" : "write", info);
                else if (c->op == WDK_READ) {
                    for (size_t i = 0; i < bytes; i++)
                        if (buf[i] != sc->shadow[off + i]) {
                            request_failed(c->line, "%s: data differs at disk byte %llu", "read",
                                           off + i);
                            break;
                        }
                } else {
                    memcpy(sc->shadow + off, buf, bytes);
                    sc->pass++;
                }
            }
            sysdma_sim_buffer_free(W->sim, buf);
        } else if (c->op == WDK_FORMAT) {
            uint8_t *buf = buffer(sizeof(FORMAT_PARAMETERS));
            FORMAT_PARAMETERS fp = {F3_1Pt44_512, (ULONG)c->a, (ULONG)c->a, (ULONG)c->b,
                                    (ULONG)c->b};
            memcpy(buf, &fp, sizeof fp);
            st = send(sc->target, IRP_MJ_DEVICE_CONTROL, IOCTL_DISK_FORMAT_TRACKS, buf,
                      sizeof fp, buf, 0, 0, &info, c->line);
            if (st == c->expect && NT_SUCCESS(st))
                memset(sc->shadow + (c->a * 2 + c->b) * 18 * SECTOR, 0xF6, 18 * SECTOR);
            sysdma_sim_buffer_free(W->sim, buf);
        } else if (c->op == WDK_IOCTL) {
            size_t len = c->b > c->c ? c->b : c->c;
            uint8_t *buf = buffer(len);
            uint8_t *out = METHOD_FROM_CTL_CODE(c->a) == METHOD_BUFFERED ? buf : buffer(c->c);
            st = send(sc->target, IRP_MJ_DEVICE_CONTROL, (ULONG)c->a, buf, (ULONG)c->b,
                      c->c ? out : NULL, (ULONG)c->c, 0, &info, c->line);
            if (out != buf)
                sysdma_sim_buffer_free(W->sim, out);
            sysdma_sim_buffer_free(W->sim, buf);
        } else if (c->op == WDK_PLAY) {
            size_t frames = (size_t)(c->b * c->a / 1000), bytes = frames * (c->c / 8);
            uint8_t *buf = buffer(bytes);
            for (size_t i = 0; i < frames; i++) {
                /* a 441 Hz triangle, full scale */
                uint32_t phase = (uint32_t)((i * 441u * 65536u / c->b) & 0xFFFF);
                int32_t v = phase < 32768 ? (int32_t)phase * 2 - 32768 : 98303 - (int32_t)phase * 2;
                if (c->c == 16) {
                    buf[2 * i] = (uint8_t)v;
                    buf[2 * i + 1] = (uint8_t)((uint16_t)v >> 8);
                } else {
                    buf[i] = (uint8_t)((v >> 8) + 128);
                }
            }
            st = send(sc->target, IRP_MJ_WRITE, 0, buf, (ULONG)bytes, NULL, 0, 0, &info,
                      c->line);
            if (st == c->expect && NT_SUCCESS(st)) {
                uint8_t *all = realloc(sc->pcm, sc->pcm_len + bytes);
                if (all) {
                    memcpy(all + sc->pcm_len, buf, bytes);
                    sc->pcm = all;
                    sc->pcm_len += bytes;
                }
            }
            sysdma_sim_buffer_free(W->sim, buf);
        }
        if (st != c->expect)
            request_failed(c->line, "%s: ended with status 0x%08llX", "request",
                           (uint64_t)(uint32_t)st);
    }
}

void sysdma__wdk_script_check(wdk_script *sc)
{
    for (size_t i = 0; i < DISK_BYTES; i++)
        if (sc->shadow[i] != W->disk[i]) {
            request_failed(0, "%s: the disk differs from what was written, at byte %llu",
                           "end of run", i);
            break;
        }
    if (sc->pcm_len) {
        if (W->played_len < sc->pcm_len)
            request_failed(0, "%s: the card played %llu bytes, fewer than it was given",
                           "end of run", W->played_len);
        else if (memcmp(W->played, sc->pcm, sc->pcm_len))
            request_failed(0, "%s: the card played other bytes than it was given%.0llu",
                           "end of run", 0);
    }
}
