/*
 * prometheus.h - the snapshot in the Prometheus text exposition format
 * (version 0.0.4), for scraping or for node_exporter's textfile collector.
 *
 * Cardinality stays bounded: only the top_n processes by present memory
 * (kernel threads and processes without present pages never) get
 * per-process series, labelled {pid, comm}, and only the top_n cgroups by
 * the present memory of all their scanned processes get per-cgroup
 * series, labelled {cgroup}; everything else is a system total. A view that is unavailable (no privilege) has no series at all,
 * and memtop_privileged{view} says so; it is never reported as zeros.
 *
 * Families (gauges unless the name ends in _total):
 *   memtop_info{version}, memtop_page_size_bytes, memtop_pmd_order,
 *   memtop_max_order, memtop_scan_seconds, memtop_scan_timestamp_seconds,
 *   memtop_pagemap_scan, memtop_privileged{view},
 *   memtop_processes{state}, memtop_scan_errors, memtop_maps_lines_skipped,
 *   memtop_present_bytes, memtop_swapped_bytes, memtop_zero_page_bytes,
 *   memtop_pmd_slots{state}, memtop_pmd_mapped_bytes,
 *   memtop_collapsible_bytes, memtop_khugepaged_collapsible_bytes,
 *   memtop_block_bytes{view,order}, memtop_pmd_block_bytes{view},
 *   memtop_thp_bytes{kind,mapping}, memtop_thp_pte_bytes{kind,mapping,order},
 *   memtop_thp_node_bytes{node},
 *   memtop_process_info{pid,comm,user,cgroup}, memtop_process_present_bytes,
 *   memtop_process_swapped_bytes, memtop_process_zero_page_bytes,
 *   memtop_process_pmd_slots{state}, memtop_process_pmd_mapped_bytes,
 *   memtop_process_collapsible_bytes,
 *   memtop_process_block_bytes{view,order},
 *   memtop_process_pmd_block_bytes{view},
 *   memtop_process_thp_bytes{kind,mapping},
 *   memtop_process_thp_node_bytes{node},
 *   memtop_cgroup_processes{cgroup}, memtop_cgroup_present_bytes{cgroup},
 *   memtop_cgroup_pmd_mapped_bytes{cgroup},
 * and from the system state, when the scan read it:
 *   memtop_thp_info{enabled,defrag,shmem_enabled},
 *   memtop_mthp_info{size,enabled,shmem_enabled},
 *   memtop_mthp_events_total{size,event}, memtop_mthp_folios{size,stat},
 *   memtop_vmstat_events_total{event}, memtop_vmstat_nr{item},
 *   memtop_khugepaged_pages_collapsed_total,
 *   memtop_khugepaged_full_scans_total,
 *   memtop_free_bytes, memtop_free_pmd_bytes.
 *
 * view is "present" or "mappable"; kind "anon" or "file"; mapping "pmd",
 * "pte_aligned", "pte_unaligned" or "partial" (the tools/mm/thpmaps
 * categories); order a block or folio order as a decimal string; state
 * of a PMD slot "total", "full", "partial" or "mapped" (mapped, and the
 * PMD-mapped and collapsible bytes, only when the scan could tell).
 */
#ifndef MEMTOP_PROMETHEUS_H
#define MEMTOP_PROMETHEUS_H

#include <stddef.h>
#include <stdio.h>
#include "memtop/snapshot.h"
#include "memtop/util.h"

#define MT_PROM_TOP_DEFAULT 20

/* Write one complete exposition of s to f. Write errors show in ferror(f). */
void mt_output_prometheus(FILE *f, const struct mt_snapshot *s,
			  unsigned top_n);

/*
 * Append s[0..n) as the inside of a label value (no quotes): untrusted
 * bytes are first made visible with mt_escape_visible() (UTF-8 kept, any
 * control byte or invalid UTF-8 as \xHH), then backslash, double quote and
 * newline are escaped as the exposition format requires.
 */
void mt_prom_escape_label(struct mt_buf *b, const char *s, size_t n);

#endif
