package dev.geosteer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code check} and {@code lookup} commands, run in-process as a user would run them. */
class CliTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(new Main()).execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    Path zones(String... resources) throws Exception {
        Path z = Files.createDirectories(dir.resolve("zones"));
        for (String r : resources) {
            TestServer.copyResource("zones/" + r, z.resolve(r));
        }
        return z;
    }

    @Test
    void checkPassesTheShippedZones() {
        Run r = run("check", "--zones", "zones");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("ok example.test. serial");
    }

    @Test
    void checkPrintsEachErrorWithFileAndLineAndFails() throws Exception {
        Path z = zones("example.test.zone", "geo.test.zone", "geo.test.steer.yaml");
        Files.writeString(z.resolve("example.test.zone"), Files.readString(z.resolve("example.test.zone"))
                + "www CNAME elsewhere\n");
        Files.writeString(z.resolve("geo.test.steer.yaml"), Files.readString(z.resolve("geo.test.steer.yaml"))
                .replace("default_pools: [na, eu]", "default_pools: [na, europe]"));
        Run r = run("check", "--zones", z.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(z.resolve("example.test.zone") + ":")
                .contains("CNAME beside other data")
                .contains(z.resolve("geo.test.steer.yaml") + ":").contains("no pool named 'europe'")
                .contains("3 error(s)");
    }

    @Test
    void checkReportsABadConfigFile() throws Exception {
        Path cfg = dir.resolve("geosteer.yaml");
        Files.writeString(cfg, "listen: [\"127.0.0.1:5353\"]\nlimits:\n  udp_max_size: 100\n  tcp_idle: 3s\n");
        Run r = run("check", "--config", cfg.toString());
        assertThat(r.exit()).isEqualTo(Main.EXIT_SETTINGS);
        assertThat(r.err()).contains(cfg + ":4:").contains("unknown key 'tcp_idle'");
    }

    @Test
    void checkReportsBadCookieAndTransportSettings() throws Exception {
        Path cfg = dir.resolve("geosteer.yaml");
        Files.writeString(cfg, "cookies:\n  secret: not-hex\n  secret_lifetime: 10m\nlimits:\n"
                + "  nocookie_udp_size: 50\n  tcp_client_ipv4_prefix: 40\n");
        Run r = run("check", "--config", cfg.toString());
        assertThat(r.exit()).isEqualTo(Main.EXIT_SETTINGS);
        assertThat(r.err()).contains("'cookies.secret' must be 32 hexadecimal digits")
                .contains("'cookies.secret_lifetime' must be within 1h..36d")
                .contains("'limits.nocookie_udp_size' must be within 128..65535")
                .contains("'limits.tcp_client_ipv4_prefix' must be within 8..32")
                .doesNotContain("not-hex"); // a secret is never echoed
    }

    @Test
    void checkReportsEveryErrorOfTheConfigFileAtItsKey() throws Exception {
        Path cfg = dir.resolve("geosteer.yaml");
        Files.writeString(cfg, """
                listen: ["127.0.0.1:5353", "nowhere:53"]
                limits:
                  udp_max_size: 100
                  tcp_idle: 3s
                  tcp_max_message: 4096.5
                reload:
                  interval: 10ms
                query_log:
                  sample: 0.5
                  sample: 0.7
                """);
        Run r = run("check", "--config", cfg.toString());
        assertThat(r.exit()).isEqualTo(Main.EXIT_SETTINGS);
        List<String> lines = r.err().lines().toList();
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).isEqualTo(cfg + ":1:28: 'listen': 'nowhere:53': the address must be an IP literal");
        assertThat(lines.get(1)).isEqualTo(cfg + ":3:3: 'limits.udp_max_size' must be within 512..65535");
        assertThat(lines.get(2)).startsWith(cfg + ":4:3: unknown key 'tcp_idle' in limits; known keys: ")
                .contains(" tcp_idle_timeout, ").contains(" zone_max_records");
        assertThat(lines.get(3)).isEqualTo(cfg + ":5:3: 'limits.tcp_max_message': 4096.5 is not a whole number");
        assertThat(lines.get(4)).isEqualTo(cfg + ":7:3: 'reload.interval' must be at least 100ms");
        assertThat(lines.get(5)).isEqualTo(
                cfg + ":10:3: duplicate key 'sample' (first at line 9): a key may appear only once in a map");
    }

    @Test
    void yamlWordsMeanWhatTheyMeantBeforeEvenInAFileWithErrors() throws Exception {
        Path cfg = dir.resolve("geosteer.yaml");
        Path z = zones("example.test.zone");
        String words = "zones_dir: " + z + "\nrrl:\n  mode: on\nquery_log:\n  enabled: no\nhealth:\n  unknown_is_up: yes\n";
        Files.writeString(cfg, words);
        Run ok = run("check", "--config", cfg.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        Files.writeString(cfg, words + "limits:\n  threads: many\n");
        Run bad = run("check", "--config", cfg.toString());
        assertThat(bad.err().lines().toList()).containsExactly(cfg + ":9:3: 'limits.threads': wrong type, expected a number");
    }

    @Test
    void checkReportsAConfigSyntaxErrorInOneLine() throws Exception {
        Path cfg = dir.resolve("geosteer.yaml");
        Files.writeString(cfg, "listen: [\"127.0.0.1:5353\"\nlimits:\n  threads: 2\n");
        Run r = run("check", "--config", cfg.toString());
        assertThat(r.exit()).isEqualTo(Main.EXIT_SETTINGS);
        assertThat(r.err().lines().toList()).singleElement().asString().isEqualTo(cfg + ":2:1: YAML syntax: expected ',' or ']', but got"
                + " <scalar> (while parsing a flow sequence started at line 1)");
    }

    @Test
    void checkReportsEveryBadRecordOfAZoneInOneRun() throws Exception {
        Path z = Files.createDirectories(dir.resolve("zones"));
        Path f = z.resolve("bad.test.zone");
        Files.writeString(f, """
                $TTL 60
                @    SOA ns1 h 1 3600 600 86400 60
                @    NS  ns1
                ns1  A   192.0.2.1
                a    A   192.0.2.256
                b    MX  mail.bad.test.
                c    AAAA 2001:db8::1::2
                d    A   192.0.2.4
                d    CNAME elsewhere.
                """);
        Run r = run("check", "--zones", z.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(f + ":5: ").contains(f + ":6: ").contains(f + ":7: ")
                .contains(f + ":9: d.bad.test. has a CNAME beside other data").contains("4 error(s)")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void checkNamesAnEmptyOrMissingZonesDirectory() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Run r = run("check", "--zones", empty.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(empty + ": no zone files (*.zone) in this directory");
        Run missing = run("check", "--zones", dir.resolve("nowhere").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains(dir.resolve("nowhere") + ": the zones directory does not exist");
    }

    @Test
    void checkRefusesALinkOutOfTheZonesDirectoryWithoutShowingWhatItLeadsTo() throws Exception {
        Path z = zones("example.test.zone");
        Files.createSymbolicLink(z.resolve("env.zone"), Path.of("/proc/self/environ"));
        Run r = run("check", "--zones", z.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(z.resolve("env.zone") + ": a symbolic link to /proc/")
                .doesNotContain("PATH=").doesNotContain("HOME=");
        assertThat(r.out()).contains("ok example.test.");
    }

    @Test
    void checkRefusesAGenerateBombWithItsLineUnderTheConfiguredLimit() throws Exception {
        Path z = Files.createDirectories(dir.resolve("zones"));
        Path f = z.resolve("bomb.test.zone");
        Files.writeString(f, "$TTL 60\n@ SOA ns1 h 1 3600 600 86400 60\n@ NS ns1\nns1 A 192.0.2.1\n"
                + "$GENERATE 1-60000 a$ A 10.0.0.1\n$GENERATE 1-60000 b$ A 10.0.0.2\n");
        Path cfg = dir.resolve("geosteer.yaml");
        Files.writeString(cfg, "zones_dir: zones\nlimits:\n  zone_max_records: 100000\n  zone_file_max_bytes: 1MiB\n");
        Run r = run("check", "--config", cfg.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith(f + ":6: $GENERATE 1-60000 would bring the zone to 120003 records, more than"
                + " limits.zone_max_records (100000): not loaded");
    }

    @Test
    void checkRefusesAConfigFileOverOneMebibyte() throws Exception {
        Path cfg = dir.resolve("geosteer.yaml");
        Files.writeString(cfg, "#".repeat(2 << 20) + "\n");
        Run r = run("check", "--config", cfg.toString());
        assertThat(r.exit()).isEqualTo(Main.EXIT_SETTINGS);
        assertThat(r.err()).startsWith(cfg + ": 2097153 bytes, more than the size limit of a geosteer.yaml (1048576)");
    }

    @Test
    void lookupExplainsASteeredAnswer() {
        Run r = run("lookup", "www.example.test", "A", "--client", "202.12.27.0/24", "--zones", "zones");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("client 202.12.27.0/24 (ECS)")
                .contains("location: country JP, continent AS")
                .contains("database geo-whois-asn-country.mmdb, network ")
                .contains("rule: region AS (continent)")
                .contains("pools in order: ap (healthy")
                .contains("answering pool ap")
                .contains(";; status: NOERROR, aa, answer 1")
                .containsPattern("ECS scope /\\d+")
                .contains("www.example.test.\t30\tIN\tA\t203.0.113.10");
    }

    @Test
    void lookupAcceptsASourceAddressAndStaticNames() {
        Run r = run("lookup", "mail.example.test", "MX", "--client", "8.8.8.8", "--zones", "zones");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("from 8.8.8.8/32 (source)")
                .contains(";; status: NOERROR, aa, answer 0, authority 1");
        Run nx = run("lookup", "nope.example.test", "--zones", "zones");
        assertThat(nx.out()).contains(";; status: NXDOMAIN, aa").contains("SOA");
    }

    @Test
    void lookupRejectsABadClient() {
        Run r = run("lookup", "www.example.test", "A", "--client", "not-an-ip", "--zones", "zones");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("not an IP address");
    }

    @Test
    void lookupCanAskARunningServerForItsLiveHealth() throws Exception {
        try (TestServer server = TestServer.start(dir, c -> c.admin.listen = "127.0.0.1:0", "geo.test.zone",
                "geo.test.steer.yaml", "geoip/GeoIP2-City-Test.mmdb")) {
            Run r = run("lookup", "geo.geo.test", "A", "--client", "2.2.3.0/24", "--server",
                    "http://127.0.0.1:" + server.server.adminPort());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("answering pool eu").contains("eu/par1 192.0.2.1: up");
            Run bad = run("lookup", "geo.geo.test", "A", "--client", "nope", "--server",
                    "http://127.0.0.1:" + server.server.adminPort());
            assertThat(bad.exit()).isEqualTo(2);
            assertThat(bad.err()).contains("400").contains("not an IP address");
        }
    }

    @Test
    void reloadAsksTheRunningServerAndReportsItsErrors() throws Exception {
        try (TestServer server = TestServer.start(dir, c -> {
            c.admin.listen = "127.0.0.1:0";
            c.admin.token = "t0ken";
            c.reload.interval = java.time.Duration.ofHours(1);
        }, "example.test.zone")) {
            String url = "http://127.0.0.1:" + server.server.adminPort();
            Run ok = run("reload", "--server", url, "--token", "t0ken");
            assertThat(ok.exit()).as(ok.err()).isZero();
            assertThat(ok.out()).contains("reloaded: 1 zones, no errors");

            Path zone = server.zones.resolve("example.test.zone");
            Files.writeString(zone, Files.readString(zone) + "bad A 192.0.2\n");
            Run bad = run("reload", "--server", url, "--token", "t0ken");
            assertThat(bad.exit()).isEqualTo(1);
            assertThat(bad.err()).contains("the previous versions stay in service").contains(zone + ":")
                    .contains("Invalid address");

            Run wrong = run("reload", "--server", url, "--token", "nope");
            assertThat(wrong.exit()).isEqualTo(1);
            assertThat(wrong.err()).contains("401").contains("wrong bearer token").contains("GEOSTEER_ADMIN_TOKEN");
        }
    }

    @Test
    void reloadFindsTheAdminAddressAndTokenInTheConfig() throws Exception {
        try (TestServer server = TestServer.start(dir, c -> {
            c.admin.listen = "127.0.0.1:0";
            c.admin.token = "from-the-file";
        }, "example.test.zone")) {
            Path cfg = dir.resolve("prod.yaml");
            // a wildcard admin address is reached on loopback
            Files.writeString(cfg, "admin:\n  listen: \"0.0.0.0:" + server.server.adminPort()
                    + "\"\n  token: from-the-file\n");
            Run r = run("reload", "--config", cfg.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("reloaded: 1 zones");
        }
    }

    @Test
    void reloadSaysWhenNoServerListens() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run r = run("reload", "--server", "http://127.0.0.1:" + port);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach the admin API at http://127.0.0.1:" + port)
                .contains("is geosteer running");
    }

    @Test
    void helpNamesEveryCommandAndHelpServeWorks() {
        Run top = run("--help");
        assertThat(top.out()).contains("serve").contains("check").contains("lookup").contains("reload").contains("help");
        Run help = run("help", "serve");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Usage: geosteer serve").contains("--listen").contains("--log-level")
                .contains("--log-format");
    }

    @Test
    void lookupUsageShowsTypeAsOptionalAndDescribesEverything() {
        Run r = run("help", "lookup");
        assertThat(r.out()).contains("NAME [TYPE]");
        // every option and parameter has a description on its line
        for (String line : r.out().lines().filter(l -> l.matches("\\s+(-\\w, )?(--?[\\w-]+|NAME|\\[?TYPE]?)(=\\S+)?\\s*"))
                .toList()) {
            throw new AssertionError("no description: '" + line + "' in\n" + r.out());
        }
        assertThat(r.out()).containsPattern("NAME\\s+The name").containsPattern("\\[?TYPE]?\\s+The query type");
    }

    @Test
    void anIpv6ListenWithAPortButNoBracketsGetsAHint() throws Exception {
        Run r = run("serve", "--listen", "::1:53", "--zones", zones("example.test.zone").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("write [::1]:53");
        Path cfg = dir.resolve("geosteer.yaml");
        Files.writeString(cfg, "listen: [\"127.0.0.1:5353\", \"::1:5353\"]\n");
        Run check = run("check", "--config", cfg.toString());
        assertThat(check.exit()).isEqualTo(Main.EXIT_SETTINGS);
        assertThat(check.err()).contains("write [::1]:5353");
    }

    @Test
    void badLogSettingsAreRefusedBeforeStarting() throws Exception {
        Run level = run("serve", "--log-level", "chatty", "--zones", zones("example.test.zone").toString());
        assertThat(level.exit()).isEqualTo(2);
        assertThat(level.err()).contains("chatty").contains("error, warn, info, debug");
        Path cfg = dir.resolve("geosteer.yaml");
        Files.writeString(cfg, "log:\n  format: xml\n");
        // Settings refused: the same exit in every command that reads them.
        for (String command : List.of("check", "serve", "lookup")) {
            Run format = command.equals("lookup") ? run(command, "www.example.test", "--config", cfg.toString())
                    : run(command, "--config", cfg.toString());
            assertThat(format.exit()).as(command).isEqualTo(Main.EXIT_SETTINGS);
            assertThat(format.err()).as(command).contains("'log.format' must be text or json");
        }
    }
}
