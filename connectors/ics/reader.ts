import type { ConnectorState, ReadContext, ReadEvent } from '../contract.js';
import { withAuth } from '../shared/auth.js';
import { decodeText } from '../shared/charset.js';
import { parseState, toRawRecord } from '../shared/records.js';
import { icsStateSchema, type IcsConfig } from './config.js';
import { parseCalendar } from './events.js';
import { todayIn, type OccurrenceWindow } from './recurrence.js';

/** The expansion window of this read: from the configured day, or today in the feed's zone. */
function occurrenceWindow(config: IcsConfig, ctx: ReadContext): OccurrenceWindow | undefined {
  const { recurrence } = config;
  if (!recurrence.expand) return undefined;
  return {
    from: recurrence.from ?? todayIn(config.timezone),
    days: recurrence.windowDays,
    maxOccurrences: recurrence.maxOccurrences,
    onTruncated: (uid, occurrences) =>
      ctx.log(`recurring event truncated to ${recurrence.maxOccurrences} occurrences`, { uid, occurrences }),
  };
}

/**
 * Reads one calendar (bounded by the fetch size cap); each VEVENT is a record keyed by UID,
 * each occurrence of a recurring one by UID#start (see recurrence.ts).
 */
export async function* readIcs(config: IcsConfig, state: ConnectorState | undefined, ctx: ReadContext): AsyncIterable<ReadEvent> {
  parseState(icsStateSchema, state);
  const request = withAuth(config.url, { accept: 'text/calendar, */*;q=0.5', ...config.headers }, config.auth);
  const response = await ctx.fetch(request.url, { headers: request.headers, signal: ctx.signal });
  const calendar = decodeText(await response.bytes(), { configured: config.encoding, contentType: response.headers.get('content-type'), fallback: 'utf-8' });
  for (const event of parseCalendar(calendar, config.timezone, occurrenceWindow(config, ctx))) {
    if (config.skipCancelled && event.status?.toUpperCase() === 'CANCELLED') continue;
    const data: Record<string, unknown> = { ...event };
    yield { type: 'record', record: toRawRecord(data, { idPath: config.idPath ?? 'occurrenceId', cursorPath: config.cursorPath }) };
  }
  yield { type: 'complete', state: {} };
}
