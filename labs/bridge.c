/* SPDX-License-Identifier: GPL-2.0-or-later */
/* labs/bridge.c: a bridge like docker0, between two "containers".
 *
 * Three agents, each in a network namespace of its own: the lab process
 * stands in for a container host (its namespace gets the bridge br0), and
 * c1 and c2 for two containers. The learner makes the bridge, plugs each
 * container in with a veth pair (one end on the bridge, the other as the
 * container's eth0), gives the containers addresses on one subnet, pings
 * across and watches the bridge learn their MAC addresses, then makes the
 * bridge their gateway, as Docker does with docker0. Nothing here touches
 * the host's network namespace: every link is born in a lab namespace and
 * goes with it when the agents die. */
#include "nslab-lab.h"
#include "nslab-lab-util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define SUBNET "10.201.0"
#define GW_ADDR SUBNET ".1"
#define PLEN "24"

/* The two containers: their agents' labels, addresses and bridge ports. */
static const struct box {
	const char *name; /* "c1": the lab command and the pid file's name */
	const char *addr;
	const char *port; /* its veth end on the bridge, in the lab's namespace */
} boxes[] = {
    {"c1", SUBNET ".2", "veth1"},
    {"c2", SUBNET ".3", "veth2"},
};
#define NBOXES NSLAB_ARRAY_SIZE(boxes)

struct bridge_state {
	pid_t box[NBOXES];
};

static pid_t box_pid(struct nslab_host *h, size_t i)
{
	struct bridge_state *st = h->lab_data;
	return st ? st->box[i] : 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_fd_ __attribute__((cleanup(close_fd)))

/* --- functions that run inside an agent (h->call) --- */

/* What fn_link reports of one interface of the agent's namespace. */
struct link {
	int index;                /* 0: no such interface */
	unsigned flags;           /* IFF_* */
	char kind[16];            /* "bridge", "veth" (IFLA_INFO_KIND) */
	char master[IF_NAMESIZE]; /* the bridge it is a port of, "" none */
	char mac[18];             /* "aa:bb:cc:dd:ee:ff" */
	char addr[INET_ADDRSTRLEN];
};

static void link_attrs(struct link *l, struct rtattr *rta, int len)
{
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		const unsigned char *d = RTA_DATA(rta);
		if (rta->rta_type == IFLA_MASTER && RTA_PAYLOAD(rta) >= sizeof(unsigned)) {
			unsigned master;
			memcpy(&master, d, sizeof(master));
			if (!if_indextoname(master, l->master))
				l->master[0] = '\0';
		} else if (rta->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(rta) == 6) {
			snprintf(l->mac, sizeof(l->mac), "%02x:%02x:%02x:%02x:%02x:%02x", d[0], d[1], d[2],
				 d[3], d[4], d[5]);
		} else if (rta->rta_type == IFLA_LINKINFO) {
			struct rtattr *in = RTA_DATA(rta);
			int inlen = (int)RTA_PAYLOAD(rta);
			for (; RTA_OK(in, inlen); in = RTA_NEXT(in, inlen))
				if (in->rta_type == IFLA_INFO_KIND)
					snprintf(l->kind, sizeof(l->kind), "%.*s", (int)RTA_PAYLOAD(in),
						 (const char *)RTA_DATA(in));
		}
	}
}

/* One RTM_GETLINK for the interface, as `ip -d link show` asks: its kind,
 * master and MAC come only over netlink (the agent's /sys/class/net is the
 * host's, mounted in the host's network namespace). */
static int link_netlink(struct link *l)
{
	_cleanup_fd_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {.nh = {.nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST},
		 .ifi = {.ifi_family = AF_UNSPEC, .ifi_index = l->index}};
	if (send(fd, &req, sizeof(req), 0) < 0)
		return -1;
	static char buf[16384];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -1;
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(nh, (unsigned)n) || nh->nlmsg_type == NLMSG_ERROR) {
		errno = EPROTO;
		return -1;
	}
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	l->flags = ifi->ifi_flags;
	link_attrs(l, IFLA_RTA(ifi), (int)IFLA_PAYLOAD(nh));
	return 0;
}

