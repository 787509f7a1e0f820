import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  GATE_BRANCH_PREFIX,
  gateBranch,
  gateRequestMarker,
  parseGateBranch,
} from "../../../src/orchestrator/index.js";

const uuid = fc.uuid();
const gate = fc.integer({ min: 1, max: 99 }).map((n) => `SG${n}`);

describe("gate branches", () => {
  test("gateBranch and parseGateBranch round-trip, with or without refs/heads/", () => {
    fc.assert(
      fc.property(uuid, gate, fc.boolean(), (runId, gateId, full) => {
        const branch = gateBranch(runId, gateId);
        expect(branch.startsWith(GATE_BRANCH_PREFIX)).toBe(true);
        expect(parseGateBranch(full ? `refs/heads/${branch}` : branch)).toEqual({ runId, gate: gateId });
      }),
    );
  });
  test("anything else is not a gate branch", () => {
    fc.assert(
      fc.property(fc.string(), (ref) => {
        const parsed = parseGateBranch(ref);
        if (parsed) expect(ref.replace(/^refs\/heads\//, "")).toBe(gateBranch(parsed.runId, parsed.gate));
      }),
    );
    for (const ref of [
      "sigil/gates/not-a-uuid/SG1",
      "sigil/gates/01a22e7a-1594-7311-a858-6f2000000001/SG1/extra",
      "sigil/gates/01a22e7a-1594-7311-a858-6f2000000001/sg1",
      "refs/tags/sigil/gates/01a22e7a-1594-7311-a858-6f2000000001/SG1",
      "x/sigil/gates/01a22e7a-1594-7311-a858-6f2000000001/SG1",
    ])
      expect(parseGateBranch(ref)).toBeNull();
  });
  test("the marker names run, gate and digest", () => {
    expect(gateRequestMarker("r", "SG2", "d".repeat(64))).toBe(
      `<!-- sigil:gate-request run=r gate=SG2 sha256=${"d".repeat(64)} -->`,
    );
  });
});
