/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_net_lab.c: the net lab's checks, its `peer` command and its
 * messages on the fake host (fakehost.h, fakelab.h). The interfaces of the lab's and
 * the peer's namespaces are the fake world's, reported the way the lab's
 * agent function reports them. Step 4 reads /proc/PID/net/snmp itself: for
 * it a real process stands in for the lab process, in a network namespace
 * made in an unprivileged user namespace, before and after it pinged its
 * own loopback (skipped where that cannot be done). Runs without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "fakelab.h"
#include "reflow.h"
#include "standin.h"

FAKE_LAB_GROUP("net")

/* What fn_ifinfo reports of one interface (the lab's struct ifinfo). */
struct ifinfo {
	int index; /* 0: no such interface */
	unsigned flags;
	char driver[32];
	char addrs[256]; /* "10.200.0.1 " */
};

static struct iface {
	pid_t pid;
	char name[16];
	struct ifinfo info;
} ifaces[8];
static unsigned nifaces;

static struct ifinfo *iface(pid_t pid, const char *name)
{
	for (unsigned i = 0; i < nifaces; i++)
		if (ifaces[i].pid == pid && strcmp(ifaces[i].name, name) == 0)
			return &ifaces[i].info;
	assert_true(nifaces < 8);
	struct iface *f = &ifaces[nifaces++];
	f->pid = pid;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->info = (struct ifinfo){.index = (int)nifaces + 1};
	return &f->info;
}

static int answer_ifinfo(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)arglen;
	assert_true(outlen >= sizeof(struct ifinfo));
	for (unsigned i = 0; i < nifaces; i++)
		if (ifaces[i].pid == pid && strcmp(ifaces[i].name, arg) == 0)
			memcpy(out, &ifaces[i].info, sizeof(struct ifinfo));
	return 0; /* not there: all zero */
}
static int answer_lo_up(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)arg, (void)arglen;
	iface(pid, "lo")->flags |= IFF_UP;
	snprintf(out, outlen, "3");
	return 0;
}
static int answer_probe_timeout(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen, (void)out, (void)outlen;
	errno = ETIMEDOUT;
	return -1;
}
static int replies;
static int answer_ping(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen;
	snprintf(out, outlen, "2 packets transmitted, %d received", replies);
	return replies;
}

static pid_t lab, peer;

static void start(void)
{
	nifaces = 0;
	fake_on_call("fn_ifinfo", answer_ifinfo);
	fake_on_call("fn_lo_up", answer_lo_up);
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	lab = fk.main;
	peer = fk.main + 1;
	*iface(lab, "lo") = (struct ifinfo){.index = 1, .flags = IFF_LOOPBACK};
	*iface(peer, "lo") = (struct ifinfo){.index = 1, .flags = IFF_LOOPBACK};
}

static void stop(void)
{
	fake_lab->teardown(&fk.host);
	assert_null(fk.host.lab_data);
}

static void setup_spawns_two_network_namespaces(void **state)
{
	(void)state;
	start();
	assert_contains(fk.log, "spawn lab flags=0x40000000 "); /* CLONE_NEWNET */
	assert_contains(fk.log, "spawn peer flags=0x40000000 ");
	char path[PATH_MAX], want[32];
	snprintf(path, sizeof(path), "%s/peer.pid", fk.workdir);
	char *text = unit_slurp(path);
	snprintf(want, sizeof(want), "%d\n", (int)peer);
	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
	unlink(path);
	stop();
	fk.spawn_ret = -1;
	assert_int_equal(fake_lab->setup(&fk.host), -1);
	fake_lab->teardown(&fk.host);
}

static void lo_step_wants_lo_up_in_the_lab(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(1));
	assert_contains(fk.out, "missing: the lab process shares the host's network namespace");
	fake_ns(lab, "net", 0);
	assert_false(fake_check(1));
	assert_contains(fk.out,
			"missing: lo is down in the lab's network namespace: `run ip link set lo up`");
	assert_int_equal(fake_step(0)->perform(&fk.host), 0);
	assert_contains(
	    fk.out, "trace: ioctl(3, SIOCSIFFLAGS, {ifr_name=\"lo\", ifr_flags=IFF_UP|IFF_LOOPBACK}) = 0");
	assert_true(fake_check(1));
	fake_on_call("fn_ifinfo", NULL);
	assert_false(fake_check(1));
	assert_out_has("missing: cannot look at the interfaces of process %d: Function not implemented",
		       (int)lab);
	stop();
}

