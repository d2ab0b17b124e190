/* SPDX-License-Identifier: MIT */
/*
 * sysdma emulated hardware: an 82077AA-compatible floppy disk controller.
 *
 * The controller sits at ports 0x3F0-0x3F5 and 0x3F7 of a PC/AT, requests
 * DMA on one 8-bit channel of the emulated 8237A pair (channel 2 on a PC)
 * and raises one interrupt line (IRQ 6 on a PC) through a callback. Two
 * 3.5" drives are attached; each holds a disk image that the caller owns as
 * a plain memory buffer (the simulated PC maps an image file MAP_SHARED, so
 * what the guest writes lands in the file). The geometry follows from the
 * image size: 737280 bytes is 720 KiB (80 cylinders, 2 heads, 9 sectors of
 * 512 bytes, 250 kb/s), 1474560 is 1.44 MiB (18 sectors, 500 kb/s), 2949120
 * is 2.88 MiB (36 sectors, 1 Mb/s).
 *
 * Like emu.h this header stands on its own: the controller allocates
 * nothing, keeps no global state, starts no threads, and never reads or
 * writes outside the image buffers and its own struct, whatever a guest
 * sends to its ports. docs/emu-fdc.md lists the commands and the decisions
 * taken where the data sheet leaves a choice.
 *
 * Time is the caller's: sysdma_emu_fdc_advance() moves it on. With timing
 * off (the default) every seek ends at once and the disk delivers data as
 * fast as the DMA takes it; with timing on, seeks take their step times,
 * data waits for its sector to come round (300 rpm) and then flows at the
 * data rate.
 */
#ifndef SYSDMA_EMU_FDC_H
#define SYSDMA_EMU_FDC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdma/emu.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SYSDMA_EMU_FDC_DRIVES 2     /* drives attached (0 and 1; 2-3 absent) */
#define SYSDMA_EMU_FDC_IRQ 6        /* the PC's floppy interrupt line */
#define SYSDMA_EMU_FDC_DMA 2        /* the PC's floppy DMA channel */
#define SYSDMA_EMU_FDC_SECTOR 512   /* bytes per sector on every image */

/* Ports (PC/AT primary controller). 0x3F6 belongs to the hard disk. */
#define SYSDMA_EMU_FDC_SRA 0x3F0    /* read: 0xFF (AT mode, see docs) */
#define SYSDMA_EMU_FDC_SRB 0x3F1    /* read: 0xFF (AT mode, see docs) */
#define SYSDMA_EMU_FDC_DOR 0x3F2    /* digital output register, read/write */
#define SYSDMA_EMU_FDC_TDR 0x3F3    /* tape drive register (bits 1-0 kept) */
#define SYSDMA_EMU_FDC_MSR 0x3F4    /* read: main status */
#define SYSDMA_EMU_FDC_DSR 0x3F4    /* write: data rate select */
#define SYSDMA_EMU_FDC_FIFO 0x3F5   /* command, parameter, data and result bytes */
#define SYSDMA_EMU_FDC_DIR 0x3F7    /* read: digital input (bit 7 disk change) */
#define SYSDMA_EMU_FDC_CCR 0x3F7    /* write: configuration control (data rate) */

/* DOR bits. */
#define SYSDMA_EMU_FDC_DOR_SEL 0x03     /* drive select */
#define SYSDMA_EMU_FDC_DOR_NRESET 0x04  /* 0 holds the controller in reset */
#define SYSDMA_EMU_FDC_DOR_DMAGATE 0x08 /* enables the IRQ and DREQ outputs */
#define SYSDMA_EMU_FDC_DOR_MOTOR0 0x10  /* motor of drive n: 0x10 << n */

/* MSR bits. */
#define SYSDMA_EMU_FDC_MSR_RQM 0x80     /* the FIFO is ready for the host */
#define SYSDMA_EMU_FDC_MSR_DIO 0x40     /* 1: controller -> host */
#define SYSDMA_EMU_FDC_MSR_NDMA 0x20    /* execution phase in non-DMA mode */
#define SYSDMA_EMU_FDC_MSR_CB 0x10      /* command in progress */
#define SYSDMA_EMU_FDC_MSR_DRV_BUSY 0x0F /* bit n: drive n seeking */

