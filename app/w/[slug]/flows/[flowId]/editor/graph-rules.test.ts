import { describe, expect, it } from "vitest";
import { checkConnection, inputHandle, outputHandle, type NodePorts } from "./graph-rules";

const nodes = [
  { id: "t", name: "Trigger", onError: "stop" as const },
  { id: "a", name: "A", onError: "stop" as const },
  { id: "b", name: "B", onError: "stop" as const },
  { id: "if", name: "Check", onError: "errorPort" as const },
  { id: "m", name: "Merge", onError: "stop" as const },
];
const ports: Record<string, NodePorts> = {
  t: { inputs: [], outputs: ["out"], trigger: true },
  a: { inputs: ["in"], outputs: ["out"], trigger: false },
  b: { inputs: ["in"], outputs: ["out"], trigger: false },
  if: { inputs: ["in"], outputs: ["true", "false"], trigger: false },
  m: { inputs: ["a", "b"], outputs: ["out"], trigger: false },
};
const edges = [
  { source: "t", sourcePort: "out", target: "a", targetPort: "in" },
  { source: "a", sourcePort: "out", target: "b", targetPort: "in" },
];
const check = (source: string, sourceHandle: string, target: string, targetHandle: string) =>
  checkConnection({ nodes, edges, portsOf: (id) => ports[id], connection: { source, sourceHandle, target, targetHandle } });

describe("connection rules", () => {
  it("accepts an output into an input and names the ports", () => {
    expect(check("b", outputHandle("out"), "if", inputHandle("in"))).toEqual({ ok: true, edge: { source: "b", sourcePort: "out", target: "if", targetPort: "in" } });
    expect(check("if", outputHandle("false"), "m", inputHandle("b"))).toMatchObject({ ok: true, edge: { sourcePort: "false", targetPort: "b" } });
    // The error port exists while the node sends its errors out by it.
    expect(check("if", outputHandle("error"), "m", inputHandle("a"))).toMatchObject({ ok: true });
    expect(check("a", outputHandle("error"), "m", inputHandle("a"))).toEqual({ ok: false, reason: '"A" has no output "error" (it has out).' });
  });

  it("refuses a connection into a trigger", () => {
    expect(check("b", outputHandle("out"), "t", inputHandle("in"))).toEqual({ ok: false, reason: '"Trigger" is a trigger: it starts the flow and takes no input.' });
  });

  it("refuses output to output, input to input and ports that do not exist", () => {
    expect(check("a", outputHandle("out"), "b", outputHandle("out"))).toMatchObject({ ok: false, reason: expect.stringMatching(/Outputs connect to inputs/) });
    expect(check("a", inputHandle("in"), "b", inputHandle("in"))).toMatchObject({ ok: false, reason: expect.stringMatching(/Inputs take connections from outputs/) });
    expect(check("b", outputHandle("out"), "m", inputHandle("c"))).toEqual({ ok: false, reason: '"Merge" has no input "c" (it has a, b).' });
    expect(check("if", outputHandle("maybe"), "m", inputHandle("a"))).toEqual({ ok: false, reason: '"Check" has no output "maybe" (it has true, false, error).' });
    expect(check("a", outputHandle("out"), "a", inputHandle("in"))).toEqual({ ok: false, reason: '"A" cannot connect to itself.' });
    expect(check("a", outputHandle("out"), "ghost", inputHandle("in"))).toMatchObject({ ok: false });
  });

  it("refuses loops, direct and through other nodes, and duplicates", () => {
    expect(check("b", outputHandle("out"), "a", inputHandle("in"))).toMatchObject({ ok: false, reason: expect.stringMatching(/would make a loop: "A" already leads to "B"/) });
    const longer = checkConnection({
      nodes,
      edges: [...edges, { source: "b", sourcePort: "out", target: "if", targetPort: "in" }],
      portsOf: (id) => ports[id],
      connection: { source: "if", sourceHandle: outputHandle("true"), target: "a", targetHandle: inputHandle("in") },
    });
    expect(longer).toMatchObject({ ok: false, reason: expect.stringMatching(/loop/) });
    expect(check("a", outputHandle("out"), "b", inputHandle("in"))).toEqual({ ok: false, reason: '"A" is already connected to "B" there.' });
  });
});
