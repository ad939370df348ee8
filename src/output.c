/*
 * output.c - batch renderers (plain text and JSON) over a snapshot.
 *
 * Output is built in a buffer and written in large pieces. Untrusted
 * strings (process names, paths) go through the escape functions.
 */
#include <stdlib.h>
#include <string.h>

#include "memtop/escape.h"
#include "memtop/collapse.h"
#include "memtop/output.h"
#include "memtop/probe.h"
#include "memtop/sysinfo.h"
#include "memtop/units.h"
#include "memtop/util.h"
#include "memtop/why.h"

#define FLUSH_AT (1u << 20)
#define WHY_MAX 16

static void flush(FILE *f, struct mt_buf *b, bool force)
{
	if (b->len && (force || b->len >= FLUSH_AT)) {
		fwrite(b->data, 1, b->len, f);
		mt_buf_reset(b);
	}
}

static bool proc_shown(const struct mt_proc *p, const struct mt_output_opts *o)
{
	return !p->kthread || o->show_kthreads;
}

static size_t *sorted_procs(const struct mt_snapshot *s,
			    const struct mt_output_opts *o)
{
	size_t *idx = xmalloc((s->nprocs ? s->nprocs : 1) * sizeof(size_t));
	bool desc = o->sort_set ? o->sort != MT_SORT_COMM &&
					  o->sort != MT_SORT_USER &&
					  o->sort != MT_SORT_PID
				: false;
	mt_sort_procs(s, o->sort_set ? o->sort : MT_SORT_HIST, desc ^ o->reverse,
		      idx);
	return idx;
}

static size_t *sorted_vmas(const struct mt_snapshot *s, const struct mt_proc *p,
			   const struct mt_output_opts *o)
{
	size_t *idx = xmalloc((p->nvmas ? p->nvmas : 1) * sizeof(size_t));
	enum mt_sort_key k = o->sort_set ? o->sort : MT_SORT_HIST;
	/* VMAs have no pid or user: keep them in address order then */
	if (k == MT_SORT_PID || k == MT_SORT_USER) {
		for (size_t i = 0; i < p->nvmas; i++)
			idx[i] = i;
		return idx;
	}
	bool desc = o->sort_set && k != MT_SORT_COMM;
	mt_sort_vmas(s, p, k, desc ^ o->reverse, idx);
	return idx;
}

/* --- text ---------------------------------------------------------------- */

/* A view's reason for being unavailable, in the words a process line
 * has room for: "needs root", "PFNs hidden", "off (--no-pfns)". */
static void text_short_why(struct mt_buf *b, const char *why)
{
	const char *w = mt_why_short(why);
	if (!strcmp(w, "off"))
		mt_buf_printf(b, "off (%s)", why);
	else
		mt_buf_add(b, w, strlen(w));
}

static void text_hist(struct mt_buf *b, const uint64_t *h, unsigned nord,
		      const char *why)
{
	if (!h) {
		text_short_why(b, why);
		return;
	}
	mt_buf_addc(b, '[');
	for (unsigned o = 0; o < nord; o++) {
		if (o)
			MT_BUF_LIT(b, ", ");
		mt_buf_u64(b, h[o]);
	}
	mt_buf_addc(b, ']');
}

static void text_folios(struct mt_buf *b, const struct mt_snapshot *s,
			const struct mt_folio_stats *fs)
{
	static const char *const type[2] = {"anon", "file"};
	char sz[16], amt[16];
	uint64_t ps = s->page_size;
	MT_BUF_LIT(b, "    folios:");
	for (int t = 0; t < 2; t++) {
		mt_buf_printf(b, " %s pmd %s", type[t],
			      mt_fmt_size(amt, sizeof(amt), fs->pmd[t] * ps));
		for (int kind = 0; kind < 2; kind++) {
			const uint64_t *a = kind ? fs->unaligned[t] : fs->aligned[t];
			for (unsigned o = 1; o < MT_FOLIO_ORDERS; o++) {
				if (!a[o])
					continue;
				mt_buf_printf(b, ", pte-%s-%s %s",
					      kind ? "unaligned" : "aligned",
					      mt_fmt_size(sz, sizeof(sz), ps << o),
					      mt_fmt_size(amt, sizeof(amt),
							  a[o] * ps));
			}
		}
		if (fs->partial[t])
			mt_buf_printf(b, ", partial %s",
				      mt_fmt_size(amt, sizeof(amt),
						  fs->partial[t] * ps));
		mt_buf_add(b, t ? "\n" : ";", 1);
	}
}

