#!/bin/sh
# Installs every Debian package the build, the tests and the benchmarks need.
# Run as root on Debian 12; safe to run again.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    build-essential pkg-config meson ninja-build gperf \
    uthash-dev libyaml-dev libcmocka-dev liblua5.4-dev lua5.4 \
    python3 valgrind hyperfine >/dev/null
