/**
 * What a requested path looks like, for the scan detector's weights. A browser
 * rendering a broken page misses dozens of static assets at once (images, css,
 * js, fonts under a few theme directories); a scanner's wordlist asks for what
 * no page links to: dotfiles, backups and dumps, admin consoles, traversal.
 * - "probe": a browser never asks for it (/.env, /.git/config, /backup.sql, /wp-admin/, /cgi-bin/, ../);
 * - "asset": fetched by a browser on its own while rendering a page;
 * - "page": anything else.
 */
export type PathKind = "probe" | "asset" | "page";

/** Scan bucket units per distinct path: four missing assets count as one missing page, a known probe as three. */
export const PATH_WEIGHTS: Readonly<Record<PathKind, number>> = { probe: 3, asset: 0.25, page: 1 };

const ASSET_EXTENSION = /\.(?:png|jpe?g|gif|webp|avif|svg|ico|bmp|css|js|mjs|map|woff2?|ttf|otf|eot|mp4|webm|mp3|ogg|wav)$/;
// Leaked sources, backups and dumps (editors' ~ and .swp included): a scanner guesses them, nothing links to them.
const PROBE_EXTENSION =
  /(?:\.(?:sql|bak|old|orig|swp|sav|save|zip|tar|gz|tgz|rar|7z|bz2|dump|db|sqlite|mdb|log|ini|conf|config|cfg|inc|env|pem|key)|~)$/;
// Admin consoles and server internals that wordlists (dirb, SecLists) try on every site.
const PROBE_SEGMENT =
  /\/(?:wp-admin|wp-login\.php|wp-config\.php|xmlrpc\.php|phpmyadmin\d*|phpmoadmin|pma|myadmin|adminer(?:\.php)?|cgi-bin|cgi-sys|web-inf|meta-inf|server-status|server-info|actuator|jmx-console|phpinfo\.php|phpunit|cvs|trace\.axd|elmah\.axd)(?:\/|$)/;
// A dot segment (/.env, /.git/, /.aws/credentials), except RFC 8615's /.well-known/ that browsers and apps do fetch.
const DOT_SEGMENT = /\/\.(?!well-known(?:\/|$))[^/]/;
// Traversal, plain or in the overlong UTF-8 that old IIS decoded (%c0%af is "/"), and its usual target.
const TRAVERSAL = /\.\.|%c0%a[ef]|%c1%9c|\/etc\/passwd/;

/**
 * A probe by where it points rather than by its extension: a dot segment, traversal, an admin console or server
 * internal. Such a path refused (401/403) was still asked for by no browser; a refused /files/report.zip is a
 * download behind a login, so extensions alone do not make a refusal a probe.
 */
export function isHiddenTarget(path: string): boolean {
  const lower = path.toLowerCase().replaceAll("%2e", ".");
  return DOT_SEGMENT.test(lower) || TRAVERSAL.test(lower) || PROBE_SEGMENT.test(lower);
}

// Files whose content is a secret or a copy of the site: version control, environment and credential files, dumps
// and editor backups. Archives and logs are left out: /files/report.zip and /exports/app.log are downloads.
const SECRET_FILE = /\/\.(?:git|svn|hg|bzr|env|aws|ssh|docker|htaccess|htpasswd|ds_store|npmrc|pgpass|bash_history|kube)(?:[/._~-]|$)/;
const SECRET_EXTENSION = /(?:\.(?:sql|bak|old|orig|swp|sav|dump|sqlite|mdb|pem|key|env)|~)$/;

/**
 * A path no page links to and no app serves: a secret file, a dump or backup, traversal. A single-page app (or a
 * catch-all route) answers 200 for it with its index.html, so a scanner walking a wordlist there never gets a 404;
 * its asking is the tell, whatever the answer. Narrower than a probe: /wp-admin/ and /phpmyadmin/ are real consoles
 * on the sites that run them, visited by their admins.
 */
export function isSecretTarget(path: string): boolean {
  const lower = path.toLowerCase().replaceAll("%2e", ".");
  return SECRET_FILE.test(lower) || SECRET_EXTENSION.test(lower) || TRAVERSAL.test(lower);
}

export function pathKindOf(path: string): PathKind {
  // Percent-encoded dots (/%2eenv) are the same request to most servers.
  const lower = path.toLowerCase().replaceAll("%2e", ".");
  if (DOT_SEGMENT.test(lower) || TRAVERSAL.test(lower) || PROBE_SEGMENT.test(lower) || PROBE_EXTENSION.test(lower)) return "probe";
  return ASSET_EXTENSION.test(lower) ? "asset" : "page";
}
