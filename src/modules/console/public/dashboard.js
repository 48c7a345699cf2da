import { alertBox, api, h, link, showError, siteTime } from './dom.js';
import { modeBadge, stateBadge } from './doors.js';
import { explainHref, personRef } from './events.js';

/** Rows the live feed keeps on screen. */
const FEED_ROWS = 200;
const HOUR_MS = 3600000;
/**
 * Doors and devices the dashboard lists, those needing attention first: a site of 2,000 doors drew 4,000
 * rows that nobody reads here (the Doors screen has them all), most of the page's time.
 */
const DASHBOARD_ROWS = 50;
/** How much a door's state asks for attention; states not named here ask least. */
const DOOR_ATTENTION = ['forced', 'held', 'offline', 'open', 'unknown'];

const attention = (door) => {
  const rank = DOOR_ATTENTION.indexOf(door.state);
  return (door.enabled ? 0 : 20) + (rank < 0 ? DOOR_ATTENTION.length : rank) - (door.mode === 'access_controlled' ? 0 : 10);
};

/** The first `DASHBOARD_ROWS` of `rows` by `rank` (stable), and a line saying so (linking the full list where the operator may see it). */
function firstNeeding(rows, rank, noun, href) {
  const shown = rows.length <= DASHBOARD_ROWS ? rows : [...rows].sort((a, b) => rank(a) - rank(b)).slice(0, DASHBOARD_ROWS);
  const more =
    rows.length > shown.length &&
    h('p', { class: 'more' }, `${shown.length} of ${rows.length} ${noun}, those needing attention first`, href && [': ', link(href, `all ${noun}`)]);
  return { shown, more };
}

function eventRow(event, context) {
  const { can, session } = context;
  const zone = session.site.timezone;
  const why = explainHref(event, can);
  return h(
    'li',
    { class: `event ${event.outcome}`, 'data-event-id': event.id },
    h('time', { datetime: new Date(event.at).toISOString() }, siteTime(event.at, zone)),
    h('span', { class: 'outcome' }, event.text),
    event.reason && h('span', { class: 'reason' }, event.reason),
    why && link(why, h('span', { class: 'why' }, 'Why?')),
    event.person && h('span', { class: 'person' }, personRef(event.person, can)),
    event.door && h('span', { class: 'door' }, link(`/console/doors/${event.door.id}`, event.door.name)),
    event.device && h('a', { class: 'device', href: `/console#device-${event.device.id}` }, event.device.name),
    event.card_num && h('span', { class: 'card' }, `card ${event.card_num}`),
  );
}

function doorsTable(doors) {
  const { shown, more } = firstNeeding(doors, attention, 'doors', '/console/doors');
  return [
    h(
      'table',
      {},
      h('caption', {}, 'Doors'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Door'),
          h('th', { scope: 'col' }, 'Location'),
          h('th', { scope: 'col' }, 'State'),
          h('th', { scope: 'col' }, 'Mode'),
        ),
      ),
      h(
        'tbody',
        {},
        shown.map((door) =>
          h(
            'tr',
            { id: `door-${door.id}` },
            h('th', { scope: 'row' }, link(`/console/doors/${door.id}`, door.name)),
            h('td', {}, door.location_name ?? ''),
            h('td', {}, stateBadge(door)),
            h('td', {}, modeBadge(door)),
          ),
        ),
      ),
    ),
    more,
  ];
}

function devicesTable(devices, context) {
  const { can, session } = context;
  const errors = alertBox();
  const { shown, more } = firstNeeding(devices, (device) => (device.online ? 1 : 0), 'devices', can('devices.manage') && '/console/devices');
  const revoke = (device) => async () => {
    if (!window.confirm(`Revoke ${device.name}? Its key stops working at once and cannot be restored.`)) return;
    try {
      await api('POST', `devices/${device.id}/revoke`);
      document.getElementById(`device-${device.id}`)?.remove();
    } catch (error) {
      showError(errors, error);
    }
  };
  return h(
    'div',
    {},
    errors,
    h(
      'table',
      {},
      h('caption', {}, 'Devices'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Device'),
          h('th', { scope: 'col' }, 'Status'),
          h('th', { scope: 'col' }, 'Last seen'),
          can('devices.manage') && h('th', { scope: 'col' }, 'Actions'),
        ),
      ),
      h(
        'tbody',
        {},
        shown.map((device) =>
          h(
            'tr',
            { id: `device-${device.id}` },
            h('th', { scope: 'row' }, device.name),
            h('td', { class: 'status' }, h('span', { class: `state ${device.online ? 'online' : 'offline'}` }, device.online ? 'Online' : 'Offline')),
            h('td', { class: 'seen' }, device.last_seen_at === null ? 'Never' : siteTime(device.last_seen_at, session.site.timezone)),
            can('devices.manage') && h('td', {}, h('button', { type: 'button', class: 'danger', onclick: revoke(device) }, 'Revoke')),
          ),
        ),
      ),
    ),
    more,
  );
}

