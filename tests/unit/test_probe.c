/*
 * test_probe.c - what the kernel does, told from evidence: the verdicts
 * for every kind of kernel (zero pages or none, huge zero page or a real
 * huge page, PAGEMAP_SCAN or not, PFNs shown or hidden), then the probe
 * on this machine's kernel against what a page of this test shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "memtop/hist.h"
#include "memtop/pagemap.h"
#include "memtop/probe.h"

static struct mt_zero_evidence ev(void)
{
	struct mt_zero_evidence e;
	memset(&e, 0, sizeof(e));
	e.present = true;
	e.scan_zero = e.scan_huge = MT_TRI_UNKNOWN;
	e.kpf_zero = e.kpf_thp = MT_TRI_UNKNOWN;
	e.rss_kb = e.anon_huge_kb = -1;
	return e;
}

static void test_zero_verdicts(void **state)
{
	(void)state;
	struct mt_zero_evidence e = ev();
	/* nothing tells */
	assert_int_equal(mt_zero_verdict(&e), MT_TRI_UNKNOWN);
	/* a page that is not there tells nothing either */
	e.present = false;
	e.scan_zero = MT_TRI_YES;
	assert_int_equal(mt_zero_verdict(&e), MT_TRI_UNKNOWN);
	/* PAGEMAP_SCAN decides first, either way */
	e = ev();
	e.scan_zero = MT_TRI_YES;
	e.rss_kb = 4; /* smaps would say memory: the ioctl wins */
	assert_int_equal(mt_zero_verdict(&e), MT_TRI_YES);
	e.scan_zero = MT_TRI_NO;
	e.rss_kb = 0;
	assert_int_equal(mt_zero_verdict(&e), MT_TRI_NO);
	/* before 6.7: kpageflags' KPF_ZERO_PAGE, with a PFN */
	e = ev();
	e.pfn = 0x1234;
	e.kpf_zero = MT_TRI_YES;
	assert_int_equal(mt_zero_verdict(&e), MT_TRI_YES);
	e.kpf_zero = MT_TRI_NO; /* a real page: the zero-page-less kernel */
	assert_int_equal(mt_zero_verdict(&e), MT_TRI_NO);
	/* PFNs hidden (a container): a kpageflags word of PFN 0 means
	 * nothing; smaps Rss decides */
	e = ev();
	e.kpf_zero = MT_TRI_NO;
	assert_int_equal(mt_zero_verdict(&e), MT_TRI_UNKNOWN);
	e.rss_kb = 0;
	assert_int_equal(mt_zero_verdict(&e), MT_TRI_YES);
	e.rss_kb = 4;
	assert_int_equal(mt_zero_verdict(&e), MT_TRI_NO);
}

static void test_huge_zero_verdicts(void **state)
{
	(void)state;
	struct mt_zero_evidence e = ev();
	assert_int_equal(mt_huge_zero_verdict(&e), MT_TRI_UNKNOWN);
	/* PAGEMAP_SCAN: a PMD mapping of the huge zero page */
	e.scan_huge = MT_TRI_YES;
	e.scan_zero = MT_TRI_YES;
	assert_int_equal(mt_huge_zero_verdict(&e), MT_TRI_YES);
	/* a PMD mapping of a real huge page: the kernel allocated one */
	e.scan_zero = MT_TRI_NO;
	assert_int_equal(mt_huge_zero_verdict(&e), MT_TRI_NO);
	/* no PMD mapping at all (THP off for us): cannot tell, even when the
	 * page is the 4K zero page */
	e.scan_huge = MT_TRI_NO;
	e.scan_zero = MT_TRI_YES;
	assert_int_equal(mt_huge_zero_verdict(&e), MT_TRI_UNKNOWN);
	/* before 6.7: KPF_ZERO_PAGE on a PMD-aligned run */
	e = ev();
	e.pfn = 0x200;
	e.pfn_aligned = true;
	e.kpf_zero = MT_TRI_YES;
	assert_int_equal(mt_huge_zero_verdict(&e), MT_TRI_YES);
	/* the 4K zero page is not aligned like a huge page */
	e.pfn_aligned = false;
	assert_int_equal(mt_huge_zero_verdict(&e), MT_TRI_UNKNOWN);
	/* a THP head that is no zero page */
	e = ev();
	e.pfn = 0x400;
	e.pfn_aligned = true;
	e.kpf_zero = MT_TRI_NO;
	e.kpf_thp = MT_TRI_YES;
	assert_int_equal(mt_huge_zero_verdict(&e), MT_TRI_NO);
	/* unprivileged, no ioctl: AnonHugePages says a real huge page */
	e = ev();
	e.anon_huge_kb = 2048;
	assert_int_equal(mt_huge_zero_verdict(&e), MT_TRI_NO);
	e.anon_huge_kb = 0;
	assert_int_equal(mt_huge_zero_verdict(&e), MT_TRI_UNKNOWN);
}

static void test_why_short(void **state)
{
	(void)state;
	assert_string_equal(mt_why_short(MT_WHY_PFNS_NOCAP), "needs root");
	assert_string_equal(mt_why_short(MT_WHY_PFNS_HIDDEN), "PFNs hidden");
	assert_string_equal(mt_why_short("--no-pfns"), "off");
	assert_string_equal(mt_why_short(
			"needs root (/proc/kpageflags: Permission denied)"),
			"needs root");
	assert_string_equal(mt_why_short(NULL), "unavailable");
	assert_string_equal(mt_tri_name(MT_TRI_YES), "yes");
	assert_string_equal(mt_tri_name(MT_TRI_NO), "no");
	assert_string_equal(mt_tri_name(MT_TRI_UNKNOWN), "unknown");
}