static const char *const key_counters[] = {
	"thp_fault_alloc", "thp_fault_fallback", "thp_collapse_alloc",
	"thp_collapse_alloc_failed", "thp_split_page", "thp_split_pmd",
	"thp_deferred_split_page", "compact_stall", "compact_success",
};

static void text_system(struct mt_buf *b, const struct mt_snapshot *s)
{
	const struct mt_sysinfo *si = s->sys;
	char a[16], c[16];
	if (!si)
		return;
	mt_buf_printf(b, "# system: THP enabled %s, defrag %s, shmem %s",
		      si->thp_enabled, si->thp_defrag, si->thp_shmem_enabled);
	for (size_t i = 0; i < si->nsizes; i++) {
		const struct mt_mthp_size *z = &si->sizes[i];
		if (!z->shmem_only && strcmp(z->enabled, "never") != 0)
			mt_buf_printf(b, "; %s %s",
				      mt_fmt_size(a, sizeof(a), z->kb << 10),
				      z->enabled);
	}
	mt_buf_addc(b, '\n');
	uint64_t all = mt_buddy_free_pages(si, -1, 0);
	uint64_t big = mt_buddy_free_pages(si, -1, s->pmd_order);
	const struct mt_counter *ahp =
		mt_counter_find(si->meminfo, si->nmeminfo, "AnonHugePages");
	const struct mt_counter *shp =
		mt_counter_find(si->meminfo, si->nmeminfo, "ShmemHugePages");
	const struct mt_counter *fhp =
		mt_counter_find(si->meminfo, si->nmeminfo, "FileHugePages");
	mt_buf_printf(b,
		      "# memory: AnonHugePages %s, ShmemHugePages %s, "
		      "FileHugePages %s; free %s, %.0f%% of it in blocks of %s "
		      "or more\n",
		      mt_fmt_size(a, sizeof(a), ahp ? ahp->value << 10 : 0),
		      mt_fmt_size(c, sizeof(c), shp ? shp->value << 10 : 0),
		      mt_fmt_size((char[16]){0}, 16, fhp ? fhp->value << 10 : 0),
		      mt_fmt_size((char[16]){0}, 16, all * s->page_size),
		      all ? 100.0 * (double)big / (double)all : 0.0,
		      mt_fmt_size((char[16]){0}, 16,
				  (uint64_t)s->page_size << s->pmd_order));
	MT_BUF_LIT(b, "# counters:");
	for (size_t i = 0; i < MT_ARRAY_SIZE(key_counters); i++) {
		const struct mt_counter *k =
			mt_counter_find(si->vmstat, si->nvmstat, key_counters[i]);
		if (!k)
			continue;
		mt_buf_printf(b, " %s %llu", k->key, (unsigned long long)k->value);
		if (k->has_rate)
			mt_buf_printf(b, " (%.1f/s)", k->rate);
	}
	mt_buf_addc(b, '\n');
}

