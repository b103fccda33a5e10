import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { upgradeNodes } from "../../nodes/_core/node-upgrade";
import { nodeRegistry } from "../../nodes/registry";
import { useTestDatabase } from "../db/test-databases";
import { readImportFile } from "../flow-import";
import { signInAs } from "../routers/test-helpers";
import { flowService } from "../services/flow-service";
import { ServiceError } from "../services/service-error";
import { transferService } from "../services/transfer-service";
import { flowDocumentLike, runnableFlowDocument } from "./flow-documents";
import { expectWords, fuzzSettings, hostileJson, hostileString } from "./hostile";
import { storedState } from "./stored-state";

/** The text of an import file: an export, a bare document, or anything at all. */
const importText = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(runnableFlowDocument, flowDocumentLike).map((document) => JSON.stringify(document)) },
  { weight: 2, arbitrary: fc.record({ name: hostileString, document: fc.oneof(runnableFlowDocument, flowDocumentLike) }).map((exported) => JSON.stringify(exported)) },
  { weight: 1, arbitrary: hostileJson.map((value) => JSON.stringify(value) ?? "") },
  { weight: 1, arbitrary: hostileString },
);

/** Plain JSON as it was read back: -0 becomes 0, as jsonb keeps it. */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe("imports under fuzz, against PostgreSQL", () => {
  const database = useTestDatabase("postgres");
  let scope: { db: ReturnType<() => typeof database.db>; userId: string; workspaceId: string };
  let victim: string;

  beforeAll(async () => {
    const owner = await signInAs({ db: database.db, name: "Importer" });
    scope = { db: database.db, userId: owner.user.id, workspaceId: owner.workspace.id };
    victim = (await flowService.create({ ...scope, name: "Victim" })).id;
  });

  it("check any file into a flow or into words on what is wrong; what the check accepts, the import stores as it was", async () => {
    await fc.assert(
      fc.asyncProperty(importText, async (text) => {
        const checked = readImportFile({ text, fileName: "fuzz.json" });
        if (!checked.ok) {
          expectWords(checked.message);
          return;
        }
        // The import as the CLI does it: a flow with the document as its draft, then its first version.
        for (const { name, draft, versions } of checked.flows) {
          const flow = await flowService.create({ ...scope, name, document: draft });
          for (const { document, message } of versions) {
            const version = await flowService.saveVersion({ ...scope, flowId: flow.id, document, message });
            const stored = await flowService.getVersion({ ...scope, flowId: flow.id, number: version.number });
            // Read back as the editor shows it: a node of an older type version with its config brought up to date.
            expect(stored.document).toEqual(asJson(upgradeNodes(document, nodeRegistry)));
          }
        }
      }),
      fuzzSettings(120),
    );
  });

  it("import any file whole, each conflicting flow renamed, or refuse it in words and write nothing", async () => {
    await fc.assert(
      fc.asyncProperty(importText, async (text) => {
        const flowsBefore = await scope.db.flow.count({ where: { workspaceId: scope.workspaceId } });
        const eventsBefore = await scope.db.auditEvent.count({ where: { workspaceId: scope.workspaceId } });
        const preview = await transferService.preview({ ...scope, text, fileName: "fuzz.json" });
        const applied = await transferService.apply({ ...scope, text, fileName: "fuzz.json", resolutions: {}, onConflict: "rename" }).then(
          (result) => result,
          (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
        );
        if (applied instanceof Error) {
          expect(applied).toBeInstanceOf(ServiceError);
          expectWords(applied.message);
          expect(preview.ok).toBe(false);
          expect(await scope.db.flow.count({ where: { workspaceId: scope.workspaceId } })).toBe(flowsBefore);
          expect(await scope.db.auditEvent.count({ where: { workspaceId: scope.workspaceId } })).toBe(eventsBefore);
          return;
        }
        if (!preview.ok) throw new Error(`the preview refused what the import took: ${preview.message}`);
        expect(applied.flows.map((f) => f.action)).toEqual(preview.flows.map(() => "created"));
        expect(await scope.db.flow.count({ where: { workspaceId: scope.workspaceId } })).toBe(flowsBefore + preview.flows.length);
      }),
      fuzzSettings(80),
    );
  });

  it("save a version exactly when the import check accepts the document, and a refusal changes nothing stored", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(runnableFlowDocument, flowDocumentLike), async (generated) => {
        const document = asJson(generated);
        const accepted = readImportFile({ text: JSON.stringify(document), fileName: "fuzz.json" }).ok;
        const before = await storedState({ db: scope.db, flowId: victim });
        const saved = await flowService.saveVersion({ ...scope, flowId: victim, document, message: "fuzz" }).then(
          () => null,
          (err: unknown) => err,
        );
        if (saved === null) {
          expect(accepted).toBe(true);
          return;
        }
        expect(saved).toBeInstanceOf(ServiceError);
        expect((saved as ServiceError).code).toBe("BAD_REQUEST");
        expectWords((saved as ServiceError).message);
        expect(accepted).toBe(false);
        expect(await storedState({ db: scope.db, flowId: victim })).toBe(before);
      }),
      fuzzSettings(100),
    );
  });
});
