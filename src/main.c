/*
 * main.c - options and wiring: batch/JSON output, or the scanner thread
 * plus the interactive viewer.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "memtop/atomicfile.h"
#include "memtop/demo.h"
#include "memtop/diff.h"
#include "memtop/model.h"
#include "memtop/output.h"
#include "memtop/collapse.h"
#include "memtop/prometheus.h"
#include "memtop/record.h"
#include "memtop/scan.h"
#include "memtop/scanner.h"
#include "memtop/ui.h"
#include "memtop/util.h"

enum {
	OPT_JSON = 256,
	OPT_OMIT_FILE,
	OPT_OMIT_UNFAULTED,
	OPT_MAX_ORDER,
	OPT_PROC_ROOT,
	OPT_SYS_ROOT,
	OPT_METHOD,
	OPT_NO_PFNS,
	OPT_NO_FOLIOS,
	OPT_SMAPS,
	OPT_KTHREADS,
	OPT_DEMO,
	OPT_NO_CONFIG,
	OPT_CPU_LIMIT,
	OPT_PROMETHEUS,
	OPT_PROMETHEUS_FILE,
	OPT_TOP,
	OPT_COLLAPSE,
	OPT_READ_ONLY,
	OPT_FULL_SCANS,
	OPT_RECORD,
	OPT_RECORD_APPEND,
	OPT_RECORD_MAX,
	OPT_REPLAY,
	OPT_BEGIN,
	OPT_DIFF,
};

static const struct option long_opts[] = {
	{"batch", no_argument, NULL, 'b'},
	{"json", no_argument, NULL, OPT_JSON},
	{"pid", required_argument, NULL, 'p'},
	{"user", required_argument, NULL, 'u'},
	{"iterations", required_argument, NULL, 'n'},
	{"delay", required_argument, NULL, 'd'},
	{"sort", required_argument, NULL, 's'},
	{"reverse", no_argument, NULL, 'r'},
	{"no-color", no_argument, NULL, 'C'},
	{"no-colour", no_argument, NULL, 'C'},
	{"omit-file-backed", no_argument, NULL, OPT_OMIT_FILE},
	{"omit-unfaulted-vmas", no_argument, NULL, OPT_OMIT_UNFAULTED},
	{"max-order", required_argument, NULL, OPT_MAX_ORDER},
	{"proc-root", required_argument, NULL, OPT_PROC_ROOT},
	{"sys-root", required_argument, NULL, OPT_SYS_ROOT},
	{"pagemap-method", required_argument, NULL, OPT_METHOD},
	{"no-pfns", no_argument, NULL, OPT_NO_PFNS},
	{"no-folios", no_argument, NULL, OPT_NO_FOLIOS},
	{"smaps", no_argument, NULL, OPT_SMAPS},
	{"kernel-threads", no_argument, NULL, OPT_KTHREADS},
	{"demo", no_argument, NULL, OPT_DEMO},
	{"no-config", no_argument, NULL, OPT_NO_CONFIG},
	{"cpu-limit", required_argument, NULL, OPT_CPU_LIMIT},
	{"prometheus", no_argument, NULL, OPT_PROMETHEUS},
	{"prometheus-file", required_argument, NULL, OPT_PROMETHEUS_FILE},
	{"top", required_argument, NULL, OPT_TOP},
	{"collapse", required_argument, NULL, OPT_COLLAPSE},
	{"read-only", no_argument, NULL, OPT_READ_ONLY},
	{"full-scans", no_argument, NULL, OPT_FULL_SCANS},
	{"record", required_argument, NULL, OPT_RECORD},
	{"record-append", no_argument, NULL, OPT_RECORD_APPEND},
	{"record-max", required_argument, NULL, OPT_RECORD_MAX},
	{"replay", required_argument, NULL, OPT_REPLAY},
	{"begin", required_argument, NULL, OPT_BEGIN},
	{"diff", required_argument, NULL, OPT_DIFF},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: memtop [options]\n"
"Live page-order histograms of process memory: how much of it is, or could\n"
"be, backed by huge pages. Without -b or --json, opens the viewer.\n"
"\n"
"  -b, --batch              plain text report, then exit (see -n)\n"
"      --json               one JSON document per iteration\n"
"      --prometheus         one scrape in the Prometheus text format\n"
"      --prometheus-file PATH  rewrite PATH atomically after every scan\n"
"                           (node_exporter textfile collector; -d default 15)\n"
"      --top N              per-process Prometheus series for the N largest\n"
"                           processes (default 20; 0: totals only)\n"
"  -p, --pid PID[,PID...]   only these processes\n"
"  -u, --user USER          only this user's processes (name or uid)\n"
"  -n, --iterations N       batch iterations (default 1; 0 = forever)\n"
"  -d, --delay SECONDS      time between scans (default 2, fractions ok)\n"
"  -s, --sort KEY           hist (default), pid, rss, pmd, thp, comm, user,\n"
"                           swap; batch output is descending by KEY\n"
"  -r, --reverse            reverse the order\n"
"  -C, --no-color           no colours in the viewer (also NO_COLOR=1)\n"
"      --omit-file-backed   leave out VMAs backed by files (memfd is not)\n"
"      --omit-unfaulted-vmas  leave out VMAs with no present page\n"
"      --kernel-threads     list kernel threads too\n"
"      --max-order N        histogram orders 0..N (default: the PMD order)\n"
"      --no-pfns            skip the root-only views (as if unprivileged)\n"
"      --no-folios          skip the folio view (kpageflags)\n"
"      --smaps              add smaps figures (THPeligible, hg/nh) per VMA\n"
"      --pagemap-method M   auto (default), scan (PAGEMAP_SCAN) or pread\n"
"      --collapse PID[:START-END]  ask MADV_COLLAPSE for every PMD slot of\n"
"                           PID (or of the hex address range) not PMD-mapped,\n"
"                           one slot at a time; a line per slot (--json: an\n"
"                           array). Needs root, or CAP_SYS_NICE and ptrace\n"
"                           access. Exit 0 all huge, 3 some slot failed\n"
"      --read-only          never act (refuses --collapse and the C key)\n"
"      --demo               start demo workloads and watch them\n"
"      --no-config          neither read nor write the settings file\n"
"      --cpu-limit PCT      scanning may use PCT%% of one core (default 10);\n"
"                           longer scans stretch the interval\n"
"      --full-scans         viewer: read every figure of every process at\n"
"                           every scan (default: PFN and folio figures of\n"
"                           what is on screen first, the rest swept within\n"
"                           the CPU limit; rows with older ones marked ~)\n"
"      --record FILE        also write every scan to FILE (viewer, -b, --json);\n"
"                           a new file, created 0600\n"
"      --record-append      add to FILE if it is a recording already\n"
"      --record-max SIZE    stop recording at SIZE bytes (K, M, G suffixes)\n"
"      --replay FILE        the viewer on a recording (t/T step, space plays);\n"
"                           with -b or --json, print its scans\n"
"      --begin TIME         start the replay at TIME: HH:MM[:SS], #N (the\n"
"                           N-th scan), or +S/-S seconds after the start/\n"
"                           before the end\n"
"      --diff A B           compare two recordings, or two moments of one\n"
"                           (FILE@TIME; default the last scan); --json too\n"
"      --proc-root DIR      read DIR instead of /proc (fixture trees)\n"
"      --sys-root DIR       read DIR instead of /sys\n"
"  -h, --help               this text\n"
"  -V, --version            version\n"
"\n"
"Views: present (pages present, in maximal aligned blocks: what could be\n"
"huge), mappable (also physically contiguous and aligned: needs root) and\n"
"folios (large folios by size, PMD/PTE-mapped: needs root).\n");
}

static int bad_option(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int bad_option(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "memtop: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry 'memtop --help' for more information.\n");
	va_end(ap);
	return 2;
}

/* The option word getopt just read was a long option ("--..."). */
static bool is_long(char **argv)
{
	return optind > 0 && !strncmp(argv[optind - 1], "--", 2);
}

