// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* control.c - the control socket and the metrics endpoint; see control.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "clock.h"
#include "control.h"
#include "flushspec.h"
#include "dns.h"
#include "log.h"
#include "upstream.h"

#define CTL_CONN_MAX 16	      /* clients at once, each of the control socket and metrics */
#define CTL_TIMEOUT_MS 2000   /* to send a whole request (an HTTP one too) */
#define CTL_OUT_MAX (1 << 20) /* the metrics of some thousand upstreams and domains */

struct ctl_conn {
	struct ev ev;
	struct control *ctl;
	struct ctl_conn *next;
	struct ctl_listener *l; /* whose slot it holds */
	int fd;
	int http;
	int root; /* the peer is root (or the daemon's first user): flush and reset are for it alone */
	uint64_t deadline_ms;
	size_t len;
	char in[1024];
};

/* The control socket: root's alone (0600), or with control-group= its
 * members' too (0660), who may read statistics (control_answer says what). */
static int listen_unix(const char *path, long gid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		pr_err("control-socket=%s: path too long (at most %zu bytes)", path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* a socket file nobody answers on is a dead daemon's: take it over */
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		pr_err("control-socket=%s: another bpfdnsd answers there (stop it, or give this one "
		       "its own control-socket= and pin-path=)", path);
		return -EADDRINUSE;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || (gid >= 0 && chown(path, (uid_t)-1, (gid_t)gid)) ||
	    chmod(path, gid >= 0 ? 0660 : 0600) || listen(fd, 16)) {
		err = -errno;
		pr_err("control-socket=%s: %s", path, strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

static int listen_tcp(const struct sockaddr_storage *ss)
{
	int fd, one = 1, err;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, addr_len(ss)) || listen(fd, 16)) {
		char text[80];

		err = -errno;
		addr_to_text(ss, text, sizeof(text));
		pr_err("metrics=%s: %s", text, strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

static void control_on_accept(struct ev *ev, uint32_t events);
static void control_on_conn(struct ev *ev, uint32_t events);

static int add_listener(struct control *ctl, int fd, int http)
{
	struct ctl_listener *l = &ctl->listeners[ctl->n];
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = l };

	*l = (struct ctl_listener){ .ev.fn = control_on_accept, .ctl = ctl, .fd = fd, .http = http };
	if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int err = -errno;

		close(fd);
		return err;
	}
	ctl->n++;
	return 0;
}

int control_open(struct control *ctl, const struct config *cfg, int epfd, struct cache *cache,
		 control_report_fn report, control_reset_fn reset, void *report_ctx)
{
	int fd, err;

	*ctl = (struct control){ .epfd = epfd, .cache = cache, .report = report, .reset = reset,
				 .report_ctx = report_ctx, .owner = geteuid() };

	if (cfg->control_socket[0]) {
		fd = listen_unix(cfg->control_socket, cfg->control_gid);
		if (fd < 0)
			return fd;
		if ((err = add_listener(ctl, fd, 0)))
			return err;
		ctl->path = cfg->control_socket;
	}
	if (cfg->metrics.ss_family) {
		char text[80];

		fd = listen_tcp(&cfg->metrics);
		if (fd < 0)
			return fd;
		if ((err = add_listener(ctl, fd, 1)))
			return err;
		addr_to_text(&cfg->metrics, text, sizeof(text));
		*strchr(text, '#') = '\0';
		pr_info(cfg->metrics.ss_family == AF_INET6 ? "metrics on http://[%s]:%u/metrics"
							   : "metrics on http://%s:%u/metrics",
			text, ntohs(((const struct sockaddr_in *)&cfg->metrics)->sin_port));
	}
	return 0;
}

/* Close it and give its slot back; the memory stays until conn_free. */
static void conn_shut(struct ctl_conn *c)
{
	if (c->fd < 0)
		return;
	close(c->fd); /* epoll forgets it with its last reference */
	c->fd = -1;
	c->l->n_conns--;
}

static void conn_free(struct control *ctl, struct ctl_conn *c)
{
	for (struct ctl_conn **pp = &ctl->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	conn_shut(c);
	free(c);
}

/* A free slot on l: when all are taken, the one whose request is most
 * overdue gives way, so slow clients of one kind starve no one (and never
 * the other listener's clients, which have their own slots). */
static void make_room(struct control *ctl, struct ctl_listener *l)
{
	struct ctl_conn *oldest = NULL;

	if (l->n_conns < CTL_CONN_MAX)
		return;
	for (struct ctl_conn *c = ctl->conns; c; c = c->next)
		if (c->l == l && c->fd >= 0 && (!oldest || c->deadline_ms < oldest->deadline_ms))
			oldest = c;
	/* only shut: an event of this epoll batch may still point at it;
	 * control_expire frees it between batches */
	if (oldest)
		conn_shut(oldest);
}

static void control_on_accept(struct ev *ev, uint32_t events)
{
	struct ctl_listener *l = (struct ctl_listener *)ev;
	struct control *ctl = l->ctl;

	(void)events;
	for (;;) {
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event eev = { .events = EPOLLIN };
		struct ucred cred = { .uid = (uid_t)-1 };
		socklen_t clen = sizeof(cred);
		struct ctl_conn *c;

		if (fd < 0)
			return;
		if (!l->http)
			getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen);
		make_room(ctl, l);
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		*c = (struct ctl_conn){ .ev.fn = control_on_conn, .ctl = ctl, .fd = fd, .http = l->http, .l = l,
					.root = cred.uid == 0 || cred.uid == ctl->owner,
					.deadline_ms = clock_now_ms() + CTL_TIMEOUT_MS, .next = ctl->conns };
		eev.data.ptr = c;
		if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, fd, &eev)) {
			pr_warn("epoll: %s; closing a control client", strerror(errno));
			close(fd);
			free(c);
			continue;
		}
		ctl->conns = c;
		l->n_conns++;
	}
}

