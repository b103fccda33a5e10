/** The look of the editor's toolbar and panel buttons. */
export const toolButton =
  "shrink-0 whitespace-nowrap rounded-md px-2 py-1 text-sm text-slate-700 hover:bg-slate-100 disabled:opacity-40 disabled:hover:bg-transparent aria-pressed:bg-indigo-50 aria-pressed:text-indigo-700 dark:text-slate-200 dark:hover:bg-slate-800 dark:aria-pressed:bg-indigo-950 dark:aria-pressed:text-indigo-200";
