# syntax=docker/dockerfile:1
# Multi-stage build of the jwt-sidecar image.
#   docker build -t jwt-sidecar .
#   docker run --read-only -v jwt-sidecar-data:/var/lib/jwt-sidecar -v $PWD/sidecar.yaml:/config/sidecar.yaml:ro jwt-sidecar
# The same image, without Docker: mvn -Pjib jib:build (see pom.xml).

# Every base is an argument, so that a build without a registry can use bases made locally.
ARG BUILD_BASE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_BASE=eclipse-temurin:25-jre

FROM ${BUILD_BASE} AS build
# Set by BuildKit to the image's architecture (amd64 or arm64).
ARG TARGETARCH=amd64
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
# docs/ holds the admin API's openapi.yaml, which the jar serves and the self-test below loads.
COPY docs ./docs
RUN mvn -B -q -DskipTests package
# Only this platform's RocksDB library: the jar shrinks from 144 MB to 69 MB.
COPY deploy/image/keep-platform-natives.sh /usr/local/bin/
COPY deploy/image/extract-natives.sh /usr/local/bin/
RUN apt-get update && apt-get install -y --no-install-recommends zip unzip \
 && keep-platform-natives.sh target/jwt-sidecar.jar "$TARGETARCH" \
 && extract-natives.sh target/jwt-sidecar.jar "$TARGETARCH" target/native

FROM ${RUNTIME_BASE}
# curl for the health check; nothing else is added to the runtime image.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 sidecar && useradd --system --uid 10001 --gid sidecar --home /nonexistent sidecar \
 && mkdir -p /var/lib/jwt-sidecar /config && chown sidecar:sidecar /var/lib/jwt-sidecar
COPY --from=build /src/target/jwt-sidecar.jar /app/jwt-sidecar.jar
# The native libraries load from here, never from /tmp: a read-only container mounts /tmp as a
# noexec tmpfs, where a library extracted at start cannot be mapped.
COPY --from=build /src/target/native /app/native
# AOT cache (JDK 25): a training run of `dev --self-test` (embedded Kafka, the sidecar, the tour
# over HTTP) records the classes a start loads and links, and every start maps them instead:
# launch to ready in 1.5 s rather than 2.6 s with a warm store (docs/BENCHMARKS.md). The run is
# also the image's smoke test: the build fails if the tour does.
RUN java -XX:AOTCacheOutput=/app/jwt-sidecar.aot -Djava.library.path=/app/native \
      -Dcom.amazon.corretto.crypto.provider.useExternalLib=true \
      -jar /app/jwt-sidecar.jar dev --api-port 0 --admin-port 0 --self-test
USER 10001:10001
# The store lives on a volume; the root filesystem can be read-only (the JVM's temp files go to
# /tmp: mount a tmpfs; it may be noexec, as Docker's --tmpfs is, since no library loads from it).
VOLUME ["/var/lib/jwt-sidecar"]
ENV JWT_SIDECAR_REVOCATION_DATA_DIR=/var/lib/jwt-sidecar/revocations \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:AOTCache=/app/jwt-sidecar.aot -Djava.library.path=/app/native -Dcom.amazon.corretto.crypto.provider.useExternalLib=true"
EXPOSE 8181 8182
HEALTHCHECK --interval=10s --timeout=2s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8181/health/ready >/dev/null || exit 1
ENTRYPOINT ["java", "-jar", "/app/jwt-sidecar.jar"]
CMD ["run", "--config", "/config/sidecar.yaml"]
