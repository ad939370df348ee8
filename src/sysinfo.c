/*
 * sysinfo.c - system-wide huge page settings, counters and fragmentation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "memtop/parse.h"
#include "memtop/procfs.h"
#include "memtop/sysinfo.h"
#include "memtop/util.h"

#define THP_DIR "kernel/mm/transparent_hugepage"

const char *mt_parse_choice(const char *buf, size_t len, struct mt_arena *a)
{
	const char *l = memchr(buf, '[', len);
	const char *r = l ? memchr(l, ']', len - (size_t)(l - buf)) : NULL;
	if (!l || !r || r == l + 1)
		return "?";
	return mt_arena_strndup(a, l + 1, (size_t)(r - l - 1));
}

static int parse_u64(const char *p, const char *end, uint64_t *v,
		     const char **stop)
{
	uint64_t x = 0;
	const char *s = p;
	while (p < end && *p >= '0' && *p <= '9') {
		if (p - s >= 19)
			return -1;
		x = x * 10 + (uint64_t)(*p++ - '0');
	}
	if (p == s)
		return -1;
	*v = x;
	if (stop)
		*stop = p;
	return 0;
}

/* Counters memtop shows from /proc/vmstat. */
static bool vmstat_wanted(const char *k, size_t n)
{
	static const char *const prefixes[] = {"thp_", "compact_",
					       "nr_anon_transparent",
					       "nr_file_hugepages",
					       "nr_shmem_hugepages", "nr_free_pages"};
	for (size_t i = 0; i < MT_ARRAY_SIZE(prefixes); i++) {
		size_t pl = strlen(prefixes[i]);
		if (n >= pl && memcmp(k, prefixes[i], pl) == 0)
			return true;
	}
	return false;
}

static struct mt_counter *grow(struct mt_counter *v, size_t n, size_t *cap)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 32;
	return xrealloc(v, *cap * sizeof(*v));
}

static size_t to_arena(struct mt_arena *a, struct mt_counter *tmp, size_t n,
		       struct mt_counter **out)
{
	*out = mt_arena_alloc(a, (n ? n : 1) * sizeof(**out));
	if (n)
		memcpy(*out, tmp, n * sizeof(*tmp));
	free(tmp);
	return n;
}

size_t mt_parse_vmstat(const char *buf, size_t len, struct mt_arena *a,
		       struct mt_counter **out)
{
	size_t pos = 0, ln, n = 0, cap = 0;
	struct mt_counter *tmp = NULL;
	const char *line;
	while ((line = mt_next_line(buf, len, &pos, &ln)) != NULL) {
		const char *sp = memchr(line, ' ', ln);
		if (!sp || sp == line || !vmstat_wanted(line, (size_t)(sp - line)))
			continue;
		uint64_t v;
		const char *stop;
		if (parse_u64(sp + 1, line + ln, &v, &stop) < 0 ||
		    stop != line + ln)
			continue;
		tmp = grow(tmp, n, &cap);
		tmp[n++] = (struct mt_counter){
			.key = mt_arena_strndup(a, line, (size_t)(sp - line)),
			.value = v};
	}
	return to_arena(a, tmp, n, out);
}

static bool meminfo_wanted(const char *k, size_t n)
{
	static const char *const keys[] = {
		"MemTotal", "MemFree", "AnonHugePages", "ShmemHugePages",
		"ShmemPmdMapped", "FileHugePages", "FilePmdMapped",
		"HugePages_Total", "HugePages_Free", "HugePages_Rsvd",
		"HugePages_Surp", "Hugepagesize", "Hugetlb"};
	for (size_t i = 0; i < MT_ARRAY_SIZE(keys); i++)
		if (strlen(keys[i]) == n && memcmp(k, keys[i], n) == 0)
			return true;
	return false;
}

size_t mt_parse_meminfo(const char *buf, size_t len, struct mt_arena *a,
			struct mt_counter **out)
{
	size_t pos = 0, ln, n = 0, cap = 0;
	struct mt_counter *tmp = NULL;
	const char *line;
	while ((line = mt_next_line(buf, len, &pos, &ln)) != NULL) {
		const char *colon = memchr(line, ':', ln);
		if (!colon || !meminfo_wanted(line, (size_t)(colon - line)))
			continue;
		const char *p = colon + 1, *end = line + ln;
		while (p < end && *p == ' ')
			p++;
		uint64_t v;
		if (parse_u64(p, end, &v, NULL) < 0)
			continue;
		tmp = grow(tmp, n, &cap);
		tmp[n++] = (struct mt_counter){
			.key = mt_arena_strndup(a, line, (size_t)(colon - line)),
			.value = v};
	}
	return to_arena(a, tmp, n, out);
}

