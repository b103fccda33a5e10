import { describe, expect, it } from "vitest";
import { migrateTransferFile, transferFileKind, WORKSPACE_BUNDLE_TAG, workspaceBundleMigrations, workspaceBundleSchema } from "./transfer-files";

describe("transfer files", () => {
  it("tells our files apart by their schema tag", () => {
    expect(transferFileKind({ schema: WORKSPACE_BUNDLE_TAG })).toBe("workspace");
    expect(transferFileKind({ schema: "streamware.flow-export/1" })).toBe("flow-export");
    expect(transferFileKind({ schema: "streamware.flow/1" })).toBeNull();
    expect(transferFileKind([{ schema: WORKSPACE_BUNDLE_TAG }])).toBeNull();
  });

  it("takes an older bundle up through its named steps, and refuses a newer one or one with no step, saying what to do", () => {
    const steps = { 1: (file: Record<string, unknown>) => ({ ...file, flows: file.flowList, flowList: undefined }) };
    const old = { schema: "streamware.workspace/1", flowList: [] };
    expect(migrateTransferFile({ file: old, kind: "streamware.workspace", current: 2, migrations: steps })).toEqual({
      ok: true,
      file: { schema: "streamware.workspace/2", flows: [], flowList: undefined },
    });
    expect(migrateTransferFile({ file: old, kind: "streamware.workspace", current: 2, migrations: {} })).toEqual({
      ok: false,
      message: 'schema: "streamware.workspace/1" is an old version this Streamware no longer reads (it reads streamware.workspace/2).',
    });
    const newer = migrateTransferFile({ file: { schema: "streamware.workspace/7" }, kind: "streamware.workspace", current: 1, migrations: workspaceBundleMigrations });
    expect(newer).toEqual({ ok: false, message: expect.stringContaining('"streamware.workspace/7" was written by a newer Streamware; this one reads streamware.workspace up to version 1') });
  });

  it("refuses a bundle whose flows share an id, or whose live version is not among its versions, naming where", () => {
    const flow = { id: "f1", name: "A", draft: {}, versions: [{ number: 1, document: {} }], activeVersion: 2 };
    const parsed = workspaceBundleSchema.safeParse({ schema: WORKSPACE_BUNDLE_TAG, workspace: { name: "W" }, flows: [flow, { ...flow, name: "B", activeVersion: 1 }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["flows.0.activeVersion", "the live version 2 is not among the flow's versions"],
      ["flows.1.id", 'the flow id "f1" is also the id of flows[0]; each flow needs its own'],
    ]);
  });
});
