# syntax=docker/dockerfile:1
# authip operator image. Build from the repository root:
#   docker build -t myregistry.azurecr.io/authip:0.1.0 .
# The build stage packages the operator's module and what it needs (-pl authip-operator -am); tests run in CI, not
# here. The other modules' poms are in the context only because the parent lists them.

ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY . ./
# The cache mount keeps ~/.m2 between builds without putting it into a layer.
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp -DskipTests -pl authip-operator -am package

FROM ${RUNTIME_IMAGE}
# A fixed numeric user, so that Kubernetes can verify runAsNonRoot without a passwd lookup; the chart and the
# kustomize base run the pod as the same UID and GID.
RUN groupadd --system --gid 65532 authip \
 && useradd --system --uid 65532 --gid 65532 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin authip
COPY --from=build --chown=0:0 --chmod=0444 /src/authip-operator/target/authip.jar /app/authip.jar
USER 65532:65532
WORKDIR /tmp
EXPOSE 8080
# Heap sized from the container's memory limit; the C1 compiler only (the fleet benchmark, docs/benchmarks.md: C2
# compiling the SDKs' code was over half the operator's CPU and 140 MiB of its resident memory, for no gain in an
# operator that waits on the network); exit (and get restarted) rather than limp on after an OutOfMemoryError;
# no perf data file, because the root filesystem is read-only and only /tmp is writable.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData", "-Djava.io.tmpdir=/tmp", "-jar", "/app/authip.jar"]
CMD ["run"]
