import { Worker } from "node:worker_threads";
import type { PGliteClient } from "../../prisma/migration-targets";
import { messages, type PGlite, type ParserOptions, type QueryOptions, type Results, type RowMode, type Transaction } from "@electric-sql/pglite";

/**
 * The embedded database on a thread of its own (pglite-thread.mts). PGlite runs each statement synchronously on
 * the thread that calls it; on the server's thread, storing runs took about half of that thread's time under a
 * webhook load. This client offers the part of PGlite's interface that Streamware and Prisma's PGlite adapter use
 * (`query`, `exec`, `transaction`, `close`), and behaves as PGlite does: one statement at a time, a transaction
 * holding the database until it ends, database errors as PGlite's `DatabaseError`.
 */

export interface ThreadStart {
  dataDir: string | null;
  image: Uint8Array<ArrayBuffer> | null;
  postgresqlconf: string[];
}

export type ThreadRequest = { id: number } & (
  | { op: "query"; sql: string; params: unknown[] | undefined; rowMode: RowMode | undefined; textTypes: number[] | undefined; tx?: number }
  | { op: "exec"; sql: string; tx?: number }
  | { op: "begin" }
  | { op: "rollback"; tx: number }
  | { op: "end"; tx: number; commit: boolean }
  | { op: "close" }
);

/** An error as it crosses threads: whether it is PostgreSQL's, and its own fields (code, detail, constraint, …). */
export interface WireError {
  database: boolean;
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

export type ThreadReply = { id: number; result: unknown; error?: undefined } | { id: number; error: WireError };

type Request = ThreadRequest extends infer R ? (R extends ThreadRequest ? Omit<R, "id"> : never) : never;

function localError(wire: WireError): Error {
  const error = wire.database ? new messages.DatabaseError(wire.message, Number(wire.fields.length ?? 0), "error") : new Error(wire.message);
  return Object.assign(error, { name: wire.name }, wire.fields);
}

/** Reads, on this thread, the values the thread sent as text, with the caller's parsers. */
function parsed<T>(results: Results<T>, parsers: ParserOptions): Results<T> {
  const columns = results.fields.flatMap((field, index) => {
    // PGlite calls a parser with the value and its type, as this does.
    const parse = parsers[field.dataTypeID] as ((text: string, type: number) => unknown) | undefined;
    return parse ? [{ index, name: field.name, type: field.dataTypeID, parse }] : [];
  });
  if (columns.length === 0) return results;
  for (const row of results.rows as Record<string | number, unknown>[]) {
    for (const column of columns) {
      const key = Array.isArray(row) ? column.index : column.name;
      const value = row[key];
      if (value !== null && value !== undefined) row[key] = column.parse(value as string, column.type);
    }
  }
  return results;
}

export class PGliteThread implements PGliteClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private openTransactions = 0;
  private stopped: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (reply: ThreadReply) => this.settle(reply));
    worker.on("error", (error) => this.stop(new Error(`The embedded database stopped: ${error.message}`)));
    worker.on("exit", (code) => this.stop(new Error(`The embedded database stopped (thread exit code ${code}).`)));
  }

  /** Starts PGlite on its thread: a data folder (null: in memory), optionally loaded from a dumped one. */
  static async start({ dataDir, image, postgresqlconf }: { dataDir: string | null; image?: Blob; postgresqlconf: string[] }): Promise<PGliteThread> {
    const bytes = image ? new Uint8Array(await image.arrayBuffer()) : null;
    const start: ThreadStart = { dataDir, image: bytes, postgresqlconf };
    // The thread runs only PGlite: the process's Node options (a loader, a profiler) are not its concern.
    const worker = new Worker(threadEntry(), { workerData: start, transferList: bytes ? [bytes.buffer] : [], execArgv: [] });
    const thread = new PGliteThread(worker);
    // Ready (or failed) is the thread's first message, under id 0.
    const ready = new Promise<unknown>((resolve, reject) => thread.pending.set(0, { resolve, reject }));
    try {
      await ready;
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    worker.unref();
    return thread;
  }

  query<T>(sql: string, params?: unknown[], options?: QueryOptions, tx?: number): Promise<Results<T>> {
    const parsers = options?.parsers;
    const textTypes = parsers ? Object.keys(parsers).map(Number) : undefined;
    const results = this.send({ op: "query", sql, params, rowMode: options?.rowMode, textTypes, tx }) as Promise<Results<T>>;
    return parsers ? results.then((r) => parsed(r, parsers)) : results;
  }

  exec(sql: string, _options?: QueryOptions, tx?: number): Promise<Results[]> {
    return this.send({ op: "exec", sql, tx }) as Promise<Results[]>;
  }

  /** As PGlite's: commits when `work` resolves, rolls back when it throws (or called `tx.rollback()`). */
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const id = (await this.send({ op: "begin" })) as number;
    this.openTransactions++;
    this.keepAlive();
    let closed = false;
    const ensureOpen = () => {
      if (closed) throw new Error("Transaction is closed");
    };
    const tx = {
      query: async <R>(sql: string, params?: unknown[], options?: QueryOptions) => {
        ensureOpen();
        return this.query<R>(sql, params, options, id);
      },
      exec: async (sql: string, options?: QueryOptions) => {
        ensureOpen();
        return this.exec(sql, options, id);
      },
      rollback: async () => {
        ensureOpen();
        await this.send({ op: "rollback", tx: id });
        closed = true;
      },
      get closed() {
        return closed;
      },
    };
    try {
      // Prisma's adapter and Streamware call only these; `sql` templates and `listen` are not offered.
      const result = await work(tx as unknown as Transaction);
      closed = true;
      await this.send({ op: "end", tx: id, commit: true });
      return result;
    } catch (error) {
      closed = true;
      await this.send({ op: "end", tx: id, commit: false }).catch(() => {});
      throw error;
    } finally {
      this.openTransactions--;
      this.keepAlive();
    }
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    await this.send({ op: "close" });
    await this.worker.terminate();
  }

  /** Prisma's PGlite adapter is typed for a PGlite instance; it calls only what PGliteClient names. */
  asPGlite(): PGlite {
    return this as unknown as PGlite;
  }

  private send(request: Request): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    const reply = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.postMessage({ ...request, id });
    this.keepAlive();
    return reply;
  }

  private settle(reply: ThreadReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (reply.error) waiting.reject(localError(reply.error));
    else waiting.resolve(reply.result);
    this.keepAlive();
  }

  /**
   * The thread keeps the process alive only while a statement or a transaction is under way, as a statement of
   * PGlite on this thread would: an idle database never holds a process open.
   */
  private keepAlive(): void {
    if (this.pending.size > 0 || this.openTransactions > 0) this.worker.ref();
    else this.worker.unref();
  }

  private stop(error: Error): void {
    if (this.stopped) return;
    this.stopped = error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

/**
 * The thread's module: compiled beside the server's bundle (`dist/pglite-thread.mjs`), or this folder's
 * TypeScript when the sources run as they are.
 */
function threadEntry(): URL {
  const compiled = import.meta.url.endsWith(".mjs");
  return new URL(compiled ? "./pglite-thread.mjs" : "./pglite-thread.mts", import.meta.url);
}
