import { CredentialsPage } from "./credentials-page";

export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { create, name } = await searchParams;
  // `?create=<type>&name=<name>`: the import dialog's link for a credential its flows need.
  return <CredentialsPage create={typeof create === "string" ? { type: create, name: typeof name === "string" ? name : "" } : undefined} />;
}