void mt_output_text(FILE *f, const struct mt_snapshot *s,
		    const struct mt_output_opts *o)
{
	struct mt_buf b = {0};
	char sz[16];
	struct mt_why_sys ws;
	mt_why_sys_init(&ws, s);
	mt_buf_printf(&b,
		      "# memtop %s: page %s, PMD order %u (%s), max order %u, "
		      "THP %s/%s, views: present",
		      MEMTOP_VERSION, mt_fmt_size(sz, sizeof(sz), s->page_size),
		      s->pmd_order,
		      mt_fmt_size((char[16]){0}, 16,
				  (uint64_t)s->page_size << s->pmd_order),
		      s->max_order, s->thp_enabled, s->thp_defrag);
	if (s->have_pfns)
		MT_BUF_LIT(&b, ", mappable");
	else
		mt_buf_printf(&b, " (mappable unavailable: %s)",
			      s->pfns_why ? s->pfns_why : "?");
	if (s->have_kpageflags)
		MT_BUF_LIT(&b, ", folios");
	else
		mt_buf_printf(&b, " (folios unavailable: %s)",
			      s->kpageflags_why ? s->kpageflags_why : "?");
	mt_buf_printf(&b,
		      "\n# kernel: read faults map the zero page: %s, the huge "
		      "zero page: %s; CONFIG_READ_ONLY_THP_FOR_FS: %s\n",
		      mt_tri_name(s->zero_page), mt_tri_name(s->huge_zero_page),
		      mt_tri_name(s->ro_thp_fs));
	text_system(&b, s);
	size_t *idx = sorted_procs(s, o);
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct mt_proc *p = &s->procs[idx[i]];
		if (!proc_shown(p, o) || (!p->nvmas && !p->kthread))
			continue;
		mt_buf_printf(&b, "process %-7d ", (int)p->pid);
		size_t at = b.len;
		mt_escape_visible(&b, p->comm, strlen(p->comm), 0);
		for (size_t w = b.len - at; w < 16; w++)
			mt_buf_addc(&b, ' ');
		MT_BUF_LIT(&b, " user ");
		mt_escape_visible(&b, p->user, strlen(p->user), 0);
		mt_buf_printf(&b, " rss %s",
			      mt_fmt_size(sz, sizeof(sz),
					  p->present_pages * s->page_size));
		/* what MADV_COLLAPSE would make PMD-mapped now */
		MT_BUF_LIT(&b, " collapsible ");
		if (p->pmd_collapsible == MT_UNKNOWN)
			mt_buf_addc(&b, '?');
		else
			mt_buf_printf(&b, "%s", mt_fmt_size(sz, sizeof(sz),
				(p->pmd_collapsible * s->page_size)
					<< s->pmd_order));
		/* what khugepaged would collapse under the settings */
		MT_BUF_LIT(&b, " khugepaged ");
		if (p->pmd_khugepaged == MT_UNKNOWN)
			mt_buf_addc(&b, '?');
		else
			mt_buf_printf(&b, "%s", mt_fmt_size(sz, sizeof(sz),
				(p->pmd_khugepaged * s->page_size)
					<< s->pmd_order));
		/* the reason holding most of the memory not PMD-mapped */
		uint64_t wb;
		int main_why = mt_why_proc_main(s, &ws, p, &wb);
		if (main_why >= 0)
			mt_buf_printf(&b, " why:%s %s",
				      mt_why_name((enum mt_why_code)main_why),
				      mt_fmt_size(sz, sizeof(sz), wb));
		MT_BUF_LIT(&b, " present ");
		text_hist(&b, p->present_hist, s->nord, NULL);
		MT_BUF_LIT(&b, " mappable ");
		text_hist(&b, p->mappable_hist, s->nord, s->pfns_why);
		/* mappable blocks also inside one large folio */
		MT_BUF_LIT(&b, " folio-cont ");
		text_hist(&b, p->folio_cont_hist, s->nord, s->kpageflags_why);
		if (!s->have_kpageflags) {
			MT_BUF_LIT(&b, " folios ");
			text_short_why(&b, s->kpageflags_why);
		}
		mt_buf_addc(&b, '\n');
		if (p->folios && mt_folio_total(p->folios))
			text_folios(&b, s, p->folios);
		size_t *vi = sorted_vmas(s, p, o);
		for (size_t j = 0; j < p->nvmas; j++) {
			const struct mt_vma *v = &p->vmas[vi[j]];
			if (!mt_vma_shown(v, &o->vmas))
				continue;
			mt_buf_printf(&b, "  %016llx-%016llx %8s %s ",
				      (unsigned long long)v->start,
				      (unsigned long long)v->end,
				      mt_fmt_size(sz, sizeof(sz),
						  v->end - v->start),
				      v->perms);
			text_hist(&b, v->present_hist, s->nord, NULL);
			if (v->mappable_hist) {
				MT_BUF_LIT(&b, " m");
				text_hist(&b, v->mappable_hist, s->nord,
					  s->pfns_why);
			}
			if (v->folio_cont_hist) {
				MT_BUF_LIT(&b, " c");
				text_hist(&b, v->folio_cont_hist, s->nord,
					  s->kpageflags_why);
			}
			struct mt_why w[WHY_MAX];
			if (mt_why_vma(s, &ws, p, v, w, WHY_MAX)) {
				/* the main reason */
				const char *c = mt_why_name(w[0].code);
				MT_BUF_LIT(&b, " why:");
				mt_buf_add(&b, c, strlen(c));
			}
			mt_buf_addc(&b, ' ');
			if (v->path_len) {
				mt_escape_visible(&b, v->path, v->path_len, 0);
			} else {
				/* no path: its kind, as the viewer shows it
				 * (JSON keeps "path":"" and gives "kind") */
				const char *k = mt_kind_name(v->kind);
				mt_buf_addc(&b, '[');
				mt_buf_add(&b, k, strlen(k));
				mt_buf_addc(&b, ']');
			}
			mt_buf_addc(&b, '\n');
			flush(f, &b, false);
		}
		free(vi);
		flush(f, &b, false);
	}
	free(idx);
	const struct mt_scan_stats *st = &s->stats;
	mt_buf_printf(&b,
		      "# %zu process%s scanned, %zu skipped for permission, "
		      "%zu vanished, %zu with unreadable pagemap, %zu kernel "
		      "threads, %zu bad maps lines, %zu errors; scan %.1f ms\n",
		      st->scanned - st->kthreads,
		      st->scanned - st->kthreads == 1 ? "" : "es", st->denied,
		      st->vanished,
		      st->pagemap_denied, st->kthreads, st->bad_lines,
		      st->errors, (double)s->duration_ns / 1e6);
	flush(f, &b, true);
	mt_buf_free(&b);
}

