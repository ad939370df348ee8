/*
 * test_ui_data.c - the viewer's rows from a hand-built snapshot: filters
 * (kernel threads, name, user, file-backed and unfaulted VMAs), sort
 * orders, search, views that need root, hostile names made safe, and the
 * reasons (WHY) of processes, VMAs and cgroup rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <string.h>

#include "memtop/why.h"
#include "../../src/ui/ui_format.h"
#include "../../src/ui/ui_layout.h"
#include "../../src/ui/ui_model.h"

#define NORD 10

/* Four processes:
 *   1 init    root  kernel thread? no; 10 pages order 0
 *   2 kthreadd root kernel thread, no memory
 *   100 bigthp  alice  one anon VMA: two PMD blocks; a file VMA: 64 pages
 *   200 evil\e  bob    a 4-page anon VMA and an unfaulted VMA
 */
static uint64_t h_init[NORD] = { 10 };
static uint64_t h_big_anon[NORD] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
static uint64_t h_big_file[NORD] = { 0, 0, 0, 0, 0, 0, 16 };
static uint64_t h_big[NORD] = { 0, 0, 0, 0, 0, 0, 16, 0, 0, 2 };
static uint64_t h_evil[NORD] = { 0, 0, 2 };
static uint64_t h_zero[NORD];

static struct mt_vma big_vmas[2], evil_vmas[2];
static struct mt_proc procs[4];
static struct mt_snapshot snap;

static void make_snapshot(void)
{
	memset(&snap, 0, sizeof(snap));
	snap.page_size = 4096;
	snap.page_shift = 12;
	snap.pmd_order = 9;
	snap.max_order = 9;
	snap.nord = NORD;
	snap.have_pfns = false;        /* unprivileged */
	snap.have_kpageflags = false;
	snap.thp_enabled = "madvise";
	snap.thp_defrag = "madvise";

	big_vmas[0] = (struct mt_vma){ .start = 0x200000, .end = 0x600000,
		.perms = "rw-p", .kind = MT_KIND_ANON, .path = "",
		.present_pages = 1024, .present_hist = h_big_anon };
	big_vmas[1] = (struct mt_vma){ .start = 0x7f0000000000,
		.end = 0x7f0000040000, .perms = "r--p", .kind = MT_KIND_FILE,
		.file_backed = true, .path = "/usr/lib/libbig.so",
		.path_len = 18, .present_pages = 64,
		.present_hist = h_big_file };
	evil_vmas[0] = (struct mt_vma){ .start = 0x1000, .end = 0x5000,
		.perms = "rw-p", .kind = MT_KIND_FILE, .file_backed = false,
		.path = "/tmp/\x1b[2Jx", .path_len = 10, .present_pages = 4,
		.present_hist = h_evil };
	evil_vmas[1] = (struct mt_vma){ .start = 0x10000, .end = 0x20000,
		.perms = "---p", .kind = MT_KIND_ANON, .path = "",
		.present_pages = 0, .present_hist = h_zero };

	procs[0] = (struct mt_proc){ .pid = 1, .comm = "init", .user = "root",
		.present_pages = 10, .present_hist = h_init };
	procs[1] = (struct mt_proc){ .pid = 2, .comm = "kthreadd",
		.user = "root", .kthread = true, .present_hist = h_zero };
	procs[2] = (struct mt_proc){ .pid = 100, .comm = "bigthp",
		.user = "alice", .present_pages = 1088, .present_hist = h_big,
		.vmas = big_vmas, .nvmas = 2, .vma_count = 2,
		/* the scan's sums over the file-backed VMA */
		.file = { .present_pages = 64, .present_hist = h_big_file } };
	procs[3] = (struct mt_proc){ .pid = 200, .comm = "evil\x1b]0;pwned\a",
		.user = "bob", .present_pages = 4, .swapped_pages = 7,
		.present_hist = h_evil, .vmas = evil_vmas, .nvmas = 2,
		.vma_count = 2 };
	snap.procs = procs;
	snap.nprocs = 4;
}

