/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_bridge_lab.c: the bridge lab's checks, its c1/c2 commands and its
 * messages on the fake host (fakehost.h, fakelab.h). The interfaces of the
 * lab's and the containers' namespaces are the fake world's, reported as the
 * lab's agent function fn_link reports them; the bridge's forwarding database
 * is the output of a scripted `bridge fdb show`. Runs without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <net/if.h>

#include "fakelab.h"

FAKE_LAB_GROUP("bridge")

/* What fn_link reports of one interface (the lab's struct link). */
struct link {
	int index;
	unsigned flags;
	char kind[16];
	char master[IF_NAMESIZE];
	char mac[18];
	char addr[INET_ADDRSTRLEN];
};

static struct iface {
	pid_t pid;
	char name[16];
	struct link l;
} ifaces[16];
static unsigned nifaces;
static char gateways[3][INET_ADDRSTRLEN]; /* per container: c1, c2 */
static pid_t lab, c1, c2;

static struct link *iface(pid_t pid, const char *name)
{
	for (unsigned i = 0; i < nifaces; i++)
		if (ifaces[i].pid == pid && strcmp(ifaces[i].name, name) == 0)
			return &ifaces[i].l;
	assert_true(nifaces < 16);
	struct iface *f = &ifaces[nifaces++];
	f->pid = pid;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->l = (struct link){.index = (int)nifaces + 1};
	return &f->l;
}

static int answer_link(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)arglen;
	assert_true(outlen >= sizeof(struct link));
	for (unsigned i = 0; i < nifaces; i++)
		if (ifaces[i].pid == pid && strcmp(ifaces[i].name, arg) == 0)
			memcpy(out, &ifaces[i].l, sizeof(struct link));
	return 0;
}

static int answer_gateway(pid_t pid, const char *arg, size_t arglen, char *out, size_t outlen)
{
	(void)arg, (void)arglen;
	snprintf(out, outlen, "%s", gateways[pid == c2]);
	return 0;
}

static void start(void)
{
	nifaces = 0;
	memset(gateways, 0, sizeof(gateways));
	fake_on_call("fn_link", answer_link);
	fake_on_call("fn_gateway", answer_gateway);
	assert_int_equal(fake_lab->setup(&fk.host), 0);
	lab = fk.main;
	c1 = lab + 1;
	c2 = lab + 2;
}

static void stop(void)
{
	fake_lab->teardown(&fk.host);
	assert_null(fk.host.lab_data);
}

/* Step 2's end state: both veth pairs, ports of br0 and up. */
static void plug_in(void)
{
	const pid_t boxes[] = {c1, c2};
	const char *ports[] = {"veth1", "veth2"}, *macs[] = {"0a:00:00:00:00:01", "0a:00:00:00:00:02"};
	for (int i = 0; i < 2; i++) {
		struct link *p = iface(lab, ports[i]), *e = iface(boxes[i], "eth0");
		snprintf(p->kind, sizeof(p->kind), "veth");
		snprintf(p->master, sizeof(p->master), "br0");
		p->flags = IFF_UP;
		snprintf(e->kind, sizeof(e->kind), "veth");
		snprintf(e->mac, sizeof(e->mac), "%s", macs[i]);
	}
}

static void setup_spawns_three_network_namespaces(void **state)
{
	(void)state;
	start();
	assert_contains(fk.log, "spawn lab flags=0x40000000 "); /* CLONE_NEWNET */
	assert_contains(fk.log, "spawn c1 flags=0x40000000 ");
	assert_contains(fk.log, "spawn c2 flags=0x40000000 ");
	char path[PATH_MAX], want[32];
	snprintf(path, sizeof(path), "%s/c2.pid", fk.workdir);
	char *text = unit_slurp(path);
	snprintf(want, sizeof(want), "%d\n", (int)c2);
	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
	stop();
	fk.spawn_ret = -1;
	assert_int_equal(fake_lab->setup(&fk.host), -1);
	fake_lab->teardown(&fk.host);
}

