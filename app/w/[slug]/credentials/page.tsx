import { CredentialsPage } from "./credentials-page";

export default function Page() {
  return <CredentialsPage />;
}
