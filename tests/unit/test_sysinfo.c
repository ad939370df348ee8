/*
 * test_sysinfo.c - system view data: counter rates across resets, free
 * page sums, and fixture /sys and /proc trees with and without mTHP
 * directories, missing files and odd values. The file parsers are tested
 * in test_parse.c.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "memtop/parse.h"
#include "memtop/procfs.h"
#include "memtop/sysinfo.h"
#include "memtop/util.h"

static void test_rates(void **state)
{
	struct mt_counter prev = {.key = "x", .value = 100};
	struct mt_counter cur = {.key = "x", .value = 160};
	mt_counter_rate(&cur, &prev, 2.0);
	assert_true(cur.has_rate);
	assert_false(cur.reset);
	assert_true(cur.rate == 30.0);
	/* the counter went backwards: a reset, counted from zero */
	cur.value = 10;
	mt_counter_rate(&cur, &prev, 2.0);
	assert_true(cur.has_rate);
	assert_true(cur.reset);
	assert_true(cur.rate == 5.0);
	/* no previous value, or no time: no rate */
	mt_counter_rate(&cur, NULL, 2.0);
	assert_false(cur.has_rate);
	mt_counter_rate(&cur, &prev, 0.0);
	assert_false(cur.has_rate);
	/* equal: zero rate, not a reset */
	cur.value = 100;
	mt_counter_rate(&cur, &prev, 1.0);
	assert_true(cur.has_rate && cur.rate == 0 && !cur.reset);
	/* near the top of the range */
	prev.value = UINT64_MAX - 10;
	cur.value = UINT64_MAX;
	mt_counter_rate(&cur, &prev, 1.0);
	assert_true(cur.rate == 10.0);
}

/* Free pages summed over the zones of a parsed buddyinfo (the parser
 * itself is tested in test_parse.c). */
static void test_buddy_free_pages(void **state)
{
	struct mt_arena *a = mt_arena_new();
	const char bi[] = "Node 0, zone      DMA      0      0      0      1      3 \n"
			  "Node 1, zone   Normal   5376   1166    188\n";
	struct mt_buddy_zone *z;
	size_t n = mt_parse_buddyinfo(bi, strlen(bi), a, &z);
	assert_int_equal(n, 2);
	struct mt_sysinfo si = {.zones = z, .nzones = n};
	/* DMA: 1<<3 + 3<<4 = 56 pages; Normal: 5376 + 2332 + 752 */
	assert_int_equal(mt_buddy_free_pages(&si, -1, 0), 56 + 5376 + 2332 + 752);
	assert_int_equal(mt_buddy_free_pages(&si, 0, 4), 48);
	assert_int_equal(mt_buddy_free_pages(&si, 1, 2), 752);
	assert_int_equal(mt_buddy_free_pages(&si, 7, 0), 0);
	mt_arena_free(a);
}

static char tmpl[64];

