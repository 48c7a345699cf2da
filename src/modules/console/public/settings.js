import { alertBox, api, fill, h, showError } from './dom.js';

/** The numeric settings: field, label, and the bounds the site rules hold them to. */
const NUMBERS = [
  ['card_num_max_length', 'Longest card number (digits)', 1, 64],
  ['pin_min_length', 'Shortest PIN (digits)', 1, 32],
  ['pin_max_length', 'Longest PIN (digits)', 1, 32],
  ['events_limit', 'Most events one GET /events answers', 1, 100000],
];

/** Site settings (admins): name, time zone, PIN and card rules, events limit; only what changed is sent. */
export async function showSettings(context) {
  const { main } = context;
  const site = await api('GET', 'site');
  const errors = alertBox();
  const saved = h('p', { role: 'status' }, new URLSearchParams(location.search).has('saved') ? 'Saved.' : '');
  const name = h('input', { id: 'site-name', name: 'site-name', required: true, value: site.name });
  const zones = Intl.supportedValuesOf('timeZone');
  if (!zones.includes(site.timezone)) zones.unshift(site.timezone);
  const timezone = h(
    'select',
    { id: 'timezone', name: 'timezone' },
    zones.map((zone) => h('option', { value: zone, selected: zone === site.timezone }, zone)),
  );
  const numbers = NUMBERS.map(([field, label, min, max]) => ({
    field,
    input: h('input', { id: field, name: field, type: 'number', min: String(min), max: String(max), required: true, value: String(site[field]) }),
    label,
  }));
  const unique = h('input', { id: 'unique_pins', name: 'unique_pins', type: 'checkbox', checked: site.unique_pins });
  const form = h(
    'form',
    {
      'aria-label': 'Site settings',
      onsubmit: async (event) => {
        event.preventDefault();
        const body = {};
        if (name.value !== site.name) body.name = name.value;
        if (timezone.value !== site.timezone) body.timezone = timezone.value;
        for (const { field, input } of numbers) if (Number(input.value) !== site[field]) body[field] = Number(input.value);
        if (unique.checked !== site.unique_pins) body.unique_pins = unique.checked;
        try {
          await api('PATCH', 'site', body);
          // The header shows the site's name and the screens read its zone: the session is read again.
          history.replaceState(null, '', '/console/settings?saved');
          window.dispatchEvent(new Event('console:session-changed'));
        } catch (error) {
          saved.textContent = '';
          showError(errors, error);
        }
      },
    },
    errors,
    h('div', { class: 'field' }, h('label', { for: 'site-name' }, 'Site name'), name),
    h('div', { class: 'field' }, h('label', { for: 'timezone' }, 'Time zone (times are read and shown in it)'), timezone),
    numbers.map(({ field, input, label }) => h('div', { class: 'field' }, h('label', { for: field }, label), input)),
    h('div', { class: 'check' }, unique, h('label', { for: 'unique_pins' }, 'PINs must be unique (no two people share one)')),
    h('button', { type: 'submit' }, 'Save settings'),
    saved,
  );
  fill(main, h('h1', {}, 'Site settings'), form);
}
