/*
 * vmapane.c - the VMAs of one process (Enter on a process): its totals
 * above, then one row per VMA with range, size, perms, THP advice and
 * eligibility (from smaps, read by the scanner for the selected process
 * only), RSS, PMD share, main reason, the compact bar and the path; under
 * them a box with every reason of the selected VMA as a sentence.
 */
#include "ui_panes.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "memtop/units.h"
#include "memtop/why.h"

void ui_draw_info(struct ui *u, WINDOW *w)
{
	const struct ui_data *d = &u->data;
	const struct mt_snapshot *s = u->snap;
	int width = getmaxx(w);
	werase(w);
	if (!s || d->vproc < 0)
		return;
	const struct ui_pstat *ps = &d->ps[d->vproc];
	const struct mt_proc *p = ps->p;
	char b[256], rss[16], swp[16], pmd[16], thp[16];
	int x = 0;
	snprintf(b, sizeof(b), "PID %d ", (int)p->pid);
	wattrset(w, A_BOLD);
	x += ui_put(w, 0, x, width - x, b, false, u->utf8);
	wattrset(w, ui_attr(u, UI_C_HEADER));
	x += ui_put(w, 0, x, width - x, ui_data_str(d, ps->name), false,
		    u->utf8);
	wattrset(w, A_NORMAL);
	snprintf(b, sizeof(b), " (%s)  RSS %s  swap %s  %s %s  THP%% %s  "
			       "VMAs %zu",
		 ui_data_str(d, ps->user),
		 mt_fmt_size(rss, sizeof(rss), ps->present * s->page_size),
		 mt_fmt_size(swp, sizeof(swp), ps->swapped * s->page_size),
		 ui_view_pmd_title(u->set.view),
		 ui_fmt_pct(pmd, sizeof(pmd), ps->pmd_pages, ps->present),
		 ui_fmt_pct(thp, sizeof(thp), ps->thp_pages, ps->present),
		 p->nvmas);
	if (d->vmas_hidden) {
		size_t l = strlen(b);
		snprintf(b + l, sizeof(b) - l, ", %zu hidden", d->vmas_hidden);
	}
	x += ui_put_ell(w, 0, x, width - x, b, false, u->utf8);
	if (getmaxy(w) < 2)
		return;
	x = 0;
	x += ui_put(w, 1, x, width, "blocks ", false, u->utf8);
	int bw = MT_MIN(32, width / 3);
	if (ps->dist.avail)
		ui_draw_bar(u, w, 1, x, bw, &ps->dist, false);
	else
		ui_put(w, 1, x, bw,
		       ui_view_missing_short(u->snap, u->set.view), false,
		       u->utf8);
	x += bw + 2;
	/* where ADV and ELIG come from, then what khugepaged or
	 * MADV_COLLAPSE could still do: the slots go before the note, the
	 * long forms before the short ones, and an ellipsis ends what still
	 * does not fit */
	const char *note = p->has_smaps ? "ADV/ELIG from smaps"
					: "ADV/ELIG: smaps on the next scan";
	const char *note_s = p->has_smaps ? "" : "smaps: next scan";
	char slots[160] = "", slots_s[160] = "";
	if (p->pmd_slots != MT_UNKNOWN && p->pmd_full != MT_UNKNOWN &&
	    p->pmd_touched != MT_UNKNOWN) {
		char coll[16], mapped[40];
		if (p->pmd_mapped == MT_UNKNOWN)
			snprintf(mapped, sizeof(mapped), "?");
		else
			snprintf(mapped, sizeof(mapped), "%" PRIu64,
				 p->pmd_mapped);
		uint64_t cp = ui_coll_pages(p->pmd_collapsible, s->pmd_order);
		if (cp == UINT64_MAX)
			snprintf(coll, sizeof(coll), "?");
		else
			mt_fmt_size(coll, sizeof(coll), cp * s->page_size);
		uint64_t part = p->pmd_touched > p->pmd_full ?
					p->pmd_touched - p->pmd_full : 0;
		snprintf(slots, sizeof(slots), "PMD slots %" PRIu64 ": %s "
			 "mapped, %" PRIu64 " full (%s collapsible), %" PRIu64
			 " partial", p->pmd_slots, mapped, p->pmd_full, coll,
			 part);
		snprintf(slots_s, sizeof(slots_s), "PMD slots %" PRIu64 ": %s/"
			 "%" PRIu64 "/%" PRIu64 " mapped/full/partial, %s coll",
			 p->pmd_slots, mapped, p->pmd_full, part, coll);
	}
	const char *cand[][2] = {
		{ note, slots }, { note, slots_s }, { note_s, slots },
		{ "", slots }, { note_s, slots_s }, { "", slots_s },
	};
	size_t k = 0, nc = MT_ARRAY_SIZE(cand);
	for (; k < nc; k++) {
		int need = ui_text_width(cand[k][0], false) +
			   (*cand[k][0] && *cand[k][1] ? 2 : 0) +
			   ui_text_width(cand[k][1], false);
		if (x + need < width) /* a cell to spare: no word ends at
				       * the edge, where it would look cut */
			break;
	}
	if (k == nc)
		k = nc - 1;
	if (*cand[k][0]) {
		wattrset(w, ui_attr(u, p->has_smaps ? UI_C_NORMAL : UI_C_DIM));
		x += ui_put_ell(w, 1, x, width - x, cand[k][0], false, false);
		x += 2;
	}
	wattrset(w, A_NORMAL);
	if (*cand[k][1] && x < width)
		ui_put_ell(w, 1, x, width - x, cand[k][1], false, u->utf8);
}

