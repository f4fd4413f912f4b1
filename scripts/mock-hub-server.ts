import { createServer, type Server } from 'node:http';
import { mockHubDatasets } from '../src/data/hub/fixtures';

/**
 * A stand-in for the Hugging Face Hub for the e2e suite (tests stay offline): the Hub's URL
 * layout for listing a dataset's Parquet files and downloading them, with CORS as the Hub sends
 * it, serving the small fixtures of src/data/hub/fixtures.ts.
 *   GET /api/datasets/{owner}/{name}/parquet → { config: { split: [url, …] } }
 *   GET /api/datasets/{owner}/{name}/parquet/{config}/{split}/{n}.parquet → the file
 * Unknown datasets answer 404 as the Hub does. scripts/mock-hub.ts listens on $MOCK_HUB_PORT
 * (default 4290); the CLI's tests start one on a free port.
 */

const LIST = /^\/api\/datasets\/([^/]+\/[^/]+)\/parquet$/;
const FILE = /^\/api\/datasets\/([^/]+\/[^/]+)\/parquet\/([^/]+)\/([^/]+)\/(\d+)\.parquet$/;

export function createMockHub(): Server {
  const datasets = mockHubDatasets();
  return createServer((request, response) => {
    response.setHeader('Access-Control-Allow-Origin', '*');
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    const path = decodeURIComponent(url.pathname);
    const list = LIST.exec(path);
    const file = FILE.exec(path);
    const notFound = () => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'Repository not found' }));
    };
    if (path === '/') {
      response.end('mock Hugging Face Hub');
    } else if (list) {
      const dataset = datasets[list[1]!];
      if (!dataset) return notFound();
      const listing = Object.fromEntries(
        Object.entries(dataset).map(([config, splits]) => [
          config,
          Object.fromEntries(
            Object.entries(splits).map(([split, files]) => [
              split,
              files.map((_, i) => `${url.origin}${path}/${config}/${split}/${i}.parquet`),
            ]),
          ),
        ]),
      );
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(listing));
    } else if (file) {
      const [, id, config, split, index] = file;
      const bytes = datasets[id!]?.[config!]?.[split!]?.[Number(index)];
      if (!bytes) return notFound();
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(bytes.length),
      });
      response.end(bytes);
    } else {
      notFound();
    }
  });
}
