// The events a client may send (events.send and a session's initial_events), read field by field
// into the SDK's event types. What the session lists, streams and answers is built from these
// checked fields, never from the request echoed back.
import type {
  BetaManagedAgentsDocumentBlock,
  BetaManagedAgentsImageBlock,
  BetaManagedAgentsSearchResultBlock,
  BetaManagedAgentsSendSessionEvents,
  BetaManagedAgentsTextBlock,
} from '@anthropic-ai/sdk/resources/beta/sessions/events';
import { badRequest } from './api-error.js';
import { asObject, type Json, onlyKeys, optionalString, requireString } from './validate.js';

/** An event as a client sent it, stored and answered with its id and processing time. */
export type SentEvent = NonNullable<BetaManagedAgentsSendSessionEvents['data']>[number];

/** What the client gives; the session adds the id, processed_at and (for an outcome) outcome_id. */
export type Sent = SentEvent extends infer E
  ? E extends unknown
    ? Omit<E, 'id' | 'processed_at' | 'outcome_id'>
    : never
  : never;

type Block =
  | BetaManagedAgentsTextBlock
  | BetaManagedAgentsImageBlock
  | BetaManagedAgentsDocumentBlock
  | BetaManagedAgentsSearchResultBlock;

/** The event types a client may send, with the fields each takes. */
const EVENT_KEYS: Record<string, readonly string[]> = {
  'user.message': ['type', 'content'],
  'user.define_outcome': ['type', 'description', 'rubric', 'max_iterations'],
  'user.interrupt': ['type', 'session_thread_id'],
  'user.tool_confirmation': ['type', 'tool_use_id', 'result', 'deny_message', 'session_thread_id'],
  'user.custom_tool_result': ['type', 'custom_tool_use_id', 'content', 'is_error', 'session_thread_id'],
  'user.tool_result': ['type', 'tool_use_id', 'content', 'is_error', 'session_thread_id'],
  'system.message': ['type', 'content'],
};

/** Reads one sent event; throws a 400 naming the event's place in the batch. */
export function readSent(e: unknown, i: number): Sent {
  const obj = asObject(e, `events[${i}]`);
  const type = String(obj.type);
  const keys = EVENT_KEYS[type];
  if (!keys)
    throw badRequest(
      `events[${i}]: "${type}" cannot be sent. Sendable types: ${Object.keys(EVENT_KEYS).join(', ')}.`,
    );
  const where = `events[${i}]`;
  onlyKeys(obj, keys, `${where} (${type})`);
  const thread = () => threadOf(obj, where);
  switch (type) {
    case 'user.message':
      return {
        type,
        content: nonEmpty(obj.content, where).map((b, j) => messageBlock(b, `${where}.content[${j}]`)),
      };
    case 'system.message':
      return {
        type,
        content: nonEmpty(obj.content, where).map((b, j) => {
          const block = asObject(b, `${where}.content[${j}]`);
          onlyKeys(block, ['type', 'text'], `${where}.content[${j}]`);
          if (block.type !== 'text')
            throw badRequest(`${where}.content[${j}]: only text blocks are allowed.`);
          return { type: 'text', text: requireText(block, `${where}.content[${j}]`) };
        }),
      };
    case 'user.define_outcome':
      return {
        type,
        description: descriptionOf(obj, where),
        rubric: rubricOf(obj.rubric, where),
        max_iterations: maxOf(obj, where),
      };
    case 'user.interrupt':
      return { type, ...thread() };
    case 'user.tool_confirmation': {
      if (obj.result !== 'allow' && obj.result !== 'deny')
        throw badRequest(`${where}: "result" must be allow or deny.`);
      const deny = optionalString(obj, 'deny_message', where);
      return {
        type,
        tool_use_id: requireString(obj, 'tool_use_id', where),
        result: obj.result,
        ...(deny === undefined ? {} : { deny_message: deny }),
        ...thread(),
      };
    }
    case 'user.custom_tool_result':
      return {
        type,
        custom_tool_use_id: requireString(obj, 'custom_tool_use_id', where),
        ...resultOf(obj, where),
        ...thread(),
      };
    default:
      // The one sendable type left: user.tool_result.
      return {
        type: 'user.tool_result',
        tool_use_id: requireString(obj, 'tool_use_id', where),
        ...resultOf(obj, where),
        ...thread(),
      };
  }
}

function threadOf(obj: Json, where: string): { session_thread_id?: string | null } {
  const v = optionalString(obj, 'session_thread_id', where);
  return v === undefined ? {} : { session_thread_id: v };
}

function nonEmpty(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0)
    throw badRequest(`${where}: "content" must be a non-empty array.`);
  return value;
}

function requireText(block: Json, where: string): string {
  if (typeof block.text !== 'string') throw badRequest(`${where}: "text" must be a string.`);
  return block.text;
}

function descriptionOf(obj: Json, where: string): string {
  if (typeof obj.description !== 'string') throw badRequest(`${where}: "description" is required.`);
  return obj.description;
}

