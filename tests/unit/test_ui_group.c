/*
 * test_ui_group.c - what the process pane lists beyond a sorted list: the
 * process tree (by ppid; orphans, self-parents and loops from reused pids),
 * one row per cgroup with sums, expanding and collapsing, and the change
 * since the previous scan (HUGE/s and the up/down marks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ui/ui_format.h"
#include "../../src/ui/ui_layout.h"
#include "../../src/ui/ui_model.h"

#define NORD 10
#define NP 10

/*
 * pid ppid cgroup   present  pmd_full pmd_mapped collapsible
 *   1    0  /           10      0        0          0
 *  10    1  /sys/a    1024      2        2          0
 *  11   10  /sys/a     512      1        0          2   (a slot with holes)
 *  12   10  /sys/b     100      0        0          0   (parent elsewhere)
 *  13   11  /sys/a       4      0        0          1
 *  20   99  /sys/b    2048      4        1          3   (parent not listed)
 *  30   31  /loop        1      0        0          0   (30, 31: a loop)
 *  31   30  /loop        1      0        0          -   (unknown)
 *  40   40  /x           1      0        0          0   (its own parent)
 *  50   10  /sys/a       0      -        -          -   (kernel thread)
 * The collapsible figure is the scan's (what MADV_COLLAPSE would do), not
 * worked out from pmd_full and pmd_mapped.
 */
static const struct {
	pid_t pid, ppid;
	const char *cg, *comm;
	uint64_t present, full, mapped, coll;
} spec[NP] = {
	{ 1, 0, "/", "init", 10, 0, 0, 0 },
	{ 10, 1, "/sys/a", "alpha", 1024, 2, 2, 0 },
	{ 11, 10, "/sys/a", "beta", 512, 1, 0, 2 },
	{ 12, 10, "/sys/b", "gamma", 100, 0, 0, 0 },
	{ 13, 11, "/sys/a", "delta", 4, 0, 0, 1 },
	{ 20, 99, "/sys/b", "orphan", 2048, 4, 1, 3 },
	{ 30, 31, "/loop", "loopa", 1, 0, 0, 0 },
	{ 31, 30, "/loop", "loopb", 1, 0, 0, MT_UNKNOWN },
	{ 40, 40, "/x", "selfish", 1, 0, 0, 0 },
	{ 50, 10, "/sys/a", "kworker", 0, MT_UNKNOWN, MT_UNKNOWN, MT_UNKNOWN },
};

static uint64_t hists[NP][NORD];
static struct mt_proc procs[NP];
static struct mt_snapshot snap;

static void make_snapshot(void)
{
	memset(&snap, 0, sizeof(snap));
	memset(hists, 0, sizeof(hists));
	snap.page_size = 4096;
	snap.page_shift = 12;
	snap.pmd_order = 9;
	snap.max_order = 9;
	snap.nord = NORD;
	snap.have_pmd_mapped = true;
	snap.generation = 1;
	snap.time_ns = 1000000000u;
	for (int i = 0; i < NP; i++) {
		/* present pages: PMD blocks first, the rest at order 0 */
		uint64_t pmd = spec[i].full == MT_UNKNOWN ? 0 : spec[i].full;
		hists[i][9] = MT_MIN(pmd, spec[i].present >> 9);
		hists[i][0] = spec[i].present - (hists[i][9] << 9);
		procs[i] = (struct mt_proc){
			.pid = spec[i].pid, .ppid = spec[i].ppid,
			.comm = spec[i].comm, .user = "root",
			.cgroup = spec[i].cg,
			.kthread = spec[i].pid == 50,
			.present_pages = spec[i].present,
			.present_hist = hists[i],
			.pmd_slots = spec[i].full, .pmd_full = spec[i].full,
			.pmd_touched = spec[i].full,
			.pmd_mapped = spec[i].mapped,
			.pmd_collapsible = spec[i].coll,
		};
	}
	snap.procs = procs;
	snap.nprocs = NP;
}

static struct ui_settings settings(enum mt_sort_key k, bool desc)
{
	struct ui_settings st;
	memset(&st, 0, sizeof(st));
	st.view = UI_VIEW_PRESENT;
	st.psort = ui_proc_col_for_sort(k);
	st.pdesc = desc;
	st.utf8 = true;
	return st;
}

static pid_t line_pid(const struct ui_data *d, size_t r)
{
	assert_int_equal(d->lines[r].kind, UI_LINE_PROC);
	return d->ps[d->lines[r].idx].p->pid;
}

