/*
 * recfmt.c - one snapshot as bytes, and back (record.h).
 *
 * Numbers are LEB128 varints (signed ones zigzagged), doubles their 8
 * bytes little-endian, strings a varint length + 1 (0: NULL) and the
 * bytes, optional arrays a flag and their entries. The fields go in a
 * fixed order, every figure the batch output and the viewer show.
 *
 * A process is two parts: its times (when its figures were read, and
 * what the walks cost; they differ at every scan) and its figures. When
 * its figures are byte for byte those of the previous frame's process
 * with the same pid and start time, the frame says so in a few bytes
 * instead: most processes of a machine do not change between two scans.
 *
 * The decoder trusts nothing: every length is checked against what is
 * left, every count against the bytes it needs, so that a damaged or
 * hostile file gives an error, never a crash or a huge allocation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtop/record.h"
#include "memtop/sysinfo.h"

/* ---- writing ---------------------------------------------------------- */

static void put_u(struct mt_buf *b, uint64_t v)
{
	mt_buf_reserve(b, 10);
	while (v >= 0x80) {
		b->data[b->len++] = (char)(v | 0x80);
		v >>= 7;
	}
	b->data[b->len++] = (char)v;
	b->data[b->len] = '\0';
}

static void put_i(struct mt_buf *b, int64_t v)
{
	put_u(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void put_f(struct mt_buf *b, double d)
{
	uint64_t u;
	unsigned char c[8];
	memcpy(&u, &d, sizeof(u));
	for (int i = 0; i < 8; i++)
		c[i] = (unsigned char)(u >> (8 * i));
	mt_buf_add(b, c, 8);
}

static void put_mem(struct mt_buf *b, const char *s, size_t n)
{
	if (!s) {
		put_u(b, 0);
		return;
	}
	put_u(b, (uint64_t)n + 1);
	mt_buf_add(b, s, n);
}

static void put_str(struct mt_buf *b, const char *s)
{
	put_mem(b, s, s ? strlen(s) : 0);
}

/* An optional array of n numbers, most of them zero (histograms, folio
 * counts): 0 for none, else the count of those that are not zero + 1,
 * then for each its distance from the one before (+ 1) and its value. */
static void put_arr(struct mt_buf *b, const uint64_t *h, size_t n)
{
	if (!h) {
		put_u(b, 0);
		return;
	}
	size_t nz = 0;
	for (size_t i = 0; i < n; i++)
		nz += h[i] != 0;
	put_u(b, nz + 1);
	size_t next = 0;
	for (size_t i = 0; i < n; i++) {
		if (!h[i])
			continue;
		put_u(b, i - next);
		put_u(b, h[i]);
		next = i + 1;
	}
}

/* The folio statistics are numbers only: one such array. */
#define FOLIO_WORDS (sizeof(struct mt_folio_stats) / sizeof(uint64_t))
_Static_assert(sizeof(struct mt_folio_stats) % sizeof(uint64_t) == 0,
	       "struct mt_folio_stats holds uint64_t only");

static void put_folios(struct mt_buf *b, const struct mt_folio_stats *f)
{
	uint64_t w[FOLIO_WORDS];
	if (f)
		memcpy(w, f, sizeof(w));
	put_arr(b, f ? w : NULL, FOLIO_WORDS);
}

static void put_counters(struct mt_buf *b, const struct mt_counter *c,
			 size_t n)
{
	put_u(b, c ? n : 0);
	for (size_t i = 0; c && i < n; i++) {
		put_str(b, c[i].key);
		put_u(b, c[i].value);
		put_f(b, c[i].rate);
		put_u(b, (unsigned)c[i].has_rate | (unsigned)c[i].reset << 1);
	}
}

static void put_sys(struct mt_buf *b, const struct mt_sysinfo *si)
{
	put_u(b, si != NULL);
	if (!si)
		return;
	put_u(b, si->mono_ns);
	put_f(b, si->interval_s);
	put_str(b, si->thp_enabled);
	put_str(b, si->thp_defrag);
	put_str(b, si->thp_shmem_enabled);
	put_counters(b, si->khugepaged, si->nkhugepaged);
	put_u(b, si->sizes ? si->nsizes : 0);
	for (size_t i = 0; si->sizes && i < si->nsizes; i++) {
		const struct mt_mthp_size *z = &si->sizes[i];
		put_u(b, z->kb);
		put_str(b, z->enabled);
		put_u(b, z->shmem_only);
		put_str(b, z->shmem_enabled);
		put_counters(b, z->stats, z->nstats);
	}
	put_counters(b, si->vmstat, si->nvmstat);
	put_counters(b, si->meminfo, si->nmeminfo);
	put_u(b, si->zones ? si->nzones : 0);
	for (size_t i = 0; si->zones && i < si->nzones; i++) {
		const struct mt_buddy_zone *z = &si->zones[i];
		put_i(b, z->node);
		put_str(b, z->zone);
		unsigned n = MT_MIN(z->norders, (unsigned)MT_BUDDY_ORDERS);
		put_u(b, n);
		for (unsigned o = 0; o < n; o++)
			put_u(b, z->free[o]);
	}
}

static unsigned blk_orders(const struct mt_snapshot *s)
{
	return MT_MIN(s->pmd_order, (unsigned)MT_BLK_ORDERS);
}

static void put_vma(struct mt_buf *b, const struct mt_snapshot *s,
		    const struct mt_vma *v)
{
	put_u(b, v->start);
	put_u(b, v->end - v->start);
	put_u(b, v->offset);
	put_u(b, v->inode);
	put_u(b, v->dev_major);
	put_u(b, v->dev_minor);
	put_str(b, v->perms);
	put_u(b, (unsigned)v->kind);
	put_u(b, (unsigned)v->file_backed | (unsigned)v->maybe_pfnmap << 1 |
			 (unsigned)v->khp_mode_off << 2 |
			 (unsigned)v->sysv << 3 | (unsigned)v->posix_shm << 4 |
			 (unsigned)v->has_smaps << 5 |
			 (unsigned)v->vmflags_known << 6);
	put_mem(b, v->path ? v->path : "", v->path ? v->path_len : 0);
	put_u(b, v->present_pages);
	put_u(b, v->swapped_pages);
	put_u(b, v->zero_pages);
	put_arr(b, v->present_hist, s->nord);
	put_arr(b, v->mappable_hist, s->nord);
	put_arr(b, v->folio_cont_hist, s->nord);
	put_folios(b, v->folios);
	put_u(b, v->pmd_slots);
	put_u(b, v->pmd_full);
	put_u(b, v->pmd_touched);
	put_u(b, v->pmd_mapped);
	put_u(b, v->pmd_collapsible);
	put_u(b, v->pmd_populated);
	put_u(b, v->pmd_khugepaged);
	put_u(b, v->pmd_holed);
	put_u(b, v->holes_missing);
	put_u(b, v->pmd_over_none);
	put_u(b, v->khp_fit);
	put_u(b, v->khp_unsure);
	put_u(b, v->full_over);
	put_u(b, v->full_unknown);
	put_u(b, v->coll_why);
	put_u(b, v->shm_mode);
	put_u(b, v->shm_src);
	put_arr(b, v->blk_populated, blk_orders(s));
	put_u(b, v->smaps_rss_kb);
	put_u(b, v->smaps_anon_huge_kb);
	put_i(b, v->thp_eligible);
	put_u(b, v->vmflags);
}

static void put_sums(struct mt_buf *b, const struct mt_snapshot *s,
		     const struct mt_sums *f)
{
	put_u(b, f->present_pages);
	put_u(b, f->swapped_pages);
	put_u(b, f->zero_pages);
	put_u(b, f->pmd_full);
	put_u(b, f->pmd_mapped);
	put_u(b, f->pmd_collapsible);
	put_arr(b, f->present_hist, s->nord);
	put_arr(b, f->mappable_hist, s->nord);
	put_arr(b, f->folio_cont_hist, s->nord);
	put_folios(b, f->folios);
}

/* A process's figures: everything but its times. */
static void put_proc(struct mt_buf *b, const struct mt_snapshot *s,
		     const struct mt_proc *p)
{
	put_u(b, (uint64_t)p->pid);
	put_u(b, (uint64_t)p->ppid);
	put_u(b, p->uid);
	put_str(b, p->comm);
	put_mem(b, p->cmdline, p->cmdline_len);
	put_str(b, p->user);
	put_str(b, p->cgroup);
	put_u(b, p->memcg_room);
	put_u(b, (unsigned)p->kthread | (unsigned)p->has_smaps << 1);
	put_u(b, p->status_rss_kb);
	put_u(b, p->present_pages);
	put_u(b, p->swapped_pages);
	put_u(b, p->zero_pages);
	put_u(b, p->pmd_slots);
	put_u(b, p->pmd_full);
	put_u(b, p->pmd_touched);
	put_u(b, p->pmd_mapped);
	put_u(b, p->pmd_collapsible);
	put_u(b, p->pmd_khugepaged);
	put_i(b, p->thp_enabled);
	put_arr(b, p->present_hist, s->nord);
	put_arr(b, p->mappable_hist, s->nord);
	put_arr(b, p->folio_cont_hist, s->nord);
	put_folios(b, p->folios);
	put_arr(b, p->thp_node_pages, s->nnodes);
	put_sums(b, s, &p->file);
	put_u(b, p->start_time);
	put_u(b, p->vma_count);
	put_u(b, p->vmas ? p->nvmas : 0);
	for (size_t i = 0; p->vmas && i < p->nvmas; i++)
		put_vma(b, s, &p->vmas[i]);
}

/* When its figures were read, against the scan's start (often the same:
 * one byte). */
static void put_time(struct mt_buf *b, uint64_t t, uint64_t base)
{
	put_i(b, t ? (int64_t)(t - base + 1) : 0);
}

static void put_times(struct mt_buf *b, const struct mt_snapshot *s,
		      const struct mt_proc *p)
{
	put_time(b, p->exp_ns, s->mono_ns);
	put_time(b, p->walk_ns, s->mono_ns);
	put_u(b, p->exp_cost_ns);
	put_u(b, p->walk_cost_ns);
	size_t n = p->vmas ? p->nvmas : 0;
	put_u(b, n);
	for (size_t i = 0; i < n; i++)
		put_time(b, p->vmas[i].exp_ns, p->exp_ns);
}

void mt_rec_prev_free(struct mt_rec_prev *p)
{
	mt_buf_free(&p->bytes);
	free(p->procs);
	mt_buf_free(&p->spare_bytes);
	free(p->spare_procs);
	memset(p, 0, sizeof(*p));
}

static void prev_add(struct mt_rec_prev *p, pid_t pid, uint64_t start,
		     size_t off, size_t len)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 256;
		p->procs = xrealloc(p->procs, p->cap * sizeof(*p->procs));
	}
	p->procs[p->n++] = (struct mt_rec_prev_proc){pid, start, off, len};
}

