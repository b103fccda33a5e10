"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ErrorAlert } from "@/app/_components/error-alert";
import { useTRPC } from "@/app/_components/trpc-provider";
import { useHydrated } from "@/app/_components/use-hydrated";
import { badgeClass as badge, formatDate, Pager, SearchForm, secondaryClass } from "../list-controls";

const PAGE_SIZE = 25;

/** Workspaces' claims of email domains for their single sign-on, which an administrator vouches for or turns down. */
export function DomainClaimList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const claims = useQuery({ ...trpc.admin.domainClaims.queryOptions({ search, page, pageSize: PAGE_SIZE }), placeholderData: keepPreviousData });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.domainClaims.queryKey() });
  const verify = useMutation(trpc.admin.domainVerify.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.admin.domainRevoke.mutationOptions({ onSuccess: refresh }));
  const reject = useMutation(trpc.admin.domainReject.mutationOptions({ onSuccess: refresh }));
  const error = verify.error ?? revoke.error ?? reject.error ?? claims.error;
  const busy = !hydrated || verify.isPending || revoke.isPending || reject.isPending;

  return (
    <div className="space-y-6">
      <div className="space-y-2">
        <h1 className="text-2xl font-semibold">Domain claims</h1>
        <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-400">
          Any workspace admin can claim an email domain for their workspace&apos;s single sign-on. Verify a claim only when you know the
          domain belongs to that organisation: a verified domain&apos;s sign-in joins existing accounts with its addresses, and its
          &ldquo;Require SSO&rdquo; closes every other way in for them. Until then the workspace&apos;s sign-in reaches only accounts it created itself.
        </p>
        {claims.data && claims.data.pending > 0 && (
          <p className="text-sm font-medium text-amber-800 dark:text-amber-300">
            {claims.data.pending} {claims.data.pending === 1 ? "claim is" : "claims are"} waiting for verification.
          </p>
        )}
      </div>
      <SearchForm
        label="Find claims"
        placeholder="domain or workspace"
        onSearch={(text) => {
          setSearch(text);
          setPage(1);
        }}
      />
      {error && <ErrorAlert>{error.message}</ErrorAlert>}
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full text-sm max-md:block">
          <caption className="sr-only">Domain claims, those waiting for verification first</caption>
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 max-md:hidden dark:bg-slate-800/50">
            <tr>
              <th className="px-4 py-2 font-medium">Domain</th>
              <th className="px-4 py-2 font-medium">Workspace</th>
              <th className="px-4 py-2 font-medium">Protocol</th>
              <th className="px-4 py-2 font-medium">Claimed</th>
              <th className="px-4 py-2 font-medium">State</th>
              <th className="px-4 py-2">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 max-md:block dark:divide-slate-800">
            {claims.data?.claims.map((claim) => {
              const ref = { domain: claim.domain, connectionId: claim.connectionId };
              return (
                <tr key={claim.domain} className="align-top max-md:block max-md:py-2">
                  <th scope="row" className="px-4 py-2 text-left font-mono font-medium [overflow-wrap:anywhere] max-md:block max-md:py-1">
                    {claim.domain}
                  </th>
                  <td className="px-4 py-2 max-md:block max-md:py-0.5">
                    <Link prefetch={false} href={`/admin/workspaces/${claim.workspace.id}`} className="text-indigo-700 hover:underline dark:text-indigo-300">
                      {claim.workspace.name}
                    </Link>
                    {!claim.enabled && <span className="ml-1 text-xs text-slate-500">sign-in turned off</span>}
                    {claim.requireSso && <span className="ml-1 text-xs text-slate-500">requires SSO</span>}
                  </td>
                  <td className="px-4 py-2 uppercase text-slate-600 max-md:inline-block max-md:py-0.5 max-md:pr-0 dark:text-slate-400">{claim.protocol}</td>
                  <td className="whitespace-nowrap px-4 py-2 text-slate-600 max-md:inline-block max-md:py-0.5 max-md:pl-1 dark:text-slate-400">
                    <span className="md:hidden">· claimed </span>
                    {formatDate(claim.createdAt)}
                  </td>
                  <td className="px-4 py-2 max-md:block max-md:py-1">
                    {claim.verifiedAt ? (
                      <>
                        <span className={`${badge} bg-emerald-100 text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-200`}>Verified</span>
                        <div className="mt-1 text-xs text-slate-500">
                          {formatDate(claim.verifiedAt)}
                          {claim.verifiedBy && ` by ${claim.verifiedBy}`}
                        </div>
                      </>
                    ) : (
                      <span className={`${badge} bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-200`}>Pending</span>
                    )}
                  </td>
                  <td className="px-4 py-2 max-md:block max-md:py-1">
                    <div className="flex flex-wrap justify-end gap-1 max-md:justify-start">
                      {claim.verifiedAt ? (
                        <button type="button" disabled={busy} aria-label={`Revoke the verification of ${claim.domain}`} onClick={() => revoke.mutate(ref)} className={secondaryClass}>
                          Revoke
                        </button>
                      ) : (
                        <>
                          <button
                            type="button"
                            disabled={busy}
                            aria-label={`Verify ${claim.domain} for ${claim.workspace.name}`}
                            onClick={() => verify.mutate(ref)}
                            className="whitespace-nowrap rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50"
                          >
                            Verify
                          </button>
                          <button
                            type="button"
                            disabled={busy}
                            aria-label={`Reject the claim of ${claim.domain}`}
                            onClick={() => reject.mutate(ref)}
                            className="whitespace-nowrap rounded-lg px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-50 dark:text-red-300 dark:hover:bg-red-950"
                          >
                            Reject
                          </button>
                        </>
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
            {claims.isSuccess && claims.data.claims.length === 0 && (
              <tr className="max-md:block">
                <td colSpan={6} className="px-4 py-6 text-center text-slate-500 max-md:block">
                  {search ? `No claim matches “${search}”.` : "No workspace has claimed an email domain yet."}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {claims.data && <Pager page={page} pageSize={PAGE_SIZE} total={claims.data.total} noun="claim" onPage={setPage} />}
    </div>
  );
}
