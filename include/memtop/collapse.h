/*
 * collapse.h - MADV_COLLAPSE: which PMD slots the kernel would collapse if
 * asked now (pure rules, no kernel needed), and the explicit batch action
 * that asks it (memtop --collapse).
 *
 * The rules follow the kernel's forced collapse path as checked on Linux
 * 6.18 (madvise_collapse, __thp_vma_allowable_orders, vma_thp_disabled,
 * shmem_allowable_huge_orders, hpage_collapse_scan_pmd/_file):
 *  - the whole process is refused under PR_SET_THP_DISABLE (status line
 *    THP_enabled: 0); a VMA with MADV_NOHUGEPAGE (VmFlags nh), or VM_IO,
 *    VM_PFNMAP, VM_MIXEDMAP, VM_DONTEXPAND, hugetlb (io pf mm de ht) is
 *    refused; the sysfs enabled mode and max_ptes_* do not apply;
 *  - anonymous private memory: a slot with at least one present or
 *    swapped page, whatever the number of holes, in a writable or a
 *    read-only VMA alike (a read-only VMA's slots collapse on 6.18); an
 *    empty slot, or one of zero page mappings only, is refused (EINVAL);
 *  - shmem (memfd, shared anonymous, SysV, tmpfs files): refused when
 *    shmem_enabled is deny; shared anonymous memory also needs the PMD
 *    size's own shmem_enabled to be always, inherit, within_size, or
 *    advise with MADV_HUGEPAGE; the VMA's file offset must be PMD
 *    aligned with its address; a slot with a page mapped here collapses
 *    (read-only too). Pages of the file that this mapping does not map
 *    are not seen, so such a slot is counted as not collapsible;
 *  - other files: only with CONFIG_READ_ONLY_THP_FOR_FS, which this
 *    model does not cover (the answer is unknown there); without it, or
 *    when the kernel's configuration cannot be read, not collapsible;
 *  - userfaultfd-armed VMAs (VmFlags um uw ui) are not modelled: unknown.
 * An answer that needs facts not at hand (VmFlags, THP_enabled, PMD
 * mappings, whether a file is on tmpfs) is MT_UNKNOWN, never a guess.
 */
#ifndef MEMTOP_COLLAPSE_H
#define MEMTOP_COLLAPSE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "memtop/parse.h"
#include "memtop/snapshot.h"
#include "memtop/util.h"

/* A shmem_enabled setting (global or per size). */
enum mt_shmem_mode {
	MT_SHM_UNKNOWN,
	MT_SHM_ALWAYS,
	MT_SHM_WITHIN_SIZE,
	MT_SHM_ADVISE,
	MT_SHM_NEVER,
	MT_SHM_DENY,
	MT_SHM_FORCE,
	MT_SHM_INHERIT,
};
/* The selected word ("[advise]") of a shmem_enabled file. */
enum mt_shmem_mode mt_shmem_mode_parse(const char *buf, size_t len);
/* Its word ("within_size"), "unknown" for MT_SHM_UNKNOWN. */
const char *mt_shmem_mode_name(enum mt_shmem_mode m);

/* The THP enabled mode for the PMD size: hugepages-<PMD>kB/enabled, or
 * the global enabled file when that says inherit (or is not there). */
enum mt_thp_mode {
	MT_THP_UNKNOWN,
	MT_THP_ALWAYS,
	MT_THP_MADVISE,
	MT_THP_NEVER,
	MT_THP_INHERIT,
};
/* The selected word of an enabled file ("always [madvise] never"). */
enum mt_thp_mode mt_thp_mode_parse(const char *buf, size_t len);
/* The word ("madvise"), as the sysinfo reader keeps it. */
enum mt_thp_mode mt_thp_mode_word(const char *w);

/* What holds for the whole system and process. */
struct mt_coll_env {
	enum mt_tri thp_enabled;   /* the process's status THP_enabled */
	enum mt_thp_mode thp_mode; /* for the PMD size, inherit resolved */
	/* khugepaged/max_ptes_{none,swap,shared}; MT_UNKNOWN unread */
	uint64_t max_none, max_swap, max_shared;
	enum mt_tri ro_thp_fs;     /* CONFIG_READ_ONLY_THP_FOR_FS */
	enum mt_shmem_mode shmem_enabled; /* transparent_hugepage/ */
	enum mt_shmem_mode shmem_pmd;     /* hugepages-<PMD>kB/ */
	unsigned page_shift, pmd_order;
	/* the running kernel's version, major * 1000 + minor (0: not known,
	 * as for figures from --proc-root) */
	unsigned kver;
};

/* major * 1000 + minor of a release string ("6.18.0-1-amd64"), 0 when it
 * does not parse. */
unsigned mt_kernel_version(const char *release);

