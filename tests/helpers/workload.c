/*
 * workload.c - maps memory in known shapes for memtop's live tests.
 *
 * Every region is placed inside its own larger PROT_NONE reservation, so it
 * never merges with a neighbouring VMA, and starts where the shape says
 * (2 MiB aligned unless the shape is about misalignment). Pages are touched
 * by writing. A read fault on anonymous memory maps the shared zero page,
 * which pagemap reports present but smaps does not count in Rss, on the
 * kernels that use zero pages: others (s390 KVM guests, some hypervisor
 * guests) allocate a real page. The workload does not presume either: once
 * its regions are in place it asks smaps whether the pages it only read
 * are in Rss, and describes them as zero pages or as memory accordingly
 * ("read_faults" in the JSON: "zero", "memory" or "none").
 *
 * When everything is in place the program prints one line of JSON on
 * stdout describing each region, with the present-page histogram memtop
 * must report for it (computed here from the pages this program wrote;
 * pages only read map the shared zero page and are counted apart, as
 * zero_pages), then stops itself with SIGSTOP so its memory stays still
 * while it is examined. It exits when continued (or killed).
 *
 *   workload [--shapes LIST] [--hog MIB] [--max-order N] [--dir DIR]
 *            [--comm-hex HEX] [--file-name-hex HEX] [--no-stop]
 *
 * Shapes (default: all but hog):
 *   thp          8 MiB anon, MADV_HUGEPAGE, 2 MiB aligned, fully written
 *   thp_pte      4 MiB like thp, then the second 2 MiB PTE-mapped (see
 *                shape_thp_pte)
 *   thp_zero     4 MiB anon, MADV_HUGEPAGE, 2 MiB aligned, only read: the
 *                huge zero page where THP allows it, else the zero page
 *   holes        4 MiB anon, MADV_NOHUGEPAGE, pages with i % 7 != 3 written
 *                but for an untouched stretch (400..499), then a few whole
 *                aligned blocks (the last one the upper 2 MiB)
 *   unaligned    anon, MADV_NOHUGEPAGE, starts 5 pages past a 2 MiB
 *                boundary, 600 pages, fully written
 *   zero         64 pages anon, MADV_NOHUGEPAGE, even pages read (shared
 *                zero page), page 1 and pages 32..47 written
 *   file         MAP_SHARED mapping of a temporary file (filled with
 *                write() first), 300 pages, fully written
 *   file_private MAP_PRIVATE mapping of the same kind of file, every other
 *                group of 8 pages written (copy on write)
 *   memfd        MAP_SHARED memfd, 1 MiB + 40 pages, fully written
 *                (every shape but thp and thp_pte gets MADV_NOHUGEPAGE)
 *   shmem        MAP_SHARED|MAP_ANONYMOUS 2 MiB, pages with i % 3 == 0
 *                written plus one aligned 64-page block
 *   guard        64 pages anon, MADV_NOHUGEPAGE, fully written, then
 *                MADV_GUARD_INSTALL on pages 8..23 (Linux 6.13+): guard
 *                markers, neither memory nor swap ("guard_pages" in the
 *                JSON; 0 where the kernel has no guard regions)
 *   hog          (--hog MIB) plain anon, MADV_NOHUGEPAGE, fully written
 *
 * --comm-hex sets the thread name (prctl PR_SET_NAME) from hex bytes, and
 * --file-name-hex names the temporary files, to feed memtop hostile names.
 * --no-stop waits in pause() instead of stopping (for benchmarks).
 *
 * Once the regions are in place the workload disables THP for itself
 * (PR_SET_THP_DISABLE), so khugepaged leaves its memory alone.
 *
 * The temporary files are unlinked as soon as they are mapped, so maps
 * shows them as "PATH (deleted)" and nothing is left behind on SIGKILL.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MiB (UINT64_C(1) << 20)
#define ALIGN_2M (2 * MiB)
#define GUARD (2 * MiB)
#define MAX_REGIONS 16
#define ORDER_LIMIT 20

struct region {
	const char *shape;
	const char *kind;   /* the kind memtop should classify it as */
	bool file_backed;
	uint64_t start, len;
	uint8_t *present;   /* one byte per page: written or not */
	uint8_t *zero;      /* read but not written: the shared zero page */
	const char *read_faults; /* what reads mapped: "zero", "memory" */
	uint64_t guard_pages;    /* guard markers installed */
};

static struct region regions[MAX_REGIONS];
static size_t nregions;
static uint64_t page_size;
static unsigned max_order = 9;
static const char *tmp_dir;
static char file_name[256] = "memtop-wl";

