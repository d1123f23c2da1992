#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo scripts under scripts/demos run cleanly in --demo mode driven by
# piped key presses, `b` shows the previous output, `q` stops, and the host
# is left as it was.
source "$(dirname "$0")/../lib/common.sh"

before=$(fingerprint)
for demo in "$TOP"/scripts/demos/*.nslab; do
	name=$(basename "$demo")
	n=$(grep -cvE '^[[:space:]]*(#|$)' "$demo")
	out=$(yes ' ' | head -n "$n" | tr -d '\n' | timeout 300 "$NSLAB" --demo "$demo" 2>&1)
	st=$?
	expect "$name: exits 0 after all $n commands" test "$st" -eq 0
	if grep -qE '^nslab: (unknown command|usage:)' <<<"$out"; then
		not_ok "$name: every command is known and well formed"
		grep -E '^nslab: (unknown command|usage:)' <<<"$out" | head -3
	else
		ok "$name: every command is known and well formed"
	fi
done

# Keys: run the first command, go back, quit.
out=$(printf ' bq' | timeout 60 "$NSLAB" --demo "$TOP/scripts/demos/02-namespaces.nslab" 2>&1)
expect "b shows the previous output again" grep -q -- '--- again: start uts' <<<"$out"
expect "q quits before the next command runs" test "$(grep -c 'nslab\[uts' <<<"$out")" -le 2
out=$(printf 'q' | "$NSLAB" --demo "$TOP/scripts/demos/02-namespaces.nslab" 2>&1)
expect "q at once runs nothing" bash -c '! grep -q "== UTS" <<<"$1"' _ "$out"
expect "a missing demo file is one clear error" bash -c '"$1" --demo /nonexistent 2>&1 | grep -q "^nslab: cannot open /nonexistent"' _ "$NSLAB"

sleep 0.5
after=$(fingerprint)
if [ "$before" = "$after" ]; then ok "host fingerprint unchanged"; else
	not_ok "host fingerprint unchanged"; diff <(echo "$before") <(echo "$after") | head; fi
finish
