/* SPDX-License-Identifier: MIT */
/*
 * The DMA verifier's private records and the functions its files share
 * (verifier.c: switching on, reports, teardown; verifier_ops.c: the
 * verifying operations table; verifier_sg.c: its scatter/gather members;
 * verifier_dead.c: the quarantine table).
 */
#ifndef SYSDMA_VERIFIER_INTERNAL_H
#define SYSDMA_VERIFIER_INTERNAL_H

#include "internal.h"
#include "sysdma/verifier.h"

#define GUARD_BYTES 64u
#define GUARD_BYTE 0xA7u

typedef struct site {
    const char *file;
    int line;
} site;

/* ---- records --------------------------------------------------------------------------- */

typedef struct kept_set {
    struct kept_set *next;
    sysdma_map_registers *base;
    uint32_t count;
} kept_set;

typedef struct common_rec {
    struct common_rec *next;
    void *va;
    uint64_t logical;
    uint32_t length, inner_length; /* the driver's, and the allocation's around it */
    uint32_t front;                /* guard bytes before va */
    bool cached;
} common_rec;

typedef struct list_rec {
    struct list_rec *next;
    sysdma_sg_list *list;
    bool to_device;
    const sysdma_mdl *mdl;         /* the range: from va in mdl, on into its chain */
    const uint8_t *va;
    uint32_t length;
    bool running;                  /* started on the controller, not yet done */
    sysdma_adapter *adapter;
    sysdma_sg_done_fn done;        /* the driver's */
    void *done_ctx;
    /* its map registers: bytes no element covers hold guard bytes */
    uint8_t *run_va;
    uint64_t run_phys;
    uint32_t run_bytes;
    uint64_t sum;                  /* a write to the device: checksum of the range */
} list_rec;

typedef struct vrec vrec;

/* One request through a trampoline (AdapterControl or list control). */
typedef struct tramp {
    struct tramp *next;            /* outstanding, or spare */
    vrec *rec;
    void *device, *context;
    sysdma_adapter_control_fn routine;
    sysdma_list_control_fn list_routine;
    uint32_t count;
    const void *tag;               /* a version-3 request's transfer context */
    bool to_device;
    const sysdma_mdl *mdl;         /* a list request's range */
    const uint8_t *va;
    uint32_t length;
    /* Records the grant will need, allocated with the request (before the
     * core is asked), so that a grant never finds the verifier without
     * memory: a list's record, or a register set's for KEEP_REGISTERS.
     * A spare tramp keeps them for the next request. */
    struct list_rec *lrec;
    struct kept_set *kset;
} tramp;

struct vrec {
    vrec *next;
    sysdma_adapter *handle;        /* the driver's reference it wraps */
    sysdma_adapter *a;             /* the adapter object behind it */
    const sysdma_dma_operations *inner;
    sysdma_dma_operations ops;     /* sysdma__vf_ops, minus what the inner table lacks */

    bool system;                   /* a system adapter (channel), not a bus master */
    /* channel */
    bool holding;                  /* granted and not released */
    void *holder;                  /* ...by this device */
    uint32_t generation;           /* bumps on every grant and release */
    bool in_control;               /* its AdapterControl routine is running */
    bool regs_freed_in_control;
    sysdma_map_registers *regs;    /* held with the channel */
    uint32_t regs_count;
    kept_set *kept;
    uint32_t kept_sets;
    /* the mapped transfer */
    bool mapped;
    sysdma_mdl *map_mdl;
    const uint8_t *map_va;
    uint32_t map_len;
    bool map_to_device;
    sysdma_map_registers *map_regs;
    bool map_bounced;
    uint64_t map_sum;              /* bounced write: checksum of the buffer at map */
    uint8_t *guard;                /* bounced: guard bytes after the mapped bytes */
    uint32_t guard_len;
    uint32_t guard_front;          /* ...and before them (the adapter's bounce lead) */
    common_rec *commons;
    uint32_t ncommons;
    list_rec *lists;
    uint32_t nlists;
    uint32_t pending_lists;        /* list requests not yet handed to their routine */
};

struct sysdma_verifier {
    sysdma_system *sys;
    sysdma_verifier_config cfg;
    vrec *recs;
    tramp *outstanding;            /* requests whose routine has not run yet */
    tramp *spare;
    uint64_t counts[SYSDMA_VCHECK_COUNT + 1];
};
typedef struct sysdma_verifier verifier;