/* DSR bits (CCR has only the data rate). */
#define SYSDMA_EMU_FDC_DSR_RESET 0x80   /* software reset, clears itself */
#define SYSDMA_EMU_FDC_DSR_POWERDOWN 0x40
#define SYSDMA_EMU_FDC_RATE_500K 0
#define SYSDMA_EMU_FDC_RATE_300K 1
#define SYSDMA_EMU_FDC_RATE_250K 2
#define SYSDMA_EMU_FDC_RATE_1M 3

/* Status register bits of the result phase. */
#define SYSDMA_EMU_FDC_ST0_ABNORMAL 0x40 /* IC = 01 */
#define SYSDMA_EMU_FDC_ST0_INVALID 0x80  /* IC = 10 */
#define SYSDMA_EMU_FDC_ST0_POLL 0xC0     /* IC = 11: ready change (after reset) */
#define SYSDMA_EMU_FDC_ST0_SE 0x20       /* seek end */
#define SYSDMA_EMU_FDC_ST0_EC 0x10       /* equipment check */
#define SYSDMA_EMU_FDC_ST0_NR 0x08       /* drive not ready (see docs) */
#define SYSDMA_EMU_FDC_ST0_HD 0x04
#define SYSDMA_EMU_FDC_ST1_EN 0x80       /* end of cylinder */
#define SYSDMA_EMU_FDC_ST1_DE 0x20
#define SYSDMA_EMU_FDC_ST1_OR 0x10
#define SYSDMA_EMU_FDC_ST1_ND 0x04       /* no data: sector not found */
#define SYSDMA_EMU_FDC_ST1_NW 0x02       /* not writable */
#define SYSDMA_EMU_FDC_ST1_MA 0x01       /* missing address mark */
#define SYSDMA_EMU_FDC_ST2_WC 0x10       /* wrong cylinder */
#define SYSDMA_EMU_FDC_ST2_BC 0x02       /* bad cylinder (ID cylinder 0xFF) */
#define SYSDMA_EMU_FDC_ST3_WP 0x40
#define SYSDMA_EMU_FDC_ST3_T0 0x10

/* Command opcodes (low bits; MT 0x80, MFM 0x40, SK 0x20 where allowed). */
#define SYSDMA_EMU_FDC_CMD_READ_DATA 0x06
#define SYSDMA_EMU_FDC_CMD_WRITE_DATA 0x05
#define SYSDMA_EMU_FDC_CMD_READ_ID 0x0A
#define SYSDMA_EMU_FDC_CMD_FORMAT 0x0D
#define SYSDMA_EMU_FDC_CMD_SPECIFY 0x03
#define SYSDMA_EMU_FDC_CMD_SENSE_DRIVE 0x04
#define SYSDMA_EMU_FDC_CMD_RECALIBRATE 0x07
#define SYSDMA_EMU_FDC_CMD_SENSE_INT 0x08
#define SYSDMA_EMU_FDC_CMD_SEEK 0x0F
#define SYSDMA_EMU_FDC_CMD_VERSION 0x10
#define SYSDMA_EMU_FDC_CMD_CONFIGURE 0x13
#define SYSDMA_EMU_FDC_CMD_DUMPREG 0x0E
#define SYSDMA_EMU_FDC_CMD_PERPENDICULAR 0x12
#define SYSDMA_EMU_FDC_CMD_LOCK 0x14
#define SYSDMA_EMU_FDC_MT 0x80
#define SYSDMA_EMU_FDC_MFM 0x40
#define SYSDMA_EMU_FDC_SK 0x20

/* One drive and the disk in it. */
typedef struct sysdma_emu_fdc_drive {
    uint8_t *image;      /* caller's buffer; NULL: no disk */
    size_t size;         /* bytes of image */
    bool write_protected;
    uint8_t cylinders;   /* 80 for every supported image; 0 without a disk */
    uint8_t heads;       /* 2 */
    uint8_t sectors;     /* per track: 9, 18 or 36 */
    uint8_t rate;        /* data rate code the medium needs */
    uint8_t cyl;         /* where the head really is (0..SYSDMA_EMU_FDC_MAX_CYL) */
    uint8_t next_id;     /* untimed rotation: index of the next sector ID to pass */
    bool changed;        /* disk-change line (DIR bit 7) */
} sysdma_emu_fdc_drive;

