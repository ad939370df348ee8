/*
 * test_parse.c - parsers of /proc and /sys text (parse.h).
 *
 * Every parser gets buffers allocated to their exact length, so a read
 * past the end is caught by the address sanitizer build. Truncated input is
 * tried at every prefix length.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "memtop/parse.h"
#include "memtop/util.h"

/* An exactly sized heap copy of s[0..n). */
static char *dup_exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	assert_non_null(p);
	if (n)
		memcpy(p, s, n);
	return p;
}

static int parse_maps(const char *line, struct mt_maps_entry *e)
{
	size_t n = strlen(line);
	char *b = dup_exact(line, n);
	int r;

	memset(e, 0xa5, sizeof(*e));
	r = mt_parse_maps_line(b, n, e);
	if (r == 0) {
		/* the path must lie inside the line */
		if (e->path_len) {
			assert_true(e->path >= b);
			assert_true(e->path + e->path_len <= b + n);
			/* make it point at the caller's copy before freeing */
			e->path = line + (e->path - b);
		}
	}
	free(b);
	return r;
}

/* Parses a line that must be accepted. */
static void must_parse(const char *line, struct mt_maps_entry *e)
{
	if (parse_maps(line, e) != 0)
		fail_msg("rejected a valid maps line: \"%s\"", line);
}

static void assert_path(const struct mt_maps_entry *e, const char *want)
{
	size_t n = strlen(want);

	if (e->path_len != n || (n && memcmp(e->path, want, n) != 0))
		fail_msg("path is \"%.*s\" (%zu bytes), want \"%s\" (%zu)",
			 (int)(e->path_len < 300 ? e->path_len : 300),
			 e->path_len ? e->path : "", e->path_len, want, n);
}

/* ------------------------------------------------------------------ */
/* maps lines                                                          */

static void test_maps_normal(void **state)
{
	(void)state;
	struct mt_maps_entry e;
	const char *l;

	l = "55d0c0a00000-55d0c0a02000 r--p 00000000 08:01 1835053"
	    "                    /usr/bin/cat";
	must_parse(l, &e);
	assert_int_equal(e.start, UINT64_C(0x55d0c0a00000));
	assert_int_equal(e.end, UINT64_C(0x55d0c0a02000));
	assert_string_equal(e.perms, "r--p");
	assert_int_equal(e.offset, 0);
	assert_int_equal(e.dev_major, 8);
	assert_int_equal(e.dev_minor, 1);
	assert_int_equal(e.inode, 1835053);
	assert_path(&e, "/usr/bin/cat");

	/* 32-bit style short addresses, offset and NVMe device 259:5 */
	l = "00400000-0040b000 r-xp 1a2b3c4d5e 103:05 12345678901234 "
	    "/opt/x/lib.so";
	must_parse(l, &e);
	assert_int_equal(e.start, 0x400000);
	assert_int_equal(e.end, 0x40b000);
	assert_string_equal(e.perms, "r-xp");
	assert_int_equal(e.offset, UINT64_C(0x1a2b3c4d5e));
	assert_int_equal(e.dev_major, 0x103);
	assert_int_equal(e.dev_minor, 5);
	assert_int_equal(e.inode, UINT64_C(12345678901234));
	assert_path(&e, "/opt/x/lib.so");

	/* anonymous: the kernel ends the line with one space */
	l = "7f1c2c000000-7f1c2c021000 rw-p 00000000 00:00 0 ";
	must_parse(l, &e);
	assert_int_equal(e.start, UINT64_C(0x7f1c2c000000));
	assert_int_equal(e.end, UINT64_C(0x7f1c2c021000));
	assert_string_equal(e.perms, "rw-p");
	assert_int_equal(e.inode, 0);
	assert_int_equal(e.path_len, 0);
	/* and without the space */
	l = "7f1c2c000000-7f1c2c021000 ---p 00000000 00:00 0";
	must_parse(l, &e);
	assert_string_equal(e.perms, "---p");
	assert_int_equal(e.path_len, 0);
	/* padded, no name (as some kernels print) */
	l = "7f1c2c000000-7f1c2c021000 rw-p 00000000 00:00 0"
	    "                          ";
	must_parse(l, &e);
	assert_int_equal(e.path_len, 0);

	/* 64-bit kernel-range address */
	l = "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
	    "                  [vsyscall]";
	must_parse(l, &e);
	assert_int_equal(e.start, UINT64_C(0xffffffffff600000));
	assert_int_equal(e.end, UINT64_C(0xffffffffff601000));
	assert_string_equal(e.perms, "--xp");
	assert_path(&e, "[vsyscall]");
}

struct named_line {
	const char *line;
	const char *perms;
	const char *path;
};

