package dev.geosteer.zone;

import java.io.BufferedInputStream;
import java.io.InputStream;

/**
 * Feeds dnsjava's tokenizer byte by byte while noting on which line each record starts: the first
 * character since {@link #mark()} that is not blank, not in a comment and not on a {@code $} directive
 * line. dnsjava's Master does not expose line numbers of the records it returns.
 */
final class LineTrackingStream extends BufferedInputStream {
    private int line = 1;
    private boolean atLineStart = true;
    private boolean skipLine;
    private int recordStart;

    LineTrackingStream(InputStream in) {
        super(in);
    }

    void mark() {
        recordStart = 0;
    }

    /** Line of the first significant character read since {@link #mark()}, or the current line. */
    int recordStartLine() {
        return recordStart > 0 ? recordStart : line;
    }

    @Override
    public synchronized int read() throws java.io.IOException {
        int c = super.read();
        if (c == '\n') {
            line++;
            atLineStart = true;
            skipLine = false;
        } else if (c >= 0) {
            if (atLineStart && c == '$') {
                skipLine = true;
            } else if (c == ';') {
                skipLine = true;
            } else if (!skipLine && recordStart == 0 && c != ' ' && c != '\t' && c != '\r' && c != '(' && c != ')') {
                recordStart = line;
            }
            atLineStart = false;
        }
        return c;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws java.io.IOException {
        // The tokenizer reads one byte at a time; keep the count exact if that ever changes.
        int c = read();
        if (c < 0) {
            return -1;
        }
        b[off] = (byte) c;
        return 1;
    }
}
