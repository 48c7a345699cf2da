import { Type } from 'typebox';
import { NumericParam } from '../../http/schemas.ts';

export const AuditObject = Type.Object({
  id: Type.Integer({ description: 'The unique id of the audit record; ascending within a site.' }),
  actor_kind: Type.String({ description: 'api_key, operator, device or cli.' }),
  actor: Type.String({ description: 'Who: the apiuser, operator username, device name, or "cli".' }),
  resource: Type.String({ description: 'What was changed: users, doors, accesslevels, …' }),
  action: Type.String({ description: 'write (insert/update), delete, process, purge, anonymize, …' }),
  record_ids: Type.Array(Type.Integer(), { description: 'Ids of the records changed, where known.' }),
  detail: Type.Record(Type.String(), Type.Unknown(), { description: 'The counts of the change.' }),
  at: Type.String({ description: 'When the change committed, ISO 8601 UTC.', 'x-datatype': 'date-time' }),
});

export const AuditQuery = Type.Object({
  id: Type.Optional(NumericParam('id', 'Return audit records with an id greater than this, oldest first.')),
});
