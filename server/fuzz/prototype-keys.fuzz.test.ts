import { TRPCError } from "@trpc/server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../runner/runtime";
import { startTestRuntime, serveWebhooks, type WebhookServer } from "../test-runtime";
import { useTestDatabase } from "../db/test-databases";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { storableJson } from "../../nodes/_core/json-check";
import { signInAs } from "../routers/test-helpers";
import { activationService } from "../services/activation-service";
import { flowService } from "../services/flow-service";
import { expectWords, fuzzSettings, hostileJson, objectOf } from "./hostile";

type Owner = Awaited<ReturnType<typeof signInAs>>;

/**
 * A JSON value with an own `__proto__` key somewhere inside, as JSON.parse makes it from a request. A key like
 * that must be kept when stored, or refused in words; never dropped without a word, never a 500.
 */
const withPrototypeKey: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.constantFrom<unknown>(null, {}, [], "x", 1, objectOf([["__proto__", null]])), fc.array(fc.constantFrom("a", "0", "b"), { maxLength: 4 }), hostileJson)
  .map(([value, path, beside]) => {
    let inner: unknown = objectOf([["__proto__", value], ["beside", beside]]);
    for (const key of path.reverse()) inner = key === "0" ? [inner] : objectOf([[key, inner]]);
    return objectOf([["data", inner]]);
  });

/** Plain JSON as a client sends it, so the comparison is on what was sent. */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
/** As a run keeps it: NUL and lone surrogates become U+FFFD there, by design. */
const asRunData = (value: unknown): unknown => JSON.parse(storableJson(JSON.stringify(value)));

describe("values holding a __proto__ key, at the boundaries that store them", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  let owner: Owner;
  let flowId: string;
  let server: WebhookServer;
  let base: string;

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db, env: { WEBHOOK_RATE_LIMIT: "0" } });
    owner = await signInAs({ db: database.db, name: "Proto" });
    const scope = { db: database.db, userId: owner.user.id, workspaceId: owner.workspace.id };
    const document = {
      schema: FLOW_SCHEMA_TAG,
      nodes: [
        { id: "start", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 } },
        { id: "hook", type: "core.webhook", name: "Hook", position: { x: 0, y: 200 }, config: { path: "proto" } },
      ],
      edges: [],
    };
    flowId = (await flowService.create({ ...scope, name: "Proto", document })).id;
    await flowService.saveVersion({ ...scope, flowId, document, message: "" });
    await activationService.activate({ ...scope, flowId });
    await runtime.triggersChanged(flowId);
    server = await serveWebhooks(runtime);
    base = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await runtime?.close();
  });

  /** The call's outcome: what it stored, or a refusal that must be a coded error in words. */
  async function storedOrRefused(call: Promise<unknown>): Promise<{ stored: true; value: unknown } | { stored: false }> {
    const outcome = await call.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    if (outcome.ok) return { stored: true, value: outcome.value };
    expect(outcome.error).toBeInstanceOf(TRPCError);
    const error = outcome.error as TRPCError;
    expect(error.code, `answered ${error.code}: ${error.message.slice(0, 300)}`).not.toBe("INTERNAL_SERVER_ERROR");
    expectWords(error.message);
    return { stored: false };
  }

  it("in a node's config, a draft keeps the key or is refused in words", async () => {
    await fc.assert(
      fc.asyncProperty(withPrototypeKey, async (config) => {
        const document = { schema: FLOW_SCHEMA_TAG, nodes: [{ id: "start", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 }, config }] };
        const ref = { workspaceId: owner.workspace.id, flowId };
        const saved = await storedOrRefused(owner.caller.flow.saveDraft({ ...ref, document }));
        if (saved.stored) expect((await owner.caller.flow.get(ref)).draft.nodes[0]!.config).toEqual(asJson(config));
      }),
      fuzzSettings(40),
    );
  });

  it("in a run's input, the run keeps the key or is refused in words", async () => {
    await fc.assert(
      fc.asyncProperty(withPrototypeKey, async (input) => {
        const started = await storedOrRefused(owner.caller.run.start({ workspaceId: owner.workspace.id, flowId, source: "active", input }));
        if (!started.stored) return;
        const { runId } = started.value as { runId: string };
        const run = await database.db.run.findUniqueOrThrow({ where: { id: runId }, select: { input: true } });
        expect(run.input).toEqual([{ json: asRunData(input) }]);
      }),
      fuzzSettings(40),
    );
  });

  it("in a webhook body, the server answers in words and the run keeps the key", async () => {
    await fc.assert(
      fc.asyncProperty(withPrototypeKey, async (body) => {
        const res = await fetch(`${base}/hooks/proto`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        const answer = (await res.json()) as { runId?: string; error?: string };
        if (res.status !== 202) {
          expect(res.status, `answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`).toBeLessThan(500);
          expectWords(String(answer.error));
          return;
        }
        const run = await database.db.run.findUniqueOrThrow({ where: { id: answer.runId! }, select: { input: true } });
        expect((run.input as { json: { body: unknown } }[])[0]!.json.body).toEqual(asRunData(body));
      }),
      fuzzSettings(40),
    );
  });
});
