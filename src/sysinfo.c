/*
 * sysinfo.c - system-wide huge page settings, counters and fragmentation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/vfs.h>

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

int mt_buddy_nodes(const struct mt_sysinfo *si, unsigned *norders)
{
	int maxnode = -1;
	unsigned n = 0;
	for (size_t z = 0; z < si->nzones; z++) {
		maxnode = MT_MAX(maxnode, si->zones[z].node);
		n = MT_MAX(n, si->zones[z].norders);
	}
	*norders = MT_MIN(n, (unsigned)MT_BUDDY_ORDERS);
	return maxnode;
}

bool mt_buddy_node_blocks(const struct mt_sysinfo *si, int node,
			  uint64_t *blocks)
{
	bool any = false;
	memset(blocks, 0, MT_BUDDY_ORDERS * sizeof(*blocks));
	for (size_t z = 0; z < si->nzones; z++) {
		const struct mt_buddy_zone *zn = &si->zones[z];
		if (zn->node != node)
			continue;
		any = true;
		for (unsigned o = 0; o < zn->norders && o < MT_BUDDY_ORDERS; o++)
			blocks[o] += zn->free[o];
	}
	return any;
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

/*
 * The reader. The layout below /sys/kernel/mm/transparent_hugepage is
 * listed once; its files (about 200 with every mTHP size) and the three
 * /proc files are opened at each read until the second, and from then on,
 * on sysfs and procfs, kept open: both render a file afresh on a read at
 * offset 0, so a later read is one pread() instead of a path walk, an open
 * and a close. A one-shot run keeps nothing open (closing 200 files at
 * exit costs as much as closing them at once). Files of a fixture tree are
 * opened at every read, so that a file a test replaces is seen. How many
 * files stay open is bounded by RLIMIT_NOFILE.
 */
struct sys_file {
	int dirfd;       /* the sys or proc root, -1 if there is none */
	char *rel;       /* path below it */
	const char *key; /* file name, for counters */
	int fd;          /* kept open, or -1 */
	bool keep;       /* on a pseudo file system: may be kept open */
	bool read_once;  /* opened and read before */
};

struct size_dir {
	uint64_t kb;
	struct sys_file enabled, shmem_enabled;
	struct sys_file *stats;
	size_t nstats;
};

struct mt_sysreader {
	struct mt_procfs pf; /* its root fds (not owned) */
	bool keep_sys, keep_proc;
	unsigned reads;  /* mt_sysinfo_read calls so far (at most 2); the
			    layout is listed at the first */
	size_t budget; /* files that may still be kept open */
	struct sys_file thp_enabled, thp_defrag, thp_shmem_enabled;
	struct sys_file *khugepaged;
	size_t nkhugepaged;
	struct size_dir *sizes;
	size_t nsizes;
	struct sys_file vmstat, meminfo, buddyinfo;
	struct mt_buf buf;
};

static void file_init(struct sys_file *f, int dirfd, bool keep,
		      const char *rel)
{
	f->dirfd = dirfd;
	f->rel = xstrdup(rel);
	const char *slash = strrchr(f->rel, '/');
	f->key = slash ? slash + 1 : f->rel;
	f->fd = -1;
	f->keep = keep;
}

static void file_close(struct sys_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	free(f->rel);
	f->rel = NULL;
}

/* The whole file from offset 0. A read that does not fill the buffer
 * ends it: sysfs and seq_file render all they have into one read (and a
 * read at the end would make them render the file again). */
