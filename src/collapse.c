/*
 * collapse.c - MADV_COLLAPSE: the kernel's rules for which PMD slots it
 * would collapse (see collapse.h), and the batch action that asks it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/capability.h>

#include "memtop/collapse.h"
#include "memtop/pagemap.h"
#include "memtop/procfs.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif

/* --- rules -------------------------------------------------------------- */

unsigned mt_kernel_version(const char *release)
{
	unsigned maj, min;
	if (!release || sscanf(release, "%u.%u", &maj, &min) != 2 ||
	    maj > 1000 || min >= 1000)
		return 0;
	return maj * 1000 + min;
}

static const struct {
	const char *w;
	enum mt_shmem_mode m;
} shm_words[] = {
	{"always", MT_SHM_ALWAYS}, {"within_size", MT_SHM_WITHIN_SIZE},
	{"advise", MT_SHM_ADVISE}, {"never", MT_SHM_NEVER},
	{"deny", MT_SHM_DENY},     {"force", MT_SHM_FORCE},
	{"inherit", MT_SHM_INHERIT},
};

static enum mt_shmem_mode shmem_word(const char *w, size_t n)
{
	for (size_t i = 0; i < MT_ARRAY_SIZE(shm_words); i++)
		if (strlen(shm_words[i].w) == n && !memcmp(shm_words[i].w, w, n))
			return shm_words[i].m;
	return MT_SHM_UNKNOWN;
}

const char *mt_shmem_mode_name(enum mt_shmem_mode m)
{
	for (size_t i = 0; i < MT_ARRAY_SIZE(shm_words); i++)
		if (shm_words[i].m == m)
			return shm_words[i].w;
	return "unknown";
}

enum mt_shmem_mode mt_shmem_mode_parse(const char *buf, size_t len)
{
	const char *lb = memchr(buf, '[', len);
	if (!lb)
		return MT_SHM_UNKNOWN;
	const char *rb = memchr(lb, ']', len - (size_t)(lb - buf));
	if (!rb)
		return MT_SHM_UNKNOWN;
	return shmem_word(lb + 1, (size_t)(rb - lb - 1));
}

enum mt_thp_mode mt_thp_mode_word(const char *w)
{
	if (!w)
		return MT_THP_UNKNOWN;
	if (!strcmp(w, "always"))
		return MT_THP_ALWAYS;
	if (!strcmp(w, "madvise"))
		return MT_THP_MADVISE;
	if (!strcmp(w, "never"))
		return MT_THP_NEVER;
	if (!strcmp(w, "inherit"))
		return MT_THP_INHERIT;
	return MT_THP_UNKNOWN;
}

enum mt_thp_mode mt_thp_mode_parse(const char *buf, size_t len)
{
	const char *lb = memchr(buf, '[', len);
	if (!lb)
		return MT_THP_UNKNOWN;
	const char *rb = memchr(lb, ']', len - (size_t)(lb - buf));
	char w[16];
	size_t n = rb ? (size_t)(rb - lb - 1) : sizeof(w);
	if (n >= sizeof(w))
		return MT_THP_UNKNOWN;
	memcpy(w, lb + 1, n);
	w[n] = 0;
	return mt_thp_mode_word(w);
}

const char *mt_coll_why_name(enum mt_coll_why w)
{
	static const char *const names[MT_COLL_WHY_COUNT] = {
		[MT_COLL_OK] = "ok",
		[MT_COLL_EMPTY] = "no_candidate",
		[MT_COLL_PROC_DISABLED] = "thp_disabled_process",
		[MT_COLL_NOHUGEPAGE] = "nohugepage",
		[MT_COLL_SPECIAL] = "special_mapping",
		[MT_COLL_FILE] = "file_no_ro_thp",
		[MT_COLL_SHMEM_OFF] = "shmem_disabled",
		[MT_COLL_MISALIGNED] = "misaligned_offset",
		[MT_COLL_UNKNOWN] = "unknown",
	};
	return (unsigned)w < MT_COLL_WHY_COUNT ? names[w] : "unknown";
}

