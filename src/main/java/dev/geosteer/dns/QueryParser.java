package dev.geosteer.dns;

import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.util.Arrays;

/**
 * Parses a query packet strictly, without trusting a single length field. Returns null when the
 * packet must be dropped (shorter than a header, or a response), otherwise a {@link Query} whose rcode
 * says whether it is well formed. Never throws on any input.
 */
public final class QueryParser {
    static final int HEADER = 12;
    private static final int OPTION_CLIENT_SUBNET = 8;

    /** This thread's question names seen last (event loops: one each). */
    private static final ThreadLocal<NameMemo> NAMES = ThreadLocal.withInitial(NameMemo::new);

    private QueryParser() {
    }

    /**
     * The question names a thread parsed last, by their exact wire bytes (letter case included), each with
     * its dnsjava {@link Name}: a name asked again (most traffic asks few names) costs a hash and a
     * comparison instead of a new Name, which dnsjava builds through a 64-byte label buffer and an array
     * per label: ~420 of the ~760 bytes a static answer allocated, and ~0.1 us (bench/answer-cost.sh). The
     * arrays and names are immutable and shared by the queries that ask the same name.
     */
    private static final class NameMemo {
        private static final int SIZE = 512; // power of two; direct-mapped: a new name replaces the slot's
        final byte[][] wires = new byte[SIZE][];
        final Name[] names = new Name[SIZE];

        int slot(byte[] p, int from, int to) {
            int h = 0;
            for (int i = from; i < to; i++) {
                h = 31 * h + p[i];
            }
            return (h ^ (h >>> 16)) & (SIZE - 1);
        }

        boolean holds(int slot, byte[] p, int from, int to) {
            byte[] w = wires[slot];
            return w != null && Arrays.equals(w, 0, w.length, p, from, to);
        }
    }

