import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { BinaryStore, ByteRange } from "../nodes/_kit/context";
import { NodeExternalError } from "../nodes/_kit/errors";
import type { BinaryRef } from "../nodes/_kit/items";

const ID = /^[0-9a-f-]{36}$/;
const WORKSPACE = /^[A-Za-z0-9_-]{1,64}$/;
/** A file inside a folder object: plain names only, so no path leaves the folder. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const STAGING = ".incoming-";

/** A filesystem that is full, or a quota that is used up: room may come back, so a step may try again. */
const NO_ROOM = new Set(["ENOSPC", "EDQUOT"]);

/** A write that found no room, as an external error the step's retries apply to; any other error as it is. */
export function storageFull(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (!code || !NO_ROOM.has(code)) return err;
  return new NodeExternalError(
    `Binary storage has no room left (${code}): free space on the disk that holds BINARY_DIR, or give it more. A node with retries tries again.`,
    { cause: err },
  );
}

/** Splits `<id>` or `<folder id>/<path in the folder>` and checks both parts. */
function parseId(ref: BinaryRef | string): { id: string; inner: string[] } {
  const [id = "", ...inner] = (typeof ref === "string" ? ref : ref.id).split("/");
  if (!ID.test(id) || inner.some((segment) => !SEGMENT.test(segment) || segment.includes(".."))) {
    throw new Error(`"${typeof ref === "string" ? ref : ref.id}" is not a binary reference of this workspace`);
  }
  return { id, inner };
}

/**
 * Binary storage in a local folder: one file (or one folder of related files) per object under its workspace,
 * so one workspace cannot name another's. Objects appear whole or not at all: they are written under a staging
 * name and renamed into place.
 */
export class LocalBinaryStore implements BinaryStore {
  private readonly urlKey: Buffer;

  /** `urlSecret` signs file URLs; processes that serve each other's URLs must share it (NEXTAUTH_SECRET). */
  constructor(
    private readonly root: string,
    options: { urlSecret?: string } = {},
  ) {
    this.urlKey = createHmac("sha256", options.urlSecret ?? randomBytes(32)).update("streamware binary file urls").digest();
  }

  private file(workspaceId: string, ref: BinaryRef | string): string {
    if (!WORKSPACE.test(workspaceId)) throw new Error(`"${workspaceId}" is not a workspace id`);
    const { id, inner } = parseId(ref);
    // The folder is chosen at run time (BINARY_DIR); the ignore keeps Next's build from tracing the whole project.
    return path.join(/*turbopackIgnore: true*/ this.root, workspaceId, id, ...inner);
  }

  async put(data: Buffer | NodeJS.ReadableStream, meta: { workspaceId: string; mimeType: string; fileName?: string }): Promise<BinaryRef> {
    const id = randomUUID();
    const file = this.file(meta.workspaceId, id);
    const staging = path.join(path.dirname(file), STAGING + id);
    await mkdir(path.dirname(file), { recursive: true });
    try {
      if (Buffer.isBuffer(data)) await writeFile(staging, data);
      else await pipeline(data as Readable, createWriteStream(staging));
      await rename(staging, file);
    } catch (err) {
      await rm(staging, { force: true });
      throw storageFull(err);
    }
    const { size } = await stat(file);
    const ref: BinaryRef = { id, mimeType: meta.mimeType, size };
    if (meta.fileName) ref.fileName = meta.fileName;
    return ref;
  }

  async putFolder(dir: string, meta: { workspaceId: string; mimeType: string; fileName?: string }): Promise<BinaryRef> {
    const id = randomUUID();
    const target = this.file(meta.workspaceId, id);
    const staging = path.join(path.dirname(target), STAGING + id);
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await cp(dir, staging, { recursive: true, errorOnExist: true, force: false });
      await rename(staging, target);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw storageFull(err);
    }
    const ref: BinaryRef = { id, mimeType: meta.mimeType, size: await folderSize(target) };
    if (meta.fileName) ref.fileName = meta.fileName;
    return ref;
  }

  async read(workspaceId: string, ref: BinaryRef | string): Promise<Buffer> {
    return readFile(this.file(workspaceId, ref));
  }

  async size(workspaceId: string, ref: BinaryRef | string): Promise<number> {
    const info = await stat(this.file(workspaceId, ref));
    if (!info.isFile()) throw Object.assign(new Error("A folder has no bytes of its own; name a file in it"), { code: "EISDIR" });
    return info.size;
  }

  async stream(workspaceId: string, ref: BinaryRef | string, range?: ByteRange): Promise<NodeJS.ReadableStream> {
    const file = this.file(workspaceId, ref);
    await stat(file);
    return createReadStream(file, range ? { start: range.start, end: range.end } : {});
  }

  async delete(workspaceId: string, ref: BinaryRef | string): Promise<void> {
    await rm(this.file(workspaceId, ref), { recursive: true, force: true });
  }

  signedPath(workspaceId: string, ref: BinaryRef | string): string {
    const { id, inner } = parseId(ref);
    if (!WORKSPACE.test(workspaceId)) throw new Error(`"${workspaceId}" is not a workspace id`);
    const rest = inner.length ? inner.join("/") : (typeof ref !== "string" && ref.fileName && SEGMENT.test(ref.fileName) ? ref.fileName : "file");
    return `${FILES_PREFIX}${workspaceId}/${id}/${this.token(workspaceId, id)}/${rest}`;
  }

  /** Whether `token` is this store's signature of the object `id` in the workspace. */
  verifyToken(workspaceId: string, id: string, token: string): boolean {
    const expected = Buffer.from(this.token(workspaceId, id));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private token(workspaceId: string, id: string): string {
    return createHmac("sha256", this.urlKey).update(`${workspaceId}/${id}`).digest("base64url");
  }
}

/** Where signed file URLs start: `/files/<workspace>/<object id>/<token>/<file name or path in a folder>`. */
export const FILES_PREFIX = "/files/";

async function folderSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}
