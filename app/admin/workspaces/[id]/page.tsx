import { WorkspaceDetail } from "./workspace-detail";

export default async function AdminWorkspacePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <WorkspaceDetail id={id} />;
}
