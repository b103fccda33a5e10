import type { FlowDocument, FlowNode } from "./flow-document";
import type { WidgetProposal } from "./dashboard-proposals";

/**
 * What a flow needs to feed a dashboard made from its proposals: a `dashboard.publish` node after each source node,
 * for each series a widget shows that no publish node of the flow writes yet. Pure: the service stores the result.
 */

export const PUBLISH_NODE_TYPE = "dashboard.publish";

export interface AddedPublishNode {
  node: string;
  series: string;
  after: string;
}

/** The series the flow's publish nodes write already (their config names them as plain text). */
export function publishedSeries(document: FlowDocument): Set<string> {
  const names = new Set<string>();
  for (const node of document.nodes) {
    const series = node.type === PUBLISH_NODE_TYPE ? node.config.series : undefined;
    if (typeof series === "string") names.add(series.trim());
  }
  return names;
}

/** "Publish <series>", else "Publish <series> 2", …: the first no node of the flow has, within the name limit. */
function freeName(base: string, taken: Set<string>): string {
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? "" : ` ${n}`;
    const name = `${base.slice(0, 120 - suffix.length)}${suffix}`;
    if (!taken.has(name)) return name;
  }
}

function freeId(base: string, taken: Set<string>): string {
  const stem = base.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 56) || "publish";
  for (let n = 1; ; n++) {
    const id = n === 1 ? stem : `${stem}-${n}`;
    if (!taken.has(id)) return id;
  }
}

/**
 * The document with a publish node wired after its source node for each of `series` a proposal feeds and the flow
 * does not publish yet. Series no proposal feeds (the workspace's own) need nothing; a source node since renamed
 * or removed is reported in `missing`.
 */
export function withPublishNodes({ document, proposals, series }: { document: FlowDocument; proposals: readonly WidgetProposal[]; series: readonly string[] }): {
  document: FlowDocument;
  added: AddedPublishNode[];
  missing: { series: string; node: string }[];
} {
  const published = publishedSeries(document);
  const names = new Set(document.nodes.map((node) => node.name));
  const ids = new Set(document.nodes.map((node) => node.id));
  const edgeIds = new Set(document.edges.map((edge) => edge.id));
  const nodes = [...document.nodes];
  const edges = [...document.edges];
  const added: AddedPublishNode[] = [];
  const missing: { series: string; node: string }[] = [];
  const besides = new Map<string, number>();
  for (const name of series) {
    if (published.has(name)) continue;
    const proposal = proposals.find((p) => p.publish.some((config) => config.series === name));
    const config = proposal?.publish.find((c) => c.series === name);
    if (!proposal || !config) continue;
    published.add(name);
    const source = document.nodes.find((node) => node.name === proposal.source.node);
    if (!source) {
      missing.push({ series: name, node: proposal.source.node });
      continue;
    }
    const nodeName = freeName(`Publish ${name}`, names);
    names.add(nodeName);
    const id = freeId(`publish-${name}`, ids);
    ids.add(id);
    const row = besides.get(source.id) ?? 0;
    besides.set(source.id, row + 1);
    const node: FlowNode = {
      id,
      type: PUBLISH_NODE_TYPE,
      typeVersion: 1,
      name: nodeName,
      position: { x: source.position.x + 300, y: source.position.y + row * 120 },
      config: { series: config.series, value: config.value, labels: [], ...(config.unit ? { unit: config.unit } : {}) },
      credentials: {},
      disabled: false,
      onError: "continue",
    };
    nodes.push(node);
    // A node with named ports (a switch, an A/B split) is listened to on each port its edges leave from.
    const ports = [...new Set(document.edges.filter((edge) => edge.source === source.id).map((edge) => edge.sourcePort))];
    for (const sourcePort of ports.length ? ports : ["out"]) {
      const edgeId = freeId(`${source.id}-${sourcePort}-${id}`, edgeIds);
      edgeIds.add(edgeId);
      edges.push({ id: edgeId, source: source.id, sourcePort, target: id, targetPort: "in" });
    }
    added.push({ node: nodeName, series: name, after: source.name });
  }
  return { document: { ...document, nodes, edges }, added, missing };
}