    public static Query parse(byte[] p, int len) {
        if (len < HEADER) {
            return null;
        }
        int id = u16(p, 0);
        int flags = u16(p, 2);
        if ((flags & 0x8000) != 0) {
            return null; // a response: answering it could start a loop between two servers
        }
        int opcode = (flags >> 11) & 0xF;
        int qdcount = u16(p, 4);
        int ancount = u16(p, 6);
        int nscount = u16(p, 8);
        int arcount = u16(p, 10);
        if (qdcount != 1) {
            return error(id, flags, opcode, opcode == 0 ? Rcode.FORMERR : Rcode.NOTIMP);
        }
        // Question: uncompressed labels only (a pointer could only point into the header).
        int pos = HEADER;
        int nameLen = 0;
        while (true) {
            if (pos >= len) {
                return error(id, flags, opcode, Rcode.FORMERR);
            }
            int l = p[pos] & 0xFF;
            if (l == 0) {
                pos++;
                nameLen++;
                break;
            }
            if (l > 63) {
                return error(id, flags, opcode, Rcode.FORMERR);
            }
            nameLen += l + 1;
            if (nameLen + 1 > 255) {
                return error(id, flags, opcode, Rcode.FORMERR);
            }
            pos += l + 1;
        }
        if (pos + 4 > len) {
            return error(id, flags, opcode, Rcode.FORMERR);
        }
        NameMemo memo = NAMES.get();
        int slot = memo.slot(p, HEADER, pos);
        byte[] qnameWire;
        Name qname;
        if (memo.holds(slot, p, HEADER, pos)) {
            qnameWire = memo.wires[slot];
            qname = memo.names[slot];
        } else {
            qnameWire = Arrays.copyOfRange(p, HEADER, pos);
            try {
                qname = new Name(qnameWire);
            } catch (IOException e) {
                return error(id, flags, opcode, Rcode.FORMERR);
            }
            memo.wires[slot] = qnameWire;
            memo.names[slot] = qname;
        }
        int qtype = u16(p, pos);
        int qclass = u16(p, pos + 2);
        pos += 4;
        int tsigStart = -1;
        long ixfrSerial = -1;
        if (opcode != 0) {
            // NOTIMP, but with an OPT record when the request has one (RFC 6891 §6.1.1): find it past the
            // records a NOTIFY or UPDATE carries in its other sections.
            pos = skipRecords(p, pos, len, ancount + nscount);
            if (pos < 0) {
                return new Query(id, flags, opcode, qnameWire, qname, qtype, qclass, null, Rcode.NOTIMP);
            }
        } else if (qtype == Type.IXFR && ancount == 0 && nscount == 1) {
            // RFC 1995 §3: the client's SOA in the authority section; its serial is what it has
            int owner = skipName(p, pos, len);
            if (owner < 0 || owner + 10 > len || u16(p, owner) != Type.SOA) {
                return new Query(id, flags, opcode, qnameWire, qname, qtype, qclass, null, Rcode.FORMERR);
            }
            int rdata = owner + 10;
            int end = rdata + u16(p, owner + 8);
            if (end > len) { // the SOA's RDLENGTH runs past the packet: never read beyond it
                return new Query(id, flags, opcode, qnameWire, qname, qtype, qclass, null, Rcode.FORMERR);
            }
            int names = skipName(p, rdata, end);
            names = names < 0 ? -1 : skipName(p, names, end);
            if (names < 0 || names + 20 > end) {
                return new Query(id, flags, opcode, qnameWire, qname, qtype, qclass, null, Rcode.FORMERR);
            }
            ixfrSerial = u32(p, names);
            pos = end;
        } else if (ancount != 0 || nscount != 0) {
            return new Query(id, flags, opcode, qnameWire, qname, qtype, qclass, null, Rcode.FORMERR);
        }
        Query.Edns edns = null;
        int rcode = Rcode.NOERROR;
        for (int i = 0; i < arcount; i++) {
            int ownerStart = pos;
            pos = skipName(p, pos, len);
            if (pos < 0 || pos + 10 > len) {
                return new Query(id, flags, opcode, qnameWire, qname, qtype, qclass, edns, Rcode.FORMERR);
            }
            int type = u16(p, pos);
            int rrclass = u16(p, pos + 2);
            long ttl = u32(p, pos + 4);
            int rdlen = u16(p, pos + 8);
            int rdata = pos + 10;
            pos = rdata + rdlen;
            if (pos > len) {
                return new Query(id, flags, opcode, qnameWire, qname, qtype, qclass, edns, Rcode.FORMERR);
            }
            if (type == Type.OPT) {
                // RFC 6891 §6.1.1: one OPT, owned by the root.
                if (edns != null || pos - rdlen - 10 - ownerStart != 1 || p[ownerStart] != 0) {
                    return new Query(id, flags, opcode, qnameWire, qname, qtype, qclass, edns, Rcode.FORMERR);
                }
                int version = (int) ((ttl >> 16) & 0xFF);
                boolean dnssecOk = (ttl & 0x8000) != 0;
                int udpSize = Math.max(512, rrclass);
                ClientSubnet ecs = null;
                Cookie cookie = null;
                int o = rdata;
                while (o < pos) {
                    if (o + 4 > pos) {
                        return new Query(id, flags, opcode, qnameWire, qname, qtype, qclass, edns, Rcode.FORMERR);
                    }
                    int code = u16(p, o);
                    int olen = u16(p, o + 2);
                    if (o + 4 + olen > pos) {
                        return new Query(id, flags, opcode, qnameWire, qname, qtype, qclass, edns, Rcode.FORMERR);
                    }
                    boolean malformed = false;
                    if (code == OPTION_CLIENT_SUBNET) {
                        malformed = ecs != null || (ecs = parseClientSubnet(p, o + 4, olen)) == null;
                    } else if (code == Cookie.OPTION_CODE) {
                        malformed = cookie != null || (cookie = parseCookie(p, o + 4, olen)) == null;
                    }
                    if (malformed) { // answered FORMERR, with an OPT record (and no cookie)
                        edns = new Query.Edns(version, udpSize, dnssecOk, null, null);
                        return new Query(id, flags, opcode, qnameWire, qname, qtype, qclass, edns, Rcode.FORMERR);
                    }
                    o += 4 + olen;
                }
                edns = new Query.Edns(version, udpSize, dnssecOk, ecs, cookie);
                if (version > 0) {
                    rcode = Rcode.BADVERS;
                }
            } else if (type == Type.TSIG) {
                // RFC 8945 §5.1: the last record, one only. The Responder checks it (or answers NOTAUTH
                // when no keys are configured, §5.2).
                if (i != arcount - 1) {
                    return new Query(id, flags, opcode, qnameWire, qname, qtype, qclass, edns, Rcode.FORMERR);
                }
                tsigStart = ownerStart;
            }
        }
        if (opcode != 0 && rcode == Rcode.NOERROR) {
            rcode = Rcode.NOTIMP;
        }
        return new Query(id, flags, opcode, qnameWire, qname, qtype, qclass, edns, rcode).tsigStart(tsigStart)
                .ixfrSerial(ixfrSerial);
    }