/* The previous frame's process with this pid and start time (both lists
 * are in pid order: *hint walks forward), or -1. */
static long prev_find(const struct mt_rec_prev *p, size_t *hint, pid_t pid,
		      uint64_t start)
{
	while (*hint < p->n && p->procs[*hint].pid < pid)
		(*hint)++;
	if (*hint < p->n && p->procs[*hint].pid == pid &&
	    p->procs[*hint].start_time == start)
		return (long)*hint;
	return -1;
}

void mt_rec_encode(struct mt_buf *out, const struct mt_snapshot *s,
		   struct mt_rec_prev *prev, bool key)
{
	put_u(out, s->time_ns);
	put_u(out, s->mono_ns);
	put_u(out, s->duration_ns);
	put_u(out, s->cpu_ns);
	put_u(out, s->sys_cpu_ns);
	put_u(out, s->next_ms);
	put_u(out, s->page_size);
	put_u(out, s->pmd_order);
	put_u(out, s->max_order);
	put_u(out, s->nnodes);
	put_u(out, (unsigned)s->have_pfns | (unsigned)s->have_kpageflags << 1 |
			   (unsigned)s->used_pagemap_scan << 2 |
			   (unsigned)s->have_pmd_mapped << 3 |
			   (unsigned)s->priority << 4);
	put_str(out, s->pfns_why);
	put_str(out, s->kpageflags_why);
	put_i(out, s->zero_page);
	put_i(out, s->huge_zero_page);
	put_i(out, s->ro_thp_fs);
	put_str(out, s->thp_enabled);
	put_str(out, s->thp_defrag);
	const struct mt_scan_stats *st = &s->stats;
	uint64_t stats[] = {st->listed, st->scanned, st->denied, st->vanished,
			    st->kthreads, st->pagemap_denied, st->bad_lines,
			    st->errors, st->filtered, st->pagemap_entries,
			    st->scan_ioctls, s->exp_prio, s->exp_fresh,
			    s->exp_swept, s->exp_carried, s->exp_unread,
			    s->walk_carried, s->exp_vmas, s->exp_vmas_ns,
			    s->exp_oldest_ns, s->sweep_cpu_ns};
	for (size_t i = 0; i < MT_ARRAY_SIZE(stats); i++)
		put_u(out, stats[i]);
	put_sys(out, s->sys);
	put_u(out, s->present_pages);
	put_arr(out, s->present_hist, s->nord);
	put_arr(out, s->mappable_hist, s->nord);
	put_arr(out, s->folio_cont_hist, s->nord);
	put_folios(out, s->folios);
	put_arr(out, s->thp_node_pages, s->nnodes);

