package dev.stdb.secure.audit.file;

import dev.stdb.secure.audit.file.internal.Signer;
import java.nio.file.Path;
import java.security.PublicKey;

/**
 * Verifies a file audit trail at rest:
 * {@code java -cp dev.stdb.secure.audit.file.jar:dev.stdb.secure.api.jar dev.stdb.secure.audit.file.Verify <dir>
 * [--cert file] [--every N]}. Prints the result; exit code 0 when intact, 1 when a problem was found, 2 on bad
 * arguments or an unreadable trail. Without {@code --cert} (an X.509 certificate, PEM or DER, of the checkpoint key)
 * the hash chain is checked but checkpoint signatures are not, and the output says so. {@code --every} is the
 * checkpoint interval in event records expected before the first checkpoint (later ones state theirs); 0 skips that
 * check.
 */
public final class Verify {

    private Verify() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** The command without exiting: returns the exit code. */
    public static int run(String... args) {
        Path dir = null;
        PublicKey key = null;
        long every = 0;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--cert":
                        key = Signer.certificateKey(Path.of(args[++i]));
                        break;
                    case "--every":
                        every = Long.parseLong(args[++i]);
                        break;
                    default:
                        if (dir != null || args[i].startsWith("--")) {
                            return usage("unexpected argument " + args[i]);
                        }
                        dir = Path.of(args[i]);
                }
            }
            if (dir == null) {
                return usage("no directory");
            }
            Verification v = FileAuditTrail.verifyAtRest(dir, key, every);
            System.out.println(v);
            return v.intact() ? 0 : 1;
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            return usage("bad arguments");
        } catch (Exception e) {
            System.err.println("cannot verify: " + e);
            return 2;
        }
    }

    private static int usage(String problem) {
        System.err.println(problem + "\nusage: Verify <directory> [--cert certificate-file] [--every N]");
        return 2;
    }
}
