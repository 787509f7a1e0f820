import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";
import { instagramBrief, reviewBrief, writeBrief } from "../helpers/job-world.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

const jobRun = (brief: string, world: string, extra: string[] = []) =>
  runCli(["job", "run", brief, "--world", world, "--root", REPO_ROOT, "--mode", "mock", "--json", ...extra], {
    cwd: REPO_ROOT,
  });

describe("a job's verdict", () => {
  test("the review's verdict is in the --json result and the outputs; --fail-on-verdict exits 1 on FAIL only", async () => {
    await using tmp = await tempDir();
    const world = join(tmp.path, "world");
    // brand-voice v2 bans "Limited time only"; v1 does not.
    const context = {
      ...(instagramBrief().context as object),
      key_points: ["Limited time only: free socks"],
    };
    const copy = await writeBrief(tmp.path, "copy.yaml", instagramBrief({ context }));
    expect((await jobRun(copy, world)).code).toBe(0);

    for (const [version, verdict] of [
      ["v1", "PASS"],
      ["v2", "FAIL"],
    ] as const) {
      const review = await writeBrief(
        tmp.path,
        `review-${version}.yaml`,
        reviewBrief({ brief: "copy.yaml" }, { doctrine: { id: "brand-voice", version } }),
      );
      const plain = await jobRun(review, world);
      expect(plain.code, plain.stdout).toBe(0); // a verdict is a result, not an error, by default
      const result = JSON.parse(plain.stdout);
      expect(result.verdict).toBe(verdict);
      expect(result.outputs.map((o: { path: string }) => o.path)).toContain(
        `world://${result.job_id}/${result.run_id}/outputs/verdict.json`,
      );
      const strict = await jobRun(review, world, ["--fail-on-verdict"]);
      expect(strict.code).toBe(verdict === "FAIL" ? 1 : 0);
      expect(JSON.parse(strict.stdout)).toMatchObject({
        status: "success",
        verdict,
        replayed_from: result.run_id,
      });
    }
    const copyAgain = await jobRun(copy, world, ["--fail-on-verdict"]);
    expect(copyAgain.code).toBe(0);
    expect(JSON.parse(copyAgain.stdout).verdict).toBeUndefined();
  });
});
