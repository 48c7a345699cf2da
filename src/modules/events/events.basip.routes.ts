import { ERRORS } from '../../domain/errors.ts';
import { ListAnswer, listOption, listSpec, readListQuery } from '../../http/basip/list-query.ts';
import { operatorOf } from '../../http/plugins/operator-auth.ts';
import type { ResourceModule } from '../module.ts';
import { presentLogItem } from './events.basip.presenter.ts';
import { LogItem, LogQuery } from './events.basip.schema.ts';
import { LOG_LIST_COLUMNS, countEvents, listEventPage } from './events.repository.ts';

const LOG_LIST = listSpec({ timestamp: 'time' }, LOG_LIST_COLUMNS, 'timestamp');

/**
 * Below this a `from`/`to` is read as Unix seconds, at or above it as milliseconds: public clients send
 * both (one sends `from` in seconds and `to` in milliseconds), and 10^11 seconds is the year 5138 while
 * 10^11 ms is 1973, so no real time is read wrongly.
 */
const SECONDS_BELOW = 100_000_000_000;

function readTime(name: string, text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  if (!/^\s*[0-9]{1,15}\s*$/.test(text)) throw ERRORS.badRequest(`Wrong ${name}: ${text} (expected Unix time in ms or seconds)`);
  const value = Number(text);
  return value < SECONDS_BELOW ? value * 1000 : value;
}

/** The panel face's log: the site's event log, a page at a time, within a time window. */
export const eventsBasipModule: ResourceModule = {
  name: 'events-basip',
  register(app, { db }) {
    app.get('/api/v1/log/items', {
      config: { auth: 'operator' },
      schema: {
        tags: ['basip'],
        summary: "BAS-IP: the site's event log as panel log items, a page at a time, between from and to, by device time.",
        querystring: LogQuery,
        response: { 200: ListAnswer(LogItem) },
      },
      handler: async (request) => {
        const { site } = operatorOf(request);
        const list = readListQuery(request.query, LOG_LIST);
        const window = { from: readTime('from', request.query.from), to: readTime('to', request.query.to) };
        const [rows, total] = await Promise.all([listEventPage(db, site.id, window, list), countEvents(db, site.id, window, list)]);
        return { list_option: listOption(list, total), list_items: rows.map(presentLogItem) };
      },
    });
  },
};
