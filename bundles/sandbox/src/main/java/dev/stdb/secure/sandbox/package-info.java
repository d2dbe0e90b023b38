/**
 * A local emulator of the SpacetimeDB client protocol for tests and development: {@link dev.stdb.secure.sandbox.Sandbox}.
 * It is not a database. Nothing in the client or its plugins depends on it.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.stdb.secure.sandbox;