/* arg: an interface name. Answers for the agent's network namespace. */
static int fn_link(void *arg, char *out, size_t outlen)
{
	struct link l = {0};
	if (outlen < sizeof(l)) {
		errno = EINVAL;
		return -1;
	}
	l.index = (int)if_nametoindex(arg);
	if (l.index > 0 && link_netlink(&l) < 0)
		return -1;
	_cleanup_fd_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", (const char *)arg);
	if (l.index > 0 && fd >= 0 && ioctl(fd, SIOCGIFADDR, &ifr) == 0)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr, l.addr, sizeof(l.addr));
	memcpy(out, &l, sizeof(l));
	return 0;
}

/* The default gateway of the agent's namespace, from /proc/self/net/route
 * (the routing table of the reader's namespace); "" if there is none. */
static int fn_gateway(void *arg, char *out, size_t outlen)
{
	(void)arg;
	FILE *f = fopen("/proc/self/net/route", "re");
	if (!f)
		return -1;
	char line[256];
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char ifname[IF_NAMESIZE + 1];
		unsigned long dst, gw;
		unsigned flags;
		if (sscanf(line, "%16s %lx %lx %x", ifname, &dst, &gw, &flags) != 4)
			continue; /* the header */
		if (dst != 0 || !(flags & RTF_GATEWAY))
			continue;
		struct in_addr a = {.s_addr = (in_addr_t)gw};
		inet_ntop(AF_INET, &a, out, (socklen_t)outlen);
		break;
	}
	fclose(f);
	return 0;
}

/* Spawn init of every agent: IPv6 off in its fresh namespace. Otherwise an
 * interface going up sends neighbour and router solicitations, and the
 * bridge learns every MAC before the learner's ping: with only IPv4 the
 * first frames are the ping's ARP. A namespace without IPv6 is fine too. */
static int fn_ipv4_only(void *arg, char *out, size_t outlen)
{
	(void)arg, (void)out, (void)outlen;
	static const char *const knobs[] = {"/proc/sys/net/ipv6/conf/all/disable_ipv6",
					    "/proc/sys/net/ipv6/conf/default/disable_ipv6"};
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(knobs); i++) {
		FILE *f = fopen(knobs[i], "we");
		if (!f)
			continue;
		fputs("1\n", f);
		fclose(f);
	}
	return 0;
}

/* --- helpers on the host side --- */

static bool get_link(struct nslab_host *h, pid_t agent, const char *name, struct link *l)
{
	char buf[sizeof(struct link)];
	if (h->call(h, agent, fn_link, name, strlen(name) + 1, buf, sizeof(buf)) < 0) {
		h->missing(h, _("cannot look at the interfaces of process %d: %s"), (int)agent,
			   strerror(errno));
		return false;
	}
	memcpy(l, buf, sizeof(*l));
	return true;
}

/* --- step 1: the bridge --- */

static bool check_bridge(struct nslab_host *h)
{
	pid_t pid = h->main_pid(h);
	struct link br;
	if (!nslab_check_own_ns(h, "net", "network") || !get_link(h, pid, "br0", &br))
		return false;
	if (!br.index) {
		h->missing(h, _("no br0 in the lab's namespace: `run ip link add br0 type bridge`"));
		return false;
	}
	if (strcmp(br.kind, "bridge") != 0) {
		h->missing(h,
			   _("br0 is a \"%s\" device, not a bridge: `run ip link del br0`, then add it "
			     "with `type bridge`"),
			   br.kind);
		return false;
	}
	if (!(br.flags & IFF_UP)) {
		h->missing(h, _("br0 is down: `run ip link set br0 up`"));
		return false;
	}
	return true;
}

static int do_bridge(struct nslab_host *h)
{
	if (nslab_run_quiet(h, 0, "ip link show br0 >/dev/null 2>&1 || ip link add br0 type bridge") < 0 ||
	    nslab_run_quiet(h, 0, "ip link set br0 up") < 0)
		return -1;
	h->trace(h,
		 "sendmsg(NETLINK_ROUTE, RTM_NEWLINK {ifname=\"br0\", kind=\"bridge\"}) = 0   [ip link add]");
	h->trace(h, "sendmsg(NETLINK_ROUTE, RTM_NEWLINK {ifname=\"br0\", flags=IFF_UP}) = 0   [ip link set]");
	h->print(h, _("br0 is up in the lab's namespace, a switch with no ports yet.\n"));
	return 0;
}

