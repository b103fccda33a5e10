import { describe, expect, it } from "vitest";
import { NodeConfigError } from "../nodes/_kit/errors";
import { checkExpressions, ExpressionError, hasExpressions, parseTemplate, resolveExpressions, type ExpressionScope } from "./expressions";

const scope: ExpressionScope = {
  json: { name: "Ada", count: 3, tags: ["a", "b"], address: { city: "London" }, price: "x" },
  trigger: { source: "crm", customer: { id: 7 } },
  node: { Weather: { json: { temp: 21.5 }, items: [{ temp: 21.5 }, { temp: 18 }] } },
  itemIndex: 2,
  runId: "run-1",
  flowId: "flow-1",
};

const resolve = (value: unknown, field = "value") => resolveExpressions(value, scope, "Mailer", field);

async function failure(promise: Promise<unknown>): Promise<ExpressionError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ExpressionError);
  return err as ExpressionError;
}

describe("parseTemplate", () => {
  it("leaves strings without markers alone", () => {
    expect(parseTemplate("plain text")).toBeNull();
    expect(parseTemplate("a { b } c")).toBeNull();
    expect(parseTemplate("{{ never closed")).toBeNull();
  });

  it("splits text and expressions, with each expression's offset in the string", () => {
    expect(parseTemplate("Hi {{ name }}, you have {{ count }}")).toEqual([
      { text: "Hi " },
      { expression: " name ", offset: 5 },
      { text: ", you have " },
      { expression: " count ", offset: 26 },
    ]);
  });

  it("balances braces of JSONata object constructors", () => {
    expect(parseTemplate('{{ {"a": {"b": 1}} }}')).toEqual([{ expression: ' {"a": {"b": 1}} ', offset: 2 }]);
    expect(parseTemplate("{{ {'k': $json.count} }}!")).toEqual([{ expression: " {'k': $json.count} ", offset: 2 }, { text: "!" }]);
  });

  it("ignores braces inside strings and quoted names", () => {
    expect(parseTemplate('{{ "}}" & name }}')).toEqual([{ expression: ' "}}" & name ', offset: 2 }]);
    expect(parseTemplate("{{ '{{' }}")).toEqual([{ expression: " '{{' ", offset: 2 }]);
    expect(parseTemplate('{{ "a\\"}}" }}')).toEqual([{ expression: ' "a\\"}}" ', offset: 2 }]);
    expect(parseTemplate("{{ `odd }} name` }}")).toEqual([{ expression: " `odd }} name` ", offset: 2 }]);
  });

  it("keeps an unclosed marker after a closed one as text", () => {
    expect(parseTemplate("{{ a }} and {{ b")).toEqual([{ expression: " a ", offset: 2 }, { text: " and {{ b" }]);
  });
});

describe("hasExpressions", () => {
  it("finds expressions at any depth", () => {
    expect(hasExpressions({ a: [{ b: "x {{ 1 }}" }] })).toBe(true);
    expect(hasExpressions({ a: [{ b: "x { 1 }" }], n: 1, t: true, z: null })).toBe(false);
    expect(hasExpressions("{{ unclosed")).toBe(false);
  });
});

