package dev.geosteer.catalog;

import dev.geosteer.config.DurationParser;
import dev.geosteer.files.OperatorFiles;
import dev.geosteer.health.AdminState;
import dev.geosteer.health.CheckTarget;
import dev.geosteer.health.Drain;
import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;
import dev.geosteer.query.ServedZones;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code admin-state.yaml} of a {@link ConfigSource}: its drains, handed to the health state. Read again
 * when the file changes and when the zones served change (a selector is checked against the pools
 * served). A file that cannot be read or parsed keeps the drains in force; one that was draining and is
 * now empty keeps them for {@code reload.empty_grace}. Used from the reload thread only.
 */
final class AdminStateLoader {
    private static final Logger LOG = Logger.getLogger(AdminStateLoader.class.getName());

    private final ConfigSource source;
    private final Watch watch;
    private final Duration emptyGrace;
    private final long maxBytes;
    private Consumer<List<Drain>> sink = d -> { };
    private ServedZones checkedAgainst;
    private List<Drain> drains = List.of();
    private List<Problem> problems = List.of();
    private Instant emptySince;

    AdminStateLoader(ConfigSource source, Duration settle, Duration emptyGrace, long maxBytes) {
        this.source = source;
        this.watch = new Watch(() -> source.fingerprint(ConfigSource.ADMIN_STATE), settle);
        this.emptyGrace = emptyGrace;
        this.maxBytes = maxBytes;
    }

    void onDrains(Consumer<List<Drain>> sink) {
        this.sink = sink;
    }

    /** The file's problems as it is now (its drains in force are the last good ones). */
    List<Problem> problems() {
        return problems;
    }

    void forget() {
        watch.forget();
    }

    /** Reads the file if it changed or the zones did; returns its errors and bad lines, adds its warnings. */
    List<Problem> refresh(ServedZones served, boolean immediate, List<Problem> warnings) {
        Instant now = Instant.now();
        String shown = source.shown(ConfigSource.ADMIN_STATE);
        Settling.Verdict verdict;
        try {
            verdict = watch.poll(now, immediate);
        } catch (IOException e) {
            return failed(List.of(new Problem(shown, 0, OperatorFiles.describe(e))));
        }
        if (verdict == Settling.Verdict.PENDING
                || (verdict == Settling.Verdict.UNCHANGED && served == checkedAgainst)) {
            return List.of();
        }
        try {
            byte[] bytes = source.read(ConfigSource.ADMIN_STATE, maxBytes, "limits.steering_file_max_bytes");
            if (verdict == Settling.Verdict.READY && !immediate && bytes != null && !drains.isEmpty()
                    && new String(bytes, StandardCharsets.UTF_8).isBlank() && holdEmpty(shown, now, warnings)) {
                return List.of(); // looked at again at the next pass
            }
            emptySince = null;
            if (!watch.unchangedSincePoll()) {
                return List.of(); // changed while it was read: not settled after all
            }
            watch.tried();
            checkedAgainst = served;
            List<CheckTarget> known = served.targets();
            AdminState.Parsed parsed = bytes == null ? new AdminState.Parsed(List.of(), List.of())
                    : AdminState.parse(shown, bytes, sel -> known.stream()
                    .anyMatch(t -> t.key().equals(sel) || t.key().startsWith(sel + "/")));
            // Each bad selector is reported on its own; the others apply (one stale line must not undrain all).
            for (Problem problem : parsed.problems()) {
                LOG.warning("admin state: " + problem);
            }
            List<Drain> next = parsed.drains();
            if (!next.equals(drains)) {
                LOG.info("admin state: " + (next.isEmpty() ? "nothing drained" : "drained "
                        + next.stream().map(Drain::written).toList()) + " (" + shown + ")");
            }
            drains = next;
            problems = parsed.problems();
            sink.accept(next);
            return parsed.problems();
        } catch (ProblemException e) {
            return failed(e.errors());
        } catch (IOException e) {
            watch.tried();
            checkedAgainst = served;
            return failed(List.of(new Problem(shown, 0, OperatorFiles.describe(e))));
        } catch (RuntimeException | Error e) {
            watch.tried();
            checkedAgainst = served;
            LOG.log(Level.SEVERE, "admin state " + shown + " could not be read: " + e, e);
            return failed(List.of(new Problem(shown, 0, "not applied: internal error ("
                    + e.getClass().getSimpleName() + ")")));
        }
    }

    private List<Problem> failed(List<Problem> errors) {
        for (Problem err : errors) {
            LOG.severe("admin state not applied, keeping " + drains.stream().map(Drain::written).toList() + ": " + err);
        }
        problems = List.copyOf(errors);
        return errors;
    }

    /**
     * admin-state.yaml that drained something is now empty: most often caught between its truncation
     * and its new content. Keep the drains (true) until it has stayed empty for the grace period.
     */
    private boolean holdEmpty(String shown, Instant now, List<Problem> warnings) {
        if (emptySince == null) {
            emptySince = now;
            Problem w = new Problem(shown, 0, "is empty; keeping the drains "
                    + drains.stream().map(Drain::written).toList() + " unless it stays empty for "
                    + DurationParser.format(emptyGrace) + " (reload.empty_grace)");
            LOG.warning("admin state: " + w);
            warnings.add(w);
        }
        return Duration.between(emptySince, now).compareTo(emptyGrace) < 0;
    }
}
