// taskpool-docgen: writes what is made from the command line reference at
// build time: the man page and the shell completions.
//   taskpool-docgen man|bash|zsh OUTPUT
#include "completion.h"
#include "manpage.h"

#include <QFile>

#include <cstdio>
#include <cstring>

int main(int argc, char *argv[])
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: taskpool-docgen man|bash|zsh OUTPUT\n");
        return 2;
    }
    QString text;
    if (std::strcmp(argv[1], "man") == 0)
        text = Cli::manPage();
    else if (std::strcmp(argv[1], "bash") == 0)
        text = Cli::bashCompletion();
    else if (std::strcmp(argv[1], "zsh") == 0)
        text = Cli::zshCompletion();
    else {
        std::fprintf(stderr, "taskpool-docgen: unknown output \"%s\"\n", argv[1]);
        return 2;
    }
    QFile out(QString::fromLocal8Bit(argv[2]));
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate) || out.write(text.toUtf8()) < 0) {
        std::fprintf(stderr, "taskpool-docgen: cannot write %s\n", argv[2]);
        return 1;
    }
    return 0;
}
