import { describe, expect, it } from "vitest";
import { compileIntents, entityValues, jsgfGrammar, normalizeText, parsePattern, PatternError } from "./patterns";

const lights = { name: "lights.set", patterns: ["turn (on|off):state [the] {room} lights", "switch [the] {room} lights (on|off):state"] };
const rooms = { name: "room", values: ["kitchen", "Living Room", "bedroom"] };

describe("the command pattern language", () => {
  it("matches a slot from its listed values and a named alternation", () => {
    const matcher = compileIntents([lights], [rooms]);
    expect(matcher.match("Turn on the kitchen lights.")).toEqual({ intent: "lights.set", entities: { state: "on", room: "kitchen" }, pattern: lights.patterns[0] });
    expect(matcher.match("switch living   room lights OFF")).toEqual({ intent: "lights.set", entities: { room: "Living Room", state: "off" }, pattern: lights.patterns[1] });
  });

  it("returns null when nothing matches the whole text", () => {
    const matcher = compileIntents([lights], [rooms]);
    for (const text of ["turn on the garage lights", "turn on the kitchen lights please", "please turn on the kitchen lights", "turn up the kitchen lights", "", "   "]) {
      expect({ text, match: matcher.match(text) }).toEqual({ text, match: null });
    }
  });

  it("takes any words for a slot without values, and the first declared intent wins", () => {
    const matcher = compileIntents(
      [
        { name: "timer.set", patterns: ["set a timer for {duration}"] },
        { name: "note.add", patterns: ["(note|remember) {text}", "set a {thing}"] },
      ],
      [{ name: "duration" }, { name: "text" }, { name: "thing", values: [] }],
    );
    expect(matcher.match("set a timer for ten minutes")).toMatchObject({ intent: "timer.set", entities: { duration: "ten minutes" } });
    expect(matcher.match("Remember: buy milk, eggs")).toMatchObject({ intent: "note.add", entities: { text: "buy milk eggs" } });
    expect(matcher.match("set a reminder")).toMatchObject({ intent: "note.add", entities: { thing: "reminder" } });
    expect(matcher.match("note")).toBeNull();
  });

  it("nests groups, optional parts and slots; an unnamed group keeps no entity", () => {
    const matcher = compileIntents(
      [{ name: "music.play", patterns: ["[please] (play|put on) [some] ({genre} music|the radio):what [in the {room}]"] }],
      [{ name: "genre", values: ["jazz", "rock"] }, rooms],
    );
    expect(matcher.match("play some jazz music in the bedroom")).toEqual({
      intent: "music.play",
      entities: { what: "jazz music", genre: "jazz", room: "bedroom" },
      pattern: expect.any(String),
    });
    expect(matcher.match("please put on the radio")?.entities).toEqual({ what: "the radio" });
  });

  it("compares words without case, accents kept, punctuation dropped", () => {
    expect(normalizeText("  Café, OUVERT!  l'été ")).toBe("café ouvert l'été");
    const matcher = compileIntents([{ name: "cafe", patterns: ["café (ouvert|fermé):state"] }], []);
    expect(matcher.match("CAFÉ fermé.")?.entities).toEqual({ state: "fermé" });
  });

  it("treats regex characters in text as plain text", () => {
    const matcher = compileIntents([{ name: "say", patterns: ["say {what}"] }], [{ name: "what" }]);
    expect(matcher.match("say (.*)+ [a-z] $1")?.entities).toEqual({ what: "a z 1" });
    expect(matcher.match("x".repeat(600))).toBeNull();
  });

  it("refuses broken patterns, saying where and what to write instead", () => {
    const cases: [string, RegExp][] = [
      ["turn (on|off the lights", /position 6: "\(" is not closed with "\)"/],
      ["turn [on the lights", /position 6: "\[" is not closed with "\]"/],
      ["turn {room lights", /"\{room" is not closed with "\}"/],
      ["turn (on||off)", /an alternative is empty; write optional words as \[words\]/],
      ["turn on * lights", /"\*" is not allowed; use words, \{slot\}, \(a\|b\), \(a\|b\):name and \[optional\]/],
      ["turn (on|off): lights", /a \(group\):name needs a name/],
      ["", /the pattern is empty/],
      ["lights)", /unexpected "\)"/],
    ];
    for (const [pattern, message] of cases) {
      const err = (() => {
        try {
          parsePattern(pattern);
          return null;
        } catch (e) {
          return e;
        }
      })();
      expect(err, pattern).toBeInstanceOf(PatternError);
      expect((err as Error).message, pattern).toMatch(message);
    }
  });

  it("refuses an undeclared slot, duplicate slots and adjacent free slots, naming the intent", () => {
    expect(() => compileIntents([{ name: "a", patterns: ["go to {place}"] }], [])).toThrow('Intent "a": Pattern "go to {place}": the slot {place} is not declared; add it to the slots');
    expect(() => compileIntents([], [{ name: "x" }, { name: "x" }])).toThrow('Slot "x" is declared twice');
    expect(() => compileIntents([{ name: "b", patterns: ["send {what} {who}"] }], [{ name: "what" }, { name: "who" }])).toThrow(/two slots without listed values follow each other/);
    expect(() => compileIntents([{ name: "c", patterns: ["{a} x {b} y {c} z {d}"] }], ["a", "b", "c", "d"].map((name) => ({ name })))).toThrow(/at most 3 slots without listed values/);
  });

  it("writes a JSGF grammar of exactly the declared phrases, with slot rules", () => {
    const { grammar, words } = jsgfGrammar([lights], [rooms]);
    expect(grammar).toBe(
      [
        "#JSGF V1.0;",
        "grammar commands;",
        "public <command> = ( turn ( on | off ) [ the ] <slot_room> lights ) | ( switch [ the ] <slot_room> lights ( on | off ) );",
        "<slot_room> = kitchen | living room | bedroom;",
        "",
      ].join("\n"),
    );
    expect([...words].sort()).toEqual(["bedroom", "kitchen", "lights", "living", "off", "on", "room", "switch", "the", "turn"]);
    expect(() => jsgfGrammar([{ name: "t", patterns: ["timer {duration}"] }], [{ name: "duration" }])).toThrow(/the grammar needs the values of slot \{duration\}/);
  });

  it("lists each entity's allowed values for the LLM fallback", () => {
    expect(Object.fromEntries(entityValues([lights, { name: "n", patterns: ["note {text}"] }], [rooms, { name: "text" }]))).toEqual({
      state: ["on", "off"],
      room: ["kitchen", "Living Room", "bedroom"],
      text: [],
    });
  });
});
