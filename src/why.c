/*
 * why.c - the reason codes of why.h: one table, and the rules that pick
 * the reasons holding for a VMA.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "memtop/snapshot.h"
#include "memtop/sysinfo.h"
#include "memtop/why.h"

const struct mt_why_def mt_why_table[MT_WHY_COUNT] = {
	[MT_WHY_THP_DISABLED] = {"thp_disabled",
		"the process turned huge pages off with PR_SET_THP_DISABLE "
		"(THP_enabled: {0})"},
	[MT_WHY_VMA_TYPE] = {"vma_type",
		"the kernel uses no huge pages in this kind of mapping (I/O, "
		"PFN, mixed, hugetlb or fixed-size; VmFlags bits {0})"},
	[MT_WHY_NOHUGEPAGE] = {"nohugepage",
		"the mapping was advised MADV_NOHUGEPAGE ({0} PMD slots)"},
	[MT_WHY_USERFAULTFD] = {"userfaultfd",
		"userfaultfd is armed on the mapping: khugepaged takes no slot "
		"with an empty page there ({0} PMD slots)"},
	[MT_WHY_FILE_NO_THP] = {"file_no_thp",
		"a regular file: this kernel has no huge pages for the page "
		"cache of such files without CONFIG_READ_ONLY_THP_FOR_FS "
		"({0} PMD slots)"},
	[MT_WHY_SHMEM_DENIED] = {"shmem_denied",
		"shared memory: shmem_enabled does not allow PMD-sized huge "
		"pages here ({0} PMD slots)"},
	[MT_WHY_SHMEM_OFF] = {"shmem_off",
		"shared memory: {s} gives it no huge pages at fault or from "
		"khugepaged; MADV_COLLAPSE still can ({0} PMD slots)"},
	[MT_WHY_TMPFS_HUGE] = {"tmpfs_huge",
		"a tmpfs file whose mount has huge={s}: no huge pages at "
		"fault or from khugepaged; MADV_COLLAPSE still can ({0} PMD "
		"slots)"},
	[MT_WHY_THP_NEVER] = {"thp_never",
		"transparent_hugepage/enabled is never: no huge page at fault "
		"or from khugepaged ({0} PMD slots)"},
	[MT_WHY_NOT_ADVISED] = {"not_advised",
		"enabled is madvise and the mapping has no MADV_HUGEPAGE: no "
		"huge page at fault or from khugepaged ({0} PMD slots)"},
	[MT_WHY_NO_SLOT] = {"no_slot",
		"no naturally aligned PMD-sized slot lies wholly inside the "
		"mapping ({0} pages; a slot is {1} pages)"},
	[MT_WHY_FILE_MISALIGNED] = {"file_misaligned",
		"the file offset is {0} pages out of step with the address "
		"modulo {1} pages: mapping it {0} pages lower, or {2} pages "
		"higher, would align it"},
	[MT_WHY_HOLES] = {"holes",
		"{1} of {2} PMD slots with pages have holes ({0} pages "
		"missing); {3} are over max_ptes_none ({4})"},
	[MT_WHY_FRAGMENTED] = {"fragmented",
		"only {0}% of free memory is in blocks of a PMD or more ({1} "
		"of {2} free pages)"},
	[MT_WHY_FALLBACKS] = {"fallbacks",
		"page faults fell back from a PMD-sized huge page {0} times a "
		"minute over the last interval (thp_fault_fallback)"},
	[MT_WHY_MEMCG_LIMIT] = {"memcg_limit",
		"the process's memory cgroup has {0} KiB left under its "
		"limit, less than one PMD-sized page ({1} KiB): faults fall "
		"back to small pages unless memory is reclaimed"},
	[MT_WHY_MEMCG_FALLBACKS] = {"memcg_fallbacks",
		"page faults fell back from a PMD-sized huge page because a "
		"memory cgroup could not be charged for it {0} times a minute "
		"over the last interval (thp_fault_fallback_charge)"},
	[MT_WHY_KHUGEPAGED_PACE] = {"khugepaged_pace",
		"khugepaged scans {1} pages every {2} ms: one pass over the "
		"{3} pages it may collapse takes about {0} s"},
	[MT_WHY_MTHP_OFF] = {"mthp_off",
		"no folios of this size at fault here: {s}"},
	[MT_WHY_MTHP_NO_BLOCK] = {"mthp_no_block",
		"no naturally aligned block of this size ({1} pages) lies "
		"wholly inside the mapping"},
	[MT_WHY_MTHP_FILLED] = {"mthp_filled",
		"each of the {0} aligned blocks of this size has a page "
		"mapped already: a fault gets a smaller folio"},
};

const char *mt_why_name(enum mt_why_code c)
{
	return (unsigned)c < MT_WHY_COUNT ? mt_why_table[c].code : "unknown";
}

void mt_why_text(const struct mt_why *w, char *buf, size_t len)
{
	if (!len)
		return;
	const char *t = (unsigned)w->code < MT_WHY_COUNT
				? mt_why_table[w->code].text : "";
	size_t o = 0;
	for (; *t && o + 1 < len; t++) {
		if (t[0] == '{' && t[1] == 's' && t[2] == '}') {
			const char *q = w->s ? w->s : "?";
			for (; *q && o + 1 < len; q++)
				buf[o++] = *q;
			t += 2;
			continue;
		}
		if (t[0] == '{' && t[1] >= '0' && t[1] <= '4' && t[2] == '}') {
			uint64_t v = w->a[t[1] - '0'];
			char num[24];
			if (v == MT_UNKNOWN)
				snprintf(num, sizeof(num), "?");
			else
				snprintf(num, sizeof(num), "%" PRIu64, v);
			for (const char *q = num; *q && o + 1 < len; q++)
				buf[o++] = *q;
			t += 2;
			continue;
		}
		buf[o++] = *t;
	}
	buf[o] = 0;
}

static void add(struct mt_why *out, size_t max, size_t *n,
		enum mt_why_code c, uint64_t a0, uint64_t a1, uint64_t a2,
		uint64_t a3, uint64_t a4)
{
	if (*n < max)
		out[*n] = (struct mt_why){c, {a0, a1, a2, a3, a4}, NULL};
	(*n)++;
}

size_t mt_why_list(const struct mt_why_in *in, struct mt_why *out,
		   size_t max)
{
	size_t n = 0;
	bool blocked = false;
	uint64_t slots = in->slots;
	if (in->thp_enabled == MT_TRI_NO) {
		add(out, max, &n, MT_WHY_THP_DISABLED, 0, 0, 0, 0, 0);
		blocked = true;
	}
	if (in->vmflags_known) {
		unsigned special = in->vmflags & (MT_VMF_IO | MT_VMF_PF |
						  MT_VMF_MM | MT_VMF_DE |
						  MT_VMF_HT);
		if (special) {
			add(out, max, &n, MT_WHY_VMA_TYPE, special, 0, 0, 0, 0);
			blocked = true;
		}
		if (in->vmflags & MT_VMF_NH) {
			add(out, max, &n, MT_WHY_NOHUGEPAGE, slots, 0, 0, 0, 0);
			blocked = true;
		}
		if (in->vmflags & MT_VMF_UFFD)
			add(out, max, &n, MT_WHY_USERFAULTFD, slots, 0, 0, 0, 0);
	}
	if (in->coll_why == MT_COLL_FILE) {
		add(out, max, &n, MT_WHY_FILE_NO_THP, slots, 0, 0, 0, 0);
		blocked = true;
	}
	if (in->coll_why == MT_COLL_SHMEM_OFF) {
		add(out, max, &n, MT_WHY_SHMEM_DENIED, slots, 0, 0, 0, 0);
		blocked = true;
	}
	if (!blocked && in->vmflags_known &&
	    (in->shm_mode == MT_SHM_NEVER ||
	     (in->shm_mode == MT_SHM_ADVISE && !(in->vmflags & MT_VMF_HG)))) {
		bool never = in->shm_mode == MT_SHM_NEVER;
		const char *s;
		switch (in->shm_src) {
		case MT_SHM_SRC_MOUNT:
			s = never ? "never" : "advise and the mapping has no "
					      "MADV_HUGEPAGE";
			break;
		case MT_SHM_SRC_SIZE:
			s = never ? "the PMD size's shmem_enabled never"
				  : "the PMD size's shmem_enabled advise "
				    "without MADV_HUGEPAGE";
			break;
		default:
			s = never ? "shmem_enabled never"
				  : "shmem_enabled advise without "
				    "MADV_HUGEPAGE";
			break;
		}
		add(out, max, &n, in->shm_src == MT_SHM_SRC_MOUNT
					  ? MT_WHY_TMPFS_HUGE : MT_WHY_SHMEM_OFF,
		    slots, 0, 0, 0, 0);
		if (n <= max)
			out[n - 1].s = s;
	}
	if (in->anon_private && in->vmflags_known && !blocked) {
		if (in->mode == MT_THP_NEVER)
			add(out, max, &n, MT_WHY_THP_NEVER, slots, 0, 0, 0, 0);
		else if (in->mode == MT_THP_MADVISE &&
			 !(in->vmflags & MT_VMF_HG))
			add(out, max, &n, MT_WHY_NOT_ADVISED, slots, 0, 0, 0, 0);
	}
	uint64_t pmd_pages = UINT64_C(1) << in->pmd_order;
	uint64_t pages = (in->end - in->start) >> in->page_shift;
	if (slots == 0 && pages)
		add(out, max, &n, MT_WHY_NO_SLOT, pages, pmd_pages, 0, 0, 0);
	if (in->coll_why == MT_COLL_MISALIGNED) {
		uint64_t d = ((in->start >> in->page_shift) -
			      (in->offset >> in->page_shift)) & (pmd_pages - 1);
		add(out, max, &n, MT_WHY_FILE_MISALIGNED, d, pmd_pages,
		    pmd_pages - d, 0, 0);
		blocked = true;
	}
	if (in->holed && in->holed != MT_UNKNOWN)
		add(out, max, &n, MT_WHY_HOLES, in->missing, in->holed,
		    in->populated, in->max_none == MT_UNKNOWN ? MT_UNKNOWN
							   : in->over_none,
		    in->max_none);
	/* the memory cgroup: a fault charges a whole huge page */
	uint64_t pmd_kb = (pmd_pages << in->page_shift) >> 10;
	if (!blocked && slots && in->memcg_room != MT_UNKNOWN &&
	    (in->memcg_room >> 10) < pmd_kb)
		add(out, max, &n, MT_WHY_MEMCG_LIMIT, in->memcg_room >> 10,
		    pmd_kb, 0, 0, 0);
	/* memory and khugepaged: for memory that could still be huge */
	bool room = in->mapped != MT_UNKNOWN && in->populated != MT_UNKNOWN &&
		    in->populated > in->mapped;
	if (blocked || !room)
		return n;
	if (in->free_pages != MT_UNKNOWN && in->free_pmd_pages != MT_UNKNOWN &&
	    in->free_pages && in->free_pmd_pages * 4 < in->free_pages)
		add(out, max, &n, MT_WHY_FRAGMENTED,
		    in->free_pmd_pages * 100 / in->free_pages,
		    in->free_pmd_pages, in->free_pages, 0, 0);
	if (in->anon_private && in->fallback_rate > 0)
		add(out, max, &n, MT_WHY_FALLBACKS,
		    (uint64_t)(in->fallback_rate * 60 + 0.5), 0, 0, 0, 0);
	if (in->anon_private && in->charge_fallback_rate > 0)
		add(out, max, &n, MT_WHY_MEMCG_FALLBACKS,
		    (uint64_t)(in->charge_fallback_rate * 60 + 0.5), 0, 0, 0,
		    0);
	if (in->khugepaged != MT_UNKNOWN && in->khugepaged &&
	    in->pages_to_scan && in->pages_to_scan != MT_UNKNOWN &&
	    in->sleep_ms != MT_UNKNOWN && in->eligible_pages != MT_UNKNOWN) {
		uint64_t passes = (in->eligible_pages + in->pages_to_scan - 1) /
				  in->pages_to_scan;
		add(out, max, &n, MT_WHY_KHUGEPAGED_PACE,
		    passes * in->sleep_ms / 1000, in->pages_to_scan,
		    in->sleep_ms, in->eligible_pages, 0);
	}
	return n;
}