static void test_maps_names(void **state)
{
	(void)state;
	static const struct named_line cases[] = {
		{ "7ffd1c6e0000-7ffd1c701000 rw-p 00000000 00:00 0"
		  "                          [stack]",
		  "rw-p", "[stack]" },
		{ "5581a3f4e000-5581a3f6f000 rw-p 00000000 00:00 0"
		  "                          [heap]",
		  "rw-p", "[heap]" },
		{ "7ffd1c7d4000-7ffd1c7d6000 r-xp 00000000 00:00 0"
		  "                          [vdso]",
		  "r-xp", "[vdso]" },
		{ "7ffd1c7d0000-7ffd1c7d4000 r--p 00000000 00:00 0"
		  "                          [vvar]",
		  "r--p", "[vvar]" },
		{ "7f0000000000-7f0000200000 rw-p 00000000 00:00 0"
		  "                          [anon:name with spaces]",
		  "rw-p", "[anon:name with spaces]" },
		{ "7f0000000000-7f0000200000 rw-s 00000000 00:01 4096"
		  "                       [anon_shmem:x]",
		  "rw-s", "[anon_shmem:x]" },
		{ "7f5a1c000000-7f5a1c200000 rw-s 00000000 00:01 2052"
		  "                       /memfd:foo (deleted)",
		  "rw-s", "/memfd:foo (deleted)" },
		{ "7f5a1c000000-7f5a1c200000 rw-s 00000000 00:01 32768"
		  "                      /SYSV00000000 (deleted)",
		  "rw-s", "/SYSV00000000 (deleted)" },
		{ "7f5a1c000000-7f5a1c200000 rw-s 00000000 00:01 1027"
		  "                       /dev/zero (deleted)",
		  "rw-s", "/dev/zero (deleted)" },
		{ "7f5a1c000000-7f5a1c001000 r--p 00000000 fd:01 99"
		  "                         /tmp/old file (deleted)",
		  "r--p", "/tmp/old file (deleted)" },
		{ "7f5a1c000000-7f5a1c001000 r--p 00000000 fd:01 99"
		  "                         /home/u/my dir/a  b c",
		  "r--p", "/home/u/my dir/a  b c" },
		/* a newline in a file name is printed as \012 */
		{ "7f5a1c000000-7f5a1c001000 r--p 00001000 fd:01 99"
		  "                         /tmp/new\\012line",
		  "r--p", "/tmp/new\\012line" },
		{ "7f5a1c000000-7f5a1c001000 r--p 00001000 fd:01 99"
		  "                         /tmp/[x] (deleted) y",
		  "r--p", "/tmp/[x] (deleted) y" },
		/* UTF-8 and control bytes pass through untouched */
		{ "7f5a1c000000-7f5a1c001000 r--p 00001000 fd:01 99"
		  "                         /tmp/\xc3\xa9t\xc3\xa9\x1b[31m",
		  "r--p", "/tmp/\xc3\xa9t\xc3\xa9\x1b[31m" },
		{ "7f5a1c000000-7f5a1c001000 r--p 00000000 00:05 17"
		  "                         anon_inode:[perf_event]",
		  "r--p", "anon_inode:[perf_event]" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mt_maps_entry e;

		if (parse_maps(cases[i].line, &e) != 0)
			fail_msg("rejected: %s", cases[i].line);
		assert_string_equal(e.perms, cases[i].perms);
		assert_path(&e, cases[i].path);
	}
}

/* Inode numbers use all 64 bits (overlayfs with xino puts a layer number
 * in the high bits), so 20-digit inodes occur. */
static void test_maps_big_inode(void **state)
{
	(void)state;
	struct mt_maps_entry e;
	const char *l;

	l = "7f5a1c000000-7f5a1c001000 r--p 00000000 00:2f "
	    "18446744073709551615                       /usr/bin/x";
	must_parse(l, &e);
	assert_int_equal(e.inode, UINT64_MAX);
	assert_path(&e, "/usr/bin/x");
	l = "7f5a1c000000-7f5a1c001000 r--p 00000000 00:2f "
	    "13835058055282163713                       /usr/bin/x";
	must_parse(l, &e);
	assert_int_equal(e.inode, UINT64_C(13835058055282163713));
	/* one more than 2^64 - 1 does not fit */
	l = "7f5a1c000000-7f5a1c001000 r--p 00000000 00:2f "
	    "18446744073709551616                       /usr/bin/x";
	assert_int_equal(parse_maps(l, &e), -1);
}

/* A file whose name ends in spaces keeps them: "/tmp/trail  " is not
 * "/tmp/trail". */
static void test_maps_trailing_space_name(void **state)
{
	(void)state;
	struct mt_maps_entry e;

	assert_int_equal(parse_maps("7f5a1c000000-7f5a1c001000 r--p 00000000 "
				    "fd:01 99                         "
				    "/tmp/trail  ",
				    &e),
			 0);
	assert_path(&e, "/tmp/trail  ");
}

static void test_maps_long_line(void **state)
{
	(void)state;
	const char *hdr = "7f5a1c000000-7f5a1c001000 r--p 00000000 fd:01 99"
			  "                         ";
	size_t hl = strlen(hdr), pl = 100 * 1024, n = hl + pl;
	char *b = malloc(n);
	struct mt_maps_entry e;

	assert_non_null(b);
	memcpy(b, hdr, hl);
	b[hl] = '/';
	for (size_t i = 1; i < pl; i++)
		b[hl + i] = (i % 64 == 0) ? '/' : (char)('a' + i % 26);
	assert_int_equal(mt_parse_maps_line(b, n, &e), 0);
	assert_int_equal(e.start, UINT64_C(0x7f5a1c000000));
	assert_int_equal(e.path_len, pl);
	assert_ptr_equal(e.path, b + hl);
	free(b);

	/* a long run of spaces before the name */
	n = 64 + 50000 + 4;
	b = malloc(n);
	assert_non_null(b);
	memset(b, ' ', n);
	memcpy(b, "1000-2000 rw-p 00000000 00:00 0", 31);
	memcpy(b + n - 4, "/abc", 4);
	assert_int_equal(mt_parse_maps_line(b, n, &e), 0);
	assert_int_equal(e.start, 0x1000);
	assert_int_equal(e.end, 0x2000);
	assert_int_equal(e.path_len, 4);
	assert_memory_equal(e.path, "/abc", 4);
	free(b);
}

/* Every prefix of a valid line parses or is rejected; nothing is read past
 * the prefix. Prefixes without complete perms must be rejected, and a
 * prefix that parses gives the fields of the full line. */
static void test_maps_truncated(void **state)
{
	(void)state;
	static const char *lines[] = {
		"55d0c0a00000-55d0c0a02000 r--p 00000000 08:01 1835053"
		"                    /usr/bin/cat",
		"7f1c2c000000-7f1c2c021000 rw-p 00000000 00:00 0 ",
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
		"                  [vsyscall]",
		"7f0000000000-7f0000200000 rw-p 00000000 00:00 0"
		"                          [anon:name with spaces]",
		"00400000-0040b000 r-xp 1a2b3c4d5e 103:05 12345678901234 "
		"/opt/x/lib.so (deleted)",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		size_t full = strlen(lines[i]);
		const char *sp1 = strchr(lines[i], ' ');
		size_t perms_end = (size_t)(sp1 - lines[i]) + 5;
		struct mt_maps_entry ref;

		assert_int_equal(parse_maps(lines[i], &ref), 0);
		for (size_t n = 0; n <= full; n++) {
			char *b = dup_exact(lines[i], n);
			struct mt_maps_entry e;
			int r = mt_parse_maps_line(b, n, &e);

			if (r != 0 && r != -1)
				fail_msg("prefix %zu of line %zu: returned %d",
					 n, i, r);
			if (r == 0 && n < perms_end)
				fail_msg("prefix %zu of line %zu accepted "
					 "without perms: \"%.*s\"", n, i,
					 (int)n, lines[i]);
			if (r == 0) {
				assert_int_equal(e.start, ref.start);
				assert_int_equal(e.end, ref.end);
				assert_string_equal(e.perms, ref.perms);
				assert_true(e.path_len <= ref.path_len);
				if (e.path_len) {
					assert_true(e.path >= b &&
						    e.path + e.path_len <=
							    b + n);
					assert_memory_equal(e.path, ref.path,
							    e.path_len);
				}
			}
			free(b);
		}
	}
}

static void test_maps_garbage(void **state)
{
	(void)state;
	static const char *bad[] = {
		"",
		" ",
		"hello world",
		"-",
		"1000-",
		"1000-2000",
		"1000-2000 ",
		"1000-2000 rw-p",
		"1000-2000 rw-p ",
		"-2000 rw-p 00000000 00:00 0",
		"1000- rw-p 00000000 00:00 0",
		"g000-2000 rw-p 00000000 00:00 0",
		"1000 2000 rw-p 00000000 00:00 0",
		"1000_2000 rw-p 00000000 00:00 0",
		"1000-2000 rw 00000000 00:00 0",
		"1000-2000 rw-p0 00000000 00:00 0",
		"1000-2000 rw-p 0000000z 00:00 0",
		"1000-2000 rw-p 00000000 0000 0",
		"1000-2000 rw-p 00000000 00:00",
		"1000-2000 rw-p 00000000 00:00 x",
		"1000-2000 rw-p 00000000 00:00 12abc",
		"1000-2000 rw-p 00000000 00:00 12/lib/x",
		/* a VMA cannot end before it starts */
		"2000-1000 rw-p 00000000 00:00 0",
		"1000-2000 rw-p 00000000 :00 0",
		"1000-2000 rw-p 00000000 00: 0",
		"1000-2000 rw-p zz 00:00 0",
		/* 17 hex digits do not fit in 64 bits */
		"10000000000000000-10000000000000001 rw-p 00000000 00:00 0",
		"\xff\xfe\x00\x01",
		"Rss:                 120 kB",
		"VmFlags: rd wr mr mw me ac sd",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = bad[i][0] == '\xff' ? 4 : strlen(bad[i]);
		char *b = dup_exact(bad[i], n);
		struct mt_maps_entry e;

		if (mt_parse_maps_line(b, n, &e) != -1)
			fail_msg("accepted garbage line %zu: \"%s\"", i,
				 bad[i]);
		free(b);
	}
}

/* ------------------------------------------------------------------ */
/* classification                                                      */

static enum mt_vma_kind classify(const char *path, const char *perms)
{
	size_t n = strlen(path);
	char *b = dup_exact(path, n);
	char p[5];
	enum mt_vma_kind k;

	memcpy(p, perms, 5);
	k = mt_classify_vma(n ? b : NULL, n, p);
	free(b);
	return k;
}

static void test_classify(void **state)
{
	(void)state;
	static const struct {
		const char *path, *perms;
		enum mt_vma_kind kind;
	} cases[] = {
		{ "", "rw-p", MT_KIND_ANON },
		{ "", "---p", MT_KIND_ANON },
		{ "[anon:name with spaces]", "rw-p", MT_KIND_ANON },
		{ "[anon:x]", "r--p", MT_KIND_ANON },
		{ "[heap]", "rw-p", MT_KIND_HEAP },
		{ "[stack]", "rw-p", MT_KIND_STACK },
		{ "/usr/lib/x86_64-linux-gnu/libc.so.6", "r-xp",
		  MT_KIND_FILE },
		{ "/usr/lib/x86_64-linux-gnu/libc.so.6", "rw-p",
		  MT_KIND_FILE },
		{ "/tmp/old file (deleted)", "rw-p", MT_KIND_FILE },
		{ "/home/u/data.bin", "rw-s", MT_KIND_FILE },
		{ "/tmp/new\\012line", "r--p", MT_KIND_FILE },
		{ "/memfd:foo (deleted)", "rw-s", MT_KIND_MEMFD },
		{ "/memfd:foo (deleted)", "rw-p", MT_KIND_MEMFD },
		{ "/memfd:name with spaces (deleted)", "r--s",
		  MT_KIND_MEMFD },
		{ "/memfd:foo", "rw-s", MT_KIND_MEMFD },
		{ "/dev/zero (deleted)", "rw-s", MT_KIND_SHMEM },
		{ "/SYSV00000000 (deleted)", "rw-s", MT_KIND_SHMEM },
		{ "/SYSV0001e240 (deleted)", "r--s", MT_KIND_SHMEM },
		{ "[anon_shmem:x]", "rw-s", MT_KIND_SHMEM },
		{ "[anon_shmem:name with spaces]", "rw-s", MT_KIND_SHMEM },
		{ "[vdso]", "r-xp", MT_KIND_SPECIAL },
		{ "[vvar]", "r--p", MT_KIND_SPECIAL },
		{ "[vsyscall]", "--xp", MT_KIND_SPECIAL },
		{ "[vvar_vclock]", "r--p", MT_KIND_SPECIAL },
		{ "[uprobes]", "r-xp", MT_KIND_SPECIAL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum mt_vma_kind k = classify(cases[i].path, cases[i].perms);

		if (k != cases[i].kind)
			fail_msg("\"%s\" %s: kind %d (%s), want %d (%s)",
				 cases[i].path, cases[i].perms, (int)k,
				 mt_kind_name(k), (int)cases[i].kind,
				 mt_kind_name(cases[i].kind));
	}
	/* a memfd is not a file, even though its name starts with '/' */
	assert_int_not_equal(classify("/memfd:foo (deleted)", "rw-s"),
			     MT_KIND_FILE);
}

/* Classification of the path a maps line parses into. */
static void test_classify_from_line(void **state)
{
	(void)state;
	struct mt_maps_entry e;

	assert_int_equal(parse_maps("7f5a1c000000-7f5a1c200000 rw-s 00000000 "
				    "00:01 1027                       "
				    "/dev/zero (deleted)",
				    &e),
			 0);
	assert_int_equal(mt_classify_vma(e.path, e.path_len, e.perms),
			 MT_KIND_SHMEM);
	assert_int_equal(parse_maps("7f1c2c000000-7f1c2c021000 rw-p 00000000 "
				    "00:00 0 ",
				    &e),
			 0);
	assert_int_equal(mt_classify_vma(e.path, e.path_len, e.perms),
			 MT_KIND_ANON);
	assert_int_equal(parse_maps("7f5a1c000000-7f5a1c200000 rw-s 00000000 "
				    "00:01 2052                       "
				    "/memfd:foo (deleted)",
				    &e),
			 0);
	assert_int_equal(mt_classify_vma(e.path, e.path_len, e.perms),
			 MT_KIND_MEMFD);
}

static void test_kind_names(void **state)
{
	(void)state;
	for (int i = 0; i < MT_KIND_COUNT; i++) {
		const char *a = mt_kind_name((enum mt_vma_kind)i);

		assert_non_null(a);
		assert_true(strlen(a) > 0);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(
				a, mt_kind_name((enum mt_vma_kind)j));
	}
}

/* ------------------------------------------------------------------ */
/* status                                                              */

static const char status_user[] =
	"Name:\ta\\nb\n"
	"Umask:\t0022\n"
	"State:\tS (sleeping)\n"
	"Tgid:\t4321\n"
	"Ngid:\t0\n"
	"Pid:\t4321\n"
	"PPid:\t1017\n"
	"TracerPid:\t0\n"
	"Uid:\t1000\t1001\t1002\t1003\n"
	"Gid:\t100\t100\t100\t100\n"
	"FDSize:\t64\n"
	"Groups:\t4 24 27 \n"
	"NStgid:\t4321\n"
	"NSpid:\t4321\n"
	"NSpgid:\t4321\n"
	"NSsid:\t1017\n"
	"Kthread:\t0\n"
	"VmPeak:\t   10240 kB\n"
	"VmSize:\t    9216 kB\n"
	"VmLck:\t       0 kB\n"
	"VmPin:\t       0 kB\n"
	"VmHWM:\t    2048 kB\n"
	"VmRSS:\t    1960 kB\n"
	"RssAnon:\t     200 kB\n"
	"RssFile:\t    1760 kB\n"
	"RssShmem:\t       0 kB\n"
	"VmData:\t     360 kB\n"
	"VmStk:\t     132 kB\n"
	"VmExe:\t      20 kB\n"
	"VmLib:\t    1700 kB\n"
	"VmPTE:\t      52 kB\n"
	"VmSwap:\t       0 kB\n"
	"HugetlbPages:\t       0 kB\n"
	"CoreDumping:\t0\n"
	"THP_enabled:\t1\n"
	"untag_mask:\t0xffffffffffffffff\n"
	"Threads:\t1\n"
	"SigQ:\t0/62987\n"
	"voluntary_ctxt_switches:\t1\n"
	"nonvoluntary_ctxt_switches:\t0\n";

static int parse_status(const char *text, size_t n, struct mt_status *st)
{
	char *b = dup_exact(text, n);
	int r;

	memset(st, 0xa5, sizeof(*st));
	r = mt_parse_status(b, n, st);
	free(b);
	return r;
}

static void assert_name(const struct mt_status *st, const char *want)
{
	size_t n = strlen(want);

	if (st->name_len != n || memcmp(st->name, want, n) != 0)
		fail_msg("name \"%.*s\" (%zu), want \"%s\"",
			 (int)(st->name_len < sizeof(st->name) ?
				       st->name_len :
				       sizeof(st->name)),
			 st->name, st->name_len, want);
}

static void test_status_user(void **state)
{
	(void)state;
	struct mt_status st;

	assert_int_equal(parse_status(status_user, strlen(status_user), &st),
			 0);
	/* the kernel's escaping is kept as printed */
	assert_name(&st, "a\\nb");
	assert_int_equal(st.ppid, 1017);
	assert_int_equal(st.uid, 1000);
	assert_int_equal(st.kthread, 0);
	assert_int_equal(st.rss_kb, 1960);
	assert_int_equal(st.have,
			 MT_ST_NAME | MT_ST_PPID | MT_ST_UID | MT_ST_RSS);
}

static void test_status_kthread(void **state)
{
	(void)state;
	static const char t[] = "Name:\tkworker/0:1-events\n"
				"Umask:\t0000\n"
				"State:\tI (idle)\n"
				"Tgid:\t12\n"
				"Ngid:\t0\n"
				"Pid:\t12\n"
				"PPid:\t2\n"
				"TracerPid:\t0\n"
				"Uid:\t0\t0\t0\t0\n"
				"Gid:\t0\t0\t0\t0\n"
				"FDSize:\t64\n"
				"Groups:\t \n"
				"Kthread:\t1\n"
				"Threads:\t1\n";
	struct mt_status st;

	assert_int_equal(parse_status(t, strlen(t), &st), 0);
	assert_name(&st, "kworker/0:1-events");
	assert_int_equal(st.ppid, 2);
	assert_int_equal(st.uid, 0);
	assert_int_equal(st.kthread, 1);
	assert_int_equal(st.rss_kb, 0);
	assert_int_equal(st.have, MT_ST_NAME | MT_ST_PPID | MT_ST_UID);
}

static void test_status_fields(void **state)
{
	(void)state;
	struct mt_status st;
	const char *t;

	/* older kernel: no Kthread line */
	t = "Name:\tbash\nPPid:\t1\nUid:\t0\t0\t0\t0\nVmRSS:\t 4 kB\n";
	assert_int_equal(parse_status(t, strlen(t), &st), 0);
	assert_int_equal(st.kthread, -1);
	assert_int_equal(st.rss_kb, 4);
	assert_name(&st, "bash");

	/* names with spaces, a backslash (printed doubled) and UTF-8 */
	t = "Name:\tWeb Content\nUid:\t1000\t1000\t1000\t1000\n";
	assert_int_equal(parse_status(t, strlen(t), &st), 0);
	assert_name(&st, "Web Content");
	assert_int_equal(st.have & (MT_ST_NAME | MT_ST_UID),
			 MT_ST_NAME | MT_ST_UID);
	assert_int_equal(st.have & MT_ST_PPID, 0);
	assert_int_equal(st.have & MT_ST_RSS, 0);
	t = "Name:\ta\\\\b \xc3\xa9\nUid:\t7\t7\t7\t7\n";
	assert_int_equal(parse_status(t, strlen(t), &st), 0);
	assert_name(&st, "a\\\\b \xc3\xa9");
	assert_int_equal(st.uid, 7);

	/* a name that looks like other fields does not fool the parser */
	t = "Name:\tUid:\t0\nPPid:\t5\nUid:\t1000\t1000\t1000\t1000\n"
	    "VmRSS:\t 8 kB\n";
	assert_int_equal(parse_status(t, strlen(t), &st), 0);
	assert_name(&st, "Uid:\t0");
	assert_int_equal(st.uid, 1000);
	t = "Name:\tVmRSS: 99999 kB\nUid:\t1000\t1000\t1000\t1000\n"
	    "VmRSS:\t 8 kB\n";
	assert_int_equal(parse_status(t, strlen(t), &st), 0);
	assert_int_equal(st.rss_kb, 8);
	t = "Name:\tx\nUid:\t1000\t1000\t1000\t1000\nTracerPid:\t77\n"
	    "PPid:\t3\n";
	assert_int_equal(parse_status(t, strlen(t), &st), 0);
	assert_int_equal(st.ppid, 3);
	/* large uid (nobody in a user namespace) */
	t = "Name:\tx\nUid:\t4294967294\t0\t0\t0\n";
	assert_int_equal(parse_status(t, strlen(t), &st), 0);
	assert_int_equal(st.uid, 4294967294u);
	/* no final newline */
	t = "Name:\tx\nUid:\t42\t42\t42\t42";
	assert_int_equal(parse_status(t, strlen(t), &st), 0);
	assert_int_equal(st.uid, 42);

	/* missing Name or Uid */
	t = "Umask:\t0022\nPPid:\t1\nUid:\t0\t0\t0\t0\n";
	assert_int_equal(parse_status(t, strlen(t), &st), -1);
	t = "Name:\tbash\nPPid:\t1\nGid:\t0\t0\t0\t0\n";
	assert_int_equal(parse_status(t, strlen(t), &st), -1);
	assert_int_equal(parse_status("", 0, &st), -1);
	t = "garbage\n\n\n:::\n";
	assert_int_equal(parse_status(t, strlen(t), &st), -1);
}

/* The kernel prints "Name:" and one tab; all that follows is the name,
 * leading blanks included (prctl(PR_SET_NAME) accepts them). */
static void test_status_name_blanks(void **state)
{
	(void)state;
	struct mt_status st;
	const char *t;

	t = "Name:\t  two spaces\nUid:\t1\t1\t1\t1\n";
	assert_int_equal(parse_status(t, strlen(t), &st), 0);
	assert_name(&st, "  two spaces");
	t = "Name:\t\tx\nUid:\t1\t1\t1\t1\n";
	assert_int_equal(parse_status(t, strlen(t), &st), 0);
	assert_name(&st, "\tx");
}

static void test_status_long_name(void **state)
{
	(void)state;
	char t[400];
	struct mt_status st;
	size_t n = 0;

	n += (size_t)snprintf(t + n, sizeof(t) - n, "Name:\t");
	for (int i = 0; i < 200; i++)
		t[n++] = (char)('a' + i % 26);
	n += (size_t)snprintf(t + n, sizeof(t) - n,
			      "\nUid:\t5\t5\t5\t5\n");
	(void)parse_status(t, n, &st);
	assert_true(st.name_len < sizeof(st.name));
	assert_memory_equal(st.name, t + 6, st.name_len);
}

/* Names that exactly fill or overflow the name buffer by one. */
static void test_status_name_sizes(void **state)
{
	(void)state;
	for (size_t len = 90; len <= 100; len++) {
		char t[200];
		struct mt_status st;
		size_t n = 0;

		memcpy(t, "Name:\t", 6);
		n = 6;
		for (size_t i = 0; i < len; i++)
			t[n++] = (char)('A' + i % 26);
		n += (size_t)snprintf(t + n, sizeof(t) - n,
				      "\nUid:\t9\t9\t9\t9\n");
		(void)parse_status(t, n, &st);
		assert_true(st.name_len < sizeof(st.name));
		assert_true(st.name_len <= len);
		if (len < sizeof(st.name))
			assert_int_equal(st.name_len, len);
		assert_memory_equal(st.name, t + 6, st.name_len);
		assert_int_equal(st.uid, 9);
	}
}

static void test_status_truncated(void **state)
{
	(void)state;
	size_t full = strlen(status_user);
	const char *uid_end = strchr(strstr(status_user, "Uid:"), '\n') + 1;
	size_t need = (size_t)(uid_end - status_user);

	for (size_t n = 0; n <= full; n++) {
		struct mt_status st;
		int r = parse_status(status_user, n, &st);

		if (r != 0 && r != -1)
			fail_msg("prefix %zu: returned %d", n, r);
		if (r == 0)
			assert_int_equal(st.have & (MT_ST_NAME | MT_ST_UID),
					 MT_ST_NAME | MT_ST_UID);
		if (n >= need) {
			if (r != 0)
				fail_msg("prefix %zu with Name and Uid "
					 "rejected", n);
			assert_name(&st, "a\\nb");
			assert_int_equal(st.uid, 1000);
			assert_int_equal(st.ppid, 1017);
		}
		if (r == 0)
			assert_true(st.name_len < sizeof(st.name));
	}
}

/* ------------------------------------------------------------------ */
/* smaps                                                               */

static const char smaps_text[] =
	/* 0: anonymous THP region, MADV_HUGEPAGE */
	"7f3a00000000-7f3a00800000 rw-p 00000000 00:00 0 \n"
	"Size:               8192 kB\n"
	"KernelPageSize:        4 kB\n"
	"MMUPageSize:           4 kB\n"
	"Rss:                4100 kB\n"
	"Pss:                4000 kB\n"
	"Pss_Dirty:          4000 kB\n"
	"Shared_Clean:          0 kB\n"
	"Shared_Dirty:          0 kB\n"
	"Private_Clean:         0 kB\n"
	"Private_Dirty:      4100 kB\n"
	"Referenced:         4100 kB\n"
	"Anonymous:          4096 kB\n"
	"KSM:                   0 kB\n"
	"LazyFree:              0 kB\n"
	"AnonHugePages:      2048 kB\n"
	"ShmemPmdMapped:        0 kB\n"
	"FilePmdMapped:         0 kB\n"
	"Shared_Hugetlb:        0 kB\n"
	"Private_Hugetlb:       0 kB\n"
	"Swap:                 12 kB\n"
	"SwapPss:               6 kB\n"
	"Locked:                0 kB\n"
	"THPeligible:           1\n"
	"ProtectionKey:         0\n"
	"VmFlags: rd wr mr mw me ac sd hg \n"
	/* 1: a file with spaces in its name */
	"7f3a10000000-7f3a10020000 r-xp 00002000 fd:01 1835053"
	"                    /usr/lib/my lib.so\n"
	"Size:                128 kB\n"
	"Rss:                 120 kB\n"
	"Pss:                  60 kB\n"
	"Anonymous:             0 kB\n"
	"AnonHugePages:         0 kB\n"
	"ShmemPmdMapped:        0 kB\n"
	"FilePmdMapped:       512 kB\n"
	"Swap:                  0 kB\n"
	"SwapPss:               0 kB\n"
	"THPeligible:           0\n"
	"VmFlags: rd ex mr mw me sd \n"
	/* 2: shared anonymous memory */
	"7f3a20000000-7f3a20400000 rw-s 00000000 00:01 1027"
	"                       /dev/zero (deleted)\n"
	"Size:               4096 kB\n"
	"Rss:                2052 kB\n"
	"Anonymous:             0 kB\n"
	"AnonHugePages:         0 kB\n"
	"ShmemPmdMapped:     2048 kB\n"
	"FilePmdMapped:         0 kB\n"
	"Swap:                  4 kB\n"
	"THPeligible:           1\n"
	"VmFlags: rd wr sh mr mw me ms sd \n"
	/* 3: stack with MADV_NOHUGEPAGE, no THPeligible line */
	"7ffd1c6e0000-7ffd1c701000 rw-p 00000000 00:00 0"
	"                          [stack]\n"
	"Size:                132 kB\n"
	"Rss:                  24 kB\n"
	"Anonymous:            20 kB\n"
	"AnonHugePages:         0 kB\n"
	"Swap:                 64 kB\n"
	"VmFlags: rd wr mr mw me gd ac nh\n"
	/* 4: vsyscall, last block, no final newline */
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
	"                  [vsyscall]\n"
	"Size:                  4 kB\n"
	"Rss:                   0 kB\n"
	"THPeligible:           0\n"
	"VmFlags: ex";

static const struct mt_smaps_vma smaps_want[] = {
	{ UINT64_C(0x7f3a00000000), UINT64_C(0x7f3a00800000), 4100, 12, 4096,
	  2048, 0, 0, 1, MT_VMF_HG, true },
	{ UINT64_C(0x7f3a10000000), UINT64_C(0x7f3a10020000), 120, 0, 0, 0, 0,
	  512, 0, 0, true },
	{ UINT64_C(0x7f3a20000000), UINT64_C(0x7f3a20400000), 2052, 4, 0, 0,
	  2048, 0, 1, 0, true },
	{ UINT64_C(0x7ffd1c6e0000), UINT64_C(0x7ffd1c701000), 24, 64, 20, 0, 0,
	  0, -1, MT_VMF_NH, true },
	{ UINT64_C(0xffffffffff600000), UINT64_C(0xffffffffff601000), 0, 0, 0,
	  0, 0, 0, 0, 0, true },
};
#define SMAPS_N (sizeof(smaps_want) / sizeof(smaps_want[0]))

static void check_vma(size_t i, const struct mt_smaps_vma *g,
		      const struct mt_smaps_vma *w)
{
	if (g->start == w->start && g->end == w->end &&
	    g->rss_kb == w->rss_kb && g->swap_kb == w->swap_kb &&
	    g->anon_kb == w->anon_kb && g->anon_huge_kb == w->anon_huge_kb &&
	    g->shmem_pmd_kb == w->shmem_pmd_kb &&
	    g->file_pmd_kb == w->file_pmd_kb &&
	    g->thp_eligible == w->thp_eligible && g->vmflags == w->vmflags &&
	    g->vmflags_seen == w->vmflags_seen)
		return;
	fail_msg("smaps vma %zu: got %llx-%llx rss %llu swap %llu anon %llu "
		 "ahp %llu shmpmd %llu filepmd %llu thp %d flags %u; want "
		 "%llx-%llx rss %llu swap %llu anon %llu ahp %llu shmpmd "
		 "%llu filepmd %llu thp %d flags %u",
		 i, (unsigned long long)g->start, (unsigned long long)g->end,
		 (unsigned long long)g->rss_kb,
		 (unsigned long long)g->swap_kb,
		 (unsigned long long)g->anon_kb,
		 (unsigned long long)g->anon_huge_kb,
		 (unsigned long long)g->shmem_pmd_kb,
		 (unsigned long long)g->file_pmd_kb, g->thp_eligible,
		 g->vmflags, (unsigned long long)w->start,
		 (unsigned long long)w->end, (unsigned long long)w->rss_kb,
		 (unsigned long long)w->swap_kb,
		 (unsigned long long)w->anon_kb,
		 (unsigned long long)w->anon_huge_kb,
		 (unsigned long long)w->shmem_pmd_kb,
		 (unsigned long long)w->file_pmd_kb, w->thp_eligible,
		 w->vmflags);
}

static size_t parse_smaps(const char *text, size_t n,
			  struct mt_smaps_vma **out, size_t *bad)
{
	char *b = dup_exact(text, n);
	size_t c;

	*out = NULL;
	if (bad)
		*bad = 0;
	c = mt_parse_smaps(b, n, out, bad);
	free(b);
	return c;
}

static void test_smaps_full(void **state)
{
	(void)state;
	struct mt_smaps_vma *v;
	size_t bad = 99;
	size_t n = parse_smaps(smaps_text, strlen(smaps_text), &v, &bad);

	assert_int_equal(n, SMAPS_N);
	assert_int_equal(bad, 0);
	for (size_t i = 0; i < SMAPS_N; i++)
		check_vma(i, &v[i], &smaps_want[i]);
	free(v);

	/* bad may be NULL */
	n = parse_smaps(smaps_text, strlen(smaps_text), &v, NULL);
	assert_int_equal(n, SMAPS_N);
	free(v);

	/* empty input */
	n = parse_smaps("", 0, &v, &bad);
	assert_int_equal(n, 0);
	assert_int_equal(bad, 0);
	free(v);
}

/* A block whose header cannot be parsed is skipped and counted; its fields
 * do not end up in the block before it. */
static void test_smaps_bad_block(void **state)
{
	(void)state;
	static const char *broken[] = {
		"zzzzzzzzzzzz-yyyyyyyyyyyy rw-p 00000000 00:00 0 \n",
		"7f3a2000zzzz-7f3a20400000 rw-p 00000000 00:00 0 \n",
		"7f3a20000000-7f3a20400000 rw-p 00000000\n",
	};

	for (size_t b = 0; b < sizeof(broken) / sizeof(broken[0]); b++) {
		char t[1024];
		struct mt_smaps_vma *v;
		size_t bad = 0, n;
		char msg[512];
		int ok;

		snprintf(t, sizeof(t),
			 "7f3a10000000-7f3a10020000 r-xp 00002000 fd:01 1835053"
			 "                    /usr/lib/my lib.so\n"
			 "Rss:                 120 kB\n"
			 "Swap:                  0 kB\n"
			 "VmFlags: rd ex mr mw me sd \n"
			 "%s"
			 "Rss:                 999 kB\n"
			 "Swap:                999 kB\n"
			 "AnonHugePages:       999 kB\n"
			 "THPeligible:           1\n"
			 "VmFlags: rd wr hg\n"
			 "7ffd1c6e0000-7ffd1c701000 rw-p 00000000 00:00 0"
			 "                          [stack]\n"
			 "Rss:                  24 kB\n"
			 "VmFlags: rd wr mr mw me gd ac nh\n",
			 broken[b]);
		n = parse_smaps(t, strlen(t), &v, &bad);
		ok = n == 2 && bad == 1 &&
		     v[0].start == UINT64_C(0x7f3a10000000) &&
		     v[0].rss_kb == 120 && v[0].swap_kb == 0 &&
		     v[0].anon_huge_kb == 0 && v[0].vmflags == 0 &&
		     v[0].thp_eligible == -1 &&
		     v[1].start == UINT64_C(0x7ffd1c6e0000) &&
		     v[1].rss_kb == 24 && v[1].vmflags == MT_VMF_NH;
		snprintf(msg, sizeof(msg),
			 "broken header \"%.*s\": %zu VMAs (want 2), bad %zu "
			 "(want 1); first VMA rss %llu swap %llu ahp %llu "
			 "flags %u thp %d (want 120 0 0 0 -1)",
			 (int)strlen(broken[b]) - 1, broken[b], n, bad,
			 n ? (unsigned long long)v[0].rss_kb : 0,
			 n ? (unsigned long long)v[0].swap_kb : 0,
			 n ? (unsigned long long)v[0].anon_huge_kb : 0,
			 n ? v[0].vmflags : 0, n ? v[0].thp_eligible : 0);
		free(v);
		if (!ok)
			fail_msg("%s", msg);
	}
}

/* Every prefix: no overread, VMAs come out in order with the right
 * addresses, complete blocks are complete, partial ones hold no more than
 * the full values. */
static void test_smaps_truncated(void **state)
{
	(void)state;
	size_t full = strlen(smaps_text);
	size_t block_end[SMAPS_N];
	const char *p = smaps_text;

	/* a block ends where the next header starts */
	for (size_t i = 0; i < SMAPS_N; i++) {
		const char *next = NULL;

		if (i + 1 < SMAPS_N) {
			char pat[24];

			snprintf(pat, sizeof(pat), "\n%llx-",
				 (unsigned long long)smaps_want[i + 1].start);
			next = strstr(p, pat);
			assert_non_null(next);
			next++;
		}
		block_end[i] = next ? (size_t)(next - smaps_text) : full;
		p = next ? next : p;
	}
	for (size_t n = 0; n <= full; n++) {
		struct mt_smaps_vma *v;
		size_t bad = 0;
		size_t c = parse_smaps(smaps_text, n, &v, &bad);

		assert_true(c <= SMAPS_N);
		for (size_t i = 0; i < SMAPS_N; i++)
			if (n >= block_end[i] && c <= i)
				fail_msg("prefix %zu: complete block %zu "
					 "missing (%zu parsed)", n, i, c);
		for (size_t i = 0; i < c; i++) {
			const struct mt_smaps_vma *g = &v[i];
			const struct mt_smaps_vma *w = &smaps_want[i];

			if (n >= block_end[i]) {
				check_vma(i, g, w);
				continue;
			}
			assert_int_equal(g->start, w->start);
			assert_int_equal(g->end, w->end);
			assert_true(g->rss_kb <= w->rss_kb);
			assert_true(g->swap_kb <= w->swap_kb);
			assert_true(g->anon_kb <= w->anon_kb);
			assert_true(g->anon_huge_kb <= w->anon_huge_kb);
			assert_true(g->shmem_pmd_kb <= w->shmem_pmd_kb);
			assert_true(g->file_pmd_kb <= w->file_pmd_kb);
			assert_true(g->thp_eligible == -1 ||
				    g->thp_eligible == w->thp_eligible);
			assert_int_equal(g->vmflags & ~w->vmflags, 0);
		}
		free(v);
	}
}

/* Flags are whole two-letter words. */
static void test_smaps_vmflags(void **state)
{
	(void)state;
	static const struct {
		const char *flags;
		unsigned want;
	} cases[] = {
		{ "rd wr mr mw me ac sd", 0 },
		{ "hg", MT_VMF_HG },
		{ "nh", MT_VMF_NH },
		{ "rd wr hg", MT_VMF_HG },
		{ "rd wr nh ", MT_VMF_NH },
		{ "rd wr mr mw me ac sd nh mg", MT_VMF_NH },
		{ "rd hg wr", MT_VMF_HG },
		{ "", 0 },
		{ "rd  wr  hg", MT_VMF_HG },
		/* ht is VM_HUGETLB, not MADV_HUGEPAGE */
		{ "rd wr ht", MT_VMF_HT },
		{ "rd wr nl hx", 0 },
		/* what MADV_COLLAPSE refuses, and userfaultfd */
		{ "rd wr io pf", MT_VMF_IO | MT_VMF_PF },
		{ "mm de", MT_VMF_MM | MT_VMF_DE },
		{ "rd um", MT_VMF_UFFD },
		{ "uw", MT_VMF_UFFD },
		{ "ui hg", MT_VMF_UFFD | MT_VMF_HG },
		{ "iox pfx d e", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char t[256];
		struct mt_smaps_vma *v;
		size_t n;

		snprintf(t, sizeof(t),
			 "1000-2000 rw-p 00000000 00:00 0 \n"
			 "Rss:                   4 kB\n"
			 "VmFlags: %s\n",
			 cases[i].flags);
		n = parse_smaps(t, strlen(t), &v, NULL);
		assert_int_equal(n, 1);
		if (v[0].vmflags != cases[i].want)
			fail_msg("VmFlags \"%s\": %u, want %u",
				 cases[i].flags, v[0].vmflags,
				 cases[i].want);
		free(v);
	}
}

/* ------------------------------------------------------------------ */
/* lines                                                               */

static void expect_lines(const char *text, size_t len, const char **want,
			 size_t nwant)
{
	char *b = dup_exact(text, len);
	size_t pos = 0, got = 0, ll;
	const char *l;

	while ((l = mt_next_line(b, len, &pos, &ll)) != NULL) {
		if (got >= nwant)
			fail_msg("extra line %zu \"%.*s\"", got, (int)ll, l);
		assert_true(l >= b && l + ll <= b + len);
		if (ll != strlen(want[got]) ||
		    memcmp(l, want[got], ll) != 0)
			fail_msg("line %zu is \"%.*s\", want \"%s\"", got,
				 (int)ll, l, want[got]);
		got++;
		assert_true(pos <= len);
	}
	assert_int_equal(got, nwant);
	/* stays at the end */
	assert_null(mt_next_line(b, len, &pos, &ll));
	free(b);
}

static void test_next_line(void **state)
{
	(void)state;
	{
		const char *w[] = { "a", "bb", "", "ccc" };

		expect_lines("a\nbb\n\nccc", 9, w, 4);
		expect_lines("a\nbb\n\nccc\n", 10, w, 4);
	}
	{
		const char *w[] = { "" };

		expect_lines("\n", 1, w, 1);
	}
	{
		const char *w[] = { "", "" };

		expect_lines("\n\n", 2, w, 2);
	}
	{
		const char *w[] = { "only" };

		expect_lines("only", 4, w, 1);
	}
	expect_lines("", 0, NULL, 0);
	{
		/* NUL bytes are ordinary bytes */
		const char *w[] = { "x" };
		char *b = dup_exact("a\0b\nx", 5);
		size_t pos = 0, ll;
		const char *l = mt_next_line(b, 5, &pos, &ll);

		assert_ptr_equal(l, b);
		assert_int_equal(ll, 3);
		free(b);
		expect_lines("x\n", 2, w, 1);
	}
}

/* The value of key among the n counters, or -1 when it is not there. */
static long long counter(const struct mt_counter *c, size_t n,
			 const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].key, key) == 0)
			return (long long)c[i].value;
	return -1;
}

