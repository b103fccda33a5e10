"use client";

import { useEffect, useId, useRef, type ReactNode } from "react";

/** The look of the workspace's forms, shared by the credentials page and the node config panel. */
export const inputClass =
  "w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 placeholder:text-slate-400 disabled:cursor-not-allowed disabled:bg-slate-100 disabled:text-slate-600 aria-[invalid=true]:border-red-500 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100 dark:placeholder:text-slate-500 dark:disabled:bg-slate-900 dark:disabled:text-slate-400";
export const primaryButton =
  "rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:cursor-not-allowed disabled:opacity-60";
export const secondaryButton =
  "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800";
export const dangerButton =
  "rounded-md bg-red-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-500 disabled:cursor-not-allowed disabled:opacity-60";
export const ghostButton =
  "rounded-md px-2 py-1 text-sm text-slate-700 hover:bg-slate-100 disabled:cursor-not-allowed disabled:opacity-50 dark:text-slate-300 dark:hover:bg-slate-800";

/** The ids a control points at with aria-describedby: its description and its problems, when there are any. */
export function describedBy(id: string, { description, errors }: { description?: ReactNode; errors?: readonly string[] }): string | undefined {
  const ids = [description ? `${id}-desc` : null, errors?.length ? `${id}-err` : null].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

/** A labelled control with its description and problems under it. */
export function FieldShell({
  id,
  label,
  required,
  description,
  errors,
  labelAside,
  labelPrefix,
  hideLabel,
  children,
}: {
  id: string;
  label: string;
  required?: boolean;
  description?: ReactNode;
  errors?: readonly string[];
  labelAside?: ReactNode;
  /** Read before the label but not shown ("Rule 2"), so repeated fields keep distinct names. */
  labelPrefix?: string;
  /** The label is read but not shown, where the layout already says what the control is. */
  hideLabel?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="space-y-1">
      <div className="flex items-center justify-between gap-2">
        <span className={hideLabel ? "sr-only" : "flex items-baseline gap-0.5"}>
          <label htmlFor={id} className="block text-sm font-medium text-slate-800 dark:text-slate-200">
            {labelPrefix && <span className="sr-only">{labelPrefix} </span>}
            {label}
          </label>
          {/* Outside the label, so the control's name is the label alone; the control says it is required. */}
          {required && (
            <span className="text-red-600 dark:text-red-400" aria-hidden>
              *
            </span>
          )}
        </span>
        {labelAside}
      </div>
      {children}
      {description && (
        <p id={`${id}-desc`} className="text-xs text-slate-500 dark:text-slate-400">
          {description}
        </p>
      )}
      <FieldErrors id={`${id}-err`} errors={errors} />
    </div>
  );
}

export function FieldErrors({ id, errors }: { id: string; errors?: readonly string[] }) {
  if (!errors?.length) return null;
  return (
    <ul id={id} className="space-y-0.5 text-xs text-red-700 dark:text-red-400">
      {errors.map((error) => (
        <li key={error}>{error}</li>
      ))}
    </ul>
  );
}

/**
 * A modal dialog on the native <dialog>: focus moves into it and is kept there, Escape closes it, and focus goes
 * back where it was.
 */
export function Modal({ open, onClose, title, children, wide }: { open: boolean; onClose(): void; title: string; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className={`m-auto w-[calc(100%-2rem)] ${wide ? "max-w-2xl" : "max-w-lg"} rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100`}
    >
      {open && (
        <div className="space-y-4 p-5">
          <div className="flex items-start justify-between gap-4">
            <h2 id={titleId} className="text-lg font-semibold">
              {title}
            </h2>
            <button type="button" onClick={onClose} className={ghostButton} aria-label="Close">
              ✕
            </button>
          </div>
          {children}
        </div>
      )}
    </dialog>
  );
}