/* --- over a snapshot ----------------------------------------------------- */

static uint64_t khp_counter(const struct mt_sysinfo *si, const char *key)
{
	const struct mt_counter *c =
		mt_counter_find(si->khugepaged, si->nkhugepaged, key);
	return c ? c->value : MT_UNKNOWN;
}

void mt_why_sys_init(struct mt_why_sys *w, const struct mt_snapshot *s)
{
	const struct mt_sysinfo *si = s->sys;
	*w = (struct mt_why_sys){.mode = MT_THP_UNKNOWN,
			      .free_pages = MT_UNKNOWN,
			      .free_pmd_pages = MT_UNKNOWN,
			      .max_none = MT_UNKNOWN,
			      .pages_to_scan = MT_UNKNOWN,
			      .sleep_ms = MT_UNKNOWN};
	/* the memory khugepaged has to scan: the slots of the VMAs it would
	 * take slots from (a lower bound: VMAs it would scan in vain are
	 * not known) */
	for (size_t i = 0; i < s->nprocs; i++)
		for (size_t j = 0; j < s->procs[i].nvmas; j++) {
			const struct mt_vma *v = &s->procs[i].vmas[j];
			if (v->pmd_khugepaged != MT_UNKNOWN &&
			    v->pmd_khugepaged)
				w->eligible_pages += v->pmd_slots
						     << s->pmd_order;
		}
	if (!si)
		return;
	w->mode = mt_thp_mode_word(si->thp_enabled);
	uint64_t kb = ((uint64_t)s->page_size << s->pmd_order) >> 10;
	for (size_t i = 0; i < si->nsizes; i++) {
		if (si->sizes[i].kb != kb)
			continue;
		enum mt_thp_mode m = mt_thp_mode_word(si->sizes[i].enabled);
		if (m != MT_THP_INHERIT && m != MT_THP_UNKNOWN)
			w->mode = m;
	}
	if (si->nzones) {
		w->free_pages = mt_buddy_free_pages(si, -1, 0);
		w->free_pmd_pages = mt_buddy_free_pages(si, -1, s->pmd_order);
	}
	w->max_none = khp_counter(si, "max_ptes_none");
	w->pages_to_scan = khp_counter(si, "pages_to_scan");
	w->sleep_ms = khp_counter(si, "scan_sleep_millisecs");
	const struct mt_counter *fb =
		mt_counter_find(si->vmstat, si->nvmstat, "thp_fault_fallback");
	if (fb && fb->has_rate && !fb->reset)
		w->fallback_rate = fb->rate;
	fb = mt_counter_find(si->vmstat, si->nvmstat,
			     "thp_fault_fallback_charge");
	if (fb && fb->has_rate && !fb->reset)
		w->charge_fallback_rate = fb->rate;
}