/* The option that lacks its argument, as the user wrote it. */
static const char *optopt_name(char **argv, int opt)
{
	static char shortname[3];
	if (is_long(argv) || opt <= 0 || opt >= 128)
		return argv[optind - 1];
	shortname[0] = '-';
	shortname[1] = (char)opt;
	return shortname;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static int parse_pids(const char *arg, pid_t **pids, size_t *n)
{
	/* digits and single commas: "1,,2", ",1" and "1," are mistakes */
	for (const char *c = arg; *c; c++)
		if (*c == ',' && (c == arg || c[1] == ',' || c[1] == '\0'))
			return -1;
	char *copy = xstrdup(arg), *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;
		errno = 0;
		long v = strtol(tok, &end, 10);
		if (errno || *end || end == tok || v <= 0 || v > INT_MAX) {
			free(copy);
			return -1;
		}
		*pids = xrealloc(*pids, (*n + 1) * sizeof(pid_t));
		(*pids)[(*n)++] = (pid_t)v;
	}
	free(copy);
	if (!*n)
		return -1;
	qsort(*pids, *n, sizeof(pid_t), cmp_pid);
	return 0;
}

static int parse_user(const char *arg, uid_t *uid)
{
	struct passwd *pw = getpwnam(arg);
	if (pw) {
		*uid = pw->pw_uid;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || v > UINT_MAX - 1)
		return -1;
	*uid = (uid_t)v;
	return 0;
}

