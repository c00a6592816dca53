// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bpfdnsctl - look at and tend a running bpfdns: statistics from bpfdnsd's
 * control socket (or, without a daemon, from the pinned maps), the cache
 * straight from the pinned map (dump, lookup, flush), upstream health.
 *
 *   bpfdnsctl [--pin-path=DIR] [--control-socket=PATH] [--json] COMMAND
 *
 * Statistics come as the daemon's Prometheus exposition ("name{labels}
 * value" lines), which is parsed here into text or JSON.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpfdns.h"
#include "dns.h"
#include "entry.h"
#include "fastpath.h"
#include "flushspec.h"
#include "log.h"
#include "metric_names.h"
#include "pindir.h"
#include "rdata.h"

#define METRICS_MAX 4096
#define REPLY_MAX (1 << 20)

struct opts {
	const char *pin_path;
	const char *control;
	int json;
};

/* One line of the exposition: up to two label values, in order. */
struct metric {
	char name[64];
	char label[2][80];
	int n_labels;
	double value;
};

struct metrics {
	struct metric m[METRICS_MAX];
	int n;
	int from_daemon;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: bpfdnsctl [--pin-path=DIR] [--control-socket=PATH] [--json] COMMAND\n"
		   "       bpfdnsctl --version\n"
		   "(the options may come after the command too)\n\n"
		   "Commands:\n"
		   "  stats [--watch [--interval=S] [--count=N]]  counters; --watch: rates per second\n"
		   "  stats --reset                               counters, then every one from zero again\n"
		   "  upstreams                                   upstream health and latency\n"
		   "  dump                                        cached names, remaining TTL\n"
		   "  lookup NAME [TYPE]                          the cached answer for NAME (A)\n"
		   "  flush [--zone] [--negative] [NAME [TYPE]]   empty the cache, or drop NAME's entries (--zone: and\n"
		   "                                              all under it; TYPE: only those; --negative: only\n"
		   "                                              NXDOMAIN and NODATA answers)\n"
		   "  unload                                      with no bpfdnsd running: detach its hooks,\n"
		   "                                              remove its pins\n\n"
		   "Defaults: --pin-path=/sys/fs/bpf/bpfdns --control-socket=/run/bpfdnsd.sock\n");
}

/* --- the control socket ------------------------------------------------ */

/* Send cmd, read the whole answer into buf (NUL-terminated). 0 or -errno. */
static int control_ask(const char *path, const char *cmd, char *buf, size_t n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	size_t got = 0;
	ssize_t r;
	int fd, err = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || dprintf(fd, "%s\n", cmd) < 0) {
		err = -errno;
		goto out;
	}
	while (got + 1 < n && (r = recv(fd, buf + got, n - 1 - got, 0)) > 0)
		got += (size_t)r;
	if (r < 0)
		err = -errno;
out:
	buf[got] = '\0';
	close(fd);
	return err;
}

/* Parse 'name{a="x",b="y"} value' lines; comments skipped. */
static void metrics_parse(char *text, struct metrics *ms)
{
	for (char *line = strtok(text, "\n"); line && ms->n < METRICS_MAX; line = strtok(NULL, "\n")) {
		struct metric *m = &ms->m[ms->n];
		char *brace, *space = strrchr(line, ' ');

		if (line[0] == '#' || !space)
			continue;
		*space = '\0';
		memset(m, 0, sizeof(*m));
		m->value = strtod(space + 1, NULL);
		brace = strchr(line, '{');
		if (brace)
			*brace = '\0';
		snprintf(m->name, sizeof(m->name), "%s", line);
		for (char *q = brace ? brace + 1 : NULL; q && m->n_labels < 2 && (q = strchr(q, '"'));) {
			char *close = strchr(q + 1, '"');

			if (!close)
				break;
			snprintf(m->label[m->n_labels++], sizeof(m->label[0]), "%.*s", (int)(close - q - 1), q + 1);
			q = close + 1;
		}
		ms->n++;
	}
}

/* --- the pinned maps ------------------------------------------------- */

/* A pinned map, read-only unless write: what bpfdnsd's control-group=
 * may open too (kernel 6.5 on); the rest is root's. */
