/**
 * Failed sign-in tracking with Keycloak's brute-force protection: {@link dev.stdb.secure.anomaly.auth.FailedAuthDetector}
 * counts failed acquisitions of a credential and suggests temporary lockouts that grow (THROTTLE) and, if so
 * configured, a permanent lockout (BLOCK), which the core enforces by not sending the credential to its identity
 * provider until the lockout ends. In OSGi the detector is configured through the factory PID
 * {@code dev.stdb.secure.anomaly.auth}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.anomaly.auth;
