import { AuditLog } from "@/app/_components/audit-log";

export default function InstanceAuditPage() {
  return (
    <AuditLog
      scope="instance"
      description={
        <>
          What happened to the instance as a whole: sign-ins and refused sign-ins, users created, disabled, promoted
          and deleted, and workspaces deleted. Each event is chained to the one before it, so an edited or deleted
          event is found by <code>npm run cli -- audit verify --instance</code>.
        </>
      }
    />
  );
}
