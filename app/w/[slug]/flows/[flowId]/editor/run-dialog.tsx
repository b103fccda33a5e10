"use client";

import { json } from "@codemirror/lang-json";
import { EditorView } from "@codemirror/view";
import CodeMirror from "@uiw/react-codemirror";
import { useState } from "react";
import { Modal } from "@/app/w/[slug]/credentials/form-controls";
import { useDarkMode } from "./config-panel/use-dark-mode";

const storageKey = (flowId: string) => `streamware:test-input:${flowId}`;

export function lastTestInput(flowId: string): string {
  if (typeof window === "undefined") return "{}";
  return window.localStorage.getItem(storageKey(flowId)) ?? "{}";
}

const extensions = [json(), EditorView.contentAttributes.of({ "aria-label": "Test input (JSON)", "aria-describedby": "test-input-help" })];

/** The test input of a run from the editor: JSON, remembered per flow for the next run. */
export function RunDialog({ flowId, open, onClose, onRun }: { flowId: string; open: boolean; onClose(): void; onRun(input: unknown): void }) {
  return (
    <Modal open={open} title="Run with test input" onClose={onClose} wide>
      {open && <RunForm flowId={flowId} onRun={onRun} onCancel={onClose} />}
    </Modal>
  );
}

function RunForm({ flowId, onRun, onCancel }: { flowId: string; onRun(input: unknown): void; onCancel(): void }) {
  const [text, setText] = useState(() => lastTestInput(flowId));
  const [error, setError] = useState<string | null>(null);
  const dark = useDarkMode();

  function submit() {
    let input: unknown;
    try {
      input = text.trim() ? JSON.parse(text) : {};
    } catch (err) {
      setError(`The test input is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    window.localStorage.setItem(storageKey(flowId), text);
    onRun(input);
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      onKeyDown={(e) => {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          submit();
        }
      }}
      className="space-y-3"
    >
      <p id="test-input-help" className="text-sm text-slate-600 dark:text-slate-400">
        The trigger&apos;s output: one item&apos;s JSON, or a list of them. Pinned nodes use their pinned items.
      </p>
      <div className="overflow-hidden rounded-md border border-slate-300 dark:border-slate-700">
        <CodeMirror
          value={text}
          onChange={setText}
          extensions={extensions}
          theme={dark ? "dark" : "light"}
          height="16rem"
          basicSetup={{ lineNumbers: true, foldGutter: true }}
          autoFocus
        />
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
      <div className="flex justify-end gap-2">
        <button type="button" onClick={onCancel} className="rounded-md px-3 py-1.5 text-sm hover:bg-slate-100 dark:hover:bg-slate-800">
          Cancel
        </button>
        <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500">
          Start run
        </button>
      </div>
    </form>
  );
}
