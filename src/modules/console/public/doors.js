import { doorEditForm, emergencyCloseForm, locationChoices, newDoorForm } from './door-admin.js';
import { alertBox, api, fill, h, labelled, link, showError, siteTime } from './dom.js';
import { eventsTable } from './events.js';

export const STATE_TEXT = {
  open: 'Open',
  forced: 'Forced open',
  held: 'Held open',
  closed: 'Closed',
  offline: 'Offline',
  unknown: 'Not reported',
};

/** A door's live state as a badge: the device's report, or Disabled for a door switched off; then its lock, when the device says. */
export function stateBadge(door) {
  const state = h('span', { class: `state ${door.enabled ? door.state : 'disabled'}` }, door.enabled ? STATE_TEXT[door.state] : 'Disabled');
  if (!door.enabled || door.locked === null) return state;
  return [state, ' ', h('span', { class: `state ${door.locked ? 'locked' : 'unlocked'}` }, door.locked ? 'Locked' : 'Unlocked')];
}

export const MODE_TEXT = {
  access_controlled: 'Access controlled',
  unlocked: 'Unlocked',
  locked: 'Locked',
  card_and_pin: 'Card and PIN',
};

/** The door's mode as the engine resolves it now, and what decided it (a plan, an override, a schedule). */
export function modeBadge(door) {
  return [h('span', { class: `mode ${door.mode}` }, MODE_TEXT[door.mode] ?? door.mode), h('small', { class: 'cause' }, ` ${door.mode_cause}`)];
}

/** A `datetime-local` value as a wire time on the site's clocks (`YYYY-MM-DD HH:MM:SS`). */
const wireTime = (value) => `${value.replace('T', ' ')}:00`.slice(0, 19);

/** A door's override (managers and admins): a mode until a time, the next schedule change, or its return; and the return. */
function overrideForm(door, reload) {
  const errors = alertBox();
  const mode = h(
    'select',
    { id: 'override_mode', name: 'mode' },
    Object.entries(MODE_TEXT).map(([value, text]) => h('option', { value }, text)),
  );
  const ends = h(
    'select',
    { id: 'override_ends', name: 'ends' },
    h('option', { value: 'returned' }, 'Until returned to schedule'),
    h('option', { value: 'next' }, 'Until the next schedule change'),
    h('option', { value: 'time' }, 'Until a time'),
  );
  const until = h('input', { id: 'override_until', name: 'until', type: 'datetime-local' });
  const send = async (method, body) => {
    try {
      await api(method, `doors/${door.id}/override`, body);
      reload();
    } catch (error) {
      showError(errors, error);
    }
  };
  return h(
    'form',
    {
      class: 'override',
      'aria-labelledby': 'override-title',
      onsubmit: (event) => {
        event.preventDefault();
        const body = { mode: mode.value };
        if (ends.value === 'next') body.until_next_change = true;
        if (ends.value === 'time') body.until = until.value === '' ? '' : wireTime(until.value);
        send('POST', body);
      },
    },
    h('h2', { id: 'override-title' }, 'Override'),
    h('p', {}, 'Puts the door in a mode regardless of its schedule; a started lockdown plan still comes first.'),
    errors,
    labelled('override_mode', 'Mode', mode),
    labelled('override_ends', 'Ends', ends),
    labelled('override_until', 'Until (site time, when ending at a time)', until),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, 'Override'),
      door.overridden && h('button', { type: 'button', class: 'secondary', onclick: () => send('DELETE') }, 'Return to schedule'),
    ),
  );
}

/** The emergency opening of the BAS-IP face (administrators): every door on a lock, confirmed first. */
function emergencyForm() {
  const errors = alertBox();
  const done = h('p', { role: 'status' });
  const lock = h('input', { id: 'lock_number', name: 'lock_number', type: 'number', min: '0', max: '255', value: '0', required: true });
  return h(
    'form',
    {
      class: 'emergency',
      'aria-labelledby': 'emergency-title',
      onsubmit: async (event) => {
        event.preventDefault();
        const which = lock.value === '0' ? 'every lock' : `lock ${lock.value}`;
        if (!window.confirm(`Emergency: open ${which} on every panel that drives it? Recorded in your name.`)) return;
        try {
          const { queued } = await api('POST', 'emergency-open', { lock_number: Number(lock.value) });
          errors.replaceChildren();
          done.textContent = `Emergency opening sent: ${queued} unlock command${queued === 1 ? '' : 's'} queued.`;
        } catch (error) {
          showError(errors, error);
        }
      },
    },
    h('h2', { id: 'emergency-title' }, 'Emergency opening'),
    h('p', {}, 'Opens the doors on a lock of every panel at once, as the panel face’s emergency opening does.'),
    errors,
    h('div', { class: 'field' }, h('label', { for: 'lock_number' }, 'Lock number (0: every lock)'), lock),
    h('button', { type: 'submit', class: 'danger' }, 'Emergency open'),
    done,
  );
}

