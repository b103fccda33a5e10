import { describe, expect, it } from "vitest";
import { credentialCatalog, nodeCatalog } from "@/server/services/node-catalog-service";
import { credentialIssues, credentialSlots, slotsInUse, withCredential } from "./credential-slots";

function entry(type: string) {
  const found = nodeCatalog().find((e) => e.type === type);
  if (!found) throw new Error(`no node type ${type}`);
  return found;
}

describe("credential slots of a node type", () => {
  it("gives the alert node a slot for each channel's credential, none of them the main one", () => {
    const slots = credentialSlots(entry("messaging.alert"));
    expect(slots.map((s) => s.type).sort()).toEqual(["discord.webhook", "http.header-auth", "slack.incoming-webhook", "smtp.server", "teams.incoming-webhook", "telegram.bot"]);
    expect(slots.every((s) => !s.main && !s.required)).toBe(true);
    // Each slot is a credential type the credential forms know, so it has a name to be labelled by.
    const known = new Set(credentialCatalog().map((t) => t.type));
    expect(slots.filter((s) => !known.has(s.type))).toEqual([]);
  });

  it("gives the LLM node its OpenAI credential first and an Ollama slot after it", () => {
    expect(credentialSlots(entry("ai.llm"))).toEqual([
      { type: "openai.api", required: false, main: true },
      { type: "ollama.api", required: false, main: false },
    ]);
    expect(credentialSlots(entry("mqtt.publish"))).toEqual([{ type: "mqtt.broker", required: true, main: true }]);
    expect(credentialSlots(entry("core.set"))).toEqual([]);
  });

  it("sets and clears one slot and keeps the others", () => {
    const both = withCredential({ "openai.api": { id: "c1", name: "OpenAI" } }, "ollama.api", { id: "c2", name: "Local" });
    expect(both).toEqual({ "openai.api": { id: "c1", name: "OpenAI" }, "ollama.api": { id: "c2", name: "Local" } });
    expect(withCredential(both, "openai.api", undefined)).toEqual({ "ollama.api": { id: "c2", name: "Local" } });
    expect(withCredential(undefined, "smtp.server", { name: "Mail" })).toEqual({ "smtp.server": { name: "Mail" } });
  });

  it("shows an issue under the slot it names, and issues of no slot under the main one", () => {
    const slots = credentialSlots(entry("ai.llm"));
    const [openai, ollama] = slots;
    const issues = [
      { path: "credentials.ollama.api.id", message: "ollama gone" },
      { path: "credentials", message: "whole" },
      { path: "credentials.other", message: "stray" },
      { path: "config.prompt", message: "not a credential" },
    ];
    expect(credentialIssues(issues, slots, ollama!)).toEqual(["ollama gone"]);
    expect(credentialIssues(issues, slots, openai!)).toEqual(["whole", "stray"]);
  });

  it("offers a channel's credential only once the channel is chosen, and keeps a slot that still holds one", () => {
    const alert = entry("messaging.alert");
    const inUse = (config: Record<string, unknown>, credentials = {}) =>
      slotsInUse({ slots: credentialSlots(alert), entry: alert, config, credentials, keyDefault: () => undefined }).map((s) => s.type);
    expect(inUse({})).toEqual([]);
    expect(inUse({ channels: [{ kind: "slack" }] })).toEqual(["slack.incoming-webhook"]);
    expect(inUse({ channels: [{ kind: "email" }, { kind: "webhook" }] }).sort()).toEqual(["http.header-auth", "smtp.server"]);
    expect(inUse({ channels: [] }, { "telegram.bot": { name: "bot" } })).toEqual(["telegram.bot"]);
  });

  it("reads an LLM provider without a kind as the kind's default", () => {
    const llm = entry("ai.llm");
    const inUse = (config: Record<string, unknown>) =>
      slotsInUse({ slots: credentialSlots(llm), entry: llm, config, credentials: {}, keyDefault: () => "openai" }).map((s) => s.type);
    expect(inUse({ providers: [{ model: "m" }] })).toEqual(["openai.api"]);
    expect(inUse({ providers: [{ kind: "ollama", model: "m" }] })).toEqual(["ollama.api"]);
    expect(inUse(llm.starter)).toEqual(["openai.api"]);
  });
});

