package dev.geosteer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code geosteer dnssec keygen | ds | keys}, run in-process as a user would run them. */
class DnssecCommandTest {
    @TempDir
    Path dir;

    static List<Path> files(Path keys, String suffix) throws Exception {
        try (Stream<Path> s = Files.list(keys)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    @Test
    void keygenMakesACskAndPrintsItsDs() throws Exception {
        Path keys = dir.resolve("keys");
        CliTest.Run r = CliTest.run("dnssec", "keygen", "example.test", "--keys", keys.toString());
        assertThat(r.exit()).as(r.err()).isZero();

        Path key = files(keys, ".key").get(0);
        Path priv = files(keys, ".private").get(0);
        assertThat(key.getFileName().toString()).matches("Kexample\\.test\\.\\+013\\+\\d{5}\\.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(priv))).isEqualTo("rw-------");
        assertThat(Files.readString(key)).contains("example.test. IN DNSKEY 257 3 13 ");
        String tag = key.getFileName().toString().replaceAll(".*\\+0*(\\d+)\\.key", "$1");
        assertThat(r.out()).matches("example\\.test\\. IN DS " + tag + " 13 2 [0-9A-F]{64}\n");
        assertThat(r.err()).contains("created " + key).contains("key tag " + tag).contains("give the parent zone");

        // ds prints it again; BIND's dnssec-dsfromkey agrees
        CliTest.Run ds = CliTest.run("dnssec", "ds", "example.test.", "--keys", keys.toString());
        assertThat(ds.exit()).as(ds.err()).isZero();
        assertThat(ds.out()).isEqualTo(r.out());
        Path dsfromkey = Path.of("/usr/bin/dnssec-dsfromkey");
        if (Files.isExecutable(dsfromkey)) {
            Process p = new ProcessBuilder(dsfromkey.toString(), "-2", key.toString()).start();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(r.out());
        }
        CliTest.Run both = CliTest.run("dnssec", "ds", "example.test", "--keys", keys.toString(), "--digest", "2,sha384");
        assertThat(both.out().lines()).hasSize(2).last().asString().contains(" 13 4 ");
    }

    @Test
    void keygenEd25519IntoTheZonesDirectoryByDefault() throws Exception {
        Path zones = Files.createDirectories(dir.resolve("zones"));
        CliTest.Run r = CliTest.run("dnssec", "keygen", "geo.example.com", "--algorithm", "ed25519", "--zones",
                zones.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(files(zones.resolve("keys"), ".key")).singleElement().asString().contains("Kgeo.example.com.+015+");
        assertThat(r.out()).startsWith("geo.example.com. IN DS ").contains(" 15 2 ");
    }

    @Test
    void keysListsStateAndRole() throws Exception {
        Path keys = dir.resolve("keys");
        CliTest.run("dnssec", "keygen", "example.test", "--keys", keys.toString());
        CliTest.Run second = CliTest.run("dnssec", "keygen", "example.test", "--keys", keys.toString());
        assertThat(second.err()).contains("note: example.test. already has 1 key(s)");
        CliTest.Run r = CliTest.run("dnssec", "keys", "example.test", "--keys", keys.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("zone example.test.: 2 key(s) in " + keys + " at ").contains(", signed\n");
        assertThat(r.out().lines().filter(l -> l.matches("\\d+ ECDSAP256SHA256 flags 257 active CSK  Kexample\\.test\\.\\+013\\+\\d{5}")))
                .hasSize(2);
        assertThat(r.out()).containsPattern("    created \\S+Z  publish \\S+Z  activate \\S+Z  inactive -  delete -");
    }

    @Test
    void badInputIsAClearError() throws Exception {
        Path keys = dir.resolve("keys");
        CliTest.Run alg = CliTest.run("dnssec", "keygen", "example.test", "--keys", keys.toString(), "-a", "rsasha256");
        assertThat(alg.exit()).isEqualTo(2);
        assertThat(alg.err()).contains("unknown algorithm 'rsasha256': use ecdsap256sha256 (13) or ed25519 (15)");
        assertThat(Files.exists(keys)).isFalse();

        CliTest.Run none = CliTest.run("dnssec", "ds", "example.test", "--keys", keys.toString());
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("no key of example.test. to give the parent in " + keys);

        CliTest.run("dnssec", "keygen", "example.test", "--keys", keys.toString());
        Path priv = files(keys, ".private").get(0);
        Files.writeString(priv, Files.readString(priv).replaceAll("PrivateKey: .*", "PrivateKey: AAAA"));
        CliTest.Run listed = CliTest.run("dnssec", "keys", "example.test", "--keys", keys.toString());
        assertThat(listed.exit()).isEqualTo(1);
        assertThat(listed.err()).contains(priv + ":3: PrivateKey: an ECDSA P-256 private key is 32 octets, this one is 3");

        CliTest.Run badZone = CliTest.run("dnssec", "ds", "exa mple..test", "--keys", keys.toString());
        assertThat(badZone.exit()).isEqualTo(2);
        assertThat(badZone.err()).contains("is not a zone name");
    }

    @Test
    void dumpPrintsTheZoneAsSignedAtLoadAndDnssecVerifyAcceptsIt() throws Exception {
        Path zones = Files.createDirectories(dir.resolve("zones"));
        TestServer.copyResource("zones/geo.test.zone", zones.resolve("geo.test.zone"));
        TestServer.copyResource("zones/geo.test.steer.yaml", zones.resolve("geo.test.steer.yaml"));
        Path cfg = dir.resolve("geosteer.yaml");
        Files.writeString(cfg, "zones_dir: " + zones + "\ngeoip:\n  dir: " + Files.createDirectories(dir.resolve("geoip"))
                + "\n");
        CliTest.Run none = CliTest.run("dnssec", "dump", "geo.test", "--config", cfg.toString());
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("cannot be signed");

        assertThat(CliTest.run("dnssec", "keygen", "geo.test", "--config", cfg.toString()).exit()).isZero();
        CliTest.Run r = CliTest.run("dnssec", "dump", "geo.test", "--config", cfg.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("\tDNSKEY\t").contains("\tNSEC\t").contains("\tRRSIG\t");

        Path verify = Path.of("/usr/bin/dnssec-verify");
        if (!Files.isExecutable(verify)) {
            assertThat(System.getenv("GEOSTEER_REQUIRE_BIND")).as("dnssec-verify (bind9-utils) is missing").isNull();
            return;
        }
        Path signed = dir.resolve("geo.test.signed");
        Files.writeString(signed, r.out());
        Process p = new ProcessBuilder(verify.toString(), "-z", "-o", "geo.test.", signed.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("Zone fully signed");
    }
}
