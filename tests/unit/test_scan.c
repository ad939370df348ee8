/*
 * test_scan.c - scans of a stopped child process: sums kept without VMA
 * details agree with the details, and the file-backed sums are the sums
 * of the file-backed VMAs; priority scanning reads the expensive
 * figures of what is shown and carries the others' with their time; the
 * sweep's CPU credit.
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
#include "memtop/scanner.h"
#include "memtop/util.h"

static const struct mt_proc *find(const struct mt_snapshot *s, pid_t pid)
{
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	return NULL;
}

/* A child that runs fill(), then stops so that its memory stays still;
 * gone with the test (PR_SET_PDEATHSIG). */
static pid_t fork_stopped(void (*fill)(size_t), size_t len)
{
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fill(len);
		raise(SIGSTOP);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(child, &st, WUNTRACED), child);
	assert_true(WIFSTOPPED(st));
	return child;
}

/* len bytes written */
static void fill_plain(size_t len)
{
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		_exit(1);
	memset(m, 1, len);
}

static pid_t stopped_child(size_t len)
{
	return fork_stopped(fill_plain, len);
}

static void test_detail_limit(void **state)
{
	char err[256];
	struct mt_scan_ctx *c = mt_scan_ctx_new(NULL, NULL, err, sizeof(err));
	assert_non_null(c);
	/* a child with 4 MiB written and file mappings (the binary, libc),
	 * stopped so that its memory stays still */
	size_t len = 4u << 20;
	pid_t child = stopped_child(len);
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
	waitpid(child, NULL, 0);
	mt_scan_ctx_free(c);
}

/* b's expensive figures are a's (carried): same time, same values. */
static void assert_carried(const struct mt_snapshot *sa,
			   const struct mt_proc *a, const struct mt_proc *b)
{
	size_t hb = sa->nord * sizeof(uint64_t);
	assert_int_equal(b->exp_ns, a->exp_ns);
	assert_non_null(b->mappable_hist);
	assert_memory_equal(b->mappable_hist, a->mappable_hist, hb);
	if (sa->have_kpageflags) {
		assert_non_null(b->folios);
		assert_memory_equal(b->folios, a->folios, sizeof(*a->folios));
		assert_memory_equal(b->folio_cont_hist, a->folio_cont_hist, hb);
	}
	assert_int_equal(b->nvmas, a->nvmas);
	for (size_t i = 0; i < b->nvmas; i++) {
		assert_int_equal(b->vmas[i].exp_ns, a->vmas[i].exp_ns);
		if (a->vmas[i].mappable_hist)
			assert_memory_equal(b->vmas[i].mappable_hist,
					    a->vmas[i].mappable_hist, hb);
		else
			assert_null(b->vmas[i].mappable_hist);
	}
}

