import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy does with request `n` (0-based): pass it on, answer itself, or alter the answer. */
export type ProxyRule = (
  req: IncomingMessage,
  n: number,
) =>
  | { pass: true; alter?: (body: Buffer, headers: Headers) => Buffer }
  | { answer: (res: ServerResponse) => void };

/**
 * A loopback proxy in front of a real registry that can fail, stall or tamper with answers:
 * the registry stays real, only the fault is staged. Closed by `await using`.
 */
export async function registryProxy(target: string, rule: ProxyRule) {
  let count = 0;
  const server = createServer(async (req, res) => {
    const decided = rule(req, count++);
    if ("answer" in decided) {
      decided.answer(res);
      return;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === "string" && k !== "host" && k !== "connection") headers.set(k, v);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method ?? "GET",
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      redirect: "manual",
    });
    let body: Buffer = Buffer.from(await upstream.arrayBuffer());
    const answered = new Headers(upstream.headers);
    if (decided.alter) body = decided.alter(body, answered);
    const out: Record<string, string> = {};
    answered.forEach((v, k) => {
      if (!["content-length", "content-encoding", "transfer-encoding", "connection"].includes(k)) out[k] = v;
    });
    res.writeHead(upstream.status, { ...out, "content-length": String(body.length) }).end(body);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    get requests() {
      return count;
    },
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