/* --- step 2: two containers plugged in --- */

static bool check_port(struct nslab_host *h, size_t i)
{
	const struct box *b = &boxes[i];
	struct link port, eth;
	pid_t pid = box_pid(h, i);
	if (!pid || !get_link(h, h->main_pid(h), b->port, &port) || !get_link(h, pid, "eth0", &eth))
		return false;
	if (!port.index || strcmp(port.kind, "veth") != 0) {
		h->missing(
		    h,
		    _("no veth %s in the lab's namespace: `run ip link add %s type veth peer name eth0 "
		      "netns $(cat $NSLAB_LAB_DIR/%s.pid)`"),
		    b->port, b->port, b->name);
		return false;
	}
	bool ok = true;
	if (!eth.index || strcmp(eth.kind, "veth") != 0) {
		h->missing(h,
			   _("%s (PID %d) has no eth0 of the pair: the peer end must be born in its "
			     "namespace (`netns $(cat $NSLAB_LAB_DIR/%s.pid)`)"),
			   b->name, (int)pid, b->name);
		ok = false;
	}
	if (strcmp(port.master, "br0") != 0) {
		h->missing(h, _("%s is not a port of br0%s%s: `run ip link set %s master br0`"), b->port,
			   port.master[0] ? _(", it is on ") : "", port.master, b->port);
		ok = false;
	}
	if (!(port.flags & IFF_UP)) {
		h->missing(h, _("%s is down: `run ip link set %s up`"), b->port, b->port);
		ok = false;
	}
	return ok;
}

static bool check_ports(struct nslab_host *h)
{
	bool ok = true;
	for (size_t i = 0; i < NBOXES; i++)
		ok &= check_port(h, i);
	return ok;
}

static int do_ports(struct nslab_host *h)
{
	for (size_t i = 0; i < NBOXES; i++) {
		const struct box *b = &boxes[i];
		char cmd[256];
		snprintf(
		    cmd, sizeof(cmd),
		    "ip link show %s >/dev/null 2>&1 || ip link add %s type veth peer name eth0 netns %d",
		    b->port, b->port, (int)box_pid(h, i));
		if (nslab_run_quiet(h, 0, cmd) < 0)
			return -1;
		snprintf(cmd, sizeof(cmd), "ip link set %s master br0 && ip link set %s up", b->port,
			 b->port);
		if (nslab_run_quiet(h, 0, cmd) < 0)
			return -1;
		h->trace(h,
			 "sendmsg(NETLINK_ROUTE, RTM_NEWLINK {ifname=\"%s\", kind=\"veth\", "
			 "peer={ifname=\"eth0\", IFLA_NET_NS_PID=%d}}) = 0",
			 b->port, (int)box_pid(h, i));
		h->trace(
		    h,
		    "sendmsg(NETLINK_ROUTE, RTM_NEWLINK {ifname=\"%s\", IFLA_MASTER=br0, flags=IFF_UP}) = 0",
		    b->port);
	}
	h->print(h, _("veth1 and veth2 are ports of br0; their other ends are eth0 in c1 and c2.\n"));
	return 0;
}

/* --- step 3: addresses --- */

static bool check_addr(struct nslab_host *h, size_t i)
{
	const struct box *b = &boxes[i];
	struct link eth;
	pid_t pid = box_pid(h, i);
	if (!pid || !get_link(h, pid, "eth0", &eth))
		return false;
	if (!eth.index) {
		h->missing(h, _("%s has no eth0 (step 2 plugs it in)"), b->name);
		return false;
	}
	bool ok = true;
	if (strcmp(eth.addr, b->addr) != 0) {
		h->missing(h, _("eth0 in %s has %s%s, not %s: `%s ip addr add %s/" PLEN " dev eth0`"),
			   b->name, eth.addr[0] ? _("the address ") : _("no address"), eth.addr, b->addr,
			   b->name, b->addr);
		ok = false;
	}
	if (!(eth.flags & IFF_UP)) {
		h->missing(h, _("eth0 in %s is down: `%s ip link set eth0 up`"), b->name, b->name);
		ok = false;
	}
	return ok;
}

