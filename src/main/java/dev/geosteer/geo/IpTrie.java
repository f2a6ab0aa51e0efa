package dev.geosteer.geo;

import java.util.Arrays;
import java.util.function.IntUnaryOperator;

/**
 * An immutable binary trie over address bits mapping every address to an int value. Sibling leaves
 * with equal values are merged when built, so the depth of the leaf an address reaches is the length of
 * the widest network around it that has the same value: exactly the ECS scope to answer (RFC 7871
 * §7.2.1). Stored in one int array: entries {@code >= 0} are node indexes, {@code < 0} are leaves
 * holding {@code ~value}.
 */
public final class IpTrie {
    private final int[] nodes; // node i: left child entry at 2i, right at 2i+1
    private final int root;
    private final int bits;

    private IpTrie(int[] nodes, int root, int bits) {
        this.nodes = nodes;
        this.root = root;
        this.bits = bits;
    }

    /** A trie where every address has {@code value}. */
    public static IpTrie constant(int bits, int value) {
        return new IpTrie(new int[0], ~value, bits);
    }

    public int bits() {
        return bits;
    }

    public int nodeCount() {
        return nodes.length / 2;
    }

    /** Looks up an address (4 or 16 bytes, as {@link #bits()} says): {@link #value} and {@link #depth} of the result. */
    public long lookup(byte[] address) {
        int e = root;
        int d = 0;
        while (e >= 0) {
            int bit = (address[d >> 3] >> (7 - (d & 7))) & 1;
            e = nodes[2 * e + bit];
            d++;
        }
        return ((long) ~e << 8) | d;
    }

    public static int value(long result) {
        return (int) (result >> 8);
    }

    public static int depth(long result) {
        return (int) (result & 0xFF);
    }

    /** A copy with every value passed through {@code f}, siblings merged where they become equal. */
    public IpTrie map(IntUnaryOperator f) {
        Builder b = new Builder(bits, Math.max(16, nodes.length / 2));
        b.root = b.copy(this, root, f);
        return b.build();
    }

    /** Where {@code this} has {@code unknown}, the value of {@code fallback}; elsewhere this one's. */
    public IpTrie overlay(IpTrie fallback, int unknown) {
        Builder b = new Builder(bits, nodes.length / 2 + fallback.nodes.length / 2 + 16);
        b.root = b.overlay(this, root, fallback, fallback.root, unknown);
        return b.build();
    }

    /** A builder holding this trie, to insert more networks into. */
    public Builder toBuilder() {
        Builder b = new Builder(bits, Math.max(16, nodes.length / 2 + 16));
        System.arraycopy(nodes, 0, b.nodes, 0, nodes.length);
        b.count = nodes.length / 2;
        b.root = root;
        return b;
    }

    /** A builder where every address starts with {@code defaultValue}. */
    public static Builder builder(int bits, int defaultValue) {
        Builder b = new Builder(bits, 1024);
        b.root = ~defaultValue;
        return b;
    }

    /** Mutable construction: insert networks, then {@link #build()} a compacted, merged trie. */
    public static final class Builder {
        private final int bits;
        private int[] nodes;
        private int count;
        private int root;

        private Builder(int bits, int capacityNodes) {
            this.bits = bits;
            this.nodes = new int[Math.max(2, capacityNodes * 2)];
        }

        private int newNode(int left, int right) {
            if (2 * count + 2 > nodes.length) {
                nodes = Arrays.copyOf(nodes, nodes.length * 2);
            }
            nodes[2 * count] = left;
            nodes[2 * count + 1] = right;
            return count++;
        }

        /** Sets every address in {@code address/prefix} to {@code value}, replacing what was there. */
        public void insert(byte[] address, int prefix, int value) {
            if (prefix > bits || address.length * 8 < prefix) {
                throw new IllegalArgumentException("prefix /" + prefix + " too long for " + bits + " bits");
            }
            if (prefix == 0) {
                root = ~value;
                return;
            }
            if (root < 0) {
                root = newNode(root, root);
            }
            int node = root;
            for (int d = 0; d < prefix - 1; d++) {
                int slot = 2 * node + ((address[d >> 3] >> (7 - (d & 7))) & 1);
                int e = nodes[slot];
                if (e < 0) {
                    e = newNode(e, e);
                    nodes[slot] = e;
                }
                node = e;
            }
            int last = prefix - 1;
            nodes[2 * node + ((address[last >> 3] >> (7 - (last & 7))) & 1)] = ~value;
        }

        /** The value at an address, while building. */
        public int valueAt(byte[] address) {
            int e = root;
            int d = 0;
            while (e >= 0) {
                e = nodes[2 * e + ((address[d >> 3] >> (7 - (d & 7))) & 1)];
                d++;
            }
            return ~e;
        }

        public IpTrie build() {
            Builder out = new Builder(bits, Math.max(16, count));
            out.root = out.compact(nodes, root);
            return new IpTrie(Arrays.copyOf(out.nodes, out.count * 2), out.root, bits);
        }

        /** Copies the subtree at {@code e} of {@code src}, merging equal sibling leaves. */
        private int compact(int[] src, int e) {
            if (e < 0) {
                return e;
            }
            int l = compact(src, src[2 * e]);
            int r = compact(src, src[2 * e + 1]);
            if (l < 0 && l == r) {
                return l;
            }
            return newNode(l, r);
        }

        private int copy(IpTrie src, int e, IntUnaryOperator f) {
            if (e < 0) {
                return ~f.applyAsInt(~e);
            }
            int l = copy(src, src.nodes[2 * e], f);
            int r = copy(src, src.nodes[2 * e + 1], f);
            if (l < 0 && l == r) {
                return l;
            }
            return newNode(l, r);
        }

        private int overlay(IpTrie a, int ea, IpTrie b, int eb, int unknown) {
            if (ea < 0) {
                return ~ea != unknown ? ea : copy(b, eb, IntUnaryOperator.identity());
            }
            int bl = eb < 0 ? eb : b.nodes[2 * eb];
            int br = eb < 0 ? eb : b.nodes[2 * eb + 1];
            int l = overlay(a, a.nodes[2 * ea], b, bl, unknown);
            int r = overlay(a, a.nodes[2 * ea + 1], b, br, unknown);
            if (l < 0 && l == r) {
                return l;
            }
            return newNode(l, r);
        }
    }
}
