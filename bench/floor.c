/*
 * floor.c - the cheapest way to learn what memtop learns, used as the
 * reference that bench/run.sh divides memtop's times by.
 *
 *   floor [--scan | --kpf] [--blind] [--max-vma-gib N] [PID...]
 *
 * For the given pids (every process in /proc without any), read
 * /proc/PID/maps and count the present pages of every VMA:
 *
 *   (default)  pread /proc/PID/pagemap over each VMA in batches of 65536
 *              entries (512 KiB) and count bit 63: the batched-pread
 *              floor. In a VMA bigger than one batch, unpopulated stretches
 *              are skipped: a PAGEMAP_SCAN call that stops at the first
 *              present page says where the next batch starts, and is made
 *              again only after a batch that ends on a page that is not
 *              present. Dense memory thus costs one extra call per big VMA,
 *              and a sparse reservation does not cost 8 bytes per page.
 *   --blind    no PAGEMAP_SCAN: read every VMA whole (as before Linux 6.7),
 *              skipping VMAs bigger than --max-vma-gib (default 64 GiB of
 *              address space, 128 MiB of pagemap), which no reader can
 *              afford. Also what happens when the ioctl is missing.
 *   --scan     PAGEMAP_SCAN over each VMA for present pages instead of
 *              pread: the ioctl floor. Returns no PFNs.
 *   --kpf      as the default, and also pread /proc/kpageflags for every
 *              run of consecutive PFNs found: the folio-view floor.
 *
 * Nothing else is done: no histograms, no names, no output per process.
 * VMAs whose pagemap read fails and processes that cannot be opened (gone,
 * no permission) are skipped and counted. One line of totals goes to
 * stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/fs.h>

#ifndef PAGEMAP_SCAN
/* PAGEMAP_SCAN ABI (Linux 6.7+), for headers that predate it. */
struct page_region {
	uint64_t start;
	uint64_t end;
	uint64_t categories;
};

struct pm_scan_arg {
	uint64_t size;
	uint64_t flags;
	uint64_t start;
	uint64_t end;
	uint64_t walk_end;
	uint64_t vec;
	uint64_t vec_len;
	uint64_t max_pages;
	uint64_t category_inverted;
	uint64_t category_mask;
	uint64_t category_anyof_mask;
	uint64_t return_mask;
};

#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_PRESENT (1 << 3)
#endif

#define BATCH 65536		/* pagemap entries per pread: 512 KiB */
#define SCAN_REGIONS 4096	/* page_region slots per PAGEMAP_SCAN call */
#define PM_PRESENT (UINT64_C(1) << 63)
#define PM_PFN_MASK ((UINT64_C(1) << 55) - 1)
#define KPF_COMPOUND_HEAD (UINT64_C(1) << 15)
#define KPF_THP (UINT64_C(1) << 22)

enum mode { MODE_PREAD, MODE_SCAN, MODE_KPF };

struct totals {
	unsigned long procs, procs_skipped;
	unsigned long vmas, vmas_skipped, vmas_too_big;
	uint64_t present;
	uint64_t preads, ioctls;
	uint64_t pfn_runs, kpf_preads, kpf_words, kpf_heads, kpf_thp;
};

static enum mode g_mode = MODE_PREAD;
static unsigned g_page_shift;
static uint64_t g_max_vma_pages;
static int g_scan_ok = -1; /* PAGEMAP_SCAN: -1 untried, 0 missing, 1 works */
static int g_kpf_fd = -1;
static struct totals g_tot;
static uint64_t g_buf[BATCH];
static uint64_t g_kbuf[BATCH];
static struct page_region g_regions[SCAN_REGIONS];

/* Read a whole (small) file into a growing buffer; returns its length or
 * -1. The buffer is kept between calls. */
