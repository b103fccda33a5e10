// Counts the stored runs of each benchmark flow: how many, how many finished, and the span they cover.
// Usage: node --import tsx bench/lib/count-runs.ts   (same DATABASE_URL / DATA_DIR as the server; for the
// embedded database, only after the server has stopped, since PGlite has one opener)
import { connectDb, dbTargetFromEnv } from "../../server/db/connect";

async function main(): Promise<void> {
  const connection = await connectDb(dbTargetFromEnv(process.env));
  try {
    const rows = await connection.db.$queryRawUnsafe<{ name: string; runs: bigint; finished: bigint; first_queued: Date | null; last_finished: Date | null; steps: bigint }[]>(
      `SELECT f.name, count(r.id) AS runs, count(r."finishedAt") AS finished, min(r."queuedAt") AS first_queued, max(r."finishedAt") AS last_finished,
              (SELECT count(*) FROM "Step" s JOIN "Run" r2 ON r2.id = s."runId" WHERE r2."flowId" = f.id) AS steps
       FROM "Flow" f LEFT JOIN "Run" r ON r."flowId" = f.id GROUP BY f.id, f.name`,
    );
    const out = Object.fromEntries(
      rows.map((r) => [r.name, { runs: Number(r.runs), finished: Number(r.finished), steps: Number(r.steps), firstQueued: r.first_queued?.getTime() ?? null, lastFinished: r.last_finished?.getTime() ?? null }]),
    );
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await connection.close();
  }
}

void main();
