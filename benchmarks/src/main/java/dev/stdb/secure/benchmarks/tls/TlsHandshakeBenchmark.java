package dev.stdb.secure.benchmarks.tls;

import dev.stdb.secure.api.tls.TlsContext;
import dev.stdb.secure.tls.PinSet;
import dev.stdb.secure.tls.TlsProfile;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A full TLS handshake (no resumption) against one local server, with the client's trust decided by
 * <ul>
 *   <li>{@code jdkDefaultTrustManager}: the JDK's PKIX trust manager over the same root, the baseline;</li>
 *   <li>{@code profilePkixPinsOcspCached}: a {@link TlsProfile}: the same PKIX check, then the pins checked on the
 *       validated path and OCSP status of the leaf and the intermediate answered from the profile's cache.</li>
 * </ul>
 * Both use the same protocols, cipher suites and HTTPS endpoint identification; the server is the same. The ratio of
 * the two is the profile's overhead (issue 5 target: at most 5 %). {@code profileContextFor} is what building the
 * context costs once per connection attempt, outside the handshake.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 6, time = 2)
public class TlsHandshakeBenchmark {

    private static final char[] PASSWORD = "bench".toCharArray();

    private BenchCertificates pki;
    private GoodOcspResponder ocsp;
    private HandshakeServer server;
    private Path dir;
    private TlsProfile profile;
    private URI target;
    private TlsContext jdk;
    private TlsContext pinned;
    private int ocspRequestsAfterWarmup;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        ocsp = new GoodOcspResponder();
        pki = new BenchCertificates(ocsp.url());
        ocsp.serve(pki.root);
        ocsp.serve(pki.intermediate);
        server = new HandshakeServer(serverContext(pki));
        target = URI.create("wss://localhost:" + server.port() + "/");
        dir = Files.createTempDirectory("tls-bench");
        Path rootPem = dir.resolve("root.pem");
        Files.writeString(rootPem, pem(pki.root.cert()));

        profile = TlsProfile.builder("bench").trustSystem(false).trustPem(rootPem)
                .pins(PinSet.of("localhost", spkiPin(pki.intermediate.cert()), spkiPin(pki.root.cert())))
                .revocation(dev.stdb.secure.tls.RevocationPolicy.hardFail())
                .events(event -> {
                    throw new IllegalStateException("the benchmark's handshakes must raise no event: " + event);
                })
                .build();
        pinned = profile.contextFor(target);
        jdk = jdkContext(pki.root.cert(), pinned.sslParameters());
        // the first handshake fills the OCSP cache; every measured one must be a cache hit (checked in tearDown)
        handshake(pinned);
        handshake(jdk);
        ocspRequestsAfterWarmup = ocsp.requests();
        if (ocspRequestsAfterWarmup == 0) {
            throw new IllegalStateException("the profile asked no OCSP responder: revocation is not being checked");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        int extra = ocsp.requests() - ocspRequestsAfterWarmup;
        server.close();
        ocsp.close();
        if (extra != 0) {
            throw new IllegalStateException(extra + " OCSP requests during measurement: not a cache hit");
        }
    }

    @Benchmark
    public String jdkDefaultTrustManager() throws IOException {
        return handshake(jdk);
    }

    @Benchmark
    public String profilePkixPinsOcspCached() throws IOException {
        return handshake(pinned);
    }

    @Benchmark
    public TlsContext profileContextFor() {
        return profile.contextFor(target);
    }

    /** One full handshake; the session is invalidated so the next one cannot resume it. */
    String handshake(TlsContext tls) throws IOException {
        Socket plain = new Socket();
        plain.setTcpNoDelay(true);
        plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
        try (SSLSocket s = (SSLSocket) tls.sslContext().getSocketFactory()
                .createSocket(plain, "localhost", server.port(), true)) {
            s.setSSLParameters(tls.sslParameters());
            s.startHandshake();
            SSLSession session = s.getSession();
            session.invalidate();
            return session.getCipherSuite();
        }
    }

    private static TlsContext jdkContext(X509Certificate root, SSLParameters sameParameters) throws Exception {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("root", root);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(anchors);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        SSLParameters p = new SSLParameters(sameParameters.getCipherSuites(), sameParameters.getProtocols());
        p.setEndpointIdentificationAlgorithm("HTTPS");
        p.setUseCipherSuitesOrder(true);
        return new TlsContext(ctx, p);
    }

    private static SSLContext serverContext(BenchCertificates pki) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", pki.leaf.keys().getPrivate(), PASSWORD,
                new X509Certificate[] {pki.leaf.cert(), pki.intermediate.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(ks, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    static String spkiPin(X509Certificate cert) throws Exception {
        return PinSet.SPKI + Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
    }

    private static String pem(X509Certificate cert) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(cert);
        }
        return out.toString();
    }
}
