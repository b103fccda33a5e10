"use client";

import { useCallback, useEffect, useRef, useState } from "react";

export type SaveState = { status: "saved" } | { status: "pending" } | { status: "saving" } | { status: "error"; message: string };

export const AUTOSAVE_DELAY_MS = 800;

/**
 * Saves the draft a moment after the last edit. One save at a time; edits made during a save are saved after it.
 * A failed save keeps the edits here and says why; the next edit, or `flush`, tries again.
 */
export function useAutosave<T>({ value, save, enabled }: { value: T; save: (value: T) => Promise<void>; enabled: boolean }) {
  const [state, setState] = useState<SaveState>({ status: "saved" });
  const saved = useRef(value);
  const latest = useRef(value);
  const running = useRef<Promise<boolean> | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const saveRef = useRef(save);
  useEffect(() => {
    saveRef.current = save;
  }, [save]);

  const flush = useCallback(async (): Promise<boolean> => {
    clearTimeout(timer.current);
    // Edits made while a save runs are saved by the next turn of the loop.
    for (;;) {
      while (running.current) await running.current;
      if (latest.current === saved.current) {
        // Nothing left to save (edits undone back to what is stored): say so, whatever was said before.
        setState({ status: "saved" });
        return true;
      }
      const value = latest.current;
      setState({ status: "saving" });
      running.current = (async () => {
        try {
          await saveRef.current(value);
          saved.current = value;
          setState(latest.current === value ? { status: "saved" } : { status: "pending" });
          return true;
        } catch (err) {
          setState({ status: "error", message: err instanceof Error ? err.message : String(err) });
          return false;
        } finally {
          running.current = null;
        }
      })();
      if (!(await running.current)) return false;
    }
  }, []);

  useEffect(() => {
    latest.current = value;
    if (!enabled) return;
    if (value === saved.current) {
      // Back to what is stored before the save was due (an edit undone at once): nothing is waiting any more. A
      // save that runs now is followed by another one of this value.
      clearTimeout(timer.current);
      setState((s) => (s.status === "saving" ? s : { status: "saved" }));
      return;
    }
    setState((s) => (s.status === "saving" ? s : { status: "pending" }));
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void flush(), AUTOSAVE_DELAY_MS);
  }, [value, enabled, flush]);

  useEffect(() => () => clearTimeout(timer.current), []);

  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (latest.current !== saved.current) event.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, []);

  return { state, flush };
}
