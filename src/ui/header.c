/*
 * header.c - the header (system, THP settings, privilege, scan and the age
 * of its figures, view, the huge page summary, filters) and the footer
 * (keys, prompts, messages).
 */
#include "ui_panes.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "memtop/record.h"
#include "memtop/sysinfo.h"
#include "memtop/units.h"

/* Draw s at *x on line y with attr, clipped to the window width. */
static void seg(const struct ui *u, WINDOW *w, int y, int *x, const char *s,
		attr_t attr)
{
	int cols = getmaxx(w);
	if (*x >= cols)
		return;
	wattrset(w, attr);
	*x += ui_put(w, y, *x, cols - *x, s, false, u->utf8);
	wattrset(w, A_NORMAL);
}

/* ---- the header: lines of items fitted by priority (hfit.c) ---------- */

static void put_run(const char *t, size_t n, unsigned long attr, void *arg)
{
	struct { const struct ui *u; WINDOW *w; int y, x; } *c = arg;
	int cols = getmaxx(c->w);
	if (c->x >= cols)
		return;
	char b[UI_HF_TEXT];
	n = MT_MIN(n, sizeof(b) - 1);
	memcpy(b, t, n);
	b[n] = '\0';
	wattrset(c->w, (attr_t)attr);
	c->x += ui_put(c->w, c->y, c->x, cols - c->x, b, false, c->u->utf8);
	wattrset(c->w, A_NORMAL);
}

static void hf_begin(const struct ui *u, struct ui_hf_line *l)
{
	l->n = 0;
	l->sep = u->utf8 ? " \u2502 " : " | ";
	l->sepattr = ui_attr(u, UI_C_DIM);
}

/* Fit l to the window's width and draw it at line y from x. */
static void hf_draw(const struct ui *u, WINDOW *w, int y, int x,
		    struct ui_hf_line *l)
{
	int cols = getmaxx(w) - x;
	if (cols <= 0)
		return;
	ui_hf_fit(l, cols, u->utf8);
	struct { const struct ui *u; WINDOW *w; int y, x; } c = { u, w, y, x };
	ui_hf_emit(l, cols, u->utf8, put_run, &c);
}

#define N A_NORMAL

static void line0(struct ui *u, WINDOW *w)
{
	const struct mt_snapshot *s = u->snap;
	static struct ui_hf_line l;
	char b[160], c[160], sz[16], pmd[16];
	int x = 0;
	if (u->paused) {
		seg(u, w, 0, &x, " PAUSED ", ui_attr(u, UI_C_PAUSE));
		x++;
	}
	hf_begin(u, &l);
	struct ui_hf_item *it = ui_hf_add(&l, 0, NULL);
	ui_hf_form(it, ui_attr(u, UI_C_HEADER), "memtop", N, " ", A_BOLD,
		   u->host);
	ui_hf_form(it, ui_attr(u, UI_C_HEADER), "memtop", 0, NULL, 0, NULL);
	it = ui_hf_add(&l, 3, NULL);
	ui_hf_form(it, N, u->kernel, 0, NULL, 0, NULL);
	const char *rel = strchr(u->kernel, ' ');
	if (rel)
		ui_hf_form(it, N, rel + 1, 0, NULL, 0, NULL);
	if (s) {
		const char *en = s->thp_enabled ? s->thp_enabled : "?";
		const char *df = s->thp_defrag ? s->thp_defrag : "?";
		it = ui_hf_add(&l, 1, NULL);
		snprintf(b, sizeof(b), "THP enabled=%s defrag=%s", en, df);
		ui_hf_form(it, N, b, 0, NULL, 0, NULL);
		snprintf(b, sizeof(b), "THP %s/%s", en, df);
		ui_hf_form(it, N, b, 0, NULL, 0, NULL);
		it = ui_hf_add(&l, 2, NULL);
		mt_fmt_size(sz, sizeof(sz), s->page_size);
		snprintf(b, sizeof(b), "page %s", sz);
		ui_hf_form(it, N, b, 0, NULL, 0, NULL);
		mt_fmt_size(pmd, sizeof(pmd), (uint64_t)s->page_size
						    << s->pmd_order);
		it = ui_hf_add(&l, 1, NULL);
		snprintf(b, sizeof(b), "PMD order %u (%s)", s->pmd_order, pmd);
		snprintf(c, sizeof(c), "PMD (%s)", pmd);
		if (s->max_order != s->pmd_order) {
			size_t n = strlen(b);
			snprintf(b + n, sizeof(b) - n, ", max order %u",
				 s->max_order);
		}
		ui_hf_form(it, N, b, 0, NULL, 0, NULL);
		ui_hf_form(it, N, c, 0, NULL, 0, NULL);
	}
	hf_draw(u, w, 0, x, &l);
}

