/**
 * Files that hold a web server's own configuration, logs and database
 * credentials. They are what a file-inclusion probe asks for once it knows
 * the layout (`/apache/logs/access.log` for log poisoning, `/php/php.ini`,
 * `/core/config.php`), and no page links to them: an absolute path ending in
 * one of them is a probe even without `../`.
 */

/**
 * Server, database and interpreter configuration: `httpd.conf`, `php.ini`, `my.cnf`, `nginx.conf`, PostgreSQL's
 * `pg_hba.conf` (who may log in, and how), `redis.conf`; and a Windows user's registry hive, `NTUSER.DAT`.
 */
const SERVER_CONFIG =
  /^(?:httpd|httpd-vhosts|httpd-ssl|apache2?|nginx|lighttpd|php|php-fpm|my|proftpd|vsftpd|pure-ftpd|tomcat-users|server|sshd_config|ssh_config|postgresql|pg_hba|pg_ident|redis|mongod)\.(?:conf|ini|cnf|xml)$|^sshd_config$|^master\.passwd$|^ntuser\.dat$/;

/**
 * Application files that keep database credentials: `config.php`, `database.php`, `db.inc.php`,
 * `wp-config.php`. Not `settings.php`: many apps have a settings page by that name.
 */
const CREDENTIALS_SCRIPT =
  /^_?(?:config|configuration|database|db|dbase|dbconnect|db_connect|localsettings|wp-config|connection|conn)(?:\.inc|\.db)?\.(?:php\d?|asp|aspx|jsp|inc)$/;

/**
 * A database server's own files: anything in a MySQL, MariaDB or PostgreSQL data directory (its error and binary
 * logs, which MySQL log poisoning reads back; `pg_hba.conf`; `PG_VERSION`), by the kinds of file a server keeps
 * there (not a docs page at `/docs/postgresql/data/types.html`), and SQL Server's `.mdf`/`.ldf` databases.
 */
const DATABASE_FILE =
  /\/(?:mysql|mariadb|pgsql|postgres(?:ql)?)[^/]*\/(?:[^/]+\/){0,3}data\/[\w-]+(?:\.(?:err|log|index|conf|pid|ibd|frm|myd|myi|\d+))?$|\.(?:mdf|ldf)$/;

/** A log file's name: `access.log`, `error_log`, `proftpd.system.log`, `accesslog`. */
const LOG_NAME = /(?:\.log|[_-]log|^accesslog|^errorlog)$/;

/**
 * `path` is folded (lowercase, `/` separators). True when its last segment is
 * server configuration or a credentials script, a database server's file, or a log file inside a `log`
 * or `logs` directory (a log kept elsewhere may be an app's own upload).
 */
export function namesServerFile(path: string): boolean {
  const slash = path.lastIndexOf("/");
  const name = slash === -1 ? path : path.slice(slash + 1);
  if (name.length === 0 || name.length > 64) return false;
  if (SERVER_CONFIG.test(name) || CREDENTIALS_SCRIPT.test(name) || DATABASE_FILE.test(path)) return true;
  return LOG_NAME.test(name) && (path.indexOf("/log/") !== -1 || path.indexOf("/logs/") !== -1 || path.startsWith("logs/"));
}

/**
 * `backup.sql.gz`, `/db/site.sql.tar.gz`: a database dump in an archive. Backup scanners ask for them by the
 * hundred (CRS lists them beside the OS files); no page links one, and an app that offers a dump for download
 * names it by an id, not by a file name the client supplies.
 */
const DATABASE_DUMP = /\.sql\.(?:gz|zip|bz2?|xz|7z|rar|tar(?:\.gz|\.bz2|\.xz)?|tgz|tbz|txz|lz|lzma|z|zst|\d{3})$/;

export function namesDatabaseDump(path: string): boolean {
  return DATABASE_DUMP.test(path);
}

/**
 * `\\attacker\share\x.php`: a UNC path to a script or program on another host. On Windows, PHP's `include` and
 * .NET's file APIs open it over SMB, running the remote code and sending the server's NTLM credentials to that
 * host. A share path in a settings form (`\\fileserver\reports`) names a folder or a document, not code.
 * Matched on the value as received, before backslashes fold into slashes.
 */
const UNC_PROGRAM =
  /^\s*\\\\[\w.-]{1,253}(?:@\d{1,5})?\\[^\\/\s]{1,80}(?:[\\/][^\\/\s]{1,80}){0,8}\.(?:php\d?|phtml|phar|inc|asp|aspx|jsp|cgi|pl|exe|dll|hta|sct|bat|cmd|ps1|vbs|scr|lnk)\s*$/i;

export function isUncProgram(value: string): boolean {
  return value.trimStart().startsWith("\\\\") && UNC_PROGRAM.test(value);
}
