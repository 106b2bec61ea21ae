#pragma once

#include <QString>

// The man page taskpool(1), in roff (man macros), made from the command line
// reference: every command, option, example and exit status that --help shows.
namespace Cli {
QString manPage();
}
