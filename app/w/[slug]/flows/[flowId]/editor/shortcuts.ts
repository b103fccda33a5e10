/** The keyboard shortcuts of the editor, written with the modifier key of this computer: ⌘ on a Mac, Ctrl elsewhere. */
export function shortcuts(mac: boolean): [keys: string, what: string][] {
  const mod = mac ? "⌘" : "Ctrl";
  return [
    [`${mod} + Z`, "Undo"],
    [`${mod} + Shift + Z, ${mod} + Y`, "Redo"],
    [`${mod} + C / X / V`, "Copy, cut, paste the selection (as flow JSON)"],
    [`${mod} + D`, "Duplicate the selection"],
    [`${mod} + A`, "Select everything"],
    ["Delete, Backspace", "Delete the selection"],
    ["Shift + drag", "Select with a box"],
    [`${mod} + click`, "Add to or take from the selection"],
    ["Enter (on a node)", "Open the node's settings"],
    [`${mod} + Enter`, "Run the flow"],
    [`${mod} + S`, "Save the draft now"],
    ["Shift + L", "Tidy up (auto-layout)"],
    ["Shift + N", "Add a sticky note"],
    ["Shift + 1", "Zoom to fit"],
    ["Escape", "Close the panel, clear the selection"],
    ["?", "This list"],
  ];
}

/** Whether the browser runs on an Apple computer, where the Command key (⌘) is the modifier. */
export function isApplePlatform(platform: string): boolean {
  return /^(Mac|iPhone|iPad|iPod)|macOS/i.test(platform);
}
