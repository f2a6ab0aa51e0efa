package dev.geosteer.zone;

import java.io.BufferedInputStream;
import java.io.InputStream;

/**
 * Feeds dnsjava's tokenizer from a file already in memory while noting on which line each record
 * starts: the first character since {@link #mark()} that is not blank, not in a comment and not on a
 * {@code $} directive line. dnsjava's Master does not expose line numbers of the records it returns.
 * Extends BufferedInputStream only so that the tokenizer does not wrap it; reads are unsynchronized
 * (one thread parses one file).
 */
final class LineTrackingStream extends BufferedInputStream {
    private final byte[] data;
    private int pos;
    private int line = 1;
    private boolean atLineStart = true;
    private boolean skipLine;
    private int recordStart;

    LineTrackingStream(byte[] data) {
        super(InputStream.nullInputStream(), 1);
        this.data = data;
    }

    void mark() {
        recordStart = 0;
    }

    /** Line of the first significant character read since {@link #mark()}, or the current line. */
    int recordStartLine() {
        return recordStart > 0 ? recordStart : line;
    }

    @Override
    @SuppressWarnings("sync-override")
    public int read() {
        if (pos >= data.length) {
            return -1;
        }
        int c = data[pos++] & 0xFF;
        if (c == '\n') {
            line++;
            atLineStart = true;
            skipLine = false;
        } else {
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
    @SuppressWarnings("sync-override")
    public int read(byte[] b, int off, int len) {
        // The tokenizer reads one byte at a time; keep the line count exact if that ever changes.
        if (len == 0) {
            return 0;
        }
        int c = read();
        if (c < 0) {
            return -1;
        }
        b[off] = (byte) c;
        return 1;
    }

    @Override
    @SuppressWarnings("sync-override")
    public int available() {
        return data.length - pos;
    }

    @Override
    public void close() {
        // nothing to release
    }
}
