/**
 * The application's door to SpacetimeDB: {@link dev.stdb.secure.core.SpacetimeClient} opens a
 * {@link dev.stdb.secure.core.Connection}, which subscribes to queries, keeps the matching rows in a client cache
 * with row callbacks, calls reducers and procedures and runs one-off queries, and reconnects by itself.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.core;
