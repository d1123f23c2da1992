/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labs/net.c: the network namespace.
 *
 * Two agents, each in a network namespace of its own: the lab process and a
 * "peer". The learner brings lo up, strings a veth pair between the two
 * namespaces, gives both ends an address and pings across. Nothing here ever
 * touches the host's namespace: the veth pair is born inside the lab's
 * namespace, and both ends vanish with the namespaces when the agents die.
 * A learner's own namespace (unshare(1) --net from `run`, `host ... &`, a
 * watched PID) may stand for the lab's side; the peer is always the agent. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LAB_IF "veth0"
#define PEER_IF "veth1"
#define LAB_ADDR "10.200.0.1"
#define PEER_ADDR "10.200.0.2"
#define PREFIX "30"

struct net_state {
	pid_t peer;
};

static pid_t peer_pid(struct nslab_host *h)
{
	struct net_state *st = h->lab_data;
	return st ? st->peer : 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_fd_ __attribute__((cleanup(close_fd)))

/* --- functions that run inside an agent (h->call) --- */

struct ifinfo {
	int index;       /* 0: no such interface in this namespace */
	unsigned flags;  /* IFF_* */
	char driver[32]; /* "veth", from the ethtool ioctl */
	char addrs[256]; /* IPv4 addresses, space separated */
};

/* arg: interface name. Sockets are made in the caller's network namespace,
 * so these ioctls answer for the agent's namespace, not the host's. */
static int fn_ifinfo(void *arg, char *out, size_t outlen)
{
	const char *name = arg;
	struct ifinfo info = {0};
	if (outlen < sizeof(info)) {
		errno = EINVAL;
		return -1;
	}
	_cleanup_fd_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	info.index = (int)if_nametoindex(name);
	if (info.index > 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		info.flags = (unsigned short)ifr.ifr_flags;
	struct ethtool_drvinfo drv = {.cmd = ETHTOOL_GDRVINFO};
	ifr.ifr_data = (void *)&drv;
	if (info.index > 0 && ioctl(fd, SIOCETHTOOL, &ifr) == 0)
		snprintf(info.driver, sizeof(info.driver), "%s", drv.driver);
	struct ifaddrs *ifa = NULL;
	if (getifaddrs(&ifa) == 0) {
		size_t len = 0;
		for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
			if (!p->ifa_addr || p->ifa_addr->sa_family != AF_INET ||
			    strcmp(p->ifa_name, name) != 0)
				continue;
			char a[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &((struct sockaddr_in *)p->ifa_addr)->sin_addr, a, sizeof(a));
			len += (size_t)snprintf(info.addrs + len, sizeof(info.addrs) - len, "%s ", a);
			if (len >= sizeof(info.addrs))
				break;
		}
		freeifaddrs(ifa);
	}
	memcpy(out, &info, sizeof(info));
	return 0;
}

/* Brings lo up the way ifconfig does: read the flags, add IFF_UP, write back. */
static int fn_lo_up(void *arg, char *out, size_t outlen)
{
	(void)arg;
	_cleanup_fd_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return -1;
	if (out)
		snprintf(out, outlen, "%d", fd);
	return 0;
}

/* A TCP connect to a port nobody listens on: a reset (ECONNREFUSED) proves
 * that the peer's kernel got the packet and answered, without touching the
 * ICMP counters the ping step looks at. */
static int fn_probe(void *arg, char *out, size_t outlen)
{
	const char *addr = arg;
	(void)out;
	(void)outlen;
	_cleanup_fd_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(9)};
	inet_pton(AF_INET, addr, &sin.sin_addr);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		return 1;
	if (errno == ECONNREFUSED)
		return 1;
	if (errno != EINPROGRESS)
		return -1;
	struct pollfd p = {fd, POLLOUT, 0};
	if (poll(&p, 1, 1000) <= 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	int err = 0;
	socklen_t len = sizeof(err);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err == 0 || err == ECONNREFUSED)
		return 1;
	errno = err;
	return -1;
}

