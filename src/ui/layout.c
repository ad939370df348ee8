/*
 * layout.c - where the panes go and which columns fit. Pure functions of
 * the terminal size, tested over many sizes by tests/unit/test_ui_layout.c.
 *
 *   +--------------------------------------------------+
 *   | header (2-4 lines)                               |
 *   +------------------------------+-------------------+
 *   | info (VMA pane: totals)      | hist (wide        |
 *   | list: titles + rows          |  terminals)       |
 *   | why (VMA pane: reasons)      |                   |
 *   +------------------------------+-------------------+
 *   | hist (narrow terminals, when there is room)      |
 *   | footer (keys, prompt, messages)                  |
 *   +--------------------------------------------------+
 */
#include "ui_layout.h"
#include "ui_model.h"

#include <string.h>

/* Wide enough to put the histogram beside the list. */
#define SIDE_MIN_COLS 140
#define HIST_MIN_W 40
#define HIST_MAX_W 64
#define HIST_MIN_H 4 /* title and three orders */
#define LIST_MIN_H 4 /* titles and three rows */
/* Below the list, the histogram leaves it titles and this many rows less
 * one (a useful list at 80x24: 12 processes, not 8) */
#define LIST_KEEP_H 13

static struct ui_rect rect(int y, int x, int h, int w)
{
	struct ui_rect r = { y, x, h, w };
	if (h <= 0 || w <= 0)
		r = (struct ui_rect){ 0, 0, 0, 0 };
	return r;
}

int ui_layout_list_width(int cols, bool want_hist)
{
	if (!want_hist || cols < SIDE_MIN_COLS)
		return cols;
	return cols - MT_MIN(MT_MAX(cols / 3, HIST_MIN_W), HIST_MAX_W);
}

void ui_layout_compute(struct ui_layout *l, int cols, int lines,
		       int hist_rows, int info_rows, int why_rows,
		       bool want_hist)
{
	memset(l, 0, sizeof(*l));
	l->cols = cols;
	l->lines = lines;
	if (cols < UI_MIN_COLS || lines < UI_MIN_LINES) {
		l->too_small = true;
		return;
	}
	/* host/THP mode, scan/privilege, the huge page summary, counts and
	 * filters: the last two go first when lines are short */
	int hh = lines >= 24 ? 4 : lines >= 14 ? 3 : 2;
	l->header = rect(0, 0, hh, cols);
	l->footer = rect(lines - 1, 0, 1, cols);
	int y0 = hh, bh = lines - hh - 1; /* body; >= 7 */
	if (info_rows < 0)
		info_rows = 0;
	if (why_rows < 0)
		why_rows = 0;
	if (hist_rows < HIST_MIN_H)
		hist_rows = HIST_MIN_H;
	int lw = ui_layout_list_width(cols, want_hist);
	int ih = MT_MIN(info_rows, bh - LIST_MIN_H);
	l->info = rect(y0, 0, MT_MAX(ih, 0), lw);
	int rest = bh - l->info.h; /* >= LIST_MIN_H */

	if (lw < cols) {
		/* the histogram beside: the reasons take up to a third of
		 * the column under the list */
		l->hist_side = true;
		l->hist = rect(y0, lw, bh, cols - lw);
		int why_h = MT_MIN(why_rows, MT_MIN(rest - LIST_MIN_H,
						    rest / 3));
		l->list = rect(y0 + l->info.h, 0, rest - why_h, lw);
		l->why = rect(y0 + l->info.h + l->list.h, 0, why_h, lw);
		return;
	}

	/* the list keeps half the body, and at least LIST_KEEP_H lines
	 * when the histogram (and two lines of reasons) can still have
	 * their smallest height; the reasons take up to half of what is
	 * left (one line at least) but leave the histogram its smallest
	 * height when they can, the histogram the rest when that is enough
	 * for it */
	int why_res = want_hist ? MT_MIN(why_rows, 2) : 0;
	int keep = MT_MAX(rest / 2, MT_MIN(LIST_KEEP_H,
					   rest - HIST_MIN_H - why_res));
	int spare = rest - MT_MAX(LIST_MIN_H, keep);
	int why_max = spare;
	if (want_hist && spare > HIST_MIN_H)
		why_max = MT_MAX(MT_MIN(spare / 2, spare - HIST_MIN_H), 1);
	else if (want_hist)
		why_max = MT_MAX(spare / 2, MT_MIN(spare, 1));
	int why_h = MT_MIN(why_rows, why_max);
	int hist_h = 0;
	if (want_hist) {
		hist_h = MT_MIN(hist_rows, spare - why_h);
		if (hist_h < HIST_MIN_H)
			hist_h = 0;
	}
	int list_h = rest - why_h - hist_h, y = y0 + l->info.h;
	l->list = rect(y, 0, list_h, cols);
	l->why = rect(y + list_h, 0, why_h, cols);
	l->hist = rect(y + list_h + why_h, 0, hist_h, cols);
}