static const char *line_group(const struct ui_data *d, size_t r)
{
	assert_int_equal(d->lines[r].kind, UI_LINE_GROUP);
	return d->groups[d->lines[r].idx].key;
}

/* ---- the tree -------------------------------------------------------- */

static void test_flat(void **state)
{
	(void)state;
	make_snapshot();
	struct ui_settings st = settings(MT_SORT_PID, false);
	struct ui_data d;
	ui_data_init(&d);
	ui_data_build(&d, &snap, &st, 0);
	assert_int_equal(d.nlines, NP - 1); /* the kernel thread hidden */
	for (size_t r = 0; r < d.nlines; r++) {
		assert_int_equal(line_pid(&d, r), d.ps[d.rows[r]].p->pid);
		assert_int_equal(d.lines[r].depth, 0);
	}
	ui_data_free(&d);
}

static void test_tree(void **state)
{
	(void)state;
	make_snapshot();
	struct ui_settings st = settings(MT_SORT_PID, false);
	st.tree = true;
	struct ui_data d;
	ui_data_init(&d);
	ui_data_build(&d, &snap, &st, 0);
	/* roots in sort order (1, 20, 40), children under their parents,
	 * then the loop broken at its first row */
	static const pid_t want[] = { 1, 10, 11, 13, 12, 20, 40, 30, 31 };
	static const unsigned depth[] = { 0, 1, 2, 3, 2, 0, 0, 0, 1 };
	assert_int_equal(d.nlines, MT_ARRAY_SIZE(want));
	for (size_t r = 0; r < d.nlines; r++) {
		assert_int_equal(line_pid(&d, r), want[r]);
		assert_int_equal(d.lines[r].depth, depth[r]);
	}
	/* 11 has a sibling below it (12); 12 is the last child of 10 */
	assert_false(d.lines[2].last);
	assert_true(d.lines[4].last);
	/* 13 under 11: the glyph column of depth 2 continues (12 follows) */
	assert_true(d.lines[3].last);
	assert_true(d.lines[3].more & (1u << 2));
	assert_false(d.lines[3].more & (1u << 1)); /* 10 is an only child */
	assert_int_equal(ui_data_find_pid(&d, 13), 3);

	/* descending: siblings reversed, still under their parents */
	st.pdesc = true;
	ui_data_refilter(&d, &st);
	static const pid_t rev[] = { 40, 20, 1, 10, 12, 11, 13, 31, 30 };
	assert_int_equal(d.nlines, MT_ARRAY_SIZE(rev));
	for (size_t r = 0; r < d.nlines; r++)
		assert_int_equal(line_pid(&d, r), rev[r]);

	/* filtered: alpha and beta hidden, delta becomes a root */
	snprintf(st.name_filter, sizeof(st.name_filter), "%s", "delt");
	st.pdesc = false;
	ui_data_refilter(&d, &st);
	assert_int_equal(d.nlines, 1);
	assert_int_equal(line_pid(&d, 0), 13);
	assert_int_equal(d.lines[0].depth, 0);
	ui_data_free(&d);
}

/* Random forests with loops: every row exactly once, parents before
 * their children, depth one more than the parent's. */
static void test_tree_random(void **state)
{
	(void)state;
	enum { N = 400 };
	static struct mt_proc rp[N];
	static uint64_t zero[NORD];
	srand(7);
	for (int round = 0; round < 50; round++) {
		int n = 1 + rand() % N;
		for (int i = 0; i < n; i++) {
			pid_t pid = 1000 + i * 3;
			pid_t ppid;
			int k = rand() % 10;
			if (k < 6 && i > 0) /* an earlier process */
				ppid = 1000 + (rand() % i) * 3;
			else if (k < 8) /* not listed */
				ppid = 1;
			else /* anyone, loops included */
				ppid = 1000 + (rand() % n) * 3;
			rp[i] = (struct mt_proc){ .pid = pid, .ppid = ppid,
				.comm = "p", .user = "u", .cgroup = "/",
				.present_pages = (uint64_t)(rand() % 100),
				.present_hist = zero,
				.pmd_slots = MT_UNKNOWN, .pmd_full = MT_UNKNOWN,
				.pmd_touched = MT_UNKNOWN,
				.pmd_mapped = MT_UNKNOWN };
		}
		struct mt_snapshot s = snap;
		s.procs = rp;
		s.nprocs = (size_t)n;
		struct ui_settings st = settings(MT_SORT_RSS, round & 1);
		st.tree = true;
		struct ui_data d;
		ui_data_init(&d);
		ui_data_build(&d, &s, &st, 0);
		assert_int_equal(d.nlines, (size_t)n);
		int *seen = calloc((size_t)n, sizeof(*seen));
		size_t *pos = calloc((size_t)n, sizeof(*pos));
		for (size_t r = 0; r < d.nlines; r++) {
			size_t i = d.lines[r].idx;
			assert_true(i < (size_t)n);
			assert_int_equal(seen[i], 0);
			seen[i] = 1;
			pos[i] = r;
		}
		for (size_t r = 0; r < d.nlines; r++) {
			const struct ui_line *l = &d.lines[r];
			if (l->depth == 0)
				continue;
			/* the parent is the nearest line above one level up */
			size_t q = r;
			while (q > 0 && d.lines[q - 1].depth >= l->depth)
				q--;
			assert_true(q > 0);
			const struct ui_line *pl = &d.lines[q - 1];
			assert_int_equal(pl->depth + 1, l->depth);
			pid_t ppid = d.ps[l->idx].p->ppid;
			assert_int_equal(d.ps[pl->idx].p->pid, ppid);
		}
		free(seen);
		free(pos);
		ui_data_free(&d);
	}
}

