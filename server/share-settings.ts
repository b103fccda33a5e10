import { randomBytes } from "node:crypto";
import { env } from "./env";

let fallback: string | undefined;

/**
 * The secret share links are signed with: the instance's session secret, which every web process shares (the
 * server makes sure it is set before it listens). A process without one (a test) signs with its own random secret,
 * as binary file URLs do.
 */
export function shareSecret(): string {
  return env().NEXTAUTH_SECRET ?? (fallback ??= randomBytes(32).toString("base64"));
}
