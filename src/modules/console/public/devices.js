import { alertBox, api, fill, h, showError, shownOnce, siteTime } from './dom.js';
import { doorSelect } from './events.js';

/** A new device: a name and the doors it drives (locks 1, 2, … in order); its key is shown once, here. */
function newDeviceForm(doors, refresh) {
  const errors = alertBox();
  const issued = h('div', { 'aria-live': 'polite' });
  const name = h('input', { id: 'device-name', name: 'device-name', required: true, autocomplete: 'off' });
  const boxes = doors.map((door) => h('input', { type: 'checkbox', id: `device-door-${door.id}`, value: String(door.id) }));
  return h(
    'form',
    {
      'aria-labelledby': 'new-device-title',
      onsubmit: async (event) => {
        event.preventDefault();
        const doorIds = boxes.filter((b) => b.checked).map((b) => Number(b.value));
        try {
          const made = await api('POST', 'devices', { name: name.value, door_ids: doorIds });
          errors.replaceChildren();
          fill(
            issued,
            h('h3', {}, `${made.name}: its key`),
            h('p', { class: 'warning' }, 'Shown this once: only its hash is kept. Give it to the device now.'),
            shownOnce('device-key', 'Device key', made.device_key),
            shownOnce('panel-url', 'Panel URL (a BAS-IP panel’s remote-access server)', made.panel_url),
          );
          name.value = '';
          for (const box of boxes) box.checked = false;
          await refresh();
          issued.querySelector('input')?.focus();
        } catch (error) {
          showError(errors, error);
        }
      },
    },
    h('h2', { id: 'new-device-title' }, 'New device'),
    errors,
    h('div', { class: 'field' }, h('label', { for: 'device-name' }, 'Device name'), name),
    h(
      'fieldset',
      { class: 'levels' },
      h('legend', {}, 'Doors it drives (locks 1, 2, … in this order)'),
      doors.length === 0
        ? h('p', {}, 'The site has no doors yet.')
        : doors.map((door, i) => h('div', { class: 'check' }, boxes[i], h('label', { for: `device-door-${door.id}` }, door.name))),
    ),
    h('button', { type: 'submit' }, 'Create device'),
    issued,
  );
}

/** Devices: status and doors; admins create them (key shown once), attach and detach doors; revoke (confirmed). */
export async function showDevices(context) {
  const { main, can, session } = context;
  const admin = can('devices.create');
  const [{ devices, panel_url_template: template }, { doors }] = await Promise.all([api('GET', 'devices'), api('GET', 'doors')]);
  const errors = alertBox();
  const list = h('div', {});
  const act = (call) => async () => {
    try {
      await call();
      await refresh();
    } catch (error) {
      showError(errors, error);
    }
  };
  function deviceSection(device) {
    const attach = doorSelect(`attach-${device.id}`, 'Door', doors, '');
    return h(
      'section',
      { class: 'panel device', id: `device-${device.id}`, 'aria-labelledby': `device-title-${device.id}` },
      h('h2', { id: `device-title-${device.id}` }, device.name),
      h(
        'p',
        {},
        h('span', { class: `state ${device.online ? 'online' : 'offline'}` }, device.online ? 'Online' : 'Offline'),
        ` Last seen: ${device.last_seen_at === null ? 'never' : siteTime(device.last_seen_at, session.site.timezone)}`,
      ),
      h(
        'ul',
        { class: 'credentials' },
        device.doors.length === 0
          ? h('li', {}, 'Drives no door.')
          : device.doors.map((d) =>
              h(
                'li',
                {},
                `Lock ${d.lock_number}: ${d.name}`,
                admin &&
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'secondary',
                      'aria-label': `Detach ${d.name} from ${device.name}`,
                      onclick: act(() => api('DELETE', `devices/${device.id}/doors/${d.door_id}`)),
                    },
                    'Detach',
                  ),
              ),
            ),
      ),
      admin &&
        h(
          'form',
          {
            class: 'inline',
            'aria-label': `Attach a door to ${device.name}`,
            onsubmit: (event) => {
              event.preventDefault();
              act(() => api('POST', `devices/${device.id}/doors`, { door_id: Number(attach.select.value) }))();
            },
          },
          attach.row,
          h('button', { type: 'submit' }, 'Attach door'),
        ),
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          'aria-label': `Revoke ${device.name}`,
          onclick: () => {
            if (!window.confirm(`Revoke ${device.name}? Its key stops working at once and cannot be restored.`)) return;
            act(() => api('POST', `devices/${device.id}/revoke`))();
          },
        },
        'Revoke',
      ),
    );
  }
  async function refresh() {
    const fresh = await api('GET', 'devices');
    fill(list, fresh.devices.length === 0 ? h('p', {}, 'No devices yet.') : fresh.devices.map(deviceSection));
  }
  fill(list, devices.length === 0 ? h('p', {}, 'No devices yet.') : devices.map(deviceSection));
  fill(
    main,
    h('h1', {}, 'Devices'),
    h('p', {}, 'A BAS-IP panel is given this URL, its device key in place of {device_key}: ', h('code', {}, template)),
    errors,
    list,
    admin && h('section', { class: 'panel' }, newDeviceForm(doors, refresh)),
  );
}
