import { describe, expect, test } from "vitest";
import { type RunSummary, renderVerifierReport } from "../../src/governance/index.js";
import { finding, type VerifyReport } from "../../src/world/verify/index.js";

const COPY: RunSummary = {
  path: "acme-copy/0123456789abcdef",
  job_id: "acme-copy",
  run_id: "0123456789abcdef",
  job_type: "brand.instagram_copy",
  processor: "llm/litellm@1",
  outputs: 2,
  upstream: [],
};
const REVIEW: RunSummary = {
  path: "acme-review/fedcba9876543210",
  job_id: "acme-review",
  run_id: "fedcba9876543210",
  job_type: "brand.compliance_review",
  processor: "llm/litellm@1",
  outputs: 1,
  upstream: ["acme-copy/0123456789abcdef"],
};
const ORIGIN = {
  headSha: "a".repeat(40),
  workflowRun: { name: "CI", number: 42, url: "https://github.com/acme/app/actions/runs/7" },
};

function report(findings: VerifyReport["findings"] = []): VerifyReport {
  return { world: "/tmp/w", runs: 2, executions: 0, findings, pending: [], failed: [] };
}

describe("the verifier report Markdown", () => {
  test("a verified World: headline, origin, run chain, one table per job", () => {
    expect(renderVerifierReport(report(), [COPY, REVIEW], ORIGIN)).toMatchSnapshot();
  });

  test("a tampered World: the failing run is marked in the diagram, its findings listed", () => {
    const findings = [
      finding("ERR_VERIFY_OUTPUT_HASH", COPY.path, "outputs/post.md", {
        path: "outputs/post.md",
        expected: "a".repeat(64),
        observed: "b".repeat(64),
      }),
      finding("ERR_VERIFY_CHAIN", REVIEW.path, "prior artifact does not match acme-copy"),
    ];
    const markdown = renderVerifierReport(report(findings), [COPY, REVIEW], {
      ...ORIGIN,
      fullReportUrl: "https://github.com/acme/gov/blob/main/reports/x.md",
    });
    expect(markdown).toMatchSnapshot();
    expect(markdown).toContain("## ❌ World does not verify: 2 findings in 2 of 2 runs in 2 jobs");
    expect(markdown).toContain("class r0,r1 bad");
  });

  test("an upstream run missing from the World is drawn dashed; hostile names cannot break tables or the diagram", () => {
    const hostile: RunSummary = {
      path: 'evil|"job/1111111111111111',
      job_id: 'evil|"job<script>',
      run_id: "1111111111111111",
      upstream: ["gone/2222222222222222"],
      job_type: "x\n| injected | row |",
    };
    const markdown = renderVerifierReport(report(), [hostile]);
    expect(markdown).toMatchSnapshot();
    // Inside a code span GitHub shows HTML as text; anywhere else it must be escaped.
    expect(markdown.replace(/`[^`\n]*`/g, "")).not.toContain("<script>");
    expect(markdown).not.toContain("\n| injected");
    expect(markdown).toContain("(not in this World)");
    expect(markdown).toContain("class u0 missing");
  });
});
