import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { FREE_SCHEMAS_TABLE, PG_TEMPLATE_SCHEMA } from './global-setup.ts';

/**
 * Migrated PostgreSQL schemas for tests, kept and used again. Making one from the template's dump and
 * dropping it afterwards ran some 400 DDL statements, about a second of every PostgreSQL test; emptying one
 * (every table's rows deleted, the template's own rows and sequence positions put back) is one short
 * transaction. A closed test's schema is emptied at once and listed in its worker database's
 * FREE_SCHEMAS_TABLE; the next test of that worker takes it, so no test sees another's rows and each
 * starts from the template's state, as a fresh schema would.
 */
export async function takeSchema(databaseUrl: string, templateSql: string): Promise<string> {
  const taken = await onDatabase(
    databaseUrl,
    `DELETE FROM public.${FREE_SCHEMAS_TABLE} WHERE name = (SELECT name FROM public.${FREE_SCHEMAS_TABLE} LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING name`,
  );
  const free = taken.rows[0] as { name: string } | undefined;
  if (free) return free.name;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await onDatabase(databaseUrl, templateSql.replaceAll(PG_TEMPLATE_SCHEMA, schema));
  return schema;
}

/**
 * Empties a schema taken by `takeSchema` back to the template's state and lists it as free, in one
 * transaction; drops it instead where it cannot be emptied (a role that may not set
 * `session_replication_role`, which needs a superuser as CI's `postgres` is).
 */
export async function giveBackSchema(databaseUrl: string, templateSql: string, schema: string): Promise<void> {
  const emptied = emptyingOf(templateSql).replaceAll(PG_TEMPLATE_SCHEMA, schema);
  try {
    await onDatabase(databaseUrl, `BEGIN;\n${emptied}\nINSERT INTO public.${FREE_SCHEMAS_TABLE} VALUES ('${schema}');\nCOMMIT;`);
  } catch {
    await onDatabase(databaseUrl, `DROP SCHEMA ${schema} CASCADE`);
  }
}

let emptying: { templateSql: string; script: string } | undefined;

/**
 * The script that takes a template-made schema back to the template's state, read off the template's
 * dump: a DELETE for every table it creates (foreign keys not checked meanwhile: every table is emptied),
 * then its own rows and sequence positions as the dump sets them.
 */
function emptyingOf(templateSql: string): string {
  if (emptying?.templateSql !== templateSql) {
    const lines = templateSql.split('\n');
    const tables = lines.flatMap((line) => line.match(new RegExp(`^CREATE TABLE (${PG_TEMPLATE_SCHEMA}\\.\\S+) \\($`))?.[1] ?? []);
    const state = lines.filter(
      (line) => line.startsWith(`INSERT INTO ${PG_TEMPLATE_SCHEMA}.`) || line.startsWith(`SELECT pg_catalog.setval('${PG_TEMPLATE_SCHEMA}.`),
    );
    if (tables.length === 0) throw new Error('the template dump creates no table: its format has changed');
    const script = [
      'SET LOCAL session_replication_role = replica;',
      ...tables.map((table) => `DELETE FROM ${table};`),
      'SET LOCAL session_replication_role = DEFAULT;',
      ...state,
    ].join('\n');
    emptying = { templateSql, script };
  }
  return emptying.script;
}

export async function onDatabase(databaseUrl: string, statement: string): Promise<pg.QueryResult> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    return await admin.query(statement);
  } finally {
    await admin.end();
  }
}
