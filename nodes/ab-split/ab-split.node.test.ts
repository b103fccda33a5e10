import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDb, type DbConnection } from "../../server/db/connect";
import { createTestDatabase, databaseKinds } from "../../server/db/test-databases";
import { signInAs } from "../../server/routers/test-helpers";
import { experimentStore } from "../../server/services/ab-test-service";
import type { Db } from "../../server/db";
import { NodeConfigError } from "../_kit/errors";
import type { Item, PortItems } from "../_kit/items";
import { runNode } from "../../runner/node-testing";
import { abGoalNode } from "./ab-goal.node";
import { abSplitNode } from "./ab-split.node";
import { hashPoint, variantAt } from "./assignment";

const variants = [
  { name: "control", weight: 50 },
  { name: "green", weight: 30 },
  { name: "red", weight: 20 },
];
const visitors = (keys: (string | number)[]): Item[] => keys.map((userId) => ({ json: { body: { userId } } }));
const keyRange = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `user-${from + i}`);

/** Which variant each key went to, from the items on each port. */
function assignments(output: PortItems): Map<string, string> {
  const found = new Map<string, string>();
  for (const [port, items] of Object.entries(output)) {
    for (const item of items) {
      const ab = item.json.ab as { variant: string; key: string };
      expect(ab.variant).toBe(port);
      found.set(ab.key, port);
    }
  }
  return found;
}

async function stats(db: Db, flowId: string, experiment: string) {
  const rows = await db.abVariantStat.findMany({ where: { flowId, experiment }, select: { variant: true, exposures: true, conversions: true }, orderBy: { variant: "asc" } });
  return Object.fromEntries(rows.map((r) => [r.variant, { exposures: Number(r.exposures), conversions: Number(r.conversions) }]));
}

describe("ab.split: config and ports", () => {
  const parse = (config: Record<string, unknown>) => abSplitNode.config.safeParse(config);
  const messages = (config: Record<string, unknown>) => {
    const parsed = parse(config);
    expect(parsed.success).toBe(false);
    return parsed.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };
  const base = { experiment: "checkout", key: "{{ body.userId }}", variants };

  it("has one output per variant, named after it", () => {
    expect(abSplitNode.outputsFor(abSplitNode.config.parse(base))).toEqual(["control", "green", "red"]);
    expect(abSplitNode.dynamicPorts).toBe(true);
  });

  it("refuses zero weights, all-zero weights, duplicate names and an unknown control, saying what to fix", () => {
    expect(messages({ ...base, variants: [{ name: "a", weight: 1 }, { name: "b", weight: 0 }] })).toEqual([
      'variants.1.weight: variant "b" has weight 0; give it a weight above 0 or remove it',
    ]);
    expect(messages({ ...base, variants: [{ name: "a", weight: 0 }, { name: "b", weight: 0 }] })).toEqual([
      "variants: every weight is 0; give the variants weights above 0, such as 50 and 50",
    ]);
    expect(messages({ ...base, variants: [{ name: "a", weight: 1 }, { name: "a", weight: 2 }] })).toEqual(['variants.1.name: "a" names two variants; names must differ']);
    expect(messages({ ...base, control: "blue" })).toEqual(['control: the control "blue" is not one of the variants (control, green, red)']);
    expect(messages({ ...base, variants: [{ name: "a", weight: -1 }, { name: "b", weight: 1 }] })).toEqual(["variants.0.weight: a weight cannot be negative"]);
    expect(messages({ ...base, variants: [{ name: "only", weight: 1 }] })).toEqual(["variants: an experiment needs at least two variants"]);
    expect(messages({ ...base, variants: [{ name: "error", weight: 1 }, { name: "b", weight: 1 }] })).toEqual([
      'variants.0.name: "error" is the name of the error output; pick another variant name',
    ]);
    expect(messages({ ...base, variants: [{ name: "with space", weight: 1 }, { name: "b", weight: 1 }] })[0]).toContain("variants.0.name: a variant name is 1–64 letters");
    expect(messages({ ...base, experiment: " " })).toEqual(["experiment: name the experiment"]);
  });
});

