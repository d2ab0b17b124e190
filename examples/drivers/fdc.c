/* SPDX-License-Identifier: MIT */
/*
 * Example floppy driver over the sysdma adapter API (see fdc.h). The
 * sequence per request is packet-based DMA's (docs/design.md): flush I/O buffers,
 * AllocateAdapterChannel; then per piece MapTransfer (which programs the
 * 8237: single mode, channel 2), the controller's READ/WRITE DATA command,
 * its interrupt, FlushAdapterBuffers; and FreeAdapterChannel at the end,
 * also after an error. A bounded wait for the channel gives up without
 * leaving a request that would later hold the channel for nobody. The
 * version-3 path (fdc_read_ex, fdc_write_ex) maps each piece with
 * MapTransferEx and a completion routine that runs when the floppy's
 * interrupt handler's sysdma_channel_check confirms the terminal count.
 */
#include "fdc.h"

enum {
    DOR = 0x3F2, MSR = 0x3F4, DSR = 0x3F4, FIFO = 0x3F5, CCR = 0x3F7,
    RQM = 0x80, DIO = 0x40,
    CMD_SPECIFY = 0x03, CMD_RECAL = 0x07, CMD_SENSE_INT = 0x08, CMD_SEEK = 0x0F,
    CMD_READ = 0xE6, CMD_WRITE = 0xC5,
    TIMEOUT_US = 2000000,
};

static bool put(fdc_driver *d, uint8_t b)
{
    for (int k = 0; k < 100000; k++) {
        uint8_t msr = d->env.inb(d->env.ctx, MSR);
        if ((msr & (RQM | DIO)) == RQM) {
            d->env.outb(d->env.ctx, FIFO, b);
            return true;
        }
        if ((k & 255) == 255)
            d->env.delay(d->env.ctx, 10);
    }
    return false;
}

static bool get(fdc_driver *d, uint8_t *b)
{
    for (int k = 0; k < 100000; k++) {
        uint8_t msr = d->env.inb(d->env.ctx, MSR);
        if ((msr & (RQM | DIO)) == (RQM | DIO)) {
            *b = d->env.inb(d->env.ctx, FIFO);
            return true;
        }
        if ((k & 255) == 255)
            d->env.delay(d->env.ctx, 10);
    }
    return false;
}

/* SENSE INTERRUPT STATUS after a seek, recalibrate or reset. */
static bool sense(fdc_driver *d, uint8_t *st0, uint8_t *pcn)
{
    return put(d, CMD_SENSE_INT) && get(d, st0) && get(d, pcn);
}

static sysdma_status recalibrate(fdc_driver *d)
{
    for (int tries = 0; tries < 2; tries++) { /* 80 tracks may need two */
        if (!put(d, CMD_RECAL) || !put(d, (uint8_t)d->drive))
            return SYSDMA_E_DEVICE;
        if (!d->env.wait_irq(d->env.ctx, TIMEOUT_US))
            return SYSDMA_E_TIMEOUT;
        uint8_t st0, pcn;
        if (!sense(d, &st0, &pcn))
            return SYSDMA_E_DEVICE;
        if ((st0 & 0xC0) == 0 && pcn == 0) {
            d->cyl = 0;
            return SYSDMA_OK;
        }
    }
    return SYSDMA_E_DEVICE;
}

static sysdma_status seek(fdc_driver *d, uint32_t cyl, uint32_t head)
{
    if (d->cyl == (int)cyl)
        return SYSDMA_OK;
    if (!put(d, CMD_SEEK) || !put(d, (uint8_t)(head << 2 | d->drive)) || !put(d, (uint8_t)cyl))
        return SYSDMA_E_DEVICE;
    if (!d->env.wait_irq(d->env.ctx, TIMEOUT_US))
        return SYSDMA_E_TIMEOUT;
    uint8_t st0, pcn;
    if (!sense(d, &st0, &pcn) || (st0 & 0xC0) || pcn != cyl)
        return SYSDMA_E_DEVICE;
    d->cyl = (int)cyl;
    return SYSDMA_OK;
}

static sysdma_status reset(fdc_driver *d)
{
    d->env.outb(d->env.ctx, DOR, 0x00);
    d->env.delay(d->env.ctx, 10);
    /* Out of reset, DMA and IRQ enabled, motor on for our drive. */
    d->env.outb(d->env.ctx, DOR, (uint8_t)(0x0C | d->drive | (0x10 << d->drive)));
    if (!d->env.wait_irq(d->env.ctx, TIMEOUT_US))
        return SYSDMA_E_TIMEOUT;
    for (int k = 0; k < 4; k++) {
        uint8_t st0, pcn;
        if (!sense(d, &st0, &pcn))
            return SYSDMA_E_DEVICE;
    }
    d->env.outb(d->env.ctx, CCR, (uint8_t)d->rate);
    /* SPECIFY: step rate / head unload, head load, ND = 0 (DMA mode). */
    if (!put(d, CMD_SPECIFY) || !put(d, 0xDF) || !put(d, 0x02))
        return SYSDMA_E_DEVICE;
    d->env.delay(d->env.ctx, 300000); /* motor spin-up */
    d->cyl = -1;
    return recalibrate(d);
}

