// A person's page beyond details and access levels: credentials of every kind with their pass limits,
// the PIN, the access window, apartment, time profiles and delegations, and anonymizing (typed
// confirmation). Every write is a face's (GET /console/api/people/:id/extras says what there is).
import { alertBox, api, field, h, link, showError } from './dom.js';

/** The kinds of BAS-IP identifier, as the panel face names them, in the words the page shows. */
const IDENTIFIER_KINDS = [
  ['card', 'Card'],
  ['ukey', 'UKey'],
  ['inputCode', 'Input code'],
  ['qr', 'QR code'],
  ['face_id', 'Face ID'],
  ['license_plate', 'Licence plate'],
];
const KIND_NAMES = new Map(IDENTIFIER_KINDS);
const LOCKS = [
  ['all', 'Every lock'],
  ['first', 'The first lock'],
  ['second', 'The second lock'],
];

function choice(id, label, options) {
  const select = h(
    'select',
    { id, name: id },
    options.map(([value, text]) => h('option', { value }, text)),
  );
  return { input: select, row: h('div', { class: 'field' }, h('label', { for: id }, label), select) };
}

/** Runs `action` and then reloads the page; a failure is shown in `box` (the face's messages) instead. */
function attempt(box, action, reload) {
  return async () => {
    try {
      await action();
      await reload();
    } catch (error) {
      showError(box, error);
    }
  };
}

/** A form whose submission runs `action`, with its own box for failures. */
function actionForm(title, rows, button, action, reload, buttonClass = '') {
  const errors = alertBox();
  const run = attempt(errors, action, reload);
  return h(
    'form',
    {
      'aria-label': title,
      onsubmit: (event) => {
        event.preventDefault();
        run();
      },
    },
    h('h3', {}, title),
    errors,
    rows,
    h('button', { type: 'submit', class: buttonClass }, button),
  );
}

/** What a credential is, in words: a Lockt card or fob, or a BAS-IP identifier of its kind. */
function kindText(credential) {
  if (credential.kind === 'fob') return 'Fob';
  if (credential.kind === 'card') return 'Card';
  return `${KIND_NAMES.get(credential.type) ?? credential.type} (BAS-IP)`;
}

/** Where a credential is revoked: each kind through its own face's delete. */
function revokePath(credential) {
  if (credential.kind === 'fob') return `fobs/${credential.id}`;
  if (credential.kind === 'card') return `credentials/${credential.id}`;
  return `identifiers/${credential.id}`;
}

function validity(from, to) {
  if (from === '' && to === '') return 'Always';
  return `${from === '' ? 'any time' : from} to ${to === '' ? 'any time' : to}`;
}

/** Credentials of every kind, with pass limits left, and the PIN; for writers, adding and revoking each. */
export function credentialsSection(context, id, person, extras, reload) {
  const writer = context.can('people.write');
  const errors = alertBox();
  const run = (action) => attempt(errors, action, reload);
  const rows = extras.credentials.map((c) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, kindText(c)),
      h('td', {}, c.kind === 'fob' ? `${c.name} (${c.number || 'no number'})` : c.number),
      h('td', {}, c.passes === null ? 'No limit' : `${c.passes.left} of ${c.passes.max}`),
      h('td', {}, validity(c.valid_from, c.valid_to)),
      writer &&
        h(
          'td',
          { class: 'row-actions' },
          h(
            'button',
            {
              type: 'button',
              class: 'danger',
              onclick: run(() => api('DELETE', revokePath(c))),
              'aria-label': `Revoke ${kindText(c)} ${c.number || c.name}`,
            },
            'Revoke',
          ),
          c.passes !== null &&
            h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                onclick: run(() => api('POST', `identifiers/${c.id}/passes/reset`)),
                'aria-label': `Refill passes of ${c.number}`,
              },
              'Refill passes',
            ),
        ),
    ),
  );
  const section = h(
    'section',
    { 'aria-labelledby': 'credentials-title' },
    h('h2', { id: 'credentials-title' }, 'Credentials'),
    errors,
    extras.credentials.length === 0
      ? h('p', {}, 'No cards, fobs or identifiers.')
      : h(
          'table',
          { class: 'credentials' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Kind'),
              h('th', { scope: 'col' }, 'Number'),
              h('th', { scope: 'col' }, 'Passes left'),
              h('th', { scope: 'col' }, 'Valid'),
              writer && h('th', { scope: 'col' }, 'Actions'),
            ),
          ),
          h('tbody', {}, rows),
        ),
    h(
      'p',
      { class: 'actions' },
      `PIN: ${person.has_pin ? 'set (never shown)' : 'none'}`,
      writer &&
        person.has_pin &&
        h('button', { type: 'button', class: 'secondary', onclick: run(() => api('DELETE', `people/${id}/pin`)) }, 'Clear PIN'),
    ),
  );
  if (!writer) return section;

  const pin = field('new_pin', 'New PIN', { type: 'password', inputmode: 'numeric', required: true, autocomplete: 'new-password' });
  const forms = [actionForm('Set the PIN', pin.row, 'Set PIN', () => api('PATCH', `people/${id}`, { pin: pin.input.value }), reload)];
  // The Lockt user write holds one card; more cards are BAS-IP identifiers of kind card.
  if (!extras.credentials.some((c) => c.kind === 'card')) {
    const card = field('new_card', 'Card number', { inputmode: 'numeric', required: true });
    forms.push(actionForm('Add a card', card.row, 'Add card', () => api('PATCH', `people/${id}`, { card_num: card.input.value }), reload));
  }
  const fob = {
    name: field('fob_name', 'Fob name', { required: true }),
    id_num: field('fob_id_num', 'Fob ID number', { required: true }),
    card_num: field('fob_card_num', 'Number on the fob (optional)', { inputmode: 'numeric' }),
  };
  forms.push(
    actionForm(
      'Add a fob',
      Object.values(fob).map((f) => f.row),
      'Add fob',
      () => api('POST', `people/${id}/fobs`, { name: fob.name.input.value, id_num: fob.id_num.input.value, card_num: fob.card_num.input.value }),
      reload,
    ),
  );
  const identifier = {
    type: choice('identifier_type', 'Kind', IDENTIFIER_KINDS),
    number: field('identifier_number', 'Number', { required: true }),
    lock: choice('identifier_lock', 'Opens', LOCKS),
    passes: field('identifier_passes', 'Pass limit (empty: none)', { type: 'number', min: 0, inputmode: 'numeric' }),
  };
  forms.push(
    actionForm(
      'Add a BAS-IP identifier',
      Object.values(identifier).map((f) => f.row),
      'Add identifier',
      () => {
        const passes = identifier.passes.input.value;
        return api('POST', `people/${id}/identifiers`, {
          type: identifier.type.input.value,
          number: identifier.number.input.value,
          lock: identifier.lock.input.value,
          ...(passes === '' ? {} : { max_passes: Number(passes) }),
        });
      },
      reload,
    ),
  );
  section.append(h('div', { class: 'forms' }, forms));
  return section;
}

