package dev.geosteer.dnssec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The served serial of signed zones: the file's when ahead, else the last + 1; kept across restarts. */
class SignedSerialsTest {
    static final Name A = Name.fromConstantString("a.test.");
    static final Name B = Name.fromConstantString("b.test.");

    @TempDir
    Path dir;

    @Test
    void followsTheFileWhenItIsAheadAndCountsOnOtherwise() {
        SignedSerials s = SignedSerials.inMemory();
        assertThat(s.next(A, 2026120100)).isEqualTo(2026120100);
        assertThat(s.next(A, 2026120100)).isEqualTo(2026120101); // re-signed, same file
        assertThat(s.next(A, 2026120100)).isEqualTo(2026120102);
        assertThat(s.next(A, 2026120200)).isEqualTo(2026120200); // the file went ahead
        assertThat(s.next(A, 5)).isEqualTo(2026120201); // behind (RFC 1982): counts on
        assertThat(s.last(B)).isEqualTo(-1);
    }

    @Test
    void wrapsAroundAsRfc1982Says() {
        SignedSerials s = SignedSerials.inMemory();
        assertThat(s.next(A, 0xFFFFFFFFL)).isEqualTo(0xFFFFFFFFL);
        assertThat(s.next(A, 0xFFFFFFFFL)).isZero();
        assertThat(s.next(A, 3)).isEqualTo(3); // 3 is after 0
    }

    @Test
    void keptInTheStateDirectoryAcrossRestarts() throws Exception {
        SignedSerials s = SignedSerials.in(dir.resolve("state"));
        s.next(A, 7);
        s.next(A, 7);
        s.next(B, 100);
        assertThat(Files.readString(dir.resolve("state").resolve(SignedSerials.FILE))).contains("a.test. 8").contains("b.test. 100");
        SignedSerials again = SignedSerials.in(dir.resolve("state"));
        assertThat(again.next(A, 7)).isEqualTo(9);
        assertThat(again.unsigned(B, 50)).isEqualTo(101); // keys removed: still after the last signed one
        assertThat(again.unsigned(B, 200)).isEqualTo(200); // the file passed it: forgotten
        assertThat(again.last(B)).isEqualTo(-1);
        assertThat(again.unsigned(Name.fromConstantString("never.test."), 4)).isEqualTo(4);
    }

    @Test
    void aBadLineIsSkipped() throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(SignedSerials.FILE), "# comment\na.test. 41\nnonsense\nb.test. -3\n");
        SignedSerials s = SignedSerials.in(dir);
        assertThat(s.last(A)).isEqualTo(41);
        assertThat(s.last(B)).isEqualTo(-1);
    }
}