static int pin_open(const struct opts *o, const char *map, int write)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = write ? 0 : BPF_F_RDONLY);
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", o->pin_path, map);
	fd = bpf_obj_get_opts(path, &opts);
	if (fd >= 0)
		return fd;
	fd = -errno;
	if (fd == -EACCES || fd == -EPERM)
		fprintf(stderr, "bpfdnsctl: cannot open %s: %s (%s)\n", path, strerror(-fd),
			write ? "changing the cache takes root" : "root, or a member of bpfdnsd's control-group=");
	else
		fprintf(stderr, "bpfdnsctl: no pinned map at %s: %s (is bpfdnsd running? it pins its maps "
				"under pin-path= at start)\n", path, strerror(-fd));
	return fd;
}

/* The cache's maps, after checking that their layout is the one we know:
 * 0 or -errno. */
static int cache_open(const struct opts *o, struct cache_maps *m, int write)
{
	int fd = pin_open(o, "layout", write), same; /* write: the error says who may */
	__u32 version;

	if (fd < 0)
		return fd;
	same = fastpath_layout_fd(fd, &version);
	close(fd);
	if (!same && !version) {
		fprintf(stderr, "bpfdnsctl: the maps in %s have a layout this bpfdnsctl cannot read (it reads version "
				"%u): use the bpfdnsctl of the running bpfdnsd\n",
			o->pin_path, BPFDNS_LAYOUT_VERSION);
		return -EPROTO;
	}
	if (!same) {
		fprintf(stderr, "bpfdnsctl: the maps in %s have layout version %u, this bpfdnsctl reads %u: "
				"use the bpfdnsctl of the running bpfdnsd\n",
			o->pin_path, version, BPFDNS_LAYOUT_VERSION);
		return -EPROTO;
	}
	m->fd = pin_open(o, "cache", write);
	if (m->fd < 0)
		return m->fd;
	m->big_fd = pin_open(o, "cache_big", write);
	if (m->big_fd < 0) {
		close(m->fd);
		return m->big_fd;
	}
	return 0;
}

static void cache_close(struct cache_maps *m)
{
	close(m->big_fd);
	close(m->fd);
}

static void metric_add(struct metrics *ms, const char *name, const char *l0, const char *l1, double v)
{
	struct metric *m = &ms->m[ms->n++];

	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	if (l0)
		snprintf(m->label[m->n_labels++], sizeof(m->label[0]), "%s", l0);
	if (l0 && l1)
		snprintf(m->label[m->n_labels++], sizeof(m->label[0]), "%s", l1);
	m->value = v;
}

/* Without a daemon: what the maps alone tell. */
static int metrics_from_maps(const struct opts *o, struct metrics *ms)
{
	struct bpfdns_counters sum;
	struct bpf_map_info info = { 0 };
	__u32 ilen = sizeof(info);
	struct cache_maps cm;
	int fd, err;

	err = cache_open(o, &cm, 0);
	if (err)
		return err;
	fd = pin_open(o, "counters", 0);
	err = fd < 0 ? fd : fastpath_counters_fd(fd, libbpf_num_possible_cpus(), -1, &sum);
	if (!err && bpf_obj_get_info_by_fd(cm.fd, &info, &ilen))
		err = -errno;
	if (!err) {
		for (size_t i = 0; i < fastpath_n_outcomes; i++)
			metric_add(ms, METRIC_KERNEL_PACKETS, fastpath_outcomes[i].name, NULL,
				   (double)*(const __u64 *)((const char *)&sum + fastpath_outcomes[i].off));
		metric_add(ms, METRIC_KERNEL_PREFETCH, NULL, NULL, (double)sum.prefetch);
		metric_add(ms, METRIC_KERNEL_LOG_LOST, NULL, NULL, (double)sum.log_lost);
		metric_add(ms, METRIC_CACHE_ENTRIES, NULL, NULL, cachemap_count(&cm, (int)info.max_entries));
		metric_add(ms, METRIC_CACHE_SIZE, NULL, NULL, info.max_entries);
		metric_add(ms, METRIC_CACHE_HITS, "kernel", NULL, (double)sum.hit);
		metric_add(ms, METRIC_ANSWERS, "kernel", "NOERROR", (double)sum.hit_noerror);
		metric_add(ms, METRIC_ANSWERS, "kernel", "NXDOMAIN", (double)sum.hit_nxdomain);
	}
	if (fd >= 0)
		close(fd);
	cache_close(&cm);
	return err;
}

