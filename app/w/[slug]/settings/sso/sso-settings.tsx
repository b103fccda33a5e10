"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useId, useState, useSyncExternalStore, type FormEvent, type ReactNode } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import type { AppRouter } from "@/server/routers/_app";
import { can, roles, type Role } from "@/server/services/workspace-roles";
import { useWorkspace } from "../../workspace-context";

type Connection = NonNullable<inferRouterOutputs<AppRouter>["sso"]["get"]>;

const input = "w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm aria-[invalid=true]:border-red-500 dark:border-slate-700 dark:bg-slate-950";
const primary = "rounded-lg bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-60";
const secondary = "rounded-lg border border-slate-300 px-3 py-2 text-sm font-medium hover:bg-slate-100 disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800";

/** The protocols a connection may speak, each with its own fields below. */
const protocols = [
  { value: "oidc", label: "OpenID Connect (OIDC)" },
  { value: "saml", label: "SAML 2.0" },
] as const;
type Protocol = (typeof protocols)[number]["value"];

const joinRoles = roles.filter((role): role is Exclude<Role, "owner"> => role !== "owner");

interface Form {
  protocol: Protocol;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where the SAML identity provider's metadata comes from: its URL, read by the server, or XML pasted here. */
  metadataSource: "url" | "xml";
  metadataUrl: string;
  metadataXml: string;
  domains: string;
  defaultRole: Exclude<Role, "owner">;
  jitProvisioning: boolean;
  requireSso: boolean;
  enabled: boolean;
}

function formOf(connection: Connection | null): Form {
  return {
    protocol: connection?.protocol ?? "oidc",
    issuer: connection?.oidc?.issuer ?? "",
    clientId: connection?.oidc?.clientId ?? "",
    clientSecret: "",
    metadataSource: connection?.saml && !connection.saml.metadataUrl ? "xml" : "url",
    metadataUrl: connection?.saml?.metadataUrl ?? "",
    metadataXml: "",
    domains: connection?.domains.join("\n") ?? "",
    defaultRole: (connection?.defaultRole as Exclude<Role, "owner"> | undefined) ?? "editor",
    jitProvisioning: connection?.jitProvisioning ?? true,
    requireSso: connection?.requireSso ?? false,
    enabled: connection?.enabled ?? true,
  };
}

type FieldErrors = Partial<Record<keyof Form | "form", string>>;

/** A save's refusal, put on the field it is about: the service names it in `details.field`, zod in an issue's path. */
function fieldErrors(error: { message: string; data?: { details?: unknown; issues?: { path: PropertyKey[]; message: string }[] } | null } | null): FieldErrors {
  if (!error) return {};
  const field = (error.data?.details as { field?: string } | undefined)?.field;
  if (field) return { [field]: error.message };
  const issues = error.data?.issues ?? [];
  if (issues.length === 0) return { form: error.message };
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = String(issue.path.at(issue.path[0] === "settings" ? 1 : 0) ?? "form") as keyof FieldErrors;
    out[key] ??= issue.message;
  }
  return out;
}

function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: ReactNode; error?: string; children: ReactNode }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      {children}
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
    </div>
  );
}

/** Whether an instance administrator has vouched for each saved domain, and what waiting means for the people of one. */
function ClaimStates({ claims }: { claims: Connection["claims"] }) {
  const pending = claims.filter((claim) => !claim.verifiedAt);
  return (
    <section aria-labelledby="sso-claims-heading" className="space-y-2 rounded-lg border border-slate-200 p-3 dark:border-slate-800">
      <h3 id="sso-claims-heading" className="text-sm font-medium">
        Domain verification
      </h3>
      <ul className="space-y-1 text-sm">
        {claims.map((claim) => (
          <li key={claim.domain} className="flex flex-wrap items-center gap-x-2 gap-y-0.5">
            <span className="font-mono [overflow-wrap:anywhere]">{claim.domain}</span>
            {claim.verifiedAt ? (
              <span className="rounded bg-emerald-100 px-1.5 py-0.5 text-xs font-medium text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-200">verified</span>
            ) : (
              <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-900/40 dark:text-amber-200">
                waiting for an instance administrator to verify it
              </span>
            )}
          </li>
        ))}
      </ul>
      {pending.length > 0 && (
        <p className="text-xs text-slate-600 dark:text-slate-400">
          Until a domain is verified, single sign-on signs nobody of it in, and &ldquo;Require single sign-on&rdquo; does not apply
          to it. Ask an administrator of this Streamware instance to verify it under Admin → Domain claims.
        </p>
      )}
    </section>
  );
}

