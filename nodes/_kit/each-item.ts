import type { NodeContext } from "./context";
import type { Item } from "./items";

export interface EachItem<Config> {
  item: Item;
  index: number;
  /** The node's config with its expressions evaluated against this item. */
  config: Config;
}

/**
 * The input items one after another, each with the config evaluated against it, for nodes that act once per item:
 * `for await (const { item, index, config } of eachItem({ input, ctx })) { … }`. The next item's config is evaluated
 * only once the loop body is done with this one, so a failing item stops the step before later items are touched.
 * With `evenIfEmpty`, a node that also acts with no input (a request, an alert, a message) gets one empty item.
 */
export async function* eachItem<Config>({
  input,
  ctx,
  evenIfEmpty = false,
}: {
  input: Item[];
  ctx: Pick<NodeContext<Config>, "configFor">;
  evenIfEmpty?: boolean;
}): AsyncGenerator<EachItem<Config>, void, undefined> {
  const items = input.length === 0 && evenIfEmpty ? [{ json: {} }] : input;
  for (const [index, item] of items.entries()) {
    yield { item, index, config: await ctx.configFor(index) };
  }
}
