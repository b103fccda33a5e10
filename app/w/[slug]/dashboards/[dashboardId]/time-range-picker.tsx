"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import { inputClass, primaryButton, secondaryButton } from "../../credentials/form-controls";
import { checkCustomRange, describeRange, isCustomRange, MAX_CUSTOM_RANGE_DAYS, rangeWindow, TIME_RANGES, toLocalInput, type TimeRange } from "../widget-values";

const choice = (chosen: boolean) =>
  `whitespace-nowrap rounded px-2.5 py-1 text-sm ${chosen ? "bg-indigo-600 font-medium text-white" : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"}`;

/**
 * The dashboard's time range: the last 15 minutes, hour, day or week (these follow the clock), or a custom span
 * from one moment to another, typed in the viewer's time zone, that stays where it was put.
 */
export function TimeRangePicker({ range, onChange }: { range: TimeRange; onChange: (range: TimeRange) => void }) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [latest, setLatest] = useState("");
  const [problem, setProblem] = useState<{ field: "from" | "to"; message: string } | null>(null);
  const custom = isCustomRange(range);

  function open() {
    // A custom range opens as it is; otherwise the span the preset shows now, ready to be narrowed or moved.
    const now = Date.now();
    const shown = rangeWindow({ range, now });
    setFrom(toLocalInput(shown.from));
    setTo(toLocalInput(shown.to));
    setLatest(toLocalInput(now));
    setProblem(null);
    dialog.current?.showModal();
  }

  function apply(event: FormEvent) {
    event.preventDefault();
    const checked = checkCustomRange({ from, to, now: Date.now() });
    if (!checked.ok) {
      setProblem({ field: checked.field, message: checked.message });
      return;
    }
    onChange(checked.range);
    dialog.current?.close();
  }

  const field = (name: "from" | "to", label: string, value: string, set: (value: string) => void) => (
    <div className="space-y-1 text-sm font-medium">
      <label htmlFor={`${id}-${name}`} className="block">
        {label}
      </label>
      <input
        id={`${id}-${name}`}
        type="datetime-local"
        required
        value={value}
        max={latest}
        onChange={(e) => {
          set(e.target.value);
          setProblem(null);
        }}
        aria-invalid={problem?.field === name}
        aria-describedby={problem?.field === name ? `${id}-problem` : undefined}
        className={inputClass}
      />
    </div>
  );

  return (
    <>
      <div role="group" aria-label="Time range" className="flex max-w-full flex-wrap rounded-md border border-slate-300 bg-white p-0.5 dark:border-slate-700 dark:bg-slate-900">
        {TIME_RANGES.map((r) => (
          <button key={r.key} type="button" aria-pressed={!custom && range.key === r.key} onClick={() => onChange({ key: r.key })} className={choice(!custom && range.key === r.key)}>
            {r.label}
          </button>
        ))}
        <button type="button" aria-pressed={custom} aria-haspopup="dialog" onClick={open} title={custom ? "Change the custom range" : "Choose a start and an end"} className={choice(custom)}>
          {custom ? describeRange(range) : "Custom"}
        </button>
      </div>
      <dialog
        ref={dialog}
        aria-labelledby={`${id}-title`}
        className="m-auto w-[calc(100%-2rem)] max-w-sm rounded-xl border border-slate-200 bg-white p-5 text-slate-900 shadow-xl backdrop:bg-slate-950/40 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      >
        <form onSubmit={apply} noValidate className="space-y-4">
          <div className="space-y-1">
            <h2 id={`${id}-title`} className="text-lg font-semibold">
              Custom time range
            </h2>
            <p className="text-sm text-slate-600 dark:text-slate-400">
              In your time zone, up to now and at most {MAX_CUSTOM_RANGE_DAYS} days long. The dashboard stays on this span; new points after its end are not added.
            </p>
          </div>
          {field("from", "From", from, setFrom)}
          {field("to", "To", to, setTo)}
          {problem && (
            <p id={`${id}-problem`} role="alert" className="text-sm text-red-600 dark:text-red-400">
              {problem.message}
            </p>
          )}
          <div className="flex flex-wrap justify-between gap-2">
            <button
              type="button"
              onClick={() => {
                const now = toLocalInput(Date.now());
                setTo(now);
                setLatest(now);
                setProblem(null);
              }}
              className={secondaryButton}
            >
              End now
            </button>
            <div className="flex gap-2">
              <button type="button" onClick={() => dialog.current?.close()} className={secondaryButton}>
                Cancel
              </button>
              <button type="submit" className={primaryButton}>
                Apply
              </button>
            </div>
          </div>
        </form>
      </dialog>
    </>
  );
}
