/*
 * fuzz_record.c - libFuzzer harness for the recording reader (record.h):
 * the snapshot decoder (recfmt.c) and the file reader (replay.c).
 *
 * Every input is used three ways:
 *  - as the bytes of one frame: decoded as a key frame (nothing earlier),
 *    and as a delta frame after a valid frame built here, so that its
 *    references to earlier processes are followed; every snapshot that
 *    decodes is rendered as JSON (checked to be one line of balanced
 *    brackets) and as text, so that every decoded field is read, and is
 *    decoded again as the frame after itself;
 *  - as a recording file, as it is: opened, every frame read, and the
 *    moments --begin accepts (and some it refuses) looked up;
 *  - as a recording file whose checksums are made right first (the
 *    header's and every frame's), so that a change inside a frame reaches
 *    inflating and decoding instead of stopping at its CRC.
 * Nothing may crash, leak or hit undefined behaviour; a frame that
 * decodes must re-encode to a frame that decodes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "memtop/output.h"
#include "memtop/record.h"
#include "memtop/snapshot.h"
#include "memtop/sysinfo.h"
#include "memtop/util.h"
#include "../src/rec_int.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Like assert(), but never compiled out. */
#define CHECK(c)                                                           \
	do {                                                               \
		if (!(c)) {                                                \
			fprintf(stderr, "%s:%d: check failed: %s\n",       \
				__FILE__, __LINE__, #c);                   \
			abort();                                           \
		}                                                          \
	} while (0)

/* at most this many frames read from one file */
#define MAX_FRAMES 200

static struct mt_buf seed; /* a key frame of the snapshot below */

static uint64_t *hist(struct mt_arena *a, unsigned n, uint64_t base)
{
	uint64_t *h = mt_arena_alloc(a, (n ? n : 1) * sizeof(uint64_t));
	for (unsigned i = 0; i < n; i++)
		h[i] = base + i;
	return h;
}

/* A small snapshot with every kind of field set: three processes, two
 * with VMAs, the system section with counters and zones. */
static struct mt_snapshot *seed_snapshot(void)
{
	struct mt_snapshot *s = mt_snapshot_new();
	struct mt_arena *a = s->arena;
	s->time_ns = UINT64_C(1700000000000000000);
	s->mono_ns = UINT64_C(5000000000);
	s->duration_ns = 1234567;
	s->page_size = 4096;
	s->page_shift = 12;
	s->pmd_order = 9;
	s->max_order = 9;
	s->nord = 10;
	s->nnodes = 2;
	s->have_pfns = s->have_kpageflags = s->have_pmd_mapped = true;
	s->thp_enabled = "always";
	s->thp_defrag = "madvise";
	s->zero_page = MT_TRI_YES;
	s->huge_zero_page = MT_TRI_UNKNOWN;
	s->ro_thp_fs = MT_TRI_NO;

	struct mt_sysinfo *si = mt_arena_alloc(a, sizeof(*si));
	si->mono_ns = s->mono_ns + 10;
	si->interval_s = 2.0;
	si->thp_enabled = "always";
	si->thp_defrag = "madvise";
	si->thp_shmem_enabled = "never";
	si->nvmstat = 2;
	si->vmstat = mt_arena_alloc(a, 2 * sizeof(*si->vmstat));
	si->vmstat[0] = (struct mt_counter){"thp_fault_alloc", 77, 1.5, true,
					    false};
	si->vmstat[1] = (struct mt_counter){"thp_split_page", 3, 0, false,
					    true};
	si->nsizes = 1;
	si->sizes = mt_arena_alloc(a, sizeof(*si->sizes));
	si->sizes[0].kb = 64;
	si->sizes[0].enabled = "inherit";
	si->sizes[0].shmem_enabled = "never";
	si->sizes[0].nstats = 1;
	si->sizes[0].stats = si->vmstat;
	si->nzones = 1;
	si->zones = mt_arena_alloc(a, sizeof(*si->zones));
	si->zones[0].node = 0;
	si->zones[0].zone = "Normal";
	si->zones[0].norders = 11;
	for (int o = 0; o < 11; o++)
		si->zones[0].free[o] = 100u >> (o / 2);
	s->sys = si;

	s->nprocs = 3;
	s->procs = mt_arena_alloc(a, 3 * sizeof(*s->procs));
	for (size_t i = 0; i < s->nprocs; i++) {
		struct mt_proc *p = &s->procs[i];
		p->pid = (pid_t)(100 + i);
		p->ppid = 1;
		p->uid = (uid_t)i;
		p->comm = i == 1 ? "with\tctl" : "proc";
		p->cmdline = "proc\0--arg";
		p->cmdline_len = 10;
		p->user = "root";
		p->cgroup = "/system.slice/x.service";
		p->memcg_room = MT_UNKNOWN;
		p->start_time = 1000 + i;
		p->exp_ns = s->mono_ns + 5;
		p->walk_ns = s->mono_ns - 1000;
		p->thp_enabled = MT_TRI_YES;
		p->present_hist = hist(a, s->nord, i);
		p->mappable_hist = hist(a, s->nord, 1);
		p->folio_cont_hist = hist(a, s->nord, 2);
		p->folios = mt_arena_alloc(a, sizeof(*p->folios));
		p->folios->pmd[0] = 4;
		p->thp_node_pages = hist(a, s->nnodes, 512);
		p->file.present_hist = hist(a, s->nord, 0);
		if (i == 2)
			continue;
		p->nvmas = p->vma_count = 2;
		p->vmas = mt_arena_alloc(a, 2 * sizeof(*p->vmas));
		for (size_t k = 0; k < 2; k++) {
			struct mt_vma *v = &p->vmas[k];
			v->start = UINT64_C(0x7f0000000000) + (k << 21);
			v->end = v->start + (UINT64_C(1) << 21);
			memcpy(v->perms, "rw-p", 5);
			v->kind = MT_KIND_ANON;
			v->path = k ? "/usr/lib/libc.so.6" : "";
			v->path_len = strlen(v->path);
			v->file_backed = k;
			v->present_pages = 512;
			v->present_hist = hist(a, s->nord, 0);
			v->mappable_hist = hist(a, s->nord, 0);
			v->folios = p->folios;
			v->pmd_slots = 1;
			v->pmd_collapsible = MT_UNKNOWN;
			v->blk_populated = hist(a, 8, 1);
			v->exp_ns = k ? 0 : p->exp_ns - 7;
			v->thp_eligible = MT_TRI_UNKNOWN;
		}
	}
	s->present_hist = hist(a, s->nord, 3);
	s->mappable_hist = hist(a, s->nord, 3);
	return s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct mt_snapshot *s = seed_snapshot();
	struct mt_rec_prev prev = {0};
	mt_rec_encode(&seed, s, &prev, true);
	mt_rec_prev_free(&prev);
	mt_snapshot_unref(s);
	/* it decodes */
	char err[128];
	s = mt_rec_decode(seed.data, seed.len, &prev, true, err, sizeof(err));
	CHECK(s != NULL);
	mt_snapshot_unref(s);
	mt_rec_prev_free(&prev);
	return 0;
}

/* One JSON document on one line, brackets balanced outside strings. */
static void check_json(const char *buf, size_t len)
{
	CHECK(len > 1 && buf[0] == '{' && buf[len - 1] == '\n');
	int depth = 0;
	bool str = false;
	for (size_t i = 0; i + 1 < len; i++) {
		char c = buf[i];
		CHECK(c != '\n');
		if (str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				str = false;
			continue;
		}
		if (c == '"')
			str = true;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			CHECK(--depth >= 0);
	}
	CHECK(!str && depth == 0);
}

static void render(const struct mt_snapshot *s)
{
	struct mt_output_opts oo = {.show_kthreads = true};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CHECK(f);
	mt_output_json(f, s, &oo);
	CHECK(fclose(f) == 0);
	check_json(buf, len);
	free(buf);

	f = open_memstream(&buf, &len);
	CHECK(f);
	oo.reverse = true;
	oo.vmas.omit_unfaulted = true;
	mt_output_text(f, s, &oo);
	CHECK(fclose(f) == 0);
	free(buf);
}

/* What decodes encodes again to a frame that decodes, as a key frame
 * and as a delta frame after itself. */
static void reencode(const struct mt_snapshot *s)
{
	struct mt_rec_prev eprev = {0}, dprev = {0};
	struct mt_buf b = {0};
	char err[128];
	for (int k = 0; k < 2; k++) {
		mt_buf_reset(&b);
		mt_rec_encode(&b, s, &eprev, k == 0);
		struct mt_snapshot *t = mt_rec_decode(b.data, b.len, &dprev,
						      k == 0, err, sizeof(err));
		if (!t)
			fprintf(stderr, "re-encoded frame: %s\n", err);
		CHECK(t != NULL);
		CHECK(t->nprocs == s->nprocs);
		mt_snapshot_unref(t);
	}
	mt_buf_free(&b);
	mt_rec_prev_free(&eprev);
	mt_rec_prev_free(&dprev);
}

static void frame(const uint8_t *data, size_t size)
{
	char err[128];
	struct mt_rec_prev prev = {0};
	/* a key frame */
	struct mt_snapshot *s = mt_rec_decode(data, size, &prev, true, err,
					      sizeof(err));
	CHECK(s || err[0]);
	if (s) {
		render(s);
		reencode(s);
		mt_snapshot_unref(s);
		/* and the frame after itself */
		s = mt_rec_decode(data, size, &prev, false, err, sizeof(err));
		if (s) {
			render(s);
			mt_snapshot_unref(s);
		}
	}
	mt_rec_prev_free(&prev);
	/* a delta frame after the seed's */
	s = mt_rec_decode(seed.data, seed.len, &prev, true, err, sizeof(err));
	CHECK(s != NULL);
	mt_snapshot_unref(s);
	s = mt_rec_decode(data, size, &prev, false, err, sizeof(err));
	if (s) {
		render(s);
		mt_snapshot_unref(s);
	}
	mt_rec_prev_free(&prev);
}

static const char *const moments[] = {
	"#1", "#2", "#200", "#0", "#", "#-1", "#1x", "+0", "+0.5", "-0",
	"-1e9", "+nan", "-inf", "@0", "@1700000000", "12:30", "23:59:60",
	"24:00", "2024-02-30 10:00", "2024-01-01 00:00:00", "1:2:3:4",
	"", "x",
};

static void file(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-record", MFD_CLOEXEC);
	CHECK(fd >= 0);
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);
		CHECK(w > 0);
		off += (size_t)w;
	}
	char path[64], err[256];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct mt_replay *r = mt_replay_open(path, err, sizeof(err));
	close(fd);
	if (!r) {
		CHECK(err[0]);
		return;
	}
	const struct mt_rec_info *info = mt_replay_info(r);
	CHECK(info->version == MT_REC_VERSION);
	size_t n = mt_replay_count(r);
	for (size_t i = 0; i < n && i < MAX_FRAMES; i++) {
		struct mt_snapshot *s = mt_replay_get(r, i);
		if (!s) {
			CHECK(mt_replay_damage(r) != NULL);
			CHECK(mt_replay_count(r) == i);
			break;
		}
		CHECK(s->page_size == info->page_size);
		if (i < 3)
			render(s);
		mt_snapshot_unref(s);
	}
	/* backwards: from the key frames again */
	n = mt_replay_count(r);
	if (n > 1) {
		struct mt_snapshot *s = mt_replay_get(r, n / 2);
		if (s)
			mt_snapshot_unref(s);
	}
	for (size_t i = 0; i < MT_ARRAY_SIZE(moments); i++) {
		long k = mt_replay_moment(r, moments[i], err, sizeof(err));
		CHECK(k < 0 || (size_t)k < mt_replay_count(r));
	}
	if (mt_replay_count(r)) {
		size_t k = mt_replay_find(r, mt_replay_time_ns(r, 0));
		CHECK(k < mt_replay_count(r));
	}
	CHECK(mt_replay_find(r, 0) == 0);
	mt_replay_close(r);
}

