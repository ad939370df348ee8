/*
 * test_record.c - the recording format (record.h): snapshots of real
 * scans encoded as key and delta frames decode to the same snapshot, field
 * by field, also the fields batch output does not print (the times and
 * costs of priority scanning, command lines, cgroups); an unchanged
 * process is written as a reference; every cut of a frame and a reference
 * where none may be are refused; a recording written to a file reads
 * back frame by frame, and its moments are found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "memtop/record.h"
#include "memtop/scan.h"
#include "memtop/sysinfo.h"
#include "memtop/util.h"
#include "../../src/rec_int.h"

/* ---- processes to scan -------------------------------------------------- */

/* A child that maps and writes len bytes (half of them with
 * MADV_HUGEPAGE), then stops, so that its memory stays still; gone with
 * the test (PR_SET_PDEATHSIG). */
static pid_t stopped_child(size_t len)
{
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			_exit(1);
		madvise(m, len / 2, MADV_HUGEPAGE);
		memset(m, 1, len);
		raise(SIGSTOP);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(child, &st, WUNTRACED), child);
	assert_true(WIFSTOPPED(st));
	return child;
}

static void reap(pid_t p)
{
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
}

/* ---- comparing snapshots field by field -------------------------------- */

static void same_str(const char *a, const char *b, const char *what)
{
	if (!a || !b) {
		if (a != b)
			fail_msg("%s: %s against %s", what, a ? a : "NULL",
				 b ? b : "NULL");
		return;
	}
	if (strcmp(a, b))
		fail_msg("%s: \"%s\" against \"%s\"", what, a, b);
}

static void same_arr(const uint64_t *a, const uint64_t *b, size_t n,
		     const char *what)
{
	if (!a || !b) {
		if (a != b)
			fail_msg("%s: %s against %s", what, a ? "set" : "NULL",
				 b ? "set" : "NULL");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			fail_msg("%s[%zu]: %llu against %llu", what, i,
				 (unsigned long long)a[i],
				 (unsigned long long)b[i]);
}

static void same_folios(const struct mt_folio_stats *a,
			const struct mt_folio_stats *b)
{
	assert_int_equal(a == NULL, b == NULL);
	if (a)
		assert_memory_equal(a, b, sizeof(*a));
}

static void same_double(double a, double b)
{
	assert_memory_equal(&a, &b, sizeof(a));
}

static void same_counters(const struct mt_counter *a, size_t na,
			  const struct mt_counter *b, size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		same_str(a[i].key, b[i].key, "counter");
		assert_int_equal(a[i].value, b[i].value);
		same_double(a[i].rate, b[i].rate);
		assert_int_equal(a[i].has_rate, b[i].has_rate);
		assert_int_equal(a[i].reset, b[i].reset);
	}
}

static void same_sys(const struct mt_sysinfo *a, const struct mt_sysinfo *b)
{
	assert_int_equal(a == NULL, b == NULL);
	if (!a)
		return;
	assert_int_equal(a->mono_ns, b->mono_ns);
	same_double(a->interval_s, b->interval_s);
	same_str(a->thp_enabled, b->thp_enabled, "sys thp_enabled");
	same_str(a->thp_defrag, b->thp_defrag, "sys thp_defrag");
	same_str(a->thp_shmem_enabled, b->thp_shmem_enabled,
		 "sys thp_shmem_enabled");
	same_counters(a->khugepaged, a->nkhugepaged, b->khugepaged,
		      b->nkhugepaged);
	assert_int_equal(a->nsizes, b->nsizes);
	for (size_t i = 0; i < a->nsizes; i++) {
		const struct mt_mthp_size *x = &a->sizes[i], *y = &b->sizes[i];
		assert_int_equal(x->kb, y->kb);
		same_str(x->enabled, y->enabled, "size enabled");
		assert_int_equal(x->shmem_only, y->shmem_only);
		same_str(x->shmem_enabled, y->shmem_enabled,
			 "size shmem_enabled");
		same_counters(x->stats, x->nstats, y->stats, y->nstats);
	}
	same_counters(a->vmstat, a->nvmstat, b->vmstat, b->nvmstat);
	same_counters(a->meminfo, a->nmeminfo, b->meminfo, b->nmeminfo);
	assert_int_equal(a->nzones, b->nzones);
	for (size_t i = 0; i < a->nzones; i++) {
		const struct mt_buddy_zone *x = &a->zones[i], *y = &b->zones[i];
		assert_int_equal(x->node, y->node);
		same_str(x->zone, y->zone, "zone");
		assert_int_equal(x->norders, y->norders);
		for (unsigned o = 0; o < x->norders; o++)
			assert_int_equal(x->free[o], y->free[o]);
	}
}

