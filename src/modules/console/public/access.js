import { alertBox, api, fill, h, link, navigate, showError } from './dom.js';

// Access: levels as a door × schedule grid, schedules and time profiles as a week on the site's clocks.
// Every write is the Lockt face's (its rules and messages); the week is the server's answer, computed by
// the access engine, so the browser holds no copy of a schedule's rules.

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function field(id, label, input) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

/** A handler that runs a call, shows its messages in `errors` on failure, and then `after` on success. */
function acting(errors, call, after) {
  return async (event) => {
    event?.preventDefault();
    errors.replaceChildren();
    try {
      const answer = await call();
      await after(answer);
    } catch (error) {
      showError(errors, error);
    }
  };
}

function accessNav(current) {
  return h(
    'nav',
    { class: 'tabs', 'aria-label': 'Access' },
    current === 'levels' ? h('span', { 'aria-current': 'page' }, 'Access levels') : link('/console/access', 'Access levels'),
    current === 'schedules' ? h('span', { 'aria-current': 'page' }, 'Schedules') : link('/console/access/schedules', 'Schedules'),
  );
}

/** The site's access levels, and a form for a new one. */
export async function showLevels(context) {
  const { main } = context;
  const { levels } = await api('GET', 'access/levels');
  const errors = alertBox();
  const name = h('input', { id: 'level-name', name: 'name', required: true });
  const create = acting(
    errors,
    () => api('POST', 'access/levels', { name: name.value }),
    (made) => navigate(`/console/access/levels/${made.id}`),
  );
  fill(
    main,
    h('h1', {}, 'Access'),
    accessNav('levels'),
    h(
      'table',
      { class: 'levels' },
      h('caption', {}, 'Access levels'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Level', 'Doors', 'Kind'].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        levels.length === 0
          ? h('tr', {}, h('td', { colspan: 3 }, 'No access levels yet.'))
          : levels.map((level) =>
              h(
                'tr',
                {},
                h('td', {}, link(`/console/access/levels/${level.id}`, level.name)),
                h('td', {}, String(level.doors)),
                h('td', {}, level.is_delegate ? 'Delegation' : 'Access level'),
              ),
            ),
      ),
    ),
    h('h2', {}, 'New access level'),
    h('form', { class: 'inline', onsubmit: create }, field('level-name', 'Name', name), h('button', { type: 'submit' }, 'Create')),
    errors,
  );
}

/** A level's page: doors (rows, by location) × schedules (columns), one choice a row; rename and delete. */
export async function showLevel(context, id, notice = '') {
  const { main } = context;
  const page = await api('GET', `access/levels/${id}`);
  const { level, doors, schedules } = page;
  const errors = alertBox();
  const status = h('p', { role: 'status', class: 'status' }, notice);
  // Columns: the schedules the level uses, then any the operator adds.
  const columns = schedules.filter((s) => doors.some((d) => d.schedule_id === s.id));
  const chosen = new Map(doors.map((d) => [d.id, d.schedule_id]));
  const grid = h('div', {});
  const addSelect = h('select', { id: 'add-schedule', name: 'add-schedule' });
  const addForm = h(
    'form',
    { class: 'inline', onsubmit: (event) => addColumn(event) },
    field('add-schedule', 'Add a schedule column', addSelect),
    h('button', { type: 'submit', class: 'secondary' }, 'Add column'),
  );

  function radio(door, scheduleId, label) {
    return h('input', {
      type: 'radio',
      name: `door-${door.id}`,
      value: scheduleId === null ? '' : String(scheduleId),
      checked: chosen.get(door.id) === scheduleId,
      disabled: level.is_delegate,
      'aria-label': label,
      onchange: () => {
        chosen.set(door.id, scheduleId);
        status.textContent = 'Changed; not saved yet.';
      },
    });
  }

  function drawGrid() {
    fill(
      grid,
      h(
        'table',
        { class: 'access-grid' },
        h('caption', {}, `Doors of ${level.name}, and the schedule each opens on`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Door'),
            h('th', { scope: 'col' }, 'Location'),
            h('th', { scope: 'col' }, 'Not in level'),
            columns.map((s) => h('th', { scope: 'col' }, link(`/console/access/schedules/${s.id}`, s.name))),
          ),
        ),
        h(
          'tbody',
          {},
          doors.map((door) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, door.name),
              h('td', {}, door.location_name ?? ''),
              h('td', { class: 'cell' }, radio(door, null, `${door.name}: not in level`)),
              columns.map((s) => h('td', { class: 'cell' }, radio(door, s.id, `${door.name} on ${s.name}`))),
            ),
          ),
        ),
      ),
    );
    const others = schedules.filter((s) => !columns.includes(s));
    fill(
      addSelect,
      others.map((s) => h('option', { value: String(s.id) }, s.kind === 'time_profile' ? `${s.name} (time profile)` : s.name)),
    );
    addForm.hidden = others.length === 0;
  }

  const save = acting(
    errors,
    () => {
      const picked = [...chosen].filter(([, schedule]) => schedule !== null);
      return api('PATCH', `access/levels/${id}`, { doors: picked.map(([door, schedule]) => ({ door_id: door, schedule_id: schedule })) });
    },
    () => {
      status.textContent = 'Saved.';
    },
  );
  const addColumn = (event) => {
    event.preventDefault();
    const schedule = schedules.find((s) => String(s.id) === addSelect.value);
    if (!schedule) return;
    columns.push(schedule);
    drawGrid();
  };
  const newName = h('input', { id: 'rename', name: 'name', value: level.name, required: true });
  const rename = acting(
    errors,
    () => api('PATCH', `access/levels/${id}`, { name: newName.value }),
    () => showLevel(context, id, 'Renamed.'),
  );
  const remove = acting(
    errors,
    () => (window.confirm(`Delete ${level.name}? People assigned to it lose it.`) ? api('DELETE', `access/levels/${id}`) : Promise.resolve(null)),
    (done) => done && navigate('/console/access'),
  );
  drawGrid();
  fill(
    main,
    h('h1', {}, level.name),
    accessNav(null),
    level.is_delegate && h('p', {}, 'A delegate level keeps the doors its giver holds; only a new delegation changes it.'),
    errors,
    grid,
    !level.is_delegate && [
      addForm,
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: save }, 'Save doors'), status),
      h('h2', {}, 'Rename or delete'),
      h(
        'form',
        { class: 'inline', onsubmit: rename },
        field('rename', 'Name', newName),
        h('button', { type: 'submit', class: 'secondary' }, 'Rename'),
        h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete level'),
      ),
    ],
  );
}

