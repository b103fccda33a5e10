"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import { can, roles, type Role } from "@/server/services/workspace-roles";
import { useWorkspace } from "../workspace-context";

const input = "rounded-lg border border-slate-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-950";
const primary = "rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-60";
const small = "rounded-md px-2 py-1 hover:bg-slate-100 disabled:opacity-60 dark:hover:bg-slate-800";

interface Issued {
  email: string;
  link: string;
  mailed: boolean;
  mailError: string | null;
  expiresAt: Date;
}

/** The newest link made, shown once with a copy button: the server keeps only its hash. */
function IssuedLink({ issued }: { issued: Issued }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="space-y-2 rounded-lg border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950">
      <p>
        {issued.mailed ? `Mailed an invitation to ${issued.email}. ` : `Invitation for ${issued.email} ready. `}
        Send them this link; it works once, until {new Date(issued.expiresAt).toLocaleString()}, and is shown only now.
      </p>
      {issued.mailError && <p className="text-amber-800 dark:text-amber-300">{issued.mailError}</p>}
      <div className="flex gap-2">
        <input aria-label={`Invitation link for ${issued.email}`} readOnly value={issued.link} onFocus={(e) => e.target.select()} className={`min-w-0 flex-1 font-mono text-xs ${input}`} />
        <button
          type="button"
          onClick={() => void navigator.clipboard.writeText(issued.link).then(() => setCopied(true))}
          className="rounded-lg border border-slate-300 px-3 py-2 font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
        >
          {copied ? "Copied" : "Copy link"}
        </button>
      </div>
    </div>
  );
}

/** Invite by email with a role; pending invitations with resend and revoke. */
export function Invitations() {
  const workspace = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const [issued, setIssued] = useState<Issued | null>(null);
  const pending = useQuery(trpc.invitation.list.queryOptions({ workspaceId: workspace.id }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.invitation.list.queryKey() });
  const onIssued = async (result: Issued) => {
    setIssued(result);
    await refresh();
  };
  const invite = useMutation(trpc.invitation.create.mutationOptions({ onSuccess: onIssued }));
  const resend = useMutation(trpc.invitation.resend.mutationOptions({ onSuccess: onIssued }));
  const revoke = useMutation(trpc.invitation.revoke.mutationOptions({ onSuccess: refresh }));
  const offered = roles.filter((r) => r !== "owner" || can({ role: workspace.role, permission: "owner.manage" }));
  const error = invite.error ?? resend.error ?? revoke.error;

  function submit(event: FormEvent) {
    event.preventDefault();
    invite.mutate({ workspaceId: workspace.id, email, role, linkBase: window.location.origin }, { onSuccess: () => setEmail("") });
  }

  return (
    <div className="space-y-4">
      <form onSubmit={submit} className="space-y-2">
        <h2 className="text-sm font-semibold">Invite someone</h2>
        <div className="flex flex-wrap items-end gap-2">
          <div className="min-w-64 flex-1 space-y-1">
            <label htmlFor="invite-email" className="block text-sm">
              Email
            </label>
            <input id="invite-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} className={`w-full ${input}`} />
          </div>
          <div className="space-y-1">
            <label htmlFor="invite-role" className="block text-sm">
              Role
            </label>
            <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)} className={input}>
              {offered.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" disabled={!hydrated || invite.isPending} className={primary}>
            Invite
          </button>
        </div>
        <p className="text-xs text-slate-500">They join by opening the link and signing in with this address, whether or not they have signed in before.</p>
      </form>
      {error && <ErrorAlert>{error.data?.issues?.[0]?.message ?? error.message}</ErrorAlert>}
      {issued && <IssuedLink issued={issued} />}
      {pending.data && pending.data.length > 0 && (
        <section aria-labelledby="pending-title" className="space-y-2">
          <h2 id="pending-title" className="text-sm font-semibold">
            Pending invitations
          </h2>
          <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white text-sm dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
            {pending.data.map((invitation) => {
              const { expired } = invitation;
              return (
                <li key={invitation.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2">
                  <span className="font-medium">{invitation.email}</span>
                  <span className="text-slate-600 dark:text-slate-400">{invitation.role}</span>
                  <span className={`text-xs ${expired ? "text-red-600 dark:text-red-400" : "text-slate-500"}`}>
                    {expired ? "expired" : `until ${new Date(invitation.expiresAt).toLocaleDateString()}`}
                    {invitation.invitedBy && ` · by ${invitation.invitedBy}`}
                  </span>
                  <span className="ml-auto flex gap-1">
                    <button
                      type="button"
                      disabled={!hydrated || resend.isPending}
                      aria-label={`Resend the invitation to ${invitation.email}`}
                      onClick={() => resend.mutate({ workspaceId: workspace.id, invitationId: invitation.id, linkBase: window.location.origin })}
                      className={small}
                    >
                      Resend
                    </button>
                    <button
                      type="button"
                      disabled={!hydrated || revoke.isPending}
                      aria-label={`Revoke the invitation to ${invitation.email}`}
                      onClick={() => revoke.mutate({ workspaceId: workspace.id, invitationId: invitation.id })}
                      className={`${small} text-red-600 hover:bg-red-50 dark:hover:bg-red-950`}
                    >
                      Revoke
                    </button>
                  </span>
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </div>
  );
}
