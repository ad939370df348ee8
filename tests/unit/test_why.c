/*
 * test_why.c - the reason codes of why.h on synthetic VMAs and settings:
 * every code is given where its rule holds, and not where it does not;
 * the sentences carry the figures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "memtop/snapshot.h"
#include "memtop/why.h"

#define PMD (UINT64_C(2) << 20)

/* An anonymous private VMA of 4 PMD slots, 3 with pages, 1 PMD-mapped,
 * on a system in madvise mode with MADV_HUGEPAGE given: no reason. */
static struct mt_why_in base(void)
{
	struct mt_why_in in = {
		.thp_enabled = MT_TRI_YES,
		.mode = MT_THP_MADVISE,
		.vmflags_known = true,
		.vmflags = MT_VMF_HG,
		.anon_private = true,
		.coll_why = MT_COLL_OK,
		.start = 100 * PMD,
		.end = 104 * PMD,
		.page_shift = 12,
		.pmd_order = 9,
		.slots = 4,
		.populated = 3,
		.mapped = 1,
		.max_none = 511,
		.collapsible = 2,
		.khugepaged = 2,
		.free_pages = MT_UNKNOWN,
		.free_pmd_pages = MT_UNKNOWN,
		.pages_to_scan = MT_UNKNOWN,
		.sleep_ms = MT_UNKNOWN,
		.eligible_pages = MT_UNKNOWN,
		.memcg_room = MT_UNKNOWN,
	};
	return in;
}

static struct mt_why w[32];

static size_t list(const struct mt_why_in *in)
{
	return mt_why_list(in, w, 32);
}

/* Is code among the reasons; its sentence into text. */
static bool has(const struct mt_why_in *in, enum mt_why_code c, char *text)
{
	size_t n = list(in);
	for (size_t i = 0; i < n; i++)
		if (w[i].code == c) {
			if (text)
				mt_why_text(&w[i], text, 256);
			return true;
		}
	return false;
}

static void test_table(void **state)
{
	(void)state;
	static const char *const codes[] = {
		"thp_disabled", "vma_type", "nohugepage", "userfaultfd",
		"file_no_thp", "shmem_denied", "shmem_off", "tmpfs_huge",
		"thp_never", "not_advised", "no_slot", "file_misaligned",
		"holes", "fragmented", "fallbacks", "memcg_limit",
		"memcg_fallbacks", "khugepaged_pace", "mthp_off",
		"mthp_no_block", "mthp_filled",
	};
	assert_int_equal(MT_WHY_COUNT, sizeof(codes) / sizeof(codes[0]));
	for (unsigned i = 0; i < MT_WHY_COUNT; i++) {
		assert_string_equal(mt_why_name((enum mt_why_code)i), codes[i]);
		assert_non_null(mt_why_table[i].text);
		/* one sentence, no full stop: JSON and the viewer add none */
		assert_null(strchr(mt_why_table[i].text, '.'));
	}
	assert_string_equal(mt_why_name(MT_WHY_COUNT), "unknown");
	struct mt_why_in in = base();
	assert_int_equal(list(&in), 0);
}

static void test_settings(void **state)
{
	(void)state;
	char t[256];
	struct mt_why_in in = base();
	in.thp_enabled = MT_TRI_NO;
	assert_true(has(&in, MT_WHY_THP_DISABLED, t));
	assert_int_equal(w[0].code, MT_WHY_THP_DISABLED);
	/* a blocked VMA gets no memory or khugepaged reasons */
	in.free_pages = 1000;
	in.free_pmd_pages = 0;
	assert_false(has(&in, MT_WHY_FRAGMENTED, NULL));

	in = base();
	in.mode = MT_THP_NEVER;
	assert_true(has(&in, MT_WHY_THP_NEVER, t));
	assert_string_equal(t, "transparent_hugepage/enabled is never: no "
			    "huge page at fault or from khugepaged (4 PMD "
			    "slots)");
	in.anon_private = false; /* shmem follows shmem_enabled */
	assert_false(has(&in, MT_WHY_THP_NEVER, NULL));

	in = base();
	in.vmflags = 0;
	assert_true(has(&in, MT_WHY_NOT_ADVISED, NULL));
	assert_int_equal(w[0].a[0], 4);
	in.mode = MT_THP_ALWAYS;
	assert_false(has(&in, MT_WHY_NOT_ADVISED, NULL));
	in.mode = MT_THP_MADVISE;
	in.vmflags_known = false; /* not known: not said */
	assert_false(has(&in, MT_WHY_NOT_ADVISED, NULL));

	in = base();
	in.vmflags = MT_VMF_NH;
	assert_true(has(&in, MT_WHY_NOHUGEPAGE, NULL));
	assert_false(has(&in, MT_WHY_NOT_ADVISED, NULL));

	in = base();
	in.vmflags = MT_VMF_IO | MT_VMF_PF;
	assert_true(has(&in, MT_WHY_VMA_TYPE, t));
	assert_int_equal(w[0].a[0], MT_VMF_IO | MT_VMF_PF);
	in.vmflags = MT_VMF_HT;
	assert_true(has(&in, MT_WHY_VMA_TYPE, NULL));
	in.vmflags = MT_VMF_DE | MT_VMF_HG;
	assert_true(has(&in, MT_WHY_VMA_TYPE, NULL));

	in = base();
	in.vmflags = MT_VMF_HG | MT_VMF_UFFD;
	assert_true(has(&in, MT_WHY_USERFAULTFD, NULL));

	in = base();
	in.anon_private = false;
	in.coll_why = MT_COLL_FILE;
	assert_true(has(&in, MT_WHY_FILE_NO_THP, NULL));
	in.coll_why = MT_COLL_SHMEM_OFF;
	assert_true(has(&in, MT_WHY_SHMEM_DENIED, NULL));
	assert_false(has(&in, MT_WHY_FILE_NO_THP, NULL));
}

