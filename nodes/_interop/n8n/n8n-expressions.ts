import { checkExpressions, parseTemplate } from "../../_core/expressions";

/**
 * n8n's expressions (`={{ … }}` with JavaScript inside) turned into ours (`{{ … }}` with JSONata inside). Only
 * what means the same in both is translated: reads of the current item (`$json.a.b`, `$json["a"]`), of another
 * node's output (`$('Node').item.json.x`, `.first()`, `.last()`, `.all()`, `$node["Node"].json.y`) and a few
 * string methods. Anything else is kept as written and reported, never guessed at.
 */
export type TranslatedString = { ok: true; value: string } | { ok: false; reason: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const JSONATA_WORDS = new Set(["and", "or", "in", "true", "false", "null", "function"]);

/** A JSONata path step for a field or node name: bare when it can be, in backticks otherwise. */
export function pathStep(name: string): string {
  if (NAME.test(name) && !JSONATA_WORDS.has(name)) return name;
  return `\`${name.replace(/`/g, "")}\``;
}

/** A JSONata string literal holding `text` as it is. */
export function stringLiteral(text: string): string {
  return JSON.stringify(text);
}

/**
 * A string with `{{` that must stay literal (it is no expression in n8n) becomes one expression giving that text,
 * since ours would read `{{ }}` as an expression.
 */
export function literalText(text: string): string {
  return text.includes("{{") ? `{{ ${stringLiteral(text)} }}` : text;
}

type Token = { kind: "name"; text: string } | { kind: "string"; text: string } | { kind: "number"; text: string } | { kind: "punct"; text: string };

function tokenize(source: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z0-9_$]+/.exec(source.slice(i))!;
      tokens.push({ kind: "name", text: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+/.exec(source.slice(i))!;
      tokens.push({ kind: "number", text: m[0] });
      i += m[0].length;
    } else if (c === '"' || c === "'" || (c === "`" && !source.slice(i + 1, source.indexOf("`", i + 1)).includes("${"))) {
      let j = i + 1;
      let text = "";
      while (j < source.length && source[j] !== c) {
        if (source[j] === "\\") {
          const next = source[j + 1];
          if (next === undefined) return null;
          text += next === "n" ? "\n" : next === "t" ? "\t" : next;
          j += 2;
        } else text += source[j++];
      }
      if (j >= source.length) return null;
      tokens.push({ kind: "string", text });
      i = j + 1;
    } else if (source.startsWith("?.", i)) {
      tokens.push({ kind: "punct", text: "." });
      i += 2;
    } else if (".()[],".includes(c)) {
      tokens.push({ kind: "punct", text: c });
      i++;
    } else {
      return null;
    }
  }
  return tokens;
}

/** JavaScript methods with a JSONata function of the same meaning, by their number of literal arguments. */
type Method = { args: number; form: (target: string, args: string[]) => string };
const METHODS = new Map<string, Method>(Object.entries({
  toUpperCase: { args: 0, form: (t) => `$uppercase(${t})` },
  toLowerCase: { args: 0, form: (t) => `$lowercase(${t})` },
  trim: { args: 0, form: (t) => `$trim(${t})` },
  toString: { args: 0, form: (t: string) => `$string(${t})` },
  split: { args: 1, form: (t, [sep]) => `$split(${t}, ${sep})` },
  join: { args: 1, form: (t, [sep]) => `$join(${t}, ${sep})` },
  includes: { args: 1, form: (t, [part]) => `$contains(${t}, ${part})` },
  // JavaScript's replace with a string replaces the first occurrence only.
  replace: { args: 2, form: (t, [a, b]) => `$replace(${t}, ${a}, ${b}, 1)` },
  replaceAll: { args: 2, form: (t, [a, b]) => `$replace(${t}, ${a}, ${b})` },
} satisfies Record<string, Method>));

/** Splits at top-level arithmetic operators other than `+` (which also joins text in JavaScript). */
function splitArithmetic(source: string): { operands: string[]; operators: string[] } {
  const operands: string[] = [];
  const operators: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (depth === 0 && "-*/%".includes(c)) {
      operands.push(source.slice(start, i));
      operators.push(c);
      start = i + 1;
    }
  }
  operands.push(source.slice(start));
  return { operands, operators };
}

