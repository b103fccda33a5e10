"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import type { NodeIconName } from "@/nodes/_core/node-icons";
import { TEMPLATE_CATEGORIES, templates, type TemplateCategory, type TemplateCredential, type TemplateSummary } from "@/nodes/_core/templates";
import type { AppRouter } from "@/server/routers/_app";
import { NodeIcon } from "../flows/[flowId]/editor/node-icon";
import { canEdit, useWorkspace } from "../workspace-context";

type CatalogEntry = inferRouterOutputs<AppRouter>["nodeCatalog"]["list"][number];
type Created = inferRouterOutputs<AppRouter>["template"]["create"];

const credentialKey = (c: { type: string; name: string }) => `${c.type}\u0000${c.name}`;

/** "New from template": the gallery by category; using a template creates the flow through the import path and opens it. */
export function TemplateGallery() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const catalog = useQuery(trpc.nodeCatalog.list.queryOptions());
  const credentialTypes = useQuery(trpc.nodeCatalog.credentialTypes.queryOptions());
  const credentials = useQuery(trpc.credential.list.queryOptions({ workspaceId: workspace.id }));
  const [category, setCategory] = useState<TemplateCategory | "">("");
  const [created, setCreated] = useState<{ template: TemplateSummary; result: Created } | null>(null);

  const nodeTypes = new Map((catalog.data ?? []).map((entry) => [entry.type, entry]));
  const typeNames = new Map((credentialTypes.data ?? []).map((entry) => [entry.type, entry.name]));
  const present = credentials.data ? new Set(credentials.data.map(credentialKey)) : null;
  const shown = TEMPLATE_CATEGORIES.filter((c) => !category || c === category);

  return (
    <section>
      <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
        <div>
          <Link prefetch={false} href={`/w/${workspace.slug}`} className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
            ← Flows
          </Link>
          <h1 className="mt-1 text-2xl font-semibold">New from template</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">Ready-made flows built on Streamware&apos;s nodes. Each becomes a flow of your own, inactive until you activate it.</p>
        </div>
        <div role="group" aria-label="Category" className="flex flex-wrap gap-2">
          {(["", ...TEMPLATE_CATEGORIES] as const).map((c) => (
            <button
              key={c || "all"}
              type="button"
              aria-pressed={category === c}
              onClick={() => setCategory(c)}
              className="rounded-full border border-slate-300 px-3 py-1 text-sm aria-pressed:border-indigo-600 aria-pressed:bg-indigo-600 aria-pressed:text-white dark:border-slate-700 dark:aria-pressed:border-indigo-500 dark:aria-pressed:bg-indigo-500"
            >
              {c || "All"}
            </button>
          ))}
        </div>
      </div>
      {!canEdit(workspace) && <p className="mb-4 text-sm text-slate-500">You are a viewer here: you can look at templates but not create flows from them.</p>}
      {credentials.error && <ErrorAlert>Could not load the workspace&apos;s credentials: {credentials.error.message}</ErrorAlert>}
      {created && <CreatedNotice {...created} typeNames={typeNames} onDismiss={() => setCreated(null)} />}
      {shown.map((c) => {
        const inCategory = templates.filter((t) => t.category === c);
        return (
          <section key={c} aria-labelledby={`category-${c}`} className="mb-8">
            <h2 id={`category-${c}`} className="mb-3 text-lg font-semibold">
              {c}
            </h2>
            <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
              {inCategory.map((template) => (
                <TemplateCard key={template.id} template={template} nodeTypes={nodeTypes} typeNames={typeNames} present={present} onCreated={(result) => setCreated({ template, result })} />
              ))}
            </ul>
          </section>
        );
      })}
    </section>
  );
}

