// A tiny Files API that answers the two routes the SDK calls (GET /v1/files, GET
// /v1/files/:id/content) with whatever names and ids a test hands it: the hostile platform.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileFile {
  id: string;
  filename: string;
  content?: string;
  downloadable?: boolean;
}

export interface HostileApi {
  url: string;
  /** Every request path seen, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startHostileFilesApi(files: HostileFile[]): Promise<HostileApi> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname);
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/v1/files') {
      const data = files.map((f) => ({
        type: 'file',
        id: f.id,
        filename: f.filename,
        mime_type: 'text/plain',
        size_bytes: Buffer.byteLength(f.content ?? f.id),
        created_at: '2026-01-02T03:04:05Z',
        downloadable: f.downloadable !== false,
      }));
      res.end(JSON.stringify({ data, has_more: false, first_id: null, last_id: null }));
      return;
    }
    const m = /^\/v1\/files\/(.+)\/content$/.exec(url.pathname);
    const f = m ? files.find((x) => x.id === decodeURIComponent(m[1] as string)) : undefined;
    if (!f) {
      res.statusCode = 404;
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'no file' } }));
      return;
    }
    res.setHeader('content-type', 'application/octet-stream');
    res.end(f.content ?? f.id);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
