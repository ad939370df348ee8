/*
 * test_collapse.c - the MADV_COLLAPSE rules (collapse.h) on synthetic
 * VMAs and settings, the --collapse argument, shmem_enabled words,
 * mountinfo lookups, and the PMD slot counts of the walk that feed them
 * (slots with a present or a swapped page).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "memtop/collapse.h"
#include "memtop/hist.h"
#include "memtop/kconfig.h"
#include "memtop/pagemap.h"

#define PMD (UINT64_C(2) << 20)

static struct mt_coll_env env(void)
{
	struct mt_coll_env e = {
		.thp_enabled = MT_TRI_YES,
		.ro_thp_fs = MT_TRI_UNKNOWN,
		.shmem_enabled = MT_SHM_NEVER,
		.shmem_pmd = MT_SHM_INHERIT,
		.page_shift = 12,
		.pmd_order = 9,
	};
	return e;
}

static struct mt_coll_vma vma(enum mt_vma_kind k, const char *perms)
{
	struct mt_coll_vma v;
	memset(&v, 0, sizeof(v));
	v.kind = k;
	memcpy(v.perms, perms, 4);
	v.start = 100 * PMD;
	v.vmflags_known = true;
	v.vmflags = 0;
	v.tmpfs = MT_TRI_NO;
	v.touched = 5;
	v.mapped = 2;
	return v;
}

static void expect(const struct mt_coll_env *e, const struct mt_coll_vma *v,
		   uint64_t n, enum mt_coll_why w)
{
	enum mt_coll_why got;
	assert_int_equal(mt_coll_slots(e, v, &got), n);
	assert_string_equal(mt_coll_why_name(got), mt_coll_why_name(w));
}

static void test_anon(void **state)
{
	(void)state;
	struct mt_coll_env e = env();
	struct mt_coll_vma v = vma(MT_KIND_ANON, "rw-p");
	expect(&e, &v, 3, MT_COLL_OK); /* populated less PMD-mapped */
	v = vma(MT_KIND_HEAP, "r--p");
	expect(&e, &v, 3, MT_COLL_OK); /* read-only collapses too */
	v.mapped = 5;
	expect(&e, &v, 0, MT_COLL_EMPTY);
	v = vma(MT_KIND_ANON, "rw-p");
	v.vmflags |= MT_VMF_NH;
	expect(&e, &v, 0, MT_COLL_NOHUGEPAGE);
	v = vma(MT_KIND_ANON, "rw-p");
	v.vmflags |= MT_VMF_HG; /* advice does not matter to a forced collapse */
	expect(&e, &v, 3, MT_COLL_OK);
	const unsigned special[] = {MT_VMF_IO, MT_VMF_PF, MT_VMF_MM,
				    MT_VMF_HT, MT_VMF_DE};
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		v = vma(MT_KIND_ANON, "rw-p");
		v.vmflags |= special[i];
		expect(&e, &v, 0, MT_COLL_SPECIAL);
	}
	v = vma(MT_KIND_SPECIAL, "r-xp");
	expect(&e, &v, 0, MT_COLL_SPECIAL);
}

static void test_process_and_unknowns(void **state)
{
	(void)state;
	struct mt_coll_env e = env();
	struct mt_coll_vma v = vma(MT_KIND_ANON, "rw-p");
	e.thp_enabled = MT_TRI_NO;
	expect(&e, &v, 0, MT_COLL_PROC_DISABLED);
	v.vmflags_known = false; /* no smaps needed to say no */
	expect(&e, &v, 0, MT_COLL_PROC_DISABLED);
	e.thp_enabled = MT_TRI_UNKNOWN;
	v = vma(MT_KIND_ANON, "rw-p");
	expect(&e, &v, MT_UNKNOWN, MT_COLL_UNKNOWN);
	e = env();
	v.vmflags_known = false;
	expect(&e, &v, MT_UNKNOWN, MT_COLL_UNKNOWN);
	v = vma(MT_KIND_ANON, "rw-p");
	v.mapped = MT_UNKNOWN;
	expect(&e, &v, MT_UNKNOWN, MT_COLL_UNKNOWN);
	v = vma(MT_KIND_ANON, "rw-p");
	v.vmflags |= MT_VMF_UFFD;
	expect(&e, &v, MT_UNKNOWN, MT_COLL_UNKNOWN);
	/* nothing to collapse needs no facts at all */
	v = vma(MT_KIND_ANON, "rw-p");
	v.touched = v.mapped = 0;
	v.vmflags_known = false;
	assert_false(mt_coll_needs_facts(&v));
	expect(&e, &v, 0, MT_COLL_EMPTY);
	v.touched = 1;
	assert_true(mt_coll_needs_facts(&v));
}

