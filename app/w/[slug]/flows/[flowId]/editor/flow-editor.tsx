"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useReactFlow } from "@xyflow/react";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { locateIssue, type FlowDocument, type FlowDocumentIssue, type FlowEdge, type FlowNode } from "@/nodes/_core/flow-document";
import type { WorkspaceSummary } from "@/server/services/workspace-roles";
import { canEdit } from "../../../workspace-context";
import { layoutFlow } from "./auto-layout";
import { NODE_WIDTH, formatDuration, nodeHeight } from "./canvas-nodes";
import { copySelection, newId, pasteInto, readClipboard, topLeftOf, uniqueName } from "./clipboard";
import type { CatalogEntry } from "./editor-types";
import { FlowCanvas, removeFromDocument, type CanvasSelection, type DocumentChange } from "./flow-canvas";
import { outputsOf } from "./graph-rules";
import { HelpDialog } from "./help-dialog";
import { commit, createHistory, redo, undo } from "./history";
import { panToKeepInView } from "./keep-in-view";
import { NodePalette } from "./node-palette";
import { RunsPanel } from "./runs-panel";
import { useAutosave } from "./use-autosave";
import { useNodePorts } from "./use-node-ports";
import { useRunWatch } from "./use-run-watch";
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
  activeVersionNumber: number | null;
  draft: FlowDocument;
}

type SidePanel = "versions" | "runs" | null;
type Notice = { kind: "error" | "info"; text: string; details?: string[] };

const EMPTY_SELECTION: CanvasSelection = { nodeIds: [], noteIds: [], edgeIds: [] };

