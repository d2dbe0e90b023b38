package dev.stdb.secure.benchmarks.tls;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The handshake overhead as an interleaved A/B run: rounds of {@code --batch} handshakes with the JDK default trust
 * manager and with the profile, alternating which goes first, so that drift of the machine (JIT, GC, the other core's
 * load) falls on both alike. Prints one JSON line: the median per-round ratio and its interquartile range, with the
 * medians of each side in microseconds. The JMH benchmark ({@link TlsHandshakeBenchmark}) gives the absolute times.
 *
 * <p>{@code java -cp benchmarks.jar dev.stdb.secure.benchmarks.tls.TlsHandshakeAB [--rounds 40] [--batch 100]}
 */
public final class TlsHandshakeAB {

    private TlsHandshakeAB() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 40;
        int batch = 100;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--rounds")) {
                rounds = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--batch")) {
                batch = Integer.parseInt(args[i + 1]);
            }
        }
        TlsHandshakeBenchmark bench = new TlsHandshakeBenchmark();
        bench.setUp();
        try {
            for (int i = 0; i < 5 * batch; i++) {
                bench.jdkDefaultTrustManager();
                bench.profilePkixPinsOcspCached();
            }
            List<Double> ratios = new ArrayList<>();
            List<Double> jdkUs = new ArrayList<>();
            List<Double> profileUs = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                double jdk;
                double profile;
                if (r % 2 == 0) {
                    jdk = time(bench, false, batch);
                    profile = time(bench, true, batch);
                } else {
                    profile = time(bench, true, batch);
                    jdk = time(bench, false, batch);
                }
                jdkUs.add(jdk);
                profileUs.add(profile);
                ratios.add(profile / jdk);
            }
            System.out.printf(Locale.ROOT, "{\"rounds\":%d,\"batch\":%d,\"jdkMedianUs\":%.1f,\"profileMedianUs\":%.1f,"
                            + "\"ratioMedian\":%.4f,\"ratioP25\":%.4f,\"ratioP75\":%.4f}%n", rounds, batch,
                    quantile(jdkUs, 0.5), quantile(profileUs, 0.5), quantile(ratios, 0.5), quantile(ratios, 0.25),
                    quantile(ratios, 0.75));
        } finally {
            bench.tearDown();
        }
    }

    /** Mean microseconds per handshake over {@code n} handshakes. */
    private static double time(TlsHandshakeBenchmark bench, boolean profile, int n) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (profile) {
                bench.profilePkixPinsOcspCached();
            } else {
                bench.jdkDefaultTrustManager();
            }
        }
        return (System.nanoTime() - start) / 1000.0 / n;
    }

    private static double quantile(List<Double> values, double q) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        double pos = q * (sorted.size() - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (pos - lo);
    }
}