/** A schedule's days and times as the form edits them. */
function scheduleForm(prefix, schedule, submitLabel, onsubmit) {
  const name = h('input', { id: `${prefix}-name`, name: 'name', value: schedule?.name ?? '', required: true });
  const start = h('input', { id: `${prefix}-start`, name: 'start', type: 'time', step: '1', value: schedule?.start ?? '08:00:00', required: true });
  const stop = h('input', { id: `${prefix}-stop`, name: 'stop', type: 'time', step: '1', value: schedule?.stop ?? '17:59:59', required: true });
  const days = DAYS.map((day, index) =>
    h('input', { id: `${prefix}-day-${index}`, type: 'checkbox', name: day, checked: schedule ? schedule.days[index] : index < 5 }),
  );
  const withSeconds = (value) => (value.length === 5 ? `${value}:00` : value);
  const values = () => ({ name: name.value, days: days.map((d) => d.checked), start: withSeconds(start.value), stop: withSeconds(stop.value) });
  return h(
    'form',
    { class: 'schedule', onsubmit: (event) => onsubmit(event, values()) },
    field(`${prefix}-name`, 'Name', name),
    h(
      'fieldset',
      { class: 'days' },
      h('legend', {}, 'Days'),
      days.map((box, index) => h('span', { class: 'check' }, box, h('label', { for: box.id }, DAYS[index]))),
    ),
    h(
      'div',
      { class: 'inline-fields' },
      field(`${prefix}-start`, 'Start', start),
      field(`${prefix}-stop`, 'Stop (included; before the start: past midnight)', stop),
    ),
    h('button', { type: 'submit' }, submitLabel),
  );
}

const daysText = (days) => DAYS.filter((_day, index) => days[index]).join(', ') || 'no days';

