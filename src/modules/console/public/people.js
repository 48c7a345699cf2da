import { alertBox, api, field, fill, h, link, navigate, showError } from './dom.js';
import { eventsTable } from './events.js';
import { accessWindowSection, anonymizeSection, credentialsSection, relationsSection } from './person.js';

const SEARCH_DELAY_MS = 150;

function levelChoices(levels, chosen) {
  const boxes = levels.map((level) =>
    h('input', { type: 'checkbox', id: `level-${level.id}`, value: String(level.id), checked: chosen.has(level.id) }),
  );
  const fieldset = h(
    'fieldset',
    { class: 'levels' },
    h('legend', {}, 'Access levels'),
    levels.length === 0
      ? h('p', {}, 'The site has no access levels yet.')
      : levels.map((level, i) => h('div', { class: 'check' }, boxes[i], h('label', { for: `level-${level.id}` }, level.name))),
  );
  return { fieldset, chosen: () => boxes.filter((b) => b.checked).map((b) => Number(b.value)) };
}

/** People: search as you type (names, email, card number), a page at a time. */
export async function showPeople(context) {
  const { main, can } = context;
  const search = h('input', {
    id: 'search',
    type: 'search',
    autocomplete: 'off',
    placeholder: 'Name, email or card number',
    'aria-controls': 'people',
  });
  const results = h('tbody', {});
  const errors = alertBox();
  const previous = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Previous page');
  const next = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Next page');
  /** The `after` of each page shown so far: the first page's is 0. */
  let pages = [0];
  let asked = 0;
  let timer;

  async function load() {
    const ask = ++asked;
    const after = pages[pages.length - 1];
    const query = new URLSearchParams({ q: search.value, ...(after > 0 ? { after: String(after) } : {}) });
    try {
      const { people } = await api('GET', `people?${query}`);
      // A slower answer to an older search is not shown over a newer one's.
      if (ask !== asked) return;
      errors.replaceChildren();
      results.replaceChildren(
        ...(people.length === 0
          ? [h('tr', {}, h('td', { colspan: 4 }, 'Nobody found.'))]
          : people.map((p) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, link(`/console/people/${p.id}`, `${p.first_name} ${p.last_name}`)),
                h('td', {}, p.email),
                h('td', {}, p.id_num),
                h('td', {}, p.enabled ? 'Enabled' : 'Disabled'),
              ),
            )),
      );
      previous.disabled = pages.length === 1;
      next.disabled = people.length < 25;
      next.dataset.after = people.length > 0 ? String(people[people.length - 1].id) : '';
    } catch (error) {
      showError(errors, error);
    }
  }

  search.addEventListener('input', () => {
    clearTimeout(timer);
    pages = [0];
    timer = setTimeout(load, SEARCH_DELAY_MS);
  });
  next.addEventListener('click', () => {
    pages.push(Number(next.dataset.after));
    load();
  });
  previous.addEventListener('click', () => {
    pages.pop();
    load();
  });
  fill(
    main,
    h('h1', {}, 'People'),
    can('people.write') && h('p', {}, link('/console/people/new', 'New person')),
    h('div', { class: 'field' }, h('label', { for: 'search' }, 'Search people'), search),
    errors,
    h(
      'table',
      { id: 'people' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Name'),
          h('th', { scope: 'col' }, 'Email'),
          h('th', { scope: 'col' }, 'ID number'),
          h('th', { scope: 'col' }, 'Status'),
        ),
      ),
      results,
    ),
    h('div', { class: 'pager' }, previous, next),
  );
  search.focus();
  await load();
}

/** A new person: the fields the user writes require, a first card, and access levels. */
export async function showNewPerson(context) {
  const { main } = context;
  const { access_levels: levels } = await api('GET', 'access-levels');
  const errors = alertBox();
  const fields = {
    first_name: field('first_name', 'First name', { required: true, autocomplete: 'off' }),
    last_name: field('last_name', 'Last name', { required: true, autocomplete: 'off' }),
    id_num: field('id_num', 'ID number', { required: true, autocomplete: 'off' }),
    email: field('email', 'Email', { type: 'email', required: true, autocomplete: 'off' }),
    phone: field('phone', 'Phone', { type: 'tel', required: true, autocomplete: 'off' }),
    pin: field('pin', 'PIN', { type: 'password', inputmode: 'numeric', required: true, autocomplete: 'new-password' }),
    card_num: field('card_num', 'Card number (optional)', { inputmode: 'numeric', autocomplete: 'off' }),
  };
  const choice = levelChoices(levels, new Set());
  const form = h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        const body = Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.input.value]));
        try {
          const { id } = await api('POST', 'people', { ...body, access_levels: choice.chosen() });
          navigate(`/console/people/${id}`);
        } catch (error) {
          showError(errors, error);
          errors.scrollIntoView();
        }
      },
    },
    errors,
    Object.values(fields).map((f) => f.row),
    choice.fieldset,
    h('button', { type: 'submit' }, 'Create person'),
  );
  fill(main, h('h1', {}, 'New person'), form);
  fields.first_name.input.focus();
}

