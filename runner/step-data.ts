import type { PortItems } from "../nodes/_kit/items";

/** How step input and output are stored: the items by port, and when they were over the cap, by how much. */
export interface StoredPorts {
  items: PortItems;
  /** Input only: the items are the upstream steps' output, stored there once. */
  fromUpstream?: boolean;
  /** Input only: the items are the run's trigger items, stored on the run. */
  fromTrigger?: boolean;
  truncated?: { originalBytes: number; capBytes: number; keptItems: number; totalItems: number };
}

/**
 * Keeps a step's data under the cap for the database and the editor: whole items are kept in port order until the
 * cap is reached, and the record says how large the original was.
 */
export function capPorts(ports: PortItems, capBytes: number): { stored: StoredPorts; truncated: boolean; json: string } {
  const json = JSON.stringify(ports);
  if (json.length <= capBytes) return { stored: { items: ports }, truncated: false, json };
  const kept: PortItems = {};
  let used = 2;
  let keptItems = 0;
  let totalItems = 0;
  for (const [port, items] of Object.entries(ports)) {
    kept[port] = [];
    totalItems += items.length;
    for (const item of items) {
      const size = JSON.stringify(item).length + 1;
      if (used + size > capBytes) continue;
      used += size;
      kept[port].push(item);
      keptItems++;
    }
  }
  return { stored: { items: kept, truncated: { originalBytes: json.length, capBytes, keptItems, totalItems } }, truncated: true, json };
}
