/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * leg.h - one attempt to one upstream: the query over a fresh connected
 * UDP socket (a fresh random source port and ID), or over TCP; the reply
 * read, matched to the query and checked whole. A leg knows nothing of
 * misses or clients: it reports how it ended through a callback, as
 * Unbound's outside_network does.
 *
 * On the way: a truncated reply is asked again over TCP; our question
 * with another ID (a guessed ID: a forgery) moves the leg and, for
 * UPSTREAM_TCP_ONLY_MS, every leg to that upstream to TCP, which an
 * off-path forger cannot answer.
 */
#ifndef BPFDNS_LEG_H
#define BPFDNS_LEG_H

#include <stddef.h>
#include <stdint.h>
#include "dns.h"
#include "ev.h"
#include "upstream.h"

enum leg_outcome {
	LEG_ANSWER, /* our ID and question, parses whole, NOERROR or NXDOMAIN */
	LEG_ERROR,  /* the same with another RCODE (SERVFAIL, REFUSED...): an answer, not a usable one */
	LEG_FAILED, /* none: ICMP error, reset, lying TCP, malformed, truncated over TCP too... */
};

struct leg;
/* How a leg ended; msg (len bytes, its question ending at qend) for
 * LEG_ANSWER and LEG_ERROR, valid during the call; rtt_us since it was
 * sent. The leg is still open: the callee closes it (leg_close). */
typedef void (*leg_done_fn)(struct leg *leg, enum leg_outcome out, const uint8_t *msg, size_t len, size_t qend,
			    uint32_t rtt_us);

enum leg_state { LEG_DONE, LEG_UDP, LEG_TCP_SEND, LEG_TCP_RECV };

struct leg {
	struct ev ev;
	leg_done_fn done;
	void *owner;	  /* the caller's */
	struct upstream *u;
	int epfd;
	int any_reply;	  /* a probe: any reply to our question is an answer, whole or not */
	uint8_t *query;	  /* the caller's; the leg writes its ID into it before sending */
	size_t qlen;
	const struct dns_question *q; /* what replies must match */
	int fd;		  /* -1 when done */
	enum leg_state state;
	uint16_t id;
	uint64_t sent_us; /* for its RTT */
	uint8_t *tcp;	  /* TCP: the length-prefixed query out, then the reply in */
	size_t tcp_len, tcp_done;
};

/*
 * Ask u with query (qlen bytes; its question q), events through epfd.
 * Returns 0, -errno for a failure of ours (no socket, no memory), or 1
 * when the upstream refused at once (connect or send failed: counted
 * against it by the caller). query and q must outlive the leg.
 */
int leg_start(struct leg *leg, int epfd, struct upstream *u, uint8_t *query, size_t qlen,
	      const struct dns_question *q, leg_done_fn done, void *owner);
/* Close it (idempotent); epoll forgets the socket with it. */
void leg_close(struct leg *leg);
static inline int leg_open(const struct leg *leg)
{
	return leg->fd >= 0;
}

/* 1 when one of the n legs asked u and is over (u answered, with an error
 * or not, or failed): asking u again for the same question is no use;
 * only a query still unanswered (lost, maybe) is worth asking again. */
int legs_heard_from(const struct leg *legs, int n, const struct upstream *u);

#endif /* BPFDNS_LEG_H */