/* Slots with a present page, not PMD-mapped: what the rules decide on. */
static uint64_t candidates(const struct mt_coll_vma *v)
{
	if (v->touched == MT_UNKNOWN || v->mapped == MT_UNKNOWN)
		return MT_UNKNOWN;
	return v->touched > v->mapped ? v->touched - v->mapped : 0;
}

bool mt_coll_needs_facts(const struct mt_coll_vma *v)
{
	return candidates(v) != 0;
}

bool mt_coll_needs_fstype(const struct mt_coll_vma *v)
{
	return (v->kind == MT_KIND_FILE || v->posix_shm) && candidates(v) != 0;
}

/* Shared anonymous memory is "anon shmem" to the kernel (its own per-size
 * control); memfd, SysV and tmpfs files follow the global setting only. */
static bool shmem_allowed(const struct mt_coll_env *env, bool anon_shmem,
			  unsigned vmflags, enum mt_coll_why *why)
{
	if (env->shmem_enabled == MT_SHM_UNKNOWN) {
		*why = MT_COLL_UNKNOWN;
		return false;
	}
	if (env->shmem_enabled == MT_SHM_DENY) {
		*why = MT_COLL_SHMEM_OFF;
		return false;
	}
	if (!anon_shmem)
		return true;
	switch (env->shmem_pmd) {
	case MT_SHM_INHERIT:
		return true;
	case MT_SHM_ALWAYS:
	case MT_SHM_WITHIN_SIZE:
		/* a forced global setting lets the inherit orders only */
		if (env->shmem_enabled != MT_SHM_FORCE)
			return true;
		break;
	case MT_SHM_ADVISE:
		if (env->shmem_enabled != MT_SHM_FORCE &&
		    (vmflags & MT_VMF_HG))
			return true;
		break;
	case MT_SHM_UNKNOWN:
		*why = MT_COLL_UNKNOWN;
		return false;
	default:
		break;
	}
	*why = MT_COLL_SHMEM_OFF;
	return false;
}

uint64_t mt_coll_slots(const struct mt_coll_env *env,
		       const struct mt_coll_vma *v, enum mt_coll_why *whyp)
{
	enum mt_coll_why tmp;
	enum mt_coll_why *why = whyp ? whyp : &tmp;
	uint64_t n = candidates(v);
	*why = MT_COLL_UNKNOWN;
	if (n == MT_UNKNOWN)
		return MT_UNKNOWN;
	if (n == 0) {
		*why = MT_COLL_EMPTY;
		return 0;
	}
	if (env->thp_enabled == MT_TRI_NO) {
		*why = MT_COLL_PROC_DISABLED;
		return 0;
	}
	if (!v->vmflags_known || env->thp_enabled == MT_TRI_UNKNOWN)
		return MT_UNKNOWN;
	if (v->vmflags & MT_VMF_NH) {
		*why = MT_COLL_NOHUGEPAGE;
		return 0;
	}
	if (v->vmflags & (MT_VMF_IO | MT_VMF_PF | MT_VMF_MM | MT_VMF_DE |
			  MT_VMF_HT)) {
		*why = MT_COLL_SPECIAL;
		return 0;
	}
	if (v->vmflags & MT_VMF_UFFD)
		return MT_UNKNOWN;
	bool anon_shmem = false;
	switch (v->kind) {
	case MT_KIND_ANON:
	case MT_KIND_HEAP:
	case MT_KIND_STACK:
		if (v->perms[3] == 's') {
			anon_shmem = true; /* shared anonymous */
			break;
		}
		/* read-only VMAs too: seen on 6.18 */
		*why = MT_COLL_OK;
		return n;
	case MT_KIND_SHMEM:
		anon_shmem = !v->sysv && !v->posix_shm;
		break;
	case MT_KIND_MEMFD:
		break;
	case MT_KIND_FILE:
		if (v->tmpfs == MT_TRI_UNKNOWN)
			return MT_UNKNOWN;
		if (v->tmpfs == MT_TRI_NO) {
			/* with the option: not modelled; without knowing
			 * the kernel's configuration: not known */
			if (env->ro_thp_fs != MT_TRI_NO)
				return MT_UNKNOWN;
			*why = MT_COLL_FILE;
			return 0;
		}
		break;
	default:
		*why = MT_COLL_SPECIAL;
		return 0;
	}
	/* shmem: the file offset must be aligned like the address */
	uint64_t pmd_pages = UINT64_C(1) << env->pmd_order;
	if ((((v->start >> env->page_shift) - (v->offset >> env->page_shift)) &
	     (pmd_pages - 1)) != 0) {
		*why = MT_COLL_MISALIGNED;
		return 0;
	}
	if (!shmem_allowed(env, anon_shmem, v->vmflags, why))
		return *why == MT_COLL_UNKNOWN ? MT_UNKNOWN : 0;
	*why = MT_COLL_OK;
	return n;
}