static bool check_addrs(struct nslab_host *h)
{
	bool ok = true;
	for (size_t i = 0; i < NBOXES; i++)
		ok &= check_addr(h, i);
	return ok;
}

static int do_addrs(struct nslab_host *h)
{
	for (size_t i = 0; i < NBOXES; i++) {
		char cmd[160];
		snprintf(cmd, sizeof(cmd), "ip addr replace %s/" PLEN " dev eth0 && ip link set eth0 up",
			 boxes[i].addr);
		if (nslab_run_quiet(h, box_pid(h, i), cmd) < 0)
			return -1;
		h->trace(h, "sendmsg(NETLINK_ROUTE, RTM_NEWADDR {ifname=\"eth0\", %s/" PLEN "}) = 0   [%s]",
			 boxes[i].addr, boxes[i].name);
	}
	h->print(h, _("c1 is " SUBNET ".2 and c2 is " SUBNET ".3, both on " SUBNET ".0/" PLEN ".\n"));
	return 0;
}

/* --- step 4: the bridge learns --- */

/* Whether `bridge fdb show br br0` (run in the lab) lists mac as learned
 * on port: a line "MAC dev PORT master br0" without "permanent" (the
 * bridge's own ports' addresses are permanent entries). */
static bool fdb_learned(const char *fdb, const char *mac, const char *port)
{
	char line[256];
	for (const char *p = fdb; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p = nl ? nl + 1 : NULL;
		char want[64];
		snprintf(want, sizeof(want), " dev %s ", port);
		if (strncasecmp(line, mac, strlen(mac)) == 0 && strstr(line, want) &&
		    !strstr(line, "permanent"))
			return true;
	}
	return false;
}

static bool check_learned(struct nslab_host *h)
{
	char *fdb = NULL;
	int rc = h->run(h, 0, "bridge fdb show br br0", &fdb);
	if (rc != 0) {
		h->missing(h, _("`bridge fdb show br br0` failed in the lab (status %d): is br0 there?"), rc);
		free(fdb);
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < NBOXES; i++) {
		struct link eth;
		if (!box_pid(h, i) || !get_link(h, box_pid(h, i), "eth0", &eth) || !eth.index) {
			ok = false;
			continue;
		}
		if (!fdb_learned(fdb, eth.mac, boxes[i].port)) {
			h->missing(
			    h,
			    _("br0 has not learned %s's MAC %s on %s yet (`run bridge fdb show br br0`): "
			      "`c1 ping -c 2 -W 1 " SUBNET ".3`"),
			    boxes[i].name, eth.mac[0] ? eth.mac : _("(none)"), boxes[i].port);
			ok = false;
		}
	}
	free(fdb);
	return ok;
}

static int do_ping(struct nslab_host *h)
{
	char *out = NULL;
	int rc =
	    h->run(h, box_pid(h, 0),
		   "ping -c 2 -W 1 " SUBNET ".3 2>/dev/null || busybox ping -c 2 -W 1 " SUBNET ".3", &out);
	h->trace(h, "sendto(3, {type=ICMP_ECHO}, 64, 0, {sin_addr=" SUBNET ".3}) = 64   [c1, x2]");
	if (out)
		h->print(h, "%s", out);
	free(out);
	if (rc != 0) {
		h->error(h, _("no reply from " SUBNET ".3: are both ports up and on br0 (step 2)?"));
		return -1;
	}
	return 0;
}

/* --- step 5: the bridge as the gateway --- */

