import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import yazl from "yazl";
import { SigilError } from "../../src/core/index.js";
import { extractZip } from "../../src/governance/index.js";
import { tempDir } from "../helpers/temp.js";

type Item = { name: string; bytes?: Buffer; mode?: number; dir?: boolean; compress?: boolean };

/** A zip written by yazl; hostile names are written as same-length placeholders, then patched in. */
async function zipOf(items: Item[], patches: [string, string][] = []): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const item of items) {
    if (item.dir) zip.addEmptyDirectory(item.name);
    else
      zip.addBuffer(item.bytes ?? Buffer.from(`${item.name}\n`), item.name, {
        ...(item.mode !== undefined ? { mode: item.mode } : {}),
        compress: item.compress ?? true,
      });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  let bytes = Buffer.concat(chunks);
  for (const [from, to] of patches) {
    expect(Buffer.byteLength(from)).toBe(Buffer.byteLength(to));
    bytes = Buffer.from(bytes.toString("latin1").split(from).join(to), "latin1");
  }
  return bytes;
}

/** Rewrites the first entry's uncompressed size in its local header and the central directory. */
function lieAboutSize(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  expect(out.readUInt32LE(0)).toBe(0x04034b50);
  out.writeUInt32LE(size, 22);
  const central = out.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  out.writeUInt32LE(size, central + 24);
  return out;
}

const LIMITS = { maxEntryBytes: 1024 * 1024, maxTotalBytes: 1536 * 1024, maxEntries: 100 };

async function refused(zip: Buffer, reason: string, limits = LIMITS): Promise<SigilError> {
  await using parent = await tempDir("sigil-extract-parent-");
  const error = await extractZip(zip, limits, parent.path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SigilError);
  const sigil = error as SigilError;
  expect(sigil.code).toBe("ERR_ARTIFACT_UNSAFE");
  expect(sigil.message).toContain("artifact archive is unsafe");
  expect(sigil.details.reason).toBe(reason);
  // Nothing outside the temp dir, and the temp dir itself is gone.
  expect(await readdir(parent.path)).toEqual([]);
  return sigil;
}

describe("artifact extraction (zip-slip-safe, size-limited)", () => {
  test("a well-formed World extracts into a temp dir that disposal removes", async () => {
    const zip = await zipOf([
      { name: "job/0123456789abcdef/", dir: true },
      { name: "job/0123456789abcdef/manifest.json", bytes: Buffer.from("{}") },
      { name: "job/0123456789abcdef/outputs/post.md", bytes: Buffer.from("# hi\n") },
    ]);
    let dir = "";
    {
      await using extracted = await extractZip(zip, LIMITS);
      dir = extracted.dir;
      expect(extracted.files).toEqual([
        "job/0123456789abcdef/manifest.json",
        "job/0123456789abcdef/outputs/post.md",
      ]);
      expect(await readFile(join(dir, "job/0123456789abcdef/outputs/post.md"), "utf8")).toBe("# hi\n");
      expect(extracted.bytes).toBe(7);
    }
    await expect(readdir(dir)).rejects.toThrow();
  });

  test("../ in a name is refused, nothing is written outside", async () => {
    const zip = await zipOf(
      [{ name: "ok.txt" }, { name: "aaaaa/evil.txt" }],
      [["aaaaa/evil.txt", "../../evil.txt"]],
    );
    const error = await refused(zip, "path");
    expect(error.message).toContain("../../evil.txt");
  });

  test("an absolute path is refused", async () => {
    const zip = await zipOf(
      [{ name: "tmp/evil-absolute.txt" }],
      [["tmp/evil-absolute.txt", "/tmp/evil-absolute.tx"]],
    );
    await refused(zip, "path");
  });

  test("a backslash (a Windows traversal) is refused", async () => {
    const zip = await zipOf([{ name: "aa/aa/evil.txt" }], [["aa/aa/evil.txt", "..\\..\\evil.txt"]]);
    await refused(zip, "path");
  });

  test("a symbolic link entry is refused", async () => {
    const zip = await zipOf([{ name: "link", bytes: Buffer.from("/etc/passwd"), mode: 0o120777 }]);
    const error = await refused(zip, "symlink");
    expect(error.message).toContain("symbolic link");
  });

  test("a duplicate entry is refused, also when only the case differs", async () => {
    await refused(
      await zipOf([{ name: "a/one.txt" }, { name: "a/two.txt" }], [["a/two.txt", "a/one.txt"]]),
      "duplicate",
    );
    await refused(await zipOf([{ name: "a/one.txt" }, { name: "a/ONE.txt" }]), "duplicate");
  });

  test("a zip bomb over the per-entry limit is refused from its header", async () => {
    const zip = await zipOf([{ name: "bomb.bin", bytes: Buffer.alloc(8 * 1024 * 1024) }]);
    expect(zip.length).toBeLessThan(64 * 1024);
    await refused(zip, "size");
  });

  test("a bomb whose header lies about its size is stopped on the bytes actually inflated", async () => {
    const zip = lieAboutSize(await zipOf([{ name: "liar.bin", bytes: Buffer.alloc(8 * 1024 * 1024) }]), 100);
    const error = await refused(zip, "corrupt");
    expect(error.message).toMatch(/bytes/);
  });

  test("entries within the per-entry limit but over the total limit are refused", async () => {
    const part = Buffer.alloc(700 * 1024, 1);
    await refused(
      await zipOf([
        { name: "a.bin", bytes: part },
        { name: "b.bin", bytes: part },
        { name: "c.bin", bytes: part },
      ]),
      "size",
    );
  });

  test("too many entries, and bytes that are not a zip, are refused", async () => {
    await refused(await zipOf(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}.txt` }))), "entries", {
      ...LIMITS,
      maxEntries: 4,
    });
    await refused(Buffer.from("not a zip at all"), "corrupt");
  });
});