enum mt_shmem_mode mt_shmem_fault_mode(const struct mt_coll_env *env,
				       const struct mt_coll_vma *v,
				       enum mt_shm_src *srcp)
{
	enum mt_shm_src tmp;
	enum mt_shm_src *src = srcp ? srcp : &tmp;
	bool anon = v->kind == MT_KIND_ANON || v->kind == MT_KIND_HEAP ||
		    v->kind == MT_KIND_STACK;
	bool tmpfs_file = (v->kind == MT_KIND_FILE && v->tmpfs == MT_TRI_YES) ||
			  v->posix_shm;
	bool shm = tmpfs_file || v->kind == MT_KIND_SHMEM ||
		   v->kind == MT_KIND_MEMFD || (anon && v->perms[3] == 's');
	*src = shm ? MT_SHM_SRC_GLOBAL : MT_SHM_SRC_NONE;
	if (!shm)
		return MT_SHM_UNKNOWN;
	/* deny and force override every mount */
	if (env->shmem_enabled == MT_SHM_DENY ||
	    env->shmem_enabled == MT_SHM_FORCE ||
	    env->shmem_enabled == MT_SHM_UNKNOWN)
		return env->shmem_enabled;
	if (tmpfs_file) {
		*src = MT_SHM_SRC_MOUNT;
		return v->mount_huge;
	}
	if ((anon || v->kind == MT_KIND_SHMEM) && !v->sysv &&
	    env->shmem_pmd != MT_SHM_INHERIT) {
		/* shared anonymous memory: the PMD size's own setting */
		*src = MT_SHM_SRC_SIZE;
		return env->shmem_pmd;
	}
	return env->shmem_enabled; /* memfd, SysV: the internal mount */
}

uint64_t mt_khp_slots(const struct mt_coll_env *env,
		      const struct mt_coll_vma *v, enum mt_coll_why *whyp,
		      bool *mode_offp)
{
	enum mt_coll_why tmp;
	bool tmp_off;
	enum mt_coll_why *why = whyp ? whyp : &tmp;
	bool *mode_off = mode_offp ? mode_offp : &tmp_off;
	*mode_off = false;
	uint64_t c = mt_coll_slots(env, v, why);
	if (c == MT_UNKNOWN || c == 0)
		return c; /* what MADV_COLLAPSE refuses, khugepaged does too */
	bool anon = v->kind == MT_KIND_ANON || v->kind == MT_KIND_HEAP ||
		    v->kind == MT_KIND_STACK;
	if (!anon || v->perms[3] == 's') {
		/* shmem follows shmem_enabled (the anonymous enabled mode
		 * does not apply); tmpfs files their mount's huge= option */
		enum mt_shmem_mode m = mt_shmem_fault_mode(env, v, NULL);
		if (m == MT_SHM_UNKNOWN)
			return MT_UNKNOWN;
		if (m == MT_SHM_NEVER ||
		    (m == MT_SHM_ADVISE && !(v->vmflags & MT_VMF_HG))) {
			*mode_off = true;
			return 0;
		}
		return MT_UNKNOWN; /* page cache: not seen from /proc */
	}
	switch (env->thp_mode) {
	case MT_THP_NEVER:
		*mode_off = true;
		return 0;
	case MT_THP_MADVISE:
		if (!(v->vmflags & MT_VMF_HG)) {
			*mode_off = true;
			return 0;
		}
		break;
	case MT_THP_ALWAYS:
		break;
	default:
		return MT_UNKNOWN;
	}
	/* a read-only VMA: khugepaged collapsed its slots on 6.18; older
	 * kernels refused a slot with no writable PTE (SCAN_PAGE_RO), and
	 * when the rule went is not known here */
	if (v->perms[1] != 'w' && env->kver < 6018)
		return MT_UNKNOWN;
	if (env->max_none == MT_UNKNOWN || env->max_swap == MT_UNKNOWN ||
	    env->max_shared == MT_UNKNOWN || v->khp_unsure)
		return MT_UNKNOWN;
	uint64_t full = v->full > v->mapped ? v->full - v->mapped : 0;
	if (full && (v->full_unknown || v->full_over)) {
		/* over max_ptes_shared, or sharing not known: with no slot
		 * PMD-mapped, the slots over are all among the full ones
		 * left; else which full slots are PMD-mapped is not known */
		if (v->mapped || v->full_unknown)
			return MT_UNKNOWN;
		return v->khp_fit + full - MT_MIN(full, v->full_over);
	}
	return v->khp_fit + full;
}

