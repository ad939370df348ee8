/*
 * test_model.c - the model between scanner and UI under concurrency, and
 * the scanner thread's requests. Built with TSan by `make test`.
 */
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "memtop/model.h"
#include "memtop/scan.h"
#include "memtop/scanner.h"
#include "memtop/util.h"

#define PUBLISHES 20000
#define READERS 3

/* A snapshot whose content is derivable from its tag, so a reader can
 * tell a torn or freed snapshot from a good one. */
static struct mt_snapshot *tagged(uint64_t tag)
{
	struct mt_snapshot *s = mt_snapshot_new();
	s->nprocs = 4;
	s->procs = mt_arena_alloc(s->arena, s->nprocs * sizeof(*s->procs));
	for (size_t i = 0; i < s->nprocs; i++) {
		s->procs[i].pid = (pid_t)(tag * 4 + i);
		s->procs[i].present_pages = tag ^ 0x5a5a;
	}
	s->present_pages = tag;
	return s;
}

struct reader {
	struct mt_model *m;
	atomic_bool *stop;
	uint64_t seen, bad, last_gen;
	bool went_back;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	while (!atomic_load(r->stop)) {
		struct mt_snapshot *s = mt_model_acquire(r->m);
		if (!s)
			continue;
		uint64_t tag = s->present_pages;
		for (size_t i = 0; i < s->nprocs; i++)
			if (s->procs[i].pid != (pid_t)(tag * 4 + i) ||
			    s->procs[i].present_pages != (tag ^ 0x5a5a))
				r->bad++;
		if (s->generation < r->last_gen)
			r->went_back = true;
		r->last_gen = s->generation;
		r->seen++;
		mt_snapshot_unref(s);
	}
	return NULL;
}

static void test_publish_acquire_stress(void **state)
{
	struct mt_model *m = mt_model_new();
	atomic_bool stop;
	atomic_init(&stop, false);
	struct reader rd[READERS];
	pthread_t th[READERS];
	for (int i = 0; i < READERS; i++) {
		rd[i] = (struct reader){.m = m, .stop = &stop};
		assert_int_equal(pthread_create(&th[i], NULL, reader_main, &rd[i]), 0);
	}
	for (uint64_t t = 1; t <= PUBLISHES; t++)
		mt_model_publish(m, tagged(t));
	atomic_store(&stop, true);
	uint64_t total = 0;
	for (int i = 0; i < READERS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(rd[i].bad, 0);
		assert_false(rd[i].went_back);
		total += rd[i].seen;
	}
	assert_true(total > 0);
	assert_int_equal(mt_model_generation(m), PUBLISHES);
	struct mt_snapshot *last = mt_model_acquire(m);
	assert_non_null(last);
	assert_int_equal(last->present_pages, PUBLISHES);
	assert_int_equal(last->generation, PUBLISHES);
	mt_snapshot_unref(last);
	mt_model_free(m);
}

static void test_wake_fd(void **state)
{
	struct mt_model *m = mt_model_new();
	int fd = mt_model_wake_fd(m);
	assert_true(fd >= 0);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 0), 0);
	mt_model_publish(m, tagged(1));
	mt_model_publish(m, tagged(2));
	assert_int_equal(poll(&p, 1, 0), 1);
	mt_model_drain_wake(m);
	assert_int_equal(poll(&p, 1, 0), 0);
	mt_model_free(m);
}

static void set_interval(struct mt_requests *r, void *arg)
{
	r->interval_ms = *(uint64_t *)arg;
}

static void set_rescan(struct mt_requests *r, void *arg)
{
	r->rescan = true;
}

static void set_paused(struct mt_requests *r, void *arg)
{
	r->paused = *(bool *)arg;
}

static uint64_t wait_generation(struct mt_model *m, uint64_t above,
				uint64_t timeout_ms)
{
	uint64_t end = mt_now_ns() + timeout_ms * 1000000u;
	uint64_t g;
	while ((g = mt_model_generation(m)) <= above && mt_now_ns() < end)
		usleep(2000);
	return g;
}

/* The scanner thread over this machine's /proc (own process only). */
static void test_scanner_requests(void **state)
{
	char err[256];
	struct mt_scan_ctx *ctx = mt_scan_ctx_new(NULL, NULL, err, sizeof(err));
	assert_non_null(ctx);
	pid_t self = getpid();
	struct mt_scan_opts o = {.pids = &self, .npids = 1, .no_folios = true};
	struct mt_model *m = mt_model_new();
	uint64_t hour = 3600 * 1000;
	mt_model_update_requests(m, set_interval, &hour);
	struct mt_scanner *sc = mt_scanner_start(m, ctx, &o, NULL);
	assert_non_null(sc);

	/* the first scan is published without waiting */
	uint64_t g = wait_generation(m, 0, 5000);
	assert_true(g >= 1);
	struct mt_snapshot *s = mt_model_acquire(m);
	assert_int_equal(s->nprocs, 1);
	assert_int_equal(s->procs[0].pid, self);
	assert_true(s->procs[0].present_pages > 0);
	mt_snapshot_unref(s);

	/* an hour-long interval: nothing new unless asked */
	usleep(100000);
	assert_int_equal(mt_model_generation(m), g);
	mt_model_update_requests(m, set_rescan, NULL);
	uint64_t g2 = wait_generation(m, g, 5000);
	assert_true(g2 > g);

	/* short interval: scans keep coming; paused: they stop */
	uint64_t fast = 20;
	mt_model_update_requests(m, set_interval, &fast);
	uint64_t g3 = wait_generation(m, g2 + 2, 5000);
	assert_true(g3 > g2 + 2);
	bool yes = true;
	mt_model_update_requests(m, set_paused, &yes);
	usleep(100000); /* let a scan under way finish */
	uint64_t gp = mt_model_generation(m);
	usleep(200000);
	assert_int_equal(mt_model_generation(m), gp);

	/* quit is prompt */
	uint64_t t0 = mt_now_ns();
	mt_scanner_stop(sc);
	uint64_t took_ms = (mt_now_ns() - t0) / 1000000u;
	assert_true(took_ms < 100);
	mt_model_free(m);
	mt_scan_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_publish_acquire_stress),
		cmocka_unit_test(test_wake_fd),
		cmocka_unit_test(test_scanner_requests),
	};
	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