function rubricOf(
  value: unknown,
  where: string,
): { type: 'text'; content: string } | { type: 'file'; file_id: string } {
  const rubric = asObject(value, 'rubric');
  if (rubric.type === 'text' && typeof rubric.content === 'string' && rubric.content.length <= 262_144)
    return { type: 'text', content: rubric.content };
  if (rubric.type === 'file' && typeof rubric.file_id === 'string')
    return { type: 'file', file_id: rubric.file_id };
  if (rubric.type === 'text')
    throw badRequest(`${where}: a text rubric needs "content" of at most 262,144 characters.`);
  throw badRequest(`${where}: "rubric" is required ({type:"text", content} or {type:"file", file_id}).`);
}

function maxOf(obj: Json, where: string): number | null {
  const max = obj.max_iterations;
  if (max === undefined || max === null) return null;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 20)
    throw badRequest(`${where}: "max_iterations" must be an integer from 1 to 20.`);
  return max;
}

function resultOf(obj: Json, where: string): { content?: Block[]; is_error?: boolean | null } {
  const out: { content?: Block[]; is_error?: boolean | null } = {};
  if (obj.content !== undefined) {
    if (!Array.isArray(obj.content)) throw badRequest(`${where}: "content" must be an array.`);
    out.content = obj.content.map((b, j) => resultBlock(b, `${where}.content[${j}]`));
  }
  if (obj.is_error !== undefined) {
    if (obj.is_error !== null && typeof obj.is_error !== 'boolean')
      throw badRequest(`${where}: "is_error" must be a boolean.`);
    out.is_error = obj.is_error;
  }
  return out;
}

function messageBlock(
  value: unknown,
  where: string,
): BetaManagedAgentsTextBlock | BetaManagedAgentsImageBlock | BetaManagedAgentsDocumentBlock {
  const block = asObject(value, where);
  if (block.type === 'image') return imageOf(block, where);
  if (block.type === 'document') return documentOf(block, where);
  if (block.type !== 'text') throw badRequest(`${where}: "type" must be text, image or document.`);
  onlyKeys(block, ['type', 'text'], where);
  return { type: 'text', text: requireText(block, where) };
}

function resultBlock(value: unknown, where: string): Block {
  const block = asObject(value, where);
  if (block.type !== 'search_result') return messageBlock(block, where);
  onlyKeys(block, ['type', 'source', 'title', 'content', 'citations'], where);
  const citations = block.citations === undefined ? {} : asObject(block.citations, `${where}.citations`);
  return {
    type: 'search_result',
    source: requireString(block, 'source', where),
    title: requireString(block, 'title', where),
    content: nonEmpty(block.content, where).map((c, j) => {
      const text = asObject(c, `${where}.content[${j}]`);
      if (text.type !== 'text') throw badRequest(`${where}.content[${j}]: only text blocks are allowed.`);
      return { type: 'text', text: requireText(text, `${where}.content[${j}]`) };
    }),
    citations: { enabled: citations.enabled === true },
  };
}

function imageOf(block: Json, where: string): BetaManagedAgentsImageBlock {
  onlyKeys(block, ['type', 'source'], where);
  const source = asObject(block.source, `${where}.source`);
  if (source.type === 'base64')
    return {
      type: 'image',
      source: {
        type: 'base64',
        media_type: requireString(source, 'media_type', where),
        data: requireString(source, 'data', where),
      },
    };
  if (source.type === 'url')
    return { type: 'image', source: { type: 'url', url: requireString(source, 'url', where) } };
  if (source.type === 'file')
    return { type: 'image', source: { type: 'file', file_id: requireString(source, 'file_id', where) } };
  throw badRequest(`${where}: an image "source" is base64, url or file.`);
}

function documentOf(block: Json, where: string): BetaManagedAgentsDocumentBlock {
  onlyKeys(block, ['type', 'source', 'context', 'title'], where);
  const source = asObject(block.source, `${where}.source`);
  const context = optionalString(block, 'context', where);
  const title = optionalString(block, 'title', where);
  const extra = { ...(context === undefined ? {} : { context }), ...(title === undefined ? {} : { title }) };
  const data = () => requireString(source, 'data', where);
  if (source.type === 'base64')
    return {
      type: 'document',
      source: { type: 'base64', media_type: requireString(source, 'media_type', where), data: data() },
      ...extra,
    };
  if (source.type === 'text')
    return { type: 'document', source: { type: 'text', media_type: 'text/plain', data: data() }, ...extra };
  if (source.type === 'url')
    return { type: 'document', source: { type: 'url', url: requireString(source, 'url', where) }, ...extra };
  if (source.type === 'file')
    return {
      type: 'document',
      source: { type: 'file', file_id: requireString(source, 'file_id', where) },
      ...extra,
    };
  throw badRequest(`${where}: a document "source" is base64, text, url or file.`);
}
