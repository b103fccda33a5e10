/** A misconfiguration a person can fix from the message alone, so it is reported without a stack trace. */
export class ConfigError extends Error {
  name = "ConfigError";
}
