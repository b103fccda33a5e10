import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";
import { projectRoot, serverBundleOptions } from "./keep-current.mjs";

// Libraries that only some flows, features or queue mode use: each is loaded by its first use, not at start-up.
const loadedOnFirstUse = ["openai", "ollama", "nodemailer", "@node-saml/node-saml", "@xmldom/xmldom", "mqtt", "rss-parser", "age-encryption", "undici", "bullmq", "ioredis"];

/** The packages an output file imports before it runs: its static imports, and theirs through the chunks. */
function importedAtStart(metafile: Metafile, entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (output: string) => {
    if (seen.has(output)) return;
    seen.add(output);
    for (const imported of metafile.outputs[output]!.imports) {
      if (imported.kind !== "import-statement") continue;
      if (imported.external) packages.add(/^(@[^/]+\/)?[^/]+/.exec(imported.path)![0]);
      else visit(imported.path);
    }
  };
  visit(entry);
  return packages;
}

describe("the server bundles", () => {
  it("import at start-up none of the libraries an embedded server loads only when a flow or feature needs them", async () => {
    const { metafile } = await build({ ...serverBundleOptions, absWorkingDir: projectRoot, outdir: "dist", write: false, metafile: true, sourcemap: false, logLevel: "silent" });
    const server = importedAtStart(metafile, "dist/server.mjs");
    // The check reads the right graph: the server does import, at start, what every request needs.
    expect(server).toContain("@electric-sql/pglite");
    expect(loadedOnFirstUse.filter((name) => server.has(name))).toEqual([]);
  });
});