/* The mount option huge= in a comma separated list (absent: never). */
static enum mt_shmem_mode huge_option(const char *o, size_t n)
{
	const char *end = o + n;
	while (o < end) {
		const char *comma = memchr(o, ',', (size_t)(end - o));
		const char *e = comma ? comma : end;
		if (e - o > 5 && !memcmp(o, "huge=", 5))
			return shmem_word(o + 5, (size_t)(e - o - 5));
		o = e + 1;
	}
	return MT_SHM_NEVER;
}

enum mt_tri mt_mountinfo_tmpfs(const char *buf, size_t len, unsigned maj,
			       unsigned min, enum mt_shmem_mode *huge)
{
	char dev[32];
	int k = snprintf(dev, sizeof(dev), " %u:%u ", maj, min);
	size_t pos = 0, n;
	const char *line;
	if (huge)
		*huge = MT_SHM_UNKNOWN;
	while ((line = mt_next_line(buf, len, &pos, &n))) {
		/* id parent maj:min root mount opts... - fstype source opts */
		const char *sp = memchr(line, ' ', n);
		if (!sp)
			continue;
		sp = memchr(sp + 1, ' ', n - (size_t)(sp + 1 - line));
		if (!sp || (size_t)(line + n - sp) < (size_t)k ||
		    memcmp(sp, dev, (size_t)k) != 0)
			continue;
		for (const char *q = sp; q + 3 <= line + n; q++) {
			if (q[0] != ' ' || q[1] != '-' || q[2] != ' ')
				continue;
			const char *t = q + 3, *e = line + n;
			if ((size_t)(e - t) < 6 || memcmp(t, "tmpfs ", 6))
				return MT_TRI_NO;
			/* the source, then the super block's options */
			const char *src = t + 6;
			const char *opts = memchr(src, ' ', (size_t)(e - src));
			if (huge)
				*huge = opts ? huge_option(opts + 1,
						(size_t)(e - opts - 1))
					     : MT_SHM_NEVER;
			return MT_TRI_YES;
		}
	}
	return MT_TRI_UNKNOWN;
}

/* --- the action --------------------------------------------------------- */

const char *mt_collapse_errno_meaning(int e)
{
	switch (e) {
	case EINVAL: return "ineligible";
	case ENOMEM: return "allocation failed";
	case EBUSY: return "memcg limit or too many missing pages";
	case EAGAIN: return "transient";
	case EPERM: return "not permitted";
	case ESRCH: return "no such process";
	default: return "failed";
	}
}

static const char *errno_name(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EBUSY: return "EBUSY";
	case EAGAIN: return "EAGAIN";
	case EPERM: return "EPERM";
	case ESRCH: return "ESRCH";
	case EFAULT: return "EFAULT";
	default: return "error";
	}
}

