#!/usr/bin/env bash
# Installs nats-server 2.10 (Debian trixie's package, unpacked, not installed) to /opt/nats-server-2.10/
# for the test of deploy/nats/nats-server.conf: its `sync_interval` needs 2.10 or later, and Debian
# bookworm's nats-server is 2.9. The system's /usr/sbin/nats-server and apt's state are untouched.
set -euo pipefail
DEST=/opt/nats-server-2.10
if [ -x "$DEST/nats-server" ]; then exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/parts" "$work/lists/partial" "$work/cache/archives/partial"
cat >"$work/parts/trixie.sources" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts=(
  -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/parts"
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
  -o "APT::Sandbox::User=root"
)
apt-get "${apt_opts[@]}" update -qq
(cd "$work" && apt-get "${apt_opts[@]}" download -qq nats-server)
dpkg-deb -x "$work"/nats-server_*.deb "$work/root"
version=$("$work/root/usr/sbin/nats-server" --version)
case "$version" in
  *v2.1[0-9].* | *v[3-9].*) ;;
  *) echo "unexpected $version" >&2; exit 1 ;;
esac
install -D -m 0755 "$work/root/usr/sbin/nats-server" "$DEST/nats-server"
echo "installed $version to $DEST"
