import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { queryCompilerModule, queryCompilerWasm } from "./query-compiler";
import { createTestDatabase, databaseKinds } from "./test-databases";

describe("queryCompilerModule", () => {
  it("compiles the query compiler the generated client imports, from the same file", async () => {
    // The generated client pairs the compiler's JavaScript glue with one build of it: ours must be that build.
    const generated = readFileSync(path.join(import.meta.dirname, "generated", "internal", "class.ts"), "utf8");
    const imported = /import\("(@prisma\/client\/runtime\/query_compiler_[a-z]+_bg\.postgresql\.wasm-base64)\.mjs"\)/.exec(generated)?.[1];
    expect(imported).toBe("@prisma/client/runtime/query_compiler_fast_bg.postgresql.wasm-base64");
    const { wasm } = (await import(`${imported}.mjs`)) as { wasm: string };
    expect((await queryCompilerWasm()).equals(Buffer.from(wasm, "base64"))).toBe(true);
    expect(WebAssembly.Module.exports(await queryCompilerModule()).map((e) => e.name)).toContain("__wbindgen_start");
  });

  it.each(databaseKinds)("serves the client's queries (%s)", async (kind) => {
    const connection = await createTestDatabase(kind);
    try {
      expect(await connection.db.user.count({ where: { email: "nobody@example.test" } })).toBe(0);
    } finally {
      await connection.close();
    }
  });
});
