package dev.geosteer.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed CA made for one test with the {@code openssl} command, and what it signed: a server
 * certificate for 127.0.0.1 and a client certificate. Keys are unencrypted PKCS#8 PEM (what etcd and
 * Netty read).
 */
record TestCa(Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {

    static TestCa create(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path caKey = dir.resolve("ca.key");
        Path caCert = dir.resolve("ca.crt");
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", caKey.toString(), "-out", caCert.toString(), "-days", "2", "-subj", "/CN=geosteer test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        Path serverKey = dir.resolve("server.key");
        Path serverCert = dir.resolve("server.crt");
        sign(dir, caCert, caKey, "127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n",
                serverKey, serverCert);
        Path clientKey = dir.resolve("client.key");
        Path clientCert = dir.resolve("client.crt");
        sign(dir, caCert, caKey, EtcdProcess.USER, "extendedKeyUsage=clientAuth\n", clientKey, clientCert);
        return new TestCa(caCert, serverCert, serverKey, clientCert, clientKey);
    }

    private static void sign(Path dir, Path caCert, Path caKey, String cn, String extensions, Path key, Path cert)
            throws IOException, InterruptedException {
        Path csr = dir.resolve(cert.getFileName() + ".csr");
        Path ext = dir.resolve(cert.getFileName() + ".ext");
        Files.writeString(ext, extensions);
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + cn);
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString());
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + ": " + new String(out, StandardCharsets.UTF_8));
        }
    }
}