static void test_files(void **state)
{
	(void)state;
	struct mt_coll_env e = env();
	struct mt_coll_vma v = vma(MT_KIND_FILE, "r--p");
	/* the kernel's configuration not read: not known */
	expect(&e, &v, MT_UNKNOWN, MT_COLL_UNKNOWN);
	e.ro_thp_fs = MT_TRI_NO;
	expect(&e, &v, 0, MT_COLL_FILE);
	e.ro_thp_fs = MT_TRI_YES; /* not modelled: unknown */
	expect(&e, &v, MT_UNKNOWN, MT_COLL_UNKNOWN);
	e = env();
	v.tmpfs = MT_TRI_UNKNOWN;
	assert_true(mt_coll_needs_fstype(&v));
	expect(&e, &v, MT_UNKNOWN, MT_COLL_UNKNOWN);
	v.tmpfs = MT_TRI_YES; /* a tmpfs file is shmem */
	expect(&e, &v, 3, MT_COLL_OK);
	v.offset = 4096;
	expect(&e, &v, 0, MT_COLL_MISALIGNED);
	v.offset = PMD;
	expect(&e, &v, 3, MT_COLL_OK);
}

static void test_shmem(void **state)
{
	(void)state;
	struct mt_coll_env e = env();
	struct mt_coll_vma memfd = vma(MT_KIND_MEMFD, "r--s");
	struct mt_coll_vma anon = vma(MT_KIND_SHMEM, "rw-s");
	struct mt_coll_vma sysv = vma(MT_KIND_SHMEM, "rw-s");
	sysv.sysv = true;
	/* shmem_enabled never does not stop a forced collapse; deny does */
	expect(&e, &memfd, 3, MT_COLL_OK);
	expect(&e, &anon, 3, MT_COLL_OK);
	e.shmem_enabled = MT_SHM_DENY;
	expect(&e, &memfd, 0, MT_COLL_SHMEM_OFF);
	expect(&e, &anon, 0, MT_COLL_SHMEM_OFF);
	/* shared anonymous memory: the PMD size's own setting too */
	e = env();
	e.shmem_pmd = MT_SHM_NEVER;
	expect(&e, &anon, 0, MT_COLL_SHMEM_OFF);
	expect(&e, &memfd, 3, MT_COLL_OK);
	expect(&e, &sysv, 3, MT_COLL_OK);
	e.shmem_pmd = MT_SHM_ADVISE;
	expect(&e, &anon, 0, MT_COLL_SHMEM_OFF);
	anon.vmflags |= MT_VMF_HG;
	expect(&e, &anon, 3, MT_COLL_OK);
	e.shmem_pmd = MT_SHM_ALWAYS;
	expect(&e, &anon, 3, MT_COLL_OK);
	e.shmem_enabled = MT_SHM_UNKNOWN;
	expect(&e, &anon, MT_UNKNOWN, MT_COLL_UNKNOWN);
	memfd.offset = 8192;
	e = env();
	expect(&e, &memfd, 0, MT_COLL_MISALIGNED);
}

