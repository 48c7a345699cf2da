import { alertBox, api, fill, h, link, showError, siteTime } from './dom.js';

/**
 * Where "Why was this denied?" explains a denied event: the card it read (or else the person it named),
 * at its door, at its time. Null when the event names neither (a typed PIN matching nobody).
 */
export function explainHref(event, can) {
  if (event.outcome !== 'denied' || !event.door || !can('access.explain')) return null;
  const who = event.card_num ? { card_num: event.card_num } : event.person ? { person_id: String(event.person.id) } : null;
  if (!who) return null;
  return `/console/explain?${new URLSearchParams({ door_id: String(event.door.id), ...who, at: new Date(event.at).toISOString() })}`;
}

/** A person's name, linked to their page for those who may read people. */
export function personRef(person, can) {
  if (!person) return '';
  return can('people.read') ? link(`/console/people/${person.id}`, person.name) : person.name;
}

/** A table of events: time in the site's zone, what, reason (denials linked to their explanation), who, where. */
export function eventsTable(events, context, caption) {
  const { can, session } = context;
  const zone = session.site.timezone;
  return h(
    'table',
    { class: 'events' },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Time', 'Event', 'Reason', 'Person', 'Door', 'Device', 'Card'].map((name) => h('th', { scope: 'col' }, name)),
      ),
    ),
    h(
      'tbody',
      {},
      events.length === 0
        ? h('tr', {}, h('td', { colspan: 7 }, 'No events.'))
        : events.map((e) => {
            const why = explainHref(e, can);
            return h(
              'tr',
              { class: `event ${e.outcome}`, 'data-event-id': e.id },
              h('td', {}, h('time', { datetime: new Date(e.at).toISOString() }, siteTime(e.at, zone))),
              h('td', {}, h('span', { class: 'outcome' }, e.text)),
              h('td', {}, e.reason, why && ' ', why && link(why, h('span', { class: 'why' }, 'Why?'))),
              h('td', {}, personRef(e.person, can)),
              h('td', {}, e.door ? link(`/console/doors/${e.door.id}`, e.door.name) : ''),
              h('td', {}, e.device ? e.device.name : ''),
              h('td', {}, e.card_num),
            );
          }),
    ),
  );
}