/* Print a message (with strerror(errno) when errno is set) and exit 1. */
static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						       noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("workload: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errno)
		fprintf(stderr, ": %s", strerror(errno));
	fputc('\n', stderr);
	exit(1);
}

/*
 * Reserve PROT_NONE address space with guards on both sides and return the
 * address inside it where a region of len bytes starts: 2 MiB aligned, plus
 * skew_pages pages.
 */
static uint64_t reserve(uint64_t len, uint64_t skew_pages)
{
	uint64_t total = len + skew_pages * page_size + 2 * GUARD + ALIGN_2M;
	void *p = mmap(NULL, total, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		die("mmap reservation of %" PRIu64 " bytes", total);
	uint64_t a = (uint64_t)(uintptr_t)p + GUARD;
	a = (a + ALIGN_2M - 1) & ~(ALIGN_2M - 1);
	return a + skew_pages * page_size;
}

static struct region *add_region(const char *shape, const char *kind,
				 bool file_backed, uint64_t start,
				 uint64_t len)
{
	if (nregions == MAX_REGIONS) {
		errno = 0;
		die("too many regions");
	}
	struct region *r = &regions[nregions++];
	r->shape = shape;
	r->kind = kind;
	r->file_backed = file_backed;
	r->start = start;
	r->len = len;
	r->present = calloc(len / page_size, 1);
	r->zero = calloc(len / page_size, 1);
	if (!r->present || !r->zero)
		die("calloc");
	return r;
}

static void *map_fixed(uint64_t at, uint64_t len, int flags, int fd)
{
	void *p = mmap((void *)(uintptr_t)at, len, PROT_READ | PROT_WRITE,
		       flags | MAP_FIXED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap at 0x%" PRIx64, at);
	return p;
}

static void advise(const struct region *r, int advice)
{
	if (madvise((void *)(uintptr_t)r->start, r->len, advice))
		die("madvise(%d) on %s", advice, r->shape);
}

/* Write to page i of r and remember it. */
static void touch(struct region *r, uint64_t i)
{
	volatile uint8_t *p = (uint8_t *)(uintptr_t)(r->start + i * page_size);

	*p = (uint8_t)(i | 1);
	r->present[i] = 1;
	r->zero[i] = 0;
}

/* Read page i of r: an untouched private anonymous page gets the shared
 * zero page mapped. */
static void read_page(struct region *r, uint64_t i)
{
	volatile uint8_t *p = (uint8_t *)(uintptr_t)(r->start + i * page_size);

	(void)*p;
	if (!r->present[i])
		r->zero[i] = 1;
}

static void touch_range(struct region *r, uint64_t first, uint64_t n)
{
	for (uint64_t i = first; i < first + n; i++)
		touch(r, i);
}

/* A temporary file of len bytes, filled with write(), unlinked at once
 * after the caller mapped it (see unlink_later). */
static char pending_unlink[4096];

static int temp_file(uint64_t len, const char *suffix)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s.%ld.%s", tmp_dir,
			 file_name, (long)getpid(), suffix);

	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = 0;
		die("temporary file name too long");
	}
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		die("open %s", path);
	static char block[65536];
	memset(block, 0x5a, sizeof(block));
	for (uint64_t off = 0; off < len;) {
		size_t chunk = len - off < sizeof(block) ? (size_t)(len - off)
							 : sizeof(block);
		ssize_t w = write(fd, block, chunk);
		if (w <= 0)
			die("write %s", path);
		off += (uint64_t)w;
	}
	snprintf(pending_unlink, sizeof(pending_unlink), "%s", path);
	return fd;
}

static void unlink_pending(void)
{
	if (pending_unlink[0]) {
		unlink(pending_unlink);
		pending_unlink[0] = 0;
	}
}

