/*
 * procpane.c - the process list: column titles (the sort column marked),
 * one row per shown process, the selected row highlighted.
 */
#include "ui_int.h"

#include <stdio.h>
#include <string.h>

#include "memtop/output.h"

void ui_draw_titles(const struct ui *u, WINDOW *w, const struct ui_column *cols,
		    const struct ui_colpos *pos, size_t n, int sort, bool desc)
{
	int width = getmaxx(w);
	wattrset(w, ui_attr(u, UI_C_TITLE));
	mvwhline(w, 0, 0, ' ', width);
	for (size_t i = 0; i < n; i++) {
		if (!pos[i].shown)
			continue;
		char t[32];
		bool sorted = (int)i == sort;
		const char *arrow = !sorted ? "" :
				    u->utf8 ? (desc ? "\u25bc" : "\u25b2") :
					      (desc ? "v" : "^");
		snprintf(t, sizeof(t), "%s%s", cols[i].title, arrow);
		if (ui_text_width(t, u->utf8) > pos[i].w)
			snprintf(t, sizeof(t), "%s", cols[i].title);
		wattrset(w, ui_attr(u, sorted ? UI_C_SORT : UI_C_TITLE));
		ui_put(w, 0, pos[i].x, pos[i].w, t, cols[i].right, u->utf8);
	}
	wattrset(w, A_NORMAL);
}

static void cell(const struct ui *u, WINDOW *w, int y,
		 const struct ui_colpos *p, const struct ui_column *c,
		 const char *s)
{
	ui_put(w, y, p->x, p->w, s, c->right, u->utf8);
}

static void draw_row(struct ui *u, WINDOW *w, int y, const struct ui_pstat *ps,
		     bool selected)
{
	const struct mt_snapshot *s = u->snap;
	const struct ui_data *d = &u->data;
	attr_t base = selected ? ui_attr(u, UI_C_SEL) : A_NORMAL;
	char b[64];
	wattrset(w, base);
	if (selected)
		mvwhline(w, y, 0, ' ', getmaxx(w));
	for (size_t i = 0; i < ui_proc_ncols; i++) {
		const struct ui_colpos *p = &u->ppos[i];
		const struct ui_column *c = &ui_proc_cols[i];
		if (!p->shown)
			continue;
		switch (c->id) {
		case UI_COL_PID:
			snprintf(b, sizeof(b), "%d", (int)ps->p->pid);
			cell(u, w, y, p, c, b);
			break;
		case UI_COL_USER:
			cell(u, w, y, p, c, ui_data_str(d, ps->user));
			break;
		case UI_COL_RSS:
			cell(u, w, y, p, c, mt_fmt_size(b, sizeof(b),
					ps->present * s->page_size));
			break;
		case UI_COL_SWAP:
			cell(u, w, y, p, c, mt_fmt_size(b, sizeof(b),
					ps->swapped * s->page_size));
			break;
		case UI_COL_PMD:
			cell(u, w, y, p, c, ui_fmt_pct(b, sizeof(b),
					ps->pmd_pages, ps->present));
			break;
		case UI_COL_THP:
			cell(u, w, y, p, c, ui_fmt_pct(b, sizeof(b),
					ps->thp_pages, ps->present));
			break;
		case UI_COL_BAR:
			if (!ps->dist.avail) {
				if (!selected)
					wattrset(w, ui_attr(u, UI_C_DIM));
				cell(u, w, y, p, c, ps->p->pagemap_denied ?
						"no access" : "needs root");
				wattrset(w, base);
			} else {
				ui_draw_bar(u, w, y, p->x, p->w, &ps->dist,
					    selected);
			}
			break;
		case UI_COL_COMM:
			if (ps->p->kthread && !selected)
				wattrset(w, ui_attr(u, UI_C_DIM));
			cell(u, w, y, p, c, ui_data_str(d, ps->name));
			wattrset(w, base);
			break;
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
	ui_columns_fit(ui_proc_cols, ui_proc_ncols, width, u->ppos);
	ui_draw_titles(u, w, ui_proc_cols, u->ppos, ui_proc_ncols,
		       u->set.psort, u->set.pdesc);
	int visible = h - 1;
	if (!u->snap) {
		ui_put(w, 1, 1, width - 1, "scanning /proc ...", false, false);
		return;
	}
	if (d->nrows == 0) {
		ui_put(w, 1, 1, width - 1,
		       "no process matches (\\ filter, U user, K kernel threads)",
		       false, false);
		return;
	}
	ui_scroll(&u->top, u->sel, d->nrows, visible);
	for (int r = 0; r < visible && u->top + (size_t)r < d->nrows; r++) {
		size_t row = u->top + (size_t)r;
		draw_row(u, w, 1 + r, &d->ps[d->rows[row]], row == u->sel);
	}
}