/* What the command line asked for (parse_args). */
struct cmdline {
	bool batch, json;
	long iterations;
	double delay;
	struct mt_scan_opts scan;
	struct mt_output_opts out;
	const char *proc_root, *sys_root;
	bool no_color, demo, no_config;
	bool prometheus, delay_set, iterations_set;
	const char *prom_file;
	bool collapse, read_only, full_scans;
	struct mt_collapse_req coll;
	unsigned top;
	double cpu_limit;
	pid_t *pids;
	size_t npids;
	const char *record, *replay, *begin, *diff_a, *diff_b;
	bool record_append;
	uint64_t record_max;
	struct mt_recorder *rec; /* --record, open */
};

/* A size in bytes, with an optional K, M, G or T (powers of 1024). */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || !(v >= 0))
		return -1;
	uint64_t mul = 1;
	switch (*end) {
	case 'k': case 'K': mul = UINT64_C(1) << 10; end++; break;
	case 'm': case 'M': mul = UINT64_C(1) << 20; end++; break;
	case 'g': case 'G': mul = UINT64_C(1) << 30; end++; break;
	case 't': case 'T': mul = UINT64_C(1) << 40; end++; break;
	default: break;
	}
	if (*end == 'i' && mul > 1)
		end++;
	if ((*end == 'B' || *end == 'b') && end[1] == '\0')
		end++;
	if (*end || v * (double)mul > 1e18)
		return -1;
	*out = (uint64_t)(v * (double)mul);
	return 0;
}