/*
 * Getting channel 2, which another driver may hold (a tape or scanner on
 * the same line). The wait is bounded; a request the driver gives up must
 * not be granted later to nobody, or the channel would stay held for good.
 *
 * On a version-3 adapter the request is withdrawn (CancelAdapterChannel):
 * nothing is left queued and the adapter can be put at once. But the
 * adapter is channel 2's, shared with the other driver, and the latest
 * description sets its version, so the call may be missing (or have gone
 * while we waited). Then the request stays queued, marked abandoned, and
 * its AdapterControl, when it finally runs, returns DEALLOCATE_OBJECT and
 * touches nothing else: that hands the channel to the next waiter. The
 * next read or write re-adopts that request (a device has one outstanding
 * at a time) rather than queuing another. The waiter's timeout and the
 * routine may race on two threads; each moves `request_state` by one
 * compare-exchange, so exactly one of them decides: the routine that finds
 * WAITING owns the grant, the one that finds ABANDONED lets go, and a
 * waiter that fails to mark its request abandoned knows the grant is
 * coming. Both ways are kept: the withdrawal keeps the queue clean, the
 * abandonment is what works on every adapter version.
 */
static sysdma_allocation_action on_channel(void *device, sysdma_map_registers *regs, void *context)
{
    fdc_driver *d = device;
    (void)context;
    for (;;) {
        uint32_t s = FDC_REQUEST_WAITING;
        if (atomic_compare_exchange_strong(&d->request_state, &s, FDC_REQUEST_NONE)) {
            d->regs = regs;
            atomic_store(&d->granted, true);
            return SYSDMA_KEEP_OBJECT; /* system DMA: ours until FreeAdapterChannel */
        }
        s = FDC_REQUEST_ABANDONED;
        if (atomic_compare_exchange_strong(&d->request_state, &s, FDC_REQUEST_NONE))
            return SYSDMA_DEALLOCATE_OBJECT; /* its waiter gave up */
        /* the waiter re-adopted or gave up just now: look again */
    }
}

static sysdma_status acquire_channel(fdc_driver *d)
{
    atomic_store(&d->granted, false);
    uint32_t s = FDC_REQUEST_ABANDONED;
    if (!atomic_compare_exchange_strong(&d->request_state, &s, FDC_REQUEST_WAITING)) {
        /* No request outstanding (or its routine just let the channel go):
         * a new one. */
        atomic_store(&d->request_state, FDC_REQUEST_WAITING);
        d->request_v3 = sysdma_transfer_context_init(d->adapter, &d->request) == SYSDMA_OK;
        sysdma_status st =
            d->request_v3 ? sysdma_channel_allocate_ex(d->adapter, d, &d->request,
                                                       d->map_registers, 0, on_channel, NULL, NULL)
                          : sysdma_channel_allocate(d->adapter, d, d->map_registers, on_channel,
                                                    NULL);
        if (st != SYSDMA_OK && st != SYSDMA_PENDING) {
            atomic_store(&d->request_state, FDC_REQUEST_NONE);
            return st;
        }
    }
    for (int k = 0; !atomic_load(&d->granted) && k < 1000; k++)
        d->env.delay(d->env.ctx, 1000); /* another driver holds channel 2 */
    if (atomic_load(&d->granted))
        return SYSDMA_OK;
    if (d->request_v3 && sysdma_channel_cancel(d->adapter, &d->request)) {
        atomic_store(&d->request_state, FDC_REQUEST_NONE); /* its routine never runs */
        return SYSDMA_E_BUSY;
    }
    s = FDC_REQUEST_WAITING;
    if (atomic_compare_exchange_strong(&d->request_state, &s, FDC_REQUEST_ABANDONED)) {
        d->abandoned++; /* still queued: its routine will let the channel go */
        return SYSDMA_E_BUSY;
    }
    /* The routine took the request first: the channel is ours, the flag
     * follows in a moment (another thread is inside the routine). */
    while (!atomic_load(&d->granted))
        d->env.delay(d->env.ctx, 1);
    return SYSDMA_OK;
}

