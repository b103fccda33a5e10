import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLOW_SCHEMA_TAG } from "../nodes/_core/flow-document";
import { useTestDatabase } from "../server/db/test-databases";
import { signInAs } from "../server/routers/test-helpers";
import { flowService } from "../server/services/flow-service";
import { runService } from "../server/services/run-service";
import { startTestRuntime, testRedisUrlFor } from "../server/test-runtime";
import type { Runtime } from "./runtime";

// This file's own Redis database: it is flushed here, and no other test file uses index 5.
const redisUrl = testRedisUrlFor(5);

async function until<T>(probe: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * A run whose end cannot be stored (the database is away just as it ends) stays "running" under a worker that is
 * alive, so the reconciler, which looks for runs of gone workers, would never queue it again. Here PostgreSQL
 * itself refuses the end (a trigger, for as long as the test says), then takes writes again.
 */
describe.each(["embedded", "queue"] as const)("a run whose end could not be stored, %s", (mode) => {
  const database = useTestDatabase("postgres");
  const runtimes: Runtime[] = [];
  let web: Runtime;
  let api: Server;
  let calls = 0;

  beforeAll(async () => {
    api = createServer((_req, res) => {
      calls++;
      res.setHeader("content-type", "application/json");
      res.end('{"ok":true}');
    }).listen(0, "127.0.0.1");
    await new Promise((resolve) => api.once("listening", resolve));
    await database.db.$executeRawUnsafe(`CREATE TABLE refused_ends ("flowId" text)`);
    await database.db.$executeRawUnsafe(
      `CREATE FUNCTION refuse_ends() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         IF NEW."finishedAt" IS NOT NULL AND EXISTS (SELECT 1 FROM refused_ends WHERE "flowId" = NEW."flowId") THEN
           RAISE EXCEPTION 'the end of a run of this flow is refused for now';
         END IF;
         RETURN NEW;
       END $$`,
    );
    await database.db.$executeRawUnsafe(`CREATE TRIGGER refuse_ends BEFORE INSERT OR UPDATE ON "Run" FOR EACH ROW EXECUTE FUNCTION refuse_ends()`);
    if (mode === "queue") {
      const redis = new Redis(redisUrl);
      await redis.flushdb();
      redis.disconnect();
      web = await startTestRuntime({ db: database.db, redis: redisUrl });
      runtimes.push(web, await startTestRuntime({ db: database.db, redis: redisUrl, role: "worker" }));
    } else {
      web = await startTestRuntime({ db: database.db });
      runtimes.push(web);
    }
  });
  afterAll(async () => {
    for (const runtime of runtimes) await runtime.close();
    api?.close();
  });

  it("is handed back by its worker and finished once the database takes writes again, its steps not run again", async () => {
    const who = await signInAs({ db: database.db, name: "Stranded" });
    const scope = { db: database.db, userId: who.user.id, workspaceId: who.workspace.id };
    const document = {
      schema: FLOW_SCHEMA_TAG,
      nodes: [
        { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 }, config: {} },
        { id: "call", name: "Call", type: "core.http-request", position: { x: 200, y: 0 }, config: { method: "POST", url: `http://127.0.0.1:${(api.address() as AddressInfo).port}/` } },
      ],
      edges: [{ id: "e0", source: "start", target: "call" }],
    };
    const flow = await flowService.create({ ...scope, name: "Stranded", document });
    await database.db.$executeRawUnsafe(`INSERT INTO refused_ends VALUES ($1)`, flow.id);
    const runId = await web.enqueue(await runService.prepareManual({ ...scope, flowId: flow.id, source: "draft" }));

    // Its step is stored as done, its end is not: the run stays running while the refusal lasts.
    await until(() => database.db.step.findFirst({ where: { runId, nodeId: "call", status: "succeeded" } }), "the stored step");
    await new Promise((r) => setTimeout(r, 1500));
    expect(await database.db.run.findUnique({ where: { id: runId }, select: { status: true, finishedAt: true } })).toEqual({ status: "running", finishedAt: null });

    await database.db.$executeRawUnsafe(`DELETE FROM refused_ends`);
    const run = await until(() => database.db.run.findFirst({ where: { id: runId, finishedAt: { not: null } }, select: { status: true } }), "the run's end");
    expect(run.status).toBe("succeeded");
    expect(calls).toBe(1);
  });
});
