"use client";

import { useMutation } from "@tanstack/react-query";
import { useReactFlow } from "@xyflow/react";
import dynamic from "next/dynamic";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import type { FlowDocument } from "@/nodes/_core/flow-document";
import type { WorkspaceSummary } from "@/server/services/workspace-roles";
import { canEdit, canEditDashboards, canOperate } from "../../../workspace-context";
import { formatDuration } from "./canvas-nodes";
import { EditorToolbar, type SidePanel } from "./editor-toolbar";
import { EmptyFlowCard } from "./empty-flow-card";
import { NoticeBanner, useNotice } from "./editor-notice";
import type { CatalogEntry } from "./editor-types";
import { FlowCanvas, type CanvasSelection } from "./flow-canvas";
import { FlowMenu } from "./flow-menu";
import { HelpDialog } from "./help-dialog";
import { LiveVersionBar } from "./live-version-bar";
import { NodePalette } from "./node-palette";
import { ReconnectBanner } from "./reconnect-offer";
import { RunsPanel } from "./runs-panel";
import { toolButton } from "./tool-button";
import { useActivation } from "./use-activation";
import { useAutosave } from "./use-autosave";
import { useDocumentHistory, useDocumentOperations } from "./use-document-operations";
import { useEditorKeyboard } from "./use-editor-keyboard";
import { useFlowIssues } from "./use-flow-issues";
import { useKeepViewOnResize } from "./use-keep-view-on-resize";
import { useNodePorts } from "./use-node-ports";
import { useReconnectingDelete } from "./use-reconnecting-delete";
import { useRunControl } from "./use-run-control";
import { useVersions } from "./use-versions";
import { VersionsPanel } from "./versions-panel";

// The node panel and the run dialog carry CodeMirror: they load after the canvas, once the browser is idle after
// the first paint (or when asked for first), so the first selection does not wait for them either.
const loadNodePanel = () => import("./node-panel").then((m) => m.NodePanel);
const NodePanel = dynamic(loadNodePanel, { ssr: false, loading: () => <p className="p-3 text-sm text-slate-500 dark:text-slate-400">Loading…</p> });
const RunDialog = dynamic(() => import("./run-dialog").then((m) => m.RunDialog), { ssr: false });

export interface EditorFlow {
  id: string;
  name: string;
  active: boolean;
  /** The version triggers run; null while inactive. */
  liveVersionNumber: number | null;
  latestVersion: { number: number } | null;
  draft: FlowDocument;
}

const EMPTY_SELECTION: CanvasSelection = { nodeIds: [], noteIds: [], edgeIds: [] };

