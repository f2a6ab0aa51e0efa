package dev.geosteer.steer;

import dev.geosteer.catalog.ZoneCatalog;
import dev.geosteer.geo.GeoIndex;
import dev.geosteer.health.HealthView;
import dev.geosteer.problem.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A broken steering file is reported as file:line:column: reason, and never served. */
class SteeringFileTest {
    @TempDir
    Path dir;

    static final String ZONE = """
            $TTL 300
            @      SOA ns1 host 1 3600 600 86400 60
            @      NS  ns1
            ns1    A   192.0.2.1
            alias  CNAME ns1
            fixed  A   192.0.2.9
            child  NS  ns.example.org.
            """;

    static final String GOOD = """
            pools:
              eu:
                origins:
                  - { name: a, address: 192.0.2.10 }
            balancers:
              www:
                steering: failover
                default_pools: [eu]
            """;

    List<String> load(String steer) throws Exception {
        Files.writeString(dir.resolve("s.test.zone"), ZONE);
        Files.writeString(dir.resolve("s.test.steer.yaml"), steer);
        ZoneCatalog catalog = new ZoneCatalog(dir, new SteeringCompiler(() -> GeoIndex.EMPTY, () -> HealthView.NONE));
        return catalog.refresh().errors().stream().map(Problem::toString).toList();
    }

    String file() {
        return dir.resolve("s.test.steer.yaml").toString();
    }

    @Test
    void acceptsAGoodFile() throws Exception {
        assertThat(load(GOOD)).isEmpty();
    }

    @Test
    void namesAnUndefinedPoolWithItsPosition() throws Exception {
        assertThat(load(GOOD.replace("default_pools: [eu]", "default_pools: [eu, us]")))
                .singleElement().asString()
                .startsWith(file() + ":8:")
                .contains("balancers.www.default_pools[1]")
                .contains("no pool named 'us'");
    }

    @Test
    void rejectsUnknownKeysListingTheKnownOnes() throws Exception {
        assertThat(load(GOOD.replace("steering: failover", "steering: failover\n    colour: blue")))
                .singleElement().asString()
                .startsWith(file() + ":8:")
                .contains("unknown key 'colour'")
                .contains("default_pools");
    }

    @Test
    void rejectsWrongTypes() throws Exception {
        assertThat(load(GOOD.replace("steering: failover", "steering: failover\n    ttl: [1, 2]")))
                .singleElement().asString().startsWith(file() + ":8:").contains("ttl").contains("number");
        assertThat(load(GOOD.replace("steering: failover", "steering: failover\n    max_answers: many")))
                .singleElement().asString().startsWith(file() + ":8:").contains("max_answers");
    }

    @Test
    void rejectsYamlSyntaxErrors() throws Exception {
        assertThat(load(GOOD + "  broken: [unclosed\n")).singleElement().asString().startsWith(file() + ":");
    }

    @Test
    void rejectsABalancerOutsideItsZone() throws Exception {
        assertThat(load(GOOD.replace("  www:", "  www.example.org.:")))
                .singleElement().asString().contains("outside the zone s.test.");
    }

    @Test
    void rejectsABalancerOnACnameOrOnStaticAddresses() throws Exception {
        assertThat(load(GOOD.replace("  www:", "  alias:"))).singleElement().asString()
                .startsWith(file() + ":6:").contains("also has a CNAME");
        assertThat(load(GOOD.replace("  www:", "  fixed:"))).singleElement().asString()
                .contains("also has A/AAAA records");
        assertThat(load(GOOD.replace("  www:", "  www.child:"))).singleElement().asString()
                .contains("zone cut");
    }

    @Test
    void checksPoolsOriginsAndValues() throws Exception {
        List<String> errors = load("""
                pools:
                  eu:
                    minimum_origins: 3
                    origins:
                      - { name: a, address: 192.0.2.300 }
                      - { name: a, address: 192.0.2.11, weight: 0 }
                  empty:
                    origins: []
                balancers:
                  www:
                    steering: nearest
                    ttl: 0
                    default_pools: [eu]
                    fallback_pool: nope
                    regions:
                      XX: [eu]
                    nets:
                      "10.0.0.1/8": [eu]
                """);
        assertThat(errors).anyMatch(e -> e.contains(":5:") && e.contains("'192.0.2.300' is not an IP address"));
        assertThat(errors).anyMatch(e -> e.contains(":6:") && e.contains("appears twice"));
        assertThat(errors).anyMatch(e -> e.contains(":6:") && e.contains("weight must be within 1..1000"));
        assertThat(errors).anyMatch(e -> e.contains("minimum_origins must be within 1..2"));
        assertThat(errors).anyMatch(e -> e.contains(":7:") && e.contains("at least one origin"));
        assertThat(errors).anyMatch(e -> e.contains(":11:") && e.contains("'nearest' is not a steering policy"));
        assertThat(errors).anyMatch(e -> e.contains(":12:") && e.contains("ttl must be within"));
        assertThat(errors).anyMatch(e -> e.contains(":14:") && e.contains("no pool named 'nope'"));
        assertThat(errors).anyMatch(e -> e.contains(":16:") && e.contains("'XX' is not a continent"));
        assertThat(errors).anyMatch(e -> e.contains(":18:") && e.contains("host bits set"));
    }