/** The site's schedules and time profiles, each linked to its week; a form for a new schedule. */
export async function showSchedules(context) {
  const { main, session } = context;
  const { schedules } = await api('GET', 'access/schedules');
  const errors = alertBox();
  const create = (event, values) =>
    acting(
      errors,
      () => api('POST', 'access/schedules', values),
      (made) => navigate(`/console/access/schedules/${made.id}`),
    )(event);
  fill(
    main,
    h('h1', {}, 'Access'),
    accessNav('schedules'),
    h(
      'table',
      { class: 'schedules' },
      h('caption', {}, `Schedules and time profiles (times in ${session.site.timezone})`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Name', 'Kind', 'Days', 'Hours'].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        schedules.length === 0
          ? h('tr', {}, h('td', { colspan: 4 }, 'No schedules yet.'))
          : schedules.map((s) =>
              h(
                'tr',
                {},
                h('td', {}, link(`/console/access/schedules/${s.id}`, s.name)),
                h('td', {}, s.kind === 'time_profile' ? 'BAS-IP time profile' : 'Weekly schedule'),
                h('td', {}, s.kind === 'time_profile' ? 'its rule (see the week)' : daysText(s.days)),
                h('td', {}, s.kind === 'time_profile' ? '' : `${s.start} to ${s.stop}`),
              ),
            ),
      ),
    ),
    h('h2', {}, 'New schedule'),
    errors,
    scheduleForm('new-schedule', null, 'Create schedule', create),
  );
}

/** A week cell's words: how much of that hour on the site's clocks the schedule admits. */
function hourCell(hour) {
  if (hour.seconds === 0) return { state: 'skipped', text: 'Skipped (clocks go forward)' };
  const twice = hour.seconds > 3600 ? ' (twice: clocks go back)' : '';
  if (hour.open === 0) return { state: 'closed', text: twice ? `Closed${twice}` : '' };
  if (hour.open >= hour.seconds) return { state: 'open', text: `Open${twice}` };
  return { state: 'partly', text: `${Math.max(1, Math.round(hour.open / 60))} min${twice}` };
}

function weekTable(week) {
  return h(
    'table',
    { class: 'week' },
    h('caption', {}, `When it opens, ${week.from.local.slice(0, 10)} to ${week.days[6].date} (${week.zone})`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Hour'),
        week.days.map((day, index) => h('th', { scope: 'col' }, `${DAYS[index]} ${day.date.slice(5)}`)),
      ),
    ),
    h(
      'tbody',
      {},
      Array.from({ length: 24 }, (_unused, hour) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, `${String(hour).padStart(2, '0')}:00`),
          week.days.map((day) => {
            const cell = hourCell(day.hours[hour]);
            return h('td', { class: `hour ${cell.state}` }, cell.text);
          }),
        ),
      ),
    ),
  );
}

const REPEAT_TYPES = [
  ['', 'Does not repeat'],
  ['day', 'Every day'],
  ['week', 'Every week'],
  ['twoWeeks', 'Every two weeks'],
  ['month', 'Every month'],
  ['year', 'Every year'],
  ['custom', 'Custom (below)'],
];

// A time profile's times are Unix seconds whose UTC fields are the site's wall clock (the panel's own
// reading), so a datetime-local value is their ISO form without the zone, and back.
const wallValue = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 19);
const wallSeconds = (value) => Date.parse(`${value.length === 16 ? `${value}:00` : value}Z`) / 1000;

/**
 * A time profile's rule as the panel face reads it: its first occurrence (all day or from/to, on the
 * site's clocks), how it repeats and until when, and a custom repeat as the panel's JSON. The server's
 * time-profile checks decide what is valid; their messages are shown above the form.
 */
function timeProfileForm(rule, onsubmit) {
  const time = rule.time_options;
  const format = rule.repeat_options.repeat_enable ? rule.repeat_options.repeat_format : undefined;
  const allDay = h('input', { id: 'tp-all-day', name: 'is_all_day', type: 'checkbox', checked: time.is_all_day });
  const from = h('input', { id: 'tp-from', name: 'date_from', type: 'datetime-local', step: '1', value: wallValue(time.date_from), required: true });
  const to = h('input', { id: 'tp-to', name: 'date_to', type: 'datetime-local', step: '1', value: wallValue(time.date_to), required: true });
  const repeat = h(
    'select',
    { id: 'tp-repeat', name: 'repeat_type' },
    REPEAT_TYPES.map(([value, text]) => h('option', { value, selected: (format?.repeat_type ?? '') === value }, text)),
  );
  const ends = format?.repeat_end?.format === 'date' ? wallValue(format.repeat_end.date).slice(0, 10) : '';
  const until = h('input', { id: 'tp-until', name: 'repeat_end', type: 'date', value: ends });
  const custom = h(
    'textarea',
    { id: 'tp-custom', name: 'repeat_custom', rows: 3, spellcheck: 'false' },
    format?.repeat_custom ? JSON.stringify(format.repeat_custom) : '',
  );
  const values = () => {
    const type = repeat.value;
    const time_options = { is_all_day: allDay.checked, date_from: wallSeconds(from.value), date_to: wallSeconds(to.value) };
    if (type === '') return { time_options, repeat_options: { repeat_enable: false } };
    const repeat_format = {
      repeat_type: type,
      repeat_end: until.value ? { format: 'date', date: wallSeconds(`${until.value}T00:00:00`) } : { format: 'never' },
    };
    if (custom.value.trim() !== '') {
      try {
        repeat_format.repeat_custom = JSON.parse(custom.value);
      } catch {
        throw new Error('Custom repeat: not JSON (for example {"repeat_point_type":"week","repeat_looper":1,"repeat_options":["MON","FRI"]}).');
      }
    }
    return { time_options, repeat_options: { repeat_enable: true, repeat_format } };
  };
  return h(
    'form',
    { class: 'schedule', 'aria-label': 'Time profile rule', onsubmit: (event) => onsubmit(event, values) },
    h('div', { class: 'check' }, allDay, h('label', { for: allDay.id }, 'All day (from the first date 00:00:00 to the last date 23:59:59)')),
    h('div', { class: 'inline-fields' }, field('tp-from', 'First occurrence from', from), field('tp-to', 'To (included)', to)),
    h('div', { class: 'inline-fields' }, field('tp-repeat', 'Repeats', repeat), field('tp-until', 'Repeats until (empty: never)', until)),
    field('tp-custom', 'Custom repeat (the panel’s repeat_custom, JSON)', custom),
    h('button', { type: 'submit' }, 'Save rule'),
  );
}

