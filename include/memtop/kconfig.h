/*
 * kconfig.h - the running kernel's build options, for rules that depend
 * on them (CONFIG_READ_ONLY_THP_FOR_FS). Read once: /boot/config-RELEASE
 * when the proc root is the real /proc, else PROC/config.gz
 * (CONFIG_IKCONFIG_PROC). Not known when neither can be read.
 */
#ifndef MEMTOP_KCONFIG_H
#define MEMTOP_KCONFIG_H

#include <stddef.h>

#include "memtop/procfs.h"
#include "memtop/util.h"

/* An option in .config text: "CONFIG_X=y" or "=m" yes, "# CONFIG_X is
 * not set" or absent no. */
enum mt_tri mt_kconfig_parse(const char *buf, size_t len, const char *name);

/* The option in the running kernel's configuration; unknown when it
 * cannot be read (*why, may be NULL, then says why). */
enum mt_tri mt_kconfig_get(const struct mt_procfs *pf, const char *name,
			   const char **why);

#endif