bool ui_rect_empty(const struct ui_rect *r)
{
	return r->h <= 0 || r->w <= 0;
}

bool ui_rect_inside(const struct ui_rect *r, int cols, int lines)
{
	return r->y >= 0 && r->x >= 0 && r->h > 0 && r->w > 0 &&
	       r->y + r->h <= lines && r->x + r->w <= cols;
}

bool ui_rect_overlap(const struct ui_rect *a, const struct ui_rect *b)
{
	if (ui_rect_empty(a) || ui_rect_empty(b))
		return false;
	return a->x < b->x + b->w && b->x < a->x + a->w &&
	       a->y < b->y + b->h && b->y < a->y + a->h;
}

bool ui_rect_has(const struct ui_rect *r, int y, int x)
{
	return !ui_rect_empty(r) && y >= r->y && y < r->y + r->h &&
	       x >= r->x && x < r->x + r->w;
}

void ui_scroll(size_t *top, size_t sel, size_t nrows, int visible)
{
	if (visible < 1)
		visible = 1;
	if (sel < *top)
		*top = sel;
	if (sel >= *top + (size_t)visible)
		*top = sel - (size_t)visible + 1;
	if (nrows <= (size_t)visible)
		*top = 0;
	else if (*top > nrows - (size_t)visible)
		*top = nrows - (size_t)visible;
}

/* ---- columns --------------------------------------------------------- */

const struct ui_column ui_proc_cols[] = {
	{ UI_COL_PID, "PID", 7, 0, true, false, false,
	  "process id" },
	{ UI_COL_USER, "USER", 9, 3, false, false, false,
	  "owner (real uid)" },
	{ UI_COL_RSS, "RSS", 6, 1, true, true, false,
	  "present memory (pages in the page table)" },
	{ UI_COL_SWAP, "SWAP", 6, 6, true, true, false,
	  "swapped out memory" },
	{ UI_COL_PMD, "ALGN%", 5, 2, true, true, false,
	  "share of RSS in PMD-order blocks of the view; named for the "
	  "view: ALGN% (present), CONT% (mappable), HUGE% (folios)" },
	{ UI_COL_THP, "THP%", 5, 4, true, true, false,
	  "share of RSS in large folios (root)" },
	{ UI_COL_MARK, "", 1, 2, false, true, false,
	  "up/down: huge-backed memory (else RSS) changed since the last scan" },
	{ UI_COL_COLL, "COLL", 6, 5, true, true, false,
	  "collapsible: PMD slots MADV_COLLAPSE would make PMD-mapped now "
	  "(? unknown)" },
	{ UI_COL_DELTA, "HUGE/s", 7, 3, true, true, false,
	  "change of huge-backed memory per second since the last scan (D)" },
	{ UI_COL_WHY, "WHY", UI_WHY_W, 5, false, false, false,
	  "main reason its memory is not in PMD-sized pages: the reason "
	  "of its VMAs holding the most bytes not PMD-mapped (codes below)" },
	{ UI_COL_BAR, "BLOCKS", 8, 2, false, true, true,
	  "RSS by block order, largest first" },
	{ UI_COL_COMM, "COMMAND", 0, 0, false, false, false,
	  "command line, or process name (p); kernel threads in brackets "
	  "(t: tree; g: cgroup rows with sums)" },
};
const size_t ui_proc_ncols = MT_ARRAY_SIZE(ui_proc_cols);

const struct ui_column ui_vma_cols[] = {
	{ UI_COL_START, "START", 12, 0, true, false, false,
	  "first address" },
	{ UI_COL_END, "END", 12, 7, true, false, false,
	  "address after the last byte" },
	{ UI_COL_SIZE, "SIZE", 6, 1, true, true, false,
	  "virtual size" },
	{ UI_COL_PERM, "PERM", 4, 2, false, false, false,
	  "permissions" },
	{ UI_COL_ADV, "ADV", 3, 4, false, true, false,
	  "madvise: hg MADV_HUGEPAGE, nh MADV_NOHUGEPAGE (smaps)" },
	{ UI_COL_ELIG, "ELIG", 4, 4, false, true, false,
	  "THPeligible (smaps)" },
	{ UI_COL_VRSS, "RSS", 6, 1, true, true, false,
	  "present memory" },
	{ UI_COL_VPMD, "ALGN%", 5, 3, true, true, false,
	  "share of RSS in PMD-order blocks of the view (ALGN%, CONT% or "
	  "HUGE%, as in the process list); ~ before it in the mappable and "
	  "folio views: PFN and folio figures from an earlier scan (their "
	  "age is in the histogram's title)" },
	{ UI_COL_VCOLL, "COLL", 6, 5, true, true, false,
	  "collapsible: PMD slots MADV_COLLAPSE would make PMD-mapped now "
	  "(? unknown)" },
	{ UI_COL_VWHY, "WHY", UI_WHY_W, 7, false, false, false,
	  "main reason the VMA is not in PMD-sized pages (wide panes); all "
	  "of them, as sentences, in the box under the list" },
	{ UI_COL_SLOTS, "SLOTS m/f/p", 11, 6, true, true, false,
	  "PMD-aligned slots: PMD-mapped / fully present / partly present" },
	{ UI_COL_VBAR, "BLOCKS", 8, 3, false, true, true,
	  "RSS by block order, largest first" },
	{ UI_COL_PATH, "PATH", 0, 0, false, false, false,
	  "what is mapped" },
};
const size_t ui_vma_ncols = MT_ARRAY_SIZE(ui_vma_cols);

