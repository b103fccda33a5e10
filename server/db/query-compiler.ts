import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { GetPrismaClientConfig } from "@prisma/client/runtime/client";

/** The query compiler's WebAssembly as Prisma ships it for PostgreSQL: one base64 string in a JavaScript file. */
const WASM_BASE64_FILE = "@prisma/client/runtime/query_compiler_fast_bg.postgresql.wasm-base64.js";

/**
 * Compiles Prisma's query compiler from the bytes of its file. The generated client imports that file as an ES
 * module, and a module is never unloaded: its source and the base64 string in it (4.4 MB each) would stay for the
 * life of the process. Read, decoded and compiled here, only the compiled module stays (some 7 MB less at idle).
 */
export async function queryCompilerModule(): Promise<WebAssembly.Module> {
  return new WebAssembly.Module(await queryCompilerWasm());
}

/** The query compiler's WebAssembly bytes, decoded from the base64 string in its file. */
export async function queryCompilerWasm(): Promise<Buffer<ArrayBuffer>> {
  const source = await readFile(createRequire(import.meta.url).resolve(WASM_BASE64_FILE));
  const start = source.indexOf('"') + 1;
  const end = source.indexOf('"', start);
  if (start === 0 || end === -1) throw new Error(`${WASM_BASE64_FILE} holds no quoted base64 string`);
  return Buffer.from(source.toString("latin1", start, end), "base64");
}

/** PrismaClient's `configOverride`: the generated configuration, with the query compiler loaded as above. */
export function loadQueryCompilerFromFile(config: GetPrismaClientConfig): GetPrismaClientConfig {
  if (!config.compilerWasm) return config;
  return { ...config, compilerWasm: { ...config.compilerWasm, getQueryCompilerWasmModule: queryCompilerModule } };
}
