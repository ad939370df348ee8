/*
 * mthp_fault.c - a region for the mTHP verdicts at fault (t_mthp.sh).
 *
 *   mthp_fault --kb N
 *
 * Maps 16 naturally aligned blocks of N KiB (N a power of two, 16 N below
 * the PMD size, so no PMD-sized slot lies inside) as one private
 * anonymous VMA with MADV_HUGEPAGE, and writes page 1 of blocks 0..7: the
 * first 8 blocks have a page, the last 8 none. Prints
 *   {"pid":P,"start":"0x..","end":"0x..","block_pages":B}
 * and stops itself (SIGSTOP). A second VMA of N KiB, MADV_HUGEPAGE too,
 * starts half a block past a block boundary ("small_start"): no aligned
 * block of N KiB lies inside it. When continued, it writes page 0 of block 0
 * (its block has a page already) and page 0 of block 8 (an empty block),
 * prints {"pid":P,"touched":2} and stops again; continued again, it
 * exits. The caller decides what the kernel may do at those two faults
 * (the size's enabled) and compares with what the kernel did.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long kb = 0;
	if (argc == 3 && !strcmp(argv[1], "--kb"))
		kb = strtoul(argv[2], NULL, 10);
	if (!kb || (kb & (kb - 1)) || kb * 16 >= 2048) {
		fprintf(stderr, "usage: mthp_fault --kb N (a power of two, "
				"16 N below 2048)\n");
		return 2;
	}
	long page = sysconf(_SC_PAGESIZE);
	size_t bsize = kb << 10, len = 16 * bsize;
	if (bsize < 2 * (size_t)page) {
		fprintf(stderr, "mthp_fault: %lu KiB is not above a page\n", kb);
		return 2;
	}
	/* a reservation with room to align; only the region stays mapped */
	size_t rlen = 4 * len;
	char *r = mmap(NULL, rlen, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED) {
		perror("mthp_fault: mmap");
		return 1;
	}
	/* aligned to the region's size, and to an odd multiple of it, so
	 * that no 2 MiB slot lies inside even when 16 N is 1 MiB */
	uintptr_t a = ((uintptr_t)r + len - 1) & ~(uintptr_t)(len - 1);
	if (!(a & len))
		a += len;
	char *p = mmap((void *)a, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED || madvise(p, len, MADV_HUGEPAGE) != 0) {
		perror("mthp_fault: mmap/madvise");
		return 1;
	}
	/* leave guard gaps on both sides so the VMA merges with nothing */
	if ((char *)a - r > page)
		munmap(r, (size_t)((char *)a - r - page));
	/* the small region: half a block in, in its own reservation */
	char *r2 = mmap(NULL, 4 * bsize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
			MAP_NORESERVE, -1, 0);
	if (r2 == MAP_FAILED)
		return perror("mthp_fault: mmap"), 1;
	uintptr_t a2 = (((uintptr_t)r2 + bsize - 1) & ~(uintptr_t)(bsize - 1)) +
		       bsize / 2;
	char *q = mmap((void *)a2, bsize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (q == MAP_FAILED || madvise(q, bsize, MADV_HUGEPAGE) != 0)
		return perror("mthp_fault: small region"), 1;
	size_t b = bsize / (size_t)page;
	for (int i = 0; i < 8; i++)
		p[(i * b + 1) * (size_t)page] = 1;
	printf("{\"pid\":%d,\"start\":\"%#lx\",\"end\":\"%#lx\","
	       "\"block_pages\":%zu,\"small_start\":\"%#lx\"}\n",
	       (int)getpid(), (unsigned long)p, (unsigned long)(p + len), b,
	       (unsigned long)q);
	fflush(stdout);
	raise(SIGSTOP);
	p[0] = 2;
	p[8 * b * (size_t)page] = 2;
	printf("{\"pid\":%d,\"touched\":2}\n", (int)getpid());
	fflush(stdout);
	raise(SIGSTOP);
	return 0;
}