static int pread_all(int fd, struct mt_buf *b)
{
	mt_buf_reset(b);
	for (;;) {
		mt_buf_reserve(b, 8192);
		size_t want = b->cap - b->len - 1;
		ssize_t n = pread(fd, b->data + b->len, want, (off_t)b->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b->len += (size_t)n;
		if ((size_t)n < want)
			break;
	}
	b->data[b->len] = '\0';
	return 0;
}

/* Read f into r->buf; 0 or -errno. */
static int file_read(struct mt_sysreader *r, struct sys_file *f)
{
	if (f->fd >= 0) {
		if (pread_all(f->fd, &r->buf) == 0)
			return 0;
		close(f->fd); /* gone bad: try it afresh */
		f->fd = -1;
		r->budget++;
	}
	if (f->dirfd < 0)
		return -ENOENT;
	int fd = mt_open_at(f->dirfd, f->rel);
	if (fd < 0)
		return fd;
	int e = pread_all(fd, &r->buf);
	bool again = f->read_once;
	f->read_once = true;
	if (e == 0 && again && f->keep && r->budget > 0) {
		f->fd = fd;
		r->budget--;
	} else {
		close(fd);
	}
	return e;
}

/* A one-value attribute: the text without trailing blanks. */
static const char *attr_text(struct mt_sysreader *r, struct sys_file *f)
{
	if (file_read(r, f) < 0)
		return NULL;
	struct mt_buf *b = &r->buf;
	while (b->len && (b->data[b->len - 1] == '\n' ||
			  b->data[b->len - 1] == ' '))
		b->data[--b->len] = '\0';
	return b->data;
}

static const char *read_choice(struct mt_sysreader *r, struct sys_file *f,
			       struct mt_arena *a)
{
	if (!attr_text(r, f))
		return "?";
	return mt_parse_choice(r->buf.data, r->buf.len, a);
}

/* The numeric ones of files as counters (others left out). */
static size_t read_counters(struct mt_sysreader *r, struct sys_file *files,
			    size_t nfiles, struct mt_arena *a,
			    struct mt_counter **out)
{
	*out = NULL;
	if (!nfiles)
		return 0;
	struct mt_counter *c = mt_arena_alloc(a, nfiles * sizeof(*c));
	size_t n = 0;
	for (size_t i = 0; i < nfiles; i++) {
		const char *t = attr_text(r, &files[i]);
		uint64_t v;
		const char *stop;
		if (!t || parse_u64(t, t + r->buf.len, &v, &stop) < 0 ||
		    stop != t + r->buf.len)
			continue;
		c[n++] = (struct mt_counter){
			.key = mt_arena_strndup(a, files[i].key,
						strlen(files[i].key)),
			.value = v};
	}
	*out = n ? c : NULL;
	return n;
}

/* The files of a directory below the sys root, sorted by name. */
static size_t list_files(const struct mt_procfs *pf, bool keep,
			 const char *rel, struct sys_file **out)
{
	char **names;
	size_t nn;
	*out = NULL;
	if (mt_sysfs_list(pf, rel, &names, &nn) < 0 || !nn)
		return 0;
	*out = xcalloc(nn, sizeof(**out));
	char path[512];
	for (size_t i = 0; i < nn; i++) {
		snprintf(path, sizeof(path), "%s/%s", rel, names[i]);
		file_init(&(*out)[i], pf->sys_fd, keep, path);
	}
	mt_free_names(names, nn);
	return nn;
}

static int cmp_size(const void *x, const void *y)
{
	const struct size_dir *a = x, *b = y;
	return (a->kb > b->kb) - (a->kb < b->kb);
}

static bool on_fs(int fd, unsigned long magic)
{
	struct statfs st;
	return fd >= 0 && fstatfs(fd, &st) == 0 &&
	       (unsigned long)st.f_type == magic;
}

struct mt_sysreader *mt_sysreader_new(const struct mt_procfs *pf,
				      enum mt_sysreader_keep keep)
{
	struct mt_sysreader *r = xcalloc(1, sizeof(*r));
	r->pf = *pf;
	r->keep_sys = keep == MT_SYSREADER_KEEP_ALWAYS ||
		      (keep == MT_SYSREADER_KEEP_AUTO &&
		       on_fs(pf->sys_fd, SYSFS_MAGIC));
	r->keep_proc = keep == MT_SYSREADER_KEEP_ALWAYS ||
		       (keep == MT_SYSREADER_KEEP_AUTO &&
			on_fs(pf->proc_fd, PROC_SUPER_MAGIC));
	/* a quarter of the descriptors memtop may have, at most 512 */
	struct rlimit rl;
	if (keep != MT_SYSREADER_KEEP_NEVER && getrlimit(RLIMIT_NOFILE, &rl) == 0)
		r->budget = rl.rlim_cur == RLIM_INFINITY
				    ? 512
				    : (size_t)MT_MIN(rl.rlim_cur / 4, 512);
	return r;
}

/* At the first read (on the thread that reads). */
static void list_layout(struct mt_sysreader *r)
{
	const struct mt_procfs *pf = &r->pf;
	bool ks = r->keep_sys, kp = r->keep_proc;
	int sys = pf->sys_fd;
	file_init(&r->thp_enabled, sys, ks, THP_DIR "/enabled");
	file_init(&r->thp_defrag, sys, ks, THP_DIR "/defrag");
	file_init(&r->thp_shmem_enabled, sys, ks, THP_DIR "/shmem_enabled");
	r->nkhugepaged = list_files(pf, ks, THP_DIR "/khugepaged",
				    &r->khugepaged);
	char **names;
	size_t nn;
	if (mt_sysfs_list(pf, THP_DIR, &names, &nn) == 0 && nn) {
		r->sizes = xcalloc(nn, sizeof(*r->sizes));
		char path[512];
		for (size_t i = 0; i < nn; i++) {
			unsigned long long kb;
			char tail[4];
			if (sscanf(names[i], "hugepages-%llukB%3s", &kb,
				   tail) != 1 ||
			    kb == 0)
				continue;
			struct size_dir *d = &r->sizes[r->nsizes++];
			d->kb = kb;
			snprintf(path, sizeof(path), THP_DIR "/%s/enabled",
				 names[i]);
			file_init(&d->enabled, sys, ks, path);
			snprintf(path, sizeof(path), THP_DIR "/%s/shmem_enabled",
				 names[i]);
			file_init(&d->shmem_enabled, sys, ks, path);
			snprintf(path, sizeof(path), THP_DIR "/%s/stats",
				 names[i]);
			d->nstats = list_files(pf, ks, path, &d->stats);
		}
		/* names sort as text: order by size */
		qsort(r->sizes, r->nsizes, sizeof(*r->sizes), cmp_size);
	}
	mt_free_names(names, nn);
	file_init(&r->vmstat, pf->proc_fd, kp, "vmstat");
	file_init(&r->meminfo, pf->proc_fd, kp, "meminfo");
	file_init(&r->buddyinfo, pf->proc_fd, kp, "buddyinfo");
}

void mt_sysreader_free(struct mt_sysreader *r)
{
	if (!r)
		return;
	if (!r->reads) {
		free(r);
		return;
	}
	file_close(&r->thp_enabled);
	file_close(&r->thp_defrag);
	file_close(&r->thp_shmem_enabled);
	for (size_t i = 0; i < r->nkhugepaged; i++)
		file_close(&r->khugepaged[i]);
	free(r->khugepaged);
	for (size_t i = 0; i < r->nsizes; i++) {
		struct size_dir *d = &r->sizes[i];
		file_close(&d->enabled);
		file_close(&d->shmem_enabled);
		for (size_t j = 0; j < d->nstats; j++)
			file_close(&d->stats[j]);
		free(d->stats);
	}
	free(r->sizes);
	file_close(&r->vmstat);
	file_close(&r->meminfo);
	file_close(&r->buddyinfo);
	mt_buf_free(&r->buf);
	free(r);
}

bool mt_sysreader_warm(const struct mt_sysreader *r)
{
	return r->reads >= 2;
}

size_t mt_sysreader_open_files(const struct mt_sysreader *r)
{
	size_t n = 0;
	const struct sys_file *one[] = {&r->thp_enabled, &r->thp_defrag,
					&r->thp_shmem_enabled, &r->vmstat,
					&r->meminfo, &r->buddyinfo};
	for (size_t i = 0; i < MT_ARRAY_SIZE(one); i++)
		n += one[i]->fd >= 0;
	for (size_t i = 0; i < r->nkhugepaged; i++)
		n += r->khugepaged[i].fd >= 0;
	for (size_t i = 0; i < r->nsizes; i++) {
		const struct size_dir *d = &r->sizes[i];
		n += (d->enabled.fd >= 0) + (d->shmem_enabled.fd >= 0);
		for (size_t j = 0; j < d->nstats; j++)
			n += d->stats[j].fd >= 0;
	}
	return n;
}

struct mt_sysinfo *mt_sysinfo_read(struct mt_sysreader *r,
				   struct mt_arena *a,
				   const struct mt_sysinfo *prev)
{
	struct mt_sysinfo *si = mt_arena_alloc(a, sizeof(*si));
	if (!r->reads)
		list_layout(r);
	if (r->reads < 2)
		r->reads++;
	si->mono_ns = mt_now_ns();
	if (prev && si->mono_ns > prev->mono_ns)
		si->interval_s = (double)(si->mono_ns - prev->mono_ns) / 1e9;
	si->thp_enabled = read_choice(r, &r->thp_enabled, a);
	si->thp_defrag = read_choice(r, &r->thp_defrag, a);
	si->thp_shmem_enabled = read_choice(r, &r->thp_shmem_enabled, a);
	si->nkhugepaged = read_counters(r, r->khugepaged, r->nkhugepaged, a,
					&si->khugepaged);
	rates(si->khugepaged, si->nkhugepaged, prev ? prev->khugepaged : NULL,
	      prev ? prev->nkhugepaged : 0, si->interval_s);
	if (r->nsizes)
		si->sizes = mt_arena_alloc(a, r->nsizes * sizeof(*si->sizes));
	for (size_t i = 0; i < r->nsizes; i++) {
		struct size_dir *d = &r->sizes[i];
		struct mt_mthp_size *sz = &si->sizes[si->nsizes++];
		sz->kb = d->kb;
		sz->enabled = read_choice(r, &d->enabled, a);
		sz->shmem_enabled = read_choice(r, &d->shmem_enabled, a);
		sz->nstats = read_counters(r, d->stats, d->nstats, a,
					   &sz->stats);
		const struct mt_mthp_size *old = NULL;
		for (size_t j = 0; prev && j < prev->nsizes; j++)
			if (prev->sizes[j].kb == d->kb)
				old = &prev->sizes[j];
		rates(sz->stats, sz->nstats, old ? old->stats : NULL,
		      old ? old->nstats : 0, si->interval_s);
	}
	struct mt_buf *b = &r->buf;
	if (file_read(r, &r->vmstat) == 0) {
		si->nvmstat = mt_parse_vmstat(b->data, b->len, a, &si->vmstat);
		rates(si->vmstat, si->nvmstat, prev ? prev->vmstat : NULL,
		      prev ? prev->nvmstat : 0, si->interval_s);
	}
	if (file_read(r, &r->meminfo) == 0)
		si->nmeminfo = mt_parse_meminfo(b->data, b->len, a, &si->meminfo);
	if (file_read(r, &r->buddyinfo) == 0)
		si->nzones = mt_parse_buddyinfo(b->data, b->len, a, &si->zones);
	/* a big /proc file is not worth keeping the buffer for */
	if (b->cap > 65536)
		mt_buf_free(b);
	return si;
}
