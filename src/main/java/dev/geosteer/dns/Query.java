package dev.geosteer.dns;

import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;

/**
 * A parsed query. When {@link #rcode()} is not NOERROR the packet was understood only partly and the
 * answer is that error: the header fields are always valid, the question only when {@link #hasQuestion()}.
 */
public final class Query {
    private final int id;
    private final int flags;
    private final int opcode;
    private final byte[] qnameWire;
    private final Name qname;
    private final int qtype;
    private final int qclass;
    private final Edns edns;
    private final int rcode;
    private int tsigStart = -1;
    private long ixfrSerial = -1;

    Query(int id, int flags, int opcode, byte[] qnameWire, Name qname, int qtype, int qclass, Edns edns, int rcode) {
        this.id = id;
        this.flags = flags;
        this.opcode = opcode;
        this.qnameWire = qnameWire;
        this.qname = qname;
        this.qtype = qtype;
        this.qclass = qclass;
        this.edns = edns;
        this.rcode = rcode;
    }

    /** Builds a well-formed query, for tools that resolve without a packet (the {@code lookup} command). */
    public static Query of(Name qname, int qtype, ClientSubnet ecs) {
        Edns edns = new Edns(0, 1232, false, ecs, null);
        return new Query(0, 0, 0, qname.toWire(), qname, qtype, org.xbill.DNS.DClass.IN, edns, Rcode.NOERROR);
    }

    public int id() { return id; }
    /** The raw 16-bit flags word of the header. */
    public int flags() { return flags; }
    public int opcode() { return opcode; }
    public boolean recursionDesired() { return (flags & 0x0100) != 0; }
    public boolean checkingDisabled() { return (flags & 0x0010) != 0; }
    public boolean hasQuestion() { return qname != null; }
    /** The question name as sent, letter case included. */
    public byte[] qnameWire() { return qnameWire; }
    public Name qname() { return qname; }
    public int qtype() { return qtype; }
    public int qclass() { return qclass; }
    /** The EDNS OPT record of the query, or null when it had none. */
    public Edns edns() { return edns; }
    public ClientSubnet clientSubnet() { return edns == null ? null : edns.clientSubnet(); }
    /** NOERROR when the query is well formed, else the error to answer with. */
    public int rcode() { return rcode; }
    /** Offset of the TSIG record (the last of the packet, RFC 8945 §5.1), or -1 when the query is not signed. */
    public int tsigStart() { return tsigStart; }

    /** IXFR: the serial of the client's SOA in the authority section, or -1. */
    public long ixfrSerial() { return ixfrSerial; }

    Query ixfrSerial(long serial) {
        ixfrSerial = serial;
        return this;
    }

    Query tsigStart(int offset) {
        tsigStart = offset;
        return this;
    }

    /** EDNS(0) data of a query: version, advertised UDP size, DO bit, client subnet, cookie (each may be null). */
    public record Edns(int version, int udpSize, boolean dnssecOk, ClientSubnet clientSubnet, Cookie cookie) {
    }
}