static int parse_hex(const char *s, const char *end, uint64_t *v)
{
	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (s >= end || end - s > 16)
		return -1;
	uint64_t x = 0;
	for (; s < end; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return 0;
}

int mt_collapse_parse(const char *arg, struct mt_collapse_req *r)
{
	const char *colon = strchr(arg, ':');
	const char *pend = colon ? colon : arg + strlen(arg);
	if (pend == arg || pend - arg > 10)
		return -1;
	long long pid = 0;
	for (const char *p = arg; p < pend; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		pid = pid * 10 + (*p - '0');
	}
	if (pid <= 0 || pid > 0x7fffffff)
		return -1;
	r->pid = (pid_t)pid;
	r->ranged = false;
	if (!colon)
		return 0;
	const char *dash = strchr(colon + 1, '-');
	if (!dash || parse_hex(colon + 1, dash, &r->start) < 0 ||
	    parse_hex(dash + 1, dash + 1 + strlen(dash + 1), &r->end) < 0 ||
	    r->end <= r->start)
		return -1;
	r->ranged = true;
	return 0;
}

/* The PMD slots to ask: wholly inside one VMA and inside the range. A
 * slot with no page (present or swapped) is left out unless ranged and
 * ask_empty: the kernel refuses an empty slot, and a process may reserve
 * terabytes. Slots already PMD-mapped are marked. */
static int list_slots(int dirfd, bool ranged, uint64_t rstart, uint64_t rend,
		      bool ask_empty, unsigned pmd_shift,
		      struct mt_coll_list *l)
{
	struct mt_buf maps = {0};
	int e = mt_read_at(dirfd, "maps", &maps);
	if (e < 0)
		return e;
	int pm = mt_open_at(dirfd, "pagemap");
	if (pm < 0) {
		mt_buf_free(&maps);
		return pm;
	}
	uint64_t pmd = UINT64_C(1) << pmd_shift;
	size_t n = 0, cap = 0, pos = 0, ln, empty = 0;
	struct mt_coll_slot *v = NULL;
	const char *line;
	int rc = 0;
	while ((line = mt_next_line(maps.data, maps.len, &pos, &ln))) {
		struct mt_maps_entry m;
		if (!ln || mt_parse_maps_line(line, ln, &m) < 0 || (m.end >> 63))
			continue;
		uint64_t lo = m.start, hi = m.end;
		if (ranged) {
			lo = lo > rstart ? lo : rstart;
			hi = hi < rend ? hi : rend;
		}
		lo = (lo + pmd - 1) & ~(pmd - 1);
		hi &= ~(pmd - 1);
		for (uint64_t a = lo; a < hi; a += pmd) {
			uint64_t found = a + pmd;
			int q = mt_pagemap_next_populated(
				pm, a, a + pmd, MT_PSC_PRESENT | MT_PSC_SWAPPED,
				&found, NULL);
			if (q < 0) {
				rc = q;
				goto done;
			}
			bool populated = found < a + pmd;
			if (!populated && !(ranged && ask_empty)) {
				empty++;
				/* skip to the next populated page */
				uint64_t nf = hi;
				q = mt_pagemap_next_populated(
					pm, a, hi, MT_PSC_PRESENT | MT_PSC_SWAPPED,
					&nf, NULL);
				if (q < 0) {
					rc = q;
					goto done;
				}
				uint64_t next = nf & ~(pmd - 1);
				if (next > a + pmd) {
					empty += (next - a - pmd) / pmd;
					a = next - pmd;
				}
				continue;
			}
			uint64_t h = a + pmd;
			q = mt_pagemap_next_populated(pm, a, a + pmd, MT_PSC_HUGE,
						      &h, NULL);
			if (q < 0) {
				rc = q;
				goto done;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				v = xrealloc(v, cap * sizeof(*v));
			}
			v[n++] = (struct mt_coll_slot){a, h == a};
		}
	}
done:
	close(pm);
	mt_buf_free(&maps);
	if (rc < 0) {
		free(v);
		return rc;
	}
	l->v = v;
	l->n = n;
	l->empty = empty;
	l->pmd = pmd;
	return 0;
}

int mt_collapse_list(pid_t pid, const char *proc_root, bool ranged,
		     uint64_t start, uint64_t end, bool ask_empty,
		     struct mt_coll_list *l)
{
	struct mt_procfs pf;
	char msg[256];
	memset(l, 0, sizeof(*l));
	if (mt_procfs_open(&pf, proc_root, NULL, msg, sizeof(msg)) < 0)
		return -ENOENT;
	int dirfd = mt_procfs_open_pid(&pf, pid);
	if (dirfd < 0) {
		mt_procfs_close(&pf);
		return dirfd;
	}
	long psz = sysconf(_SC_PAGESIZE);
	unsigned page_shift = mt_log2(psz > 0 ? (uint64_t)psz : 4096);
	unsigned pmd_shift = page_shift + page_shift - 3;
	uint64_t hsz;
	if (mt_sysfs_read_u64(&pf, "kernel/mm/transparent_hugepage/hpage_pmd_size",
			      &hsz) == 0 && hsz && !(hsz & (hsz - 1)))
		pmd_shift = mt_log2(hsz);
	int e = list_slots(dirfd, ranged, start, end, ask_empty, pmd_shift, l);
	close(dirfd);
	mt_procfs_close(&pf);
	return e;
}

void mt_coll_list_free(struct mt_coll_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

size_t mt_coll_list_asked(const struct mt_coll_list *l)
{
	size_t ask = 0;
	for (size_t i = 0; i < l->n; i++)
		ask += !l->v[i].already;
	return ask;
}

int mt_collapse_pidfd(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0U);
	return fd < 0 ? -errno : fd;
}

int mt_collapse_ask(int pidfd, uint64_t start, uint64_t len)
{
	int en = 0;
	struct iovec iov = {(void *)(uintptr_t)start, (size_t)len};
	for (int t = 0; t < 4; t++) {
		/* process_madvise() returns the bytes advised */
		if (syscall(SYS_process_madvise, pidfd, &iov, 1UL,
			    MADV_COLLAPSE, 0U) >= 0)
			return 0;
		en = errno;
		if (en != EAGAIN)
			break;
		usleep(1000u << t);
	}
	return en;
}

int mt_collapse_allowed(char *why, size_t len)
{
	/* a bad pidfd: EBADF where the call exists */
	if (syscall(SYS_process_madvise, -1, NULL, 0UL, MADV_COLLAPSE, 0U) < 0 &&
	    errno == ENOSYS) {
		snprintf(why, len, "collapse needs process_madvise "
			 "(Linux 5.10 or later), which this kernel lacks");
		return -ENOSYS;
	}
	if (geteuid() == 0)
		return 0;
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) == 0 &&
	    (data[CAP_SYS_NICE / 32].effective & (1u << (CAP_SYS_NICE % 32))))
		return 0;
	snprintf(why, len, "collapse needs privilege: root, or CAP_SYS_NICE "
		 "and ptrace access to the process");
	return -EPERM;
}

