/*
 * probe.h - what the running kernel does, found out by asking it.
 *
 * Kernels differ in ways no version number tells: whether a read fault
 * maps the shared zero page (not on s390 KVM guests, nor under some
 * hypervisors' boot options), whether it maps the huge zero page, whether
 * the opener of a pagemap file is shown PFNs (only with CAP_SYS_ADMIN in
 * the initial user namespace: root in a container passes capget() and
 * still reads zeros), whether /proc/PID/pagemap exists at all. memtop
 * learns each from its own memory, once, when a scan context is made:
 * a page it writes, a page it only reads, a PMD-sized range it only
 * reads. Every probe mapping is unmapped again, except a mapping of the
 * kernel's own huge zero page (never a huge page of memtop's making),
 * which is kept so that the page stays where it was found.
 *
 * The verdicts are pure functions of the evidence (mt_zero_verdict,
 * mt_huge_zero_verdict), so that every kernel's answer can be tested on
 * any kernel. Nothing here prints.
 */
#ifndef MEMTOP_PROBE_H
#define MEMTOP_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "memtop/procfs.h"

/* Why the PFN views are unavailable (static strings). */
#define MT_WHY_PFNS_NOCAP "needs root (PFNs need CAP_SYS_ADMIN)"
#define MT_WHY_PFNS_HIDDEN \
	"PFNs hidden: needs CAP_SYS_ADMIN in the initial user namespace"
#define MT_WHY_NO_PAGEMAP \
	"this kernel has no /proc/PID/pagemap (built without " \
	"CONFIG_PROC_PAGE_MONITOR): no page can be seen"

/* What one page (or PMD range) of memtop's own, only read, shows. */
struct mt_zero_evidence {
	bool present;        /* pagemap: present */
	uint64_t pfn;        /* its PFN (0: hidden) */
	bool pfn_aligned;    /* huge probe: PFN PMD-aligned, next one + 1 */
	int scan_zero;       /* PAGEMAP_SCAN PFNZERO (tri; unknown: no ioctl) */
	int scan_huge;       /* PAGEMAP_SCAN HUGE, i.e. PMD-mapped (tri) */
	int kpf_zero;        /* kpageflags KPF_ZERO_PAGE (tri) */
	int kpf_thp;         /* kpageflags KPF_THP and a head page (tri) */
	int64_t rss_kb;      /* smaps Rss of the mapping, -1 unknown */
	int64_t anon_huge_kb;/* smaps AnonHugePages, -1 unknown */
};

/* Did a read fault map the shared zero page? */
enum mt_tri mt_zero_verdict(const struct mt_zero_evidence *e);
/* Did a read fault on MADV_HUGEPAGE memory map the huge zero page? NO
 * when the kernel gave a real huge page instead; UNKNOWN when it mapped
 * no PMD at all (THP off for memtop) or nothing tells. */
enum mt_tri mt_huge_zero_verdict(const struct mt_zero_evidence *e);

struct mt_kernel_probe {
	bool pagemap;             /* /proc/PID/pagemap exists */
	bool pfns;                /* PFNs shown to memtop */
	const char *pfns_why;     /* why not (static), NULL when shown */
	int kpf_fd;               /* /proc/kpageflags, -1 when unusable */
	const char *kpf_why;      /* why not, NULL when usable */
	char kpf_why_buf[128];
	enum mt_tri zero_page;    /* read faults map the shared zero page */
	enum mt_tri huge_zero_page;
	uint64_t zero_pfn;        /* UINT64_MAX: unknown or not used */
	uint64_t huge_zero_pfn;   /* first PFN; UINT64_MAX likewise */
	void *hz_hold;            /* our mapping of the huge zero page */
	size_t hz_hold_len;
};

/*
 * Probe the kernel behind pf. cap_sys_admin is what capget() says. On a
 * fixture tree (pf->live false) nothing is probed: PFNs follow
 * cap_sys_admin, zero pages are unknown, and pagemap is taken to exist
 * unless the tree has a "self" directory without one.
 */
void mt_kernel_probe(const struct mt_procfs *pf, unsigned pmd_order,
		     bool cap_sys_admin, struct mt_kernel_probe *out);
void mt_kernel_probe_release(struct mt_kernel_probe *p);

/* A reason (pfns_why, kpageflags_why) in the words a table cell has
 * room for: "needs root", "PFNs hidden", "off" (an option), else
 * "unavailable". */
const char *mt_why_short(const char *why);

#endif