/* Priority scanning: how far behind the sweep of PFN and folio figures
 * is (the processes on screen are read at every scan; the '~' mark). */
static void sweep_item(struct ui *u, struct ui_hf_line *l,
		       const struct mt_snapshot *s)
{
	char b[96], c[96], iv[16];
	if (!s->priority || !s->have_pfns)
		return;
	uint64_t lag = ui_exp_age_ms(s, s->exp_oldest_ns);
	attr_t warn = ui_attr(u, UI_C_WARN);
	struct ui_hf_item *it;
	if (s->exp_unread) {
		it = ui_hf_add(l, 1, ", ");
		snprintf(b, sizeof(b), "sweep: %zu process%s not read yet",
			 s->exp_unread, s->exp_unread == 1 ? "" : "es");
		snprintf(c, sizeof(c), "%zu unread", s->exp_unread);
		ui_hf_form(it, warn, b, 0, NULL, 0, NULL);
		ui_hf_form(it, warn, c, 0, NULL, 0, NULL);
	} else if (lag != UINT64_MAX && lag > u->interval_ms * 3 / 2) {
		ui_fmt_interval(iv, sizeof(iv), (lag + 500) / 1000 * 1000);
		it = ui_hf_add(l, 1, ", ");
		snprintf(b, sizeof(b), "sweep %s behind", iv);
		snprintf(c, sizeof(c), "~%s", iv);
		ui_hf_form(it, warn, b, 0, NULL, 0, NULL);
		ui_hf_form(it, warn, c, 0, NULL, 0, NULL);
	}
}

