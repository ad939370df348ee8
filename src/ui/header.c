/*
 * header.c - the header (system, THP settings, privilege, scan and the age
 * of its figures, view, the huge page summary, filters) and the footer
 * (keys, prompts, messages).
 */
#include "ui_panes.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

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

static void sep(const struct ui *u, WINDOW *w, int y, int *x)
{
	seg(u, w, y, x, u->utf8 ? " \u2502 " : " | ", ui_attr(u, UI_C_DIM));
}

static void line0(struct ui *u, WINDOW *w)
{
	const struct mt_snapshot *s = u->snap;
	char b[160], sz[16], pmd[16];
	int x = 0;
	if (u->paused) {
		seg(u, w, 0, &x, " PAUSED ", ui_attr(u, UI_C_PAUSE));
		x++;
	}
	seg(u, w, 0, &x, "memtop", ui_attr(u, UI_C_HEADER));
	seg(u, w, 0, &x, " ", A_NORMAL);
	seg(u, w, 0, &x, u->host, A_BOLD);
	sep(u, w, 0, &x);
	seg(u, w, 0, &x, u->kernel, A_NORMAL);
	if (!s)
		return;
	sep(u, w, 0, &x);
	snprintf(b, sizeof(b), "THP enabled=%s defrag=%s",
		 s->thp_enabled ? s->thp_enabled : "?",
		 s->thp_defrag ? s->thp_defrag : "?");
	seg(u, w, 0, &x, b, A_NORMAL);
	sep(u, w, 0, &x);
	snprintf(b, sizeof(b), "page %s",
		 mt_fmt_size(sz, sizeof(sz), s->page_size));
	seg(u, w, 0, &x, b, A_NORMAL);
	sep(u, w, 0, &x);
	snprintf(b, sizeof(b), "PMD order %u (%s)", s->pmd_order,
		 mt_fmt_size(pmd, sizeof(pmd),
			     (uint64_t)s->page_size << s->pmd_order));
	seg(u, w, 0, &x, b, A_NORMAL);
	if (s->max_order != s->pmd_order) {
		snprintf(b, sizeof(b), ", max order %u", s->max_order);
		seg(u, w, 0, &x, b, A_NORMAL);
	}
}

static void line1(struct ui *u, WINDOW *w)
{
	const struct mt_snapshot *s = u->snap;
	char b[200], iv[16];
	int x = 0;
	seg(u, w, 1, &x, "view ", A_NORMAL);
	seg(u, w, 1, &x, ui_view_name(u->set.view), ui_attr(u, UI_C_HEADER));
	const char *miss = ui_view_missing(s, u->set.view);
	if (*miss) {
		seg(u, w, 1, &x, ": ", A_NORMAL);
		seg(u, w, 1, &x, miss, ui_attr(u, UI_C_WARN));
	}
	sep(u, w, 1, &x);
	if (s) {
		struct tm tm;
		time_t t = (time_t)(s->time_ns / 1000000000u);
		localtime_r(&t, &tm);
		double ms = (double)s->duration_ns / 1e6;
		if (ms < 1000)
			snprintf(b, sizeof(b), "scan %.0fms at %02d:%02d:%02d",
				 ms, tm.tm_hour, tm.tm_min, tm.tm_sec);
		else
			snprintf(b, sizeof(b), "scan %.2fs at %02d:%02d:%02d",
				 ms / 1000, tm.tm_hour, tm.tm_min, tm.tm_sec);
		seg(u, w, 1, &x, b, A_NORMAL);
		double age;
		if (ui_snapshot_late(u, &age)) {
			snprintf(b, sizeof(b), ", figures %.0fs old", age);
			seg(u, w, 1, &x, b, ui_attr(u, UI_C_WARN));
		}
	} else {
		seg(u, w, 1, &x, "scanning...", A_NORMAL);
	}
	sep(u, w, 1, &x);
	snprintf(b, sizeof(b), "every %s%s",
		 ui_fmt_interval(iv, sizeof(iv), u->interval_ms),
		 u->paused ? " (paused)" : "");
	seg(u, w, 1, &x, b, A_NORMAL);
	/* the scanner stretches its wait to stay under its CPU limit */
	if (s && !u->paused && s->next_ms > u->interval_ms + u->interval_ms / 10) {
		snprintf(b, sizeof(b), ", next after %s (CPU limit)",
			 /* whole tenths: it is a rough figure */
			 ui_fmt_interval(iv, sizeof(iv),
					 (s->next_ms + 50) / 100 * 100));
		seg(u, w, 1, &x, b, ui_attr(u, UI_C_WARN));
	}
	if (!s)
		return;
	sep(u, w, 1, &x);
	seg(u, w, 1, &x, "privilege ", A_NORMAL);
	if (s->have_pfns && s->have_kpageflags) {
		seg(u, w, 1, &x, "full", A_BOLD);
	} else if (s->pfns_why && !strncmp(s->pfns_why, "PFNs hidden", 11)) {
		/* root in a user namespace: the kernel shows no PFNs */
		seg(u, w, 1, &x,
		    "partial: PFNs hidden (needs CAP_SYS_ADMIN in the initial "
		    "user namespace)",
		    ui_attr(u, UI_C_WARN));
	} else {
		snprintf(b, sizeof(b), "partial: no %s%s%s",
			 s->have_pfns ? "" : "PFNs (mappable view)",
			 !s->have_pfns && !s->have_kpageflags ? ", no " : "",
			 s->have_kpageflags ? "" : "kpageflags (folio view)");
		seg(u, w, 1, &x, b, ui_attr(u, UI_C_WARN));
	}
}

