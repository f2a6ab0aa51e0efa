package dev.geosteer.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.geosteer.config.Yaml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterSettingsTest {
    /** The two places the lead plugs these in: {@code cluster:} and {@code health.quorum}. */
    public static final class Doc {
        public ClusterSettings cluster;
        public Health health = new Health();
    }

    public static final class Health {
        public QuorumRule quorum = QuorumRule.MAJORITY;
    }

    private static Doc bind(String yaml) throws JsonProcessingException {
        return Yaml.MAPPER.readValue(yaml, Doc.class);
    }

    private static List<String> problems(ClusterSettings s, Path base, Map<String, String> env) {
        return s.problems("cluster", base, env).stream().map(ClusterSettings.Problem::toString).toList();
    }

    @Test
    void theIssuesExampleBindsAndDefaultsFillTheRest() throws Exception {
        Doc d = bind("""
                cluster:
                  etcd: ["http://10.0.0.5:2379", "http://10.0.0.6"]
                  node: par-1
                health:
                  quorum: majority
                """);
        ClusterSettings c = d.cluster;
        assertThat(problems(c, null, Map.of())).isEmpty();
        assertThat(c.endpoints()).containsExactly(URI.create("http://10.0.0.5:2379"), URI.create("http://10.0.0.6:2379"));
        assertThat(c.nodeName()).isEqualTo("par-1");
        assertThat(c.prefix).isEqualTo("/geosteer/");
        assertThat(c.configFromEtcd()).isFalse();
        assertThat(c.leaseTtlSeconds()).isEqualTo(10);
        assertThat(c.grace(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.tls()).isFalse();
        assertThat(d.health.quorum).isEqualTo(QuorumRule.MAJORITY);
        assertThat(bind("health: {}").cluster).as("no cluster section: nothing changes").isNull();
    }

    @Test
    void everyKey(@TempDir Path dir) throws Exception {
        for (String f : List.of("ca.pem", "client.pem", "client.key")) {
            Files.writeString(dir.resolve(f), "x");
        }
        Doc d = bind("""
                cluster:
                  etcd: [https://etcd-1.example:2379]
                  node: fra-2.example
                  prefix: /dns/geosteer/
                  config: etcd
                  ca: ca.pem
                  cert: client.pem
                  key: client.key
                  user: geosteer
                  password: from-file
                  lease_ttl: 5s
                  grace: 1m
                health:
                  quorum: 2
                """);
        ClusterSettings c = d.cluster;
        assertThat(problems(c, dir, Map.of())).isEmpty();
        assertThat(c.tls()).isTrue();
        assertThat(c.configFromEtcd()).isTrue();
        assertThat(c.grace(Duration.ofSeconds(10))).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.file(c.ca, dir)).isEqualTo(dir.resolve("ca.pem"));
        assertThat(c.password(Map.of())).isEqualTo("from-file");
        assertThat(c.password(Map.of(ClusterSettings.PASSWORD_ENV, "from-env"))).isEqualTo("from-env");
        assertThat(d.health.quorum.count()).isEqualTo(2);
        assertThat(bind("health: {quorum: \"3\"}").health.quorum.count()).isEqualTo(3);
        assertThat(bind("health: {quorum: all}").health.quorum).isEqualTo(QuorumRule.ALL);
    }

    @Test
    void badValuesAreNamedByKey(@TempDir Path dir) throws Exception {
        ClusterSettings c = bind("""
                cluster:
                  etcd: ["http://10.0.0.5:2379", "https://10.0.0.6:2379", "10.0.0.7:2379", "http://u:p@h:1"]
                  node: "par 1"
                  prefix: geosteer
                  config: git
                  cert: client.pem
                  ca: missing-ca.pem
                  user: geosteer
                  lease_ttl: 1s
                """).cluster;
        assertThat(problems(c, dir, Map.of())).containsExactlyInAnyOrder(
                "'cluster.etcd[1]': all endpoints must use the same scheme ('https://10.0.0.6:2379' is https, the first"
                        + " one http)",
                "'cluster.etcd[2]': '10.0.0.7:2379' is not a URL like http://10.0.0.5:2379 (http or https)",
                "'cluster.etcd[3]': 'http://u:p@h:1': an etcd endpoint is scheme://host:port only (credentials go in"
                        + " 'user' and 'password')",
                "'cluster.node': 'par 1' is not a node name: letters, digits, '.', '_' and '-', at most 63, starting"
                        + " with a letter or digit",
                "'cluster.prefix': 'geosteer' is not a key prefix: it starts and ends with '/' and names at least one"
                        + " level, e.g. /geosteer/",
                "'cluster.config': must be files or etcd, not 'git'",
                "'cluster.key': 'cert' and 'key' go together: set both or neither",
                "'cluster.etcd': 'ca', 'cert' and 'key' need https:// endpoints",
                "'cluster.ca': cannot read " + dir.resolve("missing-ca.pem"),
                "'cluster.cert': cannot read " + dir.resolve("client.pem"),
                "'cluster.password': user 'geosteer' needs a password (or the environment variable"
                        + " GEOSTEER_ETCD_PASSWORD)",
                "'cluster.lease_ttl': must be within 2s..1h (etcd expires a crashed instance's keys after it)");
        assertThat(problems(bind("cluster: {etcd: []}").cluster, null, Map.of()))
                .containsExactly("'cluster.etcd': list at least one etcd endpoint, e.g. [\"http://10.0.0.5:2379\"]");
        // the password may come from the environment alone, but never without a user
        ClusterSettings envOnly = bind("cluster: {etcd: [\"http://h:1\"], user: geosteer}").cluster;
        assertThat(problems(envOnly, null, Map.of(ClusterSettings.PASSWORD_ENV, "pw"))).isEmpty();
        ClusterSettings noUser = bind("cluster: {etcd: [\"http://h:1\"]}").cluster;
        assertThat(problems(noUser, null, Map.of(ClusterSettings.PASSWORD_ENV, "pw")))
                .containsExactly("'cluster.user': a password is set (GEOSTEER_ETCD_PASSWORD) but no user");
    }

    /** Every binding error of a document, as the project's YAML reader reports them. */
    private static List<String> bindingErrors(String yaml) {
        return Yaml.parse("geosteer.yaml", yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8), Doc.class, Doc::new)
                .errors().stream().map(Object::toString).toList();
    }

    @Test
    void bindingErrorsComeWithTheirPosition() {
        assertThat(bindingErrors("cluster:\n  etcd: [\"http://h:1\"]\n  nodes: a\n"))
                .singleElement().asString().startsWith("geosteer.yaml:3:").contains("unknown key 'nodes'");
        assertThat(bindingErrors("health:\n  quorum: most\n"))
                .singleElement().asString().startsWith("geosteer.yaml:2:")
                .contains("quorum must be majority, any, all or a number");
        assertThat(bindingErrors("health:\n  quorum: [2]\n")).singleElement().asString().startsWith("geosteer.yaml:2:");
        assertThat(bindingErrors("cluster:\n  lease_ttl: soon\n"))
                .singleElement().asString().contains("'soon' is not a duration");
        assertThat(bindingErrors("health:\n  quorum: 2\ncluster:\n  etcd: [\"http://h:1\"]\n")).isEmpty();
    }

    @Test
    void theHostNameIsTheDefaultNodeName() throws Exception {
        ClusterSettings c = bind("cluster: {etcd: [\"http://h:1\"]}").cluster;
        assertThat(c.nodeName()).isEqualTo(ClusterSettings.hostName()).isNotBlank();
    }
}