/* "flush [--zone] [--negative] [NAME [TYPE]]" (flushspec.h): drop entries
 * here, so they are not counted as evictions. */
static size_t control_flush(struct control *ctl, const char *args, char *out, size_t n)
{
	char *words[FLUSH_WORDS_MAX + 1], *save = NULL, err[128], buf[512];
	struct flush_spec f;
	int argc = 0, gone;

	if (!cache_enabled(ctl->cache))
		return (size_t)snprintf(out, n, "error: no cache (cache-size=0)\n");
	snprintf(buf, sizeof(buf), "%s", args);
	for (char *w = strtok_r(buf, " ", &save); w && argc <= FLUSH_WORDS_MAX; w = strtok_r(NULL, " ", &save))
		words[argc++] = w;
	if (flush_spec_parse(&f, argc, words, err, sizeof(err)))
		return (size_t)snprintf(out, n, "error: %s\n", err);
	gone = cache_flush(ctl->cache, &f);
	if (gone < 0)
		return (size_t)snprintf(out, n, "error: %s\n", strerror(-gone));
	return (size_t)snprintf(out, n, "flushed %d\n", gone);
}

/* The answer to a control command line; root's alone may change anything. */
static size_t control_answer(struct control *ctl, const char *cmd, int root, char *out, size_t n)
{
	if (!strcmp(cmd, "stats"))
		return ctl->report(ctl->report_ctx, out, n);
	if (!strcmp(cmd, "ping"))
		return (size_t)snprintf(out, n, "pong\n");
	if (!root && (!strcmp(cmd, "reset") || !strncmp(cmd, "flush", 5)))
		return (size_t)snprintf(out, n, "error: %.5s needs root (control-group= reads statistics only)\n", cmd);
	if (!strcmp(cmd, "reset")) {
		ctl->reset(ctl->report_ctx);
		return (size_t)snprintf(out, n, "reset\n");
	}
	if (!strcmp(cmd, "flush") || !strncmp(cmd, "flush ", 6))
		return control_flush(ctl, cmd + 5, out, n);
	return (size_t)snprintf(out, n, "error: unknown command \"%.64s\" (stats, reset, flush ..., ping)\n", cmd);
}

