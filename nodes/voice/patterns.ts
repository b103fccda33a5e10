/**
 * The command pattern language. A pattern is words, spoken as written (case and punctuation do not matter), and:
 * - `{room}`: a slot. With a value list it matches one of the listed values; without, one or more words.
 * - `(on|off)`: one of the alternatives; `(on|off):state` also keeps the spoken alternative as entity `state`.
 * - `[please]`: optional words.
 * Groups nest: `turn [the] (on|off):state [the] {room} lights`. Patterns compile to anchored regular expressions
 * over normalized text (built from escaped words, never evaluated as code), and to a JSGF grammar for the
 * offline recognizer.
 */

export interface SlotSpec {
  name: string;
  /** The values the slot may take; empty or missing means any words (not allowed in a grammar). */
  values?: string[];
}

export interface IntentSpec {
  name: string;
  patterns: string[];
}

export interface IntentMatch {
  intent: string;
  entities: Record<string, string>;
  pattern: string;
}

type Node =
  | { kind: "word"; text: string }
  | { kind: "slot"; name: string }
  | { kind: "group"; alternatives: Node[][]; name?: string }
  | { kind: "optional"; body: Node[] };

const WORD = /^[\p{L}\p{N}']+$/u;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** More free slots than this in one pattern makes matching slow for nothing a command needs. */
const MAX_FREE_SLOTS = 3;
/** Text longer than this is not a spoken command; it is not matched against patterns. */
export const MAX_COMMAND_CHARS = 500;

export class PatternError extends Error {
  constructor(pattern: string, position: number, problem: string) {
    super(`Pattern "${pattern}" at position ${position + 1}: ${problem}`);
    this.name = "PatternError";
  }
}

/** Lower case, words only: what patterns and slot values are compared as. */
export function normalizeText(text: string): string {
  return text
    .normalize("NFC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}']+/gu, " ")
    .trim();
}

class Parser {
  private pos = 0;

  constructor(private readonly source: string) {}

  parse(): Node[] {
    const nodes = this.sequence();
    if (this.pos < this.source.length) this.fail(`unexpected "${this.source[this.pos]}"`);
    if (nodes.length === 0) this.fail("the pattern is empty");
    return nodes;
  }

  private fail(problem: string): never {
    throw new PatternError(this.source, this.pos, problem);
  }

  private skipSpaces(): void {
    while (this.pos < this.source.length && /\s/.test(this.source[this.pos]!)) this.pos++;
  }

  /** Items up to a closing bracket, a `|` or the end. */
  private sequence(): Node[] {
    const nodes: Node[] = [];
    for (;;) {
      this.skipSpaces();
      const c = this.source[this.pos];
      if (c === undefined || c === ")" || c === "]" || c === "|") return nodes;
      if (c === "{") nodes.push(this.slot());
      else if (c === "(") nodes.push(this.group());
      else if (c === "[") nodes.push(this.optional());
      else nodes.push(this.word());
    }
  }

  private word(): Node {
    const start = this.pos;
    while (this.pos < this.source.length && /[\p{L}\p{N}']/u.test(this.source[this.pos]!)) this.pos++;
    if (this.pos === start) this.fail(`"${this.source[this.pos]}" is not allowed; use words, {slot}, (a|b), (a|b):name and [optional]`);
    return { kind: "word", text: normalizeText(this.source.slice(start, this.pos)) };
  }

  private name(what: string): string {
    const start = this.pos;
    while (this.pos < this.source.length && /[A-Za-z0-9_]/.test(this.source[this.pos]!)) this.pos++;
    const name = this.source.slice(start, this.pos);
    if (!NAME.test(name)) this.fail(`${what} needs a name of letters, digits and "_", starting with a letter`);
    return name;
  }

  private slot(): Node {
    this.pos++;
    const name = this.name("a {slot}");
    if (this.source[this.pos] !== "}") this.fail(`"{${name}" is not closed with "}"`);
    this.pos++;
    return { kind: "slot", name };
  }

  private group(): Node {
    const open = this.pos;
    this.pos++;
    const alternatives: Node[][] = [];
    for (;;) {
      const alternative = this.sequence();
      if (alternative.length === 0) this.fail("an alternative is empty; write optional words as [words]");
      alternatives.push(alternative);
      const c = this.source[this.pos];
      if (c === "|") {
        this.pos++;
        continue;
      }
      if (c === ")") break;
      this.pos = open;
      this.fail(`"(" is not closed with ")"`);
    }
    this.pos++;
    let name: string | undefined;
    if (this.source[this.pos] === ":") {
      this.pos++;
      name = this.name("a (group):name");
    }
    return { kind: "group", alternatives, name };
  }

  private optional(): Node {
    const open = this.pos;
    this.pos++;
    const body = this.sequence();
    if (this.source[this.pos] !== "]") {
      this.pos = open;
      this.fail(`"[" is not closed with "]"`);
    }
    if (body.length === 0) this.fail("[ ] is empty");
    this.pos++;
    return { kind: "optional", body };
  }
}

export function parsePattern(pattern: string): Node[] {
  return new Parser(pattern).parse();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

interface Compiled {
  intent: string;
  pattern: string;
  regex: RegExp;
  /** Entity name of each capturing group, in order. */
  captures: string[];
  /** Slot values by their normalized form, to report the value as listed. */
  listed: Map<string, Map<string, string>>;
}

/** Compiles declared intents; every problem (syntax, unknown slot, ambiguous slots) names the intent and pattern. */
export function compileIntents(intents: IntentSpec[], slots: SlotSpec[]): IntentMatcher {
  const slotValues = new Map<string, string[]>();
  for (const slot of slots) {
    if (!NAME.test(slot.name)) throw new Error(`Slot "${slot.name}": a slot name is letters, digits and "_", starting with a letter`);
    if (slotValues.has(slot.name)) throw new Error(`Slot "${slot.name}" is declared twice`);
    const values = (slot.values ?? []).map((v) => v.trim()).filter(Boolean);
    for (const value of values) {
      if (!normalizeText(value)) throw new Error(`Slot "${slot.name}": the value "${value}" has no words`);
    }
    slotValues.set(slot.name, values);
  }
  const compiled: Compiled[] = [];
  for (const intent of intents) {
    for (const pattern of intent.patterns) {
      try {
        compiled.push(compileOne(intent.name, pattern, slotValues));
      } catch (err) {
        throw new Error(`Intent "${intent.name}": ${(err as Error).message}`);
      }
    }
  }
  return new IntentMatcher(compiled);
}

function compileOne(intent: string, pattern: string, slotValues: Map<string, string[]>): Compiled {
  const nodes = parsePattern(pattern);
  const captures: string[] = [];
  const listed = new Map<string, Map<string, string>>();
  let freeSlots = 0;

  // Every piece matches its words each followed by one space; the text is matched with a space appended.
  const emit = (sequence: Node[]): { source: string; endsFree: boolean } => {
    let source = "";
    let previousFree = false;
    for (const node of sequence) {
      if (node.kind === "word") {
        source += `${escapeRegExp(node.text)} `;
        previousFree = false;
      } else if (node.kind === "slot") {
        const values = slotValues.get(node.name);
        if (values === undefined) throw new Error(`Pattern "${pattern}": the slot {${node.name}} is not declared; add it to the slots`);
        captures.push(node.name);
        if (values.length > 0) {
          const byNormal = new Map(values.map((v) => [normalizeText(v), v]));
          listed.set(node.name, byNormal);
          const alternatives = [...byNormal.keys()].sort((a, b) => b.length - a.length).map((v) => `${escapeRegExp(v)} `);
          source += `(${alternatives.join("|")})`;
          previousFree = false;
        } else {
          if (previousFree) throw new Error(`Pattern "${pattern}": two slots without listed values follow each other, so where one ends is unclear; put a word between them or list their values`);
          if (++freeSlots > MAX_FREE_SLOTS) throw new Error(`Pattern "${pattern}": at most ${MAX_FREE_SLOTS} slots without listed values`);
          source += "((?:[^ ]+ )+?)";
          previousFree = true;
        }
      } else if (node.kind === "group") {
        if (node.name) captures.push(node.name);
        const parts = node.alternatives.map((alternative) => emit(alternative));
        const body = parts.map((p) => p.source).join("|");
        source += node.name ? `(${body})` : `(?:${body})`;
        previousFree = parts.some((p) => p.endsFree);
      } else {
        const part = emit(node.body);
        source += `(?:${part.source})?`;
        previousFree = part.endsFree;
      }
    }
    return { source, endsFree: previousFree };
  };

  const { source } = emit(nodes);
  return { intent, pattern, regex: new RegExp(`^${source}$`, "u"), captures, listed };
}

export class IntentMatcher {
  constructor(private readonly compiled: Compiled[]) {}

  get size(): number {
    return this.compiled.length;
  }

  /** The first declared intent whose pattern matches the whole text, with its entities; null when none does. */
  match(text: string): IntentMatch | null {
    const normal = normalizeText(text);
    if (!normal || normal.length > MAX_COMMAND_CHARS) return null;
    const subject = `${normal} `;
    for (const candidate of this.compiled) {
      const found = candidate.regex.exec(subject);
      if (!found) continue;
      const entities: Record<string, string> = {};
      candidate.captures.forEach((name, i) => {
        const value = found[i + 1];
        if (value === undefined) return;
        const spoken = value.trim();
        entities[name] = candidate.listed.get(name)?.get(spoken) ?? spoken;
      });
      return { intent: candidate.intent, entities, pattern: candidate.pattern };
    }
    return null;
  }
}

/**
 * A JSGF grammar that accepts exactly the phrases the patterns describe, so the offline recognizer can only
 * hear declared commands. Slots must list their values; every word is returned for the dictionary check.
 */
export function jsgfGrammar(intents: IntentSpec[], slots: SlotSpec[]): { grammar: string; words: Set<string> } {
  const slotValues = new Map(slots.map((s) => [s.name, (s.values ?? []).map(normalizeText).filter(Boolean)]));
  const words = new Set<string>();
  const usedSlots = new Set<string>();
  const addWords = (text: string) => {
    for (const w of text.split(" ")) words.add(w);
    return text;
  };
  const expand = (sequence: Node[], pattern: string): string =>
    sequence
      .map((node) => {
        if (node.kind === "word") return addWords(node.text);
        if (node.kind === "slot") {
          const values = slotValues.get(node.name);
          if (values === undefined) throw new Error(`Pattern "${pattern}": the slot {${node.name}} is not declared; add it to the slots`);
          if (values.length === 0) throw new Error(`Pattern "${pattern}": the grammar needs the values of slot {${node.name}}; list them, or transcribe without a grammar`);
          usedSlots.add(node.name);
          return `<slot_${node.name}>`;
        }
        if (node.kind === "group") return `( ${node.alternatives.map((a) => expand(a, pattern)).join(" | ")} )`;
        return `[ ${expand(node.body, pattern)} ]`;
      })
      .join(" ");
  const commands: string[] = [];
  for (const intent of intents) {
    for (const pattern of intent.patterns) commands.push(`( ${expand(parsePattern(pattern), pattern)} )`);
  }
  if (commands.length === 0) throw new Error("A grammar needs at least one intent pattern");
  const rules = [...usedSlots].map((name) => `<slot_${name}> = ${slotValues.get(name)!.map(addWords).join(" | ")};`);
  const grammar = ["#JSGF V1.0;", "grammar commands;", `public <command> = ${commands.join(" | ")};`, ...rules, ""].join("\n");
  for (const w of words) if (!WORD.test(w)) throw new Error(`"${w}" cannot be a grammar word`);
  return { grammar, words };
}

/**
 * Every entity the patterns can produce, with its allowed values: a slot's listed values, a named group's
 * alternatives (when they are plain words); an empty list means any words.
 */
export function entityValues(intents: IntentSpec[], slots: SlotSpec[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  const add = (name: string, values: string[]) => {
    const known = result.get(name);
    if (known && known.length === 0) return;
    result.set(name, values.length === 0 || (known && known.length === 0) ? [] : [...new Set([...(known ?? []), ...values])]);
  };
  const slotValues = new Map(slots.map((s) => [s.name, (s.values ?? []).filter((v) => normalizeText(v))]));
  const visit = (sequence: Node[]) => {
    for (const node of sequence) {
      if (node.kind === "slot") add(node.name, slotValues.get(node.name) ?? []);
      else if (node.kind === "optional") visit(node.body);
      else if (node.kind === "group") {
        if (node.name) {
          const plain = node.alternatives.every((a) => a.every((n) => n.kind === "word"));
          add(node.name, plain ? node.alternatives.map((a) => a.map((n) => (n as { text: string }).text).join(" ")) : []);
        }
        node.alternatives.forEach(visit);
      }
    }
  };
  for (const intent of intents) for (const pattern of intent.patterns) visit(parsePattern(pattern));
  return result;
}