/* Statistics from the daemon, or else from the maps. */
static int metrics_get(const struct opts *o, struct metrics *ms)
{
	char *buf = malloc(REPLY_MAX);
	int err;

	if (!buf)
		return -ENOMEM;
	ms->n = 0;
	err = control_ask(o->control, "stats", buf, REPLY_MAX);
	ms->from_daemon = !err && !strncmp(buf, "# HELP", 6);
	if (ms->from_daemon)
		metrics_parse(buf, ms);
	free(buf);
	if (ms->from_daemon)
		return 0;
	err = metrics_from_maps(o, ms);
	if (err)
		fprintf(stderr, "bpfdnsctl: no bpfdnsd answers on %s either\n", o->control);
	return err;
}

static double mget(const struct metrics *ms, const char *name, const char *l0, const char *l1)
{
	for (int i = 0; i < ms->n; i++) {
		const struct metric *m = &ms->m[i];

		if (!strcmp(m->name, name) && (!l0 || !strcmp(m->label[0], l0)) && (!l1 || !strcmp(m->label[1], l1)))
			return m->value;
	}
	return 0;
}

/* --- output --------------------------------------------------------- */

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* Metrics as one JSON object: a name maps to its value, or, by its label
 * values, to objects (two levels at most). */
static void metrics_json(const struct metrics *ms)
{
	printf("{\"daemon\": %s", ms->from_daemon ? "true" : "false");
	for (int i = 0; i < ms->n; i++) {
		const struct metric *m = &ms->m[i];
		int first = i == 0 || strcmp(ms->m[i - 1].name, m->name);
		int last = i == ms->n - 1 || strcmp(ms->m[i + 1].name, m->name);
		int new_l0 = first || strcmp(ms->m[i - 1].label[0], m->label[0]);
		int end_l0 = last || strcmp(ms->m[i + 1].label[0], m->label[0]);

		if (first) {
			printf(", ");
			json_string(m->name);
			printf(": %s", m->n_labels ? "{" : "");
		}
		if (m->n_labels >= 1 && new_l0) {
			printf("%s", first ? "" : ", ");
			json_string(m->label[0]);
			printf(": %s", m->n_labels == 2 ? "{" : "");
		}
		if (m->n_labels == 2) {
			printf("%s", new_l0 ? "" : ", ");
			json_string(m->label[1]);
			printf(": ");
		}
		printf("%.9g", m->value);
		if (m->n_labels == 2 && end_l0)
			printf("}");
		if (m->n_labels && last)
			printf("}");
	}
	printf("}\n");
}

/* "  for: ., corp.example" (".": the default servers, every other name). */
static void upstream_domains(const struct metrics *ms, const char *u)
{
	const char *sep = "  for: ";

	for (int k = 0; k < ms->n; k++) {
		if (strcmp(ms->m[k].name, METRIC_UPSTREAM_DOMAIN) || strcmp(ms->m[k].label[0], u))
			continue;
		printf("%s%s", sep, ms->m[k].label[1][0] ? ms->m[k].label[1] : "(plain names)");
		sep = ", ";
	}
	putchar('\n');
}

static void upstreams_text(const struct metrics *ms)
{
	for (int i = 0; i < ms->n; i++) {
		const struct metric *m = &ms->m[i];
		const char *u = m->label[0], *state = "?";

		if (strcmp(m->name, METRIC_UPSTREAM_QUERIES))
			continue;
		for (int k = 0; k < ms->n; k++)
			if (!strcmp(ms->m[k].name, METRIC_UPSTREAM_STATE) && !strcmp(ms->m[k].label[0], u) &&
			    ms->m[k].value > 0)
				state = ms->m[k].label[1];
		printf("%-28s %-8s %10.0f queries %10.0f wins %8.0f failures %6.0f unwanted  p50 %.2f ms  p99 %.2f ms",
		       u, state, m->value, mget(ms, METRIC_UPSTREAM_WINS, u, NULL),
		       mget(ms, METRIC_UPSTREAM_FAILURES, u, NULL),
		       mget(ms, METRIC_UPSTREAM_UNWANTED, u, NULL),
		       mget(ms, METRIC_UPSTREAM_RTT, u, "0.5") * 1e3,
		       mget(ms, METRIC_UPSTREAM_RTT, u, "0.99") * 1e3);
		upstream_domains(ms, u);
	}
}

