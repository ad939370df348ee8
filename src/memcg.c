/*
 * memcg.c - room left under memory cgroup limits (see memcg.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memtop/memcg.h"
#include "memtop/parse.h"
#include "memtop/snapshot.h"
#include "memtop/util.h"

/* A field of a mountinfo line: the i-th space separated word. */
static bool field(const char *line, size_t n, unsigned i, const char **f,
		  size_t *fl)
{
	const char *p = line, *e = line + n;
	for (unsigned k = 0; p < e; k++) {
		const char *sp = memchr(p, ' ', (size_t)(e - p));
		const char *end = sp ? sp : e;
		if (k == i) {
			*f = p;
			*fl = (size_t)(end - p);
			return true;
		}
		if (!sp)
			break;
		p = sp + 1;
	}
	return false;
}

static void copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = 0; /* too long to be used: as if not mounted */
	memcpy(dst, s, n);
	dst[n] = 0;
}

static bool has_word(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);
	for (const char *p = s; p < s + n;) {
		const char *c = memchr(p, ',', (size_t)(s + n - p));
		const char *e = c ? c : s + n;
		if ((size_t)(e - p) == wl && !memcmp(p, w, wl))
			return true;
		p = e + 1;
	}
	return false;
}

void mt_memcg_parse_mounts(const char *buf, size_t len,
			   struct mt_memcg_mounts *m)
{
	memset(m, 0, sizeof(*m));
	size_t pos = 0, n;
	const char *line;
	while ((line = mt_next_line(buf, len, &pos, &n))) {
		/* id parent maj:min root point opts [tags] - type src sopts */
		const char *sep = NULL;
		for (const char *q = line; q + 3 <= line + n; q++)
			if (q[0] == ' ' && q[1] == '-' && q[2] == ' ') {
				sep = q;
				break;
			}
		if (!sep)
			continue;
		const char *rest = sep + 3;
		size_t rl = (size_t)(line + n - rest);
		const char *type, *sopts, *root, *point;
		size_t tl, sl, rtl, pl;
		if (!field(rest, rl, 0, &type, &tl) ||
		    !field(line, (size_t)(sep - line), 3, &root, &rtl) ||
		    !field(line, (size_t)(sep - line), 4, &point, &pl))
			continue;
		if (tl == 7 && !memcmp(type, "cgroup2", 7) && !m->v2_point[0]) {
			copy(m->v2_point, sizeof(m->v2_point), point, pl);
			copy(m->v2_root, sizeof(m->v2_root), root, rtl);
		} else if (tl == 6 && !memcmp(type, "cgroup", 6) &&
			   field(rest, rl, 2, &sopts, &sl) &&
			   has_word(sopts, sl, "memory") && !m->v1_point[0]) {
			copy(m->v1_point, sizeof(m->v1_point), point, pl);
			copy(m->v1_root, sizeof(m->v1_root), root, rtl);
		}
	}
}

