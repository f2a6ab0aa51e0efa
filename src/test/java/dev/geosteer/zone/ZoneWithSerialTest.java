package dev.geosteer.zone;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A zone served with another SOA serial (a signed zone's): the new apex everywhere, the rest shared. */
class ZoneWithSerialTest {
    static final Name ORIGIN = Name.fromConstantString("s.test.");

    static Zone zone() throws Exception {
        String text = "$ORIGIN s.test.\n$TTL 300\n@ SOA ns hostmaster 7 7200 3600 1209600 60\n@ NS ns\n@ MX 10 mail\n"
                + "ns A 192.0.2.1\nmail A 192.0.2.2\n*.w A 192.0.2.3\n* TXT \"apex wildcard\"\n";
        return ZoneLoader.compile(ZoneLoader.parse("s.test.zone", Path.of("s.test.zone"),
                text.getBytes(StandardCharsets.UTF_8), ORIGIN), Map.of());
    }

    @Test
    void theNewApexIsFoundByEveryWayIn() throws Exception {
        Zone z = zone();
        Zone w = z.withSerial(8);
        assertThat(z.withSerial(7)).isSameAs(z);
        assertThat(z.serial()).isEqualTo(7);
        assertThat(w.serial()).isEqualTo(8);
        assertThat(((SOARecord) w.soa().toRecords().get(0)).getMinimum()).isEqualTo(60);
        assertThat(w.negativeTtl()).isEqualTo(z.negativeTtl());
        assertThat(w.apex()).isNotSameAs(z.apex());
        assertThat(w.node(ORIGIN)).isSameAs(w.apex());
        assertThat(w.apex().get(Type.SOA)).isSameAs(w.soa());
        assertThat(w.apex().get(Type.MX)).isSameAs(z.apex().get(Type.MX));
        assertThat(w.apex().targets(w.apex().rrsetCount() - 1)).isEqualTo(z.apex().targets(z.apex().rrsetCount() - 1));
        assertThat(w.apex().wildcard()).isSameAs(z.apex().wildcard());
        assertThat(w.locate(ORIGIN, Type.SOA).node()).isSameAs(w.apex());
        assertThat(w.locate(Name.fromString("nothing", ORIGIN), Type.TXT).kind()).isEqualTo(Zone.Kind.WILDCARD);
        assertThat(w.nodes()).hasSameSizeAs(z.nodes()).contains(w.apex()).doesNotContain(z.apex());
        assertThat(w.node(Name.fromString("ns", ORIGIN))).isSameAs(z.node(Name.fromString("ns", ORIGIN)));
        assertThat(w.withSerial(9).nodes()).doesNotContain(z.apex(), w.apex());
        assertThat(w.recordCount()).isEqualTo(z.recordCount());
    }
}
