/*
 * procfs.h - the only door to /proc and /sys.
 *
 * Every file memtop reads is opened relative to one of two directory fds,
 * so --proc-root and --sys-root can point the whole program at a fixture
 * tree. Errors come back as negative errno values, classified by
 * mt_err_class() into "gone" (the process exited), "denied" and "other".
 * Nothing here prints.
 */
#ifndef MEMTOP_PROCFS_H
#define MEMTOP_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "memtop/util.h"

struct mt_procfs {
	int proc_fd; /* directory fd of the proc root */
	int sys_fd;  /* directory fd of the sys root, -1 if unavailable */
	int live;    /* proc root is the real /proc */
};

enum mt_err_class { MT_ERR_NONE, MT_ERR_GONE, MT_ERR_DENIED, MT_ERR_OTHER };

/* Open the roots (NULL means /proc and /sys). On failure returns -errno and
 * writes a message into err. */
int mt_procfs_open(struct mt_procfs *pf, const char *proc_root,
		   const char *sys_root, char *err, size_t errlen);
void mt_procfs_close(struct mt_procfs *pf);

/* Sorted list of the numeric entries of the proc root (processes). */
int mt_procfs_list_pids(const struct mt_procfs *pf, pid_t **pids, size_t *n);

/* Directory fd of /proc/PID, or -errno. */
int mt_procfs_open_pid(const struct mt_procfs *pf, pid_t pid);

/* Open a file below a directory fd read-only; fd or -errno. */
int mt_open_at(int dirfd, const char *name);

/* Read a whole (pseudo) file below dirfd into b (replacing its content).
 * Returns 0 or -errno. */
int mt_read_at(int dirfd, const char *name, struct mt_buf *b);

/* Read a whole file from an open fd (from its current offset). */
int mt_read_fd(int fd, struct mt_buf *b);

/* Read a small /sys file relative to the sys root; trailing newline
 * stripped. Returns 0 or -errno. */
int mt_sysfs_read(const struct mt_procfs *pf, const char *rel,
		  struct mt_buf *b);
int mt_sysfs_read_u64(const struct mt_procfs *pf, const char *rel,
		      uint64_t *v);

/* Sorted names in a directory below the sys root (no "." entries).
 * Free with mt_free_names(). Returns 0 or -errno. */
int mt_sysfs_list(const struct mt_procfs *pf, const char *rel, char ***names,
		  size_t *n);
void mt_free_names(char **names, size_t n);

/* Open /proc/kpageflags (root only); fd or -errno. */
int mt_procfs_open_kpageflags(const struct mt_procfs *pf);

enum mt_err_class mt_err_class(int neg_errno);

#endif
