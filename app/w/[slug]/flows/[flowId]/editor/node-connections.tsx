"use client";

import { useId } from "react";
import { ghostButton, inputClass } from "@/app/w/[slug]/credentials/form-controls";
import type { FlowDocument, FlowEdge, FlowNode } from "@/nodes/_core/flow-document";
import { checkConnection, inputHandle, outputHandle, outputsOf, type NodePorts } from "./graph-rules";

type Side = "output" | "input";

/** A port written for a person: "output", or "output true" when the node has several or a named one. */
function portName(side: Side, port: string, ports: string[]): string {
  return ports.length === 1 && port === (side === "output" ? "out" : "in") ? side : `${side} ${port}`;
}

/**
 * The node's connections, listed and made from the keyboard: each port lists what it is connected to (with a button
 * to remove it), and a "Connect output to…" list offers every port of another node it may connect to.
 */
export function NodeConnections({
  node,
  document,
  ports,
  readOnly,
  onConnect,
  onDisconnect,
}: {
  node: FlowNode;
  document: FlowDocument;
  ports: ReadonlyMap<string, NodePorts>;
  readOnly: boolean;
  onConnect(edge: Omit<FlowEdge, "id">): void;
  onDisconnect(edgeId: string): void;
}) {
  const own = ports.get(node.id);
  if (!own) return null;
  const outputs = outputsOf(node, own);
  const names = new Map(document.nodes.map((n) => [n.id, n.name]));
  const portsOf = (id: string) => ports.get(id);
  const check = (source: string, sourcePort: string, target: string, targetPort: string) =>
    checkConnection({ nodes: document.nodes, edges: document.edges, portsOf, connection: { source, sourceHandle: outputHandle(sourcePort), target, targetHandle: inputHandle(targetPort) } });

  const rows: { side: Side; port: string; label: string }[] = [
    ...own.inputs.map((port) => ({ side: "input" as const, port, label: portName("input", port, own.inputs) })),
    ...outputs.map((port) => ({ side: "output" as const, port, label: portName("output", port, outputs) })),
  ];
  if (rows.length === 0) return null;

  return (
    <section aria-label="Connections" className="space-y-4 border-t border-slate-200 p-3 dark:border-slate-800">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">Connections</h3>
      {rows.map((row) => {
        const edges = document.edges.filter((e) => (row.side === "input" ? e.target === node.id && e.targetPort === row.port : e.source === node.id && e.sourcePort === row.port));
        // Every port of another node this one may connect to: the same rules as drawing on the canvas.
        const candidates = readOnly
          ? []
          : document.nodes.flatMap((other) => {
              const otherPorts = ports.get(other.id);
              if (other.id === node.id || !otherPorts) return [];
              const list = row.side === "output" ? otherPorts.inputs : outputsOf(other, otherPorts);
              return list.flatMap((port) => {
                const ok = row.side === "output" ? check(node.id, row.port, other.id, port).ok : check(other.id, port, node.id, row.port).ok;
                const otherSide = row.side === "output" ? "input" : "output";
                const spoken = portName(otherSide, port, list);
                return ok ? [{ value: `${other.id}\n${port}`, label: spoken === otherSide ? other.name : `${other.name} (${spoken})` }] : [];
              });
            });
        return (
          <PortRow
            key={`${row.side}:${row.port}`}
            row={row}
            connections={edges.map((e) => ({
              id: e.id,
              text: row.side === "input" ? `From ${names.get(e.source) ?? e.source} (${e.sourcePort})` : `To ${names.get(e.target) ?? e.target} (${e.targetPort})`,
              spoken: `Remove the connection from ${names.get(e.source) ?? e.source} (${e.sourcePort}) to ${names.get(e.target) ?? e.target} (${e.targetPort})`,
            }))}
            candidates={candidates}
            readOnly={readOnly}
            onPick={(value) => {
              const [other, port] = value.split("\n") as [string, string];
              const result = row.side === "output" ? check(node.id, row.port, other, port) : check(other, port, node.id, row.port);
              if (result.ok) onConnect(result.edge);
            }}
            onDisconnect={onDisconnect}
          />
        );
      })}
    </section>
  );
}

function PortRow({
  row,
  connections,
  candidates,
  readOnly,
  onPick,
  onDisconnect,
}: {
  row: { side: Side; label: string };
  connections: { id: string; text: string; spoken: string }[];
  candidates: { value: string; label: string }[];
  readOnly: boolean;
  onPick(value: string): void;
  onDisconnect(edgeId: string): void;
}) {
  const id = useId();
  const title = `${row.label[0]!.toUpperCase()}${row.label.slice(1)}`;
  const pick = row.side === "output" ? `Connect ${row.label} to…` : `Connect ${row.label} from…`;
  return (
    <div className="space-y-1.5">
      <p id={`${id}-title`} className="text-sm font-medium">
        {title}
      </p>
      <ul aria-labelledby={`${id}-title`} className="space-y-1 text-sm">
        {connections.length === 0 && <li className="text-xs text-slate-500 dark:text-slate-400">Not connected</li>}
        {connections.map((c) => (
          <li key={c.id} className="flex items-center gap-2">
            <span className="min-w-0 flex-1 truncate">{c.text}</span>
            {!readOnly && (
              <button type="button" aria-label={c.spoken} title="Remove this connection" onClick={() => onDisconnect(c.id)} className={`${ghostButton} shrink-0`}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {!readOnly && (
        <>
          <label htmlFor={`${id}-pick`} className="sr-only">
            {pick}
          </label>
          <select
            id={`${id}-pick`}
            value=""
            disabled={candidates.length === 0}
            onChange={(e) => {
              if (e.target.value) onPick(e.target.value);
            }}
            className={inputClass}
          >
            <option value="">{candidates.length ? pick : row.side === "output" ? "No other node can take this output" : "No other node can feed this input"}</option>
            {candidates.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </>
      )}
    </div>
  );
}
