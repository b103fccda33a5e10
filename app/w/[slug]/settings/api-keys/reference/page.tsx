import { ApiReference } from "./api-reference";

export default function ApiReferencePage() {
  return <ApiReference />;
}