static void bridge_step_wants_an_up_bridge_in_the_lab(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(1));
	assert_contains(fk.out, "missing: the lab process still shares the host's network namespace");
	fake_ns(lab, "net", 0);
	assert_false(fake_check(1));
	assert_contains(fk.out, "missing: no br0 in the lab's namespace: `run ip link add br0 type bridge`");
	struct link *br = iface(lab, "br0");
	snprintf(br->kind, sizeof(br->kind), "dummy");
	assert_false(fake_check(1));
	assert_contains(fk.out, "missing: br0 is a \"dummy\" device, not a bridge");
	snprintf(br->kind, sizeof(br->kind), "bridge");
	assert_false(fake_check(1));
	assert_contains(fk.out, "missing: br0 is down: `run ip link set br0 up`");
	br->flags = IFF_UP;
	assert_true(fake_check(1));
	fake_on_call("fn_link", NULL);
	assert_false(fake_check(1));
	assert_out_has("missing: cannot look at the interfaces of process %d", (int)lab);
	stop();
}

static void ports_step_wants_both_pairs_on_the_bridge(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(2));
	assert_contains(fk.out, "missing: no veth veth1 in the lab's namespace: `run ip link add veth1 type "
				"veth peer name eth0 netns $(cat $NSLAB_LAB_DIR/c1.pid)`");
	assert_contains(fk.out, "missing: no veth veth2 in the lab's namespace");
	plug_in();
	iface(lab, "veth2")->master[0] = '\0';
	iface(lab, "veth2")->flags = 0;
	iface(c2, "eth0")->index = 0; /* the peer end stayed in the lab */
	assert_false(fake_check(2));
	assert_out_has("missing: c2 (PID %d) has no eth0 of the pair", (int)c2);
	assert_contains(fk.out, "missing: veth2 is not a port of br0: `run ip link set veth2 master br0`");
	assert_contains(fk.out, "missing: veth2 is down: `run ip link set veth2 up`");
	assert_not_contains(fk.out, "veth1");
	plug_in();
	iface(c2, "eth0")->index = 9;
	assert_true(fake_check(2));
	stop();
}

static void addrs_step_wants_one_subnet(void **state)
{
	(void)state;
	start();
	plug_in();
	assert_false(fake_check(3));
	assert_contains(fk.out, "missing: eth0 in c1 has no address, not 10.201.0.2: `c1 ip addr add "
				"10.201.0.2/24 dev eth0`");
	assert_contains(fk.out, "missing: eth0 in c2 is down: `c2 ip link set eth0 up`");
	snprintf(iface(c1, "eth0")->addr, INET_ADDRSTRLEN, "10.201.0.9");
	assert_false(fake_check(3));
	assert_contains(fk.out, "missing: eth0 in c1 has the address 10.201.0.9, not 10.201.0.2");
	snprintf(iface(c1, "eth0")->addr, INET_ADDRSTRLEN, "10.201.0.2");
	snprintf(iface(c2, "eth0")->addr, INET_ADDRSTRLEN, "10.201.0.3");
	iface(c1, "eth0")->flags = iface(c2, "eth0")->flags = IFF_UP;
	assert_true(fake_check(3));
	stop();
}

static void learned_step_reads_the_forwarding_database(void **state)
{
	(void)state;
	start();
	plug_in();
	/* only the bridge's own (permanent) entries, and c1's MAC on the wrong port */
	fake_run("bridge fdb show br br0", 0,
		 "33:33:00:00:00:01 dev veth1 self permanent\n"
		 "0a:00:00:00:00:01 dev veth2 master br0\n"
		 "0a:00:00:00:00:02 dev veth2 vlan 1 master br0 permanent\n");
	assert_false(fake_check(4));
	assert_contains(fk.out, "missing: br0 has not learned c1's MAC 0a:00:00:00:00:01 on veth1 yet");
	assert_contains(fk.out, "missing: br0 has not learned c2's MAC 0a:00:00:00:00:02 on veth2 yet");
	fk.nruns = 0;
	fake_run("bridge fdb show br br0", 0,
		 "0A:00:00:00:00:01 dev veth1 master br0\n"
		 "0a:00:00:00:00:02 dev veth2 master br0\n");
	assert_true(fake_check(4));
	fk.nruns = 0;
	fake_run("bridge fdb show", 1, "Cannot find device \"br0\"\n");
	assert_false(fake_check(4));
	assert_contains(fk.out, "missing: `bridge fdb show br br0` failed in the lab (status 1)");
	stop();
}

