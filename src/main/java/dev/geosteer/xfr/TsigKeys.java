package dev.geosteer.xfr;

import dev.geosteer.config.ServerConfig;
import dev.geosteer.dns.Query;
import dev.geosteer.dns.Signatures;
import dev.geosteer.files.OperatorFiles;
import dev.geosteer.problem.Problem;
import dev.geosteer.problem.ProblemException;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.TextParseException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The TSIG keys (RFC 8945) of {@code tsig_keys:} and {@code tsig_key_file}, checking signed requests and
 * signing their answers through dnsjava's {@link TSIG}. Immutable.
 */
public final class TsigKeys implements Signatures {
    private static final Pattern KEY = Pattern.compile("key\\s+\"?([^\"\\s{]+)\"?\\s*\\{(.*?)\\}\\s*;", Pattern.DOTALL);
    private static final Pattern ALGORITHM = Pattern.compile("algorithm\\s+\"?([A-Za-z0-9.-]+)\"?\\s*;");
    private static final Pattern SECRET = Pattern.compile("secret\\s+\"([^\"]*)\"\\s*;");

    /** One key: its name as written, algorithm and secret. */
    public record Key(Name name, String algorithm, byte[] secret) {
        TSIG tsig() {
            return new TSIG(TSIG.algorithmToName(algorithm), name, secret);
        }
    }

    private final Map<Name, Key> keys;