/* The setting for faults and khugepaged of each kind of shared memory. */
static void test_shmem_fault_mode(void **state)
{
	(void)state;
	struct mt_coll_env e = env();
	enum mt_shm_src src;
	struct mt_coll_vma v = vma(MT_KIND_ANON, "rw-p");
	assert_int_equal(mt_shmem_fault_mode(&e, &v, &src), MT_SHM_UNKNOWN);
	assert_int_equal(src, MT_SHM_SRC_NONE);
	v = vma(MT_KIND_FILE, "r--p"); /* not on tmpfs */
	assert_int_equal(mt_shmem_fault_mode(&e, &v, &src), MT_SHM_UNKNOWN);
	assert_int_equal(src, MT_SHM_SRC_NONE);
	v.tmpfs = MT_TRI_YES;
	v.mount_huge = MT_SHM_WITHIN_SIZE;
	assert_int_equal(mt_shmem_fault_mode(&e, &v, &src), MT_SHM_WITHIN_SIZE);
	assert_int_equal(src, MT_SHM_SRC_MOUNT);
	e.shmem_enabled = MT_SHM_FORCE; /* over every mount */
	assert_int_equal(mt_shmem_fault_mode(&e, &v, &src), MT_SHM_FORCE);
	assert_int_equal(src, MT_SHM_SRC_GLOBAL);
	e = env();
	e.shmem_pmd = MT_SHM_ADVISE;
	v = vma(MT_KIND_ANON, "rw-s"); /* shared anonymous: the size's */
	assert_int_equal(mt_shmem_fault_mode(&e, &v, &src), MT_SHM_ADVISE);
	assert_int_equal(src, MT_SHM_SRC_SIZE);
	v = vma(MT_KIND_MEMFD, "rw-s"); /* the internal mount: global */
	assert_int_equal(mt_shmem_fault_mode(&e, &v, &src), MT_SHM_NEVER);
	assert_int_equal(src, MT_SHM_SRC_GLOBAL);
	v = vma(MT_KIND_SHMEM, "rw-s");
	v.sysv = true;
	assert_int_equal(mt_shmem_fault_mode(&e, &v, NULL), MT_SHM_NEVER);
	e.shmem_pmd = MT_SHM_INHERIT;
	v.sysv = false;
	assert_int_equal(mt_shmem_fault_mode(&e, &v, &src), MT_SHM_NEVER);
	assert_int_equal(src, MT_SHM_SRC_GLOBAL);
	/* a file in /dev/shm is a tmpfs file, not anonymous shmem: its
	 * mount's huge=, and MADV_COLLAPSE ignores the size's setting */
	v = vma(MT_KIND_SHMEM, "rw-s");
	v.posix_shm = true;
	v.tmpfs = MT_TRI_UNKNOWN;
	v.mount_huge = MT_SHM_ADVISE;
	e.shmem_pmd = MT_SHM_NEVER;
	assert_int_equal(mt_shmem_fault_mode(&e, &v, &src), MT_SHM_ADVISE);
	assert_int_equal(src, MT_SHM_SRC_MOUNT);
	assert_true(mt_coll_needs_fstype(&v));
	expect(&e, &v, 3, MT_COLL_OK);
	v.posix_shm = false; /* shared anonymous: the size says never */
	expect(&e, &v, 0, MT_COLL_SHMEM_OFF);
	e.shmem_pmd = MT_SHM_INHERIT;
	/* khugepaged leaves a tmpfs file on a huge=never mount alone */
	v = vma(MT_KIND_FILE, "rw-s");
	v.tmpfs = MT_TRI_YES;
	v.mount_huge = MT_SHM_NEVER;
	bool off = false;
	assert_int_equal(mt_khp_slots(&e, &v, NULL, &off), 0);
	assert_true(off);
	v.mount_huge = MT_SHM_ALWAYS; /* the page cache decides: not seen */
	assert_true(mt_khp_slots(&e, &v, NULL, &off) == MT_UNKNOWN);
}