function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return Boolean(el && (el.isContentEditable || el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT"));
}

function issuesOf(error: unknown): FlowDocumentIssue[] {
  const data = (error as { data?: { details?: { issues?: FlowDocumentIssue[] } } } | null)?.data;
  return data?.details?.issues ?? [];
}

/** The flow editor: palette, canvas, and a side panel for a node, versions or runs; the draft saves itself. */
export function FlowEditor({ flow, catalog, workspace }: { flow: EditorFlow; catalog: CatalogEntry[]; workspace: WorkspaceSummary }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { screenToFlowPosition, flowToScreenPosition, fitView, setCenter, getZoom, getNodes, getViewport, setViewport } = useReactFlow();
  const ref = useMemo(() => ({ workspaceId: workspace.id, flowId: flow.id }), [workspace.id, flow.id]);
  const editor = canEdit(workspace);

  const [history, setHistory] = useState(() => createHistory(flow.draft));
  const document = history.present;
  const change = useCallback<DocumentChange>((update, options) => setHistory((h) => commit(h, update(h.present), options)), []);

  const [selection, setSelection] = useState<CanvasSelection>(EMPTY_SELECTION);
  const [selectRequest, setSelectRequest] = useState<{ ids: string[] } | null>(null);
  const [sidePanel, setSidePanel] = useState<SidePanel>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const [runDialogOpen, setRunDialogOpen] = useState(false);
  const [paletteOpen, setPaletteOpen] = useState(true);
  const [snap, setSnap] = useState(true);
  const [liveRunId, setLiveRunId] = useState<string | null>(null);
  const [viewRunId, setViewRunId] = useState<string | null>(null);
  const [issues, setIssues] = useState<(FlowDocumentIssue & { nodeId: string | null; field: string | null })[]>([]);
  const [issuesOpen, setIssuesOpen] = useState(false);
  // Flagged on the nodes until the document changes.
  const [activationProblems, setActivationProblems] = useState<{ document: FlowDocument; issues: { nodeId: string; message: string }[] } | null>(null);
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

  const readOnly = !editor || viewRunId !== null;
  const catalogMap = useMemo(() => new Map(catalog.map((e) => [e.type, e])), [catalog]);
  const ports = useNodePorts(document, catalogMap);

  const show = useCallback((kind: Notice["kind"], text: string, details?: string[]) => setNotice({ kind, text, details }), []);
  useEffect(() => {
    if (!notice || notice.details?.length) return;
    const timer = setTimeout(() => setNotice(null), 7000);
    return () => clearTimeout(timer);
  }, [notice]);
  const refuse = useCallback((reason: string) => show("error", reason), [show]);

  // Saving.
  const saveDraft = useMutation(trpc.flow.saveDraft.mutationOptions());
  const save = useCallback(async (doc: FlowDocument) => {
    await saveDraft.mutateAsync({ ...ref, document: doc });
  }, [saveDraft, ref]);
  const autosave = useAutosave({ value: document, save, enabled: editor });

  // Problems, checked on the server a moment after each change.
  const validate = useMutation(trpc.flow.validate.mutationOptions());
  const validateRef = useRef(validate.mutateAsync);
  useEffect(() => {
    validateRef.current = validate.mutateAsync;
  }, [validate.mutateAsync]);
  useEffect(() => {
    const timer = setTimeout(() => {
      validateRef.current({ ...ref, document })
        .then((result) => setIssues(result.issues))
        .catch(() => {});
    }, 600);
    return () => clearTimeout(timer);
  }, [document, ref]);

  const activationIssues = useMemo(() => (activationProblems?.document === document ? activationProblems.issues : []), [activationProblems, document]);
  const issuesByNode = useMemo(() => {
    const map = new Map<string, string[]>();
    const add = (nodeId: string | null, message: string) => {
      if (nodeId) map.set(nodeId, [...(map.get(nodeId) ?? []), message]);
    };
    for (const issue of issues) add(issue.nodeId, issue.message);
    for (const issue of activationIssues) add(issue.nodeId, issue.message);
    if (autosave.state.status === "error") {
      for (const issue of issuesOf(saveDraft.error)) add(locateIssue(document, issue.path).nodeId, `${issue.path}: ${issue.message}`);
    }
    return map;
  }, [issues, activationIssues, autosave.state.status, saveDraft.error, document]);

  // Runs.
  const watchedRunId = viewRunId ?? liveRunId;
  const run = useRunWatch(watchedRunId);
  const runDetail = useQuery({ ...trpc.run.get.queryOptions({ workspaceId: workspace.id, runId: watchedRunId ?? "" }), enabled: Boolean(watchedRunId) });
  const refetchRun = runDetail.refetch;
  useEffect(() => {
    if (run?.finishedAt) void refetchRun();
  }, [run?.finishedAt, refetchRun]);
  const running = run !== null && (run.status === "running" || run.status === "queued") && run.runId === liveRunId;
  const startRun = useMutation(trpc.run.start.mutationOptions());
  const cancelRun = useMutation(trpc.run.cancel.mutationOptions());

  // A run of the draft just started (by Run, or by a recording from the voice trigger's panel): follow it live.
  const followRun = useCallback(
    (runId: string) => {
      setViewRunId(null);
      setLiveRunId(runId);
      void queryClient.invalidateQueries({ queryKey: trpc.run.list.infiniteQueryKey() });
    },
    [queryClient, trpc],
  );

  const launch = useCallback(
    async (options: { input?: unknown; onlyNodeId?: string }) => {
      if (!(await autosave.flush())) {
        show("error", "The draft could not be saved, so it was not run. Fix what the save status says first.");
        return;
      }
      try {
        const { runId } = await startRun.mutateAsync({ ...ref, source: "draft", ...options });
        followRun(runId);
      } catch (err) {
        const details = issuesOf(err).map((i) => `${i.path}: ${i.message}`);
        show("error", details.length ? "The flow cannot run yet:" : err instanceof Error ? err.message : String(err), details);
      }
    },
    [autosave, startRun, ref, show, followRun],
  );

  // Activation.
  const activate = useMutation(trpc.flow.activate.mutationOptions());
  const deactivate = useMutation(trpc.flow.deactivate.mutationOptions());
  const toggleActive = useCallback(async () => {
    try {
      if (flow.active) {
        await deactivate.mutateAsync(ref);
        show("info", "The flow is inactive: triggers no longer start it.");
      } else {
        // Webhook URLs hold the workspace's slug (/hooks/<workspace>/<path>): shown whole, ready to copy.
        const { webhooks } = await activate.mutateAsync(ref);
        const urls = webhooks.map((hook) => `${hook.methods.join(", ")} ${window.location.origin}${hook.url}`);
        show("info", `The flow is active: its latest version runs on its triggers.${urls.length ? " Its webhooks answer at:" : ""}`, urls);
      }
    } catch (err) {
      const found = issuesOf(err);
      setActivationProblems({
        document,
        issues: found.flatMap((i) => {
          const at = locateIssue(document, i.path);
          return at.nodeId ? [{ nodeId: at.nodeId, message: i.message }] : [];
        }),
      });
      show("error", found.length ? "The latest version cannot be activated:" : err instanceof Error ? err.message : String(err), found.map((i) => i.message));
    } finally {
      await queryClient.invalidateQueries({ queryKey: trpc.flow.get.queryKey(ref) });
    }
  }, [flow.active, activate, deactivate, ref, show, document, queryClient, trpc]);

  const saveVersion = useMutation(trpc.flow.saveVersion.mutationOptions());
  const onSaveVersion = useCallback(
    async (message: string) => {
      await autosave.flush();
      try {
        const version = await saveVersion.mutateAsync({ ...ref, document, message });
        show("info", `Saved version ${version.number}.`);
      } catch (err) {
        const details = issuesOf(err).map((i) => `${i.path}: ${i.message}`);
        if (details.length) show("error", "The version was not saved:", details);
        throw err;
      } finally {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.flow.versions.queryKey(ref) }),
          queryClient.invalidateQueries({ queryKey: trpc.flow.get.queryKey(ref) }),
        ]);
      }
    },
    [autosave, saveVersion, ref, document, show, queryClient, trpc],
  );
  const onRestore = useCallback(
    (restored: FlowDocument, number: number) => {
      change(() => restored);
      show("info", `Version ${number} is in the draft now; undo brings back what was there.`);
    },
    [change, show],
  );

  // Adding, removing, arranging.
  const freeSpot = useCallback((doc: FlowDocument, at: { x: number; y: number }) => {
    const spot = { ...at };
    while (doc.nodes.some((n) => Math.abs(n.position.x - spot.x) < 24 && Math.abs(n.position.y - spot.y) < 24)) {
      spot.x += 32;
      spot.y += 32;
    }
    return spot;
  }, []);

  const viewportCenter = useCallback(() => {
    const rect = canvasRef.current?.getBoundingClientRect();
    if (!rect) return { x: 0, y: 0 };
    return screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 });
  }, [screenToFlowPosition]);

  const documentRef = useRef(document);
  useEffect(() => {
    documentRef.current = document;
  }, [document]);
  /** Pans to a node that was placed outside the visible part of the canvas. */
  const ensureVisible = useCallback(
    (id: string) => {
      const node = documentRef.current.nodes.find((n) => n.id === id);
      const rect = canvasRef.current?.getBoundingClientRect();
      if (!node || !rect) return;
      const topLeft = flowToScreenPosition(node.position);
      const bottomRight = flowToScreenPosition({ x: node.position.x + NODE_WIDTH, y: node.position.y + 80 });
      if (topLeft.x >= rect.left && topLeft.y >= rect.top && bottomRight.x <= rect.right && bottomRight.y <= rect.bottom) return;
      void setCenter(node.position.x + NODE_WIDTH / 2, node.position.y + 40, { zoom: getZoom(), duration: 250 });
    },
    [flowToScreenPosition, setCenter, getZoom],
  );

  const addNode = useCallback(
    (type: string, dropped?: { x: number; y: number }) => {
      const entry = catalogMap.get(type);
      if (!entry || readOnly) return;
      const id = newId("n");
      change((doc) => {
        const after = !dropped && selection.nodeIds.length === 1 ? doc.nodes.find((n) => n.id === selection.nodeIds[0]) : undefined;
        const afterPorts = after ? ports.get(after.id) : undefined;
        const link = after && afterPorts && outputsOf(after, afterPorts).length > 0 && !entry.trigger && entry.inputs.length > 0;
        const base = dropped
          ? { x: dropped.x - NODE_WIDTH / 2, y: dropped.y - 34 }
          : link
            ? { x: after!.position.x + NODE_WIDTH + 80, y: after!.position.y }
            : (() => {
                const c = viewportCenter();
                return { x: c.x - NODE_WIDTH / 2, y: c.y - 34 };
              })();
        const position = freeSpot(doc, { x: Math.round(base.x / 16) * 16, y: Math.round(base.y / 16) * 16 });
        const node: FlowNode = {
          id,
          type,
          typeVersion: entry.version,
          name: uniqueName(entry.name, new Set(doc.nodes.map((n) => n.name))),
          position,
          config: {},
          credentials: {},
          disabled: false,
          onError: "stop",
        };
        const edges = link
          ? [...doc.edges, { id: newId("e"), source: after!.id, sourcePort: outputsOf(after!, afterPorts!)[0]!, target: id, targetPort: entry.inputs[0]! }]
          : doc.edges;
        return { ...doc, nodes: [...doc.nodes, node], edges };
      });
      setSelectRequest({ ids: [id] });
      requestAnimationFrame(() => ensureVisible(id));
    },
    [catalogMap, readOnly, change, selection.nodeIds, ports, freeSpot, viewportCenter, ensureVisible],
  );

  const addNote = useCallback(() => {
    if (readOnly) return;
    const id = newId("note");
    const c = viewportCenter();
    change((doc) => ({ ...doc, notes: [...doc.notes, { id, text: "", position: freeSpot(doc, { x: Math.round(c.x - 120), y: Math.round(c.y - 80) }), width: 240, height: 160, color: "yellow" }] }));
    setSelectRequest({ ids: [id] });
  }, [readOnly, viewportCenter, change, freeSpot]);

  const autoLayout = useCallback(async () => {
    if (readOnly || document.nodes.length === 0) return;
    const positions = await layoutFlow(
      document.nodes.map((n) => {
        const p = ports.get(n.id) ?? { inputs: [], outputs: [], trigger: false };
        const outputs = outputsOf(n, p);
        return { id: n.id, width: NODE_WIDTH, height: nodeHeight(p.inputs.length, outputs.length), inputs: p.inputs, outputs };
      }),
      document.edges,
    );
    change((doc) => ({ ...doc, nodes: doc.nodes.map((n) => (positions.has(n.id) ? { ...n, position: positions.get(n.id)! } : n)) }));
    requestAnimationFrame(() => void fitView({ padding: 0.2, maxZoom: 1, duration: 300 }));
  }, [readOnly, document, ports, change, fitView]);

  const duplicate = useCallback(() => {
    if (readOnly || selection.nodeIds.length + selection.noteIds.length === 0) return;
    const copied = copySelection(document, new Set(selection.nodeIds), new Set(selection.noteIds));
    const corner = topLeftOf(copied);
    const result = pasteInto(document, copied, { at: { x: corner.x + 48, y: corner.y + 48 } });
    change(() => result.document);
    setSelectRequest({ ids: [...result.nodeIds, ...result.noteIds] });
  }, [readOnly, selection, document, change]);

  const paste = useCallback(
    (text: string) => {
      if (readOnly) return;
      const read = readClipboard(text);
      if (!read.ok) return show("error", read.reason);
      const corner = topLeftOf(read.document);
      const at = pointer.current ? screenToFlowPosition(pointer.current) : { x: corner.x + 48, y: corner.y + 48 };
      const result = pasteInto(document, read.document, { at: { x: Math.round(at.x), y: Math.round(at.y) } });
      change(() => result.document);
      setSelectRequest({ ids: [...result.nodeIds, ...result.noteIds] });
      show("info", `Pasted ${result.nodeIds.length} node${result.nodeIds.length === 1 ? "" : "s"}${result.noteIds.length ? ` and ${result.noteIds.length} note(s)` : ""}.`);
    },
    [readOnly, show, screenToFlowPosition, document, change],
  );

  const deleteSelection = useCallback(() => {
    if (readOnly) return;
    change((doc) => removeFromDocument(doc, new Set([...selection.nodeIds, ...selection.noteIds]), new Set(selection.edgeIds)));
  }, [readOnly, change, selection]);

  // Keyboard and clipboard.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (window.document.querySelector("dialog[open]")) return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      const inPanel = (event.target as HTMLElement | null)?.closest?.("[data-undo-scope='document']");
      const editable = isEditable(event.target) || Boolean((event.target as HTMLElement | null)?.closest?.(".cm-editor"));
      if (mod && (key === "z" || key === "y")) {
        // Fields of the node panel edit the document, so their undo is the document's.
        if (editable && !(inPanel && !(event.target as HTMLElement).closest(".cm-editor"))) return;
        event.preventDefault();
        if (readOnly) return;
        setHistory((h) => (key === "y" || event.shiftKey ? redo(h) : undo(h)));
        return;
      }
      if (mod && key === "s") {
        event.preventDefault();
        void autosave.flush();
        return;
      }
      if (mod && key === "enter") {
        event.preventDefault();
        if (editor) setRunDialogOpen(true);
        return;
      }
      if (editable) return;
      if (mod && key === "d") {
        event.preventDefault();
        duplicate();
      } else if (mod && key === "a") {
        event.preventDefault();
        window.getSelection()?.removeAllRanges();
        setSelectRequest({ ids: [...document.nodes.map((n) => n.id), ...document.notes.map((n) => n.id)] });
      } else if (event.key === "?") {
        event.preventDefault();
        setHelpOpen(true);
      } else if (event.shiftKey && key === "l" && !mod) {
        void autoLayout();
      } else if (event.shiftKey && key === "n" && !mod) {
        addNote();
      } else if (event.shiftKey && event.code === "Digit1" && !mod) {
        void fitView({ padding: 0.2, maxZoom: 1, duration: 300 });
      } else if ((event.key === "Delete" || event.key === "Backspace") && !mod) {
        event.preventDefault();
        deleteSelection();
      } else if (event.key === "Escape") {
        if (selection.nodeIds.length || selection.noteIds.length || selection.edgeIds.length) setSelectRequest({ ids: [] });
        else setSidePanel(null);
      }
    };
    const onCopy = (event: ClipboardEvent) => {
      if (isEditable(event.target) || window.getSelection()?.toString()) return;
      if (selection.nodeIds.length + selection.noteIds.length === 0) return;
      event.preventDefault();
      event.clipboardData?.setData("text/plain", JSON.stringify(copySelection(document, new Set(selection.nodeIds), new Set(selection.noteIds)), null, 2));
      if (event.type === "cut") deleteSelection();
      else show("info", `Copied ${selection.nodeIds.length} node${selection.nodeIds.length === 1 ? "" : "s"} as flow JSON.`);
    };
    const onPaste = (event: ClipboardEvent) => {
      if (isEditable(event.target)) return;
      const text = event.clipboardData?.getData("text/plain");
      if (!text) return;
      event.preventDefault();
      paste(text);
    };
    window.addEventListener("keydown", onKey);
    window.document.addEventListener("copy", onCopy);
    window.document.addEventListener("cut", onCopy);
    window.document.addEventListener("paste", onPaste);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.document.removeEventListener("copy", onCopy);
      window.document.removeEventListener("cut", onCopy);
      window.document.removeEventListener("paste", onPaste);
    };
  }, [readOnly, editor, autosave, duplicate, document, autoLayout, addNote, fitView, selection, deleteSelection, paste, show]);

  // The node panel: one node selected.
  const openNodeId = selection.nodeIds.length === 1 && selection.noteIds.length === 0 ? selection.nodeIds[0]! : null;
  const openNode = openNodeId ? document.nodes.find((n) => n.id === openNodeId) : undefined;

  // A panel opening beside the canvas (or the palette) narrows it: pan so that what was in view, and the node
  // whose panel opened, stay in view. When it closes, the pan is undone (unless the view was moved meanwhile).
  const openNodeIdRef = useRef(openNodeId);
  useEffect(() => {
    openNodeIdRef.current = openNodeId;
  }, [openNodeId]);
  useEffect(() => {
    const element = canvasRef.current;
    if (!element) return;
    let width = element.clientWidth;
    let panned: { by: number; to: number } | null = null;
    const observer = new ResizeObserver(() => {
      const previousWidth = width;
      width = element.clientWidth;
      if (width === previousWidth || previousWidth === 0 || width === 0) return;
      const viewport = getViewport();
      if (width > previousWidth && panned && Math.abs(viewport.x - panned.to) < 0.5) {
        void setViewport({ ...viewport, x: viewport.x - panned.by });
        panned = null;
        return;
      }
      const nodes = getNodes();
      const boxes = nodes.map((n) => ({ x: n.position.x, y: n.position.y, width: n.measured?.width ?? NODE_WIDTH, height: n.measured?.height ?? 68 }));
      const focus = boxes[nodes.findIndex((n) => n.id === openNodeIdRef.current)];
      const x = panToKeepInView({ boxes, focus, viewport, previousWidth, width, height: element.clientHeight });
      panned = x !== viewport.x ? { by: x - viewport.x, to: x } : null;
      if (panned) void setViewport({ ...viewport, x });
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [getNodes, getViewport, setViewport]);
  const onNodeChange = useCallback(
    (next: FlowNode) => {
      change(
        (doc) => {
          const before = doc.nodes.find((n) => n.id === next.id);
          // A renamed node keeps its pinned data and edges (they go by id); typing is one step per pause.
          return before ? { ...doc, nodes: doc.nodes.map((n) => (n.id === next.id ? next : n)) } : doc;
        },
        { coalesce: `node:${next.id}` },
      );
    },
    [change],
  );
  const onPin = useCallback(
    (nodeId: string, items: unknown[] | null) => {
      change((doc) => {
        const pinData = { ...doc.pinData };
        if (items) pinData[nodeId] = items as NonNullable<FlowDocument["pinData"]>[string];
        else delete pinData[nodeId];
        return { ...doc, pinData };
      });
      show("info", items ? "Output pinned: test runs use these items instead of running the node." : "Pin removed: the node runs again in test runs.");
    },
    [change, show],
  );

  const onConnectPorts = useCallback((edge: Omit<FlowEdge, "id">) => change((doc) => ({ ...doc, edges: [...doc.edges, { id: newId("e"), ...edge }] })), [change]);
  const onDisconnect = useCallback((edgeId: string) => change((doc) => ({ ...doc, edges: doc.edges.filter((e) => e.id !== edgeId) })), [change]);

  // The side panel shows the selected node's settings first; asking for runs or versions puts the node away.
  const toggleSidePanel = (panel: Exclude<SidePanel, null>) => {
    if (sidePanel === panel && !openNode) return setSidePanel(null);
    setSidePanel(panel);
    if (openNode) setSelectRequest({ ids: [] });
  };

  const saveLabel = { saved: "Saved", pending: "Unsaved changes", saving: "Saving…", error: "Not saved" }[autosave.state.status];
  const viewedRun = viewRunId ? runDetail.data : undefined;

  return (
    <div className="fixed inset-x-0 top-14 bottom-0 flex flex-col bg-slate-50 dark:bg-slate-950">
      <header className="flex h-12 shrink-0 select-none items-center gap-1.5 border-b border-slate-200 bg-white px-3 text-sm dark:border-slate-800 dark:bg-slate-900">
        <Link href={`/w/${workspace.slug}`} className="shrink-0 whitespace-nowrap rounded px-1.5 py-1 text-indigo-700 hover:bg-slate-100 dark:text-indigo-300 dark:hover:bg-slate-800">
          ← All flows
        </Link>
        <h1 className="max-w-[12rem] min-w-0 truncate px-1 text-base font-semibold" title={flow.name}>
          {flow.name}
        </h1>
        <span
          role="status"
          title={autosave.state.status === "error" ? autosave.state.message : undefined}
          className={`max-w-[11rem] shrink-0 truncate rounded px-1.5 text-xs ${autosave.state.status === "error" ? "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200" : "text-slate-500 dark:text-slate-400"}`}
        >
          {editor ? saveLabel : "Read only"}
        </span>
        {autosave.state.status === "error" && (
          <button type="button" onClick={() => void autosave.flush()} className={toolButton}>
            Retry save
          </button>
        )}
        <div className="mx-1 h-6 w-px bg-slate-200 dark:bg-slate-700" aria-hidden />
        {!readOnly && (
          <>
            <button type="button" aria-label="Undo" title="Undo (Ctrl+Z)" disabled={history.past.length === 0} onClick={() => setHistory(undo)} className={toolButton}>
              ↶
            </button>
            <button type="button" aria-label="Redo" title="Redo (Ctrl+Shift+Z)" disabled={history.future.length === 0} onClick={() => setHistory(redo)} className={toolButton}>
              ↷
            </button>
            <button type="button" onClick={() => void autoLayout()} title="Tidy up (Shift+L)" className={toolButton}>
              Auto-layout
            </button>
            <button type="button" onClick={addNote} title="Add a sticky note (Shift+N)" className={toolButton}>
              Add note
            </button>
            <button type="button" aria-pressed={snap} onClick={() => setSnap((s) => !s)} title="Snap nodes to a 16 px grid while dragging" className={toolButton}>
              Snap to grid
            </button>
          </>
        )}
        <div
          className="relative"
          onBlur={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget)) setIssuesOpen(false);
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape") setIssuesOpen(false);
          }}
        >
          <button
            type="button"
            aria-expanded={issuesOpen}
            onClick={() => setIssuesOpen((o) => !o)}
            disabled={issues.length === 0}
            className={`${toolButton} ${issues.length ? "text-red-700 dark:text-red-300" : ""}`}
          >
            {issues.length ? `${issues.length} problem${issues.length === 1 ? "" : "s"}` : "No problems"}
          </button>
          {issuesOpen && issues.length > 0 && (
            <ul aria-label="Problems" className="absolute top-9 left-0 z-20 max-h-80 w-96 overflow-y-auto rounded-md border border-slate-200 bg-white p-1 shadow-lg dark:border-slate-700 dark:bg-slate-900">
              {issues.map((issue) => (
                <li key={`${issue.path}:${issue.message}`}>
                  <button
                    type="button"
                    disabled={!issue.nodeId}
                    onClick={() => {
                      if (issue.nodeId) setSelectRequest({ ids: [issue.nodeId] });
                      setIssuesOpen(false);
                    }}
                    className="w-full rounded px-2 py-1 text-left text-xs hover:bg-slate-100 dark:hover:bg-slate-800"
                  >
                    {issue.message}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="ml-auto flex items-center gap-1.5">
          {editor &&
            (running ? (
              <button type="button" onClick={() => liveRunId && cancelRun.mutate({ workspaceId: workspace.id, runId: liveRunId })} className={`${toolButton} text-red-700 dark:text-red-300`}>
                Stop run
              </button>
            ) : (
              <button type="button" onClick={() => setRunDialogOpen(true)} disabled={startRun.isPending} title="Run with test input (Ctrl+Enter)" className="shrink-0 rounded-md bg-indigo-600 px-3 py-1 font-medium text-white hover:bg-indigo-500 disabled:opacity-60">
                Run
              </button>
            ))}
          <button type="button" aria-pressed={sidePanel === "runs" && !openNode} onClick={() => toggleSidePanel("runs")} className={toolButton}>
            Runs
          </button>
          <button type="button" aria-pressed={sidePanel === "versions" && !openNode} onClick={() => toggleSidePanel("versions")} className={toolButton}>
            Versions
          </button>
          {editor && (
            <button
              type="button"
              role="switch"
              aria-checked={flow.active}
              aria-label="Active"
              onClick={() => void toggleActive()}
              disabled={activate.isPending || deactivate.isPending}
              title={flow.active ? "Active: triggers run the active version. Switch off to stop." : "Activate the latest saved version"}
              className={`${toolButton} flex items-center gap-1.5`}
            >
              <span aria-hidden className={`relative inline-block h-4 w-7 rounded-full transition ${flow.active ? "bg-emerald-500" : "bg-slate-300 dark:bg-slate-600"}`}>
                <span className={`absolute top-0.5 h-3 w-3 rounded-full bg-white transition ${flow.active ? "left-3.5" : "left-0.5"}`} />
              </span>
              {flow.active ? "Active" : "Inactive"}
            </button>
          )}
          <button type="button" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={() => setHelpOpen(true)} className={toolButton}>
            ?
          </button>
        </div>
      </header>
      {viewRunId && (
        <div role="region" aria-label="Run view" className="flex items-center gap-3 border-b border-amber-300 bg-amber-50 px-3 py-1.5 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          <span>
            Viewing the run of {viewedRun ? (viewedRun.startedAt ?? viewedRun.queuedAt).toLocaleString() : "…"} ({run?.status ?? "loading"}
            {viewedRun?.durationMs != null ? `, ${formatDuration(viewedRun.durationMs)}` : ""}). The canvas is read-only; select a node to see its data.
          </span>
          <button type="button" onClick={() => setViewRunId(null)} className="ml-auto rounded-md bg-amber-600 px-3 py-1 font-medium text-white hover:bg-amber-500">
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
            readOnly={readOnly}
            snapToGrid={snap}
            change={change}
            onSelection={setSelection}
            onRefuse={refuse}
            onDropType={addNode}
            onOpenNode={(id) => setSelectRequest({ ids: [id] })}
            selectRequest={selectRequest}
          />
          {document.nodes.length === 0 && (
            <div className="pointer-events-none absolute inset-0 flex items-center justify-center">
              <div className="pointer-events-auto max-w-sm rounded-xl border border-dashed border-slate-300 bg-white/90 p-6 text-center text-sm dark:border-slate-700 dark:bg-slate-900/90">
                <p className="font-medium">This flow is empty.</p>
                <p className="mt-1 text-slate-600 dark:text-slate-400">
                  {readOnly ? "Nothing to show yet." : "Drag a node from the palette, or start with a trigger:"}
                </p>
                {!readOnly && (
                  <div className="mt-3 flex flex-wrap justify-center gap-2">
                    {catalog
                      .filter((e) => e.trigger)
                      .map((e) => (
                        <button key={e.type} type="button" onClick={() => addNode(e.type)} className="rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800">
                          Add {e.name}
                        </button>
                      ))}
                  </div>
                )}
              </div>
            </div>
          )}
          {run && !viewRunId && (
            <div className="absolute bottom-3 left-1/2 z-10 flex max-w-[32rem] -translate-x-1/2 items-center gap-2 rounded-full border border-slate-200 bg-white px-3 py-1 text-sm shadow-sm dark:border-slate-700 dark:bg-slate-900">
              <span role="status" title={run.error?.message} className={`min-w-0 truncate ${run.status === "failed" ? "text-red-700 dark:text-red-300" : run.status === "succeeded" ? "text-emerald-700 dark:text-emerald-300" : ""}`}>
                {running ? "Running…" : `Run ${run.status}${runDetail.data?.durationMs != null && runDetail.data.id === run.runId ? ` in ${formatDuration(runDetail.data.durationMs)}` : ""}`}
                {run.error && !running ? `: ${run.error.message}` : ""}
              </span>
              {!running && (
                <button type="button" onClick={() => setLiveRunId(null)} className="shrink-0 whitespace-nowrap rounded-full px-2 text-xs text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800">
                  Clear run results
                </button>
              )}
            </div>
          )}
          {notice && (
            <div
              role={notice.kind === "error" ? "alert" : "status"}
              className={`absolute top-2 left-1/2 z-20 flex max-w-[36rem] -translate-x-1/2 items-start gap-3 rounded-lg border px-3 py-2 text-sm shadow-md ${
                notice.kind === "error"
                  ? "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
                  : "border-slate-200 bg-white text-slate-900 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
              }`}
            >
              <div>
                <p>{notice.text}</p>
                {notice.details && notice.details.length > 0 && (
                  <ul className="mt-1 list-disc pl-5 text-xs">
                    {notice.details.map((d) => (
                      <li key={d}>{d}</li>
                    ))}
                  </ul>
                )}
              </div>
              <button type="button" aria-label="Dismiss" onClick={() => setNotice(null)} className="rounded px-1 hover:bg-black/5 dark:hover:bg-white/10">
                ✕
              </button>
            </div>
          )}
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
                issues={issues.filter((i) => i.nodeId === openNode.id).map((i) => ({ path: i.path.replace(/^nodes\[\d+\]\.?/, ""), message: i.message }))}
                run={runDetail.data && runDetail.data.id === watchedRunId ? runDetail.data : undefined}
                live={run?.nodes.get(openNode.id)}
                pinned={document.pinData?.[openNode.id]}
                canRun={editor && !viewRunId}
                onChange={onNodeChange}
                onPin={onPin}
                onRunAlone={(nodeId) => void launch({ onlyNodeId: nodeId })}
                onVoiceRun={followRun}
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
                  <RunsPanel workspaceId={workspace.id} flowId={flow.id} openRunId={viewRunId} onOpen={(id) => setViewRunId(id)} />
                ) : (
                  <VersionsPanel workspaceId={workspace.id} flowId={flow.id} activeNumber={flow.activeVersionNumber} readOnly={readOnly} onSave={onSaveVersion} onRestore={onRestore} />
                )}
              </>
            )}
          </aside>
        )}
      </div>
      {(settled || runDialogOpen) && (
        <RunDialog
          flowId={flow.id}
          open={runDialogOpen}
          onClose={() => setRunDialogOpen(false)}
          onRun={(input) => {
            setRunDialogOpen(false);
            void launch({ input });
          }}
        />
      )}
      <HelpDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
    </div>
  );
}

const toolButton =
  "shrink-0 whitespace-nowrap rounded-md px-2 py-1 text-sm text-slate-700 hover:bg-slate-100 disabled:opacity-40 disabled:hover:bg-transparent aria-pressed:bg-indigo-50 aria-pressed:text-indigo-700 dark:text-slate-200 dark:hover:bg-slate-800 dark:aria-pressed:bg-indigo-950 dark:aria-pressed:text-indigo-200";
