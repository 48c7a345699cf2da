import { isRecord } from '../../lib/guards.ts';
import { type Token, TokenType, defaultParser } from '@odata/parser';
import { type TSchema, Type } from 'typebox';
import { MAX_ID } from '../../db/conventions.ts';
import type { ComparisonOperator, ListColumns, ListCondition, ListFieldType, ListRequest, ListValue } from '../../db/list-query.ts';
import { ERRORS } from '../../domain/errors.ts';

/**
 * The panel's conventions for every `…/items` list: a page of `limit` items, 1 to 100 (the panel's web page
 * offers 10, 20, 30 and 50; SmartYard-Server pages call forwarding by 100),
 * (`page_number` from 1), a sort (`sort_field` + `sort_type`, or `order_by=field asc|desc`), and a
 * filter in either of the two styles the panel API has had: the expression
 * `filter=identifier_number eq '0001234567'` (eq nq ne gt lt ge le, and or not, parentheses; parsed by
 * @odata/parser after BAS-IP's `nq` is spelled as OData's `ne`), or the flat
 * `filter_field=…&filter_type=equal&filter_format=string&filter_value=…`. Only fields a list names may be
 * filtered or sorted on. The answer is `{"list_option": {pagination, sort, filter}, "list_items"}`.
 *
 * This reads the wire only: each wire field name becomes the domain field it stands for, and the filter a
 * tree of (field, operator, value) conditions. A list route is registered with `basipListRoute`
 * (routes.ts), which reads the list with `readListQuery(request.query, spec)`, passes it to the module's
 * service, whose repository makes it SQL (`listQueryOf`, src/db/list-query.ts), and answers
 * `{ list_option: listOption(list, total), list_items }`; a list with query parameters of its own (the
 * log's `from` and `to`) calls these itself.
 */

/** The largest page: what a public client asks for (SmartYard-Server's forward list), so never refused. */
export const MAX_PAGE_LIMIT = 100;
const DEFAULT_LIMIT = 10;
/** Longer filters are refused before parsing: the parser recurses per nesting level. */
const MAX_FILTER_LENGTH = 2000;
const MIN_INT = -MAX_ID;

/** The widest a timestamp (Unix ms) filter value may be: the range of a JavaScript Date, which a bigint column holds. */
const MAX_TIMESTAMP = 8.64e15;

/** One field of a list as the wire names it: the domain field it stands for, its type, whether it sorts. */
export interface ListField {
  field: string;
  type: ListFieldType;
  sortable: boolean;
}

export interface ListSpec {
  /** Wire name → field. */
  fields: Record<string, ListField>;
  /** The sort when none is asked for (ascending), by wire name. */
  defaultSort: string;
}

/** A list's wire spec: each wire name with the repository's field it stands for. */
export function listSpec<Field extends string>(wireNames: Record<string, Field>, columns: ListColumns<Field>, defaultSort: string): ListSpec {
  const fields = Object.entries(wireNames).map(([wire, field]): [string, ListField] => {
    const { type, sortable } = columns[field];
    return [wire, { field, type, sortable: sortable !== false }];
  });
  return { fields: Object.fromEntries(fields), defaultSort };
}

/** The filter as the answer echoes it: the flat style's four fields, the expression, or nothing. */
export type ListFilterEcho = Record<string, string>;

/** A list request read from the wire, with what its answer's `list_option` echoes. */
export interface BasipList extends ListRequest {
  page: number;
  echo: { sort: { field: string; asc: boolean }; filter: ListFilterEcho; availableFields: string[] };
}