static int parse_args(int argc, char **argv, struct cmdline *cf)
{
	int c;
	char *end;
	/* getopt's own messages would start with argv[0] ("./memtop:") */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":bp:u:n:d:s:rChV", long_opts,
				NULL)) != -1) {
		switch (c) {
		case 'b': cf->batch = true; break;
		case OPT_JSON: cf->json = true; break;
		case 'p':
			if (parse_pids(optarg, &cf->pids, &cf->npids) < 0)
				return bad_option("invalid pid list '%s'", optarg);
			break;
		case 'u':
			if (parse_user(optarg, &cf->scan.uid) < 0)
				return bad_option("unknown user '%s'", optarg);
			cf->scan.uid_set = true;
			break;
		case 'n':
			errno = 0;
			cf->iterations = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || cf->iterations < 0)
				return bad_option("invalid iteration count '%s'",
						  optarg);
			cf->iterations_set = true;
			break;
		case 'd':
			/* decimal seconds only (strtod would take hex, inf) */
			if (strspn(optarg, "0123456789.") != strlen(optarg))
				return bad_option("invalid delay '%s' (0.01 to "
						  "86400 seconds)", optarg);
			errno = 0;
			cf->delay = strtod(optarg, &end);
			if (errno || *end || end == optarg ||
			    !(cf->delay >= 0.01 && cf->delay <= 86400))
				return bad_option("invalid delay '%s' (0.01 to "
						  "86400 seconds)", optarg);
			cf->delay_set = true;
			break;
		case 's':
			if (mt_sort_key_parse(optarg, &cf->out.sort) < 0)
				return bad_option("unknown sort key '%s' (hist, "
						  "pid, rss, pmd, thp, comm, "
						  "user, swap)", optarg);
			cf->out.sort_set = true;
			break;
		case 'r': cf->out.reverse = true; break;
		case 'C': cf->no_color = true; break;
		case OPT_OMIT_FILE: cf->out.vmas.omit_file_backed = true; break;
		case OPT_OMIT_UNFAULTED: cf->out.vmas.omit_unfaulted = true; break;
		case OPT_KTHREADS: cf->out.show_kthreads = true; break;
		case OPT_DEMO: cf->demo = true; break;
		case OPT_NO_CONFIG: cf->no_config = true; break;
		case OPT_PROMETHEUS: cf->prometheus = true; break;
		case OPT_PROMETHEUS_FILE:
			if (!*optarg)
				return bad_option("%s", "empty --prometheus-file path");
			cf->prom_file = optarg;
			break;
		case OPT_TOP: {
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || *optarg == '-' ||
			    *optarg == '+' || v > 100000)
				return bad_option("invalid --top '%s' (0 to 100000)",
						  optarg);
			cf->top = (unsigned)v;
			break;
		}
		case OPT_CPU_LIMIT:
			errno = 0;
			cf->cpu_limit = strtod(optarg, &end);
			if (errno || *end || end == optarg ||
			    !(cf->cpu_limit >= 1 && cf->cpu_limit <= 100))
				return bad_option("invalid CPU limit '%s' (1 to "
						  "100 percent)", optarg);
			break;
		case OPT_MAX_ORDER: {
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0 ||
			    v > MT_ORDER_LIMIT)
				return bad_option("invalid max order '%s' (0 to "
						  "20)", optarg);
			cf->scan.max_order = (unsigned)v;
			cf->scan.max_order_set = true;
			break;
		}
		case OPT_PROC_ROOT: cf->proc_root = optarg; break;
		case OPT_SYS_ROOT: cf->sys_root = optarg; break;
		case OPT_METHOD:
			if (!strcmp(optarg, "auto"))
				cf->scan.method = MT_PM_AUTO;
			else if (!strcmp(optarg, "scan"))
				cf->scan.method = MT_PM_SCAN;
			else if (!strcmp(optarg, "pread"))
				cf->scan.method = MT_PM_PREAD;
			else
				return bad_option("unknown pagemap method '%s' "
						  "(auto, scan, pread)", optarg);
			break;
		case OPT_NO_PFNS: cf->scan.no_pfns = true; break;
		case OPT_NO_FOLIOS: cf->scan.no_folios = true; break;
		case OPT_SMAPS: cf->scan.smaps_all = true; break;
		case OPT_COLLAPSE:
			if (mt_collapse_parse(optarg, &cf->coll) < 0)
				return bad_option("bad --collapse '%s' (PID or "
						  "PID:START-END, hex)", optarg);
			cf->collapse = true;
			break;
		case OPT_READ_ONLY: cf->read_only = true; break;
		case OPT_FULL_SCANS: cf->full_scans = true; break;
		case OPT_RECORD: cf->record = optarg; break;
		case OPT_RECORD_APPEND: cf->record_append = true; break;
		case OPT_RECORD_MAX:
			if (parse_size(optarg, &cf->record_max) < 0 ||
			    cf->record_max == 0)
				return bad_option("--record-max: not a size: "
						  "'%s'", optarg);
			break;
		case OPT_REPLAY: cf->replay = optarg; break;
		case OPT_BEGIN: cf->begin = optarg; break;
		case OPT_DIFF: cf->diff_a = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("memtop %s\n", MEMTOP_VERSION); exit(0);
		case ':':
			return bad_option("option '%s' requires an argument",
					  optopt_name(argv, optopt));
		default:
			if (optopt && optopt < 128 && isgraph(optopt) &&
			    !is_long(argv))
				return bad_option("invalid option -- '%c'",
						  optopt);
			if (optopt && is_long(argv) &&
			    strchr(argv[optind - 1], '='))
				return bad_option("option '%s' takes no "
						  "argument", argv[optind - 1]);
			return bad_option("unrecognized option '%s'",
					  argv[optind - 1]);
		}
	}
	if (cf->diff_a && optind < argc)
		cf->diff_b = argv[optind++];
	if (optind < argc)
		return bad_option("unexpected argument '%s'", argv[optind]);
	if (cf->diff_a && !cf->diff_b)
		return bad_option("%s", "--diff compares two: --diff A B (a "
				  "recording, or FILE@TIME)");
	if ((cf->record_append || cf->record_max) && !cf->record)
		return bad_option("%s", "--record-append and --record-max go "
				  "with --record FILE");
	if (cf->begin && !cf->replay)
		return bad_option("%s", "--begin goes with --replay FILE");
	if ((cf->replay || cf->diff_a) &&
	    (cf->record || cf->collapse || cf->demo || cf->prometheus ||
	     cf->prom_file || cf->npids || cf->scan.uid_set))
		return bad_option("%s", "--replay and --diff read a recording: "
				  "they do not scan, record, act or filter "
				  "(-p, -u)");
	if (cf->replay && cf->diff_a)
		return bad_option("%s", "--replay and --diff cannot be "
				  "combined");
	if (cf->diff_a && cf->batch)
		return bad_option("%s", "--diff prints text, or JSON with "
				  "--json");
	if (cf->record && cf->collapse)
		return bad_option("%s", "--record records scans; --collapse "
				  "does not scan");
	if (cf->collapse && cf->read_only)
		return bad_option("%s", "--collapse acts on a process, and "
				  "--read-only turns every action off");
	if (cf->collapse && (cf->batch || cf->prometheus || cf->prom_file ||
			     cf->demo))
		return bad_option("%s", "--collapse combines with --json and "
				  "--proc-root only");
	if (cf->batch + cf->json + cf->prometheus + (cf->prom_file != NULL) > 1)
		return bad_option("%s", "-b, --json, --prometheus and "
				  "--prometheus-file cannot be combined");
	if (cf->prom_file && !cf->delay_set)
		cf->delay = 15.0;
	if (cf->prom_file && !cf->iterations_set)
		cf->iterations = 0;
	if (cf->prometheus)
		cf->iterations = 1; /* one scrape: several would not parse */
	cf->scan.pids = cf->pids;
	cf->scan.npids = cf->npids;
	return 0;
}

