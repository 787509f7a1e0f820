import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { COMMANDS, main } from "../../src/cli/main.js";

const ctx = {
  cwd: process.cwd(),
  env: { PATH: process.env.PATH },
  stdout: { write: () => true },
  stderr: { write: () => true },
  readStdin: async () => Buffer.from(""),
};

async function capture(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    ...ctx,
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

describe("the CLI's lazy command table", () => {
  it("each module registers exactly the top-level names its row lists, in help order", async () => {
    const all = new Command();
    for (const [names, load] of COMMANDS) {
      const alone = new Command();
      const register = await load();
      register(alone, ctx, () => undefined);
      expect(alone.commands.map((c) => c.name())).toEqual([...names]);
      register(all, ctx, () => undefined);
    }
    const listed = COMMANDS.flatMap(([names]) => names);
    expect(all.commands.map((c) => c.name())).toEqual(listed);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it("a command's help is the same whether its module is loaded alone or with all the others", async () => {
    // `sigil help run` loads every module (its first word is no command); `sigil run --help` one.
    const alone = await capture(["run", "--help"]);
    const viaHelp = await capture(["help", "run"]);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toContain("Usage: sigil run [options]");
    expect(alone.stdout).toBe(viaHelp.stdout);
  });

  it("an unknown command still gets commander's suggestion, from all the commands", async () => {
    const typo = await capture(["rnu", "--json"]);
    expect(typo.code).toBe(2);
    const body = JSON.parse(typo.stdout) as { status: string; error: { code: string; message: string } };
    expect(body.status).toBe("error");
    expect(body.error.code).toBe("ERR_USAGE");
    expect(body.error.message).toContain("unknown command 'rnu'");
    expect(body.error.message).toContain("run");
  });
});
