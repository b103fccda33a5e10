/**
 * What queue mode adds to a process: Redis and BullMQ (run dispatch, schedules, media steps). Runtime.create loads
 * this only when REDIS_URL is set, so an embedded process never loads these libraries (some 7 MB of its memory).
 */
export { Redis } from "ioredis";
export { MediaQueue, MediaWorker } from "./media-queue";
export { QueueDispatcher, startRunWorker } from "./queue-dispatch";
export { QueueScheduler, startScheduleWorker } from "./queue-schedules";
