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
  "killall", "pkill", "mkfifo", "mknod", "pwd", "uptime", "hostname", "ifup", "arp",
  "invoke-webrequest", "invoke-expression", "start-process", "new-object", "get-content", "get-childitem", "net.exe",
  "schtasks", "sc.exe", "vssadmin", "icacls", "takeown", "attrib", "cacls", "phpinfo", "chattr",
  "busybox", "visudo", "regedit", "pipx", "perf", "ansible", "ansible-playbook", "ansible-console", "ansible-config",
  "ssh-copy-id", "ssh-keygen", "lastlogin", "nohup", "strace", "ltrace", "gdb", "tcpdump", "iptables", "setfacl", "getfacl",
  "openssl", "nmap", "masscan", "msfconsole", "msfvenom", "sqlmap", "hydra", "hashcat", "ftpget", "ftpput",
  "cmd.exe", "powershell.exe", "wevtutil", "fsutil", "diskpart", "net1", "nltest", "dsquery", "whoami.exe", "quser",
  "qwinsta", "klist", "cmdkey", "runas", "sdelete", "procdump", "mimikatz", "psexec", "winrm", "wmiexec", "bcdedit",
  "pwncat", "chroot", "unshare", "nsenter", "kubectl", "crictl", "setsid", "xdg-open",
]);

export const COMMON_COMMANDS: ReadonlySet<string> = new Set([
  "cat", "echo", "sleep", "ping", "dir", "id", "ps", "ls", "env", "sh", "rm", "reg", "dig", "uname", "vi",
  "type", "more", "less", "head", "tail", "find", "grep", "sort", "kill", "timeout", "set", "time", "date", "who", "file",
  "touch", "cp", "mv", "copy", "del", "move", "rmdir", "mkdir", "cd", "start", "call", "exit", "exec", "eval", "print",
  "printf", "read", "wait", "test", "expr", "tee", "which", "whereis", "locate", "net", "host", "finger", "mail", "cut",
  "uniq", "wc", "diff", "nl", "od", "tr", "rev", "tac", "xargs", "nice", "export", "source", "alias", "history", "shutdown",
  "reboot", "halt", "mount", "whois", "systemctl", "service", "nc", "ssh", "scp", "ftp", "rsync", "tar", "zip", "unzip",
  "gzip", "dd", "sed", "node", "java", "wall", "last", "su", "vim", "nano", "route", "getent", "shred",
]);

/** Commands whose name alone, as a whole value, is a probe: nobody types `whoami` into a form by accident. */
export const STANDALONE_COMMANDS: ReadonlySet<string> = new Set([
  "whoami", "systeminfo", "sysinfo", "ipconfig", "ifconfig", "netstat", "uname", "tasklist", "nslookup", "phpinfo", "printenv",
  "getuid", "lastlogin", "visudo", "regedit", "msfconsole", "quser", "qwinsta", "klist",
]);

/** Windows `net` subcommands: `net user hacker /add`, `net view`. */
export const NET_SUBCOMMANDS: ReadonlySet<string> = new Set([
  "view", "user", "users", "localgroup", "group", "share", "use", "start", "stop", "session", "accounts", "config", "time",
]);

/** Commands that take a number as their natural argument: `sleep 5`, `ping -n 3`. */
export const NUMERIC_COMMANDS: ReadonlySet<string> = new Set(["sleep", "timeout", "ping", "wait"]);
