import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nodeRegistry } from "../../nodes/registry";
import { validateFlow } from "../../nodes/_core/validate";
import { parseFlowDocument, type FlowDocumentIssue } from "../../nodes/_core/flow-document";
import { requireActivatable } from "../services/activation-service";
import { ServiceError } from "../services/service-error";
import { flowDocumentLike, runnableFlowDocument } from "./flow-documents";
import { expectWords, fuzzSettings } from "./hostile";

function expectIssues(issues: FlowDocumentIssue[]): void {
  for (const issue of issues) {
    expect(typeof issue.path).toBe("string");
    expect(issue.path.length).toBeGreaterThan(0);
    expectWords(issue.message);
  }
}

describe("flow documents under fuzz", () => {
  it("parse to a document or to issues on a path, never an exception", () => {
    fc.assert(
      fc.property(flowDocumentLike, (input) => {
        const parsed = parseFlowDocument(input);
        if (parsed.ok) return;
        expect(parsed.issues.length).toBeGreaterThan(0);
        expectIssues(parsed.issues);
      }),
      fuzzSettings(400),
    );
  });

  it("validate as activation does, answering issues on a path or a document that runs", () => {
    fc.assert(
      fc.property(fc.oneof(flowDocumentLike, runnableFlowDocument), (input) => {
        const parsed = parseFlowDocument(input);
        if (!parsed.ok) return;
        const issues = validateFlow(parsed.document, nodeRegistry);
        expectIssues(issues);
        try {
          requireActivatable(parsed.document);
        } catch (err) {
          // The one refusal activation and saving share: a coded error whose issues name what is wrong.
          expect(err).toBeInstanceOf(ServiceError);
          expect((err as ServiceError).code).toBe("BAD_REQUEST");
          expectWords((err as ServiceError).message);
        }
      }),
      fuzzSettings(400),
    );
  });
});