static bool check_gateway(struct nslab_host *h)
{
	struct link br;
	if (!get_link(h, h->main_pid(h), "br0", &br))
		return false;
	bool ok = true;
	if (strcmp(br.addr, GW_ADDR) != 0) {
		h->missing(h,
			   _("br0 has %s%s, not " GW_ADDR ": `run ip addr add " GW_ADDR "/" PLEN " dev br0`"),
			   br.addr[0] ? _("the address ") : _("no address"), br.addr);
		ok = false;
	}
	for (size_t i = 0; i < NBOXES; i++) {
		char gw[INET_ADDRSTRLEN] = "";
		if (!box_pid(h, i) || h->call(h, box_pid(h, i), fn_gateway, NULL, 0, gw, sizeof(gw)) < 0) {
			h->missing(h, _("cannot read %s's routing table: %s"), boxes[i].name,
				   strerror(errno));
			ok = false;
		} else if (strcmp(gw, GW_ADDR) != 0) {
			h->missing(h, _("%s's default route %s%s: `%s ip route add default via " GW_ADDR "`"),
				   boxes[i].name, gw[0] ? _("goes via ") : _("is missing"), gw,
				   boxes[i].name);
			ok = false;
		}
	}
	return ok;
}

static int do_gateway(struct nslab_host *h)
{
	if (nslab_run_quiet(h, 0, "ip addr replace " GW_ADDR "/" PLEN " dev br0") < 0)
		return -1;
	h->trace(h, "sendmsg(NETLINK_ROUTE, RTM_NEWADDR {ifname=\"br0\", " GW_ADDR "/" PLEN "}) = 0   [lab]");
	for (size_t i = 0; i < NBOXES; i++) {
		if (nslab_run_quiet(h, box_pid(h, i), "ip route replace default via " GW_ADDR) < 0)
			return -1;
		h->trace(
		    h, "sendmsg(NETLINK_ROUTE, RTM_NEWROUTE {dst=0.0.0.0/0, gateway=" GW_ADDR "}) = 0   [%s]",
		    boxes[i].name);
	}
	h->print(h, _("br0 is " GW_ADDR ", the gateway of c1 and c2, as docker0 is 172.17.0.1.\n"));
	return 0;
}

/* --- the lab --- */

