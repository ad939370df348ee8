/*
 * group.c - what the process pane lists, in which order: the shown
 * processes in sort order, the same as a tree under their parents (t), or
 * one row per cgroup summing its shown processes (g), each expandable to
 * its processes (in tree order too when t is on). Pure: it reads the rows
 * of struct ui_data and fills its lines and groups.
 */
#include "ui_model.h"
#include "ui_format.h"
#include "ui_layout.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "memtop/why.h"

/* ---- the process tree ------------------------------------------------ */

struct pidpos {
	pid_t pid;
	size_t pos;
};

static int cmp_pidpos(const void *a, const void *b)
{
	const struct pidpos *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

struct frame {
	size_t node;
	unsigned depth;
	bool last;
	uint32_t more;
};

static uint32_t depth_bit(unsigned depth)
{
	return depth < UI_TREE_BITS ? 1u << depth : 0;
}

size_t ui_tree_order(const struct ui_data *d, const size_t *rows, size_t n,
		     unsigned depth0, struct ui_line *out)
{
	if (n == 0)
		return 0;
	struct pidpos *pp = xmalloc(n * sizeof(*pp));
	ssize_t *parent = xmalloc(n * sizeof(*parent));
	size_t *start = xcalloc(n + 1, sizeof(*start));
	size_t *fill = xmalloc((n + 1) * sizeof(*fill));
	size_t *kids = xmalloc(n * sizeof(*kids));
	bool *done = xcalloc(n, sizeof(*done));
	struct frame *stack = xmalloc(n * sizeof(*stack));

	for (size_t i = 0; i < n; i++)
		pp[i] = (struct pidpos){ d->ps[rows[i]].p->pid, i };
	qsort(pp, n, sizeof(*pp), cmp_pidpos);
	size_t nroots = 0;
	for (size_t i = 0; i < n; i++) {
		struct pidpos key = { d->ps[rows[i]].p->ppid, 0 };
		/* the first entry with that pid */
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (pp[mid].pid < key.pid)
				lo = mid + 1;
			else
				hi = mid;
		}
		parent[i] = lo < n && pp[lo].pid == key.pid && pp[lo].pos != i
				    ? (ssize_t)pp[lo].pos : -1;
		if (parent[i] < 0)
			nroots++;
		else
			start[parent[i] + 1]++;
	}
	/* children of each row, in row (sort) order */
	for (size_t i = 0; i < n; i++)
		start[i + 1] += start[i];
	memcpy(fill, start, (n + 1) * sizeof(*fill));
	for (size_t i = 0; i < n; i++)
		if (parent[i] >= 0)
			kids[fill[parent[i]]++] = i;

	size_t k = 0;
	/* pass 0: real roots; pass 1: rows left over, which sit on a loop
	 * of parent links (a pid reused within one scan) */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			if (done[i] || (pass == 0 && parent[i] >= 0))
				continue;
			bool last = pass == 1 || --nroots == 0;
			size_t sp = 0;
			stack[sp++] = (struct frame){ i, depth0, last, 0 };
			done[i] = true;
			while (sp > 0) {
				struct frame f = stack[--sp];
				out[k++] = (struct ui_line){ UI_LINE_PROC,
					rows[f.node], f.depth, f.last, f.more };
				uint32_t more = f.more;
				if (f.depth >= 1 && !f.last)
					more |= depth_bit(f.depth);
				ssize_t lastkid = -1;
				for (size_t c = start[f.node]; c < start[f.node + 1]; c++)
					if (!done[kids[c]])
						lastkid = (ssize_t)kids[c];
				for (size_t c = start[f.node + 1]; c-- > start[f.node];) {
					size_t kid = kids[c];
					if (done[kid])
						continue;
					done[kid] = true;
					stack[sp++] = (struct frame){
						kid, f.depth + 1,
						(ssize_t)kid == lastkid, more };
				}
			}
		}
	}
	free(pp);
	free(parent);
	free(start);
	free(fill);
	free(kids);
	free(done);
	free(stack);
	return k;
}

/* ---- expanded cgroups ------------------------------------------------- */

bool ui_data_is_expanded(const struct ui_data *d, const char *key)
{
	for (size_t i = 0; i < d->nexpanded; i++)
		if (strcmp(d->expanded[i], key) == 0)
			return true;
	return false;
}

