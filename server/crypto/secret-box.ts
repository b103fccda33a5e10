import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * AES-256-GCM for secrets at rest. Each ciphertext names the key that sealed it, so a key can be rotated:
 * the new key seals, and old keys listed in STREAMWARE_PREVIOUS_ENCRYPTION_KEYS still open what they sealed.
 */
const FORMAT = "v1";

export class SecretBoxError extends Error {
  name = "SecretBoxError";
}

export interface SecretBox {
  seal({ plaintext, context }: { plaintext: string; context: string }): string;
  open({ sealed, context }: { sealed: string; context: string }): string;
  /** Whether the current key sealed it: what a rotation leaves alone. */
  sealedWithCurrentKey(sealed: string): boolean;
}

function decodeKey(encoded: string, variable: string): Buffer {
  const trimmed = encoded.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  if (key.length !== 32) {
    throw new SecretBoxError(`${variable} must be 32 random bytes, base64 or hex encoded; generate one with: openssl rand -base64 32`);
  }
  return key;
}

const keyId = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 12);

export function createSecretBox({ currentKey, previousKeys = [] }: { currentKey: string; previousKeys?: string[] }): SecretBox {
  const current = decodeKey(currentKey, "STREAMWARE_ENCRYPTION_KEY");
  const keys = new Map<string, Buffer>([[keyId(current), current]]);
  for (const old of previousKeys) {
    const key = decodeKey(old, "STREAMWARE_PREVIOUS_ENCRYPTION_KEYS");
    keys.set(keyId(key), key);
  }
  const currentId = keyId(current);

  return {
    // `context` is bound in as associated data: a ciphertext copied to another workspace will not open there.
    seal({ plaintext, context }) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", current, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [FORMAT, currentId, iv.toString("base64"), cipher.getAuthTag().toString("base64"), body.toString("base64")].join(".");
    },
    sealedWithCurrentKey(sealed) {
      const [format, id] = sealed.split(".");
      return format === FORMAT && id === currentId;
    },
    open({ sealed, context }) {
      const [format, id, iv, tag, body] = sealed.split(".");
      if (format !== FORMAT || !id || !iv || !tag || body === undefined) throw new SecretBoxError("The stored secret is not in a format this version reads.");
      const key = keys.get(id);
      if (!key) {
        throw new SecretBoxError(
          `This secret was sealed with encryption key ${id}, which is not configured. Set STREAMWARE_ENCRYPTION_KEY to it, or add it to STREAMWARE_PREVIOUS_ENCRYPTION_KEYS.`,
        );
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(Buffer.from(tag, "base64"));
        return Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretBoxError("The stored secret failed its integrity check: it was altered or belongs elsewhere.");
      }
    },
  };
}
