// Vault credentials as the platform answers them: secrets (tokens, secret values, client secrets)
// are write-only and never come back; the auth object keeps only what identifies the credential.
import type {
  BetaManagedAgentsCredential,
  BetaManagedAgentsMCPOAuthRefreshResponse,
} from '@anthropic-ai/sdk/resources/beta/vaults/credentials';
import { badRequest } from './api-error.js';
import { asObject, type Json } from './validate.js';

type Auth = BetaManagedAgentsCredential['auth'];

function url(a: Json): string {
  if (typeof a.mcp_server_url !== 'string' || !/^https?:\/\//.test(a.mcp_server_url))
    throw badRequest('auth: "mcp_server_url" must be an http(s) URL.');
  return a.mcp_server_url;
}

function secret(a: Json, key: string): void {
  if (typeof a[key] !== 'string' || a[key] === '') throw badRequest(`auth: "${key}" is required.`);
}

function refreshOf(value: unknown): BetaManagedAgentsMCPOAuthRefreshResponse | null {
  if (value === undefined || value === null) return null;
  const r = asObject(value, 'auth.refresh');
  if (typeof r.client_id !== 'string' || typeof r.token_endpoint !== 'string')
    throw badRequest('auth.refresh: "client_id" and "token_endpoint" are required.');
  const method = asObject(r.token_endpoint_auth ?? { type: 'none' }, 'token_endpoint_auth').type;
  const token_endpoint_auth: BetaManagedAgentsMCPOAuthRefreshResponse['token_endpoint_auth'] =
    method === 'client_secret_basic'
      ? { type: 'client_secret_basic' }
      : method === 'client_secret_post'
        ? { type: 'client_secret_post' }
        : { type: 'none' };
  return {
    client_id: r.client_id,
    token_endpoint: r.token_endpoint,
    token_endpoint_auth,
    resource: typeof r.resource === 'string' ? r.resource : null,
    scope: typeof r.scope === 'string' ? r.scope : null,
  };
}

/** The auth of a new credential (`previous` is the current one on update: the type stays). */
export function authOf(value: unknown, previous?: Auth): Auth {
  const a = asObject(value, 'auth');
  const type = a.type ?? previous?.type;
  if (previous && type !== previous.type)
    throw badRequest(`auth: a ${previous.type} credential cannot become ${String(type)}.`);
  if (type === 'static_bearer') {
    if (!previous) secret(a, 'token');
    return {
      type,
      mcp_server_url:
        previous?.type === type && a.mcp_server_url === undefined ? previous.mcp_server_url : url(a),
    };
  }
  if (type === 'mcp_oauth') {
    if (!previous) secret(a, 'access_token');
    const old = previous?.type === type ? previous : undefined;
    return {
      type,
      mcp_server_url: old && a.mcp_server_url === undefined ? old.mcp_server_url : url(a),
      expires_at: typeof a.expires_at === 'string' ? a.expires_at : (old?.expires_at ?? null),
      refresh: a.refresh === undefined ? (old?.refresh ?? null) : refreshOf(a.refresh),
    };
  }
  if (type === 'environment_variable') {
    const old = previous?.type === type ? previous : undefined;
    if (!old) secret(a, 'secret_value');
    const name = typeof a.secret_name === 'string' ? a.secret_name : old?.secret_name;
    if (!name || !/^[A-Z_][A-Z0-9_]*$/.test(name))
      throw badRequest('auth: "secret_name" must be an environment variable name (A-Z, 0-9, _).');
    const n = a.networking === undefined && old ? null : asObject(a.networking, 'auth.networking');
    const networking =
      n === null && old
        ? old.networking
        : n?.type === 'limited' && Array.isArray(n.allowed_hosts)
          ? { type: 'limited' as const, allowed_hosts: n.allowed_hosts.map(String) }
          : { type: 'unrestricted' as const };
    const loc =
      a.injection_location === undefined ? null : asObject(a.injection_location, 'injection_location');
    return {
      type,
      secret_name: name,
      networking,
      injection_location: loc
        ? { header: loc.header === true, body: loc.body === true }
        : (old?.injection_location ?? { header: true, body: false }),
    };
  }
  throw badRequest('auth: "type" must be mcp_oauth, static_bearer or environment_variable.');
}
