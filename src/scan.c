/*
 * scan.c - one pass over the proc root into a snapshot.
 *
 * mt_scan() runs in phases: begin (the snapshot and its system counters,
 * read on a thread of their own), the pids to look at, one scan_proc()
 * per process, and the end (sums, statistics, buffers trimmed). For each
 * process scan_proc() reads one /proc file per step: status (name, uid,
 * ppid), cgroup, when asked (the viewer) stat and cmdline (the command
 * line, read once per process: kept by pid, start time and name from one
 * scan to the next), maps (the VMAs), then pagemap for all VMAs in one walk
 * (scan_walk.c), when asked the slots MADV_COLLAPSE would collapse (the
 * rules of collapse.c, with smaps and mountinfo read only where a slot is
 * a candidate), and, when asked, smaps.
 */
#include <errno.h>
#include <linux/capability.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "memtop/collapse.h"
#include "memtop/kconfig.h"
#include "memtop/pagemap.h"
#include "memtop/sysinfo.h"
#include "scan_int.h"


static bool have_cap_sys_admin(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) != 0)
		return false;
	return (d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &
		CAP_TO_MASK(CAP_SYS_ADMIN)) != 0;
}

struct mt_scan_ctx *mt_scan_ctx_new(const char *proc_root,
				    const char *sys_root, char *err,
				    size_t errlen)
{
	struct mt_scan_ctx *c = xcalloc(1, sizeof(*c));
	c->coll_env.max_none = c->coll_env.max_swap = MT_UNKNOWN;
	c->coll_env.max_shared = MT_UNKNOWN;
	if (mt_procfs_open(&c->pf, proc_root, sys_root, err, errlen) < 0) {
		free(c);
		return NULL;
	}
	long ps = sysconf(_SC_PAGESIZE);
	c->page_size = ps > 0 ? (unsigned)ps : 4096;
	c->page_shift = mt_log2(c->page_size);
	uint64_t pmd_size = 0;
	if (mt_sysfs_read_u64(&c->pf,
			      "kernel/mm/transparent_hugepage/hpage_pmd_size",
			      &pmd_size) < 0)
		pmd_size = 0;
	c->pmd_order = mt_pmd_order(c->page_shift, pmd_size);
	mt_kernel_probe(&c->pf, c->pmd_order, have_cap_sys_admin(), &c->kp);
	if (!c->kp.pagemap) {
		snprintf(err, errlen, "%s", MT_WHY_NO_PAGEMAP);
		mt_kernel_probe_release(&c->kp);
		mt_procfs_close(&c->pf);
		free(c);
		return NULL;
	}
	c->can_pfns = c->kp.pfns;
	c->kpf_fd = c->kp.kpf_fd;
	c->can_kpf = c->kpf_fd >= 0;
	c->zero_pfn = c->kp.zero_pfn;
	c->huge_zero_pfn = c->kp.huge_zero_pfn;
	c->scan_ok = MT_TRI_UNKNOWN;
	c->scan_guard = MT_TRI_UNKNOWN;
	c->sysr = mt_sysreader_new(&c->pf, MT_SYSREADER_KEEP_AUTO);
	c->memcg = mt_memcg_open(&c->pf);
	struct utsname un;
	c->kver = c->pf.live && uname(&un) == 0
			  ? mt_kernel_version(un.release) : 0;
	c->ro_thp_fs = mt_kconfig_get(&c->pf, "CONFIG_READ_ONLY_THP_FOR_FS",
				      NULL);
	c->pm = xmalloc(MT_PAGEMAP_BATCH * sizeof(uint64_t));
	c->kf = xmalloc(((UINT64_C(1) << c->pmd_order) + 1) * sizeof(uint64_t));
	return c;
}

static void cmd_free(struct cmd_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].comm);
		free(e[i].s);
	}
	free(e);
}

void mt_scan_ctx_free(struct mt_scan_ctx *c)
{
	if (!c)
		return;
	mt_procfs_close(&c->pf);
	mt_kernel_probe_release(&c->kp);
	scan_sweep_free(c);
	mt_buf_free(&c->maps);
	mt_buf_free(&c->status);
	mt_buf_free(&c->smaps);
	free(c->pm);
	free(c->kf);
	for (size_t i = 0; i < c->nusers; i++)
		free(c->users[i].name);
	free(c->users);
	mt_snapshot_unref(c->prev);
	mt_sysreader_free(c->sysr);
	mt_memcg_close(c->memcg);
	mt_numa_free(&c->numa);
	mt_intern_free(&c->paths);
	mt_intern_free(&c->hists);
	free(c->scratch);
	cmd_free(c->cmd, c->ncmd);
	cmd_free(c->cmd_next, c->nnext);
	free(c);
}

unsigned mt_scan_page_size(const struct mt_scan_ctx *c) { return c->page_size; }
unsigned mt_scan_pmd_order(const struct mt_scan_ctx *c) { return c->pmd_order; }
bool mt_scan_can_pfns(const struct mt_scan_ctx *c) { return c->can_pfns; }
bool mt_scan_can_kpageflags(const struct mt_scan_ctx *c) { return c->can_kpf; }
const struct mt_procfs *mt_scan_procfs(const struct mt_scan_ctx *c)
{
	return &c->pf;
}

static const char *user_name(struct mt_scan_ctx *c, uid_t uid)
{
	for (size_t i = 0; i < c->nusers; i++)
		if (c->users[i].uid == uid)
			return c->users[i].name;
	char buf[4096], num[16];
	struct passwd pw, *res = NULL;
	const char *name = num;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		name = res->pw_name;
	else
		snprintf(num, sizeof(num), "%u", (unsigned)uid);
	c->users = xrealloc(c->users, (c->nusers + 1) * sizeof(*c->users));
	c->users[c->nusers].uid = uid;
	c->users[c->nusers].name = xstrdup(name);
	return c->users[c->nusers++].name;
}

