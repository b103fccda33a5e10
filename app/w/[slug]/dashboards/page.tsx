import { DashboardList } from "./dashboard-list";

export default function Page() {
  return <DashboardList />;
}
