package dev.stdb.secure.tls.internal;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.tls.TlsContext;
import dev.stdb.secure.api.tls.TlsContextProvider;
import dev.stdb.secure.tls.PinSet;
import dev.stdb.secure.tls.TlsPolicy;
import dev.stdb.secure.tls.TlsProfile;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One {@link TlsContextProvider} per factory configuration {@code dev.stdb.secure.tls~<name>}. The configuration's
 * {@code tls.profile} becomes the service property connections select on. A configuration error (one-pin set, weak
 * suite, old protocol, missing password variable) fails activation with a {@link ConfigurationException} naming the
 * property; unreadable anchor files surface later, from {@link #contextFor(URI)}, as a {@link TlsException}.
 *
 * <p>Events go to {@link LoggingEventSink}: the api registers no {@link SecurityEventSink} service today.
 */
@Designate(ocd = TlsProfileConfig.class, factory = true)
@Component(configurationPid = TlsProfileComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = TlsContextProvider.class, property = TlsContextProvider.PROFILE + "=default")
public final class TlsProfileComponent implements TlsContextProvider {

    public static final String PID = "dev.stdb.secure.tls";

    private final TlsProfile profile;

    @Activate
    public TlsProfileComponent(TlsProfileConfig config) {
        this(config, System::getenv, new LoggingEventSink());
    }

    /** For tests: the environment and the event sink are injected. */
    TlsProfileComponent(TlsProfileConfig config, Function<String, String> env, SecurityEventSink events) {
        this.profile = build(config, env, events);
    }

    static TlsProfile build(TlsProfileConfig config, Function<String, String> env, SecurityEventSink events) {
        TlsProfile.Builder b = TlsProfile.builder(config.tls_profile()).trustSystem(config.trust_system())
                .pinExpiryWarningDays(config.pin_expiry_warning_days()).events(events);
        if (!config.trust_pem().isBlank()) {
            b.trustPem(Path.of(config.trust_pem().trim()));
        }
        if (!config.trust_keystore().isBlank()) {
            char[] password = null;
            String var = config.trust_keystore_password_env();
            if (!var.isBlank()) {
                String value = env.apply(var.trim());
                if (value == null) {
                    throw new ConfigurationException("trust.keystore.password.env: environment variable '"
                            + var.trim() + "' is not set");
                }
                password = value.toCharArray();
            }
            b.trustKeyStore(Path.of(config.trust_keystore().trim()), config.trust_keystore_type(), password);
        }
        List<PinSet> pins = new ArrayList<>();
        for (String spec : split(config.pins(), ";")) {
            pins.add(PinSet.parse(spec));
        }
        b.pins(pins);
        b.policy(new TlsPolicy(split(config.protocols(), ","), split(config.cipher_suites(), ",")));
        return b.build();
    }

    /**
     * A Karaf {@code .cfg} file gives one string where a {@code .config} file gives an array: accept both, splitting
     * each value on {@code separator} ({@code ;} between pin sets, {@code ,} between protocols and suites).
     */
    static List<String> split(String[] values, String separator) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            for (String part : v.split(java.util.regex.Pattern.quote(separator))) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    @Override
    public String id() {
        return profile.id();
    }

    @Override
    public TlsContext contextFor(URI target) throws TlsException {
        return profile.contextFor(target);
    }
}
