package dev.geosteer.dnssec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.geosteer.dnssec.KeyFileTest.name;
import static org.assertj.core.api.Assertions.assertThat;

/** The keys directory, and which keys publish and sign when (BIND's timing semantics). */
class KeyStoreTest {
    static final Name ZONE = name("example.test.");
    static final Instant T = Instant.parse("2026-06-01T00:00:00Z");
    static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    static Instant day(int d) {
        return T.plus(Duration.ofDays(d));
    }

    static KeyTiming timing(Integer publish, Integer activate, Integer inactive, Integer delete) {
        return new KeyTiming(day(-100), publish == null ? null : day(publish), activate == null ? null : day(activate),
                null, inactive == null ? null : day(inactive), delete == null ? null : day(delete), null, null, null,
                null, false);
    }

    static DnssecKey key(Algorithm a, int flags, KeyTiming t) {
        return DnssecKey.generate(ZONE, a, flags, t, RANDOM);
    }

    static List<Integer> tags(List<DnssecKey> keys) {
        return keys.stream().map(DnssecKey::keyTag).sorted().toList();
    }

    @Test
    void statesFollowBindsTiming() {
        KeyTiming t = timing(-10, 0, 30, 40);
        assertThat(t.state(day(-11))).isEqualTo(KeyTiming.State.UNPUBLISHED);
        assertThat(t.state(day(-10))).isEqualTo(KeyTiming.State.PUBLISHED);
        assertThat(t.state(day(0))).isEqualTo(KeyTiming.State.ACTIVE);
        assertThat(t.state(day(30))).isEqualTo(KeyTiming.State.INACTIVE);
        assertThat(t.isPublished(day(30))).as("inactive keys stay published until Delete").isTrue();
        assertThat(t.state(day(40))).isEqualTo(KeyTiming.State.DELETED);
        assertThat(t.isPublished(day(40))).isFalse();
        // no Publish: published from Activate (BIND's get_hints)
        KeyTiming noPublish = timing(null, 5, null, null);
        assertThat(noPublish.isPublished(day(4))).isFalse();
        assertThat(noPublish.isPublished(day(5))).isTrue();
        assertThat(noPublish.isActive(day(5))).isTrue();
        // neither: never used
        assertThat(KeyTiming.NONE.state(T)).isEqualTo(KeyTiming.State.UNPUBLISHED);
        assertThat(t.nextChange(day(-20))).isEqualTo(day(-10));
        assertThat(t.nextChange(day(30))).isEqualTo(day(40));
        assertThat(t.nextChange(day(40))).isNull();
    }

    @Test
    void aSingleSepKeyIsACombinedSigningKey() {
        DnssecKey csk = key(Algorithm.ECDSAP256SHA256, 257, timing(0, 0, null, null));
        KeySet.Signing s = new KeySet(ZONE, List.of(csk)).at(T);
        assertThat(s.isSigned()).isTrue();
        assertThat(s.published()).containsExactly(csk);
        assertThat(s.signersFor(Type.DNSKEY)).containsExactly(csk);
        assertThat(s.signersFor(Type.A)).containsExactly(csk);
        assertThat(s.role(csk)).isEqualTo("CSK");
        assertThat(s.problems()).isEmpty();
    }

    @Test
    void withAKskAndAZskTheKskSignsTheKeysOnly() {
        DnssecKey ksk = key(Algorithm.ED25519, 257, timing(0, 0, null, null));
        DnssecKey zsk = key(Algorithm.ED25519, 256, timing(0, 0, null, null));
        DnssecKey nextZsk = key(Algorithm.ED25519, 256, timing(0, 10, null, null)); // pre-published
        KeySet.Signing s = new KeySet(ZONE, List.of(ksk, zsk, nextZsk)).at(T);
        assertThat(tags(s.published())).isEqualTo(tags(List.of(ksk, zsk, nextZsk)));
        assertThat(s.signersFor(Type.DNSKEY)).containsExactly(ksk);
        assertThat(s.signersFor(Type.CDS)).containsExactly(ksk);
        assertThat(s.signersFor(Type.SOA)).containsExactly(zsk);
        assertThat(s.role(ksk)).isEqualTo("KSK");
        assertThat(s.role(zsk)).isEqualTo("ZSK");
        assertThat(s.role(nextZsk)).isEqualTo("-");
        // a ZSK alone signs everything too
        assertThat(new KeySet(ZONE, List.of(zsk)).at(T).signersFor(Type.DNSKEY)).containsExactly(zsk);
    }

    @Test
    void aCskRolloverStepByStep() {
        // the README's double-signature CSK rollover: new key published and active at day 0, the old
        // one inactive at day 10 (after the DS swap), deleted at day 20
        DnssecKey old = key(Algorithm.ECDSAP256SHA256, 257, timing(-100, -100, 10, 20));
        DnssecKey next = key(Algorithm.ECDSAP256SHA256, 257, timing(0, 0, null, null));
        KeySet set = new KeySet(ZONE, List.of(old, next));
        assertThat(set.at(day(-1)).zoneSigning()).containsExactly(old);
        KeySet.Signing both = set.at(day(1));
        assertThat(tags(both.zoneSigning())).isEqualTo(tags(List.of(old, next)));
        assertThat(tags(both.keySigning())).isEqualTo(tags(List.of(old, next)));
        KeySet.Signing after = set.at(day(11));
        assertThat(after.zoneSigning()).containsExactly(next);
        assertThat(tags(after.published())).isEqualTo(tags(List.of(old, next)));
        assertThat(set.at(day(20)).published()).containsExactly(next);
        assertThat(set.nextChange(day(1))).isEqualTo(day(10));
    }

