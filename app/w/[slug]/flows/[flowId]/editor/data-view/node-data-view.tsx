"use client";

import { useId, useState, type ReactNode } from "react";
import { secondaryButton } from "@/app/w/[slug]/credentials/form-controls";
import { attemptText, binaryOf, cellOf, cellText, columnsOf, countItems, fileLinksOf, formatBytes, itemJson, pinnableItems, portsOf, type FileLink, type PortData, type Truncation } from "./data-model";
import { JsonTree } from "./json-tree";

type Side = "input" | "output";
type View = "json" | "table";

const TABLE_ROWS = 200;

function progressText(progress: unknown): string | null {
  if (!progress || typeof progress !== "object") return null;
  const p = progress as { percent?: unknown; message?: unknown };
  const parts = [typeof p.percent === "number" ? `${Math.round(p.percent)}%` : null, typeof p.message === "string" ? p.message : null].filter(Boolean);
  return parts.length ? parts.join(" · ") : null;
}

/**
 * A node's data in a run: its input and output by port, as a JSON tree or a table, its error, and a note when the
 * stored data was cut to the cap.
 */
export function NodeDataView({
  input,
  output,
  error,
  status,
  durationMs,
  attempt,
  workerLosses,
  progress,
  streams,
  onPin,
  pinned,
}: {
  input?: unknown;
  output?: unknown;
  error?: { message: string; [k: string]: unknown } | null;
  status?: string;
  durationMs?: number;
  attempt?: number;
  /** How often the worker running this step was lost before this attempt. */
  workerLosses?: number;
  progress?: unknown;
  /** Text the node streams while it runs (an LLM's reply so far), by input item. */
  streams?: readonly string[];
  onPin?(items: unknown[]): void;
  pinned?: boolean;
}) {
  const base = useId();
  const [side, setSide] = useState<Side>("output");
  const [view, setView] = useState<View>("json");
  const data = { input: portsOf(input), output: portsOf(output) };
  const current = data[side];
  const progressLine = progressText(progress);
  const attemptLine = attemptText(attempt, workerLosses);
  const nothing = input === undefined && output === undefined && !error;

  return (
    <div className="space-y-3 p-3 text-sm">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-600 dark:text-slate-400" aria-live="polite">
        {status && (
          <span>
            Status: <StatusBadge status={status} />
          </span>
        )}
        {durationMs !== undefined && <span>{durationMs < 1000 ? `${durationMs} ms` : `${(durationMs / 1000).toFixed(2)} s`}</span>}
        {attemptLine && <span className={workerLosses ? "text-amber-800 dark:text-amber-300" : undefined}>{attemptLine}</span>}
        {progressLine && <span>Progress: {progressLine}</span>}
        {pinned && <span className="rounded bg-amber-100 px-1.5 py-0.5 font-medium text-amber-900 dark:bg-amber-950 dark:text-amber-200">Pinned output</span>}
      </div>

      {streams && streams.length > 0 && <StreamingText streams={streams} />}

      {error && <ErrorBlock error={error} />}

      {nothing ? (
        <p className="text-slate-500 dark:text-slate-400">No data yet: run the flow (or this node) to see what goes in and comes out.</p>
      ) : (
        <>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <Segmented<Side>
              label="Data side"
              value={side}
              onChange={setSide}
              options={[
                { value: "input", label: `Input (${countItems(data.input.ports)})` },
                { value: "output", label: `Output (${countItems(data.output.ports)})` },
              ]}
            />
            <Segmented<View>
              label="View as"
              value={view}
              onChange={setView}
              options={[
                { value: "json", label: "JSON" },
                { value: "table", label: "Table" },
              ]}
            />
          </div>
          {current.truncated && <TruncationNote truncated={current.truncated} />}
          <div id={`${base}-${side}`} className="space-y-3">
            {current.ports.length === 0 && <p className="text-slate-500 dark:text-slate-400">No {side} items.</p>}
            {current.ports.map((port) => (
              <PortBlock key={port.port} port={port} view={view} showName={current.ports.length > 1 || port.port !== (side === "input" ? "in" : "out")} />
            ))}
          </div>
          {onPin && side === "output" && countItems(data.output.ports) > 0 && !pinned && (
            <button type="button" className={secondaryButton} onClick={() => onPin(pinnableItems(data.output.ports).map((item) => structuredClone(item)))}>
              Pin output
            </button>
          )}
        </>
      )}
    </div>
  );
}