/* ---- cgroups ---------------------------------------------------------- */

static void test_groups(void **state)
{
	(void)state;
	make_snapshot();
	struct ui_settings st = settings(MT_SORT_RSS, true);
	st.group = true;
	struct ui_data d;
	ui_data_init(&d);
	ui_data_build(&d, &snap, &st, 0);
	/* five cgroups, largest RSS first; the kernel thread is hidden, so
	 * /sys/a sums three processes */
	assert_int_equal(d.ngroups, 5);
	assert_int_equal(d.nlines, 5);
	assert_string_equal(line_group(&d, 0), "/sys/b"); /* 2148 pages */
	assert_string_equal(line_group(&d, 1), "/sys/a"); /* 1540 */
	const struct ui_group *a = &d.groups[d.lines[1].idx];
	assert_int_equal(a->n, 3);
	assert_int_equal(a->present, 1024 + 512 + 4);
	assert_int_equal(a->pmd_pages, 1024 + 512);
	/* collapsible: 11's two slots and 13's one; the kernel thread's
	 * unknown figure adds nothing */
	assert_int_equal(a->coll_pages, 3 * 512);
	assert_true(a->dist.avail);
	assert_int_equal(a->dist.pages[9], 1024 + 512);
	assert_int_equal(a->dist.total, a->present);
	const struct ui_group *b = &d.groups[d.lines[0].idx];
	assert_int_equal(b->coll_pages, 3 * 512);
	assert_false(b->expanded);

	/* sorted by name */
	st.psort = ui_proc_col_for_sort(MT_SORT_COMM);
	st.pdesc = false;
	ui_data_refilter(&d, &st);
	assert_string_equal(line_group(&d, 0), "/");
	assert_string_equal(line_group(&d, 4), "/x");

	/* expanding lists the members under their row, in sort order */
	assert_true(ui_data_expand(&d, "/sys/a", UI_EXPAND_TOGGLE));
	assert_true(ui_data_is_expanded(&d, "/sys/a"));
	ui_data_refilter(&d, &st);
	assert_int_equal(d.nlines, 8);
	ssize_t g = ui_data_find_group(&d, "/sys/a");
	assert_true(g >= 0);
	assert_true(d.groups[d.lines[g].idx].expanded);
	assert_int_equal(line_pid(&d, (size_t)g + 1), 10); /* alpha */
	assert_int_equal(line_pid(&d, (size_t)g + 2), 11); /* beta */
	assert_int_equal(line_pid(&d, (size_t)g + 3), 13); /* delta */
	assert_int_equal(d.lines[g + 1].depth, 1);
	assert_true(d.lines[g + 3].last);
	assert_int_equal(ui_data_find_pid(&d, 13), g + 3);
	assert_int_equal(ui_data_find_pid(&d, 12), -1); /* closed group */
	assert_string_equal(ui_data_cgroup_of(&d, 12), "/sys/b");
	assert_null(ui_data_cgroup_of(&d, 4242));

	/* the tree inside a cgroup: 13 under 11 under 10 */
	st.tree = true;
	ui_data_refilter(&d, &st);
	assert_int_equal(d.lines[g + 1].depth, 1);
	assert_int_equal(d.lines[g + 2].depth, 2);
	assert_int_equal(line_pid(&d, (size_t)g + 3), 13);
	assert_int_equal(d.lines[g + 3].depth, 3);

	/* search finds a cgroup row by its path */
	ssize_t r = ui_data_search(&d, false, "sys/b", 0, 1);
	assert_true(r >= 0);
	assert_string_equal(line_group(&d, (size_t)r), "/sys/b");

	/* collapse; * opens all, then closes all */
	assert_false(ui_data_expand(&d, "/sys/a", UI_EXPAND_CLOSE));
	ui_data_refilter(&d, &st);
	assert_int_equal(d.nlines, 5);
	ui_data_expand_all(&d);
	ui_data_refilter(&d, &st);
	assert_int_equal(d.nlines, 5 + 9);
	ui_data_expand_all(&d);
	ui_data_refilter(&d, &st);
	assert_int_equal(d.nlines, 5);

	/* expansion survives a rebuild (a new scan) */
	ui_data_expand(&d, "/loop", UI_EXPAND_OPEN);
	ui_data_build(&d, &snap, &st, 0);
	assert_int_equal(d.nlines, 7);
	ui_data_free(&d);
}

