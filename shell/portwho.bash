# shellcheck shell=bash
# portwho for bash: put `eval "$(portwho init bash)"` at the end of ~/.bashrc.
# Turns on Tab completion (verbs, options, busy ports with their process) and a prompt widget
# (⚡3000 5173: the ports your processes listen on). PORTWHO_PROMPT=0 hides the widget.
# A prompt render forks nothing: it reads a small cache file with `read` and compares times with
# $EPOCHSECONDS; when the cache is stale it starts one refresh in the background.
if [[ $- == *i* && -z ${__portwho_loaded-} ]]; then
__portwho_loaded=1
__portwho_exe=(::PORTWHO::)
__portwho_cache=::CACHE::
__portwho_dir=${__portwho_cache%/*}
__portwho_config=::CONFIG::

# >>> prompt
__portwho_ps1=''
__portwho_spawned=0
__portwho_renders=0

# Seconds since the epoch without a fork: bash 5 has EPOCHSECONDS, bash 4.2+ printf %(%s)T.
# bash 3.2 (macOS) has neither: it gets 0 and refreshes every 20th prompt instead.
__portwho_now() {
    if [[ -n ${EPOCHSECONDS-} ]]; then
        __portwho_t=$EPOCHSECONDS
    elif ((BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 2))); then
        printf -v __portwho_t '%(%s)T' -1
    else
        __portwho_t=0
    fi
}

# One refresh at a time: the refresher holds a lock, and this shell waits a TTL between starts.
# A folder this user cannot write (root-owned, left by `sudo portwho`) gets no refresher at all:
# it could only fail, once per prompt.
__portwho_spawn() {
    (($1 > 0 && $1 - __portwho_spawned < $2)) && return 0
    [[ -d $__portwho_dir && ! -w $__portwho_dir ]] && return 0
    __portwho_spawned=$1
    # the cache dir and config file init resolved, so the refresher need not look them up again
    (PORTWHO_CACHE_DIR=${__portwho_cache%/*} PORTWHO_CONFIG=${PORTWHO_CONFIG:-$__portwho_config} \
        "${__portwho_exe[@]}" prompt --refresh </dev/null >/dev/null 2>&1 &)
}

__portwho_render() {
    __portwho_ps1=''
    [[ ${PORTWHO_PROMPT-} == 0 ]] && return 0
    local v='' ts='' ttl='' sgr='' seg='' __portwho_t
    __portwho_now
    if ((__portwho_t == 0)); then
        ((++__portwho_renders % 20 == 1)) && __portwho_spawn 0 0
    fi
    # only a regular file, only its first 4096 characters: a named pipe, a link to /dev/zero or a
    # folder at the path must not hang or flood the prompt
    if [[ ! -f $__portwho_cache || ! -r $__portwho_cache ]] ||
        ! IFS=$'\t' read -r -n 4096 v ts ttl sgr seg <"$__portwho_cache" ||
        [[ $v != v1 || ! $ts =~ ^[0-9]+$ || ! $ttl =~ ^[0-9]+$ ]]; then
        ((__portwho_t > 0)) && __portwho_spawn "$__portwho_t" 5
        return 0
    fi
    if ((__portwho_t > 0)); then
        ((__portwho_t - ts >= ttl)) && __portwho_spawn "$__portwho_t" "$ttl"
        # too old to be true: show nothing rather than a server that may have stopped
        ((__portwho_t - ts > 60 && __portwho_t - ts > 10 * ttl)) && return 0
    fi
    # inert text: no control characters reach the terminal, and PS1 holds only a reference to
    # the value (bash does not expand \u, $( or ` inside an expanded value)
    seg=${seg//[[:cntrl:]]/}
    [[ -n $seg ]] || return 0
    [[ -n $sgr && $sgr != *[!0-9\;]* ]] || sgr=-
    if [[ $sgr == - ]]; then
        __portwho_ps1="$seg "
    else
        # \001 \002 tell readline the escapes take no room (\[ \] are not decoded in a value)
        __portwho_ps1=$'\001\e['"${sgr}m"$'\002'"$seg"$'\001\e[0m\002 '
    fi
}

__portwho_prompt_hook() {
    local __portwho_status=$?
    __portwho_render
    # another hook may have rebuilt PS1 since: put the widget back in front
    # shellcheck disable=SC2016 # expanded by bash when it draws the prompt
    [[ $PS1 == *'${__portwho_ps1}'* ]] || PS1='${__portwho_ps1}'"$PS1"
    return "$__portwho_status"
}

if [[ ${PROMPT_COMMAND[*]-} != *__portwho_prompt_hook* ]]; then
    # bash 5.1+ allows PROMPT_COMMAND to be an array; append to whichever form it has
    if ((BASH_VERSINFO[0] >= 5)) && [[ -n ${PROMPT_COMMAND+set} && ${PROMPT_COMMAND@a} == *a* ]]; then
        PROMPT_COMMAND+=(__portwho_prompt_hook)
    else
        # shellcheck disable=SC2178 # the string form (the array form is the branch above)
        PROMPT_COMMAND="${PROMPT_COMMAND:+${PROMPT_COMMAND%;}$'\n'}__portwho_prompt_hook"
    fi
fi
# <<< prompt

# >>> completion
# Candidates come from portwho itself (`value<TAB>help` lines). With several candidates the
# help is shown beside each value; a single one is inserted bare.
__portwho_complete() {
    local IFS=$'\n' line width
    local -a lines=()
    COMPREPLY=()
    # PORTWHO_CACHE_DIR: the cache this snippet reads, so portwho need not look it up (the
    # platformdirs import costs several times the rest of a Tab press)
    # shellcheck disable=SC2207 # one candidate a line, IFS is a newline
    lines=($(COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD _PORTWHO_COMPLETE=complete_bash \
        PORTWHO_CACHE_DIR=${__portwho_cache%/*} "${__portwho_exe[@]}" 2>/dev/null))
    if ((${#lines[@]} == 1)); then
        COMPREPLY=("${lines[0]%%$'\t'*}")
        return 0
    fi
    width=0
    for line in "${lines[@]}"; do
        line=${line%%$'\t'*}
        ((${#line} > width)) && width=${#line}
    done
    for line in "${lines[@]}"; do
        if [[ $line == *$'\t'* ]]; then
            printf -v line '%-*s  -- %s' "$width" "${line%%$'\t'*}" "${line#*$'\t'}"
        fi
        COMPREPLY+=("$line")
    done
}
complete -F __portwho_complete portwho
# <<< completion
fi
