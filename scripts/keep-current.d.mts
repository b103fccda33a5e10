// Types of what TypeScript reads from keep-current.mjs, which stays plain JavaScript: it runs before dependencies
// (tsx included) exist.
import type { BuildOptions } from "esbuild";

export declare const projectRoot: string;
export declare const serverBundleOptions: BuildOptions;
