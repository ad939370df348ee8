/*
 * model.c - publish/acquire of snapshots and the UI's requests.
 *
 * One mutex guards the current snapshot pointer, the generation and the
 * requests. Publishing never waits for readers: a reader holds its own
 * reference, and the last unref frees the old snapshot wherever it is.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "memtop/model.h"
#include "memtop/util.h"

struct mt_model {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct mt_snapshot *cur;
	uint64_t generation;
	struct mt_requests req;
	atomic_bool cancel;
	int wake_fd;
	char status[256];
};

struct mt_model *mt_model_new(void)
{
	struct mt_model *m = xcalloc(1, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cond, &ca);
	pthread_condattr_destroy(&ca);
	m->req.interval_ms = 2000;
	m->req.cpu_limit = 0.10;
	atomic_init(&m->cancel, false);
	m->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return m;
}

void mt_model_free(struct mt_model *m)
{
	if (!m)
		return;
	mt_snapshot_unref(m->cur);
	if (m->wake_fd >= 0)
		close(m->wake_fd);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static void wake(struct mt_model *m)
{
	uint64_t one = 1;
	if (m->wake_fd >= 0 && write(m->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already set, the UI will wake */
	}
}

void mt_model_publish(struct mt_model *m, struct mt_snapshot *s)
{
	pthread_mutex_lock(&m->lock);
	struct mt_snapshot *old = m->cur;
	m->cur = s;
	s->generation = ++m->generation;
	pthread_mutex_unlock(&m->lock);
	mt_snapshot_unref(old);
	wake(m);
}

struct mt_snapshot *mt_model_acquire(struct mt_model *m)
{
	pthread_mutex_lock(&m->lock);
	struct mt_snapshot *s = m->cur;
	if (s)
		mt_snapshot_ref(s);
	pthread_mutex_unlock(&m->lock);
	return s;
}

uint64_t mt_model_generation(struct mt_model *m)
{
	pthread_mutex_lock(&m->lock);
	uint64_t g = m->generation;
	pthread_mutex_unlock(&m->lock);
	return g;
}

int mt_model_wake_fd(const struct mt_model *m)
{
	return m->wake_fd;
}

void mt_model_drain_wake(struct mt_model *m)
{
	uint64_t v;
	if (m->wake_fd >= 0 && read(m->wake_fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing pending */
	}
}

void mt_model_get_requests(struct mt_model *m, struct mt_requests *out)
{
	pthread_mutex_lock(&m->lock);
	*out = m->req;
	pthread_mutex_unlock(&m->lock);
}

void mt_model_update_requests(struct mt_model *m,
			      void (*fn)(struct mt_requests *r, void *arg),
			      void *arg)
{
	pthread_mutex_lock(&m->lock);
	fn(&m->req, arg);
	m->req.seq++;
	if (m->req.quit)
		atomic_store(&m->cancel, true);
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

void mt_model_wait(struct mt_model *m, uint64_t deadline_ns,
		   uint64_t seen_seq, struct mt_requests *out)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / 1000000000u),
		.tv_nsec = (long)(deadline_ns % 1000000000u),
	};
	pthread_mutex_lock(&m->lock);
	while (m->req.seq == seen_seq && !m->req.quit) {
		int r = deadline_ns == UINT64_MAX
				? pthread_cond_wait(&m->cond, &m->lock)
				: pthread_cond_timedwait(&m->cond, &m->lock, &ts);
		if (r == ETIMEDOUT)
			break;
	}
	*out = m->req;
	pthread_mutex_unlock(&m->lock);
}

atomic_bool *mt_model_cancel_flag(struct mt_model *m)
{
	return &m->cancel;
}

void mt_model_set_status(struct mt_model *m, const char *msg)
{
	pthread_mutex_lock(&m->lock);
	snprintf(m->status, sizeof(m->status), "%s", msg);
	pthread_mutex_unlock(&m->lock);
}

void mt_model_get_status(struct mt_model *m, char *buf, size_t len)
{
	pthread_mutex_lock(&m->lock);
	snprintf(buf, len, "%s", m->status);
	pthread_mutex_unlock(&m->lock);
}
