#pragma once

#include "clireference.h"

// The command line reference as `--help` shows it: 80 columns, options in two
// columns, examples last.
namespace Cli {

// `taskpool --help`: every command in one line or two, then the files.
QString overviewHelp();
// `taskpool COMMAND --help`.
QString commandHelp(const Command &command);
// Wraps paragraphs to width, each line indented by indent ("\n" = a new line,
// "\n\n" = a blank line between paragraphs).
QString wrap(const QString &text, int width, int indent);

} // namespace Cli
