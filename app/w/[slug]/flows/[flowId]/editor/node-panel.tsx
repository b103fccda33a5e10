"use client";

import { useState } from "react";
import { HoldToTalk } from "@/app/_components/hold-to-talk";
import type { FlowDocument, FlowEdge, FlowNode } from "@/nodes/_core/flow-document";
import { ConfigPanel } from "./config-panel/config-panel";
import { portsOf } from "./data-view/data-model";
import { NodeDataView } from "./data-view/node-data-view";
import type { CatalogEntry, NodeRunState, RunDetail } from "./editor-types";
import type { NodePorts } from "./graph-rules";
import { NodeConnections } from "./node-connections";
import { heardCommand, VOICE_TRIGGER_TYPE } from "./voice-result";
import { WEBHOOK_NODE_TYPE, WebhookTestSection } from "./webhook-test-section";

type Tab = "settings" | "data";

/** The selected node: its settings, and its data in the run being shown (or its pinned items). */
export function NodePanel({
  workspaceId,
  flowId,
  node,
  entry,
  readOnly,
  issues,
  run,
  live,
  pinned,
  canRun,
  onChange,
  onPin,
  onRunAlone,
  onVoiceRun,
  flushDraft,
  onClose,
  document,
  ports,
  onConnect,
  onDisconnect,
}: {
  workspaceId: string;
  flowId: string;
  node: FlowNode;
  entry: CatalogEntry | undefined;
  readOnly: boolean;
  issues: { path: string; message: string; severity?: "error" | "warning" }[];
  run: RunDetail | undefined;
  live: NodeRunState | undefined;
  pinned: unknown[] | undefined;
  canRun: boolean;
  onChange(next: FlowNode): void;
  onPin(nodeId: string, items: unknown[] | null): void;
  onRunAlone(nodeId: string): void;
  /** A run of the draft started from this panel (a hold-to-talk recording, a call to the test webhook URL); the editor follows it. */
  onVoiceRun(runId: string): void;
  /** Saves the draft now, before the test webhook listens for it; false when it could not be saved. */
  flushDraft?: () => Promise<boolean>;
  onClose(): void;
  /** For the node's connections, made and removed from the keyboard. */
  document: FlowDocument;
  ports: ReadonlyMap<string, NodePorts>;
  onConnect(edge: Omit<FlowEdge, "id">): void;
  onDisconnect(edgeId: string): void;
}) {
  const step = run?.steps.find((s) => s.nodeId === node.id);
  const [tab, setTab] = useState<Tab>(readOnly && step ? "data" : "settings");
  const output = step ? step.output : pinned ? { items: { out: pinned } } : undefined;
  const sampleInput = run && step ? { runId: run.id, items: portsOf(step.input).ports.flatMap((p) => p.items) } : undefined;

  return (
    <div className="flex h-full min-h-0 flex-col" data-undo-scope="document">
      <div className="flex items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
        <div className="min-w-0 flex-1">
          <h2 className="truncate font-semibold">{node.name}</h2>
          <p className="truncate text-xs text-slate-500 dark:text-slate-400">{entry?.name ?? node.type}</p>
        </div>
        {canRun && !entry?.trigger && (
          <button
            type="button"
            onClick={() => onRunAlone(node.id)}
            title="Run only this node, on the pinned or last-run output of the nodes before it"
            className="rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800"
          >
            Run this node
          </button>
        )}
        {pinned && !readOnly && (
          <button type="button" onClick={() => onPin(node.id, null)} className="rounded-md border border-slate-300 px-2 py-1 text-xs hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800">
            Unpin
          </button>
        )}
        <button type="button" aria-label="Close panel" onClick={onClose} className="rounded-md px-2 py-1 text-slate-500 hover:bg-slate-100 dark:hover:bg-slate-800">
          ✕
        </button>
      </div>
      {node.type === VOICE_TRIGGER_TYPE && (
        <VoiceSection flowId={flowId} canRun={canRun} live={live} heard={live?.status === "running" ? null : heardCommand(step?.output)} onRun={onVoiceRun} />
      )}
      {node.type === WEBHOOK_NODE_TYPE && <WebhookTestSection workspaceId={workspaceId} flowId={flowId} node={node} canRun={canRun} flushDraft={flushDraft} onRun={onVoiceRun} />}
      <div role="tablist" aria-label="Node panel" className="flex gap-1 border-b border-slate-200 px-3 dark:border-slate-800">
        {(["settings", "data"] as const).map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            id={`node-tab-${t}`}
            aria-selected={tab === t}
            aria-controls={`node-tabpanel-${t}`}
            tabIndex={tab === t ? 0 : -1}
            onClick={() => setTab(t)}
            onKeyDown={(e) => {
              if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
                const next = t === "settings" ? "data" : "settings";
                setTab(next);
                (e.currentTarget.parentElement?.querySelector(`#node-tab-${next}`) as HTMLElement | null)?.focus();
              }
            }}
            className={`-mb-px border-b-2 px-2 py-1.5 text-sm ${tab === t ? "border-indigo-500 font-medium text-indigo-700 dark:text-indigo-300" : "border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100"}`}
          >
            {t === "settings" ? "Settings" : "Data"}
            {t === "settings" && issues.some((i) => i.severity !== "warning") && <span className="ml-1 rounded bg-red-100 px-1 text-xs text-red-800 dark:bg-red-950 dark:text-red-200">{issues.filter((i) => i.severity !== "warning").length}</span>}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`node-tabpanel-${tab}`} aria-labelledby={`node-tab-${tab}`} className="min-h-0 flex-1 overflow-y-auto">
        {tab === "settings" ? (
          entry ? (
            <>
              <ConfigPanel workspaceId={workspaceId} flowId={flowId} node={node} entry={entry} readOnly={readOnly} issues={issues} sampleInput={sampleInput} onChange={onChange} />
              <NodeConnections node={node} document={document} ports={ports} readOnly={readOnly} onConnect={onConnect} onDisconnect={onDisconnect} />
            </>
          ) : (
            <p className="p-3 text-sm text-red-700 dark:text-red-300">This node&apos;s type “{node.type}” is not installed here; it cannot be edited or run.</p>
          )
        ) : (
          <NodeDataView
            input={step?.input}
            output={output}
            error={step?.error as { message: string } | null | undefined}
            status={live?.status ?? step?.status}
            durationMs={live?.durationMs ?? step?.durationMs ?? undefined}
            attempt={live?.attempt ?? step?.attempt}
            workerLosses={step?.workerLosses}
            progress={live?.progress}
            streams={live?.status === "running" ? live.streams : undefined}
            pinned={Boolean(pinned)}
            onPin={readOnly ? undefined : (items) => onPin(node.id, items)}
          />
        )}
      </div>
    </div>
  );
}

