import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { BinaryStore } from "../nodes/_kit/context";
import type { BinaryRef } from "../nodes/_kit/items";

const ID = /^[0-9a-f-]{36}$/;
const WORKSPACE = /^[A-Za-z0-9_-]{1,64}$/;

/** Binary storage in a local folder: one file per object under its workspace, so one workspace cannot name another's. */
export class LocalBinaryStore implements BinaryStore {
  constructor(private readonly root: string) {}

  private file(workspaceId: string, ref: BinaryRef | string): string {
    const id = typeof ref === "string" ? ref : ref.id;
    if (!ID.test(id) || !WORKSPACE.test(workspaceId)) throw new Error(`"${id}" is not a binary reference of this workspace`);
    return path.join(this.root, workspaceId, id);
  }

  async put(data: Buffer | NodeJS.ReadableStream, meta: { workspaceId: string; mimeType: string; fileName?: string }): Promise<BinaryRef> {
    const id = randomUUID();
    const file = this.file(meta.workspaceId, id);
    await mkdir(path.dirname(file), { recursive: true });
    if (Buffer.isBuffer(data)) await writeFile(file, data);
    else await pipeline(data as Readable, createWriteStream(file));
    const { size } = await stat(file);
    const ref: BinaryRef = { id, mimeType: meta.mimeType, size };
    if (meta.fileName) ref.fileName = meta.fileName;
    return ref;
  }

  async read(workspaceId: string, ref: BinaryRef | string): Promise<Buffer> {
    return readFile(this.file(workspaceId, ref));
  }

  async stream(workspaceId: string, ref: BinaryRef | string): Promise<NodeJS.ReadableStream> {
    const file = this.file(workspaceId, ref);
    await stat(file);
    return createReadStream(file);
  }

  async delete(workspaceId: string, ref: BinaryRef | string): Promise<void> {
    await rm(this.file(workspaceId, ref), { force: true });
  }
}