static void add_pid(struct cmdline *cf, pid_t pid)
{
	cf->pids = xrealloc(cf->pids, (cf->npids + 1) * sizeof(pid_t));
	cf->pids[cf->npids++] = pid;
	qsort(cf->pids, cf->npids, sizeof(pid_t), cmp_pid);
	cf->scan.pids = cf->pids;
	cf->scan.npids = cf->npids;
}

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

/* SIGTERM, SIGINT and SIGHUP end a repeating run between two scans: the
 * report under way is written whole. */
static void stop_between_scans(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void sleep_unless_stopped(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
	while (!stop_signal && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int run_batch_scans(struct cmdline *cf, struct mt_scan_ctx *ctx,
			   bool *told, bool *any);

/* One report of s on stdout, text or JSON as asked; false (said on
 * stderr unless the reader went away) when it cannot be written. */
static bool print_report(const struct cmdline *cf, const struct mt_snapshot *s)
{
	if (cf->json)
		mt_output_json(stdout, s, &cf->out);
	else
		mt_output_text(stdout, s, &cf->out);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno != EPIPE)
			fprintf(stderr, "memtop: write error: %s\n",
				strerror(errno));
		return false;
	}
	return true;
}

/* Whether process pid exists (its directory under the proc root). */
static bool pid_exists(const char *proc_root, pid_t pid)
{
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%d", proc_root ? proc_root : "/proc",
		 (int)pid);
	return stat(path, &st) == 0;
}

/* -p: say once on stderr of each named process that it does not exist;
 * true if any of them is in s or exists (unreadable, say). */
