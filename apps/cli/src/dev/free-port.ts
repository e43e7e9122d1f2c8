import { createServer, type Server } from 'node:net';

/**
 * `n` distinct free TCP ports on `host`. All listeners are held open until every port is known so the
 * same port is not handed out twice; a child may still lose a race for it, which it reports on start.
 */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          s.once('error', reject);
          s.listen(0, host, () => {
            const a = s.address();
            if (a && typeof a === 'object') resolve(a.port);
            else reject(new Error('no port'));
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
