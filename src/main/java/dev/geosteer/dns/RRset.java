package dev.geosteer.dns;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.util.ArrayList;
import java.util.List;

/**
 * An RRset in wire form, ready to copy into responses: rdata is pre-encoded once, and the offsets of
 * names that RFC 1035 allows to be compressed (NS, CNAME, PTR, MX, SOA) are remembered so the writer
 * can compress them. Immutable.
 */
public final class RRset {
    private final Name owner;
    private final byte[] ownerWire;
    private final int type;
    private final long ttl;
    private final byte[][] rdata;
    private final int[][] nameOffsets;

    private RRset(Name owner, byte[] ownerWire, int type, long ttl, byte[][] rdata, int[][] nameOffsets) {
        this.owner = owner;
        this.ownerWire = ownerWire;
        this.type = type;
        this.ttl = ttl;
        this.rdata = rdata;
        this.nameOffsets = nameOffsets;
    }

    /** Builds an RRset of records that share owner, class and type. The TTL is the smallest of them. */
    public static RRset of(List<? extends Record> records) {
        Name owner = records.get(0).getName();
        return of(owner, owner.toWire(), records);
    }

    /** The same, with the owner's name and wire form shared between the RRsets of one name. */
    public static RRset of(Name owner, byte[] ownerWire, List<? extends Record> records) {
        Record first = records.get(0);
        long ttl = Long.MAX_VALUE;
        byte[][] rdata = new byte[records.size()][];
        int[][] offsets = null;
        for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            ttl = Math.min(ttl, r.getTTL());
            if (r.getType() == Type.A || r.getType() == Type.AAAA) {
                // most of a big zone: no names inside, so the canonical form is the rdata, without
                // encoding the owner and header only to cut them off again
                rdata[i] = r.rdataToWireCanonical();
                continue;
            }
            byte[] full = r.toWire(Section.ANSWER); // uncompressed, original case
            int start = r.getName().length() + 10;
            rdata[i] = java.util.Arrays.copyOfRange(full, start, full.length);
            int[] names = compressibleNames(r.getType(), rdata[i]);
            if (names != null) {
                if (offsets == null) {
                    offsets = new int[records.size()][];
                }
                offsets[i] = names;
            }
        }
        return new RRset(owner, ownerWire, first.getType(), ttl, rdata, offsets);
    }

    /** An RRset of raw rdata with no compressible names (A and AAAA answers built per query). */
    public static RRset ofRdata(Name owner, byte[] ownerWire, int type, long ttl, byte[][] rdata) {
        return new RRset(owner, ownerWire, type, ttl, rdata, null);
    }

    private static int[] compressibleNames(int type, byte[] rdata) {
        switch (type) {
            case Type.NS, Type.CNAME, Type.PTR:
                return new int[] {0};
            case Type.MX:
                return new int[] {2};
            case Type.SOA:
                return new int[] {0, nameLength(rdata, 0)};
            default:
                return null;
        }
    }

    private static int nameLength(byte[] wire, int off) {
        int p = off;
        while (wire[p] != 0) {
            p += (wire[p] & 0xFF) + 1;
        }
        return p + 1 - off;
    }

    public Name owner() { return owner; }
    public byte[] ownerWire() { return ownerWire; }
    public int type() { return type; }
    public long ttl() { return ttl; }
    public int size() { return rdata.length; }
    public byte[] rdata(int i) { return rdata[i]; }
    /** Offsets of compressible names inside record i's rdata, or null. */
    public int[] nameOffsets(int i) { return nameOffsets == null ? null : nameOffsets[i]; }

    /** The records as dnsjava objects, for display and tests (not used on the answer path). */
    public List<Record> toRecords(Name ownerName, long ttlToShow) {
        List<Record> out = new ArrayList<>(rdata.length);
        for (byte[] rd : rdata) {
            out.add(Record.newRecord(ownerName, type, DClass.IN, ttlToShow, rd));
        }
        return out;
    }

    public List<Record> toRecords() {
        return toRecords(owner, ttl);
    }

    @Override
    public String toString() {
        return owner + " " + ttl + " " + Type.string(type) + " x" + rdata.length;
    }
}