#define LAST_MIN_W 8
#define BAR_MIN_W 8
#define BAR_MAX_W 40

/* Names and paths are what a row is about: on wide panes they keep a
 * quarter of the width (up to 32 cells) before the bar grows. */
static int last_min(int width)
{
	return MT_MAX(LAST_MIN_W, MT_MIN(width / 4, 32));
}

static int fixed_need(const struct ui_column *cols, size_t n,
		      const struct ui_colpos *pos, int width)
{
	int need = 0, shown = 0;
	for (size_t i = 0; i < n; i++) {
		if (!pos[i].shown)
			continue;
		need += cols[i].width ? cols[i].width : last_min(width);
		shown++;
	}
	return need + (shown > 0 ? shown - 1 : 0);
}

void ui_columns_fit(const struct ui_column *cols, size_t n, int width,
		    struct ui_colpos *pos)
{
	ui_columns_fit_hidden(cols, n, width, 0, pos);
}

void ui_columns_fit_hidden(const struct ui_column *cols, size_t n, int width,
			   uint32_t hidden, struct ui_colpos *pos)
{
	for (size_t i = 0; i < n; i++)
		pos[i] = (struct ui_colpos){ !(i < 32 && (hidden >> i) & 1u),
					     0, 0 };
	while (fixed_need(cols, n, pos, width) > width) {
		size_t drop = n;
		for (size_t i = 0; i < n; i++)
			if (pos[i].shown && cols[i].prio > 0 &&
			    (drop == n || cols[i].prio >= cols[drop].prio))
				drop = i;
		if (drop == n)
			break;
		pos[drop].shown = false;
	}
	int extra = width - fixed_need(cols, n, pos, width);
	if (extra < 0)
		extra = 0;
	int x = 0;
	for (size_t i = 0; i < n; i++) {
		if (!pos[i].shown)
			continue;
		int w = cols[i].width;
		if (cols[i].is_bar) {
			int grow = MT_MIN(extra / 3, BAR_MAX_W - BAR_MIN_W);
			w += grow;
			extra -= grow;
		}
		if (w == 0) /* the last column takes the rest */
			w = MT_MAX(width - x, 1);
		pos[i].x = x;
		pos[i].w = w;
		x += w + 1;
	}
}

int ui_column_at(const struct ui_colpos *pos, size_t n, int x)
{
	for (size_t i = 0; i < n; i++)
		if (pos[i].shown && x >= pos[i].x && x <= pos[i].x + pos[i].w)
			return (int)i;
	return -1;
}

int ui_col_index(const struct ui_column *cols, size_t n, enum ui_col_id id)
{
	for (size_t i = 0; i < n; i++)
		if (cols[i].id == id)
			return (int)i;
	return -1;
}

uint32_t ui_proc_hidden(const struct ui_settings *st)
{
	int i = ui_col_index(ui_proc_cols, ui_proc_ncols, UI_COL_DELTA);
	return st->show_delta || i < 0 ? 0 : 1u << i;
}

bool ui_proc_sort_key(int col, enum mt_sort_key *k)
{
	if (col < 0 || (size_t)col >= ui_proc_ncols)
		return false;
	for (int key = 0; key < MT_SORT_COUNT; key++) {
		if (ui_proc_col_for_sort((enum mt_sort_key)key) == col) {
			*k = (enum mt_sort_key)key;
			return true;
		}
	}
	return false;
}

int ui_proc_col_for_sort(enum mt_sort_key k)
{
	enum ui_col_id id;
	switch (k) {
	case MT_SORT_PID: id = UI_COL_PID; break;
	case MT_SORT_RSS: id = UI_COL_RSS; break;
	case MT_SORT_PMD: id = UI_COL_PMD; break;
	case MT_SORT_THP: id = UI_COL_THP; break;
	case MT_SORT_COMM: id = UI_COL_COMM; break;
	case MT_SORT_USER: id = UI_COL_USER; break;
	case MT_SORT_SWAP: id = UI_COL_SWAP; break;
	case MT_SORT_HIST: id = UI_COL_BAR; break;
	default: return -1;
	}
	for (size_t i = 0; i < ui_proc_ncols; i++)
		if (ui_proc_cols[i].id == id)
			return (int)i;
	return -1;
}