static void line1(struct ui *u, WINDOW *w)
{
	const struct mt_snapshot *s = u->snap;
	static struct ui_hf_line l;
	char b[200], iv[16];
	hf_begin(u, &l);
	struct ui_hf_item *it = ui_hf_add(&l, 0, NULL);
	const char *view = ui_view_name(u->set.view);
	const char *miss = ui_view_missing(s, u->set.view);
	attr_t hd = ui_attr(u, UI_C_HEADER), warn = ui_attr(u, UI_C_WARN);
	if (*miss) {
		snprintf(b, sizeof(b), ": %s", miss);
		ui_hf_form(it, N, "view ", hd, view, warn, b);
		ui_hf_form(it, hd, view, warn, ": not available", 0, NULL);
		ui_hf_form(it, hd, view, warn, " (n/a)", 0, NULL);
	} else {
		ui_hf_form(it, N, "view ", hd, view, 0, NULL);
		ui_hf_form(it, hd, view, 0, NULL, 0, NULL);
	}
	if (s) {
		struct tm tm;
		time_t t = (time_t)(s->time_ns / 1000000000u);
		localtime_r(&t, &tm);
		double ms = (double)s->duration_ns / 1e6;
		char took[32], at[16];
		if (ms < 1000)
			snprintf(took, sizeof(took), "%.0fms", ms);
		else
			snprintf(took, sizeof(took), "%.2fs", ms / 1000);
		snprintf(at, sizeof(at), "%02d:%02d:%02d", tm.tm_hour,
			 tm.tm_min, tm.tm_sec);
		it = ui_hf_add(&l, 2, NULL);
		snprintf(b, sizeof(b), "scan %s at %s", took, at);
		ui_hf_form(it, N, b, 0, NULL, 0, NULL);
		snprintf(b, sizeof(b), "scan %s", took);
		ui_hf_form(it, N, b, 0, NULL, 0, NULL);
		double age;
		if (s->replay) {
			/* which frame, and when it was scanned: never left
			 * out */
			it = ui_hf_add(&l, 0, NULL);
			snprintf(b, sizeof(b), "replay %zu/%zu at %04d-%02d-%02d "
				 "%s", s->replay_index + 1, s->replay_count,
				 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, at);
			ui_hf_form(it, hd, b, 0, NULL, 0, NULL);
			snprintf(b, sizeof(b), "replay %zu/%zu at %s",
				 s->replay_index + 1, s->replay_count, at);
			ui_hf_form(it, hd, b, 0, NULL, 0, NULL);
			it = ui_hf_add(&l, 1, NULL);
			if (u->replay_play)
				snprintf(b, sizeof(b), "playing %gx",
					 u->replay_speed);
			else
				snprintf(b, sizeof(b), "paused (Space plays, "
					 "t T step)");
			ui_hf_form(it, N, b, 0, NULL, 0, NULL);
			ui_hf_form(it, N, u->replay_play ? "playing" : "paused",
				   0, NULL, 0, NULL);
			if (u->mark) {
				it = ui_hf_add(&l, 1, NULL);
				snprintf(b, sizeof(b), "mark %zu (= compares)",
					 u->mark->replay_index + 1);
				ui_hf_form(it, N, b, 0, NULL, 0, NULL);
				snprintf(b, sizeof(b), "mark %zu",
					 u->mark->replay_index + 1);
				ui_hf_form(it, N, b, 0, NULL, 0, NULL);
			}
		} else if (ui_snapshot_late(u, &age)) {
			it = ui_hf_add(&l, 0, ", ");
			snprintf(b, sizeof(b), "figures %.0fs old", age);
			ui_hf_form(it, warn, b, 0, NULL, 0, NULL);
			snprintf(b, sizeof(b), "%.0fs old", age);
			ui_hf_form(it, warn, b, 0, NULL, 0, NULL);
		}
	} else {
		it = ui_hf_add(&l, 0, NULL);
		ui_hf_form(it, N, "scanning...", 0, NULL, 0, NULL);
	}
	if (!u->replay) {
		it = ui_hf_add(&l, 1, NULL);
		ui_fmt_interval(iv, sizeof(iv), u->interval_ms);
		snprintf(b, sizeof(b), "every %s%s", iv,
			 u->paused ? " (paused)" : "");
		ui_hf_form(it, N, b, 0, NULL, 0, NULL);
	}
	if (s && s->rec_state) {
		/* --record: how big it is, or why it stopped */
		char sz[16];
		mt_fmt_size(sz, sizeof(sz), s->rec_bytes);
		it = ui_hf_add(&l, 1, NULL);
		if (s->rec_state == MT_REC_ON) {
			snprintf(b, sizeof(b), "recording %s", sz);
			ui_hf_form(it, N, b, 0, NULL, 0, NULL);
			snprintf(b, sizeof(b), "REC %s", sz);
			ui_hf_form(it, N, b, 0, NULL, 0, NULL);
		} else {
			snprintf(b, sizeof(b), "recording stopped at %s%s", sz,
				 s->rec_state == MT_REC_FULL ? " (--record-max)"
							     : " (write error)");
			ui_hf_form(it, warn, b, 0, NULL, 0, NULL);
			snprintf(b, sizeof(b), "REC stopped");
			ui_hf_form(it, warn, b, 0, NULL, 0, NULL);
		}
	}
	/* the scanner stretches its wait to stay under its CPU limit */
	if (s && !u->paused && !u->replay &&
	    s->next_ms > u->interval_ms + u->interval_ms / 10) {
		/* whole tenths: it is a rough figure */
		ui_fmt_interval(iv, sizeof(iv), (s->next_ms + 50) / 100 * 100);
		it = ui_hf_add(&l, 2, ", ");
		snprintf(b, sizeof(b), "next after %s (CPU limit)", iv);
		ui_hf_form(it, warn, b, 0, NULL, 0, NULL);
		snprintf(b, sizeof(b), "next %s (CPU limit)", iv);
		ui_hf_form(it, warn, b, 0, NULL, 0, NULL);
	}
	if (!s) {
		hf_draw(u, w, 1, 0, &l);
		return;
	}
	sweep_item(u, &l, s);
	it = ui_hf_add(&l, 0, NULL);
	if (s->have_pfns && s->have_kpageflags) {
		ui_hf_form(it, N, "privilege ", A_BOLD, "full", 0, NULL);
	} else if (s->pfns_why && !strncmp(s->pfns_why, "PFNs hidden", 11)) {
		/* root in a user namespace: the kernel shows no PFNs */
		ui_hf_form(it, N, "privilege ", warn,
			   "partial: PFNs hidden (needs CAP_SYS_ADMIN in the "
			   "initial user namespace)", 0, NULL);
		ui_hf_form(it, N, "privilege ", warn,
			   "partial: PFNs hidden (user namespace)", 0, NULL);
		ui_hf_form(it, N, "privilege ", warn, "partial", 0, NULL);
	} else {
		snprintf(b, sizeof(b), "partial: no %s%s%s",
			 s->have_pfns ? "" : "PFNs (mappable view)",
			 !s->have_pfns && !s->have_kpageflags ? ", no " : "",
			 s->have_kpageflags ? "" : "kpageflags (folio view)");
		ui_hf_form(it, N, "privilege ", warn, b, 0, NULL);
		snprintf(b, sizeof(b), "partial: no %s%s%s",
			 s->have_pfns ? "" : "PFNs",
			 !s->have_pfns && !s->have_kpageflags ? ", no " : "",
			 s->have_kpageflags ? "" : "kpageflags");
		ui_hf_form(it, N, "privilege ", warn, b, 0, NULL);
		ui_hf_form(it, N, "privilege ", warn, "partial", 0, NULL);
	}
	hf_draw(u, w, 1, 0, &l);
}

