// Memory stores (reference 2.3 resources, 8 limits): create, retrieve, update, list, archive and
// delete. Deleting a store removes its memories and versions; an archived store is read-only.
import type {
  BetaManagedAgentsDeletedMemoryStore,
  BetaManagedAgentsMemoryStore,
} from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-stores';
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../api-error.js';
import type { SimContext } from '../context.js';
import {
  asObject,
  newMetadata,
  onlyKeys,
  onlyQuery,
  patchMetadata,
  type Query,
  requireString,
} from '../validate.js';
import { archiveOnce, fresh, keep, later, liveList } from './lifecycle.js';

type Store = BetaManagedAgentsMemoryStore;

function description(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' || value.length > 1024)
    throw badRequest('"description" must be a string of at most 1,024 characters.');
  return value;
}

export function findStore(ctx: SimContext, id: string): Store {
  const store = ctx.state.memoryStores.get(id);
  if (!store) throw notFound('Memory store', id);
  return store;
}

export function memoryStoreRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.post('/v1/memory_stores', async (req): Promise<Store> => {
    const body = asObject(req.body, 'memory store');
    onlyKeys(body, ['name', 'description', 'metadata'], 'memory store');
    const store: Store = {
      id: ctx.ids.next('memstore'),
      type: 'memory_store',
      name: requireString(body, 'name', 'memory store'),
      description: description(body.description),
      metadata: newMetadata(body.metadata, 'memory store'),
      ...fresh(ctx),
    };
    return keep(ctx, ctx.state.memoryStores, store, { type: 'memory_store.created' });
  });

  app.get<{ Params: { id: string } }>('/v1/memory_stores/:id', async (req): Promise<Store> => {
    onlyQuery(req.query as Query, []);
    return findStore(ctx, req.params.id);
  });

  app.post<{ Params: { id: string } }>('/v1/memory_stores/:id', async (req): Promise<Store> => {
    const body = asObject(req.body, 'memory store update');
    onlyKeys(body, ['name', 'description', 'metadata'], 'memory store update');
    const store = findStore(ctx, req.params.id);
    if (store.archived_at !== null) throw badRequest(`Memory store ${store.id} is archived.`);
    if (body.name !== undefined) store.name = requireString(body, 'name', 'memory store update');
    if (body.description !== undefined) store.description = description(body.description);
    if (body.metadata !== undefined) patchMetadata(store.metadata, body.metadata, 'memory store update');
    store.updated_at = later(ctx, store.updated_at);
    return store;
  });

  app.get('/v1/memory_stores', async (req) => {
    const q = req.query as Query;
    onlyQuery(q, ['created_at[gte]', 'created_at[lte]', 'include_archived', 'limit', 'page']);
    return liveList(ctx, q, [...ctx.state.memoryStores.values()]);
  });

  app.post<{ Params: { id: string } }>('/v1/memory_stores/:id/archive', async (req): Promise<Store> => {
    onlyKeys(asObject(req.body, 'archive'), [], 'archive');
    const store = findStore(ctx, req.params.id);
    archiveOnce(ctx, store, { type: 'memory_store.archived' });
    return store;
  });

  app.delete<{ Params: { id: string } }>(
    '/v1/memory_stores/:id',
    async (req): Promise<BetaManagedAgentsDeletedMemoryStore> => {
      const store = findStore(ctx, req.params.id);
      ctx.state.memoryStores.delete(store.id);
      for (const [id, m] of ctx.state.memories)
        if (m.memory_store_id === store.id) ctx.state.memories.delete(id);
      for (const [id, v] of ctx.state.memoryVersions)
        if (v.memory_store_id === store.id) ctx.state.memoryVersions.delete(id);
      ctx.deliverer.emit({ type: 'memory_store.deleted' }, store.id);
      return { id: store.id, type: 'memory_store_deleted' };
    },
  );
}