/** The flow editor: palette, canvas, and a side panel for a node, versions or runs; the draft saves itself. */
export function FlowEditor({ flow, catalog, workspace }: { flow: EditorFlow; catalog: CatalogEntry[]; workspace: WorkspaceSummary }) {
  const trpc = useTRPC();
  const { fitView } = useReactFlow();
  const ref = useMemo(() => ({ workspaceId: workspace.id, flowId: flow.id }), [workspace.id, flow.id]);
  const editor = canEdit(workspace);
  const operator = canOperate(workspace);

  const { document, change, canUndo, canRedo, undo, redo } = useDocumentHistory(flow.draft);
  const [selection, setSelection] = useState<CanvasSelection>(EMPTY_SELECTION);
  const [selectRequest, setSelectRequest] = useState<{ ids: string[] } | null>(null);
  const select = useCallback((ids: string[]) => setSelectRequest({ ids }), []);
  const [sidePanel, setSidePanel] = useState<SidePanel>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const [runDialogOpen, setRunDialogOpen] = useState(false);
  const [paletteOpen, setPaletteOpen] = useState(true);
  const [snap, setSnap] = useState(true);
  const canvasRef = useRef<HTMLDivElement>(null);
  const pointer = useRef<{ x: number; y: number } | null>(null);

  const [settled, setSettled] = useState(false);
  useEffect(() => {
    const idle = window.requestIdleCallback ?? ((run: () => void) => window.setTimeout(run, 1));
    const cancel = window.cancelIdleCallback ?? window.clearTimeout;
    const handle = idle(() => {
      setSettled(true);
      void loadNodePanel();
    });
    return () => cancel(handle);
  }, []);

  const { notice, show, dismiss } = useNotice();
  const refuse = useCallback((reason: string) => show("error", reason), [show]);

  // Saving.
  const saveDraft = useMutation(trpc.flow.saveDraft.mutationOptions());
  const save = useCallback(async (doc: FlowDocument) => {
    await saveDraft.mutateAsync({ ...ref, document: doc });
  }, [saveDraft, ref]);
  const autosave = useAutosave({ value: document, save, enabled: editor });

  const { toggleActive, activateVersion, toggling, activationIssues } = useActivation({ ref, active: flow.active, document, show });
  const { issues, issuesByNode, issuesByEdge } = useFlowIssues({ ref, document, activationIssues, saveError: autosave.state.status === "error" ? saveDraft.error : null });
  const runs = useRunControl({ ref, document, flush: autosave.flush, show });
  const { run, viewRunId, running } = runs;
  const { onSaveVersion, onRestore } = useVersions({ ref, document, liveNumber: flow.liveVersionNumber, change, flush: autosave.flush, show });

  const readOnly = !editor || viewRunId !== null;
  const catalogMap = useMemo(() => new Map(catalog.map((e) => [e.type, e])), [catalog]);
  const ports = useNodePorts(document, catalogMap);

  const ops = useDocumentOperations({ document, change, readOnly, selection, catalogMap, ports, canvasRef, pointer, select, show });
  const { addNode, addNote, autoLayout, onNodeChange, onPin, onConnectPorts, onDisconnect } = ops;
  const deletion = useReconnectingDelete({ document, change, readOnly, selection, ports });

  useEditorKeyboard({
    document,
    selection,
    readOnly,
    editor,
    undo,
    redo,
    save: autosave.flush,
    openRunDialog: useCallback(() => setRunDialogOpen(true), []),
    openHelp: useCallback(() => setHelpOpen(true), []),
    duplicate: ops.duplicate,
    autoLayout,
    addNote,
    fitView: useCallback(() => void fitView({ padding: 0.2, maxZoom: 1, duration: 300 }), [fitView]),
    deleteSelection: deletion.deleteSelection,
    paste: ops.paste,
    select,
    closeSidePanel: useCallback(() => setSidePanel(null), []),
    show,
  });

  // The node panel: one node selected.
  const openNodeId = selection.nodeIds.length === 1 && selection.noteIds.length === 0 ? selection.nodeIds[0]! : null;
  const openNode = openNodeId ? document.nodes.find((n) => n.id === openNodeId) : undefined;
  useKeepViewOnResize(canvasRef, openNodeId);

  // The side panel shows the selected node's settings first; asking for runs or versions puts the node away.
  const toggleSidePanel = (panel: Exclude<SidePanel, null>) => {
    if (sidePanel === panel && !openNode) return setSidePanel(null);
    setSidePanel(panel);
    if (openNode) setSelectRequest({ ids: [] });
  };

  const runDetail = runs.runDetail;
  const viewedRun = viewRunId ? runDetail : undefined;

  return (
    <div className="fixed inset-x-0 top-14 bottom-0 flex flex-col bg-slate-50 dark:bg-slate-950">
      <EditorToolbar
        workspaceSlug={workspace.slug}
        flowName={flow.name}
        flowMenu={<FlowMenu flowRef={ref} workspaceSlug={workspace.slug} editor={editor} dashboards={canEditDashboards(workspace)} liveNumber={flow.liveVersionNumber} flush={autosave.flush} show={show} />}
        active={flow.active}
        editor={editor}
        operator={operator}
        readOnly={readOnly}
        saveState={autosave.state}
        onRetrySave={() => void autosave.flush()}
        canUndo={canUndo}
        canRedo={canRedo}
        onUndo={undo}
        onRedo={redo}
        onAutoLayout={() => void autoLayout()}
        onAddNote={addNote}
        snap={snap}
        onToggleSnap={() => setSnap((s) => !s)}
        issues={issues}
        onSelect={select}
        running={running}
        starting={runs.starting}
        onStopRun={runs.stop}
        onOpenRunDialog={() => setRunDialogOpen(true)}
        sidePanel={sidePanel}
        nodeOpen={Boolean(openNode)}
        onToggleSidePanel={toggleSidePanel}
        toggling={toggling}
        onToggleActive={() => void toggleActive()}
        onHelp={() => setHelpOpen(true)}
      />
      {flow.liveVersionNumber !== null && flow.latestVersion && flow.latestVersion.number !== flow.liveVersionNumber && (
        <LiveVersionBar liveNumber={flow.liveVersionNumber} latestNumber={flow.latestVersion.number} canActivate={operator} onActivate={activateVersion} />
      )}
      {viewRunId && (
        <div role="region" aria-label="Run view" className="flex items-center gap-3 border-b border-amber-300 bg-amber-50 px-3 py-1.5 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          <span>
            Viewing the run of {viewedRun ? (viewedRun.startedAt ?? viewedRun.queuedAt).toLocaleString() : "…"} ({run?.status ?? "loading"}
            {viewedRun?.durationMs != null ? `, ${formatDuration(viewedRun.durationMs)}` : ""}). The canvas is read-only; select a node to see its data.
          </span>
          <button type="button" onClick={runs.closeRunView} className="ml-auto rounded-md bg-amber-600 px-3 py-1 font-medium text-white hover:bg-amber-500">
            Back to editing
          </button>
        </div>
      )}
      <div className="flex min-h-0 flex-1">
        {!readOnly && paletteOpen && <NodePalette catalog={catalog} onAdd={addNode} />}
        <div
          ref={canvasRef}
          className="relative min-w-0 flex-1 select-none"
          onMouseMove={(e) => {
            pointer.current = { x: e.clientX, y: e.clientY };
          }}
          onMouseLeave={() => {
            pointer.current = null;
          }}
        >
          {!readOnly && (
            <button
              type="button"
              aria-label={paletteOpen ? "Hide node palette" : "Show node palette"}
              aria-expanded={paletteOpen}
              onClick={() => setPaletteOpen((o) => !o)}
              className="absolute top-2 left-2 z-10 rounded-md border border-slate-200 bg-white px-2 py-1 text-xs shadow-sm hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800"
            >
              {paletteOpen ? "⟨ Nodes" : "Nodes ⟩"}
            </button>
          )}
          <FlowCanvas
            document={document}
            catalog={catalogMap}
            ports={ports}
            runStates={run?.nodes ?? null}
            issuesByNode={issuesByNode}
            issuesByEdge={issuesByEdge}
            readOnly={readOnly}
            snapToGrid={snap}
            change={change}
            onSelection={setSelection}
            onRefuse={refuse}
            onDropType={addNode}
            onOpenNode={(id) => setSelectRequest({ ids: [id] })}
            selectRequest={selectRequest}
          />
          {document.nodes.length === 0 && <EmptyFlowCard catalog={catalog} readOnly={readOnly} onAdd={addNode} />}
          {deletion.offer && <ReconnectBanner offer={deletion.offer} onTakeBack={deletion.takeBack} onTakeUp={deletion.takeUp} onDismiss={deletion.dismiss} />}
          {run && !viewRunId && (
            <div className="absolute bottom-3 left-1/2 z-10 flex max-w-[32rem] -translate-x-1/2 items-center gap-2 rounded-full border border-slate-200 bg-white px-3 py-1 text-sm shadow-sm dark:border-slate-700 dark:bg-slate-900">
              <span role="status" title={run.error?.message} className={`min-w-0 truncate ${run.status === "failed" ? "text-red-700 dark:text-red-300" : run.status === "succeeded" ? "text-emerald-700 dark:text-emerald-300" : ""}`}>
                {running ? "Running…" : `Run ${run.status}${runDetail?.durationMs != null && runDetail.id === run.runId ? ` in ${formatDuration(runDetail.durationMs)}` : ""}`}
                {run.error && !running ? `: ${run.error.message}` : ""}
              </span>
              {!running && (
                <button type="button" onClick={runs.clearLiveRun} className="shrink-0 whitespace-nowrap rounded-full px-2 text-xs text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800">
                  Clear run results
                </button>
              )}
            </div>
          )}
          {notice && <NoticeBanner notice={notice} onDismiss={dismiss} />}
        </div>
        {(openNode || sidePanel) && (
          <aside
            aria-label={openNode ? `Node ${openNode.name}` : sidePanel === "runs" ? "Runs" : "Versions"}
            className="flex w-[24rem] shrink-0 flex-col border-l border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900"
          >
            {openNode ? (
              <NodePanel
                key={openNode.id}
                workspaceId={workspace.id}
                flowId={flow.id}
                node={openNode}
                entry={catalogMap.get(openNode.type)}
                readOnly={readOnly}
                issues={issues.filter((i) => i.nodeId === openNode.id).map((i) => ({ path: i.path.replace(/^nodes\[\d+\]\.?/, ""), message: i.fieldMessage ?? i.message, severity: i.severity }))}
                run={runDetail && runDetail.id === runs.watchedRunId ? runDetail : undefined}
                live={run?.nodes.get(openNode.id)}
                pinned={document.pinData?.[openNode.id]}
                canRun={operator && !viewRunId}
                onChange={onNodeChange}
                onPin={onPin}
                onRunAlone={(nodeId) => void runs.launch({ onlyNodeId: nodeId })}
                onVoiceRun={runs.followRun}
                flushDraft={autosave.flush}
                onClose={() => setSelectRequest({ ids: [] })}
                document={document}
                ports={ports}
                onConnect={onConnectPorts}
                onDisconnect={onDisconnect}
              />
            ) : (
              <>
                <div className="flex items-center justify-between border-b border-slate-200 px-3 py-2 dark:border-slate-800">
                  <h2 className="font-semibold">{sidePanel === "runs" ? "Runs" : "Versions"}</h2>
                  <button type="button" aria-label="Close panel" onClick={() => setSidePanel(null)} className={toolButton}>
                    ✕
                  </button>
                </div>
                {sidePanel === "runs" ? (
                  <RunsPanel workspaceId={workspace.id} flowId={flow.id} openRunId={viewRunId} onOpen={(id) => runs.openRun(id)} />
                ) : (
                  <VersionsPanel workspaceId={workspace.id} flowId={flow.id} liveNumber={flow.liveVersionNumber} draft={document} readOnly={readOnly} canActivate={operator && viewRunId === null} onSave={onSaveVersion} onRestore={onRestore} onActivate={activateVersion} />
                )}
              </>
            )}
          </aside>
        )}
      </div>
      {(settled || runDialogOpen) && (
        <RunDialog
          workspaceId={workspace.id}
          flowId={flow.id}
          document={document}
          catalog={catalogMap}
          open={runDialogOpen}
          onClose={() => setRunDialogOpen(false)}
          onRun={(input) => {
            setRunDialogOpen(false);
            void runs.launch({ input });
          }}
        />
      )}
      <HelpDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
    </div>
  );
}
