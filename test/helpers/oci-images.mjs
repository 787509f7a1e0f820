// Multi-arch images built in memory and pushed over the distribution API with plain fetch: no
// Docker daemon. Plain JavaScript so the fake `docker` on PATH (test/fixtures/fake-docker) can
// push with the same code the TypeScript tests use.
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
const IN_TOTO = "application/vnd.in-toto+json";

const sha = (bytes) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const json = (value) => Buffer.from(JSON.stringify(value));

/** One 512-byte-header tar holding `name` with `content`, as a layer would. */
function tarOf(name, content) {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${content.length.toString(8).padStart(11, "0")}\0`, 124);
  header.write("00000000000\0", 136);
  header.write("        ", 148);
  header.write("0", 156);
  header.write("ustar\0", 257);
  header.write("00", 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  const padded = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  content.copy(padded);
  return Buffer.concat([header, padded, Buffer.alloc(1024)]);
}

function blob(mediaType, bytes) {
  return { mediaType, bytes, digest: sha(bytes), size: bytes.length };
}

/**
 * An image for each platform (`os/arch[/variant]`), optionally with a BuildKit-style attestation
 * manifest per platform, joined in an OCI index. `seed` makes distinct images distinct.
 */
export function buildImage({
  platforms = ["linux/amd64", "linux/arm64"],
  attestations = false,
  seed = "x",
} = {}) {
  const blobs = [];
  const manifests = [];
  const entries = [];
  for (const platform of platforms) {
    const [os, architecture, variant] = platform.split("/");
    const tar = tarOf("app/hello.txt", Buffer.from(`hello ${seed} ${platform}\n`));
    const layer = blob(OCI_LAYER, gzipSync(tar, { level: 9 }));
    const config = blob(
      OCI_CONFIG,
      json({
        architecture,
        os,
        ...(variant ? { variant } : {}),
        config: { Cmd: ["/app/hello"] },
        rootfs: { type: "layers", diff_ids: [sha(tar)] },
      }),
    );
    blobs.push(layer, config);
    const manifest = blob(
      OCI_MANIFEST,
      json({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
        layers: [{ mediaType: OCI_LAYER, digest: layer.digest, size: layer.size }],
      }),
    );
    manifests.push(manifest);
    const p = { architecture, os, ...(variant ? { variant } : {}) };
    entries.push({ mediaType: OCI_MANIFEST, digest: manifest.digest, size: manifest.size, platform: p });
    if (attestations) {
      const statement = blob(IN_TOTO, json({ _type: "https://in-toto.io/Statement/v0.1", seed, platform }));
      const emptyConfig = blob(
        OCI_CONFIG,
        json({ architecture: "unknown", os: "unknown", rootfs: { type: "layers", diff_ids: [] } }),
      );
      blobs.push(statement, emptyConfig);
      const att = blob(
        OCI_MANIFEST,
        json({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: OCI_CONFIG, digest: emptyConfig.digest, size: emptyConfig.size },
          layers: [{ mediaType: IN_TOTO, digest: statement.digest, size: statement.size }],
        }),
      );
      manifests.push(att);
      entries.push({
        mediaType: OCI_MANIFEST,
        digest: att.digest,
        size: att.size,
        platform: { architecture: "unknown", os: "unknown" },
        annotations: {
          "vnd.docker.reference.digest": manifest.digest,
          "vnd.docker.reference.type": "attestation-manifest",
        },
      });
    }
  }
  const index = blob(OCI_INDEX, json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries }));
  const platformDigests = Object.fromEntries(
    entries
      .filter((e) => e.platform.os !== "unknown")
      .map((e) => [
        [e.platform.os, e.platform.architecture, e.platform.variant].filter(Boolean).join("/"),
        e.digest,
      ]),
  );
  return { blobs, manifests, index, platformDigests };
}

async function ok(response, what) {
  if (response.ok) return response;
  const text = await response.text();
  throw new Error(`${what}: HTTP ${response.status} ${text.slice(0, 300)}`);
}

/**
 * Pushes `image` to `baseUrl` (`http://127.0.0.1:<port>`) as `repository:tag`: each blob by a
 * monolithic upload (POST, then PUT with `digest=`), each manifest by digest, the index by tag.
 * `single: true` pushes only the first platform's manifest under the tag. Returns the tagged digest.
 */
export async function pushImage(baseUrl, repository, tag, image, { authorization, single = false } = {}) {
  const headers = authorization ? { authorization } : {};
  for (const b of image.blobs) {
    const head = await fetch(`${baseUrl}/v2/${repository}/blobs/${b.digest}`, { method: "HEAD", headers });
    if (head.ok) continue;
    const start = await ok(
      await fetch(`${baseUrl}/v2/${repository}/blobs/uploads/`, { method: "POST", headers }),
      `start upload of ${b.digest}`,
    );
    const location = new URL(start.headers.get("location") ?? "", baseUrl);
    location.searchParams.set("digest", b.digest);
    await ok(
      await fetch(location, {
        method: "PUT",
        headers: { ...headers, "content-type": "application/octet-stream" },
        body: b.bytes,
      }),
      `upload ${b.digest}`,
    );
  }
  const putManifest = async (m, reference) =>
    ok(
      await fetch(`${baseUrl}/v2/${repository}/manifests/${reference}`, {
        method: "PUT",
        headers: { ...headers, "content-type": m.mediaType },
        body: m.bytes,
      }),
      `put manifest ${reference}`,
    );
  if (single) {
    const first = image.manifests[0];
    await putManifest(first, tag);
    return first.digest;
  }
  for (const m of image.manifests) await putManifest(m, m.digest);
  await putManifest(image.index, tag);
  return image.index.digest;
}