/** The list parameters, for the route's OpenAPI description. */
export const ListQuerySchema = Type.Object({
  limit: Type.Optional(Type.String({ description: 'Items per page: 1 to 100 (default 10).' })),
  page_number: Type.Optional(Type.String({ description: 'Page, from 1 (default 1).' })),
  sort_field: Type.Optional(Type.String({ description: 'Field to sort on (see list_option.sort.available_fields).' })),
  sort_type: Type.Optional(Type.String({ description: 'asc (default) or desc.' })),
  order_by: Type.Optional(Type.String({ description: 'The expression style\'s sort: "field asc" or "field desc".' })),
  filter: Type.Optional(
    Type.String({ description: "Expression filter, e.g. identifier_number eq '0001234567'; eq nq ne gt lt ge le, and or not, parentheses." }),
  ),
  filter_field: Type.Optional(Type.String({ description: 'Flat filter: the field.' })),
  filter_type: Type.Optional(Type.String({ description: 'Flat filter: equal (the only type).' })),
  filter_format: Type.Optional(Type.String({ description: 'Flat filter: string (default), number or boolean.' })),
  filter_value: Type.Optional(Type.String({ description: 'Flat filter: the value the field must equal.' })),
});

const ListOptionSchema = Type.Object({
  pagination: Type.Object({
    total_items: Type.Integer(),
    items_limit: Type.Integer(),
    total_pages: Type.Integer(),
    current_page: Type.Integer(),
  }),
  sort: Type.Object({ field: Type.String(), asc: Type.Boolean(), available_fields: Type.Array(Type.String()) }),
  filter: Type.Record(Type.String(), Type.String(), {
    description: 'The flat filter (filter_field, filter_type, filter_format, filter_value), {"filter": expression}, or {}.',
  }),
});

/** A list answer's schema around its item schema. */
export const ListAnswer = (item: TSchema) => Type.Object({ list_option: ListOptionSchema, list_items: Type.Array(item) });

const bad = (message: string) => ERRORS.badRequest(message);

/** One query parameter as a single string; a repeated one is refused. */
function param(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw bad(`Repeated query parameter: ${name}`);
  return value.trim();
}

function readLimit(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_LIMIT;
  const limit = /^[0-9]{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE_LIMIT)) throw bad(`Wrong limit: ${text} (expected 1 to ${MAX_PAGE_LIMIT})`);
  return limit;
}

function readPage(text: string | undefined): number {
  if (text === undefined || text === '') return 1;
  const page = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!(page >= 1 && page <= MAX_ID)) throw bad(`Wrong page_number: ${text} (expected 1 or more)`);
  return page;
}

function readSort(query: Record<string, unknown>, spec: ListSpec, sortable: string[]): { field: string; asc: boolean } {
  const orderBy = param(query, 'order_by');
  const sortField = param(query, 'sort_field');
  const sortType = param(query, 'sort_type');
  if (orderBy && (sortField || sortType)) throw bad('Use either order_by or sort_field and sort_type, not both');
  let field = sortField || spec.defaultSort;
  let type = sortType || 'asc';
  if (orderBy) {
    const match = /^(\S+)(?:\s+(\S+))?$/.exec(orderBy);
    field = match?.[1] ?? '';
    type = match?.[2] ?? 'asc';
  }
  const direction = type.toLowerCase();
  if (direction !== 'asc' && direction !== 'desc') throw bad(`Wrong sort_type: ${type} (expected asc or desc)`);
  if (!sortable.includes(field)) throw bad(`Unknown sort field: ${field} (available: ${sortable.join(', ')})`);
  return { field, asc: direction === 'asc' };
}

function fieldOf(spec: ListSpec, name: string): ListField {
  const field = Object.hasOwn(spec.fields, name) ? spec.fields[name] : undefined;
  if (!field) throw bad(`Unknown filter field: ${name} (available: ${Object.keys(spec.fields).join(', ')})`);
  return field;
}

const isWholeNumber = (field: ListField) => field.type === 'integer' || field.type === 'timestamp';

