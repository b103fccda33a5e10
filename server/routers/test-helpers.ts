import { randomBytes, randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { expect } from "vitest";
import { createContextInner } from "../context";
import { createSecretBox } from "../crypto/secret-box";
import type { Db } from "../db";
import { invitationService } from "../services/invitation-service";
import { userService } from "../services/user-service";
import type { Role } from "../services/workspace-roles";
import { workspaceService } from "../services/workspace-service";
import { createCallerFactory } from "../trpc";
import { appRouter } from "./_app";

const createCaller = createCallerFactory(appRouter);
const testBox = createSecretBox({ currentKey: randomBytes(32).toString("base64") });
/** The key tests seal credentials with; a test runtime opens them with the same. */
export const secretBox = () => testBox;

/** Signs a fresh user in (creating their personal workspace) and returns a caller acting as them. */
export async function signInAs({ db, name }: { db: Db; name: string }) {
  const email = `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.test`;
  const user = await userService.signIn({ db, identity: { provider: "dev", email, name } });
  const [workspace] = await workspaceService.listForUser({ db, userId: user.id });
  if (!workspace) throw new Error("sign-in created no personal workspace");
  return { user, workspace, caller: createCaller(createContextInner({ db, user, secretBox })) };
}

export function anonymousCaller(db: Db) {
  return createCaller(createContextInner({ db, user: null, secretBox }));
}

/** Awaits a call that must fail, and returns its tRPC error. */
export async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected the call to fail, but it returned ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(TRPCError);
  return outcome.error as TRPCError;
}

/** Makes a user a member of a workspace with a role, as people join: invited by an owner, then accepting the link. */
export async function addMember({ db, by, workspaceId, user, role }: { db: Db; by: { id: string }; workspaceId: string; user: { id: string; email: string }; role: Role }) {
  const { link } = await invitationService.invite({
    db,
    userId: by.id,
    actorRole: "owner",
    workspaceId,
    email: user.email,
    role,
    linkBase: "http://127.0.0.1",
    settings: { ttlDays: 7, publicUrl: undefined, mailer: null },
  });
  await invitationService.accept({ db, user, token: new URL(link).pathname.split("/").at(-1)! });
}
