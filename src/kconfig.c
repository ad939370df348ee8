/*
 * kconfig.c - the running kernel's build options (see kconfig.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "memtop/kconfig.h"
#include "memtop/parse.h"

enum mt_tri mt_kconfig_parse(const char *buf, size_t len, const char *name)
{
	size_t nl = strlen(name), pos = 0, n;
	const char *line;
	while ((line = mt_next_line(buf, len, &pos, &n))) {
		if (n > nl + 1 && !memcmp(line, name, nl) && line[nl] == '=')
			return line[nl + 1] == 'y' || line[nl + 1] == 'm'
				       ? MT_TRI_YES
				       : MT_TRI_NO;
	}
	return MT_TRI_NO; /* "# ... is not set", or not in this kernel */
}

/* The whole of a gzip file into b; 0 or -1. */
static int read_gz(int fd, struct mt_buf *b)
{
	gzFile z = gzdopen(fd, "rb");
	if (!z) {
		close(fd);
		return -1;
	}
	char chunk[16384];
	int r;
	while ((r = gzread(z, chunk, sizeof(chunk))) > 0)
		mt_buf_add(b, chunk, (size_t)r);
	int bad = r < 0;
	gzclose(z);
	return bad ? -1 : 0;
}

enum mt_tri mt_kconfig_get(const struct mt_procfs *pf, const char *name,
			   const char **why)
{
	struct mt_buf b = {0};
	enum mt_tri t = MT_TRI_UNKNOWN;
	struct utsname u;
	char path[160];
	if (pf->live && uname(&u) == 0) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && mt_read_fd(fd, &b) == 0 && b.len)
			t = mt_kconfig_parse(b.data, b.len, name);
		if (fd >= 0)
			close(fd);
	}
	if (t == MT_TRI_UNKNOWN) {
		mt_buf_reset(&b);
		int fd = openat(pf->proc_fd, "config.gz", O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && read_gz(fd, &b) == 0 && b.len)
			t = mt_kconfig_parse(b.data, b.len, name);
	}
	mt_buf_free(&b);
	if (why)
		*why = t == MT_TRI_UNKNOWN
			       ? "the kernel's configuration is not readable "
				 "(no /boot/config-RELEASE or /proc/config.gz)"
			       : NULL;
	return t;
}
