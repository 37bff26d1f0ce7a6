// Vaults and their credentials: create, retrieve, update, list, archive, delete, and the MCP OAuth
// validation probe. Archiving a vault archives its credentials; deleting removes them.
import type {
  BetaManagedAgentsCredential,
  BetaManagedAgentsCredentialValidation,
  BetaManagedAgentsDeletedCredential,
} from '@anthropic-ai/sdk/resources/beta/vaults/credentials';
import type {
  BetaManagedAgentsDeletedVault,
  BetaManagedAgentsVault,
} from '@anthropic-ai/sdk/resources/beta/vaults/vaults';
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../api-error.js';
import type { SimContext } from '../context.js';
import { authOf } from '../credentials.js';
import { iso } from '../state.js';
import {
  asObject,
  newMetadata,
  onlyKeys,
  onlyQuery,
  optionalString,
  patchMetadata,
  type Query,
  requireString,
} from '../validate.js';
import { archiveOnce, fresh, keep, later, liveList } from './lifecycle.js';

type Vault = BetaManagedAgentsVault;
type Credential = BetaManagedAgentsCredential;
type CredParams = { Params: { id: string; cid: string } };

export function vaultRoutes(app: FastifyInstance, ctx: SimContext): void {
  const vault = (id: string): Vault => {
    const v = ctx.state.vaults.get(id);
    if (!v) throw notFound('Vault', id);
    return v;
  };
  const credential = (vaultId: string, id: string): Credential => {
    vault(vaultId);
    const c = ctx.state.credentials.get(id);
    if (!c || c.vault_id !== vaultId) throw notFound('Credential', id);
    return c;
  };
  const archiveCredential = (c: Credential) =>
    archiveOnce(ctx, c, { type: 'vault_credential.archived', vault_id: c.vault_id });
  app.post('/v1/vaults', async (req): Promise<Vault> => {
    const body = asObject(req.body, 'vault');
    onlyKeys(body, ['display_name', 'metadata'], 'vault');
    const v: Vault = {
      id: ctx.ids.next('vlt'),
      type: 'vault',
      display_name: requireString(body, 'display_name', 'vault'),
      metadata: newMetadata(body.metadata, 'vault'),
      ...fresh(ctx),
    };
    return keep(ctx, ctx.state.vaults, v, { type: 'vault.created' });
  });

  app.get<{ Params: { id: string } }>('/v1/vaults/:id', async (req): Promise<Vault> => vault(req.params.id));

  app.post<{ Params: { id: string } }>('/v1/vaults/:id', async (req): Promise<Vault> => {
    const body = asObject(req.body, 'vault update');
    onlyKeys(body, ['display_name', 'metadata'], 'vault update');
    const v = vault(req.params.id);
    if (v.archived_at !== null) throw badRequest(`Vault ${v.id} is archived.`);
    if (body.display_name !== undefined) v.display_name = requireString(body, 'display_name', 'vault update');
    if (body.metadata !== undefined) patchMetadata(v.metadata, body.metadata, 'vault update');
    v.updated_at = later(ctx, v.updated_at);
    return v;
  });

  app.get('/v1/vaults', async (req) => {
    const q = req.query as Query;
    onlyQuery(q, ['include_archived', 'limit', 'page']);
    return liveList(ctx, q, [...ctx.state.vaults.values()]);
  });

  app.post<{ Params: { id: string } }>('/v1/vaults/:id/archive', async (req): Promise<Vault> => {
    onlyKeys(asObject(req.body, 'archive'), [], 'archive');
    const v = vault(req.params.id);
    if (v.archived_at === null)
      for (const c of ctx.state.credentials.values()) if (c.vault_id === v.id) archiveCredential(c);
    archiveOnce(ctx, v, { type: 'vault.archived' });
    return v;
  });

  app.delete<{ Params: { id: string } }>(
    '/v1/vaults/:id',
    async (req): Promise<BetaManagedAgentsDeletedVault> => {
      const v = vault(req.params.id);
      ctx.state.vaults.delete(v.id);
      for (const [id, c] of ctx.state.credentials) if (c.vault_id === v.id) ctx.state.credentials.delete(id);
      ctx.deliverer.emit({ type: 'vault.deleted' }, v.id);
      return { id: v.id, type: 'vault_deleted' };
    },
  );

  app.post<{ Params: { id: string } }>('/v1/vaults/:id/credentials', async (req): Promise<Credential> => {
    const body = asObject(req.body, 'credential');
    onlyKeys(body, ['auth', 'display_name', 'metadata'], 'credential');
    const v = vault(req.params.id);
    if (v.archived_at !== null) throw badRequest(`Vault ${v.id} is archived.`);
    const c: Credential = {
      id: ctx.ids.next('vcrd'),
      type: 'vault_credential',
      vault_id: v.id,
      auth: authOf(body.auth),
      display_name: optionalString(body, 'display_name', 'credential') ?? null,
      metadata: newMetadata(body.metadata, 'credential'),
      ...fresh(ctx),
    };
    return keep(ctx, ctx.state.credentials, c, { type: 'vault_credential.created', vault_id: v.id });
  });

  app.get<CredParams>(
    '/v1/vaults/:id/credentials/:cid',
    async (req): Promise<Credential> => credential(req.params.id, req.params.cid),
  );

  app.post<CredParams>('/v1/vaults/:id/credentials/:cid', async (req): Promise<Credential> => {
    const body = asObject(req.body, 'credential update');
    onlyKeys(body, ['auth', 'display_name', 'metadata'], 'credential update');
    const c = credential(req.params.id, req.params.cid);
    if (c.archived_at !== null) throw badRequest(`Credential ${c.id} is archived.`);
    if (body.auth !== undefined) c.auth = authOf(body.auth, c.auth);
    if (body.display_name !== undefined)
      c.display_name = optionalString(body, 'display_name', 'credential update') ?? null;
    if (body.metadata !== undefined) patchMetadata(c.metadata, body.metadata, 'credential update');
    c.updated_at = later(ctx, c.updated_at);
    return c;
  });

  app.get<{ Params: { id: string } }>('/v1/vaults/:id/credentials', async (req) => {
    const q = req.query as Query;
    onlyQuery(q, ['include_archived', 'limit', 'page']);
    vault(req.params.id);
    return liveList(
      ctx,
      q,
      [...ctx.state.credentials.values()].filter((c) => c.vault_id === req.params.id),
    );
  });

  app.post<CredParams>('/v1/vaults/:id/credentials/:cid/archive', async (req): Promise<Credential> => {
    onlyKeys(asObject(req.body, 'archive'), [], 'archive');
    const c = credential(req.params.id, req.params.cid);
    archiveCredential(c);
    return c;
  });

  app.delete<CredParams>(
    '/v1/vaults/:id/credentials/:cid',
    async (req): Promise<BetaManagedAgentsDeletedCredential> => {
      const c = credential(req.params.id, req.params.cid);
      ctx.state.credentials.delete(c.id);
      ctx.deliverer.emit({ type: 'vault_credential.deleted', vault_id: c.vault_id }, c.id);
      return { id: c.id, type: 'vault_credential_deleted' };
    },
  );

  // The simulator reaches no MCP server: an OAuth credential validates as "unknown" with no probe.
  app.post<CredParams>(
    '/v1/vaults/:id/credentials/:cid/mcp_oauth_validate',
    async (req): Promise<BetaManagedAgentsCredentialValidation> => {
      onlyKeys(asObject(req.body, 'validate'), [], 'validate');
      const c = credential(req.params.id, req.params.cid);
      if (c.auth.type !== 'mcp_oauth') throw badRequest(`Credential ${c.id} is not an mcp_oauth credential.`);
      return {
        type: 'vault_credential_validation',
        credential_id: c.id,
        vault_id: c.vault_id,
        status: 'unknown',
        has_refresh_token: c.auth.refresh !== null && c.auth.refresh !== undefined,
        mcp_probe: null,
        refresh: null,
        validated_at: iso(ctx.clock.now()),
      };
    },
  );
}