/* One VMA. */
struct mt_coll_vma {
	enum mt_vma_kind kind;
	char perms[5];
	uint64_t start, offset;   /* bytes */
	bool vmflags_known;       /* smaps VmFlags read */
	unsigned vmflags;         /* MT_VMF_* */
	enum mt_tri tmpfs;        /* a file VMA: on tmpfs */
	enum mt_shmem_mode mount_huge; /* on tmpfs: the mount's huge= */
	bool sysv;                /* a SysV shared memory segment */
	bool posix_shm;           /* a file in /dev/shm: a tmpfs file */
	uint64_t touched;         /* PMD slots with a present or swapped page */
	uint64_t mapped;          /* of them PMD-mapped; MT_UNKNOWN */
	/* for khugepaged (struct mt_hist_acc's per slot counts): slots with
	 * every page present, and of the others (partial) those within the
	 * limits (fit) or not known to be (unsure); full slots not seen
	 * PMD-mapped over max_ptes_shared, or whose sharing is not known */
	uint64_t full, khp_fit, khp_unsure, full_over, full_unknown;
};

/* Why a VMA's slots are or are not collapsible (stable codes). */
enum mt_coll_why {
	MT_COLL_OK,            /* its candidate slots collapse */
	MT_COLL_EMPTY,         /* no slot with a present page left */
	MT_COLL_PROC_DISABLED, /* PR_SET_THP_DISABLE */
	MT_COLL_NOHUGEPAGE,    /* MADV_NOHUGEPAGE */
	MT_COLL_SPECIAL,       /* VM_IO, PFNMAP, MIXEDMAP, DONTEXPAND, hugetlb */
	MT_COLL_FILE,          /* a regular file: no READ_ONLY_THP_FOR_FS */
	MT_COLL_SHMEM_OFF,     /* shmem_enabled deny, or the size's setting */
	MT_COLL_MISALIGNED,    /* file offset not PMD aligned with address */
	MT_COLL_UNKNOWN,       /* a fact needed is not known */
	MT_COLL_WHY_COUNT
};
const char *mt_coll_why_name(enum mt_coll_why w);

/* Would the VMA need its VmFlags (and the process's THP_enabled) to be
 * answered? False when no slot is a candidate: the answer is 0. */
bool mt_coll_needs_facts(const struct mt_coll_vma *v);
/* Does the rule for this VMA need to know whether its file is on tmpfs? */
bool mt_coll_needs_fstype(const struct mt_coll_vma *v);

/* The VMA's PMD slots that MADV_COLLAPSE would make PMD-mapped now, or
 * MT_UNKNOWN; *why (may be NULL) says why. */
uint64_t mt_coll_slots(const struct mt_coll_env *env,
		       const struct mt_coll_vma *v, enum mt_coll_why *why);

/*
 * The VMA's PMD slots khugepaged would collapse under the current
 * settings, or MT_UNKNOWN; *why (may be NULL) gives the collapse
 * verdict behind a 0 from the VMA's type, MT_COLL_OK otherwise, and
 * *mode_off (may be NULL) whether the enabled mode or the advice left
 * the VMA out. Rules (khugepaged_scan_mm_slot, hpage_collapse_scan_pmd,
 * Linux 6.18): everything MADV_COLLAPSE needs; the enabled mode (never:
 * none; madvise: MADV_HUGEPAGE VMAs only); anonymous memory in a
 * read-only VMA too on 6.18 (seen: khugepaged collapsed such slots), not
 * known before (kernels with the SCAN_PAGE_RO rule wanted a writable
 * PTE in the slot); a slot with more empty
 * PTEs than max_ptes_none, more swapped than max_ptes_swap, or more
 * maybe shared pages than max_ptes_shared is skipped. khugepaged also
 * needs a recently referenced page in the slot, which /proc does not
 * show: the figure is an upper bound on that alone. shmem follows
 * shmem_enabled instead of the enabled mode (never, or advise without
 * MADV_HUGEPAGE: none); otherwise shmem and files are scanned in their
 * page cache, which /proc does not show: unknown.
 */
uint64_t mt_khp_slots(const struct mt_coll_env *env,
		      const struct mt_coll_vma *v, enum mt_coll_why *why,
		      bool *mode_off);

/*
 * Shared memory's setting for huge pages at fault and from khugepaged
 * (MADV_COLLAPSE ignores it unless it is deny), as Linux 6.18's
 * shmem_huge_global_enabled and shmem_allowable_huge_orders apply it:
 * shmem_enabled deny or force for every kind; else a tmpfs file its
 * mount's huge= option, shared anonymous memory the PMD size's own
 * shmem_enabled unless inherit, memfd and SysV memory the global
 * shmem_enabled (their internal mount's). *src (may be NULL) says
 * which; MT_SHM_UNKNOWN with MT_SHM_SRC_NONE when v is not shared
 * memory (or a file not known to be on tmpfs).
 */
