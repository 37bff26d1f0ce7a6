// Public surface of the simulator for tests, the demo and the CLI.
export { ApiError } from './api-error.js';
export { BACKOFF_MAX_S, BACKOFF_MIN_S, type DeliveryRecord, MAX_ATTEMPTS, postSigned } from './deliverer.js';
export {
  DEFAULT_DURATION_MS,
  DEFAULT_PORT,
  isScenario,
  SCENARIOS,
  type Scenario,
  type SimulatorOptions,
  type Timers,
} from './options.js';
export { type ExpectedFinal, evaluationResults, expectedFinal, TERMINAL_RESULTS } from './scenarios.js';
export { type RunningSimulator, type SimulatorStats, startSimulator } from './server.js';
export { SessionEngine } from './sessions.js';
