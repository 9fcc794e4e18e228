#!/usr/bin/env bash
# Runs on the GPU machine, in the repository root, with .gpu/ carried (made by scripts/gpu/bundle.sh): builds
# DJL's JNI bridge against the machine's CUDA libtorch, then one of the check sets; everything it prints and
# writes goes to $OUT (or gpu-results/).
#
#   scripts/gpu/check.sh bringup     GPU tests (TF32 off), bench over batch sizes with sampling times, and
#                                    a few hundred training steps of config/default.json, then sample, gif, eval
#   scripts/gpu/check.sh quality     3 epochs of config/default.json, then eval (100 per digit, DDIM 50) at
#                                    guidance 0.5, 1 and 2 (DDPM_GUIDANCES)
# Any failing step (a GPU test that fails or skips, a command that exits non-zero) stops the script with a
# non-zero exit status and a FAILED line in summary.txt.
set -euo pipefail
what="${1:-bringup}"
out="${OUT:-gpu-results}"
mkdir -p "$out"
step=setup
log() { step="$*"; echo "== $*" | tee -a "$out/summary.txt"; }
trap 'status=$?; echo "== FAILED (exit $status) in: $step" | tee -a "$out/summary.txt"; exit $status' ERR

tar xJf .gpu/jre.tar.xz -C /tmp
java=/tmp/jre/bin/java
bash .gpu/djl-jni.sh build .gpu/djl-jni > "$out/bridge.txt" 2>&1 ||
  { cat "$out/bridge.txt"; log "FAILED: the JNI bridge did not build (bridge.txt)"; exit 1; }
eval "$(grep '^export ' "$out/bridge.txt")"
# A description of the machine, for the record only: a missing tool is not a failure.
{ nvidia-smi || true; python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)' || true; } \
  > "$out/machine.txt" 2>&1
cp="$(pwd)/.gpu/app/ddpm.jar:$(pwd)/.gpu/app/lib/*"
ddpm() { "$java" -Xmx32g -cp "$cp" dev.ddpm.cli.DdpmCommand "$@"; }
guidance="${DDPM_GUIDANCE:-2}"

case "$what" in
bringup)
  log "GPU tests (TF32 off)"
  NVIDIA_TF32_OVERRIDE=0 "$java" -Dddpm.shared=.gpu/shared -jar .gpu/junit-platform-console-standalone-*.jar \
    -cp ".gpu/app/test-classes:$cp" --select-class dev.ddpm.model.GpuParityTest \
    --select-class dev.ddpm.generate.GpuGenerationTest --details=tree 2>&1 | tee "$out/gpu-tests.txt"
  # On the GPU machine a skipped GPU test (libtorch saw no GPU, a fixture is missing) is a failure too.
  if ! grep -Eq '\[ +0 tests skipped +\]' "$out/gpu-tests.txt"; then
    log "FAILED: GPU tests were skipped (see gpu-tests.txt)"; exit 1
  fi
  log "bench, config/default.json"
  ddpm bench --device gpu --batch-size 64,128,256,512 --steps 50 --warmup 10 --sampling 2>&1 | tee "$out/bench.txt"
  log "bring-up: 300 steps of config/default.json, sample, gif, eval"
  ddpm train --device gpu --run gpu-bringup --set train.epochs=1 --set train.train_limit=19200 \
    --set train.sample_every_steps=100 2>&1 | tail -n 20 | tee "$out/bringup-train.txt"
  ddpm sample --device gpu --checkpoint gpu-bringup --all-digits --guidance "$guidance" \
    --out "$out/bringup-samples.png" 2>&1 | tail -n 3
  ddpm gif --device gpu --checkpoint gpu-bringup --digit 7 --out "$out" 2>&1 | tail -n 3
  ddpm eval --device gpu --checkpoint gpu-bringup --steps 50 --n 20 --guidance "$guidance" 2>&1 \
    | tee "$out/bringup-eval.txt"
  ;;
quality)
  log "quality: 3 epochs of config/default.json, then eval"
  start=$(date +%s)
  ddpm train --device gpu --run gpu-3-epochs --epochs 3 --set train.sample_every_steps=0 2>&1 | tail -n 30 \
    | tee "$out/quality-train.txt"
  log "training took $(( $(date +%s) - start )) s"
  # Guidance moves accuracy and Frechet distance in opposite directions: report a few, pick the README's.
  for g in ${DDPM_GUIDANCES:-0.5 1 2}; do
    ddpm eval --device gpu --checkpoint gpu-3-epochs --steps 50 --n 100 --guidance "$g" 2>&1 \
      | tee "$out/quality-eval-g$g.txt"
  done
  cp checkpoints/gpu-3-epochs/loss.png "$out/quality-loss.png"
  ;;
*) sed -n '2,11p' "$0"; exit 2 ;;
esac
log "passed: $what"
