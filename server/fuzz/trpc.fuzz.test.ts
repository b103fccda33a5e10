import { TRPCError } from "@trpc/server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentialRegistry } from "../../nodes/registry";
import type { Runtime } from "../../runner/runtime";
import { startTestRuntime } from "../test-runtime";
import { useTestDatabase } from "../db/test-databases";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { appRouter } from "../routers/_app";
import { signInAs } from "../routers/test-helpers";
import { flowDocumentLike, runnableFlowDocument } from "./flow-documents";
import { expectWords, fuzzSettings, hostileJson, hostileJsonObject, hostileNumber, hostileString } from "./hostile";
import { storedState } from "./stored-state";

type Caller = Awaited<ReturnType<typeof signInAs>>["caller"];
type Procedure = (input: unknown) => Promise<unknown>;

/**
 * Calls that succeed by removing what they name: a valid one would take the flow, credential or member the other
 * calls aim at. Their inputs are ids only, which the tenancy tests try.
 */
const destructive = new Set(["flow.delete", "credential.delete", "workspace.removeMember"]);

/** Every procedure but those, with the keys its input object has. */
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { inputs: { shape?: Record<string, unknown> }[] } }>)
  .filter(([path]) => !destructive.has(path))
  .map(([path, procedure]) => ({ path, keys: procedure._def.inputs.flatMap((input) => Object.keys(input.shape ?? {})) }))
  .sort((a, b) => a.path.localeCompare(b.path));

const runnable = {
  schema: FLOW_SCHEMA_TAG,
  nodes: [
    { id: "start", name: "Start", type: "core.manual-trigger", position: { x: 0, y: 0 } },
    { id: "tag", name: "Tag", type: "core.set", position: { x: 200, y: 0 }, config: { fields: [{ name: "seen", value: "{{ $json }}" }] } },
  ],
  edges: [{ id: "e1", source: "start", target: "tag" }],
};

describe("tRPC procedures under fuzz, against PostgreSQL", () => {
  const database = useTestDatabase("postgres");
  let runtime: Runtime;
  let caller: Caller;
  let ids: { workspaceId: string; foreignWorkspaceId: string; flowId: string; credentialId: string; runId: string };

  beforeAll(async () => {
    runtime = await startTestRuntime({ db: database.db });
    const owner = await signInAs({ db: database.db, name: "Fuzzer" });
    const stranger = await signInAs({ db: database.db, name: "Stranger" });
    caller = owner.caller;
    const workspaceId = owner.workspace.id;
    const flow = await caller.flow.create({ workspaceId, name: "Victim", document: runnable });
    await caller.flow.saveVersion({ workspaceId, flowId: flow.id, document: runnable, message: "v1" });
    const credential = await caller.credential.create({ workspaceId, name: "Vault", type: "http.header-auth", data: { name: "X-Token", value: "t0ken" } });
    const { runId } = await caller.run.start({ workspaceId, flowId: flow.id, input: { n: 1 } });
    ids = { workspaceId, foreignWorkspaceId: stranger.workspace.id, flowId: flow.id, credentialId: credential.id, runId };
  });
  afterAll(() => runtime?.close());

  /** A value for an input key: the real ids the caller may use, or what a hostile client might send instead. */
  function valueFor(key: string): fc.Arbitrary<unknown> {
    const real = (value: () => string) => fc.oneof({ weight: 4, arbitrary: fc.constant(null).map(value) }, { weight: 1, arbitrary: hostileString });
    switch (key) {
      case "workspaceId":
        return fc.oneof({ weight: 6, arbitrary: real(() => ids.workspaceId) }, { weight: 1, arbitrary: fc.constant(null).map(() => ids.foreignWorkspaceId) });
      case "flowId":
        return real(() => ids.flowId);
      case "credentialId":
        return real(() => ids.credentialId);
      case "runId":
        return real(() => ids.runId);
      case "document":
        return fc.oneof(runnableFlowDocument, flowDocumentLike);
      case "data":
      case "config":
        return hostileJsonObject;
      case "type":
        return fc.oneof(fc.constantFrom(...credentialRegistry.keys()), hostileString);
      case "number":
      case "versionNumber":
      case "limit":
        return fc.oneof(fc.nat({ max: 5 }), hostileNumber, hostileJson);
      default:
        return fc.oneof(hostileString, hostileJson);
    }
  }

  /** Inputs shaped like the procedure's (its keys, each plausible or hostile), or any JSON at all. */
  const calls = fc.oneof(
    ...procedures.map(({ path, keys }) =>
      fc.tuple(
        fc.constant(path),
        fc.oneof(
          { weight: 4, arbitrary: fc.record(Object.fromEntries(keys.map((key) => [key, valueFor(key)])), { requiredKeys: [] }) },
          { weight: 1, arbitrary: hostileJson },
        ),
      ),
    ),
  );

  it("answer any input with a result or a coded error in words, never a 500, and a refused call changes nothing stored", async () => {
    let before = await storedState({ db: database.db, flowId: ids.flowId, credentialId: ids.credentialId });
    await fc.assert(
      fc.asyncProperty(calls, async ([path, input]) => {
        const procedure = path.split(".").reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], caller) as Procedure;
        const outcome = await procedure(input).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        const after = await storedState({ db: database.db, flowId: ids.flowId, credentialId: ids.credentialId });
        if (outcome.ok) {
          // A run id given is one that is stored.
          const runId = (outcome.value as { runId?: unknown } | null)?.runId;
          if (path === "run.start") expect(await database.db.run.findUnique({ where: { id: String(runId) }, select: { flowId: true } })).toEqual({ flowId: ids.flowId });
          before = after;
          return;
        }
        expect(outcome.error).toBeInstanceOf(TRPCError);
        const error = outcome.error as TRPCError;
        expect(error.code, `${path} answered ${error.code}: ${error.message.slice(0, 500)}`).not.toBe("INTERNAL_SERVER_ERROR");
        expectWords(error.message);
        expect(after).toBe(before);
      }),
      fuzzSettings(300),
    );
  });
});
