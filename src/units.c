/*
 * units.c - byte counts as short text in binary units.
 */
#include <stdio.h>

#include "memtop/units.h"

const char *mt_fmt_size(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "BKMGTPE";
	unsigned u = 0;
	uint64_t whole = bytes;
	while (whole >= 1024 && u < sizeof(units) - 2) {
		whole /= 1024;
		u++;
	}
	if (u == 0) {
		snprintf(buf, len, "%lluB", (unsigned long long)bytes);
		return buf;
	}
	double v = (double)bytes / (double)(UINT64_C(1) << (10 * u));
	if (bytes % (UINT64_C(1) << (10 * u)) == 0 || v >= 100)
		snprintf(buf, len, "%.0f%c", v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}