function TemplateCard({
  template,
  nodeTypes,
  typeNames,
  present,
  onCreated,
}: {
  template: TemplateSummary;
  nodeTypes: Map<string, CatalogEntry>;
  typeNames: Map<string, string>;
  present: Set<string> | null;
  onCreated: (result: Created) => void;
}) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const router = useRouter();
  const hydrated = useHydrated();
  const create = useMutation(trpc.template.create.mutationOptions());

  function use() {
    create.mutate(
      { workspaceId: workspace.id, templateId: template.id },
      {
        onSuccess: (result) => {
          if (result.missingCredentials.length === 0) router.push(`/w/${workspace.slug}/flows/${result.flowId}`);
          else onCreated(result);
        },
      },
    );
  }

  return (
    <li aria-label={template.name} className="flex flex-col rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h3 className="font-semibold">{template.name}</h3>
      <p className="mt-1 flex-1 text-sm text-slate-600 dark:text-slate-400">{template.description}</p>
      <div className="mt-3 flex flex-wrap items-center gap-1.5" aria-label={`${template.nodeCount} nodes`}>
        {template.nodeTypes.map((type) => {
          const entry = nodeTypes.get(type);
          return (
            <span key={type} title={entry?.name ?? type} className="rounded-md bg-slate-100 p-1.5 text-slate-700 dark:bg-slate-800 dark:text-slate-200">
              <NodeIcon name={entry?.icon as NodeIconName | undefined} />
              <span className="sr-only">{entry?.name ?? type}</span>
            </span>
          );
        })}
        <span className="ml-1 text-xs text-slate-500 dark:text-slate-400">{template.nodeCount} nodes</span>
      </div>
      <div className="mt-3 text-sm">
        {template.credentials.length === 0 ? (
          <p className="text-slate-500 dark:text-slate-400">Needs no credentials</p>
        ) : (
          <ul aria-label="Credentials it needs" className="space-y-1">
            {template.credentials.map((c) => (
              <CredentialLine key={credentialKey(c)} credential={c} typeName={typeNames.get(c.type)} connected={present ? present.has(credentialKey(c)) : null} />
            ))}
          </ul>
        )}
      </div>
      {create.error && <p className="mt-2 text-sm text-red-700 dark:text-red-400">{create.error.message}</p>}
      {canEdit(workspace) && (
        <button
          type="button"
          aria-label={`Use template: ${template.name}`}
          disabled={!hydrated || create.isPending}
          onClick={use}
          className="mt-4 self-start rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-60"
        >
          {create.isPending ? "Creating…" : "Use template"}
        </button>
      )}
    </li>
  );
}

function CredentialLine({ credential, typeName, connected }: { credential: TemplateCredential; typeName: string | undefined; connected: boolean | null }) {
  return (
    <li className="flex flex-wrap items-center gap-2">
      <span>
        {credential.name} <span className="text-slate-500 dark:text-slate-400">({typeName ?? credential.type})</span>
      </span>
      {connected !== null && (
        <span
          className={
            connected
              ? "rounded-full bg-emerald-100 px-2 text-xs text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
              : "rounded-full bg-amber-100 px-2 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-200"
          }
        >
          {connected ? "in this workspace" : "to create"}
        </span>
      )}
    </li>
  );
}

/** A flow made from a template whose credentials are not all there yet: which to create, before it can run. */
function CreatedNotice({ template, result, typeNames, onDismiss }: { template: TemplateSummary; result: Created; typeNames: Map<string, string>; onDismiss: () => void }) {
  const workspace = useWorkspace();
  const notice = useRef<HTMLDivElement>(null);
  // The card used may be far down the page; the notice is at its top.
  useEffect(() => {
    notice.current?.scrollIntoView({ block: "nearest" });
  }, [result.flowId]);
  return (
    <div ref={notice} role="status" className="mb-6 rounded-xl border border-amber-300 bg-amber-50 p-4 text-sm dark:border-amber-800 dark:bg-amber-950/40">
      <h2 className="font-semibold">“{template.name}” was created</h2>
      <p className="mt-1">It refers to credentials this workspace does not have yet; create them under these names before it runs:</p>
      <ul className="mt-2 list-disc pl-5">
        {result.missingCredentials.map((c) => (
          <li key={credentialKey(c)}>
            {c.name} ({typeNames.get(c.type) ?? c.type})
          </li>
        ))}
      </ul>
      <div className="mt-3 flex flex-wrap gap-3">
        <Link prefetch={false} href={`/w/${workspace.slug}/flows/${result.flowId}`} className="rounded-lg bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-500">
          Open the flow
        </Link>
        <Link prefetch={false} href={`/w/${workspace.slug}/credentials`} className="rounded-lg border border-slate-300 px-3 py-1.5 font-medium hover:bg-white dark:border-slate-700 dark:hover:bg-slate-900">
          Create credentials
        </Link>
        <button type="button" onClick={onDismiss} className="px-2 text-slate-600 hover:underline dark:text-slate-300">
          Dismiss
        </button>
      </div>
    </div>
  );
}
