// A session's resources (reference 2.3): GitHub repositories, uploaded files and memory stores, as
// the SDK's resource types. Files and memory stores must exist; a file must be one a client
// uploaded (not a session output). Ids of repository and file resources are the session's own.
import type { BetaManagedAgentsSessionResource } from '@anthropic-ai/sdk/resources/beta/sessions/resources';
import { badRequest, notFound } from './api-error.js';
import type { IdSource } from './ids.js';
import type { SimState } from './state.js';
import { asObject, onlyKeys } from './validate.js';

export function resourceOf(
  state: SimState,
  ids: IdSource,
  raw: unknown,
  now: string,
): BetaManagedAgentsSessionResource {
  const r = asObject(raw, 'resources[]');
  if (r.type === 'file') {
    onlyKeys(r, ['type', 'file_id', 'mount_path'], 'file resource');
    if (typeof r.file_id !== 'string') throw badRequest('file resource: "file_id" is required.');
    const file = state.files.get(r.file_id);
    if (!file) throw notFound('File', r.file_id);
    if (file.meta.scope) throw badRequest(`File ${r.file_id} is a session output; mount an uploaded file.`);
    const mount = typeof r.mount_path === 'string' ? r.mount_path : `/mnt/session/uploads/${r.file_id}`;
    return {
      type: 'file',
      id: ids.next('sesrsc'),
      file_id: r.file_id,
      mount_path: mount,
      created_at: now,
      updated_at: now,
    };
  }
  if (r.type === 'github_repository') {
    onlyKeys(
      r,
      ['type', 'url', 'authorization_token', 'checkout', 'mount_path'],
      'github_repository resource',
    );
    if (typeof r.url !== 'string' || !/^https:\/\/github\.com\//.test(r.url))
      throw badRequest('github_repository resource: "url" must be a https://github.com/ URL.');
    const checkout =
      r.checkout === undefined || r.checkout === null ? null : asObject(r.checkout, 'checkout');
    const repo =
      r.url
        .replace(/\.git$/, '')
        .split('/')
        .pop() ?? 'repo';
    return {
      type: 'github_repository',
      id: ids.next('sesrsc'),
      url: r.url,
      mount_path: typeof r.mount_path === 'string' ? r.mount_path : `/workspace/${repo}`,
      checkout:
        checkout === null
          ? null
          : checkout.type === 'branch' && typeof checkout.name === 'string'
            ? { type: 'branch', name: checkout.name }
            : checkout.type === 'commit' && typeof checkout.sha === 'string'
              ? { type: 'commit', sha: checkout.sha }
              : badCheckout(),
      created_at: now,
      updated_at: now,
    };
  }
  if (r.type === 'memory_store') {
    onlyKeys(r, ['type', 'memory_store_id', 'access', 'instructions'], 'memory_store resource');
    if (typeof r.memory_store_id !== 'string')
      throw badRequest('memory_store resource: "memory_store_id" is required.');
    const store = state.memoryStores.get(r.memory_store_id);
    if (!store) throw notFound('Memory store', r.memory_store_id);
    if (store.archived_at !== null) throw badRequest(`Memory store ${store.id} is archived.`);
    if (typeof r.instructions === 'string' && r.instructions.length > 4096)
      throw badRequest('memory_store resource: "instructions" is at most 4,096 characters.');
    return {
      type: 'memory_store',
      memory_store_id: store.id,
      access: r.access === 'read_only' ? 'read_only' : 'read_write',
      name: store.name,
      description: store.description,
      instructions: typeof r.instructions === 'string' ? r.instructions : null,
      mount_path: `/mnt/memory/${store.name}`,
    };
  }
  throw badRequest('resources[]: "type" must be file, github_repository or memory_store.');
}

function badCheckout(): never {
  throw badRequest('checkout: {type:"branch", name} or {type:"commit", sha}.');
}
