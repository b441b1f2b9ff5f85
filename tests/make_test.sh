#!/usr/bin/env bash
# `make test`'s runner: two workers side by side over two queues.
#   main queue: lint, sanity, unit, the container scenarios and other checks,
#               in the order given;
#   vm queue:   the scenarios that boot qemu TCG guests (TEST_VM_TARGETS),
#               longest first (tests/step-seconds: the last measured times).
# The vm worker takes from the head of the vm queue; the main worker takes
# from the main queue, then, once that is empty, from the tail of the vm
# queue (the shortest VM scenarios); the vm worker likewise takes what is
# left of the main queue. On two cores a TCG guest is CPU-bound while the
# container scenarios mostly wait on apt, so the pairing overlaps well, and
# neither worker idles while the other still has a queue.
# Every step's log goes to .cache/test-logs/STEP.log (the main worker's also
# here); a heartbeat every 5 min; a failed step's last 150 lines are printed.
# Each worker stops taking steps after its first failure; the other runs on.
# Step wall times go to .cache/test-times ("STEP SECONDS ok|FAILED"), the
# verdict to .cache/test-result ("test: N passed, N failed, N not run"), and
# tests/step_report.py prints the molecule steps' wall/CPU table at the end.
# A run longer than TEST_TIME_LIMIT seconds (default 4800: 80 minutes, CI
# stops at 90) is stopped with the slowest steps named.
# Usage: tests/make_test.sh "MAIN STEPS" "VM STEPS"
set -u
# Own process group, so that the time-limit guard can stop every step.
[ "$(ps -o pgid= $$ | tr -d ' ')" = "$$" ] || exec setsid "$0" "$@"
logs=.cache/test-logs
work=.cache/test-queue
limit=${TEST_TIME_LIMIT:-4800}
make=${MAKE:-make}
python=${PYTHON:-python3}
rm -rf "$work" .cache/test-profile .cache/test-result
mkdir -p "$logs" "$work"
: >.cache/test-times
start=$(date +%s)

# The vm queue, longest first by the recorded times (unknown steps first).
order_vm() {
  local t s
  for t in "$@"; do
    s=$(awk -v t="$t" '$1 == t {print $2}' tests/step-seconds 2>/dev/null)
    echo "${s:-99999} $t"
  done | sort -k1,1nr -s | cut -d' ' -f2
}
read -r -a main_steps <<<"${1:-}"
read -r -a vm_given <<<"${2:-}"
printf '%s\n' "${main_steps[@]}" | sed '/^$/d' >"$work/main"
order_vm "${vm_given[@]}" | sed '/^$/d' >"$work/vm"
all=$(cat "$work/main" "$work/vm" | wc -l)

# take QUEUE head|tail: print and remove one step (under a lock)
take() {
  (
    flock 8
    local f="$work/$1" line
    [ -s "$f" ] || exit 1
    if [ "$2" = head ]; then line=$(head -n 1 "$f"); sed -i '1d' "$f"
    else line=$(tail -n 1 "$f"); sed -i '$d' "$f"; fi
    echo "$line"
  ) 8>"$work/.lock"
}

finish() { # worker step started rc
  local d=$(($(date +%s) - $3))
  if [ "$4" -eq 0 ]; then
    echo "$2 $d ok" >>.cache/test-times
    echo "== make test [$1]: $2 ok in $d s"
  else
    echo "$2 $d FAILED" >>.cache/test-times
    echo "== make test [$1]: $2 FAILED after $d s; the last 150 lines of $logs/$2.log:"
    tail -n 150 "$logs/$2.log" | sed "s/^/[$2] /"
  fi
  return "$4"
}

wait_up_to() { # seconds pid: true once pid has ended
  local i
  for ((i = 0; i < $1; i++)); do
    kill -0 "$2" 2>/dev/null || return 0
    sleep 1
  done
  ! kill -0 "$2" 2>/dev/null
}

run_step() { # worker step stream(0|1)
  local s pid rc
  s=$(date +%s)
  echo "$2 $s" >"$work/running-$1"
  if [ "$3" = 1 ]; then
    echo "== make test [$1]: $2"
    $make --no-print-directory "$2" 2>&1 | tee "$logs/$2.log"
    rc=${PIPESTATUS[0]}
  else
    echo "== make test [$1]: $2 started (log: $logs/$2.log)"
    $make --no-print-directory "$2" >"$logs/$2.log" 2>&1 &
    pid=$!
    while ! wait_up_to 300 "$pid"; do
      echo "== make test [$1]: $2 still running ($(($(date +%s) - s)) s): $(tail -n 1 "$logs/$2.log" | cut -c1-100)"
    done
    wait "$pid"
    rc=$?
  fi
  rm -f "$work/running-$1"
  finish "$1" "$2" "$s" "$rc"
}

# worker NAME OWN_QUEUE OTHER_QUEUE OTHER_END STREAM
worker() {
  local t
  while t=$(take "$2" head || take "$3" "$4"); do
    run_step "$1" "$t" "$5" || return 1
  done
}

# The 80-minute guard: name the slowest steps, stop everything, fail.
guard() {
  sleep "$limit" &
  echo $! >"$work/guard-sleep"
  wait $! || return 0 # stopped: make test ended in time
  {
    echo "== make test: over the time limit (TEST_TIME_LIMIT=$limit s, CI stops at 5400 s); stopping."
    echo "== slowest finished steps (s):"
    sort -k2,2nr .cache/test-times | head -n 8 | sed 's/^/==   /'
    local f
    for f in "$work"/running-*; do
      [ -e "$f" ] || continue
      read -r t s <"$f"
      echo "==   still running: $t for $(($(date +%s) - s)) s"
    done
    "$python" tests/step_report.py --slowest 2>/dev/null | sed 's/^/==   /'
  } >&2
  echo "test: $(grep -c ' ok$' .cache/test-times) passed, $(($(grep -c ' FAILED$' .cache/test-times) + 1)) failed, stopped at the time limit" \
    | tee .cache/test-result >&2
  kill -TERM -- -$$ 2>/dev/null
}

guard &
guard_pid=$!
worker vm vm main head 0 &
vm_pid=$!
worker main main vm tail 1
main_rc=$?
wait "$vm_pid"
vm_rc=$?
kill "$(cat "$work/guard-sleep")" 2>/dev/null
wait "$guard_pid" 2>/dev/null

"$python" tests/step_report.py || true
passed=$(grep -c ' ok$' .cache/test-times)
failed=$(grep -c ' FAILED$' .cache/test-times)
echo "make test: $(($(date +%s) - start)) s"
echo "test: $passed passed, $failed failed, $((all - passed - failed)) not run" | tee .cache/test-result
[ "$main_rc" -eq 0 ] && [ "$vm_rc" -eq 0 ] && [ "$failed" -eq 0 ]
