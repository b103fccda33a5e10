import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { NodeExternalError } from "../nodes/_kit/errors";
import { storageFull } from "./binary-store";

describe("binary storage without room", () => {
  it("turns the kernel's no-space error into an external error that a step's retries apply to", async () => {
    // /dev/full answers every write with ENOSPC, as a full disk does.
    const full = await writeFile("/dev/full", "bytes").catch((err: unknown) => err);
    const error = storageFull(full);
    expect(error).toBeInstanceOf(NodeExternalError);
    expect(error).toMatchObject({ code: "EXTERNAL", retryable: true, cause: full });
    expect((error as Error).message).toMatch(/no room left \(ENOSPC\).*BINARY_DIR/);
  });

  it("leaves every other error as it is", async () => {
    const missing = await writeFile("/nonexistent-folder/file", "bytes").catch((err: unknown) => err);
    expect(storageFull(missing)).toBe(missing);
  });
});
