package dev.stdb.secure.auth.apikey.internal;

import dev.stdb.secure.api.Secret;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.net.http.HttpRequest;

/**
 * An {@code application/x-www-form-urlencoded} request body built straight into a byte array this class owns, so a
 * secret value never becomes a {@link String}: {@link #appendSecret} form-encodes the secret's UTF-8 bytes by hand
 * (as {@link java.net.URLEncoder} would), growing the array zeroes the old one, and {@link #publisher()} hands the
 * JDK's HTTP client the array itself (the JDK's {@code BodyPublishers.ofByteArray} copies it into buffers of its own,
 * which could not be zeroed). {@link #close()} zeroes it: call it once the response has arrived.
 */
final class FormBody implements AutoCloseable {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private byte[] buf = new byte[256];
    private int length;

    /** Appends {@code key=value} (both not secret). */
    FormBody append(String key, String value) {
        separator();
        encode(key.getBytes(StandardCharsets.UTF_8));
        put((byte) '=');
        encode(value.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Appends {@code key=<secret>}; the secret's bytes exist only in a copy {@link Secret#withBytes} zeroes. */
    FormBody appendSecret(String key, Secret secret) {
        separator();
        encode(key.getBytes(StandardCharsets.UTF_8));
        put((byte) '=');
        secret.withBytes(bytes -> {
            encode(bytes);
            return null;
        });
        return this;
    }

    /** The form-encoded bytes of {@code value} (RFC 6749 §2.3.1 encodes both parts of a Basic header so). */
    static byte[] encoded(byte[] value) {
        try (FormBody b = new FormBody()) {
            b.encode(value);
            return Arrays.copyOf(b.buf, b.length);
        }
    }

    int length() {
        return length;
    }

    /** A copy of the body so far; the caller zeroes it (tests, and the Basic header). */
    byte[] toByteArray() {
        return Arrays.copyOf(buf, length);
    }

    /** A publisher of this very array, no copy: zeroing it (by {@link #close()}) zeroes what was sent. */
    HttpRequest.BodyPublisher publisher() {
        return new OwnedBytesPublisher(buf, length);
    }

    @Override
    public void close() {
        Arrays.fill(buf, (byte) 0);
        length = 0;
    }

    private void separator() {
        if (length > 0) {
            put((byte) '&');
        }
    }

    private void encode(byte[] bytes) {
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
                    || c == '*' || c == '_') {
                put(b);
            } else if (c == ' ') {
                put((byte) '+');
            } else {
                put((byte) '%');
                put(HEX[c >> 4]);
                put(HEX[c & 0xf]);
            }
        }
    }

    private void put(byte b) {
        if (length == buf.length) {
            byte[] bigger = Arrays.copyOf(buf, buf.length * 2);
            Arrays.fill(buf, (byte) 0);
            buf = bigger;
        }
        buf[length++] = b;
    }

    /** Publishes one {@link ByteBuffer} wrapping the owner's array; each subscription gets the same array. */
    private static final class OwnedBytesPublisher implements HttpRequest.BodyPublisher {
        private final byte[] body;
        private final int length;

        OwnedBytesPublisher(byte[] body, int length) {
            this.body = body;
            this.length = length;
        }

        @Override
        public long contentLength() {
            return length;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            Objects.requireNonNull(subscriber, "subscriber");
            AtomicBoolean sent = new AtomicBoolean();
            AtomicBoolean done = new AtomicBoolean();
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    if (done.get()) {
                        return;
                    }
                    if (n <= 0) {
                        if (done.compareAndSet(false, true)) {
                            subscriber.onError(new IllegalArgumentException("request(" + n + ")"));
                        }
                        return;
                    }
                    if (sent.compareAndSet(false, true)) {
                        if (length > 0) {
                            subscriber.onNext(ByteBuffer.wrap(body, 0, length));
                        }
                        if (done.compareAndSet(false, true)) {
                            subscriber.onComplete();
                        }
                    }
                }

                @Override
                public void cancel() {
                    done.set(true);
                }
            });
        }
    }
}