size_t mt_why_vma(const struct mt_snapshot *s, const struct mt_why_sys *ws,
		  const struct mt_proc *p, const struct mt_vma *v,
		  struct mt_why *out, size_t max)
{
	bool anon = v->kind == MT_KIND_ANON || v->kind == MT_KIND_HEAP ||
		    v->kind == MT_KIND_STACK;
	struct mt_why_in in = {
		.thp_enabled = p->thp_enabled,
		.mode = ws->mode,
		.vmflags_known = v->has_smaps || v->vmflags_known,
		.vmflags = v->vmflags,
		.anon_private = anon && v->perms[3] != 's',
		.coll_why = v->pmd_collapsible == MT_UNKNOWN &&
					    v->coll_why == MT_COLL_UNKNOWN
				    ? -1 : v->coll_why,
		.start = v->start,
		.end = v->end,
		.offset = v->offset,
		.page_shift = s->page_shift,
		.pmd_order = s->pmd_order,
		.slots = v->pmd_slots,
		.populated = v->pmd_populated,
		.mapped = v->pmd_mapped,
		.holed = v->pmd_holed,
		.missing = v->holes_missing,
		.over_none = v->pmd_over_none,
		.max_none = ws->max_none,
		.collapsible = v->pmd_collapsible,
		.shm_mode = (enum mt_shmem_mode)v->shm_mode,
		.shm_src = (enum mt_shm_src)v->shm_src,
		.memcg_room = p->memcg_room,
		.khugepaged = v->pmd_khugepaged,
		.free_pages = ws->free_pages,
		.free_pmd_pages = ws->free_pmd_pages,
		.fallback_rate = ws->fallback_rate,
		.charge_fallback_rate = ws->charge_fallback_rate,
		.pages_to_scan = ws->pages_to_scan,
		.sleep_ms = ws->sleep_ms,
		.eligible_pages = ws->eligible_pages,
	};
	size_t n = mt_why_list(&in, out, max);
	return n < max ? n : max;
}