static void veth_step_wants_one_end_in_each_namespace(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(2));
	assert_out_has(
	    "missing: no veth0 in the lab's namespace: `run ip link add veth0 type veth peer name veth1 "
	    "netns %d`",
	    (int)peer);
	struct ifinfo *a = iface(lab, "veth0"), *b = iface(lab, "veth1");
	snprintf(a->driver, sizeof(a->driver), "dummy");
	snprintf(b->driver, sizeof(b->driver), "veth");
	assert_false(fake_check(2));
	assert_contains(fk.out, "missing: veth0 in the lab is a \"dummy\" device, not a veth");
	assert_out_has(
	    "missing: veth1 is still in the lab's namespace: `run ip link set veth1 netns %d` moves it "
	    "to the "
	    "peer",
	    (int)peer);
	snprintf(a->driver, sizeof(a->driver), "veth");
	b->index = 0; /* gone from the lab: nowhere */
	assert_false(fake_check(2));
	assert_out_has("missing: no veth1 in the peer's namespace (PID %d)", (int)peer);
	snprintf(iface(peer, "veth1")->driver, 32, "veth");
	assert_true(fake_check(2));
	stop();
}

static void addrs_step_wants_addresses_and_links_up(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(3));
	assert_contains(fk.out, "missing: no veth0 in the lab's namespace\n");
	assert_contains(fk.out, "missing: no veth1 in the peer's namespace\n");
	struct ifinfo *a = iface(lab, "veth0"), *b = iface(peer, "veth1");
	assert_false(fake_check(3));
	assert_contains(fk.out, "missing: veth0 in the lab has no address 10.200.0.1: `run ip addr add "
				"10.200.0.1/30 dev veth0`");
	assert_contains(fk.out, "missing: veth0 in the lab is down: `run ip link set veth0 up`");
	assert_contains(fk.out, "missing: veth1 in the peer has no address 10.200.0.2: `peer ip addr add "
				"10.200.0.2/30 dev veth1`");
	assert_contains(fk.out, "missing: veth1 in the peer is down: `peer ip link set veth1 up`");
	snprintf(a->addrs, sizeof(a->addrs), "10.200.0.1 ");
	snprintf(b->addrs, sizeof(b->addrs), "10.200.0.2 ");
	a->flags = b->flags = IFF_UP;
	assert_true(fake_check(3));
	stop();
}

static void ping_step_wants_a_reply(void **state)
{
	(void)state;
	start();
	fake_on_call("fn_probe", answer_probe_timeout);
	assert_false(fake_check(4));
	assert_out_has(
	    "missing: no ICMP echo reply has reached the lab yet (InEchoReps in /proc/%d/net/snmp is 0): "
	    "`run ping -c 2 -W 1 10.200.0.2`",
	    (int)lab);
	assert_contains(fk.out,
			"missing: the peer 10.200.0.2 does not answer from the lab right now (Connection "
			"timed out)");
	stop();
}

static void do_runs_ip_and_ping_in_the_right_namespace(void **state)
{
	(void)state;
	start();
	fake_run("ip link add veth0", 0, "");
	assert_int_equal(fake_step(1)->perform(&fk.host), 0);
	assert_log_has("run 0 ip link add veth0 type veth peer name veth1 netns %d", (int)peer);
	fake_run("ip addr replace", 2, "RTNETLINK answers: File exists\n");
	assert_int_equal(fake_step(2)->perform(&fk.host), -1);
	assert_contains(fk.out,
			"error: `ip addr replace 10.200.0.1/30 dev veth0 && ip link set veth0 up` failed "
			"(status 2): RTNETLINK answers: File exists");
	fake_on_call("fn_ping", answer_ping);
	replies = 2;
	assert_int_equal(fake_step(3)->perform(&fk.host), 0);
	assert_contains(fk.out, "PING 10.200.0.2 from the lab: 2 packets transmitted, 2 received\n");
	replies = 0;
	assert_int_equal(fake_step(3)->perform(&fk.host), -1);
	assert_contains(fk.out, "error: no reply from 10.200.0.2: are both ends up with their addresses?");
	stop();
}