/** The reply as it streams in; the live region is the block as a whole, so a screen reader is not given every token. */
function StreamingText({ streams }: { streams: readonly string[] }) {
  return (
    <section aria-label="Streaming output" aria-busy="true" className="space-y-2">
      {streams.map((text, index) => (
        <div key={index} className="rounded-md border border-sky-200 bg-sky-50 p-2 dark:border-sky-900 dark:bg-sky-950/60">
          {streams.length > 1 && <p className="mb-1 text-xs font-medium text-sky-800 dark:text-sky-200">Item {index + 1}</p>}
          <p className="max-h-64 overflow-y-auto whitespace-pre-wrap break-words text-sm text-slate-900 dark:text-slate-100">
            {text}
            <span aria-hidden className="ml-0.5 inline-block h-3.5 w-1.5 animate-pulse bg-sky-500 align-middle" />
          </p>
        </div>
      ))}
    </section>
  );
}

function StatusBadge({ status }: { status: string }) {
  const tone =
    status === "succeeded"
      ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
      : status === "failed"
        ? "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200"
        : status === "running"
          ? "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200"
          : "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300";
  return <span className={`rounded px-1.5 py-0.5 font-medium ${tone}`}>{status}</span>;
}

function Segmented<T extends string>({ label, value, onChange, options }: { label: string; value: T; onChange(value: T): void; options: { value: T; label: string }[] }) {
  return (
    <div role="group" aria-label={label} className="inline-flex overflow-hidden rounded-md border border-slate-300 text-xs dark:border-slate-700">
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          aria-pressed={o.value === value}
          onClick={() => onChange(o.value)}
          className={`px-2 py-1 ${o.value === value ? "bg-indigo-600 text-white" : "bg-white text-slate-700 hover:bg-slate-50 dark:bg-slate-900 dark:text-slate-300 dark:hover:bg-slate-800"}`}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

function TruncationNote({ truncated }: { truncated: Truncation }) {
  return (
    <p className="rounded-md bg-amber-50 p-2 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-200">
      The stored data was capped at {formatBytes(truncated.capBytes)} (it was {formatBytes(truncated.originalBytes)}): showing {truncated.keptItems} of {truncated.totalItems} items.
    </p>
  );
}

function ErrorBlock({ error }: { error: { message: string; [k: string]: unknown } }) {
  const { message, ...rest } = error;
  const details = Object.keys(rest).length > 0;
  return (
    <div role="alert" className="space-y-1 rounded-md border border-red-200 bg-red-50 p-2 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">
      <p className="font-medium">{message}</p>
      {details && (
        <details>
          <summary className="cursor-pointer text-xs">Error details</summary>
          <JsonTree value={rest} openDepth={2} />
        </details>
      )}
    </div>
  );
}

function PortBlock({ port, view, showName }: { port: PortData; view: View; showName: boolean }) {
  const heading: ReactNode = showName && (
    <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
      Port {port.port} · {port.items.length} item{port.items.length === 1 ? "" : "s"}
    </h4>
  );
  const binaries = port.items.flatMap((item, index) => binaryOf(item).map((b) => ({ ...b, index })));
  const links = port.items.flatMap((item, index) => fileLinksOf(item).map((link) => ({ ...link, index })));
  return (
    <section className="space-y-1">
      {heading}
      {port.items.length === 0 ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">No items.</p>
      ) : view === "json" ? (
        <div className="overflow-x-auto rounded-md border border-slate-200 p-1 dark:border-slate-800">
          {port.items.map((item, index) => (
            <JsonTree key={index} value={itemJson(item)} label={`Item ${index + 1}`} openDepth={port.items.length > 5 ? 1 : 3} />
          ))}
        </div>
      ) : (
        <ItemsTable items={port.items} />
      )}
      {binaries.length > 0 && (
        <ul className="space-y-0.5 text-xs text-slate-700 dark:text-slate-300" aria-label="Files">
          {binaries.map((b) => (
            <li key={`${b.index}-${b.key}`}>
              <span aria-hidden>📎 </span>
              Item {b.index + 1}, {b.key}: {b.fileName ?? "unnamed file"}
              {b.mimeType && ` (${b.mimeType}`}
              {b.size !== undefined && `${b.mimeType ? ", " : " ("}${formatBytes(b.size)}`}
              {(b.mimeType || b.size !== undefined) && ")"}
            </li>
          ))}
        </ul>
      )}
      {links.length > 0 && <FileLinks links={links} many={port.items.length > 1} />}
    </section>
  );
}

const linkLabel: Record<FileLink["kind"], string> = { video: "Video", hls: "HLS playlist", audio: "Audio", image: "Image", file: "File" };

/** Stored files the items link to: MP4 and WebM play here, audio too; HLS playlists and the rest open as links. */
function FileLinks({ links, many }: { links: (FileLink & { index: number })[]; many: boolean }) {
  const players = links.filter((l) => l.kind === "video" || l.kind === "audio").slice(0, 4);
  return (
    <div className="space-y-2">
      {players.map((l) =>
        l.kind === "video" ? (
          <video key={`${l.index}-${l.path}`} src={l.url} controls preload="metadata" aria-label={`${many ? `Item ${l.index + 1}, ` : ""}${l.path}`} className="max-h-56 w-full rounded-md bg-black" />
        ) : (
          <audio key={`${l.index}-${l.path}`} src={l.url} controls preload="metadata" aria-label={`${many ? `Item ${l.index + 1}, ` : ""}${l.path}`} className="w-full" />
        ),
      )}
      <ul className="space-y-0.5 text-xs" aria-label="File links">
        {links.map((l) => (
          <li key={`${l.index}-${l.path}`} className="flex min-w-0 items-center gap-1.5">
            <span className="shrink-0 rounded bg-slate-100 px-1 text-[10px] font-medium text-slate-700 dark:bg-slate-800 dark:text-slate-300">{linkLabel[l.kind]}</span>
            <a href={l.url} target="_blank" rel="noopener noreferrer" className="truncate font-mono text-indigo-700 underline hover:text-indigo-900 dark:text-indigo-300 dark:hover:text-indigo-100">
              {many ? `Item ${l.index + 1}, ` : ""}
              {l.path}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ItemsTable({ items }: { items: unknown[] }) {
  const columns = columnsOf(items);
  const rows = items.slice(0, TABLE_ROWS);
  return (
    <div className="max-h-[28rem] overflow-auto rounded-md border border-slate-200 dark:border-slate-800">
      <table className="min-w-full text-xs">
        <thead className="sticky top-0 bg-slate-50 text-left dark:bg-slate-800">
          <tr>
            <th scope="col" className="px-2 py-1 font-medium text-slate-500">
              #
            </th>
            {columns.map((c) => (
              <th key={c} scope="col" className="px-2 py-1 font-mono font-medium">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {rows.map((item, index) => (
            <tr key={index}>
              <th scope="row" className="px-2 py-1 text-left font-normal text-slate-500">
                {index + 1}
              </th>
              {columns.map((c) => (
                <td key={c} className="max-w-64 truncate px-2 py-1 font-mono" title={cellText(cellOf(item, c), 2000)}>
                  {cellText(cellOf(item, c))}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {items.length > TABLE_ROWS && <p className="p-2 text-xs text-slate-500">Showing the first {TABLE_ROWS} of {items.length} items.</p>}
    </div>
  );
}
