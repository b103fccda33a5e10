import type jsonata from "jsonata";

/**
 * What an expression's parsed form says about the work it can do. Pure: it reads JSONata's syntax tree, which
 * jsonata.d.ts types only in part (it leaves out "path" nodes and their steps' stages), hence the loose node type.
 */

interface Node {
  type: string;
  value?: unknown;
  steps?: Node[];
  stages?: Node[];
  expr?: Node;
  lhs?: Node | Node[][];
  rhs?: Node;
  expression?: Node;
  expressions?: Node[];
  condition?: Node;
  then?: Node;
  else?: Node;
  arguments?: Node[];
  procedure?: Node;
  [key: string]: unknown;
}

/** `body.name`, `$json.body.name`, `$trigger.id`, `$node.Weather.json.temp`: names only, from one root. */
export interface FieldPath {
  root: "json" | "trigger" | "node";
  names: string[];
}

const stepKeys = new Set(["type", "value", "position"]);

/** The field path an expression is, if it is nothing more: such an expression is one look-up per name. */
export function fieldPathOf(expressionNode: jsonata.ExprNode): FieldPath | null {
  const ast = expressionNode as unknown as Node;
  if (ast.type !== "path" || !Array.isArray(ast.steps) || Object.keys(ast).some((key) => key !== "type" && key !== "steps")) return null;
  const steps = ast.steps;
  if (steps.some((step) => Object.keys(step).some((key) => !stepKeys.has(key)) || typeof step.value !== "string")) return null;
  const [first] = steps;
  let root: FieldPath["root"] = "json";
  let names = steps;
  if (first?.type === "variable") {
    if (first.value !== "json" && first.value !== "trigger" && first.value !== "node") return null;
    root = first.value;
    names = steps.slice(1);
  }
  if (names.length === 0 || names.some((step) => step.type !== "name")) return null;
  return { root, names: names.map((step) => step.value as string) };
}

/** A part of a concatenation: text, or the field path whose value goes there. */
export type ConcatenationPart = string | FieldPath;

const binaryKeys = new Set(["type", "value", "position", "lhs", "rhs"]);

/**
 * The parts an expression joins, if it is nothing more than text and field paths joined with `&`
 * (`'Hello ' & body.name`): such an expression is one look-up per path and a join.
 */
export function concatenationOf(expressionNode: jsonata.ExprNode): ConcatenationPart[] | null {
  const ast = expressionNode as unknown as Node;
  if (ast.type !== "binary" || ast.value !== "&" || Object.keys(ast).some((key) => !binaryKeys.has(key))) return null;
  const parts: ConcatenationPart[] = [];
  for (const side of [ast.lhs, ast.rhs] as Node[]) {
    if (side.type === "string" && typeof side.value === "string" && Object.keys(side).every((key) => stepKeys.has(key))) parts.push(side.value);
    else {
      const inner = side.type === "binary" ? concatenationOf(side as unknown as jsonata.ExprNode) : fieldPathOf(side as unknown as jsonata.ExprNode);
      if (!inner) return null;
      parts.push(...(Array.isArray(inner) ? inner : [inner]));
    }
  }
  return parts;
}

/** Variables a bounded expression may read: the item, what the run binds, and the context (`$`, `$$`). */
const readableVariables = new Set(["", "$", "json", "binary", "trigger", "node", "itemIndex", "runId", "flowId"]);

/** Operators whose work is in proportion to their operands; `..` (a range) is left out: it makes data. */
const linearOperators = new Set(["&", "+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "and", "or", "in"]);

/**
 * Built-in functions whose work and output are in proportion to their input. Left out, among others: $pad and
 * $formatNumber (they make output from a number), anything taking a function or a pattern, and $eval.
 */
const linearFunctions = new Set([
  "string", "number", "boolean", "not", "exists", "uppercase", "lowercase", "trim", "length", "substring",
  "substringBefore", "substringAfter", "contains", "join", "count", "sum", "max", "min", "average", "round",
  "floor", "ceil", "abs", "keys", "lookup", "now", "millis", "type",
]);

/**
 * True when evaluating the expression can only do work in proportion to its size and its data: paths with filters,
 * literals, linear operators, conditions, array and object constructors, and linear built-ins, and nothing that
 * defines or binds a function, loops, builds a range or runs a regular expression. Such an expression cannot spin;
 * the caller still caps its steps, since its data can be large.
 */
export function isBoundedShape(expressionNode: jsonata.ExprNode): boolean {
  const pending: Node[] = [expressionNode as unknown as Node];
  while (pending.length > 0) {
    const node = pending.pop()!;
    switch (node.type) {
      case "string":
      case "number":
      case "value":
      case "name":
        break;
      case "variable":
        if (!readableVariables.has(node.value as string)) return false;
        break;
      case "path":
        pending.push(...(node.steps ?? []));
        break;
      case "filter":
        if (node.expr) pending.push(node.expr);
        break;
      case "binary":
        if (!linearOperators.has(node.value as string) || !node.rhs || !node.lhs || Array.isArray(node.lhs)) return false;
        pending.push(node.lhs, node.rhs);
        break;
      case "unary":
        if (node.value === "-" && node.expression) pending.push(node.expression);
        else if (node.value === "[") pending.push(...(node.expressions ?? []));
        else if (node.value === "{" && Array.isArray(node.lhs)) pending.push(...node.lhs.flat());
        else return false;
        break;
      case "condition":
        pending.push(...[node.condition, node.then, node.else].filter((part): part is Node => part !== undefined));
        break;
      case "block":
        pending.push(...(node.expressions ?? []));
        break;
      case "function":
        if (node.procedure?.type !== "variable" || !linearFunctions.has(node.procedure.value as string)) return false;
        pending.push(...(node.arguments ?? []));
        break;
      default:
        return false;
    }
    // Any other annotation JSONata puts on a node (grouping, focus or index binding, sorting) is not read above.
    if (node.stages && node.stages.some((stage) => stage.type !== "filter")) return false;
    if (node.stages) pending.push(...node.stages);
    for (const key of ["group", "focus", "index", "tuple", "predicate"]) if (key in node) return false;
  }
  return true;
}
