package dev.geosteer.dnssec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.Name;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;

import static dev.geosteer.dnssec.KeyFileTest.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DS records: the same as dnsjava's and as BIND's dnssec-dsfromkey, SHA-256 and SHA-384. */
class DsTest {
    @TempDir
    Path dir;

    @Test
    void sameAsDnsjava() {
        for (Algorithm a : Algorithm.values()) {
            DnssecKey key = DnssecKey.generate(name("Example.TEST."), a, 257, KeyTiming.activeFrom(Instant.now()),
                    new SecureRandom());
            for (int digest : new int[] {Ds.SHA256, Ds.SHA384}) {
                DSRecord expected = new DSRecord(key.zone(), DClass.IN, 3600, digest, key.toRecord(3600));
                assertThat(Ds.rdata(key, digest)).isEqualTo(expected.rdataToWireCanonical());
            }
        }
    }

    @Test
    void sameAsDnssecDsfromkey() throws Exception {
        BindTools.require("dnssec-keygen", "dnssec-dsfromkey");
        for (String alg : new String[] {"ECDSAP256SHA256", "ED25519"}) {
            String base = BindTools.keygen(dir, "-a", alg, "-f", "KSK", "example.test");
            DnssecKey key = KeyFile.read(dir.resolve(base + ".key"), name("example.test.")).key();
            assertThat(Ds.text(key, Ds.SHA256)).isEqualTo(BindTools.run(dir, "dnssec-dsfromkey", "-2", base + ".key")
                    .ok().out().strip());
            assertThat(Ds.text(key, Ds.SHA384)).isEqualTo(BindTools.run(dir, "dnssec-dsfromkey", "-a", "SHA-384",
                    base + ".key").ok().out().strip());
        }
    }

    @Test
    void digestTypesByNameOrNumber() {
        assertThat(Ds.digestType("sha256")).isEqualTo(2);
        assertThat(Ds.digestType("SHA-384")).isEqualTo(4);
        assertThat(Ds.digestType("2")).isEqualTo(2);
        assertThatThrownBy(() -> Ds.digestType("1")).hasMessageContaining("use 2 (SHA-256) or 4 (SHA-384)");
        Name zone = name("example.test.");
        assertThatThrownBy(() -> Ds.rdata(zone, 1, 13, new byte[4], 1)).hasMessageContaining("DS digest type 1 is not supported");
    }
}