static void test_parse(void **state)
{
	const char *cfg = "# CONFIG_READ_ONLY_THP_FOR_FS_X is not set\n"
			  "CONFIG_TRANSPARENT_HUGEPAGE=y\n"
			  "# CONFIG_READ_ONLY_THP_FOR_FS is not set\n"
			  "CONFIG_ZSWAP=m\n";
	const char *ro = "CONFIG_READ_ONLY_THP_FOR_FSX=y\n"
			 "CONFIG_READ_ONLY_THP_FOR_FS=y\n";
	assert_int_equal(mt_kconfig_parse(cfg, strlen(cfg),
					  "CONFIG_READ_ONLY_THP_FOR_FS"),
			 MT_TRI_NO);
	assert_int_equal(mt_kconfig_parse(ro, strlen(ro),
					  "CONFIG_READ_ONLY_THP_FOR_FS"),
			 MT_TRI_YES);
	assert_int_equal(mt_kconfig_parse(cfg, strlen(cfg), "CONFIG_ZSWAP"),
			 MT_TRI_YES);
	assert_int_equal(mt_kconfig_parse("", 0, "CONFIG_ZSWAP"), MT_TRI_NO);
	(void)state;
	const char *w = "always within_size advise [never] deny force";
	assert_int_equal(mt_shmem_mode_parse(w, strlen(w)), MT_SHM_NEVER);
	w = "always [inherit] within_size advise never";
	assert_int_equal(mt_shmem_mode_parse(w, strlen(w)), MT_SHM_INHERIT);
	w = "always advise";
	assert_int_equal(mt_shmem_mode_parse(w, strlen(w)), MT_SHM_UNKNOWN);

	struct mt_collapse_req r;
	assert_int_equal(mt_collapse_parse("1234", &r), 0);
	assert_int_equal(r.pid, 1234);
	assert_false(r.ranged);
	assert_int_equal(mt_collapse_parse("7:0x7f0000000000-7f0000400000", &r), 0);
	assert_true(r.ranged);
	assert_true(r.start == UINT64_C(0x7f0000000000));
	assert_true(r.end == UINT64_C(0x7f0000400000));
	assert_int_equal(mt_collapse_parse("", &r), -1);
	assert_int_equal(mt_collapse_parse("0", &r), -1);
	assert_int_equal(mt_collapse_parse("12x", &r), -1);
	assert_int_equal(mt_collapse_parse("12:5-3", &r), -1);
	assert_int_equal(mt_collapse_parse("12:5", &r), -1);
	assert_int_equal(mt_collapse_parse("12:g-10", &r), -1);
	assert_int_equal(mt_collapse_parse("99999999999", &r), -1);

	const char *mi =
		"24 23 0:22 / /dev/shm rw,relatime - tmpfs tmpfs rw\n"
		"26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
		"30 22 0:27 / /mnt/x rw shared:5 - btrfs /dev/vdb rw\n";
	enum mt_shmem_mode hg = MT_SHM_ALWAYS;
	assert_int_equal(mt_mountinfo_tmpfs(mi, strlen(mi), 0, 22, &hg),
			 MT_TRI_YES);
	assert_int_equal(hg, MT_SHM_NEVER); /* no huge= */
	assert_int_equal(mt_mountinfo_tmpfs(mi, strlen(mi), 0, 27, &hg),
			 MT_TRI_NO);
	assert_int_equal(mt_mountinfo_tmpfs(mi, strlen(mi), 0, 2, &hg),
			 MT_TRI_UNKNOWN);
	assert_int_equal(hg, MT_SHM_UNKNOWN);
	assert_int_equal(mt_mountinfo_tmpfs(mi, strlen(mi), 254, 0, NULL),
			 MT_TRI_NO);
	const char *mh =
		"40 23 0:45 / /run/h rw - tmpfs none rw,size=8k,huge=within_size\n"
		"41 23 0:46 / /run/a rw - tmpfs none rw,huge=advise,mode=755\n"
		"42 23 0:47 / /run/b rw - tmpfs none rw,nohuge=x,huge=bogus\n";
	assert_int_equal(mt_mountinfo_tmpfs(mh, strlen(mh), 0, 45, &hg),
			 MT_TRI_YES);
	assert_int_equal(hg, MT_SHM_WITHIN_SIZE);
	assert_int_equal(mt_mountinfo_tmpfs(mh, strlen(mh), 0, 46, &hg),
			 MT_TRI_YES);
	assert_int_equal(hg, MT_SHM_ADVISE);
	assert_int_equal(mt_mountinfo_tmpfs(mh, strlen(mh), 0, 47, &hg),
			 MT_TRI_YES);
	assert_int_equal(hg, MT_SHM_UNKNOWN); /* a word not known */
	assert_string_equal(mt_shmem_mode_name(MT_SHM_WITHIN_SIZE),
			    "within_size");
	assert_string_equal(mt_collapse_errno_meaning(EBUSY),
			    "memcg limit or too many missing pages");
}