/* A filter item: "label value", or shorter "short value". */
static void filter_item(struct ui *u, struct ui_hf_line *l, int prio,
			const char *label, const char *shorter,
			const char *value)
{
	struct ui_hf_item *it = ui_hf_add(l, prio, NULL);
	ui_hf_form(it, N, label, A_BOLD, value, 0, NULL);
	if (shorter)
		ui_hf_form(it, N, shorter, A_BOLD, value, 0, NULL);
}

static void line3(struct ui *u, WINDOW *w, int y)
{
	const struct mt_snapshot *s = u->snap;
	const struct ui_settings *st = &u->set;
	static struct ui_hf_line l;
	char b[200], c[200];
	hf_begin(u, &l);
	struct ui_hf_item *it;
	if (s) {
		it = ui_hf_add(&l, 0, NULL);
		snprintf(b, sizeof(b), "%zu process%s, %zu shown", s->nprocs,
			 s->nprocs == 1 ? "" : "es", u->data.nrows);
		snprintf(c, sizeof(c), "%zu proc%s, %zu shown", s->nprocs,
			 s->nprocs == 1 ? "" : "s", u->data.nrows);
		ui_hf_form(it, N, b, 0, NULL, 0, NULL);
		ui_hf_form(it, N, c, 0, NULL, 0, NULL);
		if (st->group) {
			it = ui_hf_add(&l, 0, " ");
			snprintf(b, sizeof(b), "in %zu cgroup%s",
				 u->data.ngroups,
				 u->data.ngroups == 1 ? "" : "s");
			ui_hf_form(it, A_BOLD, b, 0, NULL, 0, NULL);
		}
		if (s->stats.denied) {
			it = ui_hf_add(&l, 2, ", ");
			snprintf(b, sizeof(b), "%zu not readable",
				 s->stats.denied);
			snprintf(c, sizeof(c), "%zu unreadable",
				 s->stats.denied);
			ui_hf_form(it, N, b, 0, NULL, 0, NULL);
			ui_hf_form(it, N, c, 0, NULL, 0, NULL);
		}
	}
	if (u->npids) /* -p restricts the list: never left out */
		filter_item(u, &l, 0, "-p ", NULL, u->pids_arg);
	if (st->tree) {
		it = ui_hf_add(&l, 1, NULL);
		ui_hf_form(it, A_BOLD, "tree", 0, NULL, 0, NULL);
	}
	it = ui_hf_add(&l, 3, NULL);
	if (st->show_kthreads) {
		ui_hf_form(it, N, "kernel threads shown", 0, NULL, 0, NULL);
		ui_hf_form(it, N, "kthreads shown", 0, NULL, 0, NULL);
	} else {
		ui_hf_form(it, N, "kernel threads hidden", 0, NULL, 0, NULL);
		ui_hf_form(it, N, "kthreads hidden", 0, NULL, 0, NULL);
	}
	if (st->omit_file) {
		it = ui_hf_add(&l, 1, NULL);
		ui_hf_form(it, A_BOLD, "file-backed VMAs left out", 0, NULL, 0,
			   NULL);
		ui_hf_form(it, A_BOLD, "no file VMAs", 0, NULL, 0, NULL);
	}
	if (st->omit_unfaulted) {
		it = ui_hf_add(&l, 1, NULL);
		ui_hf_form(it, A_BOLD, "unfaulted VMAs hidden", 0, NULL, 0,
			   NULL);
		ui_hf_form(it, A_BOLD, "no unfaulted VMAs", 0, NULL, 0, NULL);
	}
	if (st->name_filter[0])
		filter_item(u, &l, 0, "name ~ ", "~", st->name_filter);
	if (st->user_filter[0])
		filter_item(u, &l, 0, "user ", "u:", st->user_filter);
	if (st->path_filter[0])
		filter_item(u, &l, 0, "path ~ ", "path~", st->path_filter);
	hf_draw(u, w, y, 0, &l);
}

