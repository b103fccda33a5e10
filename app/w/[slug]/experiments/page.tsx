import { ExperimentsPage } from "./experiments-page";

export default function Page() {
  return <ExperimentsPage />;
}