/** Speak to the flow: a recording runs the draft from this trigger; then what was heard and understood. */
function VoiceSection({ flowId, canRun, live, heard, onRun }: { flowId: string; canRun: boolean; live: NodeRunState | undefined; heard: ReturnType<typeof heardCommand>; onRun(runId: string): void }) {
  const entities = heard ? Object.entries(heard.entities) : [];
  return (
    <section aria-label="Voice command" className="space-y-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
      {canRun ? (
        <HoldToTalk flowId={flowId} onRun={onRun} />
      ) : (
        <p className="text-xs text-slate-500 dark:text-slate-400">Recording runs the draft; it is off while you look at a past run or may not edit.</p>
      )}
      {live?.status === "running" && (
        <p role="status" className="text-xs text-sky-700 dark:text-sky-300">
          {typeof live.progress?.message === "string" ? live.progress.message : "Transcribing…"}
        </p>
      )}
      {heard && (
        <dl aria-live="polite" className="grid grid-cols-[auto_1fr] gap-x-2 gap-y-0.5 rounded-md bg-slate-50 p-2 text-sm dark:bg-slate-800/60">
          <dt className="text-xs font-medium text-slate-500 dark:text-slate-400">Heard</dt>
          <dd className="break-words">{heard.text ? `“${heard.text}”` : <span className="text-slate-500 dark:text-slate-400">nothing recognizable</span>}</dd>
          <dt className="text-xs font-medium text-slate-500 dark:text-slate-400">Intent</dt>
          <dd className="font-mono text-xs leading-5">{heard.intent ?? <span className="font-sans text-slate-500 dark:text-slate-400">none matched</span>}</dd>
          {entities.length > 0 && (
            <>
              <dt className="text-xs font-medium text-slate-500 dark:text-slate-400">Entities</dt>
              <dd className="font-mono text-xs leading-5">{entities.map(([k, v]) => `${k}: ${v}`).join(", ")}</dd>
            </>
          )}
        </dl>
      )}
    </section>
  );
}
