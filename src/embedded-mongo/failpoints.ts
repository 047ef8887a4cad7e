import type { Document } from 'bson';
import { ErrorCode, commandError } from './errors.js';
import { isPlainObject } from './values.js';

/** What an armed `failCommand` fail point does to a matching command. */
export interface FailureAction {
  closeConnection: boolean;
  blockTimeMS: number;
  /** The reply that replaces the command's own (error or write concern error), if any. */
  reply?: Document;
}

interface FailCommand {
  commands: Set<string>;
  appName?: string;
  remaining: number;
  action: FailureAction;
}

/**
 * MongoDB's `failCommand` test fail point (`configureFailPoint`), which driver test suites use
 * to make the next commands fail or drop the connection. Only `failCommand` exists here.
 */
export class FailPoints {
  private failCommand: FailCommand | undefined;

  configure(command: Document): Document {
    if (command.configureFailPoint !== 'failCommand') {
      throw commandError(ErrorCode.BadValue, `未知的故障点 / unknown fail point: ${String(command.configureFailPoint)}`);
    }
    const mode: unknown = command.mode;
    if (mode === 'off') {
      this.failCommand = undefined;
      return { ok: 1 };
    }
    const remaining = mode === 'alwaysOn' ? Number.POSITIVE_INFINITY : isPlainObject(mode) && typeof mode.times === 'number' ? mode.times : NaN;
    const data: unknown = command.data;
    if (!Number.isFinite(remaining) && remaining !== Number.POSITIVE_INFINITY) {
      throw commandError(ErrorCode.BadValue, "mode 必须是 'alwaysOn'、'off' 或 {times} / mode must be 'alwaysOn', 'off' or {times: n}");
    }
    if (!isPlainObject(data) || !Array.isArray(data.failCommands)) {
      throw commandError(ErrorCode.BadValue, 'data.failCommands 必须是数组 / data.failCommands must be an array');
    }
    let reply: Document | undefined;
    if (typeof data.errorCode === 'number') {
      reply = { ok: 0, code: data.errorCode, errmsg: 'Failing command via failCommand failpoint' };
      if (Array.isArray(data.errorLabels)) reply.errorLabels = data.errorLabels;
    } else if (isPlainObject(data.writeConcernError)) {
      reply = { ok: 1, writeConcernError: data.writeConcernError };
      if (Array.isArray(data.errorLabels)) reply.errorLabels = data.errorLabels;
    }
    this.failCommand = {
      commands: new Set(data.failCommands.map(String)),
      appName: typeof data.appName === 'string' ? data.appName : undefined,
      remaining,
      action: {
        closeConnection: data.closeConnection === true,
        blockTimeMS: data.blockConnection === true && typeof data.blockTimeMS === 'number' ? data.blockTimeMS : 0,
        reply,
      },
    };
    return { ok: 1 };
  }

  /** The action for this command when the fail point is armed for it (consuming one of its times). */
  trigger(commandName: string, appName: string | undefined): FailureAction | undefined {
    const point = this.failCommand;
    if (!point || !point.commands.has(commandName)) return undefined;
    if (point.appName !== undefined && point.appName !== appName) return undefined;
    point.remaining -= 1;
    if (point.remaining <= 0) this.failCommand = undefined;
    return point.action;
  }
}
