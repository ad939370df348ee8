/*
 * compare.c - --replay's comparison (m marks a frame, = compares the one
 * shown with it): per process the bytes that became PMD-mapped or large
 * folios and the PMD mappings made and split, most changed first; under
 * each its VMAs that changed most (all of them for the selected
 * process). Arrows scroll it; any other key closes it.
 */
#include "ui_panes.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "memtop/diff.h"
#include "memtop/escape.h"
#include "memtop/units.h"

#define VMAS_EACH 3

static void clock_of(char *b, size_t len, const struct mt_snapshot *s)
{
	struct tm tm;
	time_t t = (time_t)(s->time_ns / 1000000000u);
	localtime_r(&t, &tm);
	strftime(b, len, "%H:%M:%S", &tm);
}

/* Line y of the comparison is line k of its text: draw it when it is on
 * screen. */
struct out {
	WINDOW *w;
	int h, width, top, n;
	bool utf8;
};

static void line(struct out *o, attr_t a, const char *text)
{
	int y = o->n++ - o->top;
	if (y < 0 || y >= o->h)
		return;
	wattrset(o->w, a);
	ui_put(o->w, y, 1, o->width - 1, text, false, o->utf8);
	wattrset(o->w, A_NORMAL);
}

static void row(struct out *o, struct mt_buf *nb, const char *pid,
		struct mt_diff_fig rss, struct mt_diff_fig pmd,
		struct mt_diff_fig folio, uint64_t made, uint64_t split,
		const char *name, bool vma)
{
	char b[512], r[16], dr[16], p[16], dp[16], f[16], df[16];
	mt_diff_fmt_fig(r, sizeof(r), rss.b);
	mt_diff_fmt_delta(dr, sizeof(dr), rss);
	mt_diff_fmt_fig(p, sizeof(p), pmd.b);
	mt_diff_fmt_delta(dp, sizeof(dp), pmd);
	mt_diff_fmt_fig(f, sizeof(f), folio.b);
	mt_diff_fmt_delta(df, sizeof(df), folio);
	mt_buf_reset(nb);
	mt_escape_visible(nb, name, strlen(name), o->utf8);
	/* a VMA under its process: the same columns, its range indented */
	snprintf(b, sizeof(b), "%8s %7s %7s %7s %7s %7s %7s %5" PRIu64
		 " %5" PRIu64 "  %s%s", pid, r, dr, p, dp, f, df, made, split,
		 vma ? "  " : "", nb->data);
	line(o, A_NORMAL, b);
}

void ui_draw_compare(struct ui *u, WINDOW *w)
{
	werase(w);
	const struct mt_snapshot *a = u->mark, *b = u->snap;
	if (!a || !b)
		return;
	struct out o = {w, getmaxy(w), getmaxx(w), u->compare_top, 0, u->utf8};
	struct mt_diff *d = mt_diff_new(a, b, true);
	struct mt_buf nb = {0};
	char t[512], ta[16], tb[16], x[16], y[16], z[16];
	clock_of(ta, sizeof(ta), a);
	clock_of(tb, sizeof(tb), b);
	double dt = ((double)b->time_ns - (double)a->time_ns) / 1e9;
	snprintf(t, sizeof(t), "Compare: frame %zu (%s) with frame %zu (%s), "
		 "%.0fs %s", a->replay_index + 1, ta, b->replay_index + 1, tb,
		 dt < 0 ? -dt : dt, dt < 0 ? "earlier" : "later");
	line(&o, ui_attr(u, UI_C_HEADER), t);
	mt_diff_fmt_fig(x, sizeof(x), d->pmd.a);
	mt_diff_fmt_fig(y, sizeof(y), d->pmd.b);
	mt_diff_fmt_delta(z, sizeof(z), d->pmd);
	snprintf(t, sizeof(t), "PMD-mapped %s -> %s (%s); PMD mappings %" PRIu64
		 " made, %" PRIu64 " split", x, y, z, d->made, d->split);
	line(&o, A_NORMAL, t);
	mt_diff_fmt_fig(x, sizeof(x), d->folio.a);
	mt_diff_fmt_fig(y, sizeof(y), d->folio.b);
	mt_diff_fmt_delta(z, sizeof(z), d->folio);
	char r1[16], r2[16], r3[16];
	mt_diff_fmt_fig(r1, sizeof(r1), d->rss.a);
	mt_diff_fmt_fig(r2, sizeof(r2), d->rss.b);
	mt_diff_fmt_delta(r3, sizeof(r3), d->rss);
	snprintf(t, sizeof(t), "large folios %s -> %s (%s); RSS %s -> %s (%s)",
		 x, y, z, r1, r2, r3);
	line(&o, A_NORMAL, t);
	line(&o, A_NORMAL, "");
	snprintf(t, sizeof(t), "%8s %7s %7s %7s %7s %7s %7s %5s %5s  %s", "PID",
		 "RSS", "dRSS", "PMD", "dPMD", "FOLIO", "dFOLIO", "MADE",
		 "SPLIT", "COMMAND / VMA");
	line(&o, A_BOLD, t);
	pid_t sel = u->vma_mode ? u->vpid : u->sel_pid;
	for (size_t i = 0; i < d->nprocs; i++) {
		const struct mt_diff_proc *p = &d->procs[i];
		char pid[32];
		if (p->pid_a && p->pid_b)
			snprintf(pid, sizeof(pid), "%d", (int)p->pid_b);
		else if (p->pid_b)
			snprintf(pid, sizeof(pid), "+%d", (int)p->pid_b);
		else
			snprintf(pid, sizeof(pid), "-%d", (int)p->pid_a);
		row(&o, &nb, pid, p->rss, p->pmd, p->folio, p->made, p->split,
		    p->name, false);
		bool all = sel && (p->pid_b == sel || p->pid_a == sel);
		for (size_t k = 0; k < p->nvmas && (all || k < VMAS_EACH); k++) {
			const struct mt_diff_vma *v = &p->vmas[k];
			char name[600];
			snprintf(name, sizeof(name), "%" PRIx64 "-%" PRIx64 " %s",
				 v->start, v->end, v->path);
			row(&o, &nb, "", v->rss, v->pmd, v->folio, v->made,
			    v->split, name, true);
		}
	}
	if (!d->nprocs)
		line(&o, A_NORMAL, "no process in either frame");
	/* scrolled past the end: back to the last page */
	int maxtop = MT_MAX(0, o.n - o.h);
	if (u->compare_top > maxtop) {
		u->compare_top = maxtop;
		mt_buf_free(&nb);
		mt_diff_free(d);
		ui_draw_compare(u, w);
		return;
	}
	mt_buf_free(&nb);
	mt_diff_free(d);
}