static void test_priority(void **state)
{
	(void)state;
	char err[256];
	struct mt_scan_ctx *c = mt_scan_ctx_new(NULL, NULL, err, sizeof(err));
	assert_non_null(c);
	pid_t x = stopped_child(4u << 20), y = stopped_child(2u << 20);
	pid_t pids[2] = {MT_MIN(x, y), MT_MAX(x, y)};
	pid_t shown[1] = {x};
	struct mt_scan_opts o = {.pids = pids, .npids = 2, .priority = true,
				 .prio_pids = shown, .nprio = 1,
				 .must_budget_ns = UINT64_MAX,
				 .walk_budget_ns = UINT64_MAX};
	struct mt_snapshot *s1 = mt_scan(c, &o);
	struct mt_snapshot *s2 = mt_scan(c, &o);
	const struct mt_proc *x1 = find(s1, x), *y1 = find(s1, y);
	const struct mt_proc *x2 = find(s2, x), *y2 = find(s2, y);
	assert_non_null(x1); assert_non_null(y1);
	assert_non_null(x2); assert_non_null(y2);
	assert_true(s2->priority);
	assert_true(y1->start_time > 0);
	/* the cheap figures are this scan's either way */
	assert_int_equal(y2->present_pages, y1->present_pages);
	assert_true(x2->exp_ns >= s2->mono_ns);
	if (!s1->have_pfns) {
		/* nothing is expensive: every figure is this scan's */
		assert_true(y2->exp_ns >= s2->mono_ns);
		assert_int_equal(s2->exp_carried + s2->exp_swept, 0);
		mt_snapshot_unref(s1);
		mt_snapshot_unref(s2);
		mt_scan_ctx_free(c);
		kill(x, SIGKILL); kill(y, SIGKILL);
		waitpid(x, NULL, 0); waitpid(y, NULL, 0);
		skip(); /* the carrying needs PFNs (root) */
	}
	/* the first scan reads everything; then the shown one at every
	 * scan, and the other keeps its figures while the sweep has no
	 * budget */
	assert_int_equal(s1->exp_fresh, 2);
	assert_int_equal(s2->exp_prio, 1);
	assert_int_equal(s2->exp_carried, 1);
	assert_int_equal(s2->exp_swept, 0);
	assert_true(x2->exp_ns > x1->exp_ns);
	assert_carried(s1, y1, y2);
	assert_int_equal(s2->walk_carried, 0);
	assert_true(y2->walk_ns >= s2->mono_ns); /* walked: cheap figures */
	assert_int_equal(s2->exp_oldest_ns, y1->exp_ns);
	assert_true(y1->exp_cost_ns > 0);
	/* sums over the processes take the carried figures */
	for (unsigned k = 0; k < s2->nord; k++)
		assert_int_equal(s2->mappable_hist[k],
				 x2->mappable_hist[k] + y2->mappable_hist[k]);

	/* a budget: the sweep reads it */
	o.sweep_budget_ns = 1;
	struct mt_snapshot *s3 = mt_scan(c, &o);
	const struct mt_proc *y3 = find(s3, y);
	assert_non_null(y3);
	assert_int_equal(s3->exp_swept, 1);
	assert_true(y3->exp_ns >= s3->mono_ns);
	assert_true(s3->sweep_cpu_ns > 0);
	assert_memory_equal(y3->mappable_hist, y1->mappable_hist,
			    s3->nord * sizeof(uint64_t));

	/* what is shown but does not fit its share waits for the sweep */
	o.sweep_budget_ns = 0;
	o.must_budget_ns = 0;
	struct mt_snapshot *s4 = mt_scan(c, &o);
	const struct mt_proc *x4 = find(s4, x);
	assert_non_null(x4);
	assert_int_equal(s4->exp_prio, 0);
	assert_int_equal(s4->exp_carried, 2);
	assert_int_equal(x4->exp_ns, find(s3, x)->exp_ns);

	/* walking the rest over its budget: kept whole, cheap figures
	 * and VMAs too, with the time they were read */
	o.walk_budget_ns = 0;
	struct mt_snapshot *s6 = mt_scan(c, &o);
	const struct mt_proc *y6 = find(s6, y), *y4 = find(s4, y);
	assert_non_null(y6);
	assert_int_equal(s6->walk_carried, 2);
	assert_int_equal(y6->walk_ns, y4->walk_ns);
	assert_true(y6->walk_ns < s6->mono_ns);
	assert_int_equal(y6->present_pages, y4->present_pages);
	assert_memory_equal(y6->present_hist, y4->present_hist,
			    s6->nord * sizeof(uint64_t));
	assert_int_equal(y6->nvmas, y4->nvmas);
	for (size_t i = 0; i < y6->nvmas; i++) {
		assert_int_equal(y6->vmas[i].start, y4->vmas[i].start);
		assert_string_equal(y6->vmas[i].path, y4->vmas[i].path);
		assert_memory_equal(y6->vmas[i].present_hist,
				    y4->vmas[i].present_hist,
				    s6->nord * sizeof(uint64_t));
	}
	assert_carried(s4, y4, y6);
	/* and the shown one, now with room, walked again */
	o.must_budget_ns = UINT64_MAX;
	struct mt_snapshot *s7 = mt_scan(c, &o);
	assert_int_equal(s7->exp_prio, 1);
	assert_int_equal(s7->walk_carried, 1);
	assert_true(find(s7, x)->walk_ns >= s7->mono_ns);
	mt_snapshot_unref(s6);
	mt_snapshot_unref(s7);

	/* batch scans: every figure from the scan */
	struct mt_scan_opts b = {.pids = pids, .npids = 2};
	struct mt_snapshot *s5 = mt_scan(c, &b);
	assert_false(s5->priority);
	assert_true(find(s5, y)->exp_ns >= s5->mono_ns);
	assert_int_equal(s5->exp_carried + s5->exp_prio + s5->exp_swept, 0);

	mt_snapshot_unref(s1);
	mt_snapshot_unref(s2);
	mt_snapshot_unref(s3);
	mt_snapshot_unref(s4);
	mt_snapshot_unref(s5);
	mt_scan_ctx_free(c);
	kill(x, SIGKILL);
	kill(y, SIGKILL);
	waitpid(x, NULL, 0);
	waitpid(y, NULL, 0);
}

