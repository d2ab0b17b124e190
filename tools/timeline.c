/* SPDX-License-Identifier: MIT */
/*
 * The demo's timeline: per channel, when requests waited, when the channel
 * was held, and when bytes moved; and the map-register pool's use — over
 * simulated time, drawn as one SVG with an axis, a legend and a row per
 * channel.
 *
 * Samples come at the demo's steps; equal consecutive states merge into
 * one interval, so the drawing stays small however long the run.
 */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>

typedef struct span {
    uint64_t from, to;
} span;

typedef struct band {
    span *v;
    size_t n, cap;
    bool on;
} band;

typedef struct row {
    unsigned channel;
    char label[48];
    band kinds[TIMELINE_KINDS];
    uint64_t units_in_step; /* DACK units since the last sample */
    uint64_t bytes;
} row;

typedef struct point {
    uint64_t t;
    uint32_t used;
} point;

struct timeline {
    row rows[8];
    unsigned nrows;
    uint64_t last_t;
    point *pool;
    size_t npool, cap_pool;
    uint32_t pool_pages, pool_max;
};

timeline *timeline_new(void)
{
    return calloc(1, sizeof(timeline));
}

void timeline_free(timeline *t)
{
    if (!t)
        return;
    for (unsigned r = 0; r < t->nrows; r++)
        for (unsigned k = 0; k < TIMELINE_KINDS; k++)
            free(t->rows[r].kinds[k].v);
    free(t->pool);
    free(t);
}

int timeline_add_row(timeline *t, unsigned channel, const char *label)
{
    if (t->nrows == 8)
        return -1;
    row *r = &t->rows[t->nrows];
    r->channel = channel;
    snprintf(r->label, sizeof r->label, "%s", label);
    return (int)t->nrows++;
}

void timeline_units(timeline *t, unsigned channel, uint32_t units)
{
    for (unsigned k = 0; k < t->nrows; k++)
        if (t->rows[k].channel == channel)
            t->rows[k].units_in_step += units;
}

static void band_set(band *b, bool on, uint64_t from, uint64_t to)
{
    if (on && b->on && b->n) {
        b->v[b->n - 1].to = to; /* still on: extend */
    } else if (on) {
        if (b->n == b->cap) {
            size_t cap = b->cap ? 2 * b->cap : 64;
            span *v = realloc(b->v, cap * sizeof *v);
            if (!v)
                return;
            b->v = v;
            b->cap = cap;
        }
        b->v[b->n++] = (span){from, to};
    }
    b->on = on;
}

void timeline_sample(timeline *t, uint64_t now, const bool state[][TIMELINE_KINDS],
                     uint32_t pool_used, uint32_t pool_pages)
{
    uint64_t from = t->last_t;
    for (unsigned r = 0; r < t->nrows; r++) {
        row *w = &t->rows[r];
        for (unsigned k = 0; k < TIMELINE_KINDS; k++) {
            bool on = k == TIMELINE_MOVING ? w->units_in_step != 0 : state[r][k];
            band_set(&w->kinds[k], on, from, now);
        }
        w->units_in_step = 0;
    }
    if (!t->npool || t->pool[t->npool - 1].used != pool_used) {
        if (t->npool == t->cap_pool) {
            size_t cap = t->cap_pool ? 2 * t->cap_pool : 256;
            point *p = realloc(t->pool, cap * sizeof *p);
            if (p) {
                t->pool = p;
                t->cap_pool = cap;
            }
        }
        if (t->npool < t->cap_pool)
            t->pool[t->npool++] = (point){from, pool_used};
    }
    if (pool_used > t->pool_max)
        t->pool_max = pool_used;
    t->pool_pages = pool_pages;
    t->last_t = now;
}

/* XML-safe text. */
static void text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* A tick step of 1, 2 or 5 × 10^k ms giving about 10 ticks. */
static double tick_ms(double span_ms)
{
    double step = 0.001;
    while (span_ms / step > 12) {
        if (span_ms / (step * 2) <= 12)
            return step * 2;
        if (span_ms / (step * 5) <= 12)
            return step * 5;
        step *= 10;
    }
    return step;
}

/* A step of 1, 2 or 5 x 10^k pages giving at most 4 steps up to `top`. */
static uint32_t pool_step(uint32_t top)
{
    uint32_t step = 1;
    for (;;) {
        if (top / step <= 4)
            return step;
        if (top / (step * 2) <= 4)
            return step * 2;
        if (top / (step * 5) <= 4)
            return step * 5;
        step *= 10;
    }
}

