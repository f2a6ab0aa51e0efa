package dev.geosteer.query;

import dev.geosteer.TestServer;
import dev.geosteer.dns.Query;
import dev.geosteer.dns.QueryParser;
import dev.geosteer.zone.Zone;
import dev.geosteer.zone.ZoneLoader;
import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The warm-up at start: questions the parser accepts, answered before the listeners open, never counted. */
class WarmupTest {
    @TempDir
    Path dir;

    @Test
    void everyWarmUpQuestionIsAWellFormedQueryAboutTheZonesServed() throws Exception {
        Path file = dir.resolve("example.test.zone");
        TestServer.copyResource("zones/example.test.zone", file);
        Zone z = ZoneLoader.compile(ZoneLoader.parse(file), Map.of());
        List<byte[]> questions = Warmup.questions(new ServedZones(Map.of(z.origin(), new ServedZone(z, null))));
        assertThat(questions).hasSizeGreaterThan(40);
        for (byte[] packet : questions) {
            Query q = QueryParser.parse(packet, packet.length);
            assertThat(q).isNotNull();
            assertThat(q.rcode()).isEqualTo(Rcode.NOERROR);
            assertThat(q.qname().subdomain(z.origin())).isTrue();
        }
    }

    @Test
    void aServerWarmsUpBeforeItAnswersAndCountsNoneOfItsQuestions() throws Exception {
        // the test JVM runs with -Dgeosteer.warmup=0 (pom.xml): this server warms up
        String before = System.setProperty("geosteer.warmup", "4000");
        try (TestServer server = TestServer.start(dir, "example.test.zone")) {
            assertThat(queriesCounted(server)).as("warm-up answers are not counted").isZero();
            Message m = server.udp("www.example.test.", Type.A);
            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(m.getSection(org.xbill.DNS.Section.ANSWER)).hasSize(1);
            assertThat(queriesCounted(server)).isEqualTo(1);
        } finally {
            if (before == null) {
                System.clearProperty("geosteer.warmup");
            } else {
                System.setProperty("geosteer.warmup", before);
            }
        }
    }

    private static double queriesCounted(TestServer server) {
        return server.server.metrics().find("geosteer_dns_queries").counters().stream().mapToDouble(Counter::count).sum();
    }
}