/** A device that just sent an event was seen then: its row says so without a reload. */
function markSeen(event, zone) {
  const row = event.device && document.getElementById(`device-${event.device.id}`);
  if (!row) return;
  row.querySelector('.status')?.replaceChildren(h('span', { class: 'state online' }, 'Online'));
  row.querySelector('.seen')?.replaceChildren(siteTime(event.at, zone));
}

let chartLoaded;

/** Chart.js, loaded the first time the dashboard needs it, so no other screen waits for its 200 kB. */
function loadChart() {
  chartLoaded ??= new Promise((resolve, reject) => {
    document.head.append(h('script', { src: '/console/assets/chart.umd.min.js', onload: resolve, onerror: reject }));
  });
  return chartLoaded;
}

function decisionsChart(canvas, decisions, zone) {
  const hour = new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: '2-digit', minute: '2-digit' });
  return new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: decisions.map((d) => hour.format(d.hour)),
      datasets: [
        { label: 'Granted', data: decisions.map((d) => d.granted), backgroundColor: '#2e7d32' },
        { label: 'Denied', data: decisions.map((d) => d.denied), backgroundColor: '#c62828' },
      ],
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

/** The dashboard: doors, devices, decisions per hour, and the live feed (Server-Sent Events). */
export async function showDashboard(context) {
  const { main, session, onLeave } = context;
  const [data] = await Promise.all([api('GET', 'dashboard'), loadChart()]);
  const feed = h(
    'ol',
    { class: 'feed', 'aria-live': 'polite', 'aria-label': 'Live events, newest first' },
    data.events.map((e) => eventRow(e, context)),
  );
  const canvas = h('canvas', { role: 'img', 'aria-label': 'Access decisions per hour over the last 24 hours, granted and denied' });
  const status = h('p', { class: 'feed-status' }, 'Connecting to the live feed…');
  main.replaceChildren(
    h('h1', {}, 'Dashboard'),
    h(
      'div',
      { class: 'grid' },
      h('section', { class: 'panel', 'aria-labelledby': 'feed-title' }, h('h2', { id: 'feed-title' }, 'Live events'), status, feed),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'chart-title' },
        h('h2', { id: 'chart-title' }, 'Decisions per hour (24 h)'),
        h('div', { class: 'chart-box' }, canvas),
      ),
      h('section', { class: 'panel' }, doorsTable(data.doors)),
      h('section', { class: 'panel' }, devicesTable(data.devices, context)),
    ),
  );
  const chart = decisionsChart(canvas, data.decisions, session.site.timezone);
  const newest = data.events[0]?.id;
  const source = new EventSource(`/console/api/events/stream${newest === undefined ? '' : `?after=${newest}`}`);
  source.addEventListener('open', () => {
    status.textContent = 'Live';
  });
  source.addEventListener('error', () => {
    status.textContent = 'Reconnecting…';
  });
  source.addEventListener('event', (message) => {
    const event = JSON.parse(message.data);
    feed.prepend(eventRow(event, context));
    markSeen(event, session.site.timezone);
    while (feed.children.length > FEED_ROWS) feed.lastElementChild.remove();
    const bucket = data.decisions.findIndex((d) => event.at >= d.hour && event.at < d.hour + HOUR_MS);
    if (bucket >= 0 && event.outcome !== 'other') {
      chart.data.datasets[event.outcome === 'granted' ? 0 : 1].data[bucket] += 1;
      chart.update();
    }
  });
  onLeave(() => {
    source.close();
    chart.destroy();
  });
}
