/*
 * why_cases.c - one live region per reason code that needs a mapping
 * of a special kind or a system condition, for tests/t_why_cases.sh.
 *
 *   why_cases vma_type
 *   why_cases shmem
 *   why_cases fallbacks --count FILE [--rate N]
 *   why_cases advised [--holes] [--alone]
 *
 * Every case lays its region out at a PMD-aligned address inside its own
 * PROT_NONE reservation (no neighbour merges with it), prints one JSON
 * line {"pid","case","start","end","slot","slots",...} and stops itself
 * with SIGSTOP. Continued (SIGCONT), it does its second step, prints a
 * second line and stops again (fallbacks: runs until killed):
 *
 *   vma_type  the submission queue entry array of an io_uring (32768
 *             entries of 128 bytes: two PMDs, where the kernel chooses;
 *             "slot" is the first aligned slot inside, "slots" their
 *             number).
 *             The kernel inserts its pages one by one (VmFlags mm:
 *             VM_MIXEDMAP), so they show in pagemap as present. (A
 *             perf_event ring buffer would do as a mapping, but the
 *             kernel maps it VM_PFNMAP and pagemap reports such a VMA
 *             as a hole: memtop would see no page there.) When the
 *             kernel refuses the ring or its mapping, the line says
 *             "refused" and why. Step 2: MADV_COLLAPSE on the slot; the
 *             line gives "collapse_errno" (0 when it collapsed).
 *   shmem     MAP_SHARED|MAP_ANONYMOUS, two slots, every page written, no
 *             madvise. Step 2: MADV_COLLAPSE on the first slot, as above.
 *   fallbacks a private anonymous region ("start".."end", two slots) of
 *             small pages, written under MADV_NOHUGEPAGE and then made
 *             read-only (khugepaged takes no read-only slot). Step 2:
 *             MADV_HUGEPAGE on it, then a loop: map a fresh private
 *             slot with MAP_FIXED ("churn", its old pages and page table
 *             go), advise it MADV_HUGEPAGE, write one byte - a PMD fault
 *             - and sleep 1/N s (--rate, default 50). The number of such
 *             faults is kept in the first 8 bytes of FILE (a shared
 *             mapping; native-endian u64). Put in a memory cgroup whose
 *             limit leaves less than a PMD free, each of those faults
 *             falls back to a small page (thp_fault_fallback_charge).
 *   advised   a private anonymous region of two slots of small pages,
 *             written under MADV_NOHUGEPAGE, then MADV_HUGEPAGE and made
 *             read-only: the slots could be huge and nothing in the
 *             mapping says no. A child process (killed with its parent)
 *             shares every page, so that khugepaged leaves the slots
 *             alone (max_ptes_shared). --holes: the last page of each
 *             slot is left out. --alone: no such child (khugepaged may
 *             then collapse the slots). No step 2.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/io_uring.h>
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
#include <time.h>
#include <unistd.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define PMD (UINT64_C(2) << 20)

static uint64_t page_size;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						      noreturn));
static void fail(const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	fputs("why_cases: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
	exit(1);
}

/* len bytes free at a PMD boundary, with a PMD or more of PROT_NONE
 * before and after. */
