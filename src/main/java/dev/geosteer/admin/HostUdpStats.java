package dev.geosteer.admin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * UDP datagrams the kernel dropped because a socket's receive buffer was full, host-wide (Linux
 * {@code /proc/net/snmp} and {@code snmp6}): the load geosteer shed before it could read it. Host-wide
 * because Linux keeps no per-socket total; on a dedicated DNS host that is geosteer's.
 */
final class HostUdpStats {
    private HostUdpStats() {
    }

    static double receiveBufferErrors() {
        return udp4() + udp6();
    }

    private static double udp4() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
            String[] names = null;
            for (String l : lines) {
                if (!l.startsWith("Udp: ")) {
                    continue;
                }
                String[] cols = l.substring(5).trim().split("\\s+");
                if (names == null) {
                    names = cols;
                } else {
                    for (int i = 0; i < names.length && i < cols.length; i++) {
                        if (names[i].equals("RcvbufErrors")) {
                            return Double.parseDouble(cols[i]);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: nothing to report
        }
        return 0;
    }

    private static double udp6() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/net/snmp6"))) {
                if (l.startsWith("Udp6RcvbufErrors")) {
                    return Double.parseDouble(l.substring("Udp6RcvbufErrors".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no IPv6
        }
        return 0;
    }
}
