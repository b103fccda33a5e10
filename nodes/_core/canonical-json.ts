/**
 * The one way Streamware writes a file meant to move between instances (a flow export, a workspace bundle): keys
 * in sorted order at every level, two spaces of indentation and a final newline. The same value always gives the
 * same bytes, whatever order its keys were built in, so two exports can be compared byte for byte and a diff of
 * two files shows only what changed. Values that JSON has no place for (undefined, functions) are left out, as
 * `JSON.stringify` leaves them out.
 */
export function canonicalJson(value: unknown): string {
  return `${JSON.stringify(value, sortedKeys, 2)}\n`;
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  // No prototype, so a key named `__proto__` stays a key. Code-unit order, as `Array.prototype.sort` compares
  // strings: the same everywhere, unlike a locale's collation (keys that are array indices, "0", "12", still come
  // first in numeric order, as every JavaScript object keeps them; that too is the same on every run).
  const sorted = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value).sort()) sorted[key] = (value as Record<string, unknown>)[key];
  return sorted;
}