/* Slots with a present or swapped page, as the walk counts them. */
static void test_populated_slots(void **state)
{
	(void)state;
	uint64_t hist[10] = {0};
	struct mt_hist_acc a;
	mt_hist_acc_init(&a, hist, NULL, 9);
	/* a VMA of slots 1..4 (pages 512..2559) */
	mt_hist_acc_track_pmd(&a, 9, 512, 2560);
	uint64_t pm[2048];
	memset(pm, 0, sizeof(pm));
	pm[3] = MT_PM_PRESENT | 1;            /* slot 1: one page */
	pm[600] = MT_PM_SWAP | (5 << 5);      /* slot 2: swapped only */
	pm[1024 + 7] = MT_PM_SWAP | (6 << 5); /* slot 3: swap then present */
	pm[1024 + 8] = MT_PM_PRESENT | 2;
	mt_hist_acc_feed(&a, 512, pm, 2048); /* slot 4: empty */
	mt_hist_acc_flush(&a);
	assert_int_equal(a.pmd_touched, 2);
	assert_int_equal(a.pmd_populated, 3);
	assert_int_equal(a.swapped_pages, 2);

	/* runs without entries (PAGEMAP_SCAN) */
	mt_hist_acc_init(&a, hist, NULL, 9);
	mt_hist_acc_track_pmd(&a, 9, 512, 2560);
	mt_hist_acc_present(&a, 512, 10);
	mt_hist_acc_swapped(&a, 1030, 3);
	mt_hist_acc_swapped(&a, 1600, 1);
	mt_hist_acc_present(&a, 1601, 2);
	mt_hist_acc_flush(&a);
	assert_int_equal(a.pmd_touched, 2);
	assert_int_equal(a.pmd_populated, 3);
}

/* khugepaged: the collapse rules, then the enabled mode and advice, a
 * writable VMA, and the per slot limits. */
