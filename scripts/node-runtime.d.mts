// Types of node-runtime.mjs, which stays plain JavaScript: it runs before dependencies (tsx included) exist.
export declare const supportedNodes: Record<number, string>;
export declare const preferredMajor: number;
export declare const nodeCacheDir: string;
export declare class UnsupportedNodeError extends Error {}
export declare function isSupportedNode(version: string): boolean;
export declare function nodePackageFor(options: { platform: string; arch: string; libc?: string; major?: number }): { name: string; version: string };
export declare function currentLibc(): "glibc" | "musl";
export declare function ensureNodeBinary(options?: {
  major?: number;
  platform?: string;
  arch?: string;
  libc?: string;
}): Promise<{ node: string; version: string; fetched: boolean }>;
export declare function envWithNode(options: { node: string; env?: Record<string, string | undefined> }): Record<string, string | undefined>;
export declare function ensureSupportedNode(options?: { label?: string }): Promise<void>;
