#!/usr/bin/env bash
# Prepares .gpu/ (git-ignored), everything a GPU machine without Java or network needs to run ddpm's GPU
# checks: a Java runtime made with jlink, the application and its GPU tests (the tiny parity fixture is among
# their resources), CI's small parity fixture, JUnit's console launcher, and DJL's JNI sources with the script
# that builds them against the local libtorch. Any failing step stops it (set -e).
#
#   scripts/gpu/bundle.sh DJL_GIT_DIR      DJL_GIT_DIR: a git directory of deepjavalibrary/djl with tag v0.36.0
#
# Then carry .gpu to the GPU machine and run scripts/gpu/check.sh there (see docs/gpu.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
djl="$1"
out=.gpu
shared="${DDPM_SHARED:-../shared}"
rm -rf "$out"
mkdir -p "$out/app/lib" "$out/shared/fixtures"

mvn -B -q -DskipTests package
mvn -B -q test-compile
cp target/ddpm.jar "$out/app/"
cp target/lib/*.jar "$out/app/lib/"
# The bridge is built there against that machine's libtorch; the prebuilt one in this jar is not used.
rm -f "$out"/app/lib/pytorch-jni-*.jar
cp -r target/test-classes "$out/app/test-classes"
mvn -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.11.4 \
  -DoutputDirectory="$out"

modules=java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http,java.sql
modules=$modules,java.xml,jdk.unsupported,jdk.crypto.ec
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=0 --output "$out/jre"
tar cJf "$out/jre.tar.xz" -C "$out" jre
rm -rf "$out/jre"

cp "$shared/fixtures/seed-parity-small.safetensors" "$out/shared/fixtures/"
cp "$shared/gpu/djl-jni.sh" "$out/"
"$shared/gpu/djl-jni.sh" bundle "$djl" "$out/djl-jni"
du -sh "$out"