/* --- JSON ----------------------------------------------------------------- */

/* ,"key":[v0,v1,...] or ,"key":null when v is NULL: a histogram, or any
 * other array of counts. */
static void json_u64_array(struct mt_buf *b, const char *key,
			   const uint64_t *v, unsigned n)
{
	mt_buf_addc(b, ',');
	mt_buf_addc(b, '"');
	mt_buf_add(b, key, strlen(key));
	MT_BUF_LIT(b, "\":");
	if (!v) {
		MT_BUF_LIT(b, "null");
		return;
	}
	mt_buf_addc(b, '[');
	for (unsigned i = 0; i < n; i++) {
		if (i)
			mt_buf_addc(b, ',');
		mt_buf_u64(b, v[i]);
	}
	mt_buf_addc(b, ']');
}

/* ,"key":value */
static void json_num(struct mt_buf *b, const char *key, uint64_t v)
{
	mt_buf_addc(b, ',');
	mt_buf_addc(b, '"');
	mt_buf_add(b, key, strlen(key));
	MT_BUF_LIT(b, "\":");
	mt_buf_u64(b, v);
}

static void json_bool(struct mt_buf *b, const char *key, bool v)
{
	mt_buf_addc(b, ',');
	mt_buf_addc(b, '"');
	mt_buf_add(b, key, strlen(key));
	if (v)
		MT_BUF_LIT(b, "\":true");
	else
		MT_BUF_LIT(b, "\":false");
}

static void json_folios(struct mt_buf *b, const struct mt_snapshot *s,
			const struct mt_folio_stats *fs)
{
	MT_BUF_LIT(b, ",\"folios\":");
	if (!fs) {
		MT_BUF_LIT(b, "null");
		return;
	}
	unsigned n = MT_MIN(s->pmd_order + 1, MT_FOLIO_ORDERS);
	for (int t = 0; t < 2; t++) {
		if (t)
			MT_BUF_LIT(b, "},\"file\":{\"pmd_mapped\":");
		else
			MT_BUF_LIT(b, "{\"anon\":{\"pmd_mapped\":");
		mt_buf_u64(b, fs->pmd[t]);
		json_u64_array(b, "pte_aligned", fs->aligned[t], n);
		json_u64_array(b, "pte_unaligned", fs->unaligned[t], n);
		json_num(b, "partial", fs->partial[t]);
	}
	MT_BUF_LIT(b, "}}");
}

