package dev.geosteer.dns;

import org.xbill.DNS.Type;

import java.util.List;

/**
 * Encodes a {@link Response} to wire format with name compression and RFC-correct truncation: whole
 * RRsets only, TC set when a required RRset did not fit, the OPT record always kept. One instance per
 * event loop: it owns a scratch buffer and is not thread-safe.
 */
public final class WireWriter {
    public static final int MAX_MESSAGE = 65535;
    private static final int POINTER_LIMIT = 0x3FFF;

    // Room for one over-long record past the limit: we check after each record and roll back.
    private final byte[] buf = new byte[MAX_MESSAGE * 2 + 1024];
    private int pos;
    private int[] labelOffsets = new int[64];
    private int labelCount;
    /** Records written by the last {@link #writeSection} or {@link #writeAdditional} call. */
    private int sectionCount;
    private final EncodeResult result = new EncodeResult();
    /**
     * The owner (by identity) of the records written last, and where its name is: the records of an RRset
     * and its RRSIGs share one owner array, so each owner after the first is a pointer found without the
     * search (the search was a fifth of a signed NXDOMAIN's CPU: six records, three owners).
     */
    private byte[] lastOwner;
    private int lastOwnerAt;

    /** The encoded bytes of the last {@link #encode} call, valid until the next call. */
    public byte[] buffer() {
        return buf;
    }

    /**
     * Encodes into {@link #buffer()}; the result (length, TC) is valid until the next call.
     *
     * @param maxSize        the largest message the transport allows (512..65535)
     * @param serverUdpSize  UDP payload size this server advertises in its OPT record
     */
    public EncodeResult encode(Query q, Response r, int maxSize, int serverUdpSize) {
        return encode(q, r, maxSize, serverUdpSize, null);
    }

    /**
     * As {@link #encode(Query, Response, int, int)}, with a COOKIE option (the query's client cookie and
     * {@code serverCookie}) in the OPT record when {@code serverCookie} is not null.
     */
    public EncodeResult encode(Query q, Response r, int maxSize, int serverUdpSize, byte[] serverCookie) {
        pos = 0;
        labelCount = 0;
        lastOwner = null;
        int rcode = r.rcode();
        Query.Edns edns = q.edns();
        ClientSubnet ecs = edns == null ? null : edns.clientSubnet();
        int ede = edns == null ? -1 : r.extendedError();
        byte[] clientCookie = edns == null || edns.cookie() == null || serverCookie == null ? null : edns.cookie().client();
        int optSize = edns == null ? 0 : 11 + (ecs == null ? 0 : 8 + ecs.addressBytes().length) + (ede < 0 ? 0 : 6)
                + (clientCookie == null ? 0 : 4 + clientCookie.length + serverCookie.length);

        int flags = 0x8000 | (q.opcode() << 11) | (q.flags() & 0x0100) | (q.flags() & 0x0010) | (rcode & 0xF);
        if (r.authoritative()) {
            flags |= 0x0400;
        }
        put16(q.id());
        put16(flags);
        put16(q.hasQuestion() ? 1 : 0);
        put16(0);
        put16(0);
        put16(0);
        if (q.hasQuestion()) {
            writeName(q.qnameWire(), 0);
            put16(q.qtype());
            put16(q.qclass());
        }
        int limit = maxSize - optSize;
        boolean truncated = false;
        int an = 0;
        int ns = 0;
        int ar = 0;
        if (pos > limit || r.truncated()) {
            truncated = true; // a slip, or (cannot happen for sane limits) a question that does not fit
        } else {
            truncated = !writeSection(r.answer(), limit);
            an = sectionCount;
            if (!truncated) {
                truncated = !writeSection(r.authority(), limit);
                ns = sectionCount;
                if (!truncated) {
                    truncated = !writeAdditional(r.additional(), limit);
                    ar = sectionCount;
                }
            }
        }
        if (edns != null) {
            buf[pos++] = 0; // root owner
            put16(Type.OPT);
            put16(serverUdpSize);
            buf[pos++] = (byte) (rcode >> 4); // extended rcode
            buf[pos++] = 0; // version
            put16(edns.dnssecOk() ? 0x8000 : 0);
            put16(optSize - 11);
            if (ecs != null) {
                byte[] addr = ecs.addressBytes();
                int scope = ecs.answerScope(r.ecsScope());
                put16(8);
                put16(4 + addr.length);
                put16(ecs.family());
                buf[pos++] = (byte) ecs.sourcePrefix();
                buf[pos++] = (byte) scope;
                System.arraycopy(addr, 0, buf, pos, addr.length);
                pos += addr.length;
            }
            if (clientCookie != null) {
                put16(Cookie.OPTION_CODE);
                put16(clientCookie.length + serverCookie.length);
                System.arraycopy(clientCookie, 0, buf, pos, clientCookie.length);
                pos += clientCookie.length;
                System.arraycopy(serverCookie, 0, buf, pos, serverCookie.length);
                pos += serverCookie.length;
            }
            if (ede >= 0) {
                put16(15); // RFC 8914 Extended DNS Error, INFO-CODE only
                put16(2);
                put16(ede);
            }
            ar++;
        }
        if (truncated) {
            set16(2, flags | 0x0200);
        }
        set16(6, an);
        set16(8, ns);
        set16(10, ar);
        result.set(pos, truncated);
        return result;
    }

