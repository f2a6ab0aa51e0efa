package dev.geosteer;

import java.lang.reflect.Proxy;
import java.util.function.IntConsumer;
import java.util.logging.Logger;

/**
 * SIGHUP reloads, as NSD, Knot and BIND do (the JVM's default would stop the server). SIGTERM and SIGINT
 * keep the JVM's behaviour (the shutdown hook stops the server, exit status 143 or 130) and say so in the log.
 *
 * <p>Uses {@code sun.misc.Signal} (module jdk.unsupported, there for exactly this) through reflection, so that
 * the build stays free of "internal proprietary API" warnings, which no annotation can silence.
 */
final class Signals {
    private static final Logger LOG = Logger.getLogger(Signals.class.getName());

    private Signals() {
    }

    /**
     * Calls {@code reload} on every SIGHUP. It runs on the JVM's signal thread, so it must only hand the
     * work over (to the reload thread) and return.
     */
    static void onHangup(Runnable reload) {
        if (!handle("HUP", n -> reload.run())) {
            LOG.warning("SIGHUP cannot be handled here (-Xrs?): reload with POST /api/v1/reload or `geosteer reload`");
        }
    }

    /**
     * Logs which signal stops the server, then exits as the JVM would (128 + the signal number), which runs
     * the shutdown hook that stops the server.
     */
    static void logStops() {
        for (String name : new String[] {"TERM", "INT"}) {
            // when it fails (-Xrs), the JVM's default stays: exit through the shutdown hook, unlogged
            handle(name, n -> {
                LOG.info("SIG" + name + ": stopping");
                System.exit(128 + n);
            });
        }
    }

    /** Installs {@code handler} (given the signal's number) for the signal {@code name}; false if impossible. */
    private static boolean handle(String name, IntConsumer handler) {
        try {
            Class<?> signalType = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object signal = signalType.getConstructor(String.class).newInstance(name);
            Object proxy = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerType},
                    (self, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            handler.accept((Integer) signalType.getMethod("getNumber").invoke(args[0]));
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(self);
                        case "equals" -> self == args[0];
                        default -> "geosteer SIG" + name + " handler";
                    });
            signalType.getMethod("handle", signalType, handlerType).invoke(null, signal, proxy);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