sysdma_status fdc_open(fdc_driver *d, sysdma_system *sys, const fdc_env *env, unsigned drive,
                       uint32_t disk_bytes)
{
    if (!d || !sys || !env || drive > 1)
        return SYSDMA_E_INVALID_ARGUMENT;
    uint32_t spt = disk_bytes == 737280 ? 9 : disk_bytes == 1474560 ? 18 : disk_bytes == 2949120 ? 36 : 0;
    if (!spt)
        return SYSDMA_E_INVALID_ARGUMENT;
    *d = (fdc_driver){0};
    d->env = *env;
    d->sys = sys;
    d->drive = drive;
    d->sectors_per_track = spt;
    d->heads = 2;
    d->cylinders = 80;
    d->rate = spt == 9 ? 2 : spt == 18 ? 0 : 3;
    sysdma_device_description desc = {0};
    desc.version = 3; /* for CancelAdapterChannel (see acquire_channel) */
    desc.channel = 2;
    desc.width = SYSDMA_WIDTH_8;
    desc.interface_type = SYSDMA_INTERFACE_ISA;
    desc.maximum_length = spt * 2 * 512; /* one cylinder, both heads */
    sysdma_status st = sysdma_adapter_get(sys, &desc, &d->adapter, &d->map_registers);
    if (st != SYSDMA_OK)
        return st;
    st = reset(d);
    if (st != SYSDMA_OK) {
        sysdma_adapter_put(d->adapter);
        d->adapter = NULL;
    }
    return st;
}

void fdc_close(fdc_driver *d)
{
    if (d && d->adapter) {
        d->env.outb(d->env.ctx, DOR, 0x0C); /* motors off */
        sysdma_adapter_put(d->adapter);
        d->adapter = NULL;
    }
}

/* One READ/WRITE DATA command for `n` sectors from (c, h, s). */
static sysdma_status command(fdc_driver *d, bool write, uint32_t c, uint32_t h, uint32_t s,
                             uint32_t n)
{
    sysdma_status st = seek(d, c, h);
    if (st != SYSDMA_OK)
        return st;
    /* EOT is the track's last sector: with MT the controller goes on to
     * head 1 after it, and the DMA count (terminal count) ends the command
     * exactly after `n` sectors. */
    (void)n;
    uint8_t eot = (uint8_t)d->sectors_per_track;
    uint8_t bytes[9] = {write ? CMD_WRITE : CMD_READ, (uint8_t)(h << 2 | d->drive), (uint8_t)c,
                        (uint8_t)h, (uint8_t)s, 2, eot, 0x1B, 0xFF};
    for (int k = 0; k < 9; k++)
        if (!put(d, bytes[k]))
            return SYSDMA_E_DEVICE;
    if (!d->env.wait_irq(d->env.ctx, TIMEOUT_US))
        return SYSDMA_E_TIMEOUT;
    /* The floppy's interrupt: the command ended. With a MapTransferEx
     * mapped, ask the core whether channel 2 reached terminal count (the
     * 8237 raises no interrupt of its own); its completion runs if so. */
    if (d->ex_pending && !sysdma_channel_check(d->sys, 1u << 2))
        d->unconfirmed++;
    for (int k = 0; k < 7; k++)
        if (!get(d, &d->st[k]))
            return SYSDMA_E_DEVICE;
    return (d->st[0] & 0xC0) == 0 ? SYSDMA_OK : SYSDMA_E_DEVICE;
}

static void on_complete(sysdma_adapter *a, void *context, sysdma_status status)
{
    (void)a;
    fdc_driver *d = context;
    d->ex_pending = false;
    d->ex_calls++;
    d->ex_status = status;
    if (status == SYSDMA_OK)
        d->completions++;
    else
        d->cancellations++;
}

/* One piece through MapTransferEx: map and start, the command, the
 * completion (or a cancel when the command ended without terminal count),
 * FlushAdapterBuffersEx. */
static sysdma_status piece_ex(fdc_driver *d, sysdma_mdl *mdl, uint32_t offset, uint32_t *n,
                              bool write, uint32_t c, uint32_t h, uint32_t s)
{
    uint32_t len = *n * 512;
    d->ex_calls = 0;
    d->ex_status = SYSDMA_PENDING;
    d->ex_pending = true;
    sysdma_status st = sysdma_map_transfer_ex(d->adapter, mdl, offset, &len, write, d->regs,
                                              on_complete, d, NULL);
    if (st != SYSDMA_OK) {
        d->ex_pending = false;
        return st;
    }
    if (len < *n * 512) {
        /* Shortened (a window's end): the DMA count ends the command there. */
        *n = len / 512;
        if (*n == 0) {
            sysdma_transfer_cancel_mapped(d->adapter);
            sysdma_flush_adapter_buffers_ex(d->adapter, mdl, d->regs, offset, len, write);
            return SYSDMA_E_LENGTH;
        }
    }
    sysdma_status cs = command(d, write, c, h, s, *n);
    if (d->ex_pending)
        sysdma_transfer_cancel_mapped(d->adapter); /* no terminal count: stop it */
    st = sysdma_flush_adapter_buffers_ex(d->adapter, mdl, d->regs, offset, len, write);
    if (cs == SYSDMA_OK && d->ex_status != SYSDMA_OK)
        cs = SYSDMA_E_DEVICE; /* the controller said done, the channel did not */
    return cs != SYSDMA_OK ? cs : st;
}

