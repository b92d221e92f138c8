/**
 * The programs an attacker reaches for beyond the usual few (`cat`, `id`, `curl`): the binaries GTFOBins lists as
 * ways to read files, spawn shells or move data (the list OWASP CRS builds its Unix rules from), and the commands
 * of Microsoft's Windows Server command reference. A payload that swaps `cat` for `zstdcat`, `bsdtar` or `findstr`
 * is the same attack; without the names, the detector saw an unknown word where a shell would run a program.
 *
 * Names that are English words (`view`, `screen`, `patch`, `tree`), or that prose about C and PHP uses as function
 * names (`realpath`, `setenv`), are left out: to them the separator is more often punctuation than shell.
 */

/** Program names that are no word of any language: as distinct as `whoami`. Space-separated to keep the list dense. */
const DISTINCT_PROGRAMS = `
  addgroup agetty aria2c arj-register arjdisp ascii-xfr ascii85 aspell base32 basenc bsdcat bsdiff bsdtar bunzip2
  busctl byebug bzcat bzcmp bzdiff bzegrep bzexe bzfgrep bzgrep  bzip2recover bzless bzmore c89-gcc c99-gcc
  check_by_ssh check_cups check_log check_memory check_raid check_ssl_cert check_statusfile chflags chgpasswd chgrp
  chpass cobcrun coproc cscli cowsay cowthink  csplit csvtool cupsfilter dhclient dmidecode dmsetup  e2fsck
  easy_install egrep env-update exiftool fdisk fdmount fdumount fgrep fping6 ftpstats ftpwho genisoimage groupmod
  gtester gunzip gzcat gzexe hping3 htdigest htpasswd  iftop ionice iostat ip6tables ippeveprinter ippfind
  ipptool ispell jrunscript ksshell lastcomm ldconfig lessecho lessfile lesspipe lftpget loginctl logsave lsblk lshw
  lsmod lspci lsusb lualatex luatex lwp-download lwp-dump lwp-mirror lwp-request lz4cat lzcat lzcmp lzdiff lzegrep
  lzfgrep lzgrep lzless lzmadec lzmainfo lzmore mailx mawk mlocate mpstat msgattrib msgcat msgconv msgfilter msgmerge
  msguniq mysqladmin mysqldump mysqldumpslow mysqlhotcopy mysqlshow nawk netkit-ftp nping nroff nstat opkg pdb2mb
  pdflatex pdftex pdksh perl5 perlsh pgrep php-cgi php5 php7 pidstat  pkg_info pkginfo psftp ptardiff ptargrep
  py3versions pyversions rbash readelf rlogin rlwrap rmuser rpmdb rpmquery rpmverify rsync-ssl run-mailcap run-parts
  rvim setarch shuf smbclient soelim sqlite3 ssh-keyscan start-stop-daemon sudoedit sudoreplay svnadmin svnauthz
  svnbench svndumpfilter svnfsfs svnlook svnmucc svnrdump svnserve svnsync svnversion systemd-resolve taskset tcping
  tcptraceroute timedatectl traceroute6 troff tshark ulimit unexpand unlz4 unlzma unpigz unrar unxz unzstd
  update-alternatives uudecode uuencode vimdiff vmstat whiptail xelatex xmodmap xzcat xzcmp xzdec xzdiff xzegrep
  xzfgrep xzgrep xzless xzmore zcat zcmp zdiff zegrep zfgrep zgrep zipcloak zipcmp zipdetails zipgrep zipinfo
  zipmerge zipnote zipsplit ziptool zless zmore zsoelim  zstdcat zstdgrep zstdless zstdmt zypper

  certreq chcp chkdsk chkntfs cleanmgr csvde dcdiag dcgpofix dfsdiag dfsrmig diantz diskcomp diskcopy diskperf
  diskraid diskshadow dispdiag dnscmd doskey driverquery dsacls dsadd dsget dsmgmt dsmod dsmove dsrm eventcreate
  evntcmd findstr fveupdate getmac gpfixup gpresult gpupdate helpctr ipxroute ksetup ktmutil ktpass ldifde lodctr
  logman makecab mklink mountvol msdt msinfo32 mstsc nbtstat netcfg netdom nfsadmin nfsshare nfsstat nlbmgr
  ntbackup ntfrsutl openfiles pathping perfmon pktmon pnputil prncnfg prndrvr prnjobs prnmngr prnport prnqctl
  pubprn qappsrv qprocess rdpsign refsutil regini relog repadmin rpcinfo rpcping rwinsta scwcmd secedit setx
  sxstrace sysocmgr tapicfg tcmsetup tlntadmn tpmtool tpmvscmgr tracerpt tscon tsdiscon tsecimp tskill tsprof
  typeperf tzutil unlodctr waitfor wdsutil wecutil winrs
`;

/**
 * Short names, product names and the names of formats that prose also writes (`git`, `docker`, `MySQL`,
 * "zstd compression"): like `cat` and `find`, they count where a shell runs them with a shell-shaped argument,
 * and unlike those, not alone after a semicolon or in a list ("Skills: Docker; Git", "Certbot | OpenVPN").
 */
const COMMON_PROGRAMS = `
  7z 7za 7zr certbot cls cmp cpan dnf docker doas ghc ghci git gpg irb jjs jq ldd lftp mktemp mmc mosquitto mysql
  neofetch netplan openvpn popd pry psql ptar pushd pxz rar rcp restic rexec rsh sendmail sftp slsh svn tmux unset
  valgrind virsh vipw vigr w3m wireshark xz yarn yum bzip2 cpio dpkg iconv pigz zstd
`;

function wordsOf(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter((word) => word !== ""));
}

export const SYSTEM_PROGRAMS: ReadonlySet<string> = wordsOf(DISTINCT_PROGRAMS);
export const COMMON_SYSTEM_PROGRAMS: ReadonlySet<string> = wordsOf(COMMON_PROGRAMS);