static void same_sums(const struct mt_snapshot *s, const struct mt_sums *a,
		      const struct mt_sums *b)
{
	assert_int_equal(a->present_pages, b->present_pages);
	assert_int_equal(a->swapped_pages, b->swapped_pages);
	assert_int_equal(a->zero_pages, b->zero_pages);
	assert_int_equal(a->pmd_full, b->pmd_full);
	assert_int_equal(a->pmd_mapped, b->pmd_mapped);
	assert_int_equal(a->pmd_collapsible, b->pmd_collapsible);
	same_arr(a->present_hist, b->present_hist, s->nord, "file present");
	same_arr(a->mappable_hist, b->mappable_hist, s->nord, "file mappable");
	same_arr(a->folio_cont_hist, b->folio_cont_hist, s->nord,
		 "file folio_cont");
	same_folios(a->folios, b->folios);
}

static void same_vma(const struct mt_snapshot *s, const struct mt_vma *a,
		     const struct mt_vma *b)
{
	assert_int_equal(a->start, b->start);
	assert_int_equal(a->end, b->end);
	assert_int_equal(a->offset, b->offset);
	assert_int_equal(a->inode, b->inode);
	assert_int_equal(a->dev_major, b->dev_major);
	assert_int_equal(a->dev_minor, b->dev_minor);
	assert_string_equal(a->perms, b->perms);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->file_backed, b->file_backed);
	assert_int_equal(a->maybe_pfnmap, b->maybe_pfnmap);
	assert_int_equal(a->path_len, b->path_len);
	assert_memory_equal(a->path, b->path, a->path_len);
	assert_int_equal(b->path[b->path_len], '\0');
	assert_int_equal(a->present_pages, b->present_pages);
	assert_int_equal(a->swapped_pages, b->swapped_pages);
	assert_int_equal(a->zero_pages, b->zero_pages);
	same_arr(a->present_hist, b->present_hist, s->nord, "vma present");
	same_arr(a->mappable_hist, b->mappable_hist, s->nord, "vma mappable");
	same_arr(a->folio_cont_hist, b->folio_cont_hist, s->nord,
		 "vma folio_cont");
	same_folios(a->folios, b->folios);
	assert_int_equal(a->exp_ns, b->exp_ns);
	assert_int_equal(a->pmd_slots, b->pmd_slots);
	assert_int_equal(a->pmd_full, b->pmd_full);
	assert_int_equal(a->pmd_touched, b->pmd_touched);
	assert_int_equal(a->pmd_mapped, b->pmd_mapped);
	assert_int_equal(a->pmd_collapsible, b->pmd_collapsible);
	assert_int_equal(a->pmd_populated, b->pmd_populated);
	assert_int_equal(a->pmd_khugepaged, b->pmd_khugepaged);
	assert_int_equal(a->pmd_holed, b->pmd_holed);
	assert_int_equal(a->holes_missing, b->holes_missing);
	assert_int_equal(a->pmd_over_none, b->pmd_over_none);
	assert_int_equal(a->khp_fit, b->khp_fit);
	assert_int_equal(a->khp_unsure, b->khp_unsure);
	assert_int_equal(a->full_over, b->full_over);
	assert_int_equal(a->full_unknown, b->full_unknown);
	assert_int_equal(a->khp_mode_off, b->khp_mode_off);
	assert_int_equal(a->coll_why, b->coll_why);
	assert_int_equal(a->shm_mode, b->shm_mode);
	assert_int_equal(a->shm_src, b->shm_src);
	same_arr(a->blk_populated, b->blk_populated,
		 MT_MIN(s->pmd_order, (unsigned)MT_BLK_ORDERS), "blk_populated");
	assert_int_equal(a->sysv, b->sysv);
	assert_int_equal(a->posix_shm, b->posix_shm);
	assert_int_equal(a->has_smaps, b->has_smaps);
	assert_int_equal(a->smaps_rss_kb, b->smaps_rss_kb);
	assert_int_equal(a->smaps_anon_huge_kb, b->smaps_anon_huge_kb);
	assert_int_equal(a->thp_eligible, b->thp_eligible);
	assert_int_equal(a->vmflags, b->vmflags);
	assert_int_equal(a->vmflags_known, b->vmflags_known);
}

