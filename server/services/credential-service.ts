import type { SecretBox } from "../crypto";
import type { Db } from "../db";
import { Prisma } from "../db/generated/client";
import { credentialRegistry } from "../../nodes/registry";
import type { HttpClient } from "../../nodes/_kit/context";
import { auditService } from "./audit-service";
import { ServiceError } from "./service-error";

export type CredentialData = Record<string, string | number | boolean>;

/** What leaves the server: which fields it has, and the values of those its type does not call secret; never a secret. */
export interface CredentialSummary {
  id: string;
  name: string;
  type: string;
  fields: string[];
  /** The stored non-secret fields (URLs, hosts, user names) by name, so a form can show them when editing. */
  values: CredentialData;
  createdAt: Date;
  updatedAt: Date;
}

const summarySelect = { id: true, name: true, type: true, ciphertext: true, createdAt: true, updatedAt: true } as const;

/** A workspace the caller is already known to act in at the needed role (the router's `workspaceProcedure`); `userId` is the actor audited. */
interface Scope {
  db: Db;
  userId: string;
  workspaceId: string;
}

function sealData({ box, workspaceId, data }: { box: SecretBox; workspaceId: string; data: CredentialData }): string {
  return box.seal({ plaintext: JSON.stringify(data), context: workspaceId });
}

function toSummary({ box, workspaceId, row }: { box: SecretBox; workspaceId: string; row: Prisma.CredentialGetPayload<{ select: typeof summarySelect }> }): CredentialSummary {
  const data = JSON.parse(box.open({ sealed: row.ciphertext, context: workspaceId })) as CredentialData;
  return { id: row.id, name: row.name, type: row.type, fields: Object.keys(data).sort(), values: publicValues({ type: row.type, data }), createdAt: row.createdAt, updatedAt: row.updatedAt };
}

/**
 * The fields the credential type does not list as secret. A type this server does not know shows nothing, since
 * which of its fields are secret is unknown.
 */
function publicValues({ type, data }: { type: string; data: CredentialData }): CredentialData {
  const definition = credentialRegistry.get(type);
  if (!definition) return {};
  const secret = new Set(definition.secretFields);
  return Object.fromEntries(Object.entries(data).filter(([key]) => !secret.has(key)));
}

/**
 * The stored fields, checked against the credential type: an unknown type or a field at fault is refused by name.
 * `given` is what the caller sent (for an update, without the stored fields it is merged over): a field the type
 * does not have is refused rather than silently dropped, since it is most likely a misspelt one.
 */
function checkData({ type, data, given = data }: { type: string; data: CredentialData; given?: CredentialData }): CredentialData {
  const definition = credentialRegistry.get(type);
  if (!definition) {
    throw new ServiceError({
      code: "BAD_REQUEST",
      message: `"${type}" is not a credential type; pick one of: ${[...credentialRegistry.keys()].join(", ")}.`,
    });
  }
  const known = Object.keys(definition.fields.shape);
  const unknown = Object.keys(given).filter((field) => !known.includes(field));
  if (unknown.length) {
    const named = unknown.map((field) => `"${field}"`).join(", ");
    throw new ServiceError({
      code: "BAD_REQUEST",
      message: `The ${definition.name} credential has no field${unknown.length === 1 ? "" : "s"} ${named}; its fields are ${known.join(", ")}. Remove or rename ${unknown.length === 1 ? "it" : "them"}.`,
      details: { unknownFields: unknown },
    });
  }
  try {
    return definition.parse(data);
  } catch (err) {
    throw new ServiceError({ code: "BAD_REQUEST", message: err instanceof Error ? err.message : String(err) });
  }
}

const credentialTestTimeoutMs = 15_000;

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}

const duplicateName = (name: string) =>
  new ServiceError({ code: "CONFLICT", message: `A credential named "${name}" already exists in this workspace; pick another name.` });

