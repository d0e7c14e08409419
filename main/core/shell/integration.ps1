# poshpool shell integration. The session's bootstrap (launch.ts) loads it from the session's private
# directory, preceded by one line that sets $__poshpoolBoot (nonce, settings), and runs it once in a
# fresh pwsh on a pty. Runs on PowerShell 7+ and Windows PowerShell 5.1: no `e, no ternary, no && || ??
# (scripts/ps51Syntax.ps1 checks it). Idempotent: running it again keeps the session's state.
#
# Markers (short: Windows 10's conhost drops OSC sequences over 256 characters, microsoft/terminal#15551):
#   ESC ] <osc> ; <nonce> ; <seq> ; <kind> ; <payload> BEL
#   ready  the prompt is back (payload: nested prompt level, pwsh's process id; the first one also
#          the version, edition, language mode and execution policy)
#   part   one part of a long command was received (payload: parts so far)
#   start  the command begins; its output follows the start fence
#   end    the command is over (payload: base64 JSON of the end record, or @ when the record is in
#          end-<seq>.json in the session's directory because it would make the marker too long, or +
#          when it came ahead in rec markers: a session on another host has no shared directory)
#   rec    one piece of a long end record (InBand sessions: those on another host, over ssh)
# Fences: ConPTY passes OSC sequences through at once but paints the text around them on its next
# frame (microsoft/terminal#11220, #8698, #17314), so a marker does not say where its text is. A
# fence is a line of text, painted in order with the output: "<fence>:<seq>:s" before a command's
# output and "<fence>:<seq>:e" after it. The output is the rows between the two.
# The nonce is kept inside the module below, not in $global:__poshpool, and the boot variable is
# removed here, so a command cannot print a marker that passes for a real one by accident.

if ($null -eq $global:__poshpool) {
    $global:__poshpool = @{
        Osc         = [int]$__poshpoolBoot.Osc
        TempDir     = [string]$__poshpoolBoot.TempDir
        MaxErrors   = [int]$__poshpoolBoot.MaxErrors
        MaxErrChars = [int]$__poshpoolBoot.MaxErrorChars
        MaxMarker   = [int]$__poshpoolBoot.MaxMarkerChars
        Fence       = [string]$__poshpoolBoot.Fence
        FreshScreen = [int]$__poshpoolBoot.FreshScreen -eq 1
        # A session on another host (over ssh): no directory shared with poshpool; long end records
        # travel as rec markers, and a command with `exit` runs from a private temp dir of that host.
        InBand      = [int]$__poshpoolBoot.InBand -eq 1
        # When the running command and the one before it began, by this host's clock (leftovers.ps1).
        StartedAt   = $null
        PrevSeq     = 0
        PrevStart   = $null
        Seq         = 0
        NativeRan   = $false
        LastOk      = $true
        BodyDone    = $false
        Caught      = $null
        ErrorMark   = $null
        Parts       = New-Object System.Text.StringBuilder
        # The command the last "#poshpool-run" line brought (sequence number, last base64 segment).
        RunSeq      = 0
        RunEncoded  = ''
        # The $LASTEXITCODE variable that carries the tracker (a new one, e.g. after Remove-Variable, gets it again).
        ExitVar     = $null
        # The temporary script file of the running command, when it has one.
        CommandFile = $null
        HistoryReady = $false
        # The running command is poshpool's own: its history entry goes at the next prompt.
        HideRun     = $false
        Greeted     = $false
        # Null reads in a row (a Ctrl+C at a console read on Windows returns null; end of input repeats it).
        NullReads   = 0
        MaxNullReads = 50
        LineReader  = { [Console]::In.ReadLine() }
    }
}
$__poshpoolNonce = [string]$__poshpoolBoot.Nonce
# On another host the session's tag (not a secret; ssh carries no environment) goes in pwsh's own
# environment, so every process a command starts there inherits it (leftovers.ps1 finds them by it).
if ($global:__poshpool.InBand -and $__poshpoolBoot.Tag) { $env:POSHPOOL_SESSION = [string]$__poshpoolBoot.Tag }
Remove-Variable __poshpoolBoot -Scope Global -ErrorAction Ignore
Remove-Variable __poshpoolBoot -ErrorAction Ignore