static void same_proc(const struct mt_snapshot *s, const struct mt_proc *a,
		      const struct mt_proc *b)
{
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->ppid, b->ppid);
	assert_int_equal(a->uid, b->uid);
	same_str(a->comm, b->comm, "comm");
	assert_int_equal(a->cmdline == NULL, b->cmdline == NULL);
	assert_int_equal(a->cmdline_len, b->cmdline_len);
	if (a->cmdline)
		assert_memory_equal(a->cmdline, b->cmdline, a->cmdline_len);
	same_str(a->user, b->user, "user");
	same_str(a->cgroup, b->cgroup, "cgroup");
	assert_int_equal(a->memcg_room, b->memcg_room);
	assert_int_equal(a->kthread, b->kthread);
	assert_int_equal(a->status_rss_kb, b->status_rss_kb);
	assert_int_equal(a->present_pages, b->present_pages);
	assert_int_equal(a->swapped_pages, b->swapped_pages);
	assert_int_equal(a->zero_pages, b->zero_pages);
	assert_int_equal(a->pmd_slots, b->pmd_slots);
	assert_int_equal(a->pmd_full, b->pmd_full);
	assert_int_equal(a->pmd_touched, b->pmd_touched);
	assert_int_equal(a->pmd_mapped, b->pmd_mapped);
	assert_int_equal(a->pmd_collapsible, b->pmd_collapsible);
	assert_int_equal(a->pmd_khugepaged, b->pmd_khugepaged);
	assert_int_equal(a->thp_enabled, b->thp_enabled);
	same_arr(a->present_hist, b->present_hist, s->nord, "present");
	same_arr(a->mappable_hist, b->mappable_hist, s->nord, "mappable");
	same_arr(a->folio_cont_hist, b->folio_cont_hist, s->nord,
		 "folio_cont");
	same_folios(a->folios, b->folios);
	same_arr(a->thp_node_pages, b->thp_node_pages, s->nnodes,
		 "thp_node_pages");
	same_sums(s, &a->file, &b->file);
	assert_int_equal(a->start_time, b->start_time);
	assert_int_equal(a->exp_ns, b->exp_ns);
	assert_int_equal(a->exp_cost_ns, b->exp_cost_ns);
	assert_int_equal(a->walk_ns, b->walk_ns);
	assert_int_equal(a->walk_cost_ns, b->walk_cost_ns);
	assert_int_equal(a->vma_count, b->vma_count);
	assert_int_equal(a->nvmas, b->nvmas);
	assert_int_equal(a->vmas == NULL, b->vmas == NULL);
	for (size_t i = 0; i < a->nvmas; i++)
		same_vma(s, &a->vmas[i], &b->vmas[i]);
	assert_int_equal(a->has_smaps, b->has_smaps);
}

/* b (decoded) holds every figure of a (scanned) that a recording keeps. */
static void same_snapshot(const struct mt_snapshot *a,
			  const struct mt_snapshot *b)
{
	assert_int_equal(a->time_ns, b->time_ns);
	assert_int_equal(a->mono_ns, b->mono_ns);
	assert_int_equal(a->duration_ns, b->duration_ns);
	assert_int_equal(a->cpu_ns, b->cpu_ns);
	assert_int_equal(a->sys_cpu_ns, b->sys_cpu_ns);
	assert_int_equal(a->next_ms, b->next_ms);
	assert_int_equal(a->page_size, b->page_size);
	assert_int_equal(a->page_shift, b->page_shift);
	assert_int_equal(a->pmd_order, b->pmd_order);
	assert_int_equal(a->max_order, b->max_order);
	assert_int_equal(a->nord, b->nord);
	assert_int_equal(a->have_pfns, b->have_pfns);
	assert_int_equal(a->have_kpageflags, b->have_kpageflags);
	assert_int_equal(a->used_pagemap_scan, b->used_pagemap_scan);
	assert_int_equal(a->have_pmd_mapped, b->have_pmd_mapped);
	same_str(a->pfns_why, b->pfns_why, "pfns_why");
	same_str(a->kpageflags_why, b->kpageflags_why, "kpageflags_why");
	assert_int_equal(a->zero_page, b->zero_page);
	assert_int_equal(a->huge_zero_page, b->huge_zero_page);
	assert_int_equal(a->ro_thp_fs, b->ro_thp_fs);
	same_str(a->thp_enabled, b->thp_enabled, "thp_enabled");
	same_str(a->thp_defrag, b->thp_defrag, "thp_defrag");
	same_sys(a->sys, b->sys);
	assert_memory_equal(&a->stats, &b->stats, sizeof(a->stats));
	assert_int_equal(a->priority, b->priority);
	assert_int_equal(a->exp_prio, b->exp_prio);
	assert_int_equal(a->exp_fresh, b->exp_fresh);
	assert_int_equal(a->exp_swept, b->exp_swept);
	assert_int_equal(a->exp_carried, b->exp_carried);
	assert_int_equal(a->exp_unread, b->exp_unread);
	assert_int_equal(a->walk_carried, b->walk_carried);
	assert_int_equal(a->exp_vmas, b->exp_vmas);
	assert_int_equal(a->exp_vmas_ns, b->exp_vmas_ns);
	assert_int_equal(a->exp_oldest_ns, b->exp_oldest_ns);
	assert_int_equal(a->sweep_cpu_ns, b->sweep_cpu_ns);
	assert_int_equal(a->present_pages, b->present_pages);
	same_arr(a->present_hist, b->present_hist, a->nord, "sum present");
	same_arr(a->mappable_hist, b->mappable_hist, a->nord, "sum mappable");
	same_arr(a->folio_cont_hist, b->folio_cont_hist, a->nord,
		 "sum folio_cont");
	same_folios(a->folios, b->folios);
	assert_int_equal(a->nnodes, b->nnodes);
	same_arr(a->thp_node_pages, b->thp_node_pages, a->nnodes,
		 "sum thp_node_pages");
	assert_int_equal(a->nprocs, b->nprocs);
	for (size_t i = 0; i < a->nprocs; i++)
		same_proc(a, &a->procs[i], &b->procs[i]);
}

