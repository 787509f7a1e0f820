import { mkdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { ERROR_TABLE, type ErrorCode, SigilError } from "../../../src/core/index.js";
import { getPipeline, lockRunContext, readRunContext, sidecarPath } from "../../../src/orchestrator/index.js";
import { tempDir } from "../../helpers/temp.js";

const RUN = "01a22e7a-1594-7311-a858-6f2000000001";

async function code(work: () => unknown): Promise<ErrorCode | undefined> {
  try {
    await work();
  } catch (error) {
    expect(error).toBeInstanceOf(SigilError);
    const e = error as SigilError;
    expect(e.message).toContain(ERROR_TABLE[e.code]);
    return e.code;
  }
  return undefined;
}

describe("the RunContext sidecar", () => {
  test("an unknown run is ERR_ORCH_RUN; a tampered sidecar is ERR_ORCH_CONTEXT", async () => {
    await using dir = await tempDir();
    expect(await code(() => readRunContext(dir.path, RUN))).toBe("ERR_ORCH_RUN");
    await mkdir(dirname(sidecarPath(dir.path, RUN)), { recursive: true });
    await writeFile(
      sidecarPath(dir.path, RUN),
      JSON.stringify({ schema: "sigil.orchestrator.run/v1", run_id: RUN }),
    );
    expect(await code(() => readRunContext(dir.path, RUN))).toBe("ERR_ORCH_CONTEXT");
  });
  test("the lock: a live holder is ERR_ORCH_LOCKED; a dead holder's lock is taken over", async () => {
    await using dir = await tempDir();
    await mkdir(dirname(sidecarPath(dir.path, RUN)), { recursive: true });
    const held = await lockRunContext(dir.path, RUN);
    expect(await code(() => lockRunContext(dir.path, RUN))).toBe("ERR_ORCH_LOCKED");
    await held.release();
    // A pid that cannot be alive (above the kernel's pid_max) stands for a crashed holder.
    await writeFile(
      join(dirname(sidecarPath(dir.path, RUN)), "context.lock"),
      JSON.stringify({ pid: 2 ** 22 + 1, host: hostname() }),
    );
    const taken = await lockRunContext(dir.path, RUN);
    await taken.release();
  });
  test("an unknown pipeline is ERR_PIPELINE", async () => {
    expect(await code(() => getPipeline("nope"))).toBe("ERR_PIPELINE");
  });
});