static ssize_t slurp(int fd, char **buf, size_t *cap)
{
	size_t len = 0;

	for (;;) {
		ssize_t r;

		if (len + 1 >= *cap) {
			size_t ncap = *cap ? *cap * 2 : 65536;
			char *nb = realloc(*buf, ncap);

			if (!nb)
				return -1;
			*buf = nb;
			*cap = ncap;
		}
		r = read(fd, *buf + len, *cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return len ? (ssize_t)len : -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	(*buf)[len] = '\0';
	return (ssize_t)len;
}

/* pread kpageflags for PFNs [pfn, pfn + n) and look at the flags. */
static void kpf_read_run(uint64_t pfn, uint64_t n)
{
	g_tot.pfn_runs++;
	while (n) {
		size_t want = n > BATCH ? BATCH : (size_t)n;
		ssize_t r = pread(g_kpf_fd, g_kbuf, want * 8, (off_t)(pfn * 8));
		size_t got;

		g_tot.kpf_preads++;
		if (r <= 0)
			return;
		got = (size_t)r / 8;
		for (size_t i = 0; i < got; i++) {
			g_tot.kpf_heads += !!(g_kbuf[i] & KPF_COMPOUND_HEAD);
			g_tot.kpf_thp += !!(g_kbuf[i] & KPF_THP);
		}
		g_tot.kpf_words += got;
		pfn += got;
		n -= got;
	}
}

/* First page >= vp below vend that is present (vend when none), found
 * with PAGEMAP_SCAN; -1 when the ioctl is not available. */
static int next_present(int fd, uint64_t vp, uint64_t vend, uint64_t *found)
{
	uint64_t end = vend << g_page_shift;
	uint64_t cur = vp << g_page_shift;

	while (cur < end) {
		struct page_region reg;
		struct pm_scan_arg a;
		int n;

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.start = cur;
		a.end = end;
		a.vec = (uint64_t)(uintptr_t)&reg;
		a.vec_len = 1;
		a.max_pages = 1;
		a.category_mask = PAGE_IS_PRESENT;
		a.return_mask = PAGE_IS_PRESENT;
		n = ioctl(fd, PAGEMAP_SCAN, &a);
		g_tot.ioctls++;
		if (n < 0)
			return -1;
		if (n > 0) {
			uint64_t p = reg.start >> g_page_shift;

			*found = p > vp ? p : vp;
			return 0;
		}
		if (a.walk_end <= cur)
			break;
		cur = a.walk_end;
	}
	*found = vend;
	return 0;
}

/* Batched pread over [vstart, vend) pages; --kpf also follows PFN runs. */
static void vma_pread(int fd, uint64_t vstart, uint64_t vend)
{
	uint64_t run_pfn = 0, run_len = 0, run_next_vp = 0;
	int guided = vend - vstart > BATCH && g_scan_ok != 0;
	int probe = guided;

	if (!guided && g_max_vma_pages && vend - vstart > g_max_vma_pages) {
		g_tot.vmas_too_big++;
		return;
	}
	for (uint64_t vp = vstart; vp < vend;) {
		uint64_t left;
		size_t want, got;
		ssize_t r;

		if (probe) {
			if (next_present(fd, vp, vend, &vp) < 0) {
				/* no PAGEMAP_SCAN here: read blind from now on */
				if (g_scan_ok < 0)
					g_scan_ok = 0;
				guided = probe = 0;
				if (g_max_vma_pages &&
				    vend - vstart > g_max_vma_pages) {
					g_tot.vmas_too_big++;
					return;
				}
			} else {
				g_scan_ok = 1;
			}
			if (vp >= vend)
				break;
		}
		left = vend - vp;
		want = left > BATCH ? BATCH : (size_t)left;
		r = pread(fd, g_buf, want * 8, (off_t)(vp * 8));
		g_tot.preads++;
		if (r < 0) {
			g_tot.vmas_skipped++;
			break;
		}
		if (r == 0) /* past the end of the address space */
			break;
		got = (size_t)r / 8;
		if (g_mode != MODE_KPF) {
			uint64_t c = 0;

			for (size_t i = 0; i < got; i++)
				c += g_buf[i] >> 63;
			g_tot.present += c;
		} else {
			for (size_t i = 0; i < got; i++) {
				uint64_t e = g_buf[i], pfn;

				if (!(e & PM_PRESENT))
					continue;
				g_tot.present++;
				pfn = e & PM_PFN_MASK;
				if (!pfn) /* PFNs hidden: nothing to look up */
					continue;
				if (run_len && run_next_vp == vp + i &&
				    run_pfn + run_len == pfn) {
					run_len++;
				} else {
					if (run_len)
						kpf_read_run(run_pfn, run_len);
					run_pfn = pfn;
					run_len = 1;
				}
				run_next_vp = vp + i + 1;
			}
		}
		/* a batch that ends in a hole: look for the next present page */
		probe = guided && !(g_buf[got - 1] & PM_PRESENT);
		vp += got;
	}
	if (run_len)
		kpf_read_run(run_pfn, run_len);
}

/* PAGEMAP_SCAN over [start, end) bytes, counting present pages. The
 * kernel is asked for the pages that are NOT present (the inverted
 * PRESENT category): reporting every present page costs it three times
 * as much on memory of 4 KiB pages, and the present ones are the rest.
 * A VMA with no region reported is either all present or one the walk
 * leaves out (VM_PFNMAP): one pagemap entry tells. A call can stop early
 * (walk_end < end) and return regions that reach past its walk_end;
 * continue from walk_end and count only what lies above the highest end
 * already counted. */
static void vma_scan(int fd, uint64_t start, uint64_t end)
{
	uint64_t cur = start, counted = start, absent = 0;
	int any = 0;

	while (cur < end) {
		struct pm_scan_arg a;
		int n;

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.start = cur;
		a.end = end;
		a.vec = (uint64_t)(uintptr_t)g_regions;
		a.vec_len = SCAN_REGIONS;
		a.category_inverted = PAGE_IS_PRESENT;
		a.category_mask = PAGE_IS_PRESENT;
		a.return_mask = PAGE_IS_PRESENT;
		n = ioctl(fd, PAGEMAP_SCAN, &a);
		g_tot.ioctls++;
		if (n < 0) {
			if (errno == ENOTTY || errno == EINVAL) {
				fprintf(stderr, "floor: PAGEMAP_SCAN not supported: %s\n",
					strerror(errno));
				exit(2);
			}
			g_tot.vmas_skipped++;
			return;
		}
		for (int i = 0; i < n; i++) {
			uint64_t s = g_regions[i].start, e = g_regions[i].end;

			if (e > end)
				e = end;
			if (s < counted)
				s = counted;
			if (e > s) {
				absent += (e - s) >> g_page_shift;
				counted = e;
				any = 1;
			}
		}
		if (a.walk_end <= cur) { /* no progress: give up on this VMA */
			g_tot.vmas_skipped++;
			return;
		}
		cur = a.walk_end;
	}
	if (!any) {
		uint64_t e = 0;

		g_tot.preads++;
		if (pread(fd, &e, sizeof(e), (off_t)(start >> g_page_shift) * 8) !=
			    sizeof(e) || !(e & PM_PRESENT))
			return; /* left out by the walk, or nothing there */
	}
	g_tot.present += ((end - start) >> g_page_shift) - absent;
}

static int parse_hex(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0;

	for (;; s++, digits++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else
			break;
		v = v << 4 | d;
	}
	*p = s;
	*out = v;
	return digits ? 0 : -1;
}

static void scan_pid(const char *pid)
{
	static char *maps;
	static size_t cap;
	char path[64];
	int mfd, pfd;
	ssize_t len;
	const char *p, *endp;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	mfd = open(path, O_RDONLY | O_CLOEXEC);
	if (mfd < 0) {
		g_tot.procs_skipped++;
		return;
	}
	len = slurp(mfd, &maps, &cap);
	close(mfd);
	if (len < 0) {
		g_tot.procs_skipped++;
		return;
	}
	if (len == 0) { /* kernel thread: no address space */
		g_tot.procs++;
		return;
	}
	snprintf(path, sizeof(path), "/proc/%s/pagemap", pid);
	pfd = open(path, O_RDONLY | O_CLOEXEC);
	if (pfd < 0) {
		g_tot.procs_skipped++;
		return;
	}
	g_tot.procs++;
	p = maps;
	endp = maps + len;
	while (p < endp) {
		const char *nl = memchr(p, '\n', (size_t)(endp - p));
		uint64_t start, end;

		if (!nl)
			nl = endp;
		if (parse_hex(&p, &start) == 0 && *p++ == '-' &&
		    parse_hex(&p, &end) == 0 && end > start) {
			g_tot.vmas++;
			if (g_mode == MODE_SCAN)
				vma_scan(pfd, start, end);
			else
				vma_pread(pfd, start >> g_page_shift,
					  end >> g_page_shift);
		}
		p = nl + 1;
	}
	close(pfd);
}

static int is_pid(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static void usage(void)
{
	fputs("usage: floor [--scan | --kpf] [--blind] [--max-vma-gib N] "
	      "[--repeat N] [PID...]\n", stderr);
	exit(2);
}

/* One walk: the pids from argv[first_pid] on, or all of /proc. */
static int walk(int argc, char **argv, int first_pid)
{
	if (first_pid < argc) {
		for (int i = first_pid; i < argc; i++) {
			if (!is_pid(argv[i]))
				usage();
			scan_pid(argv[i]);
		}
		return 0;
	}
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d) {
		perror("floor: /proc");
		return -1;
	}
	while ((de = readdir(d)))
		if (is_pid(de->d_name))
			scan_pid(de->d_name);
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	long psz = sysconf(_SC_PAGESIZE);
	uint64_t max_vma_gib = 64;
	unsigned long repeat = 1;
	struct timespec t0, t1;
	int first_pid = argc;
	const char *mode_name;

	for (g_page_shift = 0; (1L << g_page_shift) < psz; g_page_shift++)
		;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--scan")) {
			g_mode = MODE_SCAN;
		} else if (!strcmp(argv[i], "--kpf")) {
			g_mode = MODE_KPF;
		} else if (!strcmp(argv[i], "--blind")) {
			g_scan_ok = 0;
		} else if (!strcmp(argv[i], "--max-vma-gib") && i + 1 < argc) {
			char *e;

			max_vma_gib = strtoull(argv[++i], &e, 10);
			if (*e)
				usage();
		} else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) {
			char *e;

			repeat = strtoul(argv[++i], &e, 10);
			if (*e || repeat == 0)
				usage();
		} else if (is_pid(argv[i])) {
			first_pid = i;
			break;
		} else {
			usage();
		}
	}
	/* 0 means no limit */
	g_max_vma_pages = max_vma_gib ? (max_vma_gib << 30) >> g_page_shift : 0;

	if (g_mode == MODE_KPF) {
		g_kpf_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
		if (g_kpf_fd < 0) {
			fprintf(stderr, "floor: /proc/kpageflags: %s (needs root)\n",
				strerror(errno));
			return 1;
		}
	}

	/* --repeat: the whole walk again and again, as a long-running
	 * scanner would (totals and time are the last walk's) */
	for (unsigned long rep = 0; rep < repeat; rep++) {
		memset(&g_tot, 0, sizeof(g_tot));
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (walk(argc, argv, first_pid) < 0)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
	}

	mode_name = g_mode == MODE_SCAN ? "scan"
		    : g_mode == MODE_KPF ? "kpf"
		    : g_scan_ok == 0 ? "pread-blind" : "pread";
	printf("floor mode=%s procs=%lu procs_skipped=%lu vmas=%lu vmas_skipped=%lu "
	       "vmas_too_big=%lu present=%llu preads=%llu ioctls=%llu",
	       mode_name, g_tot.procs, g_tot.procs_skipped, g_tot.vmas,
	       g_tot.vmas_skipped, g_tot.vmas_too_big,
	       (unsigned long long)g_tot.present,
	       (unsigned long long)g_tot.preads,
	       (unsigned long long)g_tot.ioctls);
	if (g_mode == MODE_KPF)
		printf(" pfn_runs=%llu kpf_preads=%llu kpf_words=%llu "
		       "kpf_heads=%llu kpf_thp=%llu",
		       (unsigned long long)g_tot.pfn_runs,
		       (unsigned long long)g_tot.kpf_preads,
		       (unsigned long long)g_tot.kpf_words,
		       (unsigned long long)g_tot.kpf_heads,
		       (unsigned long long)g_tot.kpf_thp);
	printf(" ms=%.3f\n", (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
				     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	return 0;
}
