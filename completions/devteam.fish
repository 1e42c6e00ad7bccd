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
complete -c devteam -n "__fish_devteam_needs_command" -f -a "restructure-agents" -d 'Lay agent files out for prompt caching: static sections first, shared blocks hoisted into one foundation file, dynamic sections last (a dry run unless --write)'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "eval" -d 'Measure devteam against labeled data'
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
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l similarity -d 'Similarity (above 0, at most 1) at which two sections count as one shared block [default: 0.8, or `restructure.similarity` in config]' -r
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l min-agents -d 'Agents that must have a block before it is hoisted into the foundation [default: 3, or `restructure.min-agents` in config]' -r
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l write -d 'Apply the plan: copy the files it changes into `<library>/.devteam-backup/<time>/`, then replace each atomically (temporary file and rename)'
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l undo -d 'Restore the files changed by the last --write from its backup (byte for byte), then delete that backup. Refuses, restoring nothing, if a file changed since'
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -s V -l version -d 'Print version'
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
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover prices restructure-agents eval generate help" -f -a "extract-metadata" -d 'Index the agent library into compact metadata cards (incremental)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover prices restructure-agents eval generate help" -f -a "discover" -d 'Find the few agents a task needs, from the index alone'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover prices restructure-agents eval generate help" -f -a "prices" -d 'Show the effective price table: bundled rates plus your overrides'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover prices restructure-agents eval generate help" -f -a "restructure-agents" -d 'Lay agent files out for prompt caching: static sections first, shared blocks hoisted into one foundation file, dynamic sections last (a dry run unless --write)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover prices restructure-agents eval generate help" -f -a "eval" -d 'Measure devteam against labeled data'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover prices restructure-agents eval generate help" -f -a "generate" -d 'Generate shell completions and man pages (for packagers)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover prices restructure-agents eval generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from eval" -f -a "discovery" -d 'Discovery quality on labeled tasks: hit@1, hit@3, recall@10, MRR, tokens per task'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "completions" -d 'Print the completion script for a shell'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "man" -d 'Write man pages (one per subcommand) into a folder'
