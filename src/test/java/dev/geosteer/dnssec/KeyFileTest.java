package dev.geosteer.dnssec;

import dev.geosteer.dns.RRset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** BIND key files: read what dnssec-keygen writes, write what BIND's tools read, refuse bad keys clearly. */
class KeyFileTest {
    static final Name ZONE = name("example.test.");
    static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    static Name name(String s) {
        try {
            return Name.fromString(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Signs an A RRset with the key and checks it with dnsjava's validator against this DNSKEY. */
    static void assertSignsFor(DnssecKey key, DNSKEYRecord dnskey) throws Exception {
        Name owner = name("www." + key.zone());
        RRset set = RRset.ofRdata(owner, owner.toWire(), Type.A, 300, new byte[][] {{(byte) 192, 0, 2, 1}});
        long now = Instant.now().getEpochSecond();
        byte[] rrsig = Signer.sign(key, set, now - 3600, now + 86400);
        RRSIGRecord sig = (RRSIGRecord) Record.newRecord(owner, Type.RRSIG, 1, 300, rrsig);
        org.xbill.DNS.RRset rrs = new org.xbill.DNS.RRset();
        set.toRecords().forEach(rrs::addRR);
        DNSSEC.verify(rrs, sig, dnskey, Instant.now());
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void keysMadeByDnssecKeygenLoadUnchanged(Algorithm algorithm) throws Exception {
        BindTools.require("dnssec-keygen");
        String base = BindTools.keygen(dir, "-a", algorithm.name(), "-f", "KSK", "example.test");
        Path keyFile = dir.resolve(base + ".key");
        String keyBefore = Files.readString(keyFile);
        String privateBefore = Files.readString(dir.resolve(base + ".private"));

        KeyFile.Loaded loaded = KeyFile.read(keyFile, ZONE);

        DnssecKey key = loaded.key();
        assertThat(loaded.warnings()).isEmpty();
        assertThat(key.zone()).isEqualTo(ZONE);
        assertThat(key.algorithm()).isEqualTo(algorithm);
        assertThat(key.flags()).isEqualTo(257);
        assertThat(key.baseName()).isEqualTo(base);
        assertThat(key.keyFile()).isEqualTo(keyFile);
        assertThat(key.ttl()).isEqualTo(-1);
        DNSKEYRecord fromFile = dnskeyIn(keyFile);
        assertThat(key.keyTag()).isEqualTo(fromFile.getFootprint());
        assertThat(key.dnskeyRdata()).isEqualTo(fromFile.rdataToWireCanonical());
        assertThat(key.timing().created()).isNotNull().isEqualTo(key.timing().publish()).isEqualTo(key.timing().activate());
        assertThat(key.isActive(Instant.now())).isTrue();
        assertSignsFor(key, fromFile);
        // loading never rewrites the files
        assertThat(Files.readString(keyFile)).isEqualTo(keyBefore);
        assertThat(Files.readString(dir.resolve(base + ".private"))).isEqualTo(privateBefore);
    }

    @Test
    void aKeyFileTtlAndTheBaseNameOrPrivateFileAlsoLoad() throws Exception {
        BindTools.require("dnssec-keygen");
        String base = BindTools.keygen(dir, "-a", "ED25519", "-L", "7200", "example.test");
        assertThat(KeyFile.read(dir.resolve(base + ".private"), ZONE).key().ttl()).isEqualTo(7200);
        assertThat(KeyFile.read(dir.resolve(base), null).key().flags()).isEqualTo(256);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void keysWrittenHereWorkInBindsTools(Algorithm algorithm) throws Exception {
        BindTools.require("dnssec-dsfromkey", "dnssec-settime");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        DnssecKey key = KeyStore.create(dir, ZONE, algorithm, DnssecKey.CSK_FLAGS, KeyTiming.activeFrom(now), RANDOM);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key.privateFile()))).isEqualTo("rw-------");
        assertThat(key.keyFile().getFileName().toString()).isEqualTo(key.baseName() + ".key");

        // dnssec-dsfromkey reads our .key and computes the same DS
        String ds = BindTools.run(dir, "dnssec-dsfromkey", "-2", key.keyFile().toString()).ok().out().strip();
        assertThat(ds).isEqualTo(Ds.text(key, Ds.SHA256));
        // dnssec-settime reads our .private (it needs the private key) and our timing
        String times = BindTools.run(dir, "dnssec-settime", "-u", "-p", "all", key.baseName()).ok().out();
        assertThat(times).contains("Created: " + now.getEpochSecond()).contains("Publish: " + now.getEpochSecond())
                .contains("Activate: " + now.getEpochSecond()).contains("Inactive: UNSET");
        // ... and can change it; we read the change
        BindTools.run(dir, "dnssec-settime", "-I", "+86400", "-D", "+172800", key.baseName()).ok();
        DnssecKey changed = KeyFile.read(key.keyFile(), ZONE).key();
        assertThat(changed.timing().inactive()).isAfter(now.plusSeconds(86000));
        assertThat(changed.timing().delete()).isAfter(changed.timing().inactive());
        assertThat(changed.keyTag()).isEqualTo(key.keyTag());
        assertThat(changed.dnskeyRdata()).isEqualTo(key.dnskeyRdata());
    }

    @Test
    void keysWrittenHereImportIntoKnot() throws Exception {
        BindTools.require("keymgr");
        DnssecKey key = KeyStore.create(dir.resolve("keys"), ZONE, Algorithm.ECDSAP256SHA256, DnssecKey.CSK_FLAGS,
                KeyTiming.activeFrom(Instant.now().truncatedTo(ChronoUnit.SECONDS)), RANDOM);
        Path kasp = Files.createDirectories(dir.resolve("kasp"));
        BindTools.run(dir, "keymgr", "-D", kasp.toString(), "example.test.", "import-bind", key.privateFile().toString()).ok();
        assertThat(BindTools.run(dir, "keymgr", "-D", kasp.toString(), "example.test.", "list").ok().out())
                .contains(" " + key.keyTag() + " KSK ECDSAP256SHA256 ");
        assertThat(BindTools.run(dir, "keymgr", "-D", kasp.toString(), "example.test.", "ds").ok().out())
                .containsIgnoringCase(Ds.text(key, Ds.SHA256).replace(" IN DS ", " DS "));
    }

    @Test
    void readsBackWhatItWrites() throws Exception {
        Instant t = Instant.parse("2026-01-02T03:04:05Z");
        KeyTiming timing = new KeyTiming(t, t.plusSeconds(1), t.plusSeconds(2), null, t.plusSeconds(3),
                t.plusSeconds(4), t.plusSeconds(5), t.plusSeconds(6), t.plusSeconds(7), t.plusSeconds(8), false);
        DnssecKey written = KeyFile.write(dir, DnssecKey.generate(ZONE, Algorithm.ED25519, 256, timing, RANDOM));
        DnssecKey read = KeyFile.read(written.keyFile(), ZONE).key();
        assertThat(read.timing()).isEqualTo(timing);
        assertThat(read.dnskeyRdata()).isEqualTo(written.dnskeyRdata());
        assertThat(read.flags()).isEqualTo(256);
        assertThat(Files.readString(written.privateFile())).startsWith("Private-key-format: v1.3\nAlgorithm: 15 (ED25519)\nPrivateKey: ")
                .contains("Created: 20260102030405\nPublish: 20260102030406\nActivate: 20260102030407\n")
                .contains("SyncPublish: 20260102030410\n");
        assertThat(Files.readString(written.keyFile())).startsWith("; This is a zone-signing key, keyid " + read.keyTag()
                + ", for example.test.\n; Created: 20260102030405 (Fri Jan  2 03:04:05 2026)\n");
        assertThatThrownBy(() -> KeyFile.write(dir, written)).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    }

    @Test
    void fileNamesAreBindsForAnyZone() throws Exception {
        BindTools.require("dnssec-keygen");
        for (String zone : List.of("Example.TEST", ".", "a\\/b.test", "x_y-z.test")) {
            String base = BindTools.keygen(dir, "-a", "ED25519", zone);
            DnssecKey key = KeyFile.read(dir.resolve(base + ".key"), name(zone.endsWith(".") ? zone : zone + ".")).key();
            assertThat(key.baseName()).as(zone).isEqualTo(base);
        }
        assertThat(KeyFile.baseName(name("\\042.test."), 13, 7)).isEqualTo("K%2A.test.+013+00007");
        assertThat(KeyFile.zoneFromFileName("%2A.test.")).isEqualTo(name("*.test."));
        assertThat(KeyFile.zoneFromFileName("example.test")).isNull();
    }

    @Test
    void aLegacyKeyWithoutTimingIsPublishedAndActive() throws Exception {
        DnssecKey k = KeyFile.write(dir, DnssecKey.generate(ZONE, Algorithm.ECDSAP256SHA256, 257, KeyTiming.NONE, RANDOM));
        Files.writeString(k.privateFile(), Files.readString(k.privateFile()).replace("v1.3", "v1.2"));
        DnssecKey legacy = KeyFile.read(k.keyFile(), ZONE).key();
        assertThat(legacy.isPublished(Instant.now())).isTrue();
        assertThat(legacy.isActive(Instant.now())).isTrue();
        // a v1.3 key without any time is neither (as in BIND)
        DnssecKey none = KeyFile.read(KeyFile.write(dir.resolve("other"), DnssecKey.generate(ZONE,
                Algorithm.ED25519, 257, KeyTiming.NONE, RANDOM)).keyFile(), ZONE).key();
        assertThat(none.isPublished(Instant.now())).isFalse();
        assertThat(none.isActive(Instant.now())).isFalse();
    }

    @Test
    void anEcdsaKeyWrittenWithoutItsLeadingZeroOctetLoads() throws Exception {
        // BIND's dnssec-keygen writes d without leading zero octets (ZoneSignerTest met one: 31 octets)
        DnssecKey key;
        do {
            key = DnssecKey.generate(ZONE, Algorithm.ECDSAP256SHA256, 257, KeyTiming.activeFrom(Instant.now()), RANDOM);
        } while (key.privateKey()[0] != 0);
        DnssecKey written = KeyFile.write(dir.resolve("short"), key);
        byte[] d = key.privateKey();
        String shortKey = java.util.Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(d, 1, 32));
        Files.writeString(written.privateFile(), Files.readString(written.privateFile())
                .replace(java.util.Base64.getEncoder().encodeToString(d), shortKey));
        assertThat(Files.readString(written.privateFile())).contains("PrivateKey: " + shortKey);
        KeyFile.Loaded loaded = KeyFile.read(written.keyFile(), ZONE);
        assertThat(loaded.key().privateKey()).isEqualTo(d);
        assertThat(loaded.key().keyTag()).isEqualTo(key.keyTag());
    }

    // ---- bad keys: each error names the file (and line) -------------------------------------------

    DnssecKey written(Algorithm a) throws Exception {
        return KeyFile.write(dir, DnssecKey.generate(ZONE, a, 257, KeyTiming.activeFrom(Instant.now()), RANDOM));
    }

    static String errorOf(Path file, Name zone) {
        try {
            KeyFile.read(file, zone);
        } catch (KeyFileException e) {
            assertThat(e.problems()).allSatisfy(p -> assertThat(p.warning()).isFalse());
            return e.getMessage();
        }
        throw new AssertionError("loaded " + file);
    }

    @Test
    void aPrivateKeyOfAnotherKeyIsRefused() throws Exception {
        DnssecKey a = written(Algorithm.ECDSAP256SHA256);
        DnssecKey b = written(Algorithm.ECDSAP256SHA256);
        Files.copy(b.privateFile(), a.privateFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(errorOf(a.keyFile(), ZONE)).isEqualTo(a.privateFile() + ": the private key does not match the"
                + " public key in " + a.baseName() + ".key (key tag " + a.keyTag() + "): the two files are of different keys");
    }

    @Test
    void otherAlgorithmsAreRefusedByName() throws Exception {
        Path rsa = dir.resolve("Kexample.test.+008+12345.key");
        Files.writeString(rsa, "example.test. IN DNSKEY 257 3 8 AwEAAb==\n");
        assertThat(errorOf(rsa, ZONE)).isEqualTo(rsa + ": algorithm 8 (RSASHA256) is not supported: geosteer signs"
                + " with 13 (ECDSAP256SHA256) and 15 (ED25519)");
        // and made by BIND itself
        if (BindTools.find("dnssec-keygen") != null) {
            String base = BindTools.keygen(dir, "-a", "ECDSAP384SHA384", "example.test");
            assertThat(errorOf(dir.resolve(base + ".key"), ZONE)).contains("algorithm 14 (ECDSAP384SHA384) is not supported");
        }
    }

    @Test
    void aKeyOfAnotherZoneIsRefused() throws Exception {
        DnssecKey k = written(Algorithm.ED25519);
        assertThat(errorOf(k.keyFile(), name("other.test."))).isEqualTo(k.keyFile()
                + ": a key of zone example.test., not of other.test.");
        // the owner inside the file must be the zone of the file name
        Path moved = dir.resolve(k.baseName().replace("example.test.", "other.test.") + ".key");
        Files.move(k.keyFile(), moved);
        Files.move(k.privateFile(), moved.resolveSibling(k.baseName().replace("example.test.", "other.test.") + ".private"));
        assertThat(errorOf(moved, null)).contains(moved + ": the DNSKEY's owner example.test. is not the zone other.test.");
    }

    @Test
    void aKeyTagThatIsNotTheFileNamesIsRefused() throws Exception {
        DnssecKey k = written(Algorithm.ED25519);
        int other = (k.keyTag() + 1) % 65536;
        String base = KeyFile.baseName(ZONE, 15, other);
        Files.move(k.keyFile(), dir.resolve(base + ".key"));
        Files.move(k.privateFile(), dir.resolve(base + ".private"));
        assertThat(errorOf(dir.resolve(base + ".key"), ZONE)).isEqualTo(dir.resolve(base + ".key")
                + ": the key tag of this DNSKEY is " + k.keyTag() + ", not the " + other + " of the file name");
    }

    @Test
    void aMissingFileIsNamed() throws Exception {
        DnssecKey k = written(Algorithm.ED25519);
        Files.delete(k.privateFile());
        assertThat(errorOf(k.keyFile(), ZONE)).isEqualTo(k.privateFile()
                + ": missing: a key needs both its .key and its .private file");
        assertThat(errorOf(dir.resolve("notakey.key"), ZONE)).startsWith(dir.resolve("notakey.key")
                + ": not a key file name");
    }

    @Test
    void privateFileErrorsNameTheLine() throws Exception {
        DnssecKey k = written(Algorithm.ECDSAP256SHA256);
        String text = Files.readString(k.privateFile());
        Files.writeString(k.privateFile(), text.replaceAll("Activate: \\d+", "Activate: tomorrow"));
        assertThat(errorOf(k.keyFile(), ZONE)).isEqualTo(k.privateFile() + ":6: Activate: 'tomorrow' is not a time"
                + " (YYYYMMDDHHMMSS, UTC, as dnssec-settime writes it)");
        Files.writeString(k.privateFile(), text.replace("v1.3", "v2.0"));
        assertThat(errorOf(k.keyFile(), ZONE)).isEqualTo(k.privateFile()
                + ":1: Private-key-format v2.0 is not supported (v1.3 expected)");
        Files.writeString(k.privateFile(), text.replaceAll("PrivateKey: .*", "PrivateKey: AAAA"));
        assertThat(errorOf(k.keyFile(), ZONE)).isEqualTo(k.privateFile()
                + ":3: PrivateKey: an ECDSA P-256 private key is 32 octets, this one is 3");
        Files.writeString(k.privateFile(), text.replace("Algorithm: 13", "Algorithm: 15"));
        assertThat(errorOf(k.keyFile(), ZONE)).isEqualTo(k.privateFile()
                + ":2: Algorithm 15 (ED25519) is not the algorithm 13 of the file name");
    }

    @Test
    void keyFileErrorsNameTheLine() throws Exception {
        DnssecKey k = written(Algorithm.ED25519);
        Files.writeString(k.keyFile(), "; comment\n\nexample.test. IN DNSKEY 257 x 15 AAAA\n");
        assertThat(errorOf(k.keyFile(), ZONE)).isEqualTo(k.keyFile() + ":3: expected an integer");
        Files.writeString(k.keyFile(), "example.test. IN DNSKEY 385 3 15 "
                + java.util.Base64.getEncoder().encodeToString(k.publicKey()) + "\n");
        assertThat(errorOf(k.keyFile(), ZONE)).contains(k.keyFile() + ": flags 385 have the REVOKE bit");
    }

    @Test
    void aWorldReadablePrivateKeyIsAWarning() throws Exception {
        DnssecKey k = written(Algorithm.ED25519);
        Files.setPosixFilePermissions(k.privateFile(), PosixFilePermissions.fromString("rw-r--r--"));
        List<KeyProblem> warnings = KeyFile.read(k.keyFile(), ZONE).warnings();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).toString()).isEqualTo(k.privateFile() + ": warning: the private key is readable"
                + " by every user (mode rw-r--r--): chmod 600 " + k.privateFile());
    }

    static DNSKEYRecord dnskeyIn(Path keyFile) throws Exception {
        try (org.xbill.DNS.Master m = new org.xbill.DNS.Master(keyFile.toString(), Name.root, 3600)) {
            for (Record r; (r = m.nextRecord()) != null; ) {
                if (r instanceof DNSKEYRecord k) {
                    return k;
                }
            }
        }
        throw new AssertionError("no DNSKEY in " + keyFile);
    }
}
