/*
 * view_timeline.c -- live bytes over the run as one SVG file (see
 * views.h).  The x axis is the report's clock, bytes allocated so far,
 * so the drawing is the same on every run of the same program; the y axis
 * is live bytes.  The peak is marked with a dot and its figure, and each
 * GC cycle (wherever gc_cycles grew between two points) with a dashed
 * line at the later point.  A sampled report's bytes are estimates, and
 * its title, the peak and the GC lines say so.
 */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "msg.h"
#include "svg.h"
#include "units.h"
#include "views.h"

#define IMAGE_WIDTH 1000.0
#define IMAGE_HEIGHT 520.0
#define PLOT_LEFT 90.0
#define PLOT_RIGHT 970.0
#define PLOT_TOP 70.0
#define PLOT_BOTTOM 460.0
#define TICKS 5

static bool point_drawable(const TimelinePoint *point) {
    return point->bytes_allocated.known && point->live_bytes.known;
}

size_t view_timeline_drawable(const Report *report) {
    size_t count = 0;
    for (size_t i = 0; i < report->timeline.point_count; i++)
        count += point_drawable(&report->timeline.points[i]);
    return count;
}

/* A step between ticks: a power of two bytes, so that every label
 * (size_text, in KiB and MiB) is exact, giving TICKS / 2 to TICKS ticks.
 * Bounded for any range: the step stops short of overflowing. */
static double tick_step(double range) {
    double step = 1;
    while (step * TICKS < range && step < DBL_MAX / 4) step *= 2;
    return step;
}

/* The number of the last tick up to `limit`, the first being at 0: TICKS
 * at most with tick_step's step, and bounded whatever the figures, where
 * a running sum of steps could stop growing before it passed the limit. */
static int ticks_after_zero(double limit, double step) {
    double ticks = floor(limit * 1.0001 / step);
    return ticks < TICKS + 1 ? (int)ticks : TICKS + 1;
}

typedef struct {
    double max_x, max_y;
} Scale;

static double x_of(const Scale *scale, double value) {
    return PLOT_LEFT + value / scale->max_x * (PLOT_RIGHT - PLOT_LEFT);
}

static double y_of(const Scale *scale, double value) {
    return PLOT_BOTTOM - value / scale->max_y * (PLOT_BOTTOM - PLOT_TOP);
}

static void axes_draw(FILE *out, const Scale *scale) {
    fprintf(out, "<g stroke=\"rgb(60,60,60)\" stroke-width=\"1\">"
                 "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                 "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>\n",
            PLOT_LEFT, PLOT_BOTTOM, PLOT_RIGHT, PLOT_BOTTOM, PLOT_LEFT, PLOT_TOP, PLOT_LEFT, PLOT_BOTTOM);
    double step = tick_step(scale->max_x);
    for (int tick = 0, last = ticks_after_zero(scale->max_x, step); tick <= last; tick++) {
        double value = tick * step;
        char *label = size_text(value);
        double x = x_of(scale, value);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"rgb(60,60,60)\"/>"
                     "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                x, PLOT_BOTTOM, x, PLOT_BOTTOM + 5, x, PLOT_BOTTOM + 20, label);
        free(label);
    }
    step = tick_step(scale->max_y);
    for (int tick = 0, last = ticks_after_zero(scale->max_y, step); tick <= last; tick++) {
        double value = tick * step;
        char *label = size_text(value);
        double y = y_of(scale, value);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"rgb(225,225,225)\"/>"
                     "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                PLOT_LEFT, y, PLOT_RIGHT, y, PLOT_LEFT - 6, y + 4, label);
        free(label);
    }
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">bytes allocated so far</text>\n",
            (PLOT_LEFT + PLOT_RIGHT) / 2, PLOT_BOTTOM + 42);
    fprintf(out, "<text x=\"20\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 20 %.1f)\">"
                 "live bytes</text>\n",
            (PLOT_TOP + PLOT_BOTTOM) / 2, (PLOT_TOP + PLOT_BOTTOM) / 2);
}

/* Dashed lines where gc_cycles grew; returns the cycles marked. */
static double gc_draw(FILE *out, const Report *report, const Scale *scale) {
    const Timeline *timeline = &report->timeline;
    double cycles = 0;
    const TimelinePoint *before = NULL;
    for (size_t i = 0; i < timeline->point_count; i++) {
        const TimelinePoint *point = &timeline->points[i];
        if (!point_drawable(point) || !point->gc_cycles.known) continue;
        if (before != NULL && point->gc_cycles.value > before->gc_cycles.value) {
            double x = x_of(scale, point->bytes_allocated.value);
            double grown = point->gc_cycles.value - before->gc_cycles.value;
            cycles += grown;
            fprintf(out, "<g><title>GC: %.0f cycle%s before %s%.0f bytes allocated (cycles %.0f to %.0f)</title>"
                         "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"rgb(40,140,60)\" "
                         "stroke-opacity=\"0.55\" stroke-dasharray=\"3,3\"/></g>\n",
                    grown, grown == 1 ? "" : "s", report->sampled ? "~" : "", point->bytes_allocated.value,
                    before->gc_cycles.value, point->gc_cycles.value, x, PLOT_TOP, x, PLOT_BOTTOM);
        }
        before = point;
    }
    return cycles;
}

