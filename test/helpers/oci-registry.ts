// A real OCI registry on loopback: Debian's `docker-registry` (Docker's distribution), started per
// test file with its own storage and port, optionally behind token auth with a tiny issuer here.
import { createSign, randomUUID, X509Certificate } from "node:crypto";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { type BuiltImage, buildImage, pushImage } from "./oci-images.mjs";
import { tempDir } from "./temp.js";

const INSTALL_HINT =
  "docker-registry is not installed: run `apt-get install -y docker-registry skopeo` (Debian), or put Docker's distribution registry on PATH as docker-registry";

async function onPath(command: string): Promise<boolean> {
  const found = await execa("sh", ["-c", `command -v ${command}`], { reject: false });
  return found.exitCode === 0;
}

/**
 * Installs the registry (and skopeo) once per machine when it is missing and we may: as root on
 * Debian. `flock` serializes the test files that vitest runs in parallel; the second one finds it
 * installed. Anywhere else it throws how to install it: never a silent skip.
 */
export async function ensureRegistryInstalled(): Promise<void> {
  if (await onPath("docker-registry")) return;
  if (process.getuid?.() !== 0 || !existsSync("/etc/debian_version")) throw new Error(INSTALL_HINT);
  const script =
    "command -v docker-registry >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry skopeo)";
  const result = await execa("flock", ["/tmp/sigil-apt-docker-registry.lock", "sh", "-c", script], {
    reject: false,
    all: true,
  });
  if (result.exitCode !== 0 || !(await onPath("docker-registry")))
    throw new Error(`${INSTALL_HINT}\napt-get said:\n${String(result.all).slice(-2000)}`);
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Polls `/v2/` until the registry answers (any status), bounded by `limitMs`, or the process dies. */
async function waitReady(url: string, child: ResultPromise, limitMs = 20_000): Promise<void> {
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const started = Date.now();
  while (Date.now() - started < limitMs && !exited) {
    try {
      const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error(
    exited ? "docker-registry exited before it was ready" : `docker-registry not ready within ${limitMs} ms`,
  );
}

export interface TokenIssuer {
  url: string;
  /** Requests the issuer answered, with the scope asked and whether credentials came. */
  requests: { scope: string; basic: boolean }[];
  /** A token for `repository` with the given actions, as the issuer would grant it. */
  mint(repository: string, actions: string[]): string;
}

export interface TestRegistry extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>`, the registry part of image references. */
  host: string;
  issuer?: TokenIssuer;
  /** Builds and pushes an image; returns its reference by digest and the built image. */
  push(
    repository: string,
    tag: string,
    options?: { platforms?: string[]; attestations?: boolean; seed?: string; single?: boolean },
  ): Promise<{ digest: string; image: BuiltImage; byTag: string; byDigest: string }>;
}

export interface RegistryOptions {
  /** Token auth: `user`/`password` may pull and push; anonymous may pull only if `anonymousPull`. */
  token?: { user: string; password: string; anonymousPull?: boolean };
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  await ensureRegistryInstalled();
  const dir = await tempDir("sigil-registry-");
  const closers: (() => Promise<void>)[] = [];
  let issuer: (TokenIssuer & { close(): Promise<void> }) | undefined;
  try {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    let auth = "";
    if (options.token) {
      issuer = await startTokenIssuer(dir.path, options.token);
      closers.push(issuer.close);
      auth = `auth:
  token:
    realm: ${issuer.url}/token
    service: sigil-test-registry
    issuer: sigil-test-issuer
    rootcertbundle: ${join(dir.path, "cert.pem")}
`;
    }
    const config = join(dir.path, "config.yml");
    await writeFile(
      config,
      `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir.path, "storage")}
http:
  addr: ${host}
${auth}`,
    );
    const child = execa("docker-registry", ["serve", config], { reject: false, stdin: "ignore" });
    closers.push(async () => {
      child.kill("SIGTERM");
      await child;
    });
    const url = `http://${host}`;
    await waitReady(url, child);
    return {
      url,
      host,
      ...(issuer ? { issuer } : {}),
      async push(repository, tag, pushOptions = {}) {
        const image = buildImage(pushOptions);
        const digest = await pushImage(url, repository, tag, image, {
          ...(issuer ? { authorization: `Bearer ${issuer.mint(repository, ["pull", "push"])}` } : {}),
          ...(pushOptions.single ? { single: true } : {}),
        });
        return {
          digest,
          image,
          byTag: `${host}/${repository}:${tag}`,
          byDigest: `${host}/${repository}@${digest}`,
        };
      },
      async [Symbol.asyncDispose]() {
        for (const close of closers.reverse()) await close().catch(() => undefined);
        await dir[Symbol.asyncDispose]();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await dir[Symbol.asyncDispose]();
    throw error;
  }
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/** A token issuer as distribution's token spec describes: ES256 JWTs whose x5c chain is the registry's trusted cert. */
async function startTokenIssuer(
  dir: string,
  creds: { user: string; password: string; anonymousPull?: boolean },
) {
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  await execa("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "2",
    "-subj",
    "/CN=sigil-test-issuer",
  ]);
  const keyPem = await readFile(key, "utf8");
  const der = new X509Certificate(await readFile(cert)).raw.toString("base64");
  const mint = (repository: string, actions: string[]) => {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: "ES256", typ: "JWT", x5c: [der] }));
    const claims = b64url(
      JSON.stringify({
        iss: "sigil-test-issuer",
        sub: creds.user,
        aud: "sigil-test-registry",
        exp: now + 300,
        nbf: now - 60,
        iat: now,
        jti: randomUUID(),
        access: actions.length ? [{ type: "repository", name: repository, actions }] : [],
      }),
    );
    const signer = createSign("SHA256");
    signer.update(`${header}.${claims}`);
    const signature = signer.sign({ key: keyPem, dsaEncoding: "ieee-p1363" });
    return `${header}.${claims}.${b64url(signature)}`;
  };
  const requests: { scope: string; basic: boolean }[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const scope = url.searchParams.get("scope") ?? "";
    const header = req.headers.authorization ?? "";
    const basic = header.startsWith("Basic ");
    requests.push({ scope, basic });
    const [user, password] = basic ? Buffer.from(header.slice(6), "base64").toString().split(":") : [];
    const good = basic && user === creds.user && password === creds.password;
    if (basic && !good) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    const [, repository = "", wanted = ""] = /^repository:([^:]+):(.+)$/.exec(scope) ?? [];
    const actions = good ? wanted.split(",") : creds.anonymousPull ? ["pull"] : [];
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ token: mint(repository, actions), expires_in: 300 }));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    mint,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
