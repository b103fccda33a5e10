import { describe, expect, it } from "vitest";
import { devLoginEnabled, oidcEnabled, parseEnv } from "./env";

describe("environment", () => {
  it("defaults to embedded mode with the development sign-in on", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ PORT: 3000, DATA_DIR: ".data" });
    expect(devLoginEnabled(env)).toBe(true);
    expect(oidcEnabled(env)).toBe(false);
  });

  it("turns the development sign-in off with PostgreSQL unless enabled", () => {
    expect(devLoginEnabled(parseEnv({ DATABASE_URL: "postgres://db/sw" }))).toBe(false);
    expect(devLoginEnabled(parseEnv({ DATABASE_URL: "postgres://db/sw", DEV_LOGIN: "true" }))).toBe(true);
  });

  it("names each invalid variable", () => {
    expect(() => parseEnv({ PORT: "eighty" })).toThrow(/Invalid environment:\n {2}PORT: /);
    expect(() => parseEnv({ OIDC_ISSUER: "http://idp.test" })).toThrow(
      "OIDC_ISSUER: OIDC sign-in needs all of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET",
    );
    expect(parseEnv({ OIDC_ALLOWED_DOMAINS: "Example.com, corp.test" }).OIDC_ALLOWED_DOMAINS).toEqual(["example.com", "corp.test"]);
    expect(parseEnv({ INSTANCE_ADMINS: " Root@Example.com, ops@corp.test," }).INSTANCE_ADMINS).toEqual(["root@example.com", "ops@corp.test"]);
    expect(() => parseEnv({ INSTANCE_ADMINS: "root, ops@corp.test" })).toThrow("INSTANCE_ADMINS must be a comma-separated list of email addresses");
  });
});
