import { ApiKeys } from "./api-keys";

export default function ApiKeysPage() {
  return <ApiKeys />;
}
