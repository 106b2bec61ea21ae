// A misbehaving-on-demand worker for the tests.
//
// Per-task modes (the input arrives as arguments):
//   testworker echo ARG...           print the arguments, exit 0
//   testworker argv ARG...           print every argument followed by a NUL byte
//   testworker exit N                exit with status N
//   testworker percent STEPS MS      print "NN%" lines (with '\r'), MS apart
//   testworker sleep MS              sleep, then print "slept"
//   testworker crash                 die by SIGSEGV
//   testworker hang                  sleep forever
//   testworker ignore-term           ignore SIGTERM, sleep forever
//   testworker flood BYTES           write BYTES bytes to stdout and stderr
//   testworker grandchild PIDFILE    start a grandchild that ignores SIGTERM and
//                                    sleeps forever, write its pid, then hang
//   testworker tree PIDFILE          ignore SIGTERM, start a grandchild that ignores it too,
//                                    write "OWN_PID GRANDCHILD_PID" (at once, by rename), hang
//   testworker crash-once FILE       crash if FILE does not exist (creating it), else exit 0
//   testworker chatter N INPUT FILE...  for each FILE: print N lines "stage K line J" on
//                                    stdout and "stage K on stderr" on stderr, then await
//                                    FILE (see await: below); then print "done" and exit 0
//   testworker pieces ID             print lines in pieces, pausing mid-line: "one of ID",
//                                    "two of ID" and an unterminated "end of ID" on stdout,
//                                    "err of ID" on stderr
//   testworker task INPUT            act out INPUT like a protocol task (below): crash, exit,
//                                    hang, error (exit 1), slow:MS (prints NN%), flood:BYTES,
//                                    await:FILE (make FILE.waiting, wait until FILE exists, echo)...
//
// Protocol mode: testworker proto [--die-at-start] [--crash-after N] [--exit-after N] [--files]
//                                  [--start-ms MS [--ready]] [--linger] [--close-stdout-once FILE]
//                                  [--echo-line]
// --echo-line: every task's result is its whole task line, as it came (a JSON object).
// --start-ms sleeps before reading any task; --ready then says {"ready": true}.
// --linger: when stdin closes, sleep forever instead of exiting.
// --close-stdout-once FILE: if FILE does not exist, create it, close stdout before
// reading anything and sleep forever (an idle worker that can never answer).
// With --files each input names a file (relative to the working directory):
// the worker writes INPUT.out with its content upper-cased (not if the content
// starts with "no output") and answers {"input": INPUT, "cwd": its directory}.
// Each task's input says what to do with it:
//   crash | exit | hang | ignore-term | error | garbage | skip | stderr | utf8-junk
//   slow:MS | flood:BYTES | grandchild:PIDFILE | tree:PIDFILE | crash-once:FILE | leak:MB
//   await:FILE (make FILE.waiting, answer once FILE exists) | anything else: echo
//   leak:MB:INPUT         allocate and touch MB megabytes, keep them, then act out INPUT
//                         (also in per-task `task` mode), e.g. leak:50:await:FILE
//   chatter:FILE          send progress, print "chatter on stdout" (not a protocol line) and
//                         "chatter on stderr", then act as await:FILE
// Ways to leave the pool without an answer (the worker stays alive unless said):
//   close-stdout          close stdout (fd 1), then sleep forever
//   close-stdin           close stdin (fd 0), answer this task, then sleep forever: the
//                         tasks behind it, read or not, are never answered
//   wrong-id              answer with id + 1000, a task it was never given
//   repeat-id             answer with the id of the task before (one already answered;
//                         id + 1000 for the first task)
//   progress-wrong-id     send progress for id + 1000, then answer this task
//   no-id                 answer {"result": INPUT}, without the "id"
//   orphan:PIDFILE        start a grandchild that ignores SIGTERM and keeps stdout open,
//                         write its pid, then exit 3
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <ctime>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

