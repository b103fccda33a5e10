import { BrandCard } from "@/app/_components/brand-card";
import { SHARE_GONE_MESSAGE } from "./share-gone";

/** A share link that opens nothing: unknown, revoked and expired links read the same. */
export default function SharedDashboardNotFound() {
  return (
    <BrandCard>
      <h1 className="text-xl font-semibold">Shared dashboard not found</h1>
      <p role="alert" className="text-sm text-slate-700 dark:text-slate-300">
        {SHARE_GONE_MESSAGE}
      </p>
    </BrandCard>
  );
}