static void test_vmstat(void **state)
{
	(void)state;
	struct mt_arena *a = mt_arena_new();
	const char vm[] = "nr_free_pages 100\nthp_fault_alloc 7\nbogus\n"
			  "thp_split_pmd x\ncompact_stall 3\nthp_fault_fallback 99999999999999999999\n"
			  "pgfault 12\nthp_collapse_alloc 2";
	char *b = dup_exact(vm, strlen(vm));
	struct mt_counter *c;
	size_t n = mt_parse_vmstat(b, strlen(vm), a, &c);
	assert_int_equal(n, 4);
	assert_int_equal(counter(c, n, "nr_free_pages"), 100);
	assert_int_equal(counter(c, n, "thp_fault_alloc"), 7);
	assert_int_equal(counter(c, n, "compact_stall"), 3);
	assert_int_equal(counter(c, n, "thp_collapse_alloc"), 2);
	assert_int_equal(counter(c, n, "pgfault"), -1);
	assert_int_equal(counter(c, n, "thp_split_pmd"), -1);
	assert_int_equal(counter(c, n, "thp_fault_fallback"), -1);
	free(b);
	mt_arena_free(a);
}

static void test_meminfo(void **state)
{
	(void)state;
	struct mt_arena *a = mt_arena_new();
	const char mi[] = "MemTotal:       24684084 kB\nAnonHugePages:    532480 kB\n"
			  "HugePages_Total:       4\nHugepagesize:       2048 kB\n"
			  "ShmemHugePages: oops\nMemFree";
	char *b = dup_exact(mi, strlen(mi));
	struct mt_counter *c;
	size_t n = mt_parse_meminfo(b, strlen(mi), a, &c);
	assert_int_equal(n, 4);
	assert_int_equal(counter(c, n, "MemTotal"), 24684084);
	assert_int_equal(counter(c, n, "AnonHugePages"), 532480);
	assert_int_equal(counter(c, n, "HugePages_Total"), 4);
	assert_int_equal(counter(c, n, "Hugepagesize"), 2048);
	free(b);
	mt_arena_free(a);
}