static const struct nslab_step steps[] = {
    {
	.title = N_("A bridge like docker0"),
	.task = N_("The lab process stands in for a container host: it has a network namespace of its own, "
		   "and so do two containers, c1 and c2. Make a bridge in the lab's namespace and switch it "
		   "on:\n"
		   "  run ip link add br0 type bridge\n"
		   "  run ip link set br0 up\n"
		   "  run ip -d link show br0\n"
		   "Compare with `host ip link`: the host's own namespace gets nothing."),
	.hint = N_("`run` executes in the lab's network namespace, where the bridge goes. On a Docker host "
		   "the same bridge is docker0, in the host's namespace; here the lab's namespace plays "
		   "the host."),
	.explain = N_("A Linux bridge is a software switch inside the kernel. `ip link add br0 type bridge` "
		      "sends one RTM_NEWLINK netlink message with IFLA_INFO_KIND \"bridge\"; the kernel "
		      "(the bridge module, loaded on demand) creates br0 in the sender's network namespace. "
		      "A bridge forwards Ethernet frames between its ports by their destination MAC address. "
		      "`run bridge link` lists the ports; there are none yet."),
	.check = check_bridge,
	.perform = do_bridge,
    },
    {
	.title = N_("Plug two containers in"),
	.task = N_("Give each container a veth pair: one end stays in the lab and becomes a port of br0, "
		   "the other is born in the container's namespace as eth0. The containers' PIDs are in "
		   "$NSLAB_LAB_DIR/c1.pid and c2.pid (`c1` and `c2` print them too).\n"
		   "  run ip link add veth1 type veth peer name eth0 netns $(cat $NSLAB_LAB_DIR/c1.pid)\n"
		   "  run ip link add veth2 type veth peer name eth0 netns $(cat $NSLAB_LAB_DIR/c2.pid)\n"
		   "  run ip link set veth1 master br0\n"
		   "  run ip link set veth2 master br0\n"
		   "  run ip link set veth1 up\n"
		   "  run ip link set veth2 up\n"
		   "  run bridge link"),
	.hint = N_("`netns PID` creates the second end directly in the namespace of that process, so both "
		   "containers can call theirs eth0: names are per namespace. `master br0` makes a link a "
		   "port of the bridge."),
	.explain =
	    N_("This is what Docker does for every container: a veth pair, one end renamed eth0 inside "
	       "the container's namespace, the other (vethXXXX on the host) enslaved to docker0 with "
	       "IFLA_MASTER in an RTM_NEWLINK message. A frame written to eth0 comes out of the "
	       "port on the bridge, which forwards it to another port. `run bridge link` and "
	       "`run ip link show master br0` list the ports."),
	.check = check_ports,
	.perform = do_ports,
    },
    {
	.title = N_("Addresses on one subnet"),
	.task = N_("Join a container's network namespace with nsenter(1), the real tool, and give its eth0 "
		   "an address:\n"
		   "  host nsenter --target $(cat $NSLAB_LAB_DIR/c1.pid) --net ip addr add 10.201.0.2/24 dev "
		   "eth0\n"
		   "`c1 CMD` and `c2 CMD` are nslab's shortcuts for the same nsenter. Finish with them:\n"
		   "  c1 ip link set eth0 up\n"
		   "  c2 ip addr add 10.201.0.3/24 dev eth0\n"
		   "  c2 ip link set eth0 up"),
	.hint = N_("nsenter --net enters only the network namespace: the command still sees the host's "
		   "files, so the host's ip binary runs against the container's interfaces."),
	.explain = N_("nsenter opens /proc/PID/ns/net and calls setns(fd, CLONE_NEWNET), then runs the "
		      "command: the address goes onto c1's eth0 (RTM_NEWADDR) and a connected route for "
		      "10.201.0.0/24 into c1's routing table (`c1 ip route`). `docker exec` joins a "
		      "container the same way. Both containers now sit on one subnet, connected only "
		      "through br0."),
	.check = check_addrs,
	.perform = do_addrs,
    },
    {
	.title = N_("Ping across; the bridge learns"),
	.task = N_("Ping c2 from c1 (two packets, one second each), then look at what the bridge learned:\n"
		   "  c1 ping -c 2 -W 1 10.201.0.3\n"
		   "  run bridge fdb show br br0\n"
		   "  c1 ip neigh"),
	.hint = N_("No reply? Both ports must be up and on br0 (step 2), both eth0 up with their addresses "
		   "(step 3). Learned entries age out after 5 minutes (ageing_time): ping again."),
	.explain = N_("c1 first asks for 10.201.0.3's MAC with an ARP broadcast; the bridge floods it to "
		      "every port, c2 answers, and the bridge notes which MAC came in on which port: its "
		      "forwarding database (`bridge fdb`, or /sys/class/net/br0/brif/ on a host). From then "
		      "on it sends each frame only to the port that leads to its destination. Entries "
		      "marked permanent are the bridge's own ports; the learned ones name a port and no "
		      "flag. (IPv6 is off in this lab's namespaces: with it, every interface going up "
		      "announces itself and the bridge would know both MACs before any ping.)"),
	.check = check_learned,
	.perform = do_ping,
    },
    {
	.title = N_("The bridge as the gateway"),
	.task = N_("On a Docker host docker0 has an address (172.17.0.1) and is every container's default "
		   "gateway. Do the same here:\n"
		   "  run ip addr add 10.201.0.1/24 dev br0\n"
		   "  c1 ip route add default via 10.201.0.1\n"
		   "  c2 ip route add default via 10.201.0.1\n"
		   "  c1 ping -c 1 -W 1 10.201.0.1"),
	.hint = N_("The gateway must be an address on the containers' subnet: br0 gets one, and each "
		   "container's default route points at it."),
	.explain = N_("With an address, br0 is also an interface of the lab's own network stack: packets for "
		      "other networks go from a container to the bridge's namespace, which routes them on. "
		      "Docker then adds, in the host's namespace, ip_forward=1 and a MASQUERADE rule "
		      "(`iptables -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE`) so "
		      "that containers reach the outside with the host's address. This lab stops before "
		      "NAT: no rule is ever added to the host. `c1 ip route` shows the default route, read "
		      "from /proc/$(cat $NSLAB_LAB_DIR/c1.pid)/net/route."),
	.check = check_gateway,
	.perform = do_gateway,
    },
};

