#include "completion.h"

#include "clireference.h"

namespace Cli {
namespace {

QString spelled(const QString &name)
{
    return (name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name;
}

// Every spelling of the options that take a value of this kind, as a case pattern.
QString pattern(const Command &c, Value kind)
{
    QStringList names;
    for (const Option &o : c.options()) {
        if (o.value == kind)
            for (const QString &n : o.names)
                names.append(spelled(n));
    }
    return names.join(QLatin1Char('|'));
}

// The first sentence of an option's help, fit for a zsh description.
QString zshDescription(const QString &help)
{
    QString text = help.section(QStringLiteral(". "), 0, 0).section(QLatin1Char('\n'), 0, 0);
    text.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    text.replace(QLatin1Char('['), QStringLiteral("\\["));
    text.replace(QLatin1Char(']'), QStringLiteral("\\]"));
    text.replace(QLatin1Char(':'), QStringLiteral("\\:"));
    return text;
}

// The spellings of every option of the command.
QString allOptions(const Command &c)
{
    QStringList all;
    for (const Option &o : c.options())
        for (const QString &n : o.names)
            all.append(spelled(n));
    return all.join(QLatin1Char(' '));
}

// _taskpool_value_NAME OPTION: completes the value OPTION takes, if it takes one.
QString bashValueFunction(const Command &c)
{
    QString out = QStringLiteral("_taskpool_value_") + QString(c.name).replace(QLatin1Char('-'), QLatin1Char('_'))
        + QStringLiteral("()\n{\n    case $1 in\n");
    const auto branch = [&](Value kind, const QString &action) {
        const QString names = pattern(c, kind);
        if (!names.isEmpty())
            out += QStringLiteral("        ") + names + QStringLiteral(") ") + action + QStringLiteral(" ;;\n");
    };
    branch(Value::File, QStringLiteral("_taskpool_files -f"));
    branch(Value::Directory, QStringLiteral("_taskpool_files -d"));
    branch(Value::RunId, QStringLiteral("_taskpool_reply \"$(_taskpool_run_ids)\""));
    branch(Value::Text, QStringLiteral(":"));
    for (const Option &o : c.options()) {
        if (o.value != Value::Choice)
            continue;
        QStringList names;
        for (const QString &n : o.names)
            names.append(spelled(n));
        out += QStringLiteral("        ") + names.join(QLatin1Char('|')) + QStringLiteral(") _taskpool_reply \"")
            + o.choices.join(QLatin1Char(' ')) + QStringLiteral("\" ;;\n");
    }
    out += QStringLiteral("        *) return 1 ;;\n    esac\n}\n\n");
    return out;
}

// The case of the main function that says what the command has.
QString bashCommandCase(const Command &c)
{
    QStringList valued;
    for (Value kind : {Value::File, Value::Directory, Value::RunId, Value::Text, Value::Choice}) {
        const QString names = pattern(c, kind);
        if (!names.isEmpty())
            valued.append(names);
    }
    return QStringLiteral("        ") + c.name + QStringLiteral(")\n            options=\"") + allOptions(c)
        + QStringLiteral("\"\n            valued=\"") + valued.join(QLatin1Char('|'))
        + QStringLiteral("\"\n            takes_command=") + (c.runsACommand ? QLatin1Char('1') : QLatin1Char('0'))
        + QStringLiteral("\n            ;;\n");
}

QString zshValue(const Option &o)
{
    switch (o.value) {
    case Value::None: return {};
    case Value::File: return QStringLiteral(":") + o.valueName + QStringLiteral(":_files");
    case Value::Directory: return QStringLiteral(":") + o.valueName + QStringLiteral(":_files -/");
    case Value::RunId: return QStringLiteral(":") + o.valueName + QStringLiteral(":_taskpool_run_ids");
    case Value::Choice: return QStringLiteral(":value:(") + o.choices.join(QLatin1Char(' ')) + QLatin1Char(')');
    case Value::Text: return QStringLiteral(":") + QString(o.valueName).replace(QLatin1Char(':'), QStringLiteral("\\:")) + QStringLiteral(": ");
    }
    return {};
}

QString zshCommandCase(const Command &c)
{
    QString out = QStringLiteral("        ") + c.name + QStringLiteral(")\n            _arguments -s -S \\\n");
    for (const Option &o : c.options()) {
        QStringList spellings;
        for (const QString &n : o.names)
            spellings.append(spelled(n) + (o.valueName.isEmpty() ? QString() : n.size() == 1 ? QStringLiteral("+") : QStringLiteral("=")));
        for (const QString &s : spellings)
            out += QStringLiteral("                '") + s + QLatin1Char('[') + zshDescription(o.help) + QLatin1Char(']')
                + zshValue(o) + QStringLiteral("' \\\n");
    }
    if (c.runsACommand)
        out += QStringLiteral("                '(-):command name: _command_names -e' '*::arguments: _normal' \\\n");
    out += QStringLiteral("                && ret=0\n            ;;\n");
    return out;
}

} // namespace

QString bashCompletion()
{
    QString commandWords;
    QString valueFunctions;
    QString cases;
    for (const Command &c : commands()) {
        commandWords += c.name + QLatin1Char(' ');
        valueFunctions += bashValueFunction(c);
        cases += bashCommandCase(c);
    }
    commandWords += QStringLiteral("help");

    return QStringLiteral(
        "# bash completion for taskpool. Generated by taskpool-docgen from the command\n"
        "# line reference (app/cli/clireference.cpp); edit that, not this.\n"
        "\n"
        "# The words in $1 that start with $value, the word being completed.\n"
        "_taskpool_reply()\n"
        "{\n"
        "    local IFS=$' \\t\\n'\n"
        "    COMPREPLY=($(compgen -W \"$1\" -- \"$value\"))\n"
        "}\n"
        "\n"
        "# Files (-f) or directories (-d) that start with $value.\n"
        "_taskpool_files()\n"
        "{\n"
        "    compopt -o filenames 2>/dev/null\n"
        "    local IFS=$'\\n'\n"
        "    COMPREPLY=($(compgen \"$1\" -- \"$value\"))\n"
        "}\n"
        "\n"
        "# The ids of the runs in the journal (the one --journal names on the line).\n"
        "_taskpool_run_ids()\n"
        "{\n"
        "    local i journal=()\n"
        "    for ((i = 2; i < COMP_CWORD; i++)); do\n"
        "        if [[ ${COMP_WORDS[i]} == --journal ]]; then\n"
        "            [[ ${COMP_WORDS[i + 1]} == = ]] && journal=(--journal \"${COMP_WORDS[i + 2]}\") \\\n"
        "                || journal=(--journal \"${COMP_WORDS[i + 1]}\")\n"
        "        fi\n"
        "    done\n"
        "    \"${COMP_WORDS[0]}\" runs \"${journal[@]}\" 2>/dev/null | awk 'NR > 1 { print $1 }'\n"
        "}\n"
        "\n")
        + valueFunctions
        + QStringLiteral(
        "_taskpool()\n"
        "{\n"
        "    COMPREPLY=()\n"
        "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} value=${COMP_WORDS[COMP_CWORD]}\n"
        "    if ((COMP_CWORD == 1)); then\n"
        "        _taskpool_reply \"") + commandWords + QStringLiteral(" --help --version\"\n"
        "        return\n"
        "    fi\n"
        "    local command=${COMP_WORDS[1]} options= valued= takes_command=0\n"
        "    case $command in\n")
        + cases
        + QStringLiteral(
        "        help)\n"
        "            ((COMP_CWORD == 2)) && _taskpool_reply \"") + commandWords + QStringLiteral("\"\n"
        "            return\n"
        "            ;;\n"
        "        *) return ;;\n"
        "    esac\n"
        "    if ((takes_command)); then\n"
        "        # The command line to run starts after --, or at the first word that is\n"
        "        # neither an option nor an option's value: complete it as a command line.\n"
        "        local i=2 start=0 word\n"
        "        while ((i < COMP_CWORD)); do\n"
        "            word=${COMP_WORDS[i]}\n"
        "            if [[ $word == -- ]]; then\n"
        "                start=$((i + 1))\n"
        "                break\n"
        "            elif [[ $word == -* ]]; then\n"
        "                if [[ ${COMP_WORDS[i + 1]} == = ]]; then\n"
        "                    ((i += 2))\n"
        "                elif [[ \"|$valued|\" == *\"|$word|\"* ]]; then\n"
        "                    ((i += 1))\n"
        "                fi\n"
        "            else\n"
        "                start=$i\n"
        "                break\n"
        "            fi\n"
        "            ((i += 1))\n"
        "        done\n"
        "        if ((start == COMP_CWORD)); then\n"
        "            local IFS=$'\\n'\n"
        "            COMPREPLY=($(compgen -c -- \"$cur\"))\n"
        "            return\n"
        "        elif ((start > 0)); then\n"
        "            if declare -F _command_offset >/dev/null; then\n"
        "                _command_offset \"$start\"\n"
        "            else\n"
        "                _taskpool_files -f\n"
        "            fi\n"
        "            return\n"
        "        fi\n"
        "    fi\n"
        "    # The value of --option VALUE, or of --option=VALUE (which bash splits at the =).\n"
        "    local option=$prev\n"
        "    if [[ $cur == = ]]; then\n"
        "        value=\n"
        "    elif [[ $prev == = ]]; then\n"
        "        option=${COMP_WORDS[COMP_CWORD - 2]}\n"
        "    fi\n"
        "    if [[ $option == -* ]] && \"_taskpool_value_${command//-/_}\" \"$option\"; then\n"
        "        return\n"
        "    fi\n"
        "    if [[ $cur == -* ]]; then\n"
        "        _taskpool_reply \"$options\"\n"
        "    elif ((takes_command)); then\n"
        "        local IFS=$'\\n'\n"
        "        COMPREPLY=($(compgen -c -- \"$cur\"))\n"
        "    elif [[ $command == gui && $prev == --attach ]]; then\n"
        "        _taskpool_reply \"ssh:\"\n"
        "        compopt -o nospace 2>/dev/null\n"
        "    fi\n"
        "}\n"
        "complete -F _taskpool taskpool\n");
}

QString zshCompletion()
{
    QString commandList;
    for (const Command &c : commands())
        commandList += QStringLiteral("        '") + c.name + QLatin1Char(':') + zshDescription(c.summary) + QStringLiteral("'\n");
    commandList += QStringLiteral("        'help:the help of a command'\n");
    QString cases;
    for (const Command &c : commands())
        cases += zshCommandCase(c);
    return QStringLiteral(
        "#compdef taskpool\n"
        "# zsh completion for taskpool. Generated by taskpool-docgen from the command\n"
        "# line reference (app/cli/clireference.cpp); edit that, not this.\n"
        "\n"
        "_taskpool_run_ids()\n"
        "{\n"
        "    local -a ids\n"
        "    ids=(${(f)\"$(_call_program runs ${words[1]} runs 2>/dev/null | awk 'NR > 1 { print $1 \":\" $NF }')\"})\n"
        "    _describe -t runs 'run' ids\n"
        "}\n"
        "\n"
        "_taskpool()\n"
        "{\n"
        "    local curcontext=$curcontext state line ret=1\n"
        "    local -a subcommands\n"
        "    subcommands=(\n")
        + commandList
        + QStringLiteral(
        "    )\n"
        "    _arguments -C '(- *)--version[show the version]' '(- *)'{-h,--help}'[show the help]' \\\n"
        "        '1:command:->command' '*::argument:->argument' && ret=0\n"
        "    case $state in\n"
        "    command)\n"
        "        _describe -t commands 'taskpool command' subcommands && ret=0\n"
        "        ;;\n"
        "    argument)\n"
        "        curcontext=${curcontext%:*:*}:taskpool-$words[1]:\n"
        "        case $words[1] in\n")
        + cases
        + QStringLiteral(
        "        help)\n"
        "            _describe -t commands 'taskpool command' subcommands && ret=0\n"
        "            ;;\n"
        "        esac\n"
        "        ;;\n"
        "    esac\n"
        "    return ret\n"
        "}\n"
        "\n"
        "_taskpool \"$@\"\n");
}

} // namespace Cli