/** A schedule's (or time profile's) week on the site's clocks, a week picker, and its edit form (a weekly schedule's days, a time profile's rule). */
export async function showSchedule(context, id, notice = '') {
  const { main } = context;
  const params = new URLSearchParams(location.search);
  const date = params.get('week') ?? '';
  const week = await api('GET', `access/schedules/${id}/week${date ? `?${new URLSearchParams({ date })}` : ''}`);
  const { schedule } = week;
  const errors = alertBox();
  const status = h('p', { role: 'status', class: 'status' }, notice);
  const shift = (days) => {
    const monday = new Date(`${week.from.local.slice(0, 10)}T00:00:00Z`);
    monday.setUTCDate(monday.getUTCDate() + days);
    navigate(`/console/access/schedules/${id}?week=${monday.toISOString().slice(0, 10)}`);
  };
  const picker = h('input', { id: 'week-of', name: 'week', type: 'date', value: week.from.local.slice(0, 10) });
  const pick = (event) => {
    event.preventDefault();
    if (picker.value) navigate(`/console/access/schedules/${id}?week=${picker.value}`);
  };
  const save = (event, values) =>
    acting(
      errors,
      () => api('PATCH', `access/schedules/${id}`, values),
      () => showSchedule(context, id, 'Saved.'),
    )(event);
  const saveRule = (event, values) =>
    acting(
      errors,
      () => api('PATCH', `access/time-profiles/${id}`, values()),
      () => showSchedule(context, id, 'Rule saved.'),
    )(event);
  const remove = acting(
    errors,
    () => (window.confirm(`Delete ${schedule.name}?`) ? api('DELETE', `access/schedules/${id}`) : Promise.resolve(null)),
    (done) => done && navigate('/console/access/schedules'),
  );
  fill(
    main,
    h('h1', {}, schedule.name),
    accessNav(null),
    h(
      'p',
      {},
      schedule.kind === 'time_profile'
        ? 'A BAS-IP time profile: its rule decides (the panel face edits the same rule).'
        : `Weekly: ${daysText(schedule.days)}, ${schedule.start} to ${schedule.stop}.`,
    ),
    h(
      'form',
      { class: 'inline', onsubmit: pick },
      h('button', { type: 'button', class: 'secondary', onclick: () => shift(-7) }, 'Previous week'),
      field('week-of', 'Week of', picker),
      h('button', { type: 'submit', class: 'secondary' }, 'Show'),
      h('button', { type: 'button', class: 'secondary', onclick: () => shift(7) }, 'Next week'),
    ),
    weekTable(week),
    h('h2', {}, 'Open'),
    week.intervals.length === 0
      ? h('p', {}, 'Closed all week.')
      : h(
          'ul',
          { class: 'intervals' },
          week.intervals.map((interval) => h('li', {}, `${interval.from.local} until ${interval.to.local}`)),
        ),
    errors,
    status,
    schedule.kind === 'time_profile' && [h('h2', {}, 'Edit the rule'), timeProfileForm(week.rule, saveRule)],
    schedule.kind === 'schedule' && [
      h('h2', {}, 'Edit'),
      scheduleForm('edit-schedule', schedule, 'Save schedule', save),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete schedule')),
    ],
  );
}