/* ---- the encoding --------------------------------------------------------- */

struct kids {
	pid_t pid[3];
	pid_t sorted[3];
};

static void kids_start(struct kids *k)
{
	k->pid[0] = stopped_child(4u << 20);
	k->pid[1] = stopped_child(6u << 20);
	k->pid[2] = stopped_child(1u << 20);
	memcpy(k->sorted, k->pid, sizeof(k->pid));
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			if (k->sorted[j] < k->sorted[i]) {
				pid_t t = k->sorted[i];
				k->sorted[i] = k->sorted[j];
				k->sorted[j] = t;
			}
}

static void kids_stop(struct kids *k)
{
	for (int i = 0; i < 3; i++)
		reap(k->pid[i]);
}

/* Encode scans as a recorder does (a key frame, then deltas), decode
 * each, and compare. */
static void round_trip(struct mt_snapshot **s, size_t n)
{
	struct mt_rec_prev eprev = {0}, dprev = {0};
	struct mt_buf b = {0};
	char err[128];
	for (size_t i = 0; i < n; i++) {
		mt_buf_reset(&b);
		mt_rec_encode(&b, s[i], &eprev, i == 0);
		struct mt_snapshot *d = mt_rec_decode(b.data, b.len, &dprev,
						      i == 0, err, sizeof(err));
		if (!d)
			fail_msg("frame %zu does not decode: %s", i, err);
		same_snapshot(s[i], d);
		mt_snapshot_unref(d);
	}
	mt_buf_free(&b);
	mt_rec_prev_free(&eprev);
	mt_rec_prev_free(&dprev);
}

/* Batch scans with every option that adds figures: command lines,
 * smaps for one process, collapsibility. */
static void test_round_trip_batch(void **state)
{
	(void)state;
	char err[256];
	struct mt_scan_ctx *c = mt_scan_ctx_new(NULL, NULL, err, sizeof(err));
	assert_non_null(c);
	struct kids k;
	kids_start(&k);
	struct mt_scan_opts o = {.pids = k.sorted, .npids = 3,
				 .cmdline = true, .collapsible = true,
				 .smaps_pid = k.pid[1]};
	struct mt_snapshot *s[3];
	for (int i = 0; i < 3; i++)
		s[i] = mt_scan(c, &o);
	assert_int_equal(s[0]->nprocs, 3);
	/* what the comparison covers is there to compare */
	bool cmd = false, cg = false, smaps = false;
	for (size_t i = 0; i < s[0]->nprocs; i++) {
		const struct mt_proc *p = &s[0]->procs[i];
		cmd |= p->cmdline && p->cmdline_len > 0;
		cg |= p->cgroup != NULL;
		smaps |= p->has_smaps;
		assert_true(p->nvmas > 0);
		assert_true(p->exp_ns > 0);
		assert_true(p->walk_ns > 0);
	}
	assert_true(cmd);
	assert_true(cg);
	assert_true(smaps);
	assert_non_null(s[0]->sys);
	assert_true(s[0]->sys->nvmstat > 0);
	round_trip(s, 3);

	/* and the present view alone, as a user who is not root sees it */
	o.no_pfns = true;
	struct mt_snapshot *u[2] = {mt_scan(c, &o), mt_scan(c, &o)};
	assert_null(u[0]->procs[0].mappable_hist);
	round_trip(u, 2);
	for (int i = 0; i < 3; i++)
		mt_snapshot_unref(s[i]);
	mt_snapshot_unref(u[0]);
	mt_snapshot_unref(u[1]);
	kids_stop(&k);
	mt_scan_ctx_free(c);
}

/* Priority scans: processes that keep an earlier scan's figures have
 * times before the scan's, and costs. */
