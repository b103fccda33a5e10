import { UserList } from "./user-list";

export default function AdminUsersPage() {
  return <UserList />;
}
