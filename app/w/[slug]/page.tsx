import { FlowList } from "./flow-list";

export default function WorkspaceHome() {
  return <FlowList />;
}