    public TsigKeys(Map<Name, Key> keys) {
        this.keys = Map.copyOf(keys);
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    public Key get(String name) {
        try {
            return keys.get(Name.fromString(name, Name.root));
        } catch (TextParseException e) {
            return null;
        }
    }

    /** Every key of the configuration; the key file is read relative to {@code baseDir}. */
    public static TsigKeys load(ServerConfig config, Path baseDir) throws ProblemException {
        Map<Name, Key> out = new LinkedHashMap<>();
        List<Problem> errors = new ArrayList<>();
        config.tsigKeys.forEach((name, k) -> {
            try {
                Name n = Name.fromString(name, Name.root);
                out.put(n, new Key(n, k.algorithm.toLowerCase(Locale.ROOT), Base64.getMimeDecoder().decode(k.secret.trim())));
            } catch (TextParseException | RuntimeException e) {
                errors.add(new Problem("geosteer.yaml", 0, "tsig_keys." + name + ": " + e.getMessage()));
            }
        });
        if (config.tsigKeyFile != null) {
            Path file = baseDir.resolve(config.tsigKeyFile);
            try {
                out.putAll(parseKeyFile(file.toString(), Files.readString(file, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                errors.add(new Problem(file.toString(), 0, "tsig_key_file: " + OperatorFiles.describe(e)));
            } catch (ProblemException e) {
                errors.addAll(e.errors());
            }
        }
        for (int i = 0; i < config.transfer.allow.size(); i++) {
            ServerConfig.Allow a = config.transfer.allow.get(i);
            if (a != null && a.key != null && errors.isEmpty()) {
                try {
                    if (!out.containsKey(Name.fromString(a.key, Name.root))) {
                        errors.add(new Problem("geosteer.yaml", 0, "transfer.allow[" + i + "].key: no key "
                                + Problem.quote(a.key) + " in tsig_keys or tsig_key_file"));
                    }
                } catch (TextParseException e) {
                    errors.add(new Problem("geosteer.yaml", 0, "transfer.allow[" + i + "].key: " + e.getMessage()));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(errors);
        }
        return new TsigKeys(out);
    }

    /** BIND's format, as tsig-keygen and keymgr write it: {@code key "name" { algorithm hmac-sha256; secret "..."; };}. */
    static Map<Name, Key> parseKeyFile(String shown, String text) throws ProblemException {
        String clean = text.replaceAll("(?m)(#|//).*$", "").replaceAll("(?s)/\\*.*?\\*/", "");
        Map<Name, Key> out = new LinkedHashMap<>();
        List<Problem> errors = new ArrayList<>();
        Matcher m = KEY.matcher(clean);
        while (m.find()) {
            int line = 1 + (int) clean.substring(0, m.start()).chars().filter(c -> c == '\n').count();
            Matcher alg = ALGORITHM.matcher(m.group(2));
            Matcher secret = SECRET.matcher(m.group(2));
            if (!alg.find() || !secret.find()) {
                errors.add(new Problem(shown, line, "key " + m.group(1) + " needs 'algorithm ...;' and 'secret \"...\";'"));
                continue;
            }
            String algorithm = alg.group(1).toLowerCase(Locale.ROOT);
            if (!ServerConfig.TSIG_ALGORITHMS.contains(algorithm)) {
                errors.add(new Problem(shown, line, "key " + m.group(1) + ": algorithm " + algorithm + " is not one of "
                        + String.join(", ", ServerConfig.TSIG_ALGORITHMS)));
                continue;
            }
            try {
                Name n = Name.fromString(m.group(1), Name.root);
                out.put(n, new Key(n, algorithm, Base64.getMimeDecoder().decode(secret.group(1))));
            } catch (TextParseException | IllegalArgumentException e) {
                errors.add(new Problem(shown, line, "key " + m.group(1) + ": " + e.getMessage()));
            }
        }
        if (out.isEmpty() && errors.isEmpty()) {
            errors.add(new Problem(shown, 0, "no key \"name\" { algorithm ...; secret \"...\"; }; in this file"));
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(errors);
        }
        return out;
    }

    @Override
    public Signatures.Signer verify(byte[] packet, int len, Query query) {
        byte[] bytes = java.util.Arrays.copyOf(packet, len);
        Message m;
        try {
            m = new Message(bytes);
        } catch (IOException e) {
            return new RequestSigner(null, null, null, Rcode.BADSIG, query.id());
        }
        TSIGRecord t = m.getTSIG();
        if (t == null) {
            return new RequestSigner(null, null, null, Rcode.BADSIG, query.id());
        }
        Key key = keys.get(t.getName());
        if (key == null || !TSIG.algorithmToName(key.algorithm()).equals(t.getAlgorithm())) {
            TSIG answerWith;
            try {
                answerWith = new TSIG(t.getAlgorithm(), t.getName(), new byte[32]);
            } catch (RuntimeException e) {
                answerWith = new TSIG(TSIG.HMAC_SHA256, t.getName(), new byte[32]);
            }
            return new RequestSigner(null, answerWith, t, Rcode.BADKEY, query.id());
        }
        TSIG tsig = key.tsig();
        int error = tsig.verify(m, bytes, null, true);
        return new RequestSigner(key.name().toString(true), tsig, t, error == Rcode.NOERROR ? 0 : error, query.id());
    }

    /** The answers to one signed request: each signed, chained to the previous MAC (RFC 8945 §5.3). */
    private static final class RequestSigner implements Signatures.Signer {
        private final String keyName;
        private final TSIG tsig;
        private final TSIGRecord request;
        private final int error;
        private final Message header;
        private TSIGRecord previous;

        RequestSigner(String keyName, TSIG tsig, TSIGRecord request, int error, int id) {
            this.keyName = keyName;
            this.tsig = tsig;
            this.request = request;
            this.error = error;
            this.header = new Message(id);
        }

        @Override
        public int error() {
            return error;
        }

        @Override
        public String keyName() {
            return keyName;
        }

        @Override
        public int reserve() {
            return tsig == null ? 0 : tsig.recordLength() + 16;
        }

        @Override
        public int sign(byte[] buf, int len) {
            if (tsig == null) {
                return len; // not even a TSIG record to answer with: the error goes unsigned
            }
            byte[] b = java.util.Arrays.copyOf(buf, len);
            TSIGRecord r = tsig.generate(header, b, error, previous == null ? request : previous, previous == null);
            previous = r;
            byte[] rr = r.toWire(Section.ADDITIONAL);
            System.arraycopy(rr, 0, buf, len, rr.length);
            int ar = ((buf[10] & 0xFF) << 8 | (buf[11] & 0xFF)) + 1;
            buf[10] = (byte) (ar >> 8);
            buf[11] = (byte) ar;
            return len + rr.length;
        }
    }
}