static sysdma_status transfer(fdc_driver *d, uint32_t lba, uint32_t count, uint8_t *buf, bool write,
                              bool ex)
{
    if (!d || !d->adapter || !buf)
        return SYSDMA_E_INVALID_ARGUMENT;
    if (count == 0)
        return SYSDMA_E_LENGTH;
    uint32_t total = d->cylinders * d->heads * d->sectors_per_track;
    if (lba >= total || count > total - lba)
        return SYSDMA_E_OUT_OF_RANGE;
    sysdma_mdl *mdl;
    sysdma_status st = sysdma_mdl_create(d->sys, buf, (size_t)count * 512, &mdl);
    if (st != SYSDMA_OK)
        return st;
    sysdma_flush_io_buffers(d->sys, mdl, !write);
    st = acquire_channel(d);
    if (st != SYSDMA_OK) {
        sysdma_mdl_free(d->sys, mdl);
        return st;
    }
    uint32_t max_sectors = d->map_registers * SYSDMA_PAGE_SIZE / 512;
    uint32_t done = 0;
    while (done < count && st == SYSDMA_OK) {
        uint32_t at = lba + done;
        uint32_t s = at % d->sectors_per_track + 1;
        uint32_t h = at / d->sectors_per_track % d->heads;
        uint32_t c = at / (d->sectors_per_track * d->heads);
        /* To the end of the cylinder (MT crosses heads), within the map
         * registers held. */
        uint32_t n = (d->heads - h) * d->sectors_per_track - (s - 1);
        if (n > count - done)
            n = count - done;
        if (n > max_sectors)
            n = max_sectors;
        for (unsigned attempt = 0;; attempt++) {
            if (ex) {
                sysdma_status cs = piece_ex(d, mdl, done * 512, &n, write, c, h, s);
                if (cs == SYSDMA_OK || cs == SYSDMA_E_LENGTH || cs == SYSDMA_E_WRONG_STATE ||
                    cs == SYSDMA_E_NOT_OWNER) {
                    st = cs;
                    break;
                }
                bool hopeless = (d->st[1] & 0x06) || cs == SYSDMA_E_TIMEOUT || attempt == 2;
                if (hopeless || (d->retries++, d->cyl = -1, recalibrate(d) != SYSDMA_OK)) {
                    st = cs;
                    break;
                }
                continue;
            }
            uint32_t len = n * 512;
            st = sysdma_map_transfer(d->adapter, mdl, d->regs, buf + (size_t)done * 512, &len, write,
                                     NULL);
            if (st != SYSDMA_OK)
                break;
            sysdma_status cs = command(d, write, c, h, s, n);
            st = sysdma_flush_adapter_buffers(d->adapter, mdl, d->regs, buf + (size_t)done * 512,
                                               n * 512, write);
            if (cs == SYSDMA_OK)
                break;
            /* Write protect and missing sectors do not get better with
             * retries; anything else gets a recalibrate and two more tries. */
            bool hopeless = (d->st[1] & 0x06) || cs == SYSDMA_E_TIMEOUT || attempt == 2;
            if (hopeless) {
                st = cs;
                break;
            }
            d->retries++;
            d->cyl = -1;
            if (recalibrate(d) != SYSDMA_OK) {
                st = cs;
                break;
            }
        }
        done += n;
    }
    sysdma_channel_free(d->adapter);
    sysdma_mdl_free(d->sys, mdl);
    return st;
}

sysdma_status fdc_read(fdc_driver *d, uint32_t lba, uint32_t count, void *buf)
{
    return transfer(d, lba, count, buf, false, false);
}

sysdma_status fdc_write(fdc_driver *d, uint32_t lba, uint32_t count, const void *buf)
{
    return transfer(d, lba, count, (uint8_t *)(uintptr_t)buf, true, false);
}

sysdma_status fdc_read_ex(fdc_driver *d, uint32_t lba, uint32_t count, void *buf)
{
    return transfer(d, lba, count, buf, false, true);
}

sysdma_status fdc_write_ex(fdc_driver *d, uint32_t lba, uint32_t count, const void *buf)
{
    return transfer(d, lba, count, (uint8_t *)(uintptr_t)buf, true, true);
}