static void test_round_trip_priority(void **state)
{
	(void)state;
	char err[256];
	struct mt_scan_ctx *c = mt_scan_ctx_new(NULL, NULL, err, sizeof(err));
	assert_non_null(c);
	struct kids k;
	kids_start(&k);
	pid_t shown[1] = {k.sorted[0]};
	struct mt_scan_opts o = {.pids = k.sorted, .npids = 3,
				 .priority = true, .cmdline = true,
				 .prio_pids = shown, .nprio = 1,
				 .focus_pid = k.sorted[0],
				 .must_budget_ns = UINT64_MAX,
				 .walk_budget_ns = UINT64_MAX};
	struct mt_snapshot *s[4];
	s[0] = mt_scan(c, &o);
	s[1] = mt_scan(c, &o);
	/* the others' walks over their budget: kept whole */
	o.walk_budget_ns = 0;
	s[2] = mt_scan(c, &o);
	o.sweep_budget_ns = 1;
	s[3] = mt_scan(c, &o);
	assert_true(s[1]->priority);
	round_trip(s, 4);
	bool have_pfns = s[0]->have_pfns;
	if (have_pfns) {
		/* the figures compared include older ones, and costs */
		assert_true(s[1]->exp_carried > 0);
		bool older = false, cost = false;
		for (size_t i = 0; i < s[2]->nprocs; i++) {
			const struct mt_proc *p = &s[2]->procs[i];
			older |= p->exp_ns && p->exp_ns < s[2]->mono_ns &&
				 p->walk_ns < s[2]->mono_ns;
			cost |= p->exp_cost_ns > 0 && p->walk_cost_ns > 0;
		}
		assert_true(older);
		assert_true(cost);
		assert_true(s[2]->walk_carried > 0);
	}
	for (int i = 0; i < 4; i++)
		mt_snapshot_unref(s[i]);
	kids_stop(&k);
	mt_scan_ctx_free(c);
	if (!have_pfns) {
		print_message("skipped: without PFNs (root) every figure "
			      "is the scan's own: none carried to compare\n");
		skip();
	}
}

/* The length of s encoded (into out). */
static size_t encoded_len(const struct mt_snapshot *s, struct mt_rec_prev *p,
			  bool key, struct mt_buf *out)
{
	mt_buf_reset(out);
	mt_rec_encode(out, s, p, key);
	return out->len;
}

static void test_references(void **state)
{
	(void)state;
	char err[256];
	struct mt_scan_ctx *c = mt_scan_ctx_new(NULL, NULL, err, sizeof(err));
	assert_non_null(c);
	struct kids k;
	kids_start(&k);
	struct mt_scan_opts o = {.pids = k.sorted, .npids = 3};
	struct mt_snapshot *a = mt_scan(c, &o), *b = mt_scan(c, &o);
	/* the same snapshots without their system sections (copies of the
	 * structs, sharing the arenas: never unreferenced) */
	struct mt_snapshot a0 = *a, b0 = *b;
	a0.sys = b0.sys = NULL;
	struct mt_rec_prev p = {0};
	struct mt_buf kf = {0}, df = {0}, kb = {0};
	size_t key = encoded_len(&a0, &p, true, &kf);
	size_t delta = encoded_len(&b0, &p, false, &df);
	mt_rec_prev_free(&p);
	size_t bkey = encoded_len(&b0, &p, true, &kb);
	mt_rec_prev_free(&p);
	print_message("processes: key frame %zu bytes, delta frame %zu\n",
		      bkey, delta);
	/* stopped processes: the same figures, written as references */
	assert_true(delta * 4 < bkey);
	assert_true(key > delta);

	/* decoded, the references give the figures back */
	struct mt_rec_prev d = {0};
	struct mt_snapshot *x = mt_rec_decode(kf.data, kf.len, &d, true, err,
					      sizeof(err));
	assert_non_null(x);
	struct mt_snapshot *y = mt_rec_decode(df.data, df.len, &d, false, err,
					      sizeof(err));
	assert_non_null(y);
	same_snapshot(&b0, y);
	mt_snapshot_unref(x);
	mt_snapshot_unref(y);
	mt_rec_prev_free(&d);

	/* a delta frame read as a key frame, or with nothing before it */
	err[0] = '\0';
	assert_null(mt_rec_decode(df.data, df.len, &d, true, err,
				  sizeof(err)));
	assert_string_equal(err, "a reference in a key frame");
	assert_int_equal(d.n, 0);
	err[0] = '\0';
	assert_null(mt_rec_decode(df.data, df.len, &d, false, err,
				  sizeof(err)));
	assert_string_equal(err, "a reference to no process");
	/* a reference to a process past the previous frame's */
	x = mt_rec_decode(kf.data, kf.len, &d, true, err, sizeof(err));
	assert_non_null(x);
	mt_snapshot_unref(x);
	d.n = 1; /* the previous frame had one process only */
	err[0] = '\0';
	y = mt_rec_decode(df.data, df.len, &d, false, err, sizeof(err));
	assert_null(y);
	assert_string_equal(err, "a reference to no process");
	d.n = 3;
	mt_rec_prev_free(&d);

	/* a process whose figures changed is written whole */
	b0.procs = xcalloc(b->nprocs, sizeof(*b0.procs));
	memcpy(b0.procs, b->procs, b->nprocs * sizeof(*b0.procs));
	b0.procs[1].status_rss_kb++;
	encoded_len(&a0, &p, true, &kf);
	size_t changed = encoded_len(&b0, &p, false, &df);
	mt_rec_prev_free(&p);
	assert_true(changed > delta + (bkey - delta) / 6);
	x = mt_rec_decode(kf.data, kf.len, &d, true, err, sizeof(err));
	y = mt_rec_decode(df.data, df.len, &d, false, err, sizeof(err));
	assert_non_null(x);
	assert_non_null(y);
	same_snapshot(&b0, y);
	mt_snapshot_unref(x);
	mt_snapshot_unref(y);
	mt_rec_prev_free(&d);
	free(b0.procs);

	mt_buf_free(&kf);
	mt_buf_free(&df);
	mt_buf_free(&kb);
	mt_snapshot_unref(a);
	mt_snapshot_unref(b);
	kids_stop(&k);
	mt_scan_ctx_free(c);
}