/* One rate of the summary: "label 3.0/s", "-" before the second scan. */
static void rate_item(struct ui *u, struct ui_hf_line *l, int prio,
		      const char *join, enum ui_sysrate k, const char *label,
		      const char *shorter, bool bad)
{
	const struct ui_sysseries *ss = &u->ss;
	if (ss->inc[k].count && !ss->have_last[k])
		return; /* no such counter here */
	char r[32];
	bool moving = ss->has_rate[k] && ss->rate[k] != 0;
	ui_fmt_rate(r, sizeof(r), ss->rate[k], ss->has_rate[k]);
	attr_t a = moving ? ui_attr(u, bad ? UI_C_WARN : UI_C_UP) : A_BOLD;
	struct ui_hf_item *it = ui_hf_add(l, prio, join);
	ui_hf_form(it, N, label, a, r, 0, NULL);
	if (shorter)
		ui_hf_form(it, N, shorter, a, r, 0, NULL);
}

/* The one-line huge page summary at (y, 0). Its rates are averaged over
 * the window (khugepaged works in bursts), which it shows. */
static void draw_thp_summary(struct ui *u, WINDOW *w, int y)
{
	const struct mt_snapshot *s = u->snap;
	const struct mt_sysinfo *si = s ? s->sys : NULL;
	static struct ui_hf_line l;
	char b[96], c[96], v[16], p[16];
	hf_begin(u, &l);
	struct ui_hf_item *it = ui_hf_add(&l, 0, NULL);
	ui_hf_form(it, ui_attr(u, UI_C_HEADER), "huge pages", 0, NULL, 0, NULL);
	ui_hf_form(it, ui_attr(u, UI_C_HEADER), "THP", 0, NULL, 0, NULL);
	if (!si) {
		it = ui_hf_add(&l, 0, " ");
		ui_hf_form(it, N, s ? "no system figures" : "...", 0, NULL, 0,
			   NULL);
		hf_draw(u, w, y, 0, &l);
		return;
	}
	const struct mt_counter *ah =
		mt_counter_find(si->meminfo, si->nmeminfo, "AnonHugePages");
	if (ah) {
		it = ui_hf_add(&l, 0, " ");
		mt_fmt_size(v, sizeof(v), ah->value * 1024);
		ui_hf_form(it, N, "AnonHugePages ", A_BOLD, v, 0, NULL);
		ui_hf_form(it, N, "anon ", A_BOLD, v, 0, NULL);
	}
	rate_item(u, &l, 2, NULL, UI_R_FAULT, "faults ", "fault ", false);
	rate_item(u, &l, 2, NULL, UI_R_FALLBACK, "fallback ", NULL, true);
	uint64_t all = mt_buddy_free_pages(si, -1, 0);
	if (all) {
		uint64_t big = mt_buddy_free_pages(si, -1, s->pmd_order);
		ui_order_label(v, sizeof(v), s->page_size, s->pmd_order);
		snprintf(b, sizeof(b), "free in %s+ blocks ", v);
		snprintf(c, sizeof(c), "free %s+ ", v);
		snprintf(p + 0, sizeof(p), "%s%%",
			 ui_fmt_pct(v, sizeof(v), big, all));
		attr_t a = big * 4 < all ? ui_attr(u, UI_C_WARN) : A_BOLD;
		it = ui_hf_add(&l, 4, NULL);
		ui_hf_form(it, N, b, a, p, 0, NULL);
		ui_hf_form(it, N, c, a, p, 0, NULL);
	}
	rate_item(u, &l, 1, NULL, UI_R_COLLAPSE, "collapse ", NULL, false);
	rate_item(u, &l, 1, NULL, UI_R_SPLIT, "split ", NULL, false);
	/* the window the rates are averaged over */
	it = ui_hf_add(&l, 3, NULL);
	double span = u->ss.span_s > 0 ? u->ss.span_s
					: (double)u->rate_window_ms / 1000.0;
	snprintf(b, sizeof(b), "rates over %.0fs", span);
	snprintf(c, sizeof(c), "over %.0fs", span);
	ui_hf_form(it, ui_attr(u, UI_C_DIM), b, 0, NULL, 0, NULL);
	ui_hf_form(it, ui_attr(u, UI_C_DIM), c, 0, NULL, 0, NULL);
	hf_draw(u, w, y, 0, &l);
}

