import pino, { type DestinationStream, type LoggerOptions } from "pino";
import pretty from "pino-pretty";
import { logFields } from "../runner/log-context";

/** Keys whose values are secrets wherever they appear, up to two levels into a logged object: replaced, never written. */
const SECRET_KEYS = ["password", "secret", "token", "apiKey", "api_key", "accessToken", "refreshToken", "clientSecret", "privateKey", "authorization", "cookie", "set-cookie", "x-api-key"];

/**
 * How every process logs: JSON lines (one object each) naming the request, workspace, flow, run and node they
 * are about wherever those apply (`runner/log-context.ts`), with secrets replaced by "[secret]".
 */
export function loggerOptions(level = process.env.LOG_LEVEL ?? "info"): LoggerOptions {
  const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `["${name}"]`);
  return {
    level,
    base: { service: "streamware" },
    mixin: () => ({ ...logFields() }),
    redact: {
      paths: SECRET_KEYS.flatMap((name) => [key(name).replace(/^\./, ""), `*${key(name)}`, `*.*${key(name)}`]),
      censor: "[secret]",
    },
  };
}

/** A logger writing to `destination` (standard output by default) as `loggerOptions` says. */
export function createLogger(destination?: DestinationStream, level?: string): pino.Logger {
  return pino(loggerOptions(level), destination);
}

// In development (`npm run dev`, or LOG_FORMAT=pretty) lines are written for a person to read; otherwise as JSON.
const readable = process.env.LOG_FORMAT ? process.env.LOG_FORMAT === "pretty" : process.env.NODE_ENV === "development";

export const logger = createLogger(readable ? pretty({ colorize: process.stdout.isTTY, sync: true, ignore: "pid,hostname,service" }) : undefined);
