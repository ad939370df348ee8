/*
 * test_memcg.c - room under memory cgroup limits (memcg.h): the mounts
 * found in mountinfo, the limit files' words, and the least room over a
 * cgroup and its ancestors in a recorded tree (v1 and v2 layouts).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "memtop/memcg.h"
#include "memtop/snapshot.h"

static void test_mounts(void **state)
{
	(void)state;
	struct mt_memcg_mounts m;
	const char *hybrid =
		"30 25 0:26 / /sys/fs/cgroup ro - tmpfs tmpfs ro,mode=755\n"
		"31 30 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
		"35 30 0:31 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
		"36 30 0:32 /x /sys/fs/cgroup/memory rw shared:9 - cgroup "
		"cgroup rw,memory\n";
	mt_memcg_parse_mounts(hybrid, strlen(hybrid), &m);
	assert_string_equal(m.v1_point, "/sys/fs/cgroup/memory");
	assert_string_equal(m.v1_root, "/x");
	assert_string_equal(m.v2_point, "/sys/fs/cgroup/unified");
	assert_string_equal(m.v2_root, "/");
	const char *v2 = "29 1 0:25 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
			 "bad line\n";
	mt_memcg_parse_mounts(v2, strlen(v2), &m);
	assert_string_equal(m.v1_point, "");
	assert_string_equal(m.v2_point, "/sys/fs/cgroup");
	/* "memory" must be a whole option word */
	const char *nomem = "36 30 0:32 / /c rw - cgroup cgroup rw,memoryx\n";
	mt_memcg_parse_mounts(nomem, strlen(nomem), &m);
	assert_string_equal(m.v1_point, "");

	uint64_t v = 0;
	bool nolim = false;
	assert_int_equal(mt_memcg_parse_limit("max\n", 4, &v, &nolim), 0);
	assert_true(nolim);
	assert_int_equal(mt_memcg_parse_limit("1048576\n", 8, &v, &nolim), 0);
	assert_false(nolim);
	assert_true(v == 1048576);
	assert_int_equal(mt_memcg_parse_limit("9223372036854771712\n", 20, &v,
					      &nolim), 0);
	assert_true(nolim);
	assert_int_equal(mt_memcg_parse_limit("12k", 3, &v, &nolim), -1);
	assert_int_equal(mt_memcg_parse_limit("", 0, &v, &nolim), -1);
	assert_int_equal(mt_memcg_parse_limit("99999999999999999999999", 23,
					      &v, &nolim), -1);
}

static char dir[] = "/tmp/memtop-memcg-XXXXXX";

static void put(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	for (char *q = p + strlen(dir) + 1; *q; q++)
		if (*q == '/') {
			*q = 0;
			mkdir(p, 0755);
			*q = '/';
		}
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static uint64_t room(const char *mountinfo, const char *cg)
{
	char proc[512], sys[512], err[128];
	put("proc/self/mountinfo", mountinfo);
	snprintf(proc, sizeof(proc), "%s/proc", dir);
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	struct mt_procfs pf;
	assert_int_equal(mt_procfs_open(&pf, proc, sys, err, sizeof(err)), 0);
	struct mt_memcg *m = mt_memcg_open(&pf);
	uint64_t r = mt_memcg_room(m, cg);
	mt_memcg_new_scan(m);
	assert_true(mt_memcg_room(m, cg) == r); /* read again: the same */
	mt_memcg_close(m);
	mt_procfs_close(&pf);
	return r;
}

static void test_room(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	const char *v2 = "29 1 0:25 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
	put("sys/fs/cgroup/a/memory.max", "max\n");
	put("sys/fs/cgroup/a/memory.current", "100\n");
	put("sys/fs/cgroup/a/b/memory.max", "10000\n");
	put("sys/fs/cgroup/a/b/memory.current", "4000\n");
	put("sys/fs/cgroup/a/b/c/memory.max", "max\n");
	put("sys/fs/cgroup/a/b/c/memory.current", "3000\n");
	/* the room of b bounds its child c */
	assert_true(room(v2, "/a/b/c") == 6000);
	assert_true(room(v2, "/a/b/") == 6000);
	assert_true(room(v2, "/a") == MT_UNKNOWN); /* no limit */
	assert_true(room(v2, "/gone") == MT_UNKNOWN);
	assert_true(room(v2, "/a/../a/b") == MT_UNKNOWN);
	assert_true(room(v2, "") == MT_UNKNOWN);
	/* over the limit: no room */
	put("sys/fs/cgroup/a/b/c/memory.current", "3000\n");
	put("sys/fs/cgroup/a/b/c/memory.max", "2000\n");
	assert_true(room(v2, "/a/b/c") == 0);

	/* v1, mounted with a subtree at its root */
	const char *v1 = "36 30 0:32 /top /sys/fs/cgroup/memory rw - cgroup "
			 "cgroup rw,memory\n";
	put("sys/fs/cgroup/memory/memory.limit_in_bytes",
	    "9223372036854771712\n");
	put("sys/fs/cgroup/memory/memory.usage_in_bytes", "5\n");
	put("sys/fs/cgroup/memory/s/memory.limit_in_bytes", "8388608\n");
	put("sys/fs/cgroup/memory/s/memory.usage_in_bytes", "7340032\n");
	assert_true(room(v1, "/top/s") == 1048576);
	assert_true(room(v1, "/other/s") == MT_UNKNOWN);
	/* no hierarchy at all */
	assert_true(room("", "/a") == MT_UNKNOWN);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mounts),
		cmocka_unit_test(test_room),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