uint64_t mt_why_vma_bytes(const struct mt_snapshot *s, const struct mt_vma *v)
{
	uint64_t present = v->present_pages << s->page_shift;
	if (v->pmd_mapped == MT_UNKNOWN)
		return present;
	uint64_t huge = v->pmd_mapped << (s->page_shift + s->pmd_order);
	return present > huge ? present - huge : 0;
}

int mt_why_proc_main(const struct mt_snapshot *s, const struct mt_why_sys *ws,
		     const struct mt_proc *p, uint64_t *bytes)
{
	uint64_t by[MT_WHY_COUNT] = {0};
	struct mt_why w[MT_WHY_COUNT + 4];
	for (size_t j = 0; j < p->nvmas; j++) {
		const struct mt_vma *v = &p->vmas[j];
		if (!mt_why_vma(s, ws, p, v, w, MT_ARRAY_SIZE(w)))
			continue;
		if ((unsigned)w[0].code < MT_WHY_COUNT)
			by[w[0].code] += mt_why_vma_bytes(s, v);
	}
	int best = -1;
	for (int c = 0; c < MT_WHY_COUNT; c++)
		if (by[c] && (best < 0 || by[c] > by[best]))
			best = c;
	if (bytes)
		*bytes = best < 0 ? 0 : by[best];
	return best;
}

