/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * querylog.h - log-queries, in dnsmasq's lines, so that its users' greps
 * and log parsers keep working:
 *
 *     query[A] www.example.com from 127.0.0.1
 *     forwarded www.example.com to 192.0.2.53
 *     reply www.example.com is 192.0.2.1          (one line per record)
 *     reply www.example.com is <CNAME>            (then the target's lines)
 *     cached www.example.com is NXDOMAIN          (also NODATA-IPv4, -IPv6, NODATA)
 *     config blocked.example is NXDOMAIN          (address=, local=, ...)
 *     /etc/hosts router.lan is 192.168.1.1        (the file it came from)
 *     reply error is SERVFAIL                     (other RCODEs)
 *
 * log-queries=extra puts the query's serial number and the client's
 * address/port first ("7 127.0.0.1/40123 query[A] ..."), so that the lines
 * of one query can be told from another's. Names have no trailing dot.
 */
#ifndef BPFDNS_QUERYLOG_H
#define BPFDNS_QUERYLOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* config.log_queries */
#define QUERYLOG_OFF 0
#define QUERYLOG_ON 1
#define QUERYLOG_EXTRA 2

/* Whose lines: the query's serial and client (for extra). */
struct qlog_tag {
	int mode; /* QUERYLOG_* */
	uint32_t serial;
	const struct sockaddr_storage *client;
};

/* A new query's tag (the next serial), or a tag that logs nothing when
 * mode is QUERYLOG_OFF. */
struct qlog_tag qlog_tag(int mode, const struct sockaddr_storage *client);

/* "query[TYPE] NAME from IP" */
void qlog_query(const struct qlog_tag *t, const uint8_t *name, size_t len, uint16_t qtype);

/* "forwarded NAME to SERVER" (SERVER as "IP#port"; #53 left out, as dnsmasq does) */
void qlog_forwarded(const struct qlog_tag *t, const uint8_t *name, size_t len, const char *server);

/* The answer msg (len bytes) gave: "SOURCE NAME is ..." for each record of
 * the question's type along its CNAME chain, NXDOMAIN or NODATA when there
 * is none, "SOURCE error is RCODE" for other RCODEs. source: "reply",
 * "cached", "cached-stale", "config" or a hosts file's path. */
void qlog_answer(const struct qlog_tag *t, const char *source, const uint8_t *msg, size_t len);

/* "SOURCE error is RCODE": an answer made here without records (REFUSED,
 * SERVFAIL when no upstream answered). */
void qlog_error(const struct qlog_tag *t, const char *source, uint8_t rcode);

#endif /* BPFDNS_QUERYLOG_H */