void view_timeline_write(const Report *report, FILE *out) {
    const Timeline *timeline = &report->timeline;
    Scale scale = {0, 0};
    const TimelinePoint *highest = NULL;
    bool gc_known = false;
    for (size_t i = 0; i < timeline->point_count; i++) {
        const TimelinePoint *point = &timeline->points[i];
        if (!point_drawable(point)) continue;
        if (point->bytes_allocated.value > scale.max_x) scale.max_x = point->bytes_allocated.value;
        if (point->live_bytes.value > scale.max_y) scale.max_y = point->live_bytes.value;
        if (highest == NULL || point->live_bytes.value > highest->live_bytes.value) highest = point;
        gc_known |= point->gc_cycles.known;
    }
    double peak_x = highest != NULL ? highest->bytes_allocated.value : 0;
    double peak_y = highest != NULL ? highest->live_bytes.value : 0;
    if (timeline->has_peak && timeline->peak_bytes_allocated.known && timeline->peak_live_bytes.known) {
        peak_x = timeline->peak_bytes_allocated.value;
        peak_y = timeline->peak_live_bytes.value;
    }
    if (peak_x > scale.max_x) scale.max_x = peak_x;
    if (peak_y > scale.max_y) scale.max_y = peak_y;
    /* Headroom above the peak, and no division by zero for an empty run;
     * the scale stays finite however large the figures. */
    if (scale.max_y <= 0) scale.max_y = 1;
    else scale.max_y = scale.max_y < DBL_MAX / 1.08 ? scale.max_y * 1.08 : DBL_MAX;
    if (scale.max_x <= 0) scale.max_x = 1;

    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n"
            "<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            IMAGE_WIDTH, IMAGE_HEIGHT, IMAGE_WIDTH, IMAGE_HEIGHT);
    const char *program = report->program != NULL ? report->program : report->source;
    fprintf(out, "<text x=\"%.0f\" y=\"26\" text-anchor=\"middle\" font-size=\"17\">Live bytes%s: ",
            IMAGE_WIDTH / 2, report->sampled ? " (estimated)" : "");
    svg_escape(out, program);
    fputs("</text>\n", out);
    axes_draw(out, &scale);
    double cycles = gc_draw(out, report, &scale);

    /* The curve, and the area under it. */
    fputs("<polygon fill=\"rgb(70,120,200)\" fill-opacity=\"0.18\" stroke=\"none\" points=\"", out);
    bool first = true;
    double last_x = PLOT_LEFT;
    for (size_t i = 0; i < timeline->point_count; i++) {
        const TimelinePoint *point = &timeline->points[i];
        if (!point_drawable(point)) continue;
        if (first) fprintf(out, "%.1f,%.1f ", x_of(&scale, point->bytes_allocated.value), PLOT_BOTTOM);
        last_x = x_of(&scale, point->bytes_allocated.value);
        fprintf(out, "%.1f,%.1f ", last_x, y_of(&scale, point->live_bytes.value));
        first = false;
    }
    fprintf(out, "%.1f,%.1f\"/>\n", last_x, PLOT_BOTTOM);
    fputs("<polyline fill=\"none\" stroke=\"rgb(40,80,170)\" stroke-width=\"1.5\" points=\"", out);
    for (size_t i = 0; i < timeline->point_count; i++) {
        const TimelinePoint *point = &timeline->points[i];
        if (point_drawable(point))
            fprintf(out, "%.1f,%.1f ", x_of(&scale, point->bytes_allocated.value),
                    y_of(&scale, point->live_bytes.value));
    }
    fputs("\"/>\n", out);

    char *peak_size = size_text(peak_y);
    char *peak = str_printf("%.0f bytes (%s)", peak_y, peak_size);
    free(peak_size);
    const char *estimate = report->sampled ? "~" : "";
    double px = x_of(&scale, peak_x), py = y_of(&scale, peak_y);
    fprintf(out, "<g><title>peak: %s%.0f bytes live, after %s%.0f bytes allocated%s</title>"
                 "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"rgb(200,40,40)\"/>"
                 "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"rgb(200,40,40)\">peak %s%s</text></g>\n",
            estimate, peak_y, estimate, peak_x, report->sampled ? " (estimated)" : "", px, py, px > (PLOT_LEFT + PLOT_RIGHT) / 2 ? px - 8 : px + 8,
            py - 8, px > (PLOT_LEFT + PLOT_RIGHT) / 2 ? "end" : "start", estimate, peak);
    free(peak);

    fprintf(out, "<text x=\"%.0f\" y=\"50\" text-anchor=\"middle\" fill=\"rgb(90,90,90)\">", IMAGE_WIDTH / 2);
    fprintf(out, "%zu points; ", view_timeline_drawable(report));
    if (gc_known) fprintf(out, "%.0f GC cycle%s (dashed green lines)", cycles, cycles == 1 ? "" : "s");
    else fputs("GC cycles not recorded", out);
    if (report->sampled) fputs("; sampled, figures are estimates", out);
    fputs("</text>\n</svg>\n", out);
}
