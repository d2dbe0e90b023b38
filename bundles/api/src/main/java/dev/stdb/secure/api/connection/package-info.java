/**
 * Connection facts that plugins and state listeners need: the {@link dev.stdb.secure.api.connection.ConnectionTarget}
 * and the observable {@link dev.stdb.secure.api.connection.ConnectionStatus}. The application's door to a database
 * (connect, subscribe, call) belongs to the core, because it exposes protocol types the api must not depend on.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.api.connection;
