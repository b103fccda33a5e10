"use client";

import { useEffect } from "react";
import type { FlowDocument } from "@/nodes/_core/flow-document";
import { copySelection } from "./clipboard";
import type { ShowNotice } from "./editor-notice";
import type { CanvasSelection } from "./flow-canvas";

function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return Boolean(el && (el.isContentEditable || el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT"));
}

/** The editor's keyboard shortcuts (listed in the help dialog) and copy, cut and paste of nodes as flow JSON. */
export function useEditorKeyboard({
  document,
  selection,
  readOnly,
  editor,
  undo,
  redo,
  save,
  openRunDialog,
  openHelp,
  duplicate,
  autoLayout,
  addNote,
  fitView,
  deleteSelection,
  paste,
  select,
  closeSidePanel,
  show,
}: {
  document: FlowDocument;
  selection: CanvasSelection;
  readOnly: boolean;
  editor: boolean;
  undo: () => void;
  redo: () => void;
  save: () => unknown;
  openRunDialog: () => void;
  openHelp: () => void;
  duplicate: () => void;
  autoLayout: () => unknown;
  addNote: () => void;
  fitView: () => void;
  deleteSelection: () => void;
  paste: (text: string) => void;
  select: (ids: string[]) => void;
  closeSidePanel: () => void;
  show: ShowNotice;
}) {
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
        if (key === "y" || event.shiftKey) redo();
        else undo();
        return;
      }
      if (mod && key === "s") {
        event.preventDefault();
        void save();
        return;
      }
      if (mod && key === "enter") {
        event.preventDefault();
        if (editor) openRunDialog();
        return;
      }
      if (editable) return;
      if (mod && key === "d") {
        event.preventDefault();
        duplicate();
      } else if (mod && key === "a") {
        event.preventDefault();
        window.getSelection()?.removeAllRanges();
        select([...document.nodes.map((n) => n.id), ...document.notes.map((n) => n.id)]);
      } else if (event.key === "?") {
        event.preventDefault();
        openHelp();
      } else if (event.shiftKey && key === "l" && !mod) {
        void autoLayout();
      } else if (event.shiftKey && key === "n" && !mod) {
        addNote();
      } else if (event.shiftKey && event.code === "Digit1" && !mod) {
        fitView();
      } else if ((event.key === "Delete" || event.key === "Backspace") && !mod) {
        event.preventDefault();
        deleteSelection();
      } else if (event.key === "Escape") {
        if (selection.nodeIds.length || selection.noteIds.length || selection.edgeIds.length) select([]);
        else closeSidePanel();
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
  }, [readOnly, editor, undo, redo, save, openRunDialog, openHelp, duplicate, document, autoLayout, addNote, fitView, selection, deleteSelection, paste, select, closeSidePanel, show]);
}