/* Cylinders the drive mechanism can reach (the stop behind cylinder 79). */
#define SYSDMA_EMU_FDC_MAX_CYL 82

/* The command in its execution phase (read, write, format, read ID). */
typedef struct sysdma_emu_fdc_exec {
    uint8_t op;          /* opcode low 5 bits */
    uint8_t stage;       /* see fdc.c: wait, data, between sectors */
    uint8_t drive, hds;  /* drive and physical head */
    uint8_t c, h, r, n;  /* sector ID being transferred */
    uint8_t eot;         /* last sector of the track */
    bool mt;             /* multi-track: continue on head 1 */
    bool mfm;            /* MFM bit of the command (the images are MFM) */
    bool write;          /* data flows host -> disk */
    bool pio;            /* non-DMA: data through the FIFO port */
    uint16_t pos;        /* bytes of the current sector (or ID) moved */
    uint8_t sc, fill;    /* format: sectors, filler byte */
    uint8_t formatted;   /* format: sectors done */
    uint8_t id[4];       /* format: ID bytes received for the current sector */
    uint64_t wait_ns;    /* timing on: time until the current stage ends */
    uint64_t frac_ns;    /* timing on: time towards the next data byte */
    uint32_t credit;     /* timing on: data bytes the disk has let through */
} sysdma_emu_fdc_exec;

/*
 * The controller. The caller allocates it and calls sysdma_emu_fdc_init();
 * fields are public for inspection, change them only through the functions
 * below.
 */
typedef struct sysdma_emu_fdc {
    sysdma_emu_i8237 *dma;
    unsigned channel;
    void (*irq)(void *ctx, bool level);
    void *irq_ctx;
    bool timing;         /* see sysdma_emu_fdc_set_timing */
    sysdma_emu_fdc_drive drive[SYSDMA_EMU_FDC_DRIVES];

    /* Registers. */
    uint8_t dor, tdr, dsr;
    uint8_t rate;        /* data rate code from DSR/CCR */
    uint8_t spec[2];     /* SPECIFY: SRT/HUT, HLT/ND */
    uint8_t config;      /* CONFIGURE byte 2: EIS EFIFO POLL FIFOTHR */
    uint8_t pretrk;
    uint8_t perp;        /* PERPENDICULAR MODE byte (stored, no effect) */
    bool lock;
    uint8_t pcn[4];      /* present cylinder number per drive select */
    uint8_t last_sc_eot; /* DUMPREG byte 7 */

    /* Phases. */
    uint8_t phase;       /* see fdc.c */
    uint8_t cmd[16];
    uint8_t cmd_len, cmd_need;
    uint8_t res[16];
    uint8_t res_len, res_pos;
    sysdma_emu_fdc_exec x;

    /* Interrupt sources. */
    uint8_t reset_pending; /* bit n: drive n's post-reset SENSE INT to come */
    uint8_t seek_pending;  /* bit n: drive n's seek/recalibrate ended */
    uint8_t seek_st0[4];
    uint64_t seek_ns[4];   /* timing on: time left of the seek in progress */
    uint64_t unload_at[SYSDMA_EMU_FDC_DRIVES]; /* timing on: head unloads then */
    bool result_irq;       /* a result phase that raised the interrupt */
    bool irq_out, dreq_out; /* line levels as last driven */

    uint64_t now_ns;       /* time passed in advance() */
} sysdma_emu_fdc;

/*
 * Power on: attach to `channel` (0-3: the controller is an 8-bit device) of
 * `dma`, which the caller keeps alive, no disks, timing off, DOR 0 (so the
 * controller is held in reset until the guest sets DOR bit 2). `irq` (may
 * be NULL) is called with the new level whenever the interrupt output
 * changes, from inside the port access, advance() or the DMA service that
 * caused it. False for a bad channel or a NULL dma.
 */
bool sysdma_emu_fdc_init(sysdma_emu_fdc *fdc, sysdma_emu_i8237 *dma, unsigned dma_channel,
                         void (*irq)(void *ctx, bool level), void *irq_ctx);

/* Hardware reset (the RESET pin): as at power-on, disks and timing kept. */
void sysdma_emu_fdc_reset(sysdma_emu_fdc *fdc);

