/*
 * collapse_shapes.c - regions of many kinds for memtop's MADV_COLLAPSE
 * oracle test (tests/t_collapse.sh).
 *
 *   collapse_shapes --seed N [--dir DIR] [--thp-disable] [--why]
 *                   [--tmpfs DIR]
 *
 * Each region lies inside its own PROT_NONE reservation (no merging with
 * a neighbour) and, but for the unaligned shape, starts on a PMD boundary.
 * Which pages of a PMD slot are touched is drawn from the seed, slot by
 * slot: none, one page, half, all but one, or all. The regions:
 *   anon        private anonymous, written
 *   anon_read   private anonymous, only read (a real page or the zero
 *               page, as the kernel does it; the test assumes neither)
 *   anon_split  private anonymous, fully written, collapsed with
 *               MADV_COLLAPSE, then one page mprotect()ed read-only and
 *               back: the PMD mapping split, the VMA whole again
 *   anon_nohuge MADV_NOHUGEPAGE, written
 *   anon_ro     written, then the whole VMA made read-only
 *   anon_empty  nothing touched
 *   anon_dropped written, then every other slot dropped whole with
 *               MADV_DONTNEED (page tables left, no page)
 *   unaligned   private anonymous across no whole PMD slot, written
 *   file_ro     read-only MAP_PRIVATE mapping of a file in DIR, read
 *   memfd       MAP_SHARED memfd, written
 *   memfd_ro    memfd filled with write(), mapped read-only, read
 *   memfd_off   memfd mapped at a file offset of one page: misaligned
 *   shmem       MAP_SHARED|MAP_ANONYMOUS, written
 *   tmpfs       with --tmpfs DIR (a tmpfs mount): MAP_SHARED mapping of
 *               a file there, written
 * No region gets MADV_HUGEPAGE (THP enabled=madvise keeps khugepaged
 * away from them). --thp-disable calls PR_SET_THP_DISABLE first: the
 * kernel must refuse every slot. --why (tests/t_why.sh) adds two more:
 *   anon_hg     private anonymous, 3 slots written (one page, half, all
 *               but one), then MADV_HUGEPAGE: khugepaged may take it
 *   anon_uffd   private anonymous, written, then registered with
 *               userfaultfd (left out when userfaultfd is refused)
 *
 * Then it prints one JSON line {"pid":..,"regions":[{"shape","start",
 * "end"}..]} and stops itself with SIGSTOP; it exits when killed.
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
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define PMD (UINT64_C(2) << 20)
static uint64_t page;
static uint64_t rng;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						     noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;
	va_start(ap, fmt);
	fprintf(stderr, "collapse_shapes: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
	exit(1);
}

static uint64_t next_rand(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * UINT64_C(2685821657736338717);
}

/* A PMD-aligned address with len bytes free, inside a reservation with
 * a PMD of PROT_NONE either side. */
