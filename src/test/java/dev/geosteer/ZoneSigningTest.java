package dev.geosteer;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.dnssec.Algorithm;
import dev.geosteer.dnssec.DnssecKey;
import dev.geosteer.dnssec.KeyStore;
import dev.geosteer.dnssec.KeyTiming;
import dev.geosteer.dnssec.SignatureStats;
import dev.geosteer.dnssec.SignedZone;
import dev.geosteer.query.ServedZone;
import dev.geosteer.query.ServedZones;
import dev.geosteer.zone.ZoneLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Signing at load, between the catalog and the answer path: when it signs again, and what bad keys do. */
class ZoneSigningTest {
    static final Name ZONE = Name.fromConstantString("sig.test.");

    @TempDir
    Path dir;

    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T00:00:00Z"));
    ZoneSigning signing;

    @AfterEach
    void close() {
        if (signing != null) {
            signing.close();
        }
    }

    static ServedZones zones(int serial) throws Exception {
        String text = "$ORIGIN sig.test.\n$TTL 300\n@ SOA ns hostmaster " + serial + " 7200 3600 1209600 60\n@ NS ns\n"
                + "ns A 192.0.2.1\nwww A 192.0.2." + serial + "\n";
        ZoneLoader.ParsedZone parsed = ZoneLoader.parse("sig.test.zone", Path.of("sig.test.zone"),
                text.getBytes(StandardCharsets.UTF_8), ZONE);
        return new ServedZones(Map.of(ZONE, new ServedZone(ZoneLoader.compile(parsed, Map.of()), null)));
    }

    ZoneSigning signing(Path keys) {
        ServerConfig.Dnssec settings = new ServerConfig.Dnssec();
        settings.signatureValidity = Duration.ofDays(14);
        return new ZoneSigning(keys, settings, new SignatureStats(), now::get);
    }

    DnssecKey key(Path keys, KeyTiming timing) throws Exception {
        return KeyStore.create(keys, ZONE, Algorithm.ECDSAP256SHA256, DnssecKey.CSK_FLAGS, timing, new SecureRandom());
    }

    SignedZone signed() {
        ServedZone z = signing.current().get(ZONE);
        return z == null ? null : z.signed();
    }

    @Test
    void aZoneWithoutKeysIsServedUnsigned() throws Exception {
        signing = signing(dir.resolve("keys"));
        ServedZones zones = zones(1);
        signing.update(zones);
        assertThat(signing.current().get(ZONE)).isSameAs(zones.get(ZONE));
        assertThat(signed()).isNull();
    }

    @Test
    void signsAgainAtHalfTheValidityAndWhenAKeysTimingPasses() throws Exception {
        Path keys = dir.resolve("keys");
        key(keys, KeyTiming.activeFrom(now.get().minusSeconds(60)));
        signing = signing(keys);
        signing.update(zones(1));
        SignedZone first = signed();
        assertThat(first).isNotNull();
        assertThat(signing.nextResign()).isEqualTo(now.get().plus(Duration.ofDays(7)));

        signing.tick();
        assertThat(signed()).isSameAs(first); // nothing due

        now.set(now.get().plus(Duration.ofDays(7)));
        signing.tick();
        assertThat(signed()).isNotSameAs(first);
        assertThat(signed().window().expiration()).isGreaterThan(first.window().expiration());

        // a second key, active in an hour: signed again then, by both
        SignedZone before = signed();
        key(keys, KeyTiming.activeFrom(now.get().plus(Duration.ofHours(1))));
        signing.tick(); // the directory changed: rescanned (the new key not active yet)
        assertThat(signed().keys().zoneSigning()).hasSize(1);
        now.set(now.get().plus(Duration.ofHours(1)));
        signing.tick();
        assertThat(signed().keys().zoneSigning()).hasSize(2);
        assertThat(signed()).isNotSameAs(before);
    }

    @Test
    void badKeysKeepTheLastSignedVersionAndAZoneNeverSignedIsWithheld() throws Exception {
        Path keys = dir.resolve("keys");
        DnssecKey k = key(keys, KeyTiming.activeFrom(now.get().minusSeconds(60)));
        signing = signing(keys);
        signing.update(zones(1));
        SignedZone good = signed();
        assertThat(good).isNotNull();

        // the .private replaced by a key that does not match its .key: the reload is not served, the signed version stays
        Files.writeString(k.privateFile(), "Private-key-format: v1.3\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: AAAA\n");
        signing.update(zones(2));
        assertThat(signed()).isSameAs(good);
        assertThat(signing.current().get(ZONE).zone().serial()).isEqualTo(1);
        assertThat(signing.status().toString()).contains(k.privateFile().getFileName().toString());

        // a new instance with the same bad keys has no signed version to keep: the zone is not served
        ZoneSigning fresh = signing(keys);
        try {
            fresh.update(zones(2));
            assertThat(fresh.current().get(ZONE)).isNull();
        } finally {
            fresh.close();
        }

        // every key past its Inactive time: no active key, the last signed version stays too
        Files.delete(k.privateFile());
        Files.delete(k.keyFile());
        key(keys, new KeyTiming(null, now.get().minusSeconds(7200), now.get().minusSeconds(7200), null,
                now.get().minusSeconds(60), null, null, null, null, null, false));
        signing.update(zones(3));
        assertThat(signed()).isSameAs(good);
    }
}
