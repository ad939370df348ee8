/*
 * fuzz_mountinfo.c - libFuzzer harness for the readers of mount and
 * configuration text: the memory cgroup hierarchies and a tmpfs mount's
 * huge= option in /proc/PID/mountinfo (memcg.h, collapse.h), a memory
 * cgroup limit file, and a kernel .config (kconfig.h).
 *
 * The input is read as each of them. The readers must stay inside the
 * buffer (AddressSanitizer); the mount points and roots they copy must be
 * NUL-terminated words of the input (or empty); a limit is either a
 * number the text spells in full or "no limit"; an option is yes or no.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtop/collapse.h"
#include "memtop/kconfig.h"
#include "memtop/memcg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                           \
	do {                                                               \
		if (!(c)) {                                                \
			fprintf(stderr, "%s:%d: check failed: %s\n",       \
				__FILE__, __LINE__, #c);                   \
			abort();                                           \
		}                                                          \
	} while (0)

/* s is empty, or a word (no space, no newline) found in the input. */
static void word_of(const char *s, size_t cap, const char *in, size_t n)
{
	size_t l = strnlen(s, cap);
	CHECK(l < cap);
	if (!l)
		return;
	CHECK(!strchr(s, ' ') && !strchr(s, '\n'));
	CHECK(memmem(in, n, s, l) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct mt_memcg_mounts m;
	mt_memcg_parse_mounts(in, size, &m);
	word_of(m.v1_point, sizeof(m.v1_point), in, size);
	word_of(m.v1_root, sizeof(m.v1_root), in, size);
	word_of(m.v2_point, sizeof(m.v2_point), in, size);
	word_of(m.v2_root, sizeof(m.v2_root), in, size);

	/* a device of the input's first line, and some others */
	unsigned devs[][2] = {{0, 22}, {0, 0}, {254, 1}, {7, 7}};
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		enum mt_shmem_mode h = MT_SHM_ALWAYS;
		enum mt_tri t = mt_mountinfo_tmpfs(in, size, devs[i][0],
						   devs[i][1], &h);
		CHECK(t == MT_TRI_YES || t == MT_TRI_NO || t == MT_TRI_UNKNOWN);
		CHECK(t == MT_TRI_YES || h == MT_SHM_UNKNOWN);
		CHECK((unsigned)h <= MT_SHM_INHERIT);
		CHECK(strlen(mt_shmem_mode_name(h)) > 0);
	}

	uint64_t v = 12345;
	bool nolimit = true;
	if (mt_memcg_parse_limit(in, size, &v, &nolimit) == 0 && !nolimit) {
		char num[24];
		snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
		CHECK(memmem(in, size, num, strlen(num)) != NULL);
	}

	enum mt_tri k = mt_kconfig_parse(in, size, "CONFIG_READ_ONLY_THP_FOR_FS");
	CHECK(k == MT_TRI_YES || k == MT_TRI_NO);
	if (k == MT_TRI_YES)
		CHECK(memmem(in, size, "CONFIG_READ_ONLY_THP_FOR_FS=", 28));
	return 0;
}