static bool pid_wanted(const struct mt_scan_opts *o, pid_t pid)
{
	if (!o->npids)
		return true;
	size_t lo = 0, hi = o->npids;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (o->pids[mid] == pid)
			return true;
		if (o->pids[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void count_error(struct mt_scan_stats *st, int err)
{
	switch (mt_err_class(err)) {
	case MT_ERR_GONE: st->vanished++; break;
	case MT_ERR_DENIED: st->denied++; break;
	default: st->errors++; break;
	}
}

static const char *intern_path(struct mt_scan_ctx *c, struct mt_snapshot *s,
			       const char *p, size_t n)
{
	return n ? mt_intern(&c->paths, s->arena, p, n) : "";
}

static void attach_smaps(struct proc_scan *ps, struct mt_proc *p)
{
	scan_load_smaps(ps);
	if (!ps->nsmaps)
		return;
	p->has_smaps = true;
	for (size_t i = 0; i < p->nvmas; i++) {
		struct mt_vma *v = &p->vmas[i];
		const struct mt_smaps_vma *sv = scan_smaps_find(ps, v->start);
		if (!sv)
			continue;
		v->has_smaps = true;
		v->smaps_rss_kb = sv->rss_kb;
		v->smaps_anon_huge_kb = sv->anon_huge_kb;
		v->thp_eligible = sv->thp_eligible;
		v->vmflags = sv->vmflags;
	}
}

/* Parse the maps buffer into the process's VMAs: into the snapshot when
 * their details are kept, else into the scratch array. */
static void parse_vmas(struct mt_scan_ctx *c, struct mt_snapshot *s,
		       const struct mt_scan_opts *o, struct mt_proc *p,
		       bool *keep)
{
	size_t lines = 0;
	for (size_t i = 0; i < c->maps.len; i++)
		lines += c->maps.data[i] == '\n';
	lines++;
	*keep = !o->vma_detail_limit || p->pid == o->smaps_pid ||
		c->kept_vmas + lines <= o->vma_detail_limit;
	if (*keep) {
		p->vmas = mt_arena_alloc(s->arena, lines * sizeof(struct mt_vma));
		c->kept_vmas += lines;
	} else {
		if (lines > c->scratch_cap) {
			c->scratch_cap = lines;
			c->scratch = xrealloc(c->scratch,
					      lines * sizeof(struct mt_vma));
		}
		memset(c->scratch, 0, lines * sizeof(struct mt_vma));
		p->vmas = c->scratch;
	}
	size_t pos = 0, n;
	const char *line;
	while ((line = mt_next_line(c->maps.data, c->maps.len, &pos, &n))) {
		struct mt_maps_entry e;
		if (n == 0)
			continue;
		if (mt_parse_maps_line(line, n, &e) < 0 ||
		    (e.start & (c->page_size - 1)) ||
		    (e.end & (c->page_size - 1)) || e.end == e.start) {
			s->stats.bad_lines++;
			continue;
		}
		struct mt_vma *v = &p->vmas[p->nvmas++];
		v->start = e.start;
		v->end = e.end;
		v->offset = e.offset;
		v->inode = e.inode;
		v->dev_major = e.dev_major;
		v->dev_minor = e.dev_minor;
		memcpy(v->perms, e.perms, sizeof(v->perms));
		v->kind = mt_classify_vma(e.path, e.path_len, e.perms);
		v->file_backed = v->kind == MT_KIND_FILE;
		/* from the path, which a VMA without details does not keep */
		v->maybe_pfnmap = scan_may_be_pfnmap(e.path, e.path_len);
		v->path = *keep ? intern_path(c, s, e.path, e.path_len) : "";
		v->path_len = *keep ? e.path_len : 0;
		v->thp_eligible = MT_TRI_UNKNOWN;
		v->pmd_collapsible = MT_UNKNOWN;
		v->pmd_khugepaged = MT_UNKNOWN;
		v->coll_why = MT_COLL_UNKNOWN;
		v->sysv = e.path_len > 5 && !memcmp(e.path, "/SYSV", 5);
		v->posix_shm = e.path_len > 9 && !memcmp(e.path, "/dev/shm/", 9);
	}
}

/* Step 1, status: name, ids, state. False (counted) when the process
 * is to be left out: gone, a zombie, another user's under -u. */
static bool read_status(struct proc_scan *ps, struct mt_proc *p, pid_t pid)
{
	struct mt_scan_ctx *c = ps->c;
	struct mt_snapshot *s = ps->s;
	struct mt_scan_stats *st = &s->stats;
	struct mt_status status;
	int r = mt_read_at(ps->dirfd, "status", &c->status);
	if (r < 0) {
		count_error(st, r);
		return false;
	}
	if (mt_parse_status(c->status.data, c->status.len, &status) < 0) {
		/* an empty status is a process that just went away */
		if (c->status.len == 0)
			st->vanished++;
		else
			st->errors++;
		return false;
	}
	if (status.state == 'Z' || status.state == 'X') {
		st->vanished++; /* exited, not yet reaped: no memory left */
		return false;
	}
	if (ps->o->uid_set && status.uid != ps->o->uid) {
		st->filtered++;
		return false;
	}
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = status.ppid;
	p->uid = status.uid;
	p->comm = mt_arena_strndup(s->arena, status.name, status.name_len);
	const char *user = user_name(c, status.uid);
	p->user = mt_arena_strndup(s->arena, user, strlen(user));
	p->status_rss_kb = status.rss_kb;
	p->thp_enabled = status.thp_enabled;
	p->kthread = status.kthread == MT_TRI_YES ||
		     (status.kthread == MT_TRI_UNKNOWN &&
		      (pid == 2 || status.ppid == 2));
	return true;
}

/* Step 2, cgroup (none for kernel threads). */
static void read_cgroup(struct proc_scan *ps, struct mt_proc *p)
{
	struct mt_scan_ctx *c = ps->c;
	p->cgroup = "";
	p->memcg_room = MT_UNKNOWN;
	if (p->kthread || mt_read_at(ps->dirfd, "cgroup", &c->status) < 0)
		return;
	const char *cg;
	size_t cl;
	if (mt_parse_cgroup(c->status.data, c->status.len, &cg, &cl) == 0) {
		p->cgroup = mt_arena_strndup(ps->s->arena, cg, cl);
		p->memcg_room = mt_memcg_room(c->memcg, p->cgroup);
	}
}

static struct cmd_entry *cmd_find(struct mt_scan_ctx *c, pid_t pid)
{
	size_t lo = 0, hi = c->ncmd;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->cmd[mid].pid == pid)
			return &c->cmd[mid];
		if (c->cmd[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Step 2a, stat: the start time, which tells a process from an earlier
 * one with the same pid (the viewer: command lines and priority
 * scanning keep what they read by pid and start time). */
static void read_start_time(struct proc_scan *ps, struct mt_proc *p)
{
	struct mt_scan_ctx *c = ps->c;
	uint64_t start;
	if ((!ps->o->cmdline && !ps->o->priority) || p->kthread ||
	    mt_read_at(ps->dirfd, "stat", &c->status) < 0 ||
	    mt_parse_stat_starttime(c->status.data, c->status.len, &start) < 0)
		return;
	p->start_time = start;
}

/* Step 2b, cmdline, when asked for (none for kernel threads): read once
 * per process; later scans take it from the last one's while the pid has
 * the same start time (/proc/PID/stat) and name. */
static void read_cmdline(struct proc_scan *ps, struct mt_proc *p)
{
	struct mt_scan_ctx *c = ps->c;
	uint64_t start = p->start_time;
	if (!ps->o->cmdline || p->kthread || !start)
		return;
	struct cmd_entry e = { p->pid, start, NULL, NULL, 0 };
	struct cmd_entry *old = cmd_find(c, p->pid);
	if (old && old->start == start && old->comm &&
	    strcmp(old->comm, p->comm) == 0) {
		e = *old; /* moved to the new list */
		old->comm = old->s = NULL;
	} else {
		if (mt_read_at(ps->dirfd, "cmdline", &c->status) < 0)
			return;
		e.comm = xstrdup(p->comm);
		e.n = mt_cmdline_trim(c->status.data, c->status.len);
		if (e.n) {
			e.s = xmalloc(e.n);
			memcpy(e.s, c->status.data, e.n);
		}
	}
	if (c->nnext == c->cap_next) {
		c->cap_next = c->cap_next ? 2 * c->cap_next : 256;
		c->cmd_next = xrealloc(c->cmd_next,
				       c->cap_next * sizeof(*c->cmd_next));
	}
	c->cmd_next[c->nnext++] = e;
	if (e.n) {
		char *d = mt_arena_alloc(ps->s->arena, e.n + 1);
		memcpy(d, e.s, e.n);
		p->cmdline = d;
		p->cmdline_len = e.n;
	}
}

/* The process's figures, zero, in the views this snapshot has. */
static void alloc_figures(struct mt_snapshot *s, struct mt_proc *p)
{
	p->present_hist = mt_arena_alloc(s->arena, s->nord * sizeof(uint64_t));
	if (s->have_pfns)
		p->mappable_hist =
			mt_arena_alloc(s->arena, s->nord * sizeof(uint64_t));
	if (s->have_kpageflags) {
		p->folios = mt_arena_alloc(s->arena, sizeof(*p->folios));
		p->folio_cont_hist =
			mt_arena_alloc(s->arena, s->nord * sizeof(uint64_t));
	}
	if (s->have_kpageflags && s->nnodes)
		p->thp_node_pages =
			mt_arena_alloc(s->arena, s->nnodes * sizeof(uint64_t));
}

/* Step 3, maps: the VMAs. False (counted) when the process is gone. */
static bool read_maps(struct proc_scan *ps, struct mt_proc *p)
{
	struct mt_scan_ctx *c = ps->c;
	struct mt_scan_stats *st = &ps->s->stats;
	int r = mt_read_at(ps->dirfd, "maps", &c->maps);
	if (r < 0) {
		count_error(st, r);
		return false;
	}
	parse_vmas(c, ps->s, ps->o, p, &ps->keep_vmas);
	p->vma_count = p->nvmas;
	if (!p->nvmas && c->maps.len == 0) {
		/* a user process without a single mapping has exited (a
		 * zombie, or gone between status and maps) */
		st->vanished++;
		return false;
	}
	return true;
}

/* Step 4, pagemap: every VMA's figures. False (counted) when pagemap
 * cannot be opened or the process exited while it was read. */
static bool read_pagemap(struct proc_scan *ps, struct mt_proc *p,
			 const struct scan_shared *sh)
{
	struct mt_scan_ctx *c = ps->c;
	struct mt_snapshot *s = ps->s;
	struct mt_scan_stats *st = &s->stats;
	if (!p->nvmas)
		return true;
	ps->pm_fd = mt_open_at(ps->dirfd, "pagemap");
	if (ps->pm_fd < 0) {
		if (mt_err_class(ps->pm_fd) == MT_ERR_GONE)
			st->vanished++;
		else
			st->pagemap_denied++;
		return false;
	}
	/* the expensive figures now, or an earlier scan's (sweep.c) */
	const struct mt_proc *prev;
	bool by_sweep;
	bool exp = scan_sweep_wants(c, ps->o, s, p, &prev, &by_sweep,
				    &ps->is_new);
	ps->exp_read = exp;
	ps->want_pfns = s->have_pfns && exp;
	ps->want_folios = s->have_kpageflags && exp;
	ps->node_pages = exp ? p->thp_node_pages : NULL;
	/* the time and cost of the walk matter to priority scanning only:
	 * a batch scan's figures are all the scan's (mono_ns) */
	bool timed = exp && ps->o->priority;
	uint64_t cpu0 = timed ? mt_thread_cpu_ns() : 0;
	if (timed)
		p->exp_ns = mt_now_ns();
	scan_walk_vmas(ps, p, sh);
	if (exp) {
		p->exp_cost_ns = timed ? mt_thread_cpu_ns() - cpu0 : 0;
		if (by_sweep && !ps->is_new) /* new: all its walk, below */
			s->sweep_cpu_ns += p->exp_cost_ns;
		for (size_t i = 0; i < p->nvmas; i++)
			p->vmas[i].exp_ns = p->exp_ns;
	} else {
		scan_sweep_carry(c, s, p, prev);
	}
	/* Exited while it was read? Its figures would be cut short. Once a
	 * process has exited its pagemap reads nothing: one entry of its
	 * first VMA tells. */
	if (!ps->gone && c->pf.live && !((p->vmas[0].start) >> 63)) {
		uint64_t e;
		if (mt_pagemap_read(ps->pm_fd, p->vmas[0].start >> c->page_shift,
				    &e, 1) == -ENODATA)
			ps->gone = true;
	}
	if (ps->gone) {
		st->vanished++;
		return false;
	}
	return true;
}

/* Priority scanning: the next range of the process the sweep walks a
 * range at a time (slice.c). Until the last range, p keeps the previous
 * scan's figures; then it gets the new ones. False (counted) when the
 * process is gone or its pagemap cannot be read. */
static bool read_range(struct proc_scan *ps, struct mt_proc *p,
		       const struct scan_shared *sh)
{
	struct mt_scan_ctx *c = ps->c;
	struct mt_snapshot *s = ps->s;
	if (!read_maps(ps, p))
		return false;
	uint64_t lo, hi;
	scan_slice_range(c, s, p, &lo, &hi);
	size_t n = 0, cap = p->nvmas ? p->nvmas : 1;
	struct mt_vma *qv = xcalloc(cap, sizeof(*qv));
	size_t *idx = xmalloc(cap * sizeof(*idx));
	for (size_t i = 0; i < p->nvmas; i++) {
		const struct mt_vma *v = &p->vmas[i];
		if (v->end <= lo || v->start >= hi)
			continue;
		qv[n] = *v;
		qv[n].start = MT_MAX(v->start, lo);
		qv[n].end = MT_MIN(v->end, hi);
		idx[n++] = i;
	}
	struct mt_proc q;
	memset(&q, 0, sizeof(q));
	q.pid = p->pid;
	q.vmas = qv;
	q.nvmas = n;
	alloc_figures(s, &q);
	bool ok = false, keep_vmas = ps->keep_vmas;
	ps->pm_fd = mt_open_at(ps->dirfd, "pagemap");
	if (ps->pm_fd < 0) {
		if (mt_err_class(ps->pm_fd) == MT_ERR_GONE)
			s->stats.vanished++;
		else
			s->stats.pagemap_denied++;
		goto out;
	}
	ps->keep_vmas = true; /* the range's VMA figures are summed */
	ps->want_pfns = s->have_pfns;
	ps->want_folios = s->have_kpageflags;
	ps->node_pages = q.thp_node_pages;
	uint64_t cpu0 = mt_thread_cpu_ns();
	scan_walk_vmas(ps, &q, sh);
	uint64_t cost = mt_thread_cpu_ns() - cpu0;
	ps->keep_vmas = keep_vmas;
	s->sweep_cpu_ns += cost;
	if (ps->gone) {
		s->stats.vanished++;
		goto out;
	}
	if (scan_slice_add(c, s, &q, idx, hi, cost)) {
		scan_slice_finish(c, s, p);
		s->exp_swept++;
	} else {
		const struct mt_proc *pp = scan_sweep_prev(c, p);
		if (!pp) {
			scan_slice_stop(c);
			goto out;
		}
		if (keep_vmas)
			c->kept_vmas -= p->nvmas; /* the copy counts them */
		scan_sweep_copy_walk(c, s, ps->o, p, pp);
		keep_vmas = p->vmas && p->vmas != c->scratch;
	}
	if (!keep_vmas) {
		p->vmas = NULL;
		p->nvmas = 0;
	}
	ok = true;
out:
	free(qv);
	free(idx);
	return ok;
}

/* Priority scanning: the selected process's VMAs on screen when its
 * whole walk is too dear for a scan (sweep.c): their expensive figures
 * now, each VMA with its own time, while the process's sums keep an
 * earlier scan's. Each VMA is walked on its own (a walk over the VMAs
 * between them would read what it is meant to leave). False when the
 * process is gone. */
static bool read_focus_vmas(struct proc_scan *ps, struct mt_proc *p,
			    const struct scan_shared *sh)
{
	struct mt_scan_ctx *c = ps->c;
	struct mt_snapshot *s = ps->s;
	const struct sweep_plan *sp = &c->sweep;
	if (!sp->on || !sp->nfv || ps->exp_read || p->pid != ps->o->focus_pid ||
	    !p->nvmas || p->vmas == c->scratch)
		return true;
	/* both lists are in address order */
	struct mt_vma *qv = xcalloc(sp->nfv, sizeof(*qv));
	size_t *idx = xmalloc(sp->nfv * sizeof(*idx));
	size_t n = 0, j = 0;
	for (size_t i = 0; i < p->nvmas && j < sp->nfv; i++) {
		const struct mt_vma *v = &p->vmas[i];
		while (j < sp->nfv && sp->fv[j].start < v->start)
			j++;
		if (j < sp->nfv && sp->fv[j].start == v->start &&
		    sp->fv[j].end == v->end) {
			qv[n] = *v;
			idx[n++] = i;
		}
	}
	bool ok = true;
	if (!n)
		goto out;
	if (ps->pm_fd < 0)
		ps->pm_fd = mt_open_at(ps->dirfd, "pagemap");
	if (ps->pm_fd < 0)
		goto out; /* counted by the walk before */
	struct mt_proc q;
	memset(&q, 0, sizeof(q));
	q.pid = p->pid;
	q.nvmas = 1;
	alloc_figures(s, &q);
	bool keep_vmas = ps->keep_vmas;
	ps->keep_vmas = true;
	ps->want_pfns = s->have_pfns;
	ps->want_folios = s->have_kpageflags;
	ps->node_pages = NULL; /* the process's sums are not touched */
	uint64_t t = mt_now_ns(), cpu0 = mt_thread_cpu_ns();
	for (size_t k = 0; k < n && !ps->gone; k++) {
		q.vmas = &qv[k];
		scan_walk_vmas(ps, &q, sh);
	}
	/* their cost a page, for the next plan (a process's first walk,
	 * cold, may cost several times what a later one does) */
	uint64_t units = 0, cost = mt_thread_cpu_ns() - cpu0;
	for (size_t k = 0; k < n; k++)
		units += scan_walk_units(&qv[k], s->pmd_order);
	if (units >= 256)
		c->sweep.fv_ns_per_unit = (double)cost / (double)units;
	s->exp_vmas_ns += cost;
	ps->keep_vmas = keep_vmas;
	ps->want_pfns = ps->want_folios = false;
	if (ps->gone) {
		s->stats.vanished++;
		ok = false;
		goto out;
	}
	/* all the VMA's figures are this walk's (those of a process kept
	 * whole are an earlier scan's) */
	for (size_t k = 0; k < n; k++) {
		qv[k].exp_ns = t;
		p->vmas[idx[k]] = qv[k];
	}
	s->exp_vmas += n;
out:
	free(qv);
	free(idx);
	return ok;
}

/* A VMA as the collapse rules see it, without the facts read on demand. */
static void coll_vma_in(const struct mt_vma *v, struct mt_coll_vma *cv)
{
	memset(cv, 0, sizeof(*cv));
	cv->kind = v->kind;
	memcpy(cv->perms, v->perms, sizeof(cv->perms));
	cv->start = v->start;
	cv->offset = v->offset;
	cv->sysv = v->sysv;
	cv->posix_shm = v->posix_shm;
	cv->tmpfs = v->dev_major ? MT_TRI_NO : MT_TRI_UNKNOWN;
	cv->touched = v->pmd_populated;
	cv->mapped = v->pmd_mapped;
	cv->full = v->pmd_full;
	cv->khp_fit = v->khp_fit;
	cv->khp_unsure = v->khp_unsure;
	cv->full_over = v->full_over;
	cv->full_unknown = v->full_unknown;
}

static void add_known(uint64_t *sum, uint64_t v)
{
	if (*sum == MT_UNKNOWN || v == MT_UNKNOWN)
		*sum = MT_UNKNOWN;
	else
		*sum += v;
}

/*
 * Step 4b: the slots MADV_COLLAPSE would collapse, per VMA. The rules
 * need the VMA flags (smaps) and, for files on an anonymous device,
 * whether they are on tmpfs (mountinfo): both are read only for a
 * process with at least one candidate slot (a present page, not
 * PMD-mapped) where they matter.
 */
static void scan_collapsible(struct proc_scan *ps, struct mt_proc *p)
{
	struct mt_scan_ctx *c = ps->c;
	struct mt_coll_env env = c->coll_env;
	env.thp_enabled = p->thp_enabled;
	bool facts = false, fstype = false;
	struct mt_coll_vma cv;
	for (size_t i = 0; i < p->nvmas; i++) {
		coll_vma_in(&p->vmas[i], &cv);
		if (mt_coll_needs_facts(&cv))
			facts = true;
		/* the mTHP verdicts' advice, in private anonymous memory */
		if (c->mthp_advice && cv.perms[3] != 's' &&
		    (cv.kind == MT_KIND_ANON || cv.kind == MT_KIND_HEAP ||
		     cv.kind == MT_KIND_STACK))
			facts = true;
		if (mt_coll_needs_fstype(&cv) &&
		    (cv.tmpfs == MT_TRI_UNKNOWN || cv.posix_shm))
			fstype = true;
	}
	if (facts && env.thp_enabled != MT_TRI_NO) {
		scan_load_smaps(ps);
		if (ps->gone)
			return;
	}
	bool mi = fstype && env.thp_enabled != MT_TRI_NO &&
		  mt_read_at(ps->dirfd, "mountinfo", &c->status) == 0;
	p->pmd_collapsible = 0;
	p->pmd_khugepaged = 0;
	p->file.pmd_collapsible = 0;
	for (size_t i = 0; i < p->nvmas; i++) {
		struct mt_vma *v = &p->vmas[i];
		coll_vma_in(v, &cv);
		const struct mt_smaps_vma *sv =
			ps->nsmaps ? scan_smaps_find(ps, v->start) : NULL;
		if (sv && sv->end == v->end && sv->vmflags_seen) {
			cv.vmflags_known = true;
			cv.vmflags = sv->vmflags;
			v->vmflags = sv->vmflags;
			v->vmflags_known = true;
		}
		if (mi && (cv.tmpfs == MT_TRI_UNKNOWN || cv.posix_shm))
			cv.tmpfs = mt_mountinfo_tmpfs(c->status.data,
						      c->status.len,
						      v->dev_major,
						      v->dev_minor,
						      &cv.mount_huge);
		enum mt_shm_src src;
		v->shm_mode = (unsigned char)mt_shmem_fault_mode(&env, &cv,
								  &src);
		v->shm_src = (unsigned char)src;
		enum mt_coll_why why;
		v->pmd_collapsible = mt_coll_slots(&env, &cv, &why);
		v->coll_why = (unsigned char)why;
		add_known(&p->pmd_collapsible, v->pmd_collapsible);
		bool off = false;
		v->pmd_khugepaged = mt_khp_slots(&env, &cv, NULL, &off);
		v->khp_mode_off = off;
		add_known(&p->pmd_khugepaged, v->pmd_khugepaged);
		if (v->file_backed)
			add_known(&p->file.pmd_collapsible, v->pmd_collapsible);
	}
}

/* Scan one process into p; false if it is to be left out. */
static bool scan_proc(struct mt_scan_ctx *c, struct mt_snapshot *s,
		      const struct mt_scan_opts *o, pid_t pid,
		      struct mt_proc *p, const struct scan_shared *sh)
{
	int dirfd = mt_procfs_open_pid(&c->pf, pid);
	if (dirfd < 0) {
		if (dirfd == -ENOENT && o->npids)
			s->stats.listed--; /* asked for with -p, and not there */
		else
			count_error(&s->stats, dirfd);
		return false;
	}
	struct proc_scan ps = {.c = c, .s = s, .o = o, .pm_fd = -1,
			       .dirfd = dirfd};
	p->pmd_collapsible = o->collapsible ? 0 : MT_UNKNOWN;
	p->pmd_khugepaged = p->pmd_collapsible;
	p->file.pmd_collapsible = p->pmd_collapsible;
	bool keep = false;
	if (!read_status(&ps, p, pid))
		goto out;
	/* nothing to read is read at once */
	p->exp_ns = p->walk_ns = s->mono_ns;
	read_cgroup(&ps, p);
	read_start_time(&ps, p);
	read_cmdline(&ps, p);
	alloc_figures(s, p);
	if (p->kthread) {
		s->stats.kthreads++;
		keep = true;
		goto out;
	}
	/* priority scanning: one too big for a scan walked a range at a
	 * time (slice.c) */
	if (scan_slice_due(c, p)) {
		keep = read_range(&ps, p, sh) && read_focus_vmas(&ps, p, sh);
		goto out;
	}
	/* a process off screen whose walk costs too much for this scan
	 * keeps an earlier scan's figures (sweep.c) */
	const struct mt_proc *whole = scan_sweep_skip_walk(c, s, p);
	if (whole) {
		scan_sweep_copy_walk(c, s, o, p, whole);
		keep = read_focus_vmas(&ps, p, sh);
		goto out;
	}
	uint64_t cpu0 = o->priority ? mt_thread_cpu_ns() : 0;
	if (o->priority)
		p->walk_ns = mt_now_ns();
	if (!read_maps(&ps, p) || !read_pagemap(&ps, p, sh) ||
	    !read_focus_vmas(&ps, p, sh))
		goto out;
	if (o->collapsible) {
		scan_collapsible(&ps, p);
		if (ps.gone) {
			s->stats.vanished++;
			goto out;
		}
	}
	p->walk_cost_ns = o->priority ? mt_thread_cpu_ns() - cpu0 : 0;
	/* a new process (every one at the first scan) is the sweep's to
	 * pay for, so that a big machine's first scan does not stretch
	 * the wait after it */
	if (ps.is_new)
		s->sweep_cpu_ns += p->walk_cost_ns;
	if (!ps.keep_vmas) {
		p->vmas = NULL;
		p->nvmas = 0;
	}
	if (o->smaps_all || o->smaps_pid == pid)
		attach_smaps(&ps, p); /* step 5, smaps */
	keep = true;
out:
	if (!keep && p->vmas == c->scratch)
		p->vmas = NULL;
	if (ps.pm_fd >= 0)
		close(ps.pm_fd);
	free(ps.smaps);
	free(ps.huge.r);
	free(ps.hwin.r);
	close(dirfd);
	return keep;
}

/*
 * The system counters are read on a thread of their own while the
 * processes are walked, as long as their files are still being opened
 * (some 200 sysfs files: a millisecond and more that would otherwise add
 * to every one-shot run). Its CPU time is added to the snapshot's. Once
 * the files are kept open, reading them is a few hundred preads, done in
 * line.
 */
struct sys_job {
	struct mt_sysreader *r;
	struct mt_arena *arena;
	const struct mt_sysinfo *prev;
	struct mt_sysinfo *out;
	uint64_t cpu_ns;
};

static void *sys_job_main(void *arg)
{
	struct sys_job *j = arg;
	uint64_t t0 = mt_thread_cpu_ns();
	j->out = mt_sysinfo_read(j->r, j->arena, j->prev);
	j->cpu_ns = mt_thread_cpu_ns() - t0;
	return NULL;
}

static bool sys_job_start(struct sys_job *j, pthread_t *t)
{
	pthread_attr_t attr;
	if (pthread_attr_init(&attr) != 0)
		return false;
	pthread_attr_setstacksize(&attr, 256 * 1024);
	/* signals stay with the threads that handle them */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int r = pthread_create(t, &attr, sys_job_main, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return r == 0;
}

/* Which views this scan has, and why a view it lacks is missing. */
static void set_views(const struct mt_scan_ctx *c,
		      const struct mt_scan_opts *o, struct mt_snapshot *s)
{
	s->have_pfns = c->can_pfns && !o->no_pfns;
	s->have_kpageflags = s->have_pfns && c->can_kpf && !o->no_folios;
	const char *pw = NULL, *kw = NULL;
	if (!s->have_pfns)
		pw = c->kp.pfns_why ? c->kp.pfns_why : "--no-pfns";
	if (!s->have_kpageflags)
		kw = pw ? pw : c->kp.kpf_why ? c->kp.kpf_why : "--no-folios";
	s->pfns_why = pw ? mt_arena_strndup(s->arena, pw, strlen(pw)) : NULL;
	s->kpageflags_why = kw ? mt_arena_strndup(s->arena, kw, strlen(kw))
			       : NULL;
	s->zero_page = c->kp.zero_page;
	s->huge_zero_page = c->kp.huge_zero_page;
	s->ro_thp_fs = c->ro_thp_fs;
}

/* Begin: the snapshot, its views and their reasons, and the system
 * counters (started on their own thread when that pays: *threaded). */
/* Does an mTHP size below the PMD size follow MADV_HUGEPAGE (madvise, or
 * inherit with the global madvise)? Then the verdicts at fault need the
 * VmFlags of private anonymous VMAs (why.h mt_why_mthp). */
static void read_mthp_advice(struct mt_scan_ctx *c, enum mt_thp_mode global)
{
	const char *dir = "kernel/mm/transparent_hugepage";
	char **names, rel[96];
	size_t n;
	unsigned pmd_kb = (c->page_size << c->pmd_order) >> 10;
	c->mthp_advice = false;
	if (mt_sysfs_list(&c->pf, dir, &names, &n) < 0)
		return;
	for (size_t i = 0; i < n && !c->mthp_advice; i++) {
		unsigned kb;
		char end;
		if (sscanf(names[i], "hugepages-%ukB%c", &kb, &end) != 1 ||
		    kb >= pmd_kb)
			continue;
		snprintf(rel, sizeof(rel), "%s/%s/enabled", dir, names[i]);
		if (mt_sysfs_read(&c->pf, rel, &c->status) < 0)
			continue;
		enum mt_thp_mode m =
			mt_thp_mode_parse(c->status.data, c->status.len);
		if (m == MT_THP_INHERIT)
			m = global;
		if (m == MT_THP_MADVISE || m == MT_THP_UNKNOWN)
			c->mthp_advice = true;
	}
	mt_free_names(names, n);
}

/* The system's side of the collapse rules, read at every scan. */
static void read_coll_env(struct mt_scan_ctx *c)
{
	struct mt_coll_env *e = &c->coll_env;
	char rel[96];
	e->page_shift = c->page_shift;
	e->pmd_order = c->pmd_order;
	e->ro_thp_fs = c->ro_thp_fs;
	e->kver = c->kver;
	e->shmem_enabled = e->shmem_pmd = MT_SHM_UNKNOWN;
	e->thp_mode = MT_THP_UNKNOWN;
	static const char *const lim[3] = {"max_ptes_none", "max_ptes_swap",
					   "max_ptes_shared"};
	uint64_t *limv[3] = {&e->max_none, &e->max_swap, &e->max_shared};
	for (int i = 0; i < 3; i++) {
		snprintf(rel, sizeof(rel),
			 "kernel/mm/transparent_hugepage/khugepaged/%s", lim[i]);
		if (mt_sysfs_read_u64(&c->pf, rel, limv[i]) < 0)
			*limv[i] = MT_UNKNOWN;
	}
	enum mt_thp_mode g = MT_THP_UNKNOWN, pmd = MT_THP_INHERIT;
	if (mt_sysfs_read(&c->pf, "kernel/mm/transparent_hugepage/enabled",
			  &c->status) == 0)
		g = mt_thp_mode_parse(c->status.data, c->status.len);
	snprintf(rel, sizeof(rel),
		 "kernel/mm/transparent_hugepage/hugepages-%ukB/enabled",
		 (c->page_size << c->pmd_order) >> 10);
	if (mt_sysfs_read(&c->pf, rel, &c->status) == 0)
		pmd = mt_thp_mode_parse(c->status.data, c->status.len);
	e->thp_mode = pmd == MT_THP_INHERIT ? g : pmd;
	if (e->thp_mode == MT_THP_INHERIT)
		e->thp_mode = MT_THP_UNKNOWN;
	if (mt_sysfs_read(&c->pf, "kernel/mm/transparent_hugepage/shmem_enabled",
			  &c->status) == 0)
		e->shmem_enabled =
			mt_shmem_mode_parse(c->status.data, c->status.len);
	snprintf(rel, sizeof(rel),
		 "kernel/mm/transparent_hugepage/hugepages-%ukB/shmem_enabled",
		 (c->page_size << c->pmd_order) >> 10);
	if (mt_sysfs_read(&c->pf, rel, &c->status) == 0)
		e->shmem_pmd = mt_shmem_mode_parse(c->status.data,
						   c->status.len);
	else if (e->shmem_enabled != MT_SHM_UNKNOWN)
		e->shmem_pmd = MT_SHM_INHERIT; /* before 6.11: no per size */
	read_mthp_advice(c, g);
}

static struct mt_snapshot *scan_begin(struct mt_scan_ctx *c,
				      const struct mt_scan_opts *o,
				      struct sys_job *job, pthread_t *thread,
				      bool *threaded)
{
	struct mt_snapshot *s = mt_snapshot_new();
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	s->time_ns = (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec;
	s->mono_ns = mt_now_ns();

	mt_intern_reset(&c->paths);
	mt_intern_reset(&c->hists);
	c->kept_vmas = 0;
	s->page_size = c->page_size;
	s->page_shift = c->page_shift;
	s->pmd_order = c->pmd_order;
	s->max_order = o->max_order_set ? o->max_order : c->pmd_order;
	if (s->max_order > MT_ORDER_LIMIT)
		s->max_order = MT_ORDER_LIMIT;
	s->nord = s->max_order + 1;
	set_views(c, o, s);
	if (o->collapsible)
		read_coll_env(c);
	mt_memcg_new_scan(c->memcg);
	s->sys_arena = mt_arena_new();
	*job = (struct sys_job){.r = c->sysr,
				.arena = s->sys_arena,
				.prev = c->prev ? c->prev->sys : NULL};
	*threaded = !mt_sysreader_warm(c->sysr) && sys_job_start(job, thread);
	if (!*threaded)
		sys_job_main(job);

	s->present_hist = mt_arena_alloc(s->arena, s->nord * sizeof(uint64_t));
	if (s->have_pfns)
		s->mappable_hist =
			mt_arena_alloc(s->arena, s->nord * sizeof(uint64_t));
	if (s->have_kpageflags) {
		s->folios = mt_arena_alloc(s->arena, sizeof(*s->folios));
		s->folio_cont_hist =
			mt_arena_alloc(s->arena, s->nord * sizeof(uint64_t));
	}
	if (s->have_kpageflags && !c->numa_loaded) {
		mt_numa_load(&c->numa, &c->pf, c->page_size);
		c->numa_loaded = true;
	}
	if (s->have_kpageflags && c->numa.nnodes) {
		s->nnodes = c->numa.nnodes;
		s->thp_node_pages =
			mt_arena_alloc(s->arena, s->nnodes * sizeof(uint64_t));
	}
	return s;
}

/* The pids to look at: those asked for with -p (sorted, without listing
 * every process), else every one in the proc root. */
static pid_t *scan_pids(struct mt_scan_ctx *c, const struct mt_scan_opts *o,
			struct mt_snapshot *s, size_t *npids)
{
	pid_t *pids = NULL;
	*npids = 0;
	if (o->npids) {
		pids = xmalloc(o->npids * sizeof(pid_t));
		for (size_t i = 0; i < o->npids; i++)
			if (!*npids || o->pids[i] != pids[*npids - 1])
				pids[(*npids)++] = o->pids[i];
	} else if (mt_procfs_list_pids(&c->pf, &pids, npids) < 0) {
		s->stats.errors++;
	}
	s->stats.listed = *npids;
	return pids;
}

/* Every process in turn, and the system-wide sums. */
static void scan_procs(struct mt_scan_ctx *c, const struct mt_scan_opts *o,
		       struct mt_snapshot *s, const pid_t *pids, size_t npids)
{
	struct scan_shared sh = {
		.zero_folios = mt_arena_alloc(s->arena, sizeof(struct mt_folio_stats)),
	};
	s->procs = mt_arena_alloc(s->arena,
				  (npids ? npids : 1) * sizeof(struct mt_proc));
	scan_sweep_plan(c, o, s);
	for (size_t i = 0; i < npids && !scan_cancelled(o); i++) {
		if (!pid_wanted(o, pids[i])) {
			s->stats.filtered++;
			continue;
		}
		struct mt_proc *p = &s->procs[s->nprocs];
		if (!scan_proc(c, s, o, pids[i], p, &sh))
			continue;
		s->nprocs++;
		s->present_pages += p->present_pages;
		scan_add_hist(s->present_hist, p->present_hist, s->nord);
		if (s->mappable_hist && p->mappable_hist)
			scan_add_hist(s->mappable_hist, p->mappable_hist, s->nord);
		if (s->folios && p->folios)
			mt_folio_add(s->folios, p->folios);
		if (s->folio_cont_hist && p->folio_cont_hist)
			scan_add_hist(s->folio_cont_hist, p->folio_cont_hist,
				      s->nord);
		for (unsigned n = 0; s->thp_node_pages && p->thp_node_pages &&
				     n < s->nnodes; n++)
			s->thp_node_pages[n] += p->thp_node_pages[n];
		if (!p->kthread && p->present_pages && p->exp_ns &&
		    (!s->exp_oldest_ns || p->exp_ns < s->exp_oldest_ns))
			s->exp_oldest_ns = p->exp_ns;
	}
}

/* End: the system counters joined, the figures of the scan itself, the
 * snapshot kept for the next scan's rates, big buffers let go. */
static void scan_end(struct mt_scan_ctx *c, struct mt_snapshot *s,
		     struct sys_job *job, pthread_t thread, bool threaded,
		     uint64_t t0)
{
	if (threaded)
		pthread_join(thread, NULL);
	s->sys = job->out;
	s->sys_cpu_ns = threaded ? job->cpu_ns : 0;
	s->thp_enabled = s->sys->thp_enabled;
	s->thp_defrag = s->sys->thp_defrag;
	mt_snapshot_unref(c->prev);
	c->prev = NULL;
	s->stats.scanned = s->nprocs;
	s->used_pagemap_scan = c->scan_ok == MT_TRI_YES;
	s->have_pmd_mapped = s->have_kpageflags ||
			     (!s->have_pfns && s->used_pagemap_scan);
	s->duration_ns = mt_now_ns() - t0;
	/* buffers sized by one huge process are not kept between scans */
	if (c->scratch_cap > 4096) {
		free(c->scratch);
		c->scratch = NULL;
		c->scratch_cap = 0;
	}
	if (c->maps.cap > (1u << 20))
		mt_buf_free(&c->maps);
	if (c->smaps.cap > (1u << 20))
		mt_buf_free(&c->smaps);
	mt_snapshot_ref(s);
	c->prev = s;
	/* the command lines of this scan's processes are kept, in pid
	 * order; those of processes gone go */
	cmd_free(c->cmd, c->ncmd);
	c->cmd = c->cmd_next;
	c->ncmd = c->nnext;
	c->cmd_next = NULL;
	c->nnext = c->cap_next = 0;
}

struct mt_snapshot *mt_scan(struct mt_scan_ctx *c,
			    const struct mt_scan_opts *o)
{
	uint64_t t0 = mt_now_ns();
	struct sys_job job;
	pthread_t thread;
	bool threaded;
	struct mt_snapshot *s = scan_begin(c, o, &job, &thread, &threaded);
	size_t npids;
	pid_t *pids = scan_pids(c, o, s, &npids);
	scan_procs(c, o, s, pids, npids);
	free(pids);
	scan_end(c, s, &job, thread, threaded, t0);
	return s;
}
