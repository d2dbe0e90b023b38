/**
 * Anomaly detectors for connections: bursts of pin mismatches (a man in the middle?), identity changes, reconnect
 * storms, token refresh failures in a row and unusual reducer-call rates (EWMA over summary events). Each returns
 * findings with a severity, a reason and a suggested response; the core enforces THROTTLE and BLOCK. In OSGi all
 * five are configured through the factory PID {@code dev.stdb.secure.anomaly.connection}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.anomaly.connection;