/* Rss of this process's mapping at a, from smaps; -1 if not found. */
static long own_rss_kb(const void *a)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	long kb = -1;
	bool in = false;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		if ((line[0] < 'A' || line[0] > 'Z') &&
		    sscanf(line, "%lx-%lx", &s, &e) == 2) {
			in = s == (unsigned long)(uintptr_t)a;
			continue;
		}
		if (in && sscanf(line, "Rss: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* The probe on this kernel agrees with what a read fault of this test
 * maps (smaps: a zero page is not in Rss), leaves no memory behind and
 * keeps no huge page of its own. */
static void test_probe_live(void **state)
{
	(void)state;
	struct mt_procfs pf;
	char err[256];
	if (mt_procfs_open(&pf, NULL, NULL, err, sizeof(err)) < 0)
		skip();
	long ps = sysconf(_SC_PAGESIZE);
	volatile char *p = mmap(NULL, (size_t)ps, PROT_READ,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	(void)p[0];
	long rss = own_rss_kb((const void *)p);
	munmap((void *)p, (size_t)ps);
	assert_true(rss >= 0);

	/* are PFNs shown to this process? a written page of its own says */
	volatile char *w = mmap(NULL, (size_t)ps, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(w != MAP_FAILED);
	w[0] = 1;
	FILE *pm = fopen("/proc/self/pagemap", "rb");
	assert_non_null(pm);
	uint64_t ent = 0;
	assert_int_equal(fseek(pm, (long)((uintptr_t)w / (uintptr_t)ps * 8),
			       SEEK_SET), 0);
	assert_int_equal(fread(&ent, 8, 1, pm), 1);
	fclose(pm);
	munmap((void *)w, (size_t)ps);
	bool shown = (ent & MT_PM_PRESENT) && (ent & MT_PM_PFN_MASK);

	struct mt_kernel_probe kp;
	mt_kernel_probe(&pf, 9, false, &kp);
	assert_true(kp.pagemap);
	/* the data decides, not capget() */
	assert_int_equal(kp.pfns, shown);
	if (!shown) {
		assert_string_equal(kp.pfns_why, MT_WHY_PFNS_NOCAP);
		assert_int_equal(kp.kpf_fd, -1);
	}
	print_message("kernel: zero page %s, huge zero page %s (this test's "
		      "read fault: Rss %ld kB)\n",
		      mt_tri_name(kp.zero_page),
		      mt_tri_name(kp.huge_zero_page), rss);
	assert_int_equal(kp.zero_page, rss == 0 ? MT_TRI_YES : MT_TRI_NO);
	/* a PFN is kept only with PFNs shown */
	if (!shown) {
		assert_true(kp.zero_pfn == UINT64_MAX);
		assert_null(kp.hz_hold);
	}
	mt_kernel_probe_release(&kp);
	mt_procfs_close(&pf);
}

/* AnonHugePages of this whole process, from smaps_rollup. */
static long own_anon_huge_kb(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long kb = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* With privilege: a zero page PFN is kept only when kpageflags calls it
 * one, and whatever the huge zero probe got, no huge page of memtop's
 * own stays mapped. */
static void test_probe_privileged(void **state)
{
	(void)state;
	struct mt_procfs pf;
	char err[256];
	if (mt_procfs_open(&pf, NULL, NULL, err, sizeof(err)) < 0)
		skip();
	long before = own_anon_huge_kb();
	struct mt_kernel_probe kp;
	mt_kernel_probe(&pf, 9, true, &kp);
	long after = own_anon_huge_kb();
	if (!kp.pfns || kp.kpf_fd < 0) {
		print_message("skipped: %s\n",
			      kp.pfns_why ? kp.pfns_why : kp.kpf_why);
		mt_kernel_probe_release(&kp);
		mt_procfs_close(&pf);
		skip();
	}
	assert_true(before >= 0);
	assert_int_equal(after, before);
	uint64_t f;
	if (kp.zero_pfn != UINT64_MAX) {
		assert_int_equal(kp.zero_page, MT_TRI_YES);
		assert_int_equal(mt_kpageflags_read(kp.kpf_fd, kp.zero_pfn,
						    &f, 1), 0);
		assert_true(f & MT_KPF_ZERO_PAGE);
	} else {
		assert_true(kp.zero_page != MT_TRI_YES);
	}
	if (kp.huge_zero_pfn != UINT64_MAX) {
		assert_int_equal(kp.huge_zero_page, MT_TRI_YES);
		assert_non_null(kp.hz_hold);
		assert_int_equal(mt_kpageflags_read(kp.kpf_fd,
						    kp.huge_zero_pfn, &f, 1),
				 0);
		assert_true(f & MT_KPF_ZERO_PAGE);
	} else {
		assert_null(kp.hz_hold);
	}
	mt_kernel_probe_release(&kp);
	mt_procfs_close(&pf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_verdicts),
		cmocka_unit_test(test_huge_zero_verdicts),
		cmocka_unit_test(test_why_short),
		cmocka_unit_test(test_probe_live),
		cmocka_unit_test(test_probe_privileged),
	};
	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