/* c1|c2 [CMD...]: the container's PID, or CMD in its network namespace. */
static int cmd_box(struct nslab_host *h, int argc, char **argv)
{
	size_t i = strcmp(argv[0], "c2") == 0;
	pid_t pid = box_pid(h, i);
	if (!pid) {
		h->error(h, _("container %s is not running"), boxes[i].name);
		return -1;
	}
	if (argc == 1) {
		h->print(h,
			 _("%s: PID %d (`host nsenter --target %d --net CMD` joins its network namespace)\n"),
			 boxes[i].name, (int)pid, (int)pid);
		return 0;
	}
	char *cmd = nslab_join_args(argc, argv, 1);
	if (!cmd) {
		h->error(h, _("out of memory"));
		return -1;
	}
	int rc = h->run(h, pid, cmd, NULL);
	free(cmd);
	return rc < 0 ? -1 : 0;
}

static const struct nslab_command commands[] = {
    {"c1", "c1 [CMD...]", N_("container c1's PID, or run CMD in its network namespace"), 0, -1, cmd_box},
    {"c2", "c2 [CMD...]", N_("container c2's PID, or run CMD in its network namespace"), 0, -1, cmd_box},
};

static const char *unsupported(struct nslab_host *h)
{
	(void)h;
	static const char *const dirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};
	for (size_t i = 0; i < NSLAB_ARRAY_SIZE(dirs); i++) {
		char path[64];
		snprintf(path, sizeof(path), "%s/bridge", dirs[i]);
		if (access(path, X_OK) == 0)
			return NULL;
	}
	return _("this lab needs ip(8) and bridge(8) from iproute2 (apt-get install iproute2)");
}

static int setup(struct nslab_host *h)
{
	struct bridge_state *st = calloc(1, sizeof(*st));
	if (!st)
		return -1;
	h->lab_data = st;
	struct nslab_spawn lab = {.size = sizeof(struct nslab_spawn),
				  .label = "lab",
				  .clone_flags = CLONE_NEWNET,
				  .init = fn_ipv4_only};
	pid_t pid = h->spawn(h, &lab);
	if (pid < 0)
		return -1;
	h->trace(h, "clone(CLONE_NEWNET|SIGCHLD) = %d   [lab: the bridge's namespace]", (int)pid);
	for (size_t i = 0; i < NBOXES; i++) {
		struct nslab_spawn box = {.size = sizeof(struct nslab_spawn),
					  .label = boxes[i].name,
					  .clone_flags = CLONE_NEWNET,
					  .init = fn_ipv4_only};
		char name[16];
		snprintf(name, sizeof(name), "%s.pid", boxes[i].name);
		st->box[i] = h->spawn(h, &box);
		if (st->box[i] < 0 || nslab_write_pid_file(h, name, st->box[i]) < 0)
			return -1;
		h->trace(h, "clone(CLONE_NEWNET|SIGCHLD) = %d   [%s]", (int)st->box[i], boxes[i].name);
	}
	h->print(h,
		 _("The lab process (PID %d) will hold the bridge; containers c1 (PID %d) and c2 (PID %d)\n"
		   "each have a network namespace of their own.\n"),
		 (int)pid, (int)st->box[0], (int)st->box[1]);
	return 0;
}

static const struct nslab_lab lab = {
    .abi_major = NSLAB_ABI_MAJOR,
    .size = sizeof(struct nslab_lab),
    .id = "bridge",
    .order = 85,
    .title = N_("Bridge: containers on one switch, like docker0"),
    .summary = N_("Docker connects its containers through a bridge, docker0: every container gets one end "
		  "of a veth pair as its eth0, the other end is a port of the bridge, and the bridge is "
		  "their gateway. In this lab you build the same in namespaces the lab owns: a bridge in "
		  "the lab's network namespace, which plays the host, two containers plugged into it, "
		  "addresses on one subnet, a ping across, the bridge learning MAC addresses, and the "
		  "bridge as the gateway. The host's own network namespace gets no link, address or rule."),
    NSLAB_STEPS(steps),
    .unsupported = unsupported,
    .setup = setup,
    .teardown = nslab_free_lab_data,
    NSLAB_COMMANDS(commands),
    .textdomain = NSLAB_TEXTDOMAIN,
};

NSLAB_LAB(lab)