/* "hooks:     xdp on lo (auto), tc on veth0 (auto: a veth ...)" */
static void hooks_text(const struct metrics *ms)
{
	static const char *const hooks[] = { "xdp", "tc" };
	int n = 0;

	for (int i = 0; i < ms->n; i++) {
		const struct metric *m = &ms->m[i];
		const char *why = "";

		if (strcmp(m->name, METRIC_HOOK))
			continue;
		for (int k = 0; k < ms->n; k++)
			if (!strcmp(ms->m[k].name, METRIC_HOOK_WHY) && !strcmp(ms->m[k].label[0], m->label[0]))
				why = ms->m[k].label[1];
		printf("%s%s on %s (%s)", n++ ? ", " : "hooks:     ", m->label[1], m->label[0], why);
	}
	printf("%s", n ? "\n" : "hooks:     none\n");
	/* each hook's part of the kernel's counters */
	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		const char *h = hooks[i];

		printf("  %-8s hit %.0f, no_room %.0f, miss %.0f, not_ours %.0f\n", h,
		       mget(ms, METRIC_KERNEL_HOOK_PACKETS, h, "hit"), mget(ms, METRIC_KERNEL_HOOK_PACKETS, h, "no_room"),
		       mget(ms, METRIC_KERNEL_HOOK_PACKETS, h, "miss"), mget(ms, METRIC_KERNEL_HOOK_PACKETS, h, "not_ours"));
	}
}

/* "rcodes:    kernel NOERROR 10, NXDOMAIN 2; upstream NOERROR 5, SERVFAIL 1" (those seen) */
static void rcodes_text(const struct metrics *ms)
{
	const char *where = NULL;

	printf("rcodes:   ");
	for (int i = 0; i < ms->n; i++) {
		const struct metric *m = &ms->m[i];

		if (strcmp(m->name, METRIC_ANSWERS) || m->n_labels != 2 || m->value <= 0)
			continue;
		if (!where || strcmp(where, m->label[0]))
			printf("%s %s", where ? ";" : "", m->label[0]);
		else
			putchar(',');
		printf(" %s %.0f", m->label[1], m->value);
		where = m->label[0];
	}
	printf("%s\n", where ? "" : " none yet");
}

/* The bound of the histogram's first bucket holding q of its answers. */
static double bucket_quantile(const struct metrics *ms, double count, double q)
{
	for (int i = 0; i < ms->n; i++) {
		const struct metric *m = &ms->m[i];

		if (!strcmp(m->name, METRIC_ANSWER_SECONDS "_bucket") && m->value >= q * count)
			return strtod(m->label[0], NULL);
	}
	return 0;
}

/* "latency:  daemon answers (42): p50 <= 0.25 ms, p99 <= 50 ms, mean 3.1 ms" */
static void latency_text(const struct metrics *ms)
{
	double n = mget(ms, METRIC_ANSWER_SECONDS "_count", NULL, NULL);

	if (n <= 0) {
		printf("latency:   no daemon answers yet\n");
		return;
	}
	printf("latency:   daemon answers (%.0f): p50 <= %g ms, p99 <= %g ms, mean %.3g ms\n", n,
	       bucket_quantile(ms, n, 0.5) * 1e3, bucket_quantile(ms, n, 0.99) * 1e3,
	       mget(ms, METRIC_ANSWER_SECONDS "_sum", NULL, NULL) / n * 1e3);
}

