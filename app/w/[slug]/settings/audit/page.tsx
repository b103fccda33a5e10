import { WorkspaceAuditLog } from "./workspace-audit-log";

export default function AuditPage() {
  return <WorkspaceAuditLog />;
}