static void json_pmd(struct mt_buf *b, uint64_t slots, uint64_t full,
		     uint64_t touched, uint64_t mapped, uint64_t coll,
		     uint64_t khp)
{
	MT_BUF_LIT(b, ",\"pmd_slots\":{\"total\":");
	mt_buf_u64(b, slots);
	json_num(b, "full", full);
	json_num(b, "partial", touched - full);
	if (mapped == MT_UNKNOWN)
		MT_BUF_LIT(b, ",\"mapped\":null");
	else
		json_num(b, "mapped", mapped);
	/* what MADV_COLLAPSE would make PMD-mapped now (collapse.h) */
	if (coll == MT_UNKNOWN)
		MT_BUF_LIT(b, ",\"collapsible\":null");
	else
		json_num(b, "collapsible", coll);
	/* what khugepaged would collapse under the current settings */
	if (khp == MT_UNKNOWN)
		MT_BUF_LIT(b, ",\"khugepaged\":null");
	else
		json_num(b, "khugepaged", khp);
}

static const char *json_tri(int t)
{
	return t > 0 ? "true" : t == 0 ? "false" : "null";
}

static void json_known(struct mt_buf *b, const char *key, uint64_t v)
{
	if (v == MT_UNKNOWN)
		mt_buf_printf(b, ",\"%s\":null", key);
	else
		json_num(b, key, v);
}

/* The mTHP sizes at fault: one verdict per size (why.h mt_why_mthp). */
static void json_mthp(struct mt_buf *b, const struct mt_snapshot *s,
		      const struct mt_proc *p, const struct mt_vma *v)
{
	struct mt_mthp_verdict mv[MT_BLK_ORDERS];
	size_t n = mt_why_mthp(s, p, v, mv, MT_ARRAY_SIZE(mv));
	if (!n)
		return;
	MT_BUF_LIT(b, ",\"mthp\":[");
	for (size_t i = 0; i < n; i++) {
		mt_buf_printf(b, "%s{\"size_kb\":%llu,\"allowed\":%s", i ? "," : "",
			      (unsigned long long)mv[i].kb,
			      json_tri(mv[i].allowed));
		json_known(b, "blocks", mv[i].blocks);
		json_known(b, "empty", mv[i].empty);
		if (mv[i].code < 0) {
			MT_BUF_LIT(b, ",\"code\":null");
		} else {
			MT_BUF_LIT(b, ",\"code\":\"");
			const char *c = mt_why_name((enum mt_why_code)mv[i].code);
			mt_buf_add(b, c, strlen(c));
			mt_buf_addc(b, '"');
		}
		MT_BUF_LIT(b, ",\"text\":");
		mt_escape_json(b, mv[i].text, strlen(mv[i].text));
		mt_buf_addc(b, '}');
	}
	mt_buf_addc(b, ']');
}