static struct ui_settings default_settings(void)
{
	struct ui_settings st;
	memset(&st, 0, sizeof(st));
	st.view = UI_VIEW_PRESENT;
	st.psort = ui_proc_col_for_sort(MT_SORT_HIST);
	st.pdesc = true;
	st.utf8 = true;
	return st;
}

static pid_t row_pid(const struct ui_data *d, size_t r)
{
	return d->ps[d->rows[r]].p->pid;
}

static void test_default_rows(void **state)
{
	(void)state;
	make_snapshot();
	struct ui_settings st = default_settings();
	struct ui_data d;
	ui_data_init(&d);
	ui_data_build(&d, &snap, &st, 0);
	/* kernel threads hidden by default; most huge first */
	assert_int_equal(d.nrows, 3);
	assert_int_equal(row_pid(&d, 0), 100);
	assert_int_equal(ui_data_find_pid(&d, 2), -1);
	const struct ui_pstat *big = &d.ps[d.rows[0]];
	assert_int_equal(big->pmd_pages, 1024);
	assert_true(big->thp_pages == UINT64_MAX); /* folios need root */
	st.show_kthreads = true;
	ui_data_refilter(&d, &st);
	assert_int_equal(d.nrows, 4);
	ui_data_free(&d);
}

static void test_sorting(void **state)
{
	(void)state;
	make_snapshot();
	struct ui_settings st = default_settings();
	struct ui_data d;
	ui_data_init(&d);
	st.show_kthreads = true;
	st.psort = ui_proc_col_for_sort(MT_SORT_PID);
	st.pdesc = false;
	ui_data_build(&d, &snap, &st, 0);
	assert_int_equal(row_pid(&d, 0), 1);
	assert_int_equal(row_pid(&d, 3), 200);
	st.pdesc = true;
	ui_data_refilter(&d, &st);
	assert_int_equal(row_pid(&d, 0), 200);
	st.psort = ui_proc_col_for_sort(MT_SORT_RSS);
	ui_data_refilter(&d, &st);
	assert_int_equal(row_pid(&d, 0), 100);
	assert_int_equal(row_pid(&d, 1), 1);
	st.psort = ui_proc_col_for_sort(MT_SORT_SWAP);
	ui_data_refilter(&d, &st);
	assert_int_equal(row_pid(&d, 0), 200);
	st.psort = ui_proc_col_for_sort(MT_SORT_COMM);
	st.pdesc = false;
	ui_data_refilter(&d, &st);
	assert_int_equal(row_pid(&d, 0), 100); /* bigthp, evil.., init, .. */
	st.psort = ui_proc_col_for_sort(MT_SORT_PMD);
	st.pdesc = true;
	ui_data_refilter(&d, &st);
	assert_int_equal(row_pid(&d, 0), 100);
	ui_data_free(&d);
}

static void test_filters(void **state)
{
	(void)state;
	make_snapshot();
	struct ui_settings st = default_settings();
	struct ui_data d;
	ui_data_init(&d);
	strcpy(st.name_filter, "THP"); /* case-insensitive substring */
	ui_data_build(&d, &snap, &st, 0);
	assert_int_equal(d.nrows, 1);
	assert_int_equal(row_pid(&d, 0), 100);
	st.name_filter[0] = '\0';
	strcpy(st.user_filter, "root");
	ui_data_refilter(&d, &st);
	assert_int_equal(d.nrows, 1);
	assert_int_equal(row_pid(&d, 0), 1);
	/* users in order, for Tab */
	assert_string_equal(ui_data_next_user(&d, ""), "alice");
	assert_string_equal(ui_data_next_user(&d, "alice"), "bob");
	assert_string_equal(ui_data_next_user(&d, "root"), "alice");
	ui_data_free(&d);
}

