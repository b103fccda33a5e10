import { describe, expect, it } from "vitest";
import { setNode } from "../../set/set.node";
import { runNode } from "../../../runner/node-testing";
import { translateExpression, translateParameterString } from "./n8n-expressions";

const ok = (source: string) => {
  const result = translateExpression(source);
  if (!result.ok) throw new Error(`${source}: ${result.reason}`);
  return result.value;
};

describe("n8n expressions", () => {
  it("translates reads of the current item", () => {
    expect(ok("$json.a.b")).toBe("$json.a.b");
    expect(ok('$json["first name"]')).toBe("$json.`first name`");
    expect(ok("$json['a'][0].b")).toBe("$json.a[0].b");
    expect(ok("$json.items.length")).toBe("$count($json.items)");
    expect(ok("$json.name.toUpperCase()")).toBe("$uppercase($json.name)");
    expect(ok("$input.item.json.x")).toBe("$json.x");
  });

  it("translates reads of other nodes' output", () => {
    expect(ok("$('Get Order').item.json.id")).toBe("$node.`Get Order`.json.id");
    expect(ok('$("Webhook").first().json.body.email')).toBe("$node.Webhook.json.body.email");
    expect(ok("$('Rows').last().json.id")).toBe("$node.Rows.items[-1].id");
    expect(ok("$('Rows').all()")).toBe("$node.Rows.items");
    expect(ok("$('Rows').all()[1].json.id")).toBe("$node.Rows.items[1].id");
    expect(ok('$node["HTTP Request"].json.data')).toBe("$node.`HTTP Request`.json.data");
    expect(ok("$node.Start.json.x")).toBe("$node.Start.json.x");
    expect(ok("$now")).toBe("$now()");
    expect(ok("$(`Get Order`).item.json.id")).toBe("$node.`Get Order`.json.id");
    expect(ok("$('data').first().json.duration - 5000")).toBe("$node.data.json.duration - 5000");
    expect(ok("$json.cost/100")).toBe("$json.cost / 100");
    expect(ok("JSON.stringify($json.body)")).toBe("$string($json.body)");
    expect(ok('$json.tags.split(",")[0].trim()')).toBe('$trim($split($json.tags, ",")[0])');
    expect(ok("$json.text.replace('a', 'b')")).toBe('$replace($json.text, "a", "b", 1)');
    expect(ok('$json.list.join(", ")')).toBe('$join($json.list, ", ")');
  });

  it("refuses JavaScript it cannot say the same way, with a reason", () => {
    for (const source of ["$json.a + 1", "`${$json.a}`", "$json.a - $env.X", "JSON.stringify($json, null, 2)", "$json.a.replace(/x/g, 'y')", "$env.TOKEN", "$json.list.map(x => x.id)", "new Date()", "$input.all()", "$json.a ? 1 : 2", "DateTime.now().toISO()"]) {
      const result = translateExpression(source);
      expect(result.ok, source).toBe(false);
    }
  });

  it("translates whole parameter strings: mixed text, several {{ }}, literal {{ without =", () => {
    expect(translateParameterString("={{ $json.a }}")).toEqual({ value: "{{ $json.a }}", expression: true, translated: true });
    expect(translateParameterString("=Hello {{ $json.name }}, order {{ $('Order').item.json.id }}!").value).toBe("Hello {{ $json.name }}, order {{ $node.Order.json.id }}!");
    expect(translateParameterString("=plain")).toEqual({ value: "plain", expression: true, translated: true });
    expect(translateParameterString("Dear {{name}}")).toEqual({ value: '{{ "Dear {{name}}" }}', expression: false, translated: false });
    expect(translateParameterString("no braces")).toEqual({ value: "no braces", expression: false, translated: false });
    const kept = translateParameterString("=Token {{ $env.TOKEN }} for {{ $json.a }}");
    expect(kept).toMatchObject({ value: "=Token {{ $env.TOKEN }} for {{ $json.a }}", expression: true, translated: false });
    expect(kept.reason).toContain("$env");
  });

  it("means the same when our evaluator runs the translation", async () => {
    const fields = [
      { name: "greeting", value: translateParameterString("=Hi {{ $json.user.name }} from {{ $('Get Order').item.json.shop }}").value },
      { name: "count", value: translateParameterString("={{ $('Rows').all().length }}").value },
      { name: "literal", value: translateParameterString("Use {{ name }} here").value },
      { name: "first", value: translateParameterString("={{ $node[\"Rows\"].json.id }}").value },
      { name: "parts", value: translateParameterString("={{ $json.user.name.toUpperCase().split('A') }}").value },
      { name: "half", value: translateParameterString("={{ $('Rows').last().json.id / 2 }}").value },
    ];
    const { items } = await runNode(setNode, {
      input: [{ json: { user: { name: "Ada" } } }],
      config: { fields, keepOnlySet: true },
      nodeOutputs: { "Get Order": [{ json: { shop: "Corner" } }], Rows: [{ json: { id: 1 } }, { json: { id: 2 } }] },
    });
    expect(items[0]?.json).toEqual({ greeting: "Hi Ada from Corner", count: 2, literal: "Use {{ name }} here", first: 1, parts: ["", "D", ""], half: 1 });
  });
});