/* What a damaged frame leaves out, and times far from the scan's: a VMA
 * without a present histogram decodes with one of zeros (every reader
 * takes it to be there), and times at the ends of the clock come back. */
static void test_edges(void **state)
{
	(void)state;
	char err[256];
	struct mt_scan_ctx *c = mt_scan_ctx_new(NULL, NULL, err, sizeof(err));
	assert_non_null(c);
	pid_t kid = stopped_child(1u << 20);
	pid_t pids[1] = {kid};
	struct mt_scan_opts o = {.pids = pids, .npids = 1};
	struct mt_snapshot *s = mt_scan(c, &o);
	assert_int_equal(s->nprocs, 1);
	assert_true(s->procs[0].nvmas > 1);
	/* a copy of the struct, its process and VMAs (the arena shared) */
	struct mt_snapshot c0 = *s;
	struct mt_proc p0 = s->procs[0];
	c0.procs = &p0;
	p0.vmas = xcalloc(p0.nvmas, sizeof(*p0.vmas));
	memcpy(p0.vmas, s->procs[0].vmas, p0.nvmas * sizeof(*p0.vmas));
	p0.vmas[0].present_hist = NULL;
	/* 2^63 - 1 ns after the scan's start: a delta at the end of the
	 * signed range; and one ns before it */
	p0.exp_ns = c0.mono_ns + (UINT64_C(1) << 63) - 1;
	p0.walk_ns = c0.mono_ns - 2;
	p0.vmas[1].exp_ns = p0.exp_ns + (UINT64_C(1) << 63) - 1;
	struct mt_rec_prev p = {0};
	struct mt_buf f = {0};
	mt_rec_encode(&f, &c0, &p, true);
	mt_rec_prev_free(&p);
	struct mt_snapshot *d = mt_rec_decode(f.data, f.len, &p, true, err,
					      sizeof(err));
	if (!d)
		fail_msg("%s", err);
	const struct mt_vma *v = &d->procs[0].vmas[0];
	assert_non_null(v->present_hist);
	for (unsigned k = 0; k < d->nord; k++)
		assert_int_equal(v->present_hist[k], 0);
	assert_int_equal(d->procs[0].exp_ns, p0.exp_ns);
	assert_int_equal(d->procs[0].walk_ns, p0.walk_ns);
	assert_int_equal(d->procs[0].vmas[1].exp_ns, p0.vmas[1].exp_ns);
	p0.vmas[0].present_hist = d->procs[0].vmas[0].present_hist;
	same_snapshot(&c0, d);
	mt_snapshot_unref(d);
	mt_rec_prev_free(&p);
	mt_buf_free(&f);
	free(p0.vmas);
	mt_snapshot_unref(s);
	reap(kid);
	mt_scan_ctx_free(c);
}

