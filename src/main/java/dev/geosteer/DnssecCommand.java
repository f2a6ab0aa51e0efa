package dev.geosteer;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.dnssec.Algorithm;
import dev.geosteer.dnssec.DnssecKey;
import dev.geosteer.dnssec.Ds;
import dev.geosteer.dnssec.KeyProblem;
import dev.geosteer.dnssec.KeySet;
import dev.geosteer.dnssec.KeyStore;
import dev.geosteer.dnssec.KeyTiming;
import dev.geosteer.problem.ProblemException;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code geosteer dnssec ...}: the zones' DNSSEC keys, in BIND's key file format in the keys
 * directory ({@code <zones_dir>/keys} unless {@code --keys} says otherwise).
 */
@Command(name = "dnssec",
        description = "DNSSEC keys: create them, list them, print the DS records for the parent zone; print a signed zone.",
        subcommands = {DnssecCommand.Keygen.class, DnssecCommand.DsCommand.class, DnssecCommand.Keys.class,
                DnssecCommand.Dump.class})
final class DnssecCommand {

    /** Options of every dnssec command: the zone, and where its keys are. */
    static class KeyOptions extends Main.ConfigOptions {
        @Parameters(index = "0", paramLabel = "ZONE", description = "The zone, e.g. example.com (a final dot is optional).")
        String zone;

        @Option(names = "--keys", paramLabel = "DIR",
                description = "Keys directory. Default: keys/ in the zones directory (zones/keys).")
        Path keys;

        Name zoneName() {
            try {
                return Name.fromString(zone.endsWith(".") ? zone : zone + ".");
            } catch (TextParseException e) {
                throw new IllegalArgumentException("'" + zone + "' is not a zone name: " + e.getMessage());
            }
        }

        Path keysDir() throws ProblemException {
            if (keys != null) {
                return keys;
            }
            ServerConfig c = load();
            return baseDir().resolve(c.zonesDir).resolve("keys");
        }