void mt_coll_tally_add(struct mt_coll_tally *t, bool already, int en)
{
	enum mt_coll_res r;
	if (already)
		r = MT_CRES_ALREADY;
	else switch (en) {
	case 0: r = MT_CRES_COLLAPSED; break;
	case EINVAL: r = MT_CRES_EINVAL; break;
	case ENOMEM: r = MT_CRES_ENOMEM; break;
	case EBUSY: r = MT_CRES_EBUSY; break;
	case EAGAIN: r = MT_CRES_EAGAIN; break;
	case ESRCH: r = MT_CRES_GONE; break;
	default: r = MT_CRES_OTHER; break;
	}
	t->n[r]++;
}

void mt_coll_tally_text(const struct mt_coll_tally *t, size_t left,
			char *buf, size_t len)
{
	static const struct {
		enum mt_coll_res r;
		const char *word, *why;
	} parts[] = {
		{MT_CRES_EINVAL, "refused", "EINVAL ineligible"},
		{MT_CRES_EBUSY, "failed", "EBUSY memcg limit or too many "
					  "missing pages"},
		{MT_CRES_ENOMEM, "failed", "ENOMEM allocation failed"},
		{MT_CRES_EAGAIN, "failed", "EAGAIN transient"},
		{MT_CRES_GONE, "not asked", "the process exited"},
		{MT_CRES_OTHER, "failed", "other errors"},
	};
	size_t o = 0;
	if (len)
		buf[0] = '\0';
#define PUT(...) do { \
		if (o < len) { \
			int k_ = snprintf(buf + o, len - o, __VA_ARGS__); \
			o += k_ > 0 ? (size_t)k_ : 0; \
		} \
	} while (0)
	PUT("collapsed %zu, already %zu", t->n[MT_CRES_COLLAPSED],
	    t->n[MT_CRES_ALREADY]);
	for (size_t i = 0; i < MT_ARRAY_SIZE(parts); i++)
		if (t->n[parts[i].r])
			PUT(", %s %zu (%s)", parts[i].word, t->n[parts[i].r],
			    parts[i].why);
	if (left)
		PUT(", stopped with %zu slots left", left);
