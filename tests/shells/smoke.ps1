# Loads `portwho init powershell` into a real PowerShell and uses it: the prompt renders and
# Tab completion answers. Run by `make smoke-powershell` (the GitHub Actions Windows job).
param([Parameter(Mandatory = $true)][string]$Exe)
$ErrorActionPreference = 'Stop'
$script = & $Exe init powershell | Out-String
if (-not $script.Contains('__portwho_')) { throw "init printed no snippet" }
Invoke-Expression $script
$rendered = prompt
Write-Output "prompt rendered: '$rendered'"
$found = (TabExpansion2 -inputScript 'portwho ' -cursorColumn 8).CompletionMatches
Write-Output "completions for 'portwho ': $($found.Count)"
if ($found.Count -lt 1) { throw "Tab offered nothing for 'portwho '" }