static void shape_thp(void)
{
	uint64_t len = 8 * MiB;
	struct region *r = add_region("thp", "anon", false, reserve(len, 0), len);

	map_fixed(r->start, len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	advise(r, MADV_HUGEPAGE);
	touch_range(r, 0, len / page_size);
}

/*
 * Two huge pages, the second one then mapped by PTEs: changing the
 * protection of one page splits its PMD mapping (the folio stays whole),
 * and changing it back merges the VMAs again. smaps AnonHugePages counts
 * only the first; kpageflags still shows two order-9 folios.
 */
static void shape_thp_pte(void)
{
	uint64_t len = 4 * MiB;
	struct region *r = add_region("thp_pte", "anon", false,
				      reserve(len, 0), len);

	map_fixed(r->start, len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	advise(r, MADV_HUGEPAGE);
	touch_range(r, 0, len / page_size);
	void *p = (void *)(uintptr_t)(r->start + ALIGN_2M + 7 * page_size);
	if (mprotect(p, page_size, PROT_READ) ||
	    mprotect(p, page_size, PROT_READ | PROT_WRITE))
		die("mprotect");
}

static void shape_thp_zero(void)
{
	uint64_t len = 4 * MiB;
	struct region *r = add_region("thp_zero", "anon", false,
				      reserve(len, 0), len);

	map_fixed(r->start, len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	advise(r, MADV_HUGEPAGE);
	for (uint64_t i = 0; i < len / page_size; i++)
		read_page(r, i);
}

static void shape_holes(void)
{
	uint64_t len = 4 * MiB, pages = len / page_size;
	struct region *r = add_region("holes", "anon", false, reserve(len, 0),
				      len);

	map_fixed(r->start, len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	advise(r, MADV_NOHUGEPAGE);
	/* pages 400..499 stay untouched: a stretch with nothing present */
	for (uint64_t i = 0; i < pages; i++)
		if (i % 7 != 3 && (i < 400 || i >= 500))
			touch(r, i);
	/* whole aligned blocks of 16, 32, 16 and 512 pages */
	touch_range(r, 160, 16);
	touch_range(r, 256, 32);
	touch_range(r, 336, 16);
	touch_range(r, 512, 512);
}

/*
 * Zero page mappings: even pages are read (mapping the shared zero page),
 * then page 1 and pages 32..47 are written. pagemap shows the zero page
 * present; smaps Rss does not count it, and neither does memtop: it
 * reports such pages as zero_pages.
 */
static void shape_zero(void)
{
	uint64_t pages = 64, len = pages * page_size;
	struct region *r = add_region("zero", "anon", false, reserve(len, 0),
				      len);

	map_fixed(r->start, len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	advise(r, MADV_NOHUGEPAGE);
	for (uint64_t i = 0; i < pages; i += 2)
		read_page(r, i);
	touch(r, 1);
	touch_range(r, 32, 16);
}

static void shape_unaligned(void)
{
	uint64_t pages = 600, len = pages * page_size;
	struct region *r = add_region("unaligned", "anon", false,
				      reserve(len, 5), len);

	map_fixed(r->start, len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	advise(r, MADV_NOHUGEPAGE);
	touch_range(r, 0, pages);
}

static void shape_file(void)
{
	uint64_t pages = 300, len = pages * page_size;
	int fd = temp_file(len, "shared");
	struct region *r = add_region("file", "file", true, reserve(len, 0),
				      len);

	map_fixed(r->start, len, MAP_SHARED, fd);
	close(fd);
	unlink_pending();
	advise(r, MADV_NOHUGEPAGE);
	touch_range(r, 0, pages);
}

static void shape_file_private(void)
{
	uint64_t pages = 256, len = pages * page_size;
	int fd = temp_file(len, "private");
	struct region *r = add_region("file_private", "file", true,
				      reserve(len, 0), len);

	map_fixed(r->start, len, MAP_PRIVATE, fd);
	close(fd);
	unlink_pending();
	advise(r, MADV_NOHUGEPAGE);
	/* write faults copy single pages: no fault-around */
	for (uint64_t i = 0; i < pages; i += 16)
		touch_range(r, i, 8);
}

static void shape_memfd(void)
{
	uint64_t pages = 256 + 40, len = pages * page_size;
	int fd = (int)syscall(SYS_memfd_create, "memtop-wl", 1u /* CLOEXEC */);

	if (fd < 0)
		die("memfd_create");
	if (ftruncate(fd, (off_t)len))
		die("ftruncate memfd");
	struct region *r = add_region("memfd", "memfd", false,
				      reserve(len, 0), len);
	map_fixed(r->start, len, MAP_SHARED, fd);
	close(fd);
	advise(r, MADV_NOHUGEPAGE);
	touch_range(r, 0, pages);
}

static void shape_shmem(void)
{
	uint64_t len = 2 * MiB, pages = len / page_size;
	struct region *r = add_region("shmem", "shmem", false,
				      reserve(len, 0), len);

	map_fixed(r->start, len, MAP_SHARED | MAP_ANONYMOUS, -1);
	advise(r, MADV_NOHUGEPAGE);
	for (uint64_t i = 0; i < pages; i += 3)
		touch(r, i);
	touch_range(r, 128, 64);
}

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

static void shape_guard(void)
{
	uint64_t pages = 64, len = pages * page_size;
	struct region *r = add_region("guard", "anon", false, reserve(len, 0),
				      len);

	map_fixed(r->start, len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	advise(r, MADV_NOHUGEPAGE);
	touch_range(r, 0, pages);
	if (madvise((void *)(uintptr_t)(r->start + 8 * page_size),
		    16 * page_size, MADV_GUARD_INSTALL) == 0) {
		for (uint64_t i = 8; i < 24; i++)
			r->present[i] = 0;
		r->guard_pages = 16;
	}
}

/* Rss of the VMA that starts at start, in pages, from smaps. */
static uint64_t smaps_rss_pages(uint64_t start)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false;
	uint64_t kb = UINT64_MAX;

	if (!f)
		die("open /proc/self/smaps");
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		/* a VMA's first line starts with its address (lower case
		 * hex); the fields that follow with a capital letter */
		if ((line[0] < 'A' || line[0] > 'Z') &&
		    sscanf(line, "%llx-%llx ", &a, &b) == 2) {
			in = a == start;
			continue;
		}
		unsigned long long v;
		if (in && sscanf(line, "Rss: %llu kB", &v) == 1) {
			kb = v;
			break;
		}
	}
	fclose(f);
	if (kb == UINT64_MAX) {
		errno = 0;
		die("no smaps entry at 0x%" PRIx64, start);
	}
	return kb * 1024 / page_size;
}

/*
 * What did the read faults map? smaps Rss counts real pages only: Rss
 * equal to the written pages means the pages only read are zero pages;
 * Rss that holds them too means the kernel gave them memory.
 */
static void observe_read_faults(struct region *r)
{
	uint64_t pages = r->len / page_size, written = 0, read = 0;

	for (uint64_t i = 0; i < pages; i++) {
		written += r->present[i];
		read += r->zero[i];
	}
	if (!read) {
		r->read_faults = "none";
		return;
	}
	uint64_t rss = smaps_rss_pages(r->start);
	if (rss == written) {
		r->read_faults = "zero";
	} else if (rss == written + read) {
		r->read_faults = "memory";
		for (uint64_t i = 0; i < pages; i++) {
			if (r->zero[i]) {
				r->zero[i] = 0;
				r->present[i] = 1;
			}
		}
	} else {
		errno = 0;
		die("shape %s: Rss %" PRIu64 " pages, %" PRIu64
		    " written and %" PRIu64 " read: cannot tell what the reads "
		    "mapped", r->shape, rss, written, read);
	}
}

static uint64_t hog_mib;

static void shape_hog(void)
{
	uint64_t len = hog_mib * MiB;
	struct region *r = add_region("hog", "anon", false, reserve(len, 0),
				      len);

	map_fixed(r->start, len, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		  -1);
	advise(r, MADV_NOHUGEPAGE);
	touch_range(r, 0, len / page_size);
}

/*
 * Expected histogram: split each run of written pages into maximal
 * naturally aligned blocks (aligned on the absolute virtual page number),
 * up to max_order.
 */
static void expected_hist(const struct region *r, uint64_t *hist)
{
	uint64_t pages = r->len / page_size, base = r->start / page_size;

	memset(hist, 0, sizeof(*hist) * (max_order + 1));
	for (uint64_t i = 0; i < pages;) {
		if (!r->present[i]) {
			i++;
			continue;
		}
		uint64_t j = i;
		while (j < pages && r->present[j])
			j++;
		for (uint64_t a = base + i, b = base + j; a < b;) {
			unsigned o = 0;
			while (o < max_order && !(a & ((UINT64_C(2) << o) - 1)) &&
			       a + (UINT64_C(2) << o) <= b)
				o++;
			hist[o]++;
			a += UINT64_C(1) << o;
		}
		i = j;
	}
}

static void print_json(void)
{
	uint64_t hist[ORDER_LIMIT + 1];

	printf("{\"workload\":1,\"pid\":%ld,\"page_size\":%" PRIu64
	       ",\"max_order\":%u,\"regions\":[",
	       (long)getpid(), page_size, max_order);
	for (size_t k = 0; k < nregions; k++) {
		const struct region *r = &regions[k];
		uint64_t pages = r->len / page_size, present = 0, zero = 0;

		for (uint64_t i = 0; i < pages; i++) {
			present += r->present[i];
			zero += r->zero[i];
		}
		expected_hist(r, hist);
		printf("%s{\"shape\":\"%s\",\"kind\":\"%s\",\"file_backed\":%s,"
		       "\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\","
		       "\"length\":%" PRIu64 ",\"pages\":%" PRIu64
		       ",\"present_pages\":%" PRIu64 ",\"zero_pages\":%" PRIu64
		       ",\"read_faults\":\"%s\",\"guard_pages\":%" PRIu64
		       ",\"present_hist\":[",
		       k ? "," : "", r->shape, r->kind,
		       r->file_backed ? "true" : "false", r->start,
		       r->start + r->len, r->len, pages, present, zero,
		       r->read_faults ? r->read_faults : "none", r->guard_pages);
		for (unsigned o = 0; o <= max_order; o++)
			printf("%s%" PRIu64, o ? "," : "", hist[o]);
		printf("]}");
	}
	printf("]}\n");
	if (fflush(stdout))
		die("stdout");
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode hex into out (NUL terminated); the result must not hold NUL or
 * '/'. */
static void unhex(const char *hex, char *out, size_t cap)
{
	size_t n = strlen(hex);

	errno = 0;
	if (n % 2 || n / 2 >= cap)
		die("bad hex string '%s'", hex);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0) ||
		    (hi * 16 + lo) == '/')
			die("bad hex string '%s'", hex);
		out[i] = (char)(hi * 16 + lo);
	}
	out[n / 2] = 0;
}

static void usage(void)
{
	fputs("usage: workload [--shapes LIST] [--hog MIB] [--max-order N]"
	      " [--dir DIR]\n"
	      "                [--comm-hex HEX] [--file-name-hex HEX]"
	      " [--no-stop]\n"
	      "shapes: thp,thp_pte,thp_zero,holes,unaligned,zero,file,file_private,"
	      "memfd,shmem,guard (default: all)\n",
	      stderr);
	exit(2);
}

static const struct {
	const char *name;
	void (*make)(void);
} shapes[] = {
	{ "thp", shape_thp },
	{ "thp_pte", shape_thp_pte },
	{ "thp_zero", shape_thp_zero },
	{ "holes", shape_holes },
	{ "unaligned", shape_unaligned },
	{ "zero", shape_zero },
	{ "file", shape_file },
	{ "file_private", shape_file_private },
	{ "memfd", shape_memfd },
	{ "shmem", shape_shmem },
	{ "guard", shape_guard },
};

static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && !memcmp(p, name, n))
			return true;
		p += len + (e ? 1 : 0);
	}
	return false;
}

