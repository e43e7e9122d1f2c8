import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago on 127.0.0.1: the OS picks it (listen on port 0) and we release it
 * at once. Only for processes that cannot bind port 0 themselves (e.g. redis-server); there is a small race
 * with other processes, which callers tolerate by retrying.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`could not determine a free port on ${host}`));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
