/*
 * hog.c - benchmark workload: a process with a known amount of resident
 * anonymous memory for memtop and the floor to scan.
 *
 *   hog --mib N [--thp | --nothp | --mthp] [--holes] [--sparse]
 *       [--reserve-tib T] [--grow]
 *
 * Maps N MiB of private anonymous memory on a 2 MiB aligned address and
 * writes every page of it:
 *   --nothp   (default) MADV_NOHUGEPAGE: N * 256 separate 4 KiB pages
 *   --thp     MADV_HUGEPAGE: PMD-mapped huge pages where the kernel can
 *   --mthp    MADV_HUGEPAGE, but every other MiB is made read-only
 *             first (and left untouched), so that the writable VMAs are
 *             1 MiB long and no PMD fits: large folios of the sizes set
 *             to "madvise" or "always" under hugepages-<size>kB/enabled
 *   --holes   then drop one page in every 2 MiB (MADV_DONTNEED), at an
 *             offset that moves from block to block, splitting huge pages
 *   --sparse  write only every 8th page instead of every page
 *   --reserve-tib T  also reserve T TiB of address space PROT_NONE
 *             (MAP_NORESERVE) and make 16 pages in its middle read-write
 *             and touched: three VMAs, two of them enormous and empty
 *   --grow    also a small VMA of its own: GROW_MIB of 4 KiB pages
 *             (written under MADV_NOHUGEPAGE), then MADV_HUGEPAGE and one
 *             more 2 MiB huge page written every second, so that its
 *             share in huge pages changes at every second
 *
 * Prints "PID ready" on stdout once the memory is in place (with
 * --grow: "PID ready grow ADDR", the small VMA's start in hex), then
 * sleeps until killed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#define MIB (UINT64_C(1) << 20)
#define HUGE_SZ (2 * MIB)
#define RESERVE_RW_PAGES 16
#define GROW_MIB 64
#define GROW_STEPS 300

static void die(const char *what)
{
	fprintf(stderr, "hog: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fputs("usage: hog --mib N [--thp | --nothp | --mthp] [--holes] [--sparse] "
	      "[--reserve-tib T] [--grow]\n", stderr);
	exit(2);
}

static uint64_t parse_num(const char *s)
{
	char *e;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno || e == s || *e)
		usage();
	return v;
}

/* mmap len bytes aligned to align (a power of two). */
static char *map_aligned(uint64_t len, uint64_t align, int prot, int extra)
{
	uint64_t total = len + align;
	char *raw = mmap(NULL, total, prot, MAP_PRIVATE | MAP_ANONYMOUS | extra,
			 -1, 0);
	uintptr_t a;
	uint64_t head, tail;

	if (raw == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1);
	head = a - (uintptr_t)raw;
	tail = total - head - len;
	if (head)
		munmap(raw, head);
	if (tail)
		munmap((char *)a + len, tail);
	return (char *)a;
}

static void reserve(uint64_t tib, long page)
{
	uint64_t len = tib << 40;
	char *r = mmap(NULL, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *mid;

	if (r == MAP_FAILED)
		die("reserve mmap");
	mid = r + (len / 2 & ~(uint64_t)(page - 1));
	if (mprotect(mid, (size_t)RESERVE_RW_PAGES * (size_t)page,
		     PROT_READ | PROT_WRITE))
		die("reserve mprotect");
	for (int i = 0; i < RESERVE_RW_PAGES; i++)
		mid[(size_t)i * (size_t)page] = 1;
}

int main(int argc, char **argv)
{
	uint64_t mib = 0, tib = 0, len;
	int thp = 0, mthp = 0, holes = 0, sparse = 0, have_mib = 0, grow = 0;
	long page = sysconf(_SC_PAGESIZE);
	char *m = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mib") && i + 1 < argc) {
			mib = parse_num(argv[++i]);
			have_mib = 1;
		} else if (!strcmp(argv[i], "--reserve-tib") && i + 1 < argc) {
			tib = parse_num(argv[++i]);
		} else if (!strcmp(argv[i], "--thp")) {
			thp = 1;
		} else if (!strcmp(argv[i], "--nothp")) {
			thp = 0;
			mthp = 0;
		} else if (!strcmp(argv[i], "--mthp")) {
			mthp = 1;
		} else if (!strcmp(argv[i], "--holes")) {
			holes = 1;
		} else if (!strcmp(argv[i], "--sparse")) {
			sparse = 1;
		} else if (!strcmp(argv[i], "--grow")) {
			grow = 1;
		} else {
			usage();
		}
	}
	if (!have_mib && !tib)
		usage();

	len = mib * MIB;
	if (len) {
		uint64_t step = (uint64_t)page * (sparse ? 8 : 1);

		m = map_aligned(len, HUGE_SZ, PROT_READ | PROT_WRITE, 0);
		if (!m)
			die("mmap");
		if (mthp) {
			for (uint64_t off = MIB; off < len; off += 2 * MIB)
				if (mprotect(m + off, MIB, PROT_READ))
					die("mprotect");
		}
		if (madvise(m, len, thp || mthp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
			die("madvise");
		for (uint64_t off = 0; off < len; off += step) {
			if (mthp && (off / MIB) % 2)
				continue; /* the read-only MiB */
			m[off] = (char)(off >> 12 | 1);
		}
		if (holes) {
			uint64_t blocks = len / HUGE_SZ;
			uint64_t per = HUGE_SZ / (uint64_t)page;

			for (uint64_t b = 0; b < blocks; b++) {
				uint64_t pg = (b * 37 + 1) % per;

				if (madvise(m + b * HUGE_SZ + pg * (uint64_t)page,
					    (size_t)page, MADV_DONTNEED))
					die("madvise(MADV_DONTNEED)");
			}
		}
	}
	if (tib)
		reserve(tib, page);

	if (!grow) {
		printf("%d ready\n", (int)getpid());
		fflush(stdout);
		for (;;)
			pause();
	}
	uint64_t glen = GROW_MIB * MIB + GROW_STEPS * HUGE_SZ;
	char *g = map_aligned(glen, HUGE_SZ, PROT_READ | PROT_WRITE, 0);
	if (!g)
		die("mmap (grow)");
	if (madvise(g, glen, MADV_NOHUGEPAGE))
		die("madvise (grow)");
	for (uint64_t off = 0; off < GROW_MIB * MIB; off += (uint64_t)page)
		g[off] = 1;
	if (madvise(g, glen, MADV_HUGEPAGE))
		die("madvise (grow)");
	printf("%d ready grow %lx\n", (int)getpid(), (unsigned long)g);
	fflush(stdout);
	for (uint64_t n = 0;; n = (n + 1) % GROW_STEPS) {
		g[GROW_MIB * MIB + n * HUGE_SZ] = 1;
		sleep(1);
	}
}
