package dev.geosteer;

import dev.geosteer.catalog.LocalDirectory;
import dev.geosteer.catalog.Reloader;
import dev.geosteer.config.ServerConfig;
import dev.geosteer.net.Addresses;
import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;

/** The command line: {@code serve}, {@code check}, {@code lookup}, {@code reload}, {@code dnssec}, {@code help}. */
// INHERIT: every subcommand gets --help and --version (with the version) too
@Command(name = "geosteer", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        scope = CommandLine.ScopeType.INHERIT,
        description = "Authoritative GeoDNS server with health-aware steering.",
        subcommands = {Main.Serve.class, Main.Check.class, Main.LookupCommand.class, Main.ReloadCommand.class,
                DnssecCommand.class, PushCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** The settings were refused (geosteer.yaml, an option): nothing ran. The same in every command. */
    static final int EXIT_SETTINGS = 2;
    /** The command ran and found errors, or could not start or reach what it needed. */
    static final int EXIT_FAILED = 1;

    public static void main(String[] args) {
        LogFormat.install(Level.INFO, false); // serve applies log.level and log.format once it has read them
        System.exit(new CommandLine(new Main()).execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"geosteer " + Geosteer.version()};
        }
    }

    /** Options shared by every command that reads the configuration. */
    static class ConfigOptions {
        @Option(names = "--config", paramLabel = "FILE",
                description = "Server settings (YAML). Default: GEOSTEER_CONFIG if set, else ./geosteer.yaml if it "
                        + "exists, else built-in defaults.")
        Path config;

        @Option(names = "--zones", paramLabel = "DIR", description = "Zones directory (overrides zones_dir).")
        Path zones;

        /**
         * The settings, or null after printing every problem of them as {@code file:line:column: reason}
         * (the caller exits with {@link #EXIT_SETTINGS}). The one place every command reads them.
         */
        ServerConfig settings() {
            try {
                return load();
            } catch (ProblemException e) {
                System.err.println(e.getMessage());
                return null;
            }
        }

        /** Loads the settings; relative paths in them are relative to the config file's directory. */
        ServerConfig load() throws ProblemException {
            ServerConfig c;
            Path config = configFile();
            if (config != null) {
                c = ServerConfig.load(config);
            } else if (Files.isRegularFile(Path.of("geosteer.yaml"))) {
                c = ServerConfig.load(Path.of("geosteer.yaml"));
            } else {
                c = new ServerConfig();
            }
            if (zones != null) {
                c.zonesDir = zones.toAbsolutePath().toString();
            }
            return c;
        }

        /** {@code --config}, else the GEOSTEER_CONFIG environment variable (set by the installed wrapper). */
        Path configFile() {
            String env = System.getenv("GEOSTEER_CONFIG");
            return config != null ? config : env == null || env.isBlank() ? null : Path.of(env);
        }

        Path baseDir() {
            Path config = configFile();
            Path parent = config == null ? null : config.toAbsolutePath().getParent();
            return parent == null ? Path.of("") : parent;
        }
    }

    @Command(name = "serve", description = "Answer DNS queries for the zones.")
    static final class Serve extends ConfigOptions implements Callable<Integer> {
        @Option(names = "--listen", paramLabel = "ADDR:PORT",
                description = "Listen here, UDP and TCP (repeatable; replaces the config's listen). "
                        + "Default: 127.0.0.1:5353 and [::1]:5353.")
        List<String> listen = new ArrayList<>();

        @Option(names = "--log-level", paramLabel = "LEVEL",
                description = "error, warn, info or debug (overrides log.level). Default: info.")
        String logLevel;

        @Option(names = "--log-format", paramLabel = "FORMAT",
                description = "text (one line per event) or json (one object per line; overrides log.format). "
                        + "Default: text.")
        String logFormat;

        @Override
        public Integer call() throws Exception {
            ServerConfig c = settings();
            if (c == null) {
                return EXIT_SETTINGS;
            }
            try {
                c.listenOptions(listen); // a bad --listen is refused before anything starts
                LogFormat.install(LogFormat.level(logLevel != null ? logLevel : c.log.level),
                        LogFormat.json(logFormat != null ? logFormat : c.log.format));
            } catch (IllegalArgumentException e) {
                System.err.println("geosteer: " + e.getMessage());
                return EXIT_SETTINGS;
            }
            // The hook and the stop signals go in before anything listens: a SIGTERM that arrives while the
            // server starts must stop it cleanly, not find addShutdownHook refusing ("Shutdown in progress").
            AtomicReference<Geosteer> running = new AtomicReference<>();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                Geosteer g = running.getAndSet(null);
                if (g != null) {
                    g.close();
                }
                stopped.countDown();
            }, "geosteer-shutdown"));
            Signals.logStops();
            Geosteer server;
            try {
                server = Geosteer.start(c, baseDir(), listen);
            } catch (IllegalArgumentException e) {
                System.err.println("geosteer: " + e.getMessage());
                return EXIT_SETTINGS;
            } catch (Exception e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                if (cause instanceof IllegalArgumentException) { // settings refused while starting
                    System.err.println("geosteer: " + cause.getMessage());
                    return EXIT_SETTINGS;
                }
                System.err.println("geosteer: cannot start: " + cause.getMessage());
                return EXIT_FAILED;
            }
            running.set(server);
            if (stopped.getCount() == 0 && running.getAndSet(null) != null) {
                server.close(); // stopped while it started: the hook found nothing to close
            }
            Signals.onHangup(server::reloadOnSignal);
            stopped.await();
            return 0;
        }
    }

    @Command(name = "check",
            description = "Validate the zones and steering files; print file:line: reason for each error.")
    static final class Check extends ConfigOptions implements Callable<Integer> {
        @Override
        public Integer call() {
            ServerConfig c = settings();
            if (c == null) {
                return EXIT_SETTINGS;
            }
            List<Problem> errors = validate(c, baseDir(), System.out);
            if (errors == null) {
                return EXIT_FAILED;
            }
            for (Problem e : errors) {
                System.err.println(e);
            }
            if (!errors.isEmpty()) {
                System.err.println(errors.size() + " error(s)");
                return EXIT_FAILED;
            }
            return 0;
        }

        /**
         * What {@code check} checks (and {@code push} before it publishes): every error, with "ok" lines for the
         * zones that load printed to {@code out}; null when the check itself failed (said on standard error).
         */
        static List<Problem> validate(ServerConfig c, java.nio.file.Path baseDir, java.io.PrintStream out) {
            java.util.logging.Logger.getLogger("").setLevel(Level.OFF);
            LocalDirectory source = LocalDirectory.of(c, baseDir);
            Reloader files = Reloader.of(c, source, () -> dev.geosteer.health.HealthView.NONE);
            List<Problem> errors;
            try {
                errors = new ArrayList<>(files.refresh().errors());
            } catch (RuntimeException | Error e) {
                System.err.println("geosteer: check failed: " + Problem.escape(e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()), 300));
                return null;
            }
            try {
                dev.geosteer.xfr.TsigKeys.load(c, baseDir); // tsig_key_file, and the keys transfer.allow names
            } catch (ProblemException e) {
                errors.addAll(e.errors());
            }
            if (files.zoneFileCount() == 0 && errors.isEmpty()) {
                errors.add(new Problem(source.dir().toString(), 0, "no zone files (*.zone) in this directory:"
                        + " the server would answer every query with REFUSED"));
            }
            files.current().zones().all().forEach(z -> out.println("ok " + z.zone().origin() + " serial "
                    + z.zone().serial() + " (" + z.zone().recordCount() + " records) " + z.zone().source()));
            return errors;
        }
    }

    @Command(name = "lookup",
            description = "Show what a client would get for NAME TYPE, and why (location, rule, pools, health).")
    static final class LookupCommand extends ConfigOptions implements Callable<Integer> {
        @CommandLine.Parameters(index = "0", paramLabel = "NAME", description = "The name asked, e.g. www.example.test.")
        String name;

        @CommandLine.Parameters(index = "1", arity = "0..1", paramLabel = "TYPE", defaultValue = "A",
                description = "The query type: A, AAAA, TXT, ANY, ... Default: A.")
        String type;

        @Option(names = "--client", paramLabel = "IP[/PREFIX]",
                description = "The client: an address (as the packet source) or a subnet (as EDNS Client Subnet). "
                        + "Default: 127.0.0.1.")
        String client = "127.0.0.1";

        @Option(names = "--tcp", description = "Answer as over TCP (ANY in full, no truncation).")
        boolean tcp;

        @Option(names = "--server", paramLabel = "URL",
                description = "Ask a running server's admin API (e.g. http://127.0.0.1:8053), to see its live health "
                        + "verdicts; the token comes from GEOSTEER_ADMIN_TOKEN.")
        String server;

        @Override
        public Integer call() {
            if (server != null) {
                return remote();
            }
            ServerConfig c = settings();
            if (c == null) {
                return EXIT_SETTINGS;
            }
            java.util.logging.Logger.getLogger("").setLevel(Level.WARNING);
            try {
                dev.geosteer.query.ClientAddress who = dev.geosteer.query.Lookup.parseClient(client);
                Reloader files = Reloader.of(c, LocalDirectory.of(c, baseDir()), () -> new dev.geosteer.health.HealthView(
                        java.util.Map.of(), c.health.unknownIsUp, c.health.ttlFloor.toSeconds()));
                List<Problem> errors = files.refresh().errors();
                for (Problem e : errors) {
                    System.err.println("warning: " + e);
                }
                for (String line : dev.geosteer.query.Lookup.explain(() -> files.current().zones(), name, type, who, tcp)) {
                    System.out.println(line);
                }
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println("geosteer: " + e.getMessage());
                return EXIT_SETTINGS;
            }
        }

        private int remote() {
            String query = "/api/v1/lookup?name=" + encode(name) + "&type=" + encode(type) + "&client=" + encode(client)
                    + (tcp ? "&transport=tcp" : "");
            try {
                AdminClient.Reply r = new AdminClient(server, System.getenv("GEOSTEER_ADMIN_TOKEN"))
                        .send("GET", query, Duration.ofSeconds(10));
                if (r.status() != 200) {
                    System.err.println("geosteer: " + server + " answered " + r.status() + ": " + r.error());
                    return r.status() == 400 ? EXIT_SETTINGS : EXIT_FAILED;
                }
                r.json().path("lines").forEach(l -> System.out.println(l.asText()));
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println("geosteer: " + e.getMessage());
                return EXIT_SETTINGS;
            } catch (IOException | InterruptedException e) {
                System.err.println("geosteer: " + e.getMessage());
                return EXIT_FAILED;
            }
        }

        private static String encode(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }

    @Command(name = "reload",
            description = {"Ask the running server to reload every file now: zones, steering files, GeoIP databases "
                    + "and drains (the same as SIGHUP and POST /api/v1/reload).",
                    "Prints the result; exits 1 when the server reports errors (it keeps serving the previous "
                            + "versions) or cannot be reached."})
    static final class ReloadCommand extends ConfigOptions implements Callable<Integer> {
        @Option(names = "--server", paramLabel = "URL",
                description = "The admin API, e.g. http://127.0.0.1:8053. Default: admin.listen of the config "
                        + "(a wildcard address is reached on loopback).")
        String server;

        @Option(names = "--token", paramLabel = "TOKEN",
                description = "The admin bearer token. Default: GEOSTEER_ADMIN_TOKEN, else admin.token of the config. "
                        + "Prefer the variable: a command line is visible to every user of the machine.")
        String token;

        @Override
        public Integer call() {
            String url = server;
            String bearer = token != null ? token : System.getenv("GEOSTEER_ADMIN_TOKEN");
            if (url == null || bearer == null || bearer.isBlank()) {
                ServerConfig c = settings();
                if (c == null) {
                    return EXIT_SETTINGS;
                }
                if (url == null) {
                    if (c.admin.listen == null || c.admin.listen.isBlank()) {
                        System.err.println("geosteer: the admin API is off in this configuration (admin.listen is "
                                + "empty): send SIGHUP to the server instead, or give --server");
                        return EXIT_SETTINGS;
                    }
                    url = "http://" + Addresses.format(reachable(ServerConfig.parseHostPort(c.admin.listen, 8053)));
                }
                if (bearer == null || bearer.isBlank()) {
                    bearer = c.adminToken();
                }
            }
            try {
                AdminClient admin = new AdminClient(url, bearer);
                AdminClient.Reply r = admin.send("POST", "/api/v1/reload", Duration.ofMinutes(5));
                if (r.status() == 200) {
                    System.out.println("reloaded: " + r.json().path("zones").asInt() + " zones, no errors");
                    return 0;
                }
                if (r.status() == 422) {
                    System.err.println("geosteer: the reload found errors; the previous versions stay in service:");
                    r.json().path("errors").forEach(e -> System.err.println(e.asText()));
                    return EXIT_FAILED;
                }
                System.err.println("geosteer: " + admin.base() + " answered " + r.status() + ": " + r.error()
                        + (r.status() == 401 ? " (give the token in GEOSTEER_ADMIN_TOKEN or --token)"
                        : r.status() == 403 ? " (or send the server SIGHUP: systemctl reload geosteer)" : ""));
                return EXIT_FAILED;
            } catch (IllegalArgumentException e) {
                System.err.println("geosteer: " + e.getMessage());
                return EXIT_SETTINGS;
            } catch (IOException | InterruptedException e) {
                System.err.println("geosteer: " + e.getMessage());
                return EXIT_FAILED;
            }
        }

        /** A wildcard listen address is reached on the loopback address of its family. */
        private static InetSocketAddress reachable(InetSocketAddress a) {
            if (!a.getAddress().isAnyLocalAddress()) {
                return a;
            }
            return new InetSocketAddress(Addresses.parse(a.getAddress() instanceof Inet6Address ? "::1" : "127.0.0.1"),
                    a.getPort());
        }
    }
}
