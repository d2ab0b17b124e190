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
    bool cancelled;            /* cancelled while its grant was on its way: it ends unrun */
    void *device;
    sysdma_list_control_fn routine;
    void *context;
    /* runner */
    struct sg_header *next_run;
    uint32_t element;
    uint64_t done_bytes;
    sysdma_sg_done_fn done;
    void *done_ctx;
    /* The elements the run programs: the core's copy, taken and checked
     * against the channel at the start (the list itself is the driver's
     * to scribble on), freed when the run ends. */
    sysdma_sg_element *run_elements;
    uint32_t run_count;
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

/* The elements the list was built with (its block's size says). */
static inline uint32_t built_elements(const sg_header *h)
{
    uint64_t fixed = HDR_BYTES + sizeof(sysdma_sg_list);
    return h->size > fixed ? (uint32_t)((h->size - fixed) / sizeof(sysdma_sg_element)) : 0;
}

/* The header of a list this adapter handed out and not yet put. */
static inline sg_header *valid(sysdma_adapter *a, const sysdma_sg_list *l)
{
    sg_header *h = header_of(l);
    return h->magic == SG_MAGIC && h->adapter == a ? h : NULL;
}

#endif /* SYSDMA_SG_INTERNAL_H */
