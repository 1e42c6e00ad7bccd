# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_devteam_global_optspecs
    string join \n agents= db= init config= json q/quiet v/verbose now= color= h/help V/version
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
complete -c devteam -n "__fish_devteam_needs_command" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_needs_command" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_needs_command" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_needs_command" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_needs_command" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_needs_command" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_needs_command" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_needs_command" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_needs_command" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "extract-metadata" -d 'Index the agent library into compact metadata cards (incremental)'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "discover" -d 'Find the few agents a task needs, from the index alone'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "run" -d 'Run a task: route it to a model, pick the agent, lay the prompt out for caching, call the API and record what it cost. `--dry-run` shows the plan without a key'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "runs" -d 'List runs, or read one: summaries by default, full outputs only with `--full`'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "warm-cache" -d 'Warm the prompt cache of the most used agents where their history says it pays (for cron): quiet unless something fails'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "prices" -d 'Show the effective price table: bundled rates plus your overrides'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "budget" -d 'Budgets that hold when many agents, cron and CI spend at once'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "restructure-agents" -d 'Lay agent files out for prompt caching: static sections first, shared blocks hoisted into one foundation file, dynamic sections last (a dry run unless --write)'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "store" -d 'The store itself: create it where --db names it, and say where it is'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "eval" -d 'Measure devteam against labeled data'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "usage" -d 'Spend and token reports from the store, and imports of other tools\' usage logs'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "route" -d 'Learn from outcomes: propose bounded adjustments of the router, apply or reset them'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "ab" -d 'A/B tests: run new tasks under two or more variants of the settings and compare them'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "generate" -d 'Generate shell completions and man pages (for packagers)'
complete -c devteam -n "__fish_devteam_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l card-max-tokens -d 'Largest metadata card, in tokens [default: 200, or `card-max-tokens` in config]' -r
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l force -d 'Re-read every file, even those whose content hash is unchanged'
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l strict -d 'Exit with status 1 when any file was skipped as unreadable or malformed'
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand extract-metadata" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand discover" -s n -l top -d 'How many agents to return [default: 5, or `discover-top` in config]' -r
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l no-refresh -d 'Use the index as it is, without checking the library for changed files (for hot loops over large libraries; a missing index is still built)'
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l rerank -d 'Let the haiku tier choose from the shortlist\'s cards and say why (needs an API key; without one, or if the call fails, the local ranking stands). The call is recorded'
complete -c devteam -n "__fish_devteam_using_subcommand discover" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
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
complete -c devteam -n "__fish_devteam_using_subcommand run" -s j -l jobs -d 'Subtasks run at the same time at most [default: 4, or `jobs` in config]' -r
complete -c devteam -n "__fish_devteam_using_subcommand run" -l check -d 'After the run, run this shell command (the project\'s tests, say) and record its exit status as the run\'s verdict (0 good, else bad). It gets PATH, HOME, LANG, TERM, TMPDIR and DEVTEAM_RUN_ID only: no credentials' -r
complete -c devteam -n "__fish_devteam_using_subcommand run" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand run" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand run" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand run" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand run" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand run" -l dry-run -d 'Show the routing, agent, request size and estimated cost; send nothing (no key needed)'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l exact -d 'With --dry-run: ask the API\'s free count_tokens endpoint for the request\'s exact input size instead of the local estimate (needs a key)'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l no-cache -d 'Send no cache breakpoints (prompt caching off)'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l no-routing -d 'Skip the router: use `--tier` or `--model`, else the sonnet tier'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l plan -d 'Plan the task into subtasks whatever its complexity'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l no-plan -d 'Never plan: one agent, one call'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l batch -d 'Send the run\'s calls through the Message Batches API at half price: independent calls go together and are polled until done (minutes, up to hours). For cron and CI'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l load-all-agents -d 'Skip the index: load every agent\'s full text and let a model choose (the unoptimized way, for comparison)'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l no-context -d 'Leave the shared project context out of the prompt'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l rerank -d 'Let the haiku tier choose the agent from the shortlist even when the local ranking is clear (by default it is asked only when the top two are close, and a key is set)'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l no-rerank -d 'Never ask a model to choose the agent'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l allow-over-budget -d 'Proceed even when a budget has no room left (recorded in the store)'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l no-economy -d 'Ignore budget pressure: no economy mode (a budget at 100 % still blocks)'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand run" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand run" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand run" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand run" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and not __fish_seen_subcommand_from show feedback help" -l limit -d 'How many runs to list, newest first' -r
complete -c devteam -n "__fish_devteam_using_subcommand runs; and not __fish_seen_subcommand_from show feedback help" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand runs; and not __fish_seen_subcommand_from show feedback help" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand runs; and not __fish_seen_subcommand_from show feedback help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand runs; and not __fish_seen_subcommand_from show feedback help" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand runs; and not __fish_seen_subcommand_from show feedback help" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand runs; and not __fish_seen_subcommand_from show feedback help" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and not __fish_seen_subcommand_from show feedback help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and not __fish_seen_subcommand_from show feedback help" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and not __fish_seen_subcommand_from show feedback help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and not __fish_seen_subcommand_from show feedback help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and not __fish_seen_subcommand_from show feedback help" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and not __fish_seen_subcommand_from show feedback help" -f -a "show" -d 'One run: its plan, subtasks with summaries, hand-overs and cost'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and not __fish_seen_subcommand_from show feedback help" -f -a "feedback" -d 'Give a run a verdict afterwards: routing learns from it'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and not __fish_seen_subcommand_from show feedback help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from show" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from show" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from show" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from show" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from show" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from show" -l full -d 'Include every full output (the subtasks\' and the final answer)'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from show" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from feedback" -l note -d 'Why, in a few words' -r
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from feedback" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from feedback" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from feedback" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from feedback" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from feedback" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from feedback" -l good -d 'The run\'s answer was good'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from feedback" -l bad -d 'The run\'s answer was not good enough'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from feedback" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from feedback" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from feedback" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from feedback" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from feedback" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from feedback" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "show" -d 'One run: its plan, subtasks with summaries, hand-overs and cost'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "feedback" -d 'Give a run a verdict afterwards: routing learns from it'
complete -c devteam -n "__fish_devteam_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l lookback -d 'Days of usage history to plan from' -r
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l top -d 'Consider this many of the most used agents' -r
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l dry-run -d 'Show the plan and its expected saving; send nothing (no key needed)'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l wait -d 'When another warm-cache run holds the lock, wait for it instead of exiting at once'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l suggest-schedule -d 'Print crontab lines timed from the usage history (shortly before the hours when the agents start being used), and say when warming buys nothing; send nothing'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand warm-cache" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand prices" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand prices" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand prices" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand prices" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand prices" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand prices" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand prices" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand prices" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand prices" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand prices" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand prices" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -f -a "set" -d 'Set or replace a budget: a limit in dollars and/or tokens per calendar window'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -f -a "status" -d 'Spent, reserved, limit, % used, time to reset and the mode in force, per budget'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -f -a "check" -d 'Exit 0 while there is room, 3 when a budget is used up (for scripts and CI)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -f -a "reset" -d 'Forget the alerts sent in a budget\'s current window, so they fire again'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -f -a "remove" -d 'Remove a budget (and its alert history)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and not __fish_seen_subcommand_from set status check reset remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from set" -l tokens -d 'A limit in tokens (input of every kind plus output), with or instead of dollars' -r
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from set" -l project -d 'Apply to one project\'s calls only [default: every call]' -r
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from set" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from set" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from set" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from set" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from set" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from set" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from set" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from status" -l project -d 'Only the budgets a call of this project counts against (the global ones and its own)' -r
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from status" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from status" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from status" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from status" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from status" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from status" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from status" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from check" -l project -d 'Only the budgets a call of this project counts against (the global ones and its own)' -r
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from check" -l need -d 'Fail unless this much (in dollars) still fits in every budget, e.g. the cost of the job about to run' -r
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from check" -l at -d 'Fail from this mode on: warn, economy or blocked' -r -f -a "warn\t'Past the warning threshold (70 % by default)'
economy\t'Past the economy threshold (85 % by default)'
blocked\t'At the blocking threshold (100 % by default): no room left'"
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from check" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from check" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from check" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from check" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from check" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from check" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from check" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from reset" -l project -d 'The project\'s budget rather than the global one' -r
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from reset" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from reset" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from reset" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from reset" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from reset" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from reset" -l reservations -d 'Also drop live reservations in the budget\'s scope now instead of waiting for them to expire (after a crash). Calls still in flight then no longer count: use with care'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from reset" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from reset" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from reset" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from reset" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from reset" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from remove" -l project -d 'The project\'s budget rather than the global one' -r
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from remove" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from remove" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from remove" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from remove" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from remove" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from remove" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from remove" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from help" -f -a "set" -d 'Set or replace a budget: a limit in dollars and/or tokens per calendar window'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from help" -f -a "status" -d 'Spent, reserved, limit, % used, time to reset and the mode in force, per budget'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from help" -f -a "check" -d 'Exit 0 while there is room, 3 when a budget is used up (for scripts and CI)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from help" -f -a "reset" -d 'Forget the alerts sent in a budget\'s current window, so they fire again'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a budget (and its alert history)'
complete -c devteam -n "__fish_devteam_using_subcommand budget; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l similarity -d 'Similarity (above 0, at most 1) at which two sections count as one shared block [default: 0.8, or `restructure.similarity` in config]' -r
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l min-agents -d 'Agents that must have a block before it is hoisted into the foundation [default: 3, or `restructure.min-agents` in config]' -r
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l write -d 'Apply the plan: copy the files it changes into `<library>/.devteam-backup/<time>/`, then replace each atomically (temporary file and rename)'
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l undo -d 'Restore the files changed by the last --write from its backup (byte for byte), then delete that backup. Refuses, restoring nothing, if a file changed since'
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand restructure-agents" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand store; and not __fish_seen_subcommand_from init migrate help" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand store; and not __fish_seen_subcommand_from init migrate help" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand store; and not __fish_seen_subcommand_from init migrate help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand store; and not __fish_seen_subcommand_from init migrate help" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand store; and not __fish_seen_subcommand_from init migrate help" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand store; and not __fish_seen_subcommand_from init migrate help" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand store; and not __fish_seen_subcommand_from init migrate help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand store; and not __fish_seen_subcommand_from init migrate help" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand store; and not __fish_seen_subcommand_from init migrate help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand store; and not __fish_seen_subcommand_from init migrate help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand store; and not __fish_seen_subcommand_from init migrate help" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand store; and not __fish_seen_subcommand_from init migrate help" -f -a "init" -d 'Create (and migrate) the store if it does not exist, and print its path'
complete -c devteam -n "__fish_devteam_using_subcommand store; and not __fish_seen_subcommand_from init migrate help" -f -a "migrate" -d 'Copy this host\'s store (calls, runs, decisions, outcomes, budgets) into a shared store on PostgreSQL. Safe to run again or after a failure: it copies only what is missing, and copies from several hosts merge without counting anything twice'
complete -c devteam -n "__fish_devteam_using_subcommand store; and not __fish_seen_subcommand_from init migrate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from init" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from init" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from init" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from init" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from init" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from init" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from init" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from init" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from init" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from migrate" -l to -d 'The shared store to copy into' -r
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from migrate" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from migrate" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from migrate" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from migrate" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from migrate" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from migrate" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from migrate" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from migrate" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from migrate" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from migrate" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "init" -d 'Create (and migrate) the store if it does not exist, and print its path'
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "migrate" -d 'Copy this host\'s store (calls, runs, decisions, outcomes, budgets) into a shared store on PostgreSQL. Safe to run again or after a failure: it copies only what is missing, and copies from several hosts merge without counting anything twice'
complete -c devteam -n "__fish_devteam_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -f -a "discovery" -d 'Discovery quality on labeled tasks: hit@1, hit@3, recall@10, MRR, tokens per task'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -f -a "routing" -d 'Model routing on labeled tasks: accuracy, confusion matrix, tasks sent too low, and cost against all-Sonnet and against the labels'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and not __fish_seen_subcommand_from discovery routing help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -l subset -d 'Also report a named range of data rows, e.g. `symptom=1-20` (repeatable)' -r
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -l signals -d 'Write every task\'s per-agent signals (BM25 parts, cosines) as JSON lines, for choosing the fusion on one library (scripts/discovery/choose-fusion.py)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -l lexical -d 'Rank by BM25 alone, as without embeddings'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from discovery" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l folds -d 'Folds of the cross-validation of the classifier by meaning (embeddings on)' -r
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l write-classifier -d 'Also train the classifier on every labeled task and write it to FILE (how data/routing-classifier.json is made)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l economy -d 'Route as under budget pressure: every score range moves down one tier'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l as-run -d 'Route with the shipped router as `run` does, instead of cross-validating a classifier on these labels: for label sets the shipped classifier was not trained on'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from routing" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "discovery" -d 'Discovery quality on labeled tasks: hit@1, hit@3, recall@10, MRR, tokens per task'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "routing" -d 'Model routing on labeled tasks: accuracy, confusion matrix, tasks sent too low, and cost against all-Sonnet and against the labels'
complete -c devteam -n "__fish_devteam_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -f -a "summary" -d 'What was spent, where, and what was saved: totals, sources, models, cache hit rate, savings against running the same work on Sonnet without a cache, and the trend'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -f -a "by" -d 'Spend grouped by one dimension, with each row\'s cache hit rate and savings'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -f -a "report" -d 'Write the dashboard: one self-contained HTML page of charts (no network fetches)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -f -a "watch" -d 'A live view in the terminal, refreshed every few seconds until Ctrl-C (prints once when stdout is not a terminal, or with --once)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -f -a "cache" -d 'Prompt caching by block kind (shared foundation, project context, agent static part, ...): tokens read from the cache, written to it, and sent uncached, per kind'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -f -a "import" -d 'Import usage logs of another tool into the store (incremental: only new bytes are read)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -f -a "daily" -d 'Tokens and cost per day and model (`--json` has the shape of `ccusage claude daily --json`)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -f -a "suggest" -d 'Concrete changes ranked by the money each would have saved: caches that miss, warm-ups that lose, tiers higher than needed, budgets that block, unused agents, oversized project contexts, planning that did not pay. `--apply` makes the safe, reversible ones'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and not __fish_seen_subcommand_from summary by report watch cache import daily suggest help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l since -d 'Start of the period: a date (2026-03-01, local midnight), a date and time (2026-03-01T09:30), an RFC 3339 instant, or a duration back from now (90m, 12h, 7d, 2w) [default: the first call]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l until -d 'End of the period, exclusive; a bare date includes that whole day. Same forms as --since [default: now]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l project -d 'Only calls of this project' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l source -d 'Only calls from this source' -r -f -a "devteam\t'`devteam run` and its agents'
warm-cache\t'Spend made only to fill the prompt cache'
claude-code\t'Imported from Claude Code\'s logs'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l timezone -d 'Time zone for dates and calendar buckets: an IANA name (Europe/Paris) or UTC [default: `timezone` in config / DEVTEAM_TIMEZONE, else UTC, as budgets use]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l csv -d 'Print CSV (one row per source, then `total`) instead of a table'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from summary" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
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
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l timezone -d 'Time zone for dates and calendar buckets: an IANA name (Europe/Paris) or UTC [default: `timezone` in config / DEVTEAM_TIMEZONE, else UTC, as budgets use]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -s n -l limit -d 'Show only the N costliest rows (time dimensions: the N latest)' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l csv -d 'Print CSV instead of a table'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from by" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
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
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l timezone -d 'Time zone for dates and calendar buckets: an IANA name (Europe/Paris) or UTC [default: `timezone` in config / DEVTEAM_TIMEZONE, else UTC, as budgets use]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l bucket -d 'Bucket of the spend-over-time charts [default: day up to 92 days, week up to two years, else month]' -r -f -a "day\t'Calendar day'
week\t'ISO week'
month\t'Calendar month'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from report" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
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
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l timezone -d 'Time zone for "today" and budget windows: an IANA name or UTC [default: `timezone` in config / DEVTEAM_TIMEZONE, else UTC]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l once -d 'Print the view once and exit'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from watch" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from cache" -l since -d 'Only calls since this long ago (90m, 12h, 7d, 2w) or this date [default: all]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from cache" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from cache" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from cache" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from cache" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from cache" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from cache" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from cache" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from cache" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from cache" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from cache" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from cache" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from import" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from import" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from import" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from import" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from import" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from import" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from import" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from import" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from import" -f -a "claude-code" -d 'Claude Code\'s JSONL transcripts (`projects/**/*.jsonl`), deduplicated the way Anthropic bills: one call per message.id and requestId'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from import" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -l source -d 'Calls to include' -r -f -a "all\t'Every call in the store'
devteam\t'Calls devteam made'
warm-cache\t'Calls devteam made only to warm the prompt cache'
claude-code\t'Calls imported from Claude Code\'s logs'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -s s -l since -d 'First day to show (YYYY-MM-DD or YYYYMMDD, inclusive)' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -s u -l until -d 'Last day to show (YYYY-MM-DD or YYYYMMDD, inclusive)' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -s p -l project -d 'Only this project (for Claude Code: its folder name under `projects/`, such as `-home-me-code-app`)' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -s z -l timezone -d 'Time zone for day boundaries, an IANA name [default: `timezone` in config, else UTC]' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -l csv -d 'Print CSV on stdout instead of a table (not with --json)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from daily" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from suggest" -l days -d 'Days of history to read' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from suggest" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from suggest" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from suggest" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from suggest" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from suggest" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from suggest" -l apply -d 'Make the safe suggestions: config edits (config.yaml kept as .bak) and learned routing (kept as learned-routing.json.bak). The rest stay advice'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from suggest" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from suggest" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from suggest" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from suggest" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from suggest" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from suggest" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "summary" -d 'What was spent, where, and what was saved: totals, sources, models, cache hit rate, savings against running the same work on Sonnet without a cache, and the trend'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "by" -d 'Spend grouped by one dimension, with each row\'s cache hit rate and savings'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "report" -d 'Write the dashboard: one self-contained HTML page of charts (no network fetches)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "watch" -d 'A live view in the terminal, refreshed every few seconds until Ctrl-C (prints once when stdout is not a terminal, or with --once)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "cache" -d 'Prompt caching by block kind (shared foundation, project context, agent static part, ...): tokens read from the cache, written to it, and sent uncached, per kind'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import usage logs of another tool into the store (incremental: only new bytes are read)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "daily" -d 'Tokens and cost per day and model (`--json` has the shape of `ccusage claude daily --json`)'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "suggest" -d 'Concrete changes ranked by the money each would have saved: caches that miss, warm-ups that lose, tiers higher than needed, budgets that block, unused agents, oversized project contexts, planning that did not pay. `--apply` makes the safe, reversible ones'
complete -c devteam -n "__fish_devteam_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand route; and not __fish_seen_subcommand_from learn help" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand route; and not __fish_seen_subcommand_from learn help" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand route; and not __fish_seen_subcommand_from learn help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand route; and not __fish_seen_subcommand_from learn help" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand route; and not __fish_seen_subcommand_from learn help" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand route; and not __fish_seen_subcommand_from learn help" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand route; and not __fish_seen_subcommand_from learn help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand route; and not __fish_seen_subcommand_from learn help" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand route; and not __fish_seen_subcommand_from learn help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand route; and not __fish_seen_subcommand_from learn help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand route; and not __fish_seen_subcommand_from learn help" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand route; and not __fish_seen_subcommand_from learn help" -f -a "learn" -d 'Propose bounded adjustments of the router from stored outcomes, with their evidence; `--apply` writes them (keeping a backup), `--reset` restores the defaults'
complete -c devteam -n "__fish_devteam_using_subcommand route; and not __fish_seen_subcommand_from learn help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from learn" -l min-evidence -d 'Usable outcomes needed before anything changes' -r
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from learn" -l days -d 'Days of outcomes to learn from' -r
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from learn" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from learn" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from learn" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from learn" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from learn" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from learn" -l apply -d 'Write the proposed adjustments (the previous file is kept as .bak)'
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from learn" -l reset -d 'Remove the learned adjustments: routing returns to the defaults (kept as .bak)'
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from learn" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from learn" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from learn" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from learn" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from learn" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from learn" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "learn" -d 'Propose bounded adjustments of the router from stored outcomes, with their evidence; `--apply` writes them (keeping a backup), `--reset` restores the defaults'
complete -c devteam -n "__fish_devteam_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -f -a "start" -d 'Start a test: each new run is assigned a variant by a hash of its task and the test\'s name'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -f -a "report" -d 'Compare the variants: cost per task, success, upgrades, latency, and a recommendation once the difference is significant'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -f -a "stop" -d 'Stop a test: new runs are no longer assigned (its results stay)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -f -a "list" -d 'List tests'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and not __fish_seen_subcommand_from start report stop list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from start" -l variant -d 'A variant: `KEY=SETTING,SETTING...` where a setting is `tier-thresholds.sonnet=N`, `tier-thresholds.opus=N`, `cache-strategy=off|5m|mixed|1h`, `max-tokens=N`, `planning=on|off`, `learned-routing=on|off`; `KEY=` alone keeps the settings as they are' -r
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from start" -l split -d 'Shares of new runs per variant, in order, e.g. `50,50` [default: equal]' -r
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from start" -l alpha -d 'Significance level of the report\'s verdicts' -r
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from start" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from start" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from start" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from start" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from start" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from start" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from start" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from start" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from start" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from report" -l cost-test -d 'How cost per task is compared: Welch\'s t-test, or a studentized bootstrap (2,000 resamples, seeded by the test\'s name) for skewed costs or small samples' -r -f -a "welch\t''
bootstrap\t''"
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from report" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from report" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from report" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from report" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from report" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from report" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from report" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from report" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from report" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from report" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from stop" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from stop" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from stop" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from stop" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from stop" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from stop" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from stop" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from stop" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from stop" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from list" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from list" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from list" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from list" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from list" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from list" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start a test: each new run is assigned a variant by a hash of its task and the test\'s name'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from help" -f -a "report" -d 'Compare the variants: cost per task, success, upgrades, latency, and a recommendation once the difference is significant'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop a test: new runs are no longer assigned (its results stay)'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from help" -f -a "list" -d 'List tests'
complete -c devteam -n "__fish_devteam_using_subcommand ab; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -f -a "completions" -d 'Print the completion script for a shell'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -f -a "man" -d 'Write man pages (one per subcommand) into a folder'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and not __fish_seen_subcommand_from completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from completions" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -l out-dir -d 'Folder to write into' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -l agents -d 'Agent library to use: a folder of agent folders (`<id>/CLAUDE.md`) or of Claude Code subagent files (`*.md` with front matter), in any nesting' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -l db -d 'SQLite store to use [default: $XDG_DATA_HOME/devteam/devteam.db], or a team\'s shared store on PostgreSQL (`postgres://user:password@host:port/db`)' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -l config -d 'Config file to read [default: $XDG_CONFIG_HOME/devteam/config.yaml]' -r -F
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -l now -d 'The instant to take as now, in RFC 3339 (2026-12-07T09:30:00Z) [default: the wall clock]. Every timestamp recorded, budget window, reservation and warm-cache plan reads it; it stands still for the whole command. For replays and tests: do not mix it with wall-clock processes on one store' -r
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -l color -d 'When to use colour; NO_COLOR in the environment also turns it off' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -l init -d 'Create the store named by --db / DEVTEAM_DB / `db:` if it does not exist (only the default location is created unasked, so that a mistyped path fails instead of reading as empty)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -l json -d 'Print machine-readable JSON on stdout instead of tables'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -s q -l quiet -d 'Print only results and errors (no progress, no notes)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -s v -l verbose -d 'Print more detail on stderr (repeat for more)'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from man" -s V -l version -d 'Print version'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "completions" -d 'Print the completion script for a shell'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "man" -d 'Write man pages (one per subcommand) into a folder'
complete -c devteam -n "__fish_devteam_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run runs warm-cache prices budget restructure-agents store eval usage route ab generate help" -f -a "extract-metadata" -d 'Index the agent library into compact metadata cards (incremental)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run runs warm-cache prices budget restructure-agents store eval usage route ab generate help" -f -a "discover" -d 'Find the few agents a task needs, from the index alone'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run runs warm-cache prices budget restructure-agents store eval usage route ab generate help" -f -a "run" -d 'Run a task: route it to a model, pick the agent, lay the prompt out for caching, call the API and record what it cost. `--dry-run` shows the plan without a key'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run runs warm-cache prices budget restructure-agents store eval usage route ab generate help" -f -a "runs" -d 'List runs, or read one: summaries by default, full outputs only with `--full`'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run runs warm-cache prices budget restructure-agents store eval usage route ab generate help" -f -a "warm-cache" -d 'Warm the prompt cache of the most used agents where their history says it pays (for cron): quiet unless something fails'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run runs warm-cache prices budget restructure-agents store eval usage route ab generate help" -f -a "prices" -d 'Show the effective price table: bundled rates plus your overrides'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run runs warm-cache prices budget restructure-agents store eval usage route ab generate help" -f -a "budget" -d 'Budgets that hold when many agents, cron and CI spend at once'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run runs warm-cache prices budget restructure-agents store eval usage route ab generate help" -f -a "restructure-agents" -d 'Lay agent files out for prompt caching: static sections first, shared blocks hoisted into one foundation file, dynamic sections last (a dry run unless --write)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run runs warm-cache prices budget restructure-agents store eval usage route ab generate help" -f -a "store" -d 'The store itself: create it where --db names it, and say where it is'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run runs warm-cache prices budget restructure-agents store eval usage route ab generate help" -f -a "eval" -d 'Measure devteam against labeled data'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run runs warm-cache prices budget restructure-agents store eval usage route ab generate help" -f -a "usage" -d 'Spend and token reports from the store, and imports of other tools\' usage logs'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run runs warm-cache prices budget restructure-agents store eval usage route ab generate help" -f -a "route" -d 'Learn from outcomes: propose bounded adjustments of the router, apply or reset them'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run runs warm-cache prices budget restructure-agents store eval usage route ab generate help" -f -a "ab" -d 'A/B tests: run new tasks under two or more variants of the settings and compare them'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run runs warm-cache prices budget restructure-agents store eval usage route ab generate help" -f -a "generate" -d 'Generate shell completions and man pages (for packagers)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and not __fish_seen_subcommand_from extract-metadata discover run runs warm-cache prices budget restructure-agents store eval usage route ab generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from runs" -f -a "show" -d 'One run: its plan, subtasks with summaries, hand-overs and cost'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from runs" -f -a "feedback" -d 'Give a run a verdict afterwards: routing learns from it'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from budget" -f -a "set" -d 'Set or replace a budget: a limit in dollars and/or tokens per calendar window'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from budget" -f -a "status" -d 'Spent, reserved, limit, % used, time to reset and the mode in force, per budget'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from budget" -f -a "check" -d 'Exit 0 while there is room, 3 when a budget is used up (for scripts and CI)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from budget" -f -a "reset" -d 'Forget the alerts sent in a budget\'s current window, so they fire again'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from budget" -f -a "remove" -d 'Remove a budget (and its alert history)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "init" -d 'Create (and migrate) the store if it does not exist, and print its path'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "migrate" -d 'Copy this host\'s store (calls, runs, decisions, outcomes, budgets) into a shared store on PostgreSQL. Safe to run again or after a failure: it copies only what is missing, and copies from several hosts merge without counting anything twice'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from eval" -f -a "discovery" -d 'Discovery quality on labeled tasks: hit@1, hit@3, recall@10, MRR, tokens per task'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from eval" -f -a "routing" -d 'Model routing on labeled tasks: accuracy, confusion matrix, tasks sent too low, and cost against all-Sonnet and against the labels'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "summary" -d 'What was spent, where, and what was saved: totals, sources, models, cache hit rate, savings against running the same work on Sonnet without a cache, and the trend'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "by" -d 'Spend grouped by one dimension, with each row\'s cache hit rate and savings'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "report" -d 'Write the dashboard: one self-contained HTML page of charts (no network fetches)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "watch" -d 'A live view in the terminal, refreshed every few seconds until Ctrl-C (prints once when stdout is not a terminal, or with --once)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "cache" -d 'Prompt caching by block kind (shared foundation, project context, agent static part, ...): tokens read from the cache, written to it, and sent uncached, per kind'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "import" -d 'Import usage logs of another tool into the store (incremental: only new bytes are read)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "daily" -d 'Tokens and cost per day and model (`--json` has the shape of `ccusage claude daily --json`)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "suggest" -d 'Concrete changes ranked by the money each would have saved: caches that miss, warm-ups that lose, tiers higher than needed, budgets that block, unused agents, oversized project contexts, planning that did not pay. `--apply` makes the safe, reversible ones'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from route" -f -a "learn" -d 'Propose bounded adjustments of the router from stored outcomes, with their evidence; `--apply` writes them (keeping a backup), `--reset` restores the defaults'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from ab" -f -a "start" -d 'Start a test: each new run is assigned a variant by a hash of its task and the test\'s name'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from ab" -f -a "report" -d 'Compare the variants: cost per task, success, upgrades, latency, and a recommendation once the difference is significant'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from ab" -f -a "stop" -d 'Stop a test: new runs are no longer assigned (its results stay)'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from ab" -f -a "list" -d 'List tests'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "completions" -d 'Print the completion script for a shell'
complete -c devteam -n "__fish_devteam_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "man" -d 'Write man pages (one per subcommand) into a folder'
