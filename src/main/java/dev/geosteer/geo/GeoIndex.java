package dev.geosteer.geo;

import com.maxmind.db.CHMCache;
import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.MaxMindDbConstructor;
import com.maxmind.db.MaxMindDbParameter;
import com.maxmind.db.Metadata;
import com.maxmind.db.Networks;
import com.maxmind.db.Reader;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every address → {@link Location}, compiled at load time from the GeoIP databases into two tries
 * (IPv4, IPv6) whose values index a table of distinct locations. The databases are read with the
 * low-level {@link Reader} because it is the only API that enumerates networks, and because it reads
 * both MaxMind GeoIP2/GeoLite2 City/Country records and flat {@code country_code} records (e.g.
 * ip-location-db), which geoip2's DatabaseReader rejects. Immutable.
 */
public final class GeoIndex {
    /** A loaded database, for status pages and explanations. */
    public record Database(Path path, String type, int ipVersion, Instant built, int networks) {
        public String name() {
            return path.getFileName().toString();
        }
    }

    /** The location of an address and the network over which the databases say the same. */
    public record Found(Location location, int prefix) {
    }

    public static final GeoIndex EMPTY = new GeoIndex(List.of(), new Location[] {Location.UNKNOWN},
            IpTrie.constant(32, 0), IpTrie.constant(128, 0));

    private final List<Database> databases;
    private final Location[] locations;
    private final IpTrie v4;
    private final IpTrie v6;

    private GeoIndex(List<Database> databases, Location[] locations, IpTrie v4, IpTrie v6) {
        this.databases = List.copyOf(databases);
        this.locations = locations;
        this.v4 = v4;
        this.v6 = v6;
    }

    public List<Database> databases() { return databases; }
    /** Distinct locations; index 0 is {@link Location#UNKNOWN}. */
    public int locationCount() { return locations.length; }
    public Location location(int index) { return locations[index]; }
    public IpTrie v4() { return v4; }
    public IpTrie v6() { return v6; }

    public Found find(InetAddress address) {
        InetAddress a = unmapped(address);
        long r = (a instanceof Inet4Address ? v4 : v6).lookup(a.getAddress());
        return new Found(locations[IpTrie.value(r)], IpTrie.depth(r));
    }

    /** ::ffff:a.b.c.d is a.b.c.d (IPv4 clients on a dual-stack socket). */
    public static InetAddress unmapped(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            boolean mapped = b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            if (mapped) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return a;
    }

    /**
     * Loads the databases in priority order: for an address, the first database that knows it wins.
     *
     * @throws IOException naming the file when one cannot be read or is not a MaxMind DB
     */
    public static GeoIndex load(List<Path> files) throws IOException {
        if (files.isEmpty()) {
            return EMPTY;
        }
        Map<Location, Integer> interned = new HashMap<>();
        List<Location> table = new ArrayList<>();
        table.add(Location.UNKNOWN);
        interned.put(Location.UNKNOWN, 0);
        List<Database> dbs = new ArrayList<>();
        IpTrie v4 = null;
        IpTrie v6 = null;
        for (Path file : files) {
            IpTrie.Builder b4 = IpTrie.builder(32, 0);
            IpTrie.Builder b6 = IpTrie.builder(128, 0);
            Database db = read(file, interned, table, b4, b6);
            dbs.add(db);
            IpTrie t4 = b4.build();
            IpTrie t6 = b6.build();
            v4 = v4 == null ? t4 : v4.overlay(t4, 0);
            v6 = v6 == null ? t6 : v6.overlay(t6, 0);
        }
        return new GeoIndex(dbs, table.toArray(new Location[0]), v4, v6);
    }

    private static Database read(Path file, Map<Location, Integer> interned, List<Location> table,
                                 IpTrie.Builder b4, IpTrie.Builder b6) throws IOException {
        String name = file.getFileName().toString();
        try (Reader reader = new Reader(file.toFile(), new CHMCache(1 << 16))) {
            Metadata meta = reader.getMetadata();
            int count = 0;
            Networks<MmdbRecord> networks = reader.networks(false, MmdbRecord.class);
            while (networks.hasNext()) {
                DatabaseRecord<MmdbRecord> rec = networks.next();
                MmdbRecord data = rec.data();
                Location loc = data == null ? Location.UNKNOWN : data.toLocation(name);
                if (!loc.isKnown()) {
                    continue;
                }
                Integer index = interned.get(loc);
                if (index == null) {
                    index = table.size();
                    table.add(loc);
                    interned.put(loc, index);
                }
                InetAddress net = rec.network().networkAddress();
                int prefix = rec.network().prefixLength();
                if (net instanceof Inet4Address) {
                    b4.insert(net.getAddress(), prefix, index);
                } else if (meta.ipVersion() == 6) {
                    b6.insert(net.getAddress(), prefix, index);
                }
                count++;
            }
            return new Database(file, meta.databaseType(), meta.ipVersion(),
                    Instant.ofEpochSecond(meta.buildTime().getEpochSecond()), count);
        } catch (IOException | RuntimeException | com.maxmind.db.InvalidNetworkException e) {
            throw new IOException(file + ": not a readable MaxMind DB (.mmdb) file: " + e.getMessage(), e);
        }
    }

    /** The fields geosteer reads, in both the GeoIP2 layout and the flat {@code country_code} one. */
    public record MmdbRecord(
            @MaxMindDbParameter(name = "country_code") String countryCode,
            @MaxMindDbParameter(name = "country") Named country,
            @MaxMindDbParameter(name = "registered_country") Named registeredCountry,
            @MaxMindDbParameter(name = "continent") Named continent,
            @MaxMindDbParameter(name = "location") Coordinates location,
            @MaxMindDbParameter(name = "subdivisions") List<Named> subdivisions) {
        @MaxMindDbConstructor
        public MmdbRecord {
        }

        Location toLocation(String source) {
            String cc = countryCode != null ? countryCode : country != null && country.isoCode() != null
                    ? country.isoCode() : registeredCountry != null ? registeredCountry.isoCode() : null;
            if (cc != null) {
                cc = cc.toUpperCase(java.util.Locale.ROOT);
            }
            String cont = continent != null && continent.code() != null ? continent.code() : CountryData.continentOf(cc);
            String sub = subdivisions != null && !subdivisions.isEmpty() && subdivisions.get(0).isoCode() != null
                    && cc != null ? cc + "-" + subdivisions.get(0).isoCode() : null;
            double lat = Double.NaN;
            double lon = Double.NaN;
            boolean approximate = false;
            if (location != null && location.latitude() != null && location.longitude() != null) {
                lat = location.latitude();
                lon = location.longitude();
            } else {
                double[] c = CountryData.centroidOf(cc);
                if (c != null) {
                    lat = c[0];
                    lon = c[1];
                    approximate = true;
                }
            }
            return new Location(cc, cont, sub, lat, lon, approximate, source);
        }
    }

    public record Named(@MaxMindDbParameter(name = "iso_code") String isoCode,
                        @MaxMindDbParameter(name = "code") String code) {
        @MaxMindDbConstructor
        public Named {
        }
    }

    public record Coordinates(@MaxMindDbParameter(name = "latitude") Double latitude,
                              @MaxMindDbParameter(name = "longitude") Double longitude) {
        @MaxMindDbConstructor
        public Coordinates {
        }
    }
}
