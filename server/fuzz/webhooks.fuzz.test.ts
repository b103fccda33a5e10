import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { Redis } from "ioredis";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../runner/runtime";
import { startTestRuntime, testRedisUrlFor } from "../test-runtime";
import { useTestDatabase } from "../db/test-databases";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { signInAs } from "../routers/test-helpers";
import { activationService } from "../services/activation-service";
import { flowService } from "../services/flow-service";
import { expectWords, fuzzSettings, hostileJson, hostileKey, hostileString } from "./hostile";
import { webhookUrlPath } from "../../nodes/_core/webhook-url";
import { storedState } from "./stored-state";

const redisUrl = testRedisUrlFor(14);
const TOKEN = "fuzz-token-0123456789";

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP/1.1 request written byte for byte, so headers may hold what fetch refuses to send; resolves with the
 * answer once the server closes the connection, or rejects when it closed without one.
 */
function rawRequest({ port, head, body }: { port: number; head: string; body: Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    // The server may close while the body is still being written (413): the answer already read counts.
    socket.on("error", () => undefined);
    socket.on("close", () => {
      let text = Buffer.concat(chunks).toString("latin1");
      // Skip interim answers (100 Continue).
      while (/^HTTP\/1\.[01] 1\d\d /.test(text) && text.includes("\r\n\r\n")) text = text.slice(text.indexOf("\r\n\r\n") + 4);
      const match = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
      if (!match) return reject(new Error(`the server closed the connection without an answer (read: ${JSON.stringify(text.slice(0, 200))})`));
      const headers = Object.fromEntries(match[2]!.split("\r\n").filter(Boolean).map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
      resolve({ status: Number(match[1]), headers, body: Buffer.from(match[3]!, "latin1").toString("utf8") });
    });
    // Not end(): the server drops a connection the client half-closed before it answered. It closes this one
    // itself once it has answered (Connection: close).
    socket.write(Buffer.concat([Buffer.from(head, "utf8"), body]));
  });
}

/** Headers that frame the request itself; hostile ones would test our client, not the webhook. */
const framing = /^(content-length|transfer-encoding|connection|host|expect|upgrade)$/i;
const headerName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("x-fuzz", "x-streamware-token", "content-type", "authorization", "x-signature", "cookie", "user-agent", "__proto__", "constructor") },
  { weight: 1, arbitrary: hostileKey },
).filter((name) => !framing.test(name.trim()));
const headerValue = fc.oneof(hostileString, fc.constant(TOKEN), fc.constant(`Bearer ${TOKEN}`)).map((value) => value.replace(/[\r\n]/g, " "));

const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("application/json", "application/json; charset=utf-8", "application/vnd.api+json") },
  { weight: 2, arbitrary: fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "multipart/form-data", "application/octet-stream", "") },
  { weight: 1, arbitrary: hostileString.map((value) => value.replace(/[\r\n]/g, " ")) },
);

const body = fc.oneof(
  { weight: 4, arbitrary: hostileJson.map((value) => Buffer.from(JSON.stringify(value) ?? "", "utf8")) },
  { weight: 1, arbitrary: hostileString.map((text) => Buffer.from(text, "utf8")) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }).map((depth) => Buffer.from(`${'{"a":'.repeat(depth)}"\\u0000"${"}".repeat(depth)}`)) },
);

