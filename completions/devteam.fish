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
complete -c devteam -n "__fish_devteam_needs_command" -f -a "run" -d 'Run a task: route it to a model, pick the agent, lay the prompt out for caching, call the API and record what it cost. `--dry-run` shows the plan without a key'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "warm-cache" -d 'Warm the prompt cache of the most used agents where their history says it pays (for cron): quiet unless something fails'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "prices" -d 'Show the effective price table: bundled rates plus your overrides'
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
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l rerank -d 'Let the haiku tier choose from the shortlist\'s cards and say why (needs an API key; without one, or if the call fails, the local ranking stands). The call is recorded'
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand discover" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand discover" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand discover" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand discover" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l tier -d 'Use this tier instead of the router\'s choice' -r -f -a "haiku\t''
sonnet\t''
opus\t''"
complete -c devteam -n "__fish_devteam_using_subcommand run" -l model -d 'Use this model id instead of the router\'s choice' -r
complete -c devteam -n "__fish_devteam_using_subcommand run" -l agent -d 'Use this agent instead of discovery\'s choice' -r
complete -c devteam -n "__fish_devteam_using_subcommand run" -l project -d 'Project whose context (CLAUDE.md, README, manifests, file tree) every agent gets [default: `project` in config]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand run" -l max-tokens -d 'Most output tokens per call [default: 4096, or `max-tokens` in config]' -r
complete -c devteam -n "__fish_devteam_using_subcommand run" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand run" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand run" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand run" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand run" -l dry-run -d 'Show the routing, agent, request size and estimated cost; send nothing (no key needed)'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l no-cache -d 'Send no cache breakpoints (prompt caching off)'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l no-routing -d 'Skip the router: use `--tier` or `--model`, else the sonnet tier'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand run" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand run" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand run" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l lookback -d 'Days of usage history to plan from' -r
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l top -d 'Consider this many of the most used agents' -r
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l dry-run -d 'Show the plan and its expected saving; send nothing (no key needed)'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l wait -d 'When another warm-cache run holds the lock, wait for it instead of exiting at once'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l suggest-schedule -d 'Print crontab lines timed from the usage history (shortly before the hours when the agents start being used), and say when warming buys nothing; send nothing'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -s V -l version -d 'Print version'
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
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -f -a "discovery" -d 'Discovery quality on labeled tasks: hit@1, hit@3, recall@10, MRR, tokens per task'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -f -a "routing" -d 'Model routing on labeled tasks: accuracy, confusion matrix, tasks sent too low, and cost against all-Sonnet and against the labels'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
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
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l economy -d 'Route as under budget pressure: every score range moves down one tier'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "discovery" -d 'Discovery quality on labeled tasks: hit@1, hit@3, recall@10, MRR, tokens per task'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "routing" -d 'Model routing on labeled tasks: accuracy, confusion matrix, tasks sent too low, and cost against all-Sonnet and against the labels'
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
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run warm-cache prices eval generate help" -f -a "extract-metadata" -d 'Index the agent library into compact metadata cards (incremental)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run warm-cache prices eval generate help" -f -a "discover" -d 'Find the few agents a task needs, from the index alone'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run warm-cache prices eval generate help" -f -a "run" -d 'Run a task: route it to a model, pick the agent, lay the prompt out for caching, call the API and record what it cost. `--dry-run` shows the plan without a key'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run warm-cache prices eval generate help" -f -a "warm-cache" -d 'Warm the prompt cache of the most used agents where their history says it pays (for cron): quiet unless something fails'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run warm-cache prices eval generate help" -f -a "prices" -d 'Show the effective price table: bundled rates plus your overrides'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run warm-cache prices eval generate help" -f -a "eval" -d 'Measure devteam against labeled data'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run warm-cache prices eval generate help" -f -a "generate" -d 'Generate shell completions and man pages (for packagers)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run warm-cache prices eval generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from eval" -f -a "discovery" -d 'Discovery quality on labeled tasks: hit@1, hit@3, recall@10, MRR, tokens per task'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from eval" -f -a "routing" -d 'Model routing on labeled tasks: accuracy, confusion matrix, tasks sent too low, and cost against all-Sonnet and against the labels'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "completions" -d 'Print the completion script for a shell'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "man" -d 'Write man pages (one per subcommand) into a folder'