/* An address in w cells: the tail after an ellipsis when it is longer
 * (the vsyscall page lives at ffffffffff600000). */
static const char *fmt_addr(char *b, size_t len, uint64_t a, int w, bool utf8)
{
	char t[24];
	int n = snprintf(t, sizeof(t), "%" PRIx64, a);
	if (n <= w || w < 3)
		snprintf(b, len, "%s", t);
	else
		snprintf(b, len, "%s%s", utf8 ? "\u2026" : "~",
			 t + n - (w - 1));
	return b;
}

static void draw_row(struct ui *u, WINDOW *w, int y, const struct ui_vstat *vs,
		     bool selected)
{
	const struct mt_snapshot *s = u->snap;
	const struct mt_vma *v = vs->v;
	attr_t base = selected ? ui_attr(u, UI_C_SEL) : A_NORMAL;
	char b[64];
	wattrset(w, base);
	if (selected)
		mvwhline(w, y, 0, ' ', getmaxx(w));
	for (size_t i = 0; i < ui_vma_ncols; i++) {
		const struct ui_colpos *p = &u->vpos[i];
		const struct ui_column *c = &ui_vma_cols[i];
		const char *t = b;
		if (!p->shown)
			continue;
		switch (c->id) {
		case UI_COL_START:
			fmt_addr(b, sizeof(b), v->start, p->w, u->utf8);
			break;
		case UI_COL_END:
			fmt_addr(b, sizeof(b), v->end, p->w, u->utf8);
			break;
		case UI_COL_SIZE:
			mt_fmt_size(b, sizeof(b), v->end - v->start);
			break;
		case UI_COL_PERM:
			t = v->perms;
			break;
		case UI_COL_ADV:
			t = !v->has_smaps ? "?" :
			    (v->vmflags & MT_VMF_HG) ? "hg" :
			    (v->vmflags & MT_VMF_NH) ? "nh" : "-";
			break;
		case UI_COL_ELIG:
			t = !v->has_smaps || v->thp_eligible < 0 ? "?" :
			    v->thp_eligible ? "yes" : "no";
			break;
		case UI_COL_VRSS:
			mt_fmt_size(b, sizeof(b),
				    v->present_pages * s->page_size);
			break;
		case UI_COL_VPMD: {
			/* PFN and folio figures of an earlier scan: marked,
			 * in the views that show them */
			bool old = vs->exp_age_ms && u->set.view != UI_VIEW_PRESENT;
			ui_fmt_pct(b + old, sizeof(b) - 1, vs->pmd_pages,
				   v->present_pages);
			if (old)
				b[0] = '~';
			break;
		}
		case UI_COL_VCOLL:
			if (vs->coll_pages == UINT64_MAX)
				t = "?"; /* not known: never 0 */
			else
				mt_fmt_size(b, sizeof(b),
					    vs->coll_pages * s->page_size);
			break;
		case UI_COL_VWHY: {
			int code = ui_vstat_why(&u->data, vs);
			t = code >= 0 ? mt_why_name((enum mt_why_code)code) : "";
			break;
		}
		case UI_COL_SLOTS:
			ui_fmt_slots(b, sizeof(b), v->pmd_slots, v->pmd_full,
				     v->pmd_touched, v->pmd_mapped);
			break;
		case UI_COL_VBAR:
			if (!vs->dist.avail) {
				t = ui_view_missing_short(u->snap, u->set.view);
				break;
			}
			ui_draw_bar(u, w, y, p->x, p->w, &vs->dist, selected);
			continue;
		case UI_COL_PATH:
			t = ui_data_str(&u->data, vs->path);
			if (!*t) {
				snprintf(b, sizeof(b), "[%s]",
					 mt_kind_name(v->kind));
				t = b;
				if (!selected)
					wattrset(w, ui_attr(u, UI_C_DIM));
			}
			break;
		default:
			continue;
		}
		ui_put_ell(w, y, p->x, p->w, t, c->right, u->utf8);
		wattrset(w, base);
	}
	wattrset(w, A_NORMAL);
}

