#!/bin/sh
# Installs every Debian package the build, the tests and the benchmarks need.
# Run as root on Debian 12; safe to run again.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    build-essential g++ pkg-config meson ninja-build gperf \
    uthash-dev libyaml-dev libcmocka-dev liblua5.4-dev lua5.4 \
    python3 valgrind hyperfine libjansson-dev librsvg2-bin time >/dev/null

# tests/tools checks `memtracer view --format speedscope` against the schema
# the speedscope npm package ships, with ajv: both under a fixed prefix.
if ! command -v npm >/dev/null 2>&1; then
    apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
node_prefix=/opt/memtracer-node
if [ ! -f "$node_prefix/node_modules/speedscope/dist/release/file-format-schema.json" ] ||
   [ ! -f "$node_prefix/node_modules/ajv/package.json" ]; then
    mkdir -p "$node_prefix"
    npm install --prefix "$node_prefix" --no-audit --no-fund --loglevel=error \
        speedscope@1.25.0 ajv@8.20.0 >/dev/null
fi