static void line3(struct ui *u, WINDOW *w, int y)
{
	const struct mt_snapshot *s = u->snap;
	const struct ui_settings *st = &u->set;
	char b[200];
	int x = 0;
	if (s) {
		snprintf(b, sizeof(b), "%zu process%s, %zu shown",
			 s->nprocs, s->nprocs == 1 ? "" : "es", u->data.nrows);
		seg(u, w, y, &x, b, A_NORMAL);
		if (st->group) {
			snprintf(b, sizeof(b), " in %zu cgroup%s",
				 u->data.ngroups,
				 u->data.ngroups == 1 ? "" : "s");
			seg(u, w, y, &x, b, A_BOLD);
		}
		if (s->stats.denied) {
			snprintf(b, sizeof(b), ", %zu not readable",
				 s->stats.denied);
			seg(u, w, y, &x, b, A_NORMAL);
		}
	}
	if (st->tree) {
		sep(u, w, y, &x);
		seg(u, w, y, &x, "tree", A_BOLD);
	}
	sep(u, w, y, &x);
	seg(u, w, y, &x, st->show_kthreads ? "kernel threads shown"
					    : "kernel threads hidden",
	    A_NORMAL);
	if (st->omit_file) {
		sep(u, w, y, &x);
		seg(u, w, y, &x, "file-backed VMAs left out", A_BOLD);
	}
	if (st->omit_unfaulted) {
		sep(u, w, y, &x);
		seg(u, w, y, &x, "unfaulted VMAs hidden", A_BOLD);
	}
	if (st->name_filter[0]) {
		sep(u, w, y, &x);
		seg(u, w, y, &x, "name ~ ", A_NORMAL);
		seg(u, w, y, &x, st->name_filter, A_BOLD);
	}
	if (st->user_filter[0]) {
		sep(u, w, y, &x);
		seg(u, w, y, &x, "user ", A_NORMAL);
		seg(u, w, y, &x, st->user_filter, A_BOLD);
	}
	if (st->path_filter[0]) {
		sep(u, w, y, &x);
		seg(u, w, y, &x, "path ~ ", A_NORMAL);
		seg(u, w, y, &x, st->path_filter, A_BOLD);
	}
}

/* One rate of the summary: "label 3.0/s", "-" before the second scan. */
static void rate_seg(struct ui *u, WINDOW *w, int y, int *x,
		     const struct mt_sysinfo *si, const char *key,
		     const char *label, bool bad)
{
	const struct mt_counter *c = mt_counter_find(si->vmstat, si->nvmstat,
						     key);
	if (!c)
		return;
	char b[64], r[32];
	sep(u, w, y, x);
	snprintf(b, sizeof(b), "%s ", label);
	seg(u, w, y, x, b, A_NORMAL);
	bool moving = c->has_rate && c->rate != 0;
	seg(u, w, y, x, ui_fmt_rate(r, sizeof(r), c->rate, c->has_rate),
	    moving ? ui_attr(u, bad ? UI_C_WARN : UI_C_UP) : A_BOLD);
}

/* The one-line huge page summary at (y, 0). */
static void draw_thp_summary(struct ui *u, WINDOW *w, int y)
{
	const struct mt_snapshot *s = u->snap;
	const struct mt_sysinfo *si = s ? s->sys : NULL;
	char b[96], v[16], p[16];
	int x = 0;
	seg(u, w, y, &x, "huge pages ", ui_attr(u, UI_C_HEADER));
	if (!si) {
		seg(u, w, y, &x, s ? "no system figures" : "...", A_NORMAL);
		return;
	}
	const struct mt_counter *ah =
		mt_counter_find(si->meminfo, si->nmeminfo, "AnonHugePages");
	if (ah) {
		seg(u, w, y, &x, "AnonHugePages ", A_NORMAL);
		seg(u, w, y, &x, mt_fmt_size(v, sizeof(v), ah->value * 1024),
		    A_BOLD);
	}
	rate_seg(u, w, y, &x, si, "thp_fault_alloc", "faults", false);
	rate_seg(u, w, y, &x, si, "thp_fault_fallback", "fallback", true);
	uint64_t all = mt_buddy_free_pages(si, -1, 0);
	if (all) {
		uint64_t big = mt_buddy_free_pages(si, -1, s->pmd_order);
		sep(u, w, y, &x);
		snprintf(b, sizeof(b), "free in %s+ blocks ",
			 ui_order_label(v, sizeof(v), s->page_size,
					s->pmd_order));
		seg(u, w, y, &x, b, A_NORMAL);
		snprintf(b, sizeof(b), "%s%%",
			 ui_fmt_pct(p, sizeof(p), big, all));
		seg(u, w, y, &x, b, big * 4 < all ? ui_attr(u, UI_C_WARN)
						  : A_BOLD);
	}
	rate_seg(u, w, y, &x, si, "thp_collapse_alloc", "collapse", false);
	rate_seg(u, w, y, &x, si, "thp_split_page", "split", false);
}

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
	if (u->help) {
		seg(u, w, 0, &x, "Up Down PgUp PgDn", A_BOLD);
		seg(u, w, 0, &x, " scroll, any other key closes the help",
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
