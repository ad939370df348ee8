/*
 * memcg.h - room left under a memory cgroup's limit: a fault that needs
 * a PMD-sized huge page charges all of it to the process's memory
 * cgroup at once, and falls back to small pages when it does not fit.
 *
 * The room of a cgroup is the least, over it and its ancestors, of limit
 * minus usage (v1: memory.limit_in_bytes and memory.usage_in_bytes; v2:
 * memory.max and memory.current). Each cgroup is read once per scan.
 */
#ifndef MEMTOP_MEMCG_H
#define MEMTOP_MEMCG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtop/procfs.h"

/* Where the memory controller is mounted, from mountinfo text: the v1
 * memory hierarchy and the v2 hierarchy, each as its mount point and
 * the cgroup path at the mount's root (NUL-terminated copies into the
 * buffers, "" when not mounted). */
struct mt_memcg_mounts {
	char v1_point[256], v1_root[256];
	char v2_point[256], v2_root[256];
};
void mt_memcg_parse_mounts(const char *buf, size_t len,
			   struct mt_memcg_mounts *m);

/* A limit file's value: a number, or "max" (v2) / a huge number (v1)
 * for no limit (*nolimit). -1 when it is neither. */
int mt_memcg_parse_limit(const char *buf, size_t len, uint64_t *v,
			 bool *nolimit);

struct mt_memcg;
/* Find the hierarchies (from /proc/self/mountinfo of the proc root);
 * NULL never: a context without a hierarchy answers unknown. */
struct mt_memcg *mt_memcg_open(const struct mt_procfs *pf);
void mt_memcg_close(struct mt_memcg *m);
/* Forget the figures read (at the start of every scan). */
void mt_memcg_new_scan(struct mt_memcg *m);
/* Bytes left under the limits of the cgroup path (as /proc/PID/cgroup
 * gives it: mt_parse_cgroup) and its ancestors; MT_UNKNOWN when no
 * limit is set on the way up, or the files cannot be read. */
uint64_t mt_memcg_room(struct mt_memcg *m, const char *path);

#endif
