import { describe, expect, it } from "vitest";
import { MAX_TAGS, parseTagList } from "./flow-tags";

describe("parseTagList", () => {
  it("trims, drops blanks and keeps each tag once, in its first spelling", () => {
    expect(parseTagList(" billing, Nightly ,, billing, nightly,")).toEqual({ ok: true, tags: ["billing", "Nightly"] });
    expect(parseTagList("")).toEqual({ ok: true, tags: [] });
  });

  it("names what is wrong with a tag that cannot be stored", () => {
    expect(parseTagList(`home, ${"x".repeat(40)}`)).toEqual({ ok: false, message: "Keep each tag under 32 characters" });
    expect(parseTagList("ok, bad\u0000tag")).toMatchObject({ ok: false, message: expect.stringContaining("A tag cannot contain control characters") });
    expect(parseTagList(Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`).join(","))).toEqual({ ok: false, message: "A flow can have at most 20 tags" });
  });
});