    /** Skips {@code count} whole records; returns the offset after them, or -1 when they overrun the packet. */
    private static int skipRecords(byte[] p, int pos, int len, int count) {
        for (int i = 0; i < count; i++) {
            pos = skipName(p, pos, len);
            if (pos < 0 || pos + 10 > len) {
                return -1;
            }
            pos += 10 + u16(p, pos + 8);
            if (pos > len) {
                return -1;
            }
        }
        return pos;
    }

    /** Validates ECS per RFC 7871 §6 and §7.1.1; null when malformed (the caller answers FORMERR). */
    static ClientSubnet parseClientSubnet(byte[] p, int o, int olen) {
        if (olen < 4) {
            return null;
        }
        int family = u16(p, o);
        int source = p[o + 2] & 0xFF;
        int scope = p[o + 3] & 0xFF;
        int max;
        if (family == ClientSubnet.FAMILY_IPV4) {
            max = 32;
        } else if (family == ClientSubnet.FAMILY_IPV6) {
            max = 128;
        } else {
            return null;
        }
        if (source > max || scope > max) {
            return null;
        }
        int addrLen = (source + 7) / 8;
        if (olen - 4 != addrLen) {
            return null;
        }
        byte[] addr = Arrays.copyOfRange(p, o + 4, o + 4 + addrLen);
        if (source % 8 != 0 && addrLen > 0) {
            int mask = 0xFF >> (source % 8);
            if ((addr[addrLen - 1] & mask) != 0) {
                return null; // bits set beyond the source prefix
            }
        }
        // A query's scope MUST be 0 (§6); a non-zero one is ignored rather than failing the query.
        return new ClientSubnet(family, source, 0, addr);
    }

    /**
     * RFC 7873 §5.2.2: an 8-byte client cookie, alone or followed by a server cookie of 8 to 32 bytes;
     * null for any other length (the caller answers FORMERR).
     */
    static Cookie parseCookie(byte[] p, int o, int olen) {
        if (olen != 8 && (olen < 16 || olen > 40)) {
            return null;
        }
        return new Cookie(Arrays.copyOfRange(p, o, o + 8), olen == 8 ? null : Arrays.copyOfRange(p, o + 8, o + olen));
    }

    /** Skips a possibly compressed name; returns the offset after it, or -1 when malformed. */
    private static int skipName(byte[] p, int pos, int len) {
        int total = 0;
        while (pos < len) {
            int l = p[pos] & 0xFF;
            if (l == 0) {
                return pos + 1;
            }
            if ((l & 0xC0) == 0xC0) {
                return pos + 2 <= len ? pos + 2 : -1;
            }
            if (l > 63) {
                return -1;
            }
            total += l + 1;
            if (total > 255) {
                return -1;
            }
            pos += l + 1;
        }
        return -1;
    }

    private static Query error(int id, int flags, int opcode, int rcode) {
        return new Query(id, flags, opcode, null, null, 0, 0, null, rcode);
    }

    static int u16(byte[] p, int o) {
        return ((p[o] & 0xFF) << 8) | (p[o + 1] & 0xFF);
    }

    static long u32(byte[] p, int o) {
        return ((long) u16(p, o) << 16) | u16(p, o + 2);
    }
}
