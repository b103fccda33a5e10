import { router } from "../trpc";
import { credentialRouter } from "./credential.router";
import { flowRouter } from "./flow.router";
import { userRouter } from "./user.router";
import { workspaceRouter } from "./workspace.router";

export const appRouter = router({
  user: userRouter,
  workspace: workspaceRouter,
  flow: flowRouter,
  credential: credentialRouter,
});

export type AppRouter = typeof appRouter;
