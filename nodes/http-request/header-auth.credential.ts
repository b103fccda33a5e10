import { z } from "zod";
import { defineCredential } from "../_kit/define-credential";

export const headerAuthCredential = defineCredential({
  type: "http.header-auth",
  name: "HTTP header",
  description: "A header sent with every request of an HTTP Request node, such as X-API-Key or Authorization.",
  fields: z.object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "a header name has letters, digits and - only")
      .meta({ title: "Header name", examples: ["X-API-Key"] }),
    value: z.string().min(1, "the header needs a value").meta({ title: "Value" }),
  }),
  secretFields: ["value"],
});