int mt_memcg_parse_limit(const char *buf, size_t len, uint64_t *v,
			 bool *nolimit)
{
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	*nolimit = false;
	if (len == 3 && !memcmp(buf, "max", 3)) {
		*nolimit = true;
		return 0;
	}
	uint64_t x = 0;
	if (!len || len > 20)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
		uint64_t d = (uint64_t)(buf[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	/* v1 says "no limit" with the page counter's largest value */
	if (x >= UINT64_C(1) << 62)
		*nolimit = true;
	*v = x;
	return 0;
}

struct room_entry {
	char *path;
	uint64_t room;
};

struct mt_memcg {
	int dirfd;        /* the hierarchy's mount point, -1: none */
	bool v1;
	char root[256];   /* the cgroup path at the mount's root */
	struct room_entry *tab; /* open addressing, cap a power of two */
	size_t cap, used;
	struct mt_buf buf;
};

static int open_point(const struct mt_procfs *pf, const char *point)
{
	if (!point[0])
		return -1;
	if (pf->sys_fd >= 0 && !strncmp(point, "/sys/", 5))
		return openat(pf->sys_fd, point + 5,
			      O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!pf->live)
		return -1;
	return open(point, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

struct mt_memcg *mt_memcg_open(const struct mt_procfs *pf)
{
	struct mt_memcg *m = xcalloc(1, sizeof(*m));
	m->dirfd = -1;
	if (mt_read_at(pf->proc_fd, "self/mountinfo", &m->buf) < 0)
		return m;
	struct mt_memcg_mounts mm;
	mt_memcg_parse_mounts(m->buf.data, m->buf.len, &mm);
	if (mm.v1_point[0]) {
		m->v1 = true;
		m->dirfd = open_point(pf, mm.v1_point);
		snprintf(m->root, sizeof(m->root), "%s", mm.v1_root);
	} else {
		m->dirfd = open_point(pf, mm.v2_point);
		snprintf(m->root, sizeof(m->root), "%s", mm.v2_root);
	}
	return m;
}

void mt_memcg_new_scan(struct mt_memcg *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		free(m->tab[i].path);
		m->tab[i].path = NULL;
	}
	m->used = 0;
}

void mt_memcg_close(struct mt_memcg *m)
{
	if (!m)
		return;
	mt_memcg_new_scan(m);
	free(m->tab);
	if (m->dirfd >= 0)
		close(m->dirfd);
	mt_buf_free(&m->buf);
	free(m);
}

static size_t hash(const char *s, size_t n)
{
	uint64_t h = UINT64_C(1469598103934665603);
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
	return (size_t)h;
}

static struct room_entry *slot(struct mt_memcg *m, const char *p, size_t n)
{
	if (m->used * 2 >= m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64;
		struct room_entry *t = xcalloc(ncap, sizeof(*t));
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->tab[i].path)
				continue;
			size_t k = hash(m->tab[i].path,
					strlen(m->tab[i].path)) & (ncap - 1);
			while (t[k].path)
				k = (k + 1) & (ncap - 1);
			t[k] = m->tab[i];
		}
		free(m->tab);
		m->tab = t;
		m->cap = ncap;
	}
	size_t k = hash(p, n) & (m->cap - 1);
	while (m->tab[k].path && (strlen(m->tab[k].path) != n ||
				  memcmp(m->tab[k].path, p, n)))
		k = (k + 1) & (m->cap - 1);
	return &m->tab[k];
}

/* One level's room (limit - usage), MT_UNKNOWN without a limit. */
static uint64_t level_room(struct mt_memcg *m, const char *rel)
{
	char f[512];
	uint64_t lim, use;
	bool nolim, nouse;
	snprintf(f, sizeof(f), "%s%s", rel,
		 m->v1 ? "/memory.limit_in_bytes" : "/memory.max");
	if (mt_read_at(m->dirfd, f, &m->buf) < 0 ||
	    mt_memcg_parse_limit(m->buf.data, m->buf.len, &lim, &nolim) < 0 ||
	    nolim)
		return MT_UNKNOWN;
	snprintf(f, sizeof(f), "%s%s", rel,
		 m->v1 ? "/memory.usage_in_bytes" : "/memory.current");
	if (mt_read_at(m->dirfd, f, &m->buf) < 0 ||
	    mt_memcg_parse_limit(m->buf.data, m->buf.len, &use, &nouse) < 0 ||
	    nouse)
		return MT_UNKNOWN;
	return lim > use ? lim - use : 0;
}

/* rel: a path below the mount point, "." for its root, else "./a/b". */
static uint64_t room_of(struct mt_memcg *m, const char *rel, size_t n)
{
	struct room_entry *e = slot(m, rel, n);
	if (e->path)
		return e->room;
	char *key = xmalloc(n + 1);
	memcpy(key, rel, n);
	key[n] = 0;
	uint64_t r = level_room(m, key);
	if (n > 1) {
		const char *up = rel + n;
		while (up > rel && *--up != '/')
			;
		uint64_t pr = room_of(m, rel, (size_t)(up - rel));
		if (pr != MT_UNKNOWN && (r == MT_UNKNOWN || pr < r))
			r = pr;
	}
	e = slot(m, key, n); /* the table may have grown */
	e->path = key;
	e->room = r;
	m->used++;
	return r;
}

uint64_t mt_memcg_room(struct mt_memcg *m, const char *path)
{
	if (!m || m->dirfd < 0 || !path || path[0] != '/')
		return MT_UNKNOWN;
	size_t rl = strlen(m->root);
	if (rl > 1) {
		/* the mount shows a subtree: the path must lie inside it */
		if (strncmp(path, m->root, rl) ||
		    (path[rl] != '/' && path[rl] != 0))
			return MT_UNKNOWN;
		path += rl;
	}
	if (strstr(path, "/..") || strlen(path) > 400)
		return MT_UNKNOWN;
	char rel[416];
	int n = snprintf(rel, sizeof(rel), ".%s", path);
	while (n > 1 && rel[n - 1] == '/')
		rel[--n] = 0;
	return room_of(m, rel, (size_t)n);
}
