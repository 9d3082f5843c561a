# Multi-stage build of the jwt-sidecar image (the production jar: no broker, no dev mode).
#   docker build -t jwt-sidecar .                      # Maven builds the jar inside
#   mvn -B -DskipTests package && docker build --build-arg JAR=target/jwt-sidecar.jar -t jwt-sidecar .
#   docker run --read-only --tmpfs /tmp -v jwt-sidecar-data:/var/lib/jwt-sidecar \
#     -v $PWD/sidecar.yaml:/config/sidecar.yaml:ro jwt-sidecar
#
# Every base is an argument, so that a build without a registry can use bases made locally
# (deploy/image/debian-base.sh makes one from Debian packages; DockerImageIT builds on it).
# BUILD_BASE needs Maven and a JDK 17+ unless JAR is given, then only a shell; both need zip and
# unzip, or apt-get to install them. RUNTIME_BASE needs a Java 17+ runtime on the PATH, useradd,
# and curl or apt-get.
ARG BUILD_BASE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_BASE=eclipse-temurin:25-jre

FROM ${BUILD_BASE} AS build
# Set by BuildKit to the image's architecture (amd64 or arm64); the legacy builder leaves it
# empty, and then the build machine's own (uname -m) is the image's.
ARG TARGETARCH=
# A production jar built beforehand, as a path in the build context; empty: build it here.
ARG JAR=
WORKDIR /src
COPY pom.xml .
RUN if [ -z "$JAR" ]; then mvn -B -q dependency:go-offline; fi
COPY . .
RUN set -eu; \
    if [ -n "$JAR" ]; then cp "$JAR" jwt-sidecar.jar; \
    else mvn -B -q -DskipTests package && cp target/jwt-sidecar.jar jwt-sidecar.jar; fi; \
    if ! command -v zip >/dev/null || ! command -v unzip >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends zip unzip; fi; \
    # Only this platform's RocksDB library: the jar shrinks by the 75 MB of the others.
    arch=${TARGETARCH:-$(uname -m)}; \
    sh deploy/image/keep-platform-natives.sh jwt-sidecar.jar "$arch"; \
    sh deploy/image/extract-natives.sh jwt-sidecar.jar "$arch" native

FROM ${RUNTIME_BASE}
# curl for the health check; nothing else is added to the runtime image.
RUN set -eu; \
    if ! command -v curl >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*; fi; \
    groupadd --system --gid 10001 sidecar; \
    useradd --system --uid 10001 --gid sidecar --home /nonexistent --shell /usr/sbin/nologin sidecar; \
    mkdir -p /var/lib/jwt-sidecar /config; \
    chown sidecar:sidecar /var/lib/jwt-sidecar
COPY --from=build /src/jwt-sidecar.jar /app/jwt-sidecar.jar
# The native libraries load from here, never from /tmp: a read-only container mounts /tmp as a
# noexec tmpfs, where a library extracted at start cannot be mapped.
COPY --from=build /src/native /app/native
# A class archive: the training run `warm-up` (the sidecar without Kafka, verifying tokens over
# loopback HTTP) records the classes a start loads, and every start maps them instead of loading
# them again (docs/BENCHMARKS.md has start-to-ready with and without). JDK 25+ records an AOT
# cache, which also keeps them linked; JDK 17-24 a dynamic CDS archive. The options that use it go
# to /app/jvm.options, which the entry point reads. The run is also the image's smoke test: the
# build fails if any answer is not the expected one.
RUN set -eu; \
    version=$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}'); \
    if [ "${version%%.*}" -ge 25 ]; then \
      record=-XX:AOTCacheOutput=/app/jwt-sidecar.aot; use=-XX:AOTCache=/app/jwt-sidecar.aot; \
    else \
      record=-XX:ArchiveClassesAtExit=/app/jwt-sidecar.jsa; use=-XX:SharedArchiveFile=/app/jwt-sidecar.jsa; \
    fi; \
    java "$record" -Djava.library.path=/app/native -Dcom.amazon.corretto.crypto.provider.useExternalLib=true \
      -Dorg.xerial.snappy.use.systemlib=true \
      -jar /app/jwt-sidecar.jar warm-up >/tmp/warm-up.log 2>&1 || { tail -50 /tmp/warm-up.log; exit 1; }; \
    grep '^jwt-sidecar warm-up' /tmp/warm-up.log; rm -rf /tmp/*; \
    echo "$use" > /app/jvm.options
USER 10001:10001
# The store lives on a volume; the root filesystem can be read-only. The JVM's temp files go to
# /tmp: mount a tmpfs there (it may be noexec, as Docker's --tmpfs is: no library loads from it).
VOLUME ["/var/lib/jwt-sidecar"]
ENV JWT_SIDECAR_REVOCATION_DATA_DIR=/var/lib/jwt-sidecar/revocations
EXPOSE 8181 8182
# For `run`: asks the API's port, 8181, or JWT_SIDECAR_API_PORT when that sets another (set the
# port there, not only in the file, if it is not 8181). A container of `inject-webhook` has no such
# port: run it with --no-healthcheck (Kubernetes ignores HEALTHCHECK and uses the probes).
HEALTHCHECK --interval=10s --timeout=2s --start-period=30s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${JWT_SIDECAR_API_PORT:-8181}/health/ready" >/dev/null || exit 1
# JVM options on the command line rather than in JAVA_TOOL_OPTIONS, which the JVM echoes to stderr
# at every start: a failed start prints its one line and nothing else. More options at run time
# go in JDK_JAVA_OPTIONS (the JVM then echoes those, one line before anything else).
# The heap takes at most half of the container's memory (160 MiB in the injected 320Mi; the
# verified-token cache takes up to 32 MiB of it): the rest is for what is not heap and is most of the
# footprint (the class archive, metaspace, compiled code and the compilers' arenas, RocksDB, Netty's
# buffers, threads), so a busy heap ends in a Java OutOfMemoryError (and a restart) rather than the
# kernel's kill. The serial collector, because a sidecar has a core or less and a small heap: G1 and
# Parallel held 20-25 MiB more under the same load. docs/BENCHMARKS.md, "Footprint: a sidecar in
# every pod", measures each JVM option tried, also those left out (glibc arenas, thread stacks,
# Netty's allocator: no measurable change; a 32 MiB code cache: the rate fell to a few hundred/s; a
# heap of a fifth, 64 MiB: 1 MiB less resident and 29 % less throughput on a quiet machine).
# MinRAMPercentage too: below about 250 MiB of memory the JVM takes that one instead.
ENTRYPOINT ["java", "@/app/jvm.options", "-XX:MaxRAMPercentage=50", "-XX:MinRAMPercentage=50", "-XX:+UseSerialGC", \
            "-XX:+ExitOnOutOfMemoryError", \
            "-Djava.library.path=/app/native", "-Dcom.amazon.corretto.crypto.provider.useExternalLib=true", \
            "-Dorg.xerial.snappy.use.systemlib=true", \
            "-jar", "/app/jwt-sidecar.jar"]
CMD ["run", "--config", "/config/sidecar.yaml"]