static void test_geometry(void **state)
{
	(void)state;
	char t[256];
	struct mt_why_in in = base();
	in.start = 100 * PMD + 4096;
	in.end = 101 * PMD + 4096;
	in.slots = in.populated = in.mapped = 0;
	assert_true(has(&in, MT_WHY_NO_SLOT, t));
	assert_string_equal(t, "no naturally aligned PMD-sized slot lies "
			    "wholly inside the mapping (512 pages; a slot "
			    "is 512 pages)");
	in.end = 102 * PMD;
	in.slots = 1;
	assert_false(has(&in, MT_WHY_NO_SLOT, NULL));

	/* address 100 PMDs, offset 3 pages: 509 pages out of step */
	in = base();
	in.anon_private = false;
	in.coll_why = MT_COLL_MISALIGNED;
	in.offset = 3 * 4096;
	assert_true(has(&in, MT_WHY_FILE_MISALIGNED, t));
	assert_int_equal(w[0].a[0], 509);
	assert_string_equal(t, "the file offset is 509 pages out of step "
			    "with the address modulo 512 pages: mapping it "
			    "509 pages lower, or 3 pages higher, would "
			    "align it");
	in.coll_why = MT_COLL_OK;
	assert_false(has(&in, MT_WHY_FILE_MISALIGNED, NULL));
}

static void test_population(void **state)
{
	(void)state;
	char t[256];
	struct mt_why_in in = base();
	in.holed = 2;
	in.missing = 37;
	in.over_none = 0;
	assert_true(has(&in, MT_WHY_HOLES, t));
	assert_int_equal(w[0].a[0], 37);
	assert_string_equal(t, "2 of 3 PMD slots with pages have holes (37 "
			    "pages missing); 0 are over max_ptes_none (511)");
	in.max_none = MT_UNKNOWN;
	assert_true(has(&in, MT_WHY_HOLES, t));
	assert_string_equal(t, "2 of 3 PMD slots with pages have holes (37 "
			    "pages missing); ? are over max_ptes_none (?)");
	in.holed = MT_UNKNOWN;
	assert_false(has(&in, MT_WHY_HOLES, NULL));
}

static void test_memory(void **state)
{
	(void)state;
	char t[256];
	struct mt_why_in in = base();
	in.free_pages = 10000;
	in.free_pmd_pages = 1024;
	assert_true(has(&in, MT_WHY_FRAGMENTED, t));
	assert_string_equal(t, "only 10% of free memory is in blocks of a "
			    "PMD or more (1024 of 10000 free pages)");
	in.free_pmd_pages = 5000;
	assert_false(has(&in, MT_WHY_FRAGMENTED, NULL));
	in.free_pmd_pages = 1024;
	in.populated = in.mapped = 3; /* all huge already: no room */
	assert_false(has(&in, MT_WHY_FRAGMENTED, NULL));

	in = base();
	in.fallback_rate = 0.5;
	assert_true(has(&in, MT_WHY_FALLBACKS, t));
	assert_int_equal(w[0].a[0], 30);
	in.fallback_rate = 0;
	assert_false(has(&in, MT_WHY_FALLBACKS, NULL));

	/* 8192 pages at 4096 a pass, 10 s sleep: two sleeps, 20 s */
	in = base();
	in.pages_to_scan = 4096;
	in.sleep_ms = 10000;
	in.eligible_pages = 8192;
	assert_true(has(&in, MT_WHY_KHUGEPAGED_PACE, t));
	assert_int_equal(w[0].a[0], 20);
	assert_string_equal(t, "khugepaged scans 4096 pages every 10000 ms: "
			    "one pass over the 8192 pages it may collapse "
			    "takes about 20 s");
	in.khugepaged = 0;
	assert_false(has(&in, MT_WHY_KHUGEPAGED_PACE, NULL));
	in.khugepaged = MT_UNKNOWN;
	assert_false(has(&in, MT_WHY_KHUGEPAGED_PACE, NULL));
}

