import type { ServerResponse } from "node:http";
import { describe, expect, test } from "vitest";
import type { FetchPort, SigilError } from "../../src/core/index.js";
import { createOctokit, githubApiUrlFromEnv, githubBaseUrlFromEnv } from "../../src/github/index.js";
import { captureLogger } from "../helpers/logs.js";
import { loopbackServer } from "../helpers/loopback-http.js";

const REPO = { id: 1, name: "r", full_name: "o/r" };

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

/** A fetch port that counts the calls it forwards to the real fetch. */
function countingFetch() {
  const calls: string[] = [];
  const port: FetchPort = (input, init) => {
    calls.push(String(input));
    return fetch(input, init);
  };
  return { calls, port };
}

describe("createOctokit against a loopback GitHub (docs/network.md)", () => {
  test("baseUrl, auth token and user agent are honoured; fetch is the injected one", async () => {
    await using server = await loopbackServer((_req, res) => json(res, 200, REPO));
    const { calls, port } = countingFetch();
    const octokit = createOctokit({
      baseUrl: `${server.url}/api/v3/`,
      auth: "test-token-1",
      fetch: port,
      userAgent: "sigil-test",
    });
    const { data } = await octokit.rest.repos.get({ owner: "o", repo: "r" });
    expect(data.full_name).toBe("o/r");
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.url).toBe("/api/v3/repos/o/r");
    expect(server.requests[0]?.headers.authorization).toBe("token test-token-1");
    expect(server.requests[0]?.headers["user-agent"]).toContain("sigil-test");
    expect(calls).toEqual([`${server.url}/api/v3/repos/o/r`]);
  });

  test("500 then 200: plugin-retry sends the request again", async () => {
    await using server = await loopbackServer((_req, res, n) =>
      n === 0 ? json(res, 500, { message: "Server Error" }) : json(res, 200, REPO),
    );
    const octokit = createOctokit({ baseUrl: server.url, retryAfterBaseValue: 0 });
    const { data } = await octokit.rest.repos.get({ owner: "o", repo: "r" });
    expect(data.name).toBe("r");
    expect(server.requests).toHaveLength(2);
  });

  test("404 is final: plugin-retry leaves it to the caller", async () => {
    await using server = await loopbackServer((_req, res) => json(res, 404, { message: "Not Found" }));
    const octokit = createOctokit({ baseUrl: server.url, retryAfterBaseValue: 0 });
    await expect(octokit.rest.repos.get({ owner: "o", repo: "r" })).rejects.toMatchObject({ status: 404 });
    expect(server.requests).toHaveLength(1);
  });

  test("403 secondary rate limit with retry-after: 0 is retried by throttling, and logged", async () => {
    await using server = await loopbackServer((_req, res, n) =>
      n === 0
        ? json(
            res,
            403,
            { message: "You have exceeded a secondary rate limit. Please wait a few minutes." },
            { "retry-after": "0" },
          )
        : json(res, 200, REPO),
    );
    const { logger, lines } = captureLogger();
    const octokit = createOctokit({ baseUrl: server.url, logger, retryAfterBaseValue: 0 });
    const { data } = await octokit.rest.repos.get({ owner: "o", repo: "r" });
    expect(data.name).toBe("r");
    expect(server.requests).toHaveLength(2);
    expect(lines).toContainEqual(
      expect.objectContaining({
        event: "github.rate_limit",
        kind: "secondary",
        method: "GET",
        route: "/repos/{owner}/{repo}",
        retry_count: 0,
        will_retry: true,
      }),
    );
  });

  test("a persistent secondary rate limit gives up after maxRetries retries", async () => {
    await using server = await loopbackServer((_req, res) =>
      json(res, 403, { message: "You have exceeded a secondary rate limit." }, { "retry-after": "0" }),
    );
    const { logger, lines } = captureLogger();
    const octokit = createOctokit({
      baseUrl: server.url,
      logger,
      retryAfterBaseValue: 0,
      throttle: { maxRetries: 1 },
    });
    await expect(octokit.rest.repos.get({ owner: "o", repo: "r" })).rejects.toMatchObject({ status: 403 });
    expect(server.requests).toHaveLength(2);
    const limits = lines.filter((line) => line.event === "github.rate_limit");
    expect(limits.map((line) => line.will_retry)).toEqual([true, false]);
  });

  test("403 primary rate limit (x-ratelimit-remaining: 0) is retried by throttling", async () => {
    await using server = await loopbackServer((_req, res, n) =>
      n === 0
        ? json(
            res,
            403,
            { message: "API rate limit exceeded" },
            { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000)) },
          )
        : json(res, 200, REPO),
    );
    const { logger, lines } = captureLogger();
    const octokit = createOctokit({ baseUrl: server.url, logger, retryAfterBaseValue: 0 });
    await octokit.rest.repos.get({ owner: "o", repo: "r" });
    expect(server.requests).toHaveLength(2);
    expect(lines).toContainEqual(expect.objectContaining({ event: "github.rate_limit", kind: "primary" }));
  });

  test("with throttling and retry disabled, a 500 reaches the caller after one request", async () => {
    await using server = await loopbackServer((_req, res) => json(res, 500, { message: "Server Error" }));
    const octokit = createOctokit({
      baseUrl: server.url,
      throttle: { enabled: false },
      retry: { enabled: false },
    });
    await expect(octokit.rest.repos.get({ owner: "o", repo: "r" })).rejects.toMatchObject({ status: 500 });
    expect(server.requests).toHaveLength(1);
  });

  test("the token never reaches a log line, even at debug level", async () => {
    await using server = await loopbackServer((_req, res, n) =>
      n === 0 ? json(res, 502, { message: "Bad Gateway" }) : json(res, 200, REPO),
    );
    // No redaction in the logger: the factory itself must not emit the token.
    const { logger, raw } = captureLogger({ redact: (text) => text });
    logger.level = "debug";
    const octokit = createOctokit({
      baseUrl: server.url,
      auth: "plain-secret-token",
      logger,
      retryAfterBaseValue: 0,
    });
    await octokit.rest.repos.get({ owner: "o", repo: "r" });
    expect(server.requests[1]?.headers.authorization).toBe("token plain-secret-token");
    const logged = raw.join("");
    expect(logged).toContain("GET /repos/o/r - 200");
    expect(logged).not.toContain("plain-secret-token");
  });
});