/* ---- change since the previous scan ------------------------------------ */

/* Large folio pages by NUMA node: one process, or a cgroup's members
 * summed; nothing known without the figure. */
static void test_node_pages(void **state)
{
	(void)state;
	make_snapshot();
	uint64_t n10[2] = { 100, 7 }, n11[2] = { 5, 50 };
	snap.nnodes = 2;
	procs[1].thp_node_pages = n10; /* pid 10, /sys/a */
	procs[2].thp_node_pages = n11; /* pid 11, /sys/a */
	struct ui_settings st = settings(MT_SORT_RSS, true);
	st.group = true;
	struct ui_data d;
	ui_data_init(&d);
	ui_data_build(&d, &snap, &st, 0);
	const struct ui_group *a = NULL;
	for (size_t i = 0; i < d.ngroups; i++)
		if (!strcmp(d.groups[i].key, "/sys/a"))
			a = &d.groups[i];
	assert_non_null(a);
	uint64_t per[8];
	assert_true(ui_node_pages(&d, NULL, a, per, 8));
	assert_int_equal(per[0], 105);
	assert_int_equal(per[1], 57);
	assert_int_equal(per[2], 0); /* past the snapshot's nodes */
	const struct ui_pstat *p10 = NULL;
	for (size_t i = 0; i < d.nps; i++)
		if (d.ps[i].p->pid == 10)
			p10 = &d.ps[i];
	assert_non_null(p10);
	assert_true(ui_node_pages(&d, p10, NULL, per, 2));
	assert_int_equal(per[0], 100);
	assert_int_equal(per[1], 7);
	/* /sys/b has no figure: not known, not zero */
	for (size_t i = 0; i < d.ngroups; i++)
		if (!strcmp(d.groups[i].key, "/sys/b"))
			assert_false(ui_node_pages(&d, NULL, &d.groups[i], per,
						   2));
	ui_data_free(&d);
	procs[1].thp_node_pages = procs[2].thp_node_pages = NULL;
	snap.nnodes = 0;
}

