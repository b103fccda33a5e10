"use client";

import { javascript } from "@codemirror/lang-javascript";
import { json } from "@codemirror/lang-json";
import { RangeSetBuilder, type Extension } from "@codemirror/state";
import { Decoration, EditorView, ViewPlugin, type DecorationSet, type ViewUpdate } from "@codemirror/view";
import CodeMirror from "@uiw/react-codemirror";
import { useMemo } from "react";
import { expressionSegments } from "./schema-form";
import { useDarkMode } from "./use-dark-mode";

const expressionMark = Decoration.mark({ class: "cm-sw-expression" });

function expressionMarks(view: EditorView): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  for (const { from, to } of view.visibleRanges) {
    let at = from;
    for (const segment of expressionSegments(view.state.doc.sliceString(from, to))) {
      if (segment.expression) builder.add(at, at + segment.text.length, expressionMark);
      at += segment.text.length;
    }
  }
  return builder.finish();
}

/** Marks every `{{ … }}` so expressions stand out from the text around them. */
const highlightExpressions = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = expressionMarks(view);
    }
    update(update: ViewUpdate) {
      if (update.docChanged || update.viewportChanged) this.decorations = expressionMarks(update.view);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

const expressionTheme = EditorView.baseTheme({
  ".cm-sw-expression": { borderRadius: "3px", fontWeight: "600" },
  "&light .cm-sw-expression": { backgroundColor: "#e0e7ff", color: "#3730a3" },
  "&dark .cm-sw-expression": { backgroundColor: "#312e81", color: "#e0e7ff" },
  "&": { fontSize: "13px" },
  "&.cm-focused": { outline: "2px solid #6366f1", outlineOffset: "1px" },
});

export type CodeLanguage = "javascript" | "json" | "text";

/**
 * CodeMirror 6 for code, JSON and expressions, bundled with the app. The editable area carries the field's label
 * (aria-labelledby) and description; Escape then Tab leaves an editor that indents with Tab.
 */
export function CodeEditor({
  value,
  onChange,
  language,
  labelledBy,
  describedBy,
  invalid,
  readOnly,
  minHeight = "2.25rem",
  maxHeight = "24rem",
  lineNumbers = false,
  placeholder,
}: {
  value: string;
  onChange(value: string): void;
  language: CodeLanguage;
  labelledBy: string;
  describedBy?: string;
  invalid?: boolean;
  readOnly: boolean;
  minHeight?: string;
  maxHeight?: string;
  lineNumbers?: boolean;
  placeholder?: string;
}) {
  const dark = useDarkMode();
  const extensions = useMemo(() => {
    const list: Extension[] = [
      highlightExpressions,
      expressionTheme,
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({
        "aria-labelledby": labelledBy,
        ...(describedBy ? { "aria-describedby": describedBy } : {}),
        ...(invalid ? { "aria-invalid": "true" } : {}),
        "aria-multiline": "true",
      }),
    ];
    if (language === "javascript") list.push(javascript());
    if (language === "json") list.push(json());
    return list;
  }, [labelledBy, describedBy, invalid, language]);
  return (
    <div
      className={`overflow-hidden rounded-md border ${invalid ? "border-red-500" : "border-slate-300 dark:border-slate-700"} ${readOnly ? "opacity-80" : ""}`}
    >
      <CodeMirror
        value={value}
        onChange={onChange}
        extensions={extensions}
        theme={dark ? "dark" : "light"}
        editable={!readOnly}
        readOnly={readOnly}
        indentWithTab={language === "javascript"}
        placeholder={placeholder}
        minHeight={minHeight}
        maxHeight={maxHeight}
        basicSetup={{
          lineNumbers,
          foldGutter: lineNumbers,
          highlightActiveLine: lineNumbers,
          highlightActiveLineGutter: lineNumbers,
          autocompletion: language === "javascript",
        }}
      />
    </div>
  );
}
