// The embedded database's own thread: PGlite runs PostgreSQL compiled to WebAssembly, synchronously, on the
// thread that calls it. Here it is this worker thread, so the server's thread keeps answering requests while
// statements run. It answers the requests of `PGliteThread` (pglite-thread-client.ts), one message each.
// This file imports only packages and types, so Node runs it as it is in development and tests.
import { parentPort, workerData } from "node:worker_threads";
import { messages, PGlite, type ParserOptions, type Results, type Transaction } from "@electric-sql/pglite";
import type { ThreadReply, ThreadRequest, ThreadStart, WireError } from "./pglite-thread-client";

const port = parentPort!;
const start = workerData as ThreadStart;

/** Values of these types come back as PostgreSQL's text; the caller's parsers read them on its own thread. */
const asText = (types: number[] | undefined): ParserOptions | undefined =>
  types && Object.fromEntries(types.map((type) => [type, (text: string) => text]));

function wireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { database: false, name: "Error", message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (["string", "number", "boolean", "bigint"].includes(typeof value)) fields[key] = value;
  }
  return { database: error instanceof messages.DatabaseError, name: error.name, message: error.message, fields };
}

interface OpenTransaction {
  tx: Transaction;
  /** Ends the transaction's callback: it returns (commit) or throws (rollback). */
  end(commit: boolean): void;
  /** Settles when PGlite has committed or rolled back. */
  settled: Promise<unknown>;
}

const transactions = new Map<number, OpenTransaction>();
let nextTransaction = 1;
const rolledBack = Symbol("rolled back");

function begin(db: PGlite): Promise<number> {
  return new Promise((resolve, reject) => {
    const id = nextTransaction++;
    const settled = db
      .transaction(
        (tx) =>
          new Promise<void>((finish, abort) => {
            transactions.set(id, { tx, end: (commit) => (commit ? finish() : abort(rolledBack)), settled });
            resolve(id);
          }),
      )
      .catch((error: unknown) => {
        if (error !== rolledBack) throw error;
      })
      .finally(() => transactions.delete(id));
    // BEGIN itself failed: the callback never ran.
    settled.catch(reject);
  });
}

function openTransaction(id: number): OpenTransaction {
  const open = transactions.get(id);
  if (!open) throw new Error("This transaction has already ended.");
  return open;
}

async function answer(db: PGlite, request: ThreadRequest): Promise<unknown> {
  switch (request.op) {
    case "query": {
      const target = request.tx ? openTransaction(request.tx).tx : db;
      const results: Results = await target.query(request.sql, request.params, { rowMode: request.rowMode, parsers: asText(request.textTypes) });
      return results;
    }
    case "exec":
      return (request.tx ? openTransaction(request.tx).tx : db).exec(request.sql);
    case "begin":
      return begin(db);
    case "rollback":
      return openTransaction(request.tx).tx.rollback();
    case "end": {
      const open = openTransaction(request.tx);
      open.end(request.commit);
      await open.settled;
      return undefined;
    }
    case "close":
      await db.close();
      return undefined;
  }
}

try {
  const db = await PGlite.create({
    dataDir: start.dataDir ?? undefined,
    loadDataDir: start.image ? new Blob([start.image]) : undefined,
    postgresqlconf: start.postgresqlconf,
  });
  port.on("message", (request: ThreadRequest) => {
    answer(db, request).then(
      (result) => port.postMessage({ id: request.id, result } satisfies ThreadReply),
      (error: unknown) => port.postMessage({ id: request.id, error: wireError(error) } satisfies ThreadReply),
    );
  });
  port.postMessage({ id: 0, result: "ready" } satisfies ThreadReply);
} catch (error) {
  port.postMessage({ id: 0, error: wireError(error) } satisfies ThreadReply);
}