static void test_vmas(void **state)
{
	(void)state;
	make_snapshot();
	struct ui_settings st = default_settings();
	struct ui_data d;
	ui_data_init(&d);
	ui_data_build(&d, &snap, &st, 100);
	assert_true(d.vproc >= 0);
	assert_int_equal(d.nvrows, 2);
	assert_true(d.vs[d.vrows[0]].v->start == 0x200000); /* by address */
	assert_int_equal(d.vs[d.vrows[0]].pmd_pages, 1024);
	/* leaving out file-backed VMAs changes the process's sums too */
	st.omit_file = true;
	ui_data_build(&d, &snap, &st, 100);
	assert_int_equal(d.nvrows, 1);
	assert_int_equal(d.vmas_hidden, 1);
	assert_int_equal(d.ps[d.vproc].present, 1024);
	assert_int_equal(d.ps[d.vproc].dist.pages[6], 0);
	/* unfaulted VMAs */
	st.omit_file = false;
	ui_data_build(&d, &snap, &st, 200);
	assert_int_equal(d.nvrows, 2);
	st.omit_unfaulted = true;
	ui_data_refilter(&d, &st);
	assert_int_equal(d.nvrows, 1);
	/* paths are safe to print */
	const char *path = ui_data_str(&d, d.vs[d.vrows[0]].path);
	assert_null(strchr(path, '\x1b'));
	assert_non_null(strstr(path, "\\x1b[2J"));
	/* search by path */
	assert_int_equal(ui_data_search(&d, true, "2j", 0, 1), 0);
	assert_int_equal(ui_data_search(&d, true, "nope", 0, 1), -1);
	/* a process that is gone */
	ui_data_build(&d, &snap, &st, 4242);
	assert_int_equal(d.vproc, -1);
	assert_int_equal(d.nvrows, 0);
	ui_data_free(&d);
}

static void test_views_need_root(void **state)
{
	(void)state;
	make_snapshot();
	struct ui_settings st = default_settings();
	struct ui_data d;
	ui_data_init(&d);
	st.view = UI_VIEW_MAPPABLE;
	ui_data_build(&d, &snap, &st, 0);
	for (size_t r = 0; r < d.nrows; r++) {
		assert_false(d.ps[d.rows[r]].dist.avail);
		assert_true(d.ps[d.rows[r]].pmd_pages == UINT64_MAX);
	}
	assert_string_not_equal(ui_view_missing(&snap, UI_VIEW_MAPPABLE), "");
	assert_string_not_equal(ui_view_missing(&snap, UI_VIEW_FOLIOS), "");
	assert_string_equal(ui_view_missing(&snap, UI_VIEW_PRESENT), "");
	/* with root, an absent VMA folio record means none */
	snap.have_kpageflags = true;
	st.view = UI_VIEW_FOLIOS;
	ui_data_build(&d, &snap, &st, 100);
	assert_true(d.vs[0].dist.avail);
	assert_int_equal(d.vs[0].dist.pages[0], 1024);
	ui_data_free(&d);
}

static void test_hostile_names(void **state)
{
	(void)state;
	make_snapshot();
	struct ui_settings st = default_settings();
	struct ui_data d;
	ui_data_init(&d);
	ui_data_build(&d, &snap, &st, 0);
	ssize_t r = ui_data_find_pid(&d, 200);
	assert_true(r >= 0);
	const char *name = ui_data_str(&d, d.ps[d.rows[r]].name);
	assert_string_equal(name, "evil\\x1b]0;pwned\\x07");
	/* search sees the visible form */
	assert_int_equal(ui_data_search(&d, false, "pwned", 0, 1), r);
	assert_int_equal(ui_data_search(&d, false, "x1b", 0, -1), r);
	ui_data_free(&d);
}

/* The reasons: big's anon VMA advised MADV_NOHUGEPAGE (2 slots), its
 * file VMA across no slot; evil under PR_SET_THP_DISABLE; init without
 * VMAs has none. */