static void stats_text(const struct opts *o, const struct metrics *ms)
{
	const char *k = METRIC_KERNEL_PACKETS;

	if (ms->from_daemon)
		printf("bpfdnsd:   answering (control socket %s)\n", o->control);
	else
		printf("bpfdnsd:   not answering on %s; the kernel's numbers only (maps in %s)\n", o->control,
		       o->pin_path);
	printf("cache:     %.0f of %.0f entries", mget(ms, METRIC_CACHE_ENTRIES, NULL, NULL),
	       mget(ms, METRIC_CACHE_SIZE, NULL, NULL));
	if (ms->from_daemon)
		printf(", %.0f insertions, %.0f evictions", mget(ms, METRIC_CACHE_INSERTIONS, NULL, NULL),
		       mget(ms, METRIC_CACHE_EVICTIONS, NULL, NULL));
	printf("\nanswers:   %.0f kernel hits", mget(ms, METRIC_CACHE_HITS, "kernel", NULL));
	if (ms->from_daemon)
		printf(", %.0f daemon hits, %.0f misses (%.0f shared a query in flight), %.0f dropped",
		       mget(ms, METRIC_CACHE_HITS, "daemon", NULL),
		       mget(ms, METRIC_CACHE_MISSES, NULL, NULL), mget(ms, METRIC_SHARED, NULL, NULL),
		       mget(ms, METRIC_DROPPED, NULL, NULL));
	printf("\nkernel:    hit %.0f, miss %.0f, expired %.0f, not_plain %.0f, too_big %.0f, no_room %.0f, "
	       "malformed %.0f, refused %.0f, denied %.0f, not_ours %.0f\n",
	       mget(ms, k, "hit", NULL), mget(ms, k, "miss", NULL), mget(ms, k, "expired", NULL),
	       mget(ms, k, "not_plain", NULL), mget(ms, k, "too_big", NULL), mget(ms, k, "no_room", NULL),
	       mget(ms, k, "malformed", NULL), mget(ms, k, "refused", NULL), mget(ms, k, "denied", NULL),
	       mget(ms, k, "not_ours", NULL));
	rcodes_text(ms);
	if (ms->from_daemon) {
		latency_text(ms);
		printf("access:    %.0f refused, %.0f denied\n", mget(ms, METRIC_REFUSED, NULL, NULL),
		       mget(ms, METRIC_DENIED, NULL, NULL));
		hooks_text(ms);
		upstreams_text(ms);
	}
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Rates per second between two samples, one line each. */
static int stats_watch(const struct opts *o, double interval, long count)
{
	static struct metrics a, b;
	struct metrics *prev = &a, *cur = &b, *t;
	struct timespec ts = { (time_t)interval, (long)((interval - (time_t)interval) * 1e9) };
	const char *k = METRIC_KERNEL_PACKETS;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (metrics_get(o, prev))
		return 1;
	if (!o->json)
		printf("%10s %10s %10s %10s %10s %10s\n", "kernel/s", "daemon/s", "miss/s", "expired/s", "passed/s",
		       "entries");
	for (long i = 0; !stop && (count <= 0 || i < count); i++) {
		double khit, dhit, miss, exp, passed;

		nanosleep(&ts, NULL);
		if (stop || metrics_get(o, cur))
			break;
#define RATE(...) ((mget(cur, __VA_ARGS__) - mget(prev, __VA_ARGS__)) / interval)
		khit = RATE(k, "hit", NULL);
		dhit = RATE(METRIC_CACHE_HITS, "daemon", NULL);
		miss = RATE(METRIC_CACHE_MISSES, NULL, NULL);
		exp = RATE(k, "expired", NULL);
		passed = RATE(k, "miss", NULL) + exp + RATE(k, "not_plain", NULL) + RATE(k, "too_big", NULL) +
			 RATE(k, "no_room", NULL) + RATE(k, "refused", NULL);
#undef RATE
		if (o->json)
			printf("{\"time\": %ld, \"kernel_hits\": %.1f, \"daemon_hits\": %.1f, \"misses\": %.1f, "
			       "\"expired\": %.1f, \"passed\": %.1f, \"entries\": %.0f}\n",
			       (long)time(NULL), khit, dhit, miss, exp, passed,
			       mget(cur, METRIC_CACHE_ENTRIES, NULL, NULL));
		else
			printf("%10.1f %10.1f %10.1f %10.1f %10.1f %10.0f\n", khit, dhit, miss, exp, passed,
			       mget(cur, METRIC_CACHE_ENTRIES, NULL, NULL));
		fflush(stdout);
		t = prev, prev = cur, cur = t;
	}
	return 0;
}

/* --- the cache ------------------------------------------------------ */

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One entry: a summary line, and with records, each record as dig shows it. */
static void entry_print(const struct opts *o, const struct bpfdns_question *k, const struct entry *e,
			int records, int *first)
{
	size_t nlen = entry_key_name_len(k), len, off;
	uint64_t now = boot_ns();
	long ttl = e->expire_ns > now ? (long)((e->expire_ns - now) / 1000000000ULL) : 0;
	char name[1024], tbuf[16], flags[16];
	const char *type = dns_type_name(k->qtype, tbuf, sizeof(tbuf));
	uint8_t msg[DNS_HDR_LEN + BPFDNS_NAME_MAX + 4 + BPFDNS_DATA_MAX] = { 0 };
	int nrr = e->ancount + e->nscount + e->arcount;

	dns_name_to_text(k->name, nlen, name, sizeof(name));
	snprintf(flags, sizeof(flags), "%s%s", k->flags & BPFDNS_KEY_DO ? " +do" : "",
		 k->flags & BPFDNS_KEY_CD ? " +cd" : "");
	if (o->json) {
		printf("%s{\"name\": ", *first ? "" : ",\n ");
		json_string(name);
		printf(", \"type\": \"%s\", \"class\": %u, \"do\": %s, \"cd\": %s, \"rcode\": \"%s\", \"ttl\": %ld, "
		       "\"expired\": %s, \"answer\": %u, \"authority\": %u, \"additional\": %u, \"bytes\": %u",
		       type, k->qclass, k->flags & BPFDNS_KEY_DO ? "true" : "false",
		       k->flags & BPFDNS_KEY_CD ? "true" : "false", dns_rcode_name(e->rcode & 0x0f), ttl,
		       e->expire_ns <= now ? "true" : "false", e->ancount, e->nscount, e->arcount, e->data_len);
	} else {
		printf("%-40s %-6s%s %-8s ttl %6ld%s  %u/%u/%u records\n", name, type, flags,
		       dns_rcode_name(e->rcode & 0x0f), ttl, e->expire_ns <= now ? " (expired)" : "", e->ancount,
		       e->nscount, e->arcount);
	}
	*first = 0;
	if (!records) {
		printf(o->json ? "}" : "");
		return;
	}
	/* the message the records were cut from: pointers in them point here */
	memcpy(msg + DNS_HDR_LEN, k->name, nlen);
	dns_put16(msg + DNS_HDR_LEN + nlen, k->qtype);
	dns_put16(msg + DNS_HDR_LEN + nlen + 2, k->qclass);
	off = DNS_HDR_LEN + nlen + 4;
	memcpy(msg + off, e->data, e->data_len < BPFDNS_DATA_MAX ? e->data_len : BPFDNS_DATA_MAX);
	len = off + e->data_len;
	printf(o->json ? ", \"records\": [" : "");
	for (int i = 0; i < nrr; i++) {
		struct dns_rr rr;
		uint8_t owner[DNS_NAME_MAX + 1];
		size_t olen, ooff;
		char otext[1024], rtext[1200];
		long age = (long)((now - e->stored_ns) / 1000000000ULL);

		ooff = off;
		if (dns_rr_read(msg, len, &off, &rr) || dns_name_read(msg, len, &ooff, owner, &olen))
			break;
		dns_name_to_text(owner, olen, otext, sizeof(otext));
		rdata_text(msg, len, &rr, rtext, sizeof(rtext));
		if (o->json) {
			printf("%s{\"name\": ", i ? ", " : "");
			json_string(otext);
			printf(", \"ttl\": %ld, \"type\": \"%s\", \"data\": ", (long)rr.ttl > age ? (long)rr.ttl - age : 0,
			       dns_type_name(rr.type, tbuf, sizeof(tbuf)));
			json_string(rtext);
			printf("}");
		} else {
			printf("    %-36s %6ld IN %-6s %s\n", otext, (long)rr.ttl > age ? (long)rr.ttl - age : 0,
			       dns_type_name(rr.type, tbuf, sizeof(tbuf)), rtext);
		}
	}
	printf(o->json ? "]}" : "");
}

/* Walk the cache; with name, only that name's keys. */
static int cache_walk(const struct opts *o, const uint8_t *name, size_t name_len, int qtype, int records)
{
	struct bpfdns_key key, next;
	struct bpfdns_question qn;
	struct cache_maps cm;
	struct entry e;
	int n = 0, first = 1;

	if (cache_open(o, &cm, 0))
		return -1;
	if (o->json)
		printf("[");
	for (void *prev = NULL; !bpf_map_get_next_key(cm.fd, prev, &next); prev = &key) {
		key = next;
		if ((name && name_len != key.name_len) || (qtype >= 0 && key.qtype != qtype))
			continue;
		if (cachemap_read(&cm, &key, &e, &qn) || (name && memcmp(qn.name, name, name_len)))
			continue;
		entry_print(o, &qn, &e, records, &first);
		n++;
	}
	if (o->json)
		printf("]\n");
	cache_close(&cm);
	return n;
}

static int cmd_lookup(const struct opts *o, const char *text, const char *type)
{
	uint8_t name[DNS_NAME_MAX + 1];
	int len = dns_name_from_text(text, name, sizeof(name));
	int qtype = type ? dns_type_from_text(type) : DNS_TYPE_A, n;

	if (len < 0 || qtype < 0) {
		fprintf(stderr, "bpfdnsctl: lookup: bad %s \"%s\"\n", len < 0 ? "name" : "type", len < 0 ? text : type);
		return 2;
	}
	dns_name_lower(name, (size_t)len);
	n = cache_walk(o, name, (size_t)len, qtype, 1);
	if (n == 0 && !o->json)
		printf("%s %s: not in the cache\n", text, type ? type : "A");
	return n < 0 ? 1 : n == 0 ? 3 : 0;
}

/* Through the daemon when it answers (its statistics then know), else
 * straight on the pinned map. */
/* flush [--zone] [--negative] [NAME [TYPE]] (flushspec.h): through the
 * daemon when it answers (its statistics then know), else straight on the
 * pinned maps. */
static int cmd_flush(struct opts *o, int argc, char **argv)
{
	char cmd[300] = "flush", reply[128], err[128], what[280] = "";
	struct flush_spec f;
	struct cache_maps cm;
	int n;

	if (flush_spec_parse(&f, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "bpfdnsctl: flush: %s\n", err);
		return 2;
	}
	for (int i = 0; i < argc; i++) {
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " %s", argv[i]);
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s", argv[i]);
	}
	if (!control_ask(o->control, cmd, reply, sizeof(reply))) {
		if (sscanf(reply, "flushed %d", &n) == 1)
			goto done;
		if (!strncmp(reply, "error: ", 7)) { /* root's alone, say */
			fprintf(stderr, "bpfdnsctl: flush: %s", reply + 7);
			return 1;
		}
	}
	if (cache_open(o, &cm, 1))
		return 1;
	n = cachemap_flush(&cm, &f);
	cache_close(&cm);
	if (n < 0) {
		fprintf(stderr, "bpfdnsctl: flush: %s\n", strerror(-n));
		return 1;
	}
done:
	if (o->json)
		printf("{\"flushed\": %d}\n", n);
	else
		printf("flushed %d entr%s%s%s\n", n, n == 1 ? "y" : "ies", argc ? " for" : "", what);
	return 0;
}

