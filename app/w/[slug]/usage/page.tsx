import { UsagePage } from "./usage-page";

export default function Page() {
  return <UsagePage />;
}
