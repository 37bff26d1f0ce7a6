// Memories and their versions. Every create, change and delete of a memory writes an immutable
// version (operation created / modified / deleted); a version can be redacted, which clears its
// content and keeps the record. Paths are unique within a store (409 on a clash), and an update
// may carry a content_sha256 precondition (412 when it does not hold).
import { createHash } from 'node:crypto';
import type {
  BetaManagedAgentsDeletedMemory,
  BetaManagedAgentsMemory,
  BetaManagedAgentsMemoryListItem,
} from '@anthropic-ai/sdk/resources/beta/memory-stores/memories';
import type {
  BetaManagedAgentsMemoryVersion,
  BetaManagedAgentsMemoryVersionOperation,
} from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-versions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, badRequest, notFound } from '../api-error.js';
import type { SimContext } from '../context.js';
import { forwardPage } from '../paging.js';
import { iso } from '../state.js';
import { asObject, onlyKeys, onlyQuery, type Query, queryInt, queryString, timeRange } from '../validate.js';
import { findStore } from './memory-stores.js';

type Memory = BetaManagedAgentsMemory;
type Version = BetaManagedAgentsMemoryVersion;
type Params = { Params: { id: string; mid: string } };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function view(q: Query, fallback: 'basic' | 'full'): 'basic' | 'full' {
  const v = queryString(q, 'view') ?? fallback;
  if (v !== 'basic' && v !== 'full') throw badRequest('"view" must be basic or full.');
  return v;
}

/** The basic view leaves the content out. */
const shown = <T extends { content?: string | null }>(item: T, v: 'basic' | 'full'): T =>
  v === 'full' ? item : { ...item, content: undefined };

function pathOf(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.length > 1024)
    throw badRequest('"path" must be an absolute path such as /notes/today.md.');
  return value;
}