/**
 * One n8n expression body (what is between `{{` and `}}`) in JSONata, or why not. Accepts a chain: a base
 * (`$json`, `$('Node')…`, `$node["Node"]…`, `$input.item`, `$now`) then `.field`, `["field"]`, `[0]` and the
 * string methods above at its end.
 */
export function translateExpression(source: string): TranslatedString {
  const trimmed = source.trim().replace(/;$/, "");
  const { operands, operators } = splitArithmetic(trimmed);
  if (operators.length > 0) {
    let out = "";
    for (const [k, operand] of operands.entries()) {
      const text = operand.trim();
      const part: TranslatedString = /^\d+(\.\d+)?$/.test(text) ? { ok: true, value: text } : translateExpression(text);
      if (!part.ok || text === "") return part.ok ? { ok: false, reason: "it is JavaScript beyond reading fields, which has no direct JSONata form" } : part;
      out += k === 0 ? part.value : ` ${operators[k - 1]} ${part.value}`;
    }
    return { ok: true, value: out };
  }
  const stringify = /^JSON\.stringify\(([\s\S]*)\)$/.exec(trimmed);
  if (stringify) {
    const inner = translateExpression(stringify[1]!);
    return inner.ok ? { ok: true, value: `$string(${inner.value})` } : inner;
  }
  const tokens = tokenize(trimmed);
  if (!tokens || tokens.length === 0) return { ok: false, reason: "it is JavaScript beyond reading fields, which has no direct JSONata form" };
  let i = 0;
  const peek = (offset = 0) => tokens[i + offset];
  const isPunct = (text: string, offset = 0) => peek(offset)?.kind === "punct" && peek(offset)!.text === text;
  const fail = (reason = "it is JavaScript beyond reading fields, which has no direct JSONata form"): TranslatedString => ({ ok: false, reason });

  let out: string;
  // After a node's item list (`.all()`), steps index into the list and `.json` is implied by our items.
  let list = false;
  const first = peek();
  if (first?.kind !== "name") return fail();
  i++;
  if (first.text === "$json") {
    out = "$json";
  } else if (first.text === "$now") {
    if (isPunct(".") && peek(1)?.text === "toISO" && isPunct("(", 2) && isPunct(")", 3)) i += 4;
    if (i !== tokens.length) return fail("$now is a Luxon date in n8n; only $now and $now.toISO() are translated");
    return { ok: true, value: "$now()" };
  } else if (first.text === "$input") {
    if (isPunct(".") && peek(1)?.text === "item" && isPunct(".", 2) && peek(3)?.text === "json") {
      i += 4;
      out = "$json";
    } else return fail("only $input.item.json is translated; $input.first() and $input.all() read other items than the current one");
  } else if (first.text === "$" || first.text === "$node") {
    let node: string;
    if (first.text === "$") {
      if (!(isPunct("(") && peek(1)?.kind === "string" && isPunct(")", 2))) return fail("$() must name a node in quotes");
      node = peek(1)!.text;
      i += 3;
      if (!isPunct(".")) return fail("$('Node') must be followed by .item, .first(), .last() or .all()");
      const what = peek(1)?.text;
      if (what === "item" || what === "json") {
        i += 2;
        if (what === "item") {
          if (!(isPunct(".") && peek(1)?.text === "json")) return fail("$('Node').item must be followed by .json");
          i += 2;
        }
        out = `$node.${pathStep(node)}.json`;
      } else if ((what === "first" || what === "last" || what === "all") && isPunct("(", 2) && isPunct(")", 3)) {
        i += 4;
        if (what === "all") {
          out = `$node.${pathStep(node)}.items`;
          list = true;
        } else {
          if (!(isPunct(".") && peek(1)?.text === "json")) return fail(`$('Node').${what}() must be followed by .json`);
          i += 2;
          out = what === "first" ? `$node.${pathStep(node)}.json` : `$node.${pathStep(node)}.items[-1]`;
        }
      } else return fail("$('Node') must be followed by .item, .first(), .last() or .all()");
    } else {
      if (isPunct("[") && peek(1)?.kind === "string" && isPunct("]", 2)) {
        node = peek(1)!.text;
        i += 3;
      } else if (isPunct(".") && peek(1)?.kind === "name") {
        node = peek(1)!.text;
        i += 2;
      } else return fail("$node must name a node");
      if (!(isPunct(".") && peek(1)?.text === "json")) return fail("only $node[\"Node\"].json is translated");
      i += 2;
      out = `$node.${pathStep(node)}.json`;
    }
  } else {
    return fail(`${first.text} has no equivalent in Streamware expressions`);
  }

  while (i < tokens.length) {
    if (isPunct(".") && peek(1)?.kind === "name") {
      const name = peek(1)!.text;
      if (isPunct("(", 2)) {
        const method = METHODS.get(name);
        if (!method) return fail(`the method ${name}() has no direct JSONata form`);
        const args: string[] = [];
        let j = i + 3;
        while (!isPunct(")", j - i)) {
          const arg = tokens[j];
          if (arg?.kind !== "string" && arg?.kind !== "number") return fail(`${name}() is translated only with literal arguments`);
          args.push(arg.kind === "string" ? stringLiteral(arg.text) : arg.text);
          j++;
          if (isPunct(",", j - i)) j++;
        }
        if (args.length !== method.args) return fail(`${name}() is translated only with ${method.args} argument${method.args === 1 ? "" : "s"}`);
        out = method.form(out, args);
        i = j + 1;
        continue;
      }
      if (name === "length" && i + 2 === tokens.length) return { ok: true, value: `$count(${out})` };
      if (list && name === "json") {
        i += 2;
        continue;
      }
      out += `.${pathStep(name)}`;
      i += 2;
    } else if (isPunct("[") && peek(1)?.kind === "string" && isPunct("]", 2)) {
      out += `.${pathStep(peek(1)!.text)}`;
      i += 3;
    } else if (isPunct("[") && peek(1)?.kind === "number" && isPunct("]", 2)) {
      out += `[${peek(1)!.text}]`;
      i += 3;
    } else {
      return fail();
    }
  }
  return { ok: true, value: out };
}

