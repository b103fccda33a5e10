import { parseRunFilters } from "./run-filters";
import { RunsPage } from "./runs-page";

export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  return <RunsPage initialFilters={parseRunFilters(await searchParams)} />;
}