/* Every counter from zero again: through the daemon, or (none running)
 * the fast path's on the pins. */
static int stats_reset(const struct opts *o, const struct metrics *ms)
{
	char reply[64];
	int fd, err;

	if (ms->from_daemon) {
		if (control_ask(o->control, "reset", reply, sizeof(reply)))
			return -EIO;
		return strncmp(reply, "reset", 5) ? -EPERM : 0; /* root's alone */
	}
	fd = pin_open(o, "counters", 1);
	if (fd < 0)
		return fd;
	err = fastpath_counters_reset_fd(fd, libbpf_num_possible_cpus());
	close(fd);
	return err;
}

/* stats [--watch [--interval=S] [--count=N]] [--reset] */
static int cmd_stats(struct opts *o, int argc, char **argv)
{
	static struct metrics ms;
	double interval = 1;
	long count = 0;
	int watch = 0, reset = 0, err;

	for (int j = 0; j < argc; j++) {
		if (!strcmp(argv[j], "--watch"))
			watch = 1;
		else if (!strcmp(argv[j], "--reset"))
			reset = 1;
		else if (!strncmp(argv[j], "--interval=", 11) && (interval = atof(argv[j] + 11)) > 0)
			continue;
		else if (!strncmp(argv[j], "--count=", 8))
			count = atol(argv[j] + 8);
		else {
			fprintf(stderr, "bpfdnsctl: stats: unknown argument %s\n", argv[j]);
			return 2;
		}
	}
	if (watch && reset) {
		fprintf(stderr, "bpfdnsctl: stats: --reset with --watch would reset every second\n");
		return 2;
	}
	if (watch)
		return stats_watch(o, interval, count);
	if (metrics_get(o, &ms))
		return 1;
	if (o->json)
		metrics_json(&ms);
	else
		stats_text(o, &ms);
	/* as Unbound's stats: what was shown is what was reset */
	if (reset && (err = stats_reset(o, &ms))) {
		fprintf(stderr, "bpfdnsctl: stats --reset: %s\n",
			err == -EPERM ? "needs root (control-group= reads statistics only)" : strerror(-err));
		return 1;
	}
	return 0;
}

