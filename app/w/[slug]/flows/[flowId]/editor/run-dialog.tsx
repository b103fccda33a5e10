"use client";

import { json } from "@codemirror/lang-json";
import { EditorView } from "@codemirror/view";
import { useQuery } from "@tanstack/react-query";
import CodeMirror from "@uiw/react-codemirror";
import { useMemo, useState } from "react";
import { useTRPC } from "@/app/_components/trpc-provider";
import { Modal } from "@/app/w/[slug]/credentials/form-controls";
import type { FlowDocument } from "@/nodes/_core/flow-document";
import { useDarkMode } from "./config-panel/use-dark-mode";
import type { CatalogEntry } from "./editor-types";
import { asWebhookRequest, pretty, runStartNode, triggerShape, WEBHOOK_TYPE } from "./run-input";
import { WebhookRequestForm } from "./webhook-request-form";

const storageKey = (flowId: string) => `streamware:test-input:${flowId}`;

/** The test input last run from this dialog, unless it was empty. */
function savedTestInput(flowId: string): string | null {
  if (typeof window === "undefined") return null;
  const saved = window.localStorage.getItem(storageKey(flowId));
  return saved && saved.trim() !== "" && saved.trim() !== "{}" ? saved : null;
}

const extensions = [json(), EditorView.contentAttributes.of({ "aria-label": "Test input (JSON)", "aria-describedby": "test-input-help" })];

type Source = "saved" | "last" | "shape";

/**
 * The test input of a run from the editor, pre-filled: what was last run from here, else what the trigger last
 * received from outside (a real webhook request), else the trigger's shape (a webhook's method, path, headers,
 * query and body; an empty item for a manual trigger). A webhook's request can be edited as a form or as JSON.
 */
export function RunDialog({
  workspaceId,
  flowId,
  document,
  catalog,
  open,
  onClose,
  onRun,
}: {
  workspaceId: string;
  flowId: string;
  document: FlowDocument;
  catalog: ReadonlyMap<string, CatalogEntry>;
  open: boolean;
  onClose(): void;
  onRun(input: unknown): void;
}) {
  const start = runStartNode(document, (type) => catalog.get(type)?.trigger ?? null);
  const kind = start ? (catalog.get(start.type)?.trigger ?? null) : null;
  const trpc = useTRPC();
  const outside = kind === "webhook" || kind === "schedule" || kind === "mqtt" || kind === "feed" ? kind : null;
  // Asked afresh each time the dialog opens: a request may have arrived since.
  const last = useQuery({ ...trpc.run.lastTriggerInput.queryOptions({ workspaceId, flowId, trigger: outside ?? "webhook" }), enabled: open && outside !== null, staleTime: 0, refetchOnMount: "always" });
  return (
    <Modal open={open} title="Run with test input" onClose={onClose} wide>
      {open && (outside === null || !last.isFetching) && (
        <RunForm
          flowId={flowId}
          webhook={start?.type === WEBHOOK_TYPE}
          trigger={start ? { name: start.name, typeName: catalog.get(start.type)?.name ?? start.type } : null}
          shape={pretty(triggerShape(start))}
          lastRequest={last.data ? { text: pretty(last.data.input), at: new Date(last.data.queuedAt) } : null}
          onRun={onRun}
          onCancel={onClose}
        />
      )}
    </Modal>
  );
}