/* "Node 0, zone   Normal   5376   1166 ..." */
size_t mt_parse_buddyinfo(const char *buf, size_t len, struct mt_arena *a,
			  struct mt_buddy_zone **out)
{
	size_t pos = 0, ln, n = 0, cap = 0;
	struct mt_buddy_zone *tmp = NULL;
	const char *line;
	while ((line = mt_next_line(buf, len, &pos, &ln)) != NULL) {
		const char *p = line, *end = line + ln;
		uint64_t node;
		if (ln < 5 || memcmp(p, "Node ", 5) != 0)
			continue;
		p += 5;
		if (parse_u64(p, end, &node, &p) < 0 || node > 4096)
			continue;
		if (end - p < 7 || memcmp(p, ", zone ", 7) != 0)
			continue;
		p += 7;
		while (p < end && *p == ' ')
			p++;
		const char *zn = p;
		while (p < end && *p != ' ')
			p++;
		if (p == zn)
			continue;
		struct mt_buddy_zone z = {.node = (int)node};
		z.zone = mt_arena_strndup(a, zn, (size_t)(p - zn));
		bool ok = true;
		while (p < end) {
			while (p < end && *p == ' ')
				p++;
			if (p == end)
				break;
			uint64_t v;
			if (z.norders == MT_BUDDY_ORDERS ||
			    parse_u64(p, end, &v, &p) < 0) {
				ok = false;
				break;
			}
			z.free[z.norders++] = v;
		}
		if (!ok || !z.norders)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			tmp = xrealloc(tmp, cap * sizeof(*tmp));
		}
		tmp[n++] = z;
	}
	*out = mt_arena_alloc(a, (n ? n : 1) * sizeof(**out));
	if (n)
		memcpy(*out, tmp, n * sizeof(*tmp));
	free(tmp);
	return n;
}

uint64_t mt_buddy_free_pages(const struct mt_sysinfo *si, int node,
			     unsigned from_order)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < si->nzones; i++) {
		const struct mt_buddy_zone *z = &si->zones[i];
		if (node >= 0 && z->node != node)
			continue;
		for (unsigned o = from_order; o < z->norders; o++)
			sum += z->free[o] << o;
	}
	return sum;
}

const struct mt_counter *mt_counter_find(const struct mt_counter *c,
					 size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].key, key) == 0)
			return &c[i];
	return NULL;
}

void mt_counter_rate(struct mt_counter *cur, const struct mt_counter *prev,
		     double dt)
{
	cur->has_rate = false;
	cur->reset = false;
	cur->rate = 0;
	if (!prev || !(dt > 0))
		return;
	cur->has_rate = true;
	if (cur->value >= prev->value) {
		cur->rate = (double)(cur->value - prev->value) / dt;
	} else {
		/* went backwards: the counter restarted from zero */
		cur->reset = true;
		cur->rate = (double)cur->value / dt;
	}
}

static void rates(struct mt_counter *cur, size_t n,
		  const struct mt_counter *prev, size_t nprev, double dt)
{
	for (size_t i = 0; i < n; i++)
		mt_counter_rate(&cur[i],
				prev ? mt_counter_find(prev, nprev, cur[i].key)
				     : NULL,
				dt);
}

/* Numeric files of a sysfs directory as counters. */
static size_t read_numeric_dir(const struct mt_procfs *pf, const char *rel,
			       struct mt_arena *a, struct mt_counter **out)
{
	char **names;
	size_t nn, n = 0, cap = 0;
	struct mt_counter *tmp = NULL;
	if (mt_sysfs_list(pf, rel, &names, &nn) < 0) {
		*out = NULL;
		return 0;
	}
	char path[512];
	for (size_t i = 0; i < nn; i++) {
		uint64_t v;
		snprintf(path, sizeof(path), "%s/%s", rel, names[i]);
		if (mt_sysfs_read_u64(pf, path, &v) < 0)
			continue;
		tmp = grow(tmp, n, &cap);
		tmp[n++] = (struct mt_counter){
			.key = mt_arena_strndup(a, names[i], strlen(names[i])),
			.value = v};
	}
	mt_free_names(names, nn);
	return to_arena(a, tmp, n, out);
}