    @Test
    void monitorRequestPartsCannotSmuggleLinesIntoTheRequest() throws Exception {
        List<String> errors = load("""
                monitors:
                  web:
                    path: "/health HTTP/1.1\\r\\nX: y"
                    host: "a b"
                    headers: { "X-Ok": fine, "Bad Name": v, "X-Split": "a\\r\\nInjected: 1" }
                pools:
                  eu:
                    monitor: web
                    origins:
                      - { name: a, address: 192.0.2.10 }
                balancers:
                  www: { default_pools: [eu] }
                """);
        assertThat(errors).anyMatch(e -> e.contains(":3:") && e.contains("printable ASCII without spaces"));
        assertThat(errors).anyMatch(e -> e.contains(":4:") && e.contains("the host must be"));
        assertThat(errors).anyMatch(e -> e.contains("'Bad Name' is not a header name"));
        assertThat(errors).anyMatch(e -> e.contains("a header value must be one line"));
        assertThat(errors).noneMatch(e -> e.contains("X-Ok"));
    }

    @Test
    void proximityNeedsPoolLocations() throws Exception {
        assertThat(load(GOOD.replace("steering: failover", "steering: proximity")))
                .singleElement().asString().contains("needs a 'location");
    }

    @Test
    void checksMonitors() throws Exception {
        List<String> errors = load("""
                monitors:
                  web:
                    type: gopher
                    interval: -1s
                  slow:
                    type: http
                    interval: 1s
                    timeout: 2s
                    rise: 0
                    expect: 2xx,700
                  raw:
                    type: tcp
                pools:
                  eu:
                    monitor: nothing
                    origins:
                      - { name: a, address: 192.0.2.10 }
                """);
        assertThat(errors).anyMatch(e -> e.contains(":4:") && e.contains("interval"));
        assertThat(load("""
                monitors:
                  slow:
                    type: http
                    interval: 1s
                    timeout: 2s
                    rise: 0
                    expect: 2xx,700
                  raw:
                    type: tcp
                  odd:
                    type: gopher
                pools:
                  eu:
                    monitor: nothing
                    origins:
                      - { name: a, address: 192.0.2.10 }
                """)).anyMatch(e -> e.contains(":5:") && e.contains("must be shorter than the interval"))
                .anyMatch(e -> e.contains(":6:") && e.contains("rise must be at least 1"))
                .anyMatch(e -> e.contains(":7:") && e.contains("'700'"))
                .anyMatch(e -> e.contains(":8:") && e.contains("needs a 'port'"))
                .anyMatch(e -> e.contains(":11:") && e.contains("'gopher' is not a monitor type"))
                .anyMatch(e -> e.contains(":14:") && e.contains("no monitor named 'nothing'"));
    }

    @Test
    void keepsServingThePreviousVersionWhenTheSteeringFileBreaks() throws Exception {
        assertThat(load(GOOD)).isEmpty();
        Files.writeString(dir.resolve("s.test.zone"), ZONE);
        ZoneCatalog catalog = new ZoneCatalog(dir, new SteeringCompiler(() -> GeoIndex.EMPTY, () -> HealthView.NONE));
        assertThat(catalog.refresh().errors()).isEmpty();
        var before = catalog.current().all().iterator().next();
        Files.writeString(dir.resolve("s.test.steer.yaml"), GOOD.replace("[eu]", "[nope]") + "\n");
        assertThat(catalog.refresh().errors()).isNotEmpty();
        assertThat(catalog.current().all()).singleElement().isSameAs(before);
    }

    @Test
    void rejectsADuplicateKeyAtTheSecondOne() throws Exception {
        assertThat(load("""
                pools:
                  eu:
                    origins:
                      - { name: a, address: 192.0.2.10 }
                  eu:
                    origins:
                      - { name: b, address: 192.0.2.11 }
                balancers:
                  www:
                    default_pools: [eu]
                    ttl: 30
                    ttl: 60
                """)).containsExactly(
                file() + ":5:3: duplicate key 'eu' (first at line 2): a key may appear only once in a map",
                file() + ":12:5: duplicate key 'ttl' (first at line 11): a key may appear only once in a map");
    }

    @Test
    void rejectsAFractionWhereAWholeNumberIsExpected() throws Exception {
        assertThat(load(GOOD.replace("steering: failover", "steering: failover\n    ttl: 30.5")))
                .containsExactly(file() + ":8:5: 'balancers.www.ttl': 30.5 is not a whole number");
    }

