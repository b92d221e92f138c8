import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { describeRules, scoreOf } from "./helpers.js";

/**
 * The longer vocabulary of ./src/detectors/cmdi/program-names.ts: GTFOBins' binaries and the Windows Server
 * commands, where a shell would run them. Product names among them (`git`, `docker`, `MySQL`) still read as names
 * in a list.
 */
describeRules("command injection: system programs beyond the usual few", (value) => scoreOf(cmdiDetector, value), {
  "a file-reading or archive program after a shell operator": {
    attacks: [
      "x;zstdcat /etc/passwd",
      "$(bsdtar -xOf /tmp/x.tar)",
      "`xzless /etc/shadow`",
      "1|lz4cat foo",
      "a&&mysqldump -u root",
      "x;pgrep",
      "127.0.0.1;iostat",
    ],
    benign: ["zstd compression level", "I read it with less", "mysqldump is handy for backups"],
  },
  "a Windows command after a shell operator": {
    attacks: ["x|findstr /si password *.xml", "x&getmac", "& gpresult /r", "a||nbtstat -a 10.0.0.1", "1&setx PATH c:\\x"],
    benign: ["Find & Replace", "Sales & Marketing"],
  },
  "a system program opening the value with bare arguments": {
    attacks: ["cscli alerts list", "'cscli' alerts list", "zstdcat logs", "findstr password"],
    benign: ["telnet access", "gunzip is slow", "Wireshark capture file"],
  },
  "a product name in a list is named, not run": {
    attacks: ["x;git -c core.pager=id", ";mysql -uroot -e 'system id'", "docker | sh", "127.0.0.1;git"],
    benign: ["Skills: Docker; Git; MySQL", "Docker; Git", "Tools: Certbot | OpenVPN | Restic", "x;git", "MySQL & Redis"],
  },
  "two everyday words joined by a spaced ampersand": {
    attacks: ["time & id", "sleep & whoami", "time & date -s 1"],
    benign: ["time & date", "Time & Date", "head & tail", "date & time"],
  },
});