static const char *read_choice(const struct mt_procfs *pf, const char *rel,
			       struct mt_arena *a, struct mt_buf *b)
{
	if (mt_sysfs_read(pf, rel, b) < 0)
		return "?";
	return mt_parse_choice(b->data, b->len, a);
}

static void read_sizes(const struct mt_procfs *pf, struct mt_arena *a,
		       struct mt_sysinfo *si, const struct mt_sysinfo *prev,
		       struct mt_buf *b)
{
	char **names;
	size_t nn;
	if (mt_sysfs_list(pf, THP_DIR, &names, &nn) < 0)
		return;
	si->sizes = mt_arena_alloc(a, (nn ? nn : 1) * sizeof(*si->sizes));
	char path[512];
	for (size_t i = 0; i < nn; i++) {
		unsigned long long kb;
		char tail[4];
		if (sscanf(names[i], "hugepages-%llukB%3s", &kb, tail) != 1 ||
		    kb == 0)
			continue;
		struct mt_mthp_size *sz = &si->sizes[si->nsizes];
		sz->kb = kb;
		snprintf(path, sizeof(path), THP_DIR "/%s/enabled", names[i]);
		sz->enabled = read_choice(pf, path, a, b);
		snprintf(path, sizeof(path), THP_DIR "/%s/shmem_enabled",
			 names[i]);
		sz->shmem_enabled = read_choice(pf, path, a, b);
		snprintf(path, sizeof(path), THP_DIR "/%s/stats", names[i]);
		sz->nstats = read_numeric_dir(pf, path, a, &sz->stats);
		const struct mt_mthp_size *old = NULL;
		for (size_t j = 0; prev && j < prev->nsizes; j++)
			if (prev->sizes[j].kb == kb)
				old = &prev->sizes[j];
		rates(sz->stats, sz->nstats, old ? old->stats : NULL,
		      old ? old->nstats : 0, si->interval_s);
		si->nsizes++;
	}
	mt_free_names(names, nn);
	/* names sort as text: order by size */
	for (size_t i = 1; i < si->nsizes; i++)
		for (size_t j = i; j > 0 && si->sizes[j - 1].kb > si->sizes[j].kb;
		     j--) {
			struct mt_mthp_size t = si->sizes[j];
			si->sizes[j] = si->sizes[j - 1];
			si->sizes[j - 1] = t;
		}
}

struct mt_sysinfo *mt_sysinfo_read(const struct mt_procfs *pf,
				   struct mt_arena *a,
				   const struct mt_sysinfo *prev)
{
	struct mt_sysinfo *si = mt_arena_alloc(a, sizeof(*si));
	struct mt_buf b = {0};
	si->mono_ns = mt_now_ns();
	if (prev && si->mono_ns > prev->mono_ns)
		si->interval_s = (double)(si->mono_ns - prev->mono_ns) / 1e9;
	si->thp_enabled = read_choice(pf, THP_DIR "/enabled", a, &b);
	si->thp_defrag = read_choice(pf, THP_DIR "/defrag", a, &b);
	si->thp_shmem_enabled = read_choice(pf, THP_DIR "/shmem_enabled", a, &b);
	si->nkhugepaged = read_numeric_dir(pf, THP_DIR "/khugepaged", a,
					   &si->khugepaged);
	rates(si->khugepaged, si->nkhugepaged, prev ? prev->khugepaged : NULL,
	      prev ? prev->nkhugepaged : 0, si->interval_s);
	read_sizes(pf, a, si, prev, &b);
	if (mt_read_at(pf->proc_fd, "vmstat", &b) == 0) {
		si->nvmstat = mt_parse_vmstat(b.data, b.len, a, &si->vmstat);
		rates(si->vmstat, si->nvmstat, prev ? prev->vmstat : NULL,
		      prev ? prev->nvmstat : 0, si->interval_s);
	}
	if (mt_read_at(pf->proc_fd, "meminfo", &b) == 0)
		si->nmeminfo = mt_parse_meminfo(b.data, b.len, a, &si->meminfo);
	if (mt_read_at(pf->proc_fd, "buddyinfo", &b) == 0)
		si->nzones = mt_parse_buddyinfo(b.data, b.len, a, &si->zones);
	mt_buf_free(&b);
	return si;
}
