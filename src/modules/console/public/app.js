import { showLevel, showLevels, showSchedule, showSchedules } from './access.js';
import { showDashboard } from './dashboard.js';
import { showDevices } from './devices.js';
import { showDoor, showDoors } from './doors.js';
import { showAudit, showEvents } from './events.js';
import { showExplain } from './explain.js';
import { showLockdown } from './lockdown.js';
import { ApiError, alertBox, api, h, link, setCsrfToken, showError } from './dom.js';
import { showEditPerson, showNewPerson, showPeople, showPerson } from './people.js';
import { showSettings } from './settings.js';

const root = document.getElementById('app');
let session = null;
/** Ends what the screen left running (its live feed) before the next one. */
let leave = () => {};

async function loadSession() {
  try {
    session = await api('GET', 'session');
    setCsrfToken(session.csrf_token);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    session = null;
  }
}

function signInForm() {
  const errors = alertBox();
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, 'aria-describedby': 'username-hint' });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await api('POST', 'session', { username: username.value, password: password.value });
          await loadSession();
          render();
        } catch (error) {
          showError(errors, error);
          password.value = '';
          password.focus();
        }
      },
    },
    h('h1', {}, 'Portcullis'),
    h('p', {}, 'Sign in with your operator account.'),
    errors,
    h('label', { for: 'username' }, 'Username'),
    username,
    h('small', { id: 'username-hint' }, 'A username several sites hold: site number/username, as 2/admin.'),
    h('label', { for: 'password' }, 'Password'),
    password,
    h('button', { type: 'submit' }, 'Sign in'),
  );
  root.replaceChildren(h('main', { id: 'main' }, form));
  username.focus();
}

function header(can) {
  const signOut = async () => {
    await api('DELETE', 'session').catch(() => undefined);
    session = null;
    render();
  };
  return h(
    'header',
    { class: 'top' },
    h('a', { class: 'skip', href: '#main' }, 'Skip to content'),
    h('span', { class: 'brand' }, 'Portcullis', h('span', { class: 'site' }, session.site.name)),
    h(
      'nav',
      { 'aria-label': 'Console' },
      h(
        'ul',
        {},
        h('li', {}, link('/console', 'Dashboard')),
        can('people.read') && h('li', {}, link('/console/people', 'People')),
        h('li', {}, link('/console/doors', 'Doors')),
        can('lockdown.operate') && h('li', {}, link('/console/lockdown', 'Lockdown')),
        can('devices.manage') && h('li', {}, link('/console/devices', 'Devices')),
        h('li', {}, link('/console/events', 'Events')),
        can('access.explain') && h('li', {}, link('/console/explain', 'Explain')),
        can('access.manage') && h('li', {}, link('/console/access', 'Access')),
        can('audit.read') && h('li', {}, link('/console/audit', 'Audit')),
        can('site.manage') && h('li', {}, link('/console/settings', 'Settings')),
      ),
    ),
    h('span', { class: 'who' }, `${session.username} (${session.role})`),
    h('button', { type: 'button', class: 'secondary', onclick: signOut }, 'Sign out'),
  );
}

/** The screen the address names, if the role may see it. */
function route(context) {
  const { can } = context;
  const path = location.pathname.replace(/\/+$/, '');
  const person = /^\/console\/people\/([0-9]+)$/.exec(path);
  const edit = /^\/console\/people\/([0-9]+)\/edit$/.exec(path);
  if (path === '/console') return showDashboard(context);
  if (path === '/console/people' && can('people.read')) return showPeople(context);
  if (path === '/console/people/new' && can('people.write')) return showNewPerson(context);
  if (person && can('people.read')) return showPerson(context, Number(person[1]));
  if (edit && can('people.write')) return showEditPerson(context, Number(edit[1]));
  const door = /^\/console\/doors\/([0-9]+)$/.exec(path);
  if (path === '/console/doors') return showDoors(context);
  if (door) return showDoor(context, Number(door[1]));
  if (path === '/console/lockdown' && can('lockdown.operate')) return showLockdown(context);
  if (path === '/console/events') return showEvents(context);
  if (path === '/console/devices' && can('devices.manage')) return showDevices(context);
  if (path === '/console/explain' && can('access.explain')) return showExplain(context);
  if (path === '/console/audit' && can('audit.read')) return showAudit(context);
  if (path === '/console/settings' && can('site.manage')) return showSettings(context);
  const level = /^\/console\/access\/levels\/([0-9]+)$/.exec(path);
  const schedule = /^\/console\/access\/schedules\/([0-9]+)$/.exec(path);
  if (path === '/console/access' && can('access.manage')) return showLevels(context);
  if (level && can('access.manage')) return showLevel(context, Number(level[1]));
  if (path === '/console/access/schedules' && can('access.manage')) return showSchedules(context);
  if (schedule && can('access.manage')) return showSchedule(context, Number(schedule[1]));
  context.main.append(
    h('h1', {}, 'Not here'),
    h('p', {}, 'This page does not exist, or your role does not show it.'),
    link('/console', 'Back to the dashboard'),
  );
}

function render() {
  leave();
  leave = () => {};
  if (!session) return signInForm();
  const can = (capability) => session.capabilities.includes(capability);
  // Busy until the screen has its data (assistive technology waits; bench/console-pages.ts times to it).
  const main = h('main', { id: 'main', tabindex: '-1', 'aria-busy': 'true' });
  root.replaceChildren(header(can), main);
  const context = { session, can, main, onLeave: (stop) => (leave = stop) };
  Promise.resolve(route(context))
    .catch((error) => {
      const box = alertBox();
      showError(box, error);
      main.replaceChildren(box);
    })
    .finally(() => main.setAttribute('aria-busy', 'false'));
}

window.addEventListener('popstate', render);
window.addEventListener('console:navigate', render);
window.addEventListener('console:session-changed', async () => {
  await loadSession();
  render();
});
window.addEventListener('console:signed-out', () => {
  session = null;
  render();
});

await loadSession();
render();
