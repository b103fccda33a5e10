import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Db } from "../db";
import { auditService } from "./audit-service";
import { ServiceError } from "./service-error";
import { apiKeyScopeNames, type ApiKeyScope, type Role } from "./workspace-roles";

/** Every key starts with this, so a leaked one is recognised (by people and by secret scanners) for what it is. */
export const API_KEY_PREFIX = "swk_";
/** How much of a key is kept in the clear and shown in lists: the prefix and 8 random characters. */
const VISIBLE_LENGTH = API_KEY_PREFIX.length + 8;
const SECRET_BYTES = 32;

/** A key as its workspace's admins see it; never its secret. */
export interface ApiKeySummary {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  prefix: string;
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** Past its expiry, as of the answer. */
  expired: boolean;
}

/** What the REST API needs to know of a key to let it act; kept in memory for a short while after it is read. */
export interface VerifiedApiKey {
  id: string;
  workspaceId: string;
  scopes: ApiKeyScope[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** The member who made it, whose role bounds what it may do; null once they have left the workspace. */
  creator: { id: string; email: string; name: string | null; role: Role } | null;
}

const summarySelect = { id: true, name: true, scopes: true, prefix: true, createdById: true, createdAt: true, expiresAt: true, lastUsedAt: true, revokedAt: true } as const;

export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Only scopes the table knows, each once, in the table's order. */
function knownScopes(stored: readonly string[]): ApiKeyScope[] {
  return apiKeyScopeNames.filter((scope) => stored.includes(scope));
}

/**
 * Revocations, told to whoever keeps verified keys in memory in this process (the REST API's cache), so a revoked
 * key stops working here at once; other processes drop it when their cached copy expires. The emitter hangs on a
 * symbol of the global registry: Next bundles the tRPC handler (where keys are revoked) into a module graph of its
 * own, apart from the custom server's (where the REST API listens) in the same process, and each graph would have
 * its own module-level emitter.
 */
const slot = Symbol.for("streamware.apiKeyRevocations");
const holder = globalThis as typeof globalThis & { [slot]?: EventEmitter };
const revocations = (holder[slot] ??= new EventEmitter());

export const apiKeyService = {
  /** Makes a key; its secret is in the answer this once and stored only as its SHA-256. */
  async create({ db, userId, workspaceId, name, scopes, expiresAt }: { db: Db; userId: string; workspaceId: string; name: string; scopes: ApiKeyScope[]; expiresAt?: Date }) {
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new ServiceError({ code: "BAD_REQUEST", message: "Choose an expiry date in the future, or none." });
    const secret = `${API_KEY_PREFIX}${randomBytes(SECRET_BYTES).toString("base64url")}`;
    const prefix = secret.slice(0, VISIBLE_LENGTH);
    const ordered = knownScopes(scopes);
    const row = await db.$transaction(async (tx) => {
      const created = await tx.apiKey.create({
        data: { workspaceId, name, scopes: ordered, prefix, secretHash: hashApiKey(secret), createdById: userId, expiresAt: expiresAt ?? null },
        select: summarySelect,
      });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "apiKey.create", targetType: "apiKey", targetId: created.id, data: { name, prefix, scopes: ordered, expiresAt: expiresAt?.toISOString() ?? null } },
      });
      return created;
    });
    const { createdById, ...summary } = row;
    const creator = await db.user.findUnique({ where: { id: createdById }, select: { email: true } });
    return { key: { ...summary, scopes: ordered, createdBy: creator?.email ?? null, expired: false } satisfies ApiKeySummary, secret };
  },

  /** The workspace's keys, revoked and expired ones included, newest first. */
  async list({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<ApiKeySummary[]> {
    const rows = await db.apiKey.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" }, select: summarySelect });
    const creatorIds = [...new Set(rows.map((r) => r.createdById))];
    const creators = new Map((await db.user.findMany({ where: { id: { in: creatorIds } }, select: { id: true, email: true } })).map((u) => [u.id, u.email]));
    const now = Date.now();
    return rows.map(({ createdById, ...row }) => ({
      ...row,
      scopes: knownScopes(row.scopes),
      createdBy: creators.get(createdById) ?? null,
      expired: row.expiresAt !== null && row.expiresAt.getTime() <= now,
    }));
  },

  /** Revokes a key for good; revoking one already revoked changes nothing and records nothing. */
  async revoke({ db, userId, workspaceId, apiKeyId }: { db: Db; userId: string; workspaceId: string; apiKeyId: string }) {
    const key = await db.apiKey.findFirst({ where: { id: apiKeyId, workspaceId }, select: { id: true, name: true, prefix: true, revokedAt: true } });
    if (!key) throw new ServiceError({ code: "NOT_FOUND", message: "API key not found" });
    if (key.revokedAt) return { id: key.id, revokedAt: key.revokedAt };
    const revokedAt = new Date();
    await db.$transaction(async (tx) => {
      await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt }, select: { id: true } });
      await auditService.record({ tx, entry: { workspaceId, actorId: userId, action: "apiKey.revoke", targetType: "apiKey", targetId: key.id, data: { name: key.name, prefix: key.prefix } } });
    });
    revocations.emit("revoked", key.id);
    return { id: key.id, revokedAt };
  },

  /** Calls `listener` with the id of each key revoked in this process; returns the way to stop. */
  onRevoked(listener: (apiKeyId: string) => void): () => void {
    revocations.on("revoked", listener);
    return () => revocations.off("revoked", listener);
  },

  /**
   * The key a secret belongs to, revoked and expired ones included (the caller tells them apart), with its creator's
   * current role in the workspace (no creator once they left it or their account was disabled); null for a secret no key has.
   */
  async verify({ db, secret }: { db: Db; secret: string }): Promise<VerifiedApiKey | null> {
    const secretHash = hashApiKey(secret);
    const key = await db.apiKey.findUnique({
      where: { secretHash },
      select: { id: true, workspaceId: true, scopes: true, secretHash: true, expiresAt: true, revokedAt: true, createdById: true },
    });
    if (!key || !sameHash(key.secretHash, secretHash)) return null;
    const membership = await db.membership.findUnique({
      where: { workspaceId_userId: { workspaceId: key.workspaceId, userId: key.createdById } },
      select: { role: true, user: { select: { email: true, name: true, disabledAt: true } } },
    });
    // A disabled account's keys stop with it, as its sessions do.
    const acting = membership && !membership.user.disabledAt ? membership : null;
    return {
      id: key.id,
      workspaceId: key.workspaceId,
      scopes: knownScopes(key.scopes),
      expiresAt: key.expiresAt,
      revokedAt: key.revokedAt,
      creator: acting ? { id: key.createdById, email: acting.user.email, name: acting.user.name, role: acting.role } : null,
    };
  },

  /** Records that a key was used; a no-op when it was recorded less than a minute ago, by this process or another. */
  async touch({ db, apiKeyId, at }: { db: Db; apiKeyId: string; at: Date }): Promise<void> {
    await db.apiKey.updateMany({
      where: { id: apiKeyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(at.getTime() - 60_000) } }] },
      data: { lastUsedAt: at },
    });
  },
};
