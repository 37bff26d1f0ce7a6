// What the route modules share: the world, the engine, the deliverer and the settings.
import type { Clock } from '../clock.js';
import type { Deliverer } from './deliverer.js';
import type { Deployments } from './deployments.js';
import type { IdSource } from './ids.js';
import type { RouteStats } from './limits.js';
import type { ApiFaults } from './options.js';
import type { SessionEngine } from './sessions.js';
import type { SimState } from './state.js';

export interface SimContext {
  state: SimState;
  engine: SessionEngine;
  deliverer: Deliverer;
  deployments: Deployments;
  ids: IdSource;
  clock: Clock;
  stats: RouteStats;
  seed: number;
  api: ApiFaults;
  apiKeys: string[];
}
