/** A migration command failed; the message is the engine's, without its Rust span trace. */
export class MigrationError extends Error {
  override name = "MigrationError";
}