/**
 * An n8n parameter string in our form. Strings starting with `=` are expressions: each `{{ }}` is translated and the
 * text around it kept; all of them must translate, or the string is kept as written. Other strings are literal,
 * `{{` included.
 */
export function translateParameterString(value: string): { value: string; expression: boolean; translated: boolean; reason?: string } {
  if (!value.startsWith("=")) return { value: literalText(value), expression: false, translated: false };
  const body = value.slice(1);
  const parts = parseTemplate(body);
  if (!parts) return { value: literalText(body), expression: true, translated: true };
  let out = "";
  for (const part of parts) {
    if ("text" in part) {
      out += part.text;
      continue;
    }
    const translated = translateExpression(part.expression);
    if (!translated.ok) return { value, expression: true, translated: false, reason: translated.reason };
    out += `{{ ${translated.value} }}`;
  }
  return { value: out, expression: true, translated: true };
}

/** Splits at top-level commas (outside quotes and brackets), or null when quotes or brackets do not close. */
function topLevelSplit(source: string, separator: string): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (depth === 0 && c === separator) {
      parts.push(source.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) return null;
  }
  if (quote || depth !== 0) return null;
  parts.push(source.slice(start));
  return parts;
}

const JSON_LITERAL = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null|"(?:[^"\\]|\\.)*")$/;

/** A JavaScript value inside an object literal: a literal, a nested object literal, or a field read. */
function translateValue(source: string): TranslatedString {
  const text = source.trim();
  if (JSON_LITERAL.test(text)) return { ok: true, value: text };
  if (/^'(?:[^'\\]|\\.)*'$/.test(text)) return { ok: true, value: stringLiteral(text.slice(1, -1).replace(/\\(.)/g, "$1")) };
  if (text.startsWith("{") && text.endsWith("}")) return translateObjectLiteral(text);
  return translateExpression(text);
}

