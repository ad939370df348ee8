/*
 * record.h - recordings: every scan written to a file (--record), read
 * back for the viewer and batch output (--replay), and compared
 * (--diff).
 *
 * The file describes itself: a header with the format version, the page
 * size, the PMD order and the machine (boot id, host, kernel), then one
 * frame per scan. A frame is a scan's snapshot, encoded field by field
 * (every figure batch output and the viewer show), deflated with zlib on
 * its own and guarded by a CRC-32; a process whose figures have not
 * changed since the previous frame is written as a reference to it, and
 * every MT_REC_KEY_EVERY-th frame (a key frame) stands alone, so that a
 * reader can start there. Frames are appended with one write and synced:
 * a crash or power loss costs at most the frame being written, and a
 * reader stops at the first damaged frame and says where it is.
 */
#ifndef MEMTOP_RECORD_H
#define MEMTOP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "memtop/snapshot.h"
#include "memtop/util.h"

#define MT_REC_VERSION 1
#define MT_REC_KEY_EVERY 64

/* What the file says of the machine that recorded it. */
struct mt_rec_info {
	unsigned version;
	unsigned page_size, pmd_order;
	uint64_t created_ns;     /* CLOCK_REALTIME */
	char boot_id[40];        /* /proc/sys/kernel/random/boot_id, or "" */
	char host[72];
	char kernel[72];         /* uname release */
	char memtop[24];         /* memtop's version */
};

/* ---- the encoding of one snapshot (recfmt.c) ------------------------ */

/* The previous frame's processes, for references to them. */
struct mt_rec_prev {
	struct mt_buf bytes;     /* their figures, one after another */
	size_t n, cap;
	struct mt_rec_prev_proc {
		pid_t pid;
		uint64_t start_time;
		size_t off, len;
	} *procs;
	/* the frame before's, emptied: the encoder fills them next, so
	 * that a recording does not allocate them at every frame */
	struct mt_buf spare_bytes;
	struct mt_rec_prev_proc *spare_procs;
	size_t spare_cap;
};
void mt_rec_prev_free(struct mt_rec_prev *p);

/* Append s's encoding to out; key: refer to nothing earlier. prev holds
 * the previous frame's processes and becomes s's. */
void mt_rec_encode(struct mt_buf *out, const struct mt_snapshot *s,
		   struct mt_rec_prev *prev, bool key);
/* Decode a frame's bytes into a new snapshot (NULL with a reason in err
 * when they are not a valid encoding). prev as for encoding: empty for a
 * key frame. */
struct mt_snapshot *mt_rec_decode(const void *data, size_t len,
				  struct mt_rec_prev *prev, bool key,
				  char *err, size_t errlen);

/* ---- writing (record.c) --------------------------------------------- */

struct mt_recorder;
enum mt_rec_state {
	MT_REC_OFF,       /* not recording */
	MT_REC_ON,
	MT_REC_FULL,      /* --record-max reached: no more frames */
	MT_REC_FAILED,    /* a write failed: no more frames */
};
/*
 * Open path for recording. A new file is created 0600 with O_EXCL and
 * O_NOFOLLOW. An existing one is refused unless append (then it must be
 * a recording of this format, a regular file of the caller's, not a
 * link, recorded with the same page size and PMD order; a last frame
 * cut short by a crash is cut off first). max_bytes bounds the file (0:
 * no bound). NULL with a message in err.
 */
struct mt_recorder *mt_recorder_open(const char *path, bool append,
				     uint64_t max_bytes, unsigned page_size,
				     unsigned pmd_order, char *err,
				     size_t errlen);
/* Write s as the next frame. Returns the state after it; a message in
 * err when it becomes FULL or FAILED. */
enum mt_rec_state mt_recorder_write(struct mt_recorder *r,
				    const struct mt_snapshot *s, char *err,
				    size_t errlen);
enum mt_rec_state mt_recorder_state(const struct mt_recorder *r);
uint64_t mt_recorder_bytes(const struct mt_recorder *r); /* file size */
size_t mt_recorder_frames(const struct mt_recorder *r);  /* this run's */
void mt_recorder_close(struct mt_recorder *r);

/* ---- reading (replay.c) --------------------------------------------- */

struct mt_replay;
/* Open and index a recording: every frame up to the first damaged one.
 * NULL with a message in err when it is not a recording at all. */
struct mt_replay *mt_replay_open(const char *path, char *err, size_t errlen);
void mt_replay_close(struct mt_replay *r);
const struct mt_rec_info *mt_replay_info(const struct mt_replay *r);
size_t mt_replay_count(const struct mt_replay *r);
/* CLOCK_REALTIME ns of frame i's scan. */
uint64_t mt_replay_time_ns(const struct mt_replay *r, size_t i);
/* The frame at or before t (the first when t is earlier). */
size_t mt_replay_find(const struct mt_replay *r, uint64_t t_ns);
/* Frame i as a snapshot (one reference), or NULL when it cannot be
 * decoded: then the recording ends before it, and mt_replay_damage()
 * says why. */
struct mt_snapshot *mt_replay_get(struct mt_replay *r, size_t i);
/* One line on where the recording is damaged, or NULL when it is whole. */
const char *mt_replay_damage(const struct mt_replay *r);

/* Parse a --begin/--diff moment: "HH:MM[:SS]" (the recording's first
 * day, local time), "YYYY-MM-DD HH:MM[:SS]", "+SECONDS" after the first
 * frame, "-SECONDS" before the last, "#N" the N-th frame (from 1), or
 * "@EPOCH" seconds. Returns the frame, or -1 with a message. */
long mt_replay_moment(const struct mt_replay *r, const char *s, char *err,
		      size_t errlen);

#endif
