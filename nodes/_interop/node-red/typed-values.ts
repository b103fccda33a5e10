/**
 * Node-RED's typed values (a value and its type: `str`, `num`, `json`, `jsonata`, `msg`, `env`, `flow`, …) as
 * Streamware config values. A Node-RED message is one of our items: `msg.payload` is the item's `payload` field, and
 * Node-RED's JSONata runs with the message as its context just as ours runs with the item's JSON, so paths and
 * JSONata expressions carry over as they are.
 */

export type TypedValue =
  | { ok: true; value: unknown; expression: boolean }
  | { ok: false; reason: string };

/** A JSONata path to a message property: `payload.a[0]` stays, a name JSONata cannot read bare is quoted. */
export function messagePath(path: string): string | null {
  const trimmed = path.trim().replace(/^msg\./, "");
  if (!trimmed) return null;
  const parts: string[] = [];
  for (const match of trimmed.matchAll(/([^.[\]]+)|\[(\d+)\]|\["([^"]*)"\]|\['([^']*)'\]/g)) {
    if (match[2] !== undefined) parts.push(`[${match[2]}]`);
    else {
      const name = match[1] ?? match[3] ?? match[4] ?? "";
      parts.push(/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `\`${name.replace(/`/g, "")}\``);
    }
  }
  return parts.reduce((acc, part) => (part.startsWith("[") ? acc + part : acc ? `${acc}.${part}` : part), "");
}

/** A message property as a Set node's field name (dots for nesting), or null when it has array indexes or odd names. */
export function fieldName(path: string): string | null {
  const trimmed = path.trim().replace(/^msg\./, "");
  return /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/.test(trimmed) ? trimmed : null;
}

/** Text that our expressions would read as an expression is refused rather than changed in meaning. */
function literalText(text: string): TypedValue {
  if (text.includes("{{")) return { ok: false, reason: "the text holds \"{{\", which Streamware would read as an expression" };
  return { ok: true, value: text, expression: false };
}

export function typedValue(value: unknown, type: string | undefined): TypedValue {
  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  switch (type ?? "str") {
    case "str":
      return literalText(text);
    case "num": {
      // Node-RED reads a number with Number(), so an empty one is 0.
      const number = Number(text);
      return Number.isFinite(number) ? { ok: true, value: number, expression: false } : { ok: false, reason: `"${text}" is not a number` };
    }
    case "bool":
      return { ok: true, value: text === "true", expression: false };
    case "json":
      try {
        return { ok: true, value: JSON.parse(text || "null") as unknown, expression: false };
      } catch {
        return { ok: false, reason: "the JSON value does not parse" };
      }
    case "date":
      return { ok: true, value: "{{ $millis() }}", expression: true };
    case "jsonata":
      return jsonataValue(text);
    case "msg": {
      const path = messagePath(text);
      return path ? { ok: true, value: `{{ ${path} }}`, expression: true } : { ok: false, reason: "the message property is empty" };
    }
    case "env":
      return { ok: false, reason: `environment variable ${text}: Streamware flows have no environment variables; use a credential or a fixed value` };
    case "flow":
    case "global":
      return { ok: false, reason: `${type} context "${text}": Streamware has no ${type} context` };
    default:
      return { ok: false, reason: `values of type "${type}" have no equivalent` };
  }
}

/** Node-RED's own JSONata functions and bindings that ours do not have. */
const NODE_RED_ONLY = /\$(flowContext|globalContext|env|parent|moment)\b|\$\$\./;

export function jsonataValue(expression: string): TypedValue {
  const trimmed = expression.trim();
  if (!trimmed) return { ok: false, reason: "the JSONata expression is empty" };
  if (NODE_RED_ONLY.test(trimmed)) return { ok: false, reason: "the expression uses Node-RED's own JSONata functions ($flowContext, $globalContext, $env, $parent or $$.)" };
  if (trimmed.includes("}}")) return { ok: false, reason: "the expression holds \"}}\", which would end a Streamware expression early" };
  return { ok: true, value: `{{ ${trimmed.replace(/\s*\n\s*/g, " ")} }}`, expression: true };
}