/* A child with 32 MiB of mixed shapes: huge pages where the kernel gives
 * them, 4 KiB pages, and holes; stopped. */
static void fill_shapes(size_t unused)
{
	(void)unused;
	size_t mb2 = 2u << 20, len = 16 * mb2;
	char *m = mmap(NULL, len + mb2, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		_exit(1);
	m = (char *)(((uintptr_t)m + mb2 - 1) & ~(uintptr_t)(mb2 - 1));
	madvise(m, len / 2, MADV_HUGEPAGE);
	madvise(m + len / 2, len / 2, MADV_NOHUGEPAGE);
	memset(m, 1, len);
	for (size_t o = 0; o < len; o += mb2 + 4096 * 7)
		madvise(m + (o & ~(size_t)4095), 4096, MADV_DONTNEED);
}

static pid_t shapes_child(void)
{
	return fork_stopped(fill_shapes, 0);
}

static void assert_same_walk(const struct mt_snapshot *sa,
			     const struct mt_proc *a, const struct mt_proc *b)
{
	size_t hb = sa->nord * sizeof(uint64_t);
	assert_int_equal(b->present_pages, a->present_pages);
	assert_int_equal(b->swapped_pages, a->swapped_pages);
	assert_int_equal(b->pmd_slots, a->pmd_slots);
	assert_int_equal(b->pmd_full, a->pmd_full);
	assert_int_equal(b->pmd_touched, a->pmd_touched);
	assert_int_equal(b->pmd_mapped, a->pmd_mapped);
	assert_memory_equal(b->present_hist, a->present_hist, hb);
	assert_memory_equal(b->mappable_hist, a->mappable_hist, hb);
	if (sa->have_kpageflags) {
		assert_memory_equal(b->folio_cont_hist, a->folio_cont_hist, hb);
		assert_memory_equal(b->folios, a->folios, sizeof(*a->folios));
	}
	assert_int_equal(b->file.present_pages, a->file.present_pages);
	assert_int_equal(b->nvmas, a->nvmas);
	for (size_t i = 0; i < a->nvmas; i++) {
		const struct mt_vma *x = &a->vmas[i], *y = &b->vmas[i];
		assert_int_equal(y->start, x->start);
		assert_int_equal(y->present_pages, x->present_pages);
		assert_int_equal(y->pmd_slots, x->pmd_slots);
		assert_int_equal(y->pmd_full, x->pmd_full);
		assert_int_equal(y->pmd_populated, x->pmd_populated);
		assert_int_equal(y->pmd_holed, x->pmd_holed);
		assert_int_equal(y->holes_missing, x->holes_missing);
		assert_int_equal(y->pmd_mapped, x->pmd_mapped);
		assert_memory_equal(y->present_hist, x->present_hist, hb);
		if (x->mappable_hist)
			assert_memory_equal(y->mappable_hist, x->mappable_hist,
					    hb);
		if (x->folios && y->folios)
			assert_memory_equal(y->folios, x->folios,
					    sizeof(*x->folios));
	}
}

/* One process walked a range at a time adds up to the whole walk. */
static void test_slices(void **state)
{
	(void)state;
	char err[256];
	struct mt_scan_ctx *c = mt_scan_ctx_new(NULL, NULL, err, sizeof(err));
	assert_non_null(c);
	pid_t x = shapes_child();
	pid_t pids[1] = {x};
	struct mt_scan_opts whole = {.pids = pids, .npids = 1};
	struct mt_snapshot *w = mt_scan(c, &whole);
	const struct mt_proc *pw = find(w, x);
	assert_non_null(pw);
	if (!w->have_pfns) {
		mt_snapshot_unref(w);
		mt_scan_ctx_free(c);
		kill(x, SIGKILL);
		waitpid(x, NULL, 0);
		skip(); /* slicing is for the PFN walk (root) */
	}
	/* nothing shown, a sweep with budget, any walk too big: ranges of
	 * 512 pages (the least) */
	struct mt_scan_opts o = {.pids = pids, .npids = 1, .priority = true,
				 .walk_budget_ns = UINT64_MAX,
				 .sweep_budget_ns = UINT64_MAX / 2,
				 .slice_ns = 1};
	/* the batch scan before is the one to carry from */
	struct mt_snapshot *prev = NULL, *s = NULL;
	int scans = 0;
	for (int attempt = 0;; attempt++) {
		prev = mt_scan(c, &o);
		uint64_t t_kept = find(prev, x)->exp_ns;
		scans = 0;
		for (;;) {
			s = mt_scan(c, &o);
			scans++;
			const struct mt_proc *p = find(s, x);
			assert_non_null(p);
			if (s->exp_swept)
				break;
			/* between ranges: the earlier figures, their time */
			assert_int_equal(p->exp_ns, t_kept);
			assert_int_equal(s->exp_carried, 1);
			mt_snapshot_unref(s);
			assert_true(scans < 500);
		}
		/* the child is stopped, but khugepaged may still collapse
		 * its memory meanwhile: a whole walk after the ranges must
		 * agree with the one before, or it is tried again */
		struct mt_snapshot *w2 = mt_scan(c, &whole);
		const struct mt_proc *p2 = find(w2, x);
		bool still = p2 && p2->present_pages == pw->present_pages &&
			     !memcmp(p2->mappable_hist, pw->mappable_hist,
				     w->nord * sizeof(uint64_t)) &&
			     (!w->have_kpageflags ||
			      !memcmp(p2->folios, pw->folios,
				      sizeof(*pw->folios)));
		if (still || attempt == 2) {
			mt_snapshot_unref(w2);
			break;
		}
		mt_snapshot_unref(w);
		w = w2;
		pw = p2;
		mt_snapshot_unref(s);
		mt_snapshot_unref(prev);
	}
	/* 32 MiB and the binary's VMAs: many ranges */
	assert_true(scans > 2); /* several ranges, however they fell */
	const struct mt_proc *ps = find(s, x);
	assert_same_walk(w, pw, ps);
	assert_true(ps->exp_ns > find(prev, x)->exp_ns);
	assert_true(ps->exp_ns < s->mono_ns); /* the first range's time */
	assert_int_equal(ps->pmd_collapsible, MT_UNKNOWN);
	mt_snapshot_unref(s);
	mt_snapshot_unref(prev);
	mt_snapshot_unref(w);
	mt_scan_ctx_free(c);
	kill(x, SIGKILL);
	waitpid(x, NULL, 0);
}

/* Where fill_vmas put its regions: the big one, then three small ones
 * (shared with the parent). */
static uint64_t *vma_addrs;

/* A big region of 4 KiB pages and three small ones, each a VMA of its
 * own (PROT_NONE pages between them). */
static void fill_vmas(size_t unused)
{
	(void)unused;
	size_t big = 64u << 20, small = 1u << 20, pg = 4096;
	char *b = mmap(NULL, big, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t span = 3 * (small + pg);
	char *r = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (b == MAP_FAILED || r == MAP_FAILED)
		_exit(1);
	madvise(b, big, MADV_NOHUGEPAGE);
	memset(b, 1, big);
	vma_addrs[0] = (uintptr_t)b;
	for (int i = 0; i < 3; i++) {
		char *m = r + (size_t)i * (small + pg);
		if (mprotect(m, small, PROT_READ | PROT_WRITE))
			_exit(1);
		madvise(m, small, MADV_NOHUGEPAGE);
		memset(m, 2, small);
		vma_addrs[1 + i] = (uintptr_t)m;
	}
}

static const struct mt_vma *vma_at(const struct mt_proc *p, uint64_t a)
{
	for (size_t i = 0; i < p->nvmas; i++)
		if (p->vmas[i].start == a)
			return &p->vmas[i];
	return NULL;
}

/* The selected process too dear to walk whole in its share: the VMAs
 * the VMA pane shows get their expensive figures at every scan, the
 * selected one first, each with its own time; a VMA too big for the
 * share, and the process's sums, keep theirs. */
static void test_focus_vmas(void **state)
{
	(void)state;
	char err[256];
	struct mt_scan_ctx *c = mt_scan_ctx_new(NULL, NULL, err, sizeof(err));
	assert_non_null(c);
	vma_addrs = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(vma_addrs != MAP_FAILED);
	pid_t x = fork_stopped(fill_vmas, 0);
	pid_t pids[1] = {x};
	struct mt_scan_opts o = {.pids = pids, .npids = 1, .priority = true,
				 .focus_pid = x,
				 .must_budget_ns = UINT64_MAX,
				 .walk_budget_ns = UINT64_MAX};
	struct mt_snapshot *s1 = mt_scan(c, &o);
	const struct mt_proc *p1 = find(s1, x);
	assert_non_null(p1);
	if (!s1->have_pfns) {
		mt_snapshot_unref(s1);
		mt_scan_ctx_free(c);
		kill(x, SIGKILL);
		waitpid(x, NULL, 0);
		munmap(vma_addrs, 4096);
		skip(); /* nothing is carried without PFNs (root) */
	}
	const struct mt_vma *big1 = vma_at(p1, vma_addrs[0]);
	const struct mt_vma *sm1[3];
	assert_non_null(big1);
	for (int i = 0; i < 3; i++) {
		sm1[i] = vma_at(p1, vma_addrs[1 + i]);
		assert_non_null(sm1[i]);
		assert_int_equal(sm1[i]->present_pages, 256);
	}
	assert_true(p1->exp_cost_ns > 0);
	/* the VMA pane: the second small VMA selected, then its rows */
	struct mt_addr_range fv[4] = {
		{sm1[1]->start, sm1[1]->end}, {big1->start, big1->end},
		{sm1[0]->start, sm1[0]->end}, {sm1[2]->start, sm1[2]->end}};
	o.focus_vmas = fv;
	o.nfocus_vmas = 4;
	o.must_budget_ns = p1->exp_cost_ns / 4;
	struct mt_snapshot *s2 = mt_scan(c, &o);
	const struct mt_proc *p2 = find(s2, x);
	assert_non_null(p2);
	size_t hb = s2->nord * sizeof(uint64_t);
	/* the process's sums and its big VMA keep the first scan's: even
	 * its cheap walk is over the share, so all its figures but those
	 * of the VMAs on screen are kept whole */
	assert_int_equal(s2->exp_prio, 0);
	assert_int_equal(s2->exp_carried, 1);
	assert_int_equal(s2->walk_carried, 1);
	assert_int_equal(p2->exp_ns, p1->exp_ns);
	assert_int_equal(p2->walk_ns, p1->walk_ns);
	assert_memory_equal(p2->mappable_hist, p1->mappable_hist, hb);
	const struct mt_vma *big2 = vma_at(p2, big1->start);
	assert_non_null(big2);
	assert_int_equal(big2->exp_ns, big1->exp_ns);
	assert_true(big2->exp_ns < s2->mono_ns);
	/* the small ones on screen are this scan's, and are what a whole
	 * walk read (the memory has not changed) */
	assert_int_equal(s2->exp_vmas, 3);
	const struct mt_vma *sm2[3];
	for (int i = 0; i < 3; i++) {
		sm2[i] = vma_at(p2, sm1[i]->start);
		assert_non_null(sm2[i]);
		assert_true(sm2[i]->exp_ns >= s2->mono_ns);
		assert_int_equal(sm2[i]->present_pages, 256);
		assert_memory_equal(sm2[i]->present_hist,
				    sm1[i]->present_hist, hb);
		assert_non_null(sm2[i]->mappable_hist);
		assert_memory_equal(sm2[i]->mappable_hist,
				    sm1[i]->mappable_hist, hb);
		if (s2->have_kpageflags) {
			assert_non_null(sm2[i]->folios);
			assert_memory_equal(sm2[i]->folios, sm1[i]->folios,
					    sizeof(*sm1[i]->folios));
			assert_memory_equal(sm2[i]->folio_cont_hist,
					    sm1[i]->folio_cont_hist, hb);
		}
	}
	/* the VMAs not on screen keep theirs */
	for (size_t i = 0; i < p2->nvmas; i++) {
		const struct mt_vma *v = &p2->vmas[i];
		bool shown = v == sm2[0] || v == sm2[1] || v == sm2[2];
		if (!shown)
			assert_true(v->exp_ns < s2->mono_ns);
	}

	/* room for one small VMA: the selected one, though the others'
	 * figures are as old */
	/* (the plan prices them at what reading them alone cost a page) */
	assert_true(s2->exp_vmas_ns > 0);
	double per_page = (double)s2->exp_vmas_ns / (3 * 256);
	o.must_budget_ns = (uint64_t)(256 * per_page * 1.5);
	struct mt_snapshot *s3 = mt_scan(c, &o);
	const struct mt_proc *p3 = find(s3, x);
	assert_non_null(p3);
	assert_int_equal(s3->exp_vmas, 1);
	assert_true(vma_at(p3, sm1[1]->start)->exp_ns >= s3->mono_ns);
	assert_int_equal(vma_at(p3, sm1[0]->start)->exp_ns, sm2[0]->exp_ns);
	assert_int_equal(vma_at(p3, sm1[2]->start)->exp_ns, sm2[2]->exp_ns);
	/* then the oldest of the others: the selected one was read last */
	o.focus_vmas = fv + 1; /* nothing selected */
	o.nfocus_vmas = 3;
	per_page = (double)s3->exp_vmas_ns / 256;
	o.must_budget_ns = (uint64_t)(256 * per_page * 1.5);
	struct mt_snapshot *s4 = mt_scan(c, &o);
	const struct mt_proc *p4 = find(s4, x);
	assert_int_equal(s4->exp_vmas, 1);
	assert_true(vma_at(p4, sm1[0]->start)->exp_ns >= s4->mono_ns);
	assert_int_equal(vma_at(p4, sm1[1]->start)->exp_ns,
			 vma_at(p3, sm1[1]->start)->exp_ns);

	/* no share: nothing read alone, every VMA keeps its time */
	o.must_budget_ns = 0;
	struct mt_snapshot *s5 = mt_scan(c, &o);
	const struct mt_proc *p5 = find(s5, x);
	assert_int_equal(s5->exp_vmas, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(vma_at(p5, sm1[i]->start)->exp_ns,
				 vma_at(p4, sm1[i]->start)->exp_ns);
	/* a process whose cheap walk fits but whole walk does not: walked
	 * (cheap figures), the VMAs on screen read alone on top. Its cheap
	 * walk's cost is known once it has been walked without PFNs (off
	 * screen, no budgets) */
	struct mt_scan_opts off = o;
	off.focus_pid = 0;
	off.nfocus_vmas = 0;
	off.must_budget_ns = off.sweep_budget_ns = 0;
	mt_snapshot_unref(mt_scan(c, &off));
	struct mt_snapshot *s7 = mt_scan(c, &off);
	const struct mt_proc *p7 = find(s7, x);
	assert_int_equal(s7->walk_carried, 0);
	assert_true(p7->walk_ns >= s7->mono_ns);
	/* room for the three small VMAs, not for the big one */
	uint64_t room = (uint64_t)(3 * (double)s4->exp_vmas_ns * 1.5);
	if (p7->walk_cost_ns < room && room < p7->exp_cost_ns) {
		o.must_budget_ns = room;
		o.focus_vmas = fv;
		o.nfocus_vmas = 4;
		struct mt_snapshot *s8 = mt_scan(c, &o);
		const struct mt_proc *p8 = find(s8, x);
		assert_int_equal(s8->walk_carried, 0);
		assert_true(p8->walk_ns >= s8->mono_ns);
		assert_int_equal(p8->exp_ns, p7->exp_ns);
		assert_int_equal(s8->exp_vmas, 3);
		for (int i = 0; i < 3; i++) {
			const struct mt_vma *v = vma_at(p8, sm1[i]->start);
			assert_true(v->exp_ns >= s8->mono_ns);
			assert_memory_equal(v->mappable_hist,
					    sm1[i]->mappable_hist, hb);
		}
		assert_true(vma_at(p8, big1->start)->exp_ns < s8->mono_ns);
		mt_snapshot_unref(s8);
	} else {
		print_message("cheap walk %llu ns, whole walk %llu ns, three "
			      "small VMAs %llu ns: the walked-focus case is "
			      "not made here\n",
			      (unsigned long long)p7->walk_cost_ns,
			      (unsigned long long)p7->exp_cost_ns,
			      (unsigned long long)room);
	}
	mt_snapshot_unref(s7);

	/* and with room for the whole walk, the process is read whole */
	o.must_budget_ns = UINT64_MAX;
	struct mt_snapshot *s6 = mt_scan(c, &o);
	assert_int_equal(s6->exp_prio, 1);
	assert_int_equal(s6->exp_vmas, 0);
	assert_true(find(s6, x)->exp_ns >= s6->mono_ns);

	mt_snapshot_unref(s1);
	mt_snapshot_unref(s2);
	mt_snapshot_unref(s3);
	mt_snapshot_unref(s4);
	mt_snapshot_unref(s5);
	mt_snapshot_unref(s6);
	mt_scan_ctx_free(c);
	kill(x, SIGKILL);
	waitpid(x, NULL, 0);
	munmap(vma_addrs, 4096);
}

/* A first scan does not wait for a walk bigger than its budget for new
 * processes: that process is not read yet (never shown as zero), and the
 * sweep reads it later, a range at a time. */
static void test_fresh_budget(void **state)
{
	(void)state;
	char err[256];
	struct mt_scan_ctx *c = mt_scan_ctx_new(NULL, NULL, err, sizeof(err));
	assert_non_null(c);
	pid_t x = shapes_child();
	pid_t pids[1] = {x};
	struct mt_scan_opts o = {.pids = pids, .npids = 1, .priority = true,
				 .walk_budget_ns = UINT64_MAX,
				 .sweep_budget_ns = UINT64_MAX / 2,
				 .slice_ns = 1, .fresh_ns = 1};
	struct mt_snapshot *s1 = mt_scan(c, &o);
	const struct mt_proc *p1 = find(s1, x);
	assert_non_null(p1);
	if (!s1->have_pfns) {
		assert_true(p1->exp_ns > 0); /* nothing expensive to wait for */
		mt_snapshot_unref(s1);
		mt_scan_ctx_free(c);
		kill(x, SIGKILL);
		waitpid(x, NULL, 0);
		skip();
	}
	assert_int_equal(s1->exp_unread, 1);
	assert_int_equal(p1->exp_ns, 0);
	assert_null(p1->mappable_hist);
	assert_null(p1->folios);
	assert_true(p1->present_pages > 0); /* the cheap figures are there */
	/* the sweep takes it, a range at a time */
	int scans = 0;
	struct mt_snapshot *s = NULL;
	for (;;) {
		s = mt_scan(c, &o);
		scans++;
		if (s->exp_swept)
			break;
		assert_int_equal(find(s, x)->exp_ns, 0);
		mt_snapshot_unref(s);
		assert_true(scans < 500);
	}
	assert_true(scans > 2);
	assert_non_null(find(s, x)->mappable_hist);
	assert_true(find(s, x)->exp_ns > 0);
	mt_snapshot_unref(s);
	mt_snapshot_unref(s1);
	mt_scan_ctx_free(c);
	kill(x, SIGKILL);
	waitpid(x, NULL, 0);
}

/* The sweep's credit earns the limit's share of the time, pays the
 * scans' CPU, and keeps at most two intervals' worth. */
static void test_credit(void **state)
{
	(void)state;
	/* 10%, 2 s: 10 s of time earn 1 s of CPU, a scan of 0.3 s pays */
	int64_t c = mt_scanner_credit(0, 0.1, 10000000000u, 300000000u, 2000);
	assert_int_equal(c, 400000000); /* capped at 2 x 0.2 s */
	c = mt_scanner_credit(0, 0.1, 2000000000u, 50000000u, 2000);
	assert_int_equal(c, 150000000);
	/* overdrawn by one big walk, paid back over the next scans */
	c = mt_scanner_credit(c, 0.1, 2000000000u, 600000000u, 2000);
	assert_int_equal(c, -250000000);
	int n = 0;
	while (c <= 0 && n < 100) {
		c = mt_scanner_credit(c, 0.1, 2000000000u, 50000000u, 2000);
		n++;
	}
	assert_int_equal(n, 2); /* 150 ms a scan */
	/* no limit: no end to the credit */
	assert_true(mt_scanner_credit(0, 1.0, 0, 1000000000u, 2000) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detail_limit),
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_credit),
		cmocka_unit_test(test_slices),
		cmocka_unit_test(test_fresh_budget),
		cmocka_unit_test(test_focus_vmas),
	};
	return cmocka_run_group_tests_name("scan", tests, NULL, NULL);
}