/** Doors by location with their live state. */
export async function showDoors(context) {
  const { main, can } = context;
  const [{ doors }, locations] = await Promise.all([api('GET', 'doors'), can('doors.manage') ? locationChoices() : []]);
  const byLocation = new Map();
  for (const door of doors) {
    const place = door.location_name ?? 'No location';
    if (!byLocation.has(place)) byLocation.set(place, []);
    byLocation.get(place).push(door);
  }
  fill(
    main,
    h('h1', {}, 'Doors'),
    doors.length === 0 && h('p', {}, 'The site has no doors yet.'),
    [...byLocation].map(([place, list]) =>
      h(
        'table',
        { class: 'doors' },
        h('caption', {}, place),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Door'), h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col' }, 'Mode'))),
        h(
          'tbody',
          {},
          list.map((door) =>
            h(
              'tr',
              { id: `door-${door.id}` },
              h('th', { scope: 'row' }, link(`/console/doors/${door.id}`, door.name)),
              h('td', {}, stateBadge(door)),
              h('td', {}, modeBadge(door)),
            ),
          ),
        ),
      ),
    ),
    can('doors.manage') && h('section', { class: 'panel' }, newDoorForm(locations)),
    can('doors.emergency') && h('section', { class: 'panel' }, emergencyForm(), emergencyCloseForm()),
  );
}

/** "Anyone — free access, lock 1: …, until 18:00": what opens the door to anyone now, and until when (site zone). */
function anyoneItem(open, zone) {
  const until = open.until === null ? '' : `, until ${siteTime(open.until, zone)}`;
  return h(
    'li',
    { class: 'anyone' },
    h('strong', {}, open.who === 'anyone' ? 'Anyone' : `Anyone (${open.who.replace(/^anyone /, '')})`),
    ` — by ${open.rule}${until}`,
  );
}

/** Who can open the door now: what opens it to anyone, then a page of people at a time (the access engine's answer for each). */
function openers(id, zone) {
  const list = h('ul', { class: 'openers' });
  const errors = alertBox();
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'More people');
  let after = 0;
  async function load() {
    try {
      const page = await api('GET', `doors/${id}/people${after ? `?after=${after}` : ''}`);
      list.append(
        ...page.anyone.map((open) => anyoneItem(open, zone)),
        ...page.people.map((p) => h('li', {}, link(`/console/people/${p.id}`, p.name), ` — ${p.credential}, by ${p.rule}`)),
      );
      if (list.children.length === 0 && page.next === null) list.append(h('li', {}, 'Nobody can open this door now.'));
      after = page.next;
      more.hidden = page.next === null;
    } catch (error) {
      showError(errors, error);
    }
  }
  more.addEventListener('click', load);
  load();
  return h('section', { 'aria-labelledby': 'openers-title' }, h('h2', { id: 'openers-title' }, 'Who can open it now'), errors, list, more);
}

/** A door: its state, its devices, remote unlock (confirmed first), its recent events, and who can open it now. */
export async function showDoor(context, id) {
  const { main, can } = context;
  const [page, locations] = await Promise.all([api('GET', `doors/${id}`), can('doors.manage') ? locationChoices() : []]);
  const { door, devices } = page;
  const errors = alertBox();
  const done = h('p', { role: 'status' });
  const unlock = async () => {
    if (!window.confirm(`Unlock ${door.name} now? Its devices open it once; recorded in your name.`)) return;
    try {
      const { queued } = await api('POST', `doors/${id}/unlock`);
      errors.replaceChildren();
      done.textContent = `Unlock sent to ${queued} device${queued === 1 ? '' : 's'}.`;
    } catch (error) {
      showError(errors, error);
    }
  };
  fill(
    main,
    h('p', {}, link('/console/doors', '← Doors')),
    h('h1', {}, door.name),
    errors,
    h(
      'dl',
      { class: 'details' },
      h('dt', {}, 'Location'),
      h('dd', {}, door.location_name ?? 'None'),
      h('dt', {}, 'State'),
      h('dd', {}, stateBadge(door)),
      h('dt', {}, 'Mode'),
      h('dd', {}, modeBadge(door)),
      h('dt', {}, 'Devices'),
      h('dd', {}, devices.length === 0 ? 'None: it cannot be unlocked remotely' : devices.map((d) => d.name).join(', ')),
    ),
    can('doors.unlock') && devices.length > 0 && h('div', { class: 'actions' }, h('button', { type: 'button', onclick: unlock }, 'Unlock now'), done),
    can('doors.override') &&
      h(
        'section',
        { class: 'panel' },
        overrideForm(door, () => showDoor(context, id)),
      ),
    can('doors.manage') && h('section', { class: 'panel' }, doorEditForm(door, locations)),
    can('people.read') && openers(id, context.session.site.timezone),
    h(
      'section',
      { 'aria-labelledby': 'door-events-title' },
      h('h2', { id: 'door-events-title' }, 'Recent events'),
      eventsTable(page.events, context, 'Last 50 events'),
    ),
  );
}
