package io.damselfly.server.upstream;

import static io.damselfly.server.upstream.UpstreamFixture.within;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.damselfly.server.EmbeddedServer;
import io.damselfly.server.testing.RawClient;
import io.damselfly.server.testing.TempDirs;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * rediss://: the sidecar reaches a redis-server over TLS with the JDK's TLS and trust store (here a
 * trust store holding the test's self-signed certificate, made with openssl, which is also how
 * redis-server's own TLS tests make theirs).
 */
class NearCacheTlsTest {

    @Test
    void rediss_cachesAndInvalidatesOverTls() throws Exception {
        Path dir = TempDirs.create("nearcache-tls");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(), "-days", "1", "-subj",
                "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        assertTrue(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0, "openssl could not make a certificate");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve("cert.pem"))) {
            trust.setCertificateEntry("redis", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        Path store = dir.resolve("trust.p12");
        try (FileOutputStream out = new FileOutputStream(store.toFile())) {
            trust.store(out, "changeit".toCharArray());
        }
        int tlsPort;
        try (ServerSocket s = new ServerSocket(0)) {
            tlsPort = s.getLocalPort();
        }
        String[] saved = {System.getProperty("javax.net.ssl.trustStore"), System.getProperty("javax.net.ssl.trustStorePassword"),
            System.getProperty("javax.net.ssl.trustStoreType")};
        System.setProperty("javax.net.ssl.trustStore", store.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        try (UpstreamFixture f = new UpstreamFixture(Map.of(), "--tls-port", Integer.toString(tlsPort), "--tls-cert-file",
                dir.resolve("cert.pem").toString(), "--tls-key-file", dir.resolve("key.pem").toString(), "--tls-ca-cert-file",
                dir.resolve("cert.pem").toString(), "--tls-auth-clients", "no");
                EmbeddedServer sidecar = EmbeddedServer.builder().upstream("rediss://127.0.0.1:" + tlsPort)
                        .option("near_cache_maxmemory", "16mb").start();
                RawClient c = new RawClient("127.0.0.1", sidecar.port())) {
            RedisCommands<String, String> up = f.upstream();
            up.set("t", "v1");
            assertTrue(within(3000, () -> c.callText("GET", "t").equals("$v1")
                    && c.callText("INFO", "nearcache").contains("tracking:on")), c.callText("INFO", "nearcache"));
            assertEquals("$v1", c.callText("GET", "t"));
            up.set("t", "v2");
            assertTrue(within(100, () -> c.callText("GET", "t").equals("$v2")));
            assertEquals("+OK", c.callText("SET", "t", "v3"));
            assertEquals("v3", up.get("t"));
            // the tracking connection (flag t) is the TLS sidecar's: nothing else here tracks
            assertTrue(up.clientList().lines().anyMatch(l -> l.contains(" flags=t ")), up.clientList());
        } finally {
            String[] names = {"javax.net.ssl.trustStore", "javax.net.ssl.trustStorePassword", "javax.net.ssl.trustStoreType"};
            for (int i = 0; i < names.length; i++) {
                if (saved[i] == null) {
                    System.clearProperty(names[i]);
                } else {
                    System.setProperty(names[i], saved[i]);
                }
            }
            TempDirs.delete(dir);
        }
    }
}
