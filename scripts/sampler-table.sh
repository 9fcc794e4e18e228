#!/usr/bin/env bash
# The sampler quality table of docs/sampling.md: `ddpm eval` (100 images per digit, seed 0) of a
# checkpoint with DDIM at 10, 20, 50 and 100 steps and DPM-Solver++(2M) at 5, 8, 10, 15, 20 and 25
# steps, one Markdown row per run: accuracy, worst digit, Frechet distance / floor, sampling seconds
# and the machine's load average (1 minute) when the run ended, since the seconds depend on it.
#
#   scripts/sampler-table.sh CHECKPOINT GUIDANCE [OUT_DIR]
#   scripts/sampler-table.sh checkpoints/pretrained 0.5
#   scripts/sampler-table.sh quick-table 0.75
#
# Runs are sequential; reports go to OUT_DIR (default: <checkpoint>/eval). Seconds depend on what
# else the machine runs.
# Set SAMPLERS="ddim:50 dpm++2m:15 dpm++2m:15:trailing" to run others (SAMPLER:STEPS[:SPACING]),
# DDPM=COMMAND to run another launcher.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
checkpoint="${1:?usage: $0 CHECKPOINT GUIDANCE [OUT_DIR]}"
guidance="${2:?usage: $0 CHECKPOINT GUIDANCE [OUT_DIR]}"
out="${3:-}"
samplers="${SAMPLERS:-ddim:10 ddim:20 ddim:50 ddim:100 dpm++2m:5 dpm++2m:8 dpm++2m:10 dpm++2m:15 dpm++2m:20 dpm++2m:25}"
ddpm="${DDPM:-$here/ddpm}"
command -v jq > /dev/null || { echo "$0: needs jq" >&2; exit 2; }

echo "| sampler | steps | spacing | accuracy | worst digit | Frechet / floor | sampling s | load |"
echo "|---|---:|---|---:|---:|---:|---:|---:|"
for run in $samplers; do
  IFS=: read -r sampler steps spacing <<< "$run"
  args=(eval --checkpoint "$checkpoint" --sampler "$sampler" --steps "$steps" --guidance "$guidance" --seed 0)
  [ -n "$spacing" ] && args+=(--spacing "$spacing")
  [ -n "$out" ] && args+=(--out "$out")
  # eval prints "report FILE.json" among its lines
  report="$("$ddpm" "${args[@]}" | sed -n 's/^report //p')"
  load="$(uptime | sed 's/.*load average: *//; s/,.*//')"
  jq -r --arg load "$load" '"| \(.sampling.sampler) | \(.sampling.steps) | \(.sampling.spacing // "-") | \(.accuracy * 1000 | round / 10)% | \(.accuracy_per_digit | to_entries | min_by(.value) | "\(.key): \(.value * 1000 | round / 10)%") | \(.frechet_distance | . * 100 | round / 100) / \(.frechet_distance_floor | . * 100 | round / 100) = \(.frechet_distance / .frechet_distance_floor | . * 100 | round / 100)x | \(.seconds.sampling | round) | \($load) |"' "$report"
done
