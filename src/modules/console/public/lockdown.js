// Lockdown plans: listed, started and cleared (managers and admins), created and deleted (admins), each
// through the Lockt `/lockdown` operations on the server, whose messages are shown as they are.
import { alertBox, api, fill, h, labelled, showError } from './dom.js';

const MODE_TEXT = { lockdown: 'Lockdown (locked)', egress: 'Egress (unlocked)' };

/** What a plan covers, in words. */
function scopeText(plan, locations, doorNames) {
  if (plan.scope === 'location') return `Location ${locations.get(plan.location_id) ?? `#${plan.location_id}`}`;
  if (plan.scope === 'doors') return plan.door_ids.map((id) => doorNames.get(id) ?? `#${id}`).join(', ');
  return 'Whole site';
}

/** Selected values of a multiple select, as numbers. */
const chosenIds = (select) => [...select.selectedOptions].map((o) => Number(o.value));

/** A new plan: name, mode, priority, scope (the site, a location or chosen doors), responders, auto-revert. */
function newPlanForm(locations, doors, levels, created) {
  const errors = alertBox();
  const name = h('input', { id: 'plan_name', name: 'name', required: true, maxlength: '255' });
  const mode = h(
    'select',
    { id: 'plan_mode', name: 'mode' },
    Object.entries(MODE_TEXT).map(([value, text]) => h('option', { value }, text)),
  );
  const priority = h('input', { id: 'plan_priority', name: 'priority', type: 'number', min: '-1000', max: '1000', value: '0' });
  const location = h(
    'select',
    { id: 'plan_location', name: 'location_id' },
    h('option', { value: '' }, 'Whole site (or the doors chosen below)'),
    locations.map((l) => h('option', { value: String(l.id) }, l.name)),
  );
  const doorSelect = h(
    'select',
    { id: 'plan_doors', name: 'door_ids', multiple: true, size: '5' },
    doors.map((d) => h('option', { value: String(d.id) }, d.name)),
  );
  const responders = h(
    'select',
    { id: 'plan_responders', name: 'responders', multiple: true, size: '4' },
    levels.map((l) => h('option', { value: String(l.id) }, l.name)),
  );
  const revert = h('input', { id: 'plan_revert', name: 'auto_revert_seconds', type: 'number', min: '1' });
  return h(
    'form',
    {
      class: 'plan-new',
      'aria-labelledby': 'new-plan-title',
      onsubmit: async (event) => {
        event.preventDefault();
        const doorIds = chosenIds(doorSelect);
        const body = { name: name.value, mode: mode.value, priority: Number(priority.value), responders: chosenIds(responders) };
        if (location.value !== '') body.location_id = Number(location.value);
        if (doorIds.length > 0) body.door_ids = doorIds;
        if (revert.value !== '') body.auto_revert_seconds = Number(revert.value);
        try {
          await api('POST', 'lockdowns', body);
          created(`${body.name} created.`);
        } catch (error) {
          showError(errors, error);
        }
      },
    },
    h('h2', { id: 'new-plan-title' }, 'New plan'),
    errors,
    labelled('plan_name', 'Name', name),
    labelled('plan_mode', 'Mode', mode),
    labelled('plan_priority', 'Priority (-1000 to 1000; the highest started plan decides)', priority),
    labelled('plan_location', 'Location', location),
    labelled('plan_doors', 'Or these doors', doorSelect),
    labelled('plan_responders', 'Responders (access levels a locked door still admits)', responders),
    labelled('plan_revert', 'Clears itself after (seconds; empty: when cleared)', revert),
    h('button', { type: 'submit' }, 'Create plan'),
  );
}

/** The site's plans, each started or cleared after confirming; admins create and delete them. */
export async function showLockdown(context, said = '') {
  const { main, can, session } = context;
  const [{ lockdowns, locations }, { doors }, levels] = await Promise.all([
    api('GET', 'lockdowns'),
    api('GET', 'doors'),
    can('lockdown.manage') ? api('GET', 'access-levels').then((a) => a.access_levels) : [],
  ]);
  const locationNames = new Map(locations.map((l) => [l.id, l.name]));
  const doorNames = new Map(doors.map((d) => [d.id, d.name]));
  const errors = alertBox();
  const done = h('p', { role: 'status' }, said);
  const reload = (message) => showLockdown(context, message).catch((error) => showError(errors, error));
  const act = async (question, method, path, outcome) => {
    if (!window.confirm(question)) return;
    try {
      reload(outcome(await api(method, path)));
    } catch (error) {
      showError(errors, error);
    }
  };
  const actions = (plan) => {
    const buttons = [];
    if (plan.active) {
      const question = `Clear ${plan.name}? Its doors return to the next plan, their override or their schedule.`;
      const outcome = ({ changed }) => (changed ? `${plan.name} cleared.` : `${plan.name} was not started.`);
      buttons.push(
        h('button', { type: 'button', onclick: () => act(question, 'POST', `lockdowns/${plan.id}/clear`, outcome) }, `Clear ${plan.name}`),
      );
    } else {
      const question = `Start ${plan.name}? Every door it covers is ${plan.mode === 'egress' ? 'unlocked' : 'locked'} at once; recorded in your name.`;
      const outcome = ({ changed }) => (changed ? `${plan.name} started.` : `${plan.name} was already started.`);
      buttons.push(
        h(
          'button',
          { type: 'button', class: 'danger', onclick: () => act(question, 'POST', `lockdowns/${plan.id}/start`, outcome) },
          `Start ${plan.name}`,
        ),
      );
      if (can('lockdown.manage')) {
        const remove = () => act(`Delete the plan ${plan.name}?`, 'DELETE', `lockdowns/${plan.id}`, () => `${plan.name} deleted.`);
        buttons.push(' ', h('button', { type: 'button', class: 'secondary', onclick: remove }, `Delete ${plan.name}`));
      }
    }
    return buttons;
  };
  const zone = session.site.timezone;
  fill(
    main,
    h('h1', {}, 'Lockdown'),
    h('p', {}, `A started plan locks (lockdown) or unlocks (egress) every door it covers until it is cleared. Times in ${zone}.`),
    errors,
    done,
    lockdowns.length === 0
      ? h('p', {}, 'The site has no plans yet.')
      : h(
          'table',
          { class: 'plans' },
          h('caption', {}, 'Plans'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Plan', 'Mode', 'Priority', 'Covers', 'Started', 'Auto-revert', 'Actions'].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          h(
            'tbody',
            {},
            lockdowns.map((plan) =>
              h(
                'tr',
                { id: `plan-${plan.id}`, class: plan.active ? 'active' : '' },
                h('th', { scope: 'row' }, plan.name),
                h('td', {}, MODE_TEXT[plan.mode] ?? plan.mode),
                h('td', {}, String(plan.priority)),
                h('td', {}, scopeText(plan, locationNames, doorNames)),
                h(
                  'td',
                  {},
                  plan.active
                    ? [h('span', { class: 'state locked' }, 'Active'), ` since ${plan.active_since}${plan.active_by ? `, by ${plan.active_by}` : ''}`]
                    : 'Not started',
                ),
                h(
                  'td',
                  {},
                  plan.auto_revert_seconds === null ? 'None' : `${plan.auto_revert_seconds} s`,
                  plan.active_until ? ` (clears at ${plan.active_until})` : '',
                ),
                h('td', {}, actions(plan)),
              ),
            ),
          ),
        ),
    can('lockdown.manage') && h('section', { class: 'panel' }, newPlanForm(locations, doors, levels, reload)),
  );
}