describe("githubBaseUrlFromEnv", () => {
  test("api.github.com unless GHE_HOST names an Enterprise Server", () => {
    expect(githubBaseUrlFromEnv({})).toBe("https://api.github.com");
    expect(githubBaseUrlFromEnv({ GHE_HOST: "" })).toBe("https://api.github.com");
    expect(githubBaseUrlFromEnv({ GHE_HOST: "ghe.example.com" })).toBe("https://ghe.example.com/api/v3");
    expect(githubBaseUrlFromEnv({ GHE_HOST: "ghe.local:8443", GHE_PROTOCOL: "HTTP" })).toBe(
      "http://ghe.local:8443/api/v3",
    );
  });

  test("a scheme in GHE_HOST or an unknown GHE_PROTOCOL is refused", () => {
    expect(() => githubBaseUrlFromEnv({ GHE_HOST: "https://ghe.example.com" })).toThrow(/GHE_HOST/);
    expect(() => githubBaseUrlFromEnv({ GHE_HOST: "ghe.example.com", GHE_PROTOCOL: "ftp" })).toThrow(
      /GHE_PROTOCOL/,
    );
  });
});

describe("githubApiUrlFromEnv (the CLI's: sigil publish, sigil orchestrate)", () => {
  test("GITHUB_API_URL, as an Actions runner sets it, wins over GHE_HOST; without it GHE_HOST applies", () => {
    expect(githubApiUrlFromEnv({ GITHUB_API_URL: "https://ghe.corp/api/v3/", GHE_HOST: "other" })).toBe(
      "https://ghe.corp/api/v3",
    );
    expect(githubApiUrlFromEnv({ GITHUB_API_URL: " ", GHE_HOST: "ghe.example.com" })).toBe(
      "https://ghe.example.com/api/v3",
    );
    expect(githubApiUrlFromEnv({})).toBe("https://api.github.com");
  });

  test("a GITHUB_API_URL that is no http(s) URL is ERR_USAGE", () => {
    const thrown = (() => {
      try {
        githubApiUrlFromEnv({ GITHUB_API_URL: "ftp://x" });
      } catch (error) {
        return error as SigilError;
      }
    })();
    expect(thrown?.code).toBe("ERR_USAGE");
    expect(thrown?.message).toContain("GITHUB_API_URL: expected an http(s) URL");
  });
});
