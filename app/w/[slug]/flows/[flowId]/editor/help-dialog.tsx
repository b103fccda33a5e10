"use client";

import { Dialog } from "./dialog";

export const SHORTCUTS: [string, string][] = [
  ["Ctrl/⌘ + Z", "Undo"],
  ["Ctrl/⌘ + Shift + Z, Ctrl + Y", "Redo"],
  ["Ctrl/⌘ + C / X / V", "Copy, cut, paste the selection (as flow JSON)"],
  ["Ctrl/⌘ + D", "Duplicate the selection"],
  ["Ctrl/⌘ + A", "Select everything"],
  ["Delete, Backspace", "Delete the selection"],
  ["Shift + drag", "Select with a box"],
  ["Ctrl/⌘ + click", "Add to or take from the selection"],
  ["Enter (on a node)", "Open the node's settings"],
  ["Ctrl/⌘ + Enter", "Run the flow"],
  ["Ctrl/⌘ + S", "Save the draft now"],
  ["Shift + L", "Tidy up (auto-layout)"],
  ["Shift + N", "Add a sticky note"],
  ["Shift + 1", "Zoom to fit"],
  ["Escape", "Close the panel, clear the selection"],
  ["?", "This list"],
];

export function HelpDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  return (
    <Dialog open={open} title="Keyboard shortcuts" onClose={onClose}>
      <table className="w-full text-sm">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys} className="border-t border-slate-100 dark:border-slate-800">
              <th scope="row" className="py-1.5 pr-4 text-left font-mono text-xs font-normal whitespace-nowrap">
                {keys}
              </th>
              <td className="py-1.5">{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
