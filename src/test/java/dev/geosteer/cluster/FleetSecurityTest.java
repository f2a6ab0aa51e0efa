package dev.geosteer.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet with etcd as it should run in production: TLS with a CA made for the test (openssl), client
 * certificates, and a user whose role may read and write under the prefix only. A server with the right
 * settings joins; one with a wrong password or an unknown CA says why, once, and answers anyway.
 */
class FleetSecurityTest extends FleetFixture {
    TestCa ca;

    @Override
    void startEtcd() throws Exception {
        EtcdProcess.requireInstalled(true);
        ca = TestCa.create(dir.resolve("ca"));
        etcd = EtcdProcess.start(dir, new EtcdProcess.Options(ca, "root-secret", "user-secret"));
    }

    @Override
    ClusterSettings settings(String node) {
        ClusterSettings s = super.settings(node);
        s.ca = ca.caCert().toString();
        s.cert = ca.clientCert().toString();
        s.key = ca.clientKey().toString();
        s.user = EtcdProcess.USER;
        s.password = "user-secret";
        return s;
    }

    @Test
    void serversJoinOverTlsWithAUserAndAWrongPasswordOrCaIsNamedWhileAnswersGoOn() throws Exception {
        assertThat(etcd.endpoint()).startsWith("https://");
        start("a");
        start("b");
        awaitFullQuorum("a", "b");
        drainThrough("a", "eu");
        awaitAll("drained over TLS", List.of("192.0.2.13"), DEADLINE, "a", "b");

        start("wrong", c -> c.cluster.password = "not-the-password");
        TestCa other = TestCa.create(dir.resolve("other-ca"));
        start("foreign-ca", c -> c.cluster.ca = other.caCert().toString()); // a CA that did not sign etcd's certificate
        assertThat(answer("wrong")).as("answers without the cluster").containsExactly("192.0.2.11");
        awaitError("wrong", "etcd refused user 'geosteer': wrong user name or password");
        awaitError("foreign-ca", "TLS with etcd failed");
        JsonNode members = cluster("a").path("members");
        assertThat(members.toString()).contains("\"node\":\"a\"").contains("\"node\":\"b\"")
                .doesNotContain("wrong").doesNotContain("foreign-ca");
    }

    private void awaitError(String node, String start) throws InterruptedException {
        dev.geosteer.TestServer.await(node + " says " + start, Duration.ofSeconds(20), () -> {
            try {
                JsonNode c = cluster(node);
                return !c.path("connected").asBoolean() && c.path("error").asText().startsWith(start);
            } catch (Exception e) {
                return false;
            }
        });
    }
}
