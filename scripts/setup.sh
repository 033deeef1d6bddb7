#!/usr/bin/env bash
# Installs what building SpecGRPO needs on a fresh Debian machine: OpenBLAS from Debian's
# libopenblas-dev. Idempotent; skips apt when the header is already there.
set -euo pipefail
if [[ ! -f /usr/include/x86_64-linux-gnu/cblas.h && ! -f /usr/include/cblas.h && ! -f /usr/include/aarch64-linux-gnu/cblas.h ]]; then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libopenblas-dev >/dev/null
fi
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
command -v swift >/dev/null || { echo "swift not found (expected the Swift 6.3 toolchain on PATH or in /opt/swift)" >&2; exit 1; }
