import { migrateConfig, parseNodeConfig, splitLiteralFields, type NodeDefinition } from "../_kit/define-node";
import type { Item } from "../_kit/items";
import { hasExpressions, planExpressions, resolveExpressions, type ExpressionEvaluator, type ExpressionPlan, type ExpressionScope } from "./expressions";

/** A node's config migrated to its type's version and split into evaluated and literal fields. */
export interface PreparedConfig {
  raw: Record<string, unknown>;
  evaluated: Record<string, unknown>;
  literal: Record<string, unknown>;
  expressions: boolean;
  /** A config without expressions, parsed by the node's schema: once per node, not per run (nodes never change their config). */
  parsed?: { config: unknown };
  /** The expressions of the evaluated fields, compiled: made on first use (a config that does not compile has none). */
  plan?: ExpressionPlan;
}

export function prepareConfig(definition: NodeDefinition, config: Record<string, unknown>, typeVersion: number): PreparedConfig {
  const raw = migrateConfig(definition, config, typeVersion);
  const { evaluated, literal } = splitLiteralFields(definition, raw);
  return { raw, evaluated, literal, expressions: hasExpressions(evaluated) };
}

/** What expressions see besides the item: the run's trigger item, earlier outputs and ids. */
export type ScopeBase = Omit<ExpressionScope, "json" | "binary" | "itemIndex">;

/**
 * The node's config with its expressions evaluated against input item `index`, validated by the node's schema.
 * A config without expressions is parsed once, for every run of the prepared node. Item 0's is evaluated once: it
 * is the step's `config`, and a node going item by item (eachItem) asks for it again.
 */
export function configResolver<Config>(args: {
  definition: NodeDefinition<Config>;
  nodeName: string;
  prepared: PreparedConfig;
  input: Item[];
  scope: ScopeBase;
  evaluator: ExpressionEvaluator;
  signal?: AbortSignal;
}): (index: number) => Promise<Config> {
  const { definition, nodeName, prepared, input, scope, evaluator, signal } = args;
  if (!prepared.expressions) return async () => (prepared.parsed ??= { config: parseNodeConfig(definition, nodeName, prepared.raw) }).config as Config;
  const resolve = async (index: number) => {
    const item = input[index] ?? input[0];
    const itemScope: ExpressionScope = { ...scope, json: item?.json ?? scope.trigger, binary: item?.binary, itemIndex: index };
    prepared.plan ??= planExpressions(prepared.evaluated, { nodeName });
    const evaluated = await resolveExpressions(prepared.evaluated, { scope: itemScope, nodeName, evaluator, signal, plan: prepared.plan });
    return parseNodeConfig(definition, nodeName, { ...evaluated, ...prepared.literal });
  };
  let first: Promise<Config> | undefined;
  return (index: number) => (index === 0 ? (first ??= resolve(0)) : resolve(index));
}