function RunForm({
  flowId,
  webhook,
  trigger,
  shape,
  lastRequest,
  onRun,
  onCancel,
}: {
  flowId: string;
  webhook: boolean;
  trigger: { name: string; typeName: string } | null;
  shape: string;
  lastRequest: { text: string; at: Date } | null;
  onRun(input: unknown): void;
  onCancel(): void;
}) {
  const saved = useMemo(() => savedTestInput(flowId), [flowId]);
  const sources = useMemo(() => {
    const list: { id: Source; label: string; text: string }[] = [];
    if (saved) list.push({ id: "saved", label: "Last used here", text: saved });
    if (lastRequest) list.push({ id: "last", label: `Last real request (${lastRequest.at.toLocaleString()})`, text: lastRequest.text });
    list.push({ id: "shape", label: webhook ? "Example request" : "Empty item", text: shape });
    return list;
  }, [saved, lastRequest, webhook, shape]);
  const [source, setSource] = useState<Source>(sources[0]!.id);
  const [text, setText] = useState(sources[0]!.text);
  // A new text from outside the editors (a source picked) remounts the form, so its rows start afresh.
  const [generation, setGeneration] = useState(0);
  const [mode, setMode] = useState<"form" | "json">(() => (webhook && asWebhookRequest(safeParse(sources[0]!.text)) ? "form" : "json"));
  const [error, setError] = useState<string | null>(null);
  const [bodyError, setBodyError] = useState<string | null>(null);
  const dark = useDarkMode();
  const request = mode === "form" ? asWebhookRequest(safeParse(text)) : null;

  function submit() {
    if (mode === "form" && bodyError) return setError(bodyError);
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
        {trigger ? (
          <>
            The run starts from <strong className="font-medium text-slate-900 dark:text-slate-100">“{trigger.name}”</strong>; this is what the {trigger.typeName.toLowerCase()} hands the flow:{" "}
          </>
        ) : (
          "The trigger's output: "
        )}
        one item&apos;s JSON, or a list of them. Pinned nodes use their pinned items.
      </p>
      <div className="flex flex-wrap items-center gap-2">
        {sources.length > 1 && (
          <div role="radiogroup" aria-label="Start from" className="flex flex-wrap gap-1">
            {sources.map((s) => (
              <button
                key={s.id}
                type="button"
                role="radio"
                aria-checked={source === s.id}
                onClick={() => {
                  setSource(s.id);
                  setText(s.text);
                  setError(null);
                  setBodyError(null);
                  setGeneration((g) => g + 1);
                  if (mode === "form" && !asWebhookRequest(safeParse(s.text))) setMode("json");
                }}
                className={`rounded-full border px-2.5 py-0.5 text-xs ${source === s.id ? "border-indigo-600 bg-indigo-600 text-white" : "border-slate-300 text-slate-700 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-300 dark:hover:bg-slate-800"}`}
              >
                {s.label}
              </button>
            ))}
          </div>
        )}
        {webhook && (
          <div role="tablist" aria-label="Edit as" className="ml-auto inline-flex overflow-hidden rounded-md border border-slate-300 text-xs dark:border-slate-700">
            {(["form", "json"] as const).map((m) => (
              <button
                key={m}
                type="button"
                role="tab"
                aria-selected={mode === m}
                onClick={() => {
                  if (m === "form" && !asWebhookRequest(safeParse(text))) {
                    return setError("This input is not a single request (method, path, headers, query, body), so it can only be edited as JSON.");
                  }
                  setError(null);
                  setBodyError(null);
                  setGeneration((g) => g + 1);
                  setMode(m);
                }}
                className={`px-2.5 py-1 ${mode === m ? "bg-indigo-600 text-white" : "bg-white text-slate-700 hover:bg-slate-50 dark:bg-slate-900 dark:text-slate-300 dark:hover:bg-slate-800"}`}
              >
                {m === "form" ? "Form" : "JSON"}
              </button>
            ))}
          </div>
        )}
      </div>
      {request ? (
        <WebhookRequestForm key={generation} value={request} onChange={(next) => setText(pretty(next))} onBodyError={setBodyError} />
      ) : (
        <div className="overflow-hidden rounded-md border border-slate-300 dark:border-slate-700">
          <CodeMirror key={generation} value={text} onChange={setText} extensions={extensions} theme={dark ? "dark" : "light"} height="16rem" basicSetup={{ lineNumbers: true, foldGutter: true }} autoFocus />
        </div>
      )}
      {(error ?? bodyError) && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error ?? bodyError}
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

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
