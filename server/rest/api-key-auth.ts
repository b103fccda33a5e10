import type { Logger } from "pino";
import type { Db } from "../db";
import { API_KEY_PREFIX, apiKeyService, hashApiKey, type VerifiedApiKey } from "../services/api-key-service";

/** A key that may act: valid, not revoked, not expired, and made by someone still in its workspace. */
export type ActingApiKey = VerifiedApiKey & { creator: NonNullable<VerifiedApiKey["creator"]> };

export type KeyCheck = { ok: true; key: ActingApiKey } | { ok: false; message: string };

/** Keys kept in memory at most; past this, expired entries are dropped first, then the oldest. */
const MAX_CACHED = 10_000;
/** Last-used times are written at most this often per key. */
const TOUCH_EVERY_MS = 60_000;

const makeOne = "Workspace admins make keys under Settings → API keys.";

/**
 * Checks the `Authorization: Bearer swk_…` header of REST requests. A key read from the database is kept in memory
 * for `ttlMs`, so a busy key costs no database round trip per request: revoking it in this process drops it at
 * once; another process notices when its copy expires (so within `ttlMs`). Its last-used time is written at most
 * once a minute, after the answer, never holding a request up.
 */
export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, { key: VerifiedApiKey; until: number }>();
  private readonly touched = new Map<string, number>();
  private readonly stopListening: () => void;

  constructor(private readonly deps: { db: Db; logger: Logger; ttlMs: number }) {
    this.stopListening = apiKeyService.onRevoked((id) => this.forget(id));
  }

  async authenticate(header: string | undefined): Promise<KeyCheck> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
    if (!match) return { ok: false, message: `Send an API key in the Authorization header, as "Authorization: Bearer ${API_KEY_PREFIX}…". ${makeOne}` };
    const secret = match[1]!;
    if (!secret.startsWith(API_KEY_PREFIX) || secret.length > 200) return { ok: false, message: `That is not a Streamware API key: keys start with "${API_KEY_PREFIX}". ${makeOne}` };
    const key = await this.lookup(secret);
    const now = Date.now();
    if (!key) return { ok: false, message: `This API key is not valid; check that it was copied whole. ${makeOne}` };
    if (key.revokedAt) return { ok: false, message: `This API key was revoked on ${key.revokedAt.toISOString()}. ${makeOne}` };
    if (key.expiresAt && key.expiresAt.getTime() <= now) return { ok: false, message: `This API key expired on ${key.expiresAt.toISOString()}. ${makeOne}` };
    if (!key.creator) return { ok: false, message: `The member who made this API key has left the workspace or their account was disabled, so it cannot act any more. ${makeOne}` };
    this.touch(key.id, now);
    return { ok: true, key: key as ActingApiKey };
  }

  close(): void {
    this.stopListening();
  }

  private async lookup(secret: string): Promise<VerifiedApiKey | null> {
    const hash = hashApiKey(secret);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.key;
    const key = await apiKeyService.verify({ db: this.deps.db, secret });
    // Unknown secrets are not kept: anyone may send many, and each would take a place.
    if (key) this.remember(hash, { key, until: now + this.deps.ttlMs });
    return key;
  }

  private remember(hash: string, entry: { key: VerifiedApiKey; until: number }): void {
    this.cache.delete(hash);
    if (this.cache.size >= MAX_CACHED) {
      const now = Date.now();
      for (const [h, e] of this.cache) if (e.until <= now) this.cache.delete(h);
      // Maps keep insertion order: the first entry is the one read from the database longest ago.
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(hash, entry);
  }

  private forget(apiKeyId: string): void {
    for (const [hash, entry] of this.cache) if (entry.key.id === apiKeyId) this.cache.delete(hash);
  }

  private touch(apiKeyId: string, now: number): void {
    if (now - (this.touched.get(apiKeyId) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(apiKeyId, now);
    apiKeyService.touch({ db: this.deps.db, apiKeyId, at: new Date(now) }).catch((err: unknown) => {
      this.deps.logger.warn({ err, apiKeyId }, "could not record when the API key was last used");
    });
  }
}