static char *reserve(uint64_t len)
{
	uint64_t total = len + 4 * PMD;
	char *r = mmap(NULL, total, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		die("mmap reservation");
	uint64_t a = ((uint64_t)(uintptr_t)r + 2 * PMD - 1) & ~(PMD - 1);
	return (char *)(uintptr_t)a;
}

/* Pages of one slot to touch: 0 none, 1 one, 2 half, 3 all but one,
 * 4 all. */
static void touch_slot(char *s, int how, bool write, int fd, uint64_t off)
{
	uint64_t n = PMD / page, skip = next_rand() % n;
	uint64_t one = next_rand() % n;
	for (uint64_t i = 0; i < n; i++) {
		bool t = how == 4 || (how == 3 && i != skip) ||
			 (how == 2 && (i + skip) % 2 == 0) ||
			 (how == 1 && i == one);
		if (!t)
			continue;
		if (fd >= 0) {
			char c = 1;
			if (pwrite(fd, &c, 1, (off_t)(off + i * page)) != 1)
				die("pwrite");
		}
		if (write)
			s[i * page] = (char)(i + 1);
		else
			(void)*(volatile char *)(s + i * page);
	}
}

static int pattern(void)
{
	return (int)(next_rand() % 5);
}

struct region {
	const char *shape;
	char *start;
	uint64_t len;
};
static struct region regs[32];
static int nregs;

static void add(const char *shape, char *start, uint64_t len)
{
	regs[nregs++] = (struct region){shape, start, len};
}

static char *anon_at(char *a, uint64_t len, int prot)
{
	char *m = mmap(a, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		       -1, 0);
	if (m == MAP_FAILED)
		die("mmap anon");
	return m;
}

static void fill(char *m, uint64_t slots, bool write, int fd)
{
	for (uint64_t i = 0; i < slots; i++)
		touch_slot(m + i * PMD, pattern(), write, fd, i * PMD);
}

static int new_memfd(uint64_t len)
{
	int fd = memfd_create("collapse_shapes", 0);
	if (fd < 0 || ftruncate(fd, (off_t)len) < 0)
		die("memfd");
	return fd;
}

int main(int argc, char **argv)
{
	const char *dir = "/tmp", *tmpfs = NULL;
	bool disable = false, why = false;
	rng = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			rng = strtoull(argv[++i], NULL, 0) * 2654435761u + 1;
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--thp-disable"))
			disable = true;
		else if (!strcmp(argv[i], "--why"))
			why = true;
		else if (!strcmp(argv[i], "--tmpfs") && i + 1 < argc)
			tmpfs = argv[++i];
		else {
			fprintf(stderr, "usage: collapse_shapes --seed N "
				"[--dir DIR] [--thp-disable] [--why] "
				"[--tmpfs DIR]\n");
			return 2;
		}
	}
	page = (uint64_t)sysconf(_SC_PAGESIZE);
	if (disable && prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		die("PR_SET_THP_DISABLE");
	uint64_t n = 3 + next_rand() % 4; /* slots per region */
	uint64_t len = n * PMD;
	char *m;

	m = anon_at(reserve(len), len, PROT_READ | PROT_WRITE);
	fill(m, n, true, -1);
	add("anon", m, len);

	m = anon_at(reserve(len), len, PROT_READ | PROT_WRITE);
	fill(m, n, false, -1);
	add("anon_read", m, len);

	m = anon_at(reserve(2 * PMD), 2 * PMD, PROT_READ | PROT_WRITE);
	memset(m, 1, 2 * PMD);
	if (!disable && madvise(m, 2 * PMD, MADV_COLLAPSE) && errno != EAGAIN &&
	    errno != ENOMEM && errno != EBUSY)
		die("MADV_COLLAPSE");
	if (mprotect(m + PMD + 5 * page, page, PROT_READ) ||
	    mprotect(m + PMD + 5 * page, page, PROT_READ | PROT_WRITE))
		die("mprotect");
	add("anon_split", m, 2 * PMD);

	m = anon_at(reserve(len), len, PROT_READ | PROT_WRITE);
	if (madvise(m, len, MADV_NOHUGEPAGE))
		die("MADV_NOHUGEPAGE");
	fill(m, n, true, -1);
	add("anon_nohuge", m, len);

	m = anon_at(reserve(len), len, PROT_READ | PROT_WRITE);
	fill(m, n, true, -1);
	if (mprotect(m, len, PROT_READ))
		die("mprotect");
	add("anon_ro", m, len);

	m = anon_at(reserve(len), len, PROT_READ | PROT_WRITE);
	add("anon_empty", m, len);

	m = anon_at(reserve(len), len, PROT_READ | PROT_WRITE);
	fill(m, n, true, -1);
	for (uint64_t i = 0; i < n; i += 2)
		if (madvise(m + i * PMD, PMD, MADV_DONTNEED))
			die("MADV_DONTNEED");
	add("anon_dropped", m, len);

	m = anon_at(reserve(2 * PMD) + PMD / 2, PMD + PMD / 4,
		    PROT_READ | PROT_WRITE);
	memset(m, 1, PMD + PMD / 4);
	add("unaligned", m, PMD + PMD / 4);

	int fd;
	{
		int wfd = open(dir, O_TMPFILE | O_RDWR, 0600);
		if (wfd < 0)
			die("O_TMPFILE in %s", dir);
		for (uint64_t off = 0; off < len; off += page)
			if (pwrite(wfd, "x", 1, (off_t)off) != 1)
				die("pwrite");
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", wfd);
		int rfd = open(proc, O_RDONLY);
		if (rfd < 0)
			die("reopen");
		close(wfd); /* not open for write any more */
		m = mmap(reserve(len), len, PROT_READ, MAP_PRIVATE | MAP_FIXED,
			 rfd, 0);
		if (m == MAP_FAILED)
			die("mmap file");
		close(rfd);
		fill(m, n, false, -1);
		add("file_ro", m, len);
	}

	fd = new_memfd(len);
	m = mmap(reserve(len), len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap memfd");
	fill(m, n, true, -1);
	add("memfd", m, len);
	close(fd);

	fd = new_memfd(len);
	m = mmap(reserve(len), len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap memfd_ro");
	fill(m, n, false, fd);
	add("memfd_ro", m, len);
	close(fd);

	fd = new_memfd(len + page);
	m = mmap(reserve(len), len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, (off_t)page);
	if (m == MAP_FAILED)
		die("mmap memfd_off");
	fill(m, n, true, -1);
	add("memfd_off", m, len);
	close(fd);

	m = mmap(reserve(len), len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (m == MAP_FAILED)
		die("mmap shmem");
	fill(m, n, true, -1);
	add("shmem", m, len);

	if (tmpfs) {
		fd = open(tmpfs, O_TMPFILE | O_RDWR, 0600);
		if (fd < 0 || ftruncate(fd, (off_t)len) < 0)
			die("O_TMPFILE in %s", tmpfs);
		m = mmap(reserve(len), len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, fd, 0);
		if (m == MAP_FAILED)
			die("mmap tmpfs");
		fill(m, n, true, -1);
		add("tmpfs", m, len);
		close(fd);
	}

	if (why) {
		m = anon_at(reserve(3 * PMD), 3 * PMD, PROT_READ | PROT_WRITE);
		touch_slot(m, 1, true, -1, 0);
		touch_slot(m + PMD, 2, true, -1, 0);
		touch_slot(m + 2 * PMD, 3, true, -1, 0);
		if (madvise(m, 3 * PMD, MADV_HUGEPAGE))
			die("MADV_HUGEPAGE");
		add("anon_hg", m, 3 * PMD);

		m = anon_at(reserve(2 * PMD), 2 * PMD, PROT_READ | PROT_WRITE);
		touch_slot(m, 2, true, -1, 0);
		int ufd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
		struct uffdio_api api = {.api = UFFD_API};
		struct uffdio_register reg = {
			.range = {(uint64_t)(uintptr_t)m, 2 * PMD},
			.mode = UFFDIO_REGISTER_MODE_MISSING};
		if (ufd >= 0 && !ioctl(ufd, UFFDIO_API, &api) &&
		    !ioctl(ufd, UFFDIO_REGISTER, &reg))
			add("anon_uffd", m, 2 * PMD); /* ufd stays open */
	}

	printf("{\"pid\":%ld,\"thp_disable\":%s,\"regions\":[", (long)getpid(),
	       disable ? "true" : "false");
	for (int i = 0; i < nregs; i++)
		printf("%s{\"shape\":\"%s\",\"start\":\"%" PRIxPTR
		       "\",\"end\":\"%" PRIxPTR "\"}",
		       i ? "," : "", regs[i].shape, (uintptr_t)regs[i].start,
		       (uintptr_t)(regs[i].start + regs[i].len));
	printf("]}\n");
	if (fflush(stdout))
		die("stdout");
	for (;;)
		raise(SIGSTOP);
}