#define V_OF(a) ((verifier *)(a)->sys->hook_ctx)

/* ---- helpers --------------------------------------------------------------------------- */

/* The record of a handle the verifier wraps (one per sysdma_adapter_get). */
static inline vrec *rec_of(const sysdma_adapter *h)
{
    return sysdma__handle_decoration(h);
}

/* The adapter object behind a wrapped handle. */
static inline sysdma_adapter *obj_of(const sysdma_adapter *h)
{
    return rec_of(h)->a;
}

/* Does another reference to r's adapter hold its channel (lock held)? Each
 * sysdma_adapter_get has its own record: one driver's call on a channel
 * another driver holds is a misuse even though the adapter is shared. */
static inline bool held_by_other(const verifier *v, const vrec *r)
{
    for (const vrec *o = v->recs; o; o = o->next)
        if (o != r && o->a == r->a && o->holding)
            return true;
    return false;
}

static inline tramp *tramp_take(verifier *v)
{
    tramp *t = v->spare;
    if (t) {
        v->spare = t->next;
        return t;
    }
    return NULL;
}

static inline void tramp_give(verifier *v, tramp *t)
{
    t->next = v->spare;
    v->spare = t;
}

static inline void unlink_outstanding(verifier *v, tramp *t)
{
    tramp **link = &v->outstanding;
    while (*link && *link != t)
        link = &(*link)->next;
    if (*link)
        *link = t->next;
}

static inline bool in_mdl(const sysdma_mdl *m, const uint8_t *va, uint32_t len)
{
    const uint8_t *lo = sysdma_mdl_virtual_address(m);
    return va >= lo && va < lo + m->byte_count && len <= (size_t)(lo + m->byte_count - va);
}

/* A range from va in m that may run on into m's chain, taken a piece (the
 * bytes inside one MDL) at a time. */
typedef struct piece_iter {
    const sysdma_mdl *m;
    const uint8_t *va;
    uint32_t left;
} piece_iter;

/* The next piece, or false at the end of the range or of the chain. */
static inline bool next_piece(piece_iter *it, const uint8_t **va, uint32_t *len)
{
    if (!it->left || !it->m)
        return false;
    const uint8_t *end = (const uint8_t *)sysdma_mdl_virtual_address(it->m) + it->m->byte_count;
    size_t have = (size_t)(end - it->va);
    *va = it->va;
    *len = have < it->left ? (uint32_t)have : it->left;
    it->left -= *len;
    it->m = it->m->next;
    if (it->m)
        it->va = sysdma_mdl_virtual_address(it->m);
    return true;
}

/* Does the chain hold the range (no empty or foreign MDL on the way)?
 * `odd`: a mask every piece's address and length must clear. */
static inline sysdma_verifier_check chain_range_check(const sysdma_mdl *m, const uint8_t *va,
                                                      uint32_t len, uint32_t odd)
{
    if (!in_mdl(m, va, 1))
        return SYSDMA_VCHECK_OUT_OF_MDL;
    piece_iter it = {m, va, len};
    const sysdma_mdl *cur = m;
    const uint8_t *pva;
    uint32_t plen;
    while (it.left) {
        if (!cur || cur->byte_count == 0 || cur->system != m->system)
            return SYSDMA_VCHECK_OUT_OF_MDL;
        cur = cur->next;
        (void)next_piece(&it, &pva, &plen);
        if (((uintptr_t)pva | plen) & odd)
            return SYSDMA_VCHECK_ODD_16BIT;
    }
    return SYSDMA_VCHECK_COUNT;
}

/* Do two ranges (each possibly running on into its MDL chain) share a byte? */
static inline bool ranges_meet(const sysdma_mdl *am, const uint8_t *ava, uint32_t alen,
                               const sysdma_mdl *bm, const uint8_t *bva, uint32_t blen)
{
    piece_iter a = {am, ava, alen};
    const uint8_t *pa, *pb;
    uint32_t la, lb;
    while (next_piece(&a, &pa, &la)) {
        piece_iter b = {bm, bva, blen};
        while (next_piece(&b, &pb, &lb))
            if (pa < pb + lb && pb < pa + la)
                return true;
    }
    return false;
}

