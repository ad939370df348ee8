/*
 * test_scan.c - scans of a stopped child process: sums kept without VMA
 * details agree with the details, and the file-backed sums are the sums
 * of the file-backed VMAs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "memtop/scan.h"
#include "memtop/util.h"

static const struct mt_proc *find(const struct mt_snapshot *s, pid_t pid)
{
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	return NULL;
}

static void test_detail_limit(void **state)
{
	char err[256];
	struct mt_scan_ctx *c = mt_scan_ctx_new(NULL, NULL, err, sizeof(err));
	assert_non_null(c);
	/* a child with 4 MiB written and file mappings (the binary, libc),
	 * stopped so that its memory stays still */
	size_t len = 4u << 20;
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* gone with the test, even one that fails half way */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			_exit(1);
		memset(m, 1, len);
		raise(SIGSTOP);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(child, &st, WUNTRACED), child);
	assert_true(WIFSTOPPED(st));
	pid_t pids[1] = {child};
	struct mt_scan_opts all = {.pids = pids, .npids = 1};
	struct mt_scan_opts few = all;
	few.vma_detail_limit = 1;
	struct mt_snapshot *a = mt_scan(c, &all);
	struct mt_snapshot *b = mt_scan(c, &few);
	const struct mt_proc *pa = find(a, child), *pb = find(b, child);
	assert_non_null(pa);
	assert_non_null(pb);
	assert_true(pa->nvmas > 1);
	assert_int_equal(pa->nvmas, pa->vma_count);
	/* over the limit: sums only */
	assert_int_equal(pb->nvmas, 0);
	assert_null(pb->vmas);
	assert_int_equal(pb->vma_count, pa->vma_count);
	assert_true(pb->present_pages >= len / 4096);
	/* the same figures either way (this process's memory is still) */
	assert_int_equal(pa->present_pages, pb->present_pages);
	assert_memory_equal(pa->present_hist, pb->present_hist,
			    a->nord * sizeof(uint64_t));
	assert_int_equal(pa->file.present_pages, pb->file.present_pages);
	assert_int_equal(pa->pmd_full, pb->pmd_full);
	/* file sums are the sums over the file-backed VMAs */
	uint64_t fp = 0, fh[MT_ORDER_LIMIT + 1] = {0};
	for (size_t i = 0; i < pa->nvmas; i++) {
		const struct mt_vma *v = &pa->vmas[i];
		if (!v->file_backed)
			continue;
		fp += v->present_pages;
		for (unsigned o = 0; o < a->nord; o++)
			fh[o] += v->present_hist[o];
	}
	assert_true(fp > 0);
	assert_int_equal(pa->file.present_pages, fp);
	assert_non_null(pa->file.present_hist);
	assert_memory_equal(pa->file.present_hist, fh,
			    a->nord * sizeof(uint64_t));
	/* the present view alone (PAGEMAP_SCAN, no PFNs: what a user who
	 * is not root gets) agrees with and without details too: its special
	 * mappings ([vvar]) are told apart without their paths */
	struct mt_scan_opts np = all, npfew = few;
	np.no_pfns = npfew.no_pfns = true;
	struct mt_snapshot *na = mt_scan(c, &np);
	struct mt_snapshot *nb = mt_scan(c, &npfew);
	const struct mt_proc *pna = find(na, child), *pnb = find(nb, child);
	assert_non_null(pna);
	assert_non_null(pnb);
	assert_int_equal(pnb->nvmas, 0);
	assert_int_equal(pna->present_pages, pnb->present_pages);
	assert_int_equal(pna->present_pages, pa->present_pages);
	assert_memory_equal(pna->present_hist, pnb->present_hist,
			    na->nord * sizeof(uint64_t));
	mt_snapshot_unref(na);
	mt_snapshot_unref(nb);
	/* the selected process keeps its details whatever the limit */
	few.smaps_pid = child;
	struct mt_snapshot *s3 = mt_scan(c, &few);
	const struct mt_proc *p3 = find(s3, child);
	assert_int_equal(p3->nvmas, p3->vma_count);
	assert_true(p3->has_smaps);
	mt_snapshot_unref(a);
	mt_snapshot_unref(b);
	mt_snapshot_unref(s3);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	mt_scan_ctx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detail_limit),
	};
	return cmocka_run_group_tests_name("scan", tests, NULL, NULL);
}