static void test_delta(void **state)
{
	(void)state;
	make_snapshot();
	static struct mt_proc p2[NP];
	static uint64_t h2[NP][NORD];
	struct mt_snapshot s2 = snap;
	memcpy(p2, procs, sizeof(p2));
	memcpy(h2, hists, sizeof(h2));
	for (int i = 0; i < NP; i++)
		p2[i].present_hist = h2[i];
	s2.procs = p2;
	s2.generation = 2;
	s2.time_ns = snap.time_ns + 2000000000u; /* 2 s later */
	/* 10: two more PMD-mapped slots, +2 MiB/s */
	p2[1].pmd_mapped = 4;
	p2[1].pmd_full = 4;
	p2[1].present_pages = 2048;
	/* 11: more RSS, same huge memory: up by RSS, rate 0 */
	p2[2].present_pages = 600;
	/* 12: less RSS, huge memory no longer known */
	p2[3].present_pages = 50;
	p2[3].pmd_mapped = MT_UNKNOWN;
	/* 20: lost its PMD-mapped slot: down, -1 MiB/s */
	p2[5].pmd_mapped = 0;
	/* 40 replaced by a new process */
	p2[8].pid = 41;

	struct ui_settings st = settings(MT_SORT_PID, false);
	st.show_delta = true;
	struct ui_data d;
	ui_data_init(&d);
	ui_data_build(&d, &snap, &st, 0);
	for (size_t i = 0; i < d.nps; i++) { /* nothing to compare with */
		assert_false(d.ps[i].has_rate);
		assert_int_equal(d.ps[i].mark, 0);
	}
	ui_data_build(&d, &s2, &st, 0);
	const struct ui_pstat *ps[NP];
	for (size_t i = 0; i < d.nps; i++)
		ps[i] = &d.ps[i];
	assert_true(ps[1]->has_rate);
	assert_float_equal(ps[1]->huge_rate, 2.0 * 1024 * 1024, 1e-6);
	assert_int_equal(ps[1]->mark, 1);
	assert_true(ps[2]->has_rate);
	assert_float_equal(ps[2]->huge_rate, 0, 1e-9);
	assert_int_equal(ps[2]->mark, 1);
	assert_false(ps[3]->has_rate);
	assert_int_equal(ps[3]->mark, -1);
	assert_float_equal(ps[5]->huge_rate, -1.0 * 1024 * 1024, 1e-6);
	assert_int_equal(ps[5]->mark, -1);
	assert_false(ps[8]->has_rate); /* pid 41: new */
	assert_int_equal(ps[8]->mark, 0);
	assert_int_equal(ps[0]->mark, 0); /* unchanged */
	assert_true(ps[0]->has_rate);

	/* sorted by HUGE/s, largest first */
	st.psort = ui_col_index(ui_proc_cols, ui_proc_ncols, UI_COL_DELTA);
	st.pdesc = true;
	ui_data_refilter(&d, &st);
	assert_int_equal(line_pid(&d, 0), 10);

	/* a settings change rebuilds the same scan: same deltas */
	st.omit_file = true;
	ui_data_build(&d, &s2, &st, 0);
	assert_float_equal(d.ps[1].huge_rate, 2.0 * 1024 * 1024, 1e-6);

	/* cgroup rows sum their members' rates */
	st.group = true;
	ui_data_refilter(&d, &st);
	ssize_t g = ui_data_find_group(&d, "/sys/b");
	assert_true(g >= 0);
	const struct ui_group *gb = &d.groups[d.lines[g].idx];
	assert_true(gb->has_rate);
	assert_float_equal(gb->huge_rate, -1.0 * 1024 * 1024, 1e-6);
	assert_int_equal(gb->mark, -1);
	ui_data_free(&d);
}

/* As root the folio view decides what is huge-backed. */
static void test_delta_folios(void **state)
{
	(void)state;
	make_snapshot();
	static struct mt_folio_stats f1, f2;
	memset(&f1, 0, sizeof(f1));
	memset(&f2, 0, sizeof(f2));
	f1.pmd[0] = 512;
	f2.pmd[0] = 1024;
	f2.aligned[0][4] = 16;
	struct mt_snapshot s1 = snap, s2 = snap;
	static struct mt_proc a[1], b[1];
	a[0] = procs[1];
	a[0].folios = &f1;
	b[0] = procs[1];
	b[0].folios = &f2;
	s1.have_kpageflags = s2.have_kpageflags = true;
	s1.procs = a;
	s2.procs = b;
	s1.nprocs = s2.nprocs = 1;
	s2.generation = 2;
	s2.time_ns = s1.time_ns + 500000000u;
	assert_int_equal(ui_proc_huge_pages(&s1, &a[0]), 512);
	struct ui_settings st = settings(MT_SORT_PID, false);
	struct ui_data d;
	ui_data_init(&d);
	ui_data_build(&d, &s1, &st, 0);
	ui_data_build(&d, &s2, &st, 0);
	assert_true(d.ps[0].has_rate);
	assert_float_equal(d.ps[0].huge_rate, 528.0 * 4096 / 0.5, 1e-6);
	assert_int_equal(d.ps[0].mark, 1);
	/* without the folio view: PMD-mapped slots, or unknown */
	s2.have_kpageflags = false;
	b[0].pmd_mapped = MT_UNKNOWN;
	assert_true(ui_proc_huge_pages(&s2, &b[0]) == UINT64_MAX);
	b[0].pmd_mapped = 3;
	assert_int_equal(ui_proc_huge_pages(&s2, &b[0]), 3 << s2.pmd_order);
	ui_data_free(&d);
}

int main(void)
{
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_tree_random),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_delta_folios),
		cmocka_unit_test(test_node_pages),
	};
	return cmocka_run_group_tests_name("ui_group", tests, NULL, NULL);
}