bool ui_data_expand(struct ui_data *d, const char *key, enum ui_expand how)
{
	for (size_t i = 0; i < d->nexpanded; i++) {
		if (strcmp(d->expanded[i], key) != 0)
			continue;
		if (how == UI_EXPAND_OPEN)
			return true;
		free(d->expanded[i]);
		d->expanded[i] = d->expanded[--d->nexpanded];
		return false;
	}
	if (how == UI_EXPAND_CLOSE)
		return false;
	d->expanded = xrealloc(d->expanded,
			       (d->nexpanded + 1) * sizeof(*d->expanded));
	d->expanded[d->nexpanded++] = xstrdup(key);
	return true;
}

void ui_data_expand_all(struct ui_data *d)
{
	if (d->nexpanded) {
		for (size_t i = 0; i < d->nexpanded; i++)
			free(d->expanded[i]);
		d->nexpanded = 0;
		return;
	}
	for (size_t g = 0; g < d->ngroups; g++)
		ui_data_expand(d, d->groups[g].key, UI_EXPAND_OPEN);
}

/* ---- cgroup rows ------------------------------------------------------ */

struct gkey {
	const char *key;
	size_t pos;
};

static int cmp_gkey(const void *a, const void *b)
{
	const struct gkey *x = a, *y = b;
	int r = strcmp(x->key, y->key);
	if (r)
		return r;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void add_known(uint64_t *sum, uint64_t v)
{
	if (v == UINT64_MAX)
		return;
	*sum = *sum == UINT64_MAX ? v : *sum + v;
}

static void sum_group(const struct ui_data *d, struct ui_group *g)
{
	int up = 0, down = 0;
	uint64_t why_bytes[MT_WHY_COUNT] = { 0 };
	g->present = g->swapped = 0;
	g->pmd_pages = g->thp_pages = g->coll_pages = UINT64_MAX;
	g->has_rate = false;
	g->huge_rate = 0;
	memset(&g->dist, 0, sizeof(g->dist));
	g->stale = false;
	bool unread = false;
	for (size_t i = 0; i < g->n; i++) {
		const struct ui_pstat *ps = &d->ps[d->gmembers[g->first + i]];
		g->present += ps->present;
		g->swapped += ps->swapped;
		add_known(&g->pmd_pages, ps->pmd_pages);
		add_known(&g->thp_pages, ps->thp_pages);
		add_known(&g->coll_pages, ps->coll_pages);
		if (ps->has_rate) {
			g->has_rate = true;
			g->huge_rate += ps->huge_rate;
		}
		up += ps->mark > 0;
		down += ps->mark < 0;
		if (ps->why >= 0 && ps->why < MT_WHY_COUNT)
			why_bytes[ps->why] += ps->why_bytes;
		const struct ui_dist *s = &ps->dist;
		g->dist.total += s->total;
		ui_dist_add_folio_cont(&g->dist, s, i == 0);
		g->stale |= ps->exp_age_ms != 0;
		unread |= s->unread;
		if (!s->avail)
			continue;
		g->dist.avail = true;
		g->dist.nord = MT_MAX(g->dist.nord, s->nord);
		for (unsigned o = 0; o < s->nord && o < UI_MAX_ORD; o++)
			g->dist.pages[o] += s->pages[o];
		g->dist.partial += s->partial;
	}
	if (unread) {
		/* a sum without a member's figures would be too small */
		uint64_t total = g->dist.total;
		memset(&g->dist, 0, sizeof(g->dist));
		g->dist.total = total;
		g->dist.unread = true;
		g->pmd_pages = g->thp_pages = UINT64_MAX;
	}
	g->why = -1;
	for (int c = 0; c < MT_WHY_COUNT; c++)
		if (why_bytes[c] && (g->why < 0 || why_bytes[c] > why_bytes[g->why]))
			g->why = c;
	if (g->has_rate && g->huge_rate != 0)
		g->mark = g->huge_rate > 0 ? 1 : -1;
	else
		g->mark = up && !down ? 1 : down && !up ? -1 : 0;
}

struct gsort {
	const struct ui_data *d;
	enum ui_col_id col;
	bool desc;
};

static int cmp_group(const void *pa, const void *pb, void *arg)
{
	const struct gsort *c = arg;
	const struct ui_group *a = &c->d->groups[*(const size_t *)pa];
	const struct ui_group *b = &c->d->groups[*(const size_t *)pb];
	struct ui_rowfig fa = ui_group_fig(a), fb = ui_group_fig(b);
	bool fig;
	int r = ui_cmp_rowfig(c->col, &fa, &fb, &fig);
	if (!fig) {
		switch (c->col) {
		case UI_COL_USER: r = ui_cmp_u64(a->n, b->n); break;
		case UI_COL_COMM:
			r = strcasecmp(ui_data_str(c->d, a->name),
				       ui_data_str(c->d, b->name));
			break;
		default: /* PID: by name */
			r = strcmp(a->key, b->key);
			break;
		}
	}
	if (c->desc)
		r = -r;
	if (r == 0)
		r = strcmp(a->key, b->key);
	return r;
}

static void build_groups(struct ui_data *d)
{
	size_t n = d->nrows;
	struct gkey *gk = xmalloc((n + 1) * sizeof(*gk));
	for (size_t r = 0; r < n; r++) {
		const char *cg = d->ps[d->rows[r]].p->cgroup;
		gk[r] = (struct gkey){ cg ? cg : "", r };
	}
	qsort(gk, n, sizeof(*gk), cmp_gkey);
	d->gmembers = xrealloc(d->gmembers, (n + 1) * sizeof(*d->gmembers));
	d->groups = xrealloc(d->groups, (n + 1) * sizeof(*d->groups));
	d->ngroups = 0;
	for (size_t i = 0; i < n; i++) {
		d->gmembers[i] = d->rows[gk[i].pos];
		if (i > 0 && strcmp(gk[i].key, gk[i - 1].key) == 0) {
			d->groups[d->ngroups - 1].n++;
			continue;
		}
		struct ui_group *g = &d->groups[d->ngroups++];
		memset(g, 0, sizeof(*g));
		g->key = gk[i].key;
		g->name = d->ps[d->gmembers[i]].cgroup;
		g->first = i;
		g->n = 1;
	}
	free(gk);
	for (size_t g = 0; g < d->ngroups; g++) {
		sum_group(d, &d->groups[g]);
		d->groups[g].expanded = ui_data_is_expanded(d, d->groups[g].key);
	}
}

void ui_data_lines(struct ui_data *d, const struct ui_settings *st)
{
	size_t n = d->nrows;
	d->lines = xrealloc(d->lines, (2 * n + 1) * sizeof(*d->lines));
	d->nlines = 0;
	d->ngroups = 0;
	if (!st->group) {
		if (st->tree) {
			d->nlines = ui_tree_order(d, d->rows, n, 0, d->lines);
			return;
		}
		for (size_t r = 0; r < n; r++)
			d->lines[r] = (struct ui_line){ UI_LINE_PROC, d->rows[r],
							0, r + 1 == n, 0 };
		d->nlines = n;
		return;
	}
	build_groups(d);
	size_t *order = xmalloc((d->ngroups + 1) * sizeof(*order));
	for (size_t g = 0; g < d->ngroups; g++)
		order[g] = g;
	int col = st->psort >= 0 && (size_t)st->psort < ui_proc_ncols ?
			  st->psort : 0;
	struct gsort c = { d, ui_proc_cols[col].id, st->pdesc };
	if (d->ngroups > 1)
		qsort_r(order, d->ngroups, sizeof(*order), cmp_group, &c);
	for (size_t k = 0; k < d->ngroups; k++) {
		const struct ui_group *g = &d->groups[order[k]];
		d->lines[d->nlines++] = (struct ui_line){
			UI_LINE_GROUP, order[k], 0, k + 1 == d->ngroups, 0 };
		if (!g->expanded)
			continue;
		const size_t *m = &d->gmembers[g->first];
		if (st->tree) {
			d->nlines += ui_tree_order(d, m, g->n, 1,
						   &d->lines[d->nlines]);
			continue;
		}
		for (size_t i = 0; i < g->n; i++)
			d->lines[d->nlines++] = (struct ui_line){
				UI_LINE_PROC, m[i], 1, i + 1 == g->n, 0 };
	}
	free(order);
}

bool ui_node_pages(const struct ui_data *d, const struct ui_pstat *ps,
		   const struct ui_group *g, uint64_t *per, unsigned nn)
{
	bool known = false;
	memset(per, 0, nn * sizeof(*per));
	for (size_t i = 0; i < (ps ? 1 : g ? g->n : 0); i++) {
		const struct mt_proc *p =
			ps ? ps->p : d->ps[d->gmembers[g->first + i]].p;
		if (!p->thp_node_pages)
			continue;
		known = true;
		for (unsigned k = 0; k < nn && k < d->s->nnodes; k++)
			per[k] += p->thp_node_pages[k];
	}
	return known;
}
