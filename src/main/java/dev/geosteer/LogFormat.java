package dev.geosteer;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per event, on standard error. Text: {@code 2026-11-27T21:00:00.123Z INFO  zone example.test. loaded: ...}
 * (a stack trace follows errors only). JSON ({@code log.format: json}): one object per line,
 * {@code {"time":..., "level":..., "logger":..., "message":..., "exception":...}}, the exception (with its
 * stack) only when there is one.
 */
final class LogFormat extends Formatter {

    /** The levels an operator names, most severe first. */
    static final List<String> LEVELS = List.of("error", "warn", "info", "debug");

    /**
     * Keeps logging alive during shutdown: JUL's own shutdown hook resets every handler, which would
     * swallow the lines our shutdown hook writes ("geosteer stopped"). Selected with the
     * {@code java.util.logging.manager} property before JUL starts.
     */
    public static final class Manager extends LogManager {
        @Override
        public void reset() {
            // ignored: see the class comment; install() resets through resetNow()
        }

        void resetNow() {
            super.reset();
        }
    }

    private final boolean json;

    LogFormat(boolean json) {
        this.json = json;
    }

    /** {@code error}, {@code warn}, {@code info}, {@code debug} → a JUL level; IllegalArgumentException otherwise. */
    static Level level(String name) {
        return switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
            case "error" -> Level.SEVERE;
            case "warn" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            default -> throw new IllegalArgumentException("unknown log level '" + name + "': use "
                    + String.join(", ", LEVELS));
        };
    }

    /** {@code text} or {@code json} → true for JSON; IllegalArgumentException otherwise. */
    static boolean json(String format) {
        return switch (format == null ? "" : format.trim().toLowerCase(Locale.ROOT)) {
            case "text" -> false;
            case "json" -> true;
            default -> throw new IllegalArgumentException("unknown log format '" + format + "': use text or json");
        };
    }

    static void install(Level level, boolean json) {
        System.setProperty("java.util.logging.manager", Manager.class.getName());
        if (LogManager.getLogManager() instanceof Manager m) {
            m.resetNow();
        } else {
            LogManager.getLogManager().reset();
        }
        Logger root = Logger.getLogger("");
        ConsoleHandler handler = new ConsoleHandler(); // stderr
        handler.setFormatter(new LogFormat(json));
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(level);
        // Library chatter is not an operator event; their warnings still show (at debug too).
        Logger.getLogger("io.netty").setLevel(Level.WARNING);
        Logger.getLogger("io.vertx").setLevel(Level.WARNING);
        Logger.getLogger("org.xbill").setLevel(Level.WARNING);
        // jetcd warns on every failed retry, each keepalive while etcd is away: the cluster logs each
        // failure that matters once itself (cluster.EtcdCluster)
        Logger.getLogger("io.etcd.jetcd").setLevel(Level.SEVERE);
    }

    @Override
    public String format(LogRecord r) {
        return json ? formatJson(r) : formatText(r);
    }

    private static String levelName(Level level) {
        return switch (level.getName()) {
            case "SEVERE" -> "ERROR";
            case "WARNING" -> "WARN";
            case "INFO" -> "INFO";
            default -> "DEBUG";
        };
    }

    private String formatText(LogRecord r) {
        StringBuilder b = new StringBuilder(160);
        b.append(Instant.ofEpochMilli(r.getMillis())).append(' ');
        b.append(String.format("%-5s", levelName(r.getLevel()))).append(' ').append(formatMessage(r)).append('\n');
        if (r.getThrown() != null && r.getLevel().intValue() >= Level.SEVERE.intValue()) {
            b.append(stackTrace(r.getThrown()));
        }
        return b.toString();
    }

    private String formatJson(LogRecord r) {
        StringBuilder b = new StringBuilder(200);
        b.append("{\"time\":\"").append(Instant.ofEpochMilli(r.getMillis())).append('"');
        b.append(",\"level\":\"").append(levelName(r.getLevel())).append('"');
        field(b, "logger", r.getLoggerName() == null ? "" : r.getLoggerName());
        field(b, "message", formatMessage(r));
        if (r.getThrown() != null) {
            field(b, "exception", stackTrace(r.getThrown()));
        }
        return b.append("}\n").toString();
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append(",\"").append(name).append("\":\"");
        JsonStringEncoder.getInstance().quoteAsString(value, b);
        b.append('"');
    }

    private static String stackTrace(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return sw.toString();
    }
}
