#!/usr/bin/env bash
# Makes a container base image from Debian packages alone, for builds without a registry (the
# Dockerfile's BUILD_BASE and RUNTIME_BASE). It holds a Java 17 runtime, curl (the image's health
# check), zip/unzip (the build stage's jar steps) and passwd (useradd). About two minutes.
#
#   deploy/image/debian-base.sh TAG [MIRROR]
#   JDK=/path/to/jdk-25 deploy/image/debian-base.sh TAG     # that JDK as /opt/java, first on the PATH
#
# MIRROR defaults to the first Debian mirror of this machine's apt sources, else deb.debian.org.
# Needs root, debootstrap and a running Docker engine. Does nothing if TAG already exists (with
# whatever JDK it was made with: give another JDK another TAG).
set -euo pipefail
tag=${1:?usage: debian-base.sh TAG [MIRROR]}
# One build at a time: CI starts one early, and a test that needs the base waits for it here.
exec 9>"${TMPDIR:-/tmp}/jwt-sidecar-debian-base.lock"
flock 9
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "debian-base: $tag exists"
  exit 0
fi
mirror=${2:-}
# A mirror this machine already uses for bookworm itself (so not a security or updates suite, and
# not an Ubuntu archive on an Ubuntu host), else Debian's own.
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
    /^URIs:/ {uri = $2} /^Suites:/ {for (i = 2; i <= NF; i++) if ($i == "bookworm") found = 1}
    /^$/ {if (found && uri != "") {print uri; exit} uri = ""; found = 0}
    END {if (found && uri != "") print uri}' | head -1)
fi
if [ -z "$mirror" ]; then
  mirror=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}
root=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$root" "$log"' EXIT
debootstrap --variant=minbase --include=openjdk-17-jre-headless,curl,zip,unzip,passwd,ca-certificates \
  bookworm "$root" "$mirror" >"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
if [ -n "${JDK:-}" ]; then
  # A newer Java than Debian packages (e.g. 25, for the AOT cache), taken from this machine.
  [ -x "$JDK/bin/java" ] || { echo "debian-base: $JDK/bin/java is not there" >&2; exit 2; }
  mkdir -p "$root/opt/java"
  cp -a "$JDK/." "$root/opt/java/"
  path=/opt/java/bin:$path
fi
tar -C "$root" -c . | docker import --change 'ENV LANG=C.UTF-8' --change "ENV PATH=$path" - "$tag" >/dev/null
echo "debian-base: built $tag"
