/*
 * ui.h - the interactive viewer (ncurses).
 *
 * main.c starts the scanner thread, then hands the terminal to
 * mt_ui_run(). The UI thread polls stdin, the model's wake fd and a
 * self-pipe for signals; it never waits for a scan. It draws the newest
 * published snapshot and sends its wishes (interval, pause, rescan, the
 * process whose smaps is wanted, quit) through mt_model_update_requests().
 * All curses calls live in src/ui/.
 */
#ifndef MEMTOP_UI_H
#define MEMTOP_UI_H

#include <stdbool.h>
#include <sys/types.h>
#include "memtop/model.h"
#include "memtop/snapshot.h"

struct mt_ui_opts {
	double interval_s;      /* -d: seconds between scans */
	bool interval_set;      /* -d was given (else memtoprc's interval) */
	bool no_color;          /* -C (NO_COLOR is read by the UI itself) */
	bool show_kthreads;     /* start with kernel threads shown */
	bool omit_file_backed;  /* start with file-backed VMAs left out */
	bool omit_unfaulted;    /* start with VMAs without present pages left out */
	enum mt_sort_key sort;  /* -s, when sort_set */
	bool sort_set;
	pid_t select_pid;       /* start with this process selected (0: none) */
	const pid_t *pids;      /* -p: the list is restricted to these (shown
				   in the header) */
	size_t npids;
	bool no_config;         /* --no-config: neither read nor write memtoprc */
	bool demo;              /* watching the --demo workloads */
	bool read_only;         /* --read-only: the C key never acts */
	const char *proc_root;  /* --proc-root: not live, the C key refuses */
	bool replay;            /* --replay: frames of a recording, not scans
				   (t T step, Space plays, m marks, = compares) */
	const char *host, *kernel; /* --replay: the recording's machine */
};

/*
 * The terminal check, before the scanner is started: stdin and stdout
 * are terminals and TERM describes one that can position the cursor.
 * Returns 0 when the viewer can run; else it has said why on stderr (one
 * message, whatever the reason) and returns the exit status (2). Touches
 * no terminal state.
 */
int mt_ui_check_terminal(void);

/*
 * Run the viewer until the user quits. The caller has checked the
 * terminal with mt_ui_check_terminal(); should curses still refuse it,
 * the same message and status come back from here. Returns the process
 * exit status. The scanner thread has been started by the caller, who
 * stops it after this returns.
 */
int mt_ui_run(struct mt_model *m, const struct mt_ui_opts *o);

#endif