static uint16_t icmp_sum(const void *data, size_t len)
{
	const uint16_t *w = data;
	uint32_t sum = 0;
	for (; len > 1; len -= 2)
		sum += *w++;
	if (len)
		sum += *(const uint8_t *)w;
	sum = (sum >> 16) + (sum & 0xffff);
	sum += sum >> 16;
	return (uint16_t)~sum;
}

static bool wait_reply(int fd, uint16_t id, uint16_t seq, int ms)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		int left = ms - (int)((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
		struct pollfd p = {fd, POLLIN, 0};
		if (left <= 0 || poll(&p, 1, left) <= 0)
			return false;
		char buf[1500];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < (ssize_t)sizeof(struct iphdr))
			continue;
		struct iphdr *ip = (struct iphdr *)buf;
		size_t hl = (size_t)ip->ihl * 4;
		if ((size_t)n < hl + sizeof(struct icmphdr))
			continue;
		struct icmphdr *ic = (struct icmphdr *)(buf + hl);
		if (ic->type == ICMP_ECHOREPLY && ic->un.echo.id == htons(id) &&
		    ic->un.echo.sequence == htons(seq))
			return true;
	}
}

/* ping -c 2 -W 1, by hand: a raw ICMP socket in the agent's namespace.
 * Returns the number of replies; out gets a one-line summary. */
