import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { traversalDetector } from "../src/detectors/traversal/index.js";
import { namesServerFile } from "../src/detectors/traversal/server-files.js";
import { BLOCKS, scoreOf } from "./helpers.js";

describe("traversal: server configuration, logs and credentials scripts named by an absolute path", () => {
  for (const attack of [
    "/apache/logs/access.log",
    "/apache2/logs/error_log",
    "/nginx/logs/access.log",
    "/log/miscDir/accesslog",
    "/www/logs/proftpd.system.log",
    "/home/apache/conf/httpd.conf",
    "/xampp/apache/conf/httpd.conf",
    "/php\\php.ini",
    "/Program Files\\Apache Group\\Apache\\conf\\httpd.conf",
    "C:/xampp/mysql/bin/my.ini",
    "/core/config.php",
    "/includes/db.inc.php",
    "/master.passwd",
    "/home/postgres/data/pg_hba.conf",
    "c:/Program Files/PostgreSQL/9.1/data/postgresql.conf",
    "C:/Users/Administrator/NTUser.dat",
    "C:/Program Files/MySQL/MySQL Server 5.0/data/mysql.err",
    "/var/lib/mysql/data/mysql-bin.index",
    "/home/postgres/data/PG_VERSION",
    "C:/Program Files/Microsoft SQL Server/MSSQL.1/Template Data/master.mdf",
  ]) {
    it(`blocks ${attack}`, () => assert.ok(scoreOf(traversalDetector, attack) >= BLOCKS, attack));
  }

  for (const benign of [
    "/settings.php",
    "/index.php",
    "/account/profile.php?tab=2",
    "/docs/api.log",
    "/logs/",
    "/blog/changelog",
    "/images/logo.png",
    "/docs/mysql/data/",
    "/guides/postgres-data-types",
    "/mysql/database/index.html",
    "/docs/postgresql/data/types.html",
    "config.php",
    "read the httpd.conf docs",
    "error log is empty",
  ]) {
    it(`lets ${benign} through`, () => assert.ok(scoreOf(traversalDetector, benign) < BLOCKS, benign));
  }

  it("does not judge the URL path: a request for /logs/access.log is a request, not a climb", () => {
    assert.ok(scoreOf(traversalDetector, "/logs/access.log", "path") < BLOCKS);
  });

  it("names a log only inside a log directory, and a config by its server's name", () => {
    assert.equal(namesServerFile("/var/app/logs/worker.log"), true);
    assert.equal(namesServerFile("/var/app/uploads/worker.log"), false);
    assert.equal(namesServerFile("/etc/lighttpd/lighttpd.conf"), true);
    assert.equal(namesServerFile("/etc/myapp/app.conf"), false);
  });
});

describe("traversal: encodings of a path", () => {
  for (const attack of [
    "L2V0Yy9wYXNzd2Q=", // /etc/passwd
    "ZXRjL3NoYWRvdyUwMA==", // etc/shadow%00
    "L21hc3Rlci5wYXNzd2Q=", // /master.passwd
    "..2fetc2fpasswd",
    "..5c..5cwindows5cwin.ini",
    "%25%5c..%25%5c..%25%5c..%00",
  ]) {
    it(`blocks ${attack}`, () => assert.ok(scoreOf(traversalDetector, attack) >= BLOCKS, attack));
  }

  for (const benign of [
    "L2hvbWUvdXNlci9waG90by5qcGc=", // /home/user/photo.jpg
    "SGVsbG8gd29ybGQh", // Hello world!
    "dGhlIGV0Yy9wYXNzd2QgZmlsZQ==", // the etc/passwd file: prose, not a path
    "2f2f..2f",
    "50%/..%",
  ]) {
    it(`lets ${benign} through`, () => assert.ok(scoreOf(traversalDetector, benign) < BLOCKS, benign));
  }
});

describe("traversal: one climb from the root", () => {
  for (const attack of ["/../x", "/\\..%2f", "/..\\", "/../"]) {
    it(`blocks ${attack}`, () => assert.ok(scoreOf(traversalDetector, attack) >= BLOCKS, attack));
  }

  for (const benign of ["/docs/../api", "/a/b/../c", "/...", "/..foo/bar", "see /.. above"]) {
    it(`lets ${benign} through`, () => assert.ok(scoreOf(traversalDetector, benign) < BLOCKS, benign));
  }
});

describe("traversal: hidden files in the home directory", () => {
  for (const attack of ["~/.bashrc", "~/.mysql_history", "~/.profile"]) {
    it(`blocks ${attack}`, () => assert.ok(scoreOf(traversalDetector, attack) >= BLOCKS, attack));
  }

  for (const benign of ["~/Documents/report.pdf", "~/", "see ~/.bashrc for the alias", "~/.", "a~/.b"]) {
    it(`lets ${benign} through`, () => assert.ok(scoreOf(traversalDetector, benign) < BLOCKS, benign));
  }
});

describe("traversal: bare dot-files and drive-relative Windows paths", () => {
  for (const attack of [".htaccess", ".htpasswd", "c:WINDOWS/system32/", "d:inetpub\\wwwroot\\global.asa", "c:windows\\win.ini"]) {
    it(`blocks ${attack}`, () => assert.ok(scoreOf(traversalDetector, attack) >= BLOCKS, attack));
  }

  for (const benign of [".gitkeep is a convention", "Note:windows are open", "c:notes", "plan b: windows"]) {
    it(`lets ${benign} through`, () => assert.ok(scoreOf(traversalDetector, benign) < BLOCKS, benign));
  }
});