int main(int argc, char **argv)
{
	const char *list =
		"thp,thp_pte,thp_zero,holes,unaligned,zero,file,file_private,memfd,"
		"shmem,guard";
	bool stop = true;

	page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	tmp_dir = getenv("TMPDIR");
	if (!tmp_dir || !*tmp_dir)
		tmp_dir = "/tmp";

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (!strcmp(a, "--no-stop")) {
			stop = false;
			continue;
		}
		if (!v)
			usage();
		i++;
		errno = 0;
		if (!strcmp(a, "--shapes")) {
			list = v;
		} else if (!strcmp(a, "--hog")) {
			hog_mib = strtoull(v, &end, 10);
			if (*end || !hog_mib)
				usage();
		} else if (!strcmp(a, "--max-order")) {
			unsigned long m = strtoul(v, &end, 10);
			if (*end || m > ORDER_LIMIT)
				usage();
			max_order = (unsigned)m;
		} else if (!strcmp(a, "--dir")) {
			tmp_dir = v;
		} else if (!strcmp(a, "--comm-hex")) {
			char comm[64];
			unhex(v, comm, sizeof(comm));
			if (prctl(PR_SET_NAME, comm, 0, 0, 0))
				die("prctl(PR_SET_NAME)");
		} else if (!strcmp(a, "--file-name-hex")) {
			unhex(v, file_name, sizeof(file_name));
		} else {
			usage();
		}
	}
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		bool ok = false;
		for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++)
			if (strlen(shapes[k].name) == len &&
			    !memcmp(shapes[k].name, p, len))
				ok = true;
		if (!ok && len)
			usage();
		p += len + (e ? 1 : 0);
	}

	for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++)
		if (listed(list, shapes[k].name))
			shapes[k].make();
	if (hog_mib)
		shape_hog();

	/*
	 * Everything is faulted in: keep khugepaged from collapsing what the
	 * shapes made (it would re-collapse the PTE-mapped half of thp_pte
	 * within seconds). Huge pages already mapped stay as they are.
	 */
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		die("prctl(PR_SET_THP_DISABLE)");
	for (size_t k = 0; k < nregions; k++)
		observe_read_faults(&regions[k]);
	print_json();
	if (stop) {
		raise(SIGSTOP);
		return 0;
	}
	for (;;)
		pause();
}
