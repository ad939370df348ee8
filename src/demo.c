/*
 * demo.c - the --demo workloads. Each child names itself (prctl), does its
 * steps with a pause between them, then holds its memory until killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "memtop/demo.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define MIB (1024UL * 1024UL)
#define STEP_MS 1000

static void nap(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* size bytes aligned to 2 MiB, inside a reservation so neighbouring
 * mappings do not merge with it. */
static char *map_aligned(size_t size)
{
	size_t pmd = 2 * MIB;
	char *r = mmap(NULL, size + pmd, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		_exit(1);
	char *p = (char *)(((uintptr_t)r + pmd - 1) & ~(uintptr_t)(pmd - 1));
	if (p > r)
		munmap(r, (size_t)(p - r));
	munmap(p + size, (size_t)(r + size + pmd - p - size));
	return p;
}

static void touch(char *p, size_t len, long page)
{
	for (size_t i = 0; i < len; i += (size_t)page)
		p[i] = 1;
}

static void hold(void)
{
	for (;;)
		pause();
}

static void demo_thp(long page)
{
	size_t size = 256 * MIB, step = 16 * MIB;
	char *p = map_aligned(size);
	madvise(p, size, MADV_HUGEPAGE);
	for (size_t off = 0; off < size; off += step) {
		touch(p + off, step, page);
		nap(STEP_MS);
	}
	hold();
}

static void demo_collapse(long page)
{
	size_t size = 128 * MIB, step = 8 * MIB;
	char *p = map_aligned(size);
	/* 4K pages first (the default under enabled=madvise), then
	 * collapse them a step at a time */
	touch(p, size, page);
	nap(3 * STEP_MS);
	for (size_t off = 0; off < size; off += step) {
		madvise(p + off, step, MADV_COLLAPSE);
		nap(STEP_MS);
	}
	hold();
}

static void demo_frag(long page)
{
	size_t size = 128 * MIB;
	char *p = map_aligned(size);
	madvise(p, size, MADV_HUGEPAGE);
	for (;;) {
		touch(p, size, page);
		nap(4 * STEP_MS);
		/* punch a hole in every 2 MiB: the PMD mappings split */
		for (size_t off = 0; off < size; off += 2 * MIB)
			madvise(p + off + 64 * 1024, (size_t)page, MADV_DONTNEED);
		nap(4 * STEP_MS);
		madvise(p, size, MADV_DONTNEED);
		nap(2 * STEP_MS);
	}
}

static void demo_file(long page)
{
	char path[] = "/tmp/memtop-demo-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		_exit(1);
	unlink(path);
	size_t size = 64 * MIB;
	char *buf = calloc(1, MIB);
	if (!buf)
		_exit(1);
	for (size_t off = 0; off < size; off += MIB) {
		memset(buf, (int)(off / MIB), MIB);
		if (write(fd, buf, MIB) != (ssize_t)MIB)
			_exit(1);
	}
	free(buf);
	char *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		_exit(1);
	volatile char sink = 0;
	for (size_t off = 0; off < size; off += 8 * MIB) {
		for (size_t i = 0; i < 8 * MIB; i += (size_t)page)
			sink = (char)(sink + p[off + i]);
		nap(STEP_MS);
	}
	hold();
}

static const struct {
	const char *name;
	void (*run)(long page);
} demos[MT_DEMO_PROCS] = {
	{"demo-thp", demo_thp},
	{"demo-collapse", demo_collapse},
	{"demo-frag", demo_frag},
	{"demo-file", demo_file},
};

int mt_demo_start(pid_t *pids, char *err, size_t errlen)
{
	long page = sysconf(_SC_PAGESIZE);
	pid_t parent = getpid();
	for (int i = 0; i < MT_DEMO_PROCS; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			snprintf(err, errlen, "cannot start the demo: %s",
				 strerror(errno));
			mt_demo_stop(pids);
			return -1;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != parent)
				_exit(0);
			prctl(PR_SET_NAME, demos[i].name);
			demos[i].run(page);
			_exit(0);
		}
		pids[i] = pid;
	}
	return 0;
}

void mt_demo_stop(const pid_t *pids)
{
	for (int i = 0; i < MT_DEMO_PROCS; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (int i = 0; i < MT_DEMO_PROCS; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
}
