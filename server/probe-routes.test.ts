import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "./db/test-databases";
import { probeRoutes } from "./probe-routes";
import { startTestRuntime } from "./test-runtime";
import type { Runtime } from "../runner/runtime";

describe("the web process's probes, answered before Next.js", () => {
  const database = useTestDatabase("pglite");
  let runtime: Runtime;
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
    const probes = probeRoutes({ prefix: "/api", connect: async () => database.db, mode: "embedded", runtime, metricsToken: "a-token-of-sixteen-chars" });
    // Whatever the probes leave is what Next.js would get.
    server = http.createServer((request, response) => probes(request, response) || response.writeHead(418).end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await runtime?.close();
  });

  const call = async (path: string, init?: RequestInit) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, init);
    return { status: response.status, body: await response.text() };
  };

  it("answers health, readiness and metrics (with the token) under /api", async () => {
    const health = await call("/api/health?probe=1");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: "ok", db: "ok", mode: "embedded" });
    expect(JSON.parse((await call("/api/ready")).body)).toEqual({ status: "ready", checks: { db: "ok", migrations: "ok" } });
    expect((await call("/api/metrics")).status).toBe(401);
    const metrics = await call("/api/metrics", { headers: { authorization: "Bearer a-token-of-sixteen-chars" } });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain("streamware_");
  });

  it("leaves every other request to what comes after", async () => {
    expect((await call("/api/healthz")).status).toBe(418);
    expect((await call("/health")).status).toBe(418);
    expect((await call("/api/health", { method: "POST" })).status).toBe(418);
  });
});