static bool check_pids(const struct cmdline *cf, const struct mt_snapshot *s,
		       bool *told)
{
	bool any = false;
	for (size_t i = 0; i < cf->npids; i++) {
		bool in = false;
		for (size_t k = 0; k < s->nprocs && !in; k++)
			in = s->procs[k].pid == cf->pids[i];
		if (in || pid_exists(cf->proc_root, cf->pids[i])) {
			any = true;
			continue;
		}
		if (!told[i] && (i == 0 || cf->pids[i] != cf->pids[i - 1]))
			fprintf(stderr, "memtop: process %d does not exist "
				"(-p)\n", (int)cf->pids[i]);
		told[i] = true;
	}
	return any;
}

/* --record: the scan as the next frame; a recording that stops says so
 * once on stderr (the run goes on). */
static void record(struct cmdline *cf, const struct mt_snapshot *s)
{
	if (mt_recorder_state(cf->rec) != MT_REC_ON)
		return;
	char err[256];
	if (mt_recorder_write(cf->rec, s, err, sizeof(err)) != MT_REC_ON)
		fprintf(stderr, "memtop: %s: %s\n", cf->record, err);
}

/* --replay with -b or --json: the recorded scans as live output printed
 * them, from --begin, -n of them (default all); a damaged recording
 * gives what comes before the damage, then one line on stderr. */
static int run_replay_batch(struct cmdline *cf)
{
	char err[256];
	struct mt_replay *r = mt_replay_open(cf->replay, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "memtop: %s\n", err);
		return 1;
	}
	long i = 0;
	if (cf->begin) {
		i = mt_replay_moment(r, cf->begin, err, sizeof(err));
		if (i < 0) {
			fprintf(stderr, "memtop: --begin %s\n", err);
			mt_replay_close(r);
			return 2;
		}
	}
	int rc = 0;
	for (long k = 0; !cf->iterations_set || cf->iterations == 0 ||
			 k < cf->iterations;
	     k++, i++) {
		struct mt_snapshot *s = mt_replay_get(r, (size_t)i);
		if (!s)
			break;
		bool ok = print_report(cf, s);
		mt_snapshot_unref(s);
		if (!ok) {
			rc = 1;
			break;
		}
	}
	if (mt_replay_damage(r))
		fprintf(stderr, "memtop: %s: %s\n", cf->replay,
			mt_replay_damage(r));
	mt_replay_close(r);
	return rc;
}

static int run_batch(struct cmdline *cf, struct mt_scan_ctx *ctx)
{
	bool *told = xcalloc(cf->npids + 1, sizeof(bool)), any = false;
	int rc = run_batch_scans(cf, ctx, told, &any);
	free(told);
	/* -p named only processes that do not exist */
	if (!rc && cf->npids && !cf->demo && !any)
		rc = 1;
	return rc;
}

static int run_batch_scans(struct cmdline *cf, struct mt_scan_ctx *ctx,
			   bool *told, bool *any)
{
	if (cf->iterations != 1)
		stop_between_scans();
	for (long i = 0; cf->iterations == 0 || i < cf->iterations; i++) {
		if (i)
			sleep_unless_stopped(cf->delay);
		if (stop_signal)
			break;
		struct mt_snapshot *s = mt_scan(ctx, &cf->scan);
		record(cf, s);
		if (cf->npids && !cf->demo && check_pids(cf, s, told))
			*any = true;
		bool ok = print_report(cf, s);
		mt_snapshot_unref(s);
		if (!ok)
			return 1;
	}
	return 0;
}

struct prom_write {
	const struct mt_snapshot *s;
	unsigned top;
};

static void prom_writer(FILE *f, void *arg)
{
	const struct prom_write *w = arg;
	mt_output_prometheus(f, w->s, w->top);
}

/* --prometheus: one scrape to stdout; --prometheus-file: rewrite the file
 * atomically after every scan until a signal (textfile collector). */