export function memoryRoutes(app: FastifyInstance, ctx: SimContext): void {
  const writable = (id: string) => {
    const store = findStore(ctx, id);
    if (store.archived_at !== null) throw badRequest(`Memory store ${store.id} is archived and read-only.`);
    return store;
  };
  const memory = (storeId: string, id: string): Memory => {
    findStore(ctx, storeId);
    const m = ctx.state.memories.get(id);
    if (!m || m.memory_store_id !== storeId) throw notFound('Memory', id);
    return m;
  };
  const clash = (storeId: string, path: string, except?: string) => {
    for (const m of ctx.state.memories.values())
      if (m.memory_store_id === storeId && m.path === path && m.id !== except)
        throw new ApiError('conflict_error', `A memory already exists at ${path}.`);
  };
  const record = (req: FastifyRequest, m: Memory, operation: BetaManagedAgentsMemoryVersionOperation) => {
    const v: Version = {
      id: ctx.ids.next('memver'),
      type: 'memory_version',
      memory_id: m.id,
      memory_store_id: m.memory_store_id,
      operation,
      path: m.path,
      content: operation === 'deleted' ? null : (m.content ?? null),
      content_sha256: operation === 'deleted' ? null : m.content_sha256,
      content_size_bytes: operation === 'deleted' ? null : m.content_size_bytes,
      created_by: { type: 'api_actor', api_key_id: apiKeyId(req) },
      created_at: iso(ctx.clock.now()),
      redacted_at: null,
    };
    ctx.state.memoryVersions.set(v.id, v);
    ctx.state.remember(v.id);
    m.memory_version_id = v.id;
    return v;
  };

  app.post<{ Params: { id: string } }>('/v1/memory_stores/:id/memories', async (req): Promise<Memory> => {
    const q = req.query as Query;
    onlyQuery(q, ['view']);
    const store = writable(req.params.id);
    const body = asObject(req.body, 'memory');
    onlyKeys(body, ['content', 'path'], 'memory');
    const path = pathOf(body.path);
    const content = typeof body.content === 'string' ? body.content : '';
    clash(store.id, path);
    const now = iso(ctx.clock.now());
    const m: Memory = {
      id: ctx.ids.next('mem'),
      type: 'memory',
      memory_store_id: store.id,
      memory_version_id: '',
      path,
      content,
      content_sha256: sha256(content),
      content_size_bytes: Buffer.byteLength(content),
      created_at: now,
      updated_at: now,
    };
    ctx.state.memories.set(m.id, m);
    ctx.state.remember(m.id);
    record(req, m, 'created');
    return shown(m, view(q, 'basic'));
  });

  app.get<Params>('/v1/memory_stores/:id/memories/:mid', async (req): Promise<Memory> => {
    const q = req.query as Query;
    onlyQuery(q, ['view']);
    return shown(memory(req.params.id, req.params.mid), view(q, 'full'));
  });

  app.post<Params>('/v1/memory_stores/:id/memories/:mid', async (req): Promise<Memory> => {
    const q = req.query as Query;
    onlyQuery(q, ['view']);
    writable(req.params.id);
    const m = memory(req.params.id, req.params.mid);
    const body = asObject(req.body, 'memory update');
    onlyKeys(body, ['content', 'path', 'precondition'], 'memory update');
    if (body.precondition !== undefined && body.precondition !== null) {
      const pre = asObject(body.precondition, 'precondition');
      if (pre.type !== 'content_sha256') throw badRequest('precondition: "type" must be content_sha256.');
      if (pre.content_sha256 !== undefined && pre.content_sha256 !== m.content_sha256)
        throw new ApiError(
          'invalid_request_error',
          `Memory ${m.id} has changed; its content_sha256 differs.`,
          {},
          'precondition_failed',
        );
    }
    if (body.path !== undefined && body.path !== null) {
      const path = pathOf(body.path);
      clash(m.memory_store_id, path, m.id);
      m.path = path;
    }
    if (typeof body.content === 'string') {
      m.content = body.content;
      m.content_sha256 = sha256(body.content);
      m.content_size_bytes = Buffer.byteLength(body.content);
    }
    m.updated_at = iso(Math.max(ctx.clock.now(), Date.parse(m.updated_at) + 1));
    record(req, m, 'modified');
    return shown(m, view(q, 'basic'));
  });

  app.get<{ Params: { id: string } }>('/v1/memory_stores/:id/memories', async (req) => {
    const q = req.query as Query;
    onlyQuery(q, ['depth', 'path_prefix', 'view', 'limit', 'page']);
    findStore(ctx, req.params.id);
    const prefix = queryString(q, 'path_prefix') ?? '/';
    const depth = queryInt(q, 'depth', 0, 1000);
    const v = view(q, 'basic');
    const items: BetaManagedAgentsMemoryListItem[] = [];
    const prefixes = new Set<string>();
    const memories = [...ctx.state.memories.values()]
      .filter((m) => m.memory_store_id === req.params.id && m.path.startsWith(prefix))
      .sort((a, b) => a.path.localeCompare(b.path));
    for (const m of memories) {
      const rest = m.path.slice(prefix.length).replace(/^\//, '').split('/');
      // Deeper than `depth` folders: the folder is listed once, as a memory_prefix.
      if (depth !== undefined && rest.length > depth + 1) {
        const folder = `${prefix.replace(/\/$/, '')}/${rest.slice(0, depth + 1).join('/')}/`;
        if (!prefixes.has(folder)) items.push({ type: 'memory_prefix', path: folder });
        prefixes.add(folder);
      } else items.push(shown(m, v));
    }
    return forwardPage(q, items, (i) => i.path, 'asc');
  });

  app.delete<Params>(
    '/v1/memory_stores/:id/memories/:mid',
    async (req): Promise<BetaManagedAgentsDeletedMemory> => {
      writable(req.params.id);
      const m = memory(req.params.id, req.params.mid);
      record(req, m, 'deleted');
      ctx.state.memories.delete(m.id);
      return { id: m.id, type: 'memory_deleted' };
    },
  );

  const version = (storeId: string, id: string): Version => {
    findStore(ctx, storeId);
    const v = ctx.state.memoryVersions.get(id);
    if (!v || v.memory_store_id !== storeId) throw notFound('Memory version', id);
    return v;
  };

  app.get<Params>('/v1/memory_stores/:id/memory_versions/:mid', async (req): Promise<Version> => {
    const q = req.query as Query;
    onlyQuery(q, ['view']);
    return shown(version(req.params.id, req.params.mid), view(q, 'full'));
  });

  app.get<{ Params: { id: string } }>('/v1/memory_stores/:id/memory_versions', async (req) => {
    const q = req.query as Query;
    onlyQuery(q, [
      'api_key_id',
      'created_at[gte]',
      'created_at[lte]',
      'memory_id',
      'operation',
      'service_account_id',
      'session_id',
      'view',
      'limit',
      'page',
    ]);
    findStore(ctx, req.params.id);
    const memoryId = queryString(q, 'memory_id');
    const operation = queryString(q, 'operation');
    const keyId = queryString(q, 'api_key_id');
    const inRange = timeRange(q);
    const v = view(q, 'basic');
    const items = [...ctx.state.memoryVersions.values()]
      .filter(
        (x) =>
          x.memory_store_id === req.params.id &&
          (memoryId === undefined || x.memory_id === memoryId) &&
          (operation === undefined || x.operation === operation) &&
          (keyId === undefined ||
            (x.created_by?.type === 'api_actor' && x.created_by.api_key_id === keyId)) &&
          // Versions are written by API keys here; no session or service account wrote any.
          queryString(q, 'session_id') === undefined &&
          queryString(q, 'service_account_id') === undefined &&
          inRange(Date.parse(x.created_at)),
      )
      .sort(ctx.state.newestFirst)
      .map((x) => shown(x, v));
    return forwardPage(q, items, (x) => x.id, 'desc');
  });

  app.post<Params>('/v1/memory_stores/:id/memory_versions/:mid/redact', async (req): Promise<Version> => {
    onlyKeys(asObject(req.body, 'redact'), [], 'redact');
    const v = version(req.params.id, req.params.mid);
    if (!v.redacted_at) {
      v.content = null;
      v.redacted_at = iso(ctx.clock.now());
      v.redacted_by = { type: 'api_actor', api_key_id: apiKeyId(req) };
    }
    return v;
  });
}

/** A stable id for the API key that made a request (never the key itself). */
function apiKeyId(req: FastifyRequest): string {
  const auth = String(req.headers.authorization ?? req.headers['x-api-key'] ?? '');
  return `apikey_${createHash('sha256').update(auth).digest('hex').slice(0, 24)}`;
}
