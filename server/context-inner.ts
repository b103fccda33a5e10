import type { ContextUser } from "./auth/session";
import { connectionTestHttp as defaultConnectionTestHttp } from "./connection-test-http";
import type { SecretBox } from "./crypto";
import type { Db } from "./db";
import { invitationSettings as defaultInvitationSettings } from "./invitation-settings";
import { currentRuntime } from "./runtime-handover";
import type { InvitationSettings } from "./services/invitation-service";
import type { SafeHttpClient } from "../runner/http-client";
import type { Runtime } from "../runner/runtime";

// Apart from context.ts, which reads the session through next-auth: the REST API builds its contexts here, in the
// custom server's bundle, where Next's modules cannot be imported.
/**
 * Builds a context from plain values, so tests can make one without a request. The secret box and the runtime
 * are getters so that procedures that never touch secrets or runs do not need an encryption key or a runner.
 */
export function createContextInner({
  db,
  user,
  secretBox,
  runtime = currentRuntime,
  connectionTestHttp = defaultConnectionTestHttp,
  invitations = defaultInvitationSettings,
}: {
  db: Db;
  user: ContextUser | null;
  secretBox: () => SecretBox;
  /** The runner's runtime (queues, cancel, triggers, expression sandbox); a function so only procedures that use it need one. */
  runtime?: () => Runtime;
  /** Opens the HTTP client a credential's connection test sends through. */
  connectionTestHttp?: () => SafeHttpClient;
  /** How invitations are made: lifetime, public address, mailer. */
  invitations?: () => InvitationSettings;
}) {
  return { db, user, secretBox, runtime, connectionTestHttp, invitations };
}

export type Context = ReturnType<typeof createContextInner>;
