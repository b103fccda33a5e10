import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "./db/test-databases";
import { startTestRuntime, testRedisUrlFor } from "./test-runtime";
import { startWorkerHttp } from "./worker-http";
import type { Runtime } from "../runner/runtime";

const REDIS_URL = testRedisUrlFor(7);

describe("a worker's HTTP listener", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  let listener: Awaited<ReturnType<typeof startWorkerHttp>>;
  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db, role: "worker", redis: REDIS_URL });
    listener = await startWorkerHttp({ port: 0, host: "127.0.0.1", db: database.db, runtime });
  });
  afterAll(async () => {
    await listener?.close();
    await runtime?.close();
  });

  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${listener.port}${path}`);
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it("answers health and readiness: database, migrations, Redis and taking jobs", async () => {
    expect(await get("/health")).toMatchObject({ status: 200, body: { status: "ok", db: "ok" } });
    expect(await get("/ready")).toEqual({ status: 200, body: { status: "ready", checks: { db: "ok", migrations: "ok", redis: "ok", worker: "ok" } } });
    expect(await get("/metrics-or-anything")).toEqual({ status: 404, body: { error: "Not found: this listener serves /health, /ready and /metrics." } });
  });

  it("is not ready once the worker stops taking jobs", async () => {
    await runtime.close();
    const { status, body } = await get("/ready");
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: "not ready", checks: { worker: "error: the worker is shutting down" } });
  });
});
