import { createReadStream, createWriteStream } from "node:fs";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type ReadableStream as WebReadableStream } from "node:stream/web";
import { createGunzip, createGzip } from "node:zlib";
import type { Decrypter, Encrypter } from "age-encryption";
import tar from "tar-stream";
import { onFirstUse } from "../../nodes/_core/on-first-use";

/**
 * A backup file is a gzipped tar, encrypted with age (https://age-encryption.org) under the key the operator gives:
 * `age -d -o backup.tar.gz <file>` opens it with standard tools. Inside, entries come in the order they are written.
 */

export class BackupError extends Error {
  name = "BackupError";
}

/** A passphrase (age's scrypt recipient) or an age identity (X25519, AGE-SECRET-KEY-1…). */
export type BackupKey = { kind: "passphrase"; passphrase: string } | { kind: "identity"; identity: string };

export const MIN_PASSPHRASE_LENGTH = 16;

/** Reads a backup key from its text (BACKUP_KEY, or a key file's first line); `source` names it in the message. */
export function parseBackupKey(text: string, source: string): BackupKey {
  const trimmed = text.trim();
  if (/^AGE-SECRET-KEY-1[0-9A-Z]+$/.test(trimmed)) return { kind: "identity", identity: trimmed };
  if (trimmed.startsWith("age1")) {
    throw new BackupError(`${source} holds an age recipient (a public key); give the identity (AGE-SECRET-KEY-1…), so each backup can be checked after it is written`);
  }
  if (trimmed.length < MIN_PASSPHRASE_LENGTH) {
    throw new BackupError(
      `${source} must be a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters (for example the output of: openssl rand -base64 32) or an age identity (AGE-SECRET-KEY-1…)`,
    );
  }
  return { kind: "passphrase", passphrase: trimmed };
}

// The age library is loaded by the first backup written or read.
const age = onFirstUse(() => import("age-encryption"));

async function encrypter(key: BackupKey): Promise<Encrypter> {
  const { Encrypter, identityToRecipient } = await age.get();
  const encrypter = new Encrypter();
  if (key.kind === "passphrase") encrypter.setPassphrase(key.passphrase);
  else encrypter.addRecipient(await identityToRecipient(key.identity));
  return encrypter;
}

async function decrypter(key: BackupKey): Promise<Decrypter> {
  const { Decrypter } = await age.get();
  const decrypter = new Decrypter();
  if (key.kind === "passphrase") decrypter.addPassphrase(key.passphrase);
  else decrypter.addIdentity(key.identity);
  return decrypter;
}

export interface ArchiveWriter {
  /** Adds an entry from memory. */
  add(name: string, body: Buffer): Promise<void>;
  /** Adds an entry from a file of `size` bytes. */
  addFile(name: string, file: string, size: number): Promise<void>;
  /** Ends the archive and waits until every byte is on disk. */
  finish(): Promise<void>;
  /** Stops writing (after a failure); the caller removes the file. */
  abort(err: Error): Promise<void>;
}

/** Starts writing an encrypted archive to `file`. */
export async function createArchive({ file, key }: { file: string; key: BackupKey }): Promise<ArchiveWriter> {
  const pack = tar.pack();
  const source = Readable.from(pack);
  const compressed = createGzip();
  // A failed or stopped archive ends the whole chain, down to the file (whose failure `finish` reports).
  source.on("error", (err) => compressed.destroy(err));
  source.pipe(compressed);
  const encrypted = await (await encrypter(key)).encrypt(Readable.toWeb(compressed) as ReadableStream<Uint8Array>);
  const written = pipeline(Readable.fromWeb(encrypted as unknown as WebReadableStream<Uint8Array>), createWriteStream(file, { mode: 0o600 }));
  // A failed write shows in `finish`; until then, nothing may go unhandled.
  written.catch(() => {});
  const entry = async (name: string, size: number, source: Readable) => {
    const sink = pack.entry({ name, size, mode: 0o600, mtime: new Date(0) }) as unknown as Writable;
    await Promise.race([pipeline(source, sink), written]);
  };
  return {
    add: (name, body) => entry(name, body.length, Readable.from([body])),
    addFile: (name, source, size) => entry(name, size, createReadStream(source)),
    async finish() {
      pack.finalize();
      await written;
    },
    async abort(err) {
      pack.destroy(err);
      await written.catch(() => {});
    },
  };
}

export interface ArchiveEntry {
  name: string;
  size: number;
  body: Readable;
}

/**
 * Reads an encrypted archive entry by entry; `onEntry` must consume (or drain) each body before the next comes.
 * A wrong key, a damaged or cut-off file each give their own message.
 */
export async function readArchive({ file, key, onEntry }: { file: string; key: BackupKey; onEntry: (entry: ArchiveEntry) => Promise<void> }): Promise<void> {
  let plain: Readable;
  try {
    const decrypted = await (await decrypter(key)).decrypt(Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>);
    plain = Readable.fromWeb(decrypted as unknown as WebReadableStream<Uint8Array>);
  } catch (err) {
    throw describeReadError(err, file);
  }
  const extract = tar.extract();
  const feeding = pipeline(plain, createGunzip(), extract as unknown as Writable);
  feeding.catch(() => {});
  try {
    for await (const item of extract) {
      const body = item as unknown as Readable;
      try {
        await onEntry({ name: item.header.name, size: item.header.size ?? 0, body });
      } catch (err) {
        // The handler's own failure (a refused entry, a failed insert), not the file's.
        throw new HandlerFailure(err);
      }
      body.resume();
    }
    await feeding;
  } catch (err) {
    if (err instanceof HandlerFailure) {
      // A handler reading an entry fails too when the file breaks under it: then the file's error is the reason.
      extract.destroy();
      const broken = await feeding.then(
        () => null,
        (cause: unknown) => ((cause as NodeJS.ErrnoException).code === "ERR_STREAM_PREMATURE_CLOSE" ? null : cause),
      );
      throw broken ? describeReadError(broken, file) : err.cause;
    }
    // The decrypting side's failure explains a parse error downstream of it.
    throw describeReadError(await feeding.then(() => err, (cause: unknown) => cause), file);
  }
}

class HandlerFailure {
  constructor(readonly cause: unknown) {}
}

function describeReadError(err: unknown, file: string): Error {
  if (err instanceof BackupError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/no identity matched|incorrect passphrase|scrypt/i.test(message)) return new BackupError(`The backup key does not open ${file}: it was made with another key or passphrase.`);
  if (/ENOENT/.test(message)) return new BackupError(`${file} does not exist.`);
  if (/invalid header|not an age file|unexpected|version/i.test(message) && !/tag/i.test(message)) return new BackupError(`${file} is not a Streamware backup (not an age-encrypted file).`);
  return new BackupError(`${file} is damaged or cut off (${message}); it cannot be trusted.`, { cause: err });
}
