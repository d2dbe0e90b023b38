/**
 * The demo's reusable pieces: {@link dev.stdb.secure.demo.ReducerArguments} turns text such as
 * {@code Ada Lovelace,36} into reducer arguments by the module's schema, and {@link dev.stdb.secure.demo.RowText}
 * prints rows as {@code {id=1, name=Ada Lovelace, age=36}}. The DS component that uses them lives in
 * {@code dev.stdb.secure.demo.internal} (configuration PID {@code dev.stdb.secure.demo}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.demo;
