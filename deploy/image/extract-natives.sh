#!/usr/bin/env sh
# Extracts this platform's native libraries (RocksDB, the AWS-LC crypto provider, zstd, snappy, lz4) from the
# shaded jar into a directory the image owns, so that the JVM loads them from there
# (-Djava.library.path=DIR, and -Dcom.amazon.corretto.crypto.provider.useExternalLib=true for the
# crypto provider) instead of copying them to /tmp first: a read-only image mounts /tmp as a
# noexec tmpfs, where a library cannot be mapped. Run by the Dockerfile; tested by NativeLibrariesIT.
#
#   deploy/image/extract-natives.sh JAR ARCH DIR      # ARCH: amd64 | arm64 (Docker's TARGETARCH)
# Needs unzip.
set -eu
jar=$1
dir=$3
case ${2:-amd64} in
  amd64 | x86_64) rocksdb=librocksdbjni-linux64.so zstd=linux/amd64 snappy=x86_64 lz4=amd64 ;;
  arm64 | aarch64) rocksdb=librocksdbjni-linux-aarch64.so zstd=linux/aarch64 snappy=aarch64 lz4=aarch64 ;;
  *) echo "extract-natives: no native libraries for architecture '$2' (amd64 or arm64)" >&2; exit 2 ;;
esac
mkdir -p "$dir"
unzip -Z1 "$jar" | grep -qx "$rocksdb" || { echo "extract-natives: $jar has no $rocksdb" >&2; exit 1; }
unzip -qjo "$jar" "$rocksdb" -d "$dir"
# The crypto provider ships for x86-64 and aarch64 Linux; elsewhere the JDK's providers serve.
accp=com/amazon/corretto/crypto/provider/libamazonCorrettoCryptoProvider.so
if unzip -Z1 "$jar" | grep -qx "$accp"; then
  unzip -qjo "$jar" "$accp" -d "$dir"
fi
# zstd-jni loads libzstd-jni-VERSION.so from java.library.path before it tries /tmp.
for lib in $(unzip -Z1 "$jar" | grep "^$zstd/libzstd-jni-.*\.so$" || true); do
  unzip -qjo "$jar" "$lib" -d "$dir"
done
# Kafka's other compressions, for records a producer compressed: snappy-java loads libsnappyjava.so
# from java.library.path with -Dorg.xerial.snappy.use.systemlib=true (it has no fallback: without
# the library a snappy batch stops the feed), lz4-java tries java.library.path first (its fallback
# is slower pure Java).
for lib in "org/xerial/snappy/native/Linux/$snappy/libsnappyjava.so" "net/jpountz/util/linux/$lz4/liblz4-java.so"; do
  if unzip -Z1 "$jar" | grep -qx "$lib"; then
    unzip -qjo "$jar" "$lib" -d "$dir"
  fi
done
ls "$dir"
