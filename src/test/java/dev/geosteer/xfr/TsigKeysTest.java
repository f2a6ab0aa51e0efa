package dev.geosteer.xfr;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.problem.ProblemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keys from geosteer.yaml and from BIND key files, and what geosteer check says of bad ones. */
class TsigKeysTest {
    @TempDir
    Path dir;

    @Test
    void readsBindKeyFilesAsTsigKeygenWritesThem() throws Exception {
        Files.writeString(dir.resolve("xfr.key"), """
                # made by tsig-keygen
                key "xfr-key" {
                	algorithm hmac-sha256;
                	secret "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=";
                };
                key old-peer { algorithm hmac-sha1; secret "b2xkc2VjcmV0"; };
                """);
        ServerConfig c = new ServerConfig();
        c.tsigKeyFile = "xfr.key";
        ServerConfig.Allow a = new ServerConfig.Allow();
        a.network = "192.0.2.0/24";
        a.key = "old-peer";
        c.transfer.allow.add(a);
        TsigKeys keys = TsigKeys.load(c, dir);
        assertThat(keys.get("xfr-key").algorithm()).isEqualTo("hmac-sha256");
        assertThat(keys.get("old-peer.").algorithm()).isEqualTo("hmac-sha1");
    }

    @Test
    void badKeysAndUnknownKeyNamesAreReported() throws Exception {
        Files.writeString(dir.resolve("bad.key"), "key \"k\" { algorithm hmac-md5; secret \"c2VjcmV0\"; };\n");
        ServerConfig c = new ServerConfig();
        c.tsigKeyFile = "bad.key";
        assertThatThrownBy(() -> TsigKeys.load(c, dir)).isInstanceOf(ProblemException.class)
                .hasMessageContaining("bad.key:1").hasMessageContaining("hmac-md5");
        Path yaml = dir.resolve("geosteer.yaml");
        Files.writeString(yaml, """
                tsig_keys:
                  k1: { algorithm: hmac-sha999, secret: "not base64!" }
                transfer:
                  allow:
                    - { network: 192.0.2.0/33, key: nope }
                  notify: ["nowhere"]
                  max_concurrent: 0
                """);
        assertThatThrownBy(() -> ServerConfig.load(yaml)).isInstanceOf(ProblemException.class)
                .hasMessageContaining("tsig_keys.k1.algorithm").hasMessageContaining("tsig_keys.k1.secret")
                .hasMessageContaining("transfer.allow[0].network").hasMessageContaining("no key 'nope'")
                .hasMessageContaining("'transfer.notify': 'nowhere'").hasMessageContaining("transfer.max_concurrent");
    }
}
