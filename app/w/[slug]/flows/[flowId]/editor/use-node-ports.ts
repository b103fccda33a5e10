"use client";

import { useQueries } from "@tanstack/react-query";
import { useMemo } from "react";
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

/**
 * Each node's ports: the catalog's, or for node types whose ports follow their config (switch, A/B split) what the
 * server says for the node's config. Unchanged ports keep their object, so node cards do not re-render.
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

  return useMemo(() => {
    const next = new Map<string, NodePorts>();
    for (const node of document.nodes) {
      const entry = catalog.get(node.type);
      const asked = dynamicPorts.get(node.id);
      let inputs = asked?.inputs ?? entry?.inputs ?? [];
      let outputs = asked?.outputs ?? entry?.outputs ?? [];
      if (!asked) {
        // Until the server answers (or while the config does not fit), the ports edges already use stay drawn.
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
  }, [document.nodes, document.edges, catalog, key]);
}
