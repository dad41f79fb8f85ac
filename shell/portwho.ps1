# portwho for PowerShell: add `portwho init powershell | Out-String | Invoke-Expression` to $PROFILE.
# Turns on Tab completion (verbs, options, busy ports with their process) and a prompt widget
# (⚡3000 5173: the ports your processes listen on). $env:PORTWHO_PROMPT = '0' hides the widget.
# A prompt render reads a small cache file in-process; when it is stale, one refresh starts in
# the background (hidden), never in the foreground.
if (-not (Test-Path variable:global:__portwho_loaded) -and [Environment]::UserInteractive) {
$global:__portwho_loaded = $true
$global:__portwho_exe = @(::PORTWHO::)
$global:__portwho_cache = ::CACHE::

# >>> prompt
$global:__portwho_spawned = [long]0

function global:__portwho_spawn([long]$now, [long]$ttl) {
    if ($now - $global:__portwho_spawned -lt $ttl) { return }
    $global:__portwho_spawned = $now
    $exe = $global:__portwho_exe
    $rest = @($exe | Select-Object -Skip 1) + @('prompt', '--refresh')
    try {
        if ($IsWindows -or $null -eq $IsWindows) {
            Start-Process -FilePath $exe[0] -ArgumentList $rest -WindowStyle Hidden
        } else {
            Start-Process -FilePath $exe[0] -ArgumentList $rest -RedirectStandardOutput '/dev/null'
        }
    } catch { }
}

function global:__portwho_segment {
    if ($env:PORTWHO_PROMPT -eq '0') { return '' }
    $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    try {
        $line = [System.IO.File]::ReadLines($global:__portwho_cache) | Select-Object -First 1
    } catch { $line = $null }
    $f = if ($line) { $line -split "`t", 5 } else { @() }
    if ($f.Count -ne 5 -or $f[0] -ne 'v1' -or $f[1] -notmatch '^\d+$' -or $f[2] -notmatch '^\d+$') {
        __portwho_spawn $now 5
        return ''
    }
    $age = $now - [long]$f[1]
    $ttl = [long]$f[2]
    if ($age -ge $ttl) { __portwho_spawn $now $ttl }
    if ($age -gt 60 -and $age -gt 10 * $ttl) { return '' }
    if (-not $f[4]) { return '' }
    if ($f[3] -eq '-') { return "$($f[4]) " }
    $esc = [char]27
    return "$esc[$($f[3])m$($f[4])$esc[0m "
}

if (-not (Test-Path function:global:__portwho_orig_prompt)) {
    $global:__portwho_orig = $function:prompt
    function global:__portwho_orig_prompt { & $global:__portwho_orig }
    function global:prompt {
        $code = $global:LASTEXITCODE
        $seg = try { __portwho_segment } catch { '' }
        $global:LASTEXITCODE = $code
        $seg + (__portwho_orig_prompt)
    }
}
# <<< prompt

# >>> completion
Register-ArgumentCompleter -Native -CommandName portwho -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $env:_PORTWHO_COMPLETE = 'complete_powershell'
    $env:_PORTWHO_COMPLETE_ARGS = $commandAst.ToString()
    $env:_PORTWHO_COMPLETE_WORD = $wordToComplete
    $exe = $global:__portwho_exe
    $rest = @($exe | Select-Object -Skip 1)
    try {
        & $exe[0] @rest 2>$null | ForEach-Object {
            $value, $help = $_ -split ':::', 2
            [System.Management.Automation.CompletionResult]::new($value, $value, 'ParameterValue', $help)
        }
    } finally {
        Remove-Item Env:_PORTWHO_COMPLETE, Env:_PORTWHO_COMPLETE_ARGS, Env:_PORTWHO_COMPLETE_WORD -ErrorAction SilentlyContinue
    }
}
# <<< completion
}
