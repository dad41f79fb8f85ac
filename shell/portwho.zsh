# portwho for zsh: put `eval "$(portwho init zsh)"` at the end of ~/.zshrc (after compinit).
# Turns on Tab completion (verbs, options, busy ports with their process) and a prompt widget
# (⚡3000 5173: the ports your processes listen on). PORTWHO_PROMPT=0 hides the widget.
# A prompt render forks nothing: it reads a small cache file with `read` and compares times with
# $EPOCHSECONDS (zsh/datetime); when the cache is stale it starts one refresh in the background.
if [[ -o interactive ]] && (( ! ${+__portwho_loaded} )); then
typeset -g __portwho_loaded=1
typeset -ga __portwho_exe
__portwho_exe=(::PORTWHO::)
typeset -g __portwho_cache=::CACHE::
typeset -g __portwho_dir=${__portwho_cache:h}
typeset -g __portwho_config=::CONFIG::

# >>> prompt
zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
zmodload -F zsh/system b:sysread 2>/dev/null
typeset -g __portwho_seg='' __portwho_prev='' __portwho_line=''
typeset -gi __portwho_spawned=0

# One refresh at a time: the refresher holds a lock, and this shell waits a TTL between starts.
# A folder this user cannot write (root-owned, left by `sudo portwho`) gets no refresher at all.
__portwho_spawn() {
  (( $1 - __portwho_spawned < $2 )) && return 0
  [[ -d $__portwho_dir && ! -w $__portwho_dir ]] && return 0
  __portwho_spawned=$1
  # the cache dir and config file init resolved, so the refresher need not look them up again
  ( PORTWHO_CACHE_DIR=${__portwho_cache:h} PORTWHO_CONFIG=${PORTWHO_CONFIG:-$__portwho_config} \
    "${__portwho_exe[@]}" prompt --refresh </dev/null >/dev/null 2>&1 & )
}

# The cache's first line: only from a regular file, with one bounded read (sysread; `read`
# would follow a link to /dev/zero forever, and a named pipe would hang the prompt).
__portwho_head() {
  __portwho_line=''
  [[ -f $__portwho_cache && -r $__portwho_cache ]] || return 1
  local buf=''
  if (( ${+builtins[sysread]} )); then
    sysread -s 4096 buf <$__portwho_cache || return 1
  else
    IFS= read -r buf <$__portwho_cache || return 1
  fi
  __portwho_line=${buf%%$'\n'*}
}

__portwho_render() {
  __portwho_seg=''
  [[ ${PORTWHO_PROMPT-} == 0 ]] && return 0
  local now=${EPOCHSECONDS:-0}
  local -a f
  __portwho_head && f=("${(@ps:\t:)__portwho_line}")
  local v=${f[1]-} ts=${f[2]-} ttl=${f[3]-} sgr=${f[4]-} seg=${(pj:\t:)f[5,-1]}
  if (( ${#f} < 5 )) || [[ $v != v1 || $ts != <-> || $ttl != <-> ]]; then
    __portwho_spawn $now 5
    return 0
  fi
  (( now - ts >= ttl )) && __portwho_spawn $now $ttl
  # too old to be true: show nothing rather than a server that may have stopped
  (( now - ts > 60 && now - ts > 10 * ttl )) && return 0
  # inert text: no control characters, and % doubled (prompt escapes); $( and ` are kept out
  # of reach in __portwho_precmd
  seg=${seg//[[:cntrl:]]/}
  [[ -n $seg ]] || return 0
  seg=${seg//\%/%%}
  [[ -n $sgr && $sgr != *[^0-9\;]* ]] || sgr=-
  if [[ $sgr == - ]]; then
    __portwho_seg="$seg "
  else
    __portwho_seg="%{"$'\e['"${sgr}m%}${seg}%{"$'\e[0m'"%} "
  fi
}

# Runs after the other precmd hooks (it is appended), so a theme that rebuilds PROMPT in its
# own precmd is drawn first and the widget is put in front of what it built.
# With prompt_subst (oh-my-zsh's default) PROMPT text is searched for $(...) and `...` at every
# draw: then PROMPT holds a reference to the segment, whose value zsh does not search again.
__portwho_precmd() {
  local st=$? ref
  __portwho_render
  if [[ -o prompt_subst ]]; then
    ref='${__portwho_seg}'
  else
    ref=$__portwho_seg
  fi
  PROMPT=${PROMPT#"$__portwho_prev"}
  __portwho_prev=$ref
  PROMPT=$ref$PROMPT
  return $st
}

autoload -Uz add-zsh-hook && add-zsh-hook precmd __portwho_precmd
# <<< prompt

# >>> completion
# Candidates come from portwho itself (`value:help` lines, ':' in a value escaped as '\:').
__portwho_complete() {
  local -a items
  # PORTWHO_CACHE_DIR: the cache this snippet reads, so portwho need not look it up (the
  # platformdirs import costs several times the rest of a Tab press)
  items=("${(@f)$(_PORTWHO_COMPLETE_ARGS="${words[1,CURRENT]}" _PORTWHO_COMPLETE=complete_zsh \
    PORTWHO_CACHE_DIR=${__portwho_cache:h} "${__portwho_exe[@]}" 2>/dev/null)}")
  items=(${items:#})
  (( ${#items} )) && _describe -V -t portwho 'portwho' items
}
if (( ${+functions[compdef]} )); then
  compdef __portwho_complete portwho
fi
# <<< completion
fi
