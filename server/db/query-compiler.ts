import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { GetPrismaClientConfig } from "@prisma/client/runtime/client";

/** The query compiler's WebAssembly as Prisma ships it for PostgreSQL: one base64 string in a JavaScript file. */
const WASM_BASE64_FILE = "@prisma/client/runtime/query_compiler_fast_bg.postgresql.wasm-base64.js";
/** Base64 is decoded this many characters at a time (a multiple of 4), so no string of megabytes is made. */
const DECODE_CHARS = 64 * 1024;

/** Frees an ArrayBuffer's memory now by detaching it (ES2024's `transfer`, which Node has, beyond our ES2023 lib). */
const release = (buffer: ArrayBuffer) => (buffer as ArrayBuffer & { transfer(length: number): ArrayBuffer }).transfer(0);

/**
 * Compiles Prisma's query compiler from the bytes of its file. The generated client imports that file as an ES
 * module, and a module is never unloaded: its source and the base64 string in it (4.4 MB each) would stay for the
 * life of the process. Read, decoded and compiled here, only the compiled module stays (some 7 MB less at idle).
 */
export async function queryCompilerModule(): Promise<WebAssembly.Module> {
  const wasm = await queryCompilerWasm();
  try {
    return new WebAssembly.Module(wasm);
  } finally {
    // Compiling copied the bytes: they are freed now, not at a garbage collection an idle server may not run for long.
    release(wasm.buffer);
  }
}

/** The query compiler's WebAssembly bytes, decoded from the base64 string in its file. */
export async function queryCompilerWasm(): Promise<Buffer<ArrayBuffer>> {
  const source = await readFile(createRequire(import.meta.url).resolve(WASM_BASE64_FILE));
  try {
    const start = source.indexOf('"') + 1;
    const end = source.indexOf('"', start);
    if (start === 0 || end === -1) throw new Error(`${WASM_BASE64_FILE} holds no quoted base64 string`);
    const wasm = Buffer.allocUnsafeSlow(Math.ceil(((end - start) * 3) / 4));
    let length = 0;
    for (let at = start; at < end; at += DECODE_CHARS) length += wasm.write(source.toString("latin1", at, Math.min(end, at + DECODE_CHARS)), length, "base64");
    return wasm.subarray(0, length);
  } finally {
    // The file's text is freed at once too; a buffer that shares its memory with others (a small file's) is left.
    if (source.byteLength === source.buffer.byteLength) release(source.buffer);
  }
}

/** PrismaClient's `configOverride`: the generated configuration, with the query compiler loaded as above. */
export function loadQueryCompilerFromFile(config: GetPrismaClientConfig): GetPrismaClientConfig {
  if (!config.compilerWasm) return config;
  return { ...config, compilerWasm: { ...config.compilerWasm, getQueryCompilerWasmModule: queryCompilerModule } };
}
