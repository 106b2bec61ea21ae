#include "remotecommand.h"

#include "commandtemplate.h"

#include <QRandomGenerator>

namespace {

// $1 token, $2 directory, $3 grace in tenths of a second, $4 "io" or "null"
// (what the command reads), then the command. Written for dash and bash alike:
// `kill -s SIG -- -PGID` is the group form both accept. The guard reaps every
// child it starts (an init that does not reap would keep zombies in the group).
// alive() takes a zombie for dead: an orphan's new parent may never reap it (a
// container's PID 1, a subreaper), and a watcher waiting on it would never end.
// The watcher has its own session so one SIGKILL ends it and its sleep at once
// (a TERM trap does not reliably interrupt dash's `wait`).
const char *const Guard = R"SH(t=$1 d=$2 g=$3 m=$4
shift 4
if [ -n "$d" ] && ! cd "$d" 2>/dev/null; then
  echo "taskpool: cannot enter the directory $d on $(uname -n) (taskpool assumes a shared file system)" >&2
  exit 1
fi
if sleep 0.01 2>/dev/null; then tick=0.1 poll=0.5; else tick=1 poll=1; fi
ss=
command -v setsid >/dev/null 2>&1 && ss=setsid
K='alive() {
  if [ -d "/proc/$1" ]; then
    read -r s 2>/dev/null <"/proc/$1/stat" || return 1
    s=${s##*)}
    case $s in " Z"*|" X"*) return 1;; esac
    return 0
  fi
  kill -s 0 "$1" 2>/dev/null
}
end() {
  [ -n "$p" ] || return 0
  kill -s TERM -- -"$p" 2>/dev/null || kill -s TERM "$p" 2>/dev/null || return 0
  i=0
  while [ "$i" -lt "$g" ] && kill -s 0 -- -"$p" 2>/dev/null; do sleep "$tick"; i=$((i+1)); done
  kill -s KILL -- -"$p" 2>/dev/null || kill -s KILL "$p" 2>/dev/null
  return 0
}'
eval "$K"
p= w=
stop() {
  [ -n "$w" ] || return 0
  kill -s KILL -- -"$w" 2>/dev/null || kill -s KILL "$w" 2>/dev/null
  wait "$w" 2>/dev/null
  w=
}
quit() { end; stop; exit "$1"; }
trap 'quit 129' HUP
trap 'quit 130' INT
trap 'quit 143' TERM
pp=$PPID
printf '%s up\n' "$t" >&2
if [ "$m" = io ]; then exec 3<&0; else exec 3</dev/null; fi
$ss "$@" <&3 3<&- &
p=$!
exec 3<&- </dev/null
p=$p pp=$pp g=$g tick=$tick poll=$poll $ss sh -c "$K"'
while alive "$p"; do alive "$pp" || { end; exit 0; }; sleep "$poll"; done' taskpool-watch </dev/null >/dev/null 2>&1 &
w=$!
wait "$p" 2>/dev/null
rc=$?
stop
end
printf '%s exit %s\n' "$t" "$rc" >&2
exit "$rc")SH";

QStringList guardWords(const RemoteCommand::Options &options, const QString &program, const QStringList &arguments)
{
    QStringList words{QStringLiteral("sh"), QStringLiteral("-c"), RemoteCommand::guardScript(),
                      QStringLiteral("taskpool-remote"), options.token, options.directory,
                      QString::number(qMax(0, options.graceMs) / 100),
                      options.passStdin ? QStringLiteral("io") : QStringLiteral("null"), program};
    words += arguments;
    return words;
}

} // namespace

namespace RemoteCommand {

QString guardScript()
{
    return QString::fromLatin1(Guard);
}

QString newToken()
{
    return QStringLiteral("taskpool-%1").arg(QRandomGenerator::global()->generate64(), 16, 16, QLatin1Char('0'));
}

QString shellCommand(const Options &options, const QString &program, const QStringList &arguments)
{
    const QStringList words = guardWords(options, program, arguments);
    QString command = QStringLiteral("exec");
    for (const QString &word : words)
        command += QLatin1Char(' ') + CommandTemplate::shellQuote(word);
    return command;
}

QStringList build(const HostSpec &host, const Options &options, const QString &program, const QStringList &arguments)
{
    QStringList argv = host.launcherWords();
    if (argv.isEmpty())
        return {};
    if (host.kind == HostSpec::Kind::Srun)
        argv += guardWords(options, program, arguments);
    else
        argv += shellCommand(options, program, arguments); // ssh: one string for the remote shell
    return argv;
}

} // namespace RemoteCommand
