import { DomainClaimList } from "./domain-claim-list";

export default function AdminDomainClaimsPage() {
  return <DomainClaimList />;
}
