/*
 * units.h - byte counts as short text in binary units (4K, 2M, 1.5G), the
 * way every view of memtop prints sizes.
 *
 * Pure code: no allocation, no global state, safe from any thread.
 */
#ifndef MEMTOP_UNITS_H
#define MEMTOP_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Format a byte count as 4K, 2M, 1.5G ... into buf (len bytes, never
 * NULL; 16 is always enough) and return buf. Whole multiples and values
 * of 100 or more print without a decimal; below 1K the unit is B. */
const char *mt_fmt_size(char *buf, size_t len, uint64_t bytes);

#endif