static int run_prometheus(struct cmdline *cf, struct mt_scan_ctx *ctx)
{
	if (cf->prom_file)
		stop_between_scans();
	for (long i = 0; cf->iterations == 0 || i < cf->iterations; i++) {
		if (i)
			sleep_unless_stopped(cf->delay);
		if (stop_signal)
			break;
		struct mt_snapshot *s = mt_scan(ctx, &cf->scan);
		record(cf, s);
		if (!cf->prom_file) {
			mt_output_prometheus(stdout, s, cf->top);
			mt_snapshot_unref(s);
			if (fflush(stdout) == EOF || ferror(stdout)) {
				if (errno != EPIPE)
					fprintf(stderr, "memtop: write error: %s\n",
						strerror(errno));
				return 1;
			}
			continue;
		}
		struct prom_write w = {s, cf->top};
		int r = mt_write_file_atomic(cf->prom_file, prom_writer, &w);
		mt_snapshot_unref(s);
		if (r < 0) {
			fprintf(stderr, "memtop: cannot write %s: %s\n",
				cf->prom_file, strerror(-r));
			if (i == 0)
				return 1; /* a wrong path: say so at once */
		}
	}
	return 0;
}

struct start_requests {
	uint64_t interval_ms;
	double cpu_limit;
};

static void set_start(struct mt_requests *r, void *arg)
{
	const struct start_requests *sr = arg;
	r->interval_ms = sr->interval_ms;
	r->cpu_limit = sr->cpu_limit;
}

#define VIEWER_VMA_DETAILS 20000

/* The viewer's options the command line gives, live or replaying. */
static struct mt_ui_opts ui_opts(const struct cmdline *cf)
{
	return (struct mt_ui_opts){
		.interval_s = cf->delay,
		.no_color = cf->no_color,
		.show_kthreads = cf->out.show_kthreads,
		.omit_file_backed = cf->out.vmas.omit_file_backed,
		.omit_unfaulted = cf->out.vmas.omit_unfaulted,
		.sort = cf->out.sort,
		.sort_set = cf->out.sort_set,
		.no_config = cf->no_config,
		.interval_set = cf->delay_set,
		.read_only = cf->read_only,
	};
}

static int run_viewer(struct cmdline *cf, struct mt_scan_ctx *ctx)
{
	int st = mt_ui_check_terminal();
	if (st)
		return st;
	struct mt_model *m = mt_model_new();
	struct start_requests sr = {
		.interval_ms = (uint64_t)(cf->delay * 1000.0 + 0.5),
		.cpu_limit = cf->cpu_limit / 100.0,
	};
	mt_model_update_requests(m, set_start, &sr);
	struct mt_scan_opts so = cf->scan;
	/* Two snapshots live at once (drawn, and being built): on a big
	 * system keep VMA details for the selected process and the first
	 * VIEWER_VMA_DETAILS VMAs only; process sums are always complete. */
	so.vma_detail_limit = VIEWER_VMA_DETAILS;
	so.cmdline = true; /* the COMMAND column (p) */
	/* what is on screen first, the rest swept within the CPU limit
	 * (--full-scans: every figure from every scan) */
	so.priority = !cf->full_scans;
	struct mt_scanner *sc = mt_scanner_start(m, ctx, &so, cf->rec);
	if (!sc) {
		fprintf(stderr, "memtop: cannot start the scanner thread\n");
		mt_model_free(m);
		return 1;
	}
	struct mt_ui_opts uo = ui_opts(cf);
	uo.select_pid = cf->npids == 1 ? cf->pids[0] : 0;
	/* the demo's own workloads are not the user's -p */
	uo.pids = cf->demo ? NULL : cf->pids;
	uo.npids = cf->demo ? 0 : cf->npids;
	uo.demo = cf->demo;
	uo.proc_root = cf->proc_root;
	int rc = mt_ui_run(m, &uo);
	mt_scanner_stop(sc);
	mt_model_free(m);
	return rc;
}

/* --replay: the viewer on a recording, from --begin (else its last
 * frame). */
