import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { describe, expect, it } from "vitest";
import { ServiceError, serviceErrorStatus, type ServiceErrorCode } from "./service-error";

describe("serviceErrorStatus", () => {
  it("answers each code over HTTP with the status tRPC gives its tRPC code, so routes and procedures agree", () => {
    for (const [code, { http, trpc }] of Object.entries(serviceErrorStatus)) {
      expect({ code, http }).toEqual({ code, http: getHTTPStatusCodeFromError(new TRPCError({ code: trpc })) });
      const error = new ServiceError({ code: code as ServiceErrorCode, message: "m" });
      expect({ status: error.httpStatus, trpc: error.trpcCode }).toEqual({ status: http, trpc });
    }
  });
});