describe.each(databaseKinds)("ab.split and ab.goal on %s", (kind) => {
  let connection: DbConnection;
  let db: Db;
  let workspaceId: string;
  let flowId: string;
  let otherFlowId: string;
  let strangerFlowId: string;
  let strangerWorkspaceId: string;

  beforeAll(async () => {
    connection = await createTestDatabase(kind);
    db = connection.db;
    const owner = await signInAs({ db, name: "Owner" });
    workspaceId = owner.workspace.id;
    flowId = (await owner.caller.flow.create({ workspaceId, name: "Shop" })).id;
    otherFlowId = (await owner.caller.flow.create({ workspaceId, name: "Checkout" })).id;
    const stranger = await signInAs({ db, name: "Stranger" });
    strangerWorkspaceId = stranger.workspace.id;
    strangerFlowId = (await stranger.caller.flow.create({ workspaceId: strangerWorkspaceId, name: "Theirs" })).id;
  });
  afterAll(() => connection?.close());

  const split = (options: { db?: Db; flow?: string; input: Item[]; config?: Record<string, unknown> }) =>
    runNode(abSplitNode, {
      input: options.input,
      config: { experiment: "checkout", key: "{{ body.userId }}", variants, ...options.config },
      experiments: experimentStore({ db: options.db ?? db, workspaceId, flowId: options.flow ?? flowId }),
    });
  const goal = (options: { input: Item[]; config?: Record<string, unknown>; flow?: string }) =>
    runNode(abGoalNode, {
      input: options.input,
      config: { experiment: "checkout", key: "{{ body.userId }}", ...options.config },
      experiments: experimentStore({ db, workspaceId, flowId: options.flow ?? flowId }),
    });

  it("sends each item to its key's hashed variant, counts each key once, and keeps it there run after run", async () => {
    const keys = keyRange(0, 500);
    const first = assignments((await split({ input: visitors(keys) })).output);
    for (const key of keys) expect(first.get(key)).toBe(variantAt({ variants, point: hashPoint({ experiment: "checkout", key }) }));
    const counts = { control: 0, green: 0, red: 0 } as Record<string, number>;
    for (const v of first.values()) counts[v]!++;

    // Again, in another order, with repeats in one batch: the same variants, and no new exposures.
    const again = assignments((await split({ input: visitors([...keys].reverse().concat(keys.slice(0, 50))) })).output);
    expect(again).toEqual(first);
    expect(await stats(db, flowId, "checkout")).toEqual(Object.fromEntries(Object.entries(counts).map(([v, n]) => [v, { exposures: n, conversions: 0 }])));
  });

  it("random assignment is sticky too: a key keeps the variant it first drew", async () => {
    const keys = keyRange(0, 300);
    const config = { experiment: "random-banner", assignment: "random" };
    const first = assignments((await split({ input: visitors(keys), config })).output);
    expect(new Set(first.values())).toEqual(new Set(["control", "green", "red"]));
    for (let round = 0; round < 3; round++) expect(assignments((await split({ input: visitors(keys), config })).output)).toEqual(first);
    const total = Object.values(await stats(db, flowId, "random-banner")).reduce((sum, s) => sum + s.exposures, 0);
    expect(total).toBe(300);
  });

  it("after a weight change, known keys keep their variant, new keys follow the new weights, removed variants' keys move", async () => {
    const config = { experiment: "reweighted" };
    const early = keyRange(0, 400);
    const before = assignments((await split({ input: visitors(early), config })).output);

    const reweighted = [
      { name: "control", weight: 10 },
      { name: "green", weight: 90 },
    ];
    const late = keyRange(400, 800);
    const after = assignments((await split({ input: visitors([...early, ...late]), config: { ...config, variants: reweighted } })).output);
    for (const key of early) {
      const was = before.get(key)!;
      // "red" is gone: its keys are dealt again by the new weights; the others stay where they were.
      expect(after.get(key)).toBe(was === "red" ? variantAt({ variants: reweighted, point: hashPoint({ experiment: "reweighted", key }) }) : was);
    }
    for (const key of late) expect(after.get(key)).toBe(variantAt({ variants: reweighted, point: hashPoint({ experiment: "reweighted", key }) }));

    const moved = early.filter((key) => before.get(key) === "red").length;
    const counted = await stats(db, flowId, "reweighted");
    const sum = (s: Record<string, { exposures: number }>) => Object.values(s).reduce((n, v) => n + v.exposures, 0);
    // Every first sight and every move is an exposure; red keeps the counts it had.
    expect(sum(counted)).toBe(800 + moved);
    expect(counted.red!.exposures).toBe(moved);
    const experiment = await db.abExperiment.findFirstOrThrow({ where: { flowId, name: "reweighted" }, select: { variants: true, control: true } });
    expect(experiment).toEqual({ variants: reweighted, control: "control" });
  });

  it("refuses an item without a key, naming the field and what to check", async () => {
    const error = await split({ input: [{ json: { body: { userId: "u-1" } } }, { json: { body: {} } }], config: { experiment: "keyless" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeConfigError);
    expect((error as Error).message).toMatch(/Key: the key must be a non-empty text .* check that its expression finds a value in every item/);
    expect(await db.abExperiment.count({ where: { name: "keyless" } })).toBe(0);
  });

  it("ab.goal counts a key's conversion once, for its variant; unknown keys pass uncounted", async () => {
    const config = { experiment: "goals" };
    const keys = keyRange(0, 40);
    const assigned = assignments((await split({ input: visitors(keys), config })).output);
    const { items } = await goal({ input: visitors(["user-1", "user-2", "user-1", "nobody", 7]), config });
    expect(items.map((i) => i.json.ab)).toEqual([
      { experiment: "goals", key: "user-1", variant: assigned.get("user-1"), counted: true },
      { experiment: "goals", key: "user-2", variant: assigned.get("user-2"), counted: true },
      { experiment: "goals", key: "user-1", variant: assigned.get("user-1"), counted: false },
      { experiment: "goals", key: "nobody", variant: null, counted: false },
      { experiment: "goals", key: "7", variant: null, counted: false },
    ]);
    const again = await goal({ input: visitors(["user-2"]), config });
    expect(again.items[0]!.json.ab).toEqual({ experiment: "goals", key: "user-2", variant: assigned.get("user-2"), counted: false });
    const conversions = Object.values(await stats(db, flowId, "goals")).reduce((n, s) => n + s.conversions, 0);
    expect(conversions).toBe(2);
  });

  it("ab.goal reaches another flow's experiment of the same workspace, and no other workspace's", async () => {
    await split({ input: visitors(["user-9"]), config: { experiment: "cross" }, flow: otherFlowId });
    const { items } = await goal({ input: visitors(["user-9"]), config: { experiment: "cross", flowId: otherFlowId } });
    expect(items[0]!.json.ab).toMatchObject({ key: "user-9", counted: true });

    // The stranger's flow has an experiment of that name, with user-9 in it: still out of reach.
    await runNode(abSplitNode, {
      input: visitors(["user-9"]),
      config: { experiment: "cross", key: "{{ body.userId }}", variants },
      experiments: experimentStore({ db, workspaceId: strangerWorkspaceId, flowId: strangerFlowId }),
    });
    const error = await goal({ input: visitors(["user-9"]), config: { experiment: "cross", flowId: strangerFlowId } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeConfigError);
    expect((error as Error).message).toBe(
      `Experiment "cross" does not exist in flow "${strangerFlowId}" of this workspace: it is created when its A/B split node first runs; check that the names match`,
    );
    expect(Object.values(await stats(db, strangerFlowId, "cross")).map((s) => s.conversions)).toEqual([0]);
    const typo = await goal({ input: visitors(["user-9"]), config: { experiment: "crosss" } }).catch((e: unknown) => e);
    expect((typo as Error).message).toMatch(/^Experiment "crosss" does not exist in this flow/);
  });
});

describe("ab.split after a restart", () => {
  let connection: DbConnection;

  beforeAll(async () => {
    connection = await createTestDatabase("postgres");
  });
  afterAll(() => connection?.close());

  it("finds the same variants through a new connection, for hashed and random assignment", async () => {
    const owner = await signInAs({ db: connection.db, name: "Owner" });
    const workspaceId = owner.workspace.id;
    const flowId = (await owner.caller.flow.create({ workspaceId, name: "Shop" })).id;
    const keys = keyRange(0, 200);
    const split = (db: Db, assignment: string) =>
      runNode(abSplitNode, {
        input: visitors(keys),
        config: { experiment: `restart-${assignment}`, key: "{{ body.userId }}", variants, assignment },
        experiments: experimentStore({ db, workspaceId, flowId }),
      });
    const before = [assignments((await split(connection.db, "hash")).output), assignments((await split(connection.db, "random")).output)];
    const restarted = await connectDb(connection.target);
    try {
      const after = [assignments((await split(restarted.db, "hash")).output), assignments((await split(restarted.db, "random")).output)];
      expect(after).toEqual(before);
    } finally {
      await restarted.close();
    }
  });
});
