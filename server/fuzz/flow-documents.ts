import fc from "fast-check";
import { nodeRegistry } from "../../nodes/registry";
import { FLOW_SCHEMA_TAG } from "../../nodes/_core/flow-document";
import { hostileJson, hostileJsonObject, hostileNumber, hostileObjectOf, hostileString } from "./hostile";

/**
 * Flow documents for the fuzz properties: mostly well formed (real node types, ids that edges can find) so the
 * checks beyond the schema are reached, with hostile values where a person could type anything.
 */
const ids = ["start", "a", "b", "c", "d"];
/** Mostly the expected kind of value, sometimes a hostile one. */
const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown> = hostileJson) => fc.oneof({ weight: 20, arbitrary: usual }, { weight: 1, arbitrary: odd });
const nodeId = mostly(fc.constantFrom(...ids), hostileString);
const nodeType = mostly(fc.constantFrom(...nodeRegistry.keys()), fc.oneof(fc.constantFrom("acme.nothing", "core", ""), hostileString));
const port = mostly(fc.constantFrom("out", "in", "error", "true", "false", "a", "b"), hostileString);
const position = mostly(fc.record({ x: fc.integer({ min: -5000, max: 5000 }), y: fc.integer({ min: -5000, max: 5000 }) }), fc.oneof(fc.record({ x: hostileNumber, y: hostileNumber }), hostileJson));

/** A node config: what its form would hold, with hostile strings and expressions in it. */
const config = fc.oneof(
  fc.constant({}),
  fc.record({ fields: fc.array(fc.record({ name: mostly(fc.constantFrom("out", "a.b", "x"), hostileString), value: fc.oneof(hostileString, hostileJson) }), { maxLength: 3 }) }),
  fc.record({ path: mostly(fc.constantFrom("fuzz", "orders/new"), hostileString), methods: mostly(fc.constant(["POST"])) }, { requiredKeys: [] }),
  fc.record({ ms: hostileNumber, url: hostileString, code: hostileString, expression: hostileString }, { requiredKeys: [] }),
  hostileJsonObject,
);

const node = fc.record(
  {
    type: nodeType,
    typeVersion: mostly(fc.constant(1), hostileNumber),
    position,
    config: mostly(config),
    credentials: mostly(fc.constant({}), hostileObjectOf(fc.oneof(fc.record({ name: hostileString }), hostileJson))),
    disabled: mostly(fc.boolean()),
    onError: mostly(fc.constantFrom("stop", "continue", "errorPort"), hostileString),
    retry: mostly(fc.record({ maxAttempts: fc.integer({ min: 1, max: 10 }), backoffMs: fc.integer({ min: 0, max: 5000 }) })),
    timeoutMs: mostly(fc.integer({ min: 1, max: 86_400_000 }), hostileNumber),
  },
  { requiredKeys: ["type", "position"] },
);

/** Nodes with the ids edges name and names of their own, now and then a hostile id or name. */
const nodes = fc
  .array(fc.tuple(node, mostly(fc.constant(null), nodeId), mostly(fc.constant(null), hostileString)), { maxLength: 5 })
  .map((list) => list.map(([n, id, name], i) => ({ ...n, id: id ?? ids[i]!, name: name ?? `Node ${i}` })));

/** Edges between the nodes there are (else between any ids), now and then with a hostile end or port. */
const edgeSpecs = fc.array(
  fc.record({ from: fc.nat(), to: fc.nat(), source: mostly(fc.constant(null), nodeId), target: mostly(fc.constant(null), nodeId), sourcePort: port, targetPort: port }, { requiredKeys: ["from", "to", "source", "target"] }),
  { maxLength: 5 },
);

const nodesAndEdges = fc.tuple(nodes, edgeSpecs).map(([list, specs]) => ({
  nodes: list,
  edges: list.length < 2 ? [] : specs.map(({ from, to, source, target, ...ports }, i) => {
    const a = from % list.length;
    const b = (a + 1 + (to % (list.length - 1))) % list.length;
    return { id: `e${i}`, source: source ?? list[a]!.id, target: target ?? list[b]!.id, ...ports };
  }),
}));

/** A flow document as an editor, an import file or an attacker might send it. */
export const flowDocumentLike: fc.Arbitrary<unknown> = mostly(
  fc.record(
    {
      schema: mostly(fc.constant(FLOW_SCHEMA_TAG)),
      graph: nodesAndEdges,
      notes: fc.array(fc.record({ id: fc.constantFrom("n1", "n2"), text: hostileString.map((t) => t.slice(0, 10_000)), position }), { maxLength: 1 }),
      settings: mostly(fc.record({ timezone: mostly(fc.constantFrom("UTC", "Europe/Warsaw"), hostileString), keepRuns: mostly(fc.constantFrom("all", "none"), hostileString) }, { requiredKeys: [] })),
      pinData: mostly(fc.dictionary(fc.constantFrom(...ids), fc.array(fc.record({ json: hostileJsonObject }), { maxLength: 2 }), { maxKeys: 2 }), hostileObjectOf(hostileJson)),
    },
    { requiredKeys: ["schema", "graph"] },
  ).map(({ graph, ...rest }) => ({ ...rest, ...graph })),
);

/**
 * A document that runs (a manual trigger, then a Set node) carrying hostile values where they are allowed: the
 * Set node's fields, the node names, a sticky note and pinned data. What the checks accept must be storable.
 */
export const runnableFlowDocument: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    name: hostileString.filter((name) => name.trim().length > 0 && name.length <= 120),
    value: fc.oneof(hostileString.filter((v) => !v.includes("{{")), hostileJson),
    note: hostileString.map((text) => text.slice(0, 10_000)),
    pinned: hostileJsonObject,
  })
  .map(({ name, value, note, pinned }) => ({
    schema: FLOW_SCHEMA_TAG,
    nodes: [
      { id: "start", type: "core.manual-trigger", name: "Start", position: { x: 0, y: 0 } },
      { id: "tag", type: "core.set", name: name.trim() === "Start" ? "Tag" : name, position: { x: 200, y: 0 }, config: { fields: [{ name: "got", value }] } },
    ],
    edges: [{ id: "e1", source: "start", target: "tag" }],
    notes: [{ id: "note", text: note, position: { x: 0, y: 200 } }],
    pinData: { tag: [{ json: pinned }] },
  }));