/*
 * Put a disk in drive 0 or 1: `size` bytes at `image`, owned by the caller
 * and kept alive until eject or until the controller is dropped. The size
 * chooses the geometry (see the file comment); any other size, a NULL
 * image or a bad drive is refused with false and nothing changes. Sets the
 * drive's disk-change line. A command running on that drive ends first, as
 * if the disk were pulled out.
 */
bool sysdma_emu_fdc_insert(sysdma_emu_fdc *fdc, unsigned drive, uint8_t *image, size_t size,
                           bool write_protected);

/* Take the disk out of drive 0 or 1 (no-op when empty or a bad drive). */
void sysdma_emu_fdc_eject(sysdma_emu_fdc *fdc, unsigned drive);

/* Timing on (true) or off (false, the default; see the file comment). */
void sysdma_emu_fdc_set_timing(sysdma_emu_fdc *fdc, bool on);

/* True for the ports the controller decodes: 0x3F0-0x3F5 and 0x3F7. */
bool sysdma_emu_fdc_claims(uint16_t port);

/* Port read; ports it does not decode read 0xFF. */
uint8_t sysdma_emu_fdc_inb(sysdma_emu_fdc *fdc, uint16_t port);

/* Port write; ports it does not decode are ignored. */
void sysdma_emu_fdc_outb(sysdma_emu_fdc *fdc, uint16_t port, uint8_t value);

/*
 * `ns` nanoseconds pass. Call it from the machine loop between DMA runs,
 * with timing off too: that is where a transfer that ran past its last
 * sector without terminal count ends (end of cylinder), since terminal
 * count, which arrives right after the last byte, must be given its chance.
 */
void sysdma_emu_fdc_advance(sysdma_emu_fdc *fdc, uint64_t ns);

/* Time until the controller next changes state on its own (a seek ends, a
 * sector comes round, a data byte arrives), or UINT64_MAX if it waits only
 * for the host or the DMA. 0 means advance(0) has work to do. */
uint64_t sysdma_emu_fdc_next_event_ns(const sysdma_emu_fdc *fdc);

/* ---- Save states ------------------------------------------------------------ */

/* Format version and exact size of a saved controller (emu.h describes the
 * byte format, the refusals and the versioning rule). */
#define SYSDMA_EMU_FDC_SAVE_VERSION 1u
#define SYSDMA_EMU_FDC_SAVE_BYTES (SYSDMA_EMU_SAVE_HEAD_BYTES + 176u)

/*
 * Save the controller into `buf` (`cap` bytes); *written gets the bytes
 * written, or with too small a buffer (buf NULL and cap 0 asks the size)
 * the size needed, and SYSDMA_E_BUFFER_TOO_SMALL. Saved: registers, the
 * phase machine (command and result bytes, the execution phase down to the
 * byte within the sector), interrupt sources, output line levels, timing
 * on/off, the controller's clock and time counters, and per drive the head
 * position, rotation bookkeeping, disk-change line, write protection and
 * the size of the disk in it. Not saved: the disk images (the caller's
 * buffers: save them with the state if the guest may have written them),
 * the 8237 and channel it is attached to, the interrupt callback.
 * SYSDMA_E_INVALID_ARGUMENT for NULL fdc or written, or buf NULL with cap > 0.
 */
sysdma_status sysdma_emu_fdc_save_state(const sysdma_emu_fdc *fdc, void *buf, size_t cap,
                                        size_t *written);

/*
 * Load a saved controller into `fdc`, which the embedder has set up as the
 * saved one was: sysdma_emu_fdc_init() on its 8237, then the same disk
 * images inserted with sysdma_emu_fdc_insert() (their contents as they were
 * at the save). Everything saved is replaced; the request line is driven
 * onto the 8237 again as the state has it; the interrupt callback is not
 * called (the state's line level is `irq_out`; the embedder's interrupt
 * controller restores its own state). After the load, go on calling
 * advance() with the time that passes, as before the save.
 * Refusals change nothing: SYSDMA_E_STATE_CORRUPT, SYSDMA_E_UNKNOWN_VERSION,
 * SYSDMA_E_INVALID_ARGUMENT (emu.h), and SYSDMA_E_WRONG_STATE when a drive
 * is empty where the state had a disk, holds one where it had none, or one
 * of another size.
 */
sysdma_status sysdma_emu_fdc_load_state(sysdma_emu_fdc *fdc, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_EMU_FDC_H */