    @Test
    void reportsEveryWrongValueAtOnceAtItsKey() throws Exception {
        assertThat(load("""
                pools:
                  eu:
                    weight: heavy
                    origins:
                      - { name: a, address: 192.0.2.10, weight: [1] }
                balancers:
                  www:
                    steering: failover
                    colour: blue
                    ttl: 1.5
                    default_pools: [eu]
                """)).containsExactly(
                file() + ":3:5: 'pools.eu.weight': wrong type, expected a number",
                file() + ":5:41: 'pools.eu.origins[0].weight': wrong type, expected a number",
                file() + ":9:5: unknown key 'colour' in balancers.www; known keys: default_pools, fallback_pool,"
                        + " max_answers, nets, regions, steering, transfer_as, ttl",
                file() + ":10:5: 'balancers.www.ttl': 1.5 is not a whole number");
    }

    @Test
    void aBadMonitorOrPoolDoesNotCascadeIntoErrorsAboutTheirNames() throws Exception {
        assertThat(load("""
                monitors:
                  web:
                    type: gopher
                pools:
                  eu:
                    monitor: web
                    origins:
                      - { name: a, address: 192.0.2.10 }
                  us:
                    origins:
                      - { name: b, address: 192.0.2.300 }
                balancers:
                  www:
                    default_pools: [eu, us]
                    fallback_pool: us
                """)).containsExactly(
                file() + ":3:5: 'monitors.web.type': 'gopher' is not a monitor type (http, https, tcp)",
                file() + ":11:20: 'pools.us.origins[0].address': '192.0.2.300' is not an IP address");
    }

    @Test
    void aYamlSyntaxErrorIsOneLineAtItsPlace() throws Exception {
        assertThat(load("pools:\n  eu:\n    origins: []\n bad: 1\n")).containsExactly(file()
                + ":4:2: YAML syntax: expected <block end>, but found '<block mapping start>' (while parsing a block"
                + " mapping started at line 1)");
    }

    @Test
    void aPolicysKeysAreReadByThatPolicy() throws Exception {
        String geo = GOOD.replace("steering: failover", "steering: geo\n    regions:\n      EU: [eu]");
        assertThat(load(geo)).isEmpty();
        assertThat(load(geo.replace("steering: geo", "steering: failover"))).containsExactly(file()
                + ":8:5: 'balancers.www.regions': regions are only used by 'steering: geo' (this balancer uses failover)");
        assertThat(load(GOOD.replace("steering: failover", "steering: failover\n    regions: {}")))
                .as("nothing written: nothing to complain about").isEmpty();
        assertThat(load(GOOD.replace("steering: failover", "steering: geo\n    regions: 5"))).containsExactly(file()
                + ":8:5: 'balancers.www.regions': wrong type, expected a map of keys");
        assertThat(load(geo.replace("steering: geo", "steering: nearest").replace("EU:", "XX:")))
                .as("an unknown policy: its keys are still checked by the policy that owns them")
                .anyMatch(e -> e.startsWith(file() + ":7:") && e.contains("'nearest' is not a steering policy"))
                .anyMatch(e -> e.startsWith(file() + ":9:") && e.contains("'XX' is not a continent"));
    }

    @Test
    void aMonitorTypesKeysAreReadByThatType() throws Exception {
        String pools = "pools:\n  eu:\n    monitor: m\n    origins:\n      - { name: a, address: 192.0.2.10 }\n"
                + "balancers:\n  www: { default_pools: [eu] }\n";
        assertThat(load("monitors:\n  m:\n    type: http\n    colour: blue\n" + pools)).containsExactly(file()
                + ":4:5: unknown key 'colour' in monitors.m; known keys: ca_file, expect, expect_body, fall, headers,"
                + " host, interval, method, path, port, rise, timeout, tls_verify, type");
        assertThat(load("monitors:\n  m:\n    type: http\n    ca_file: " + file() + "\n" + pools))
                .containsExactly(file() + ":4:5: 'monitors.m.ca_file': ca_file is only used by https monitors");
        assertThat(load("monitors:\n  m:\n    type: tcp\n    port: 22\n    path: /x\n" + pools))
                .containsExactly(file() + ":5:5: 'monitors.m.path': path is only used by http, https monitors");
        assertThat(load("monitors:\n  m:\n    type: https\n    headers: 5\n" + pools)).containsExactly(file()
                + ":4:5: 'monitors.m.headers': wrong type, expected a map of keys");
        assertThat(load("monitors:\n  m:\n    type: gopher\n    path: x\n" + pools))
                .as("an unknown type: its keys are still checked by the type that owns them").containsExactly(
                        file() + ":3:5: 'monitors.m.type': 'gopher' is not a monitor type (http, https, tcp)",
                        file() + ":4:5: 'monitors.m.path': the path must start with '/'");
        assertThat(load("monitors:\n  m:\n    type: https\n    ca_file: " + file() + "\n    tls_verify: false\n"
                + "    path: /health\n" + pools)).isEmpty();
    }
}