function Check({ id, label, hint, checked, onChange, error }: { id: string; label: string; hint: string; checked: boolean; onChange: (value: boolean) => void; error?: string }) {
  return (
    <div className="flex gap-3">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
        aria-invalid={error ? true : undefined}
        className="mt-1 size-4 shrink-0 accent-indigo-600"
      />
      <div>
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        <p id={`${id}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
        {error && (
          <p id={`${id}-error`} className="text-sm text-red-700 dark:text-red-300">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}

const noSubscribe = () => () => {};

/** The address to register at the provider, with a copy button. */
function RedirectUri({ connection, publicOrigin }: { connection: Connection; publicOrigin: string | null }) {
  const [copied, setCopied] = useState(false);
  const origin = useSyncExternalStore(noSubscribe, () => publicOrigin ?? window.location.origin, () => publicOrigin ?? "");
  if (connection.route.protocol !== "oidc") return null;
  const uri = `${origin}/api/auth/callback/${connection.route.providerId}`;
  return (
    <div className="space-y-1 rounded-lg border border-slate-200 bg-slate-50 p-3 dark:border-slate-800 dark:bg-slate-900">
      <label htmlFor="sso-redirect-uri" className="block text-sm font-medium">
        Redirect URI
      </label>
      <p className="text-xs text-slate-500 dark:text-slate-400">Register this address as the client&apos;s redirect (callback) URI at your identity provider.</p>
      <div className="flex gap-2">
        <textarea id="sso-redirect-uri" readOnly rows={3} value={uri} onFocus={(e) => e.target.select()} className={`min-w-0 flex-1 resize-none break-all font-mono text-xs field-sizing-content ${input}`} />
        <button type="button" onClick={() => void navigator.clipboard.writeText(uri).then(() => setCopied(true))} className={secondary}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}

function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-xs font-medium text-slate-600 dark:text-slate-400">
        {label}
      </label>
      <div className="flex gap-2">
        {/* A textarea that grows to its text, so a phone shows the whole address, as the redirect URI does. */}
        <textarea id={id} readOnly rows={2} value={value} onFocus={(e) => e.target.select()} className={`min-w-0 flex-1 resize-none break-all font-mono text-xs field-sizing-content ${input}`} />
        <button type="button" aria-label={`Copy the ${label}`} onClick={() => void navigator.clipboard.writeText(value).then(() => setCopied(true))} className={secondary}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}

/**
 * What to register at a SAML identity provider: our entity id and ACS address, or our metadata to import. The paths
 * are the SAML routes' own (app/api/sso/saml/<connection>/…); the entity id is the metadata's address.
 */
function SamlServiceProvider({ connection, publicOrigin }: { connection: Connection; publicOrigin: string | null }) {
  const origin = useSyncExternalStore(noSubscribe, () => publicOrigin ?? window.location.origin, () => publicOrigin ?? "");
  if (connection.route.protocol !== "saml") return null;
  const base = `${origin}/api/sso/saml/${encodeURIComponent(connection.id)}`;
  return (
    <section aria-label="Service provider details" className="space-y-3 rounded-lg border border-slate-200 bg-slate-50 p-3 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-sm font-medium">Register Streamware at your identity provider</h2>
        <a href={`${base}/metadata`} download className="text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400">
          Download SP metadata
        </a>
      </div>
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Import the metadata, or enter these two values. Assertions must be signed, and the email address sent as an attribute (email or mail) or as the NameID.
      </p>
      <CopyField id="sso-saml-entity-id" label="SP entity ID (audience)" value={`${base}/metadata`} />
      <CopyField id="sso-saml-acs-url" label="ACS URL (HTTP-POST)" value={`${base}/acs`} />
    </section>
  );
}

export function SsoSettings({ publicOrigin }: { publicOrigin: string | null }) {
  const workspace = useWorkspace();
  if (!can({ role: workspace.role, permission: "sso.manage" })) {
    return <p className="text-sm text-slate-600 dark:text-slate-400">Only the workspace&apos;s admins and owners can configure single sign-on.</p>;
  }
  return <SsoForm publicOrigin={publicOrigin} />;
}

function SsoForm({ publicOrigin }: { publicOrigin: string | null }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const current = useQuery(trpc.sso.get.queryOptions({ workspaceId: workspace.id }));
  const [saved, setSaved] = useState(false);
  if (current.error) return <ErrorAlert>{current.error.message}</ErrorAlert>;
  if (current.data === undefined) return <p className="text-sm text-slate-500">Loading…</p>;
  const connection = current.data;
  // A save or removal replaces the stored connection, and the form starts again from it.
  return <SsoEditor key={connection ? String(connection.updatedAt) : "none"} connection={connection} publicOrigin={publicOrigin} saved={saved} onSaved={setSaved} />;
}

function SsoEditor({ connection, publicOrigin, saved, onSaved }: { connection: Connection | null; publicOrigin: string | null; saved: boolean; onSaved: (saved: boolean) => void }) {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const id = useId();
  const [form, setForm] = useState<Form>(() => formOf(connection));
  const store = (next: Connection | null) => queryClient.setQueryData(trpc.sso.get.queryKey({ workspaceId: workspace.id }), next);
  const save = useMutation(
    trpc.sso.save.mutationOptions({
      onSuccess: (next) => {
        onSaved(true);
        store(next);
      },
    }),
  );
  const remove = useMutation(
    trpc.sso.delete.mutationOptions({
      onSuccess: () => {
        onSaved(false);
        store(null);
      },
    }),
  );

  const errors = fieldErrors(save.error);
  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    onSaved(false);
    setForm({ ...form, [key]: value });
  };
  const described = (field: keyof Form, hint = false) => {
    const ids = [hint ? `${id}-${field}-hint` : null, errors[field] ? `${id}-${field}-error` : null].filter(Boolean);
    return { "aria-describedby": ids.length ? ids.join(" ") : undefined, "aria-invalid": errors[field] ? true : undefined };
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    const shared = {
      domains: form.domains.split(/[\s,;]+/).filter(Boolean),
      defaultRole: form.defaultRole,
      jitProvisioning: form.jitProvisioning,
      requireSso: form.requireSso,
      enabled: form.enabled,
    };
    save.mutate({
      workspaceId: workspace.id,
      settings:
        form.protocol === "saml"
          ? { protocol: "saml", ...(form.metadataSource === "url" ? { metadataUrl: form.metadataUrl || undefined } : { metadataXml: form.metadataXml || undefined }), ...shared }
          : { protocol: "oidc", issuer: form.issuer, clientId: form.clientId, clientSecret: form.clientSecret || undefined, ...shared },
    });
  }

  return (
    <div className="max-w-2xl space-y-6">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold">Single sign-on</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          People whose email domain this workspace claims sign in through your identity provider with &ldquo;Continue with SSO&rdquo;. A domain can belong to one workspace on this
          instance.
        </p>
      </div>
      {connection ? (
        <>
          <RedirectUri connection={connection} publicOrigin={publicOrigin} />
          <SamlServiceProvider connection={connection} publicOrigin={publicOrigin} />
        </>
      ) : (
        <p className="rounded-lg border border-slate-200 bg-slate-50 p-3 text-sm text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400">
          {form.protocol === "saml"
            ? "Once saved, this page shows the entity ID and ACS URL to register at your identity provider, and our SP metadata to download."
            : "Once saved, this page shows the redirect URI to register for the client at your identity provider."}
        </p>
      )}
      <form onSubmit={submit} noValidate className="space-y-5">
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium">Protocol</legend>
          <div className="flex flex-wrap gap-4">
            {protocols.map((p) => (
              <label key={p.value} className="flex items-center gap-2 text-sm">
                <input type="radio" name="protocol" value={p.value} checked={form.protocol === p.value} onChange={() => set("protocol", p.value)} className="accent-indigo-600" />
                {p.label}
              </label>
            ))}
          </div>
        </fieldset>

        {form.protocol === "oidc" && (
          <section aria-label="OpenID Connect" className="space-y-4">
            <Field id={`${id}-issuer`} label="Issuer URL" hint="The provider's issuer; its /.well-known/openid-configuration is read when you save." error={errors.issuer}>
              <input
                id={`${id}-issuer`}
                type="url"
                value={form.issuer}
                onChange={(e) => set("issuer", e.target.value)}
                placeholder="https://login.example.com/realms/acme"
                autoComplete="off"
                className={input}
                {...described("issuer", true)}
              />
            </Field>
            <Field id={`${id}-clientId`} label="Client ID" error={errors.clientId}>
              <input id={`${id}-clientId`} value={form.clientId} onChange={(e) => set("clientId", e.target.value)} autoComplete="off" className={input} {...described("clientId")} />
            </Field>
            <Field
              id={`${id}-clientSecret`}
              label="Client secret"
              hint={connection?.oidc?.clientSecretSet ? "A secret is stored. Leave this blank to keep it, or enter a new one to replace it." : "Stored encrypted; it is never shown again."}
              error={errors.clientSecret}
            >
              <input
                id={`${id}-clientSecret`}
                type="password"
                value={form.clientSecret}
                onChange={(e) => set("clientSecret", e.target.value)}
                placeholder={connection?.oidc?.clientSecretSet ? "•••••••• (stored)" : ""}
                autoComplete="new-password"
                className={input}
                {...described("clientSecret", true)}
              />
            </Field>
          </section>
        )}

        {form.protocol === "saml" && (
          <section aria-label="SAML 2.0" className="space-y-4">
            {connection?.saml?.idpEntityId && (
              <p className="text-sm text-slate-600 dark:text-slate-400">
                Signing in through <span className="font-mono text-xs break-all">{connection.saml.idpEntityId}</span> with {connection.saml.certificateCount} signing certificate
                {connection.saml.certificateCount === 1 ? "" : "s"}.
              </p>
            )}
            <fieldset className="space-y-2">
              <legend className="text-sm font-medium">Identity provider metadata</legend>
              <div className="flex flex-wrap gap-4">
                <label className="flex items-center gap-2 text-sm">
                  <input type="radio" name="metadataSource" checked={form.metadataSource === "url"} onChange={() => set("metadataSource", "url")} className="accent-indigo-600" />
                  From a URL
                </label>
                <label className="flex items-center gap-2 text-sm">
                  <input type="radio" name="metadataSource" checked={form.metadataSource === "xml"} onChange={() => set("metadataSource", "xml")} className="accent-indigo-600" />
                  Paste XML
                </label>
              </div>
            </fieldset>
            {form.metadataSource === "url" ? (
              <Field
                id={`${id}-metadataUrl`}
                label="Metadata URL"
                hint="Read when you save, and again at every save, so a new signing certificate is picked up."
                error={errors.metadataUrl}
              >
                <input
                  id={`${id}-metadataUrl`}
                  type="url"
                  value={form.metadataUrl}
                  onChange={(e) => set("metadataUrl", e.target.value)}
                  placeholder="https://idp.example.com/app/streamware/sso/saml/metadata"
                  autoComplete="off"
                  className={input}
                  {...described("metadataUrl", true)}
                />
              </Field>
            ) : (
              <Field
                id={`${id}-metadataXml`}
                label="Metadata XML"
                hint={connection?.saml?.idpEntityId ? "Metadata is stored. Leave this blank to keep it, or paste new metadata to replace it." : "The identity provider's SAML 2.0 metadata, from <EntityDescriptor> to its end."}
                error={errors.metadataXml ?? errors.metadataUrl}
              >
                <textarea
                  id={`${id}-metadataXml`}
                  rows={6}
                  value={form.metadataXml}
                  onChange={(e) => set("metadataXml", e.target.value)}
                  spellCheck={false}
                  className={`${input} font-mono text-xs`}
                  {...described("metadataXml", true)}
                />
              </Field>
            )}
          </section>
        )}

        <Field id={`${id}-domains`} label="Email domains" hint="One per line, such as example.com. People with these addresses sign in here." error={errors.domains}>
          <textarea id={`${id}-domains`} rows={3} value={form.domains} onChange={(e) => set("domains", e.target.value)} className={`${input} font-mono`} {...described("domains", true)} />
        </Field>
        {connection && connection.claims.length > 0 && <ClaimStates claims={connection.claims} />}
        <Field id={`${id}-defaultRole`} label="Default role" hint="The role people get when they join by signing in." error={errors.defaultRole}>
          <select id={`${id}-defaultRole`} value={form.defaultRole} onChange={(e) => set("defaultRole", e.target.value as Form["defaultRole"])} className={input} {...described("defaultRole", true)}>
            {joinRoles.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </Field>
        <div className="space-y-3">
          <Check
            id={`${id}-jit`}
            label="Add people when they first sign in"
            hint="Off: only people who are already members (invited) can sign in through this connection."
            checked={form.jitProvisioning}
            onChange={(value) => set("jitProvisioning", value)}
            error={errors.jitProvisioning}
          />
          <Check
            id={`${id}-require`}
            label="Require single sign-on for these domains"
            hint="People with these email domains can then sign in only through this connection; other sign-ins are refused. It applies to verified domains only."
            checked={form.requireSso}
            onChange={(value) => set("requireSso", value)}
            error={errors.requireSso}
          />
          <Check
            id={`${id}-enabled`}
            label="Enabled"
            hint="Off keeps the settings but signs nobody in and lifts the requirement."
            checked={form.enabled}
            onChange={(value) => set("enabled", value)}
            error={errors.enabled}
          />
        </div>
        {errors.form && <ErrorAlert>{errors.form}</ErrorAlert>}
        {Object.keys(errors).length > 0 && !errors.form && (
          <ErrorAlert>Single sign-on was not saved: {Object.values(errors)[0]}</ErrorAlert>
        )}
        {saved && !save.isPending && (
          <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
            Saved.
          </p>
        )}
        <div className="flex flex-wrap gap-2">
          <button type="submit" disabled={!hydrated || save.isPending} className={primary}>
            {save.isPending ? "Checking the provider…" : "Save single sign-on"}
          </button>
          {connection && (
            <button
              type="button"
              disabled={!hydrated || remove.isPending}
              onClick={() => {
                if (window.confirm("Remove this workspace's single sign-on? Members keep their access and sign in another way.")) remove.mutate({ workspaceId: workspace.id });
              }}
              className={`${secondary} text-red-700 dark:text-red-300`}
            >
              Remove single sign-on
            </button>
          )}
        </div>
        {remove.error && <ErrorAlert>{remove.error.message}</ErrorAlert>}
      </form>
    </div>
  );
}
