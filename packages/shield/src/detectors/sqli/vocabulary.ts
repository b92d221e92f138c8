/**
 * The SQL words the tokenizer recognises, across MySQL, PostgreSQL, MSSQL,
 * Oracle, SQLite and DB2, the dialects attackers target. Every list is
 * lower-case; lookups go through `Set.has` on a lower-cased word.
 */

/** Words that join boolean conditions: the hinge of every tautology. */
export const LOGIC_WORDS: ReadonlySet<string> = new Set(["and", "or", "xor", "not"]);

/** Words that act as binary operators between two operands. */
export const OPERATOR_WORDS: ReadonlySet<string> = new Set([
  "like",
  "rlike",
  "regexp",
  "is",
  "in",
  "between",
  "div",
  "mod",
  "sounds",
  "collate",
  "escape",
  "similar",
]);

/** Words that begin a statement: what may follow a `;` in a stacked query. */
export const STATEMENT_WORDS: ReadonlySet<string> = new Set([
  "select",
  "insert",
  "update",
  "delete",
  "drop",
  "create",
  "alter",
  "truncate",
  "exec",
  "execute",
  "declare",
  "shutdown",
  "waitfor",
  "call",
  "begin",
  "grant",
  "revoke",
  "rename",
  "replace",
  "load",
  "handler",
  "copy",
  "set",
  "use",
  "if",
  "with",
  "merge",
]);

/** Reserved words that only make sense inside a query. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  ...STATEMENT_WORDS,
  "union",
  "all",
  "distinct",
  "from",
  "where",
  "having",
  "group",
  "order",
  "by",
  "limit",
  "offset",
  "into",
  "outfile",
  "dumpfile",
  "values",
  "table",
  "database",
  "schema",
  "procedure",
  "function",
  "as",
  "case",
  "when",
  "then",
  "else",
  "end",
  "null",
  "true",
  "false",
  "asc",
  "desc",
  "join",
  "on",
  "top",
  "delay",
  "time",
  "analyse",
  "exists",
  "dual",
  "char",
  "varchar",
  "nvarchar",
  "int",
  "cast",
  "convert",
]);

/** Literal words that can stand alone as an always-true/false operand. */
export const LITERAL_WORDS: ReadonlySet<string> = new Set(["true", "false", "null"]);

/**
 * Functions whose only job in a request parameter is an attack: time-based
 * blind probes (they make the database sleep), error-based extraction (they
 * force a value into an error message), file and command access.
 */
export const ATTACK_FUNCTIONS: ReadonlySet<string> = new Set([
  "sleep",
  "benchmark",
  "pg_sleep",
  "pg_sleep_for",
  // MySQL's GET_LOCK waits up to its timeout for a lock a second session holds: a sleep by another name (sqlmap's sleep2getlock).
  "get_lock",
  "dbms_session.sleep",
  "extractvalue",
  "updatexml",
  "load_file",
  "xp_cmdshell",
  "xp_dirtree",
  "xp_regread",
  "sp_executesql",
  "sp_oacreate",
  // Named in a query only to make SQL Server leave the statement out of its trace log.
  "sp_password",
  "dbms_pipe.receive_message",
  "dbms_lock.sleep",
  "dbms_xmlgen.getxml",
  "utl_inaddr.get_host_name",
  "utl_inaddr.get_host_address",
  "utl_http.request",
  "ctxsys.drithsx.sn",
  "sys_eval",
  "sys_exec",
  "randomblob",
  "regexp_substring",
  "generate_series",
  "pg_read_file",
  "lo_import",
  "pg_ls_dir",
  "pg_read_binary_file",
  // SQLite loads a shared library: code execution.
  "load_extension",
  // PostgreSQL large objects: read (`lo_get`) and write (`lo_export`) server files by object id.
  "lo_get",
  "lo_export",
  "dblink",
  "openrowset",
  "opendatasource",
]);

/**
 * Functions that leak server facts or build error-based probes; harmless as
 * words, so they count only once the value has broken out of its context.
 */
export const PROBE_FUNCTIONS: ReadonlySet<string> = new Set([
  "geometrycollection",
  "multipoint",
  "polygon",
  "linestring",
  "exp",
  "make_set",
  "elt",
  "iif",
  "json_keys",
  "gtid_subset",
  "name_const",
  "row_count",
  "version",
  "database",
  "user",
  "current_user",
  "system_user",
  "session_user",
  "schema",
]);

/** Functions used to smuggle strings past filters: `char(113)+char(113)`, `concat(0x71,…)`. */
export const ENCODING_FUNCTIONS: ReadonlySet<string> = new Set([
  "char",
  "chr",
  "nchar",
  "concat",
  "concat_ws",
  "unhex",
  "hex",
  "ascii",
  "ord",
  "substring",
  "substr",
  "mid",
  "cast",
  "convert",
  "group_concat",
  "string_agg",
  "count",
  "length",
  "lower",
  "upper",
  "md5",
  "sha1",
  "if",
  "ifnull",
  "isnull",
  "coalesce",
  "nullif",
  "case",
  "rand",
  "floor",
  "repeat",
  "right",
  "left",
  "instr",
  "locate",
]);

/** Catalog tables and variables that only a reconnaissance query names. */
export const CATALOG_NAMES: ReadonlySet<string> = new Set([
  "information_schema",
  "sysobjects",
  "syscolumns",
  "sysusers",
  "sysdatabases",
  "sys.objects",
  "sys.tables",
  "sys.databases",
  "master..sysdatabases",
  "mysql.user",
  "pg_shadow",
  "pg_user",
  "pg_tables",
  "pg_catalog",
  "pg_database",
  "all_tables",
  "all_users",
  "user_tables",
  "dba_users",
  "v$version",
  "sqlite_master",
  "sqlite_schema",
  "msysobjects",
  "sysibm.systables",
  "sysibm.sysdummy1",
  "syscat.tables",
]);

/** PostgreSQL type names a `::` cast names. */
export const SQL_TYPES: ReadonlySet<string> = new Set([
  "int",
  "int2",
  "int4",
  "int8",
  "integer",
  "bigint",
  "smallint",
  "numeric",
  "decimal",
  "real",
  "double",
  "float",
  "text",
  "varchar",
  "char",
  "bool",
  "boolean",
  "json",
  "jsonb",
  "xml",
  "bytea",
  "oid",
  "regclass",
  "date",
  "timestamp",
]);

/** A function only SQL (or an attack on it) calls: a blind probe, an error extraction, a filter-dodging string builder. */
export function isKnownFunction(name: string): boolean {
  return ATTACK_FUNCTIONS.has(name) || PROBE_FUNCTIONS.has(name) || ENCODING_FUNCTIONS.has(name);
}
