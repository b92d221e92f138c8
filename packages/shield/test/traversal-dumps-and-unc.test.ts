import { traversalDetector } from "../src/detectors/traversal/index.js";
import { describeRules, scoreOf } from "./helpers.js";

describeRules("traversal: database dumps and UNC paths to programs", (value) => scoreOf(traversalDetector, value), {
  "a database dump in an archive": {
    attacks: ["backup.sql.zip", "/backup.sql.gz", "dump.sql.tar.gz", "/db/site.sql.bz2", "Backup.SQL.7z"],
    benign: ["my.sql", "mysql.zip", "sql.gz", "release-notes.zip", "schema.sql.md"],
  },
  "a UNC path to a script or program on another host": {
    attacks: ["\\\\attacker\\share\\x.php", "\\\\10.0.0.1\\share\\shell.php", "\\\\evil.com@80\\x\\y.exe", "\\\\host\\c$\\tmp\\a.hta"],
    benign: [
      "\\\\fileserver\\reports\\q3.xlsx",
      "\\\\fileserver\\reports",
      "C:\\Users\\me\\Documents",
      "C:\\Users\\me\\Documents\\report.docx",
    ],
  },
});

describeRules("traversal: database dumps in a request path", (value) => scoreOf(traversalDetector, value, "path"), {
  "a dump asked for by name": {
    attacks: ["/get/backup.sql.zip", "/backups/site.sql.gz"],
    benign: ["/downloads/release.zip", "/docs/sql/intro.html"],
  },
});