/** A person's page: details, credentials, access, apartment and delegations, the last 50 events; changes for those who may. */
export async function showPerson(context, id) {
  const { main, can } = context;
  const [person, extras, { access_levels: levels }] = await Promise.all([
    api('GET', `people/${id}`),
    api('GET', `people/${id}/extras`),
    api('GET', 'access-levels'),
  ]);
  const reload = () => showPerson(context, id);
  const writer = can('people.write');
  const errors = alertBox();
  const change = async (body) => {
    try {
      await api('PATCH', `people/${id}`, body);
      await reload();
    } catch (error) {
      showError(errors, error);
    }
  };
  const details = h(
    'dl',
    { class: 'details' },
    h('dt', {}, 'ID number'),
    h('dd', {}, person.id_num),
    h('dt', {}, 'Email'),
    h('dd', {}, person.email),
    h('dt', {}, 'Phone'),
    h('dd', {}, person.phone),
    h('dt', {}, 'Status'),
    h('dd', {}, person.enabled ? 'Enabled' : 'Disabled'),
  );
  const held = new Set(person.access_levels.map((l) => l.id));
  const access = h('section', { 'aria-labelledby': 'access-title' }, h('h2', { id: 'access-title' }, 'Access'));
  if (writer) {
    const choice = levelChoices(levels, held);
    access.append(
      h(
        'form',
        {
          onsubmit: (event) => {
            event.preventDefault();
            change({ access_levels: choice.chosen() });
          },
        },
        choice.fieldset,
        h('button', { type: 'submit' }, 'Save access levels'),
      ),
    );
  } else {
    access.append(
      person.access_levels.length === 0
        ? h('p', {}, 'No access levels.')
        : h(
            'ul',
            {},
            person.access_levels.map((l) => h('li', {}, l.name)),
          ),
    );
  }
  const actions =
    writer &&
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'button', class: person.enabled ? 'danger' : '', onclick: () => change({ enabled: !person.enabled }) },
        person.enabled ? 'Disable' : 'Enable',
      ),
      link(`/console/people/${id}/edit`, 'Edit details'),
    );
  fill(
    main,
    h('p', {}, link('/console/people', '← People')),
    h('h1', {}, `${person.first_name} ${person.last_name}`),
    errors,
    actions,
    details,
    credentialsSection(context, id, person, extras, reload),
    accessWindowSection(context, id, extras, reload),
    access,
    relationsSection(id, extras),
    h(
      'section',
      { 'aria-labelledby': 'events-title' },
      h('h2', { id: 'events-title' }, 'Events'),
      h('p', {}, link(`/console/events?person_id=${id}`, 'All events of this person')),
      eventsTable(person.events, context, 'Last 50 events'),
    ),
    writer && anonymizeSection(id, extras, reload),
  );
}

/** Editing a person's details: only the fields changed are sent, so every rule is the user write's. */
export async function showEditPerson(context, id) {
  const { main } = context;
  const person = await api('GET', `people/${id}`);
  const errors = alertBox();
  const fields = {
    first_name: field('first_name', 'First name', { required: true, value: person.first_name }),
    last_name: field('last_name', 'Last name', { required: true, value: person.last_name }),
    id_num: field('id_num', 'ID number', { required: true, value: person.id_num }),
    email: field('email', 'Email', { type: 'email', required: true, value: person.email }),
    phone: field('phone', 'Phone', { type: 'tel', required: true, value: person.phone }),
    pin: field('pin', 'New PIN (leave empty to keep)', { type: 'password', inputmode: 'numeric', autocomplete: 'new-password' }),
  };
  const form = h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        const body = {};
        for (const [name, f] of Object.entries(fields)) if (f.input.value !== (person[name] ?? '')) body[name] = f.input.value;
        try {
          await api('PATCH', `people/${id}`, body);
          navigate(`/console/people/${id}`);
        } catch (error) {
          showError(errors, error);
        }
      },
    },
    errors,
    Object.values(fields).map((f) => f.row),
    h('button', { type: 'submit' }, 'Save'),
    ' ',
    link(`/console/people/${id}`, 'Cancel'),
  );
  fill(main, h('h1', {}, `Edit ${person.first_name} ${person.last_name}`), form);
  fields.first_name.input.focus();
}
