package dev.geosteer.differential;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Type;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One query of the corpus, encoded by hand so that every header bit, class and EDNS field is exactly
 * what the corpus says (a library would normalise some of them). Built with {@link #of} and the
 * {@code with...} methods.
 *
 * @param name        the question name as sent, letter case included, with its trailing dot
 * @param flags       the header's second 16-bit word as sent: opcode, AA, TC, RD, RA, Z, AD, CD
 * @param ednsSize    the advertised EDNS UDP size, or -1 for no OPT record
 * @param ednsVersion EDNS version (0; 1 asks for BADVERS)
 * @param options     EDNS options sent after the ECS option, raw (code, length, data)
 */
record Probe(int id, String name, int type, int dclass, boolean tcp, int flags, int ednsSize, int ednsVersion,
             boolean dnssecOk, ClientSubnet ecs, byte[] options) {
    static final int RD = 0x0100;
    static final int CD = 0x0010;

    /** An EDNS Client Subnet option as sent (RFC 7871 §6), possibly malformed on purpose. */
    record ClientSubnet(int family, int sourcePrefix, byte[] address) {
        static ClientSubnet of(String cidr) {
            String[] p = cidr.split("/");
            byte[] full;
            try {
                full = java.net.InetAddress.getByName(p[0]).getAddress();
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException(cidr, e);
            }
            int source = Integer.parseInt(p[1]);
            byte[] address = java.util.Arrays.copyOf(full, (source + 7) / 8);
            if (source % 8 != 0) {
                address[address.length - 1] &= (byte) (0xFF << (8 - source % 8)); // RFC 7871 §6: zero past the prefix
            }
            return new ClientSubnet(full.length == 4 ? 1 : 2, source, address);
        }

        @Override
        public String toString() {
            return "ECS family " + family + " /" + sourcePrefix + " " + java.util.HexFormat.of().formatHex(address);
        }
    }

    /** A plain query: no flags, no EDNS. */
    static Probe of(int id, String name, int type, int dclass, boolean tcp) {
        return new Probe(id, name, type, dclass, tcp, 0, -1, 0, false, null, new byte[0]);
    }

    Probe withFlags(int value) {
        return new Probe(id, name, type, dclass, tcp, value, ednsSize, ednsVersion, dnssecOk, ecs, options);
    }

    /** With an OPT record advertising {@code size} (-1: none), EDNS version 0. */
    Probe withEdns(int size, boolean doBit) {
        return new Probe(id, name, type, dclass, tcp, flags, size, 0, doBit, ecs, options);
    }

    Probe withEdnsVersion(int version) {
        return new Probe(id, name, type, dclass, tcp, flags, ednsSize, version, dnssecOk, ecs, options);
    }

    Probe withEcs(ClientSubnet value) {
        return new Probe(id, name, type, dclass, tcp, flags, ednsSize, ednsVersion, dnssecOk, value, options);
    }

    Probe withOptions(byte[] raw) {
        return new Probe(id, name, type, dclass, tcp, flags, ednsSize, ednsVersion, dnssecOk, ecs, raw);
    }

    int opcode() {
        return (flags >> 11) & 0xF;
    }

    boolean cd() {
        return (flags & CD) != 0;
    }

    byte[] wire() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        put16(out, id);
        put16(out, flags);
        put16(out, 1);
        put16(out, 0);
        put16(out, 0);
        put16(out, ednsSize >= 0 ? 1 : 0);
        writeName(out, name);
        put16(out, type);
        put16(out, dclass);
        if (ednsSize >= 0) {
            out.write(0); // root owner
            put16(out, Type.OPT);
            put16(out, ednsSize);
            out.write(0); // extended rcode
            out.write(ednsVersion);
            put16(out, dnssecOk ? 0x8000 : 0);
            put16(out, (ecs == null ? 0 : 8 + ecs.address().length) + options.length);
            if (ecs != null) {
                put16(out, 8); // CLIENT-SUBNET
                put16(out, 4 + ecs.address().length);
                put16(out, ecs.family());
                out.write(ecs.sourcePrefix());
                out.write(0); // SCOPE PREFIX-LENGTH: 0 in queries
                out.write(ecs.address(), 0, ecs.address().length);
            }
            out.write(options, 0, options.length);
        }
        return out.toByteArray();
    }

    static byte[] soaQuery(String zone) {
        return of(4242, zone, Type.SOA, DClass.IN, false).wire();
    }

    private static void writeName(ByteArrayOutputStream out, String name) {
        if (!name.equals(".")) {
            for (String label : name.substring(0, name.length() - 1).split("\\.", -1)) {
                byte[] b = label.getBytes(StandardCharsets.US_ASCII);
                out.write(b.length);
                out.write(b, 0, b.length);
            }
        }
        out.write(0);
    }

    private static void put16(ByteArrayOutputStream out, int v) {
        out.write(v >> 8);
        out.write(v);
    }

    @Override
    public String toString() {
        return (opcode() != 0 ? "opcode " + opcode() + " " : "") + name + " " + typeName(type) + " class "
                + className(dclass) + " over " + (tcp ? "TCP" : "UDP")
                + (ednsSize < 0 ? ", no EDNS" : ", EDNS" + (ednsVersion != 0 ? " version " + ednsVersion : "")
                        + " size " + ednsSize + (dnssecOk ? " DO" : "") + (ecs != null ? ", " + ecs : "")
                        + (options.length > 0 ? ", options " + java.util.HexFormat.of().formatHex(options) : ""))
                + ((flags & 0x07FF) != 0 ? String.format(", flags %04x", flags & 0x07FF) : "") + ", id " + id;
    }

    static String typeName(int type) {
        return Type.string(type);
    }

    static String className(int dclass) {
        return dclass == 254 ? "NONE" : DClass.string(dclass);
    }
}
