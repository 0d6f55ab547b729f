# SPDX-License-Identifier: GPL-2.0-only
# The step runner of scripts/check.sh and scripts/soak.sh, sourced by them
# after they set $top (the tree), $out (the log directory) and $t0.
#
#   step NAME CMD...      run CMD with its output in $out/NAME.log; on failure
#                         print the log's tail and remember NAME
#   tap_step NAME CMD...  the same, and count the TAP results in that log
#   bg_step NAME CMD...   start a step in the background (Bochs runs on one
#                         host CPU: a second one uses the other core)
#   bg_chain NAME FN...   start steps in the background one after the other,
#                         NAME FN pairs (FN a command without arguments)
#   bg_wait NAME          wait for it, then report it as tap_step does
#   steps_summary WHAT    print every failure and a line per log, then the
#                         grand total 'N passed, N failed, N skipped' last;
#                         returns non-zero if a step or a test failed
# With $steps_only set (a space-separated list of names), the steps not in
# it are reported as not selected and do not run.
failed_steps=()
tap_files=()
steps_only=${steps_only:-}

# True if step NAME is to run.
selected() {
	[ -z "$steps_only" ] || [[ " $steps_only " == *" $1 "* ]]
}

step() {
	local name=$1
	shift
	local t=$SECONDS
	echo "== $name"
	if ! selected "$name"; then
		echo "   not selected"
		return 0
	fi
	if "$@" >"$out/$name.log" 2>&1; then
		echo "   ok ($((SECONDS - t))s)"
	else
		echo "   FAILED ($((SECONDS - t))s); log: ${out#"$top"/}/$name.log"
		tail -n 60 "$out/$name.log" | sed 's/^/   | /'
		failed_steps+=("$name")
	fi
}

# A step that runs in the background; bg_wait NAME reports it.
declare -A bg_pids
bg_run() {
	local name=$1 t rc
	shift
	if ! selected "$name"; then
		echo "unselected 0" >"$out/$name.status"
		return 0
	fi
	t=$(date +%s)
	if "$@" >"$out/$name.log" 2>&1; then rc=ok; else rc=FAILED; fi
	echo "$rc $(($(date +%s) - t))" >"$out/$name.status"
}

bg_step() {
	local name=$1
	shift
	echo "== $name (started in the background)"
	bg_run "$name" "$@" &
	bg_pids[$name]=$!
}

bg_chain() {
	local -a pairs=("$@")
	local i
	(
		for ((i = 0; i + 1 < ${#pairs[@]}; i += 2)); do
			bg_run "${pairs[i]}" "${pairs[i + 1]}"
		done
	) &
	for ((i = 0; i + 1 < ${#pairs[@]}; i += 2)); do
		echo "== ${pairs[i]} (queued in the background)"
		bg_pids[${pairs[i]}]=$!
	done
}

bg_wait() {
	local name=$1 rc=FAILED secs='?'
	# A chain's steps share one pid: only the first bg_wait reaps it.
	wait "${bg_pids[$name]}" 2>/dev/null
	[ -r "$out/$name.status" ] && read -r rc secs <"$out/$name.status"
	echo "== $name (from the background)"
	if [ "$rc" = unselected ]; then
		echo "   not selected"
		return 0
	fi
	if [ "$rc" = ok ]; then
		echo "   ok (${secs}s)"
	else
		echo "   FAILED (${secs}s); log: ${out#"$top"/}/$name.log"
		tail -n 60 "$out/$name.log" | sed 's/^/   | /'
		failed_steps+=("$name")
	fi
	tap_files+=("$out/$name.log")
}

# A step whose output also holds TAP results to count.
tap_step() {
	local name=$1
	shift
	step "$name" "$@"
	if selected "$name"; then
		tap_files+=("$out/$name.log")
	fi
}

steps_summary() {
	local what=$1 summary_rc rc=0
	echo "== results ($((SECONDS - t0))s)"
	python3 "$top/tools/tapsum" "${tap_files[@]}" >"$out/summary.txt"
	summary_rc=$?
	cat "$out/summary.txt"
	if [ "${#failed_steps[@]}" -gt 0 ] || [ "$summary_rc" != 0 ]; then
		echo "$what: FAILED: ${failed_steps[*]:-test failures} ($((SECONDS - t0))s)"
		rc=1
	else
		echo "$what: all passed ($((SECONDS - t0))s)"
	fi
	# The closing line: the grand total.
	python3 "$top/tools/tapsum" --total "${tap_files[@]}" | tail -n 1
	return $rc
}