static int fn_ping(void *arg, char *out, size_t outlen)
{
	const char *addr = arg;
	_cleanup_fd_ int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0)
		return -1;
	struct sockaddr_in sin = {.sin_family = AF_INET};
	inet_pton(AF_INET, addr, &sin.sin_addr);
	uint16_t id = (uint16_t)getpid();
	int got = 0;
	for (uint16_t seq = 1; seq <= 2; seq++) {
		struct {
			struct icmphdr h;
			char payload[56];
		} pkt = {0};
		pkt.h.type = ICMP_ECHO;
		pkt.h.un.echo.id = htons(id);
		pkt.h.un.echo.sequence = htons(seq);
		memset(pkt.payload, 'n', sizeof(pkt.payload));
		pkt.h.checksum = icmp_sum(&pkt, sizeof(pkt));
		if (sendto(fd, &pkt, sizeof(pkt), 0, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			return -1;
		if (wait_reply(fd, id, seq, 1000))
			got++;
	}
	if (out)
		snprintf(out, outlen, "2 packets transmitted, %d received", got);
	return got;
}

/* --- helpers on the host side --- */

static bool ifinfo(struct nslab_host *h, pid_t agent, const char *name, struct ifinfo *info)
{
	char buf[sizeof(struct ifinfo)];
	if (h->call(h, agent, fn_ifinfo, name, strlen(name) + 1, buf, sizeof(buf)) < 0) {
		h->missing(h, _("cannot look at the interfaces of process %d: %s"), (int)agent,
			   strerror(errno));
		return false;
	}
	memcpy(info, buf, sizeof(*info));
	return true;
}

static bool has_addr(const struct ifinfo *info, const char *addr)
{
	char want[INET_ADDRSTRLEN + 2];
	snprintf(want, sizeof(want), "%s ", addr);
	return strstr(info->addrs, want) != NULL;
}

/* Icmp InEchoReps of the namespace `pid` lives in: /proc/PID/net/snmp is
 * the per-namespace copy of the counters. -1 if unreadable. */
static long echo_replies(pid_t pid)
{
	char path[64], head[1024], vals[1024];
	snprintf(path, sizeof(path), "/proc/%d/net/snmp", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	long result = -1;
	while (fgets(head, sizeof(head), f)) {
		if (strncmp(head, "Icmp: ", 6) != 0 || !fgets(vals, sizeof(vals), f))
			continue;
		char *hs = NULL, *vs = NULL;
		char *hk = strtok_r(head, " \n", &hs), *vk = strtok_r(vals, " \n", &vs);
		for (; hk && vk; hk = strtok_r(NULL, " \n", &hs), vk = strtok_r(NULL, " \n", &vs))
			if (strcmp(hk, "InEchoReps") == 0)
				result = strtol(vk, NULL, 10);
		break;
	}
	fclose(f);
	return result;
}

static int run_quiet(struct nslab_host *h, pid_t agent, const char *cmd)
{
	char *out = NULL;
	int rc = h->run(h, agent, cmd, &out);
	if (rc != 0)
		h->error(h, _("`%s` failed (status %d): %s"), cmd, rc, out && *out ? out : _("no output"));
	free(out);
	return rc == 0 ? 0 : -1;
}

/* --- the learner's own network namespaces ---
 * `run unshare --net ... &`, `host ... &`, a second terminal's `unshare --net
 * bash` shown by `watch PID`: any subject other than the two agents whose
 * network namespace is not the host's may stand for the lab's side. Their
 * interfaces are read through nsenter(1) and ip(8); nothing is said about
 * them unless none has what a step wants. */

#define MAX_SUBJECTS 64

/* The inode of pid's network namespace, 0 if it cannot be read. */
static ino_t net_ino(pid_t pid)
{
	char path[64];
	struct stat st;
	return stat(nslab_proc_path(path, sizeof(path), pid, "ns/net"), &st) == 0 ? st.st_ino : 0;
}

/* One subject per namespace of its own; not the agents', where what `run
 * ... &` and `peer ... &` leave also lives. */
static unsigned learner_netns(struct nslab_host *h, pid_t *out, unsigned max)
{
	pid_t pids[MAX_SUBJECTS], main = h->main_pid(h), peer = peer_pid(h);
	ino_t inos[MAX_SUBJECTS + 2] = {net_ino(main), net_ino(peer)};
	unsigned ninos = 2, n = 0;
	long got = NSLAB_HOST_CAN(h, subjects) ? h->subjects(h, pids, MAX_SUBJECTS) : 0;
	for (long i = 0; i < got && i < MAX_SUBJECTS && n < max; i++) {
		if (pids[i] == main || pids[i] == peer || h->same_ns(h, pids[i], "net") != 0)
			continue;
		ino_t ino = net_ino(pids[i]);
		unsigned k = 0;
		while (ino && k < ninos && inos[k] != ino)
			k++;
		if (ino && k < ninos)
			continue;
		if (ino)
			inos[ninos++] = ino;
		out[n++] = pids[i];
	}
	return n;
}

/* "2: veth0@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ... veth ..." (ip -d -o
 * link) then "2: veth0    inet 10.200.0.1/30 ..." lines (ip -o -4 addr). */
static void parse_ip(const char *text, struct ifinfo *info)
{
	memset(info, 0, sizeof(*info));
	info->index = atoi(text);
	const char *lt = strchr(text, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt) {
		char flags[256];
		snprintf(flags, sizeof(flags), ",%.*s,", (int)(gt - lt - 1), lt + 1);
		if (strstr(flags, ",UP,"))
			info->flags |= IFF_UP;
	}
	/* the -d line names the link kind as a word of its own: "... veth addrgenmode ..." */
	char first[1024], *save = NULL;
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(text, "\n"), text);
	for (char *w = strtok_r(first, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		if (strcmp(w, "veth") == 0)
			snprintf(info->driver, sizeof(info->driver), "veth");
	size_t len = 0;
	for (const char *p = text; (p = strstr(p, " inet ")); p += 6) {
		int n = (int)strcspn(p + 6, "/ \n");
		len += (size_t)snprintf(info->addrs + len, sizeof(info->addrs) - len, "%.*s ", n, p + 6);
		if (len >= sizeof(info->addrs))
			break;
	}
}

static bool learner_ifinfo(struct nslab_host *h, pid_t pid, const char *name, struct ifinfo *info)
{
	char cmd[256], *out = NULL;
	snprintf(cmd, sizeof(cmd),
		 "nsenter --target %d --net sh -c 'ip -d -o link show %s && ip -o -4 addr show dev %s'",
		 (int)pid, name, name);
	int st = h->host_run(h, cmd, &out);
	if (st == 0 && out)
		parse_ip(out, info);
	else
		memset(info, 0, sizeof(*info));
	free(out);
	return st == 0;
}

/* The peer agent's interface, asked without a word when it cannot answer. */
static bool peer_end_ready(struct nslab_host *h, bool need_addr)
{
	char buf[sizeof(struct ifinfo)];
	struct ifinfo b;
	pid_t peer = peer_pid(h);
	if (!peer || h->call(h, peer, fn_ifinfo, PEER_IF, sizeof(PEER_IF), buf, sizeof(buf)) < 0)
		return false;
	memcpy(&b, buf, sizeof(b));
	return b.index && (!need_addr || (has_addr(&b, PEER_ADDR) && (b.flags & IFF_UP)));
}

enum learner_want { WANT_LO, WANT_VETH, WANT_ADDRS, WANT_PING };

/* A learner's namespace that has what the step wants: its PID, or 0. */
static pid_t learner_has(struct nslab_host *h, enum learner_want want)
{
	pid_t pids[MAX_SUBJECTS];
	unsigned n = learner_netns(h, pids, MAX_SUBJECTS);
	if (want != WANT_LO && (!n || !peer_end_ready(h, want != WANT_VETH)))
		return 0;
	for (unsigned i = 0; i < n; i++) {
		struct ifinfo a;
		if (want == WANT_LO) {
			if (learner_ifinfo(h, pids[i], "lo", &a) && (a.flags & IFF_UP))
				return pids[i];
			continue;
		}
		if (!learner_ifinfo(h, pids[i], LAB_IF, &a) || strcmp(a.driver, "veth") != 0)
			continue;
		if (want == WANT_VETH)
			return pids[i];
		if (!has_addr(&a, LAB_ADDR) || !(a.flags & IFF_UP))
			continue;
		if (want == WANT_ADDRS)
			return pids[i];
		/* a TCP connect to port 9: refused means the peer's stack answered */
		char cmd[192], *out = NULL;
		snprintf(cmd, sizeof(cmd),
			 "nsenter --target %d --net timeout 2 bash -c 'exec 3<>/dev/tcp/" PEER_ADDR
			 "/9' 2>&1",
			 (int)pids[i]);
		long replies = echo_replies(pids[i]);
		h->host_run(h, cmd, &out);
		bool answered = out && strstr(out, "refused");
		free(out);
		if (replies > 0 && answered)
			return pids[i];
	}
	return 0;
}

/* After the lab process's own words: that the learner's namespaces lack it too. */
static void learner_lacks(struct nslab_host *h, const char *what)
{
	pid_t pids[MAX_SUBJECTS];
	unsigned n = learner_netns(h, pids, MAX_SUBJECTS);
	if (n)
		h->missing(h, _("none of the lab's %u other network namespace(s) (PID %d%s) has %s either"),
			   n, (int)pids[0], n > 1 ? ", ..." : "", what);
}

/* --- step 1: lo --- */

static bool check_lo_main(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	if (h->same_ns(h, pid, "net") == 1) {
		h->missing(h, _("the lab process shares the host's network namespace"));
		return false;
	}
	struct ifinfo lo;
	if (!ifinfo(h, pid, "lo", &lo))
		return false;
	if (!(lo.flags & IFF_UP)) {
		h->missing(h, _("lo is down in the lab's network namespace: `run ip link set lo up`"));
		return false;
	}
	return true;
}

static bool check_lo(struct nslab_host *h)
{
	if (learner_has(h, WANT_LO) || check_lo_main(h))
		return true;
	learner_lacks(h, _("lo up"));
	return false;
}

static int do_lo(struct nslab_host *h)
{
	char out[32] = "";
	if (h->call(h, h->main_pid(h), fn_lo_up, NULL, 0, out, sizeof(out)) < 0) {
		h->error(h, _("cannot bring lo up: %s"), strerror(errno));
		return -1;
	}
	h->trace(h, "socket(AF_INET, SOCK_DGRAM, 0) = %s", out);
	h->trace(h, "ioctl(%s, SIOCGIFFLAGS, {ifr_name=\"lo\"}) = 0", out);
	h->trace(h, "ioctl(%s, SIOCSIFFLAGS, {ifr_name=\"lo\", ifr_flags=IFF_UP|IFF_LOOPBACK}) = 0", out);
	h->print(h, _("lo is up in the lab's network namespace; the host's lo was never touched.\n"));
	return 0;
}

/* --- step 2: veth pair --- */

static bool check_veth_main(struct nslab_host *h)
{
	struct ifinfo a, b;
	pid_t peer = peer_pid(h);
	if (!peer || !ifinfo(h, h->main_pid(h), LAB_IF, &a) || !ifinfo(h, peer, PEER_IF, &b))
		return false;
	bool ok = true;
	if (!a.index) {
		h->missing(h,
			   _("no " LAB_IF " in the lab's namespace: `run ip link add " LAB_IF
			     " type veth peer name " PEER_IF " netns %d`"),
			   (int)peer);
		ok = false;
	} else if (strcmp(a.driver, "veth") != 0) {
		h->missing(h, LAB_IF " in the lab is a \"%s\" device, not a veth", a.driver);
		ok = false;
	}
	if (a.index && !b.index) {
		struct ifinfo stray;
		if (ifinfo(h, h->main_pid(h), PEER_IF, &stray) && stray.index)
			h->missing(h,
				   PEER_IF " is still in the lab's namespace: `run ip link set " PEER_IF
					   " netns %d` moves it to the peer",
				   (int)peer);
		else
			h->missing(h, _("no " PEER_IF " in the peer's namespace (PID %d)"), (int)peer);
		ok = false;
	}
	return ok;
}

static bool check_veth(struct nslab_host *h)
{
	if (learner_has(h, WANT_VETH) || check_veth_main(h))
		return true;
	learner_lacks(h, _("a " LAB_IF " whose other end is in the peer"));
	return false;
}

static int do_veth(struct nslab_host *h)
{
	pid_t peer = peer_pid(h);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "ip link add " LAB_IF " type veth peer name " PEER_IF " netns %d",
		 (int)peer);
	if (run_quiet(h, 0, cmd) < 0)
		return -1;
	h->trace(h,
		 "sendmsg(NETLINK_ROUTE, RTM_NEWLINK {ifname=\"" LAB_IF "\", kind=\"veth\", "
		 "peer={ifname=\"" PEER_IF "\", IFLA_NET_NS_PID=%d}}) = 0   [ip link add]",
		 (int)peer);
	h->print(h, _("%s (in the lab) and %s (in the peer, PID %d) are two ends of one cable.\n"), LAB_IF,
		 PEER_IF, (int)peer);
	return 0;
}

/* --- step 3: addresses --- */

static bool check_end(struct nslab_host *h, pid_t agent, const char *who, const char *ifname,
		      const char *addr, const char *cmd)
{
	struct ifinfo info;
	if (!ifinfo(h, agent, ifname, &info))
		return false;
	bool ok = true;
	if (!info.index) {
		h->missing(h, _("no %s in the %s's namespace"), ifname, who);
		return false;
	}
	if (!has_addr(&info, addr)) {
		h->missing(h, _("%s in the %s has no address %s: `%s ip addr add %s/" PREFIX " dev %s`"),
			   ifname, who, addr, cmd, addr, ifname);
		ok = false;
	}
	if (!(info.flags & IFF_UP)) {
		h->missing(h, _("%s in the %s is down: `%s ip link set %s up`"), ifname, who, cmd, ifname);
		ok = false;
	}
	return ok;
}

static bool check_addrs(struct nslab_host *h)
{
	pid_t peer = peer_pid(h);
	if (learner_has(h, WANT_ADDRS))
		return true;
	bool a = check_end(h, h->main_pid(h), _("lab"), LAB_IF, LAB_ADDR, "run");
	bool b = peer && check_end(h, peer, _("peer"), PEER_IF, PEER_ADDR, "peer");
	if (!a)
		learner_lacks(h, _(LAB_IF " up with " LAB_ADDR));
	return a && b;
}

static int do_addrs(struct nslab_host *h)
{
	if (run_quiet(h, 0,
		      "ip addr replace " LAB_ADDR "/" PREFIX " dev " LAB_IF " && ip link set " LAB_IF
		      " up") < 0 ||
	    run_quiet(h, peer_pid(h),
		      "ip addr replace " PEER_ADDR "/" PREFIX " dev " PEER_IF " && ip link set " PEER_IF
		      " up") < 0)
		return -1;
	h->trace(h, "sendmsg(NETLINK_ROUTE, RTM_NEWADDR {ifname=\"" LAB_IF "\", " LAB_ADDR "/" PREFIX
		    "}) = 0   [lab]");
	h->trace(h, "sendmsg(NETLINK_ROUTE, RTM_NEWLINK {ifname=\"" LAB_IF "\", flags=IFF_UP}) = 0   [lab]");
	h->trace(h, "sendmsg(NETLINK_ROUTE, RTM_NEWADDR {ifname=\"" PEER_IF "\", " PEER_ADDR "/" PREFIX
		    "}) = 0   [peer]");
	h->trace(h,
		 "sendmsg(NETLINK_ROUTE, RTM_NEWLINK {ifname=\"" PEER_IF "\", flags=IFF_UP}) = 0   [peer]");
	h->print(h,
		 _("lab " LAB_ADDR " <-> peer " PEER_ADDR " (a /" PREFIX ": room for exactly these two).\n"));
	return 0;
}

/* --- step 4: ping --- */

static bool check_ping(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	if (learner_has(h, WANT_PING))
		return true;
	/* Read the counter first: the probe below must not be what satisfies it. */
	long replies = echo_replies(pid);
	bool ok = true;
	if (replies <= 0) {
		h->missing(
		    h,
		    _("no ICMP echo reply has reached the lab yet (InEchoReps in /proc/%d/net/snmp is %ld): "
		      "`run ping -c 2 -W 1 " PEER_ADDR "`"),
		    (int)pid, replies < 0 ? 0 : replies);
		ok = false;
	}
	if (h->call(h, pid, fn_probe, PEER_ADDR, sizeof(PEER_ADDR), NULL, 0) < 0) {
		h->missing(h, _("the peer " PEER_ADDR " does not answer from the lab right now (%s)"),
			   strerror(errno));
		ok = false;
	}
	if (!ok)
		learner_lacks(h, _("an echo reply from " PEER_ADDR " and a way to it now"));
	return ok;
}

static int do_ping(struct nslab_host *h)
{
	char out[128] = "";
	int got = h->call(h, h->main_pid(h), fn_ping, PEER_ADDR, sizeof(PEER_ADDR), out, sizeof(out));
	if (got < 0) {
		h->error(h, _("ping " PEER_ADDR ": %s"), strerror(errno));
		return -1;
	}
	h->trace(h, "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) = 3");
	h->trace(h, "sendto(3, {type=ICMP_ECHO, seq=1}, 64, 0, {sin_addr=" PEER_ADDR "}) = 64   (x2)");
	h->trace(h, "recv(3, {type=ICMP_ECHOREPLY}) = 84   (%d of 2)", got);
	h->print(h, _("PING " PEER_ADDR " from the lab: %s\n"), out);
	if (got == 0) {
		h->error(h, _("no reply from " PEER_ADDR ": are both ends up with their addresses?"));
		return -1;
	}
	return 0;
}

/* --- the lab --- */

static const struct nslab_step steps[] = {
    {
	.title = N_("Bring the loopback up"),
	.task =
	    N_("A new network namespace holds exactly one interface, lo, and it is down. The seed's way, "
	       "with unshare(1) and lsns(8):\n"
	       "  run unshare --net ip addr\n"
	       "  host lsns -t net\n"
	       "The lab process is in a network namespace of its own already (nslab cloned it with "
	       "CLONE_NEWNET). Compare it with the host, then bring its lo up:\n"
	       "  run ip addr\n"
	       "  host ip addr\n"
	       "  run ip link set lo up\n"
	       "  run ip addr show lo\n"
	       "From a second terminal, `unshare --net bash`, `lsns -t net -p $$` and `ip link set lo up` "
	       "count too, once `watch PID` shows nslab that shell; the next steps' ip commands may be typed "
	       "there as well."),
	.hint = N_("`run` executes inside the lab's network namespace, so `ip` there only ever "
		   "sees the lab's interfaces. The host's lo is a different device."),
	.explain = N_("clone(CLONE_NEWNET) gave the lab process a fresh network stack: its own "
		      "interfaces, routes, firewall rules, sockets and /proc/net counters. Only lo "
		      "exists, and the kernel leaves it down. `ip link set lo up` sets IFF_UP on it "
		      "(SIOCSIFFLAGS, or RTM_NEWLINK over netlink). Compare "
		      "/proc/$NSLAB_LAB_PID/net/dev with /proc/self/net/dev on the host: "
		      "/proc/PID/net always shows the namespace of PID. The net row of the pane "
		      "differs."),
	.check = check_lo,
	.perform = do_lo,
    },
    {
	.title = N_("A virtual cable between two namespaces"),
	.task = N_(
	    "The lab made a second process, the peer, in a network namespace of its own. `peer` prints "
	    "its PID (also in $NSLAB_LAB_DIR/peer.pid); `peer CMD` runs a command in its namespace (as "
	    "`nsenter --target PID --net CMD` would). Create a veth pair in the lab and send one end to the "
	    "peer:\n"
	    "  run ip link add veth0 type veth peer name veth1 netns $(cat $NSLAB_LAB_DIR/peer.pid)\n"
	    "  run ip link\n"
	    "  peer ip link\n"
	    "  host ip link\n"
	    "Neither end is the host's."),
	.hint = N_("A veth pair is two interfaces joined back to back: what goes in one comes "
		   "out of the other. `netns PID` creates the second end directly in the "
		   "namespace of that process."),
	.explain = N_("ip sends one RTM_NEWLINK netlink message (kind \"veth\") with IFLA_NET_NS_PID "
		      "for the peer end; the kernel creates both ends and places the second one in "
		      "the peer's namespace. An interface lives in exactly one network namespace at "
		      "a time (`ip link set DEV netns PID` moves it). The host never sees either "
		      "end: compare with `host ip link`. When nothing refers to a namespace any "
		      "more (no process in it, no open fd or bind mount of /proc/PID/ns/net, which "
		      "is how `ip netns add` keeps one), it is destroyed with its veth end, taking "
		      "the other end with it."),
	.check = check_veth,
	.perform = do_veth,
    },
    {
	.title = N_("Addresses on both ends"),
	.task = N_("Give each end of step 2's veth pair (after a `reset`, do step 2 first) an address from a "
		   "private /30 and bring it up:\n"
		   "  run ip addr add 10.200.0.1/30 dev veth0\n"
		   "  run ip link set veth0 up\n"
		   "  peer ip addr add 10.200.0.2/30 dev veth1\n"
		   "  peer ip link set veth1 up\n"
		   "Then compare `run ip route` with `host ip route`."),
	.hint = N_("Both ends need an address and must be up; a veth pair only carries traffic "
		   "when both ends are up."),
	.explain = N_("RTM_NEWADDR puts the address on the interface and adds a connected route for "
		      "10.200.0.0/30 to the lab's own routing table (`run ip route`). Routes, ARP "
		      "entries (`run ip neigh`) and firewall rules are per namespace: the host has "
		      "no route to 10.200.0.0/30 and cannot reach these addresses."),
	.check = check_addrs,
	.perform = do_addrs,
    },
    {
	.title = N_("Ping across"),
	.task = N_("With steps 2 and 3 done (both ends addressed and up), send two pings from the lab to the "
		   "peer (bounded: two packets, one second each):\n"
		   "  run ping -c 2 -W 1 10.200.0.2\n"
		   "(no ping installed? `run busybox ping -c 2 -W 1 10.200.0.2`) "
		   "Then look at the counters: `run ip -s link show veth0`, `run ip neigh`."),
	.hint = N_("If nothing answers, check both ends: `run ip addr show veth0` and `peer ip "
		   "addr show veth1` must both show an address and UP."),
	.explain = N_("ping opens an ICMP socket in the lab's namespace and sends echo requests; "
		      "the routing table sends them through veth0, they come out of veth1 in the "
		      "peer's namespace, whose network stack answers with echo replies (one "
		      "kernel, two separate stacks). The lab's "
		      "InEchoReps counter in /proc/$NSLAB_LAB_PID/net/snmp counts them; the host's "
		      "own counters (/proc/net/snmp) did not move. This is how a container gets its "
		      "network: its end of a veth pair, the other end on a bridge on the host."),
	.check = check_ping,
	.perform = do_ping,
    },
};

/* peer [CMD...]: the peer's PID, or a command in its namespaces. */
static int cmd_peer(struct nslab_host *h, int argc, char **argv)
{
	pid_t peer = peer_pid(h);
	if (!peer) {
		h->error(h, _("the peer process is not running"));
		return -1;
	}
	if (argc == 1) {
		char path[64], link[64] = "";
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)peer);
		ssize_t n = readlink(path, link, sizeof(link) - 1);
		h->print(h, _("peer: PID %d, %s\n"), (int)peer, n > 0 ? link : _("(namespace unreadable)"));
		return 0;
	}
	size_t len = 0;
	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *cmd = calloc(1, len + 1);
	if (!cmd)
		return -1;
	for (int i = 1; i < argc; i++) {
		strcat(cmd, argv[i]);
		if (i + 1 < argc)
			strcat(cmd, " ");
	}
	int rc = h->run(h, peer, cmd, NULL);
	free(cmd);
	return rc < 0 ? -1 : 0;
}