static int cmd_upstreams(struct opts *o, int argc, char **argv)
{
	static struct metrics ms;

	(void)argc;
	(void)argv;
	if (metrics_get(o, &ms))
		return 1;
	if (!ms.from_daemon) {
		fprintf(stderr, "bpfdnsctl: upstream health lives in bpfdnsd, which does not answer on %s\n",
			o->control);
		return 1;
	}
	if (o->json) {
		static struct metrics only = { .from_daemon = 1 };

		for (int k = 0; k < ms.n; k++)
			if (!strncmp(ms.m[k].name, METRIC_UPSTREAM_PREFIX, strlen(METRIC_UPSTREAM_PREFIX)))
				only.m[only.n++] = ms.m[k];
		metrics_json(&only);
	} else {
		upstreams_text(&ms);
	}
	return 0;
}

static int cmd_dump(struct opts *o, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cache_walk(o, NULL, 0, -1, 0) < 0;
}

static int cmd_lookup_args(struct opts *o, int argc, char **argv)
{
	return cmd_lookup(o, argv[0], argc == 2 ? argv[1] : NULL);
}

/* unload: what a daemon that is gone left, gone too: its hooks detached
 * (pindir_drop_orphans, as the next daemon would), its pins removed. */
static int cmd_unload(struct opts *o, int argc, char **argv)
{
	int lock, n = 0;
	struct dirent *d;
	DIR *dir;

	(void)argc;
	(void)argv;
	lock = pindir_lock(o->pin_path); /* says who holds it: a running daemon */
	if (lock < 0)
		return 1;
	pindir_drop_orphans(o->pin_path, NULL, 0);
	dir = opendir(o->pin_path);
	while (dir && (d = readdir(dir)))
		if (d->d_name[0] != '.' && !unlinkat(dirfd(dir), d->d_name, 0))
			n++;
	if (dir)
		closedir(dir);
	close(lock);
	if (rmdir(o->pin_path) && errno != ENOENT) {
		fprintf(stderr, "bpfdnsctl: unload: cannot remove %s: %s\n", o->pin_path, strerror(errno));
		return 1;
	}
	if (o->json)
		printf("{\"pins_removed\": %d}\n", n);
	else
		printf("unloaded: every hook detached, %d pins and %s removed\n", n, o->pin_path);
	return 0;
}