/** The wall-clock time of an instant in the site's zone, as a datetime-local field holds it. */
export function siteWallClock(ms, zone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/** A datetime-local value as the API reads a time in the site's zone ("YYYY-MM-DD HH:MM:SS"); '' stays ''. */
export function siteTimeParam(value) {
  if (!value) return '';
  const [date, time] = value.split('T');
  return `${date} ${time.length === 5 ? `${time}:00` : time}`;
}

/**
 * A person chosen by typing: a search field whose suggestions (a datalist) name each match with its id.
 * `chosen()` is the id of the person named, undefined when the field is empty, null when it names none.
 */
export function personPicker(id, label, initial) {
  const list = h('datalist', { id: `${id}-choices` });
  const input = h('input', { id, name: id, type: 'search', list: `${id}-choices`, autocomplete: 'off', value: initial ?? '' });
  let asked = 0;
  input.addEventListener('input', async () => {
    const ask = ++asked;
    const q = input.value.replace(/\s*\(#[0-9]+\)$/, '');
    if (q.trim() === '') return list.replaceChildren();
    const { people } = await api('GET', `people?${new URLSearchParams({ q })}`).catch(() => ({ people: [] }));
    if (ask !== asked) return;
    list.replaceChildren(...people.map((p) => h('option', { value: `${p.first_name} ${p.last_name} (#${p.id})` })));
  });
  const chosen = () => {
    if (input.value.trim() === '') return undefined;
    const match = /\(#([0-9]+)\)$/.exec(input.value.trim());
    return match ? match[1] : null;
  };
  return { input, chosen, row: h('div', { class: 'field' }, h('label', { for: id }, label), input, list) };
}

/** A select of the site's doors, by location; the first option `blank` when given. */
export function doorSelect(id, label, doors, chosen, blank) {
  const select = h(
    'select',
    { id, name: id },
    blank && h('option', { value: '' }, blank),
    doors.map((d) =>
      h('option', { value: String(d.id), selected: String(d.id) === chosen }, d.location_name ? `${d.name} (${d.location_name})` : d.name),
    ),
  );
  return { select, row: h('div', { class: 'field' }, h('label', { for: id }, label), select) };
}

const field = (id, label, control) => h('div', { class: 'field' }, h('label', { for: id }, label), control);

/**
 * A filtered list, newest first, shared by the events and the audit log: the filters kept in the
 * screen's address, a page at a time (`next` is the `before` of the older page), errors shown above it.
 * `filtered(query)` sees each new filter (the events' CSV link); `show(page, older)` draws or appends a page.
 */
function filteredList({ screen, label, older: olderText, filterQuery, filtered, show }) {
  const errors = alertBox();
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, olderText);
  let before;
  async function load(older) {
    try {
      const query = filterQuery();
      history.replaceState(null, '', `/console/${screen}${query.size > 0 ? `?${query}` : ''}`);
      filtered?.(query);
      const paged = new URLSearchParams(query);
      if (older && before) paged.set('before', String(before));
      const page = await api('GET', `${screen}?${paged}`);
      errors.replaceChildren();
      show(page, older);
      before = page.next;
      more.hidden = page.next === null;
    } catch (error) {
      showError(errors, error);
    }
  }
  more.addEventListener('click', () => load(true));
  const form = (...controls) =>
    h(
      'form',
      {
        class: 'filters',
        'aria-label': label,
        onsubmit: (event) => {
          event.preventDefault();
          load(false);
        },
      },
      ...controls,
    );
  return { errors, more, load, form };
}

const OUTCOMES = [
  ['', 'Any outcome'],
  ['granted', 'Granted'],
  ['denied', 'Denied'],
];

/** Events: filter by time range, door, person, outcome and reason; a page at a time; the filtered rows as CSV. */
export async function showEvents(context) {
  const { main, can, session } = context;
  const zone = session.site.timezone;
  const params = new URLSearchParams(location.search);
  const [{ doors }, { reasons }, named] = await Promise.all([
    api('GET', 'doors'),
    api('GET', 'events/reasons'),
    params.get('person_id') && can('people.read') ? api('GET', `people/${params.get('person_id')}`).catch(() => null) : null,
  ]);
  const wall = (name) => (params.get(name) ? params.get(name).replace(' ', 'T') : '');
  const from = h('input', { id: 'from', name: 'from', type: 'datetime-local', step: '1', value: wall('from') });
  const to = h('input', { id: 'to', name: 'to', type: 'datetime-local', step: '1', value: wall('to') });
  const door = doorSelect('door', 'Door', doors, params.get('door_id') ?? '', 'Any door');
  const person = can('people.read') && personPicker('person', 'Person', named ? `${named.first_name} ${named.last_name} (#${named.id})` : '');
  const outcome = h(
    'select',
    { id: 'outcome', name: 'outcome' },
    OUTCOMES.map(([value, text]) => h('option', { value, selected: params.get('outcome') === value }, text)),
  );
  const reason = h(
    'select',
    { id: 'reason', name: 'reason' },
    h('option', { value: '' }, 'Any reason'),
    reasons.map((r) => h('option', { value: String(r.subcode), selected: params.get('reason') === String(r.subcode) }, r.text)),
  );
  const results = h('div', {});
  const csv = h('a', { class: 'button secondary', download: 'events.csv' }, 'Export CSV');

  function filterQuery() {
    const query = new URLSearchParams();
    const add = (name, value) => value && query.set(name, value);
    add('from', siteTimeParam(from.value));
    add('to', siteTimeParam(to.value));
    add('door_id', door.select.value);
    if (person) {
      const id = person.chosen();
      if (id === null) throw new Error('Choose a person from the suggestions, or leave Person empty.');
      add('person_id', id);
    }
    add('outcome', outcome.value);
    add('reason', reason.value);
    return query;
  }

  const list = filteredList({
    screen: 'events',
    label: 'Filter events',
    older: 'Older events',
    filterQuery,
    filtered: (query) => {
      csv.href = `/console/api/events.csv?${query}`;
    },
    show: (page, older) => {
      const table = eventsTable(page.events, context, `Events (times in ${zone})`);
      if (older) results.querySelector('tbody')?.append(...table.querySelector('tbody').children);
      else results.replaceChildren(table);
    },
  });
  fill(
    main,
    h('h1', {}, 'Events'),
    list.form(
      field('from', `From (${zone})`, from),
      field('to', `To (${zone})`, to),
      door.row,
      person?.row,
      field('outcome', 'Outcome', outcome),
      field('reason', 'Reason', reason),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Filter'), csv),
    ),
    list.errors,
    results,
    h('div', { class: 'pager' }, list.more),
  );
  await list.load(false);
}

/** Audit records shown by id at most: a batch of a thousand is a count, not a list. */
const AUDIT_IDS_SHOWN = 10;
/** The console page of each resource an audit record can name, for the roles that may read it. */
const RECORD_PAGES = { users: ['people.read', '/console/people/'], doors: ['events.read', '/console/doors/'] };

function recordRefs(record, can) {
  const [capability, page] = RECORD_PAGES[record.resource] ?? [];
  const shown = record.record_ids.slice(0, AUDIT_IDS_SHOWN).map((id) => (page && can(capability) ? link(`${page}${id}`, String(id)) : String(id)));
  const rest = record.record_ids.length - shown.length;
  return [shown.flatMap((ref, i) => (i === 0 ? [ref] : [', ', ref])), rest > 0 ? ` and ${rest} more` : ''];
}

/** The audit log: who changed what, newest first, narrowed by who, what resource and when (the site's zone). */
export async function showAudit(context) {
  const { main, session, can } = context;
  const zone = session.site.timezone;
  const params = new URLSearchParams(location.search);
  const choices = await api('GET', 'audit/choices');
  const body = h('tbody', {});
  const wall = (name) => (params.get(name) ? params.get(name).replace(' ', 'T') : '');
  const from = h('input', { id: 'audit-from', name: 'from', type: 'datetime-local', step: '1', value: wall('from') });
  const to = h('input', { id: 'audit-to', name: 'to', type: 'datetime-local', step: '1', value: wall('to') });
  const actor = h(
    'select',
    { id: 'audit-actor', name: 'actor' },
    h('option', { value: '' }, 'Anyone'),
    choices.actors.map((a) =>
      h('option', { value: a.actor, selected: params.get('actor') === a.actor }, `${a.actor} (${a.actor_kind.replace('_', ' ')})`),
    ),
  );
  const resource = h(
    'select',
    { id: 'audit-resource', name: 'resource' },
    h('option', { value: '' }, 'Any resource'),
    choices.resources.map((r) => h('option', { value: r, selected: params.get('resource') === r }, r)),
  );
  function filterQuery() {
    const query = new URLSearchParams();
    const add = (name, value) => value && query.set(name, value);
    add('actor', actor.value);
    add('resource', resource.value);
    add('from', siteTimeParam(from.value));
    add('to', siteTimeParam(to.value));
    return query;
  }
  const list = filteredList({
    screen: 'audit',
    label: 'Filter the audit log',
    older: 'Older records',
    filterQuery,
    show: (page, older) => {
      if (!older) body.replaceChildren();
      body.append(
        ...page.records.map((r) =>
          h(
            'tr',
            {},
            h('td', {}, h('time', { datetime: r.at }, siteTime(Date.parse(r.at), zone))),
            h('td', {}, `${r.actor} (${r.actor_kind.replace('_', ' ')})`),
            h('td', {}, `${r.action} ${r.resource}`),
            h('td', {}, recordRefs(r, can)),
            h(
              'td',
              {},
              Object.entries(r.detail)
                .map(([key, value]) => `${key} ${typeof value === 'object' ? JSON.stringify(value) : value}`)
                .join(', '),
            ),
          ),
        ),
      );
      if (body.children.length === 0) body.append(h('tr', {}, h('td', { colspan: 5 }, 'No changes recorded that match.')));
    },
  });
  fill(
    main,
    h('h1', {}, 'Audit log'),
    list.form(
      field('audit-actor', 'Who', actor),
      field('audit-resource', 'Resource', resource),
      field('audit-from', `From (${zone})`, from),
      field('audit-to', `To (${zone})`, to),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Filter')),
    ),
    list.errors,
    h(
      'table',
      { class: 'audit' },
      h('caption', {}, `Who changed what, newest first (times in ${zone})`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Time', 'Who', 'Change', 'Records', 'Detail'].map((name) => h('th', { scope: 'col' }, name)),
        ),
      ),
      body,
    ),
    h('div', { class: 'pager' }, list.more),
  );
  await list.load(false);
}
