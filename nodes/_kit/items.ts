/** A reference to bytes kept in binary storage; items carry these, never the bytes themselves. */
export interface BinaryRef {
  id: string;
  mimeType: string;
  fileName?: string;
  size: number;
}

/** What travels along an edge: JSON data and, optionally, named binary attachments. */
export interface Item {
  json: Record<string, unknown>;
  binary?: Record<string, BinaryRef>;
}

/** A node's result: items by output port. */
export type PortItems = Record<string, Item[]>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Wraps a value as an item: objects become its JSON, anything else sits under `value`. */
export function toItem(value: unknown): Item {
  if (isPlainObject(value) && isPlainObject(value.json)) {
    const item: Item = { json: value.json };
    if (isPlainObject(value.binary)) item.binary = value.binary as Record<string, BinaryRef>;
    return item;
  }
  return { json: isPlainObject(value) ? value : { value } };
}

export function toItems(value: unknown): Item[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map(toItem) : [toItem(value)];
}
