"use client";

import { useEffect, type RefObject } from "react";

/** Closes an open menu when the pointer goes down outside `within`, or on Escape. */
export function useDismiss({ open, close, within }: { open: boolean; close: () => void; within: RefObject<HTMLElement | null> }) {
  useEffect(() => {
    if (!open) return;
    const dismiss = (event: Event) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !within.current?.contains(event.target as Node)) close();
    };
    window.addEventListener("pointerdown", dismiss);
    window.addEventListener("keydown", dismiss);
    return () => {
      window.removeEventListener("pointerdown", dismiss);
      window.removeEventListener("keydown", dismiss);
    };
  }, [open, close, within]);
}