describe("resolveExpressions", () => {
  it("keeps the value's type when the string is one expression", async () => {
    expect(await resolve("{{ $json.count }}")).toBe(3);
    expect(await resolve("{{ $json.count > 2 }}")).toBe(true);
    expect(await resolve("{{ $json.tags }}")).toEqual(["a", "b"]);
    expect(await resolve("{{ $json.address }}")).toEqual({ city: "London" });
    expect(await resolve('{{ {"city": address.city, "n": count * 2} }}')).toEqual({ city: "London", n: 6 });
    expect(await resolve("{{ $json.missing }}")).toBeUndefined();
  });

  it("gives text when text and expressions mix, objects as JSON and nothing as empty", async () => {
    expect(await resolve("{{ name }} has {{ count }}")).toBe("Ada has 3");
    expect(await resolve("tags: {{ tags }}; at {{ address }}")).toBe('tags: ["a","b"]; at {"city":"London"}');
    expect(await resolve("[{{ $json.missing }}]")).toBe("[]");
    expect(await resolve(" {{ count }}")).toBe(" 3");
  });

  it("returns plain JSON, not JSONata's sequences", async () => {
    const tags = await resolve("{{ $json.tags.$uppercase($) }}");
    expect(tags).toEqual(["A", "B"]);
    expect(Object.getPrototypeOf(tags)).toBe(Array.prototype);
    expect(Object.keys(tags as object)).toEqual(["0", "1"]);
  });

  it("binds $json, $trigger, $node, $itemIndex, $runId and $flowId", async () => {
    expect(
      await resolve({
        city: "{{ $json.address.city }}",
        source: "{{ $trigger.source }}",
        customer: "{{ $trigger.customer.id }}",
        temp: "{{ $node.Weather.json.temp }}",
        second: "{{ $node.Weather.items[1].temp }}",
        where: "item {{ $itemIndex }} of {{ $runId }} in {{ $flowId }}",
      }),
    ).toEqual({ city: "London", source: "crm", customer: 7, temp: 21.5, second: 18, where: "item 2 of run-1 in flow-1" });
  });

  it("resolves every string in nested objects and arrays, leaving other values and the input alone", async () => {
    const config = { to: "{{ name }}", list: [1, "{{ count }}", { deep: "{{ tags[1] }}" }], on: true, none: null };
    expect(await resolve(config)).toEqual({ to: "Ada", list: [1, 3, { deep: "b" }], on: true, none: null });
    expect(config.to).toBe("{{ name }}");
  });

  it("names the node, the field and the position of a failing expression", async () => {
    const template = "Total: {{ $json.price + 1 }}";
    const err = await failure(resolveExpressions({ body: { lines: [template] } }, scope, "Mailer"));
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.code).toBe("CONFIG");
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(
      `Node "Mailer", field "body.lines[0]": expression {{ $json.price + 1 }} failed at position ${template.indexOf("+") + 1}: The left side of the "+" operator must evaluate to a number`,
    );
    expect(err.details).toEqual({ field: "body.lines[0]", position: template.indexOf("+") + 1, expression: " $json.price + 1 " });
  });

  it("reports a syntax error at its position in the field", async () => {
    const err = await failure(resolve("Hi {{ name & }}", "subject"));
    expect(err.message).toMatch(/^Node "Mailer", field "subject": expression \{\{ name & \}\} failed at position \d+: /);
    expect(err.details?.position).toBeGreaterThanOrEqual("Hi {{ name".length);
    expect(err.details?.position).toBeLessThanOrEqual("Hi {{ name & }}".length);
  });

  describe("reaches nothing of the host", () => {
    const attempts = [
      '{{ $json.constructor.constructor("return process")() }}',
      "{{ $json.constructor }}",
      "{{ constructor }}",
      "{{ $json.__proto__ }}",
      "{{ $json.name.constructor }}",
      '{{ $lookup($json, "constructor") }}',
      '{{ $string.constructor("return process")() }}',
      '{{ $eval("$json.constructor.constructor(\\"return process\\")()") }}',
      "{{ process }}",
      "{{ $process.env }}",
      "{{ $require }}",
      "{{ globalThis }}",
    ];
    for (const attempt of attempts) {
      it(attempt, async () => {
        const result = await resolve(attempt).catch((e: unknown) => e);
        // Either nothing at all or an expression error; never a function, a process or an environment.
        if (result !== undefined) expect(result).toBeInstanceOf(ExpressionError);
      });
    }

    it("never hands back something callable", async () => {
      const hasFunction = (value: unknown): boolean =>
        typeof value === "function" || (typeof value === "object" && value !== null && Object.values(value).some(hasFunction));
      for (const attempt of ["{{ $string }}", "{{ function($x) { $x } }}", "{{ [$eval] }}", "{{ {'f': $lookup} }}"]) {
        // Either refused with a readable error, or a plain value with nothing callable in it.
        const outcome = await resolve(attempt).then(
          (value) => hasFunction(value),
          (err: unknown) => {
            if (!(err instanceof ExpressionError)) throw err;
            expect(err.message).toContain("gives a function");
            return false;
          },
        );
        expect(outcome, attempt).toBe(false);
      }
    });
  });
});

describe("checkExpressions", () => {
  it("reports each expression that does not parse, with its field path and position", () => {
    const problems = checkExpressions(
      {
        url: "https://x/{{ $json. }}",
        headers: [{ name: "A", value: "{{ $json.ok }}" }, { name: "B", value: "{{ ( }}" }],
        body: { nested: ["fine", "{{ 1 + }}"] },
        count: 3,
      },
      "HTTP",
    );
    expect(problems.every((p) => p instanceof ExpressionError)).toBe(true);
    expect(problems.map((p) => p.details?.field)).toEqual(["url", "headers[1].value", "body.nested[1]"]);
    expect(problems[0]!.message).toMatch(/^Node "HTTP", field "url": expression \{\{ \$json\. \}\} failed at position \d+: /);
    expect(problems[1]!.message).toContain('Expected ")" before end of expression');
  });

  it("finds nothing wrong in valid expressions or plain values, even when they would fail when run", () => {
    expect(checkExpressions({ a: "{{ $json.price + 1 }}", b: "plain", c: ["{{ {'k': 1} }}"], d: 5 }, "N")).toEqual([]);
  });

  it("names a bare string's field as (value)", () => {
    expect(checkExpressions("{{ ) }}", "N")[0]!.details?.field).toBe("(value)");
  });
});
