// Doors managed from the console (installers and admins): create, rename, place in a location, remove,
// through the Lockt door writes; and an admin's call-off of an emergency opening.
import { alertBox, api, h, navigate, showError } from './dom.js';

export async function locationChoices() {
  return (await api('GET', 'locations')).locations;
}

/** A select of the site's locations, "No location" first. */
function locationSelect(id, locations, chosen) {
  return h(
    'select',
    { id, name: 'location_id' },
    h('option', { value: '', selected: chosen === null }, 'No location'),
    locations.map((l) => h('option', { value: String(l.id), selected: l.id === chosen }, l.name)),
  );
}

const locationOf = (select) => (select.value === '' ? null : Number(select.value));

/** A form whose submit sends `send()` and shows its messages; `done()` runs after it succeeded. */
function writeForm(props, send, done, ...fields) {
  const errors = alertBox();
  return h(
    'form',
    {
      ...props,
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          const answer = await send();
          errors.replaceChildren();
          done(answer);
        } catch (error) {
          showError(errors, error);
        }
      },
    },
    errors,
    ...fields,
  );
}

/** A new door, with a name and a location; its page opens once created. */
export function newDoorForm(locations) {
  const name = h('input', { id: 'new_door_name', name: 'name', required: true, maxlength: '255' });
  const location = locationSelect('new_door_location', locations, null);
  return writeForm(
    { class: 'door-new', 'aria-labelledby': 'new-door-title' },
    () => api('POST', 'doors', { name: name.value, location_id: locationOf(location) }),
    ({ id }) => navigate(`/console/doors/${id}`),
    h('h2', { id: 'new-door-title' }, 'New door'),
    h('div', { class: 'field' }, h('label', { for: 'new_door_name' }, 'Name'), name),
    h('div', { class: 'field' }, h('label', { for: 'new_door_location' }, 'Location'), location),
    h('button', { type: 'submit' }, 'Create door'),
  );
}

/** A door's name and location, changed together; and its removal after confirming. */
export function doorEditForm(door, locations) {
  const removeErrors = alertBox();
  const name = h('input', { id: 'door_name', name: 'name', required: true, maxlength: '255', value: door.name });
  const location = locationSelect('door_location', locations, door.location_id);
  const remove = async () => {
    if (!window.confirm(`Remove ${door.name}? It leaves every access level and device with it; its events stay.`)) return;
    try {
      await api('DELETE', `doors/${door.id}`);
      navigate('/console/doors');
    } catch (error) {
      showError(removeErrors, error);
    }
  };
  return writeForm(
    { class: 'door-edit', 'aria-labelledby': 'door-edit-title' },
    () => api('PATCH', `doors/${door.id}`, { name: name.value, location_id: locationOf(location) }),
    () => window.dispatchEvent(new Event('console:navigate')),
    h('h2', { id: 'door-edit-title' }, 'Name and location'),
    h('div', { class: 'field' }, h('label', { for: 'door_name' }, 'Name'), name),
    h('div', { class: 'field' }, h('label', { for: 'door_location' }, 'Location'), location),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit' }, 'Save'),
      h('button', { type: 'button', class: 'danger', onclick: remove }, 'Remove door'),
    ),
    removeErrors,
  );
}

/** Calls off an emergency opening (administrators), confirmed first: the panel face's close. */
export function emergencyCloseForm() {
  const done = h('p', { role: 'status' });
  const lock = h('input', { id: 'close_lock_number', name: 'lock_number', type: 'number', min: '0', max: '255', value: '0', required: true });
  return writeForm(
    { class: 'emergency', 'aria-labelledby': 'emergency-close-title' },
    async () => {
      const which = lock.value === '0' ? 'every lock' : `lock ${lock.value}`;
      if (!window.confirm(`Call off the emergency opening of ${which}? Unlocks no panel has collected yet are withdrawn.`)) return null;
      return api('POST', 'emergency-close', { lock_number: Number(lock.value) });
    },
    (answer) => {
      if (answer === null) return;
      done.textContent = `Emergency called off: ${answer.withdrawn} unlock${answer.withdrawn === 1 ? '' : 's'} withdrawn.`;
    },
    h('h2', { id: 'emergency-close-title' }, 'Call off an emergency'),
    h('p', {}, 'Withdraws the emergency’s unlocks that no panel has collected yet; a door already opened relocks by itself.'),
    h('div', { class: 'field' }, h('label', { for: 'close_lock_number' }, 'Lock number to call off (0: every lock)'), lock),
    h('button', { type: 'submit', class: 'danger' }, 'Call off emergency'),
    done,
  );
}
