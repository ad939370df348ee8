/*
 * atomicfile.c - write a temporary file next to the target, fsync it,
 * rename it over the target, fsync the directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memtop/atomicfile.h"
#include "memtop/util.h"

/* The file to replace: path itself, or what it points to when it is a
 * symbolic link that resolves. Returns a malloc'd string. */
static char *target_of(const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		char *real = realpath(path, NULL);
		if (real)
			return real;
	}
	return xstrdup(path);
}

/* Split target into its directory ("." when there is no slash) and base
 * name; both malloc'd. */
static void split_path(const char *target, char **dir, char **base)
{
	const char *slash = strrchr(target, '/');
	if (!slash) {
		*dir = xstrdup(".");
		*base = xstrdup(target);
		return;
	}
	size_t dlen = (size_t)(slash - target);
	if (dlen == 0)
		dlen = 1; /* "/name": the root directory */
	*dir = xmalloc(dlen + 1);
	memcpy(*dir, target, dlen);
	(*dir)[dlen] = '\0';
	*base = xstrdup(slash + 1);
}

/* Create "DIR/.BASE.XXXXXX" exclusively; fd or -errno. */
static int create_temp(const char *dir, const char *base, char **tmp_out)
{
	static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	uint64_t seed = mt_now_ns() ^ ((uint64_t)getpid() << 32) ^
			(uint64_t)(uintptr_t)tmp_out;
	for (int attempt = 0; attempt < 100; attempt++) {
		char suffix[7];
		for (int i = 0; i < 6; i++) {
			/* xorshift: enough to avoid collisions, O_EXCL does
			 * the rest */
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			suffix[i] = digits[seed % (sizeof(digits) - 1)];
		}
		suffix[6] = '\0';
		struct mt_buf name = {0};
		mt_buf_printf(&name, "%s/.%s.%s", dir, base, suffix);
		int fd = open(name.data,
			      O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			      0666);
		if (fd >= 0) {
			*tmp_out = name.data;
			return fd;
		}
		int e = errno;
		mt_buf_free(&name);
		if (e != EEXIST)
			return -e;
	}
	return -EEXIST;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	/* some file systems refuse fsync on directories: the rename is done
	 * either way */
	(void)fsync(fd);
	close(fd);
}

int mt_write_file_atomic(const char *path, void (*writer)(FILE *f, void *arg),
			 void *arg)
{
	if (!path || !*path || !writer)
		return -EINVAL;
	char *target = target_of(path);
	char *dir, *base;
	split_path(target, &dir, &base);
	char *tmp = NULL;
	int err = 0;
	if (!*base) {
		err = -EISDIR; /* "dir/" */
		goto out;
	}
	struct stat st;
	bool exists = stat(target, &st) == 0;
	if (exists && S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto out;
	}
	int fd = create_temp(dir, base, &tmp);
	if (fd < 0) {
		err = fd;
		goto out;
	}
	if (exists && S_ISREG(st.st_mode) && fchmod(fd, st.st_mode & 07777) < 0) {
		err = -errno;
		close(fd);
		goto fail;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto fail;
	}
	errno = 0;
	writer(f, arg);
	if (fflush(f) == EOF || ferror(f))
		err = errno ? -errno : -EIO;
	else if (fsync(fd) < 0)
		err = -errno;
	if (fclose(f) == EOF && !err)
		err = -errno;
	if (err)
		goto fail;
	if (rename(tmp, target) < 0) {
		err = -errno;
		goto fail;
	}
	sync_dir(dir);
	goto out;
fail:
	unlink(tmp);
out:
	free(tmp);
	free(dir);
	free(base);
	free(target);
	return err;
}