const request = fc.record({
  hook: fc.constantFrom("fuzz/any", "fuzz/echo", "fuzz/token"),
  method: fc.oneof({ weight: 6, arbitrary: fc.constant("POST") }, { weight: 1, arbitrary: fc.constantFrom("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "FUZZ") }),
  query: fc.oneof(fc.constant(""), fc.array(fc.tuple(hostileString, hostileString), { maxLength: 3 }).map((pairs) => `?${new URLSearchParams(pairs).toString()}`), fc.constantFrom("?%", "?a=%E0%A4%A", "?__proto__=1&constructor=2")),
  contentType,
  // Mostly none: a hostile header is often refused by Node's parser (400, 431) before our handler sees it.
  headers: fc.oneof({ weight: 2, arbitrary: fc.constant<[string, string][]>([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(headerName, headerValue), { minLength: 1, maxLength: 4 }) }),
  body,
});

describe("webhooks under fuzz: a real server on PostgreSQL + Redis", () => {
  const database = useTestDatabase("postgres");
  let web: Runtime;
  let server: Server;
  let port: number;
  let flowIds: Record<string, string>;
  let credentialId: string;
  let workspaceSlug: string;

  beforeAll(async () => {
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    redis.disconnect();
    // No worker: a run answered with 202 stays queued, which is all "the run id given is stored" needs.
    web = await startTestRuntime({ db: database.db, redis: redisUrl, env: { WEBHOOK_RATE_LIMIT: "0" } });
    const owner = await signInAs({ db: database.db, name: "Hooks" });
    workspaceSlug = owner.workspace.slug;
    const scope = { db: database.db, userId: owner.user.id, workspaceId: owner.workspace.id };
    credentialId = (await owner.caller.credential.create({ workspaceId: owner.workspace.id, name: "Fuzz token", type: "webhook.secret", data: { secret: TOKEN } })).id;
    const hooks = {
      "fuzz/any": { config: { path: "fuzz/any", methods: ["POST", "PUT"] }, credentials: {} },
      "fuzz/echo": { config: { path: "fuzz/echo", respond: "lastNode", timeoutMs: 5000 }, credentials: {} },
      "fuzz/token": { config: { path: "fuzz/token", authentication: "headerToken" }, credentials: { "webhook.secret": { name: "Fuzz token" } } },
    };
    flowIds = {};
    for (const [path, hook] of Object.entries(hooks)) {
      const document = {
        schema: FLOW_SCHEMA_TAG,
        nodes: [
          { id: "hook", type: "core.webhook", name: "Hook", position: { x: 0, y: 0 }, ...hook },
          { id: "echo", type: "core.set", name: "Echo", position: { x: 200, y: 0 }, config: { fields: [{ name: "got", value: "{{ body }}" }, { name: "headers", value: "{{ headers }}" }], keepOnlySet: true } },
        ],
        edges: [{ id: "e1", source: "hook", target: "echo" }],
      };
      const flow = await flowService.create({ ...scope, name: path, document });
      await flowService.saveVersion({ ...scope, flowId: flow.id, document, message: "" });
      await activationService.activate({ ...scope, flowId: flow.id });
      await web.triggersChanged(flow.id);
      flowIds[path] = flow.id;
    }
    server = createServer((req, res) => {
      if (!web.webhooks!.handle(req, res)) res.writeHead(418).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await web?.close();
  });

  const snapshot = async () => Promise.all(Object.values(flowIds).map((flowId) => storedState({ db: database.db, flowId, credentialId })));

  it("answers any request in words; a run id it gives is a stored run of that flow; nothing stored changes", async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(request, async ({ hook, method, query, contentType: type, headers, body: payload }) => {
        const head = [
          `${method} ${webhookUrlPath({ workspaceSlug, path: hook })}${query} HTTP/1.1`,
          "Host: fuzz.test",
          `Content-Type: ${type}`,
          ...headers.map(([name, value]) => `${name}: ${value}`),
          `Content-Length: ${payload.length}`,
          "Connection: close",
          "",
          "",
        ].join("\r\n");
        const answer = await rawRequest({ port, head, body: payload });
        let json: { runId?: unknown; error?: unknown } = {};
        try {
          json = JSON.parse(answer.body) as typeof json;
        } catch {
          // A 200 from the echo flow may answer any JSON; a refusal always answers an object with `error`.
        }
        const runId = typeof json.runId === "string" ? json.runId : answer.headers["x-streamware-run-id"];
        if (runId) {
          // Stored: either queued for a worker, or run here to its end.
          const run = await database.db.run.findUnique({ where: { id: runId }, select: { flowId: true } });
          expect(run, `the answer ${answer.status} names run ${runId}, which is not stored`).toEqual({ flowId: flowIds[hook] });
        }
        if (answer.status >= 400) {
          if (typeof json.error === "string") expectWords(json.error);
          // A server error is only ever a flow's own failure, named by its run: never the handler breaking.
          if (answer.status >= 500) expect(runId, `${answer.status} without a run: ${answer.body.slice(0, 300)}`).toBeTruthy();
        }
      }),
      fuzzSettings(200),
    );
    expect(await snapshot()).toEqual(before);
  });
});
