import { DashboardPage } from "./dashboard-page";

export default async function Page({ params }: { params: Promise<{ dashboardId: string }> }) {
  const { dashboardId } = await params;
  return <DashboardPage dashboardId={dashboardId} />;
}