    /**
     * Writes whole RRsets until one does not fit, counting records in {@link #sectionCount}; false when
     * one was cut.
     */
    private boolean writeSection(List<Response.Entry> entries, int limit) {
        sectionCount = 0;
        for (Response.Entry entry : entries) {
            if (!writeEntry(entry, limit)) {
                return false;
            }
            sectionCount += entry.records();
        }
        return true;
    }

    /**
     * Writes the additional RRsets that fit, skipping those that do not (and the other RRsets of the same
     * owner after a skipped one), as Knot does: more of the glue gets through. Counts records in
     * {@link #sectionCount}; false when a required RRset was left out: RFC 2181 §9, dropping optional
     * additional data does not set TC; in-domain referral glue does (RFC 9471).
     */
    private boolean writeAdditional(List<Response.Entry> entries, int limit) {
        sectionCount = 0;
        boolean requiredLeftOut = false;
        byte[] skippedOwner = null;
        for (Response.Entry entry : entries) {
            if (skippedOwner != null && java.util.Arrays.equals(skippedOwner, entry.owner())) {
                requiredLeftOut |= entry.required();
                continue;
            }
            skippedOwner = null;
            if (writeEntry(entry, limit)) {
                sectionCount += entry.records();
            } else {
                requiredLeftOut |= entry.required();
                skippedOwner = entry.owner();
            }
        }
        return !requiredLeftOut;
    }

    /**
     * Writes one whole RRset and its RRSIGs, or nothing (rolled back) when they do not fit within
     * {@code limit}.
     */
    private boolean writeEntry(Response.Entry entry, int limit) {
        int mark = pos;
        int markLabels = labelCount;
        byte[] owner = entry.owner();
        int ttl = (int) Math.min(entry.ttl(), 0x7FFFFFFFL);
        if (!writeRecords(entry.rrset(), owner, ttl, limit)
                || (entry.rrsig() != null && !writeRecords(entry.rrsig(), owner, ttl, limit))) {
            pos = mark;
            labelCount = markLabels;
            lastOwner = null; // it may have been written past the mark
            return false;
        }
        return true;
    }

    private boolean writeRecords(RRset set, byte[] owner, int ttl, int limit) {
        for (int i = 0; i < set.size(); i++) {
            if (owner == lastOwner) {
                buf[pos++] = (byte) (0xC0 | (lastOwnerAt >> 8));
                buf[pos++] = (byte) lastOwnerAt;
            } else {
                int at = pos;
                writeName(owner, 0);
                // where the name can be pointed to: its first label, or the pointer written for all of it
                int target = (buf[at] & 0xC0) == 0xC0 ? ((buf[at] & 0x3F) << 8) | (buf[at + 1] & 0xFF) : at;
                if (target <= POINTER_LIMIT && buf[at] != 0) {
                    lastOwner = owner;
                    lastOwnerAt = target;
                }
            }
            put16(set.type());
            put16(1); // class IN
            put32(ttl);
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
            if (pos > limit) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the uncompressed name at {@code wire[off]}, replacing its longest suffix already in the
     * message by a pointer. Returns the length of the name in {@code wire}.
     */
    private int writeName(byte[] wire, int off) {
        int s = off;
        int known = labelCount; // only names already complete can be pointed to, never this one
        while (true) {
            int l = wire[s] & 0xFF;
            if (l == 0) {
                buf[pos++] = 0;
                return s + 1 - off;
            }
            int target = findSuffix(wire, s, known);
            if (target >= 0) {
                buf[pos++] = (byte) (0xC0 | (target >> 8));
                buf[pos++] = (byte) target;
                return nameEnd(wire, s) - off;
            }
            if (pos <= POINTER_LIMIT) {
                addLabelOffset(pos);
            }
            System.arraycopy(wire, s, buf, pos, l + 1);
            pos += l + 1;
            s += l + 1;
        }
    }

    private static int nameEnd(byte[] wire, int s) {
        while (wire[s] != 0) {
            s += (wire[s] & 0xFF) + 1;
        }
        return s + 1;
    }

    private int findSuffix(byte[] wire, int s, int known) {
        byte length = wire[s];
        for (int i = 0; i < known; i++) {
            int t = labelOffsets[i];
            // a recorded offset holds a label written out, never a pointer: its length octet rules most out
            if (buf[t] == length && WireNames.sameName(buf, wire, s, t)) {
                return t;
            }
        }
        return -1;
    }



    private void addLabelOffset(int offset) {
        if (labelCount == labelOffsets.length) {
            labelOffsets = java.util.Arrays.copyOf(labelOffsets, labelCount * 2);
        }
        labelOffsets[labelCount++] = offset;
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
