"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useId, useState, type FormEvent } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { Modal, ghostButton, inputClass, primaryButton, secondaryButton } from "./credentials/form-controls";
import {
  applyLabel,
  choiceLabels,
  choicesFor,
  conflicting,
  defaultChoices,
  formatName,
  outcomeOf,
  resolutionsOf,
  resultSummary,
  type FlowChoice,
  type ImportResult,
  type PreviewFlow,
  type ReadyPreview,
} from "./import-plan";
import { ImportReportView, ProblemList } from "./import-report-view";
import { useWorkspace } from "./workspace-context";

/** The dialog's buttons, kept in sight at the bottom while a long preview or report scrolls under them. */
const actionBar = "sticky bottom-0 -mb-5 flex flex-wrap justify-end gap-2 border-t border-slate-200 bg-white pt-4 pb-5 dark:border-slate-700 dark:bg-slate-900";

/** What to import: the text of a file (with its name) or of pasted JSON. */
export type ImportSource = { text: string; fileName?: string };

/** A file's text, or why it is not read; null: nothing chosen yet. */
export type ImportStart = { source: ImportSource } | { error: string } | null;

/** A chosen or dropped file's text (the server bounds its size and says so), or why it could not be read. */
export async function readImportFile(file: File): Promise<NonNullable<ImportStart>> {
  try {
    return { source: { text: await file.text(), fileName: file.name } };
  } catch (err) {
    return { error: `“${file.name}” could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * Importing flows: a file (chosen, or dropped on the flow list) or pasted JSON is previewed first (what will be
 * created or replaced, conflicts, credentials, the report of another tool's import, problems by path); nothing is
 * written until "Import", and then all of it or nothing. `start`: a dropped file, already read. Mount it afresh
 * (a new `key`) for each import.
 */
export function ImportDialog({ start, onClose }: { start: ImportStart; onClose(): void }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [source, setSource] = useState<ImportSource | null>(start && "source" in start ? start.source : null);
  const [readError, setReadError] = useState<string | null>(start && "error" in start ? start.error : null);
  const [choices, setChoices] = useState<Record<string, FlowChoice>>({});
  const preview = useMutation(trpc.transfer.preview.mutationOptions());
  const apply = useMutation(
    trpc.transfer.applyImport.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.flow.list.queryKey() }),
    }),
  );
  const { mutate: runPreview, reset: resetPreview } = preview;
  const { reset: resetApply } = apply;

  // Every new source is previewed; nothing is written until the person chooses "Import".
  useEffect(() => {
    if (source) runPreview({ workspaceId: workspace.id, ...source }, { onSuccess: (result) => setChoices(result.ok ? defaultChoices(result.flows) : {}) });
  }, [source, workspace.id, runPreview]);

  async function readFile(file: File) {
    const read = await readImportFile(file);
    if ("error" in read) return setReadError(read.error);
    setReadError(null);
    setSource(read.source);
  }

  function startOver() {
    setSource(null);
    setReadError(null);
    resetPreview();
    resetApply();
  }


  const ready = preview.data?.ok ? preview.data : null;

  return (
    <Modal open onClose={onClose} title={apply.data ? "Imported" : "Import flows"} wide>
      {apply.data ? (
        <ImportResultView result={apply.data} onDone={onClose} onAnother={startOver} />
      ) : !source || readError ? (
        <SourcePicker onFile={(f) => void readFile(f)} onText={(text) => {
            setReadError(null);
            setSource({ text });
          }} error={readError} />
      ) : (
        <div className="space-y-4">
          {preview.isPending && <p className="text-sm text-slate-600 dark:text-slate-400">Reading {source.fileName ?? "the pasted JSON"}…</p>}
          {preview.error && <ErrorAlert>The file could not be previewed: {preview.error.message}</ErrorAlert>}
          {preview.data && !preview.data.ok && (
            <div className="space-y-3">
              <ErrorAlert>
                <p className="font-medium">Nothing can be imported from {source.fileName ? `“${source.fileName}”` : "the pasted JSON"}.</p>
                <p>{preview.data.message}</p>
              </ErrorAlert>
              <ProblemList problems={preview.data.problems} />
            </div>
          )}
          {ready && <PreviewView preview={ready} fileName={source.fileName} choices={choices} onChoose={(key, choice) => setChoices((c) => ({ ...c, [key]: choice }))} />}
          {apply.error && <ErrorAlert>Nothing was imported: {apply.error.message}</ErrorAlert>}
          <div className={actionBar}>
            <button type="button" onClick={startOver} className={secondaryButton}>
              Choose another file
            </button>
            {ready && (
              <button
                type="button"
                disabled={apply.isPending || Object.values(choices).every((c) => c === "skip")}
                onClick={() => apply.mutate({ workspaceId: workspace.id, ...source, resolutions: resolutionsOf(choices) })}
                className={primaryButton}
              >
                {apply.isPending ? "Importing…" : applyLabel(choices)}
              </button>
            )}
          </div>
        </div>
      )}
    </Modal>
  );
}

/** A file to choose or drop here, or JSON to paste. */
function SourcePicker({ onFile, onText, error }: { onFile(file: File): void; onText(text: string): void; error: string | null }) {
  const id = useId();
  const [text, setText] = useState("");
  const [over, setOver] = useState(false);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (text.trim()) onText(text);
  }

  return (
    <form onSubmit={submit} className="space-y-4">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        A Streamware flow or workspace export, an n8n workflow, or a Node-RED flow file. You see what it will do before anything is written.
      </p>
      {error && <ErrorAlert>{error}</ErrorAlert>}
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          // Marks the drop as taken, so the flow list's drop-anywhere does not read the file a second time.
          e.preventDefault();
          setOver(false);
          const dropped = e.dataTransfer.files[0];
          if (dropped) onFile(dropped);
        }}
        className={`flex flex-col items-center gap-2 rounded-lg border-2 border-dashed p-6 text-center text-sm ${over ? "border-indigo-500 bg-indigo-50 dark:bg-indigo-950/40" : "border-slate-300 dark:border-slate-700"}`}
      >
        <label htmlFor={`${id}-file`} className={`${secondaryButton} cursor-pointer`}>
          Choose a file
        </label>
        <input
          id={`${id}-file`}
          type="file"
          accept=".json,application/json"
          className="sr-only"
          onChange={(e) => {
            const chosen = e.target.files?.[0];
            if (chosen) onFile(chosen);
            e.target.value = "";
          }}
        />
        <span className="text-slate-500 dark:text-slate-400">or drop it here</span>
      </div>
      <div className="space-y-1">
        <label htmlFor={`${id}-text`} className="block text-sm font-medium">
          Or paste JSON
        </label>
        <textarea id={`${id}-text`} value={text} onChange={(e) => setText(e.target.value)} rows={6} spellCheck={false} className={`${inputClass} font-mono text-xs`} />
      </div>
      <div className="flex justify-end">
        <button type="submit" disabled={!text.trim()} className={primaryButton}>
          Preview
        </button>
      </div>
    </form>
  );
}

function PreviewView({ preview, fileName, choices, onChoose }: { preview: ReadyPreview; fileName?: string; choices: Record<string, FlowChoice>; onChoose(key: string, choice: FlowChoice): void }) {
  const workspace = useWorkspace();
  const missing = preview.credentials.filter((c) => c.credentialId === null);
  return (
    <div className="space-y-5">
      <p className="text-sm">
        <span className="text-slate-600 dark:text-slate-400">Format:</span> <strong>{formatName(preview.format)}</strong>
        {fileName && <span className="text-slate-600 dark:text-slate-400"> · {fileName}</span>}
      </p>
      <section aria-labelledby="import-flows-title" className="space-y-2">
        <h3 id="import-flows-title" className="text-sm font-semibold">
          {preview.flows.length === 1 ? "1 flow" : `${preview.flows.length} flows`}
        </h3>
        <ul className="space-y-2">
          {preview.flows.map((flow) => (
            <FlowPlan key={flow.key} flow={flow} choice={choices[flow.key] ?? "create"} onChoose={(choice) => onChoose(flow.key, choice)} />
          ))}
        </ul>
      </section>
      {preview.credentials.length > 0 && (
        <section aria-labelledby="import-credentials-title" className="space-y-2">
          <h3 id="import-credentials-title" className="text-sm font-semibold">
            Credentials
          </h3>
          <ul aria-label="Credentials" className="space-y-1 text-sm">
            {preview.credentials.map((c) => (
              <li key={`${c.type}-${c.name}`} className="flex flex-wrap items-baseline gap-x-2">
                <span>
                  “{c.name}” <code className="text-xs text-slate-600 dark:text-slate-400">{c.type}</code>
                </span>
                {c.credentialId ? (
                  <span className="text-xs text-emerald-700 dark:text-emerald-400">bound to the workspace’s credential of that name</span>
                ) : (
                  <span className="text-xs text-amber-700 dark:text-amber-400">
                    missing:{" "}
                    <Link href={createCredentialHref(workspace.slug, c)} target="_blank" className="font-medium underline">
                      create it
                    </Link>
                  </span>
                )}
              </li>
            ))}
          </ul>
          {missing.length > 0 && <p className="text-xs text-slate-600 dark:text-slate-400">The flows import either way; nodes with a missing credential fail until it exists under that name.</p>}
        </section>
      )}
      {preview.report && <ImportReportView report={preview.report} />}
      {preview.problems.length > 0 && (
        <section aria-labelledby="import-problems-title" className="space-y-2">
          <h3 id="import-problems-title" className="text-sm font-semibold">
            Warnings
          </h3>
          <ProblemList problems={preview.problems} label="Warnings" />
        </section>
      )}
    </div>
  );
}

function FlowPlan({ flow, choice, onChoose }: { flow: PreviewFlow; choice: FlowChoice; onChoose(choice: FlowChoice): void }) {
  const name = useId();
  const clash = conflicting(flow);
  return (
    <li aria-label={flow.name} className={`space-y-2 rounded-lg border p-3 text-sm ${clash ? "border-amber-300 dark:border-amber-800" : "border-slate-200 dark:border-slate-700"}`}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <p className="min-w-0 font-medium break-words">
          {flow.name} <span className="text-xs font-normal text-slate-500">· {flow.nodes === 1 ? "1 node" : `${flow.nodes} nodes`}</span>
        </p>
        <fieldset className="flex flex-wrap gap-1">
          <legend className="sr-only">What to do with “{flow.name}”</legend>
          {choicesFor(flow).map((option) => (
            <label
              key={option}
              className={`cursor-pointer rounded-md border px-2 py-0.5 text-xs has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-indigo-500 ${option === choice ? "border-indigo-600 bg-indigo-600 text-white" : "border-slate-300 hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800"}`}
            >
              <input type="radio" name={name} value={option} checked={option === choice} onChange={() => onChoose(option)} className="sr-only" />
              {choiceLabels[option]}
            </label>
          ))}
        </fieldset>
      </div>
      {flow.conflicts.length > 0 && (
        <ul aria-label={`Conflicts of ${flow.name}`} className="list-disc space-y-0.5 pl-5 text-xs text-amber-800 dark:text-amber-300">
          {flow.conflicts.map((c, i) => (
            <li key={`${c.kind}-${i}`}>{c.message}</li>
          ))}
        </ul>
      )}
      <p className="text-xs text-slate-700 dark:text-slate-300">{outcomeOf(flow, choice)}</p>
      {flow.draftOnly && choice !== "skip" && <p className="text-xs text-slate-600 dark:text-slate-400">Imported as a draft, not activated: {flow.draftOnly}</p>}
    </li>
  );
}

function ImportResultView({ result, onDone, onAnother }: { result: ImportResult; onDone(): void; onAnother(): void }) {
  const workspace = useWorkspace();
  return (
    <div className="space-y-4">
      <p role="status" className="text-sm font-medium text-emerald-800 dark:text-emerald-300">
        {resultSummary(result)}
      </p>
      <ul aria-label="Imported flows" className="space-y-1 text-sm">
        {result.flows.map((flow) => (
          <li key={flow.key} className="flex flex-wrap items-baseline gap-2">
            <span className="text-xs text-slate-500 uppercase">{flow.action}</span>
            {flow.flowId ? (
              <Link href={`/w/${workspace.slug}/flows/${flow.flowId}`} className="font-medium text-indigo-700 underline dark:text-indigo-300">
                Open “{flow.name}”
              </Link>
            ) : (
              <span>{flow.name}</span>
            )}
          </li>
        ))}
      </ul>
      {result.credentialsMissing.length > 0 && (
        <div className="space-y-1 text-sm">
          <p className="font-medium">Credentials to create</p>
          <ul className="list-disc space-y-0.5 pl-5">
            {result.credentialsMissing.map((c) => (
              <li key={`${c.type}-${c.name}`}>
                “{c.name}” <code className="text-xs">{c.type}</code>:{" "}
                <Link href={createCredentialHref(workspace.slug, c)} target="_blank" className="underline">
                  create it
                </Link>
              </li>
            ))}
          </ul>
        </div>
      )}
      {result.report && <ImportReportView report={result.report} />}
      <div className={actionBar}>
        <button type="button" onClick={onAnother} className={ghostButton}>
          Import another
        </button>
        <button type="button" onClick={onDone} className={primaryButton}>
          Done
        </button>
      </div>
    </div>
  );
}

/** The credentials page with its "new credential" form open for this name and type. */
function createCredentialHref(slug: string, credential: { name: string; type: string }): string {
  return `/w/${slug}/credentials?${new URLSearchParams({ create: credential.type, name: credential.name })}`;
}