	/* the processes: times, then the figures or a reference; next
	 * in the buffers of the frame before prev */
	struct mt_rec_prev next = {.bytes = prev->spare_bytes,
				   .procs = prev->spare_procs,
				   .cap = prev->spare_cap};
	mt_buf_reset(&next.bytes);
	struct mt_buf fig = {0};
	size_t hint = 0;
	put_u(out, s->nprocs);
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct mt_proc *p = &s->procs[i];
		put_times(out, s, p);
		mt_buf_reset(&fig);
		put_proc(&fig, s, p);
		long k = key ? -1 : prev_find(prev, &hint, p->pid, p->start_time);
		if (k >= 0 && prev->procs[k].len == fig.len &&
		    !memcmp(prev->bytes.data + prev->procs[k].off, fig.data,
			    fig.len)) {
			put_u(out, (uint64_t)k + 1);
		} else {
			put_u(out, 0);
			put_u(out, fig.len);
			mt_buf_add(out, fig.data, fig.len);
		}
		prev_add(&next, p->pid, p->start_time, next.bytes.len, fig.len);
		mt_buf_add(&next.bytes, fig.data, fig.len);
	}
	mt_buf_free(&fig);
	next.spare_bytes = prev->bytes;
	next.spare_procs = prev->procs;
	next.spare_cap = prev->cap;
	*prev = next;
}

