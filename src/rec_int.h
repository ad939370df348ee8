/*
 * rec_int.h - the recording file's layout, shared by its writer
 * (record.c) and reader (replay.c). See record.c for the layout.
 */
#ifndef MEMTOP_REC_INT_H
#define MEMTOP_REC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "memtop/record.h"

#define MT_REC_MAGIC "MEMTOPREC\n"
#define MT_REC_MAGIC_LEN 10
#define MT_REC_FRAME_MAGIC 0x3146544du /* "MTF1" */
#define MT_REC_FRAME_HDR 28
#define MT_REC_KEY 1
#define MT_REC_DELTA 2
/* No frame's encoding is larger (a guard for damaged lengths). */
#define MT_REC_FRAME_MAX (UINT32_C(1) << 30)

void mt_rec_put32(unsigned char *p, uint32_t v);
uint32_t mt_rec_get32(const unsigned char *p);

/* One frame found by mt_rec_scan_fd. */
struct mt_rec_frame {
	uint64_t off;        /* of its header */
	uint32_t zlen, rawlen;
	uint64_t time_ns;
	unsigned char kind;
};
struct mt_rec_index {
	struct mt_rec_frame *f;
	size_t n, cap;
};

/*
 * Read the header of the recording open on fd into info, then check
 * every frame (its length and CRC): their places go to idx (may be
 * NULL), *good becomes the offset after the last whole frame. Returns
 * 0, or 1 when it stops at damage (why says where and what; *torn when
 * it is only a last frame cut short, as a crash leaves it), or -1 when
 * the file is no recording of this format (why says so).
 */
int mt_rec_scan_fd(int fd, struct mt_rec_info *info,
		   struct mt_rec_index *idx, uint64_t *good, bool *torn,
		   char *why, size_t whylen);

#endif