/* The enabled word of an mTHP size or the global file, with the VMA's
 * advice: may a fault allocate the size? */
static enum mt_tri size_allowed(enum mt_thp_mode m, enum mt_thp_mode global,
				bool known, bool advised, const char **why)
{
	if (m == MT_THP_INHERIT) {
		m = global;
		*why = m == MT_THP_NEVER ? "its enabled is inherit and the "
					   "global enabled is never"
					 : "its enabled is inherit, the global "
					   "enabled madvise, and the mapping "
					   "has no MADV_HUGEPAGE";
	} else {
		*why = m == MT_THP_NEVER ? "its enabled is never"
					 : "its enabled is madvise and the "
					   "mapping has no MADV_HUGEPAGE";
	}
	switch (m) {
	case MT_THP_ALWAYS:
		return MT_TRI_YES;
	case MT_THP_NEVER:
		return MT_TRI_NO;
	case MT_THP_MADVISE:
		if (!known)
			return MT_TRI_UNKNOWN;
		return advised ? MT_TRI_YES : MT_TRI_NO;
	default:
		return MT_TRI_UNKNOWN;
	}
}

size_t mt_why_mthp(const struct mt_snapshot *s, const struct mt_proc *p,
		   const struct mt_vma *v, struct mt_mthp_verdict *out,
		   size_t max)
{
	const struct mt_sysinfo *si = s->sys;
	bool anon = v->kind == MT_KIND_ANON || v->kind == MT_KIND_HEAP ||
		    v->kind == MT_KIND_STACK;
	if (!si || !anon || v->perms[3] == 's' || p->thp_enabled == MT_TRI_NO)
		return 0;
	bool known = v->has_smaps || v->vmflags_known;
	if (known && (v->vmflags & (MT_VMF_NH | MT_VMF_IO | MT_VMF_PF |
				    MT_VMF_MM | MT_VMF_DE | MT_VMF_HT |
				    MT_VMF_UFFD)))
		return 0;
	enum mt_thp_mode global = mt_thp_mode_word(si->thp_enabled);
	uint64_t vs = v->start >> s->page_shift, ve = v->end >> s->page_shift;
	size_t n = 0;
	for (size_t i = 0; i < si->nsizes && n < max; i++) {
		const struct mt_mthp_size *z = &si->sizes[i];
		if (z->shmem_only || !z->kb)
			continue;
		uint64_t pages = (z->kb << 10) >> s->page_shift;
		unsigned k = mt_log2(pages);
		if (!pages || (UINT64_C(1) << k) != pages || k < 1 ||
		    k >= s->pmd_order || k >= MT_BLK_ORDERS)
			continue;
		struct mt_mthp_verdict *o = &out[n++];
		const char *why;
		o->kb = z->kb;
		o->allowed = size_allowed(mt_thp_mode_word(z->enabled), global,
					  known, (v->vmflags & MT_VMF_HG) != 0,
					  &why);
		o->blocks = mt_blocks_inside(vs, ve, k);
		o->empty = v->blk_populated && v->blk_populated[k] <= o->blocks
				   ? o->blocks - v->blk_populated[k]
				   : MT_UNKNOWN;
		struct mt_why w = {.code = MT_WHY_MTHP_OFF,
				   .a = {o->blocks, pages, o->empty, 0, 0}};
		o->code = -1;
		if (o->allowed == MT_TRI_NO) {
			w.s = why;
		} else if (o->blocks == 0) {
			w.code = MT_WHY_MTHP_NO_BLOCK;
		} else if (o->empty == 0) {
			w.code = MT_WHY_MTHP_FILLED;
		} else {
			const char *what =
				o->allowed == MT_TRI_UNKNOWN
					? "; whether the size is allowed needs "
					  "the mapping's VmFlags, not read"
					: "";
			if (o->empty == MT_UNKNOWN)
				snprintf(o->text, sizeof(o->text),
					 "%" PRIu64 " aligned blocks of this "
					 "size; which are empty is not known%s",
					 o->blocks, what);
			else
				snprintf(o->text, sizeof(o->text),
					 "%" PRIu64 " of %" PRIu64 " aligned "
					 "blocks of this size are empty: a fault "
					 "in one may get a folio of this size%s",
					 o->empty, o->blocks, what);
			continue;
		}
		o->code = (int)w.code;
		mt_why_text(&w, o->text, sizeof(o->text));
	}
	return n;
}
