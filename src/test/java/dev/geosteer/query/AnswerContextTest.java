package dev.geosteer.query;

import dev.geosteer.dns.Query;
import dev.geosteer.dns.Response;
import dev.geosteer.zone.Zone;
import dev.geosteer.zone.ZoneLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-thread AnswerContext is reused query after query and keeps nothing of the last one. */
class AnswerContextTest {
    @TempDir
    Path dir;

    @Test
    void aResolvedQueryLeavesNoSnapshotAliveInTheThreadsContext() throws Exception {
        Path file = dir.resolve("example.test.zone");
        dev.geosteer.TestServer.copyResource("zones/example.test.zone", file);
        // a thread of its own, alive while the zone should be collected: its context is the first, fresh
        java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            WeakReference<Zone> snapshot = thread.submit(() -> resolveOnce(file)).get();
            // the context the thread keeps must not hold the zone, the response or the query
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (snapshot.get() != null && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(10);
            }
            assertThat(snapshot.get()).as("the zone of the last query, collected").isNull();
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void eachQueryStartsFromAnEmptyContext() throws Exception {
        Path file = dir.resolve("example.test.zone");
        dev.geosteer.TestServer.copyResource("zones/example.test.zone", file);
        Zone z = ZoneLoader.compile(ZoneLoader.parse(file), Map.of());
        ServedZones served = new ServedZones(Map.of(z.origin(), new ServedZone(z, null)));
        ZoneResolver r = new ZoneResolver(() -> served);
        InetAddress client = InetAddress.getLoopbackAddress();
        // a referral with glue, an MX with additional addresses, a chain: then a plain answer gets none of it
        r.resolve(Query.of(Name.fromString("www.child.example.test."), Type.A, null), client, false);
        r.resolve(Query.of(Name.fromString("example.test."), Type.MX, null), client, false);
        r.resolve(Query.of(Name.fromString("alias2.example.test."), Type.A, null), client, false);
        Response plain = r.resolve(Query.of(Name.fromString("www.example.test."), Type.A, null), client, false);
        assertThat(plain.rcode()).isEqualTo(Rcode.NOERROR);
        assertThat(plain.authoritative()).isTrue();
        assertThat(plain.answer()).hasSize(1);
        assertThat(plain.authority()).isEmpty();
        assertThat(plain.additional()).isEmpty();
    }

    private static WeakReference<Zone> resolveOnce(Path file) throws Exception {
        Zone z = ZoneLoader.compile(ZoneLoader.parse(file), Map.of());
        ServedZones served = new ServedZones(Map.of(z.origin(), new ServedZone(z, null)));
        Response resp = new ZoneResolver(() -> served).resolve(
                Query.of(Name.fromString("www.child.example.test."), Type.A, null), InetAddress.getLoopbackAddress(),
                false);
        assertThat(resp.authority()).isNotEmpty();
        return new WeakReference<>(z);
    }
}