static void test_buddyinfo(void **state)
{
	(void)state;
	struct mt_arena *a = mt_arena_new();
	const char bi[] = "Node 0, zone      DMA      0      0      0      1      3 \n"
			  "Node 1, zone   Normal   5376   1166    188\n"
			  "Node x, zone Normal 1\nNode 0, zone\nNode 2, zone Movable 1 2 z\n"
			  "Node 3, zone Huge 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1\n";
	char *b = dup_exact(bi, strlen(bi));
	struct mt_buddy_zone *z;
	size_t n = mt_parse_buddyinfo(b, strlen(bi), a, &z);
	assert_int_equal(n, 2);
	assert_int_equal(z[0].node, 0);
	assert_string_equal(z[0].zone, "DMA");
	assert_int_equal(z[0].norders, 5);
	assert_int_equal(z[0].free[4], 3);
	assert_int_equal(z[1].node, 1);
	assert_string_equal(z[1].zone, "Normal");
	assert_int_equal(z[1].norders, 3);
	assert_int_equal(z[1].free[0], 5376);
	free(b);
	mt_arena_free(a);
}

static const char *choice(struct mt_arena *a, const char *text)
{
	size_t n = strlen(text);
	char *b = dup_exact(text, n);
	const char *r = mt_parse_choice(b, n, a);

	free(b);
	return r;
}

