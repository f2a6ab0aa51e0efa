package dev.geosteer.query;

import dev.geosteer.dns.ClientSubnet;
import dev.geosteer.dns.Query;
import dev.geosteer.dns.Response;
import dev.geosteer.net.Cidr;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * "What would a client there get, and why": runs the server's own resolver on one question and returns
 * the explanation and the answer as text. Used by the {@code lookup} command and the admin API.
 */
public final class Lookup {
    private Lookup() {
    }

    /** Parses {@code 175.16.199.0/24} (a subnet: asked with ECS) or {@code 175.16.199.1} (a source address). */
    public static ClientAddress parseClient(String text) {
        Cidr c;
        try {
            c = Cidr.parse(text, false);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("prefix") ? e.getMessage()
                    : "'" + text + "' is not an IP address or subnet");
        }
        return text.indexOf('/') < 0 ? ClientAddress.of(c.address(), null)
                : ClientAddress.of(null, subnet(c.address(), c.prefix()));
    }

    static ClientSubnet subnet(InetAddress a, int prefix) {
        Cidr c = Cidr.of(a, prefix);
        return new ClientSubnet(c.isV6() ? ClientSubnet.FAMILY_IPV6 : ClientSubnet.FAMILY_IPV4, prefix, 0,
                c.prefixBytes());
    }

    /** The explanation lines then the answer, dig-like. */
    public static List<String> explain(Supplier<ServedZones> zones, String name, String type, ClientAddress client,
                                       boolean tcp) {
        Name qname;
        try {
            qname = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("'" + name + "' is not a domain name: " + e.getMessage());
        }
        int qtype = Type.value(type.toUpperCase(java.util.Locale.ROOT));
        if (qtype < 0) {
            throw new IllegalArgumentException("'" + type + "' is not a record type");
        }
        ClientSubnet ecs = client.fromEcs() ? (client.address() == null ? new ClientSubnet(1, 0, 0, new byte[0])
                : subnet(client.address(), client.prefix())) : null;
        Query q = Query.of(qname, qtype, ecs);
        Trace trace = new Trace();
        List<String> out = new ArrayList<>();
        out.add("query: " + qname + " " + Type.string(qtype) + " from " + client + (tcp ? " over TCP" : " over UDP"));
        Response r = new ZoneResolver(zones).resolve(q, client, tcp, trace);
        out.addAll(trace.lines());
        out.add("");
        out.add(";; status: " + Rcode.string(r.rcode()) + (r.authoritative() ? ", aa" : "") + ", answer "
                + count(r.answer()) + ", authority " + count(r.authority()) + ", additional "
                + count(r.additional()) + (ecs != null ? ", ECS scope /" + ecs.answerScope(r.ecsScope()) : ""));
        section(out, "ANSWER", r.answer(), qname);
        section(out, "AUTHORITY", r.authority(), qname);
        section(out, "ADDITIONAL", r.additional(), qname);
        return out;
    }

    /**
     * The origins ({@code zone/pool/origin}) whose addresses the ANSWER section of {@code lines} (as
     * {@link #explain} writes them) gives, in answer order.
     */
    public static List<String> answeredOrigins(ServedZones zones, List<String> lines) {
        List<InetAddress> answered = new ArrayList<>();
        boolean inAnswer = false;
        for (String l : lines) {
            if (l.startsWith(";;")) {
                inAnswer = l.equals(";; ANSWER");
                continue;
            }
            String[] f = l.trim().split("\\s+");
            if (inAnswer && f.length >= 5 && (f[3].equals("A") || f[3].equals("AAAA"))) {
                try {
                    answered.add(dev.geosteer.net.Addresses.parse(f[4]));
                } catch (IllegalArgumentException e) {
                    // not an address: nothing to explain
                }
            }
        }
        List<String> out = new ArrayList<>();
        List<dev.geosteer.health.CheckTarget> targets = zones.targets();
        for (InetAddress a : answered) {
            for (dev.geosteer.health.CheckTarget t : targets) {
                if (t.address().equals(a) && !out.contains(t.key())) {
                    out.add(t.key());
                }
            }
        }
        return out;
    }

    private static int count(List<Response.Entry> entries) {
        return entries.stream().mapToInt(e -> e.rrset().size()).sum();
    }

    private static void section(List<String> out, String title, List<Response.Entry> entries, Name qname) {
        if (entries.isEmpty()) {
            return;
        }
        out.add(";; " + title);
        for (Response.Entry e : entries) {
            Name owner;
            try {
                owner = e.ownerWire() != null ? new Name(e.ownerWire()) : e.rrset().owner();
            } catch (java.io.IOException ex) {
                owner = qname;
            }
            for (Record rec : e.rrset().toRecords(owner, e.ttl())) {
                out.add(rec.toString());
            }
        }
    }
}