/** A flat filter's value (always text on the wire) as the field's type. */
function valueFromText(name: string, field: ListField, text: string): ListValue {
  if (field.type === 'text') return text;
  if (isWholeNumber(field)) {
    // Ids are 32-bit; timestamps are milliseconds, far past 2^31.
    const [min, max] = field.type === 'integer' ? [MIN_INT, MAX_ID] : [-MAX_TIMESTAMP, MAX_TIMESTAMP];
    if (/^-?[0-9]+$/.test(text)) {
      const n = Number(text);
      if (n >= min && n <= max) return n;
    }
    throw bad(`Wrong filter value for ${name}: ${text} (expected an integer)`);
  }
  const flag = { true: 1, false: 0, '1': 1, '0': 0 }[text.toLowerCase()];
  if (flag === undefined) throw bad(`Wrong filter value for ${name}: ${text} (expected true or false)`);
  return flag;
}

const INTEGER_LITERALS = new Set(['Edm.SByte', 'Edm.Byte', 'Edm.Int16', 'Edm.Int32', 'Edm.Int64']);

/** An expression literal as the field's type: a quoted string's text, or the literal as written. */
function valueFromLiteral(name: string, field: ListField, literal: Token): ListValue {
  const kind = String(literal.value);
  if (kind === 'null') return null;
  if (kind === 'Edm.String') return valueFromText(name, field, literal.raw.slice(1, -1).replace(/''/g, "'"));
  if (isWholeNumber(field) && !INTEGER_LITERALS.has(kind)) throw bad(`Wrong filter value for ${name}: ${literal.raw} (expected an integer)`);
  return valueFromText(name, field, literal.raw);
}

const OPERATORS: Partial<Record<TokenType, { operator: ComparisonOperator; mirrored: ComparisonOperator }>> = {
  [TokenType.EqualsExpression]: { operator: '=', mirrored: '=' },
  [TokenType.NotEqualsExpression]: { operator: '<>', mirrored: '<>' },
  [TokenType.LesserThanExpression]: { operator: '<', mirrored: '>' },
  [TokenType.LesserOrEqualsExpression]: { operator: '<=', mirrored: '>=' },
  [TokenType.GreaterThanExpression]: { operator: '>', mirrored: '<' },
  [TokenType.GreaterOrEqualsExpression]: { operator: '>=', mirrored: '<=' },
};

function comparison(field: ListField, operator: ComparisonOperator, value: ListValue, name: string): ListCondition {
  if (value === null && operator !== '=' && operator !== '<>') throw bad(`Wrong filter: null can only be compared with eq or nq (${name})`);
  return { kind: 'compare', field: field.field, operator, value };
}

/** The condition of an expression filter's syntax tree, over the list's fields only. */
function conditionOf(token: Token, spec: ListSpec): ListCondition {
  switch (token.type) {
    case TokenType.AndExpression:
      return { kind: 'and', left: conditionOf(token.value.left, spec), right: conditionOf(token.value.right, spec) };
    case TokenType.OrExpression:
      return { kind: 'or', left: conditionOf(token.value.left, spec), right: conditionOf(token.value.right, spec) };
    case TokenType.NotExpression:
      return { kind: 'not', condition: conditionOf(token.value, spec) };
    case TokenType.BoolParenExpression:
    case TokenType.ParenExpression:
      return conditionOf(token.value, spec);
    default:
      break;
  }
  const operator = OPERATORS[token.type];
  if (!operator) throw bad(`Wrong filter: unsupported expression ${token.raw}`);
  const { left, right } = token.value as { left: Token; right: Token };
  const [member, literal, op] = left.type === TokenType.Literal ? [right, left, operator.mirrored] : [left, right, operator.operator];
  if (member.type !== TokenType.FirstMemberExpression || literal.type !== TokenType.Literal) {
    throw bad(`Wrong filter: ${token.raw} (compare one field with one value)`);
  }
  const field = fieldOf(spec, member.raw);
  return comparison(field, op, valueFromLiteral(member.raw, field, literal), member.raw);
}

