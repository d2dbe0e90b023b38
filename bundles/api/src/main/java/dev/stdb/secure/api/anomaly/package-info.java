/**
 * Anomaly detection contracts: an {@link dev.stdb.secure.api.anomaly.AnomalyDetector} reads the stream of security
 * events and returns {@link dev.stdb.secure.api.anomaly.Finding}s with a suggested
 * {@link dev.stdb.secure.api.anomaly.Response}. Detectors only suggest; the core enforces.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.api.anomaly;
