import { describe, expect, test } from "vitest";
import { createHttpClient, type HttpClientOptions, SigilError } from "../../src/core/index.js";
import { captureLogger } from "../helpers/logs.js";
import { loopbackServer, recordingSleep, refusedUrl } from "../helpers/loopback-http.js";

/** A client with a recording sleep and a fixed jitter, over real fetch to a real server. */
function client(options: Partial<HttpClientOptions> = {}) {
  const { delays, sleep } = recordingSleep();
  const http = createHttpClient({ timeoutMs: 10_000, sleep, random: () => 0.5, ...options });
  return { http, delays };
}

async function rejection(promise: Promise<unknown>): Promise<SigilError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SigilError)) throw new Error(`expected a SigilError, got ${String(error)}`);
  return error;
}

describe("createHttpClient over real loopback HTTP (docs/network.md)", () => {
  test("500 then 200: succeeds with 2 requests after one backoff wait", async () => {
    await using server = await loopbackServer((_req, res, n) => {
      if (n === 0) res.writeHead(500).end("boom");
      else res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
    const { http, delays } = client({ retry: { baseDelayMs: 100 } });
    const response = await http.request(`${server.url}/thing`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok");
    expect(server.requests).toHaveLength(2);
    expect(delays).toEqual([50]);
  });

  test("429 with Retry-After: 1 waits 1000 ms, then succeeds", async () => {
    await using server = await loopbackServer((_req, res, n) => {
      if (n === 0) res.writeHead(429, { "retry-after": "1" }).end();
      else res.writeHead(200).end("done");
    });
    const { http, delays } = client();
    const response = await http.request(`${server.url}/limited`);
    expect(await response.text()).toBe("done");
    expect(delays).toEqual([1000]);
    expect(server.requests).toHaveLength(2);
  });

  test("persistent 503: ERR_HTTP after maxAttempts, the status in the message", async () => {
    await using server = await loopbackServer((_req, res) => res.writeHead(503).end());
    const { http, delays } = client();
    const error = await rejection(http.request(`${server.url}/down`));
    expect(error.code).toBe("ERR_HTTP");
    expect(error.message).toContain("HTTP request failed");
    expect(error.message).toContain("503");
    expect(error.message).toContain("after 4 attempts");
    expect(error.details).toMatchObject({ status: 503, attempts: 4, method: "GET" });
    expect(server.requests).toHaveLength(4);
    expect(delays).toHaveLength(3);
  });

  test("a 4xx other than 429 is the caller's to read: returned at once, not retried", async () => {
    await using server = await loopbackServer((_req, res) => res.writeHead(404).end("missing"));
    const { http, delays } = client();
    const response = await http.request(`${server.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("missing");
    expect(server.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  test("POST is not retried unless the caller opts in", async () => {
    await using server = await loopbackServer((_req, res, n) => {
      if (n === 2) res.writeHead(201).end();
      else res.writeHead(503).end();
    });
    const { http } = client();
    const error = await rejection(http.request(`${server.url}/upload`, { method: "POST", body: "x" }));
    expect(error.message).toContain("after 1 attempt");
    expect(server.requests).toHaveLength(1);

    const response = await http.request(`${server.url}/upload`, {
      method: "POST",
      body: "payload",
      retry: { retryNonIdempotent: true },
    });
    expect(response.status).toBe(201);
    expect(server.requests.map((r) => r.body)).toEqual(["x", "payload", "payload"]);
  });

  test("a server that never answers: ERR_HTTP_TIMEOUT at the client's deadline", async () => {
    await using server = await loopbackServer(() => {
      // Never answers: the client's per-attempt timeout is what is under test.
    });
    const { http, delays } = client({ timeoutMs: 200, retry: { maxAttempts: 2 } });
    const error = await rejection(http.request(`${server.url}/hang`));
    expect(error.code).toBe("ERR_HTTP_TIMEOUT");
    expect(error.message).toContain("HTTP request timed out");
    expect(error.message).toContain("no response within 200 ms");
    expect(delays).toHaveLength(1);
  });

  test("a Retry-After beyond the overall deadline ends at once with the last status", async () => {
    await using server = await loopbackServer((_req, res) =>
      res.writeHead(503, { "retry-after": "10" }).end(),
    );
    const { http, delays } = client({ deadlineMs: 5_000 });
    const error = await rejection(http.request(`${server.url}/slow`));
    expect(error.code).toBe("ERR_HTTP");
    expect(error.message).toContain("503");
    expect(delays).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  test("connection refused: ERR_HTTP naming the cause", async () => {
    const url = await refusedUrl();
    const { http, delays } = client({ retry: { maxAttempts: 2 } });
    const error = await rejection(http.request(`${url}/x`));
    expect(error.code).toBe("ERR_HTTP");
    expect(error.message).toContain("ECONNREFUSED");
    expect(delays).toHaveLength(1);
  });

  test("the caller's abort rejects with its own reason and stops retrying", async () => {
    await using server = await loopbackServer((_req, res) => res.writeHead(503).end());
    const controller = new AbortController();
    const http = createHttpClient({
      timeoutMs: 10_000,
      sleep: async () => controller.abort(new Error("caller gave up")),
    });
    await expect(http.request(server.url, { signal: controller.signal })).rejects.toThrow("caller gave up");
    expect(server.requests).toHaveLength(1);
  });

  test("no Authorization value, URL credential or query string reaches a log line", async () => {
    await using server = await loopbackServer((_req, res, n) => {
      if (n === 0) res.writeHead(502).end();
      else res.writeHead(200).end();
    });
    // No redaction in the logger: the client itself must not emit the secrets.
    const { logger, raw, lines } = captureLogger({ redact: (text) => text });
    const { http } = client({ logger });
    const response = await http.request(`${server.url}/v2/blob?X-Signature=query-secret-1`, {
      headers: { authorization: "Bearer header-secret-1" },
    });
    expect(response.status).toBe(200);
    expect(server.requests[0]?.headers.authorization).toBe("Bearer header-secret-1");
    expect(lines.some((line) => line.event === "http.retry" && line.status === 502)).toBe(true);
    const logged = raw.join("");
    expect(logged).toContain(`${server.url}/v2/blob`);
    expect(logged).not.toContain("header-secret-1");
    expect(logged).not.toContain("query-secret-1");
  });

  test("URL credentials stay out of the error message", async () => {
    const url = await refusedUrl();
    const { http } = client({ retry: { maxAttempts: 1 } });
    const error = await rejection(http.request(url.replace("http://", "http://user:url-secret-1@")));
    expect(error.code).toBe("ERR_HTTP");
    expect(error.message).not.toContain("url-secret-1");
    expect(JSON.stringify(error.details)).not.toContain("url-secret-1");
  });
});
