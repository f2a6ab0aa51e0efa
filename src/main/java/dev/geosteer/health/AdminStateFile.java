package dev.geosteer.health;

import io.vertx.core.Context;

import java.util.List;

/**
 * The drains of {@code zones/admin-state.yaml} (read by the reload thread, see {@link AdminState}),
 * replaced whole at each read of the file. The API cannot undrain what the file drains: only an edit of
 * the file does.
 */
public final class AdminStateFile implements DrainSource {
    private Context loop;
    private Runnable changed = () -> { };
    private List<Drain> drains = List.of();

    @Override
    public void attach(Context loop, Runnable changed) {
        this.loop = loop;
        this.changed = changed;
    }

    /** The file's drains now, replacing the previous ones; from any thread. */
    public void replace(List<Drain> fileDrains) {
        List<Drain> copy = List.copyOf(fileDrains);
        loop.runOnContext(v -> {
            drains = copy;
            changed.run();
        });
    }

    @Override
    public List<Drain> drains() {
        return drains;
    }

    @Override
    public String undrainRefusal(String selector) {
        for (Drain d : drains) {
            if (d.covers(selector)) {
                return selector + " is drained by " + d.file() + " (selector '" + d.written()
                        + "'): remove that line from the file to undrain it";
            }
        }
        return null;
    }
}