/* The commands: name, arguments taken (min, max; -1: any), handler. */
static const struct command {
	const char *name;
	int min_args, max_args;
	int (*fn)(struct opts *o, int argc, char **argv);
} commands[] = {
	{ "stats", 0, -1, cmd_stats },	     { "upstreams", 0, 0, cmd_upstreams }, { "dump", 0, 0, cmd_dump },
	{ "lookup", 1, 2, cmd_lookup_args }, { "flush", 0, FLUSH_WORDS_MAX, cmd_flush },
	{ "unload", 0, 0, cmd_unload },
};

/* An option every command takes, before or after its name; 0 when arg is not one. */
static int global_option(struct opts *o, const char *arg)
{
	if (!strncmp(arg, "--pin-path=", 11))
		o->pin_path = arg + 11;
	else if (!strncmp(arg, "--control-socket=", 17))
		o->control = arg + 17;
	else if (!strcmp(arg, "--json"))
		o->json = 1;
	else
		return 0;
	return 1;
}

int main(int argc, char **argv)
{
	struct opts o = { .pin_path = "/sys/fs/bpf/bpfdns", .control = "/run/bpfdnsd.sock" };
	int i, n = 0;

	/* libbpf's warnings through our log, which can hush the expected ones */
	log_route_libbpf(0);
	for (i = 1; i < argc && !strncmp(argv[i], "-", 1); i++) {
		if (global_option(&o, argv[i]))
			continue;
		if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("bpfdnsctl %s\n", BPFDNS_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "bpfdnsctl: unknown option %s\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	/* the command's own arguments, once the global options are taken out */
	for (int j = i + 1; j < argc; j++)
		if (!global_option(&o, argv[j]))
			argv[i + 1 + n++] = argv[j];
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
		const struct command *c = &commands[k];

		if (strcmp(argv[i], c->name))
			continue;
		if (n >= c->min_args && (c->max_args < 0 || n <= c->max_args))
			return c->fn(&o, n, argv + i + 1);
		break;
	}
	fprintf(stderr, "bpfdnsctl: unknown command or wrong arguments: %s\n", argv[i]);
	usage(stderr);
	return 2;
}