static void json_vma(struct mt_buf *b, const struct mt_snapshot *s,
		     const struct mt_why_sys *ws, const struct mt_proc *p,
		     const struct mt_vma *v)
{
	MT_BUF_LIT(b, "{\"start\":\"");
	mt_buf_hex(b, v->start);
	MT_BUF_LIT(b, "\",\"end\":\"");
	mt_buf_hex(b, v->end);
	mt_buf_addc(b, '"');
	json_num(b, "size_kb", (v->end - v->start) >> 10);
	MT_BUF_LIT(b, ",\"perms\":\"");
	mt_buf_add(b, v->perms, strlen(v->perms));
	MT_BUF_LIT(b, "\",\"offset\":\"");
	mt_buf_hex(b, v->offset);
	mt_buf_printf(b, "\",\"dev\":\"%02x:%02x\"", v->dev_major, v->dev_minor);
	json_num(b, "inode", v->inode);
	MT_BUF_LIT(b, ",\"path\":");
	mt_escape_json(b, v->path, v->path_len);
	MT_BUF_LIT(b, ",\"kind\":\"");
	const char *kind = mt_kind_name(v->kind);
	mt_buf_add(b, kind, strlen(kind));
	mt_buf_addc(b, '"');
	json_bool(b, "file_backed", v->file_backed);
	json_num(b, "present_pages", v->present_pages);
	json_num(b, "swapped_pages", v->swapped_pages);
	json_num(b, "zero_pages", v->zero_pages);
	json_pmd(b, v->pmd_slots, v->pmd_full, v->pmd_touched, v->pmd_mapped,
		 v->pmd_collapsible, v->pmd_khugepaged);
	MT_BUF_LIT(b, ",\"why\":\"");
	const char *why = mt_coll_why_name((enum mt_coll_why)v->coll_why);
	mt_buf_add(b, why, strlen(why));
	MT_BUF_LIT(b, "\"}");
	if (ws) {
		struct mt_why w[WHY_MAX];
		size_t nw = mt_why_vma(s, ws, p, v, w, WHY_MAX);
		char text[512];
		MT_BUF_LIT(b, ",\"why\":[");
		for (size_t i = 0; i < nw; i++) {
			if (i)
				mt_buf_addc(b, ',');
			MT_BUF_LIT(b, "{\"code\":\"");
			const char *c = mt_why_name(w[i].code);
			mt_buf_add(b, c, strlen(c));
			MT_BUF_LIT(b, "\",\"text\":");
			mt_why_text(&w[i], text, sizeof(text));
			mt_escape_json(b, text, strlen(text));
			if (w[i].a[0] == MT_UNKNOWN)
				MT_BUF_LIT(b, ",\"value\":null}");
			else
				json_num(b, "value", w[i].a[0]);
			if (w[i].a[0] != MT_UNKNOWN)
				mt_buf_addc(b, '}');
		}
		mt_buf_addc(b, ']');
		json_mthp(b, s, p, v);
	}
	json_u64_array(b, "present_hist", v->present_hist, s->nord);
	json_u64_array(b, "mappable_hist", v->mappable_hist, s->nord);
	json_u64_array(b, "folio_cont_hist", v->folio_cont_hist, s->nord);
	json_folios(b, s, v->folios);
	if (v->has_smaps) {
		MT_BUF_LIT(b, ",\"smaps\":{\"rss_kb\":");
		mt_buf_u64(b, v->smaps_rss_kb);
		json_num(b, "anon_huge_kb", v->smaps_anon_huge_kb);
		mt_buf_printf(b, ",\"thp_eligible\":%d", v->thp_eligible);
		json_bool(b, "hg", v->vmflags & MT_VMF_HG);
		json_bool(b, "nh", v->vmflags & MT_VMF_NH);
		mt_buf_addc(b, '}');
	}
	mt_buf_addc(b, '}');
}

static void json_counters(struct mt_buf *b, const char *key,
			  const struct mt_counter *c, size_t n, bool rated)
{
	mt_buf_printf(b, ",\"%s\":{", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			mt_buf_addc(b, ',');
		mt_escape_json(b, c[i].key, strlen(c[i].key));
		if (!rated) {
			mt_buf_printf(b, ":%llu", (unsigned long long)c[i].value);
			continue;
		}
		mt_buf_printf(b, ":{\"value\":%llu,\"rate\":",
			      (unsigned long long)c[i].value);
		if (c[i].has_rate)
			mt_buf_printf(b, "%.3f", c[i].rate);
		else
			MT_BUF_LIT(b, "null");
		mt_buf_printf(b, ",\"reset\":%s}", c[i].reset ? "true" : "false");
	}
	mt_buf_addc(b, '}');
}

static void json_str_field(struct mt_buf *b, const char *key, const char *v)
{
	mt_buf_printf(b, "\"%s\":", key);
	mt_escape_json(b, v, strlen(v));
}

