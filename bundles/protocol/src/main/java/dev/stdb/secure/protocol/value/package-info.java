/** SpacetimeDB protocol: value. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.protocol.value;