/** The person's access window in the site's zone; writers change it through the Lockt user write. */
export function accessWindowSection(context, id, extras, reload) {
  const { effective, expires } = extras.access_window;
  const zone = context.session.site.timezone;
  const section = h(
    'section',
    { 'aria-labelledby': 'window-title' },
    h('h2', { id: 'window-title' }, 'Access window'),
    h('p', {}, `${validity(effective, expires)} (${zone})`),
  );
  if (!context.can('people.write')) return section;
  const hint = { placeholder: 'YYYY-MM-DD HH:MM:SS', pattern: '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}' };
  const from = field('access_effective', `From (${zone}; empty: always)`, { ...hint, value: effective });
  const to = field('access_expires', `Until (${zone}; empty: no end)`, { ...hint, value: expires });
  section.append(
    actionForm(
      'Change the access window',
      [from.row, to.row],
      'Save access window',
      () => {
        const body = {};
        if (from.input.value !== effective) body.access_effective = from.input.value;
        if (to.input.value !== expires) body.access_expires = to.input.value;
        return api('PATCH', `people/${id}`, body);
      },
      reload,
    ),
  );
  return section;
}

function personLink(who) {
  return who === null ? 'someone removed' : link(`/console/people/${who.id}`, who.name);
}

/** Apartment, time profiles and delegations given or received, with links where a screen exists. */
export function relationsSection(id, extras) {
  const delegation = (d) =>
    h(
      'li',
      {},
      d.to.id === id ? ['From ', personLink(d.from)] : ['To ', personLink(d.to)],
      `, ${validity(d.effective, d.expires)}: `,
      d.doors.map((door, i) => [i > 0 ? ', ' : '', link(`/console/doors/${door.id}`, door.name)]),
    );
  const list = (items, empty, item) => (items.length === 0 ? h('p', {}, empty) : h('ul', {}, items.map(item)));
  return h(
    'section',
    { class: 'relations', 'aria-labelledby': 'relations-title' },
    h('h2', { id: 'relations-title' }, 'Apartment, time profiles and delegations'),
    h('h3', {}, 'Apartment'),
    list(extras.apartments, 'In no apartment.', (a) =>
      h('li', {}, `${a.name || 'Apartment'}: building ${a.building}, unit ${a.unit}, floor ${a.floor}, room ${a.room}`),
    ),
    h('h3', {}, 'Time profiles'),
    list(extras.time_profiles, 'No time profiles: access follows the access levels alone.', (p) => h('li', {}, p.name)),
    h('h3', {}, 'Delegations'),
    list(extras.delegations, 'No delegations given or received.', delegation),
  );
}

/** Anonymizing: the operator types what the page asks for (the person's full name), then the record is shown anonymized. */
export function anonymizeSection(id, extras, reload) {
  const typed = field('anonymize_confirmation', `Type ${extras.anonymize_confirmation} to confirm`, { required: true });
  return h(
    'section',
    { 'aria-labelledby': 'anonymize-title' },
    h('h2', { id: 'anonymize-title' }, 'Anonymize'),
    h(
      'p',
      {},
      'Replaces their names, email, phone, ID number and PIN, here and in every event, with placeholders. Credentials, access and counts stay. This cannot be undone.',
    ),
    actionForm(
      'Anonymize this person',
      typed.row,
      'Anonymize',
      () => api('POST', `people/${id}/anonymize`, { confirmation: typed.input.value }),
      reload,
      'danger',
    ),
  );
}
