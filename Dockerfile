# syntax=docker/dockerfile:1
# kubeassume container image: docs/container.md.
#   docker build -t kubeassume:dev .

# --- build: the one executable jar, with the project's own Maven build ---------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Every module's POM (the reactor reads them all), then the sources the server is built from.
COPY pom.xml ./
COPY core/pom.xml core/
COPY mirror/pom.xml mirror/
COPY server/pom.xml server/
COPY packaging/pom.xml packaging/
COPY core/src core/src
COPY mirror/src mirror/src
COPY server/src server/src
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -pl server -am -DskipTests package \
 && cp server/target/kubeassume.jar /kubeassume.jar

# --- runtime: a JRE, the jar, nothing else; no root, nothing written outside /tmp --------------
FROM eclipse-temurin:17-jre AS runtime
LABEL org.opencontainers.image.title="kubeassume" \
      org.opencontainers.image.description="Serves a Kubernetes cluster's OIDC discovery document and JWKS for cloud IAM"
COPY --from=build --chown=0:0 --chmod=0444 /kubeassume.jar /app/kubeassume.jar
# JVM sizing recommended in README.md (docs/performance.md); the JVM exits on OutOfMemoryError so
# that it is restarted, never left half-alive; every file the JVM, Netty and Vert.x write goes to
# /tmp, which Kubernetes mounts as an emptyDir under a read-only root filesystem.
# Replace the whole variable to change a flag (the chart's jvmOptions does).
ENV JDK_JAVA_OPTIONS="-Xms32m -Xmx64m -XX:+UseSerialGC -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=32m -XX:MaxDirectMemorySize=32m -Xss512k -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=5000 -Djava.io.tmpdir=/tmp -Dvertx.disableFileCaching=true -Dvertx.cacheDirBase=/tmp/vertx-cache"
# Class-data sharing: a training run of this JRE on this jar archives the classes serving loads,
# which halves the time to the first response and lowers resident memory (docs/performance.md).
# Same JVM flags as at run time; the archive is read-only, like the jar.
COPY --chown=0:0 --chmod=0555 packaging/cds-train.sh /app/cds-train.sh
RUN /app/cds-train.sh /app/kubeassume.jar /app/kubeassume.jsa && chmod 0444 /app/kubeassume.jsa
# A numeric user, so runAsNonRoot can verify it without a passwd entry.
USER 65532:65532
WORKDIR /tmp
# 8080: the two public documents. 9090: /healthz, /readyz, /metrics (never expose publicly).
EXPOSE 8080 9090
# No HEALTHCHECK: the image has no HTTP client worth adding for it; Kubernetes probes
# /healthz (liveness) and /readyz (readiness) on port 9090 (deploy/helm/kubeassume).
# The archive is used when it matches this JVM and jar, and silently skipped otherwise.
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/kubeassume.jsa", "-jar", "/app/kubeassume.jar"]
CMD ["serve"]