        /** Runs {@code body}, mapping bad arguments to exit 2 and bad settings to exit 1, as the other commands do. */
        int guarded(Callable<Integer> body) {
            try {
                return body.call();
            } catch (IllegalArgumentException e) {
                System.err.println("geosteer: " + e.getMessage());
                return 2;
            } catch (ProblemException e) {
                System.err.println(e.getMessage());
                return 1;
            } catch (Exception e) {
                System.err.println("geosteer: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "keygen",
            description = {"Create a combined signing key (CSK: flags 257, signs everything) for ZONE, published and"
                    + " active now, and print the DS record to give the parent zone.",
                    "The .private file is created with mode 0600. Serving signed answers is not implemented yet."})
    static final class Keygen extends KeyOptions implements Callable<Integer> {
        @Option(names = {"-a", "--algorithm"}, paramLabel = "ALG", defaultValue = "ecdsap256sha256",
                description = "ecdsap256sha256 (13, default) or ed25519 (15).")
        String algorithm;

        @Override
        public Integer call() {
            return guarded(() -> {
                Algorithm a = Algorithm.byName(algorithm);
                if (a == null) {
                    throw new IllegalArgumentException("unknown algorithm '" + algorithm
                            + "': use ecdsap256sha256 (13) or ed25519 (15)");
                }
                Name z = zoneName();
                Path dir = keysDir();
                List<DnssecKey> before = KeyStore.scan(dir).keys(z).keys();
                DnssecKey key;
                try {
                    key = KeyStore.create(dir, z, a, DnssecKey.CSK_FLAGS,
                            KeyTiming.activeFrom(Instant.now().truncatedTo(ChronoUnit.SECONDS)), new SecureRandom());
                } catch (IOException e) {
                    System.err.println("geosteer: cannot write the key into " + dir + ": " + e);
                    return 1;
                }
                System.err.println("created " + key.keyFile() + " and " + key.privateFile().getFileName()
                        + " (" + a.name() + ", flags 257, key tag " + key.keyTag() + ")");
                if (!before.isEmpty()) {
                    System.err.println("note: " + z + " already has " + before.size() + " key(s); all active keys"
                            + " sign. For a rollover see 'geosteer dnssec keys " + z + "' and the README (DNSSEC).");
                }
                System.err.println("give the parent zone this DS record:");
                System.out.println(Ds.text(key, Ds.SHA256));
                return 0;
            });
        }
    }

    @Command(name = "ds",
            description = "Print the DS records of ZONE's SEP keys (flags 257) that are published or will be,"
                    + " as dnssec-dsfromkey does.")
    static final class DsCommand extends KeyOptions implements Callable<Integer> {
        @Option(names = {"-d", "--digest"}, paramLabel = "TYPE", split = ",",
                description = "Digest type(s): 2 or sha256 (default), 4 or sha384.")
        List<String> digests = new ArrayList<>(List.of("2"));

        @Override
        public Integer call() {
            return guarded(() -> {
                List<Integer> types = digests.stream().map(Ds::digestType).toList();
                Name z = zoneName();
                Path dir = keysDir();
                KeyStore store = KeyStore.scan(dir);
                store.problems(z).forEach(p -> System.err.println(p));
                Instant now = Instant.now();
                int printed = 0;
                for (DnssecKey k : store.keys(z).keys()) {
                    KeyTiming.State s = k.timing().state(now);
                    if (!k.isSep() || s == KeyTiming.State.DELETED || s == KeyTiming.State.INACTIVE) {
                        continue;
                    }
                    for (int d : types) {
                        System.out.println(Ds.text(k, d));
                        printed++;
                    }
                }
                if (printed == 0) {
                    System.err.println("geosteer: no key of " + z + " to give the parent in " + dir);
                    return 1;
                }
                return 0;
            });
        }
    }

    @Command(name = "keys",
            description = "List ZONE's keys: what each does now (published, active, inactive, deleted), its timing,"
                    + " its file; and any problem with the key files.")
    static final class Keys extends KeyOptions implements Callable<Integer> {
        @Override
        public Integer call() {
            return guarded(() -> {
                Name z = zoneName();
                Path dir = keysDir();
                KeyStore store = KeyStore.scan(dir);
                List<KeyProblem> problems = store.problems(z);
                KeySet set = store.keys(z);
                Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
                KeySet.Signing signing = set.at(now);
                System.out.println("zone " + z + ": " + set.keys().size() + " key(s) in " + dir + " at " + now
                        + (signing.isSigned() ? ", signed" : ", not signed"));
                for (DnssecKey k : set.keys()) {
                    KeyTiming t = k.timing();
                    System.out.println(k.keyTag() + " " + k.algorithm().name() + " flags " + k.flags() + " "
                            + t.state(now).label() + (signing.role(k).equals("-") ? "" : " " + signing.role(k))
                            + (signing.sync().contains(k) ? " cds" : "") + "  " + k.baseName());
                    System.out.println("    created " + show(t.created()) + "  publish " + show(t.publish())
                            + "  activate " + show(t.activate()) + "  inactive " + show(t.inactive())
                            + "  delete " + show(t.delete()) + "  sync publish " + show(t.syncPublish())
                            + "  sync delete " + show(t.syncDelete()));
                }
                Instant next = set.nextChange(now);
                if (next != null) {
                    System.out.println("next change: " + next);
                }
                signing.problems().forEach(p -> System.out.println("problem: " + p));
                problems.forEach(p -> System.err.println(p));
                boolean errors = problems.stream().anyMatch(p -> !p.warning()) || !signing.problems().isEmpty();
                if (set.keys().isEmpty() && problems.isEmpty()) {
                    System.err.println("geosteer: no keys for " + z + " in " + dir);
                    return 1;
                }
                return errors ? 1 : 0;
            });
        }

        private static String show(Instant t) {
            return t == null ? "-" : t.toString();
        }
    }

    @Command(name = "dump",
            description = "Print ZONE signed, as the server signs it at load and transfers it to secondaries, as a"
                    + " master file (for dnssec-verify or a look): its records, RRSIGs, DNSKEY/CDS/CDNSKEY and NSEC"
                    + " chain. A balancer's name has its transfer_as answer, signed (the one secondaries serve).")
    static final class Dump extends KeyOptions implements Callable<Integer> {
        @Override
        public Integer call() {
            return guarded(() -> {
                Name z = zoneName();
                ServerConfig c = load();
                java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.OFF);
                dev.geosteer.catalog.Reloader files = dev.geosteer.catalog.Reloader.of(c,
                        dev.geosteer.catalog.LocalDirectory.of(c, baseDir()), () -> dev.geosteer.health.HealthView.NONE);
                List<dev.geosteer.problem.Problem> errors = files.refresh().errors();
                dev.geosteer.query.ServedZone served = files.current().zones().get(z);
                if (served == null) {
                    errors.forEach(System.err::println);
                    System.err.println("geosteer: zone " + z + " is not loaded from " + files.source().describe());
                    return 1;
                }
                Path dir = keysDir();
                KeyStore store = KeyStore.scan(dir);
                List<KeyProblem> problems = store.problems(z).stream().filter(p -> !p.warning()).toList();
                Instant now = Instant.now();
                KeySet.Signing signing = store.keys(z).at(now);
                if (!problems.isEmpty() || !signing.isSigned()) {
                    problems.forEach(System.err::println);
                    signing.problems().forEach(p -> System.err.println(dir + ": " + p));
                    System.err.println("geosteer: zone " + z + " cannot be signed with the keys in " + dir);
                    return 1;
                }
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                        Runtime.getRuntime().availableProcessors());
                try {
                    dev.geosteer.dnssec.SignedZone signed = dev.geosteer.dnssec.SignedZone.sign(served.zone(), signing,
                            dev.geosteer.dnssec.SignatureWindow.at(now, c.dnssec.signatureValidity,
                                    c.dnssec.inceptionOffset), ZoneSigning.dnskeyTtl(served, signing), null, 2,
                            new dev.geosteer.dnssec.SignatureStats(), pool);
                    StringBuilder out = new StringBuilder();
                    out.append("; ").append(z).append(" serial ").append(served.zone().serial()).append(", signed by ")
                            .append(signing.zoneSigning().stream().map(k -> String.valueOf(k.keyTag())).toList())
                            .append(" at ").append(now).append('\n');
                    for (org.xbill.DNS.Record r : dev.geosteer.xfr.Content.records(served.withSigned(signed))) {
                        out.append(r).append('\n');
                    }
                    System.out.print(out);
                    System.out.flush();
                } finally {
                    pool.shutdownNow();
                }
                return 0;
            });
        }
    }
}
