import { AuditLog } from "./audit-log";

export default function AuditPage() {
  return <AuditLog />;
}
