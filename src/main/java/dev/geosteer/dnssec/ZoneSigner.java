package dev.geosteer.dnssec;

import dev.geosteer.dns.RRset;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Signs a whole static zone given as records (a master file's content): adds the DNSKEY RRset (and
 * CDS/CDNSKEY when keys are in their sync window), the NSEC chain, and an RRSIG per authoritative
 * RRset and key (RFC 4035 §2.2: not the NS RRset of a delegation, not glue, nothing below a zone cut
 * or a DNAME). The reference for signing at load, and what {@code dnssec-verify} checks in the tests;
 * the answer path will sign its compiled zone with the same {@link Signer} and {@link NsecChain}.
 */
public final class ZoneSigner {
    private ZoneSigner() {
    }

    /**
     * The zone's records followed by the records signing adds, in canonical order of owner then type.
     * {@code dnskeyTtl}: the TTL of DNSKEY, CDS and CDNSKEY; NSEC records live min(SOA TTL, SOA MINIMUM)
     * (RFC 9077). Inception and expiration in seconds since 1970.
     */
    public static List<Record> sign(Name apex, List<Record> records, KeySet.Signing keys, long dnskeyTtl,
                                    long inception, long expiration) {
        if (!keys.isSigned()) {
            throw new IllegalArgumentException("no active key for " + apex + ": " + keys.problems());
        }
        Map<Name, Map<Integer, List<Record>>> byName = new TreeMap<>();
        SOARecord soa = null;
        for (Record r : records) {
            if (r.getType() == Type.SOA) {
                soa = (SOARecord) r;
            }
            if (r.getType() == Type.DNSKEY || r.getType() == Type.CDS || r.getType() == Type.CDNSKEY
                    || r.getType() == Type.RRSIG || r.getType() == Type.NSEC) {
                continue; // made here from the keys
            }
            byName.computeIfAbsent(r.getName(), n -> new TreeMap<>()).computeIfAbsent(r.getType(),
                    t -> new ArrayList<>()).add(r);
        }
        if (soa == null) {
            throw new IllegalArgumentException("no SOA record in " + apex);
        }
        Map<Integer, List<Record>> apexSets = byName.computeIfAbsent(apex, n -> new TreeMap<>());
        apexSets.put(Type.DNSKEY, records(apex, Type.DNSKEY, dnskeyTtl,
                keys.published().stream().map(DnssecKey::dnskeyRdata).toList()));
        if (!keys.sync().isEmpty()) {
            apexSets.put(Type.CDS, records(apex, Type.CDS, dnskeyTtl, Ds.cds(keys.sync(), Ds.SHA256)));
            apexSets.put(Type.CDNSKEY, records(apex, Type.CDNSKEY, dnskeyTtl, Ds.cdnskey(keys.sync())));
        }

        NsecChain.Builder nsec = NsecChain.builder(apex, Math.min(soa.getTTL(), soa.getMinimum()));
        byName.forEach((name, sets) -> sets.keySet().forEach(type -> nsec.add(name, type)));
        NsecChain chain = nsec.build();

        List<Record> out = new ArrayList<>();
        Name occluder = null;
        for (Map.Entry<Name, Map<Integer, List<Record>>> e : byName.entrySet()) {
            Name name = e.getKey();
            boolean occluded = occluder != null && name.subdomain(occluder);
            if (!occluded) {
                occluder = null;
            }
            boolean cut = !occluded && !name.equals(apex) && e.getValue().containsKey(Type.NS);
            for (Map.Entry<Integer, List<Record>> set : e.getValue().entrySet()) {
                RRset rrset = RRset.of(set.getValue()); // rdata as written, the TTL the lowest (RFC 2181 §5.2)
                out.addAll(rrset.toRecords());
                if (!occluded && (!cut || set.getKey() == Type.DS)) {
                    out.addAll(signatures(keys, rrset, inception, expiration));
                }
            }
            int index = chain.matching(name);
            if (index >= 0 && !occluded) {
                RRset nsecSet = RRset.of(records(name, Type.NSEC, chain.ttl(), List.of(chain.rdata(index))));
                out.addAll(nsecSet.toRecords());
                out.addAll(signatures(keys, nsecSet, inception, expiration));
            }
            if (!occluded && (cut || e.getValue().containsKey(Type.DNAME))) {
                occluder = name;
            }
        }
        return out;
    }

    private static List<Record> records(Name owner, int type, long ttl, List<byte[]> rdata) {
        List<Record> out = new ArrayList<>();
        for (byte[] rd : rdata) {
            out.add(Record.newRecord(owner, type, DClass.IN, ttl, rd));
        }
        return out;
    }

    private static List<Record> signatures(KeySet.Signing keys, RRset rrset, long inception, long expiration) {
        List<Record> out = new ArrayList<>();
        for (DnssecKey key : keys.signersFor(rrset.type())) {
            byte[] rrsig = Signer.sign(key, rrset, inception, expiration);
            out.add(Record.newRecord(rrset.owner(), Type.RRSIG, DClass.IN, rrset.ttl(), rrsig));
        }
        return out;
    }

    /** The records as a master file, one per line (what {@code dnssec-verify} reads). */
    public static String masterFile(List<Record> records) {
        StringBuilder b = new StringBuilder();
        for (Record r : records) {
            b.append(r).append('\n');
        }
        return b.toString();
    }
}
