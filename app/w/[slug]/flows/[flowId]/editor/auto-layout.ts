import type { ELK, ElkNode } from "elkjs/lib/elk-api";

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
  inputs: string[];
  outputs: string[];
}

export interface LayoutEdge {
  id: string;
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
}

// elkjs is large (1.6 MB) and only auto-layout needs it: it loads on the first layout, not with the editor.
let elk: Promise<ELK> | undefined;
function layoutEngine(): Promise<ELK> {
  elk ??= import("elkjs/lib/elk.bundled.js").then(({ default: Engine }) => new Engine());
  return elk;
}

/** Where the i-th of n ports sits down a node's side: spread evenly. The canvas draws its handles there too. */
export function portOffset(index: number, count: number, height: number): number {
  return Math.round((height * (index + 1)) / (count + 1));
}

/**
 * Positions for every node: layered, left to right, with each node's ports in their order on its sides, so edges
 * from the first output leave above those from the second.
 */
export async function layoutFlow(nodes: LayoutNode[], edges: LayoutEdge[]): Promise<Map<string, { x: number; y: number }>> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const portId = (node: string, side: "in" | "out", port: string) => `${node}\u0000${side}\u0000${port}`;
  const graph: ElkNode = {
    id: "flow",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.spacing.nodeNode": "48",
      "elk.layered.spacing.nodeNodeBetweenLayers": "96",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      "elk.separateConnectedComponents": "true",
      "elk.spacing.componentComponent": "64",
    },
    children: nodes.map((node) => ({
      id: node.id,
      width: node.width,
      height: node.height,
      // Ports sit where the canvas draws them, so edges from the first output leave above those from the second.
      layoutOptions: { "elk.portConstraints": "FIXED_POS" },
      ports: [
        ...node.inputs.map((port, i) => ({ id: portId(node.id, "in", port), width: 8, height: 8, x: -4, y: portOffset(i, node.inputs.length, node.height) - 4 })),
        ...node.outputs.map((port, i) => ({ id: portId(node.id, "out", port), width: 8, height: 8, x: node.width - 4, y: portOffset(i, node.outputs.length, node.height) - 4 })),
      ],
    })),
    edges: edges
      .filter((e) => byId.has(e.source) && byId.has(e.target))
      .map((edge) => {
        const source = byId.get(edge.source)!;
        const target = byId.get(edge.target)!;
        return {
          id: edge.id,
          sources: [source.outputs.includes(edge.sourcePort) ? portId(edge.source, "out", edge.sourcePort) : edge.source],
          targets: [target.inputs.includes(edge.targetPort) ? portId(edge.target, "in", edge.targetPort) : edge.target],
        };
      }),
  };
  const laid = await (await layoutEngine()).layout(graph);
  return new Map((laid.children ?? []).map((child) => [child.id, { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) }]));
}