void writeAll(int fd, const std::string &s)
{
    size_t off = 0;
    while (off < s.size()) {
        ssize_t n = ::write(fd, s.data() + off, s.size() - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(120);
        off += size_t(n);
    }
}

void sleepMs(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

[[noreturn]] void hangForever()
{
    for (;;)
        pause();
}

[[noreturn]] void crash()
{
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
    _exit(99);
}

void flood(long bytes, int fd)
{
    std::string chunk(65536, 'x');
    for (long left = bytes; left > 0; left -= long(chunk.size()))
        writeAll(fd, left >= long(chunk.size()) ? chunk : chunk.substr(0, size_t(left)));
}

void startGrandchild(const char *pidFile)
{
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_IGN);
        // Leave stdout/stderr so the pipes stay open, like real stray children do.
        hangForever();
    }
    FILE *f = fopen(pidFile, "w");
    if (f) {
        fprintf(f, "%d\n", int(pid));
        fclose(f);
    }
}

// The whole tree ignores SIGTERM: only SIGKILL to its process group ends it.
void startStubbornTree(const char *pidFile)
{
    signal(SIGTERM, SIG_IGN);
    pid_t pid = fork();
    if (pid == 0)
        hangForever(); // inherits SIG_IGN
    // Written whole under another name, then renamed: a reader never sees half of it.
    const std::string temporary = std::string(pidFile) + ".tmp";
    FILE *f = fopen(temporary.c_str(), "w");
    if (f) {
        fprintf(f, "%d %d\n", int(getpid()), int(pid));
        fclose(f);
        rename(temporary.c_str(), pidFile);
    }
}

// Says it is waiting (FILE.waiting), then polls: the test makes FILE when the task may go on.
void awaitFile(const char *file)
{
    const std::string waiting = std::string(file) + ".waiting";
    FILE *f = fopen(waiting.c_str(), "w");
    if (f)
        fclose(f);
    struct stat st;
    while (stat(file, &st) != 0)
        sleepMs(10);
}

// "leak:MB:REST": keeps MB megabytes (touched, so they are resident) and
// gives REST, the input to act out; any other input comes back as it is.
std::string takeLeak(const std::string &input)
{
    if (input.rfind("leak:", 0) != 0)
        return input;
    const size_t colon = input.find(':', 5);
    if (colon == std::string::npos)
        return input; // plain leak:MB (protocol mode): leak, then echo
    const size_t bytes = size_t(atol(input.c_str() + 5)) << 20;
    char *leak = static_cast<char *>(malloc(bytes));
    for (size_t i = 0; leak && i < bytes; i += 4096)
        leak[i] = 1;
    return input.substr(colon + 1);
}

bool crashOnce(const char *file)
{
    struct stat st;
    if (stat(file, &st) == 0)
        return false;
    FILE *f = fopen(file, "w");
    if (f)
        fclose(f);
    return true;
}

// Minimal JSON reading for {"id":N,"input":"..."} as the pool writes it.
bool parseTask(const std::string &line, long *id, std::string *rawInput, std::string *input)
{
    size_t p = line.find("\"id\":");
    if (p == std::string::npos)
        return false;
    *id = strtol(line.c_str() + p + 5, nullptr, 10);
    p = line.find("\"input\":\"");
    if (p == std::string::npos)
        return false;
    size_t start = p + 8; // at the opening quote
    size_t i = start + 1;
    input->clear();
    while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\' && i + 1 < line.size()) {
            char e = line[i + 1];
            input->push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
            i += 2;
            continue;
        }
        input->push_back(line[i++]);
    }
    *rawInput = line.substr(start, i + 1 - start);
    return true;
}

std::string jsonString(const std::string &text)
{
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
        } else if (c < 0x20) {
            char buf[8];
            snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += char(c);
        }
    }
    return out + "\"";
}

