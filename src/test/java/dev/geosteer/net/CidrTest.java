package dev.geosteer.net;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrTest {
    @Test
    void networksOfBothFamilies() {
        Cidr v4 = Cidr.parse("192.0.2.0/24");
        assertThat(v4.prefix()).isEqualTo(24);
        assertThat(v4.isV6()).isFalse();
        assertThat(v4.hostBitsSet()).isFalse();
        assertThat(v4.contains(Addresses.parse("192.0.2.77"))).isTrue();
        assertThat(v4.contains(Addresses.parse("192.0.3.1"))).isFalse();
        assertThat(v4.contains(Addresses.parse("::1"))).isFalse();

        Cidr v6 = Cidr.parse(" 2001:db8::/32 ");
        assertThat(v6.prefix()).isEqualTo(32);
        assertThat(v6.maxPrefix()).isEqualTo(128);
        assertThat(v6.toString()).isEqualTo("2001:db8::/32");
    }

    @Test
    void hostBitsAreTheCallersRule() {
        Cidr c = Cidr.parse("10.1.2.3/8");
        assertThat(c.hostBitsSet()).isTrue();
        assertThat(c.masked().toString()).isEqualTo("10.0.0.0/8");
        assertThat(c).isEqualTo(Cidr.parse("10.0.0.0/8"));
        assertThat(Cidr.of(Addresses.parse("175.16.199.1"), 20).prefixBytes()).containsExactly(175, 16, 192);
    }

    @Test
    void aBareAddressOnlyWhenAllowed() {
        assertThat(Cidr.parse("127.0.0.1", false).prefix()).isEqualTo(32);
        assertThat(Cidr.parse("::1", false).prefix()).isEqualTo(128);
        assertThatThrownBy(() -> Cidr.parse("127.0.0.1")).hasMessage(
                "'127.0.0.1' is not a network: write address/prefix, e.g. 10.0.0.0/8");
    }

    @Test
    void errorsSayWhatIsWrong() {
        assertThatThrownBy(() -> Cidr.parse("192.0.2.0/33")).hasMessage("prefix length of '192.0.2.0/33' must be within 0..32");
        assertThatThrownBy(() -> Cidr.parse("192.0.2.0/")).hasMessageContaining("must be within 0..32");
        assertThatThrownBy(() -> Cidr.parse("192.0.2.0/+8")).hasMessageContaining("must be within 0..32");
        assertThatThrownBy(() -> Cidr.parse("2001:db8::/129")).hasMessageContaining("0..128");
        assertThatThrownBy(() -> Cidr.parse("example.com/24")).hasMessage("'example.com' is not an IP address");
        assertThatThrownBy(() -> Cidr.parse(null, false)).isInstanceOf(IllegalArgumentException.class);
    }
}
