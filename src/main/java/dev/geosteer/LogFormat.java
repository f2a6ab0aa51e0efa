package dev.geosteer;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One line per event: {@code 2026-11-27T21:00:00.123Z INFO  zone example.test. loaded: ...}. */
final class LogFormat extends Formatter {

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

    static void install(Level level) {
        System.setProperty("java.util.logging.manager", Manager.class.getName());
        if (LogManager.getLogManager() instanceof Manager m) {
            m.resetNow();
        } else {
            LogManager.getLogManager().reset();
        }
        Logger root = Logger.getLogger("");
        ConsoleHandler handler = new ConsoleHandler(); // stderr
        handler.setFormatter(new LogFormat());
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(level);
        // Library chatter is not an operator event; their warnings still show.
        Logger.getLogger("io.netty").setLevel(Level.WARNING);
        Logger.getLogger("io.vertx").setLevel(Level.WARNING);
        Logger.getLogger("org.xbill").setLevel(Level.WARNING);
    }

    @Override
    public String format(LogRecord r) {
        StringBuilder b = new StringBuilder(160);
        b.append(Instant.ofEpochMilli(r.getMillis())).append(' ');
        String lvl = switch (r.getLevel().getName()) {
            case "SEVERE" -> "ERROR";
            case "WARNING" -> "WARN ";
            case "INFO" -> "INFO ";
            default -> "DEBUG";
        };
        b.append(lvl).append(' ').append(formatMessage(r)).append('\n');
        if (r.getThrown() != null && r.getLevel().intValue() >= Level.SEVERE.intValue()) {
            StringWriter sw = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(sw));
            b.append(sw);
        }
        return b.toString();
    }
}