// --files: the task's input is a file to read; its upper-cased copy goes to INPUT.out.
std::string fileTask(const std::string &head, const std::string &input)
{
    std::string content;
    const int in = open(input.c_str(), O_RDONLY);
    if (in < 0)
        return head + ",\"error\":" + jsonString("cannot read " + input + ": " + strerror(errno)) + "}\n";
    char buf[4096];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        content.append(buf, size_t(n));
    close(in);
    if (content.rfind("no output", 0) != 0) {
        for (char &c : content)
            if (c >= 'a' && c <= 'z')
                c = char(c - 'a' + 'A');
        const int out = open((input + ".out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0)
            return head + ",\"error\":" + jsonString("cannot write " + input + ".out") + "}\n";
        writeAll(out, content);
        close(out);
    }
    char cwd[4096];
    const std::string where = getcwd(cwd, sizeof cwd) ? cwd : "?";
    return head + ",\"result\":{\"input\":" + jsonString(input) + ",\"cwd\":" + jsonString(where) + "}}\n";
}

std::string idPrefix(long id)
{
    return "{\"id\":" + std::to_string(id);
}

int protocolMain(int argc, char **argv)
{
    long crashAfter = -1, exitAfter = -1, startMs = 0;
    bool files = false, announceReady = false, linger = false, echoLine = false;
    const char *closeStdoutOnce = nullptr;
    for (int i = 2; i < argc; ++i) {
        if (!strcmp(argv[i], "--files"))
            files = true;
        if (!strcmp(argv[i], "--die-at-start")) {
            writeAll(2, "testworker: cannot initialise (on purpose)\n");
            return 3;
        }
        if (!strcmp(argv[i], "--crash-after") && i + 1 < argc)
            crashAfter = atol(argv[++i]);
        if (!strcmp(argv[i], "--exit-after") && i + 1 < argc)
            exitAfter = atol(argv[++i]);
        if (!strcmp(argv[i], "--start-ms") && i + 1 < argc)
            startMs = atol(argv[++i]);
        if (!strcmp(argv[i], "--ready"))
            announceReady = true;
        if (!strcmp(argv[i], "--linger"))
            linger = true;
        if (!strcmp(argv[i], "--echo-line"))
            echoLine = true;
        if (!strcmp(argv[i], "--close-stdout-once") && i + 1 < argc)
            closeStdoutOnce = argv[++i];
    }
    if (closeStdoutOnce && crashOnce(closeStdoutOnce)) {
        close(1);
        hangForever();
    }
    sleepMs(startMs); // a slow start-up: imports, loading a model
    if (announceReady)
        writeAll(1, "{\"ready\": true}\n");
    std::string buffer;
    char buf[65536];
    long handled = 0;
    long previousId = -1;
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 && linger)
            hangForever();
        if (n <= 0)
            return 0; // stdin closed: done
        buffer.append(buf, size_t(n));
        size_t nl;
        while ((nl = buffer.find('\n')) != std::string::npos) {
            std::string line = buffer.substr(0, nl);
            buffer.erase(0, nl + 1);
            long id;
            std::string raw, input;
            if (!parseTask(line, &id, &raw, &input)) {
                writeAll(2, "testworker: bad task line\n");
                continue;
            }
            if (crashAfter >= 0 && handled == crashAfter)
                crash();
            if (exitAfter >= 0 && handled == exitAfter)
                _exit(0);
            ++handled;
            const long answeredBefore = previousId;
            previousId = id;
            const std::string head = idPrefix(id);
            if (echoLine) {
                writeAll(1, head + ",\"result\":" + line + "}\n");
                continue;
            }
            if (files) {
                writeAll(1, fileTask(head, input));
                continue;
            }
            input = takeLeak(input);
            if (input == "crash")
                crash();
            if (input == "exit")
                _exit(3);
            if (input == "hang")
                hangForever();
            if (input == "ignore-term") {
                signal(SIGTERM, SIG_IGN);
                hangForever();
            }
            if (input == "error") {
                writeAll(1, head + ",\"error\":\"failed on purpose\"}\n");
                continue;
            }
            if (input == "skip")
                continue;
            if (input == "close-stdout") {
                close(1);
                hangForever();
            }
            if (input == "close-stdin") {
                close(0);
                writeAll(1, head + ",\"result\":" + raw + "}\n");
                hangForever();
            }
            if (input == "wrong-id" || input == "repeat-id") {
                const long answered = input == "repeat-id" && answeredBefore >= 0 ? answeredBefore : id + 1000;
                writeAll(1, idPrefix(answered) + ",\"result\":" + raw + "}\n");
                continue;
            }
            if (input == "no-id") {
                writeAll(1, "{\"result\":" + raw + "}\n");
                continue;
            }
            if (input == "progress-wrong-id")
                writeAll(1, idPrefix(id + 1000) + ",\"progress\":0.5}\n");
            if (input.rfind("orphan:", 0) == 0) {
                startGrandchild(input.c_str() + 7);
                _exit(3);
            }
            if (input == "garbage")
                writeAll(1, "this is not json\n{\"id\": \"x\"}\n[1,2\n\xff\xfe garbage\n");
            if (input == "stderr")
                writeAll(2, "a line on stderr\n");
            if (input == "utf8-junk") {
                writeAll(1, head + ",\"result\":\"\xc3\x28\"}\n"); // invalid UTF-8 inside JSON
                continue;
            }
            if (input.rfind("slow:", 0) == 0) {
                long ms = atol(input.c_str() + 5);
                for (int step = 1; step < 10; ++step) {
                    sleepMs(ms / 10);
                    writeAll(1, head + ",\"progress\":" + std::to_string(step / 10.0) + ",\"message\":\"step\"}\n");
                }
                sleepMs(ms / 10);
            }
            if (input.rfind("flood:", 0) == 0) {
                flood(atol(input.c_str() + 6), 1);
                writeAll(1, "\n");
            }
            if (input.rfind("grandchild:", 0) == 0) {
                startGrandchild(input.c_str() + 11);
                hangForever();
            }
            if (input.rfind("tree:", 0) == 0) {
                startStubbornTree(input.c_str() + 5);
                hangForever();
            }
            if (input.rfind("await:", 0) == 0)
                awaitFile(input.c_str() + 6);
            if (input.rfind("chatter:", 0) == 0) {
                writeAll(1, head + ",\"progress\":0.5}\nchatter on stdout\n");
                writeAll(2, "chatter on stderr\n");
                awaitFile(input.c_str() + 8);
            }
            if (input.rfind("leak:", 0) == 0) {
                // Keep (and touch) this many MB for good, like a leaking worker.
                size_t bytes = size_t(atol(input.c_str() + 5)) << 20;
                char *leak = static_cast<char *>(malloc(bytes));
                for (size_t i = 0; leak && i < bytes; i += 4096)
                    leak[i] = 1;
            }
            if (input.rfind("crash-once:", 0) == 0 && crashOnce(input.c_str() + 11))
                crash();
            writeAll(1, head + ",\"result\":" + raw + "}\n");
        }
    }
}