static const struct nslab_command commands[] = {
    {"peer", "peer [CMD...]", N_("the peer's PID, or run CMD in the peer's network namespace"), 0, -1,
     cmd_peer},
};

static int setup(struct nslab_host *h)
{
	struct net_state *st = calloc(1, sizeof(*st));
	if (!st)
		return -1;
	h->lab_data = st;
	struct nslab_spawn lab = {
	    .size = sizeof(struct nslab_spawn), .label = "lab", .clone_flags = CLONE_NEWNET};
	struct nslab_spawn peer = {
	    .size = sizeof(struct nslab_spawn), .label = "peer", .clone_flags = CLONE_NEWNET};
	pid_t pid = h->spawn(h, &lab);
	if (pid < 0)
		return -1;
	h->trace(h, "clone(CLONE_NEWNET|SIGCHLD) = %d   [lab]", (int)pid);
	st->peer = h->spawn(h, &peer);
	if (st->peer < 0)
		return -1;
	h->trace(h, "clone(CLONE_NEWNET|SIGCHLD) = %d   [peer]", (int)st->peer);
	/* the peer's PID for the task's `netns $(cat $NSLAB_LAB_DIR/peer.pid)`
	 * (the work directory goes when the lab stops) */
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/peer.pid", h->workdir(h));
	FILE *f = fopen(path, "we");
	int wr = f ? fprintf(f, "%d\n", (int)st->peer) : -1;
	if (!f || (fclose(f) != 0) | (wr < 0)) {
		h->error(h, _("cannot write %s: %s"), path, strerror(errno));
		return -1;
	}
	h->print(
	    h,
	    _("The lab process (PID %d) and a peer (PID %d) each have\na network namespace of their own.\n"),
	    (int)pid, (int)st->peer);
	return 0;
}

static void teardown(struct nslab_host *h)
{
	free(h->lab_data);
	h->lab_data = NULL;
}

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "net",
    .title = N_("Network namespace: a network stack of its own"),
    .summary = N_(
	"A network namespace is a complete, separate network stack: interfaces, addresses, routes, "
	"firewall rules, sockets and the counters in /proc/net. A new one holds only a loopback interface, "
	"switched off. In this lab you bring it up, run a virtual cable (a veth pair) from the lab to a "
	"second namespace the lab owns, address both ends and ping across. Every packet stays between the "
	"two lab namespaces; the host's network is never touched."),
    .order = 80,
    NSLAB_STEPS(steps),
    .setup = setup,
    .teardown = teardown,
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
