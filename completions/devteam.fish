# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_devteam_global_optspecs
    string join \n agents= db= config= json q/quiet v/verbose color= h/help V/version
end

function __fish_devteam_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_devteam_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_devteam_using_subcommand
    set -l cmd (__fish_devteam_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c devteam -n "__fish_devteam_needs_command" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_needs_command" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_needs_command" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_needs_command" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_needs_command" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_needs_command" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_needs_command" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_needs_command" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "extract-metadata" -d 'Index the agent library into compact metadata cards (incremental)'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "discover" -d 'Find the few agents a task needs, from the index alone'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "prices" -d 'Show the effective price table: bundled rates plus your overrides'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "eval" -d 'Measure devteam against labeled data'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "usage" -d 'Spend reports from the store: what was spent, where, and what was saved'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "generate" -d 'Generate shell completions and man pages (for packagers)'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l card-max-tokens -d 'Largest metadata card, in tokens [default: 200, or `card-max-tokens` in config]' -r
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l force -d 'Re-read every file, even those whose content hash is unchanged'
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l strict -d 'Exit with status 1 when any file was skipped as unreadable or malformed'
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand discover" -s n -l top -d 'How many agents to return [default: 5, or `discover-top` in config]' -r
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l no-refresh -d 'Use the index as it is, without checking the library for changed files (for hot loops over large libraries; a missing index is still built)'
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand discover" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand discover" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand discover" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand discover" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand prices" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand prices" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand prices" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand prices" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand prices" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand prices" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand prices" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand prices" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand prices" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery help" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery help" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery help" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery help" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery help" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery help" -f -a "discovery" -d 'Discovery quality on labeled tasks: hit@1, hit@3, recall@10, MRR, tokens per task'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "discovery" -d 'Discovery quality on labeled tasks: hit@1, hit@3, recall@10, MRR, tokens per task'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch help" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch help" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch help" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch help" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch help" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch help" -f -a "summary" -d 'What was spent, where, and what was saved: totals, sources, models, cache hit rate, savings against running the same work on Sonnet without a cache, and the trend'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch help" -f -a "by" -d 'Spend grouped by one dimension, with each row\'s cache hit rate and savings'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch help" -f -a "report" -d 'Write the dashboard: one self-contained HTML page of charts (no network fetches)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch help" -f -a "watch" -d 'A live view in the terminal, refreshed every few seconds until Ctrl-C (prints once when stdout is not a terminal, or with --once)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l since -d 'Start of the period: a date (2026-03-01, local midnight), a date and time (2026-03-01T09:30), an RFC 3339 instant, or a duration back from now (90m, 12h, 7d, 2w) [default: the first call]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l until -d 'End of the period, exclusive; a bare date includes that whole day. Same forms as --since [default: now]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l project -d 'Only calls of this project' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l source -d 'Only calls from this source' -r -f -a "devteam\t'`devteam run` and its agents'
warm-cache\t'Spend made only to fill the prompt cache'
claude-code\t'Imported from Claude Code\'s logs'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l timezone -d 'Time zone for dates and calendar buckets: an IANA name (Europe/Paris) or UTC [default: the system\'s]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l csv -d 'Print CSV (one row per source, then `total`) instead of a table'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l since -d 'Start of the period: a date (2026-03-01, local midnight), a date and time (2026-03-01T09:30), an RFC 3339 instant, or a duration back from now (90m, 12h, 7d, 2w) [default: the first call]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l until -d 'End of the period, exclusive; a bare date includes that whole day. Same forms as --since [default: now]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l project -d 'Only calls of this project' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l source -d 'Only calls from this source' -r -f -a "devteam\t'`devteam run` and its agents'
warm-cache\t'Spend made only to fill the prompt cache'
claude-code\t'Imported from Claude Code\'s logs'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l timezone -d 'Time zone for dates and calendar buckets: an IANA name (Europe/Paris) or UTC [default: the system\'s]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -s n -l limit -d 'Show only the N costliest rows (time dimensions: the N latest)' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l csv -d 'Print CSV instead of a table'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l html -d 'The HTML file to write (one self-contained page)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l since -d 'Start of the period: a date (2026-03-01, local midnight), a date and time (2026-03-01T09:30), an RFC 3339 instant, or a duration back from now (90m, 12h, 7d, 2w) [default: the first call]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l until -d 'End of the period, exclusive; a bare date includes that whole day. Same forms as --since [default: now]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l project -d 'Only calls of this project' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l source -d 'Only calls from this source' -r -f -a "devteam\t'`devteam run` and its agents'
warm-cache\t'Spend made only to fill the prompt cache'
claude-code\t'Imported from Claude Code\'s logs'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l timezone -d 'Time zone for dates and calendar buckets: an IANA name (Europe/Paris) or UTC [default: the system\'s]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l bucket -d 'Bucket of the spend-over-time charts [default: day up to 92 days, week up to two years, else month]' -r -f -a "day\t'Calendar day'
week\t'ISO week'
month\t'Calendar month'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l interval -d 'Seconds between refreshes' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l project -d 'Only calls of this project' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l source -d 'Only calls from this source' -r -f -a "devteam\t'`devteam run` and its agents'
warm-cache\t'Spend made only to fill the prompt cache'
claude-code\t'Imported from Claude Code\'s logs'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l timezone -d 'Time zone for "today" and budget windows: an IANA name or UTC [default: the system\'s]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l once -d 'Print the view once and exit'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "summary" -d 'What was spent, where, and what was saved: totals, sources, models, cache hit rate, savings against running the same work on Sonnet without a cache, and the trend'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "by" -d 'Spend grouped by one dimension, with each row\'s cache hit rate and savings'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "report" -d 'Write the dashboard: one self-contained HTML page of charts (no network fetches)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "watch" -d 'A live view in the terminal, refreshed every few seconds until Ctrl-C (prints once when stdout is not a terminal, or with --once)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -f -a "completions" -d 'Print the completion script for a shell'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -f -a "man" -d 'Write man pages (one per subcommand) into a folder'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -l out-dir -d 'Folder to write into' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "completions" -d 'Print the completion script for a shell'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "man" -d 'Write man pages (one per subcommand) into a folder'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover prices eval usage generate help" -f -a "extract-metadata" -d 'Index the agent library into compact metadata cards (incremental)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover prices eval usage generate help" -f -a "discover" -d 'Find the few agents a task needs, from the index alone'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover prices eval usage generate help" -f -a "prices" -d 'Show the effective price table: bundled rates plus your overrides'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover prices eval usage generate help" -f -a "eval" -d 'Measure devteam against labeled data'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover prices eval usage generate help" -f -a "usage" -d 'Spend reports from the store: what was spent, where, and what was saved'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover prices eval usage generate help" -f -a "generate" -d 'Generate shell completions and man pages (for packagers)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover prices eval usage generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from eval" -f -a "discovery" -d 'Discovery quality on labeled tasks: hit@1, hit@3, recall@10, MRR, tokens per task'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "summary" -d 'What was spent, where, and what was saved: totals, sources, models, cache hit rate, savings against running the same work on Sonnet without a cache, and the trend'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "by" -d 'Spend grouped by one dimension, with each row\'s cache hit rate and savings'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "report" -d 'Write the dashboard: one self-contained HTML page of charts (no network fetches)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "watch" -d 'A live view in the terminal, refreshed every few seconds until Ctrl-C (prints once when stdout is not a terminal, or with --once)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "completions" -d 'Print the completion script for a shell'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "man" -d 'Write man pages (one per subcommand) into a folder'