static void why_snapshot(void)
{
	make_snapshot();
	big_vmas[0].has_smaps = true;
	big_vmas[0].vmflags = MT_VMF_NH;
	big_vmas[0].pmd_slots = 2;
	big_vmas[0].pmd_populated = 2;
	big_vmas[0].pmd_full = 2;
	for (size_t i = 0; i < 4; i++)
		procs[i].thp_enabled = MT_TRI_YES;
	procs[3].thp_enabled = MT_TRI_NO;
}

static const struct ui_pstat *ps_of(const struct ui_data *d, pid_t pid)
{
	for (size_t i = 0; i < d->nps; i++)
		if (d->ps[i].p->pid == pid)
			return &d->ps[i];
	fail();
	return NULL;
}

static void test_why(void **state)
{
	(void)state;
	why_snapshot();
	struct ui_settings st = default_settings();
	struct ui_data d;
	ui_data_init(&d);
	st.show_kthreads = true;
	ui_data_build(&d, &snap, &st, 100);
	/* the process rows agree with mt_why_proc_main */
	struct mt_why_sys ws;
	mt_why_sys_init(&ws, &snap);
	for (size_t i = 0; i < d.nps; i++) {
		uint64_t bytes;
		int c = mt_why_proc_main(&snap, &ws, d.ps[i].p, &bytes);
		assert_int_equal(d.ps[i].why, c);
		assert_int_equal(d.ps[i].why_bytes, c < 0 ? 0 : bytes);
	}
	assert_int_equal(ps_of(&d, 100)->why, MT_WHY_NOHUGEPAGE);
	assert_int_equal(ps_of(&d, 200)->why, MT_WHY_THP_DISABLED);
	assert_int_equal(ps_of(&d, 1)->why, -1);

	/* by name: nohugepage, thp_disabled, then the rows without one */
	st.psort = ui_col_index(ui_proc_cols, ui_proc_ncols, UI_COL_WHY);
	st.pdesc = false;
	ui_data_refilter(&d, &st);
	assert_int_equal(row_pid(&d, 0), 100);
	assert_int_equal(row_pid(&d, 1), 200);
	assert_int_equal(row_pid(&d, 2), 1);
	assert_int_equal(row_pid(&d, 3), 2);
	st.pdesc = true;
	ui_data_refilter(&d, &st);
	assert_int_equal(row_pid(&d, 2), 200);
	assert_int_equal(row_pid(&d, 3), 100);
	assert_true(ui_cmp_why(-1, -1) == 0);
	assert_true(ui_cmp_why(MT_WHY_HOLES, -1) < 0);
	assert_true(ui_cmp_why(MT_WHY_NO_SLOT, MT_WHY_HOLES) > 0);

	/* the VMA rows: every reason, main first, as "code: sentence" */
	assert_int_equal(d.nvrows, 2);
	for (size_t r = 0; r < d.nvs; r++) {
		const struct ui_vstat *vs = &d.vs[r];
		struct mt_why w[MT_WHY_COUNT];
		size_t n = mt_why_vma(&snap, &ws, d.ps[d.vproc].p, vs->v, w,
				      MT_WHY_COUNT);
		assert_int_equal(vs->nwhy, n);
		assert_int_equal(ui_vstat_why(&d, vs), n ? (int)w[0].code : -1);
		for (size_t k = 0; k < n; k++) {
			char t[512], line[600];
			mt_why_text(&w[k], t, sizeof(t));
			snprintf(line, sizeof(line), "%s: %s",
				 mt_why_name(w[k].code), t);
			const struct ui_reason *re = &d.reasons[vs->why_first + k];
			assert_int_equal(re->code, w[k].code);
			assert_string_equal(ui_data_str(&d, re->text), line);
		}
	}
	const struct ui_vstat *anon = &d.vs[d.vrows[0]];
	assert_int_equal(ui_vstat_why(&d, anon), MT_WHY_NOHUGEPAGE);
	assert_string_equal(ui_data_str(&d, d.reasons[anon->why_first].text),
			    "nohugepage: the mapping was advised "
			    "MADV_NOHUGEPAGE (2 PMD slots)");
	assert_int_equal(ui_vstat_why(&d, &d.vs[d.vrows[1]]), MT_WHY_NO_SLOT);
	/* VMAs by WHY: no_slot before nohugepage */
	st.vsort = ui_col_index(ui_vma_cols, ui_vma_ncols, UI_COL_VWHY);
	st.vdesc = false;
	ui_data_refilter(&d, &st);
	assert_int_equal(ui_vstat_why(&d, &d.vs[d.vrows[0]]), MT_WHY_NO_SLOT);
	st.vdesc = true;
	ui_data_refilter(&d, &st);
	assert_int_equal(ui_vstat_why(&d, &d.vs[d.vrows[0]]),
			 MT_WHY_NOHUGEPAGE);

	/* the box: a title and the lines of the VMA that needs most */
	assert_int_equal(ui_data_why_rows(&d, 200, true), 2);
	int most = 0;
	for (size_t r = 0; r < d.nvrows; r++) {
		int n = ui_vstat_why_lines(&d, &d.vs[d.vrows[r]], 20, true);
		most = n > most ? n : most;
	}
	assert_true(most > 2);
	assert_int_equal(ui_data_why_rows(&d, 20, true), 1 + most);
	assert_int_equal(ui_data_why_rows(&d, 200, true), 2);
	/* the shown rows change: counted again */
	st.omit_file = true;
	ui_data_refilter(&d, &st);
	assert_int_equal(d.nvrows, 1);
	assert_int_equal(ui_data_why_rows(&d, 20, true),
			 1 + ui_vstat_why_lines(&d, &d.vs[d.vrows[0]], 20,
						true));
	/* no VMA listed: no box */
	ui_data_build(&d, &snap, &st, 4242);
	assert_int_equal(ui_data_why_rows(&d, 80, true), 0);
	ui_data_free(&d);
}

