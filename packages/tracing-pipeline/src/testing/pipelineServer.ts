import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Pipeline } from '../pipeline';

/** A plain node:http server in front of `pipeline.handle`, wired the way a backend route is. */
export async function startPipelineServer(
  pipeline: Pipeline,
): Promise<{ url: string; close(): Promise<void>; server: Server }> {
  const server = createServer(async (req, res) => {
    const response = await pipeline.handle({
      contentType: req.headers['content-type'],
      contentEncoding: req.headers['content-encoding'],
      body: req,
    });
    res.writeHead(response.status, response.headers);
    res.end(response.body);
  });
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    server,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