export const credentialService = {
  async list({ db, box, workspaceId }: Scope & { box: SecretBox }): Promise<CredentialSummary[]> {
    const rows = await db.credential.findMany({ where: { workspaceId }, select: summarySelect, orderBy: { name: "asc" } });
    return rows.map((row) => toSummary({ box, workspaceId, row }));
  },

  async create({ db, box, userId, workspaceId, name, type, data }: Scope & { box: SecretBox; name: string; type: string; data: CredentialData }) {
    try {
      return await db.$transaction(async (tx) => {
        const row = await tx.credential.create({
          data: { workspaceId, name, type, ciphertext: sealData({ box, workspaceId, data: checkData({ type, data }) }), createdById: userId },
          select: summarySelect,
        });
        await auditService.record({
          tx,
          entry: { workspaceId, actorId: userId, action: "credential.create", targetType: "credential", targetId: row.id, data: { name, type } },
        });
        return toSummary({ box, workspaceId, row });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateName(name);
      throw err;
    }
  },

  /** Fields given in `data` replace the stored ones; fields left out keep their secret values. */
  async update({
    db,
    box,
    userId,
    workspaceId,
    credentialId,
    name,
    data,
  }: Scope & { box: SecretBox; credentialId: string; name?: string; data?: CredentialData }) {
    try {
      return await db.$transaction(async (tx) => {
        const existing = await tx.credential.findFirst({ where: { id: credentialId, workspaceId }, select: summarySelect });
        if (!existing) throw new ServiceError({ code: "NOT_FOUND", message: "Credential not found" });
        const merged = data
          ? checkData({ type: existing.type, data: { ...(JSON.parse(box.open({ sealed: existing.ciphertext, context: workspaceId })) as CredentialData), ...data }, given: data })
          : undefined;
        const row = await tx.credential.update({
          where: { id: credentialId },
          data: { name, ciphertext: merged ? sealData({ box, workspaceId, data: merged }) : undefined },
          select: summarySelect,
        });
        await auditService.record({
          tx,
          entry: {
            workspaceId,
            actorId: userId,
            action: "credential.update",
            targetType: "credential",
            targetId: credentialId,
            data: { name: row.name, changedFields: data ? Object.keys(data).sort() : [] },
          },
        });
        return toSummary({ box, workspaceId, row });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateName(name ?? "");
      throw err;
    }
  },

  /**
   * Tries a credential against its service: a saved one (with `data` as unsaved edits over it) or, with `type`,
   * one not saved yet. A failure is an answer, not an error: `{ ok: false, message }` says what to fix.
   */
  async test({
    db,
    box,
    workspaceId,
    credentialId,
    type,
    data,
    openHttp,
  }: Scope & {
    box: SecretBox;
    credentialId?: string;
    type?: string;
    data?: CredentialData;
    /** A fresh HTTP client for the test (the runner's SSRF-safe one, on the runs' allow list); closed after it. */
    openHttp: () => HttpClient & { close(): Promise<void> };
  }): Promise<{ ok: boolean; message: string }> {
    let resolved: { type: string; data: CredentialData };
    if (credentialId) {
      const row = await db.credential.findFirst({ where: { id: credentialId, workspaceId }, select: { type: true, ciphertext: true } });
      if (!row) throw new ServiceError({ code: "NOT_FOUND", message: "Credential not found" });
      resolved = { type: row.type, data: { ...(JSON.parse(box.open({ sealed: row.ciphertext, context: workspaceId })) as CredentialData), ...data } };
    } else {
      if (!type) throw new ServiceError({ code: "BAD_REQUEST", message: "Name a saved credential or give its type and fields to test." });
      resolved = { type, data: data ?? {} };
    }
    const definition = credentialRegistry.get(resolved.type);
    if (!definition) checkData(resolved);
    if (!definition?.testable) return { ok: false, message: `A ${definition?.name ?? resolved.type} credential has no connection test; use it in a node and run that.` };
    const http = openHttp();
    try {
      const message = await definition.test(resolved.data, { http, signal: AbortSignal.timeout(credentialTestTimeoutMs) });
      return { ok: true, message };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    } finally {
      await http.close();
    }
  },

  async delete({ db, userId, workspaceId, credentialId }: Scope & { credentialId: string }): Promise<{ id: string }> {
    return db.$transaction(async (tx) => {
      const deleted = await tx.credential.deleteMany({ where: { id: credentialId, workspaceId } });
      if (deleted.count === 0) throw new ServiceError({ code: "NOT_FOUND", message: "Credential not found" });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "credential.delete", targetType: "credential", targetId: credentialId },
      });
      return { id: credentialId };
    });
  },
};

/**
 * For the runner: a node's credential, decrypted, looked up in the run's own workspace only. Not a procedure:
 * it never leaves the server, and the run's workspace is the scope.
 */
export async function openCredentialForRun({
  db,
  box,
  workspaceId,
  ref,
  type,
}: {
  db: Db;
  box: SecretBox;
  workspaceId: string;
  ref: { id?: string; name: string };
  type: string;
}): Promise<Record<string, string>> {
  const row = await db.credential.findFirst({
    where: ref.id ? { workspaceId, id: ref.id } : { workspaceId, name: ref.name },
    select: { type: true, ciphertext: true },
  });
  if (!row) throw new ServiceError({ code: "NOT_FOUND", message: `No credential named "${ref.name}" in this workspace; create it or pick another.` });
  if (row.type !== type) {
    throw new ServiceError({ code: "BAD_REQUEST", message: `Credential "${ref.name}" is a ${row.type} credential; this node needs a ${type} credential.` });
  }
  const data = JSON.parse(box.open({ sealed: row.ciphertext, context: workspaceId })) as CredentialData;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)]));
}
