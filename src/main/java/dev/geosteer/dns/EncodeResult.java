package dev.geosteer.dns;

/**
 * What a {@link WireWriter#encode} wrote: the message's length in the writer's buffer and whether TC is
 * set. Owned by the writer and overwritten by its next call, like the buffer itself (no allocation per
 * answer): read it before encoding again.
 */
public final class EncodeResult {
    private int length;
    private boolean truncated;

    EncodeResult() {
    }

    void set(int length, boolean truncated) {
        this.length = length;
        this.truncated = truncated;
    }

    /** Bytes of the message, from the start of {@link WireWriter#buffer()}. */
    public int length() {
        return length;
    }

    /** Whether TC is set: a required RRset did not fit, or the response is a rate-limiting slip. */
    public boolean truncated() {
        return truncated;
    }
}
