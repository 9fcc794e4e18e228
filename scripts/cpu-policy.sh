#!/usr/bin/env bash
# Measures how libtorch's OpenMP threads should wait on this CPU: ms per training step of the quick
# configuration (batch 32) alone, beside one busy process, and for each of two runs at once, for each wait
# policy given (default: always spinning, and what the launcher chooses: sleeping).
#
#   scripts/cpu-policy.sh                                   # the two policies below
#   scripts/cpu-policy.sh GOMP_SPINCOUNT=2000 GOMP_SPINCOUNT=200000
#
# A policy is an environment assignment the launcher passes on to libtorch, or "launcher" for what
# ./ddpm chooses when the user sets nothing. Run it on an otherwise idle machine: it prints one Markdown
# table row per policy (see README "CPU"). Shared machines drift, so the policies take turns for ROUNDS
# rounds (default 2) and each cell is the fastest of its rounds.
set -euo pipefail
cd "$(dirname "$0")/.."

policies=("$@")
[ ${#policies[@]} -gt 0 ] || policies=(OMP_WAIT_POLICY=ACTIVE launcher)
steps="${STEPS:-20}"
rounds="${ROUNDS:-2}"

./ddpm --version >/dev/null # builds once, outside the timings

# Prints the timed ms per step of one bench run with the environment assignment $1.
ms_per_step() {
  local assignment=()
  [ "$1" = launcher ] || assignment=("$1")
  env ${assignment[@]+"${assignment[@]}"} ./ddpm bench --config config/quick.json --batch-size 32 \
    --steps "$steps" --device cpu --quiet | awk '$1 == 32 { print $2 }'
}

# Prints the smaller of two numbers (empty counts as infinite).
fastest() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || (b != "" && b + 0 < a + 0)) print b; else print a }'; }

declare -A alone beside first second
for round in $(seq "$rounds"); do
  for policy in "${policies[@]}"; do
    alone[$policy]=$(fastest "${alone[$policy]:-}" "$(ms_per_step "$policy")")
    sh -c 'while :; do :; done' &
    busy=$!
    beside[$policy]=$(fastest "${beside[$policy]:-}" "$(ms_per_step "$policy")")
    kill "$busy"
    other=$(mktemp)
    ms_per_step "$policy" >"$other" &
    pair=$!
    one=$(ms_per_step "$policy")
    wait "$pair"
    # The pair's slower run is the one that counts; keep the round whose slower run was fastest.
    two=$(cat "$other"); rm -f "$other"
    slower=$(awk -v a="$one" -v b="$two" 'BEGIN { print (a + 0 > b + 0) ? a : b }')
    if [ -z "${second[$policy]:-}" ] || [ "$(fastest "${second[$policy]}" "$slower")" = "$slower" ]; then
      first[$policy]=$(awk -v a="$one" -v b="$two" 'BEGIN { print (a + 0 > b + 0) ? b : a }')
      second[$policy]=$slower
    fi
  done
done

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores; ms per step, fastest of $rounds rounds"
echo "| policy | alone | beside one busy process | two runs at once (each) |"
echo "| --- | --- | --- | --- |"
for policy in "${policies[@]}"; do
  echo "| $policy | ${alone[$policy]} | ${beside[$policy]} | ${first[$policy]} / ${second[$policy]} |"
done
