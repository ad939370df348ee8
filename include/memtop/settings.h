/*
 * settings.h - the viewer's settings file (memtoprc), kept the way htop
 * keeps htoprc.
 *
 * Where: $MEMTOPRC, else $XDG_CONFIG_HOME/memtop/memtoprc (when that
 * variable holds an absolute path), else ~/.config/memtop/memtoprc.
 *
 * What: "key=value" lines; blank lines and lines starting with '#' or ';'
 * are ignored, spaces around keys and values too. A memtop settings file
 * has a "version=1" line. Unknown keys are ignored (a newer memtop may add
 * some); a bad value gives a warning and the default for that key only; a
 * file without a version line, or with a version this memtop does not
 * know, or that is not text, is somebody else's file: it gives a warning,
 * every setting keeps its default, and memtop will not write over it.
 *
 *   version=1
 *   sort=hist              hist pid rss pmd thp comm user swap
 *   sort_descending=1
 *   view=present           present mappable folios
 *   kernel_threads=0
 *   omit_file_backed=0
 *   omit_unfaulted_vmas=0
 *   interval=2             seconds, 0.01 to 86400
 *   histogram_pane=1       the histogram pane shown (b)
 *   histogram_counts=0     its bars by counts, not bytes (c)
 *   histogram_log=0        its bars on a log scale (L)
 *   command_line=1         COMMAND shows the command line, not the name (p)
 *   huge_rate_column=0     the HUGE/s column shown (D)
 *
 * Booleans read 0/1, true/false, yes/no, on/off. Nothing here prints:
 * problems come back as text for the caller to show.
 */
#ifndef MEMTOP_SETTINGS_H
#define MEMTOP_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include "memtop/snapshot.h"
#include "memtop/util.h"

#define MT_SETTINGS_VERSION 1
#define MT_SETTINGS_MAX_BYTES (64 * 1024) /* larger files are not ours */

enum mt_settings_view {
	MT_SETTINGS_VIEW_PRESENT = 0,
	MT_SETTINGS_VIEW_MAPPABLE = 1,
	MT_SETTINGS_VIEW_FOLIOS = 2,
	MT_SETTINGS_VIEW_COUNT
};

struct mt_settings {
	enum mt_sort_key sort;
	bool sort_desc;
	enum mt_settings_view view;
	bool show_kthreads;
	bool omit_file_backed;
	bool omit_unfaulted;
	double interval_s;
	bool show_hist;       /* histogram_pane */
	bool hist_counts;     /* histogram_counts */
	bool hist_log;        /* histogram_log */
	bool show_cmdline;    /* command_line */
	bool show_delta;      /* huge_rate_column */
	/* read_only=1: the viewer never acts (its C key is off), as with
	 * --read-only; set by hand, written back only when set */
	bool read_only;
};

/* What loading found. */
enum mt_settings_status {
	MT_SETTINGS_LOADED,   /* a memtop settings file, every value used */
	MT_SETTINGS_PARTIAL,  /* a memtop settings file; some values were
				 bad and kept their default (see warnings) */
	MT_SETTINGS_MISSING,  /* no file (or an empty one): defaults */
	MT_SETTINGS_FOREIGN,  /* not a memtop settings file, a newer version,
				 or unreadable: defaults, and do not save
				 over it */
};

/* sort hist, descending, view present, kernel threads hidden, nothing
 * omitted, 2 seconds, the histogram pane shown with linear bars of bytes,
 * command lines, no HUGE/s column. */
void mt_settings_defaults(struct mt_settings *s);

/*
 * The settings file's path from the given environment values (each may
 * be NULL or empty): memtoprc ($MEMTOPRC), xdg ($XDG_CONFIG_HOME, used
 * only when absolute), home ($HOME). Returns a malloc'd string, or NULL
 * when there is no home directory to put it in.
 */
char *mt_settings_path_from(const char *memtoprc, const char *xdg,
			    const char *home);
/* The same from the environment; without $HOME, the passwd entry's home
 * directory. */
char *mt_settings_path(void);

/*
 * Parse settings text (not NUL terminated; may hold anything). s starts
 * from the defaults. Each problem appends one line "ORIGIN:LINE: message\n"
 * (or "ORIGIN: message\n") to warn when warn is not NULL; at most a few
 * lines, then a count of the rest.
 */
enum mt_settings_status mt_settings_parse(const char *text, size_t len,
					  const char *origin,
					  struct mt_settings *s,
					  struct mt_buf *warn);

/* Read and parse the file at path; a missing file is MT_SETTINGS_MISSING
 * without a warning, an unreadable one FOREIGN with one. */
enum mt_settings_status mt_settings_load(const char *path,
					 struct mt_settings *s,
					 struct mt_buf *warn);

/* The file text for s (appended to out). */
void mt_settings_format(struct mt_buf *out, const struct mt_settings *s);

/* The text of a settings file that holds s, made from the file's text:
 * each line with a key memtop writes is kept as it is while it means what
 * s holds (a bad value means the default), else replaced by key=value;
 * comments, unknown keys (a newer memtop's) and lines memtop did not
 * understand are kept as they are; keys s sets away from the default that
 * the file lacks are added at the end. */
void mt_settings_update_text(struct mt_buf *out, const char *text,
			     size_t len, const struct mt_settings *s);

/*
 * Write s to path atomically (mt_write_file_atomic), creating missing
 * directories (mode 0700). An existing memtop settings file is updated
 * with mt_settings_update_text, so nothing memtop did not understand is
 * lost; a missing or empty one is written whole (mt_settings_format).
 * Refuses, with -EEXIST, to replace a file that loads as
 * MT_SETTINGS_FOREIGN. Returns 0 or -errno.
 */
int mt_settings_save(const char *path, const struct mt_settings *s);

#endif
