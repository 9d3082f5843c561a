#!/usr/bin/env sh
# Removes from the shaded jar RocksDB's native library for every platform but one: the jar carries
# all of them (75 MB of its 144 MB) so that `java -jar` works anywhere, an image needs only its
# own. Run by the Dockerfile's build stage; tested by ImageJarIT.
#
#   deploy/image/keep-platform-natives.sh JAR ARCH      # ARCH: amd64 | arm64 (Docker's TARGETARCH)
# Needs zip and unzip.
set -eu
jar=$1
case ${2:-amd64} in
  amd64 | x86_64) keep=librocksdbjni-linux64.so ;;
  arm64 | aarch64) keep=librocksdbjni-linux-aarch64.so ;;
  *) echo "keep-platform-natives: no RocksDB library for architecture '$2' (amd64 or arm64)" >&2; exit 2 ;;
esac
unzip -Z1 "$jar" | grep -qx "$keep" || { echo "keep-platform-natives: $jar has no $keep" >&2; exit 1; }
others=$(unzip -Z1 "$jar" | grep '^librocksdbjni-' | grep -vx "$keep" || true)
# shellcheck disable=SC2086 # one entry name per word: the names have no spaces
[ -z "$others" ] || zip -q -d "$jar" $others
