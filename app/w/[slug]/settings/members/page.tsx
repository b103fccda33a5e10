import { Members } from "./members";

export default function MembersPage() {
  return <Members />;
}
