import { alertBox, api, fill, h, showError, shownOnce, siteTime } from './dom.js';

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
  fill(main, h('h1', {}, 'Site settings'), form, await apiKeys(context));
}

/** The site's API keys: a new one's secret shown once; batch size, on/off, revoke (confirmed). */
async function apiKeys(context) {
  const zone = context.session.site.timezone;
  const errors = alertBox();
  const issued = h('div', { 'aria-live': 'polite' });
  const body = h('tbody', {});
  const act = (call) => async () => {
    try {
      await call();
      errors.replaceChildren();
      await load();
    } catch (error) {
      showError(errors, error);
    }
  };
  function row(key) {
    const size = h('input', {
      id: `batch-${key.apiuser}`,
      type: 'number',
      min: '1',
      max: '10000',
      value: String(key.max_batch_size),
      disabled: key.revoked,
      'aria-label': `Batch size of ${key.apiuser}`,
    });
    const status = key.revoked ? 'Revoked' : key.enabled ? 'On' : 'Off';
    return h(
      'tr',
      { id: `key-${key.apiuser}` },
      h('th', { scope: 'row' }, h('code', {}, key.apiuser)),
      h('td', {}, siteTime(key.created_at, zone)),
      h('td', {}, status),
      h(
        'td',
        {},
        h(
          'form',
          {
            class: 'inline',
            onsubmit: (event) => {
              event.preventDefault();
              act(() => api('PATCH', `api-keys/${key.apiuser}`, { max_batch_size: Number(size.value) }))();
            },
          },
          size,
          !key.revoked && h('button', { type: 'submit', class: 'secondary', 'aria-label': `Save batch size of ${key.apiuser}` }, 'Save'),
        ),
      ),
      h(
        'td',
        { class: 'actions' },
        !key.revoked &&
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              'aria-label': `${key.enabled ? 'Switch off' : 'Switch on'} ${key.apiuser}`,
              onclick: act(() => api('PATCH', `api-keys/${key.apiuser}`, { enabled: !key.enabled })),
            },
            key.enabled ? 'Switch off' : 'Switch on',
          ),
        !key.revoked &&
          h(
            'button',
            {
              type: 'button',
              class: 'danger',
              'aria-label': `Revoke ${key.apiuser}`,
              onclick: () => {
                if (!window.confirm(`Revoke API key ${key.apiuser}? Every program using it is refused from now on.`)) return;
                act(() => api('POST', `api-keys/${key.apiuser}/revoke`))();
              },
            },
            'Revoke',
          ),
      ),
    );
  }
  async function load() {
    const { keys } = await api('GET', 'api-keys');
    fill(body, keys.map(row));
  }
  const create = async () => {
    try {
      const made = await api('POST', 'api-keys');
      errors.replaceChildren();
      fill(
        issued,
        h('p', { class: 'warning' }, 'Shown this once: only its hash is kept. Give both to the program that calls the API now.'),
        shownOnce('new-apiuser', 'apiuser', made.apiuser),
        shownOnce('new-apikey', 'apikey', made.apikey),
      );
      await load();
      issued.querySelector('input')?.focus();
    } catch (error) {
      showError(errors, error);
    }
  };
  await load();
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'keys-title' },
    h('h2', { id: 'keys-title' }, 'API keys'),
    errors,
    h(
      'table',
      {},
      h('caption', {}, 'Keys of the Lockt API (apiuser and apikey headers)'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['apiuser', 'Created', 'Status', 'Batch size', 'Actions'].map((name) => h('th', { scope: 'col' }, name)),
        ),
      ),
      body,
    ),
    h('button', { type: 'button', onclick: create }, 'New API key'),
    issued,
  );
}
