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
	bool shmem_only; /* no anonymous "enabled" file (order 1) */
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
		if (!t || mt_parse_u64(t, r->buf.len, &v) < 0)
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
			/* a size without anonymous folios (the kernel has no
			 * order-1 anonymous ones) has no "enabled" file */
			char **files;
			size_t nf;
			snprintf(path, sizeof(path), THP_DIR "/%s", names[i]);
			if (mt_sysfs_list(pf, path, &files, &nf) == 0) {
				d->shmem_only = true;
				for (size_t k = 0; k < nf; k++)
					if (!strcmp(files[k], "enabled"))
						d->shmem_only = false;
				mt_free_names(files, nf);
			}
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
		sz->shmem_only = d->shmem_only;
		sz->enabled = d->shmem_only ? "shmem only"
					    : read_choice(r, &d->enabled, a);
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
