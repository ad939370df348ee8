/*
 * atomicfile.h - replacing a file so that readers see the old content or
 * the new one, never a mix or a truncated file.
 *
 * Used for the settings file and for --prometheus-file, which
 * node_exporter's textfile collector may read at any moment.
 */
#ifndef MEMTOP_ATOMICFILE_H
#define MEMTOP_ATOMICFILE_H

#include <stdio.h>

/*
 * Write path atomically: writer(f, arg) fills a temporary file created in
 * the same directory (named ".BASENAME.XXXXXX", so a collector looking for
 * "*.prom" never picks it up), which is then flushed, fsync'ed and renamed
 * over path; the directory is fsync'ed last.
 *
 * A new file gets mode 0666 minus the umask; a file being replaced keeps
 * its mode. When path is a symbolic link, the file it points to is
 * replaced and the link stays.
 *
 * Returns 0, or -errno (nothing was changed and the temporary file is
 * gone). A write error inside writer (ferror on f) counts as a failure.
 * Nothing is printed.
 */
int mt_write_file_atomic(const char *path, void (*writer)(FILE *f, void *arg),
			 void *arg);

#endif