bool timeline_write_svg(const timeline *t, FILE *f, const char *title)
{
    const double left = 150, width = 900, row_h = 40, top = 70;
    const double pool_h = 90;
    double end_ns = t->last_t ? (double)t->last_t : 1;
    double height = top + row_h * t->nrows + 50 + pool_h + 40;
    double total_w = left + width + 30;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
            total_w, height, total_w, height);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"10\" y=\"20\" "
               "font-size=\"15\" font-weight=\"bold\">");
    text(f, title);
    fprintf(f, "</text>\n");
    /* legend */
    static const char *names[TIMELINE_KINDS] = {"request waiting", "channel held", "bytes moving"};
    static const char *colours[TIMELINE_KINDS] = {"#f39c12", "#9ecae1", "#08519c"};
    for (unsigned k = 0; k < TIMELINE_KINDS; k++) {
        double x = 10 + 170 * k;
        fprintf(f, "<g class=\"legend\"><rect x=\"%.0f\" y=\"32\" width=\"14\" height=\"10\" fill=\"%s\"/>"
                   "<text x=\"%.0f\" y=\"41\">%s</text></g>\n",
                x, colours[k], x + 20, names[k]);
    }
    fprintf(f, "<g class=\"legend\"><line x1=\"520\" y1=\"37\" x2=\"534\" y2=\"37\" stroke=\"#2ca02c\" "
               "stroke-width=\"2\"/><text x=\"540\" y=\"41\">map registers in use</text></g>\n");
    /* rows */
    static const double band_y[TIMELINE_KINDS] = {2, 11, 24};
    static const double band_h[TIMELINE_KINDS] = {7, 11, 11};
    for (unsigned r = 0; r < t->nrows; r++) {
        const row *w = &t->rows[r];
        double y = top + row_h * r;
        fprintf(f, "<g class=\"channel\" data-channel=\"%u\">\n", w->channel);
        fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"%s\"/>\n", left,
                y, width, row_h - 4, r % 2 ? "#f7f7f7" : "#efefef");
        fprintf(f, "<text x=\"10\" y=\"%.0f\">", y + 22);
        text(f, w->label);
        fprintf(f, "</text>\n");
        /* Spans closer than half a pixel are drawn as one. */
        uint64_t join = (uint64_t)(end_ns / width / 2);
        for (unsigned k = 0; k < TIMELINE_KINDS; k++) {
            const band *b = &w->kinds[k];
            for (size_t i = 0; i < b->n;) {
                uint64_t from = b->v[i].from, to = b->v[i].to;
                for (i++; i < b->n && b->v[i].from <= to + join; i++)
                    to = b->v[i].to;
                double x0 = left + width * (double)from / end_ns;
                double x1 = left + width * (double)to / end_ns;
                double wpx = x1 - x0 < 0.5 ? 0.5 : x1 - x0;
                fprintf(f, "<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\">"
                           "<title>%s %.3f-%.3f ms</title></rect>\n",
                        x0, y + band_y[k], wpx, band_h[k], colours[k], names[k], (double)from / 1e6,
                        (double)to / 1e6);
            }
        }
        fprintf(f, "</g>\n");
    }
    /* pool use, a step line */
    double py = top + row_h * t->nrows + 30;
    uint32_t top_pages = t->pool_pages > t->pool_max ? t->pool_pages : t->pool_max;
    double scale = top_pages ? (double)top_pages : 1;
    fprintf(f, "<g class=\"pool\"><rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" "
               "fill=\"none\" stroke=\"#ccc\"/>\n",
            left, py, width, pool_h);
    /* Its y scale: map registers in use, 0 at the bottom, the pool's
     * size at the top, ticks at round steps between. */
    uint32_t ystep = pool_step(top_pages);
    fprintf(f, "<g class=\"pool-axis\"><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
               "stroke=\"black\"/>\n",
            left, py, left, py + pool_h);
    for (uint32_t v = 0;; v += ystep) {
        if (v > top_pages || (v && v < top_pages && (top_pages - v) * 2 < ystep))
            v = top_pages; /* the top, not a tick crowding it */
        double y = py + pool_h - pool_h * (double)v / scale;
        fprintf(f, "<line x1=\"%.0f\" y1=\"%.2f\" x2=\"%.0f\" y2=\"%.2f\" stroke=\"black\"/>"
                   "<text class=\"tick\" x=\"%.0f\" y=\"%.2f\" text-anchor=\"end\">%u</text>\n",
                left - 4, y, left, y, left - 6, y + 4, v);
        if (v >= top_pages)
            break;
    }
    fprintf(f, "</g>\n");
    fprintf(f, "<text x=\"10\" y=\"%.0f\">map registers</text>\n", py + 16);
    fprintf(f, "<text x=\"10\" y=\"%.0f\" fill=\"#555\">pool %u, most %u</text>\n", py + 32,
            t->pool_pages, t->pool_max);
    fprintf(f, "<polyline fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"1.5\" points=\"");
    double prev_y = py + pool_h;
    for (size_t i = 0; i < t->npool; i++) {
        double x = left + width * (double)t->pool[i].t / end_ns;
        double yv = py + pool_h - pool_h * (double)t->pool[i].used / scale;
        fprintf(f, "%.2f,%.2f %.2f,%.2f ", x, prev_y, x, yv);
        prev_y = yv;
    }
    fprintf(f, "%.2f,%.2f\"/></g>\n", left + width, prev_y);
    /* time axis */
    double ay = py + pool_h + 8;
    double span_ms = end_ns / 1e6, step = tick_ms(span_ms);
    fprintf(f, "<g class=\"axis\"><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>\n",
            left, ay, left + width, ay);
    for (double ms = 0; ms <= span_ms + 1e-9; ms += step) {
        double x = left + width * ms / span_ms;
        fprintf(f, "<line x1=\"%.2f\" y1=\"%.0f\" x2=\"%.2f\" y2=\"%.0f\" stroke=\"black\"/>"
                   "<text x=\"%.2f\" y=\"%.0f\" text-anchor=\"middle\">%g</text>\n",
                x, ay, x, ay + 5, x, ay + 18, ms);
    }
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">simulated ms</text></g>\n",
            left + width, ay + 32);
    fprintf(f, "</svg>\n");
    return !ferror(f);
}
