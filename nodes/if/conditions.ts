import { z } from "zod";
import { ui } from "../_kit/define-node";

export const OPERATORS = [
  "equals",
  "notEquals",
  "greaterThan",
  "greaterOrEqual",
  "lessThan",
  "lessOrEqual",
  "contains",
  "notContains",
  "startsWith",
  "endsWith",
  "isEmpty",
  "isNotEmpty",
  "isTrue",
  "isFalse",
] as const;

export type Operator = (typeof OPERATORS)[number];

export const conditionSchema = z.object({
  left: z.unknown().meta({ title: "Value", ...ui({ expression: true, placeholder: "{{ $json.temperature }}" }) }),
  operator: z.enum(OPERATORS).default("equals"),
  right: z.unknown().optional().meta({ title: "Compare with", ...ui({ expression: true }) }),
});

export type Condition = z.output<typeof conditionSchema>;

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

/** Numbers compare as numbers even when one side came from text ("21" > 20). */
function asNumbers(a: unknown, b: unknown): [number, number] | null {
  const x = typeof a === "number" ? a : typeof a === "string" && a.trim() !== "" ? Number(a) : NaN;
  const y = typeof b === "number" ? b : typeof b === "string" && b.trim() !== "" ? Number(b) : NaN;
  return Number.isFinite(x) && Number.isFinite(y) ? [x, y] : null;
}

function equal(a: unknown, b: unknown): boolean {
  const numbers = asNumbers(a, b);
  if (numbers) return numbers[0] === numbers[1];
  if (typeof a === "object" || typeof b === "object") return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

function compare(condition: Condition, check: (a: number, b: number) => boolean): boolean {
  const numbers = asNumbers(condition.left, condition.right);
  return numbers !== null && check(numbers[0], numbers[1]);
}

export function test(condition: Condition): boolean {
  const { left, right } = condition;
  const text = (v: unknown) => String(v ?? "");
  switch (condition.operator) {
    case "equals":
      return equal(left, right);
    case "notEquals":
      return !equal(left, right);
    case "greaterThan":
      return compare(condition, (a, b) => a > b);
    case "greaterOrEqual":
      return compare(condition, (a, b) => a >= b);
    case "lessThan":
      return compare(condition, (a, b) => a < b);
    case "lessOrEqual":
      return compare(condition, (a, b) => a <= b);
    case "contains":
      return Array.isArray(left) ? left.some((v) => equal(v, right)) : text(left).includes(text(right));
    case "notContains":
      return Array.isArray(left) ? !left.some((v) => equal(v, right)) : !text(left).includes(text(right));
    case "startsWith":
      return text(left).startsWith(text(right));
    case "endsWith":
      return text(left).endsWith(text(right));
    case "isEmpty":
      return isEmpty(left);
    case "isNotEmpty":
      return !isEmpty(left);
    case "isTrue":
      return left === true || left === "true";
    case "isFalse":
      return left === false || left === "false";
  }
}
