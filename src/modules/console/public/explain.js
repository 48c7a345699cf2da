import { alertBox, api, fill, h, showError, siteTime } from './dom.js';
import { doorSelect, personPicker, siteTimeParam, siteWallClock } from './events.js';

function explanationCard(e) {
  return h(
    'section',
    { class: `explanation ${e.granted ? 'granted' : 'denied'}`, 'aria-label': `${e.credential}: ${e.granted ? 'granted' : 'denied'}` },
    h('h3', {}, `${e.credential}: ${e.granted ? 'Granted' : `Denied — ${e.reason}`}`),
    h('p', {}, e.explanation),
    e.rule && h('p', {}, `Rule: ${e.rule}`),
    h(
      'ol',
      { class: 'trace', 'aria-label': 'Checks, in the order the engine ran them' },
      e.trace.map((step) =>
        h('li', { class: step.passed ? 'passed' : 'failed' }, `${step.passed ? '✓' : '✗'} ${step.text}`, step.passed ? '' : ' — failed'),
      ),
    ),
  );
}

/**
 * "Why was this denied?" and "Would this open the door?": the access engine's answer, check by check,
 * for a card or each credential of a person, at a door and a time (now when left empty). Recorded nowhere.
 * A denied event's link fills the form with its card (or person), door and time.
 */
export async function showExplain(context) {
  const { main, can, session } = context;
  const zone = session.site.timezone;
  const params = new URLSearchParams(location.search);
  const personId = params.get('person_id');
  const [{ doors }, named] = await Promise.all([
    api('GET', 'doors'),
    personId && can('people.read') ? api('GET', `people/${personId}`).catch(() => null) : null,
  ]);
  const errors = alertBox();
  const result = h('div', { 'aria-live': 'polite' });
  const door = doorSelect('door', 'Door', doors, params.get('door_id') ?? '');
  const card = h('input', { id: 'card', name: 'card', inputmode: 'numeric', autocomplete: 'off', value: params.get('card_num') ?? '' });
  const person = can('people.read') && personPicker('person', 'or a person', named ? `${named.first_name} ${named.last_name} (#${named.id})` : '');
  const at = h('input', {
    id: 'at',
    name: 'at',
    type: 'datetime-local',
    step: '1',
    value: params.get('at') ? siteWallClock(Date.parse(params.get('at')), zone) : '',
  });

  async function run() {
    try {
      const query = new URLSearchParams({ door_id: door.select.value });
      const chosen = person ? person.chosen() : undefined;
      if (chosen === null) throw new Error('Choose a person from the suggestions, or give a card number.');
      if (card.value.trim() !== '') query.set('card_num', card.value.trim());
      if (chosen !== undefined) query.set('person_id', chosen);
      if (at.value) query.set('at', siteTimeParam(at.value));
      const answer = await api('GET', `explain?${query}`);
      errors.replaceChildren();
      history.replaceState(null, '', `/console/explain?${query}`);
      fill(
        result,
        h(
          'h2',
          {},
          `${answer.person ? answer.person.name : 'The card'} at ${door.select.selectedOptions[0]?.textContent ?? ''}, ${siteTime(answer.at, zone)}`,
        ),
        answer.explanations.length === 0
          ? h('p', {}, 'This person holds no card, fob or identifier to explain.')
          : answer.explanations.map(explanationCard),
      );
    } catch (error) {
      showError(errors, error);
    }
  }
  fill(
    main,
    h('h1', {}, 'Explain a decision'),
    h(
      'p',
      {},
      'Why was this denied, or would this open the door: the access engine answers as a device would be answered, check by check, and records nothing.',
    ),
    h(
      'form',
      {
        'aria-label': 'Explain a decision',
        onsubmit: (event) => {
          event.preventDefault();
          run();
        },
      },
      errors,
      door.row,
      h('div', { class: 'field' }, h('label', { for: 'card' }, 'Card number'), card),
      person?.row,
      h('div', { class: 'field' }, h('label', { for: 'at' }, `Time (${zone}; empty: now)`), at),
      h('button', { type: 'submit' }, 'Explain'),
    ),
    result,
  );
  if (params.get('door_id') && (params.get('card_num') || named)) await run();
}
