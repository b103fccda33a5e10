import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecretBox } from "./secret-box";

const newKey = () => randomBytes(32).toString("base64");

describe("secret box", () => {
  it("round-trips and never stores the plaintext", () => {
    const box = createSecretBox({ currentKey: newKey() });
    const sealed = box.seal({ plaintext: "sk-live-123", context: "ws1" });
    expect(sealed).not.toContain("sk-live-123");
    expect(box.open({ sealed, context: "ws1" })).toBe("sk-live-123");
    expect(box.seal({ plaintext: "sk-live-123", context: "ws1" })).not.toBe(sealed);
  });

  it("refuses a ciphertext moved to another context or altered", () => {
    const box = createSecretBox({ currentKey: newKey() });
    const sealed = box.seal({ plaintext: "secret", context: "ws1" });
    expect(() => box.open({ sealed, context: "ws2" })).toThrow(/integrity check/);
    const parts = sealed.split(".");
    parts[4] = Buffer.from("tampered").toString("base64");
    expect(() => box.open({ sealed: parts.join("."), context: "ws1" })).toThrow(/integrity check/);
  });

  it("opens secrets sealed with a previous key after rotation, and names a missing key", () => {
    const oldKey = newKey();
    const sealed = createSecretBox({ currentKey: oldKey }).seal({ plaintext: "kept", context: "ws" });
    const rotated = createSecretBox({ currentKey: newKey(), previousKeys: [oldKey] });
    expect(rotated.open({ sealed, context: "ws" })).toBe("kept");
    expect(() => createSecretBox({ currentKey: newKey() }).open({ sealed, context: "ws" })).toThrow(
      /sealed with encryption key [0-9a-f]{12}, which is not configured/,
    );
  });

  it("explains how to make a valid key", () => {
    expect(() => createSecretBox({ currentKey: "short" })).toThrow("openssl rand -base64 32");
    expect(() => createSecretBox({ currentKey: "ab".repeat(32) })).not.toThrow();
  });
});
