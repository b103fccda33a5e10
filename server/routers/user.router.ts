import { userService } from "../services/user-service";
import { protectedProcedure, router } from "../trpc";

export const userRouter = router({
  me: protectedProcedure.query(({ ctx }) => userService.get({ db: ctx.db, userId: ctx.user.id })),
});