/* ---- reading ---------------------------------------------------------- */

struct rd {
	const unsigned char *p, *end;
	struct mt_arena *a;
	const char *bad; /* the first problem */
	size_t *room;    /* bytes its arrays may still take (shared) */
};

static void fail(struct rd *r, const char *why)
{
	if (!r->bad)
		r->bad = why;
	r->p = r->end;
}

static uint64_t get_u(struct rd *r)
{
	uint64_t v = 0;
	for (unsigned sh = 0; sh < 64; sh += 7) {
		if (r->p >= r->end) {
			fail(r, "cut short");
			return 0;
		}
		unsigned char c = *r->p++;
		if (sh == 63 && c > 1) {
			fail(r, "a number out of range");
			return 0;
		}
		v |= (uint64_t)(c & 0x7f) << sh;
		if (!(c & 0x80))
			return v;
	}
	fail(r, "a number out of range");
	return 0;
}

static int64_t get_i(struct rd *r)
{
	uint64_t u = get_u(r);
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* A small number: at most max. */
static uint64_t get_small(struct rd *r, uint64_t max)
{
	uint64_t v = get_u(r);
	if (v > max) {
		fail(r, "a field out of range");
		return 0;
	}
	return v;
}

static enum mt_tri get_tri(struct rd *r)
{
	int64_t v = get_i(r);
	if (v < -1 || v > 1)
		fail(r, "a field out of range");
	return v < 0 ? MT_TRI_UNKNOWN : v ? MT_TRI_YES : MT_TRI_NO;
}

static double get_f(struct rd *r)
{
	if (r->end - r->p < 8) {
		fail(r, "cut short");
		return 0;
	}
	uint64_t u = 0;
	for (int i = 0; i < 8; i++)
		u |= (uint64_t)r->p[i] << (8 * i);
	r->p += 8;
	double d;
	memcpy(&d, &u, sizeof(d));
	return d;
}

/* A count of things each taking at least min_bytes. */
static size_t get_count(struct rd *r, size_t min_bytes)
{
	uint64_t n = get_u(r);
	if (n > (uint64_t)(r->end - r->p) / (min_bytes ? min_bytes : 1)) {
		fail(r, "a count larger than the data");
		return 0;
	}
	return (size_t)n;
}

static const char *get_mem(struct rd *r, size_t *len)
{
	uint64_t n = get_u(r);
	if (len)
		*len = 0;
	if (!n)
		return NULL;
	n--;
	if (n > (uint64_t)(r->end - r->p)) {
		fail(r, "a string longer than the data");
		return NULL;
	}
	char *s = mt_arena_strndup(r->a, (const char *)r->p, (size_t)n);
	r->p += n;
	if (len)
		*len = (size_t)n;
	return s;
}

static const char *get_str(struct rd *r)
{
	return get_mem(r, NULL);
}

/* A string that must be there ("" for a damaged NULL). */
static const char *get_str_nn(struct rd *r)
{
	const char *s = get_str(r);
	return s ? s : "";
}

/* put_arr's array into out[0..n) (zeroed); false when there is none. */
static bool get_arr_into(struct rd *r, uint64_t *out, size_t n)
{
	uint64_t nz = get_small(r, (uint64_t)n + 1);
	if (!nz)
		return false;
	size_t at = 0;
	for (uint64_t k = 1; k < nz && !r->bad; k++) {
		uint64_t gap = get_u(r);
		if (gap >= n - at) {
			fail(r, "an array entry out of range");
			return true;
		}
		at += (size_t)gap;
		out[at++] = get_u(r);
	}
	return true;
}

static uint64_t *get_arr(struct rd *r, size_t n)
{
	if (r->p < r->end && *r->p == 0) { /* none */
		r->p++;
		return NULL;
	}
	/* a few bytes stand for many zeros: what the arrays of one frame
	 * may take is bounded (a hostile file gets an error, not all the
	 * memory) */
	size_t bytes = (n ? n : 1) * sizeof(uint64_t);
	if (bytes > *r->room) {
		fail(r, "more figures than a frame of its size holds");
		return NULL;
	}
	*r->room -= bytes;
	uint64_t *h = mt_arena_alloc(r->a, bytes);
	if (!get_arr_into(r, h, n))
		return NULL;
	return h;
}

static struct mt_folio_stats *get_folios(struct rd *r)
{
	uint64_t w[FOLIO_WORDS];
	memset(w, 0, sizeof(w));
	if (!get_arr_into(r, w, FOLIO_WORDS))
		return NULL;
	struct mt_folio_stats *f = mt_arena_alloc(r->a, sizeof(*f));
	memcpy(f, w, sizeof(w));
	return f;
}

static struct mt_counter *get_counters(struct rd *r, size_t *n)
{
	*n = get_count(r, 11);
	struct mt_counter *c = mt_arena_alloc(r->a, (*n ? *n : 1) * sizeof(*c));
	for (size_t i = 0; i < *n; i++) {
		c[i].key = get_str_nn(r);
		c[i].value = get_u(r);
		c[i].rate = get_f(r);
		unsigned fl = (unsigned)get_small(r, 3);
		c[i].has_rate = fl & 1;
		c[i].reset = fl >> 1 & 1;
	}
	return c;
}

static const struct mt_sysinfo *get_sys(struct rd *r)
{
	if (!get_small(r, 1))
		return NULL;
	struct mt_sysinfo *si = mt_arena_alloc(r->a, sizeof(*si));
	si->mono_ns = get_u(r);
	si->interval_s = get_f(r);
	si->thp_enabled = get_str_nn(r);
	si->thp_defrag = get_str_nn(r);
	si->thp_shmem_enabled = get_str_nn(r);
	si->khugepaged = get_counters(r, &si->nkhugepaged);
	si->nsizes = get_count(r, 6);
	si->sizes = mt_arena_alloc(r->a, (si->nsizes ? si->nsizes : 1) *
						 sizeof(*si->sizes));
	for (size_t i = 0; i < si->nsizes; i++) {
		struct mt_mthp_size *z = &si->sizes[i];
		z->kb = get_u(r);
		z->enabled = get_str_nn(r);
		z->shmem_only = get_small(r, 1);
		z->shmem_enabled = get_str(r);
		z->stats = get_counters(r, &z->nstats);
	}
	si->vmstat = get_counters(r, &si->nvmstat);
	si->meminfo = get_counters(r, &si->nmeminfo);
	si->nzones = get_count(r, 3);
	si->zones = mt_arena_alloc(r->a, (si->nzones ? si->nzones : 1) *
						 sizeof(*si->zones));
	for (size_t i = 0; i < si->nzones; i++) {
		struct mt_buddy_zone *z = &si->zones[i];
		int64_t node = get_i(r);
		if (node < -1 || node > 65535)
			fail(r, "a NUMA node out of range");
		z->node = (int)node;
		z->zone = get_str_nn(r);
		z->norders = (unsigned)get_small(r, MT_BUDDY_ORDERS);
		for (unsigned o = 0; o < z->norders; o++)
			z->free[o] = get_u(r);
	}
	return si;
}

static void get_vma(struct rd *r, const struct mt_snapshot *s,
		    struct mt_vma *v)
{
	v->start = get_u(r);
	uint64_t size = get_u(r);
	if (size > UINT64_MAX - v->start)
		fail(r, "a VMA past the end of the address space");
	v->end = v->start + size;
	v->offset = get_u(r);
	v->inode = get_u(r);
	v->dev_major = (unsigned)get_small(r, UINT32_MAX);
	v->dev_minor = (unsigned)get_small(r, UINT32_MAX);
	size_t pl;
	const char *perms = get_mem(r, &pl);
	if (!perms || pl > 4)
		fail(r, "bad VMA permissions");
	else
		memcpy(v->perms, perms, pl + 1);
	v->kind = (enum mt_vma_kind)get_small(r, MT_KIND_COUNT - 1);
	unsigned fl = (unsigned)get_small(r, 127);
	v->file_backed = fl & 1;
	v->maybe_pfnmap = fl >> 1 & 1;
	v->khp_mode_off = fl >> 2 & 1;
	v->sysv = fl >> 3 & 1;
	v->posix_shm = fl >> 4 & 1;
	v->has_smaps = fl >> 5 & 1;
	v->vmflags_known = fl >> 6 & 1;
	v->path = get_mem(r, &v->path_len);
	if (!v->path)
		v->path = "";
	v->present_pages = get_u(r);
	v->swapped_pages = get_u(r);
	v->zero_pages = get_u(r);
	v->present_hist = get_arr(r, s->nord);
	if (!v->present_hist) /* always there, as a process's */
		v->present_hist =
			mt_arena_alloc(r->a, s->nord * sizeof(uint64_t));
	v->mappable_hist = get_arr(r, s->nord);
	v->folio_cont_hist = get_arr(r, s->nord);
	v->folios = get_folios(r);
	v->pmd_slots = get_u(r);
	v->pmd_full = get_u(r);
	v->pmd_touched = get_u(r);
	v->pmd_mapped = get_u(r);
	v->pmd_collapsible = get_u(r);
	v->pmd_populated = get_u(r);
	v->pmd_khugepaged = get_u(r);
	v->pmd_holed = get_u(r);
	v->holes_missing = get_u(r);
	v->pmd_over_none = get_u(r);
	v->khp_fit = get_u(r);
	v->khp_unsure = get_u(r);
	v->full_over = get_u(r);
	v->full_unknown = get_u(r);
	v->coll_why = (unsigned char)get_small(r, 255);
	v->shm_mode = (unsigned char)get_small(r, 255);
	v->shm_src = (unsigned char)get_small(r, 255);
	v->blk_populated = get_arr(r, blk_orders(s));
	v->smaps_rss_kb = get_u(r);
	v->smaps_anon_huge_kb = get_u(r);
	v->thp_eligible = get_tri(r);
	v->vmflags = (unsigned)get_small(r, UINT32_MAX);
}

static void get_sums(struct rd *r, const struct mt_snapshot *s,
		     struct mt_sums *f)
{
	f->present_pages = get_u(r);
	f->swapped_pages = get_u(r);
	f->zero_pages = get_u(r);
	f->pmd_full = get_u(r);
	f->pmd_mapped = get_u(r);
	f->pmd_collapsible = get_u(r);
	f->present_hist = get_arr(r, s->nord);
	f->mappable_hist = get_arr(r, s->nord);
	f->folio_cont_hist = get_arr(r, s->nord);
	f->folios = get_folios(r);
}

static void get_proc(struct rd *r, const struct mt_snapshot *s,
		     struct mt_proc *p)
{
	p->pid = (pid_t)get_small(r, INT32_MAX);
	p->ppid = (pid_t)get_small(r, INT32_MAX);
	p->uid = (uid_t)get_small(r, UINT32_MAX);
	p->comm = get_str_nn(r);
	p->cmdline = get_mem(r, &p->cmdline_len);
	p->user = get_str_nn(r);
	p->cgroup = get_str(r);
	p->memcg_room = get_u(r);
	unsigned fl = (unsigned)get_small(r, 3);
	p->kthread = fl & 1;
	p->has_smaps = fl >> 1 & 1;
	p->status_rss_kb = get_u(r);
	p->present_pages = get_u(r);
	p->swapped_pages = get_u(r);
	p->zero_pages = get_u(r);
	p->pmd_slots = get_u(r);
	p->pmd_full = get_u(r);
	p->pmd_touched = get_u(r);
	p->pmd_mapped = get_u(r);
	p->pmd_collapsible = get_u(r);
	p->pmd_khugepaged = get_u(r);
	p->thp_enabled = get_tri(r);
	p->present_hist = get_arr(r, s->nord);
	if (!p->present_hist) /* always there: the sums start from it */
		p->present_hist =
			mt_arena_alloc(r->a, s->nord * sizeof(uint64_t));
	p->mappable_hist = get_arr(r, s->nord);
	p->folio_cont_hist = get_arr(r, s->nord);
	p->folios = get_folios(r);
	p->thp_node_pages = get_arr(r, s->nnodes);
	get_sums(r, s, &p->file);
	p->start_time = get_u(r);
	p->vma_count = (size_t)get_small(r, SIZE_MAX);
	p->nvmas = get_count(r, 40);
	p->vmas = p->nvmas ? mt_arena_alloc(r->a, p->nvmas * sizeof(*p->vmas))
			   : NULL;
	for (size_t i = 0; i < p->nvmas && !r->bad; i++)
		get_vma(r, s, &p->vmas[i]);
}

static uint64_t get_time(struct rd *r, uint64_t base)
{
	int64_t d = get_i(r);
	return d ? base + (uint64_t)d - 1 : 0;
}

struct times {
	uint64_t exp_ns, walk_ns, exp_cost_ns, walk_cost_ns;
};

struct mt_snapshot *mt_rec_decode(const void *data, size_t len,
				  struct mt_rec_prev *prev, bool key,
				  char *err, size_t errlen)
{
	struct mt_snapshot *s = mt_snapshot_new();
	/* decoded, the arrays take at most 1 KiB an encoded byte (a folio
	 * statistic of 704 bytes is a few bytes encoded) */
	size_t room = (len < SIZE_MAX / 2048 ? len * 1024 : SIZE_MAX / 2) +
		      (16u << 20);
	struct rd r = {data, (const unsigned char *)data + len, s->arena, NULL,
		       &room};
	s->time_ns = get_u(&r);
	s->mono_ns = get_u(&r);
	s->duration_ns = get_u(&r);
	s->cpu_ns = get_u(&r);
	s->sys_cpu_ns = get_u(&r);
	s->next_ms = get_u(&r);
	s->page_size = (unsigned)get_u(&r);
	s->pmd_order = (unsigned)get_small(&r, 30);
	s->max_order = (unsigned)get_small(&r, MT_ORDER_LIMIT);
	s->nord = s->max_order + 1;
	s->nnodes = (unsigned)get_small(&r, 1024); /* MAX_NUMNODES */
	if (s->page_size < 512 || (s->page_size & (s->page_size - 1)))
		fail(&r, "a page size that is no power of two");
	s->page_shift = mt_log2(s->page_size ? s->page_size : 1);
	unsigned fl = (unsigned)get_small(&r, 31);
	s->have_pfns = fl & 1;
	s->have_kpageflags = fl >> 1 & 1;
	s->used_pagemap_scan = fl >> 2 & 1;
	s->have_pmd_mapped = fl >> 3 & 1;
	s->priority = fl >> 4 & 1;
	s->pfns_why = get_str(&r);
	s->kpageflags_why = get_str(&r);
	s->zero_page = get_tri(&r);
	s->huge_zero_page = get_tri(&r);
	s->ro_thp_fs = get_tri(&r);
	s->thp_enabled = get_str_nn(&r);
	s->thp_defrag = get_str_nn(&r);
	struct mt_scan_stats *st = &s->stats;
	size_t *sz[] = {&st->listed, &st->scanned, &st->denied, &st->vanished,
			&st->kthreads, &st->pagemap_denied, &st->bad_lines,
			&st->errors, &st->filtered};
	for (size_t i = 0; i < MT_ARRAY_SIZE(sz); i++)
		*sz[i] = (size_t)get_u(&r);
	st->pagemap_entries = get_u(&r);
	st->scan_ioctls = get_u(&r);
	size_t *ex[] = {&s->exp_prio, &s->exp_fresh, &s->exp_swept,
			&s->exp_carried, &s->exp_unread, &s->walk_carried,
			&s->exp_vmas};
	for (size_t i = 0; i < MT_ARRAY_SIZE(ex); i++)
		*ex[i] = (size_t)get_u(&r);
	s->exp_vmas_ns = get_u(&r);
	s->exp_oldest_ns = get_u(&r);
	s->sweep_cpu_ns = get_u(&r);
	s->sys = get_sys(&r);
	s->present_pages = get_u(&r);
	s->present_hist = get_arr(&r, s->nord);
	s->mappable_hist = get_arr(&r, s->nord);
	s->folio_cont_hist = get_arr(&r, s->nord);
	s->folios = get_folios(&r);
	s->thp_node_pages = get_arr(&r, s->nnodes);
	if (!s->present_hist)
		s->present_hist = mt_arena_alloc(s->arena,
						 s->nord * sizeof(uint64_t));

	struct mt_rec_prev next = {0};
	/* each process of the previous frame is referred to once at most:
	 * what references decode to is bounded by what that frame held */
	unsigned char *used = xcalloc(prev->n ? prev->n : 1, 1);
	s->nprocs = get_count(&r, 3);
	s->procs = mt_arena_alloc(s->arena,
				  (s->nprocs ? s->nprocs : 1) * sizeof(*s->procs));
	for (size_t i = 0; i < s->nprocs && !r.bad; i++) {
		struct mt_proc *p = &s->procs[i];
		struct times t;
		t.exp_ns = get_time(&r, s->mono_ns);
		t.walk_ns = get_time(&r, s->mono_ns);
		t.exp_cost_ns = get_u(&r);
		t.walk_cost_ns = get_u(&r);
		/* the VMAs' times: their count, then one each (read once
		 * the VMAs are there) */
		const unsigned char *fig;
		size_t flen;
		uint64_t nvt = get_count(&r, 1);
		const unsigned char *vt = r.p;
		for (uint64_t k = 0; k < nvt && !r.bad; k++)
			(void)get_i(&r);
		uint64_t tag = get_u(&r);
		if (tag == 0) {
			flen = get_count(&r, 1);
			fig = r.p;
			r.p += flen;
		} else if (!key && tag - 1 < prev->n && !used[tag - 1]) {
			const struct mt_rec_prev_proc *pp = &prev->procs[tag - 1];
			used[tag - 1] = 1;
			fig = (const unsigned char *)prev->bytes.data + pp->off;
			flen = pp->len;
			/* its figures were bytes of an earlier frame */
			room += MT_MIN(flen, SIZE_MAX / 4096) * 1024;
		} else {
			fail(&r, key ? "a reference in a key frame"
			     : tag - 1 < prev->n ? "a process referred to twice"
						 : "a reference to no process");
			break;
		}
		struct rd fr = {fig, fig + flen, s->arena, NULL, &room};
		get_proc(&fr, s, p);
		if (fr.bad || fr.p != fr.end) {
			fail(&r, fr.bad ? fr.bad : "a process longer than said");
			break;
		}
		if (nvt != p->nvmas) {
			fail(&r, "VMA times that do not match the VMAs");
			break;
		}
		p->exp_ns = t.exp_ns;
		p->walk_ns = t.walk_ns;
		p->exp_cost_ns = t.exp_cost_ns;
		p->walk_cost_ns = t.walk_cost_ns;
		struct rd tr = {vt, r.end, s->arena, NULL, &room};
		for (size_t k = 0; k < p->nvmas; k++)
			p->vmas[k].exp_ns = get_time(&tr, p->exp_ns);
		prev_add(&next, p->pid, p->start_time, next.bytes.len, flen);
		mt_buf_add(&next.bytes, fig, flen);
	}
	free(used);
	if (!r.bad && r.p != r.end)
		fail(&r, "bytes after the last process");
	if (r.bad) {
		snprintf(err, errlen, "%s", r.bad);
		mt_rec_prev_free(&next);
		mt_snapshot_unref(s);
		return NULL;
	}
	mt_rec_prev_free(prev);
	*prev = next;
	return s;
}
