#!/usr/bin/env bash
# `make test`'s runner: two lanes side by side.
#   main lane: lint, sanity, unit and the container scenarios, streamed here
#              (and kept in .cache/test-logs/STEP.log);
#   vm lane:   the scenarios that boot qemu TCG guests (TEST_VM_TARGETS),
#              logged to .cache/test-logs/STEP.log with a start, a heartbeat
#              every 5 min and an end line here; a failed step's last 150
#              lines are printed.
# On two cores the TCG guests are CPU-bound while the container scenarios
# mostly wait on apt and the mirror, so the lanes overlap well. Each lane
# stops at its first failure; the other runs on. Every step's wall time goes
# to .cache/test-times ("STEP SECONDS ok|FAILED"), the verdict to
# .cache/test-result ("test: N passed, N failed, N not run").
# Usage: tests/make_test.sh "MAIN STEPS" "VM STEPS"
set -u
read -r -a main_steps <<<"${1:-}"
read -r -a vm_steps <<<"${2:-}"
logs=.cache/test-logs
mkdir -p "$logs"
: >.cache/test-times
rm -f .cache/test-result
make=${MAKE:-make}

finish() { # lane step started rc
  local d=$(($(date +%s) - $3))
  if [ "$4" -eq 0 ]; then
    echo "$2 $d ok" >>.cache/test-times
    echo "== make test [$1 lane]: $2 ok in $d s"
  else
    echo "$2 $d FAILED" >>.cache/test-times
    echo "== make test [$1 lane]: $2 FAILED after $d s; the last 150 lines of $logs/$2.log:"
    tail -n 150 "$logs/$2.log" | sed "s/^/[$2] /"
  fi
  return "$4"
}

main_lane() {
  local t s
  for t in "${main_steps[@]}"; do
    s=$(date +%s)
    echo "== make test [main lane]: $t"
    $make --no-print-directory "$t" 2>&1 | tee "$logs/$t.log"
    finish main "$t" "$s" "${PIPESTATUS[0]}" || return 1
  done
}

vm_lane() {
  local t s pid rc
  for t in "${vm_steps[@]}"; do
    s=$(date +%s)
    echo "== make test [vm lane]: $t started (log: $logs/$t.log)"
    $make --no-print-directory "$t" >"$logs/$t.log" 2>&1 &
    pid=$!
    while ! wait_up_to 300 "$pid"; do
      echo "== make test [vm lane]: $t still running ($(($(date +%s) - s)) s): $(tail -n 1 "$logs/$t.log" | cut -c1-100)"
    done
    wait "$pid"
    rc=$?
    finish vm "$t" "$s" "$rc" || return 1
  done
}

wait_up_to() { # seconds pid: true once pid has ended
  local i
  for ((i = 0; i < $1; i++)); do
    kill -0 "$2" 2>/dev/null || return 0
    sleep 1
  done
  ! kill -0 "$2" 2>/dev/null
}

vm_lane &
vm_pid=$!
main_lane
main_rc=$?
wait "$vm_pid"
vm_rc=$?

all=$((${#main_steps[@]} + ${#vm_steps[@]}))
passed=$(grep -c ' ok$' .cache/test-times)
failed=$(grep -c ' FAILED$' .cache/test-times)
echo "test: $passed passed, $failed failed, $((all - passed - failed)) not run" | tee .cache/test-result
[ "$main_rc" -eq 0 ] && [ "$vm_rc" -eq 0 ] && [ "$failed" -eq 0 ]
