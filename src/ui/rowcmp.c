/*
 * rowcmp.c - what the rows of the view model share, below both the
 * process rows (data.c) and the lines and cgroup rows (group.c): the
 * strings of the row text buffer, the figures a process row and a cgroup
 * row both show, and the comparisons that sort them.
 *
 * Pure functions of their arguments: no allocation, no state, no curses;
 * callable from any thread that owns the rows it passes.
 */
#include "ui_model.h"
#include "ui_layout.h"

#include <string.h>

#include "memtop/why.h"

const char *ui_data_str(const struct ui_data *d, size_t off)
{
	return d->text.data && off < d->text.len ? d->text.data + off : "";
}

int ui_cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

int ui_cmp_known(uint64_t a, uint64_t b)
{
	if (a == UINT64_MAX || b == UINT64_MAX)
		return a == b ? 0 : a == UINT64_MAX ? -1 : 1;
	return ui_cmp_u64(a, b);
}

int ui_cmp_why(int a, int b)
{
	if (a < 0 || b < 0)
		return (a < 0) - (b < 0);
	return strcmp(mt_why_name((enum mt_why_code)a),
		      mt_why_name((enum mt_why_code)b));
}

int ui_cmp_rate(bool ha, double a, bool hb, double b)
{
	if (!ha || !hb)
		return ha == hb ? 0 : ha ? 1 : -1;
	return a < b ? -1 : a > b;
}

/* Compare shares a/at and b/bt; unavailable (UINT64_MAX) sorts lowest. */
int ui_cmp_share(uint64_t a, uint64_t at, uint64_t b, uint64_t bt)
{
	bool na = a == UINT64_MAX || at == 0, nb = b == UINT64_MAX || bt == 0;
	if (na || nb)
		return na == nb ? 0 : na ? -1 : 1;
	unsigned __int128 x = (unsigned __int128)a * bt;
	unsigned __int128 y = (unsigned __int128)b * at;
	if (x != y)
		return x < y ? -1 : 1;
	return ui_cmp_u64(a, b);
}

struct ui_rowfig ui_pstat_fig(const struct ui_pstat *ps)
{
	return (struct ui_rowfig){ps->present,    ps->swapped,  ps->pmd_pages,
				  ps->thp_pages,  ps->coll_pages, ps->has_rate,
				  ps->huge_rate,  ps->mark,     &ps->dist,
				  ps->why,        ps->exp_age_ms != 0};
}

int ui_cmp_rowfig(int col, const struct ui_rowfig *a,
		  const struct ui_rowfig *b, bool *handled)
{
	*handled = true;
	switch (col) {
	case UI_COL_RSS: return ui_cmp_u64(a->present, b->present);
	case UI_COL_SWAP: return ui_cmp_u64(a->swapped, b->swapped);
	case UI_COL_PMD:
		return ui_cmp_share(a->pmd, a->present, b->pmd, b->present);
	case UI_COL_THP:
		return ui_cmp_share(a->thp, a->present, b->thp, b->present);
	case UI_COL_COLL: return ui_cmp_known(a->coll, b->coll);
	case UI_COL_WHY: return ui_cmp_why(a->why, b->why);
	case UI_COL_MARK:
	case UI_COL_DELTA:
		return ui_cmp_rate(a->has_rate, a->rate, b->has_rate, b->rate);
	case UI_COL_BAR: return ui_dist_cmp(a->dist, b->dist);
	default:
		*handled = false;
		return 0;
	}
}

struct ui_rowfig ui_group_fig(const struct ui_group *g)
{
	return (struct ui_rowfig){g->present,   g->swapped,    g->pmd_pages,
				  g->thp_pages, g->coll_pages, g->has_rate,
				  g->huge_rate, g->mark,       &g->dist,
				  g->why,       g->stale};
}

bool ui_contains(const char *hay, const char *needle)
{
	if (!needle || !*needle)
		return true;
	return strcasestr(hay, needle) != NULL;
}
