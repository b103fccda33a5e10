"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { IssuesMenu } from "./issues-menu";
import { toolButton } from "./tool-button";
import type { SaveState } from "./use-autosave";
import type { Problem } from "./editor-types";

export type SidePanel = "versions" | "runs" | null;

const SAVE_LABELS = { saved: "Saved", pending: "Unsaved changes", saving: "Saving…", error: "Not saved" } as const;

/** The editor's header: save status, editing tools, problems, run, side panels, the Active switch and help. */
export function EditorToolbar({
  workspaceSlug,
  flowName,
  flowMenu,
  active,
  editor,
  operator,
  readOnly,
  saveState,
  onRetrySave,
  canUndo,
  canRedo,
  onUndo,
  onRedo,
  onAutoLayout,
  onAddNote,
  snap,
  onToggleSnap,
  issues,
  onSelect,
  running,
  starting,
  onStopRun,
  onOpenRunDialog,
  sidePanel,
  nodeOpen,
  onToggleSidePanel,
  toggling,
  onToggleActive,
  onHelp,
}: {
  workspaceSlug: string;
  flowName: string;
  /** The flow's own actions (duplicate, …), beside its name. */
  flowMenu?: ReactNode;
  active: boolean;
  editor: boolean;
  /** May run the flow and switch it on or off (operators and up). */
  operator: boolean;
  readOnly: boolean;
  saveState: SaveState;
  onRetrySave: () => void;
  canUndo: boolean;
  canRedo: boolean;
  onUndo: () => void;
  onRedo: () => void;
  onAutoLayout: () => void;
  onAddNote: () => void;
  snap: boolean;
  onToggleSnap: () => void;
  issues: Problem[];
  /** Selects a problem's node, or its edge. */
  onSelect: (ids: string[]) => void;
  running: boolean;
  starting: boolean;
  onStopRun: () => void;
  onOpenRunDialog: () => void;
  sidePanel: SidePanel;
  /** A node's panel is open in place of the side panel. */
  nodeOpen: boolean;
  onToggleSidePanel: (panel: Exclude<SidePanel, null>) => void;
  toggling: boolean;
  onToggleActive: () => void;
  onHelp: () => void;
}) {
  return (
    <header className="flex h-12 shrink-0 select-none items-center gap-1.5 border-b border-slate-200 bg-white px-3 text-sm dark:border-slate-800 dark:bg-slate-900">
      <Link href={`/w/${workspaceSlug}`} className="shrink-0 whitespace-nowrap rounded px-1.5 py-1 text-indigo-700 hover:bg-slate-100 dark:text-indigo-300 dark:hover:bg-slate-800">
        ← All flows
      </Link>
      <h1 className="max-w-[12rem] min-w-0 truncate px-1 text-base font-semibold" title={flowName}>
        {flowName}
      </h1>
      {flowMenu}
      <span
        role="status"
        title={saveState.status === "error" ? saveState.message : undefined}
        className={`max-w-[11rem] shrink-0 truncate rounded px-1.5 text-xs ${saveState.status === "error" ? "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200" : "text-slate-500 dark:text-slate-400"}`}
      >
        {editor ? SAVE_LABELS[saveState.status] : "Read only"}
      </span>
      {saveState.status === "error" && (
        <button type="button" onClick={onRetrySave} className={toolButton}>
          Retry save
        </button>
      )}
      <div className="mx-1 h-6 w-px bg-slate-200 dark:bg-slate-700" aria-hidden />
      {!readOnly && (
        <>
          <button type="button" aria-label="Undo" title="Undo (Ctrl+Z)" disabled={!canUndo} onClick={onUndo} className={toolButton}>
            ↶
          </button>
          <button type="button" aria-label="Redo" title="Redo (Ctrl+Shift+Z)" disabled={!canRedo} onClick={onRedo} className={toolButton}>
            ↷
          </button>
          <button type="button" onClick={onAutoLayout} title="Tidy up (Shift+L)" className={toolButton}>
            Auto-layout
          </button>
          <button type="button" onClick={onAddNote} title="Add a sticky note (Shift+N)" className={toolButton}>
            Add note
          </button>
          <button type="button" aria-pressed={snap} onClick={onToggleSnap} title="Snap nodes to a 16 px grid while dragging" className={toolButton}>
            Snap to grid
          </button>
        </>
      )}
      <IssuesMenu issues={issues} onSelect={onSelect} />
      <div className="ml-auto flex items-center gap-1.5">
        {operator &&
          (running ? (
            <button type="button" onClick={onStopRun} className={`${toolButton} text-red-700 dark:text-red-300`}>
              Stop run
            </button>
          ) : (
            <button type="button" onClick={onOpenRunDialog} disabled={starting} title="Run with test input (Ctrl+Enter)" className="shrink-0 rounded-md bg-indigo-600 px-3 py-1 font-medium text-white hover:bg-indigo-500 disabled:opacity-60">
              Run
            </button>
          ))}
        <button type="button" aria-pressed={sidePanel === "runs" && !nodeOpen} onClick={() => onToggleSidePanel("runs")} className={toolButton}>
          Runs
        </button>
        <button type="button" aria-pressed={sidePanel === "versions" && !nodeOpen} onClick={() => onToggleSidePanel("versions")} className={toolButton}>
          Versions
        </button>
        {operator && (
          <button
            type="button"
            role="switch"
            aria-checked={active}
            aria-label="Active"
            onClick={onToggleActive}
            disabled={toggling}
            title={active ? "Active: triggers run the live version. Switch off to stop." : "Activate: triggers run the latest saved version"}
            className={`${toolButton} flex items-center gap-1.5`}
          >
            <span aria-hidden className={`relative inline-block h-4 w-7 rounded-full transition ${active ? "bg-emerald-500" : "bg-slate-300 dark:bg-slate-600"}`}>
              <span className={`absolute top-0.5 h-3 w-3 rounded-full bg-white transition ${active ? "left-3.5" : "left-0.5"}`} />
            </span>
            {active ? "Active" : "Inactive"}
          </button>
        )}
        <button type="button" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={onHelp} className={toolButton}>
          ?
        </button>
      </div>
    </header>
  );
}