static void test_choice(void **state)
{
	(void)state;
	struct mt_arena *a = mt_arena_new();
	assert_string_equal(choice(a, "always [madvise] never"), "madvise");
	assert_string_equal(choice(a, "always madvise"), "?");
	assert_string_equal(choice(a, "[]"), "?");
	assert_string_equal(choice(a, "[never"), "?");
	mt_arena_free(a);
}

static void test_u64(void **state)
{
	(void)state;
	uint64_t v = 0;
	assert_int_equal(mt_parse_u64("0", 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(mt_parse_u64("1234567890123456789", 19, &v), 0);
	assert_int_equal(v, UINT64_C(1234567890123456789));
	assert_int_equal(mt_parse_u64("12345678901234567890", 20, &v), -1);
	assert_int_equal(mt_parse_u64("", 0, &v), -1);
	assert_int_equal(mt_parse_u64("12 ", 3, &v), -1);
	assert_int_equal(mt_parse_u64("-1", 2, &v), -1);
	/* only len bytes are read */
	assert_int_equal(mt_parse_u64("42x", 2, &v), 0);
	assert_int_equal(v, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_normal),
		cmocka_unit_test(test_maps_names),
		cmocka_unit_test(test_maps_big_inode),
		cmocka_unit_test(test_maps_trailing_space_name),
		cmocka_unit_test(test_maps_long_line),
		cmocka_unit_test(test_maps_truncated),
		cmocka_unit_test(test_maps_garbage),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_classify_from_line),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_status_user),
		cmocka_unit_test(test_status_kthread),
		cmocka_unit_test(test_status_fields),
		cmocka_unit_test(test_status_name_blanks),
		cmocka_unit_test(test_status_long_name),
		cmocka_unit_test(test_status_name_sizes),
		cmocka_unit_test(test_status_truncated),
		cmocka_unit_test(test_smaps_full),
		cmocka_unit_test(test_smaps_bad_block),
		cmocka_unit_test(test_smaps_truncated),
		cmocka_unit_test(test_smaps_vmflags),
		cmocka_unit_test(test_next_line),
		cmocka_unit_test(test_vmstat),
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_buddyinfo),
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_u64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
