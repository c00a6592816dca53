// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* hitlog.c - the fast path's hits in the query log; see hitlog.h. */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/epoll.h>
#include "answer.h"
#include "client.h"
#include "entry.h"
#include "hitlog.h"
#include "log.h"
#include "querylog.h"

static void hit_client(const struct bpfdns_hit *hit, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (hit->family == BPFDNS_AF_INET) {
		struct sockaddr_in *s = (void *)ss;

		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, hit->addr, 4);
		s->sin_port = htons(hit->port);
	} else {
		struct sockaddr_in6 *s = (void *)ss;

		s->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, hit->addr, 16);
		s->sin6_port = htons(hit->port);
	}
}

/* Where a local entry came from, as the daemon's own answer would say. */
static const char *local_source(const struct hitlog *hl, const struct bpfdns_hit *hit)
{
	struct hosts_answer ha;

	if (hosts_lookup(*hl->hosts, hit->name, hit->name_len, hit->qtype, &ha) && ha.source)
		return ha.source;
	return "config";
}

/* The lines of one hit: its query, and the entry it was answered from (if
 * still there: it may have gone since). */
static void on_hit(void *ctx, const struct bpfdns_hit *hit)
{
	struct hitlog *hl = ctx;
	uint8_t query[DNS_HDR_LEN + BPFDNS_NAME_MAX + 4 + DNS_OPT_LEN], out[MSG_MAX];
	struct sockaddr_storage client;
	struct client_query cq;
	struct dns_question q;
	struct entry e;
	struct bpfdns_question key;
	struct qlog_tag tag;
	size_t qlen, n;

	if (hit->name_len < 1 || hit->name_len > DNS_NAME_MAX)
		return;
	hit_client(hit, &client);
	tag = qlog_tag(hl->cfg->log_queries, &client);
	qlog_query(&tag, hit->name, hit->name_len, hit->qtype);
	if (entry_key(&key, hit->name, hit->name_len, hit->qtype, hit->flags) || fastpath_lookup(hl->fp, &key, &e))
		return;
	qlen = entry_key_query(&key, hl->cfg->edns_packet_max, query, &q);
	memcpy(query + DNS_HDR_LEN, hit->name, hit->name_len); /* the client's case */
	if (query_parse(query, qlen, &cq))
		return;
	n = answer_from_entry(query, &cq, &e, fastpath_now_ns(), hl->cfg->edns_packet_max, sizeof(out), out,
			      sizeof(out));
	qlog_answer(&tag, e.flags & BPFDNS_ENTRY_LOCAL ? local_source(hl, hit) : "cached", out, n);
}

void hitlog_poll(struct hitlog *hl)
{
	if (hl->fp)
		fastpath_hits_poll(hl->fp);
}

static void on_ready(struct ev *ev, uint32_t events)
{
	(void)events;
	hitlog_poll((struct hitlog *)((char *)ev - offsetof(struct hitlog, ev)));
}

int hitlog_open(struct hitlog *hl, struct fastpath *fp, const struct config *cfg, struct hosts *const *hosts,
		int epfd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &hl->ev };
	int fd, err;

	*hl = (struct hitlog){ .ev = { .fn = on_ready, .background = 1 }, .fp = fp, .cfg = cfg, .hosts = hosts };
	fd = fastpath_hits_open(fp, on_hit, hl);
	if (fd < 0)
		return fd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)) {
		err = -errno;
		pr_err("epoll: %s", strerror(-err));
		return err;
	}
	return 0;
}
