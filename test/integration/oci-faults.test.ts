import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createHttpClient, SigilError } from "../../src/core/index.js";
import {
  assertMultiArch,
  createRegistryClient,
  inspectManifest,
  parseOciReference,
  type RegistryCredentials,
} from "../../src/supply/index.js";
import { recordingSleep } from "../helpers/loopback-http.js";
import { registryProxy } from "../helpers/oci-proxy.js";
import { startRegistry, type TestRegistry } from "../helpers/oci-registry.js";

let plain: TestRegistry;
let guarded: TestRegistry;
const USER = { username: "ci-bot", password: "s3cret-registry-password" };

beforeAll(async () => {
  [plain, guarded] = await Promise.all([
    startRegistry(),
    startRegistry({ token: { user: USER.username, password: USER.password } }),
  ]);
  await plain.push("acme/app/svc", "v1");
  await guarded.push("acme/app/private", "v1");
  await guarded.push("acme/app/private2", "v1", { seed: "two" });
});
afterAll(async () => {
  await plain?.[Symbol.asyncDispose]();
  await guarded?.[Symbol.asyncDispose]();
});

function clientFor(options: { creds?: RegistryCredentials; timeoutMs?: number } = {}) {
  const sleeper = recordingSleep();
  let requests = 0;
  const http = createHttpClient({
    timeoutMs: options.timeoutMs ?? 10_000,
    sleep: sleeper.sleep,
    random: () => 0.5,
    fetch: (input, init) => {
      requests++;
      return fetch(input, init);
    },
  });
  const client = createRegistryClient({
    http,
    ...(options.creds ? { credentials: () => options.creds } : {}),
  });
  return {
    client,
    delays: sleeper.delays,
    get requests() {
      return requests;
    },
    assert: async (image: string) =>
      assertMultiArch(inspectManifest(await client.getManifest(parseOciReference(image))), [
        "linux/amd64",
        "linux/arm64",
      ]),
  };
}

async function failure(promise: Promise<unknown>): Promise<SigilError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SigilError);
  return error as SigilError;
}

describe("bytes are verified against their digest", () => {
  const tamper = (body: Buffer) =>
    Buffer.from(body.toString().replace('"schemaVersion":2', '"schemaVersion": 2'));

  test("a tampered answer by tag disagrees with Docker-Content-Digest and is refused", async () => {
    await using proxy = await registryProxy(plain.url, (req) =>
      req.url?.includes("/manifests/") ? { pass: true, alter: tamper } : { pass: true },
    );
    const error = await failure(clientFor().assert(`${proxy.host}/acme/app/svc:v1`));
    expect(error.code).toBe("ERR_IMAGE_DIGEST_MISMATCH");
    expect(error.message).toContain("registry content does not match its digest");
    expect(error.message).toContain("Docker-Content-Digest");
  });

  test("a tampered answer by digest is refused even when the registry sends no digest header", async () => {
    const { digest } = await plain.push("acme/app/svc", "v1");
    await using proxy = await registryProxy(plain.url, (req) =>
      req.url?.includes("/manifests/")
        ? {
            pass: true,
            alter: (body, headers) => {
              headers.delete("docker-content-digest");
              return tamper(body);
            },
          }
        : { pass: true },
    );
    const error = await failure(clientFor().assert(`${proxy.host}/acme/app/svc@${digest}`));
    expect(error.code).toBe("ERR_IMAGE_DIGEST_MISMATCH");
    expect(error.message).toContain(`asked for ${digest}`);
  });
});

describe("transport outcomes", () => {
  test("500 then 200: retried once, then passes", async () => {
    await using proxy = await registryProxy(plain.url, (_req, n) =>
      n === 0 ? { answer: (res) => res.writeHead(500).end("boom") } : { pass: true },
    );
    const c = clientFor();
    const result = await c.assert(`${proxy.host}/acme/app/svc:v1`);
    expect(result.platforms).toEqual(["linux/amd64", "linux/arm64"]);
    expect(c.delays).toHaveLength(1);
    expect(c.requests).toBe(2);
  });

  test("500 on every attempt: ERR_HTTP after the policy's attempts", async () => {
    await using proxy = await registryProxy(plain.url, () => ({
      answer: (res) => res.writeHead(503, { "retry-after": "1" }).end(),
    }));
    const c = clientFor();
    const error = await failure(c.assert(`${proxy.host}/acme/app/svc:v1`));
    expect(error.code).toBe("ERR_HTTP");
    expect(error.message).toContain("503");
    expect(c.delays).toEqual([1000, 1000, 1000]);
  });

  test("a registry that never answers: ERR_HTTP_TIMEOUT", async () => {
    await using proxy = await registryProxy(plain.url, () => ({ answer: () => undefined }));
    const error = await failure(clientFor({ timeoutMs: 300 }).assert(`${proxy.host}/acme/app/svc:v1`));
    expect(error.code).toBe("ERR_HTTP_TIMEOUT");
  });

  test("GHCR's DENIED without WWW-Authenticate is ERR_REGISTRY_AUTH that says so", async () => {
    await using proxy = await registryProxy(plain.url, () => ({
      answer: (res) =>
        res
          .writeHead(401, { "content-type": "application/json" })
          .end('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}'),
    }));
    const error = await failure(clientFor().assert(`${proxy.host}/acme/app/svc:v1`));
    expect(error.code).toBe("ERR_REGISTRY_AUTH");
    expect(error.message).toContain("registry authentication failed");
    expect(error.message).toContain("without a WWW-Authenticate challenge");
  });
});

describe("the bearer-token flow against a token-auth registry", () => {
  test("401 without credentials: ERR_REGISTRY_AUTH naming the missing credentials", async () => {
    const error = await failure(clientFor().assert(`${guarded.host}/acme/app/private:v1`));
    expect(error.code).toBe("ERR_REGISTRY_AUTH");
    expect(error.message).toContain("no credentials were given");
  });

  test("wrong credentials are refused by the token endpoint: ERR_REGISTRY_AUTH", async () => {
    const error = await failure(
      clientFor({ creds: { username: USER.username, password: "wrong-password" } }).assert(
        `${guarded.host}/acme/app/private:v1`,
      ),
    );
    expect(error.code).toBe("ERR_REGISTRY_AUTH");
    expect(error.message).toContain("refused");
  });

  test("with credentials: challenge, token, manifest; then one request per image, token reused per scope", async () => {
    const c = clientFor({ creds: USER });
    const before = guarded.issuer?.requests.length ?? 0;
    await c.assert(`${guarded.host}/acme/app/private:v1`);
    expect(c.requests).toBe(3); // 401 challenge, token, manifest
    await c.assert(`${guarded.host}/acme/app/private:v1`);
    expect(c.requests).toBe(4); // cached token: one request
    await c.assert(`${guarded.host}/acme/app/private2:v1`);
    expect(c.requests).toBe(6); // known realm: token for the new scope, then the manifest
    const issued = guarded.issuer?.requests.slice(before) ?? [];
    expect(issued.map((r) => r.scope)).toEqual([
      "repository:acme/app/private:pull",
      "repository:acme/app/private2:pull",
    ]);
    expect(issued.every((r) => r.basic)).toBe(true);
  });
});
