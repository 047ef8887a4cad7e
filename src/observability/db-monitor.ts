import type { CommandFailedEvent, CommandSucceededEvent } from 'mongodb';
import type { Connection } from 'mongoose';
import type { HubMetrics } from './metrics.js';

/** Connection housekeeping, not work a request asked for. */
const HOUSEKEEPING = new Set(['hello', 'isMaster', 'ismaster', 'endSessions', 'saslStart', 'saslContinue']);

/**
 * Times every driver command into gx_db_command_duration_seconds. Needs a connection opened
 * with monitorCommands (connectStore's option); returns the function that stops listening.
 */
export function monitorDbCommands(connection: Connection, metrics: HubMetrics): () => void {
  const client = connection.getClient();
  const observe = (outcome: 'ok' | 'error') => (event: CommandSucceededEvent | CommandFailedEvent) => {
    if (HOUSEKEEPING.has(event.commandName)) return;
    metrics.dbCommandDuration.observe({ command: event.commandName, outcome }, event.duration / 1000);
  };
  const succeeded = observe('ok');
  const failed = observe('error');
  client.on('commandSucceeded', succeeded);
  client.on('commandFailed', failed);
  return () => {
    client.off('commandSucceeded', succeeded);
    client.off('commandFailed', failed);
  };
}
