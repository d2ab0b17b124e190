/* SPDX-License-Identifier: MIT */
/*
 * The SB16 example driver's private I/O controls, for the programs (and
 * tests) that open \Device\Sb16Wave0. Playback itself is IRP_MJ_WRITE:
 * the buffer is mono PCM in the format last set — 8-bit unsigned or
 * 16-bit signed little-endian — and the write completes when the card has
 * played all of it. The format until one is set comes from the driver's
 * Parameters key (SampleRate, BitsPerSample), else 22050 Hz, 8 bits.
 */
#ifndef SYSDMA_EXAMPLE_WDK_SB16_IOCTL_H
#define SYSDMA_EXAMPLE_WDK_SB16_IOCTL_H

/* In: SB16_FORMAT. Refused while a write is playing. */
#define IOCTL_SB16_SET_FORMAT \
    CTL_CODE(FILE_DEVICE_SOUND, 0x800, METHOD_BUFFERED, FILE_WRITE_ACCESS)
/* Out: SB16_POSITION. */
#define IOCTL_SB16_GET_POSITION \
    CTL_CODE(FILE_DEVICE_SOUND, 0x801, METHOD_BUFFERED, FILE_READ_ACCESS)

typedef struct _SB16_FORMAT {
    ULONG SamplesPerSecond;      /* 5000..44100 */
    ULONG BitsPerSample;         /* 8 or 16 */
} SB16_FORMAT, *PSB16_FORMAT;

typedef struct _SB16_POSITION {
    ULONG BytesPlayed;           /* of the current (or last) write, block-exact */
    ULONG DmaCounter;            /* HalReadDmaCounter at the last interrupt */
    ULONG Interrupts;            /* block interrupts of the current (or last) write */
    ULONG HalfMismatches;        /* interrupts whose DMA position disagreed with the count */
} SB16_POSITION, *PSB16_POSITION;

#endif /* SYSDMA_EXAMPLE_WDK_SB16_IOCTL_H */