static void test_why_groups(void **state)
{
	(void)state;
	why_snapshot();
	procs[0].cgroup = "/a";
	procs[1].cgroup = "/a";
	procs[2].cgroup = "/b";
	procs[3].cgroup = "/b";
	struct ui_settings st = default_settings();
	st.group = true;
	st.show_kthreads = true;
	struct ui_data d;
	ui_data_init(&d);
	ui_data_build(&d, &snap, &st, 0);
	assert_int_equal(d.ngroups, 2);
	ssize_t a = ui_data_find_group(&d, "/a"), b = ui_data_find_group(&d, "/b");
	assert_true(a >= 0 && b >= 0);
	/* /a: no reason; /b: nohugepage holds 4M, thp_disabled 16K */
	assert_int_equal(d.groups[d.lines[a].idx].why, -1);
	assert_int_equal(d.groups[d.lines[b].idx].why, MT_WHY_NOHUGEPAGE);
	struct ui_rowfig f = ui_group_fig(&d.groups[d.lines[b].idx]);
	assert_int_equal(f.why, MT_WHY_NOHUGEPAGE);
	/* sorted by WHY: the group with a reason first */
	st.psort = ui_col_index(ui_proc_cols, ui_proc_ncols, UI_COL_WHY);
	st.pdesc = false;
	ui_data_refilter(&d, &st);
	assert_int_equal(ui_data_find_group(&d, "/b"), 0);
	ui_data_free(&d);
}

int main(void)
{
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_rows),
		cmocka_unit_test(test_sorting),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_vmas),
		cmocka_unit_test(test_views_need_root),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_why),
		cmocka_unit_test(test_why_groups),
	};
	return cmocka_run_group_tests_name("ui_data", tests, NULL, NULL);
}
