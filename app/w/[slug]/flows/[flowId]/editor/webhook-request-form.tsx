"use client";

import { json } from "@codemirror/lang-json";
import { EditorView } from "@codemirror/view";
import CodeMirror from "@uiw/react-codemirror";
import { useState } from "react";
import { ghostButton, inputClass, secondaryButton } from "@/app/w/[slug]/credentials/form-controls";
import { useDarkMode } from "./config-panel/use-dark-mode";
import { pretty, type WebhookRequestItem } from "./run-input";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const bodyExtensions = [json(), EditorView.contentAttributes.of({ "aria-label": "Body (JSON)" })];

/** A test webhook request as a form: method, path, header and query rows, and the body as JSON. */
export function WebhookRequestForm({ value, onChange, onBodyError }: { value: WebhookRequestItem; onChange(next: WebhookRequestItem): void; onBodyError(error: string | null): void }) {
  const dark = useDarkMode();
  const [bodyText, setBodyText] = useState(() => pretty(value.body));
  return (
    <div className="space-y-3">
      <div className="grid grid-cols-[8rem_1fr] gap-2">
        <div className="space-y-1">
          <label htmlFor="run-method" className="block text-sm font-medium">
            Method
          </label>
          <select id="run-method" value={value.method} onChange={(e) => onChange({ ...value, method: e.target.value })} className={inputClass}>
            {[...new Set([value.method, ...METHODS])].map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </div>
        <div className="space-y-1">
          <label htmlFor="run-path" className="block text-sm font-medium">
            Path
          </label>
          <input id="run-path" value={value.path} onChange={(e) => onChange({ ...value, path: e.target.value })} spellCheck={false} className={`${inputClass} font-mono`} />
        </div>
      </div>
      <Pairs legend="Headers" noun="header" rows={value.headers} onChange={(headers) => onChange({ ...value, headers })} />
      <Pairs legend="Query" noun="query parameter" rows={value.query} onChange={(query) => onChange({ ...value, query })} />
      <div className="space-y-1">
        <span className="block text-sm font-medium">Body</span>
        <div className="overflow-hidden rounded-md border border-slate-300 dark:border-slate-700">
          <CodeMirror
            value={bodyText}
            extensions={bodyExtensions}
            theme={dark ? "dark" : "light"}
            height="8rem"
            basicSetup={{ lineNumbers: false, foldGutter: false }}
            onChange={(text) => {
              setBodyText(text);
              if (!text.trim()) {
                onBodyError(null);
                return onChange({ ...value, body: null });
              }
              try {
                onChange({ ...value, body: JSON.parse(text) as unknown });
                onBodyError(null);
              } catch (err) {
                onBodyError(`The body is not valid JSON: ${(err as Error).message}`);
              }
            }}
          />
        </div>
      </div>
    </div>
  );
}

/** Name/value rows kept as an object; a row whose name is empty is kept while typed and left out of the value. */
function Pairs({ legend, noun, rows, onChange }: { legend: string; noun: string; rows: Record<string, string>; onChange(next: Record<string, string>): void }) {
  const [list, setList] = useState(() => Object.entries(rows));
  const store = (next: [string, string][]) => {
    setList(next);
    onChange(Object.fromEntries(next.filter(([name]) => name.trim() !== "")));
  };
  return (
    <fieldset className="space-y-1.5">
      <legend className="text-sm font-medium">{legend}</legend>
      {list.map(([name, val], i) => (
        <div key={i} className="flex items-center gap-2">
          <div className="w-2/5 shrink-0">
            <input aria-label={`${legend} ${i + 1} name`} value={name} placeholder="Name" spellCheck={false} onChange={(e) => store(list.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} className={`${inputClass} font-mono`} />
          </div>
          <div className="min-w-0 flex-1">
            <input aria-label={`${legend} ${i + 1} value`} value={val} placeholder="Value" spellCheck={false} onChange={(e) => store(list.map((r, j) => (j === i ? [r[0], e.target.value] : r)))} className={`${inputClass} font-mono`} />
          </div>
          <button type="button" className={ghostButton} aria-label={`Remove ${legend.toLowerCase()} ${i + 1}`} onClick={() => store(list.filter((_, j) => j !== i))}>
            ✕
          </button>
        </div>
      ))}
      <button type="button" className={`${secondaryButton} text-xs`} onClick={() => setList([...list, ["", ""]])}>
        Add {noun}
      </button>
    </fieldset>
  );
}
