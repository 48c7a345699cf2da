// The console's few helpers: elements built from data (text is always text, never markup), the JSON
// API with the session's CSRF token, times in the site's zone, and links that stay in the page.

/** An element with properties, listeners (`onclick`) and children; strings become text nodes. */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else if (key === 'value' || key === 'checked') element[key] = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  element.append(...nodes(children));
  return element;
}

/** Children as nodes: arrays flattened, strings as text, and null, undefined or false (a part not shown) left out. */
function nodes(children) {
  return children
    .flat(Infinity)
    .filter((child) => child !== null && child !== undefined && child !== false)
    .map((child) => (child instanceof Node ? child : String(child)));
}

/** Replaces an element's children, with h()'s rules for them. */
export function fill(element, ...children) {
  element.replaceChildren(...nodes(children));
}

let csrfToken = '';

/** Set from the session: every write sends it, as the server requires. */
export function setCsrfToken(token) {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(status, messages) {
    super(messages.join(' '));
    this.status = status;
    this.messages = messages;
  }
}

/** The messages of a failure in the server's envelopes (a write's record errors, or one message). */
function messagesOf(body) {
  const records = Array.isArray(body?.errors) ? body.errors.flatMap((e) => e.error) : [];
  if (records.length > 0) return records;
  if (typeof body?.data?.error === 'string') return [body.data.error];
  if (Array.isArray(body?.result)) return body.result;
  return ['The server could not answer; try again.'];
}

/** A call to `/console/api/<path>`; a 401 anywhere but the sign-in means the session is over. */
export async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const response = await fetch(`/console/api/${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (response.status === 401 && path !== 'session') window.dispatchEvent(new Event('console:signed-out'));
  if (!response.ok) throw new ApiError(response.status, messagesOf(answer));
  return answer;
}

/** A time (epoch ms) as the site's clock shows it. */
export function siteTime(ms, zone) {
  return new Intl.DateTimeFormat(undefined, { timeZone: zone, dateStyle: 'short', timeStyle: 'medium' }).format(ms);
}

export function navigate(path) {
  history.pushState(null, '', path);
  window.dispatchEvent(new Event('console:navigate'));
}

/** A link that changes the screen without reloading the page (and opens normally in a new tab). */
export function link(href, ...children) {
  return h(
    'a',
    {
      href,
      onclick: (event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || !href.startsWith('/console')) return;
        event.preventDefault();
        navigate(href);
      },
    },
    ...children,
  );
}

/** A form's row: a control (input, select) with `id`, and its label. */
export function labelled(id, label, control) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

/** A labelled input: the input, and the row holding its label and it. */
export function field(id, label, props = {}) {
  const input = h('input', { id, name: id, ...props });
  return { input, row: labelled(id, label, input) };
}

/** A place for a form's errors, read out when it changes. */
export function alertBox() {
  return h('div', { class: 'alert', role: 'alert' });
}

export function showError(box, error) {
  const messages = error instanceof ApiError ? error.messages : [error instanceof Error ? error.message : String(error)];
  box.replaceChildren(...messages.map((m) => h('p', {}, m)));
}

/** A secret shown once: read-only, selected on focus, with a button that copies it. */
export function shownOnce(id, label, value) {
  const input = h('input', { id, readonly: true, value, size: Math.min(value.length, 80), onfocus: (event) => event.target.select() });
  const copied = h('span', { role: 'status' });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      copied.textContent = 'Copied.';
    } catch {
      input.select();
      copied.textContent = 'Select it and copy it by hand (the browser did not allow copying).';
    }
  };
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h(
      'div',
      { class: 'actions' },
      input,
      h('button', { type: 'button', class: 'secondary', onclick: copy, 'aria-label': `Copy ${label}` }, 'Copy'),
      copied,
    ),
  );
}