static void gateway_step_wants_the_bridge_as_default_route(void **state)
{
	(void)state;
	start();
	assert_false(fake_check(5));
	assert_contains(fk.out, "missing: br0 has no address, not 10.201.0.1: `run ip addr add 10.201.0.1/24 "
				"dev br0`");
	assert_contains(fk.out,
			"missing: c1's default route is missing: `c1 ip route add default via 10.201.0.1`");
	snprintf(iface(lab, "br0")->addr, INET_ADDRSTRLEN, "10.201.0.1");
	snprintf(gateways[0], INET_ADDRSTRLEN, "10.201.0.1");
	snprintf(gateways[1], INET_ADDRSTRLEN, "10.201.0.7");
	assert_false(fake_check(5));
	assert_contains(fk.out, "missing: c2's default route goes via 10.201.0.7");
	assert_not_contains(fk.out, "c1's");
	snprintf(gateways[1], INET_ADDRSTRLEN, "10.201.0.1");
	assert_true(fake_check(5));
	stop();
}

static void do_runs_each_command_in_its_namespace(void **state)
{
	(void)state;
	start();
	fake_run("", 0, "");
	for (unsigned i = 0; i < fake_lab->nsteps; i++)
		assert_int_equal(fake_step(i)->perform(&fk.host), 0);
	assert_contains(fk.log, "run 0 ip link show br0 >/dev/null 2>&1 || ip link add br0 type bridge");
	assert_log_has("run 0 ip link show veth2 >/dev/null 2>&1 || ip link add veth2 type veth peer name "
		       "eth0 netns %d",
		       (int)c2);
	assert_log_has("run %d ip addr replace 10.201.0.2/24 dev eth0", (int)c1);
	assert_log_has("run %d ping -c 2 -W 1 10.201.0.3", (int)c1);
	assert_log_has("run %d ip route replace default via 10.201.0.1", (int)c2);
	assert_contains(fk.out,
			"trace: sendmsg(NETLINK_ROUTE, RTM_NEWLINK {ifname=\"br0\", kind=\"bridge\"})");
	fk.nruns = 0;
	fake_run("ping", 1, "");
	fk.out[0] = '\0';
	assert_int_equal(fake_step(3)->perform(&fk.host), -1);
	assert_contains(fk.out, "error: no reply from 10.201.0.3");
	stop();
}

static void box_commands_run_in_the_containers(void **state)
{
	(void)state;
	start();
	fake_run("", 0, "");
	assert_int_equal(fake_cmd("c2 ip -o addr"), 0);
	assert_log_has("run %d ip -o addr", (int)c2);
	assert_int_equal(fake_cmd("c1"), 0);
	assert_out_has("c1: PID %d (`host nsenter --target %d --net CMD`", (int)c1, (int)c1);
	stop();
	assert_int_equal(fake_cmd("c1 true"), -1);
	assert_contains(fk.out, "error: container c1 is not running");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    fake_test(setup_spawns_three_network_namespaces),
	    fake_test(bridge_step_wants_an_up_bridge_in_the_lab),
	    fake_test(ports_step_wants_both_pairs_on_the_bridge),
	    fake_test(addrs_step_wants_one_subnet),
	    fake_test(learned_step_reads_the_forwarding_database),
	    fake_test(gateway_step_wants_the_bridge_as_default_route),
	    fake_test(do_runs_each_command_in_its_namespace),
	    fake_test(box_commands_run_in_the_containers),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
