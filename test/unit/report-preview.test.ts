import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { newPreviewBudget, PREVIEW_LIMITS, previewOutput } from "../../src/report/index.js";
import { tempDir } from "../helpers/temp.js";

/** The smallest valid PNG: a 1×1 transparent pixel. */
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);

async function run(files: Record<string, string | Buffer>): Promise<{ path: string } & AsyncDisposable> {
  const dir = await tempDir("sigil-preview-");
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(join(dir.path, path, ".."), { recursive: true });
    await writeFile(join(dir.path, path), bytes);
  }
  return dir;
}

describe("output previews are bounded and never trust a name", () => {
  test("text: the first lines and characters, said when cut; not UTF-8 is not previewed", async () => {
    const long = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n");
    await using dir = await run({
      "outputs/a.txt": "hello\n",
      "outputs/long.md": long,
      "outputs/bad.json": Buffer.from([0x7b, 0xff, 0x7d]),
      "outputs/data.bin": "text, but not a text extension",
    });
    const budget = newPreviewBudget();
    expect(previewOutput(dir.path, "outputs/a.txt", 6, budget)).toEqual({
      kind: "text",
      text: "hello\n",
      truncated: false,
    });
    const cut = previewOutput(dir.path, "outputs/long.md", long.length, budget);
    expect(cut).toMatchObject({ kind: "text", truncated: true });
    expect(cut?.kind === "text" && cut.text.split("\n")).toHaveLength(PREVIEW_LIMITS.textLines);
    expect(previewOutput(dir.path, "outputs/bad.json", 3, budget)).toEqual({
      kind: "none",
      why: "not UTF-8 text",
    });
    expect(previewOutput(dir.path, "outputs/data.bin", 10, budget)).toBeUndefined();
  });

  test("images: inlined by their bytes' type, within the size limit and the report's budget", async () => {
    await using dir = await run({
      "outputs/pixel.png": PNG,
      "outputs/liar.png": "<svg onload=alert(1)>",
      "outputs/huge.jpg": Buffer.alloc(PREVIEW_LIMITS.imageBytes + 1, 0xff),
    });
    const budget = newPreviewBudget();
    const pixel = previewOutput(dir.path, "outputs/pixel.png", PNG.length, budget);
    expect(pixel).toEqual({
      kind: "image",
      mime: "image/png",
      dataUri: `data:image/png;base64,${PNG.toString("base64")}`,
    });
    expect(budget.imageBytesLeft).toBe(PREVIEW_LIMITS.imageBudget - PNG.length);
    expect(previewOutput(dir.path, "outputs/liar.png", 21, budget)).toEqual({
      kind: "none",
      why: "not a PNG, JPEG, GIF or WebP image",
    });
    expect(previewOutput(dir.path, "outputs/huge.jpg", PREVIEW_LIMITS.imageBytes + 1, budget)).toMatchObject({
      kind: "none",
      why: "image too large to inline",
    });
    budget.imageBytesLeft = 10;
    expect(previewOutput(dir.path, "outputs/pixel.png", PNG.length, budget)).toMatchObject({ kind: "none" });
  });

  test("a link, a climbing path or a missing file is never read", async () => {
    await using outside = await run({ "secret.txt": "secret" });
    await using dir = await run({ "outputs/ok.txt": "ok" });
    await symlink(join(outside.path, "secret.txt"), join(dir.path, "outputs/link.txt"));
    const budget = newPreviewBudget();
    expect(previewOutput(dir.path, "outputs/link.txt", 6, budget)).toEqual({
      kind: "none",
      why: "not readable",
    });
    expect(previewOutput(dir.path, "../secret.txt", 6, budget)).toEqual({
      kind: "none",
      why: "not readable",
    });
    expect(previewOutput(dir.path, "outputs/gone.txt", 6, budget)).toEqual({
      kind: "none",
      why: "not readable",
    });
  });
});