/* Every cut of a frame is refused with a reason; so is a byte after it. */
static void test_cut(void **state)
{
	(void)state;
	char err[256];
	struct mt_scan_ctx *c = mt_scan_ctx_new(NULL, NULL, err, sizeof(err));
	assert_non_null(c);
	pid_t kid = stopped_child(1u << 20);
	pid_t pids[1] = {kid};
	struct mt_scan_opts o = {.pids = pids, .npids = 1};
	struct mt_snapshot *s = mt_scan(c, &o);
	struct mt_rec_prev p = {0};
	struct mt_buf f = {0};
	mt_rec_encode(&f, s, &p, true);
	mt_rec_prev_free(&p);
	for (size_t n = 0; n < f.len; n++) {
		/* a copy of its own, so that ASan sees any read past it */
		char *cut = xmalloc(n ? n : 1);
		memcpy(cut, f.data, n);
		err[0] = '\0';
		struct mt_snapshot *d = mt_rec_decode(cut, n, &p, true, err,
						      sizeof(err));
		if (d)
			fail_msg("a frame cut to %zu of %zu bytes decodes", n,
				 f.len);
		assert_true(err[0] != '\0');
		assert_int_equal(p.n, 0);
		free(cut);
	}
	mt_buf_addc(&f, '\0');
	assert_null(mt_rec_decode(f.data, f.len, &p, true, err, sizeof(err)));
	assert_string_equal(err, "bytes after the last process");
	f.len--;
	struct mt_snapshot *d = mt_rec_decode(f.data, f.len, &p, true, err,
					      sizeof(err));
	assert_non_null(d);
	same_snapshot(s, d);
	mt_snapshot_unref(d);
	mt_rec_prev_free(&p);
	mt_buf_free(&f);
	mt_snapshot_unref(s);
	reap(kid);
	mt_scan_ctx_free(c);
}

/* ---- files -------------------------------------------------------------- */

#define NFRAMES (MT_REC_KEY_EVERY + 6)
#define STEP_NS 250000000u /* frames 0.25 s apart */

