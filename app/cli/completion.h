#pragma once

#include <QString>

// Shell completion scripts made from the command line reference: commands,
// options, the values an option takes (choices, files, directories, run ids
// from `taskpool runs`), and after `taskpool run [options] --` the command.
namespace Cli {
QString bashCompletion();
QString zshCompletion();
}