# PSReadLine must go before the first prompt: removing it later leaves its reader thread stealing input.
Remove-Module PSReadLine -Force -ErrorAction Ignore
$global:ProgressPreference = 'SilentlyContinue'
$global:ConfirmPreference = 'None'
try {
    $__poshpoolUtf8 = New-Object System.Text.UTF8Encoding $false
    [Console]::InputEncoding = $__poshpoolUtf8
    [Console]::OutputEncoding = $__poshpoolUtf8
    $global:OutputEncoding = $__poshpoolUtf8
} catch {
    # Some hosts refuse to change the console encoding; output still works, only non-ASCII may suffer.
}
Remove-Variable __poshpoolUtf8 -ErrorAction Ignore

New-Module -Name __poshpool -ArgumentList $__poshpoolNonce -ScriptBlock {
    param([string]$Nonce)
    if (-not $Nonce -and (Get-Module __poshpool)) { $Nonce = (Get-Module __poshpool).SessionState.PSVariable.GetValue('Nonce') }
    $pp = $global:__poshpool
    $esc = [string][char]27
    $bel = [string][char]7

    function Get-MarkerText([int]$Seq, [string]$Kind, [string]$Payload) {
        return $esc + ']' + $pp.Osc + ';' + $Nonce + ';' + $Seq + ';' + $Kind + ';' + $Payload + $bel
    }

    function Send-Marker([int]$Seq, [string]$Kind, [string]$Payload) {
        [Console]::Out.Write((Get-MarkerText $Seq $Kind $Payload))
        [Console]::Out.Flush()
    }

    # A fence line: at column 0 (CR), the rest of the row erased, then a new line. Painted in order
    # with the output around it, whatever the terminal does with OSC sequences.
    function Get-FenceText([int]$Seq, [string]$Kind) {
        return $pp.Fence + ':' + $Seq + ':' + $Kind
    }

    # Whether a script file may run here (execution policy). Only Windows has policies that forbid it.
    # The execution policy. Off Windows it is always Unrestricted and cannot be changed
    # (about_Execution_Policies), and the first Get-ExecutionPolicy there costs 80-180 ms of start-up
    # loading Microsoft.PowerShell.Security: skip it. ($IsWindows does not exist in 5.1, which is Windows.)
    function Get-PoshpoolPolicy {
        if ($PSVersionTable.PSEdition -eq 'Core' -and -not $IsWindows) { return 'Unrestricted' }
        return [string](Get-ExecutionPolicy)
    }

    function Test-ScriptsAllowed {
        try {
            $policy = Get-PoshpoolPolicy
            return -not ($policy -eq 'Restricted' -or $policy -eq 'AllSigned')
        } catch {
            return $true
        }
    }

    # Every assignment to $LASTEXITCODE (a native program ending, a script's exit, the user) passes
    # through this attribute, so "a native program ran in this command" is known even when the code
    # did not change; $LASTEXITCODE itself is never reset, so the user's own checks keep working.
    function Set-ExitCodeTracker {
        $var = $ExecutionContext.SessionState.PSVariable.Get('global:LASTEXITCODE')
        if ($null -ne $var -and [object]::ReferenceEquals($var, $pp.ExitVar)) { return }
        if ($null -eq $var) {
            $global:LASTEXITCODE = 0
            $var = Get-Variable -Name LASTEXITCODE -Scope Global
        }
        $pp.ExitVar = $var
        foreach ($a in $var.Attributes) {
            if ($a -is [System.Management.Automation.ValidateScriptAttribute] -and $a.ScriptBlock.ToString().Contains('__poshpool')) { return }
        }
        $var.Attributes.Add((New-Object System.Management.Automation.ValidateScriptAttribute ([ScriptBlock]::Create('$global:__poshpool.NativeRan = $true; $true'))))
    }

    function Limit([string]$Text) {
        if ($Text.Length -gt $pp.MaxErrChars) { return $Text.Substring(0, $pp.MaxErrChars) + '...' }
        return $Text
    }

    # The outermost frame of every stack is poshpool's own command line: leave it out.
    function Clean-Position([string]$Text) {
        if ($Text.Contains('Enter-PoshpoolCommand')) { return '' }
        return $Text
    }
    function Clean-Stack([string]$Text) {
        $lines = @($Text -split "`r?`n")
        if ($lines.Count -gt 0 -and $lines[$lines.Count - 1] -like 'at <ScriptBlock>, <No file>: line 1') {
            $lines = @($lines | Select-Object -First ($lines.Count - 1))
        }
        return ($lines -join "`n")
    }

    function ConvertTo-ErrorInfo($Record) {
        $o = [ordered]@{ message = ''; fullyQualifiedErrorId = ''; category = ''; exceptionType = ''; targetName = ''; position = ''; scriptStackTrace = '' }
        try {
            if ($Record -is [System.Management.Automation.ErrorRecord]) {
                $o.message = [string]$Record.Exception.Message
                if ($Record.ErrorDetails -and $Record.ErrorDetails.Message) { $o.message = [string]$Record.ErrorDetails.Message }
                $o.fullyQualifiedErrorId = [string]$Record.FullyQualifiedErrorId
                $o.category = [string]$Record.CategoryInfo.Category
                $o.exceptionType = $Record.Exception.GetType().FullName
                $o.targetName = [string]$Record.CategoryInfo.TargetName
                if ($Record.InvocationInfo) { $o.position = Clean-Position ([string]$Record.InvocationInfo.PositionMessage) }
                $o.scriptStackTrace = Clean-Stack ([string]$Record.ScriptStackTrace)
            } elseif ($Record -is [Exception]) {
                $o.message = [string]$Record.Message
                $o.exceptionType = $Record.GetType().FullName
                $o.category = 'NotSpecified'
                if ($Record -is [System.Management.Automation.IContainsErrorRecord] -and $Record.ErrorRecord) {
                    $o.fullyQualifiedErrorId = [string]$Record.ErrorRecord.FullyQualifiedErrorId
                    $o.category = [string]$Record.ErrorRecord.CategoryInfo.Category
                }
            } else {
                $o.message = [string]$Record
            }
        } catch {
            $o.message = 'poshpool could not read this error record: ' + $_.Exception.Message
        }
        foreach ($k in @($o.Keys)) { $o[$k] = Limit ([string]$o[$k]) }
        return $o
    }

    function Get-InnerException($Record) {
        if ($Record -is [System.Management.Automation.ErrorRecord]) { return $Record.Exception }
        return $Record
    }

    # $Error is capped at 256 entries, so the records of this command are those above the newest
    # record seen before it started, not a count difference.
    function Get-NewErrors {
        $list = New-Object System.Collections.ArrayList
        $mark = $pp.ErrorMark
        foreach ($e in $global:Error) {
            if ($null -ne $mark -and [object]::ReferenceEquals($e, $mark)) { break }
            [void]$list.Add($e)
        }
        $caught = $pp.Caught
        if ($null -ne $caught) {
            $inner = Get-InnerException $caught
            $seen = $false
            foreach ($e in $list) {
                if ([object]::ReferenceEquals($e, $caught) -or [object]::ReferenceEquals((Get-InnerException $e), $inner)) { $seen = $true; break }
            }
            if (-not $seen) { $list.Insert(0, $caught) }
        }
        $list.Reverse()
        return , $list
    }

    # The line the host runs for every command. It never changes, so pwsh parses and compiles it once
    # (its script cache is keyed by the text) and the terminal echoes only the short "#poshpool-run" line.
    $RunLine = 'try { . (Enter-PoshpoolCommand) | Out-Default } catch { Write-PoshpoolCaught $_ } finally { Exit-PoshpoolCommand }'

    # poshpool reads command lines itself: the host's own reader takes about 1 ms a character and
    # fails on long lines. A command arrives as "#poshpool-run <seq> <base64>", and a long one first
    # as "#poshpool-part <base64>" lines (each acknowledged, so the pty's input buffer never fills).
    # Any other line (input typed at a nested prompt) is returned as it came.
    function PSConsoleHostReadLine {
        while ($true) {
            $line = & $pp.LineReader
            if ($null -eq $line) {
                # A Ctrl+C at a console read on Windows makes ReadLine return null (not end of input):
                # read again. Only an end of input that persists ends the session.
                $pp.NullReads = $pp.NullReads + 1
                if ($pp.NullReads -ge $pp.MaxNullReads) { return 'exit' }
                continue
            }
            $pp.NullReads = 0
            if ($line.StartsWith('#poshpool-run ')) {
                $space = $line.IndexOf(' ', 14)
                if ($space -gt 14) {
                    $seqText = $line.Substring(14, $space - 14)
                    # "<seq>~": poshpool's own command; its history entry is removed at the next prompt.
                    $pp.HideRun = $seqText.EndsWith('~')
                    $pp.RunSeq = [int]$seqText.TrimEnd('~')
                    $pp.RunEncoded = $line.Substring($space + 1)
                    return $RunLine
                }
            }
            if ($line.StartsWith('#poshpool-part ')) {
                [void]$pp.Parts.Append($line.Substring(15))
                Send-Marker $pp.Seq 'part' $pp.Parts.Length
                continue
            }
            return $line
        }
    }

    # Called by the run line: emits the start marker and returns what the line dot-sources in the
    # global scope: a script block, or a temporary script file when the command contains `exit`
    # (in a script file `exit` ends the script and sets $LASTEXITCODE; in a script block it ends pwsh).
    function Enter-PoshpoolCommand {
        $Seq = $pp.RunSeq
        $pp.PrevSeq = $pp.Seq
        $pp.PrevStart = $pp.StartedAt
        $pp.StartedAt = [DateTime]::UtcNow
        $pp.Seq = $Seq
        $pp.NativeRan = $false
        $pp.BodyDone = $false
        $pp.LastOk = $true
        $pp.Caught = $null
        $pp.CommandFile = $null
        Set-ExitCodeTracker
        $pp.ErrorMark = $null
        if ($global:Error.Count -gt 0) { $pp.ErrorMark = $global:Error[0] }
        $all = $pp.Parts.ToString() + $pp.RunEncoded
        [void]$pp.Parts.Clear()
        $text = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($all))
        # $? is read as the body's last statement: read later, at the prompt or in a function, it is lost.
        $body = $text + "`n`n" + '$global:__poshpool.LastOk = $?; $global:__poshpool.BodyDone = $true'
        # The fence, then the marker, in one write. With FreshScreen, then an erase of the screen (the
        # terminal scrolls it into the scrollback) and the cursor home: the command draws on a screen
        # of its own, so cursor movement cannot reach the fence or an earlier command's rows.
        $fresh = ''
        if ($pp.FreshScreen) { $fresh = $esc + '[2J' + $esc + '[H' }
        [Console]::Out.Write([string][char]13 + (Get-FenceText $Seq 's') + $esc + '[K' + [string][char]13 + [string][char]10 + (Get-MarkerText $Seq 'start' '') + $fresh)
        [Console]::Out.Flush()
        # One parse: ScriptBlock.Create caches by text, so a repeated command is not parsed again.
        $block = $null
        $failure = $null
        try { $block = [ScriptBlock]::Create($body) } catch {
            $failure = $_
            # A caught exception is still added to $Error: this one is poshpool's, the parse error below is the command's.
            if ($global:Error.Count -gt 0 -and [object]::ReferenceEquals($global:Error[0].Exception, $failure.Exception)) { $global:Error.RemoveAt(0) }
        }
        if ($null -ne $failure) {
            $tokens = $null
            $parseErrors = $null
            [void][System.Management.Automation.Language.Parser]::ParseInput($text, [ref]$tokens, [ref]$parseErrors)
            if ($parseErrors.Count -eq 0) { throw $failure }
            # Reported like pwsh reports a parse error, and the line stays complete: no ">>" prompt.
            $ex = New-Object System.Management.Automation.ParseException (, $parseErrors)
            $rec = New-Object System.Management.Automation.ErrorRecord ($ex, $parseErrors[0].ErrorId, 'ParserError', $null)
            $global:Error.Insert(0, $rec)
            $pp.Caught = $rec
            [Console]::Out.Write('ParserError: ' + $ex.Message.Replace("`n", "`r`n") + "`r`n")
            return { }
        }
        # Without the word "exit" there is no exit statement: the syntax tree need not be searched.
        if ($text.IndexOf('exit', [StringComparison]::OrdinalIgnoreCase) -lt 0) { return $block }
        $hasExit = $null -ne $block.Ast.Find({ param($n) $n -is [System.Management.Automation.Language.ExitStatementAst] }, $true)
        # Under a policy that forbids scripts (Group Policy overrides -ExecutionPolicy Bypass), the
        # command runs as a script block: its `exit` ends the session, which the result then says.
        if ($hasExit -and $pp.ScriptsAllowed) {
            $dir = $pp.TempDir
            if (-not $dir -and $pp.InBand) { $dir = New-PoshpoolCommandDir }
            if ($dir) {
                $path = [IO.Path]::Combine($dir, 'command-' + $Seq + '.ps1')
                [IO.File]::WriteAllText($path, $body, (New-Object System.Text.UTF8Encoding $true))
                $pp.CommandFile = $path
                return $path
            }
        }
        return $block
    }

    # On another host: a directory of its own in that host's temp dir (user-only off Windows; a
    # Windows user's temp dir is theirs already), removed with the command file after the command.
    function New-PoshpoolCommandDir {
        try {
            $dir = [IO.Path]::Combine([IO.Path]::GetTempPath(), 'poshpool-' + [Guid]::NewGuid().ToString('N'))
            if ($PSVersionTable.PSEdition -eq 'Core' -and -not $IsWindows) {
                # 448 = 0700: UserRead, UserWrite, UserExecute (.NET 7+); older .NET: chmod.
                try { [void][IO.Directory]::CreateDirectory($dir, [IO.UnixFileMode]448) } catch {
                    [void][IO.Directory]::CreateDirectory($dir)
                    & /bin/chmod 700 $dir
                }
            } else {
                [void][IO.Directory]::CreateDirectory($dir)
            }
            return $dir
        } catch {
            return $null
        }
    }

    # A terminating error ended the command: show it as pwsh would and keep it for the end marker.
    function Write-PoshpoolCaught($Record) {
        $pp.Caught = $Record
        try {
            $Record | Out-String -Width 4096 -Stream | ForEach-Object { [Console]::Out.Write($_ + "`r`n") }
        } catch {
            # The record could not be formatted; it is still reported in the end marker.
        }
    }

    # A JSON string literal; $null when the text needs more than quote and backslash escapes.
    function ConvertTo-JsonString([string]$Text) {
        if ($Text -match '[\x00-\x1f\x7f]') { return $null }
        return '"' + $Text.Replace('\', '\\').Replace('"', '\"') + '"'
    }

    function Exit-PoshpoolCommand {
        $Seq = $pp.Seq
        $lec = $global:LASTEXITCODE
        $native = [bool]$pp.NativeRan
        $hasCode = $native -and ($lec -is [int])
        if ($null -ne $pp.Caught) {
            $ok = $false
            if ($hasCode -and $lec -ne 0) { $code = $lec } else { $code = 1 }
        } elseif (-not $pp.BodyDone) {
            # The body stopped early without an error: `exit N` in the script file, or a top-level return/break.
            if ($hasCode) { $code = $lec } else { $code = 0 }
            $ok = ($code -eq 0)
        } else {
            $ok = [bool]$pp.LastOk
            if ($ok) { $code = 0 } elseif ($hasCode -and $lec -ne 0) { $code = $lec } else { $code = 1 }
        }
        $errors = @()
        $errorCount = 0
        $mark = $pp.ErrorMark
        # No record above the mark and none caught: no error to collect.
        $noErrors = ($null -eq $pp.Caught) -and (($global:Error.Count -eq 0) -or (($null -ne $mark) -and [object]::ReferenceEquals($global:Error[0], $mark)))
        if (-not $noErrors) { try {
            $all = Get-NewErrors
            $errorCount = $all.Count
            $take = $all
            if ($all.Count -gt $pp.MaxErrors) { $take = $all.GetRange($all.Count - $pp.MaxErrors, $pp.MaxErrors) }
            $errors = @($take | ForEach-Object { ConvertTo-ErrorInfo $_ })
        } catch {
            $errors = @([ordered]@{ message = 'poshpool could not collect the error records: ' + $_.Exception.Message })
        } }
        $cwd = ''
        try {
            $loc = $ExecutionContext.SessionState.Path.CurrentLocation
            $cwd = $loc.Path
            if ($loc.Provider.Name -eq 'FileSystem') { $cwd = $loc.ProviderPath }
        } catch {
            # No current location (a removed drive): reported as empty.
        }
        $exited = (-not $pp.BodyDone) -and ($null -eq $pp.Caught)
        $json = $null
        $cwdJson = ConvertTo-JsonString $cwd
        if ($errors.Count -eq 0 -and $null -ne $cwdJson) {
            # The common record, written directly: ConvertTo-Json costs a cmdlet pipeline per command.
            $json = '{"success":' + ([string]$ok).ToLowerInvariant() + ',"exitCode":' + [string][int]$code + ',"nativeRan":' + ([string]$native).ToLowerInvariant() +
                ',"errorCount":' + [string][int]$errorCount + ',"errors":[],"cwd":' + $cwdJson + ',"exited":' + ([string]$exited).ToLowerInvariant() + '}'
        } else {
            $result = [ordered]@{
                success = $ok; exitCode = $code; nativeRan = $native; errorCount = $errorCount
                errors = $errors; cwd = $cwd; exited = $exited
            }
            $json = ConvertTo-Json -InputObject $result -Depth 5 -Compress
        }
        $payload = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json))
        $pieces = ''
        if ($Nonce.Length + $payload.Length + 24 -gt $pp.MaxMarker) {
            if ($pp.InBand) {
                # Too long for one marker and no shared directory: the record goes ahead in rec markers.
                $room = [Math]::Max(16, $pp.MaxMarker - $Nonce.Length - 32)
                for ($i = 0; $i -lt $payload.Length; $i += $room) {
                    $pieces += Get-MarkerText $Seq 'rec' $payload.Substring($i, [Math]::Min($room, $payload.Length - $i))
                }
                $payload = '+'
            } elseif ($pp.TempDir) {
                # Too long for one marker: the record goes through a file in the session's private directory.
                $endFile = [IO.Path]::Combine($pp.TempDir, 'end-' + $Seq + '.json')
                [IO.File]::WriteAllText($endFile, $json, (New-Object System.Text.UTF8Encoding $false))
                $payload = '@'
            }
        }
        # Everything the command printed is above this fence; the fence, then the marker, in one write.
        [Console]::Out.Write($pieces + [string][char]13 + [string][char]10 + [string][char]13 + (Get-FenceText $Seq 'e') + $esc + '[K' + [string][char]13 + [string][char]10 + (Get-MarkerText $Seq 'end' $payload))
        [Console]::Out.Flush()
        if ($null -ne $pp.CommandFile) {
            if ([IO.File]::Exists($pp.CommandFile)) { [IO.File]::Delete($pp.CommandFile) }
            if ($pp.InBand -and -not $pp.TempDir) {
                $dir = [IO.Path]::GetDirectoryName($pp.CommandFile)
                try { [IO.Directory]::Delete($dir) } catch {
                    # Something else is in it (the command put it there): it stays.
                }
            }
            $pp.CommandFile = $null
        }
    }

    function Write-PoshpoolPrompt {
        if (-not $pp.HistoryReady) {
            # At the first prompt the history holds only this start-up script: drop it.
            Clear-History
            $pp.HistoryReady = $true
        } elseif ($pp.HideRun) {
            # poshpool's own command (a Set-Location, an approval summary) is not the agent's history.
            Clear-History -Count 1 -Newest
        }
        $pp.HideRun = $false
        $payload = [string]$global:NestedPromptLevel + ',' + $PID
        if (-not $pp.Greeted) {
            # The first prompt says what this PowerShell is: version, edition, language mode, execution policy.
            $pp.Greeted = $true
            $policy = 'Unknown'
            try { $policy = Get-PoshpoolPolicy } catch { $policy = 'Unknown' }
            $payload += ',' + $PSVersionTable.PSVersion.ToString() + ',' + [string]$PSVersionTable.PSEdition + ',' + [string]$ExecutionContext.SessionState.LanguageMode + ',' + $policy
        }
        Send-Marker $pp.Seq 'ready' $payload
    }

    # One command of a command line as this session sees it: the name through its aliases, functions
    # and PATH, the parameters as the static binder binds them (-Rec is Recurse). Nothing runs.
    function ConvertTo-CommandSummary($Ast, $Bind) {
        $written = $Ast.GetCommandName()
        $name = $written
        $type = 'Unknown'
        $path = $null
        if ($null -ne $written) {
            $info = $null
            # The engine's own lookup, in the order a command runs (alias, function, cmdlet, program); Get-Command costs ~10x more.
            try { $info = $ExecutionContext.InvokeCommand.GetCommand($written, [System.Management.Automation.CommandTypes]::All) } catch { $info = $null }
            $hops = 0
            while ($null -ne $info -and [string]$info.CommandType -eq 'Alias' -and $hops -lt 8) { $info = $info.ResolvedCommand; $hops++ }
            if ($null -ne $info) {
                $type = [string]$info.CommandType
                $name = [string]$info.Name
                if ($type -eq 'Application' -or $type -eq 'ExternalScript') { $path = [string]$info.Source }
            }
        }
        $parameters = New-Object System.Collections.ArrayList
        $arguments = New-Object System.Collections.ArrayList
        $elements = $Ast.CommandElements
        for ($i = 1; $i -lt $elements.Count; $i++) {
            $e = $elements[$i]
            if ($e -is [System.Management.Automation.Language.CommandParameterAst]) { [void]$parameters.Add('-' + $e.ParameterName) }
            elseif ($e -is [System.Management.Automation.Language.StringConstantExpressionAst]) { [void]$arguments.Add([string]$e.Value) }
            else { [void]$arguments.Add([string]$e.Extent.Text) }
        }
        $bound = New-Object System.Collections.ArrayList
        # Binding costs milliseconds a command: only for the commands a rule asks parameters of ('*': all).
        $wanted = $Bind.Contains('*') -or ($null -ne $name -and $Bind.Contains($name.ToLowerInvariant()))
        if ($wanted -and $parameters.Count -gt 0 -and ($type -eq 'Cmdlet' -or $type -eq 'Function' -or $type -eq 'Filter' -or $type -eq 'ExternalScript')) {
            try {
                $binding = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($Ast, $true)
                foreach ($key in $binding.BoundParameters.Keys) { [void]$bound.Add([string]$key) }
            } catch {
                # Not bindable (ambiguous abbreviation): the parameters as written still count.
            }
        }
        return [ordered]@{ written = $written; name = $name; type = $type; path = $path; parameters = @($parameters); bound = @($bound); arguments = @($arguments) }
    }

    # What a command line would run, for the host's approval rules (main/core/approval): parsed by
    # PowerShell's own parser, every command in it (nested script blocks too) resolved in this session.
    # $BindNames: '|'-separated lowercase names whose parameters are bound, or '*' for all.
    function Get-PoshpoolCommandSummary([string]$Encoded, [string]$BindNames = '*') {
        $text = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($Encoded))
        $bind = New-Object 'System.Collections.Generic.HashSet[string]'
        foreach ($n in $BindNames.Split('|')) { if ($n) { [void]$bind.Add($n) } }
        $tokens = $null
        $parseErrors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($text, [ref]$tokens, [ref]$parseErrors)
        $commands = New-Object System.Collections.ArrayList
        foreach ($c in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true)) {
            [void]$commands.Add((ConvertTo-CommandSummary $c $bind))
        }
        $cwd = ''
        try {
            $loc = $ExecutionContext.SessionState.Path.CurrentLocation
            $cwd = $loc.Path
            if ($loc.Provider.Name -eq 'FileSystem') { $cwd = $loc.ProviderPath }
        } catch {
            # No current location: reported as empty.
        }
        $summary = [ordered]@{ cwd = $cwd; parseErrors = @($parseErrors).Count; commands = @($commands) }
        return (ConvertTo-Json -InputObject $summary -Depth 6 -Compress)
    }

    $pp.ScriptsAllowed = Test-ScriptsAllowed

    Export-ModuleMember -Function Enter-PoshpoolCommand, Exit-PoshpoolCommand, Write-PoshpoolCaught, Write-PoshpoolPrompt, PSConsoleHostReadLine, Get-PoshpoolCommandSummary
} | Import-Module -Global -Force
Remove-Variable __poshpoolNonce -ErrorAction Ignore

function global:prompt {
    try { Write-PoshpoolPrompt } catch {
        # A prompt must never throw: the host would print its own and the ready marker would be lost.
    }
    'PS> '
}
