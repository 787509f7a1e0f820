import { access, mkdir, readFile, realpath, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { HEALTH_PATH } from "../../src/app/server.js";
import { Envelope, parseJsonStrict } from "../../src/core/index.js";
import { appListeningUrl, PRIVATE_KEY } from "../helpers/app-harness.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

// Real `npm pack` and `npm install` (the npm cache is warm; the registry may be reached for
// what is not in it): about a minute on a busy 2-core machine, hence the generous hook timeout.
const INSTALL_TIMEOUT_MS = 180_000;
const HI = '{"schema":"v1","params":{"messages":[{"role":"user","content":"hi"}]}}';

const PackResult = z.array(
  z.object({ filename: z.string(), files: z.array(z.object({ path: z.string() })) }).loose(),
);

/**
 * The environment of the surrounding `npm test` minus its npm_* variables (prefixes and package
 * fields of this repository), so the nested npm works on the temp project only.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const keep = new Set(["npm_config_cache", "npm_config_registry", "npm_config_userconfig"]);
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || keep.has(key.toLowerCase())),
  );
}

describe("npm pack ships a working sigil", () => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let packed: string[] = [];
  let project = "";
  let installedPackage = "";
  let sigil = "";

  beforeAll(async () => {
    dir = await tempDir("sigil-pack-");
    const packDir = join(dir.path, "pack");
    await mkdir(packDir);
    const pack = await execa("npm", ["pack", "--json", "--pack-destination", packDir], {
      cwd: REPO_ROOT,
      env: npmEnv(),
      extendEnv: false,
    });
    const [result] = PackResult.parse(parseJsonStrict(pack.stdout));
    if (!result) throw new Error(`npm pack reported nothing: ${pack.stdout}`);
    packed = result.files.map((f) => f.path);

    project = join(dir.path, "project");
    await mkdir(project);
    await writeFile(join(project, "package.json"), '{"name":"sigil-pack-check","private":true}\n');
    const started = performance.now();
    await execa(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", join(packDir, result.filename)],
      { cwd: project, env: npmEnv(), extendEnv: false },
    );
    process.stderr.write(`packaging: npm install took ${Math.round(performance.now() - started)} ms\n`);
    installedPackage = await realpath(join(project, "node_modules/sigil-zero"));
    sigil = join(project, "node_modules/.bin/sigil");
  }, INSTALL_TIMEOUT_MS);

  afterAll(async () => {
    await dir?.[Symbol.asyncDispose]();
  });

  test("the tarball holds the CLI bundle and no sources, tests, benchmark data or caches", () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        "bin/sigil.cjs",
        "bin/code-cache.cjs",
        "bin/verify-worker.cjs",
        "lib/sigil.cjs",
        "lib/verify-worker.cjs",
      ]),
    );
    const unwanted = packed.filter(
      (p) =>
        /^(src|test|bench|\.bench|scripts|artifacts|node_modules)\//.test(p) ||
        /(^|\/)(tests|__pycache__)\//.test(p) ||
        /\.(cache|pyc|tmp)$/.test(p),
    );
    expect(unwanted).toEqual([]);
  });

  test("the installed sigil lists its commands", async () => {
    const help = await execa(sigil, ["--help"], { cwd: project });
    for (const command of ["run", "verify", "reindex", "job"]) {
      expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, "m"));
    }
  });

  test("the installed sigil runs a processor from the installed package in mock mode", async () => {
    const world = join(project, "world");
    const run = await execa(
      sigil,
      [
        "run",
        "--ref",
        "llm/litellm@1",
        "--adapter",
        "local",
        "--mode",
        "mock",
        "--json",
        "--root",
        installedPackage,
        "--world",
        world,
        "--inputs-json",
        HI,
      ],
      { cwd: project, env: { PATH: process.env.PATH, HOME: project }, extendEnv: false, reject: false },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const lines = run.stdout.split("\n").filter((l) => l.trim() !== "");
    expect(lines).toHaveLength(1);
    const envelope = Envelope.parse(parseJsonStrict(lines[0] ?? ""));
    expect(envelope.status).toBe("success");
    // verify runs its checks in worker threads started from the package's bin/verify-worker.cjs.
    const verify = await execa(sigil, ["verify", world, "--json"], {
      cwd: project,
      env: { PATH: process.env.PATH, HOME: project },
      extendEnv: false,
      reject: false,
    });
    expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);
    expect(parseJsonStrict(verify.stdout)).toMatchObject({ ok: true, executions: 1, findings: [] });
  });

  test("the installed sigil scaffolds a repository whose processor runs on the package's own runtime", async () => {
    const repo = join(project, "widgets");
    await mkdir(repo);
    const env = { PATH: process.env.PATH, HOME: project };
    const init = await execa(sigil, ["init", "--repo", "acme/widgets", "--json"], {
      cwd: repo,
      env,
      extendEnv: false,
      reject: false,
    });
    expect(init.exitCode, init.stdout + init.stderr).toBe(0);
    expect(packed).toEqual(
      expect.arrayContaining(["processors/_runtime/pyproject.toml", "processors/_runtime/cli.py"]),
    );
    const run = await execa(sigil, ["run", "--ref", "example/echo@1", "--mode", "mock", "--json"], {
      cwd: repo,
      env,
      extendEnv: false,
      reject: false,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(Envelope.parse(parseJsonStrict(run.stdout.trim())).status).toBe("success");
  });

  // No Docker engine runs here, so app.Dockerfile is checked in two halves: its instructions
  // name files that exist and copy into the image what the App needs; and those very files,
  // with production dependencies only (what `npm prune --omit=dev` leaves), serve the App.
  test("app.Dockerfile copies what exists, and its image's contents start the App it names", async () => {
    const dockerfile = await readFile(join(REPO_ROOT, "app.Dockerfile"), "utf8");
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages).toHaveLength(2);
    const copies = (stage: string) =>
      [...stage.matchAll(/^COPY (--from=\S+ )?(.+)$/gm)].map((m) => ({
        from: m[1] ?? "",
        sources: (m[2] ?? "").trim().split(/\s+/).slice(0, -1),
      }));
    for (const copy of copies(stages[0] ?? "")) {
      for (const source of copy.sources) await access(join(REPO_ROOT, source));
    }
    const runtime = copies(stages[1] ?? "").flatMap((c) => c.sources.map((s) => s.replace(/^\/app\//, "")));
    expect(runtime.sort()).toEqual(["bin", "lib", "node_modules", "package.json"]);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "bin\/sigil\.cjs", "app"\]$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*'\/healthz'/m);
    expect(HEALTH_PATH).toBe("/healthz");

    const child = execa(process.execPath, [join(installedPackage, "bin/sigil.cjs"), "app"], {
      cwd: project,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        APP_ID: "4242",
        PRIVATE_KEY,
        WEBHOOK_SECRET: "docker-secret",
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
      },
      extendEnv: false,
      reject: false,
    });
    try {
      const url = await appListeningUrl(child);
      expect((await fetch(`${url}${HEALTH_PATH}`)).status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
    const done = await child;
    expect(done.exitCode, String(done.stderr)).toBe(143);
  });
});