static void test_file(void **state)
{
	(void)state;
	char err[256], dir[] = "/tmp/memtop-test-record.XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/rec", dir);
	struct mt_scan_ctx *c = mt_scan_ctx_new(NULL, NULL, err, sizeof(err));
	assert_non_null(c);
	struct kids k;
	kids_start(&k);
	struct mt_scan_opts o = {.pids = k.sorted, .npids = 3};
	/* three scans, written in turn; each written frame gets a time of
	 * its own (the scans are the test's: nobody else reads them) */
	struct mt_snapshot *s[3];
	for (int i = 0; i < 3; i++)
		s[i] = mt_scan(c, &o);
	/* the second one differs in its process set */
	o.npids = 2;
	mt_snapshot_unref(s[1]);
	s[1] = mt_scan(c, &o);
	uint64_t t0 = s[0]->time_ns, times[NFRAMES];
	struct mt_recorder *r = mt_recorder_open(path, false, 0,
						 s[0]->page_size,
						 s[0]->pmd_order, err,
						 sizeof(err));
	if (!r)
		fail_msg("%s", err);
	for (size_t i = 0; i < NFRAMES; i++) {
		struct mt_snapshot *x = s[i % 3];
		x->time_ns = times[i] = t0 + i * STEP_NS;
		assert_int_equal(mt_recorder_write(r, x, err, sizeof(err)),
				 MT_REC_ON);
	}
	assert_int_equal(mt_recorder_frames(r), NFRAMES);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(mt_recorder_bytes(r), (uint64_t)st.st_size);
	assert_int_equal(st.st_mode & 0777, 0600);
	mt_recorder_close(r);
	/* an existing file is not written over */
	assert_null(mt_recorder_open(path, false, 0, s[0]->page_size,
				     s[0]->pmd_order, err, sizeof(err)));

	/* frame kinds: a key frame every MT_REC_KEY_EVERY */
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	struct mt_rec_info info;
	struct mt_rec_index idx = {0};
	uint64_t good;
	assert_int_equal(mt_rec_scan_fd(fd, &info, &idx, &good, NULL, err,
					sizeof(err)), 0);
	close(fd);
	assert_int_equal(idx.n, NFRAMES);
	assert_int_equal(good, (uint64_t)st.st_size);
	for (size_t i = 0; i < idx.n; i++)
		assert_int_equal(idx.f[i].kind, i % MT_REC_KEY_EVERY
							? MT_REC_DELTA
							: MT_REC_KEY);
	uint64_t off1 = idx.f[1].off;
	free(idx.f);

	struct mt_replay *rp = mt_replay_open(path, err, sizeof(err));
	if (!rp)
		fail_msg("%s", err);
	assert_null(mt_replay_damage(rp));
	assert_int_equal(mt_replay_count(rp), NFRAMES);
	const struct mt_rec_info *ri = mt_replay_info(rp);
	assert_int_equal(ri->version, MT_REC_VERSION);
	assert_int_equal(ri->page_size, s[0]->page_size);
	assert_int_equal(ri->pmd_order, s[0]->pmd_order);
	/* forwards, then in an order that goes back past key frames */
	static const size_t order[] = {NFRAMES - 1, 3, MT_REC_KEY_EVERY,
				       MT_REC_KEY_EVERY - 1, 0, 2, 1};
	for (size_t j = 0; j < NFRAMES + MT_ARRAY_SIZE(order); j++) {
		size_t i = j < NFRAMES ? j : order[j - NFRAMES];
		struct mt_snapshot *d = mt_replay_get(rp, i);
		if (!d)
			fail_msg("frame %zu: %s", i, mt_replay_damage(rp));
		s[i % 3]->time_ns = times[i];
		same_snapshot(s[i % 3], d);
		assert_int_equal(mt_replay_time_ns(rp, i), times[i]);
		mt_snapshot_unref(d);
	}
	assert_null(mt_replay_get(rp, NFRAMES));

	/* times to frames: the frame at or before */
	assert_int_equal(mt_replay_find(rp, 0), 0);
	assert_int_equal(mt_replay_find(rp, UINT64_MAX), NFRAMES - 1);
	assert_int_equal(mt_replay_find(rp, times[5]), 5);
	assert_int_equal(mt_replay_find(rp, times[5] + 1), 5);
	assert_int_equal(mt_replay_find(rp, times[5] - 1), 4);

	/* moments */
	struct {
		const char *s;
		long frame;
	} good_m[] = {
		{"#1", 0}, {"#2", 1}, {"#70", NFRAMES - 1},
		{"+0", 0}, {"+0.5", 2}, {"+0.6", 2}, {"+1000", NFRAMES - 1},
		{"-0", NFRAMES - 1}, {"-0.3", NFRAMES - 3},
		{"-1e6", 0}, {"@0", 0},
	};
	for (size_t i = 0; i < MT_ARRAY_SIZE(good_m); i++) {
		err[0] = '\0';
		long f = mt_replay_moment(rp, good_m[i].s, err, sizeof(err));
		if (f != good_m[i].frame)
			fail_msg("%s: frame %ld, not %ld (%s)", good_m[i].s, f,
				 good_m[i].frame, err);
	}
	char at[32];
	snprintf(at, sizeof(at), "@%llu.5",
		 (unsigned long long)(times[4] / 1000000000u));
	long f = mt_replay_moment(rp, at, err, sizeof(err));
	assert_true(f >= 0 && f < NFRAMES);
	assert_true(times[f] <= (times[4] / 1000000000u) * 1000000000u +
				       500000000u);
	static const char *const bad[] = {
		"#0", "#71", "#", "#1x", "#-1", "+", "+x", "-1s", "+-1",
		"+nan", "@inf", "", "noon", "25:00", "12:60", "1:2:3:4",
		"2024-01-01 10:00:00x",
	};
	for (size_t i = 0; i < MT_ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		f = mt_replay_moment(rp, bad[i], err, sizeof(err));
		if (f != -1)
			fail_msg("\"%s\" taken as frame %ld", bad[i], f);
		assert_true(err[0] != '\0');
	}
	mt_replay_close(rp);

	/* appending: frames added after the others */
	r = mt_recorder_open(path, true, 0, s[0]->page_size, s[0]->pmd_order,
			     err, sizeof(err));
	if (!r)
		fail_msg("%s", err);
	s[2]->time_ns = t0 + NFRAMES * STEP_NS;
	assert_int_equal(mt_recorder_write(r, s[2], err, sizeof(err)),
			 MT_REC_ON);
	mt_recorder_close(r);
	rp = mt_replay_open(path, err, sizeof(err));
	assert_non_null(rp);
	assert_int_equal(mt_replay_count(rp), NFRAMES + 1);
	struct mt_snapshot *d = mt_replay_get(rp, NFRAMES);
	assert_non_null(d);
	same_snapshot(s[2], d);
	mt_snapshot_unref(d);
	mt_replay_close(rp);

	/* the second frame's encoded length (not under its CRC) made
	 * larger than deflate can give from its bytes: the recording ends
	 * before it, rather than the reader allocating that much */
	unsigned char big[4];
	mt_rec_put32(big, UINT32_C(1) << 29);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, big, 4, (off_t)off1 + 8), 4);
	close(fd);
	rp = mt_replay_open(path, err, sizeof(err));
	assert_non_null(rp);
	assert_int_equal(mt_replay_count(rp), 1);
	assert_non_null(mt_replay_damage(rp));
	assert_non_null(strstr(mt_replay_damage(rp), "a frame header"));
	mt_replay_close(rp);

	for (int i = 0; i < 3; i++)
		mt_snapshot_unref(s[i]);
	kids_stop(&k);
	mt_scan_ctx_free(c);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_batch),
		cmocka_unit_test(test_round_trip_priority),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
