/*
 * procpane.c - the process list: column titles (the sort column marked),
 * one row per shown process, the selected row highlighted.
 */
#include "ui_panes.h"

#include <stdio.h>
#include <string.h>

#include "memtop/units.h"
#include "memtop/why.h"

static void cell(const struct ui *u, WINDOW *w, int y,
		 const struct ui_colpos *p, const struct ui_column *c,
		 const char *s)
{
	ui_put(w, y, p->x, p->w, s, c->right, u->utf8);
}

/* The tree glyphs before a name, in b: "│ " per ancestor level with
 * siblings below it, then "├─ " or "└─ ". */
#define TREE_MAX_LEVELS 16
static void tree_prefix(const struct ui *u, const struct ui_line *l,
			struct mt_buf *b)
{
	if (l->depth == 0)
		return;
	unsigned d = MT_MIN(l->depth, (unsigned)TREE_MAX_LEVELS);
	for (unsigned k = 1; k < d; k++) {
		bool more = k < UI_TREE_BITS && (l->more >> k) & 1u;
		if (more)
			mt_buf_printf(b, "%s ", u->utf8 ? "\u2502" : "|");
		else
			MT_BUF_LIT(b, "  ");
	}
	if (u->utf8)
		mt_buf_printf(b, "%s ", l->last ? "\u2514\u2500" : "\u251c\u2500");
	else
		mt_buf_printf(b, "%s ", l->last ? "`-" : "|-");
}

/* The figures common to process and cgroup rows. */
static bool common_cell(struct ui *u, WINDOW *w, int y, size_t i,
			const struct ui_rowfig *f, bool selected)
{
	const struct mt_snapshot *s = u->snap;
	const struct ui_colpos *p = &u->ppos[i];
	const struct ui_column *c = &ui_proc_cols[i];
	attr_t base = selected ? ui_attr(u, UI_C_SEL) : A_NORMAL;
	char b[64];
	switch (c->id) {
	case UI_COL_RSS:
		cell(u, w, y, p, c, mt_fmt_size(b, sizeof(b),
						f->present * s->page_size));
		return true;
	case UI_COL_SWAP:
		cell(u, w, y, p, c, mt_fmt_size(b, sizeof(b),
						f->swapped * s->page_size));
		return true;
	case UI_COL_PMD:
		cell(u, w, y, p, c, ui_fmt_pct(b, sizeof(b), f->pmd, f->present));
		return true;
	case UI_COL_THP:
		cell(u, w, y, p, c, ui_fmt_pct(b, sizeof(b), f->thp, f->present));
		return true;
	case UI_COL_MARK:
		if (f->stale) {
			/* PFN and folio figures from an earlier scan (the
			 * sweep is behind): their age is in the detail */
			if (!selected || u->color)
				wattrset(w, ui_attr(u, UI_C_DIM));
			cell(u, w, y, p, c, "~");
			wattrset(w, base);
			return true;
		}
		/* like the bar's glyphs, the mark keeps its colour on the
		 * selected row */
		if (f->mark && (!selected || u->color))
			wattrset(w, ui_attr(u, ui_mark_color(f->mark)));
		cell(u, w, y, p, c, ui_mark_glyph(f->mark, u->utf8));
		wattrset(w, base);
		return true;
	case UI_COL_COLL:
		if (f->coll == UINT64_MAX) /* not known: never 0 */
			cell(u, w, y, p, c, "?");
		else
			cell(u, w, y, p, c, mt_fmt_size(b, sizeof(b),
					f->coll * s->page_size));
		return true;
	case UI_COL_WHY: /* empty when nothing is kept from huge pages */
		if (f->why >= 0)
			cell(u, w, y, p, c,
			     mt_why_name((enum mt_why_code)f->why));
		return true;
	case UI_COL_DELTA:
		if (!f->has_rate)
			cell(u, w, y, p, c, "-");
		else {
			int m = f->rate > 0 ? 1 : f->rate < 0 ? -1 : 0;
			if (m && !selected)
				wattrset(w, ui_attr(u, ui_mark_color(m)));
			cell(u, w, y, p, c, ui_fmt_delta(b, sizeof(b), f->rate));
			wattrset(w, base);
		}
		return true;
	case UI_COL_BAR:
		if (!f->dist->avail)
			return false;
		ui_draw_bar(u, w, y, p->x, p->w, f->dist, selected);
		return true;
	default:
		return false;
	}
}

