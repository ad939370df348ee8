/*
 * procfs.c - every open() of /proc and /sys, relative to two root fds.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memtop/procfs.h"

static int open_root(const char *path, char *err, size_t errlen,
		     const char *what)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && err)
		snprintf(err, errlen, "cannot open %s root %s: %s", what, path,
			 strerror(errno));
	return fd;
}

int mt_procfs_open(struct mt_procfs *pf, const char *proc_root,
		   const char *sys_root, char *err, size_t errlen)
{
	pf->live = proc_root == NULL || strcmp(proc_root, "/proc") == 0;
	pf->proc_fd = open_root(proc_root ? proc_root : "/proc", err, errlen,
				"proc");
	if (pf->proc_fd < 0)
		return -errno;
	/* A missing sys root is not fatal: settings read as unknown. */
	pf->sys_fd = open_root(sys_root ? sys_root : "/sys", NULL, 0, "sys");
	if (pf->sys_fd < 0 && sys_root) {
		int e = errno;
		snprintf(err, errlen, "cannot open sys root %s: %s", sys_root,
			 strerror(e));
		close(pf->proc_fd);
		return -e;
	}
	return 0;
}

void mt_procfs_close(struct mt_procfs *pf)
{
	if (pf->proc_fd >= 0)
		close(pf->proc_fd);
	if (pf->sys_fd >= 0)
		close(pf->sys_fd);
	pf->proc_fd = pf->sys_fd = -1;
}

/* A directory below dirfd for readdir(); NULL with -errno in *err. */
static DIR *opendir_at(int dirfd, const char *rel, int *err)
{
	int fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		*err = -errno;
		close(fd);
	}
	return d;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

int mt_procfs_list_pids(const struct mt_procfs *pf, pid_t **pids, size_t *n)
{
	*pids = NULL;
	*n = 0;
	int err;
	DIR *d = opendir_at(pf->proc_fd, ".", &err);
	if (!d)
		return err;
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *s = de->d_name;
		if (*s < '1' || *s > '9')
			continue;
		char *end;
		long v = strtol(s, &end, 10);
		if (*end || v <= 0 || v > 0x3fffffff)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 512;
			*pids = xrealloc(*pids, cap * sizeof(pid_t));
		}
		(*pids)[(*n)++] = (pid_t)v;
	}
	closedir(d);
	if (*n)
		qsort(*pids, *n, sizeof(pid_t), cmp_pid);
	return 0;
}

int mt_procfs_open_pid(const struct mt_procfs *pf, pid_t pid)
{
	char name[24];
	snprintf(name, sizeof(name), "%d", (int)pid);
	int fd = openat(pf->proc_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int mt_open_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

int mt_read_fd(int fd, struct mt_buf *b)
{
	mt_buf_reset(b);
	for (;;) {
		mt_buf_reserve(b, 65536);
		ssize_t r = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		b->len += (size_t)r;
	}
	b->data[b->len] = '\0';
	return 0;
}

int mt_read_at(int dirfd, const char *name, struct mt_buf *b)
{
	int fd = mt_open_at(dirfd, name);
	if (fd < 0)
		return fd;
	int r = mt_read_fd(fd, b);
	close(fd);
	return r;
}

int mt_sysfs_read(const struct mt_procfs *pf, const char *rel,
		  struct mt_buf *b)
{
	if (pf->sys_fd < 0)
		return -ENOENT;
	/* A sysfs attribute comes whole in one read (at most a page): a
	 * read that does not fill the buffer ends it. Anything longer (a
	 * fixture) is read on to the end. */
	int fd = mt_open_at(pf->sys_fd, rel);
	if (fd < 0)
		return fd;
	mt_buf_reset(b);
	mt_buf_reserve(b, 8192);
	ssize_t n;
	do
		n = read(fd, b->data, b->cap - 1);
	while (n < 0 && errno == EINTR);
	int r = 0;
	if (n < 0) {
		r = -errno;
	} else if ((size_t)n == b->cap - 1) {
		b->len = (size_t)n;
		struct mt_buf rest = {0};
		r = mt_read_fd(fd, &rest);
		if (r == 0)
			mt_buf_add(b, rest.data, rest.len);
		mt_buf_free(&rest);
	} else {
		b->len = (size_t)n;
	}
	close(fd);
	if (r < 0)
		return r;
	b->data[b->len] = '\0';
	while (b->len && (b->data[b->len - 1] == '\n' ||
			  b->data[b->len - 1] == ' '))
		b->data[--b->len] = '\0';
	return 0;
}

int mt_sysfs_read_u64(const struct mt_procfs *pf, const char *rel,
		      uint64_t *v)
{
	struct mt_buf b = {0};
	int r = mt_sysfs_read(pf, rel, &b);
	if (r == 0) {
		char *end;
		errno = 0;
		unsigned long long x = strtoull(b.data, &end, 10);
		if (errno || end == b.data || *end)
			r = -EINVAL;
		else
			*v = x;
	}
	mt_buf_free(&b);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int mt_sysfs_list(const struct mt_procfs *pf, const char *rel, char ***names,
		  size_t *n)
{
	*names = NULL;
	*n = 0;
	if (pf->sys_fd < 0)
		return -ENOENT;
	int err;
	DIR *d = opendir_at(pf->sys_fd, rel, &err);
	if (!d)
		return err;
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			*names = xrealloc(*names, cap * sizeof(char *));
		}
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(char *), cmp_str);
	return 0;
}

void mt_free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int mt_procfs_open_kpageflags(const struct mt_procfs *pf)
{
	return mt_open_at(pf->proc_fd, "kpageflags");
}

enum mt_err_class mt_err_class(int neg_errno)
{
	switch (-neg_errno) {
	case 0:
		return MT_ERR_NONE;
	case ENOENT:
	case ESRCH:
		return MT_ERR_GONE;
	case EACCES:
	case EPERM:
		return MT_ERR_DENIED;
	default:
		return MT_ERR_OTHER;
	}
}
