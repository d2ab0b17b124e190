/* SPDX-License-Identifier: MIT */
/*
 * Scatter/gather lists inside the core: the private header in front of
 * every list, shared by the support routines (sg.c) and the chained runner
 * (sg_run.c).
 */
#ifndef SYSDMA_SG_INTERNAL_H
#define SYSDMA_SG_INTERNAL_H

#include "internal.h"

/*
 * A list's record. Always the core's memory: for sysdma_sg_get the list
 * follows it in one block; for sysdma_sg_build the list lies in the
 * caller's buffer and the record is allocated on its own. A list pointer a
 * caller hands back is looked up among its adapter's records (`valid`),
 * never read through first.
 */
typedef struct sg_header {
    struct sg_header *live_next, *live_prev; /* the adapter's lists not yet put */
    sysdma_sg_list *list;      /* what the driver sees */
    uint32_t size;             /* bytes of the block (record + list) for a got list */
    sysdma_adapter *adapter;
    sysdma_adapter *caller;    /* the handle passed to `done` */
    sysdma_mdl *mdl;
    uint8_t *va;
    uint32_t length;
    uint32_t elements;         /* the list was built with */
    uint32_t nregs;            /* map registers the list holds */
    sysdma_map_registers *regs;
    bool to_device;
    bool single;               /* one element, whole range */
    bool spans;                /* the range runs on into later MDLs of the chain */
    bool packed;               /* ...bounced from the registers' start (offsets not kept) */
    bool caller_buffer;        /* laid out in sysdma_sg_build's buffer */
    bool mdl_built;
    bool putting;              /* a put is copying back and freeing it */
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
    /* The elements the run programs, as the controller's fragments: the
     * core's copy, taken and checked against the channel at the start (the
     * list itself is the driver's to scribble on), freed when the run
     * ends. `element` is the first of the program on the channel, `chunk`
     * how many it has (up to the controller's query_fragments: 1 on the
     * 8237, many on a controller with hardware linked lists). */
    sysdma_fragment *run_frags;
    uint32_t run_count;
    uint32_t chunk;
} sg_header;

#define HDR_BYTES ((sizeof(sg_header) + 15u) & ~(size_t)15u)

static inline sysdma_sg_list *list_of(sg_header *h)
{
    return h->list;
}

static inline uint64_t list_bytes(uint32_t elements)
{
    return HDR_BYTES + sizeof(sysdma_sg_list) + (uint64_t)elements * sizeof(sysdma_sg_element);
}

/* The elements the list was built with (the core's record says). */
static inline uint32_t built_elements(const sg_header *h)
{
    return h->elements;
}

/* The record of a list this adapter handed out and not yet put (lock
 * held); NULL for anything else, without reading through `l`. */
static inline sg_header *valid(sysdma_adapter *a, const sysdma_sg_list *l)
{
    for (sg_header *h = a->live_lists; h; h = h->live_next)
        if (h->list == l)
            return h->putting ? NULL : h;
    return NULL;
}


#endif /* SYSDMA_SG_INTERNAL_H */
