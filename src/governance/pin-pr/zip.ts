import { type Entry, fromBuffer, type ZipFile } from "yauzl";
import { SigilError } from "../../core/index.js";

export interface ZipLimits {
  /** The archive itself; anything larger is refused before it is opened. */
  maxArchiveBytes: number;
  /** Each entry read; an entry claiming or yielding more is refused. */
  maxEntryBytes: number;
  /** How many entries may be read in all. */
  maxEntries: number;
}

export interface ZipRead {
  /** The archive comment: a GitHub zipball carries the commit id there. */
  comment: string;
  /** Entry name → bytes, only the entries `want` chose. */
  entries: Map<string, Buffer>;
}

/**
 * Reads the entries `want` chooses from a zip held in memory, each bounded by `limits`, and
 * skips every other entry without inflating it. Untrusted bytes: any malformation is
 * ERR_PIN_ARTIFACT (the caller says which archive it was).
 */
export async function readZipEntries(
  bytes: Buffer,
  want: (name: string) => boolean,
  limits: ZipLimits,
  what: string,
): Promise<ZipRead> {
  if (bytes.length > limits.maxArchiveBytes)
    throw new SigilError(
      "ERR_PIN_ARTIFACT",
      `${what} is ${bytes.length} bytes, above ${limits.maxArchiveBytes}`,
    );
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true }, (err, z) =>
      err ? reject(err) : resolve(z),
    ),
  ).catch((error: unknown) => {
    throw new SigilError("ERR_PIN_ARTIFACT", `${what} is not a readable zip: ${(error as Error).message}`);
  });
  const entries = new Map<string, Buffer>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on("error", reject);
      zip.on("end", () => resolve());
      zip.on("entry", (entry: Entry) => {
        if (entry.fileName.endsWith("/") || !want(entry.fileName)) {
          zip.readEntry();
          return;
        }
        if (entries.size >= limits.maxEntries || entry.uncompressedSize > limits.maxEntryBytes) {
          reject(new Error(`${entry.fileName} is above the size or count limit`));
          return;
        }
        readEntry(zip, entry, limits.maxEntryBytes).then((data) => {
          entries.set(entry.fileName, data);
          zip.readEntry();
        }, reject);
      });
      zip.readEntry();
    });
  } catch (error) {
    throw new SigilError("ERR_PIN_ARTIFACT", `${what}: ${(error as Error).message}`);
  } finally {
    zip.close();
  }
  return { comment: zip.comment, entries };
}

function readEntry(zip: ZipFile, entry: Entry, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) stream.destroy(new Error(`${entry.fileName} is above ${max} bytes`));
        else chunks.push(chunk);
      });
      stream.on("error", reject);
      stream.on("end", () => resolve(Buffer.concat(chunks)));
    });
  });
}
