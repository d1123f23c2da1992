# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/lib/typed.sh: sourced by the labs' tests after common.sh. A walk "by
# hand": a lab's steps done by typing the commands its tasks show (no `do`),
# with `check` before and after each step, in script mode.
#
# typed_walk LABEL EXPECT LINE...: feeds the lines to nslab --script and
# compares the sequence of check results (o = ok, n = not yet) with EXPECT.
# TYPED_OUT keeps the transcript.
typed_walk() {
	local label=$1 want=$2 res
	shift 2
	TYPED_OUT=$(printf '%s\n' "$@" | nslab_script - 2>&1)
	res=$(printf '%s\n' "$TYPED_OUT" | awk '/^check: ok/ { printf "o" } /^check: not yet/ { printf "n" }')
	if [ "$res" = "$want" ]; then
		ok "$label: checks fail before and pass after each step ($res)"
	else
		not_ok "$label: checks fail before and pass after each step (want $want, got $res)"
		printf '%s\n' "$TYPED_OUT" | grep -E '^(check:|  missing:|error|nslab: |\[exit [1-9])' | head -60 | sed 's/^/#   /'
	fi
}