static void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpl, rel);
	/* make the parents */
	for (char *p = path + strlen(tmpl) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	if (!text) {
		mkdir(path, 0755);
		return;
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int rm_tree(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	return system(cmd);
}

#define THP "sys/kernel/mm/transparent_hugepage/"

static void fixture_trees(enum mt_sysreader_keep keep)
{
	strcpy(tmpl, "/tmp/memtop-sysinfo-XXXXXX");
	assert_non_null(mkdtemp(tmpl));
	put("proc/vmstat", "thp_fault_alloc 10\nthp_split_page 4\n");
	put("proc/meminfo", "AnonHugePages: 4096 kB\n");
	put("proc/buddyinfo", "Node 0, zone Normal 4 0 1\n");
	put(THP "enabled", "always [madvise] never\n");
	put(THP "defrag", "[always] defer\n");
	/* shmem_enabled missing */
	put(THP "khugepaged/pages_to_scan", "4096\n");
	put(THP "khugepaged/full_scans", "17\n");
	put(THP "khugepaged/defrag", "garbage\n");
	put(THP "hugepages-64kB/enabled", "always [inherit] madvise never\n");
	put(THP "hugepages-64kB/stats/anon_fault_alloc", "5\n");
	put(THP "hugepages-64kB/stats/nr_anon", "2\n");
	put(THP "hugepages-2048kB/enabled", "[never]\n");
	put(THP "hugepages-2048kB/stats", NULL);
	put(THP "hugepages-16kB/shmem_enabled", "[never]\n");
	put(THP "hugepages-oddkB/enabled", "[always]\n");

	char proot[128], sroot[128], err[256];
	snprintf(proot, sizeof(proot), "%s/proc", tmpl);
	snprintf(sroot, sizeof(sroot), "%s/sys", tmpl);
	struct mt_procfs pf;
	assert_int_equal(mt_procfs_open(&pf, proot, sroot, err, sizeof(err)), 0);
	struct mt_arena *a = mt_arena_new();
	struct mt_sysreader *r = mt_sysreader_new(&pf, keep);
	struct mt_sysinfo *s1 = mt_sysinfo_read(r, a, NULL);
	assert_string_equal(s1->thp_enabled, "madvise");
	assert_string_equal(s1->thp_defrag, "always");
	assert_string_equal(s1->thp_shmem_enabled, "?");
	assert_int_equal(s1->nkhugepaged, 2); /* the non-numeric one left out */
	assert_int_equal(s1->nsizes, 3);      /* 16K, 64K, 2M; "odd" ignored */
	assert_int_equal(s1->sizes[0].kb, 16);
	/* 16K has no anonymous "enabled" file: shmem only, not unknown */
	assert_string_equal(s1->sizes[0].enabled, "shmem only");
	assert_true(s1->sizes[0].shmem_only);
	assert_false(s1->sizes[1].shmem_only);
	assert_int_equal(s1->sizes[0].nstats, 0);
	assert_int_equal(s1->sizes[1].kb, 64);
	assert_string_equal(s1->sizes[1].enabled, "inherit");
	assert_int_equal(s1->sizes[1].nstats, 2);
	assert_int_equal(s1->sizes[2].kb, 2048);
	assert_false(s1->sizes[1].stats[0].has_rate);
	assert_int_equal(mt_counter_find(s1->vmstat, s1->nvmstat,
					 "thp_fault_alloc")->value, 10);
	assert_int_equal(s1->nzones, 1);

	/* a second read: counters moved, one was reset */
	usleep(20000);
	put("proc/vmstat", "thp_fault_alloc 30\nthp_split_page 1\n");
	put(THP "hugepages-64kB/stats/anon_fault_alloc", "9\n");
	put(THP "hugepages-64kB/stats/nr_anon", "10\n");   /* longer */
	put(THP "khugepaged/full_scans", "9\n");           /* shorter */
	/* nothing is kept open after one read */
	assert_int_equal(mt_sysreader_open_files(r), 0);
	struct mt_sysinfo *s2 = mt_sysinfo_read(r, a, s1);
	/* from the second on, kept open: every file that exists: enabled and
	 * defrag, the 3 khugepaged files, 16K's shmem_enabled, 64K's enabled
	 * and 2 stats, 2M's enabled, 3 /proc files; never: none */
	assert_int_equal(mt_sysreader_open_files(r),
			 keep == MT_SYSREADER_KEEP_ALWAYS ? 13 : 0);
	assert_int_equal(mt_counter_find(s2->sizes[1].stats,
					 s2->sizes[1].nstats, "nr_anon")->value,
			 10);
	assert_int_equal(mt_counter_find(s2->khugepaged, s2->nkhugepaged,
					 "full_scans")->value,
			 9);
	assert_true(s2->interval_s > 0.01);
	const struct mt_counter *fa =
		mt_counter_find(s2->vmstat, s2->nvmstat, "thp_fault_alloc");
	assert_true(fa->has_rate && !fa->reset);
	assert_true(fabs(fa->rate - 20 / s2->interval_s) < 1e-6);
	const struct mt_counter *sp =
		mt_counter_find(s2->vmstat, s2->nvmstat, "thp_split_page");
	assert_true(sp->has_rate && sp->reset);
	const struct mt_counter *af =
		mt_counter_find(s2->sizes[1].stats, s2->sizes[1].nstats,
				"anon_fault_alloc");
	assert_true(af->has_rate);
	assert_true(fabs(af->rate - 4 / s2->interval_s) < 1e-6);

	/* a third read, through the files kept open: new values, one shorter
	 * and one longer than before, come out whole */
	put(THP "hugepages-64kB/stats/nr_anon", "7\n");
	put(THP "khugepaged/full_scans", "123\n");
	struct mt_sysinfo *s2b = mt_sysinfo_read(r, a, s2);
	assert_int_equal(mt_counter_find(s2b->sizes[1].stats,
					 s2b->sizes[1].nstats, "nr_anon")->value,
			 7);
	assert_int_equal(mt_counter_find(s2b->khugepaged, s2b->nkhugepaged,
					 "full_scans")->value,
			 123);
	assert_string_equal(s2b->thp_enabled, "madvise");
	assert_int_equal(mt_sysreader_open_files(r),
			 keep == MT_SYSREADER_KEEP_ALWAYS ? 13 : 0);

	/* a kernel without mTHP directories or khugepaged, and no /proc files */
	assert_int_equal(rm_tree(), 0);
	assert_int_equal(mkdir(tmpl, 0755), 0);
	put("proc/empty", "");
	put(THP "enabled", "[always] madvise never\n");
	mt_sysreader_free(r);
	mt_procfs_close(&pf);
	assert_int_equal(mt_procfs_open(&pf, proot, sroot, err, sizeof(err)), 0);
	r = mt_sysreader_new(&pf, keep);
	struct mt_sysinfo *s3 = mt_sysinfo_read(r, a, s2b);
	assert_string_equal(s3->thp_enabled, "always");
	assert_string_equal(s3->thp_defrag, "?");
	assert_int_equal(s3->nsizes, 0);
	assert_int_equal(s3->nkhugepaged, 0);
	assert_int_equal(s3->nvmstat, 0);
	assert_int_equal(s3->nzones, 0);
	mt_sysreader_free(r);
	mt_arena_free(a);
	mt_procfs_close(&pf);
	assert_int_equal(rm_tree(), 0);
}

/* The system view's free memory per node: zones summed per node, the
 * orders of the longest zone, nodes without zones skipped. */
static void test_buddy_nodes(void **state)
{
	(void)state;
	struct mt_buddy_zone z[3] = {
		{ .node = 0, .zone = "DMA", .norders = 3, .free = { 1, 2, 3 } },
		{ .node = 2, .zone = "Normal", .norders = 5,
		  .free = { 10, 0, 4, 0, 7 } },
		{ .node = 0, .zone = "Normal", .norders = 2, .free = { 5, 6 } },
	};
	struct mt_sysinfo si = {.zones = z, .nzones = 3};
	unsigned norders = 99;
	assert_int_equal(mt_buddy_nodes(&si, &norders), 2);
	assert_int_equal(norders, 5);
	uint64_t b[MT_BUDDY_ORDERS];
	memset(b, 0xff, sizeof(b)); /* cleared by the sum */
	assert_true(mt_buddy_node_blocks(&si, 0, b));
	assert_int_equal(b[0], 6);
	assert_int_equal(b[1], 8);
	assert_int_equal(b[2], 3);
	for (unsigned o = 3; o < MT_BUDDY_ORDERS; o++)
		assert_int_equal(b[o], 0);
	assert_false(mt_buddy_node_blocks(&si, 1, b)); /* no zone on node 1 */
	for (unsigned o = 0; o < MT_BUDDY_ORDERS; o++)
		assert_int_equal(b[o], 0);
	assert_true(mt_buddy_node_blocks(&si, 2, b));
	assert_int_equal(b[4], 7);
	/* the sums agree with the free pages */
	uint64_t pages = 0;
	for (unsigned o = 0; o < MT_BUDDY_ORDERS; o++)
		pages += b[o] << o;
	assert_int_equal(pages, mt_buddy_free_pages(&si, 2, 0));

	/* a zone claiming more orders than are kept */
	z[1].norders = MT_BUDDY_ORDERS + 3;
	assert_int_equal(mt_buddy_nodes(&si, &norders), 2);
	assert_int_equal(norders, MT_BUDDY_ORDERS);
	z[1].norders = 5;

	struct mt_sysinfo none = { 0 };
	assert_int_equal(mt_buddy_nodes(&none, &norders), -1);
	assert_int_equal(norders, 0);
	assert_false(mt_buddy_node_blocks(&none, 0, b));
}

static void test_fixture_trees(void **state)
{
	fixture_trees(MT_SYSREADER_KEEP_NEVER);
}

/* the same with every file kept open and read again with pread */
/* A kernel before 6.8: no hugepages-* directories (no mTHP), no
 * khugepaged stats, no use_zero_page. Settings are read, sizes are none,
 * and nothing is made up. */
static void test_kernel_before_mthp(void **state)
{
	(void)state;
	strcpy(tmpl, "/tmp/memtop-sysinfo-XXXXXX");
	assert_non_null(mkdtemp(tmpl));
	put("proc/vmstat", "thp_fault_alloc 3\n");
	put("proc/meminfo", "AnonHugePages: 2048 kB\n");
	put(THP "enabled", "[always] madvise never\n");
	put(THP "defrag", "always defer [madvise] never\n");
	char proot[128], sroot[128], err[256];
	snprintf(proot, sizeof(proot), "%s/proc", tmpl);
	snprintf(sroot, sizeof(sroot), "%s/sys", tmpl);
	struct mt_procfs pf;
	assert_int_equal(mt_procfs_open(&pf, proot, sroot, err, sizeof(err)), 0);
	struct mt_arena *a = mt_arena_new();
	struct mt_sysreader *r = mt_sysreader_new(&pf, MT_SYSREADER_KEEP_AUTO);
	for (int i = 0; i < 2; i++) {
		struct mt_sysinfo *si = mt_sysinfo_read(r, a, NULL);
		assert_string_equal(si->thp_enabled, "always");
		assert_string_equal(si->thp_defrag, "madvise");
		assert_string_equal(si->thp_shmem_enabled, "?");
		assert_int_equal(si->nsizes, 0);
		assert_null(si->sizes);
		assert_int_equal(si->nkhugepaged, 0);
		assert_int_equal(si->nzones, 0); /* no buddyinfo file */
	}
	mt_sysreader_free(r);
	mt_arena_free(a);
	mt_procfs_close(&pf);
	assert_int_equal(rm_tree(), 0);
}

static void test_fixture_trees_kept(void **state)
{
	fixture_trees(MT_SYSREADER_KEEP_ALWAYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_buddy_free_pages),
		cmocka_unit_test(test_buddy_nodes),
		cmocka_unit_test(test_fixture_trees),
		cmocka_unit_test(test_fixture_trees_kept),
		cmocka_unit_test(test_kernel_before_mthp),
	};
	return cmocka_run_group_tests_name("sysinfo", tests, NULL, NULL);
}