enum mt_shm_src {
	MT_SHM_SRC_NONE,
	MT_SHM_SRC_GLOBAL,  /* transparent_hugepage/shmem_enabled */
	MT_SHM_SRC_SIZE,    /* hugepages-<PMD>kB/shmem_enabled */
	MT_SHM_SRC_MOUNT,   /* the tmpfs mount's huge= */
};
enum mt_shmem_mode mt_shmem_fault_mode(const struct mt_coll_env *env,
				       const struct mt_coll_vma *v,
				       enum mt_shm_src *src);

/* Is device maj:min a tmpfs mount in this mountinfo text, and with which
 * huge= option (*huge, may be NULL: never when not given)? Unknown when
 * the device is not listed. */
enum mt_tri mt_mountinfo_tmpfs(const char *buf, size_t len, unsigned maj,
			       unsigned min, enum mt_shmem_mode *huge);

/* --- the action ---------------------------------------------------------
 * mt_collapse_run() asks MADV_COLLAPSE through process_madvise() on a
 * pidfd, one PMD slot at a time, for every slot of pid's VMAs (or of
 * [start, end)) that is not PMD-mapped, and prints one line per slot
 * (JSON: one array). Transient results (EAGAIN) are asked again a few
 * times. Before acting it prints to stderr what it will ask. Returns the
 * exit status: 0 every slot ended collapsed or already PMD-mapped, 1 no
 * permission or no such process (message on stderr), 3 some slot failed.
 */
struct mt_collapse_req {
	pid_t pid;
	bool ranged;
	uint64_t start, end;   /* when ranged */
	bool json;
	const char *proc_root; /* NULL: /proc */
};
/* Parse "PID[:START-END]" (hex addresses, 0x optional). 0 or -1. */
int mt_collapse_parse(const char *arg, struct mt_collapse_req *r);
int mt_collapse_run(const struct mt_collapse_req *r, FILE *out, FILE *err);

/* The errno of a failed MADV_COLLAPSE, decoded. */
const char *mt_collapse_errno_meaning(int e);

/* --- the action, slot by slot (the viewer's C key) ----------------------
 * The same steps as mt_collapse_run(), for a caller that asks one slot
 * at a time between other work. */
struct mt_coll_slot {
	uint64_t start;
	bool already;          /* PMD-mapped when listed */
};
struct mt_coll_list {
	struct mt_coll_slot *v;
	size_t n;
	size_t empty;          /* slots with no page, not listed */
	uint64_t pmd;          /* PMD size in bytes */
};
/* List pid's PMD slots, all or those in [start, end) when ranged; a slot
 * with no page (present or swapped) is listed only when ranged and
 * ask_empty. 0, or -errno (the process's maps or pagemap unreadable). */
int mt_collapse_list(pid_t pid, const char *proc_root, bool ranged,
		     uint64_t start, uint64_t end, bool ask_empty,
		     struct mt_coll_list *l);
void mt_coll_list_free(struct mt_coll_list *l);
/* Slots of l not PMD-mapped when listed. */
size_t mt_coll_list_asked(const struct mt_coll_list *l);
/* A pidfd for process_madvise(), or -errno. */
int mt_collapse_pidfd(pid_t pid);
/* Ask MADV_COLLAPSE for [start, start + len) of the process; EAGAIN is
 * asked again a few times (at most about 15 ms). 0 or the errno. */
int mt_collapse_ask(int pidfd, uint64_t start, uint64_t len);
/* May this process ask MADV_COLLAPSE of other processes: 0, or -errno
 * with why (one sentence) filled in: -ENOSYS without process_madvise,
 * -EPERM without root or CAP_SYS_NICE. */
int mt_collapse_allowed(char *why, size_t len);

/* Results of asking, for the summary. */
enum mt_coll_res {
	MT_CRES_COLLAPSED, MT_CRES_ALREADY, MT_CRES_EINVAL, MT_CRES_ENOMEM,
	MT_CRES_EBUSY, MT_CRES_EAGAIN, MT_CRES_GONE, MT_CRES_OTHER,
	MT_CRES_COUNT
};
struct mt_coll_tally {
	size_t n[MT_CRES_COUNT];
};
/* Count one slot: already PMD-mapped, or asked with result en (0: it
 * collapsed; ESRCH: the process is gone). */
void mt_coll_tally_add(struct mt_coll_tally *t, bool already, int en);
/* "collapsed 30, already 2, refused 8 (EINVAL ineligible)"; when
 * stopped, the slots left are named too. */
void mt_coll_tally_text(const struct mt_coll_tally *t, size_t left,
			char *buf, size_t len);
/* The question before acting: what is asked (what: "PID 1234", "VMA
 * 7f..-7f.. of PID 1234", ...), how many slots, and how much memory it
 * may allocate (slots not PMD-mapped x PMD size). */
void mt_coll_confirm_text(const char *what, size_t slots, size_t already,
			  uint64_t pmd, char *buf, size_t len);

#endif
