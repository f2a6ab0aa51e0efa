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

    /** Waits for the signing jobs a pass started (signing runs off the reload thread). */
    static void settle(ZoneSigning s) throws InterruptedException {
        assertThat(s.awaitIdle(Duration.ofSeconds(60))).as("signing finished").isTrue();
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
        settle(signing);
        assertThat(signing.current().get(ZONE)).isSameAs(zones.get(ZONE));
        assertThat(signed()).isNull();
    }

    @Test
    void signsAgainAtHalfTheValidityAndWhenAKeysTimingPasses() throws Exception {
        Path keys = dir.resolve("keys");
        key(keys, KeyTiming.activeFrom(now.get().minusSeconds(60)));
        signing = signing(keys);
        signing.update(zones(1));
        settle(signing);
        SignedZone first = signed();
        assertThat(first).isNotNull();
        // the first refresh is due before half the validity: the signatures' expirations are spread
        assertThat(signing.nextResign()).isAfter(now.get().plus(Duration.ofDays(2)))
                .isBefore(now.get().plus(Duration.ofDays(7)));

        signing.tick();

        settle(signing);
        assertThat(signed()).isSameAs(first); // nothing due

        now.set(now.get().plus(Duration.ofDays(7)));
        signing.tick();
        settle(signing);
        assertThat(signed()).isNotSameAs(first);
        assertThat(signed().window().expiration()).isGreaterThan(first.window().expiration());

        // a second key, active in an hour: signed again then, by both
        SignedZone before = signed();
        key(keys, KeyTiming.activeFrom(now.get().plus(Duration.ofHours(1))));
        signing.tick();
        settle(signing); // the directory changed: rescanned (the new key not active yet)
        assertThat(signed().keys().zoneSigning()).hasSize(1);
        now.set(now.get().plus(Duration.ofHours(1)));
        signing.tick();
        settle(signing);
        assertThat(signed().keys().zoneSigning()).hasSize(2);
        assertThat(signed()).isNotSameAs(before);
    }

    @Test
    void badKeysKeepTheLastSignedVersionAndAZoneNeverSignedIsWithheld() throws Exception {
        Path keys = dir.resolve("keys");
        DnssecKey k = key(keys, KeyTiming.activeFrom(now.get().minusSeconds(60)));
        signing = signing(keys);
        signing.update(zones(1));
        settle(signing);
        SignedZone good = signed();
        assertThat(good).isNotNull();

        // the .private replaced by a key that does not match its .key: the reload is not served, the signed version stays
        Files.writeString(k.privateFile(), "Private-key-format: v1.3\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: AAAA\n");
        signing.update(zones(2));
        settle(signing);
        assertThat(signed()).isSameAs(good);
        assertThat(signing.current().get(ZONE).zone().serial()).isEqualTo(1);
        assertThat(signing.status().toString()).contains(k.privateFile().getFileName().toString());

        // a new instance with the same bad keys has no signed version to keep: the zone is not served
        ZoneSigning fresh = signing(keys);
        try {
            fresh.update(zones(2));
            settle(fresh);
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
        settle(signing);
        assertThat(signed()).isSameAs(good);
    }

    @Test
    void aZoneIsWithheldUntilItsFirstSigningEndsAndANewerVersionSupersedesAnUnfinishedOne() throws Exception {
        Path keys = dir.resolve("keys");
        key(keys, KeyTiming.activeFrom(now.get().minusSeconds(60)));
        signing = signing(keys);
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        signing.beforeSign(origin -> {
            if (calls.incrementAndGet() == 1) { // the first signing waits, the next ones go through
                entered.countDown();
                release.await();
            }
        });
        java.util.List<Long> published = new java.util.concurrent.CopyOnWriteArrayList<>();
        signing.onPublish(z -> {
            if (z.get(ZONE) != null) {
                published.add(z.get(ZONE).zone().serial());
            }
        });

        signing.update(zones(1)); // returns at once: the signing is on its own thread
        assertThat(entered.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(signing.current().get(ZONE)).as("never served unsigned").isNull();
        assertThat(signing.unsignedYet()).containsExactly(ZONE);
        assertThat(signing.status().toString()).contains("signing=true");
        // what /readyz reads: not ready while a zone waits for its first signatures
        assertThat(dev.geosteer.admin.AdminServer.signingFirst(signing.status())).containsExactly("sig.test.");

        signing.update(zones(2)); // a newer version: the unfinished signing of serial 1 is dropped
        settle(signing);
        assertThat(signed().zone().serial()).isEqualTo(2);
        release.countDown();
        assertThat(published).containsExactly(2L); // serial 1 was never published
        assertThat(signing.unsignedYet()).isEmpty();
        assertThat(dev.geosteer.admin.AdminServer.signingFirst(signing.status())).isEmpty();
    }

    @Test
    void whileOneZoneIsSignedAnotherZonesEditIsServed() throws Exception {
        Path keys = dir.resolve("keys");
        Name big = Name.fromConstantString("big.test.");
        key(keys, KeyTiming.activeFrom(now.get().minusSeconds(60)));
        KeyStore.create(keys, big, Algorithm.ECDSAP256SHA256, DnssecKey.CSK_FLAGS,
                KeyTiming.activeFrom(now.get().minusSeconds(60)), new SecureRandom());
        StringBuilder text = new StringBuilder("$ORIGIN big.test.\n$TTL 300\n@ SOA ns hostmaster 1 7200 3600 1209600 60\n"
                + "@ NS ns\nns A 192.0.2.1\n");
        for (int i = 0; i < 1500; i++) {
            text.append("h").append(i).append(" A 10.").append(i >> 8).append('.').append(i & 255).append(".1\n");
        }
        ServedZone bigZone = new ServedZone(ZoneLoader.compile(ZoneLoader.parse("big.test.zone", Path.of("big.test.zone"),
                text.toString().getBytes(StandardCharsets.UTF_8), big), Map.of()), null);
        signing = signing(keys);
        java.util.concurrent.CountDownLatch bigEntered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        signing.beforeSign(origin -> {
            if (origin.equals(big)) {
                bigEntered.countDown();
                release.await(); // the big zone's signing takes as long as the test wants
            }
        });
        signing.update(zones(1).with(bigZone));
        assertThat(bigEntered.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // the small zone is signed and served, its edit too, while the big one is still being signed
        TestServer.await("small zone signed", java.time.Duration.ofSeconds(30), () -> signed() != null);
        signing.update(zones(2).with(bigZone));
        TestServer.await("small zone's edit signed", java.time.Duration.ofSeconds(30),
                () -> signed() != null && signed().zone().serial() == 2);
        assertThat(signing.current().get(big)).as("big zone: not served before it is signed").isNull();
        assertThat(signing.signing()).isTrue();
        release.countDown();
        settle(signing);
        assertThat(signing.current().get(big).signed()).isNotNull();
        assertThat(signing.current().get(big).signed().rrsetsSigned()).isGreaterThan(3000);
    }

    long servedSerial() {
        return signing.current().get(ZONE).zone().serial();
    }

    @Test
    void theServedSerialChangesWhenTheSignaturesDoAndOnlyThen() throws Exception {
        Path keys = dir.resolve("keys");
        key(keys, KeyTiming.activeFrom(now.get().minusSeconds(60)));
        Path state = dir.resolve("state");
        ServerConfig.Dnssec settings = new ServerConfig.Dnssec();
        signing = new ZoneSigning(keys, settings, new SignatureStats(), now::get, dev.geosteer.dnssec.SignedSerials.in(state));
        java.util.List<ServedZones> published = new java.util.concurrent.CopyOnWriteArrayList<>();
        signing.onPublish(published::add);
        signing.update(zones(1));
        settle(signing);
        assertThat(servedSerial()).isEqualTo(1); // the file's, at first
        assertThat(signed().zone().soa().toRecords().get(0)).isInstanceOfSatisfying(org.xbill.DNS.SOARecord.class,
                soa -> assertThat(soa.getSerial()).isEqualTo(1));

        // the keys directory touched, nothing signed differently: the same serial
        Files.writeString(keys.resolve("README"), "not a key\n");
        signing.tick();
        settle(signing);
        assertThat(servedSerial()).isEqualTo(1);

        // a re-sign at half the validity: new signatures, so a new serial, though the file's is still 1
        now.set(now.get().plus(Duration.ofDays(7)));
        signing.tick();
        settle(signing);
        assertThat(servedSerial()).isEqualTo(2);
        assertThat(published.get(published.size() - 1).get(ZONE).zone().serial()).isEqualTo(2);
        // the SOA the answer path serves and the one signed are the new one; the rest of the zone is shared
        ServedZone z = signing.current().get(ZONE);
        assertThat(z.zone().node(ZONE).get(org.xbill.DNS.Type.SOA)).isSameAs(z.zone().soa());
        assertThat(z.signed().rrsig(z.zone().soa())).isNotNull();

        // the file's serial goes ahead of it: the file's
        signing.update(zones(9));
        settle(signing);
        assertThat(servedSerial()).isEqualTo(9);
        // a reload with a serial behind the served one (edited without a bump above 9): last + 1
        signing.update(zones(5));
        settle(signing);
        assertThat(servedSerial()).isEqualTo(10);

        // a restart signs again: it goes on from the serial kept in the state directory
        signing.close();
        signing = new ZoneSigning(keys, settings, new SignatureStats(), now::get, dev.geosteer.dnssec.SignedSerials.in(state));
        signing.update(zones(5));
        settle(signing);
        assertThat(servedSerial()).isEqualTo(11);

        // the keys removed: served unsigned, still after the last signed serial (secondaries must take it)
        try (var files = Files.list(keys)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        signing.tick();
        settle(signing);
        assertThat(signed()).isNull();
        assertThat(servedSerial()).isEqualTo(12);
        signing.update(zones(20)); // the file's passes it: the file's from now on
        settle(signing);
        assertThat(servedSerial()).isEqualTo(20);
    }

    static String zoneText(String origin, int serial, int hosts) {
        StringBuilder text = new StringBuilder("$ORIGIN " + origin + "\n$TTL 300\n@ SOA ns hostmaster " + serial
                + " 7200 3600 1209600 60\n@ NS ns\nns A 192.0.2.1\n");
        for (int i = 0; i < hosts; i++) {
            text.append("h").append(i).append(" A 10.").append(i >> 8).append('.').append(i & 255).append(".1\n");
        }
        return text.toString();
    }

    /** The SOA serial served with DO, and whether it came with its RRSIG; -1 when not answered. */
    static long signedSerial(TestServer server, String zone) {
        try {
            org.xbill.DNS.SimpleResolver r = server.resolver(false);
            r.setEDNS(0, 1232, org.xbill.DNS.ExtendedFlags.DO, java.util.List.of());
            org.xbill.DNS.Message m = r.send(org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                    Name.fromString(zone), org.xbill.DNS.Type.SOA, org.xbill.DNS.DClass.IN)));
            long serial = -1;
            boolean sig = false;
            for (org.xbill.DNS.Record rec : m.getSection(org.xbill.DNS.Section.ANSWER)) {
                if (rec instanceof org.xbill.DNS.SOARecord soa) {
                    serial = soa.getSerial();
                } else if (rec instanceof org.xbill.DNS.RRSIGRecord) {
                    sig = true;
                }
            }
            return sig ? serial : -2; // -2: answered unsigned, which a signed zone never is
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void aServerAnswersASmallZonesEditWhileABigZoneIsBeingSigned() throws Exception {
        Path zones = Files.createDirectories(dir.resolve("zones"));
        Path keys = zones.resolve("keys");
        Instant past = Instant.now().minusSeconds(3600);
        for (String z : java.util.List.of("small.test.", "big.test.")) {
            KeyStore.create(keys, Name.fromString(z), Algorithm.ECDSAP256SHA256, DnssecKey.CSK_FLAGS,
                    KeyTiming.activeFrom(past), new SecureRandom());
        }
        Files.writeString(zones.resolve("small.test.zone"), zoneText("small.test.", 1, 2));
        Files.writeString(zones.resolve("big.test.zone"), zoneText("big.test.", 1, 3000));
        try (TestServer server = TestServer.start(dir)) {
            Duration deadline = Duration.ofSeconds(60);
            TestServer.await("both zones signed", deadline,
                    () -> signedSerial(server, "small.test.") == 1 && signedSerial(server, "big.test.") == 1);
            java.util.concurrent.CountDownLatch bigEntered = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            server.server.signing().beforeSign(origin -> {
                if (origin.toString().equals("big.test.")) {
                    bigEntered.countDown();
                    release.await(); // the big zone's signing lasts until the test says
                }
            });
            try {
                // the big zone changes: signed off the reload thread, its serial 1 served meanwhile
                Files.writeString(zones.resolve("big.test.zone"), zoneText("big.test.", 2, 3001));
                assertThat(bigEntered.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                // the small zone's edit is reloaded, signed and served before the big one is done
                Files.writeString(zones.resolve("small.test.zone"), zoneText("small.test.", 2, 3));
                TestServer.await("small zone's edit served signed", deadline, () -> signedSerial(server, "small.test.") == 2);
                assertThat(signedSerial(server, "big.test.")).as("the big zone's last signed version").isEqualTo(1);
                assertThat(server.server.signing().signing()).isTrue();
            } finally {
                release.countDown();
            }
            TestServer.await("big zone's edit served signed", deadline, () -> signedSerial(server, "big.test.") == 2);
        }
    }
}