    @Test
    void problemsThatWouldBreakValidation() {
        DnssecKey expired = key(Algorithm.ECDSAP256SHA256, 257, timing(-100, -100, -10, null));
        KeySet.Signing s = new KeySet(ZONE, List.of(expired)).at(T);
        assertThat(s.isSigned()).isFalse();
        assertThat(s.zoneSigning()).isEmpty();
        assertThat(s.problems()).anyMatch(p -> p.startsWith("no active key at 2026-06-01T00:00:00Z (1 key(s): ["
                + expired.keyTag() + " inactive])"));
        // an algorithm in the DNSKEY RRset must sign (RFC 4035 §2.2): a pre-published Ed25519 key during
        // an algorithm rollover is a problem
        DnssecKey ec = key(Algorithm.ECDSAP256SHA256, 257, timing(0, 0, null, null));
        DnssecKey ed = key(Algorithm.ED25519, 257, timing(0, 10, null, null));
        assertThat(new KeySet(ZONE, List.of(ec, ed)).at(T).problems())
                .containsExactly("algorithm 15 (ED25519) has keys in the DNSKEY RRset but none active: every RRset"
                        + " must be signed with each algorithm published (RFC 4035 §2.2)");
        assertThat(new KeySet(ZONE, List.of()).at(T).problems()).as("an unsigned zone is fine").isEmpty();
    }

    @Test
    void cdsAndCdnskeyInTheirSyncWindow() {
        KeyTiming sync = new KeyTiming(day(-100), day(-100), day(-100), null, null, null, day(-1), day(5), null,
                null, false);
        DnssecKey ksk = key(Algorithm.ECDSAP256SHA256, 257, sync);
        DnssecKey zsk = key(Algorithm.ECDSAP256SHA256, 256, sync);
        KeySet set = new KeySet(ZONE, List.of(ksk, zsk));
        assertThat(set.at(day(-2)).sync()).isEmpty();
        assertThat(set.at(T).sync()).as("SEP keys only").containsExactly(ksk);
        assertThat(set.at(day(5)).sync()).isEmpty();
        assertThat(Ds.cds(set.at(T).sync(), Ds.SHA256)).singleElement().isEqualTo(Ds.rdata(ksk, Ds.SHA256));
        assertThat(Ds.cdnskey(set.at(T).sync())).singleElement().isEqualTo(ksk.dnskeyRdata());
    }

    @Test
    void scanGroupsByZoneAndReportsBadFilesWithoutThrowing() throws Exception {
        DnssecKey a = KeyFile.write(dir, key(Algorithm.ECDSAP256SHA256, 257, timing(0, 0, null, null)));
        DnssecKey b = KeyFile.write(dir, DnssecKey.generate(name("other.test."), Algorithm.ED25519, 257,
                KeyTiming.activeFrom(T), RANDOM));
        DnssecKey broken = KeyFile.write(dir, key(Algorithm.ED25519, 256, timing(0, 0, null, null)));
        Files.writeString(broken.privateFile(), "Private-key-format: v1.3\nAlgorithm: 15 (ED25519)\n");
        Path orphan = dir.resolve("Kexample.test.+013+00001.private");
        Files.writeString(orphan, "Private-key-format: v1.3\n");
        Files.writeString(dir.resolve("README"), "not a key");

        KeyStore store = KeyStore.scan(dir);

        assertThat(store.zones()).containsExactlyInAnyOrder(ZONE, name("other.test."));
        assertThat(store.keys(ZONE).keys()).extracting(DnssecKey::keyTag).containsExactly(a.keyTag());
        assertThat(store.keys(name("other.test.")).keys()).extracting(DnssecKey::keyTag).containsExactly(b.keyTag());
        assertThat(store.keys(name("unsigned.test.")).keys()).isEmpty();
        assertThat(store.problems()).extracting(KeyProblem::toString).containsExactlyInAnyOrder(
                broken.privateFile() + ": no PrivateKey line",
                orphan + ": no Kexample.test.+013+00001.key beside it: a key needs both files");
        assertThat(store.problems(name("other.test."))).isEmpty();
        assertThat(store.problems(ZONE)).hasSize(2);
        assertThat(KeyStore.scan(dir.resolve("missing")).zones()).isEmpty();
    }

    @Test
    void createAvoidsTheTagsOfTheZonesKeys() throws Exception {
        for (int i = 0; i < 20; i++) {
            KeyStore.create(dir, ZONE, Algorithm.ED25519, 257, KeyTiming.activeFrom(T), RANDOM);
        }
        KeyStore store = KeyStore.scan(dir);
        assertThat(store.keys(ZONE).keys()).extracting(DnssecKey::keyTag).doesNotHaveDuplicates().hasSize(20);
        assertThat(store.problems()).isEmpty();
    }
}