static inline uint64_t checksum(const uint8_t *p, uint32_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (uint32_t k = 0; k < n; k++)
        h = (h ^ p[k]) * 1099511628211ull;
    return h;
}

/* Checksum of a range that may run on into its MDL chain. */
static inline uint64_t chain_checksum(const sysdma_mdl *m, const uint8_t *va, uint32_t len)
{
    piece_iter it = {m, va, len};
    const uint8_t *p;
    uint32_t n;
    uint64_t h = 0;
    while (next_piece(&it, &p, &n))
        h = h * 31u + checksum(p, n);
    return h;
}

static inline bool guard_intact(const uint8_t *g, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        if (g[k] != GUARD_BYTE)
            return false;
    return true;
}

/* Does [va, va + len) overlap a live mapping or list of any verified
 * adapter, where one of the two moves data into memory? (lock held) */
static inline bool overlaps(verifier *v, const sysdma_mdl *mdl, const uint8_t *va, uint32_t len,
                            bool to_device)
{
    for (vrec *r = v->recs; r; r = r->next) {
        if (r->mapped && (!to_device || !r->map_to_device) &&
            ranges_meet(mdl, va, len, r->map_mdl, r->map_va, r->map_len))
            return true;
        for (list_rec *l = r->lists; l; l = l->next)
            if ((!to_device || !l->to_device) &&
                ranges_meet(mdl, va, len, l->mdl, l->va, l->length))
                return true;
    }
    return false;
}


/* verifier_ops.c: a request's record on the outstanding list, and taken
 * off it again when the request fails at once. */
tramp *sysdma__vf_tramp_post(verifier *v, tramp *t, const tramp *init);
void sysdma__vf_tramp_unpost(verifier *v, tramp *t);

/* verifier_sg.c: the scatter/gather members of the verifying table. */
sysdma_status sysdma__vf_sg_get(sysdma_adapter *a, void *device, sysdma_mdl *mdl, void *va,
                                uint32_t length, sysdma_list_control_fn routine, void *context,
                                bool to_device);
sysdma_status sysdma__vf_sg_build(sysdma_adapter *a, void *device, sysdma_mdl *mdl, void *va,
                                  uint32_t length, sysdma_list_control_fn routine, void *context,
                                  bool to_device, void *buffer, uint32_t *buffer_size);
sysdma_status sysdma__vf_sg_put(sysdma_adapter *a, sysdma_sg_list *list, bool to_device);
sysdma_status sysdma__vf_sg_calculate(sysdma_adapter *a, sysdma_mdl *mdl, void *va,
                                      uint32_t length, uint32_t *size, uint32_t *regs);
sysdma_status sysdma__vf_sg_build_mdl(sysdma_adapter *a, sysdma_sg_list *list,
                                      const sysdma_mdl *original, sysdma_mdl **out);
sysdma_status sysdma__vf_sg_start(sysdma_adapter *a, sysdma_sg_list *list, bool to_device,
                                  sysdma_sg_done_fn done, void *ctx);
sysdma_status sysdma__vf_sg_cancel(sysdma_adapter *a, sysdma_sg_list *list);
uint64_t sysdma__vf_sg_progress(sysdma_adapter *a, const sysdma_sg_list *list);

/* verifier.c */
site sysdma__vf_take_site(void);
/* This thread's AdapterControl nesting (per thread where the build has
 * thread-local storage). */
bool sysdma__vf_in_control(void);
void sysdma__vf_control_enter(bool enter);
/* Report (lock not held); in stop mode does not return. */
void sysdma__vf_report(verifier *v, sysdma_verifier_check c, sysdma_adapter *a, const char *call,
                       site where, uint64_t count, const char *what);
/* Report and return SYSDMA_E_VERIFIER. */
sysdma_status sysdma__vf_refuse(verifier *v, sysdma_verifier_check c, sysdma_adapter *a,
                                const char *call, site where);
/* What the adapter still holds, as reports of check `c`; returns how many kinds. */
unsigned sysdma__vf_report_held(verifier *v, vrec *r, const char *call, site where,
                                sysdma_verifier_check c);

/* verifier_ops.c */
extern const sysdma_dma_operations sysdma__vf_ops;
/* verifier.c: a put handle's record goes (lock not held). */
void sysdma__vf_forget(verifier *v, vrec *r);

#endif /* SYSDMA_VERIFIER_INTERNAL_H */
