export { monitorDbCommands } from './db-monitor.js';
export { createMetrics, type HubMetrics } from './metrics.js';
export { observabilityPlugin, observeContext, observeRequests, type RequestObservation } from './requests.js';
