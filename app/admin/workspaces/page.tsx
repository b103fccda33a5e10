import { WorkspaceList } from "./workspace-list";

export default function AdminWorkspacesPage() {
  return <WorkspaceList />;
}
