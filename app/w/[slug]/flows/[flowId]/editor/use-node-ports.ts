"use client";

import { useQueries } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import type { FlowDocument } from "@/nodes/_core/flow-document";
import type { CatalogEntry } from "./editor-types";
import type { NodePorts } from "./graph-rules";

// One object per distinct set of ports, so a node whose ports did not change keeps the same object.
const interned = new Map<string, NodePorts>();
function intern(ports: NodePorts): NodePorts {
  const key = JSON.stringify(ports);
  const found = interned.get(key);
  if (found) return found;
  interned.set(key, ports);
  return ports;
}

type Answer = { inputs: string[]; outputs: string[] };

/**
 * Each node's ports: the catalog's, or for node types whose ports follow their config (switch, A/B split) what the
 * server says for the node's config. While the config is being typed (the server cannot say for a half-filled
 * variant) and while an answer is on its way, the node keeps the last ports it had, and the ports its edges use:
 * outputs do not vanish under the hand that is filling them in. Unchanged ports keep their object, so node cards
 * do not re-render.
 */
export function useNodePorts(document: FlowDocument, catalog: ReadonlyMap<string, CatalogEntry>): ReadonlyMap<string, NodePorts> {
  const trpc = useTRPC();
  const dynamic = document.nodes.filter((n) => catalog.get(n.type)?.dynamicPorts);
  const results = useQueries({
    queries: dynamic.map((node) => ({
      ...trpc.nodeCatalog.ports.queryOptions({ type: node.type, config: node.config }),
      retry: false,
      staleTime: Infinity,
    })),
  });
  const dynamicPorts = new Map(dynamic.map((node, i) => [node.id, results[i]?.data]));
  const key = JSON.stringify([...dynamicPorts.entries()]);

  // The last answer for each node, kept when the answers change (React's way to adjust state to new input while
  // rendering, without an effect's extra pass).
  const [remembered, setRemembered] = useState<{ key: string; ports: ReadonlyMap<string, Answer> }>({ key: "", ports: new Map() });
  let lastGood = remembered.ports;
  if (remembered.key !== key) {
    const answered = [...dynamicPorts.entries()].filter((entry): entry is [string, Answer] => entry[1] !== undefined);
    lastGood = new Map([...remembered.ports, ...answered]);
    setRemembered({ key, ports: lastGood });
  }

  return useMemo(() => {
    const next = new Map<string, NodePorts>();
    for (const node of document.nodes) {
      const entry = catalog.get(node.type);
      const fresh = dynamicPorts.get(node.id);
      const asked = fresh ?? lastGood.get(node.id);
      let inputs = asked?.inputs ?? entry?.inputs ?? [];
      let outputs = asked?.outputs ?? entry?.outputs ?? [];
      if (!fresh) {
        // Until the server answers for this config, the ports edges use stay drawn too.
        const used = document.edges.filter((e) => e.source === node.id).map((e) => e.sourcePort);
        const into = document.edges.filter((e) => e.target === node.id).map((e) => e.targetPort);
        outputs = [...new Set([...outputs, ...used.filter((p) => p !== "error")])];
        inputs = [...new Set([...inputs, ...into])];
      }
      next.set(node.id, intern({ inputs, outputs, trigger: Boolean(entry?.trigger) }));
    }
    return next;
    // `key` stands for the dynamic answers, which are new objects each render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [document.nodes, document.edges, catalog, key, lastGood]);
}