#undef PUT
}

void mt_coll_confirm_text(const char *what, size_t slots, size_t already,
			  uint64_t pmd, char *buf, size_t len)
{
	uint64_t bytes = (uint64_t)(slots - already) * pmd;
	char mem[32];
	if (bytes >= (UINT64_C(1) << 30))
		snprintf(mem, sizeof(mem), "%.1f GiB",
			 (double)bytes / (double)(UINT64_C(1) << 30));
	else
		snprintf(mem, sizeof(mem), "%" PRIu64 " MiB", bytes >> 20);
	snprintf(buf, len, "MADV_COLLAPSE %zu PMD slots of %s (%zu already "
		 "PMD-mapped)? May allocate up to %s. y/Enter: yes, any other "
		 "key: no", slots - already, what, already, mem);
}

int mt_collapse_run(const struct mt_collapse_req *r, FILE *out, FILE *err)
{
	struct mt_coll_list l;
	int e = mt_collapse_list(r->pid, r->proc_root, r->ranged, r->start,
				 r->end, true, &l);
	if (e == -ENOENT || e == -ESRCH) {
		fprintf(err, "memtop: --collapse: process %d: %s\n",
			(int)r->pid, strerror(-e));
		return 1;
	}
	if (e < 0) {
		fprintf(err, "memtop: --collapse: process %d: cannot read its "
			"memory map: %s%s\n", (int)r->pid, strerror(-e),
			e == -EACCES || e == -EPERM ?
				" (needs root, or CAP_SYS_NICE and ptrace "
				"access)" : "");
		return 1;
	}
	size_t n = l.n, ask = mt_coll_list_asked(&l);
	uint64_t pmd = l.pmd;
	fprintf(err, "memtop: asking MADV_COLLAPSE for %zu PMD slots of process "
		"%d (%zu already PMD-mapped", ask, (int)r->pid, n - ask);
	if (l.empty)
		fprintf(err, ", %zu with no page not asked", l.empty);
	fprintf(err, "); may allocate up to %" PRIu64 " MiB\n",
		((uint64_t)ask * pmd) >> 20);

	int pidfd = mt_collapse_pidfd(r->pid);
	if (pidfd < 0) {
		fprintf(err, "memtop: --collapse: pidfd_open(%d): %s\n",
			(int)r->pid, strerror(-pidfd));
		mt_coll_list_free(&l);
		return 1;
	}
	int status = 0;
	bool first = true;
	if (r->json)
		fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		const char *result = "already";
		int en = 0;
		if (!l.v[i].already) {
			result = "collapsed";
			en = mt_collapse_ask(pidfd, l.v[i].start, pmd);
			if (en == EPERM || en == ESRCH) {
				fprintf(err, "memtop: --collapse: process_madvise "
					"on process %d: %s%s\n", (int)r->pid,
					strerror(en),
					en == EPERM ? " (needs root, or "
					"CAP_SYS_NICE and ptrace access)" : "");
				if (r->json)
					fputs("]\n", out);
				close(pidfd);
				mt_coll_list_free(&l);
				return 1;
			}
			if (en) {
				result = errno_name(en);
				status = 3;
			}
		}
		if (r->json) {
			fprintf(out, "%s{\"start\":\"%" PRIx64 "\",\"result\":\"%s\"",
				first ? "" : ",", l.v[i].start, result);
			if (en)
				fprintf(out, ",\"errno\":%d,\"meaning\":\"%s\"",
					en, mt_collapse_errno_meaning(en));
			fputc('}', out);
		} else {
			fprintf(out, "%" PRIx64 " %s", l.v[i].start, result);
			if (en)
				fprintf(out, " (%s)", mt_collapse_errno_meaning(en));
			fputc('\n', out);
		}
		first = false;
	}
	if (r->json)
		fputs("]\n", out);
	close(pidfd);
	mt_coll_list_free(&l);
	return status;
}