/* The answer to an HTTP request: GET /metrics, or 404. */
/* The request line's method when it asks for the metrics ("/metrics" or
 * "/", any query string ignored, as scrapers add their own): HTTP_GET,
 * HTTP_HEAD, or 0. */
enum { HTTP_GET = 1, HTTP_HEAD };
static int http_metrics_request(const char *req)
{
	int head = !strncmp(req, "HEAD ", 5);
	const char *path = head ? req + 5 : !strncmp(req, "GET ", 4) ? req + 4 : NULL;
	size_t len = path ? strcspn(path, " ?") : 0;

	if (!path || !((len == 8 && !strncmp(path, "/metrics", 8)) || (len == 1 && path[0] == '/')))
		return 0;
	return head ? HTTP_HEAD : HTTP_GET;
}

static size_t http_answer(struct control *ctl, const char *req, char *out, size_t n)
{
	static const char head[] = "HTTP/1.1 %s\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
				   "Content-Length: %zu\r\nConnection: close\r\n\r\n";
	int method = http_metrics_request(req);
	char *body = malloc(CTL_OUT_MAX);
	size_t len, hlen;

	if (!body)
		return 0;
	if (method) {
		len = ctl->report(ctl->report_ctx, body, CTL_OUT_MAX);
		hlen = (size_t)snprintf(out, n, head, "200 OK", len);
	} else {
		len = (size_t)snprintf(body, CTL_OUT_MAX, "only GET and HEAD /metrics here\n");
		hlen = (size_t)snprintf(out, n, head, "404 Not Found", len);
	}
	if (method == HTTP_HEAD)
		len = 0; /* the length the body would have, and no body */
	if (hlen + len > n)
		len = n > hlen ? n - hlen : 0;
	memcpy(out + hlen, body, len);
	free(body);
	return hlen + len;
}

static void control_on_conn(struct ev *ev, uint32_t events)
{
	struct ctl_conn *c = (struct ctl_conn *)ev;
	struct control *ctl = c->ctl;
	char *end, *out;
	ssize_t r;
	size_t n;

	(void)events;
	if (c->fd < 0)
		return; /* shut for a newer client, freed after this batch */
	r = recv(c->fd, c->in + c->len, sizeof(c->in) - 1 - c->len, 0);
	if (r <= 0) {
		if (r == 0 || (errno != EAGAIN && errno != EINTR))
			conn_free(ctl, c);
		return;
	}
	c->len += (size_t)r;
	c->in[c->len] = '\0';
	end = strstr(c->in, c->http ? "\r\n\r\n" : "\n");
	if (!end) {
		if (c->len == sizeof(c->in) - 1)
			conn_free(ctl, c); /* too long to be a request */
		return;
	}
	*end = '\0';
	if (!c->http && end > c->in && end[-1] == '\r')
		end[-1] = '\0'; /* "stats\r\n" from a terminal client */
	out = malloc(CTL_OUT_MAX + 512);
	if (out) {
		n = c->http ? http_answer(ctl, c->in, out, CTL_OUT_MAX + 512)
			    : control_answer(ctl, c->in, c->root, out, CTL_OUT_MAX);
		/* a local reader's socket buffer takes it whole; if not, it is cut */
		if (send(c->fd, out, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			pr_debug("control: cannot answer: %s", strerror(errno));
		free(out);
	}
	conn_free(ctl, c);
}

void control_expire(struct control *ctl, uint64_t now_ms)
{
	struct ctl_conn *c = ctl->conns, *next;

	for (; c; c = next) {
		next = c->next;
		if (c->fd < 0 || now_ms >= c->deadline_ms)
			conn_free(ctl, c);
	}
}

void control_close(struct control *ctl)
{
	while (ctl->conns)
		conn_free(ctl, ctl->conns);
	for (int i = 0; i < ctl->n; i++)
		close(ctl->listeners[i].fd);
	ctl->n = 0;
	if (ctl->path)
		unlink(ctl->path);
	ctl->path = NULL;
}