static void peer_command_runs_in_the_peer(void **state)
{
	(void)state;
	assert_int_equal(fake_cmd("peer"), -1);
	assert_string_equal(fk.out, "error: the peer process is not running\n");
	start();
	assert_int_equal(fake_cmd("peer"), 0);
	assert_out_is("peer: PID %d, (namespace unreadable)\n", (int)peer);
	fake_run("ip -br addr", 0, "lo DOWN\n");
	assert_int_equal(fake_cmd("peer ip -br addr"), 0);
	assert_log_has("run %d ip -br addr\n", (int)peer);
	assert_string_equal(fk.out, "lo DOWN\n");
	stop();
}

/* --- a real network namespace, without privilege --- */

static pid_t child;

/* In the child: lo up, then (if ping) one ICMP echo to 127.0.0.1 and its
 * reply, so that the namespace's InEchoReps counts one. */
static bool lo_up_and_ping(bool ping)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return false;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return false;
	if (!ping)
		return true;
	int raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	struct {
		struct icmphdr h;
		char payload[56];
	} echo = {.h = {.type = ICMP_ECHO, .un.echo = {.id = htons(77), .sequence = htons(1)}}};
	memset(echo.payload, 'n', sizeof(echo.payload));
	uint16_t w[sizeof(echo) / 2];
	memcpy(w, &echo, sizeof(w));
	uint32_t sum = 0;
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		sum += w[i];
	sum = (sum >> 16) + (sum & 0xffff);
	sum += sum >> 16;
	echo.h.checksum = (uint16_t)~sum;
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (raw < 0 || sendto(raw, &echo, sizeof(echo), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return false;
	char buf[256];
	for (int i = 0; i < 2; i++) { /* the echo itself, then the reply */
		struct pollfd p = {raw, POLLIN, 0};
		if (poll(&p, 1, 1000) <= 0 || recv(raw, buf, sizeof(buf), 0) < 0)
			return false;
	}
	return true;
}

static bool become_netns(void *ping)
{
	return unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0 && lo_up_and_ping(*(bool *)ping);
}

/* A process in a network namespace of its own (in a user namespace of its
 * own), lo up, pinged or not; 0 where that cannot be done here. */
static pid_t netns_process(bool ping)
{
	child = fake_standin(become_netns, &ping);
	return child;
}

static int finish(void **state)
{
	(void)state;
	fake_reap(&child);
	if (fake_lab)
		fake_lab->teardown(&fk.host);
	return 0;
}
#define netns_test(fn) cmocka_unit_test_setup_teardown(fn, fake_test_setup, finish)

static int answer_probe_ok(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)pid, (void)arg, (void)arglen, (void)out, (void)outlen;
	return 1;
}

static void ping_step_passes_once_a_reply_came_back(void **state)
{
	(void)state;
	start();
	fk.main = netns_process(false);
	if (!fk.main)
		skip(); /* no unprivileged user and network namespaces here */
	fake_on_call("fn_probe", answer_probe_ok);
	assert_false(fake_check(4));
	assert_out_is(
	    "missing: no ICMP echo reply has reached the lab yet (InEchoReps in /proc/%d/net/snmp is 0): "
	    "`run ping -c 2 -W 1 10.200.0.2`\n",
	    (int)fk.main);
	fake_reap(&child);
	fk.main = netns_process(true);
	assert_true(fk.main > 0);
	assert_true(fake_check(4));
}

/* A learner's own network namespace (`run unshare --net ... &`, a watched
 * PID): read through nsenter and ip, answered here as ip prints. */
static pid_t learner(void)
{
	pid_t pid = fk.next_pid++;
	fk.subjects[fk.nsubjects++] = pid;
	fake_ns(pid, "net", 0);
	return pid;
}
static void learner_says(pid_t pid, const char *ifname, const char *text)
{
	char match[128];
	snprintf(match, sizeof(match), "nsenter --target %d --net sh -c 'ip -d -o link show %s ", (int)pid,
		 ifname);
	fake_host_run(match, 0, text);
}

