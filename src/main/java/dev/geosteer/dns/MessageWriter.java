package dev.geosteer.dns;

import org.xbill.DNS.Type;

/**
 * Writes the messages of a multi-message answer (zone transfers), record by record, with name compression
 * through a hash table (a transfer message holds thousands of names: {@link WireWriter}'s linear search
 * would be quadratic). One instance per answer; not thread-safe.
 */
public final class MessageWriter {
    /** Room left in every message for an OPT and a TSIG record. */
    private static final int RESERVE = 1024;
    private static final int POINTER_LIMIT = 0x3FFF;
    private static final int TABLE = 1 << 15;

    private final Query query;
    private final int limit;
    private final byte[] buf = new byte[WireWriter.MAX_MESSAGE];
    private final int[] table = new int[TABLE]; // offset + 1 of a name in buf, 0 = empty
    private int pos;
    private int records;
    private int rcode;

    public MessageWriter(Query query, int maxSize) {
        this.query = query;
        this.limit = Math.min(maxSize, WireWriter.MAX_MESSAGE) - RESERVE;
    }

    /** Starts a message: header, and the question when {@code question}. */
    public void start(int rcode, boolean question) {
        this.rcode = rcode;
        java.util.Arrays.fill(table, 0);
        pos = 0;
        records = 0;
        put16(query.id());
        put16(0x8000 | (query.opcode() << 11) | 0x0400 | (query.flags() & 0x0100) | (rcode & 0xF));
        put16(question ? 1 : 0);
        put16(0);
        put16(0);
        put16(0);
        if (question) {
            writeName(query.qnameWire(), 0);
            put16(query.qtype());
            put16(query.qclass());
        }
    }

    /** Records in the message started last. */
    public int records() {
        return records;
    }

    /** Bytes in the message started last. */
    public int size() {
        return pos;
    }

    /**
     * Adds record {@code i} of {@code set} with this owner and TTL; false (and nothing written) when it does
     * not fit, unless it is the first record of the message (a record is never left out).
     */
    public boolean add(byte[] ownerWire, RRset set, int i, long ttl) {
        int mark = pos;
        writeName(ownerWire, 0);
        put16(set.type());
        put16(1);
        put32((int) Math.min(ttl, 0x7FFFFFFFL));
        int rdlenAt = pos;
        pos += 2;
        byte[] rd = set.rdata(i);
        int[] names = set.nameOffsets(i);
        if (names == null) {
            System.arraycopy(rd, 0, buf, pos, rd.length);
            pos += rd.length;
        } else {
            int copied = 0;
            for (int nameAt : names) {
                System.arraycopy(rd, copied, buf, pos, nameAt - copied);
                pos += nameAt - copied;
                copied = nameAt + writeName(rd, nameAt);
            }
            System.arraycopy(rd, copied, buf, pos, rd.length - copied);
            pos += rd.length - copied;
        }
        set16(rdlenAt, pos - rdlenAt - 2);
        if (pos > limit && records > 0) {
            pos = mark; // offsets past mark may stay in the table: they are only used below pos
            return false;
        }
        records++;
        return true;
    }

    /** Ends the message: the OPT record when the query had one; returns its bytes. */
    public byte[] finish() {
        int ar = 0;
        if (query.edns() != null) {
            buf[pos++] = 0;
            put16(Type.OPT);
            put16(1232);
            buf[pos++] = (byte) (rcode >> 4);
            buf[pos++] = 0;
            put16(query.edns().dnssecOk() ? 0x8000 : 0);
            put16(0);
            ar = 1;
        }
        set16(6, records);
        set16(10, ar);
        return java.util.Arrays.copyOf(buf, pos);
    }

    private int writeName(byte[] wire, int off) {
        int s = off;
        while (true) {
            int l = wire[s] & 0xFF;
            if (l == 0) {
                buf[pos++] = 0;
                return s + 1 - off;
            }
            int h = hash(wire, s);
            int slot = h & (TABLE - 1);
            int target = -1;
            for (int probe = 0; probe < 16; probe++) {
                int t = table[(slot + probe) & (TABLE - 1)] - 1;
                if (t < 0) {
                    break;
                }
                if (t < pos && WireNames.sameName(buf, wire, s, t)) {
                    target = t;
                    break;
                }
            }
            if (target >= 0) {
                buf[pos++] = (byte) (0xC0 | (target >> 8));
                buf[pos++] = (byte) target;
                int e = s;
                while (wire[e] != 0) {
                    e += (wire[e] & 0xFF) + 1;
                }
                return e + 1 - off;
            }
            if (pos <= POINTER_LIMIT) {
                for (int probe = 0; probe < 16; probe++) {
                    int idx = (slot + probe) & (TABLE - 1);
                    if (table[idx] == 0 || table[idx] - 1 >= pos) {
                        table[idx] = pos + 1;
                        break;
                    }
                }
            }
            System.arraycopy(wire, s, buf, pos, l + 1);
            pos += l + 1;
            s += l + 1;
        }
    }

    private static int hash(byte[] wire, int s) {
        int h = 0;
        while (true) {
            int l = wire[s] & 0xFF;
            h = h * 31 + l;
            if (l == 0) {
                return h ^ (h >>> 15);
            }
            for (int k = 1; k <= l; k++) {
                h = h * 31 + WireNames.lower(wire[s + k]);
            }
            s += l + 1;
        }
    }



    private void put16(int v) {
        buf[pos++] = (byte) (v >> 8);
        buf[pos++] = (byte) v;
    }

    private void put32(int v) {
        put16(v >>> 16);
        put16(v & 0xFFFF);
    }

    private void set16(int at, int v) {
        buf[at] = (byte) (v >> 8);
        buf[at + 1] = (byte) v;
    }
}
