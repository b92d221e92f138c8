/**
 * Parameter names under which PHP-era apps build an include path. A remote
 * URL there is how remote file inclusion is delivered
 * (`include($_GET["page"] . ".php")`), but the same names also carry
 * ordinary links in modern apps, so a name only adds weight to a URL that is
 * already odd.
 */

/** Names that select code or layout to load: a URL here is what RFI scanners send first. */
const INCLUDE_NAMES: ReadonlySet<string> = new Set([
  "include",
  "inc",
  "require",
  "page",
  "pg",
  "template",
  "tpl",
  "module",
  "mod",
  "path",
  "dir",
  "folder",
  "root",
  "basepath",
  "base_path",
  "abspath",
  "abs_path",
  "absolute_path",
  "lang",
  "language",
  "theme",
  "skin",
  "layout",
  "conf",
  "config",
]);

/**
 * Globals of specific PHP apps with known RFI holes (register_globals era),
 * as the scan spells their location: `_CONF[path]` is `query._CONF.path`.
 * OWASP CRS 931110 lists them; nothing else is ever named so.
 */
const VULNERABLE_GLOBALS = [
  "mosconfig_absolute_path",
  "_conf.path",
  "_server.document_root",
  "gallery_basedir",
  "path.docroot",
  "appserv_root",
  "config.root_dir",
  "phpbb_root_path",
];

export function isIncludeName(name: string | undefined): boolean {
  return name !== undefined && name.length <= 20 && INCLUDE_NAMES.has(name.toLowerCase());
}

/** Whether a value's location ends in one of the known vulnerable globals. */
export function isVulnerableGlobal(location: string): boolean {
  const lower = location.toLowerCase();
  for (const global of VULNERABLE_GLOBALS) if (lower.endsWith(global)) return true;
  return false;
}
