import { afterAll, describe, expect, it } from "vitest";
import { NodeConfigError } from "../_kit/errors";
import { ExpressionSandbox } from "../../runner/expression-sandbox";
import { checkExpressions, ExpressionError, hasExpressions, parseTemplate, planExpressions, resolveExpressions, type ExpressionScope } from "./expressions";

const evaluator = new ExpressionSandbox({ timeoutMs: 300 });
afterAll(() => evaluator.dispose());

const scope: ExpressionScope = {
  workspaceId: "ws-1",
  json: { name: "Ada", count: 3, tags: ["a", "b"], address: { city: "London" }, price: "x" },
  trigger: { source: "crm", customer: { id: 7 } },
  node: { Weather: { json: { temp: 21.5 }, items: [{ temp: 21.5 }, { temp: 18 }] } },
  itemIndex: 2,
  runId: "run-1",
  flowId: "flow-1",
};

const resolve = (value: unknown, field = "value") => resolveExpressions(value, { scope, nodeName: "Mailer", evaluator, field });

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

  it("resolves with a plan made once, for items of any shape, as it does without one", async () => {
    const config = { to: "{{ name }}", list: [1, "{{ count * 2 }}", { deep: "x {{ tags[1] }}" }], plain: "text" };
    const plan = planExpressions(config, { nodeName: "Mailer" });
    expect(plan.strings.map((s) => s && s.parts.length)).toEqual([1, 1, 2, null]);
    const other: ExpressionScope = { ...scope, json: { name: "Bo", count: 5, tags: ["c"] } };
    expect(await resolveExpressions(config, { scope, nodeName: "Mailer", evaluator, plan })).toEqual(await resolve(config));
    expect(await resolveExpressions(config, { scope: other, nodeName: "Mailer", evaluator, plan })).toEqual({ to: "Bo", list: [1, 10, { deep: "x " }], plain: "text" });
    // Each resolution is a copy of its own: nothing of one run's config is another's.
    const first = await resolveExpressions(config, { scope, nodeName: "Mailer", evaluator, plan });
    expect(first.list[2]).not.toBe(config.list[2]);
  });

  it("refuses to plan a config whose expression does not compile, naming the field", () => {
    expect(() => planExpressions({ a: "{{ name }}", b: { c: "{{ (name }}" } }, { nodeName: "Mailer" })).toThrow(/Node "Mailer", field "b.c": expression \{\{ \(name \}\} failed/);
  });

  it("names the node, the field and the position of a failing expression", async () => {
    const template = "Total: {{ $json.price + 1 }}";
    const err = await failure(resolveExpressions({ body: { lines: [template] } }, { scope, nodeName: "Mailer", evaluator }));
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

describe("field paths, read without the evaluator", () => {
  const data: ExpressionScope = {
    ...scope,
    json: { a: { b: { c: 1 }, list: [{ c: 2 }, { c: 3 }], one: [{ c: 4 }], n: null, s: "text", z: 0, f: false, r: 0.1 + 0.2 }, "a b": { c: "spaced" } },
    node: { "My Node": { json: { x: { y: "deep" } }, items: [{ x: 1 }] } },
  };
  const counting = () => {
    let calls = 0;
    return {
      evaluate: (batch: Parameters<ExpressionSandbox["evaluate"]>[0]) => {
        calls += batch.expressions.length;
        return evaluator.evaluate(batch);
      },
      calls: () => calls,
    };
  };
  const paths = [
    "a", "a.b", "a.b.c", "a.missing", "a.missing.deeper", "a.list", "a.list.c", "a.one", "a.one.c", "a.n", "a.n.c", "a.s",
    "a.s.length", "a.z", "a.f", "`a b`.c", "$json.a.b.c", "$trigger.source", "$trigger.customer.id", "$node.`My Node`.json.x.y",
    "$node.`My Node`.items", "$node.Missing.json", "nothing",
  ];

  it("gives what JSONata itself gives, for every shape of data along the way", async () => {
    for (const path of paths) {
      const expected = (await evaluator.evaluate({ expressions: [path], input: data.json, bindings: { trigger: data.trigger, node: data.node }, poolKey: "reference" }))[0];
      expect(expected && "value" in expected, path).toBe(true);
      expect(await resolveExpressions(`{{ ${path} }}`, { scope: data, nodeName: "N", evaluator }), path).toEqual((expected as { value: unknown }).value);
    }
  });

  it("joins text and paths with & as JSONata does, whatever the paths hold", async () => {
    const concatenations = [
      "'x' & a.s", "a.s & '-' & `a b`.c", "'n=' & a.b.c", "'v' & a.missing & 'w'", "a.missing & a.missing", "'l' & a.list.c",
      "'o' & a.one.c", "'t' & $trigger.source", "$node.`My Node`.json.x.y & '!'", "'b' & a.f", "a.n & 'x'", "'obj' & a.b", "a.s.length & 'y'", "'r=' & a.r",
    ];
    for (const expression of concatenations) {
      const expected = (await evaluator.evaluate({ expressions: [expression], input: data.json, bindings: { trigger: data.trigger, node: data.node }, poolKey: "reference" }))[0];
      expect(expected && "value" in expected, expression).toBe(true);
      expect(await resolveExpressions(`{{ ${expression} }}`, { scope: data, nodeName: "N", evaluator }), expression).toEqual((expected as { value: unknown }).value);
    }
  });

  it("reads plain paths here and sends everything else to the evaluator", async () => {
    const probe = counting();
    await resolveExpressions({ a: "{{ a.b.c }}", b: "{{ $trigger.source }}", c: "{{ $node.`My Node`.json.x.y }}" }, { scope: data, nodeName: "N", evaluator: probe });
    expect(probe.calls()).toBe(0);
    await resolveExpressions({ a: "{{ a.list.c }}", b: "{{ a.b.c + 1 }}", c: "{{ $uppercase(a.s) & '!' }}", d: "{{ a.z > 0 ? 'yes' : {'no': [a.s]} }}" }, { scope: data, nodeName: "N", evaluator: probe });
    expect(probe.calls()).toBe(0);
    const isolated = { a: "{{ $pad(a.s, 3) }}", b: "{{ $map(a.list, function($v) { $v.c }) }}", c: "{{ $match(a.s, /t/).match }}", d: "{{ [1..3] }}", e: "{{ ($x := 1; $x) }}" };
    expect(await resolveExpressions(isolated, { scope: data, nodeName: "N", evaluator: probe })).toEqual({ a: "text", b: [2, 3], c: ["t", "t"], d: [1, 2, 3], e: 1 });
    expect(probe.calls()).toBe(5);
  });

  it("sends a bounded expression over large data to the evaluator once it goes over its budget of steps", async () => {
    const probe = counting();
    const large: ExpressionScope = { ...data, json: { list: Array.from({ length: 20_000 }, (_, v) => ({ v })) } };
    expect(await resolveExpressions("{{ $sum(list.v) }}", { scope: large, nodeName: "N", evaluator: probe })).toBe((20_000 * 19_999) / 2);
    expect(probe.calls()).toBe(1);
  });

  it("never reads a key from the prototype", async () => {
    expect(await resolveExpressions("{{ a.b.constructor }}", { scope: data, nodeName: "N", evaluator })).toBeUndefined();
    expect(await resolveExpressions("{{ a.__proto__ }}", { scope: data, nodeName: "N", evaluator })).toBeUndefined();
  });

  it("keeps a key named __proto__ as a key of the resolved config", async () => {
    const resolved = await resolveExpressions(JSON.parse('{"__proto__": {"polluted": "{{ a.s }}"}}') as object, { scope: data, nodeName: "N", evaluator });
    expect(Object.getPrototypeOf(resolved)).toBe(Object.prototype);
    expect(Object.keys(resolved)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("limits", () => {
  const hostile = {
    "endless recursion": "( $f := function($n){ $f($n + 1) }; $f(0) )",
    "a million steps of recursion": "( $f := function($n){ $n > 0 ? $f($n - 1) : 0 }; $f(1000000) )",
    "a backtracking regular expression": '$contains("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /^(a+)+$/)',
    "a long range": "[1..10000000].($ * 2) ~> $count()",
  };
  for (const [what, expression] of Object.entries(hostile)) {
    it(`stops ${what} with the limit it hit, while this process's event loop goes on`, async () => {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const err = await failure(resolveExpressions({ subject: "fine: {{ name }}", body: `{{ ${expression} }}` }, { scope, nodeName: "Mailer", evaluator }));
      clearInterval(timer);
      expect(err.message).toMatch(/^Node "Mailer", field "body": expression \{\{ .* \}\} failed: /);
      expect(err.message).toMatch(/the expression (time|memory) limit|Stack overflow|Maximum call stack|Invalid|too large/);
      // The old evaluator ran on this thread: no timer could fire until it returned.
      expect(ticks).toBeGreaterThan(0);
    });
  }

  it("names the time limit in words a person can act on", async () => {
    const err = await failure(resolve(`{{ ${hostile["endless recursion"]} }}`, "url"));
    expect(err.message).toBe(
      `Node "Mailer", field "url": expression {{ ${hostile["endless recursion"]} }} failed: it ran longer than 300 ms (the expression time limit); make it do less, such as fewer steps of recursion or a simpler regular expression`,
    );
  });

  it("names the memory limit when an expression builds a value too big for it", async () => {
    const small = new ExpressionSandbox({ timeoutMs: 5000, memoryMb: 16 });
    try {
      const doubling = '( $grow := function($s, $n){ $n = 0 ? $s : $grow($s & $s, $n - 1) }; $grow("0123456789abcdef", 24) ~> $length() )';
      const err = await failure(resolveExpressions(`{{ ${doubling} }}`, { scope, nodeName: "N", evaluator: small }));
      expect(err.message).toMatch(/more than 16 MB of memory \(the expression memory limit\)|Invalid string length/);
      // The workspace gets a fresh isolate for its next expression.
      expect(await resolveExpressions("{{ $uppercase(name) }}", { scope, nodeName: "N", evaluator: small })).toBe("ADA");
    } finally {
      small.dispose();
    }
  });

  it("names the expression that hit the limit among several", async () => {
    const err = await failure(resolveExpressions({ a: "{{ $uppercase(name) }}", b: "{{ $lowercase(name) }}", c: `{{ ${hostile["endless recursion"]} }}` }, { scope, nodeName: "N", evaluator }));
    expect(err.details?.field).toBe("c");
  });

  it("refuses a value larger than the size limit", async () => {
    const tight = new ExpressionSandbox({ maxResultChars: 1000 });
    try {
      const err = await failure(resolveExpressions("{{ [1..1000] }}", { scope, nodeName: "N", evaluator: tight }));
      expect(err.message).toContain("its value takes more than 1000 characters of JSON; make it smaller");
    } finally {
      tight.dispose();
    }
  });

  it("refuses an expression longer than anyone types before parsing it", async () => {
    const err = await failure(resolve(`{{ ${"1 + ".repeat(3000)}1 }}`));
    expect(err.message).toContain("longer than 10000 characters");
  });

  it("lets another workspace's expressions finish while one workspace's is stuck", async () => {
    const order: string[] = [];
    const stuck = resolve(`{{ ${hostile["endless recursion"]} }}`).then(
      () => order.push("stuck"),
      () => order.push("stuck"),
    );
    const other = resolveExpressions("{{ $uppercase(name) }}", { scope: { ...scope, workspaceId: "ws-2" }, nodeName: "N", evaluator }).then((value) => {
      order.push("other");
      return value;
    });
    expect(await other).toBe("ADA");
    await stuck;
    expect(order).toEqual(["other", "stuck"]);
  });

  it("stops at once when the run is cancelled", async () => {
    const controller = new AbortController();
    const reason = new Error("cancelled by the test");
    const slow = new ExpressionSandbox({ timeoutMs: 60_000 });
    try {
      const pending = resolveExpressions(`{{ ${hostile["endless recursion"]} }}`, { scope, nodeName: "N", evaluator: slow, signal: controller.signal });
      setTimeout(() => controller.abort(reason), 20);
      await expect(pending).rejects.toBe(reason);
      expect(await resolveExpressions("{{ $uppercase(name) }}", { scope, nodeName: "N", evaluator: slow })).toBe("ADA");
    } finally {
      slow.dispose();
    }
  });
});
