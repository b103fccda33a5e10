import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ExpressionSandbox } from "../../runner/expression-sandbox";
import { checkExpressions, ExpressionError, resolveExpressions, type ExpressionScope } from "../../nodes/_core/expressions";
import { expectWords, fuzzSettings, hostileJson, hostileJsonObject, hostileString } from "./hostile";

/** Pieces of JSONata and of what people type around it, so templates are often almost right. */
const token = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      "$json", "$trigger", "$node", "$node.A.json", "$itemIndex", "$runId", "$", "$$", ".", "name", "body", "a.b", "[0]", "[-1]", "[]",
      "(", ")", "{", "}", "[", "]", "+", "-", "*", "/", "%", "&", "=", "!=", "<", ">", "and", "or", "in", "?", ":", ",", ";", ":=",
      "$x", "$v", "function($v){ $v }", "$string(", "$number(", "$sum(", "$count(", "$map(", "$filter(", "$keys(", "$lookup(",
      "$substring(", "$uppercase(", "$split(", "$join(", "$match(", "$replace(", "$contains(", "$now()", "$millis()", "$random()",
      "$eval(", "$spread(", "$merge(", "$sort(", "$reverse(", "$distinct(", "$exists(", "$type(", "~>", "..", "^(", "#$i", "@$a",
      "1", "0", "-1", "3.5", "1e308", "'a'", "\"b\"", "`c`", "'", "\"", "`", "/a+/", "/[/", "null", "true", "false", "**", "{{", "}}",
      " ", "\\", "\u0000", "\ud800",
    ),
  },
  { weight: 1, arbitrary: hostileString.map((s) => s.slice(0, 40)) },
);

/** A config string: text with `{{ … }}` markers around runs of tokens, sometimes unclosed or nested. */
const template = fc
  .array(fc.tuple(fc.constantFrom("", "text ", "{{", "{{ ", "}}", " }}"), fc.array(token, { maxLength: 8 }), fc.constantFrom(" }}", "}}", "", " ")), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.map(([open, tokens, close]) => `${open}${tokens.join("")}${close}`).join(""));

const evaluator = new ExpressionSandbox({ timeoutMs: 300 });
afterAll(() => evaluator.dispose());

const scope = fc.record({
  workspaceId: fc.constant("ws-fuzz"),
  json: hostileJsonObject,
  trigger: hostileJsonObject,
  node: fc.record({ A: fc.record({ json: hostileJson, items: fc.array(hostileJson, { maxLength: 2 }) }) }),
  itemIndex: fc.nat(),
  runId: fc.constant("run-fuzz"),
  flowId: fc.constant("flow-fuzz"),
}) as fc.Arbitrary<ExpressionScope>;

describe("expressions under fuzz", () => {
  it("check any template string into a list of expression errors, never an exception", () => {
    fc.assert(
      fc.property(fc.oneof(template, hostileString), (source) => {
        for (const problem of checkExpressions({ field: source }, "Fuzz")) {
          expect(problem).toBeInstanceOf(ExpressionError);
          expectWords(problem.message);
        }
      }),
      fuzzSettings(500),
    );
  });

  // Every expression is bounded (runner/expression-sandbox.ts): one that loops fails at the time limit.
  it("evaluate any template string to a value or an ExpressionError naming the node and field", async () => {
    await fc.assert(
      fc.asyncProperty(template, scope, async (source, values) => {
        try {
          await resolveExpressions({ field: source }, { scope: values, nodeName: "Fuzz", evaluator });
        } catch (err) {
          expect(err).toBeInstanceOf(ExpressionError);
          expect((err as ExpressionError).message).toMatch(/^Node "Fuzz", field "field": /);
          expectWords((err as ExpressionError).message);
        }
      }),
      fuzzSettings(200),
    );
  });
});
