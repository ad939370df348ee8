/*
 * spawn.c - benchmark workload: many small processes with many VMAs, for
 * measuring how memtop's cost and size grow with the number of processes
 * and VMAs.
 *
 *   spawn --procs N [--vmas V] [--pages-per-vma P]
 *
 * Forks N children. Each maps V * P pages of private anonymous memory,
 * writes the first page of every P-page chunk (half of the pages with the
 * default P = 2), then makes every other chunk read-only: the mapping
 * becomes V VMAs that cannot merge. The children then sleep. Each one dies
 * with the parent (PR_SET_PDEATHSIG), and the parent kills and reaps them
 * all when it gets SIGTERM, SIGINT or SIGHUP, which it also gets when its
 * own parent dies.
 *
 * Prints "PID ready N" on stdout (PID: the parent) once every child has
 * its VMAs in place, then sleeps until told to stop. Children are named
 * "spawn-child". Defaults: V = 100, P = 2.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static pid_t *g_kids;
static long g_nkids;
static volatile sig_atomic_t g_stop;

static void usage(void)
{
	fputs("usage: spawn --procs N [--vmas V] [--pages-per-vma P]\n", stderr);
	exit(2);
}

static long parse_num(const char *s, long min, long max)
{
	char *e;
	long v;

	errno = 0;
	v = strtol(s, &e, 10);
	if (errno || e == s || *e || v < min || v > max)
		usage();
	return v;
}

static void kill_kids(void)
{
	for (long i = 0; i < g_nkids; i++)
		kill(g_kids[i], SIGKILL);
	for (long i = 0; i < g_nkids; i++)
		while (waitpid(g_kids[i], NULL, 0) < 0 && errno == EINTR)
			;
	g_nkids = 0;
}

static void on_stop(int sig)
{
	g_stop = sig;
}

/* The child: V VMAs of P pages, half of the pages written. Reports one
 * byte ('1' done, '0' failed) on fd. */
static void child(long vmas, long ppv, long page, int fd, pid_t parent)
{
	size_t chunk = (size_t)ppv * (size_t)page;
	size_t len = (size_t)vmas * chunk;
	char ok = '0', *m;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) /* the parent died before prctl */
		_exit(1);
	prctl(PR_SET_NAME, "spawn-child");
	m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED) {
		for (long v = 0; v < vmas; v++)
			m[(size_t)v * chunk] = 1;
		ok = '1';
		for (long v = 1; v < vmas; v += 2)
			if (mprotect(m + (size_t)v * chunk, chunk, PROT_READ))
				ok = '0';
	}
	if (write(fd, &ok, 1) != 1)
		_exit(1);
	close(fd);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	long procs = 0, vmas = 100, ppv = 2;
	long page = sysconf(_SC_PAGESIZE);
	struct sigaction sa;
	sigset_t block, old;
	int fds[2];
	long ready = 0, failed = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--procs") && i + 1 < argc)
			procs = parse_num(argv[++i], 1, 1000000);
		else if (!strcmp(argv[i], "--vmas") && i + 1 < argc)
			vmas = parse_num(argv[++i], 1, 60000);
		else if (!strcmp(argv[i], "--pages-per-vma") && i + 1 < argc)
			ppv = parse_num(argv[++i], 2, 1 << 20);
		else
			usage();
	}
	if (!procs)
		usage();
	g_kids = calloc((size_t)procs, sizeof(*g_kids));
	if (!g_kids || pipe(fds) < 0) {
		perror("spawn");
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* stop signals wait until the children are counted */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	pid_t self = getpid(), parent = getppid();
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		raise(SIGTERM);

	for (long i = 0; i < procs; i++) {
		pid_t p = fork();

		if (p < 0) {
			fprintf(stderr, "spawn: fork %ld of %ld: %s\n", i + 1,
				procs, strerror(errno));
			kill_kids();
			return 1;
		}
		if (p == 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			signal(SIGHUP, SIG_DFL);
			close(fds[0]);
			child(vmas, ppv, page, fds[1], self);
		}
		g_kids[g_nkids++] = p;
	}
	close(fds[1]);
	while (ready + failed < procs) {
		char buf[4096];
		ssize_t r = read(fds[0], buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] == '1')
				ready++;
			else
				failed++;
		}
	}
	close(fds[0]);
	if (ready < procs) {
		fprintf(stderr, "spawn: %ld of %ld children failed\n",
			procs - ready, procs);
		kill_kids();
		return 1;
	}
	printf("%d ready %ld\n", (int)self, ready);
	fflush(stdout);

	while (!g_stop)
		sigsuspend(&old);
	kill_kids();
	return 0;
}
