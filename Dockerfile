# Multi-stage build: Maven builds the jar, a JRE runs it.
#   docker build -t geosteer .
#   docker run -e GEOSTEER_ADMIN_TOKEN=change-me -p 5353:5353/udp -p 5353:5353/tcp -p 127.0.0.1:8053:8053 geosteer
#   docker kill -s HUP <container>      # reload zones, steering, GeoIP and drains now
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src src
RUN mvn -q -B package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --home /opt/geosteer geosteer
WORKDIR /opt/geosteer
COPY --from=build /src/target/geosteer.jar /opt/geosteer/geosteer.jar
COPY packaging/docker/geosteer.yaml /opt/geosteer/geosteer.yaml
COPY zones /opt/geosteer/zones
COPY geoip /opt/geosteer/geoip
# state_dir (the admin API's drains, kept across restarts) must be writable by the service's user
RUN mkdir -p /opt/geosteer/state && chown geosteer /opt/geosteer/state
USER geosteer
EXPOSE 5353/udp 5353/tcp 8053/tcp
# Ready once zones are loaded and origins have verdicts. bash's /dev/tcp: the JRE image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/8053 && printf "GET /api/v1/readyz HTTP/1.0\r\n\r\n" >&3 && head -n 1 <&3 | grep -q " 200 "'
ENTRYPOINT ["java", "-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/geosteer/geosteer.jar"]
CMD ["serve", "--config", "/opt/geosteer/geosteer.yaml"]
