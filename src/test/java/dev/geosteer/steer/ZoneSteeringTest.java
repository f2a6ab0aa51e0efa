package dev.geosteer.steer;

import dev.geosteer.geo.GeoIndex;
import dev.geosteer.health.HealthView;
import dev.geosteer.net.Addresses;
import dev.geosteer.query.ClientAddress;
import dev.geosteer.query.Steering;
import dev.geosteer.query.Trace;
import dev.geosteer.zone.Zone;
import dev.geosteer.zone.ZoneLoader;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Steering's choices and its TTL cap without the network: the random generator and the clock are given
 * to the compiled steering, so each draw and each cap is known in advance.
 */
class ZoneSteeringTest {
    static final long S = 1_000_000_000L;
    static final String ZONE = "$TTL 300\n@ SOA ns1 host 1 3600 600 86400 60\n@ NS ns1\nns1 A 192.0.2.53\n";

    /** Answers each {@code nextInt(bound)} from a script, and records the bounds it was asked for. */
    static final class Scripted implements RandomGenerator {
        final Deque<Integer> script = new ArrayDeque<>();
        final List<Integer> bounds = new ArrayList<>();

        Scripted next(int... values) {
            for (int v : values) {
                script.add(v);
            }
            return this;
        }

        @Override
        public int nextInt(int bound) {
            bounds.add(bound);
            return script.remove();
        }

        @Override
        public long nextLong() {
            throw new AssertionError("only nextInt(bound) is expected");
        }
    }

    final Scripted random = new Scripted();
    final long[] clock = {0};
    final Map<String, HealthView.OriginHealth> health = new HashMap<>();
    Steering steering;
    Map<Name, Integer> balancers;

    void compile(String steer) throws Exception {
        Name origin = Name.fromString("t.test.");
        ZoneLoader.ParsedZone parsed = ZoneLoader.parse("t.test.zone", null, ZONE.getBytes(StandardCharsets.UTF_8),
                origin);
        SteeringCompiler compiler = new SteeringCompiler(() -> GeoIndex.EMPTY,
                () -> new HealthView(health, true, 5), SteeringCompiler.DEFAULT_MAX_MB, () -> random, () -> clock[0]);
        var prepared = compiler.prepare("t.test.steer.yaml", steer.getBytes(StandardCharsets.UTF_8), parsed);
        Zone zone = ZoneLoader.compile(parsed, prepared.names());
        steering = prepared.build(zone);
        balancers = prepared.names();
    }

    Steering.Answer answer(String balancer) throws Exception {
        int index = balancers.get(Name.fromString(balancer + ".t.test."));
        return steering.answer(index, Type.A, new ClientAddress(InetAddress.getByName("192.0.2.99"), 32, false), Trace.NONE);
    }

    static List<String> addresses(Steering.Answer a) throws Exception {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.rrset().size(); i++) {
            out.add(Addresses.format(InetAddress.getByAddress(a.rrset().rdata(i))));
        }
        return out;
    }

    /** Checked every 10 s from t = 100 s; rise 2, fall 3. */
    static HealthView.OriginHealth checked(HealthView.State state, int streak) {
        return new HealthView.OriginHealth(state, false, true, 10 * S, 100 * S, 2, 3, streak);
    }

    @Test
    void randomSteeringDrawsAPoolByWeightAmongTheHealthyOnes() throws Exception {
        compile("""
                monitors:
                  m: { type: tcp, port: 80 }
                pools:
                  a:
                    weight: 1
                    monitor: m
                    origins: [ { name: a1, address: 192.0.2.1 } ]
                  b:
                    weight: 3
                    origins: [ { name: b1, address: 192.0.2.2 } ]
                balancers:
                  r: { steering: random, default_pools: [a, b] }
                """);
        random.next(0, 0);
        assertThat(addresses(answer("r"))).as("0 of 4: a, weight 1").containsExactly("192.0.2.1");
        random.next(1, 0);
        assertThat(addresses(answer("r"))).as("1 of 4: b, weight 3").containsExactly("192.0.2.2");
        random.next(3, 0);
        assertThat(addresses(answer("r"))).as("3 of 4: b").containsExactly("192.0.2.2");
        assertThat(random.bounds).as("pool weights 1 + 3, then the one origin").containsExactly(4, 1, 4, 1, 4, 1);

        health.put("t.test./a/a1", checked(HealthView.State.DOWN, 0));
        random.bounds.clear();
        random.next(0, 0);
        Steering.Answer onlyB = answer("r");
        assertThat(addresses(onlyB)).containsExactly("192.0.2.2");
        assertThat(random.bounds).as("a is down: only b's weight is drawn from").containsExactly(3, 1);
        assertThat(onlyB.note().rule()).isEqualTo("failover");
    }

    @Test
    void originsAreDrawnByWeightWithoutRepeats() throws Exception {
        compile("""
                pools:
                  p:
                    origins:
                      - { name: x, address: 192.0.2.1, weight: 1 }
                      - { name: y, address: 192.0.2.2, weight: 2 }
                      - { name: z, address: 192.0.2.3, weight: 3 }
                balancers:
                  www: { default_pools: [p], max_answers: 2 }
                """);
        random.next(5, 0);
        assertThat(addresses(answer("www"))).as("5 of 6 falls in z's share; then 0 of x + y is x")
                .containsExactly("192.0.2.3", "192.0.2.1");
        assertThat(random.bounds).as("z's weight leaves the draw once it is chosen").containsExactly(6, 3);
        random.next(0, 1);
        assertThat(addresses(answer("www"))).containsExactly("192.0.2.1", "192.0.2.3");
        assertThat(random.bounds).containsExactly(6, 3, 6, 5);
    }

    @Test
    void theTtlIsCappedByTheEarliestChangeAtTheGivenClock() throws Exception {
        compile("""
                monitors:
                  m: { type: tcp, port: 80, interval: 10s, timeout: 1s, rise: 2, fall: 3 }
                pools:
                  p:
                    monitor: m
                    origins: [ { name: o, address: 192.0.2.1 } ]
                  q:
                    origins: [ { name: o, address: 192.0.2.2 } ]
                balancers:
                  www: { ttl: 60, default_pools: [p, q] }
                """);
        random.next(0, 0, 0, 0, 0, 0);
        health.put("t.test./p/o", checked(HealthView.State.UP, 0));
        clock[0] = 104 * S;
        assertThat(answer("www").ttl()).as("next check at 110 s, down after 3 failures: at 130 s").isEqualTo(26);
        clock[0] = 129 * S;
        assertThat(answer("www").ttl()).as("down at 150 s at the earliest").isEqualTo(21);
        health.put("t.test./p/o", checked(HealthView.State.UP, 2));
        assertThat(answer("www").ttl()).as("one more failure at 130 s: 1 s is below the floor").isEqualTo(5);

        // p is down: q answers until p could be back, 2 good checks from its streak
        health.put("t.test./p/o", checked(HealthView.State.DOWN, 1));
        clock[0] = 104 * S;
        Steering.Answer a = answer("www");
        assertThat(addresses(a)).containsExactly("192.0.2.2");
        assertThat(a.ttl()).as("p could be back at its next check, at 110 s").isEqualTo(6);
        health.put("t.test./p/o", checked(HealthView.State.DOWN, 0));
        assertThat(answer("www").ttl()).as("two good checks: 120 s").isEqualTo(16);

        health.clear();
        assertThat(answer("www").ttl()).as("not known to the checks yet: nothing to cap by").isEqualTo(60);
    }
}