static void draw_proc(struct ui *u, WINDOW *w, int y, const struct ui_line *l,
		      bool selected)
{
	const struct ui_data *d = &u->data;
	const struct ui_pstat *ps = &d->ps[l->idx];
	attr_t base = selected ? ui_attr(u, UI_C_SEL) : A_NORMAL;
	struct ui_rowfig f = ui_pstat_fig(ps);
	char b[64];
	wattrset(w, base);
	if (selected)
		mvwhline(w, y, 0, ' ', getmaxx(w));
	for (size_t i = 0; i < ui_proc_ncols; i++) {
		const struct ui_colpos *p = &u->ppos[i];
		const struct ui_column *c = &ui_proc_cols[i];
		if (!p->shown)
			continue;
		if (common_cell(u, w, y, i, &f, selected))
			continue;
		switch (c->id) {
		case UI_COL_PID:
			snprintf(b, sizeof(b), "%d", (int)ps->p->pid);
			cell(u, w, y, p, c, b);
			break;
		case UI_COL_USER:
			cell(u, w, y, p, c, ui_data_str(d, ps->user));
			break;
		case UI_COL_BAR: /* not available */
			if (!selected)
				wattrset(w, ui_attr(u, UI_C_DIM));
			cell(u, w, y, p, c, ps->dist.unread ? "not read yet"
					: ui_view_missing_short(u->snap,
								u->set.view));
			wattrset(w, base);
			break;
		case UI_COL_COMM: {
			struct mt_buf t = { 0 };
			tree_prefix(u, l, &t);
			int used = 0;
			if (t.len) {
				if (!selected)
					wattrset(w, ui_attr(u, UI_C_DIM));
				used = ui_put(w, y, p->x, p->w, t.data, false,
					      u->utf8);
				wattrset(w, base);
			}
			if (ps->p->kthread && !selected)
				wattrset(w, ui_attr(u, UI_C_DIM));
			ui_put_ell(w, y, p->x + used, p->w - used,
				   ui_data_str(d, ps->cmd), false, u->utf8);
			wattrset(w, base);
			mt_buf_free(&t);
			break;
		}
		default:
			break;
		}
	}
	wattrset(w, A_NORMAL);
}

static void draw_group(struct ui *u, WINDOW *w, int y, const struct ui_line *l,
		       bool selected)
{
	const struct ui_data *d = &u->data;
	const struct ui_group *g = &d->groups[l->idx];
	attr_t base = selected ? ui_attr(u, UI_C_SEL) : A_NORMAL;
	struct ui_rowfig f = ui_group_fig(g);
	char b[64];
	wattrset(w, base);
	if (selected)
		mvwhline(w, y, 0, ' ', getmaxx(w));
	for (size_t i = 0; i < ui_proc_ncols; i++) {
		const struct ui_colpos *p = &u->ppos[i];
		const struct ui_column *c = &ui_proc_cols[i];
		if (!p->shown)
			continue;
		if (common_cell(u, w, y, i, &f, selected))
			continue;
		switch (c->id) {
		case UI_COL_USER:
			snprintf(b, sizeof(b), "%zu proc%s", g->n,
				 g->n == 1 ? "" : "s");
			cell(u, w, y, p, c, b);
			break;
		case UI_COL_BAR:
			if (!selected)
				wattrset(w, ui_attr(u, UI_C_DIM));
			cell(u, w, y, p, c, g->dist.unread ? "not read yet"
					: ui_view_missing_short(u->snap,
								u->set.view));
			wattrset(w, base);
			break;
		case UI_COL_COMM: {
			const char *open = u->utf8 ? (g->expanded ? "\u25be " :
						      "\u25b8 ")
					    : (g->expanded ? "[-] " : "[+] ");
			if (!selected)
				wattrset(w, ui_attr(u, UI_C_GROUP));
			int used = ui_put(w, y, p->x, p->w, open, false,
					  u->utf8);
			/* paths differ at the end: keep the tail */
			const char *name = ui_data_str(d, g->name);
			int room = p->w - used;
			if (ui_text_width(name, u->utf8) > room && room > 2) {
				used += ui_put(w, y, p->x + used, 1,
					       u->utf8 ? "\u2026" : "~", false,
					       u->utf8);
				name += ui_text_tail(name, room - 1, u->utf8);
			}
			ui_put(w, y, p->x + used, p->w - used, name, false,
			       u->utf8);
			wattrset(w, base);
			break;
		}
		default:
			break;
		}
	}
	wattrset(w, A_NORMAL);
}

void ui_draw_procs(struct ui *u, WINDOW *w)
{
	const struct ui_data *d = &u->data;
	int h = getmaxy(w), width = getmaxx(w);
	werase(w);
	ui_columns_fit_hidden(ui_proc_cols, ui_proc_ncols, width,
			      ui_proc_hidden(&u->set), u->ppos);
	ui_draw_titles(u, w, ui_proc_cols, u->ppos, ui_proc_ncols,
		       u->set.psort, u->set.pdesc);
	int visible = h - 1;
	if (!u->snap) {
		ui_put(w, 1, 1, width - 1, "scanning /proc ...", false, false);
		return;
	}
	if (d->nlines == 0 && u->npids && u->snap->nprocs == 0) {
		/* -p named only processes the scan did not find */
		char b[160];
		if (u->snap->stats.denied)
			snprintf(b, sizeof(b), "-p %s: no process memtop may "
				 "read (see the header)", u->pids_arg);
		else
			snprintf(b, sizeof(b), "%s %s do%s not exist (-p)",
				 u->npids > 1 ? "processes" : "process",
				 u->pids_arg, u->npids > 1 ? "" : "es");
		ui_put(w, 1, 1, width - 1, b, false, false);
		return;
	}
	if (d->nlines == 0) {
		ui_put(w, 1, 1, width - 1,
		       "no process matches (\\ filter, U user, K kernel threads)",
		       false, false);
		return;
	}
	ui_scroll(&u->top, u->sel, d->nlines, visible);
	u->list_rows = visible;
	for (int r = 0; r < visible && u->top + (size_t)r < d->nlines; r++) {
		size_t row = u->top + (size_t)r;
		const struct ui_line *l = &d->lines[row];
		if (l->kind == UI_LINE_GROUP)
			draw_group(u, w, 1 + r, l, row == u->sel);
		else
			draw_proc(u, w, 1 + r, l, row == u->sel);
	}
}
