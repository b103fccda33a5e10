"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type ChangeEvent, type FormEvent } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { DEFAULT_ACCENT, MAX_LOGO_BYTES, textOnAccent, type Branding } from "@/nodes/_core/dashboard-share";
import { inputClass, primaryButton, secondaryButton } from "../credentials/form-controls";
import { useWorkspace } from "../workspace-context";

const LOGO_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/** How the workspace's shared dashboards look: display name, logo and accent colour; for those who manage the workspace. */
export function BrandingSettings() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const saved = useQuery(trpc.dashboardShare.branding.queryOptions({ workspaceId: workspace.id }));
  const [edited, setEdited] = useState<Branding | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const update = useMutation(
    trpc.dashboardShare.updateBranding.mutationOptions({
      onSuccess: (branding) => {
        queryClient.setQueryData(trpc.dashboardShare.branding.queryKey({ workspaceId: workspace.id }), branding);
        setEdited(null);
      },
    }),
  );
  const id = useId();
  const current = edited ?? saved.data ?? { name: null, logo: null, accent: null };
  const change = (patch: Partial<Branding>) => {
    update.reset();
    setEdited({ ...current, ...patch });
  };
  const accent = current.accent ?? DEFAULT_ACCENT;
  const validAccent = /^#[0-9a-fA-F]{6}$/.test(accent);

  function upload(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    if (!LOGO_TYPES.includes(file.type)) return setProblem("Choose a PNG, JPEG, GIF or WebP image for the logo.");
    if (file.size > MAX_LOGO_BYTES) return setProblem(`The logo is ${Math.ceil(file.size / 1024)} KB; choose one under ${MAX_LOGO_BYTES / 1024} KB, or link to it.`);
    setProblem(null);
    const reader = new FileReader();
    reader.onload = () => change({ logo: String(reader.result) });
    reader.onerror = () => setProblem("The image could not be read; try another file.");
    reader.readAsDataURL(file);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ workspaceId: workspace.id, branding: { name: current.name?.trim() || null, logo: current.logo || null, accent: current.accent || null } });
  }

  return (
    <section aria-labelledby={`${id}-title`} className="space-y-4">
      <div>
        <h2 id={`${id}-title`} className="text-lg font-semibold">
          Shared dashboards
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">How dashboards shared by link look to the people who open them.</p>
      </div>
      {saved.error && <ErrorAlert>{saved.error.message}</ErrorAlert>}
      <form onSubmit={submit} className="space-y-4">
        <label className="block space-y-1 text-sm font-medium">
          <span>Display name</span>
          <input value={current.name ?? ""} onChange={(e) => change({ name: e.target.value })} maxLength={80} placeholder={workspace.name} className={inputClass} />
        </label>
        <div className="space-y-1 text-sm font-medium">
          <label htmlFor={`${id}-logo`} className="block">
            Logo
          </label>
          <div className="flex flex-wrap gap-2">
            <input
              id={`${id}-logo`}
              value={current.logo?.startsWith("data:") ? "" : (current.logo ?? "")}
              onChange={(e) => change({ logo: e.target.value })}
              placeholder={current.logo?.startsWith("data:") ? "Uploaded image" : "https://example.com/logo.png"}
              maxLength={2000}
              aria-describedby={`${id}-logo-help`}
              className={`${inputClass} min-w-0 flex-1`}
            />
            <label className={`${secondaryButton} cursor-pointer`}>
              Upload…
              <input type="file" accept={LOGO_TYPES.join(",")} onChange={upload} className="sr-only" />
            </label>
            {current.logo && (
              <button type="button" onClick={() => change({ logo: null })} className={secondaryButton}>
                Remove
              </button>
            )}
          </div>
          <p id={`${id}-logo-help`} className="text-xs font-normal text-slate-500 dark:text-slate-400">
            An https address of an image, or a PNG, JPEG, GIF or WebP file under {MAX_LOGO_BYTES / 1024} KB.
          </p>
        </div>
        <div className="space-y-1 text-sm font-medium">
          <label htmlFor={`${id}-accent`} className="block">
            Accent colour
          </label>
          <div className="flex items-center gap-2">
            <input type="color" aria-label="Colour picker" value={validAccent ? accent.toLowerCase() : DEFAULT_ACCENT} onChange={(e) => change({ accent: e.target.value })} className="h-9 w-12 cursor-pointer rounded border border-slate-300 bg-white dark:border-slate-700 dark:bg-slate-950" />
            <input id={`${id}-accent`} value={current.accent ?? ""} onChange={(e) => change({ accent: e.target.value })} placeholder={DEFAULT_ACCENT} maxLength={7} className={`${inputClass} max-w-32 font-mono`} />
            {current.accent && (
              <button type="button" onClick={() => change({ accent: null })} className={secondaryButton}>
                Default
              </button>
            )}
          </div>
        </div>
        <div aria-label="Preview" className="overflow-hidden rounded-lg border border-slate-200 dark:border-slate-800">
          <div className="flex items-center gap-3 border-t-4 bg-white px-3 py-2 dark:bg-slate-900" style={{ borderTopColor: validAccent ? accent : DEFAULT_ACCENT }}>
            {current.logo && (
              // A preview of the workspace's own logo, as the shared page shows it.
              // eslint-disable-next-line @next/next/no-img-element
              <img src={current.logo} alt="" referrerPolicy="no-referrer" className="h-7 w-auto max-w-28 object-contain" />
            )}
            <span className="min-w-0 flex-1 truncate text-sm font-medium">{current.name?.trim() || workspace.name}</span>
            <span className="rounded px-2 py-0.5 text-xs font-medium" style={{ background: validAccent ? accent : DEFAULT_ACCENT, color: textOnAccent(validAccent ? accent : DEFAULT_ACCENT) }}>
              1 h
            </span>
          </div>
        </div>
        {problem && <ErrorAlert>{problem}</ErrorAlert>}
        {update.error && <ErrorAlert>{update.error.message}</ErrorAlert>}
        <div className="flex items-center gap-3">
          <button type="submit" disabled={update.isPending || edited === null} className={primaryButton}>
            Save branding
          </button>
          {update.isSuccess && <span role="status" className="text-sm text-emerald-700 dark:text-emerald-400">Saved</span>}
        </div>
      </form>
    </section>
  );
}
