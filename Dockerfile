# damselfly in a container: built with the Maven wrapper on a JDK, run on a JRE.
#
#   docker build -t damselfly .
#   docker run --rm -p 6379:6379 damselfly                        # standalone, every interface, port 6379
#   docker run --rm -p 6379:6379 damselfly --bind 0.0.0.0 --protected-mode no --upstream redis://dragonfly:6379
#                                                                  # as a near-cache sidecar (README, "Running as a sidecar")
#
# Arguments after the image name replace CMD, so repeat --bind 0.0.0.0 --protected-mode no when
# giving your own: damselfly listens on 127.0.0.1 unless told otherwise, which inside a container
# reaches nobody, and protected-mode (Redis's default, yes) refuses every peer but 127.0.0.1 and ::1
# while there is no password (as Redis's own image, which turns it off without a config file).
# JVM flags: those of scripts/run without maxmemory (the heap is half the container's memory
# limit, committed at start; the other flags and why are in scripts/run). To size the heap from
# maxmemory as scripts/run does (maxmemory + maxmemory/8 + 96 MiB), pass it in
# JAVA_TOOL_OPTIONS, e.g. -e JAVA_TOOL_OPTIONS=-Xmx2400m for --maxmemory=2GB; an explicit -Xmx
# overrides the percentages.
#
# Not exercised by CI (there is no Docker on the build machines): the build stage runs the same
# Maven command as scripts/run, which the tests do run.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# The wrapper and the POMs first: their layer, and the dependencies it downloads, are reused
# while only sources change. The parent POM names every module, so bench's POM comes too.
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY protocol/pom.xml protocol/pom.xml
COPY server/pom.xml server/pom.xml
COPY bench/pom.xml bench/pom.xml
COPY protocol/src protocol/src
COPY server/src server/src
# the command scripts/run builds with
RUN ./mvnw -B -q -DskipTests -pl server -am package

FROM eclipse-temurin:17-jre
RUN groupadd --system damselfly && useradd --system --gid damselfly --home-dir /data damselfly \
    && mkdir -p /data /app && chown damselfly:damselfly /data
COPY --from=build /src/server/target/damselfly.jar /app/damselfly.jar
USER damselfly
# snapshots (SAVE, BGSAVE, save points) are written here; mount a volume to keep them
WORKDIR /data
EXPOSE 6379
# scripts/run's JVM options (it says why each is there), with the heap as a share of the container's memory
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=50", "-XX:InitialRAMPercentage=50", \
    "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:MaxTenuringThreshold=0", "-Xmn32m", \
    "-XX:G1PeriodicGCInterval=60000", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-XX:MinHeapSize=64m", \
    "-XX:+ExitOnOutOfMemoryError", "-Dio.netty.leakDetection.level=disabled", \
    "-XX:CompileCommand=quiet", "-XX:CompileCommand=dontinline,io.damselfly.server.keyspace.Shard::beforeChange", \
    "-XX:CompileCommand=dontinline,io.damselfly.server.command.CommandExecutor::logIfSlow", \
    "-jar", "/app/damselfly.jar"]
CMD ["--bind", "0.0.0.0", "--protected-mode", "no", "--port", "6379"]
