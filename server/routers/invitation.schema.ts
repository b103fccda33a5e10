import { z } from "zod";
import { roles } from "../services/workspace-roles";

const workspaceId = z.string().min(1).max(64);
const invitationId = z.string().min(1).max(64);
/** The address the inviting admin is using; links use it unless the instance has a public URL (NEXTAUTH_URL). */
const linkBase = z.url({ protocol: /^https?$/, error: "the page's address, such as https://streamware.example.com" }).max(300);
const token = z.string().min(20, "This invitation link is incomplete; copy the whole link").max(100, "This invitation link is not valid");

export const inviteInput = z.object({
  workspaceId,
  email: z.email("Enter an email address, such as ada@example.com").max(254),
  role: z.enum(roles, { error: `Choose a role: ${roles.join(", ")}` }),
  linkBase,
});
export const invitationRefInput = z.object({ workspaceId, invitationId });
export const resendInput = invitationRefInput.extend({ linkBase });
export const invitationsInput = z.object({ workspaceId });
export const tokenInput = z.object({ token });