/** BAS-IP's `nq` is OData's `ne`; quoted strings are left as they are. */
function toOData(expression: string): string {
  return expression
    .split(/('(?:[^']|'')*')/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/(^|[\s()])nq(?=[\s()]|$)/g, '$1ne')))
    .join('');
}

function parseExpression(expression: string): Token {
  if (expression.length > MAX_FILTER_LENGTH) throw bad(`Wrong filter: longer than ${MAX_FILTER_LENGTH} characters`);
  try {
    return defaultParser.filter(toOData(expression));
  } catch (error) {
    throw bad(`Wrong filter: ${expression} (${error instanceof Error ? error.message : 'unreadable'})`);
  }
}

const FLAT_FORMATS = ['string', 'number', 'boolean'];

function readFilter(query: Record<string, unknown>, spec: ListSpec): { filter: ListCondition; echo: ListFilterEcho } {
  const expression = param(query, 'filter');
  const flat = {
    filter_field: param(query, 'filter_field'),
    filter_type: param(query, 'filter_type'),
    filter_format: param(query, 'filter_format'),
    filter_value: param(query, 'filter_value'),
  };
  const flatGiven = Object.values(flat).some((v) => v !== undefined && v !== '');
  if (expression && flatGiven) throw bad('Use either filter or filter_field and filter_value, not both');
  if (expression) return { filter: conditionOf(parseExpression(expression), spec), echo: { filter: expression } };
  if (!flatGiven) return { filter: { kind: 'all' }, echo: {} };
  const name = flat.filter_field ?? '';
  if (name === '') throw bad('Wrong filter: no value for filter_field');
  if (flat.filter_value === undefined) throw bad('Wrong filter: no value for filter_value');
  const type = flat.filter_type || 'equal';
  if (type !== 'equal') throw bad(`Wrong filter_type: ${type} (expected equal)`);
  const format = flat.filter_format || 'string';
  if (!FLAT_FORMATS.includes(format)) throw bad(`Wrong filter_format: ${format} (expected string, number or boolean)`);
  const field = fieldOf(spec, name);
  return {
    filter: comparison(field, '=', valueFromText(name, field, flat.filter_value), name),
    echo: { filter_field: name, filter_type: type, filter_format: format, filter_value: flat.filter_value },
  };
}

/** Reads a list's paging, sort and filter from the query string; anything it cannot honour is a 400. */
export function readListQuery(query: unknown, spec: ListSpec): BasipList {
  const values = isRecord(query) ? query : {};
  const limit = readLimit(param(values, 'limit'));
  const page = readPage(param(values, 'page_number'));
  const sortable = Object.entries(spec.fields)
    .filter(([, field]) => field.sortable)
    .map(([name]) => name);
  const sort = readSort(values, spec, sortable);
  const { filter, echo } = readFilter(values, spec);
  return {
    limit,
    offset: (page - 1) * limit,
    sort: { field: fieldOf(spec, sort.field).field, asc: sort.asc },
    filter,
    page,
    echo: { sort, filter: echo, availableFields: sortable },
  };
}

/** The answer's `list_option`: where this page is among `totalItems`, and the sort and filter applied. */
export function listOption(list: BasipList, totalItems: number) {
  return {
    pagination: {
      total_items: totalItems,
      items_limit: list.limit,
      total_pages: Math.ceil(totalItems / list.limit),
      current_page: list.page,
    },
    sort: { field: list.echo.sort.field, asc: list.echo.sort.asc, available_fields: list.echo.availableFields },
    filter: list.echo.filter,
  };
}

/**
 * A uid in a panel path (`/access/users/item/{uid}`): an integer from 1 to the largest storable id.
 * Anything else (0, negative, not a number, too large) is refused with the panel's words for that
 * entity, e.g. "Wrong User uid".
 */
export function readUid(text: string, message: string): number {
  const uid = /^[0-9]{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (!(uid >= 1 && uid <= MAX_ID)) throw bad(message);
  return uid;
}
