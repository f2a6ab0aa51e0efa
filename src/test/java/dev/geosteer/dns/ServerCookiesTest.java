package dev.geosteer.dns;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Server cookies are RFC 9018's interoperable format (version 1, timestamp, SipHash-2-4 of the client
 * cookie, the header and the client address): the examples of RFC 9018 Appendix A, byte for byte, so
 * that servers of a fleet sharing the secret (geosteer, BIND, Knot, ...) accept each other's cookies.
 */
class ServerCookiesTest {
    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    @Test
    void sipHash24MatchesTheReferenceVectors() {
        // SipHash paper, Appendix A: key 00..0f, messages 00, 00 01, ... (first and 15-byte ones)
        byte[] key = hex("000102030405060708090a0b0c0d0e0f");
        byte[] msg = hex("000102030405060708090a0b0c0d0e");
        assertThat(HexFormat.of().formatHex(SipHash.hash24(key, msg, 0))).isEqualTo("310e0edd47db6f72");
        assertThat(HexFormat.of().formatHex(SipHash.hash24(key, msg, 15))).isEqualTo("e545be4961ca29a1");
    }

    /** RFC 9018 Appendix A: A.1 (a new cookie), A.2 (renewed), A.3 (another client), A.4 (IPv6). */
    @ParameterizedTest
    @CsvSource({
            "e5e973e5a6b2a43f48e7dc849e37bfcf, 2464c4abcf10c957, 198.51.100.100, 1559731985, 010000005cf79f111f8130c3eee29480",
            "e5e973e5a6b2a43f48e7dc849e37bfcf, 2464c4abcf10c957, 198.51.100.100, 1559734385, 010000005cf7a871d4a564a1442aca77",
            "e5e973e5a6b2a43f48e7dc849e37bfcf, fc93fc62807ddb86, 203.0.113.203, 1559734700, 010000005cf7a9acf73a7810aca2381e",
            "dd3bdf9344b678b185a6f5cb60fca715, 22681ab97d52c298, 2001:db8:220:1:59de:d0f4:8769:82b8, 1559741817, "
                    + "010000005cf7c57926556bd0934c72f8",
    })
    void rfc9018AppendixAExamples(String secret, String client, String address, long timestamp, String expected)
            throws Exception {
        byte[] cookie = ServerCookies.make(hex(secret), hex(client), InetAddress.getByName(address), (int) timestamp);
        assertThat(HexFormat.of().formatHex(cookie)).isEqualTo(expected);
    }

    /** A.3's query: the client's cookie has reserved octets set; they are hashed as received. */
    @Test
    void rfc9018AppendixA3ValidatesWhatTheClientSent() throws Exception {
        ServerCookies cookies = ServerCookies.configured(hex("e5e973e5a6b2a43f48e7dc849e37bfcf"), null);
        Cookie c = new Cookie(hex("fc93fc62807ddb86"), hex("01abcdef5cf78f71a314227b6679ebf5"));
        assertThat(cookies.valid(c, InetAddress.getByName("203.0.113.203"), 0x5cf78f71)).isTrue();
        assertThat(cookies.valid(c, InetAddress.getByName("203.0.113.204"), 0x5cf78f71)).isFalse();
    }

    @Test
    void aCookieIsValidForItsClientAddressAndClientCookieForAnHour() throws Exception {
        byte[] secret = hex("e5e973e5a6b2a43f48e7dc849e37bfcf");
        ServerCookies cookies = ServerCookies.configured(secret, null);
        InetAddress a = InetAddress.getByName("192.0.2.1");
        byte[] client = hex("0102030405060708");
        int t = 1_800_000_000;
        byte[] server = ServerCookies.make(secret, client, a, t);
        assertThat(cookies.valid(new Cookie(client, server), a, t)).isTrue();
        assertThat(cookies.valid(new Cookie(client, server), a, t + 3600)).isTrue();
        assertThat(cookies.valid(new Cookie(client, server), a, t + 3601)).as("expired").isFalse();
        assertThat(cookies.valid(new Cookie(client, server), a, t - 300)).as("5 min of clock skew").isTrue();
        assertThat(cookies.valid(new Cookie(client, server), a, t - 301)).as("from the future").isFalse();
        assertThat(cookies.valid(new Cookie(client, server), InetAddress.getByName("192.0.2.2"), t)).isFalse();
        assertThat(cookies.valid(new Cookie(hex("0102030405060709"), server), a, t)).isFalse();
        byte[] tampered = server.clone();
        tampered[15] ^= 1;
        assertThat(cookies.valid(new Cookie(client, tampered), a, t)).isFalse();
        assertThat(cookies.valid(new Cookie(client, hex("0100000000000000")), a, t)).as("8 bytes").isFalse();
        // fresh cookies are echoed; after half an hour a new one is given (RFC 9018 §4.3)
        assertThat(cookies.answer(new Cookie(client, server), a, true, t + 1799)).isEqualTo(server);
        assertThat(cookies.answer(new Cookie(client, server), a, true, t + 1800)).isNotEqualTo(server);
    }

    @Test
    void aPreviousSecretStillValidatesWhileTheNewOneSigns() throws Exception {
        byte[] old = hex("e5e973e5a6b2a43f48e7dc849e37bfcf");
        byte[] current = hex("dd3bdf9344b678b185a6f5cb60fca715");
        ServerCookies cookies = ServerCookies.configured(current, old);
        InetAddress a = InetAddress.getByName("192.0.2.1");
        byte[] client = hex("0102030405060708");
        int t = 1_800_000_000;
        assertThat(cookies.valid(new Cookie(client, ServerCookies.make(old, client, a, t)), a, t)).isTrue();
        byte[] issued = cookies.answer(new Cookie(client, null), a, false, t);
        assertThat(issued).isEqualTo(ServerCookies.make(current, client, a, t));
    }

    /** A generated secret is replaced after its lifetime; cookies of the one before stay valid, not older. */
    @Test
    void aGeneratedSecretIsReplacedAndThePreviousOneStillValidates() throws Exception {
        long[] clock = {0};
        ServerCookies cookies = ServerCookies.generated(java.time.Duration.ofHours(26), () -> clock[0]);
        InetAddress a = InetAddress.getByName("192.0.2.1");
        byte[] client = hex("0102030405060708");
        int t = 1_800_000_000;
        Cookie first = new Cookie(client, cookies.answer(new Cookie(client, null), a, false, t));
        assertThat(cookies.valid(first, a, t)).isTrue();
        clock[0] += java.time.Duration.ofHours(27).toNanos();
        Cookie second = new Cookie(client, cookies.answer(new Cookie(client, null), a, false, t));
        assertThat(second.server()).as("made with the new secret").isNotEqualTo(first.server());
        assertThat(cookies.valid(first, a, t)).as("the previous secret still validates").isTrue();
        assertThat(cookies.valid(second, a, t)).isTrue();
        clock[0] += java.time.Duration.ofHours(27).toNanos();
        assertThat(cookies.valid(second, a, t)).isTrue();
        assertThat(cookies.valid(first, a, t)).as("two secrets ago").isFalse();
    }
}
