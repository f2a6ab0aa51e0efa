package dev.geosteer.dns;

import org.xbill.DNS.Name;

/**
 * The name response rate limiting charges a response to when it is not the question's (BIND's model):
 * a referral to its delegation point, a synthesized answer to the wildcard or DNAME that made it. Keyed
 * by the question, a flood of unique names below one of them would get a fresh bucket per name.
 * NXDOMAIN and NODATA need none: they are charged to their zone.
 */
public record Charge(Kind kind, Name name) {
    public enum Kind {
        /** A referral: charged to the zone cut, whatever the type asked. */
        REFERRAL,
        /** An answer synthesized from a wildcard: charged to {@code *.owner} and the type. */
        WILDCARD,
        /** A CNAME synthesized from a DNAME: charged to the DNAME's owner and the type. */
        DNAME
    }

    public static Charge referral(Name cut) {
        return new Charge(Kind.REFERRAL, cut);
    }

    public static Charge wildcard(Name owner) {
        return new Charge(Kind.WILDCARD, owner);
    }

    public static Charge dname(Name owner) {
        return new Charge(Kind.DNAME, owner);
    }
}
