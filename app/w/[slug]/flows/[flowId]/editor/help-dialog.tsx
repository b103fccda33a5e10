"use client";

import { useSyncExternalStore } from "react";
import { Modal } from "@/app/w/[slug]/credentials/form-controls";
import { isApplePlatform, shortcuts } from "./shortcuts";

const subscribe = () => () => {};
const platform = () => (navigator as Navigator & { userAgentData?: { platform: string } }).userAgentData?.platform || navigator.platform;

export function HelpDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const mac = useSyncExternalStore(subscribe, () => isApplePlatform(platform()), () => false);
  return (
    <Modal open={open} title="Keyboard shortcuts" onClose={onClose}>
      <table className="w-full text-sm">
        <tbody>
          {shortcuts(mac).map(([keys, what]) => (
            <tr key={keys} className="border-t border-slate-100 dark:border-slate-800">
              {/* The system font, which has the ⌘ glyph that monospace fonts often lack. */}
              <th scope="row" className="py-1.5 pr-4 text-left text-xs font-medium whitespace-nowrap text-slate-700 dark:text-slate-300">
                {keys}
              </th>
              <td className="py-1.5">{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