static void test_khugepaged(void **state)
{
	(void)state;
	struct mt_coll_env e = env();
	e.thp_mode = MT_THP_MADVISE;
	e.max_none = 511;
	e.max_swap = 64;
	e.max_shared = 256;
	struct mt_coll_vma v = vma(MT_KIND_ANON, "rw-p");
	v.vmflags = MT_VMF_HG;
	v.full = 3;        /* 2 of them mapped: 1 full slot to collapse */
	v.khp_fit = 1;     /* 5 touched - 3 full = 2 partial, 1 fits */
	enum mt_coll_why w;
	bool off;
	assert_int_equal(mt_khp_slots(&e, &v, &w, &off), 2);
	assert_false(off);
	assert_true(mt_khp_slots(&e, &v, NULL, NULL) <=
		    mt_coll_slots(&e, &v, NULL));
	/* madvise mode without MADV_HUGEPAGE; never */
	v.vmflags = 0;
	assert_int_equal(mt_khp_slots(&e, &v, &w, &off), 0);
	assert_true(off);
	e.thp_mode = MT_THP_ALWAYS;
	assert_int_equal(mt_khp_slots(&e, &v, &w, &off), 2);
	e.thp_mode = MT_THP_NEVER;
	assert_int_equal(mt_khp_slots(&e, &v, &w, &off), 0);
	assert_true(off);
	e.thp_mode = MT_THP_UNKNOWN;
	assert_int_equal(mt_khp_slots(&e, &v, &w, &off), MT_UNKNOWN);
	e.thp_mode = MT_THP_ALWAYS;
	/* what MADV_COLLAPSE refuses: nohugepage, process disabled */
	v.vmflags = MT_VMF_NH;
	assert_int_equal(mt_khp_slots(&e, &v, &w, &off), 0);
	assert_int_equal(w, MT_COLL_NOHUGEPAGE);
	assert_false(off);
	v.vmflags = 0;
	e.thp_enabled = MT_TRI_NO;
	assert_int_equal(mt_khp_slots(&e, &v, &w, &off), 0);
	e.thp_enabled = MT_TRI_YES;
	/* read-only: khugepaged takes its slots on 6.18 as a writable
	 * VMA's; before, not known (SCAN_PAGE_RO) */
	uint64_t rw = mt_khp_slots(&e, &v, &w, &off);
	memcpy(v.perms, "r--p", 4);
	assert_true(mt_khp_slots(&e, &v, &w, &off) == MT_UNKNOWN);
	e.kver = mt_kernel_version("6.18.0-2-cloud-amd64");
	assert_int_equal(e.kver, 6018);
	assert_true(mt_khp_slots(&e, &v, &w, &off) == rw);
	e.kver = mt_kernel_version("6.6.9");
	assert_true(mt_khp_slots(&e, &v, &w, &off) == MT_UNKNOWN);
	assert_int_equal(mt_kernel_version("x"), 0);
	assert_int_equal(mt_kernel_version("7.0"), 7000);
	e.kver = 0;
	memcpy(v.perms, "rw-p", 4);
	/* a partial slot whose sharing is not known, over max_ptes_shared */
	v.khp_unsure = 1;
	assert_int_equal(mt_khp_slots(&e, &v, &w, &off), MT_UNKNOWN);
	v.khp_unsure = 0;
	/* a full slot not PMD-mapped, and a full slot of unknown sharing:
	 * which of them is mapped is not known */
	v.full_unknown = 1;
	assert_int_equal(mt_khp_slots(&e, &v, &w, &off), MT_UNKNOWN);
	v.mapped = 3; /* every full slot mapped: nothing to decide */
	v.touched = 5;
	assert_int_equal(mt_khp_slots(&e, &v, &w, &off), 1);
	v.full_unknown = 0;
	v.mapped = 2;
	v.full_over = 1;
	assert_int_equal(mt_khp_slots(&e, &v, &w, &off), MT_UNKNOWN);
	/* no slot PMD-mapped: the slot over max_ptes_shared is one of the
	 * full slots left, and only it is out */
	uint64_t fit = v.khp_fit;
	v.mapped = 0;
	v.full = 3;
	assert_true(mt_khp_slots(&e, &v, &w, &off) == fit + 2);
	v.full_over = 3;
	assert_true(mt_khp_slots(&e, &v, &w, &off) == fit);
	v.full_unknown = 1; /* still not known */
	assert_true(mt_khp_slots(&e, &v, &w, &off) == MT_UNKNOWN);
	v.full_unknown = 0;
	v.mapped = 2;
	v.full_over = 0;
	/* limits not read */
	e.max_shared = MT_UNKNOWN;
	assert_int_equal(mt_khp_slots(&e, &v, &w, &off), MT_UNKNOWN);
	e.max_shared = 256;
	/* shmem: khugepaged reads the page cache, not seen: unknown; a
	 * shmem VMA refused by shmem_enabled: 0 */
	struct mt_coll_vma m = vma(MT_KIND_MEMFD, "rw-s");
	m.vmflags = MT_VMF_HG;
	e.shmem_enabled = MT_SHM_ALWAYS;
	assert_int_equal(mt_khp_slots(&e, &m, &w, &off), MT_UNKNOWN);
	e.shmem_enabled = MT_SHM_DENY;
	assert_int_equal(mt_khp_slots(&e, &m, &w, &off), 0);
	/* shmem_enabled never: khugepaged leaves shmem alone, whatever the
	 * anonymous mode; advise needs MADV_HUGEPAGE */
	e.shmem_enabled = MT_SHM_NEVER;
	assert_int_equal(mt_khp_slots(&e, &m, &w, &off), 0);
	assert_true(off);
	e.shmem_enabled = MT_SHM_ADVISE;
	assert_int_equal(mt_khp_slots(&e, &m, &w, &off), MT_UNKNOWN);
	m.vmflags = 0;
	assert_int_equal(mt_khp_slots(&e, &m, &w, &off), 0);
	/* shared anonymous memory: its own size's setting */
	struct mt_coll_vma sa = vma(MT_KIND_ANON, "rw-s");
	e.shmem_enabled = MT_SHM_ALWAYS;
	e.shmem_pmd = MT_SHM_NEVER;
	assert_int_equal(mt_coll_slots(&e, &sa, NULL), 0);
	e.shmem_pmd = MT_SHM_INHERIT;
	assert_int_equal(mt_khp_slots(&e, &sa, &w, &off), MT_UNKNOWN);
	/* a regular file on tmpfs: the mount's huge= option, not known */
	struct mt_coll_vma tf = vma(MT_KIND_FILE, "rw-s");
	tf.tmpfs = MT_TRI_YES;
	assert_int_equal(mt_khp_slots(&e, &tf, &w, &off), MT_UNKNOWN);
	/* the enabled words */
	assert_int_equal(mt_thp_mode_parse("always [madvise] never\n", 23),
			 MT_THP_MADVISE);
	assert_int_equal(mt_thp_mode_parse("always [inherit] madvise never",
					   30), MT_THP_INHERIT);
	assert_int_equal(mt_thp_mode_parse("[never]", 7), MT_THP_NEVER);
	assert_int_equal(mt_thp_mode_parse("always", 6), MT_THP_UNKNOWN);
	assert_int_equal(mt_thp_mode_word("always"), MT_THP_ALWAYS);
	assert_int_equal(mt_thp_mode_word("?"), MT_THP_UNKNOWN);
}

