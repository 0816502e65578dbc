/**
 * The managed-lists schema (SPEC §6) as ordered migrations. Each migration lists its statements
 * for both dialects side by side, so the two cannot drift apart. A migration is never edited once
 * released: a change to the schema is a new migration at the end.
 */
export type Dialect = "sqlite" | "postgresql" | "mysql"

export interface Migration {
  readonly version: number
  readonly name: string
  readonly statements: { readonly [D in Dialect]: ReadonlyArray<string> }
}

/** PostgreSQL NOTIFY channel; the payload is the new list version. */
export const LISTS_CHANNEL = "smtp_intake_lists"

/** Every change to these bumps list_version (by trigger, in the transaction of the change). */
export const LIST_TABLES = ["local_addresses", "mta_hostnames", "blocked_addresses"] as const

const SQLITE_NOW = "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"

/** The bookkeeping table itself, created (if missing) before any migration is looked at. */
export const MIGRATIONS_TABLE: { readonly [D in Dialect]: string } = {
  sqlite: `create table if not exists schema_migrations (
    version integer primary key,
    applied_at text not null default ${SQLITE_NOW})`,
  postgresql: `create table if not exists schema_migrations (
    version int primary key,
    applied_at timestamptz not null default now())`,
  mysql: `create table if not exists schema_migrations (
    version int primary key,
    applied_at timestamp(3) not null default current_timestamp(3))`
}

const sqliteVersionTriggers = LIST_TABLES.flatMap((table) =>
  (["insert", "update", "delete"] as const).map((event) =>
    `create trigger ${table}_${event}_bumps_version after ${event} on ${table}
     begin update list_version set version = version + 1; end`
  )
)

const postgresqlVersionTriggers = LIST_TABLES.map((table) =>
  `create trigger ${table}_bumps_version after insert or update or delete on ${table}
   for each row execute function smtp_intake_bump_list_version()`
)

// MySQL/MariaDB: no transactional DDL, so each statement can be run again (a migration cut short is
// finished by the next start); keys are bytes, compared and sorted as in SQLite and PostgreSQL's
// "C" (a text collation would pad trailing spaces or fold case); `range` is a reserved word there.
const MYSQL_TEXT_KEY = "varbinary(3072)"

const mysqlVersionTriggers = LIST_TABLES.flatMap((table) =>
  (["insert", "update", "delete"] as const).map((event) =>
    `create trigger if not exists ${table}_${event}_bumps_version after ${event} on ${table}
     for each row update list_version set version = version + 1`
  )
)

export const MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: "managed lists",
    statements: {
      sqlite: [
        `create table local_addresses (
          pattern text primary key,
          type text not null check (type in ('exact', 'fnmatch', 'substr', 'regex')),
          created_at text not null default ${SQLITE_NOW})`,
        `create table mta_hostnames (
          ip text primary key,
          hostname text not null,
          updated_at text not null default ${SQLITE_NOW})`,
        `create table blocked_addresses (
          range text primary key,
          created_at text not null default ${SQLITE_NOW})`,
        // one row, enforced by the check on its key
        `create table list_version (
          id integer primary key check (id = 1),
          version bigint not null)`,
        "insert into list_version (id, version) values (1, 0)",
        ...sqliteVersionTriggers
      ],
      postgresql: [
        `create table local_addresses (
          pattern text primary key,
          type text not null check (type in ('exact', 'fnmatch', 'substr', 'regex')),
          created_at timestamptz not null default now())`,
        `create table mta_hostnames (
          ip text primary key,
          hostname text not null,
          updated_at timestamptz not null default now())`,
        `create table blocked_addresses (
          range text primary key,
          created_at timestamptz not null default now())`,
        `create table list_version (
          id int primary key check (id = 1),
          version bigint not null)`,
        "insert into list_version (id, version) values (1, 0)",
        // Row-level, so a statement that changes nothing (an upsert of what is there) bumps nothing.
        // The notification is delivered when the transaction commits.
        `create function smtp_intake_bump_list_version() returns trigger language plpgsql as $$
         declare
           new_version bigint;
         begin
           update list_version set version = version + 1 returning version into new_version;
           perform pg_notify('${LISTS_CHANNEL}', new_version::text);
           return null;
         end
         $$`,
        ...postgresqlVersionTriggers
      ],
      mysql: [
        `create table if not exists local_addresses (
          pattern ${MYSQL_TEXT_KEY} primary key,
          type varchar(16) not null check (type in ('exact', 'fnmatch', 'substr', 'regex')),
          created_at timestamp(3) not null default current_timestamp(3))`,
        `create table if not exists mta_hostnames (
          ip ${MYSQL_TEXT_KEY} primary key,
          hostname varchar(255) character set utf8mb4 collate utf8mb4_bin not null,
          updated_at timestamp(3) not null default current_timestamp(3))`,
        `create table if not exists blocked_addresses (
          \`range\` ${MYSQL_TEXT_KEY} primary key,
          created_at timestamp(3) not null default current_timestamp(3))`,
        `create table if not exists list_version (
          id int primary key check (id = 1),
          version bigint not null)`,
        "insert ignore into list_version (id, version) values (1, 0)",
        ...mysqlVersionTriggers
      ]
    }
  }
]

export const LATEST_VERSION = MIGRATIONS.reduce((latest, migration) => Math.max(latest, migration.version), 0)
