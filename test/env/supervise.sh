#!/usr/bin/env bash
# Runs COMMAND as a child and makes sure it cannot outlive whoever started this script.
#
#   test/env/supervise.sh COMMAND [ARG...]
#
# The starter (test/env/components.ts) keeps our standard input open as a pipe and never writes
# to it. End-of-file on that pipe means the starter is gone, even after a SIGKILL that left it no
# chance to clean up, and the child is then terminated. TERM, INT and HUP sent to this script are
# forwarded to the child as TERM. A child still running SWITCHYARD_STOP_GRACE seconds (default 10)
# after TERM is killed. The exit status is the child's.
set -uo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi
grace_ticks=$((${SWITCHYARD_STOP_GRACE:-10} * 10))

"$@" </dev/null &
child=$!

# TERM now, KILL after the grace period; polls the child instead of sleeping the whole period.
terminate_child() {
  kill -TERM "$child" 2>/dev/null || return 0
  local i
  for ((i = 0; i < grace_ticks; i++)); do
    kill -0 "$child" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "supervise: $1 ignored TERM for ${SWITCHYARD_STOP_GRACE:-10}s, killing it" >&2
  kill -KILL "$child" 2>/dev/null
}

# Watchdog on a duplicate of stdin (an asynchronous list would get /dev/null as its stdin).
exec 3<&0
(
  trap - TERM INT HUP
  while read -r -u 3 _; do :; done
  terminate_child "$1"
) &
exec 3<&-

trap 'terminate_child "$1" &' TERM INT HUP

# `wait` returns early whenever a trapped signal arrives; keep waiting until the child is gone.
while :; do
  wait "$child"
  status=$?
  kill -0 "$child" 2>/dev/null || break
done
# Leftover helpers: the watchdog, and a terminator from a trap that may still be polling.
mapfile -t helpers < <(jobs -p)
if ((${#helpers[@]})); then
  kill "${helpers[@]}" 2>/dev/null
  wait "${helpers[@]}" 2>/dev/null
fi
exit "$status"