static char *aligned_room(uint64_t len)
{
	uint64_t want = len + 4 * PMD;
	char *r = mmap(NULL, want, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		fail("reserving %" PRIu64 " bytes", want);
	uintptr_t a = ((uintptr_t)r + 2 * PMD - 1) & ~(uintptr_t)(PMD - 1);
	return (char *)a;
}

static char *private_anon(char *at, uint64_t len)
{
	char *m = mmap(at, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (m == MAP_FAILED)
		fail("mmap private anonymous");
	return m;
}

/* Write every page, or with holes every page but the last of each
 * PMD slot. */
static bool holes;
/* advised: no child sharing the pages (khugepaged may collapse them) */
static bool alone;

static void write_pages(char *m, uint64_t len)
{
	for (uint64_t o = 0; o < len; o += page_size)
		if (!holes || (o + page_size) % PMD)
			m[o] = 1;
}

/* Small pages only: written under MADV_NOHUGEPAGE (whatever the enabled
 * mode), then advised MADV_HUGEPAGE or not, then read-only. */
static char *small_pages(uint64_t slots, bool advise)
{
	uint64_t len = slots * PMD;
	char *m = private_anon(aligned_room(len), len);
	if (madvise(m, len, MADV_NOHUGEPAGE))
		fail("MADV_NOHUGEPAGE");
	write_pages(m, len);
	if (advise && madvise(m, len, MADV_HUGEPAGE))
		fail("MADV_HUGEPAGE");
	if (mprotect(m, len, PROT_READ))
		fail("mprotect read-only");
	return m;
}

static void stop_here(void)
{
	if (fflush(stdout))
		fail("stdout");
	raise(SIGSTOP);
}

static void line_start(const char *which)
{
	printf("{\"pid\":%ld,\"case\":\"%s\"", (long)getpid(), which);
}

static void line_region(const char *start, uint64_t len, const char *slot,
			uint64_t slots)
{
	printf(",\"start\":\"%" PRIxPTR "\",\"end\":\"%" PRIxPTR
	       "\",\"slot\":\"%" PRIxPTR "\",\"slots\":%" PRIu64,
	       (uintptr_t)start, (uintptr_t)(start + len), (uintptr_t)slot,
	       slots);
}

static void refused(const char *which, const char *what, int e)
{
	line_start(which);
	printf(",\"refused\":\"%s: %s\"}\n", what, strerror(e));
	for (;;)
		stop_here();
}

/* Step 2 of vma_type and shmem: ask MADV_COLLAPSE for one slot. */
static void collapse_step(const char *which, char *slot)
{
	int e = madvise(slot, PMD, MADV_COLLAPSE) ? errno : 0;
	line_start(which);
	printf(",\"collapse_errno\":%d,\"collapse_error\":\"%s\"}\n", e,
	       e ? strerror(e) : "");
	for (;;)
		stop_here();
}

static void case_vma_type(void)
{
	/* 32768 entries of 128 bytes (IORING_SETUP_SQE128): an SQE array
	 * of two PMDs, so that a whole aligned slot lies inside wherever
	 * the kernel puts it (it takes no address from the caller) */
	struct io_uring_params par;
	memset(&par, 0, sizeof(par));
	par.flags = IORING_SETUP_SQE128;
	uint64_t len = 2 * PMD;
	int fd = (int)syscall(SYS_io_uring_setup, 32768u, &par);
	if (fd < 0)
		refused("vma_type", "io_uring_setup", errno);
	if ((uint64_t)par.sq_entries * 128 != len) {
		errno = EINVAL;
		refused("vma_type", "io_uring SQE array of another size", errno);
	}
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, fd, (off_t)IORING_OFF_SQES);
	if (m == MAP_FAILED)
		refused("vma_type", "mmap of the io_uring SQE array", errno);
	uintptr_t a = ((uintptr_t)m + PMD - 1) & ~(uintptr_t)(PMD - 1);
	char *slot = (char *)a;
	uint64_t slots = (uint64_t)((uintptr_t)m + len - a) / PMD;
	/* the kernel maps the array's pages at mmap time; touch one in
	 * the slot all the same */
	slot[page_size] = 0;
	line_start("vma_type");
	line_region(m, len, slot, slots);
	printf("}\n");
	stop_here();
	collapse_step("vma_type", slot);
}

static void case_shmem(void)
{
	uint64_t len = 2 * PMD;
	char *m = mmap(aligned_room(len), len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (m == MAP_FAILED)
		fail("mmap shared anonymous");
	write_pages(m, len);
	line_start("shmem");
	line_region(m, len, m, 2);
	printf("}\n");
	stop_here();
	collapse_step("shmem", m);
}

static void case_fallbacks(const char *count_path, unsigned rate)
{
	int cfd = open(count_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
		       0644);
	if (cfd < 0 || ftruncate(cfd, (off_t)page_size))
		fail("count file %s", count_path);
	volatile uint64_t *count = mmap(NULL, page_size,
					PROT_READ | PROT_WRITE, MAP_SHARED,
					cfd, 0);
	if (count == MAP_FAILED)
		fail("mmap count file");
	close(cfd);
	*count = 0;
	char *kept = small_pages(2, false);
	char *churn = aligned_room(PMD);
	line_start("fallbacks");
	line_region(kept, 2 * PMD, kept, 2);
	printf(",\"churn\":\"%" PRIxPTR "\"}\n", (uintptr_t)churn);
	/* stopped here, the test puts the process in its memory cgroup:
	 * what follows is charged there */
	stop_here();
	if (madvise(kept, 2 * PMD, MADV_HUGEPAGE))
		fail("MADV_HUGEPAGE");
	struct timespec pause = {0, (long)(1000000000L / (rate ? rate : 1))};
	for (uint64_t i = 0;; i++) {
		char *c = private_anon(churn, PMD);
		if (madvise(c, PMD, MADV_HUGEPAGE))
			fail("MADV_HUGEPAGE");
		c[0] = 1;
		*count = i + 1;
		if (i == 0) {
			line_start("fallbacks");
			printf(",\"running\":true}\n");
			if (fflush(stdout))
				fail("stdout");
		}
		nanosleep(&pause, NULL);
	}
}

static void case_advised(void)
{
	char *m = small_pages(2, true);
	/* a child shares every page (copy on write): khugepaged leaves a
	 * slot with more shared pages than max_ptes_shared alone, so the
	 * slots stay small pages while they are looked at (a read-only VMA
	 * is no bar to it on 6.18) */
	pid_t parent = getpid();
	pid_t child = alone ? 1 : fork();
	if (child < 0)
		fail("fork");
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		for (;;)
			pause();
	}
	line_start("advised");
	line_region(m, 2 * PMD, m, 2);
	printf(",\"holes\":%s}\n", holes ? "true" : "false");
	for (;;)
		stop_here();
}

int main(int argc, char **argv)
{
	page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	const char *which = argc > 1 ? argv[1] : "";
	const char *count_path = NULL;
	unsigned rate = 50;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count_path = argv[++i];
		else if (!strcmp(argv[i], "--holes"))
			holes = true;
		else if (!strcmp(argv[i], "--alone"))
			alone = true;
		else if (!strcmp(argv[i], "--rate") && i + 1 < argc)
			rate = (unsigned)strtoul(argv[++i], NULL, 10);
		else
			which = "";
	}
	if (!strcmp(which, "vma_type"))
		case_vma_type();
	else if (!strcmp(which, "shmem"))
		case_shmem();
	else if (!strcmp(which, "fallbacks") && count_path)
		case_fallbacks(count_path, rate);
	else if (!strcmp(which, "advised"))
		case_advised();
	fprintf(stderr, "usage: why_cases vma_type | shmem | advised [--holes] [--alone] | "
		"fallbacks --count FILE [--rate N]\n");
	return 2;
}