// For the monitor's "another user is refused": as whichever user runs us.
int connectToSocket(const char *path)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    strncpy(address.sun_path, path, sizeof(address.sun_path) - 1);
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0) {
        writeAll(1, std::string("refused: ") + strerror(errno) + "\n");
        return 1;
    }
    pollfd readable{fd, POLLIN, 0};
    char buffer[4096];
    const ssize_t n = poll(&readable, 1, 2000) > 0 ? read(fd, buffer, sizeof(buffer)) : 0;
    writeAll(1, "connected: read " + std::to_string(n > 0 ? n : 0) + " bytes\n");
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: testworker MODE [ARG...]\n");
        return 2;
    }
    const std::string mode = argv[1];
    if (mode == "proto")
        return protocolMain(argc, argv);
    if (mode == "connect" && argc > 2) // connect to a Unix socket, say what came of it
        return connectToSocket(argv[2]);
    if (mode == "echo") {
        std::string out;
        for (int i = 2; i < argc; ++i)
            out += std::string(i > 2 ? " " : "") + argv[i];
        writeAll(1, out + "\n");
        return 0;
    }
    if (mode == "argv") {
        for (int i = 2; i < argc; ++i)
            writeAll(1, std::string(argv[i]) + std::string(1, '\0'));
        return 0;
    }
    if (mode == "exit" && argc > 2)
        return atoi(argv[2]);
    if (mode == "percent" && argc > 3) {
        int steps = atoi(argv[2]);
        long ms = atol(argv[3]);
        for (int i = 1; i <= steps; ++i) {
            sleepMs(ms);
            writeAll(1, "working " + std::to_string(i * 100 / steps) + "%\r");
        }
        writeAll(1, "\ndone\n");
        return 0;
    }
    if (mode == "sleep" && argc > 2) {
        sleepMs(atol(argv[2]));
        writeAll(1, "slept\n");
        return 0;
    }
    if (mode == "crash")
        crash();
    if (mode == "hang")
        hangForever();
    if (mode == "ignore-term") {
        signal(SIGTERM, SIG_IGN);
        hangForever();
    }
    if (mode == "flood" && argc > 2) {
        flood(atol(argv[2]), 1);
        flood(atol(argv[2]), 2);
        return 0;
    }
    if (mode == "grandchild" && argc > 2) {
        startGrandchild(argv[2]);
        hangForever();
    }
    if (mode == "tree" && argc > 2) {
        startStubbornTree(argv[2]);
        hangForever();
    }
    if (mode == "task" && argc > 2) {
        const std::string input = takeLeak(argv[2]);
        if (input == "crash")
            crash();
        if (input == "exit")
            return 3;
        if (input == "error")
            return 1;
        if (input == "hang")
            hangForever();
        if (input == "ignore-term") {
            signal(SIGTERM, SIG_IGN);
            hangForever();
        }
        if (input == "garbage" || input == "utf8-junk") {
            writeAll(1, "\xff\xfe not text \xc3\x28\n");
            return 0;
        }
        if (input.rfind("slow:", 0) == 0) {
            long ms = atol(input.c_str() + 5);
            for (int step = 1; step <= 10; ++step) {
                sleepMs(ms / 10);
                writeAll(1, std::to_string(step * 10) + "%\n");
            }
            return 0;
        }
        if (input.rfind("flood:", 0) == 0) {
            flood(atol(input.c_str() + 6), 1);
            return 0;
        }
        if (input.rfind("await:", 0) == 0)
            awaitFile(input.c_str() + 6);
        writeAll(1, input + "\n");
        return 0;
    }
    if (mode == "chatter" && argc > 4) {
        const long lines = atol(argv[2]);
        for (int stage = 4; stage < argc; ++stage) {
            std::string text;
            for (long line = 1; line <= lines; ++line)
                text += "stage " + std::to_string(stage - 3) + " line " + std::to_string(line) + "\n";
            writeAll(1, text);
            writeAll(2, "stage " + std::to_string(stage - 3) + " on stderr\n");
            awaitFile(argv[stage]);
        }
        writeAll(1, "done\n");
        return 0;
    }
    if (mode == "pieces" && argc > 2) {
        const std::string id = argv[2];
        writeAll(1, "one ");
        writeAll(2, "err ");
        sleepMs(30);
        writeAll(1, "of " + id + "\ntwo");
        sleepMs(30);
        writeAll(2, "of " + id + "\n");
        writeAll(1, " of " + id + "\nend ");
        sleepMs(30);
        writeAll(1, "of " + id);
        return 0;
    }
    if (mode == "crash-once" && argc > 2) {
        if (crashOnce(argv[2]))
            crash();
        return 0;
    }
    fprintf(stderr, "testworker: unknown mode %s\n", argv[1]);
    return 2;
}