/* Shared memory: shmem_enabled, the PMD size's own, a tmpfs mount. */
static void test_shmem(void **state)
{
	(void)state;
	char t[256];
	struct mt_why_in in = base();
	in.anon_private = false;
	in.vmflags = 0;
	in.shm_mode = MT_SHM_NEVER;
	in.shm_src = MT_SHM_SRC_GLOBAL;
	assert_true(has(&in, MT_WHY_SHMEM_OFF, t));
	assert_string_equal(t, "shared memory: shmem_enabled never gives it "
			    "no huge pages at fault or from khugepaged; "
			    "MADV_COLLAPSE still can (4 PMD slots)");
	assert_false(has(&in, MT_WHY_NOT_ADVISED, NULL));
	in.shm_mode = MT_SHM_ADVISE;
	in.shm_src = MT_SHM_SRC_SIZE;
	assert_true(has(&in, MT_WHY_SHMEM_OFF, t));
	assert_non_null(strstr(t, "the PMD size's shmem_enabled advise"));
	in.vmflags = MT_VMF_HG; /* advised: allowed */
	assert_false(has(&in, MT_WHY_SHMEM_OFF, NULL));
	in.shm_mode = MT_SHM_ALWAYS;
	in.vmflags = 0;
	assert_false(has(&in, MT_WHY_SHMEM_OFF, NULL));
	in.shm_mode = MT_SHM_NEVER;
	in.shm_src = MT_SHM_SRC_MOUNT;
	assert_true(has(&in, MT_WHY_TMPFS_HUGE, t));
	assert_false(has(&in, MT_WHY_SHMEM_OFF, NULL));
	assert_string_equal(t, "a tmpfs file whose mount has huge=never: no "
			    "huge pages at fault or from khugepaged; "
			    "MADV_COLLAPSE still can (4 PMD slots)");
	/* shmem_denied says more: MADV_COLLAPSE is refused too */
	in.coll_why = MT_COLL_SHMEM_OFF;
	assert_true(has(&in, MT_WHY_SHMEM_DENIED, NULL));
	assert_false(has(&in, MT_WHY_TMPFS_HUGE, NULL));
	in = base();
	in.shm_mode = MT_SHM_NEVER; /* not known to be shared memory */
	in.vmflags_known = false;
	assert_false(has(&in, MT_WHY_SHMEM_OFF, NULL));
}

/* The memory cgroup: room under the limit, charge fallbacks. */
static void test_memcg(void **state)
{
	(void)state;
	char t[256];
	struct mt_why_in in = base();
	in.memcg_room = 1000 << 10;
	assert_true(has(&in, MT_WHY_MEMCG_LIMIT, t));
	assert_int_equal(w[0].a[0], 1000);
	assert_int_equal(w[0].a[1], 2048);
	assert_string_equal(t, "the process's memory cgroup has 1000 KiB left "
			    "under its limit, less than one PMD-sized page "
			    "(2048 KiB): faults fall back to small pages "
			    "unless memory is reclaimed");
	in.memcg_room = PMD;
	assert_false(has(&in, MT_WHY_MEMCG_LIMIT, NULL));
	in.memcg_room = 0;
	in.vmflags = MT_VMF_NH; /* blocked anyway */
	assert_false(has(&in, MT_WHY_MEMCG_LIMIT, NULL));
	in = base();
	in.charge_fallback_rate = 0.25;
	assert_true(has(&in, MT_WHY_MEMCG_FALLBACKS, NULL));
	assert_int_equal(w[0].a[0], 15);
	in.anon_private = false;
	assert_false(has(&in, MT_WHY_MEMCG_FALLBACKS, NULL));
}

/* Several reasons: the main one first; max bounds what is written. */
static void test_order(void **state)
{
	(void)state;
	struct mt_why_in in = base();
	in.vmflags = MT_VMF_NH;
	in.thp_enabled = MT_TRI_NO;
	in.holed = 1;
	in.missing = 5;
	assert_int_equal(list(&in), 3);
	assert_int_equal(w[0].code, MT_WHY_THP_DISABLED);
	assert_int_equal(w[1].code, MT_WHY_NOHUGEPAGE);
	assert_int_equal(w[2].code, MT_WHY_HOLES);
	struct mt_why one[1];
	assert_int_equal(mt_why_list(&in, one, 1), 3);
	assert_int_equal(one[0].code, MT_WHY_THP_DISABLED);
	char small[8];
	mt_why_text(&one[0], small, sizeof(small));
	assert_int_equal(strlen(small), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_population),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_shmem),
		cmocka_unit_test(test_memcg),
	};
	return cmocka_run_group_tests_name("why", tests, NULL, NULL);
}