static void json_system(struct mt_buf *b, const struct mt_snapshot *s)
{
	const struct mt_sysinfo *si = s->sys;
	MT_BUF_LIT(b, ",\"system\":");
	if (!si) {
		MT_BUF_LIT(b, "null");
		return;
	}
	mt_buf_printf(b, "{\"interval_s\":%.3f,\"thp\":{", si->interval_s);
	json_str_field(b, "enabled", si->thp_enabled);
	mt_buf_addc(b, ',');
	json_str_field(b, "defrag", si->thp_defrag);
	mt_buf_addc(b, ',');
	json_str_field(b, "shmem_enabled", si->thp_shmem_enabled);
	mt_buf_addc(b, '}');
	json_counters(b, "khugepaged", si->khugepaged, si->nkhugepaged, true);
	MT_BUF_LIT(b, ",\"mthp\":[");
	for (size_t i = 0; i < si->nsizes; i++) {
		const struct mt_mthp_size *z = &si->sizes[i];
		mt_buf_printf(b, "%s{\"size_kb\":%llu,", i ? "," : "",
			      (unsigned long long)z->kb);
		if (z->shmem_only)
			MT_BUF_LIT(b, "\"enabled\":null,\"shmem_only\":true");
		else
			json_str_field(b, "enabled", z->enabled);
		mt_buf_addc(b, ',');
		json_str_field(b, "shmem_enabled", z->shmem_enabled);
		json_counters(b, "stats", z->stats, z->nstats, true);
		mt_buf_addc(b, '}');
	}
	mt_buf_addc(b, ']');
	json_counters(b, "vmstat", si->vmstat, si->nvmstat, true);
	json_counters(b, "meminfo", si->meminfo, si->nmeminfo, false);
	MT_BUF_LIT(b, ",\"buddyinfo\":[");
	for (size_t i = 0; i < si->nzones; i++) {
		const struct mt_buddy_zone *z = &si->zones[i];
		mt_buf_printf(b, "%s{\"node\":%d,", i ? "," : "", z->node);
		json_str_field(b, "zone", z->zone);
		json_u64_array(b, "free", z->free, z->norders);
		mt_buf_addc(b, '}');
	}
	uint64_t all = mt_buddy_free_pages(si, -1, 0);
	uint64_t big = mt_buddy_free_pages(si, -1, s->pmd_order);
	mt_buf_printf(b,
		      "],\"free_pages\":%llu,\"free_pages_pmd_or_larger\":%llu,"
		      "\"pmd_free_share\":%.4f}",
		      (unsigned long long)all, (unsigned long long)big,
		      all ? (double)big / (double)all : 0.0);
}

static void json_str_or_null(struct mt_buf *b, const char *str)
{
	if (str)
		mt_escape_json(b, str, strlen(str));
	else
		MT_BUF_LIT(b, "null");
}


