#!/usr/bin/env bash
# Installs everything the build, the tests and the demo need, from Debian's packages.
# Idempotent and quiet on success; run as root (or with sudo available) on Debian 12.
set -euo pipefail

packages=(
  build-essential g++ cmake pkg-config ninja-build
  libsimdjson-dev rapidjson-dev libcxxopts-dev libspdlog-dev libfmt-dev
  catch2 libcurl4-openssl-dev libcpp-httplib-dev libssl-dev zlib1g-dev libsqlite3-dev
  libhiredis-dev redis-server wrk chromium
  curl ca-certificates clang-16 libclang-rt-16-dev
)
# Node runs the compatibility test with the official Airtable client. A machine may already
# have a newer Node with its own npm (which conflicts with Debian's npm package): keep it.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
log=$(mktemp)
if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-deps: apt-get failed for: ${missing[*]}" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