/**
 * A JavaScript object literal (`{ ...$json.a, "b": $json.c, d: 1 }`) as JSONata: its pairs as an object
 * constructor, with spreads merged in order, as later keys win in JavaScript.
 */
export function translateObjectLiteral(source: string): TranslatedString {
  const entries = topLevelSplit(source.trim().slice(1, -1), ",");
  if (!entries) return { ok: false, reason: "its object literal does not close" };
  const merged: string[] = [];
  let pairs: string[] = [];
  const flush = () => {
    if (pairs.length > 0) merged.push(`{ ${pairs.join(", ")} }`);
    pairs = [];
  };
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === "") continue;
    if (entry.startsWith("...")) {
      const spread = translateExpression(entry.slice(3));
      if (!spread.ok) return spread;
      flush();
      merged.push(spread.value);
      continue;
    }
    const [key, ...rest] = topLevelSplit(entry, ":") ?? [];
    const name = key?.trim() ?? "";
    const keyText = NAME.test(name) ? name : /^(["'])(.*)\1$/.exec(name)?.[2];
    if (keyText === undefined || rest.length === 0) return { ok: false, reason: `the object entry ${entry} is JavaScript beyond fields and values` };
    const value = translateValue(rest.join(":"));
    if (!value.ok) return value;
    pairs.push(`${stringLiteral(keyText)}: ${value.value}`);
  }
  flush();
  if (merged.length === 0) return { ok: true, value: "{}" };
  return { ok: true, value: merged.length === 1 && !merged[0]!.startsWith("$") ? merged[0]! : `$merge([${merged.join(", ")}])` };
}

/**
 * A parameter that n8n reads as JSON once its `{{ }}` are filled in (a raw Set's output, a JSON body or
 * response), as our value: literal JSON as the value itself, else one expression building the same value. JSON
 * is JSONata already, so the text is kept; a `{{ }}` inside a JSON string joins the string with `&`, one
 * outside stands for its value; a lone `{{ }}` may hold an object literal with spreads.
 */
export function translateJsonParameter(value: string): { value: unknown; expression: boolean; translated: boolean; reason?: string } {
  const kept = (reason: string) => ({ value, expression: true, translated: false, reason });
  if (!value.startsWith("=")) {
    try {
      return { value: JSON.parse(value) as unknown, expression: false, translated: false };
    } catch {
      return { value: literalText(value), expression: false, translated: false };
    }
  }
  const parts = parseTemplate(value.slice(1));
  if (!parts) {
    try {
      return { value: JSON.parse(value.slice(1)) as unknown, expression: true, translated: true };
    } catch {
      return kept("it is not JSON");
    }
  }
  const expressions = parts.filter((part) => "expression" in part);
  const alone = expressions.length === 1 && parts.every((part) => "expression" in part || part.text.trim() === "");
  let jsonata = "";
  if (alone) {
    const body = (expressions[0] as { expression: string }).expression.trim();
    const translated = body.startsWith("{") && body.endsWith("}") ? translateObjectLiteral(body) : translateExpression(body);
    if (!translated.ok) return kept(translated.reason);
    jsonata = translated.value;
  } else {
    let inString = false;
    for (const part of parts) {
      if ("text" in part) {
        for (let i = 0; i < part.text.length; i++) {
          const c = part.text[i]!;
          if (inString && c === "\\") i++;
          else if (c === '"') inString = !inString;
        }
        jsonata += part.text;
        continue;
      }
      const translated = translateExpression(part.expression);
      if (!translated.ok) return kept(translated.reason);
      jsonata += inString ? `" & ${translated.value} & "` : `(${translated.value})`;
    }
    if (inString) return kept("a JSON string in it does not close");
  }
  const result = `{{ ${jsonata} }}`;
  if (checkExpressions(result, "import").length > 0) return kept("it does not read as JSON once its expressions are filled in");
  return { value: result, expression: true, translated: true };
}
