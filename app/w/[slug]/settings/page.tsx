import { WorkspaceSettings } from "./workspace-settings";

export default function SettingsPage() {
  return <WorkspaceSettings />;
}
