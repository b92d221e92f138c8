/**
 * Command names, split by how much they say on their own. A "distinct" name
 * is rarely an English word, so seeing it where a shell would start a command
 * is enough; a "common" one (cat, type, find) also needs a shell-like
 * argument (a flag, a path, a variable) before it counts.
 */
export const DISTINCT_COMMANDS: ReadonlySet<string> = new Set([
  "whoami", "uname", "ifconfig", "ipconfig", "netstat", "nslookup", "wget", "curl", "bash", "zsh", "ksh", "csh", "tcsh",
  "dash", "powershell", "pwsh", "cmd", "nc", "ncat", "netcat", "telnet", "systeminfo", "sysinfo", "tasklist", "taskkill",
  "certutil", "bitsadmin", "wmic", "rundll32", "regsvr32", "mshta", "cscript", "wscript", "python", "python2", "python3",
  "perl", "ruby", "php", "lua", "gawk", "awk", "chmod", "chown", "useradd", "usermod", "passwd", "crontab", "nohup", "sudo",
  "xterm", "base64", "xxd", "hexdump", "tftp", "socat", "iwr", "iex", "getuid", "printenv", "lsof", "traceroute", "tracert",
  "killall", "pkill", "mkfifo", "mknod", "id", "pwd", "ps", "ls", "uptime", "hostname", "ifup", "nmap", "arp", "sh",
  "invoke-webrequest", "invoke-expression", "start-process", "new-object", "get-content", "get-childitem", "net.exe",
  "reg", "schtasks", "sc.exe", "vssadmin", "icacls", "takeown", "attrib", "cacls", "dig", "phpinfo", "rm", "chattr",
  "uname", "env", "busybox", "sleep", "ping", "dir", "cat", "echo",
]);

export const COMMON_COMMANDS: ReadonlySet<string> = new Set([
  "type", "more", "less", "head", "tail", "find", "grep", "sort", "kill", "timeout", "set", "time", "date", "who", "file",
  "touch", "cp", "mv", "copy", "del", "move", "rmdir", "mkdir", "cd", "start", "call", "exit", "exec", "eval", "print",
  "printf", "read", "wait", "test", "expr", "tee", "which", "whereis", "locate", "net", "host", "finger", "mail", "cut",
  "uniq", "wc", "diff", "nl", "od", "tr", "rev", "tac", "xargs", "nice", "export", "source", "alias", "history", "shutdown",
  "reboot", "halt", "mount", "whois", "systemctl", "service", "nc", "ssh", "scp", "ftp", "rsync", "tar", "zip", "unzip",
  "gzip", "dd", "sed", "node", "java", "wall", "last", "w", "su", "net1", "vi", "vim", "nano", "route", "getent", "shred",
]);

/** Commands that take a number as their natural argument: `sleep 5`, `ping -n 3`. */
export const NUMERIC_COMMANDS: ReadonlySet<string> = new Set(["sleep", "timeout", "ping", "wait"]);
