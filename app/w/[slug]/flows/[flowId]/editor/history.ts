/**
 * Undo history of the flow document. Every edit is a step; edits that share a coalescing key and follow each other
 * within the pause window (typing in one field) become one step.
 */
export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  /** The key of the edit that made `present`, while more edits with that key may still join its step. */
  coalesceKey: string | null;
  coalesceAt: number;
}

export const HISTORY_LIMIT = 200;
/** Typing that pauses longer than this starts a new undo step. */
export const COALESCE_PAUSE_MS = 800;

export function createHistory<T>(present: T): History<T> {
  return { past: [], present, future: [], coalesceKey: null, coalesceAt: 0 };
}

export function commit<T>(history: History<T>, next: T, options: { coalesce?: string; now?: number } = {}): History<T> {
  if (next === history.present) return history;
  const now = options.now ?? Date.now();
  const joins = options.coalesce !== undefined && options.coalesce === history.coalesceKey && now - history.coalesceAt < COALESCE_PAUSE_MS;
  if (joins) return { ...history, present: next, future: [], coalesceAt: now };
  const past = [...history.past, history.present];
  if (past.length > HISTORY_LIMIT) past.shift();
  return { past, present: next, future: [], coalesceKey: options.coalesce ?? null, coalesceAt: now };
}

export function undo<T>(history: History<T>): History<T> {
  const previous = history.past.at(-1);
  if (previous === undefined) return history;
  return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future], coalesceKey: null, coalesceAt: 0 };
}

export function redo<T>(history: History<T>): History<T> {
  const [next, ...rest] = history.future;
  if (next === undefined) return history;
  return { past: [...history.past, history.present], present: next, future: rest, coalesceKey: null, coalesceAt: 0 };
}