#undef N

void ui_draw_header(struct ui *u, WINDOW *w)
{
	werase(w);
	line0(u, w);
	if (getmaxy(w) > 1)
		line1(u, w);
	if (getmaxy(w) > 2)
		draw_thp_summary(u, w, 2);
	if (getmaxy(w) > 3)
		line3(u, w, 3);
}

/* ---- footer ---------------------------------------------------------- */

struct fkey {
	const char *key, *label;
};

static const struct fkey proc_keys[] = {
	{ "F1", "Help" }, { "F3", "Search" }, { "F4", "Filter" },
	{ "F5", "Rescan" }, { "F6", "Sort" }, { "v", "View" },
	{ "Enter", "VMAs" }, { "s", "System" }, { "g", "Cgroups" },
	{ "t", "Tree" }, { "D", "Delta" }, { "Z", "Pause" },
	{ "F10", "Quit" },
};
static const struct fkey sys_keys[] = {
	{ "F1", "Help" }, { "Up/Dn", "Scroll" }, { "PgUp/PgDn", "Page" },
	{ "s Esc", "Back" }, { "F5", "Rescan" }, { "Z", "Pause" },
	{ "F10", "Quit" },
};
static const struct fkey vma_keys[] = {
	{ "F1", "Help" }, { "Esc", "Back" }, { "F3", "Search" },
	{ "F4", "Filter" }, { "F6", "Sort" }, { "v", "View" },
	{ "f", "Files" }, { "u", "Unfaulted" }, { "F10", "Quit" },
};

static void draw_prompt(struct ui *u, WINDOW *w)
{
	static const char *const names[] = {
		"", "Search: ", "Filter: ", "User (Tab: next, empty: all): ",
	};
	const char *label = names[u->prompt];
	if (u->prompt == UI_PROMPT_FILTER && u->vma_mode)
		label = "Filter paths: ";
	int x = 0, cols = getmaxx(w);
	seg(u, w, 0, &x, label, ui_attr(u, UI_C_KEY));
	x++;
	struct mt_buf b = { 0 };
	ui_sanitize(&b, u->pbuf, u->plen, u->utf8);
	/* show the end of a long entry */
	const char *t = b.data;
	while (ui_text_width(t, u->utf8) > cols - x - 1 && *t)
		t++;
	seg(u, w, 0, &x, t, A_NORMAL);
	int cx = x;
	if (u->prompt == UI_PROMPT_SEARCH && u->search_failed)
		seg(u, w, 0, &x, "  not found", ui_attr(u, UI_C_WARN));
	mt_buf_free(&b);
	wmove(w, 0, MT_MIN(cx, cols - 1));
}

void ui_draw_footer(struct ui *u, WINDOW *w)
{
	werase(w);
	if (u->prompt != UI_PROMPT_NONE) {
		draw_prompt(u, w);
		return;
	}
	int x = 0;
	if (u->help || u->compare) {
		seg(u, w, 0, &x, "Up Down PgUp PgDn", A_BOLD);
		seg(u, w, 0, &x, u->help ? " scroll, any other key closes "
					   "the help"
					 : " scroll, any other key closes "
					   "the comparison",
		    A_NORMAL);
		return;
	}
	if (u->act.state != UI_ACT_NONE) {
		/* the collapse question, or its progress */
		seg(u, w, 0, &x, u->act.line, ui_attr(u, UI_C_WARN) | A_BOLD);
		return;
	}
	if (u->status[0]) {
		seg(u, w, 0, &x, u->status, ui_attr(u, UI_C_WARN));
		return;
	}
	const struct fkey *k = u->sysview ? sys_keys :
			       u->vma_mode ? vma_keys : proc_keys;
	size_t n = u->sysview ? MT_ARRAY_SIZE(sys_keys) :
		   u->vma_mode ? MT_ARRAY_SIZE(vma_keys)
			       : MT_ARRAY_SIZE(proc_keys);
	for (size_t i = 0; i < n; i++) {
		seg(u, w, 0, &x, k[i].key, A_BOLD);
		seg(u, w, 0, &x, k[i].label, ui_attr(u, UI_C_KEY));
		seg(u, w, 0, &x, " ", A_NORMAL);
	}
}
