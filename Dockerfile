# Multi-stage build: Maven builds the jar, a JRE runs it.
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
COPY zones /opt/geosteer/zones
COPY geoip /opt/geosteer/geoip
USER geosteer
EXPOSE 5353/udp 5353/tcp 8053/tcp
ENTRYPOINT ["java", "-Xmx256m", "-jar", "/opt/geosteer/geosteer.jar"]
CMD ["serve", "--listen", "0.0.0.0:5353"]