static int run_replay_viewer(struct cmdline *cf)
{
	char err[256];
	struct mt_replay *r = mt_replay_open(cf->replay, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "memtop: %s\n", err);
		return 1;
	}
	if (!mt_replay_count(r)) {
		const char *d = mt_replay_damage(r);
		fprintf(stderr, "memtop: %s: %s\n", cf->replay,
			d ? d : "the recording holds no scan");
		mt_replay_close(r);
		return 1;
	}
	long begin = (long)mt_replay_count(r) - 1;
	if (cf->begin) {
		begin = mt_replay_moment(r, cf->begin, err, sizeof(err));
		if (begin < 0) {
			fprintf(stderr, "memtop: --begin %s\n", err);
			mt_replay_close(r);
			return 2;
		}
	}
	struct mt_model *m = mt_model_new();
	struct start_requests sr = {
		.interval_ms = (uint64_t)(cf->delay * 1000.0 + 0.5),
		.cpu_limit = cf->cpu_limit / 100.0,
	};
	mt_model_update_requests(m, set_start, &sr);
	struct mt_scanner *sc = mt_replayer_start(m, r, (size_t)begin);
	if (!sc) {
		fprintf(stderr, "memtop: cannot start the replay thread\n");
		mt_model_free(m);
		mt_replay_close(r);
		return 1;
	}
	struct mt_ui_opts uo = ui_opts(cf);
	uo.interval_set = true; /* the recording's pace, not memtoprc's */
	uo.read_only = true;    /* nothing to act on */
	uo.replay = true;
	uo.host = mt_replay_info(r)->host;
	uo.kernel = mt_replay_info(r)->kernel;
	int rc = mt_ui_run(m, &uo);
	mt_scanner_stop(sc);
	mt_model_free(m);
	const char *d = mt_replay_damage(r);
	if (d)
		fprintf(stderr, "memtop: %s: %s\n", cf->replay, d);
	mt_replay_close(r);
	return rc;
}

int main(int argc, char **argv)
{
	struct cmdline cf = {.iterations = 1, .delay = 2.0, .cpu_limit = 10,
			    .top = MT_PROM_TOP_DEFAULT};
	cf.scan.sparse_guard_bytes = UINT64_C(1) << 30;
	int r = parse_args(argc, argv, &cf);
	if (r)
		return r;
	if (cf.diff_a) {
		r = mt_diff_run(cf.diff_a, cf.diff_b, cf.json, &cf.out, stdout,
				stderr);
		free(cf.pids);
		return r;
	}
	if (cf.replay && (cf.batch || cf.json)) {
		r = run_replay_batch(&cf);
		free(cf.pids);
		return r;
	}
	if (cf.replay) {
		r = mt_ui_check_terminal();
		if (!r)
			r = run_replay_viewer(&cf);
		free(cf.pids);
		return r;
	}
	if (cf.collapse) {
		cf.coll.json = cf.json;
		cf.coll.proc_root = cf.proc_root;
		free(cf.pids);
		return mt_collapse_run(&cf.coll, stdout, stderr);
	}
	/* batch output and the viewer's COLL carry what MADV_COLLAPSE would
	 * collapse */
	cf.scan.collapsible = true;
	char err[256] = "";
	struct mt_scan_ctx *ctx =
		mt_scan_ctx_new(cf.proc_root, cf.sys_root, err, sizeof(err));
	if (!ctx) {
		fprintf(stderr, "memtop: %s\n", err);
		free(cf.pids);
		return 1;
	}
	if (cf.record) {
		cf.rec = mt_recorder_open(cf.record, cf.record_append,
					  cf.record_max, mt_scan_page_size(ctx),
					  mt_scan_pmd_order(ctx), err,
					  sizeof(err));
		if (!cf.rec || mt_recorder_state(cf.rec) != MT_REC_ON) {
			fprintf(stderr, "memtop: %s\n", err);
			mt_recorder_close(cf.rec);
			mt_scan_ctx_free(ctx);
			free(cf.pids);
			return 1;
		}
	}
	pid_t demo[MT_DEMO_PROCS] = {0};
	if (cf.demo) {
		if (mt_demo_start(demo, err, sizeof(err)) < 0) {
			fprintf(stderr, "memtop: %s\n", err);
			mt_scan_ctx_free(ctx);
			free(cf.pids);
			return 1;
		}
		/* watch the workloads (and any -p given too) */
		for (int i = 0; i < MT_DEMO_PROCS; i++)
			add_pid(&cf, demo[i]);
	}
	if (cf.prometheus || cf.prom_file)
		r = run_prometheus(&cf, ctx);
	else if (cf.batch || cf.json)
		r = run_batch(&cf, ctx);
	else
		r = run_viewer(&cf, ctx);
	if (cf.demo)
		mt_demo_stop(demo);
	mt_recorder_close(cf.rec);
	mt_scan_ctx_free(ctx);
	free(cf.pids);
	return r;
}