void mt_output_json(FILE *f, const struct mt_snapshot *s,
		    const struct mt_output_opts *o)
{
	struct mt_buf b = {0};
	const struct mt_scan_stats *st = &s->stats;
	struct mt_why_sys ws;
	mt_why_sys_init(&ws, s);
	mt_buf_printf(&b,
		      "{\"memtop\":\"%s\",\"time\":%.3f,\"scan_ms\":%.3f,"
		      "\"page_size\":%u,\"pmd_order\":%u,\"max_order\":%u,"
		      "\"privileged\":{\"pfns\":%s,\"kpageflags\":%s,"
		      "\"pfns_why\":",
		      MEMTOP_VERSION, (double)s->time_ns / 1e9,
		      (double)s->duration_ns / 1e6, s->page_size, s->pmd_order,
		      s->max_order, s->have_pfns ? "true" : "false",
		      s->have_kpageflags ? "true" : "false");
	json_str_or_null(&b, s->pfns_why);
	MT_BUF_LIT(&b, ",\"kpageflags_why\":");
	json_str_or_null(&b, s->kpageflags_why);
	mt_buf_printf(&b,
		      "},\"kernel\":{\"zero_page\":%s,\"huge_zero_page\":%s,"
		      "\"read_only_thp_for_fs\":%s},"
		      "\"pagemap_scan\":%s,\"thp\":{\"enabled\":",
		      json_tri(s->zero_page), json_tri(s->huge_zero_page),
		      json_tri(s->ro_thp_fs),
		      s->used_pagemap_scan ? "true" : "false");
	mt_escape_json(&b, s->thp_enabled, strlen(s->thp_enabled));
	MT_BUF_LIT(&b, ",\"defrag\":");
	mt_escape_json(&b, s->thp_defrag, strlen(s->thp_defrag));
	mt_buf_printf(&b,
		      "},\"summary\":{\"listed\":%zu,\"scanned\":%zu,"
		      "\"denied\":%zu,\"vanished\":%zu,\"kthreads\":%zu,"
		      "\"pagemap_denied\":%zu,\"bad_lines\":%zu,\"errors\":%zu,"
		      "\"filtered\":%zu},\"totals\":{\"present_pages\":%llu",
		      st->listed, st->scanned, st->denied, st->vanished,
		      st->kthreads, st->pagemap_denied, st->bad_lines,
		      st->errors, st->filtered,
		      (unsigned long long)s->present_pages);
	json_u64_array(&b, "present_hist", s->present_hist, s->nord);
	json_u64_array(&b, "mappable_hist", s->mappable_hist, s->nord);
	json_u64_array(&b, "folio_cont_hist", s->folio_cont_hist, s->nord);
	json_folios(&b, s, s->folios);
	json_u64_array(&b, "thp_pages_by_node", s->thp_node_pages, s->nnodes);
	mt_buf_addc(&b, '}');
	json_system(&b, s);
	MT_BUF_LIT(&b, ",\"processes\":[");
	size_t *idx = sorted_procs(s, o);
	bool first = true;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct mt_proc *p = &s->procs[idx[i]];
		if (!proc_shown(p, o))
			continue;
		mt_buf_printf(&b, "%s{\"pid\":%d,\"ppid\":%d,\"comm\":",
			      first ? "" : ",", (int)p->pid, (int)p->ppid);
		first = false;
		mt_escape_json(&b, p->comm, strlen(p->comm));
		MT_BUF_LIT(&b, ",\"user\":");
		mt_escape_json(&b, p->user, strlen(p->user));
		mt_buf_printf(&b,
			      ",\"uid\":%u,\"kthread\":%s,\"rss_pages\":%llu,"
			      "\"status_rss_kb\":%llu,\"present_pages\":%llu,"
			      "\"swapped_pages\":%llu,\"zero_pages\":%llu",
			      (unsigned)p->uid, p->kthread ? "true" : "false",
			      (unsigned long long)p->present_pages,
			      (unsigned long long)p->status_rss_kb,
			      (unsigned long long)p->present_pages,
			      (unsigned long long)p->swapped_pages,
			      (unsigned long long)p->zero_pages);
		json_num(&b, "vma_count", p->vma_count);
		MT_BUF_LIT(&b, ",\"cgroup\":");
		mt_escape_json(&b, p->cgroup, strlen(p->cgroup));
		if (p->memcg_room == MT_UNKNOWN)
			MT_BUF_LIT(&b, ",\"memcg_room_bytes\":null");
		else
			json_num(&b, "memcg_room_bytes", p->memcg_room);
		json_pmd(&b, p->pmd_slots, p->pmd_full, p->pmd_touched,
			 p->pmd_mapped, p->pmd_collapsible, p->pmd_khugepaged);
		mt_buf_addc(&b, '}');
		/* the reason holding most of the memory not PMD-mapped */
		uint64_t wb;
		int main_why = mt_why_proc_main(s, &ws, p, &wb);
		if (main_why < 0) {
			MT_BUF_LIT(&b, ",\"why_main\":null");
		} else {
			MT_BUF_LIT(&b, ",\"why_main\":{\"code\":\"");
			const char *c = mt_why_name((enum mt_why_code)main_why);
			mt_buf_add(&b, c, strlen(c));
			mt_buf_addc(&b, '"');
			json_num(&b, "bytes", wb);
			mt_buf_addc(&b, '}');
		}
		json_u64_array(&b, "present_hist", p->present_hist, s->nord);
		json_u64_array(&b, "mappable_hist", p->mappable_hist, s->nord);
		json_u64_array(&b, "folio_cont_hist", p->folio_cont_hist,
			       s->nord);
		json_folios(&b, s, p->folios);
		json_u64_array(&b, "thp_pages_by_node", p->thp_node_pages, s->nnodes);
		MT_BUF_LIT(&b, ",\"vmas\":[");
		size_t *vi = sorted_vmas(s, p, o);
		bool vfirst = true;
		for (size_t j = 0; j < p->nvmas; j++) {
			const struct mt_vma *v = &p->vmas[vi[j]];
			if (!mt_vma_shown(v, &o->vmas))
				continue;
			if (!vfirst)
				mt_buf_addc(&b, ',');
			vfirst = false;
			json_vma(&b, s, &ws, p, v);
			flush(f, &b, false);
		}
		free(vi);
		MT_BUF_LIT(&b, "]}");
		flush(f, &b, false);
	}
	free(idx);
	MT_BUF_LIT(&b, "]}\n");
	flush(f, &b, true);
	mt_buf_free(&b);
}
