// A local HTTP server whose answers a test scripts one by one, and which records what it received.
import { createServer } from 'node:http';

/**
 * Starts a server on 127.0.0.1 at a port the system picks. Each request takes the next scripted
 * answer (the last one repeats): `{ status, body, headers }` (an object body is sent as JSON), `{ delayMs }`
 * to answer late, or `{ reset: true }` to drop the connection.
 */
export async function startScriptedServer(answers = [{ body: { ret_code: 0 } }]) {
  const received = [];
  let next = 0;
  const sockets = new Set();
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push({ method: req.method, url: req.url, headers: req.headers, body });
    const answer = typeof answers === 'function' ? answers(received.at(-1)) : answers[Math.min(next++, answers.length - 1)];
    if (answer.reset) {
      req.socket.destroy();
      return;
    }
    if (answer.respond) {
      await answer.respond(res);
      return;
    }
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (res.destroyed) return;
    const text = typeof answer.body === 'string' || Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body ?? {});
    res.writeHead(answer.status ?? 200, { 'Content-Type': 'application/json', ...answer.headers });
    res.end(text);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
