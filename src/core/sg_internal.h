/*
 * Scatter/gather lists inside the core: the private header in front of
 * every list, shared by the support routines (sg.c) and the chained runner
 * (sg_run.c).
 */
#ifndef SYSDMA_SG_INTERNAL_H
#define SYSDMA_SG_INTERNAL_H

#include "internal.h"

#define SG_MAGIC 0x5347u
#define SG_GONE 0xDEADu

typedef struct sg_header {
    uint32_t magic;
    uint32_t size;             /* bytes of the whole block */
    sysdma_adapter *adapter;
    sysdma_mdl *mdl;
    uint8_t *va;
    uint32_t length;
    uint32_t nregs;            /* map registers the list holds */
    sysdma_map_registers *regs;
    bool to_device;
    bool single;               /* one element, whole range */
    bool spans;                /* the range runs on into later MDLs of the chain */
    bool packed;               /* ...bounced from the registers' start (offsets not kept) */
    bool caller_buffer;        /* laid out in sysdma_sg_build's buffer */
    bool mdl_built;
    bool running, queued, finished;
    void *device;
    sysdma_list_control_fn routine;
    void *context;
    /* runner */
    struct sg_header *next_run;
    uint32_t element;
    uint64_t done_bytes;
    sysdma_sg_done_fn done;
    void *done_ctx;
} sg_header;

#define HDR_BYTES ((sizeof(sg_header) + 15u) & ~(size_t)15u)

static inline sysdma_sg_list *list_of(sg_header *h)
{
    return (sysdma_sg_list *)((uint8_t *)h + HDR_BYTES);
}

static inline sg_header *header_of(const sysdma_sg_list *l)
{
    return (sg_header *)((uint8_t *)(uintptr_t)l - HDR_BYTES);
}

static inline uint64_t list_bytes(uint32_t elements)
{
    return HDR_BYTES + sizeof(sysdma_sg_list) + (uint64_t)elements * sizeof(sysdma_sg_element);
}

/* The header of a list this adapter handed out and not yet put. */
static inline sg_header *valid(sysdma_adapter *a, const sysdma_sg_list *l)
{
    sg_header *h = header_of(l);
    return h->magic == SG_MAGIC && h->adapter == a ? h : NULL;
}

#endif /* SYSDMA_SG_INTERNAL_H */
