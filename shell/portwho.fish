# portwho for fish: put `portwho init fish | source` at the end of ~/.config/fish/config.fish.
# Turns on Tab completion (verbs, options, busy ports with their process) and a prompt widget
# (⚡3000 5173: the ports your processes listen on). PORTWHO_PROMPT=0 hides the widget.
# A prompt render starts nothing in the foreground: it reads a small cache file with `read` and
# its age with `path mtime` (builtins); when stale, one refresh starts in the background.
if status is-interactive; and not set -q __portwho_loaded
    set -g __portwho_loaded 1
    set -g __portwho_exe ::PORTWHO::
    set -g __portwho_cache ::CACHE::
    set -g __portwho_dir (string replace -r '/[^/]*$' '' -- $__portwho_cache)
    set -g __portwho_config ::CONFIG::

    # >>> prompt
    set -g __portwho_seg ''
    set -g __portwho_spawned_at -1
    set -g __portwho_renders 0

    # One refresh at a time: the refresher holds a lock, and this shell waits a TTL between
    # starts (fish has no clock builtin, so it counts renders since the last start).
    function __portwho_spawn
        if test $__portwho_spawned_at -ge 0; and test (math $__portwho_renders - $__portwho_spawned_at) -lt 3
            return 0
        end
        # a folder this user cannot write (root-owned, left by `sudo portwho`): it could only fail
        if test -d $__portwho_dir; and not test -w $__portwho_dir
            return 0
        end
        set -g __portwho_spawned_at $__portwho_renders
        # the cache dir and config file init resolved: the refresher need not look them up
        set -lx PORTWHO_CACHE_DIR (string replace -r '/[^/]*$' '' -- $__portwho_cache)
        set -q PORTWHO_CONFIG; or set -lx PORTWHO_CONFIG $__portwho_config
        command $__portwho_exe prompt --refresh </dev/null >/dev/null 2>&1 &
        disown $last_pid 2>/dev/null
    end

    function __portwho_render
        set -g __portwho_seg ''
        set -g __portwho_renders (math $__portwho_renders + 1)
        test "$PORTWHO_PROMPT" = 0; and return 0
        set -l fields
        # only a regular file, only its first 4096 characters: a named pipe, a link to /dev/zero
        # or a folder at the path must not hang the prompt
        if test -f $__portwho_cache; and test -r $__portwho_cache
            read -l -n 4096 line <$__portwho_cache
            and set fields (string split -m 4 \t -- $line)
        end
        if test (count $fields) -ne 5; or test $fields[1] != v1; or not string match -qr '^[0-9]+$' -- $fields[3]
            __portwho_spawn
            return 0
        end
        set -l age 0
        if builtin -q path # fish >= 3.5: a builtin, so no process starts
            set age (path mtime --relative -- $__portwho_cache 2>/dev/null); or set age 0
        else if test (math $__portwho_renders % 10) -eq 1 # older fish: no clock, count renders
            __portwho_spawn
        end
        if test $age -ge $fields[3]
            __portwho_spawn
        end
        # too old to be true: show nothing rather than a server that may have stopped
        if test $age -gt 60; and test $age -gt (math 10 \* $fields[3])
            return 0
        end
        # inert text: no control characters reach the terminal (printf %s expands nothing)
        set -l seg (string replace -ra '[[:cntrl:]]' '' -- "$fields[5]")
        test -n "$seg"; or return 0
        if not string match -qr '^[0-9;]+$' -- $fields[4]
            set -g __portwho_seg "$seg "
        else
            set -g __portwho_seg \e\[$fields[4]m$seg\e\[0m' '
        end
    end

    function __portwho_status
        return $argv[1]
    end

    # Wrap the prompt the user has (or fish's default); keep $status for it.
    if not functions -q __portwho_orig_fish_prompt
        if functions -q fish_prompt
            functions --copy fish_prompt __portwho_orig_fish_prompt
        else
            function __portwho_orig_fish_prompt
                printf '> '
            end
        end
        function fish_prompt
            set -l st $status
            __portwho_render
            printf '%s' $__portwho_seg
            __portwho_status $st
            __portwho_orig_fish_prompt
        end
    end
    # <<< prompt

    # >>> completion
    # Candidates come from portwho itself (`value<TAB>help` lines).
    function __portwho_complete
        set -lx _PORTWHO_COMPLETE complete_fish
        set -lx _PORTWHO_COMPLETE_ARGS (commandline -cp)
        # the cache this snippet reads, so portwho need not look it up (platformdirs' import
        # costs several times the rest of a Tab press)
        set -lx PORTWHO_CACHE_DIR (string replace -r '/[^/]*$' '' -- $__portwho_cache)
        command $__portwho_exe 2>/dev/null
    end
    complete -c portwho -f -a '(__portwho_complete)'
    # <<< completion
end
