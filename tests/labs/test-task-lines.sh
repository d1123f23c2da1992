#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-task-lines.sh: the commands the labs' texts tell the learner to type are
# one nslab command per line (the rest of a `run X ; host Y` line would go to
# sh in the lab), and name variables nslab exports, with their `$`.
# Reads the sources only (no lab is started).
. "$(dirname "$0")/../lib/common.sh"
cd "$TOP" || exit 1

chained=$(grep -nE '"[[:space:]]+(run|host|peer) [^"]*;[[:space:]]*(run|host|peer|ns|status|check) ' labs/*.c)
expect "no task line chains two nslab commands${chained:+: $chained}" test -z "$chained"

# what nslab exports to run/host/shell: the names host_env() writes
exported=$(grep -ohE '"NSLAB_[A-Z_]+=' src/host.c | tr -d '"=' | sort -u | paste -sd'|')
expect "nslab exports its variables (found: ${exported:-none})" test -n "$exported"
bare=$(grep -nE "/proc/NSLAB_|[^\$A-Z_]($exported)[^A-Z_]" labs/*.c | grep -vE '^\S+:[0-9]+:\s*(/\*|\*)')
expect "every NSLAB_ variable in a lab text has its \$${bare:+: $bare}" test -z "$bare"

unknown=$(grep -ohE '\$NSLAB_[A-Z_]+' labs/*.c | sort -u | grep -vxE "\\\$($exported)")
expect "lab texts name only exported variables${unknown:+: $unknown}" test -z "$unknown"

# The indented lines of a task are typed as they stand: a "(note)" after the
# command, or prose in it, would go to sh in the lab with the command. A note
# is its own sentence line. task_text prints FILE:LINE:TEXT for each source line
# of a step's .task initializer (the string literal, without its \n).
task_text() {
	awk '/^[[:space:]]*\.task[[:space:]]*=/ { intask = 1 }
		/^[[:space:]]*\.[a-z_]+[[:space:]]*=/ && !/^[[:space:]]*\.task[[:space:]]*=/ { intask = 0 }
		/^[[:space:]]*},?[[:space:]]*$/ { intask = 0 }
		intask && /"/ { s = $0; sub(/^[^"]*"/, "", s); sub(/"[^"]*$/, "", s); sub(/\\n$/, "", s)
			print FILENAME ":" FNR ":" s }' "$@"
}
cmdlines=$(task_text labs/*.c | grep -E '^[^:]+:[0-9]+:  [a-z]')
labs_with=$(printf '%s\n' "$cmdlines" | cut -d: -f1 | sort -u | wc -l)
expect "found the command lines of every lab's tasks ($labs_with of $(ls labs/*.c | wc -l) labs)" \
	test "$labs_with" -eq "$(ls labs/*.c | wc -l)"
noted=$(printf '%s\n' "$cmdlines" | grep -E ':  [a-z].*[[:space:]]{2,}\([^)]*\)$')
expect "no task command line ends in a (note)${noted:+: $noted}" test -z "$noted"
prose=$(printf '%s\n' "$cmdlines" | grep -E ':  [a-z][a-z0-9-]* .*\((this|the|or|and|on|see|if|needs?|which|e\.g\.)([^a-z]|$)')
expect "no task command line has prose in it${prose:+: $prose}" test -z "$prose"

expect "no PEER_PID placeholder" bash -c '! grep -n PEER_PID labs/*.c'
# A lab command named like a built-in could never run (built-ins are looked
# up first): the nsenter lab's `keep` once was.
builtins=$(grep -ohE '\.name = "[a-z]+"' src/builtins.c | cut -d'"' -f2 | sort -u)
labcmds=$(grep -ohE '^ *\{"[a-z0-9]+", "[a-z0-9]+' labs/*.c | cut -d'"' -f2 | sort -u)
clash=$(comm -12 <(printf '%s\n' "$builtins") <(printf '%s\n' "$labcmds") | paste -sd' ')
expect "found the built-ins and the lab commands" test -n "$builtins" -a -n "$labcmds"
expect "no lab command is named like a built-in${clash:+: $clash}" test -z "$clash"
# A lab command named like a real program or a shell built-in teaches the
# wrong name: after the workshop `stress 1` or `unshare` runs the real tool,
# and in nslab the shortcut runs where the learner meant the tool. The names
# the labs and seeds teach are listed, so the test does not depend on what
# this machine has installed; the PATH lookup catches the rest.
taught="unshare nsenter lsns chroot pivot_root mount umount ip ipcmk ipcs ipcrm cgcreate cgset cgexec cgclassify
	cgdelete stress capsh setpriv newuidmap newgidmap docker hostname domainname ps top id join ls cat"
cmdtables=$(awk '/static const struct nslab_command/ { c = 1 } c && /^};/ { c = 0 } c' labs/*.c |
	grep -oE '^[[:space:]]*\{"[a-z0-9_-]+"' | tr -d ' \t{"' | sort -u)
expect "found the lab command tables ($(printf '%s\n' "$cmdtables" | wc -l) names)" test "$(printf '%s\n' "$cmdtables" | wc -l)" -ge 20
named_real=
for c in $cmdtables; do
	if printf '%s\n' $taught | grep -qx -- "$c" || compgen -b | grep -qx -- "$c" || compgen -k | grep -qx -- "$c" ||
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin type -P -- "$c" >/dev/null; then
		named_real="$named_real $c"
	fi
done
expect "no lab command is named like a real tool or shell built-in${named_real:+:$named_real}" test -z "$named_real"
finish
