package dev.stdb.secure.auth.apikey.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.Secret;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** The form body: URLEncoder's encoding, built without Strings of the secret, published without a copy, zeroed. */
class FormBodyTest {

    private static final String AWKWARD = "a b+c&d=e%f/g~h.i-j*k_l\u00e9\u20ac\ud83d\ude00\"'<>";

    @Test
    void encodesLikeUrlEncoder() {
        try (FormBody body = new FormBody(); Secret secret = Secret.ofString(AWKWARD)) {
            body.append("grant_type", "client_credentials").append("k y", AWKWARD).appendSecret("client_secret",
                    secret);
            String expected = "grant_type=client_credentials&" + enc("k y") + "=" + enc(AWKWARD) + "&client_secret="
                    + enc(AWKWARD);
            assertEquals(expected, new String(body.toByteArray(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void growsPastItsFirstArray() {
        String longValue = "x".repeat(1000);
        try (FormBody body = new FormBody(); Secret secret = Secret.ofString(longValue)) {
            body.appendSecret("s", secret).append("t", longValue);
            assertEquals(2 + 1000 + 1 + 2 + 1000, body.length());
        }
    }

    @Test
    void thePublisherHandsOverTheOwnedArrayAndCloseZeroesIt() {
        FormBody body = new FormBody();
        try (Secret secret = Secret.ofString("the-secret")) {
            body.append("client_id", "svc").appendSecret("client_secret", secret);
        }
        HttpRequest.BodyPublisher publisher = body.publisher();
        assertEquals(body.length(), publisher.contentLength());
        List<ByteBuffer> published = collect(publisher);
        assertEquals(1, published.size());
        ByteBuffer sent = published.get(0);
        assertTrue(sent.hasArray());
        byte[] before = new byte[sent.remaining()];
        sent.duplicate().get(before);
        assertEquals("client_id=svc&client_secret=the-secret", new String(before, StandardCharsets.US_ASCII));
        // a second subscription (a retry) publishes the same array again
        assertSame(sent.array(), collect(publisher).get(0).array());
        body.close();
        byte[] after = new byte[sent.remaining()];
        sent.duplicate().get(after);
        assertArrayEquals(new byte[after.length], after, "the published bytes are the zeroed array");
    }

    private static List<ByteBuffer> collect(HttpRequest.BodyPublisher publisher) {
        List<ByteBuffer> items = new ArrayList<>();
        boolean[] complete = {false};
        publisher.subscribe(new Flow.Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                items.add(item);
            }

            @Override
            public void onError(Throwable t) {
                throw new AssertionError(t);
            }

            @Override
            public void onComplete() {
                complete[0] = true;
            }
        });
        assertTrue(complete[0]);
        return items;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
