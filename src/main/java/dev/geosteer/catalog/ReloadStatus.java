package dev.geosteer.catalog;

import dev.geosteer.problem.Problem;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the reload thread knows, published whole after every pass for {@code /readyz}, {@code /status}
 * and the metrics: the one record of reloading. Two kinds of trouble are told apart:
 * <ul>
 *   <li>{@code problems}: files whose current version was refused (a syntax error, a file too big, a
 *       zone that ran out of memory). Their previous versions are served, and every other file still
 *       reloads: the server is ready, and says since when something is wrong.</li>
 *   <li>{@code failure}: a pass that could not finish at all (an error outside any one file). Nothing
 *       is reloaded while passes fail: the server is not ready until one finishes.</li>
 * </ul>
 *
 * @param passes         passes finished or failed since start
 * @param lastPassAt     when the last pass ended (null before the first)
 * @param problems       files refused as they are now
 * @param problemsSince  since when there has been at least one problem (null when none)
 * @param failure        why the last pass failed (null when it finished)
 * @param failingSince   since when passes have been failing (null when the last one finished)
 * @param lastResult     the last pass that changed something or found errors (null before one)
 * @param lastResultAt   when it ended
 * @param lastSuccessAt  when the last pass that changed something without errors ended (null before one)
 */
public record ReloadStatus(long passes, Instant lastPassAt, List<Problem> problems, Instant problemsSince,
                           String failure, Instant failingSince, LoadResult lastResult, Instant lastResultAt,
                           Instant lastSuccessAt) {
    public static final ReloadStatus START = new ReloadStatus(0, null, List.of(), null, null, null, null, null, null);

    /** After a pass that finished with {@code result}, the files' problems being {@code now}. */
    public ReloadStatus passed(Instant at, List<Problem> now, LoadResult result) {
        Instant since = now.isEmpty() ? null : problemsSince != null ? problemsSince : at;
        boolean noteworthy = result.noteworthy();
        return new ReloadStatus(passes + 1, at, List.copyOf(now), since, null, null,
                noteworthy ? result : lastResult, noteworthy ? at : lastResultAt,
                noteworthy && result.errors().isEmpty() ? at : lastSuccessAt);
    }

    /** After a pass that could not finish. */
    public ReloadStatus failed(Instant at, Throwable t) {
        String why = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return new ReloadStatus(passes + 1, at, problems, problemsSince, Problem.escape(why, 300),
                failingSince != null ? failingSince : at, lastResult, lastResultAt, lastSuccessAt);
    }

    /** Why the server should not be called ready, or null. */
    public String failureReason() {
        return failure == null ? null : "reload passes have been failing since " + failingSince + " (" + failure
                + "): files are not being reloaded";
    }

    /** {@code ok}, {@code errors} (some files refused) or {@code failing} (passes fail as a whole). */
    public String state() {
        return failure != null ? "failing" : problems.isEmpty() ? "ok" : "errors";
    }

    /** For {@code /status}: the last pass that changed something, then the state now. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (lastResult != null) {
            m.put("at", lastResultAt.toString());
            m.put("changed", lastResult.changed());
            m.put("errors", lastResult.errors().stream().map(Problem::toString).toList());
            m.put("warnings", lastResult.warnings().stream().map(Problem::toString).toList());
        }
        m.put("state", state());
        m.put("passes", passes);
        m.put("last_pass_at", lastPassAt == null ? null : lastPassAt.toString());
        m.put("problems", problems.stream().map(Problem::toString).toList());
        m.put("problems_since", problemsSince == null ? null : problemsSince.toString());
        m.put("pass_failure", failure);
        m.put("failing_since", failingSince == null ? null : failingSince.toString());
        return m;
    }
}
