#!/usr/bin/env bash
# The benchmarks compare against real load clients from Debian: install any that are missing,
# so `npm run bench` works on a fresh machine (apt needs root; otherwise say what to install).
set -euo pipefail
missing=()
for tool in wrk hey; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
# The nats-sync suite runs deploy/nats/nats-server.conf, which needs nats-server 2.10 (bookworm has 2.9).
if [ ! -x /opt/nats-server-2.10/nats-server ] && [ "$(id -u)" -eq 0 ]; then
  bash "$(dirname "$0")/../.ci/install-nats-server-2.10.sh" >&2 || echo "bench: could not install nats-server 2.10: the nats-sync suite will fail" >&2
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "bench: missing ${missing[*]}; install with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "bench: installing ${missing[*]} from Debian" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