static void a_learners_namespace_passes_steps_1_to_3(void **state)
{
	(void)state;
	start();
	fake_ns(lab, "net", 0);
	fake_ns(peer, "net", 0);
	fk.subjects[fk.nsubjects++] = fk.next_pid++; /* `host sleep &`: the host's namespace, not asked */
	pid_t mine = learner();
	learner_says(mine, "lo", "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN\n");
	learner_says(mine, "veth0", "");
	assert_false(fake_check(1));
	assert_contains(fk.out,
			"missing: lo is down in the lab's network namespace: `run ip link set lo up`");
	assert_out_has("missing: none of the lab's 1 other network namespace(s) (PID %d) has lo up either",
		       (int)mine);
	pid_t up = learner();
	learner_says(up, "lo",
		     "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\n"
		     "1: lo    inet 127.0.0.1/8 scope host lo\n");
	assert_true(fake_check(1));
	assert_false(fake_check(2)); /* no veth0 anywhere */
	pid_t cable = learner();
	learner_says(
	    cable, "veth0",
	    "5: veth0@if4: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN \\    link/ether "
	    "aa:bb:cc:dd:ee:ff brd ff:ff:ff:ff:ff:ff link-netnsid 0 promiscuity 0 veth addrgenmode eui64\n");
	assert_false(fake_check(2)); /* the peer has no veth1 yet */
	*iface(peer, "veth1") = (struct ifinfo){.index = 4, .driver = "veth"};
	assert_true(fake_check(2));
	assert_false(fake_check(3));
	assert_contains(fk.out, "has veth0 up with 10.200.0.1 either");
	iface(peer, "veth1")->flags = IFF_UP;
	snprintf(iface(peer, "veth1")->addrs, sizeof(iface(peer, "veth1")->addrs), "10.200.0.2 ");
	assert_false(fake_check(3)); /* the learner's end has no address yet */
	pid_t addressed = learner();
	learner_says(
	    addressed, "veth0",
	    "5: veth0@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP \\    veth\n"
	    "5: veth0    inet 10.200.0.1/30 scope global veth0\n");
	assert_true(fake_check(3));
	/* step 4 wants a reply counted in its /proc/PID/net/snmp: a fake pid has none */
	fake_host_run("/dev/tcp/10.200.0.2/9", 1, "bash: connect: Connection refused\n");
	fake_on_call("fn_probe", answer_probe_timeout);
	assert_false(fake_check(4));
	assert_contains(fk.out, "an echo reply from 10.200.0.2 and a way to it now either");
	stop();
}

/* Facts issue 11 corrected, and the real tool first: pinned. */
static void texts_say_the_peer_stack_answers_and_what_keeps_a_namespace(void **state)
{
	(void)state;
	assert_contains(fake_step(3)->explain, "whose network stack answers");
	char *shown = text_reflow(fake_step(3)->explain); /* as the screen joins its lines */
	assert_contains(shown, "one kernel, two separate stacks");
	free(shown);
	assert_not_contains(fake_step(3)->explain, "whose kernel answers");
	assert_contains(fake_step(1)->explain, "no open fd or bind mount of /proc/PID/ns/net");
	assert_contains(fake_step(0)->task, "  run unshare --net ip addr\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(texts_say_the_peer_stack_answers_and_what_keeps_a_namespace),
	    fake_test(a_learners_namespace_passes_steps_1_to_3),
	    fake_test(setup_spawns_two_network_namespaces),
	    fake_test(lo_step_wants_lo_up_in_the_lab),
	    fake_test(veth_step_wants_one_end_in_each_namespace),
	    fake_test(addrs_step_wants_addresses_and_links_up),
	    fake_test(ping_step_wants_a_reply),
	    netns_test(ping_step_passes_once_a_reply_came_back),
	    fake_test(do_runs_ip_and_ping_in_the_right_namespace),
	    fake_test(peer_command_runs_in_the_peer),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
