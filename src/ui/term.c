/*
 * term.c - the terminal: set-up and teardown of curses, the signals the
 * viewer catches and terminal resizes.
 *
 * mt_ui_check_terminal() is the one terminal check of memtop (main.c
 * calls it before starting the scanner): one message, one exit status.
 *
 * The signal handlers (SIGWINCH, SIGINT, SIGTERM, SIGHUP) only write the
 * signal number to a self-pipe; the loop polls its read end
 * (ui_term_signal_fd()) and calls ui_term_signals(). The pipe, the saved
 * handlers and the curses SCREEN are process-wide: one terminal, opened
 * once by ui_term_open() and closed by ui_term_close(), from the UI
 * thread.
 */
#include "ui_draw.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <unistd.h>

static int sig_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;
	if (write(sig_pipe[1], &c, 1) < 0) {
		/* pipe full: a wake-up is already pending */
	}
	errno = saved;
}

static const int caught[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP };
static struct sigaction saved_act[MT_ARRAY_SIZE(caught)];

static int install_signals(void)
{
	if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < MT_ARRAY_SIZE(caught); i++)
		sigaction(caught[i], &sa, &saved_act[i]);
	return 0;
}

static void restore_signals(void)
{
	for (size_t i = 0; i < MT_ARRAY_SIZE(caught); i++)
		sigaction(caught[i], &saved_act[i], NULL);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
}

static void on_resize(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
}

bool ui_term_signals(struct ui *u)
{
	unsigned char buf[64];
	ssize_t n;
	bool resized = false;
	while ((n = read(sig_pipe[0], buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == SIGWINCH) {
				resized = true;
			} else {
				u->exit_status = buf[i] == SIGINT ? 0 :
								    128 + buf[i];
				return true;
			}
		}
	}
	if (resized)
		on_resize();
	return false;
}

int ui_term_signal_fd(void)
{
	return sig_pipe[0];
}

static bool want_color(const struct mt_ui_opts *o)
{
	const char *nc = getenv("NO_COLOR");
	if (o->no_color || (nc && *nc))
		return false;
	return has_colors();
}

/* ---- the terminal check ---------------------------------------------- */

/* The one reason the viewer gives for not starting, and its status. */
#define TERM_REFUSED 2

static int refuse(void)
{
	const char *t = getenv("TERM");
	fprintf(stderr, "memtop: the viewer needs a terminal that can position "
			"the cursor (TERM=%s);\nuse -b or --json for batch "
			"output\n",
		t ? t : "");
	return TERM_REFUSED;
}

/* Whether the current terminal description can move the cursor (not
 * TERM=dumb or a printing terminal). */
static bool can_position(void)
{
	const char *cup = tigetstr("cup");
	return cup && cup != (char *)-1;
}

int mt_ui_check_terminal(void)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return refuse();
	/* the terminal description alone: nothing is written to it */
	int err = 0;
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK)
		return refuse();
	bool ok = can_position();
	del_curterm(cur_term);
	return ok ? 0 : refuse();
}

/* ---- set-up and teardown --------------------------------------------- */

static SCREEN *term_screen;

int ui_term_open(struct ui *u, const struct mt_ui_opts *o)
{
	/* Our handlers first: ncurses then leaves these signals alone. */
	if (install_signals() < 0) {
		perror("memtop: pipe");
		return 1;
	}
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	term_screen = newterm(NULL, stdout, stdin);
	if (!term_screen) {
		restore_signals();
		return refuse();
	}
	/* A terminal that cannot move the cursor would get a scrolling
	 * mess; mt_ui_check_terminal() turned those away already. */
	if (!can_position()) {
		endwin();
		delscreen(term_screen);
		term_screen = NULL;
		restore_signals();
		return refuse();
	}
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	u->color = want_color(o);
	ui_init_colors(u);
	mouseinterval(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED |
			  BUTTON5_PRESSED,
		  NULL);
	return 0;
}

void ui_term_close(void)
{
	endwin();
	delscreen(term_screen);
	term_screen = NULL;
	restore_signals();
}
