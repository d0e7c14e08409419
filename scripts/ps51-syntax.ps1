# Rejects PowerShell-7-only syntax and commands in scripts that must also run on Windows PowerShell
# 5.1 (the integration script every session loads, the stdio relay). Run with pwsh 7 (its parser knows
# the 7-only syntax, so it can find it):
#   pwsh -NoProfile -File scripts/ps51-syntax.ps1 <file.ps1> [...]
# Prints one "<file>:<line>: <what>" per finding and exits 1 when there is any, 0 when there is none.
param([Parameter(Mandatory = $true, ValueFromRemainingArguments = $true)][string[]]$Path)

$ErrorActionPreference = 'Stop'
# Cmdlets that Windows PowerShell 5.1 does not have.
$sevenOnlyCommands = @(
    'Get-Error', 'Join-String', 'Test-Json', 'ConvertFrom-Markdown', 'Show-Markdown', 'Get-MarkdownOption',
    'Set-MarkdownOption', 'Get-Uptime', 'Remove-Alias', 'Remove-Service', 'Get-PSSubsystem',
    'Enable-ExperimentalFeature', 'Disable-ExperimentalFeature', 'Get-ExperimentalFeature', 'Update-Help2'
)
$findings = New-Object System.Collections.Generic.List[string]

foreach ($file in $Path) {
    $tokens = $null
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile((Resolve-Path $file).ProviderPath, [ref]$tokens, [ref]$errors)
    foreach ($e in $errors) { $findings.Add("${file}:$($e.Extent.StartLineNumber): parse error: $($e.Message)") }
    $report = {
        param($node, [string]$what)
        $findings.Add("${file}:$($node.Extent.StartLineNumber): $what (not in Windows PowerShell 5.1): $($node.Extent.Text.Split("`n")[0].Trim())")
    }
    $nodes = $ast.FindAll({ param($n) $true }, $true)
    foreach ($n in $nodes) {
        $type = $n.GetType().Name
        if ($type -eq 'TernaryExpressionAst') { & $report $n 'ternary operator ?:' }
        elseif ($type -eq 'PipelineChainAst') { & $report $n 'pipeline chain operator && or ||' }
        elseif ($type -eq 'BinaryExpressionAst' -and [string]$n.Operator -eq 'QuestionQuestion') { & $report $n 'null-coalescing operator ??' }
        elseif ($type -eq 'AssignmentStatementAst' -and [string]$n.Operator -eq 'QuestionQuestionEquals') { & $report $n 'null-coalescing assignment ??=' }
        elseif (($type -eq 'MemberExpressionAst' -or $type -eq 'InvokeMemberExpressionAst' -or $type -eq 'IndexExpressionAst') -and $n.NullConditional) { & $report $n 'null-conditional access ?. or ?[]' }
        elseif ($type -eq 'NamedBlockAst' -and [string]$n.BlockKind -eq 'Clean') { & $report $n 'clean block' }
        elseif ($type -eq 'CommandAst') {
            $name = $n.GetCommandName()
            if ($name -and ($sevenOnlyCommands -contains $name)) { & $report $n "command $name" }
            if ($name -and ($name -eq 'ForEach-Object' -or $name -eq '%' -or $name -eq 'foreach')) {
                foreach ($el in $n.CommandElements) {
                    if ($el -is [System.Management.Automation.Language.CommandParameterAst] -and 'Parallel'.StartsWith($el.ParameterName, 'OrdinalIgnoreCase') -and $el.ParameterName.Length -ge 2) { & $report $n 'ForEach-Object -Parallel' }
                }
            }
        }
    }
    # Escapes that 5.1 reads literally: `e (ESC) and `u{...} inside double-quoted strings.
    foreach ($t in $tokens) {
        if ($t.Kind -eq 'StringExpandable' -or $t.Kind -eq 'HereStringExpandable') {
            if ($t.Text -cmatch '(?<!`)`e' -or $t.Text -match '(?<!`)`u\{') {
                $findings.Add("${file}:$($t.Extent.StartLineNumber): escape ``e or ``u{} (not in Windows PowerShell 5.1): $($t.Text.Split("`n")[0].Trim())")
            }
        }
    }
}

foreach ($f in $findings) { [Console]::Out.WriteLine($f) }
if ($findings.Count -gt 0) { exit 1 }
exit 0
