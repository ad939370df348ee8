/*
 * parse.h - pure parsers for the text files of /proc.
 *
 * They take a buffer and its length (not NUL terminated, may be truncated
 * anywhere) and never read outside it. A line they cannot make sense of is
 * rejected with -1; the caller counts it and goes on.
 */
#ifndef MEMTOP_PARSE_H
#define MEMTOP_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum mt_vma_kind {
	MT_KIND_ANON,    /* private anonymous, [anon:NAME] */
	MT_KIND_HEAP,    /* [heap] */
	MT_KIND_STACK,   /* [stack] */
	MT_KIND_FILE,    /* a regular file */
	MT_KIND_MEMFD,   /* /memfd:NAME */
	MT_KIND_SHMEM,   /* shared anonymous, SysV, [anon_shmem:NAME] */
	MT_KIND_SPECIAL, /* [vdso], [vvar], [vsyscall], other [names] */
	MT_KIND_COUNT
};
const char *mt_kind_name(enum mt_vma_kind k);

struct mt_maps_entry {
	uint64_t start, end, offset, inode;
	unsigned dev_major, dev_minor;
	char perms[5];
	const char *path; /* points into the line; not NUL terminated */
	size_t path_len;  /* 0 when the mapping has no name */
};

/* Parse one line of /proc/PID/maps (without its newline). 0 or -1. */
int mt_parse_maps_line(const char *line, size_t len, struct mt_maps_entry *e);

/* Classify a VMA by its name and perms. */
enum mt_vma_kind mt_classify_vma(const char *path, size_t len,
				 const char perms[5]);

struct mt_status {
	char name[96]; /* Name: as the kernel printed it (already escaped) */
	size_t name_len;
	pid_t ppid;
	uid_t uid;        /* real uid */
	int kthread;      /* 1, 0, or -1 when the kernel does not say */
	uint64_t rss_kb;  /* VmRSS, 0 for kernel threads */
	char state;       /* State: R, S, D, Z (zombie), X (dead), ... */
	unsigned have;    /* MT_ST_* bits of the fields found */
};
#define MT_ST_NAME 1u
#define MT_ST_PPID 2u
#define MT_ST_UID 4u
#define MT_ST_RSS 8u

/* Parse /proc/PID/status. 0 if Name and Uid were found, else -1. */
int mt_parse_status(const char *buf, size_t len, struct mt_status *st);

/* One VMA of /proc/PID/smaps: the fields memtop uses. */
struct mt_smaps_vma {
	uint64_t start, end;
	uint64_t rss_kb, swap_kb, anon_kb;
	uint64_t anon_huge_kb, shmem_pmd_kb, file_pmd_kb;
	int thp_eligible; /* -1 unknown */
	unsigned vmflags; /* MT_VMF_* */
};
#define MT_VMF_HG 1u /* MADV_HUGEPAGE */
#define MT_VMF_NH 2u /* MADV_NOHUGEPAGE */

/* Parse smaps into a malloc'd array (*out, to free()); returns the count.
 * Unparsable blocks are skipped and counted in *bad when bad is not NULL. */
size_t mt_parse_smaps(const char *buf, size_t len, struct mt_smaps_vma **out,
		      size_t *bad);

/* The cgroup of a process from /proc/PID/cgroup: the v1 memory
 * controller's path when there is one, else the v2 ("0::") path. Sets
 * path and plen to point into buf; -1 when neither is there. */
int mt_parse_cgroup(const char *buf, size_t len, const char **path,
		    size_t *plen);

/* Iterate lines: returns the next line start and sets *line_len, or NULL at
 * the end. *pos is the cursor (start at 0). */
const char *mt_next_line(const char *buf, size_t len, size_t *pos,
			 size_t *line_len);

#endif
