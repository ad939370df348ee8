/*
 * header.c - the header (system, THP settings, privilege, scan, view,
 * filters) and the footer (keys, prompts, messages).
 */
#include "ui_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "memtop/output.h"

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
	} else {
		seg(u, w, 1, &x, "scanning...", A_NORMAL);
	}
	sep(u, w, 1, &x);
	snprintf(b, sizeof(b), "every %s%s",
		 ui_fmt_interval(iv, sizeof(iv), u->interval_ms),
		 u->paused ? " (paused)" : "");
	seg(u, w, 1, &x, b, A_NORMAL);
	if (!s)
		return;
	sep(u, w, 1, &x);
	seg(u, w, 1, &x, "privilege ", A_NORMAL);
	if (s->have_pfns && s->have_kpageflags) {
		seg(u, w, 1, &x, "full", A_BOLD);
	} else {
		snprintf(b, sizeof(b), "partial: no %s%s%s",
			 s->have_pfns ? "" : "PFNs (mappable view)",
			 !s->have_pfns && !s->have_kpageflags ? ", no " : "",
			 s->have_kpageflags ? "" : "kpageflags (folio view)");
		seg(u, w, 1, &x, b, ui_attr(u, UI_C_WARN));
	}
}

static void line2(struct ui *u, WINDOW *w)
{
	const struct mt_snapshot *s = u->snap;
	const struct ui_settings *st = &u->set;
	char b[200];
	int x = 0;
	if (s) {
		snprintf(b, sizeof(b), "%zu processes, %zu shown",
			 s->nprocs, u->data.nrows);
		seg(u, w, 2, &x, b, A_NORMAL);
		if (s->stats.denied) {
			snprintf(b, sizeof(b), ", %zu not readable",
				 s->stats.denied);
			seg(u, w, 2, &x, b, A_NORMAL);
		}
	}
	sep(u, w, 2, &x);
	seg(u, w, 2, &x, st->show_kthreads ? "kernel threads shown"
					    : "kernel threads hidden",
	    A_NORMAL);
	if (st->omit_file) {
		sep(u, w, 2, &x);
		seg(u, w, 2, &x, "file-backed VMAs left out", A_BOLD);
	}
	if (st->omit_unfaulted) {
		sep(u, w, 2, &x);
		seg(u, w, 2, &x, "unfaulted VMAs hidden", A_BOLD);
	}
	if (st->name_filter[0]) {
		sep(u, w, 2, &x);
		seg(u, w, 2, &x, "name ~ ", A_NORMAL);
		seg(u, w, 2, &x, st->name_filter, A_BOLD);
	}
	if (st->user_filter[0]) {
		sep(u, w, 2, &x);
		seg(u, w, 2, &x, "user ", A_NORMAL);
		seg(u, w, 2, &x, st->user_filter, A_BOLD);
	}
	if (st->path_filter[0]) {
		sep(u, w, 2, &x);
		seg(u, w, 2, &x, "path ~ ", A_NORMAL);
		seg(u, w, 2, &x, st->path_filter, A_BOLD);
	}
}

void ui_draw_header(struct ui *u, WINDOW *w)
{
	werase(w);
	line0(u, w);
	if (getmaxy(w) > 1)
		line1(u, w);
	if (getmaxy(w) > 2)
		line2(u, w);
}

/* ---- footer ---------------------------------------------------------- */

struct fkey {
	const char *key, *label;
};

static const struct fkey proc_keys[] = {
	{ "F1", "Help" }, { "F3", "Search" }, { "F4", "Filter" },
	{ "F5", "Rescan" }, { "F6", "Sort" }, { "v", "View" },
	{ "Enter", "VMAs" }, { "Z", "Pause" }, { "F10", "Quit" },
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
	if (u->status[0]) {
		seg(u, w, 0, &x, u->status, ui_attr(u, UI_C_WARN));
		return;
	}
	const struct fkey *k = u->vma_mode ? vma_keys : proc_keys;
	size_t n = u->vma_mode ? MT_ARRAY_SIZE(vma_keys)
			       : MT_ARRAY_SIZE(proc_keys);
	for (size_t i = 0; i < n; i++) {
		seg(u, w, 0, &x, k[i].key, A_BOLD);
		seg(u, w, 0, &x, k[i].label, ui_attr(u, UI_C_KEY));
		seg(u, w, 0, &x, " ", A_NORMAL);
	}
}