void ui_draw_vmas(struct ui *u, WINDOW *w)
{
	const struct ui_data *d = &u->data;
	int h = getmaxy(w), width = getmaxx(w);
	werase(w);
	ui_columns_fit(ui_vma_cols, ui_vma_ncols, width, u->vpos);
	ui_draw_titles(u, w, ui_vma_cols, u->vpos, ui_vma_ncols, u->set.vsort,
		       u->set.vdesc);
	int visible = h - 1;
	u->vma_rows = MT_MAX(visible, 0);
	if (d->nvrows == 0) {
		const struct mt_proc *p =
			d->vproc >= 0 ? d->ps[d->vproc].p : NULL;
		/* on big systems VMA details are kept for the selected
		 * process only: they come with the scan it asked for */
		bool pending = p && !p->nvmas && p->vma_count;
		ui_put(w, 1, 1, width - 1,
		       pending ? "reading the VMAs of this process..."
		       : d->nvs ? "no VMA shown (f file-backed, u unfaulted, "
				  "\\ filter)"
				: "no VMAs",
		       false, false);
		return;
	}
	ui_scroll(&u->vtop, u->vsel, d->nvrows, visible);
	for (int r = 0; r < visible && u->vtop + (size_t)r < d->nvrows; r++) {
		size_t row = u->vtop + (size_t)r;
		draw_row(u, w, 1 + r, &d->vs[d->vrows[row]], row == u->vsel);
	}
}

/* The text of the reasons box is tw = width - 2 cells wide, from x = 1:
 * the last cell is kept for an ellipsis when a reason goes on below the
 * box. */
static void more_mark(const struct ui *u, WINDOW *w, int y)
{
	ui_put(w, y, getmaxx(w) - 1, 1, u->utf8 ? "\u2026" : "~", false,
	       u->utf8);
}

/* One reason from line y on, up to line h - 1: the code in bold, further
 * lines indented (as ui_wrap_lines counts them). Returns the next line. */
static int draw_reason(const struct ui *u, WINDOW *w, int y, int h,
		       const char *s, size_t code_len)
{
	int tw = getmaxx(w) - 2;
	size_t off = 0, next;
	for (int k = 0; s[off] && y < h; k++, y++) {
		int x = 1 + (k ? UI_WHY_INDENT : 0);
		int lw = k ? MT_MAX(tw - UI_WHY_INDENT, 1) : tw;
		char line[1024];
		size_t n = ui_wrap(s + off, lw, u->utf8, &next);
		bool cut = s[off + next] && y + 1 == h;
		if (cut) /* the last line of the box: fill it */
			n = ui_text_fit(s + off, lw, u->utf8, NULL);
		n = MT_MIN(n, sizeof(line) - 1);
		memcpy(line, s + off, n);
		line[n] = '\0';
		/* the code: the start of the first line */
		size_t bold = off < code_len ? MT_MIN(code_len - off, n) : 0;
		char keep = line[bold];
		line[bold] = '\0';
		wattrset(w, A_BOLD);
		int used = ui_put(w, y, x, lw, line, false, u->utf8);
		line[bold] = keep;
		wattrset(w, A_NORMAL);
		ui_put(w, y, x + used, lw - used, line + bold, false, u->utf8);
		off += next;
		if (cut)
			more_mark(u, w, y);
	}
	return y;
}

void ui_draw_why(struct ui *u, WINDOW *w)
{
	const struct ui_data *d = &u->data;
	int h = getmaxy(w), width = getmaxx(w);
	werase(w);
	if (d->nvrows == 0 || u->vsel >= d->nvrows)
		return;
	const struct ui_vstat *vs = &d->vs[d->vrows[u->vsel]];
	int y = 0;
	if (h > 1) {
		char t[96];
		wattrset(w, ui_attr(u, UI_C_TITLE));
		mvwhline(w, 0, 0, ' ', width);
		snprintf(t, sizeof(t), "why VMA %" PRIx64
			 " is not in PMD-sized pages", vs->v->start);
		ui_put(w, 0, 1, width - 1, t, false, u->utf8);
		wattrset(w, A_NORMAL);
		y = 1;
	}
	if (vs->nwhy == 0) {
		wattrset(w, ui_attr(u, UI_C_DIM));
		ui_put(w, y, 1, width - 2,
		       "no reason found: nothing memtop knows of keeps it from "
		       "PMD-sized pages", false, u->utf8);
		wattrset(w, A_NORMAL);
		y++;
	}
	/* the reasons, then the mTHP sizes a fault may use; each line's
	 * lead (the code, or the size) in bold */
	size_t all = vs->nwhy + vs->nmthp;
	for (size_t k = 0; k < all && y < h; k++) {
		const struct ui_reason *r = &d->reasons[vs->why_first + k];
		const char *text = ui_data_str(d, r->text);
		const char *colon = strchr(text, ':');
		y = draw_reason(u, w, y, h, text,
				colon ? (size_t)(colon - text) : 0);
		if (k + 1 < all && y == h)
			more_mark(u, w, h - 1);
	}
}
