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

expect "no PEER_PID placeholder" bash -c '! grep -n PEER_PID labs/*.c'
# A lab command named like a built-in could never run (built-ins are looked
# up first): the nsenter lab's `keep` once was.
builtins=$(grep -ohE '\.name = "[a-z]+"' src/builtins.c | cut -d'"' -f2 | sort -u)
labcmds=$(grep -ohE '^ *\{"[a-z0-9]+", "[a-z0-9]+' labs/*.c | cut -d'"' -f2 | sort -u)
clash=$(comm -12 <(printf '%s\n' "$builtins") <(printf '%s\n' "$labcmds") | paste -sd' ')
expect "found the built-ins and the lab commands" test -n "$builtins" -a -n "$labcmds"
expect "no lab command is named like a built-in${clash:+: $clash}" test -z "$clash"
finish