/* The viewer's summary of an action, and its question before acting. */
static void test_tally_text(void **state)
{
	(void)state;
	struct mt_coll_tally t;
	char b[512];
	memset(&t, 0, sizeof(t));
	mt_coll_tally_text(&t, 0, b, sizeof(b));
	assert_string_equal(b, "collapsed 0, already 0");
	for (int i = 0; i < 30; i++)
		mt_coll_tally_add(&t, false, 0);
	mt_coll_tally_add(&t, true, 0);
	mt_coll_tally_add(&t, true, EINVAL); /* already: errno not looked at */
	for (int i = 0; i < 8; i++)
		mt_coll_tally_add(&t, false, EINVAL);
	mt_coll_tally_text(&t, 0, b, sizeof(b));
	assert_string_equal(b, "collapsed 30, already 2, refused 8 "
			       "(EINVAL ineligible)");
	mt_coll_tally_add(&t, false, EBUSY);
	mt_coll_tally_add(&t, false, ENOMEM);
	mt_coll_tally_add(&t, false, EAGAIN);
	mt_coll_tally_add(&t, false, EAGAIN);
	mt_coll_tally_add(&t, false, ESRCH);
	mt_coll_tally_add(&t, false, EFAULT);
	mt_coll_tally_text(&t, 5, b, sizeof(b));
	assert_string_equal(b, "collapsed 30, already 2, refused 8 (EINVAL "
			       "ineligible), failed 1 (EBUSY memcg limit or too "
			       "many missing pages), failed 1 (ENOMEM allocation "
			       "failed), failed 2 (EAGAIN transient), not asked 1 "
			       "(the process exited), failed 1 (other errors), "
			       "stopped with 5 slots left");
	/* a short buffer is cut, not overrun */
	char s[12];
	mt_coll_tally_text(&t, 0, s, sizeof(s));
	assert_string_equal(s, "collapsed 3");
}

static void test_confirm_text(void **state)
{
	(void)state;
	char b[256];
	mt_coll_confirm_text("PID 1234", 40, 2, UINT64_C(2) << 20, b,
			     sizeof(b));
	assert_string_equal(b, "MADV_COLLAPSE 38 PMD slots of PID 1234 (2 "
			       "already PMD-mapped)? May allocate up to 76 MiB. "
			       "y/Enter: yes, any other key: no");
	mt_coll_confirm_text("cgroup /a", 1024, 0, UINT64_C(2) << 20, b,
			     sizeof(b));
	assert_non_null(strstr(b, "up to 2.0 GiB"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anon),
		cmocka_unit_test(test_process_and_unknowns),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_shmem),
		cmocka_unit_test(test_shmem_fault_mode),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_populated_slots),
		cmocka_unit_test(test_khugepaged),
		cmocka_unit_test(test_tally_text),
		cmocka_unit_test(test_confirm_text),
	};
	return cmocka_run_group_tests_name("collapse", tests, NULL, NULL);
}
