package dev.stdb.secure.benchmarks.tls;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * An OCSP responder on 127.0.0.1 that answers "good" for the certificates of its issuers, signed by the issuer itself
 * (RFC 6960 §4.2.2.2). It counts requests, so the benchmark can prove the measured handshakes hit the cache.
 */
final class GoodOcspResponder implements AutoCloseable {

    private final HttpServer http;
    private final Map<String, BenchCertificates.Issued> issuers = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    GoodOcspResponder() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        http.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body;
            int status = 200;
            try {
                body = answer(new OCSPReq(exchange.getRequestBody().readAllBytes())).getEncoded();
            } catch (Exception e) {
                body = new byte[0];
                status = 400;
            }
            exchange.getResponseHeaders().set("Content-Type", "application/ocsp-response");
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
    }

    String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/";
    }

    int requests() {
        return requests.get();
    }

    /** Answers for certificates {@code issuer} signed. */
    void serve(BenchCertificates.Issued issuer) {
        issuers.put(issuer.cert().getSubjectX500Principal().getName(), issuer);
    }

    private OCSPResp answer(OCSPReq request) throws Exception {
        Req[] reqs = request.getRequestList();
        CertificateID id = reqs[0].getCertID();
        for (BenchCertificates.Issued issuer : issuers.values()) {
            X509CertificateHolder holder = new JcaX509CertificateHolder(issuer.cert());
            if (id.matchesIssuer(holder, new JcaDigestCalculatorProviderBuilder().build())) {
                Instant now = Instant.now();
                BasicOCSPRespBuilder b = new BasicOCSPRespBuilder(new RespID(holder.getSubject()));
                b.addResponse(id, CertificateStatus.GOOD, Date.from(now.minus(Duration.ofMinutes(1))),
                        Date.from(now.plus(Duration.ofHours(12))));
                return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, b.build(
                        new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.keys().getPrivate()),
                        new X509CertificateHolder[0], Date.from(now)));
            }
        }
        return new OCSPRespBuilder().build(OCSPRespBuilder.UNAUTHORIZED, null);
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
