"use client";

import { useRef, useState, type DragEvent } from "react";

/** Whether a drag carries files (not text or a link dragged from the page). */
function carriesFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer.types).includes("Files");
}

/**
 * A file dropped anywhere on an element: `over` while one is dragged over it, `onFile` with the first file dropped.
 * Enter and leave fire for every child crossed, so a depth count (not the last event) says whether the drag is in.
 */
export function useFileDrop({ enabled, onFile }: { enabled: boolean; onFile(file: File): void }) {
  const depth = useRef(0);
  const [over, setOver] = useState(false);
  if (!enabled) return { over: false, handlers: {} };
  return {
    over,
    handlers: {
      onDragEnter(event: DragEvent) {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        depth.current += 1;
        setOver(true);
      },
      onDragOver(event: DragEvent) {
        if (!carriesFiles(event)) return;
        // Without this the browser opens the file instead of handing it to the drop handler.
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
      },
      onDragLeave(event: DragEvent) {
        if (!carriesFiles(event)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      },
      onDrop(event: DragEvent) {
        if (!carriesFiles(event)) return;
        depth.current = 0;
        setOver(false);
        // A drop zone inside (the import dialog's own) took the file already.
        if (event.defaultPrevented) return;
        event.preventDefault();
        const file = event.dataTransfer.files[0];
        if (file) onFile(file);
      },
    },
  };
}