/* The header's and every whole frame's checksum made right. Returns
 * whether anything changed. */
static bool fix_crcs(uint8_t *d, size_t size)
{
	const size_t h = MT_REC_MAGIC_LEN + 12;
	if (size < h || memcmp(d, MT_REC_MAGIC, MT_REC_MAGIC_LEN))
		return false;
	bool changed = false;
	uint32_t blen = mt_rec_get32(d + MT_REC_MAGIC_LEN + 4);
	if (blen > size - h)
		return false;
	uint32_t c = (uint32_t)crc32(0, d + h, blen);
	if (mt_rec_get32(d + MT_REC_MAGIC_LEN + 8) != c) {
		mt_rec_put32(d + MT_REC_MAGIC_LEN + 8, c);
		changed = true;
	}
	size_t off = h + blen;
	while (size - off >= MT_REC_FRAME_HDR) {
		uint32_t zlen = mt_rec_get32(d + off + 4);
		if (zlen > size - off - MT_REC_FRAME_HDR)
			break;
		c = (uint32_t)crc32(0, d + off + 16, zlen + 12u);
		if (mt_rec_get32(d + off + 12) != c) {
			mt_rec_put32(d + off + 12, c);
			changed = true;
		}
		off += MT_REC_FRAME_HDR + zlen;
	}
	return changed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	frame(data, size);
	file(data, size);
	uint8_t *copy = malloc(size ? size : 1);
	CHECK(copy);
	memcpy(copy, data, size);
	if (fix_crcs(copy, size))
		file(copy, size);
	free(copy);
	return 0;
}
