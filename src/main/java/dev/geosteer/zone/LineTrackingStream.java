package dev.geosteer.zone;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds dnsjava's tokenizer from a file already in memory, from some offset on (parsing resumes after
 * a bad record), while noting on which line each record starts: the first character since
 * {@link #mark()} that is not blank, not in a comment and not on a {@code $} directive line. dnsjava's
 * Master does not expose line numbers of the records it returns. A prefix (an owner name) can be fed
 * before the data, on the first line. Extends BufferedInputStream only so that the tokenizer does not
 * wrap it; reads are unsynchronized (one thread parses one file).
 */
final class LineTrackingStream extends BufferedInputStream {
    private final byte[] data;
    private final byte[] prefix;
    private int prefixPos;
    private int pos;
    private int line;
    private boolean atLineStart = true;
    private boolean skipLine;
    private int recordStart;
    private int directiveLine;
    private final List<Integer> generateLines = new ArrayList<>();

    LineTrackingStream(byte[] data) {
        this(data, 0, 1, new byte[0]);
    }

    /** Reads {@code data} from {@code offset} (the start of line {@code firstLine}), after {@code prefix}. */
    LineTrackingStream(byte[] data, int offset, int firstLine, byte[] prefix) {
        super(InputStream.nullInputStream(), 1);
        this.data = data;
        this.pos = offset;
        this.line = firstLine;
        this.prefix = prefix;
    }

    void mark() {
        recordStart = 0;
        directiveLine = 0;
    }

    /** Line of the first significant character read since {@link #mark()}, or the current line. */
    int recordStartLine() {
        return recordStart > 0 ? recordStart : line;
    }

    /** Line of the record, else of the last directive, read since {@link #mark()}; 0 if none began yet. */
    int entryStartLine() {
        return recordStart > 0 ? recordStart : directiveLine;
    }

    /** Lines of the {@code $GENERATE} directives read, in order. */
    List<Integer> generateLines() {
        return generateLines;
    }

    @Override
    @SuppressWarnings("sync-override")
    public int read() {
        if (prefixPos < prefix.length) {
            if (recordStart == 0) {
                recordStart = line;
            }
            atLineStart = false;
            return prefix[prefixPos++] & 0xFF;
        }
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
                directiveLine = line;
                if (startsWithIgnoreCase(pos, "GENERATE")) {
                    generateLines.add(line);
                }
            } else if (c == ';') {
                skipLine = true;
            } else if (!skipLine && recordStart == 0 && c != ' ' && c != '\t' && c != '\r' && c != '(' && c != ')') {
                recordStart = line;
            }
            atLineStart = false;
        }
        return c;
    }

    private boolean startsWithIgnoreCase(int at, String word) {
        if (at + word.length() > data.length) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (Character.toUpperCase(data[at + i]) != word.charAt(i)) {
                return false;
            }
        }
        return true;
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
        return prefix.length - prefixPos + data.length - pos;
    }

    @Override
    public void close() {
        // nothing to release
    }
}
