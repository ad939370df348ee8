/*
 * ui_keys.h - what the keys do (keys.c): one table binds keys to action
 * functions and gives the help screen its lines. The loop hands every
 * key to ui_handle_key(). UI thread only.
 */
#ifndef MEMTOP_UI_KEYS_H
#define MEMTOP_UI_KEYS_H

#include "ui_int.h"

/* Reactions of key actions. */
enum {
	UI_R_NONE = 0,
	UI_R_REDRAW = 1,   /* draw again */
	UI_R_REFILTER = 2, /* filters or sort changed */
	UI_R_REBUILD = 4,  /* view or what is summed changed */
	UI_R_QUIT = 8,
};

/* Do what key means (a character when is_char, else a KEY_* code);
 * returns a reaction mask. */
int ui_handle_key(struct ui *u, int key, bool is_char);

/*
 * Key bindings: one table maps keys to action functions (which return a
 * reaction mask) and gives the help screen its lines.
 */
typedef int (*ui_action_fn)(struct ui *u, int key);
struct ui_binding {
	const char *keys;   /* as shown in help */
	const char *help;
	ui_action_fn fn;
	int codes[6];       /* characters or KEY_* codes, 0 terminated */
};
extern const struct ui_binding ui_bindings[];
extern const size_t ui_nbindings;

#endif
